-- The audit log (security.md "Audit"): entries numbered 1, 2, 3 … without
-- gaps, each with the keyed hash (HMAC-SM3) of the previous entry's hash
-- and its own text; audit_head holds the number and hash of the last, so
-- that a deleted tail is found too. The triggers refuse every UPDATE and
-- DELETE of an entry, whoever asks.
CREATE TABLE audit_log (
	id        INTEGER PRIMARY KEY,
	at        TEXT NOT NULL,
	user_id   INTEGER,
	username  TEXT NOT NULL DEFAULT '',
	unit_id   INTEGER,
	kind      TEXT NOT NULL,
	route     TEXT NOT NULL DEFAULT '',
	object    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT '',
	ip        TEXT NOT NULL DEFAULT '',
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log(user_id, id);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TABLE audit_head (
	one  INTEGER PRIMARY KEY CHECK (one = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL,
	mac  TEXT NOT NULL DEFAULT '' -- keyed MAC of seq and hash: the head cannot be set back by hand
);
INSERT INTO audit_head (one, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
