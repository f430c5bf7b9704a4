-- Seats (列席): an expert of the pool or an observer of the register
-- chosen for a backlog case's consultation (会诊) or for a 督办单 (a
-- special supervision an expert goes on), with whether he came and what
-- he said. Hearings keep their own participants (hearing_participants).
-- Exactly one record and exactly one person per seat; one seat per person
-- and record.
CREATE TABLE seats (
	id              INTEGER PRIMARY KEY,
	consultation_id INTEGER REFERENCES case_consultations(id),
	supervision_id  INTEGER REFERENCES supervisions(id),
	expert_id       INTEGER REFERENCES experts(id),
	observer_id     INTEGER REFERENCES observers(id),
	name            TEXT NOT NULL,
	affiliation     TEXT NOT NULL DEFAULT '',
	attendance      TEXT NOT NULL DEFAULT '' CHECK (attendance IN ('', 'present', 'absent')),
	remarks         TEXT NOT NULL DEFAULT '',
	version         INTEGER NOT NULL DEFAULT 1,
	invited_by      INTEGER NOT NULL REFERENCES users(id),
	invited_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	CHECK ((consultation_id IS NULL) <> (supervision_id IS NULL)),
	CHECK ((expert_id IS NULL) <> (observer_id IS NULL))
);
CREATE UNIQUE INDEX seats_consultation_expert ON seats(consultation_id, expert_id) WHERE consultation_id IS NOT NULL AND expert_id IS NOT NULL;
CREATE UNIQUE INDEX seats_consultation_observer ON seats(consultation_id, observer_id) WHERE consultation_id IS NOT NULL AND observer_id IS NOT NULL;
CREATE UNIQUE INDEX seats_supervision_expert ON seats(supervision_id, expert_id) WHERE supervision_id IS NOT NULL AND expert_id IS NOT NULL;
CREATE UNIQUE INDEX seats_supervision_observer ON seats(supervision_id, observer_id) WHERE supervision_id IS NOT NULL AND observer_id IS NOT NULL;
CREATE INDEX seats_expert ON seats(expert_id) WHERE expert_id IS NOT NULL;
CREATE INDEX seats_observer ON seats(observer_id) WHERE observer_id IS NOT NULL;
