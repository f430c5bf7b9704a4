-- Campaigns (专项行动, e.g. 信访积案清零) over backlog cases: a period, a
-- 化解率 target and 销号 counts by dates; their cases, added by filter or
-- one by one and removed with a reason (kept, so that the list says why).
-- Progress is never stored: it is computed from the cases' events.
CREATE TABLE campaigns (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL,
	unit_id         INTEGER NOT NULL REFERENCES units(id),
	unit_path       TEXT NOT NULL,
	start_on        TEXT NOT NULL,
	end_on          TEXT NOT NULL,
	resolve_target  INTEGER NOT NULL DEFAULT 0,
	note            TEXT NOT NULL DEFAULT '',
	version         INTEGER NOT NULL DEFAULT 1,
	created_by      INTEGER NOT NULL REFERENCES users(id),
	created_by_name TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);
CREATE INDEX campaigns_unit_path ON campaigns(unit_path);

CREATE TABLE campaign_targets (
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	by_date     TEXT NOT NULL,
	closed      INTEGER NOT NULL CHECK (closed > 0),
	PRIMARY KEY (campaign_id, by_date)
);

CREATE TABLE campaign_cases (
	campaign_id   INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	case_id       INTEGER NOT NULL REFERENCES cases(id),
	added_on      TEXT NOT NULL,
	added_by      INTEGER NOT NULL REFERENCES users(id),
	removed_on    TEXT NOT NULL DEFAULT '',
	remove_reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (campaign_id, case_id)
);
CREATE INDEX campaign_cases_case ON campaign_cases(case_id);
