-- Conflict screening (矛盾纠纷排查) through the city–town–village network:
-- rounds with the units expected to report and their nil returns (零报告),
-- and the reports, each settled on the spot at a level, or linked to the
-- petition or backlog case it became.
CREATE TABLE screening_rounds (
	id         INTEGER PRIMARY KEY,
	unit_id    INTEGER NOT NULL REFERENCES units(id),
	unit_path  TEXT NOT NULL,
	period     TEXT NOT NULL,
	due_on     TEXT NOT NULL,
	note       TEXT NOT NULL DEFAULT '',
	version    INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL REFERENCES users(id),
	created_at TEXT NOT NULL,
	UNIQUE (unit_id, period)
);
CREATE INDEX screening_rounds_path ON screening_rounds(unit_path, period);

CREATE TABLE screening_round_units (
	round_id      INTEGER NOT NULL REFERENCES screening_rounds(id) ON DELETE CASCADE,
	unit_id       INTEGER NOT NULL REFERENCES units(id),
	unit_path     TEXT NOT NULL,
	nil_return_on TEXT NOT NULL DEFAULT '',
	nil_return_by INTEGER REFERENCES users(id),
	PRIMARY KEY (round_id, unit_id)
);
CREATE INDEX screening_round_units_unit ON screening_round_units(unit_id);

CREATE TABLE screening_counters (
	year INTEGER PRIMARY KEY,
	next INTEGER NOT NULL
);

CREATE TABLE screening_reports (
	id              INTEGER PRIMARY KEY,
	number          TEXT NOT NULL UNIQUE,
	round_id        INTEGER REFERENCES screening_rounds(id),
	unit_id         INTEGER NOT NULL REFERENCES units(id),
	unit_path       TEXT NOT NULL,
	level           TEXT NOT NULL CHECK (level IN ('village','town','city')),
	source          TEXT NOT NULL,
	found_on        TEXT NOT NULL,
	summary         TEXT NOT NULL,
	parties         TEXT NOT NULL,
	place           TEXT NOT NULL,
	category        TEXT NOT NULL,
	risk_level      TEXT NOT NULL,
	owner           TEXT NOT NULL,
	due_on          TEXT NOT NULL,
	state           TEXT NOT NULL CHECK (state IN ('open','settled','petition','case')),
	settled_level   TEXT NOT NULL DEFAULT '',
	settled_on      TEXT NOT NULL DEFAULT '',
	settle_note     TEXT NOT NULL DEFAULT '',
	petition_id     INTEGER UNIQUE REFERENCES petitions(id),
	case_id         INTEGER UNIQUE REFERENCES cases(id),
	version         INTEGER NOT NULL DEFAULT 1,
	created_by      INTEGER NOT NULL REFERENCES users(id),
	created_by_name TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);
CREATE INDEX screening_reports_path ON screening_reports(unit_path, found_on);
CREATE INDEX screening_reports_round ON screening_reports(round_id, unit_id) WHERE round_id IS NOT NULL;
CREATE INDEX screening_reports_open ON screening_reports(due_on) WHERE state = 'open';
