-- Builds of the petitions' derived indexes (repeat-detection fingerprints
-- and grams, search documents) that run in the background while the
-- application serves. One row per build; its progress is written in the
-- transaction of each batch, so that a restart resumes where it stopped.
-- Every petition with first_id <= id <= after_id is indexed; those above
-- last_id (registered after the build began) index themselves. A row
-- with finished_at set is a finished build, kept as its record.
CREATE TABLE index_builds (
	name        TEXT NOT NULL PRIMARY KEY,
	first_id    INTEGER NOT NULL,
	last_id     INTEGER NOT NULL,
	after_id    INTEGER NOT NULL,
	started_at  TEXT NOT NULL,
	finished_at TEXT NOT NULL DEFAULT ''
);
