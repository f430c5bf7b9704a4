-- Judicial aid (司法救助): application, review, decision within the cap,
-- payment. The decision's clock is computed from applied_on.
CREATE TABLE judicial_aid_counters (
	year INTEGER PRIMARY KEY,
	next INTEGER NOT NULL
);

CREATE TABLE judicial_aid (
	id               INTEGER PRIMARY KEY,
	number           TEXT NOT NULL UNIQUE,
	petition_id      INTEGER NOT NULL REFERENCES petitions(id),
	unit_id          INTEGER NOT NULL REFERENCES units(id),
	unit_path        TEXT NOT NULL,
	applicant        TEXT NOT NULL,
	by_petitioner    INTEGER NOT NULL,
	grounds          TEXT NOT NULL,
	documents        TEXT NOT NULL DEFAULT '',
	applied_on       TEXT NOT NULL,
	requested        INTEGER NOT NULL DEFAULT 0,
	state            TEXT NOT NULL CHECK (state IN ('applied','reviewed','granted','refused','paid')),
	review_opinion   TEXT NOT NULL DEFAULT '',
	reviewed_by_name TEXT NOT NULL DEFAULT '',
	decided_on       TEXT NOT NULL DEFAULT '',
	amount           INTEGER NOT NULL DEFAULT 0,
	refusal_reason   TEXT NOT NULL DEFAULT '',
	decided_by_name  TEXT NOT NULL DEFAULT '',
	paid_on          TEXT NOT NULL DEFAULT '',
	payment_ref      TEXT NOT NULL DEFAULT '',
	version          INTEGER NOT NULL DEFAULT 1,
	created_by       INTEGER NOT NULL REFERENCES users(id),
	created_by_name  TEXT NOT NULL,
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
);
CREATE INDEX judicial_aid_unit_path ON judicial_aid(unit_path);
CREATE INDEX judicial_aid_petition ON judicial_aid(petition_id);
CREATE INDEX judicial_aid_state ON judicial_aid(state, applied_on);
