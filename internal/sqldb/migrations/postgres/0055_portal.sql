-- The public portal (网上信访). An item submitted online is registered at
-- once, by the portal's own account, as channel 网上信访, so that it gets
-- its number, its 查询码 and the repeat index like any other; the
-- registrar then takes it in (confirmed), merges it into an earlier item
-- or declines it, the last two as events of the procedure.
-- portal_intake lists those items: the blind index of the ID number
-- counts submissions per person for the rate limit.
CREATE TABLE portal_intake (
	petition_id       BIGINT PRIMARY KEY REFERENCES petitions(id),
	id_index          TEXT NOT NULL,
	submitted_at      TEXT NOT NULL,
	confirmed_by      BIGINT REFERENCES users(id),
	confirmed_by_name TEXT NOT NULL DEFAULT '',
	confirmed_at      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX portal_intake_person ON portal_intake(id_index, submitted_at);
CREATE INDEX portal_intake_pending ON portal_intake(confirmed_at, submitted_at);

-- portal_guard holds the failed 查询码 checks per key (a hash of the number
-- typed, known or not), shared by every instance: after a few failures the
-- key waits, longer each time.
CREATE TABLE portal_guard (
	key          TEXT NOT NULL PRIMARY KEY,
	failures     INTEGER NOT NULL,
	locked_until TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);

-- portal_challenges are the open captcha questions: the hash of the
-- answer, until it is used once or expires.
CREATE TABLE portal_challenges (
	id          TEXT NOT NULL PRIMARY KEY,
	answer_hash TEXT NOT NULL,
	expires_at  TEXT NOT NULL
);
