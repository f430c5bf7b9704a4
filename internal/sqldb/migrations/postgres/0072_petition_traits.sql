-- The traits of each petition's text (similar.PetitionIndex: the entities
-- it names, its follow-up mark and months) beside its fingerprint, so that
-- ranking a repeat candidate does not read and parse its text again. The
-- fingerprints of an older similar.FingerprintVersion, rows without traits
-- among them, are rewritten by the background index build; until then the
-- ranking reads their text.
ALTER TABLE petition_fingerprints ADD COLUMN traits TEXT NOT NULL DEFAULT '';
