-- Messages to petitioners (短信、电子邮件). A message is written to the
-- outbox in the same transaction as the event it tells of, and a worker
-- that runs on one instance at a time (the lease "outbox") sends it,
-- retrying with backoff; the key goes with it to the gateway, which
-- drops a repeat, so that a crash between sending and marking it sent
-- does not tell the petitioner twice. The recipient and the text are
-- sealed (the text of the first message holds the 查询码); summary is the
-- text without it, for the item's timeline.
CREATE TABLE outbox (
	id          BIGSERIAL PRIMARY KEY,
	petition_id BIGINT NOT NULL REFERENCES petitions(id),
	kind        TEXT NOT NULL,
	channel     TEXT NOT NULL,
	recipient   TEXT NOT NULL,
	hint        TEXT NOT NULL,
	body        TEXT NOT NULL,
	summary     TEXT NOT NULL,
	idem_key    TEXT NOT NULL UNIQUE,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_at     TEXT NOT NULL,
	sent_at     TEXT NOT NULL DEFAULT '',
	last_error  TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_at);
CREATE INDEX outbox_petition ON outbox(petition_id, id);

-- The texts of the messages, by kind, as the administrator edited them;
-- a kind without a row uses the built-in text.
CREATE TABLE message_templates (
	kind       TEXT NOT NULL PRIMARY KEY,
	body       TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Petitioners who asked for no more messages, by the blind index of
-- their phone number.
CREATE TABLE message_optouts (
	phone_index TEXT NOT NULL PRIMARY KEY,
	created_at  TEXT NOT NULL
);

-- The e-mail address a petitioner gave on the portal, sealed.
ALTER TABLE portal_intake ADD COLUMN email TEXT NOT NULL DEFAULT '';
