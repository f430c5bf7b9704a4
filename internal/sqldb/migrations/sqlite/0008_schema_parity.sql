-- Schema parity with PostgreSQL (TestSchemaParity). SQLite lets NULL into a
-- PRIMARY KEY column that is not an INTEGER rowid alias unless the column
-- says NOT NULL (a documented legacy quirk); PostgreSQL never does. The
-- text keys of sessions, holidays, leases and migrations were nullable
-- here only. SQLite cannot add NOT NULL to a column, so each table is
-- rebuilt with the same columns and indexes. A row with a NULL key could
-- never be found by its key (nothing writes one), so it is not copied.

CREATE TABLE sessions_new (
	id         TEXT NOT NULL PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	seen_at    TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
INSERT INTO sessions_new (id, user_id, csrf, created_at, seen_at, expires_at)
	SELECT id, user_id, csrf, created_at, seen_at, expires_at FROM sessions WHERE id IS NOT NULL;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE holidays_new (
	day  TEXT NOT NULL PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),
	name TEXT NOT NULL
);
INSERT INTO holidays_new (day, kind, name) SELECT day, kind, name FROM holidays WHERE day IS NOT NULL;
DROP TABLE holidays;
ALTER TABLE holidays_new RENAME TO holidays;

CREATE TABLE leases_new (
	name       TEXT NOT NULL PRIMARY KEY,
	holder     TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
INSERT INTO leases_new (name, holder, expires_at) SELECT name, holder, expires_at FROM leases WHERE name IS NOT NULL;
DROP TABLE leases;
ALTER TABLE leases_new RENAME TO leases;

-- The migrator's own table (created by DB.migrate, which records this file
-- in the new table within the same transaction).
CREATE TABLE migrations_new (
	name TEXT NOT NULL PRIMARY KEY
);
INSERT INTO migrations_new (name) SELECT name FROM migrations WHERE name IS NOT NULL;
DROP TABLE migrations;
ALTER TABLE migrations_new RENAME TO migrations;
