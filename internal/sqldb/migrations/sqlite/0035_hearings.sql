-- The expert pool (专家库), the observers' register (两代表一委员、行业协会、
-- 媒体) and hearings (听证) with their officers and observers. A person of
-- the registers may have an account (user_id) or none.
CREATE TABLE experts (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	field      TEXT NOT NULL,
	title      TEXT NOT NULL DEFAULT '',
	employer   TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	available  INTEGER NOT NULL DEFAULT 1,
	user_id    INTEGER REFERENCES users(id),
	note       TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX experts_field ON experts(field, name);
CREATE INDEX experts_user ON experts(user_id) WHERE user_id IS NOT NULL;

CREATE TABLE observers (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	kind        TEXT NOT NULL,
	affiliation TEXT NOT NULL DEFAULT '',
	phone       TEXT NOT NULL DEFAULT '',
	available   INTEGER NOT NULL DEFAULT 1,
	user_id     INTEGER REFERENCES users(id),
	note        TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX observers_kind ON observers(kind, name);
CREATE INDEX observers_user ON observers(user_id) WHERE user_id IS NOT NULL;

CREATE TABLE hearing_counters (
	year INTEGER PRIMARY KEY,
	next INTEGER NOT NULL
);

CREATE TABLE hearings (
	id                  INTEGER PRIMARY KEY,
	number              TEXT NOT NULL UNIQUE,
	petition_id         INTEGER REFERENCES petitions(id),
	case_id             INTEGER REFERENCES cases(id),
	unit_id             INTEGER NOT NULL REFERENCES units(id),
	unit_path           TEXT NOT NULL,
	subject             TEXT NOT NULL,
	place               TEXT NOT NULL,
	scheduled_on        TEXT NOT NULL,
	notice_on           TEXT NOT NULL,
	public              INTEGER NOT NULL,
	closed_reason       TEXT NOT NULL DEFAULT '',
	chair_user_id       INTEGER NOT NULL REFERENCES users(id),
	chair_name          TEXT NOT NULL,
	parties             TEXT NOT NULL,
	state               TEXT NOT NULL CHECK (state IN ('scheduled','held','concluded','cancelled')),
	started_on          TEXT NOT NULL DEFAULT '',
	ended_on            TEXT NOT NULL DEFAULT '',
	record              TEXT NOT NULL DEFAULT '',
	conclusion          TEXT NOT NULL DEFAULT '',
	petitioner_attended INTEGER NOT NULL DEFAULT 0,
	cancel_reason       TEXT NOT NULL DEFAULT '',
	pauses_clock        INTEGER NOT NULL DEFAULT 0,
	version             INTEGER NOT NULL DEFAULT 1,
	created_by          INTEGER NOT NULL REFERENCES users(id),
	created_by_name     TEXT NOT NULL,
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL
);
CREATE INDEX hearings_scheduled ON hearings(scheduled_on, id);
CREATE INDEX hearings_petition ON hearings(petition_id) WHERE petition_id IS NOT NULL;
CREATE INDEX hearings_case ON hearings(case_id) WHERE case_id IS NOT NULL;
CREATE INDEX hearings_unit_path ON hearings(unit_path);
CREATE INDEX hearings_chair ON hearings(chair_user_id);

CREATE TABLE hearing_participants (
	id          INTEGER PRIMARY KEY,
	hearing_id  INTEGER NOT NULL REFERENCES hearings(id) ON DELETE CASCADE,
	role        TEXT NOT NULL CHECK (role IN ('officer','observer')),
	kind        TEXT NOT NULL CHECK (kind IN ('expert','lawyer','observer')),
	expert_id   INTEGER REFERENCES experts(id),
	observer_id INTEGER REFERENCES observers(id),
	user_id     INTEGER REFERENCES users(id),
	name        TEXT NOT NULL,
	affiliation TEXT NOT NULL DEFAULT '',
	attendance  TEXT NOT NULL DEFAULT '',
	remarks     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hearing_participants_hearing ON hearing_participants(hearing_id);
CREATE INDEX hearing_participants_expert ON hearing_participants(expert_id) WHERE expert_id IS NOT NULL;
CREATE INDEX hearing_participants_observer ON hearing_participants(observer_id) WHERE observer_id IS NOT NULL;
CREATE INDEX hearing_participants_user ON hearing_participants(user_id) WHERE user_id IS NOT NULL;
