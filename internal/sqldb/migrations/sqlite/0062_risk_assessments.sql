-- Risk assessments of major decisions (重大决策社会稳定风险评估, 稳评), and
-- the petitions later linked to a decision.
CREATE TABLE risk_assessment_counters (
	year INTEGER PRIMARY KEY,
	next INTEGER NOT NULL
);

CREATE TABLE risk_assessments (
	id          INTEGER PRIMARY KEY,
	number      TEXT NOT NULL UNIQUE,
	decision    TEXT NOT NULL,
	body        TEXT NOT NULL,
	unit_id     INTEGER NOT NULL REFERENCES units(id),
	unit_path   TEXT NOT NULL,
	risks       TEXT NOT NULL,
	measures    TEXT NOT NULL DEFAULT '',
	level       TEXT NOT NULL CHECK (level IN ('low','medium','high')),
	conclusion  TEXT NOT NULL CHECK (conclusion IN ('proceed','with_measures','postpone','reject')),
	reviewers   TEXT NOT NULL,
	assessed_on TEXT NOT NULL,
	decided_on  TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 1,
	created_by  INTEGER NOT NULL REFERENCES users(id),
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX risk_assessments_path ON risk_assessments(unit_path, assessed_on);

CREATE TABLE risk_assessment_petitions (
	assessment_id  INTEGER NOT NULL REFERENCES risk_assessments(id) ON DELETE CASCADE,
	petition_id    INTEGER NOT NULL REFERENCES petitions(id),
	linked_by      INTEGER NOT NULL REFERENCES users(id),
	linked_by_name TEXT NOT NULL,
	linked_at      TEXT NOT NULL,
	PRIMARY KEY (assessment_id, petition_id)
);
CREATE INDEX risk_assessment_petitions_petition ON risk_assessment_petitions(petition_id);
