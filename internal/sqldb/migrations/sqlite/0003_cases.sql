-- Backlog cases (信访积案) under 五包一, 三跨三分离 tasks and leaders' instructions (批示).
CREATE TABLE cases (
	id                  INTEGER PRIMARY KEY,
	number              TEXT NOT NULL UNIQUE,
	version             INTEGER NOT NULL DEFAULT 1,
	title               TEXT NOT NULL,
	source              TEXT NOT NULL CHECK (source IN ('central','province','city','self','repeat')),
	summary             TEXT NOT NULL DEFAULT '',
	petitioners         TEXT NOT NULL DEFAULT '',
	responsible_unit_id INTEGER NOT NULL REFERENCES units(id),
	responsible_path    TEXT NOT NULL,
	leader_id           INTEGER REFERENCES users(id),
	stability_plan      TEXT NOT NULL DEFAULT '',
	deadline            TEXT NOT NULL DEFAULT '',
	tags                TEXT NOT NULL DEFAULT '',
	state               TEXT NOT NULL CHECK (state IN ('unresolved','resolving','resolved','closed')),
	facts               TEXT NOT NULL DEFAULT '',
	solution            TEXT NOT NULL DEFAULT '' CHECK (solution IN ('','solved','terminated')),
	solution_text       TEXT NOT NULL DEFAULT '',
	petitioner_position TEXT NOT NULL DEFAULT '',
	followup_date       TEXT NOT NULL DEFAULT '',
	followup_by         TEXT NOT NULL DEFAULT '',
	followup_how        TEXT NOT NULL DEFAULT '',
	followup_mood       TEXT NOT NULL DEFAULT '',
	followup_settled    INTEGER NOT NULL DEFAULT 0,
	signed_by           INTEGER REFERENCES users(id),
	signed_at           TEXT NOT NULL DEFAULT '',
	sign_note           TEXT NOT NULL DEFAULT '',
	created_by          INTEGER NOT NULL REFERENCES users(id),
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL
);
CREATE INDEX cases_path ON cases(responsible_path);
CREATE INDEX cases_leader ON cases(leader_id);
CREATE INDEX cases_state ON cases(state, deadline);

CREATE TABLE case_petitions (
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	petition_id INTEGER NOT NULL REFERENCES petitions(id),
	PRIMARY KEY (case_id, petition_id)
);
CREATE INDEX case_petitions_p ON case_petitions(petition_id);

CREATE TABLE case_members (
	id      INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	user_id INTEGER REFERENCES users(id),
	name    TEXT NOT NULL,
	role    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_members_case ON case_members(case_id);
CREATE INDEX case_members_user ON case_members(user_id);

CREATE TABLE case_steps (
	id        INTEGER PRIMARY KEY,
	case_id   INTEGER NOT NULL REFERENCES cases(id),
	content   TEXT NOT NULL,
	owner_id  INTEGER REFERENCES users(id),
	owner     TEXT NOT NULL DEFAULT '',
	deadline  TEXT NOT NULL DEFAULT '',
	done_on   TEXT NOT NULL DEFAULT '',
	evidence  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_steps_case ON case_steps(case_id);
CREATE INDEX case_steps_owner ON case_steps(owner_id);

CREATE TABLE case_consultations (
	id        INTEGER PRIMARY KEY,
	case_id   INTEGER NOT NULL REFERENCES cases(id),
	held_on   TEXT NOT NULL,
	attendees TEXT NOT NULL DEFAULT '[]',
	findings  TEXT NOT NULL DEFAULT '',
	decisions TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_consultations_case ON case_consultations(case_id);

CREATE TABLE case_progress (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	reported_on TEXT NOT NULL,
	author_id   INTEGER NOT NULL REFERENCES users(id),
	author_name TEXT NOT NULL,
	text        TEXT NOT NULL
);
CREATE INDEX case_progress_case ON case_progress(case_id);

-- 三跨三分离: the parts of a petition or a case (属人、属事、单位).
CREATE TABLE tasks (
	id             INTEGER PRIMARY KEY,
	case_id        INTEGER REFERENCES cases(id),
	petition_id    INTEGER REFERENCES petitions(id),
	version        INTEGER NOT NULL DEFAULT 1,
	kind           TEXT NOT NULL CHECK (kind IN ('person','matter','unit')),
	title          TEXT NOT NULL,
	owner_unit_id  INTEGER REFERENCES units(id),
	owner_user_id  INTEGER REFERENCES users(id),
	deadline       TEXT NOT NULL DEFAULT '',
	state          TEXT NOT NULL CHECK (state IN ('open','done','released')),
	release_reason TEXT NOT NULL DEFAULT '',
	done_note      TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	CHECK ((case_id IS NULL) <> (petition_id IS NULL))
);
CREATE INDEX tasks_case ON tasks(case_id);
CREATE INDEX tasks_petition ON tasks(petition_id, state);
CREATE INDEX tasks_owner ON tasks(owner_user_id);

-- 批示 of a leader on a case or a petition.
CREATE TABLE instructions (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER REFERENCES cases(id),
	petition_id INTEGER REFERENCES petitions(id),
	author_id   INTEGER NOT NULL REFERENCES users(id),
	author_name TEXT NOT NULL,
	text        TEXT NOT NULL,
	at          TEXT NOT NULL,
	to_users    TEXT NOT NULL DEFAULT '',
	to_units    TEXT NOT NULL DEFAULT '',
	CHECK ((case_id IS NULL) <> (petition_id IS NULL))
);
CREATE INDEX instructions_case ON instructions(case_id);
CREATE INDEX instructions_petition ON instructions(petition_id);

-- The history of a case: append-only.
CREATE TABLE case_events (
	id         INTEGER PRIMARY KEY,
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	actor_id   INTEGER NOT NULL REFERENCES users(id),
	actor_name TEXT NOT NULL,
	at         TEXT NOT NULL,
	what       TEXT NOT NULL,
	data       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events(case_id, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
