-- 督办单 (supervision orders), their 催办 reminders, the inbox (站内消息)
-- and the scheduler's lease.

-- Numbers DB-YYYY-NNNN are city-wide and gap-free per year; a counter of
-- their own keeps them apart from the petition numbers in counters.
CREATE TABLE supervision_counters (
	year INTEGER PRIMARY KEY,
	next INTEGER NOT NULL
);

-- case_id refers to cases(id) without a foreign key, so that supervision
-- does not depend on the order in which the case register is installed;
-- storage checks it exists when a 督办单 is issued.
CREATE TABLE supervisions (
	id             INTEGER PRIMARY KEY,
	number         TEXT NOT NULL UNIQUE,
	issuer_id      INTEGER NOT NULL REFERENCES users(id),
	issuer_name    TEXT NOT NULL,
	issuer_unit_id INTEGER NOT NULL REFERENCES units(id),
	issuer_path    TEXT NOT NULL,
	target_unit_id INTEGER NOT NULL REFERENCES units(id),
	target_path    TEXT NOT NULL,
	petition_id    INTEGER REFERENCES petitions(id),
	case_id        INTEGER,
	requirements   TEXT NOT NULL,
	deadline       TEXT NOT NULL,
	listed         INTEGER NOT NULL DEFAULT 0,
	state          TEXT NOT NULL CHECK (state IN ('open','fed_back','closed')),
	feedback_at    TEXT NOT NULL DEFAULT '',
	feedback_by    INTEGER REFERENCES users(id),
	feedback_name  TEXT NOT NULL DEFAULT '',
	feedback_text  TEXT NOT NULL DEFAULT '',
	late           INTEGER NOT NULL DEFAULT 0,
	closed_at      TEXT NOT NULL DEFAULT '',
	closed_name    TEXT NOT NULL DEFAULT '',
	close_note     TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	CHECK ((petition_id IS NULL) <> (case_id IS NULL))
);
CREATE INDEX supervisions_target ON supervisions(target_path, state, deadline);
CREATE INDEX supervisions_issuer ON supervisions(issuer_path, state, deadline);
CREATE INDEX supervisions_open ON supervisions(state, deadline);
CREATE INDEX supervisions_petition ON supervisions(petition_id) WHERE petition_id IS NOT NULL;
CREATE INDEX supervisions_case ON supervisions(case_id) WHERE case_id IS NOT NULL;

CREATE TABLE supervision_reminders (
	id             INTEGER PRIMARY KEY,
	supervision_id INTEGER NOT NULL REFERENCES supervisions(id),
	at             TEXT NOT NULL,
	by_id          INTEGER NOT NULL REFERENCES users(id),
	by_name        TEXT NOT NULL,
	text           TEXT NOT NULL
);
CREATE INDEX supervision_reminders_s ON supervision_reminders(supervision_id, at);

-- dedupe_key makes every message idempotent: the scheduler writes with
-- ON CONFLICT DO NOTHING, so a restart or a second instance sends nothing twice.
CREATE TABLE notifications (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	kind       TEXT NOT NULL,
	subject    TEXT NOT NULL,
	body       TEXT NOT NULL DEFAULT '',
	link       TEXT NOT NULL DEFAULT '',
	item_kind  TEXT NOT NULL DEFAULT '',
	item_id    INTEGER NOT NULL DEFAULT 0,
	level      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	read_at    TEXT NOT NULL DEFAULT '',
	dedupe_key TEXT NOT NULL UNIQUE
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, created_at);

-- A lease names the one instance that runs a periodic job until expires_at.
CREATE TABLE leases (
	name       TEXT PRIMARY KEY,
	holder     TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
