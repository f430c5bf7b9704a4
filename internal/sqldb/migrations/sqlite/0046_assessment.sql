-- Annual assessment (年度考核): the weights and thresholds of each year as
-- data (rules, JSON of xinfang.AssessmentRules; a year without a row uses
-- kpi.md's defaults), the assessor's bonus and penalty entries, the 责任书
-- targets linked to indicators, and the frozen scores of a closed year.
CREATE TABLE assessment_years (
	year        INTEGER PRIMARY KEY,
	rules       TEXT NOT NULL,
	frozen      INTEGER NOT NULL DEFAULT 0,
	frozen_at   TEXT NOT NULL DEFAULT '',
	frozen_by   TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 1,
	updated_at  TEXT NOT NULL
);

CREATE TABLE assessment_entries (
	id              INTEGER PRIMARY KEY,
	year            INTEGER NOT NULL,
	unit_id         INTEGER NOT NULL REFERENCES units(id),
	kind            TEXT NOT NULL CHECK (kind IN ('letter','escalation','accountability','talk','other')),
	points          REAL NOT NULL,
	reason          TEXT NOT NULL,
	created_by      INTEGER NOT NULL REFERENCES users(id),
	created_by_name TEXT NOT NULL,
	created_at      TEXT NOT NULL
);
CREATE INDEX assessment_entries_year ON assessment_entries(year, unit_id);

CREATE TABLE letter_targets (
	letter_id INTEGER NOT NULL REFERENCES responsibility_letters(id),
	indicator TEXT NOT NULL,
	min_rate  REAL NOT NULL,
	points    REAL NOT NULL,
	PRIMARY KEY (letter_id, indicator)
);

-- The scores of a frozen year as computed when it was closed (detail:
-- JSON of xinfang.UnitScore).
CREATE TABLE assessment_results (
	year    INTEGER NOT NULL,
	unit_id INTEGER NOT NULL REFERENCES units(id),
	score   REAL NOT NULL,
	detail  TEXT NOT NULL,
	PRIMARY KEY (year, unit_id)
);
