-- Special meetings (专题会、协调会、调度会) on backlog cases and petitions:
-- attendees, the items discussed, minutes; each decision is a task of one
-- of the items (tasks.meeting_id), tracked like every other task.
CREATE TABLE meetings (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('special','coordination','dispatch')),
	title           TEXT NOT NULL,
	held_on         TEXT NOT NULL,
	place           TEXT NOT NULL DEFAULT '',
	chair_id        INTEGER NOT NULL REFERENCES users(id),
	guests          TEXT NOT NULL DEFAULT '',
	minutes         TEXT NOT NULL DEFAULT '',
	unit_id         INTEGER NOT NULL REFERENCES units(id),
	unit_path       TEXT NOT NULL,
	version         INTEGER NOT NULL DEFAULT 1,
	created_by      INTEGER NOT NULL REFERENCES users(id),
	created_by_name TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);
CREATE INDEX meetings_held ON meetings(held_on, id);
CREATE INDEX meetings_unit_path ON meetings(unit_path);
CREATE INDEX meetings_chair ON meetings(chair_id);

CREATE TABLE meeting_attendees (
	meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_attendees_user ON meeting_attendees(user_id);

CREATE TABLE meeting_items (
	meeting_id  INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	case_id     INTEGER REFERENCES cases(id),
	petition_id INTEGER REFERENCES petitions(id),
	CHECK ((case_id IS NULL) <> (petition_id IS NULL))
);
CREATE UNIQUE INDEX meeting_items_case ON meeting_items(meeting_id, case_id) WHERE case_id IS NOT NULL;
CREATE UNIQUE INDEX meeting_items_petition ON meeting_items(meeting_id, petition_id) WHERE petition_id IS NOT NULL;
CREATE INDEX meeting_items_by_case ON meeting_items(case_id) WHERE case_id IS NOT NULL;

ALTER TABLE tasks ADD COLUMN meeting_id INTEGER REFERENCES meetings(id);
CREATE INDEX tasks_meeting ON tasks(meeting_id) WHERE meeting_id IS NOT NULL;
