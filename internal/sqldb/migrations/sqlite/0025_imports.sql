-- Imports (导入) of petitions and backlog cases from the bureau's earlier
-- ledger: the file as uploaded (in chunks, in the database, so that any
-- instance commits what another checked), where its check and commit
-- stand, and the problems found, each a row and a column.
CREATE TABLE imports (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('petitions', 'cases')),
	file_name  TEXT NOT NULL,
	size       INTEGER NOT NULL,
	sha256     TEXT NOT NULL,
	state      TEXT NOT NULL,
	total_rows INTEGER NOT NULL DEFAULT 0,
	errors     INTEGER NOT NULL DEFAULT 0,
	new_rows   INTEGER NOT NULL DEFAULT 0,
	unchanged  INTEGER NOT NULL DEFAULT 0,
	message    TEXT NOT NULL DEFAULT '',
	user_id    INTEGER NOT NULL REFERENCES users(id),
	user_name  TEXT NOT NULL,
	unit_id    INTEGER NOT NULL REFERENCES units(id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX imports_user ON imports(user_id, id);

CREATE TABLE import_chunks (
	import_id INTEGER NOT NULL REFERENCES imports(id),
	n         INTEGER NOT NULL,
	data      BLOB NOT NULL,
	PRIMARY KEY (import_id, n)
);

CREATE TABLE import_problems (
	import_id INTEGER NOT NULL REFERENCES imports(id),
	n         INTEGER NOT NULL,
	row_no    INTEGER NOT NULL,
	col       TEXT NOT NULL,
	message   TEXT NOT NULL,
	PRIMARY KEY (import_id, n)
);

-- An imported item names its import and keeps the hash of its row, so
-- that importing the same row again changes nothing; its number is the
-- original one, outside the bureau's own numbering.
ALTER TABLE petitions ADD COLUMN import_id INTEGER REFERENCES imports(id);
ALTER TABLE petitions ADD COLUMN import_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN import_id INTEGER REFERENCES imports(id);
ALTER TABLE cases ADD COLUMN import_hash TEXT NOT NULL DEFAULT '';
