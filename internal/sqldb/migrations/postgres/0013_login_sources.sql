-- Login throttling (xinfang.JudgeLogin). A source is one account name tried
-- from one client address: its failures, its locks, and its last success,
-- which makes the address familiar to the account. It is keyed by the name
-- typed, not by a user id, so that a name that is no account is counted
-- and locked alike. expires_at is when the row no longer matters; rows
-- past it are deleted as new checks come in.
CREATE TABLE login_sources (
	username     TEXT NOT NULL,
	address      TEXT NOT NULL,
	failures     INTEGER NOT NULL DEFAULT 0,
	locks        INTEGER NOT NULL DEFAULT 0,
	locked_until TEXT NOT NULL DEFAULT '',
	failed_at    TEXT NOT NULL DEFAULT '',
	signed_in_at TEXT NOT NULL DEFAULT '',
	expires_at   TEXT NOT NULL,
	PRIMARY KEY (username, address)
);
CREATE INDEX login_sources_expires ON login_sources(expires_at);

-- The account's own record is on users: failed_logins, locked_until (now
-- the wait of addresses the account has not signed in from) and the time
-- of the last failure, after which the count is forgotten.
ALTER TABLE users ADD COLUMN failed_login_at TEXT NOT NULL DEFAULT '';
