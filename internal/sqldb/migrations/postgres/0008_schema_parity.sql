-- Schema parity with SQLite (TestSchemaParity). The SQLite 0008 rebuilds
-- sessions, holidays, leases and migrations so that their text primary keys
-- are NOT NULL, which PostgreSQL has always enforced for a primary key.
-- Nothing changes here; the file keeps the two sets numbered in step.
SELECT 1;
