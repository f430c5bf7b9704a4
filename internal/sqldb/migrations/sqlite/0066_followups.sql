-- Follow-up visits (跟踪回访) of replied or concluded petitions; a visit
-- that finds the matter unsettled names the task or the case it opened.
-- Tasks say what made them (origin): split by hand (''), an aftercare
-- measure of a termination, or a follow-up visit.
CREATE TABLE followups (
	id              INTEGER PRIMARY KEY,
	petition_id     INTEGER NOT NULL REFERENCES petitions(id),
	visited_on      TEXT NOT NULL,
	visited_by      TEXT NOT NULL,
	how             TEXT NOT NULL,
	mood            TEXT NOT NULL,
	settled         INTEGER NOT NULL,
	note            TEXT NOT NULL DEFAULT '',
	reopen          TEXT NOT NULL DEFAULT '' CHECK (reopen IN ('', 'task', 'case')),
	task_id         INTEGER REFERENCES tasks(id),
	case_id         INTEGER REFERENCES cases(id),
	created_by      INTEGER NOT NULL REFERENCES users(id),
	created_by_name TEXT NOT NULL,
	created_at      TEXT NOT NULL
);
CREATE INDEX followups_petition ON followups(petition_id, visited_on);

ALTER TABLE tasks ADD COLUMN origin TEXT NOT NULL DEFAULT '';
CREATE INDEX tasks_owner_unit ON tasks(owner_unit_id, state);
