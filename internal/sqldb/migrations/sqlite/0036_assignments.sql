-- Assignments (指派) of lawyers, 信访协理员, experts, mediators and
-- observers to petitions and cases: their data scope. One person holds
-- one running assignment on a record; an ended one stays, with who ended
-- it and why. Work notes record what the person did.
CREATE TABLE assignments (
	id               INTEGER PRIMARY KEY,
	user_id          INTEGER NOT NULL REFERENCES users(id),
	user_name        TEXT NOT NULL,
	role             TEXT NOT NULL CHECK (role IN ('lawyer','coordinator','expert','mediator','observer')),
	petition_id      INTEGER REFERENCES petitions(id),
	case_id          INTEGER REFERENCES cases(id),
	task             TEXT NOT NULL,
	assigned_by      INTEGER NOT NULL REFERENCES users(id),
	assigned_by_name TEXT NOT NULL,
	assigned_at      TEXT NOT NULL,
	ended_at         TEXT NOT NULL DEFAULT '',
	ended_by_name    TEXT NOT NULL DEFAULT '',
	end_note         TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX assignments_running_petition ON assignments(user_id, petition_id) WHERE ended_at = '' AND petition_id IS NOT NULL;
CREATE UNIQUE INDEX assignments_running_case ON assignments(user_id, case_id) WHERE ended_at = '' AND case_id IS NOT NULL;
CREATE INDEX assignments_petition ON assignments(petition_id) WHERE petition_id IS NOT NULL;
CREATE INDEX assignments_case ON assignments(case_id) WHERE case_id IS NOT NULL;

CREATE TABLE assignment_notes (
	id            INTEGER PRIMARY KEY,
	assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
	at            TEXT NOT NULL,
	by_id         INTEGER NOT NULL REFERENCES users(id),
	by_name       TEXT NOT NULL,
	text          TEXT NOT NULL
);
CREATE INDEX assignment_notes_assignment ON assignment_notes(assignment_id, id);
