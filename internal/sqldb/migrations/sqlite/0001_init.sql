CREATE TABLE units (
	id          INTEGER PRIMARY KEY,
	parent_id   INTEGER REFERENCES units(id),
	code        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('city','town','village','department','legal','bureau','discipline','joint','superior')),
	region_code TEXT NOT NULL DEFAULT '',
	path        TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
	id                   INTEGER PRIMARY KEY,
	username             TEXT NOT NULL UNIQUE,
	name                 TEXT NOT NULL,
	unit_id              INTEGER NOT NULL REFERENCES units(id),
	roles                TEXT NOT NULL,
	phone                TEXT NOT NULL DEFAULT '',
	password_hash        TEXT NOT NULL,
	must_change_password INTEGER NOT NULL DEFAULT 0,
	failed_logins        INTEGER NOT NULL DEFAULT 0,
	locked_until         TEXT NOT NULL DEFAULT '',
	disabled             INTEGER NOT NULL DEFAULT 0,
	created_at           TEXT NOT NULL
);

CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	seen_at    TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE petitioners (
	id            INTEGER PRIMARY KEY,
	org           INTEGER NOT NULL DEFAULT 0,
	name          TEXT NOT NULL,
	id_type       TEXT NOT NULL DEFAULT '',
	id_number     TEXT NOT NULL DEFAULT '',
	org_code      TEXT NOT NULL DEFAULT '',
	phone         TEXT NOT NULL DEFAULT '',
	gender        TEXT NOT NULL DEFAULT '',
	ethnicity     TEXT NOT NULL DEFAULT '',
	occupation    TEXT NOT NULL DEFAULT '',
	hukou_address TEXT NOT NULL DEFAULT '',
	residence     TEXT NOT NULL DEFAULT '',
	address       TEXT NOT NULL DEFAULT '',
	key_person    INTEGER NOT NULL DEFAULT 0,
	key_reason    TEXT NOT NULL DEFAULT '',
	foreign_flag  INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL
);
CREATE INDEX petitioners_id_number ON petitioners(id_number) WHERE id_number <> '';
CREATE INDEX petitioners_org_code ON petitioners(org_code) WHERE org_code <> '';
CREATE INDEX petitioners_phone ON petitioners(phone) WHERE phone <> '';

CREATE TABLE petitions (
	id               INTEGER PRIMARY KEY,
	number           TEXT NOT NULL UNIQUE,
	query_hash       TEXT NOT NULL UNIQUE,
	version          INTEGER NOT NULL DEFAULT 1,
	head_hash        TEXT NOT NULL DEFAULT '', -- hash of the newest event, so a deleted tail is found
	channel          TEXT NOT NULL CHECK (channel IN ('online','letter','call','fax','visit','handed_down','screening')),
	received_at      TEXT NOT NULL,
	reg_unit_id      INTEGER NOT NULL REFERENCES units(id),
	reg_user_id      INTEGER NOT NULL REFERENCES users(id),
	first_unit_id    INTEGER REFERENCES units(id),
	petitioner_id    INTEGER NOT NULL REFERENCES petitioners(id),
	person_count     INTEGER NOT NULL CHECK (person_count > 0),
	involved_count   INTEGER NOT NULL,
	grp              INTEGER NOT NULL DEFAULT 0,
	summary          TEXT NOT NULL,
	content          TEXT NOT NULL,
	request          TEXT NOT NULL DEFAULT '',
	category         TEXT NOT NULL,
	purpose          TEXT NOT NULL CHECK (purpose IN ('proposal','accusation','claim')),
	reason           TEXT NOT NULL DEFAULT '',
	locality_id      INTEGER NOT NULL REFERENCES units(id),
	accused          TEXT NOT NULL DEFAULT '',
	sys              TEXT NOT NULL DEFAULT '',
	legal_case       INTEGER NOT NULL DEFAULT 0,
	urgent           INTEGER NOT NULL DEFAULT 0,
	anonymous        INTEGER NOT NULL DEFAULT 0,
	threat           INTEGER NOT NULL DEFAULT 0,
	hot              INTEGER NOT NULL DEFAULT 0,
	public           INTEGER NOT NULL DEFAULT 0,
	cross_flags      TEXT NOT NULL DEFAULT '',
	escalation       TEXT NOT NULL DEFAULT '',
	repeat_flag      INTEGER NOT NULL DEFAULT 0,
	repeat_of_id     INTEGER REFERENCES petitions(id),
	risk_level       TEXT NOT NULL DEFAULT '',
	risk_reason      TEXT NOT NULL DEFAULT '',
	state            TEXT NOT NULL CHECK (state IN ('registered','pending_sign','signed','handling','replied','reviewing','reviewed','rereviewing','concluded','terminated','not_accepted','diverted','merged','withdrawn')),
	handling_unit_id INTEGER REFERENCES units(id),
	outcome          TEXT NOT NULL DEFAULT '',
	evaluation       TEXT NOT NULL DEFAULT '',
	due_date         TEXT NOT NULL DEFAULT '',
	severe_date      TEXT NOT NULL DEFAULT '',
	due_clock        TEXT NOT NULL DEFAULT '',
	reg_path         TEXT NOT NULL,
	handling_path    TEXT NOT NULL DEFAULT '',
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
);
CREATE INDEX petitions_reg_path ON petitions(reg_path, received_at);
CREATE INDEX petitions_handling_path ON petitions(handling_path, received_at);
CREATE INDEX petitions_received ON petitions(received_at);
CREATE INDEX petitions_due ON petitions(due_date) WHERE due_date <> '';
CREATE INDEX petitions_state ON petitions(state, received_at);
CREATE INDEX petitions_petitioner ON petitions(petitioner_id);
CREATE INDEX petitions_locality ON petitions(locality_id, category, received_at);

CREATE TABLE petition_petitioners (
	petition_id   INTEGER NOT NULL REFERENCES petitions(id),
	petitioner_id INTEGER NOT NULL REFERENCES petitioners(id),
	PRIMARY KEY (petition_id, petitioner_id)
);
CREATE INDEX petition_petitioners_p ON petition_petitioners(petitioner_id);

CREATE TABLE events (
	id            INTEGER PRIMARY KEY,
	petition_id   INTEGER NOT NULL REFERENCES petitions(id),
	seq           INTEGER NOT NULL,
	action        TEXT NOT NULL,
	from_state    TEXT NOT NULL,
	to_state      TEXT NOT NULL,
	actor_id      INTEGER NOT NULL REFERENCES users(id),
	actor_name    TEXT NOT NULL,
	actor_unit_id INTEGER NOT NULL REFERENCES units(id),
	at            TEXT NOT NULL,
	note          TEXT NOT NULL DEFAULT '',
	data          TEXT NOT NULL DEFAULT '{}',
	prev_hash     TEXT NOT NULL,
	hash          TEXT NOT NULL,
	UNIQUE (petition_id, seq)
);
-- Events are append-only.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE counters (
	unit_id INTEGER NOT NULL REFERENCES units(id),
	year    INTEGER NOT NULL,
	next    INTEGER NOT NULL,
	PRIMARY KEY (unit_id, year)
);

CREATE TABLE dictionary (
	kind   TEXT NOT NULL,
	code   TEXT NOT NULL,
	parent TEXT NOT NULL DEFAULT '',
	label  TEXT NOT NULL,
	sort   INTEGER NOT NULL DEFAULT 0,
	active INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (kind, code)
);

CREATE TABLE holidays (
	day  TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),
	name TEXT NOT NULL
);
