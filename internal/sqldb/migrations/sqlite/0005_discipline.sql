-- Discipline (纪委监委): raised investigations with 一案双查, accountability
-- records (问责), responsibility letters (责任书), and the indexes the watch
-- list needs on petitions. Backlog cases are referenced by id without a
-- foreign key: they belong to their own feature's tables.

CREATE TABLE investigations (
	id                INTEGER PRIMARY KEY,
	version           INTEGER NOT NULL DEFAULT 1,
	petition_id       INTEGER REFERENCES petitions(id),
	case_id           INTEGER,
	unit_id           INTEGER NOT NULL REFERENCES units(id),
	cause             TEXT NOT NULL CHECK (cause IN ('unclear','inadequate','unrectified')),
	summary           TEXT NOT NULL,
	escalation        TEXT NOT NULL DEFAULT '',
	state             TEXT NOT NULL CHECK (state IN ('open','closed')),
	case_findings     TEXT NOT NULL DEFAULT '',
	case_measures     TEXT NOT NULL DEFAULT '',
	case_outcome      TEXT NOT NULL DEFAULT '',
	case_concluded_at TEXT NOT NULL DEFAULT '',
	resp_findings     TEXT NOT NULL DEFAULT '',
	resp_outcome      TEXT NOT NULL DEFAULT '',
	resp_concluded_at TEXT NOT NULL DEFAULT '',
	opened_by         INTEGER NOT NULL REFERENCES users(id),
	opened_by_name    TEXT NOT NULL,
	opened_at         TEXT NOT NULL,
	closed_at         TEXT NOT NULL DEFAULT '',
	closing_note      TEXT NOT NULL DEFAULT '',
	updated_at        TEXT NOT NULL,
	CHECK (petition_id IS NOT NULL OR case_id IS NOT NULL)
);
CREATE INDEX investigations_petition ON investigations(petition_id) WHERE petition_id IS NOT NULL;
CREATE INDEX investigations_case ON investigations(case_id) WHERE case_id IS NOT NULL;
CREATE INDEX investigations_state ON investigations(state, opened_at);
-- One running investigation per escalated item.
CREATE UNIQUE INDEX investigations_open_petition ON investigations(petition_id) WHERE state = 'open' AND petition_id IS NOT NULL;

CREATE TABLE investigation_officials (
	investigation_id INTEGER NOT NULL REFERENCES investigations(id) ON DELETE CASCADE,
	seq              INTEGER NOT NULL,
	name             TEXT NOT NULL,
	unit_id          INTEGER NOT NULL REFERENCES units(id),
	position         TEXT NOT NULL,
	PRIMARY KEY (investigation_id, seq)
);

CREATE TABLE accountabilities (
	id                INTEGER PRIMARY KEY,
	target            TEXT NOT NULL CHECK (target IN ('unit','official')),
	unit_id           INTEGER NOT NULL REFERENCES units(id),
	official_name     TEXT NOT NULL DEFAULT '',
	official_position TEXT NOT NULL DEFAULT '',
	measure           TEXT NOT NULL CHECK (measure IN ('talk','notice','listed','rectify','accountability')),
	decided_on        TEXT NOT NULL,
	decided_by        TEXT NOT NULL,
	ground            TEXT NOT NULL DEFAULT '',
	note              TEXT NOT NULL DEFAULT '',
	investigation_id  INTEGER REFERENCES investigations(id),
	created_by        INTEGER NOT NULL REFERENCES users(id),
	created_by_name   TEXT NOT NULL,
	created_at        TEXT NOT NULL
);
CREATE INDEX accountabilities_unit ON accountabilities(unit_id, decided_on);
CREATE INDEX accountabilities_decided ON accountabilities(decided_on);
CREATE INDEX accountabilities_investigation ON accountabilities(investigation_id) WHERE investigation_id IS NOT NULL;

CREATE TABLE accountability_petitions (
	accountability_id INTEGER NOT NULL REFERENCES accountabilities(id) ON DELETE CASCADE,
	petition_id       INTEGER NOT NULL REFERENCES petitions(id),
	PRIMARY KEY (accountability_id, petition_id)
);
CREATE INDEX accountability_petitions_p ON accountability_petitions(petition_id);

CREATE TABLE accountability_cases (
	accountability_id INTEGER NOT NULL REFERENCES accountabilities(id) ON DELETE CASCADE,
	case_id           INTEGER NOT NULL,
	PRIMARY KEY (accountability_id, case_id)
);
CREATE INDEX accountability_cases_c ON accountability_cases(case_id);

CREATE TABLE responsibility_letters (
	id              INTEGER PRIMARY KEY,
	unit_id         INTEGER NOT NULL REFERENCES units(id),
	year            INTEGER NOT NULL,
	signed_on       TEXT NOT NULL,
	targets         TEXT NOT NULL, -- JSON array of target lines
	note            TEXT NOT NULL DEFAULT '',
	created_by      INTEGER NOT NULL REFERENCES users(id),
	created_by_name TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	UNIQUE (unit_id, year)
);
CREATE INDEX responsibility_letters_year ON responsibility_letters(year);

-- The watch list walks repeat chains downwards from their originals, lists
-- escalated and handed-down items, and groups a petitioner's items by
-- 问题属地 and 内容分类; without these it reads every petition. The chain
-- index holds every column the walk, its grouping and the data scope read,
-- so that the walk reads no petition row.
CREATE INDEX IF NOT EXISTS petitions_repeat_of ON petitions(repeat_of_id) WHERE repeat_of_id IS NOT NULL;
CREATE INDEX petitions_repeat_chain ON petitions(repeat_of_id, id, petitioner_id, received_at, channel, locality_id, category, purpose, reg_user_id, reg_path, handling_path, repeat_flag)
	WHERE repeat_of_id IS NOT NULL;
CREATE INDEX petitions_repeated_ids ON petitions(id) WHERE repeat_of_id IS NOT NULL;
CREATE INDEX petitions_escalated ON petitions(received_at) WHERE escalation IN ('province','beijing');
CREATE INDEX petitions_handed_down ON petitions(received_at, id, channel, repeat_flag, purpose, reg_user_id, reg_path, handling_path) WHERE channel = 'handed_down';
CREATE INDEX petitions_matter ON petitions(petitioner_id, locality_id, category, received_at);
