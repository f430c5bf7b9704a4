-- Leaders' receptions (领导接访、下访、约访): the schedule of reception
-- days, their record, the lawyers and observers invited, and each matter
-- received with the petition it became (channel 领导接访) or joined.

-- The new channel. SQLite cannot alter a CHECK constraint, and rebuilding
-- the petitions table (with the foreign keys of every register into it)
-- would copy the largest table; the constraint's text is rewritten in the
-- schema instead, the documented way for a change that only widens what
-- the table accepts, and the schema reloaded (RESET). The tables created
-- below change the schema cookie, so other connections reload it too.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, '''handed_down'',''screening'')', '''handed_down'',''screening'',''leader_reception'')')
	WHERE type = 'table' AND name = 'petitions';
PRAGMA writable_schema = RESET;

CREATE TABLE receptions (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('visit','down','appointment')),
	leader_id       INTEGER NOT NULL REFERENCES users(id),
	held_on         TEXT NOT NULL,
	place           TEXT NOT NULL,
	place_unit_id   INTEGER REFERENCES units(id),
	place_path      TEXT NOT NULL DEFAULT '',
	topic           TEXT NOT NULL DEFAULT '',
	unit_id         INTEGER NOT NULL REFERENCES units(id),
	unit_path       TEXT NOT NULL,
	state           TEXT NOT NULL CHECK (state IN ('scheduled','held','cancelled')),
	summary         TEXT NOT NULL DEFAULT '',
	cancel_reason   TEXT NOT NULL DEFAULT '',
	version         INTEGER NOT NULL DEFAULT 1,
	created_by      INTEGER NOT NULL REFERENCES users(id),
	created_by_name TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);
CREATE INDEX receptions_on ON receptions(held_on, id);
CREATE INDEX receptions_unit_path ON receptions(unit_path);
CREATE INDEX receptions_place_path ON receptions(place_path) WHERE place_path <> '';
CREATE INDEX receptions_leader ON receptions(leader_id, held_on);

CREATE TABLE reception_participants (
	id           INTEGER PRIMARY KEY,
	reception_id INTEGER NOT NULL REFERENCES receptions(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL CHECK (kind IN ('lawyer','observer')),
	observer_id  INTEGER REFERENCES observers(id),
	user_id      INTEGER REFERENCES users(id),
	name         TEXT NOT NULL,
	affiliation  TEXT NOT NULL DEFAULT '',
	attendance   TEXT NOT NULL DEFAULT '',
	remarks      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reception_participants_reception ON reception_participants(reception_id);
CREATE INDEX reception_participants_user ON reception_participants(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX reception_participants_observer ON reception_participants(observer_id) WHERE observer_id IS NOT NULL;

CREATE TABLE reception_matters (
	id              INTEGER PRIMARY KEY,
	reception_id    INTEGER NOT NULL REFERENCES receptions(id) ON DELETE CASCADE,
	petitioners     TEXT NOT NULL,
	raised          TEXT NOT NULL,
	instruction     TEXT NOT NULL,
	petition_id     INTEGER NOT NULL REFERENCES petitions(id),
	registered      INTEGER NOT NULL DEFAULT 0,
	created_by      INTEGER NOT NULL REFERENCES users(id),
	created_by_name TEXT NOT NULL,
	created_at      TEXT NOT NULL
);
CREATE INDEX reception_matters_reception ON reception_matters(reception_id, id);
CREATE INDEX reception_matters_petition ON reception_matters(petition_id);
