-- Mediators (调解员) by village or town, and mediations (调解) with their
-- mediators and sessions; an agreement's fulfilment day warns when it
-- passes unfulfilled.
CREATE TABLE mediators (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	unit_id    INTEGER NOT NULL REFERENCES units(id),
	phone      TEXT NOT NULL DEFAULT '',
	user_id    INTEGER REFERENCES users(id),
	available  INTEGER NOT NULL DEFAULT 1,
	note       TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX mediators_unit ON mediators(unit_id, name);
CREATE INDEX mediators_user ON mediators(user_id) WHERE user_id IS NOT NULL;

CREATE TABLE mediation_counters (
	year INTEGER PRIMARY KEY,
	next INTEGER NOT NULL
);

CREATE TABLE mediations (
	id              INTEGER PRIMARY KEY,
	number          TEXT NOT NULL UNIQUE,
	petition_id     INTEGER REFERENCES petitions(id),
	case_id         INTEGER REFERENCES cases(id),
	unit_id         INTEGER NOT NULL REFERENCES units(id),
	unit_path       TEXT NOT NULL,
	dispute         TEXT NOT NULL,
	parties         TEXT NOT NULL,
	started_on      TEXT NOT NULL,
	state           TEXT NOT NULL CHECK (state IN ('open','agreed','failed')),
	agreement       TEXT NOT NULL DEFAULT '',
	agreed_on       TEXT NOT NULL DEFAULT '',
	fulfil_by       TEXT NOT NULL DEFAULT '',
	fulfilled_on    TEXT NOT NULL DEFAULT '',
	fail_reason     TEXT NOT NULL DEFAULT '',
	concluded       INTEGER NOT NULL DEFAULT 0,
	version         INTEGER NOT NULL DEFAULT 1,
	created_by      INTEGER NOT NULL REFERENCES users(id),
	created_by_name TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);
CREATE INDEX mediations_unit_path ON mediations(unit_path);
CREATE INDEX mediations_petition ON mediations(petition_id) WHERE petition_id IS NOT NULL;
CREATE INDEX mediations_case ON mediations(case_id) WHERE case_id IS NOT NULL;
CREATE INDEX mediations_fulfil ON mediations(fulfil_by) WHERE state = 'agreed' AND fulfilled_on = '';

CREATE TABLE mediation_mediators (
	mediation_id INTEGER NOT NULL REFERENCES mediations(id) ON DELETE CASCADE,
	mediator_id  INTEGER NOT NULL REFERENCES mediators(id),
	user_id      INTEGER REFERENCES users(id),
	PRIMARY KEY (mediation_id, mediator_id)
);
CREATE INDEX mediation_mediators_mediator ON mediation_mediators(mediator_id);
CREATE INDEX mediation_mediators_user ON mediation_mediators(user_id) WHERE user_id IS NOT NULL;

CREATE TABLE mediation_sessions (
	id           INTEGER PRIMARY KEY,
	mediation_id INTEGER NOT NULL REFERENCES mediations(id) ON DELETE CASCADE,
	held_on      TEXT NOT NULL,
	place        TEXT NOT NULL DEFAULT '',
	summary      TEXT NOT NULL
);
CREATE INDEX mediation_sessions_mediation ON mediation_sessions(mediation_id, held_on);
