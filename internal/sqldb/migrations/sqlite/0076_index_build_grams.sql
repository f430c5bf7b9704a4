-- A build of the petitions' derived indexes (index_build.go) writes the
-- repeat index's grams after its batches, in the order of their key:
-- every gram below grams_from is written for the build's petitions. A
-- build left unfinished by an older version, whose batches wrote their
-- grams themselves, writes them again from 0; those there already are
-- kept, and counted once.
ALTER TABLE index_builds ADD COLUMN grams_from BIGINT NOT NULL DEFAULT 0;
