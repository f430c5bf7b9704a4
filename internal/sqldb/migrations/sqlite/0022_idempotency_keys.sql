-- Registrations made under an idempotency key (the API's Idempotency-Key
-- header, the registration form's hidden key): the same key from the same
-- user within a day gives back the item the first request registered,
-- instead of a second one. request_hash tells a repeat of the same
-- request from another request under a reused key; query_code is the
-- 查询码, sealed with the keys file, so that a repeat answers it too, and
-- is deleted with the row after a day.
CREATE TABLE idempotency_keys (
	user_id      INTEGER NOT NULL REFERENCES users(id),
	key          TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	petition_id  INTEGER NOT NULL REFERENCES petitions(id),
	query_code   TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
