-- Lawyers on duty (律师值班接访): the weekly rota of each reception point
-- (one lawyer a week), the changes of a week's lawyer (调班), and the
-- lawyers' reception records.
CREATE TABLE lawyer_rota (
	id          INTEGER PRIMARY KEY,
	point_id    INTEGER NOT NULL REFERENCES units(id),
	point_path  TEXT NOT NULL,
	week_start  TEXT NOT NULL,
	lawyer_id   INTEGER NOT NULL REFERENCES users(id),
	lawyer_name TEXT NOT NULL,
	version     INTEGER NOT NULL DEFAULT 1,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	UNIQUE (point_id, week_start)
);
CREATE INDEX lawyer_rota_lawyer ON lawyer_rota(lawyer_id, week_start);
CREATE INDEX lawyer_rota_week ON lawyer_rota(week_start);

CREATE TABLE lawyer_rota_changes (
	id              INTEGER PRIMARY KEY,
	rota_id         INTEGER NOT NULL REFERENCES lawyer_rota(id),
	from_lawyer_id  INTEGER NOT NULL REFERENCES users(id),
	from_name       TEXT NOT NULL,
	to_lawyer_id    INTEGER NOT NULL REFERENCES users(id),
	to_name         TEXT NOT NULL,
	reason          TEXT NOT NULL,
	changed_by      INTEGER NOT NULL REFERENCES users(id),
	changed_by_name TEXT NOT NULL,
	changed_at      TEXT NOT NULL
);
CREATE INDEX lawyer_rota_changes_rota ON lawyer_rota_changes(rota_id, id);

CREATE TABLE lawyer_receptions (
	id          INTEGER PRIMARY KEY,
	lawyer_id   INTEGER NOT NULL REFERENCES users(id),
	lawyer_name TEXT NOT NULL,
	point_id    INTEGER NOT NULL REFERENCES units(id),
	point_path  TEXT NOT NULL,
	received_on TEXT NOT NULL,
	visitors    TEXT NOT NULL,
	matter      TEXT NOT NULL,
	advice      TEXT NOT NULL,
	diverted    INTEGER NOT NULL DEFAULT 0,
	route       TEXT NOT NULL DEFAULT '',
	petition_id INTEGER REFERENCES petitions(id),
	opinion_id  INTEGER REFERENCES legal_opinions(id),
	version     INTEGER NOT NULL DEFAULT 1,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX lawyer_receptions_lawyer ON lawyer_receptions(lawyer_id, received_on);
CREATE INDEX lawyer_receptions_point ON lawyer_receptions(point_path, received_on);
