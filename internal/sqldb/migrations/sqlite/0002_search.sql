-- Repeat detection (重复信访) and full-text search. Everything here is
-- derived from the petitions (and, for search, from other records such as
-- backlog cases): Reindex rebuilds it all.

-- The text fingerprint of each petition (similar.PetitionFingerprint):
-- sorted uint32 values, little-endian. day is the Shanghai date received,
-- in days since 1970, the key of the time window.
CREATE TABLE petition_fingerprints (
	petition_id INTEGER PRIMARY KEY REFERENCES petitions(id),
	version     INTEGER NOT NULL,
	day         INTEGER NOT NULL,
	fp          BLOB NOT NULL
);

-- Inverted index of the telling bigrams of each petition (weight classes 0
-- and 1 of the fingerprint), to find text-similar petitions within a time
-- window without reading any petition. No foreign key: it is derived data
-- and the check would cost a lookup per gram.
CREATE TABLE petition_grams (
	gram        INTEGER NOT NULL,
	day         INTEGER NOT NULL,
	petition_id INTEGER NOT NULL,
	PRIMARY KEY (gram, day, petition_id)
) WITHOUT ROWID;

-- How many petitions carry each gram, so that a lookup reads the rare
-- grams first and skips the common ones.
CREATE TABLE gram_stats (
	gram INTEGER PRIMARY KEY,
	n    INTEGER NOT NULL
) WITHOUT ROWID;

-- What the registrar decided about a candidate: linked as its repeat, or
-- dismissed (not shown again). The record of who decided and why.
CREATE TABLE repeat_decisions (
	id           INTEGER PRIMARY KEY,
	petition_id  INTEGER NOT NULL REFERENCES petitions(id),
	candidate_id INTEGER NOT NULL REFERENCES petitions(id),
	decision     TEXT NOT NULL CHECK (decision IN ('link','dismiss')),
	user_id      INTEGER NOT NULL REFERENCES users(id),
	user_name    TEXT NOT NULL,
	at           TEXT NOT NULL,
	score        REAL NOT NULL,
	reasons      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX repeat_decisions_petition ON repeat_decisions(petition_id, candidate_id);
CREATE INDEX petitions_repeat_of ON petitions(repeat_of_id) WHERE repeat_of_id IS NOT NULL;

-- One searchable text per record: kind 'petition' (number, petitioners,
-- 概况, 投诉内容), 'case' for backlog cases, and so on. The text is folded
-- (lower case, half-width) by IndexSearchDoc, so matching is exact.
CREATE TABLE search_docs (
	id     INTEGER PRIMARY KEY,
	kind   TEXT NOT NULL,
	ref_id INTEGER NOT NULL,
	text   TEXT NOT NULL,
	UNIQUE (kind, ref_id)
);
-- Trigram full-text index over search_docs (external content, kept in step
-- by the triggers below). Case-sensitive because the text is folded already.
CREATE VIRTUAL TABLE search_fts USING fts5(text, content='search_docs', content_rowid='id', tokenize='trigram case_sensitive 1');
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
	INSERT INTO search_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
	INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
	INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', old.id, old.text);
	INSERT INTO search_fts (rowid, text) VALUES (new.id, new.text);
END;
-- Two-character words (低保, 拆迁) have no trigram: their bigrams, made by
-- IndexSearchDoc, go into this second index, one token per bigram. It
-- stores no text (search_docs has it) and only narrows the rows that
-- instr() then checks.
CREATE VIRTUAL TABLE search_bigrams USING fts5(grams, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
