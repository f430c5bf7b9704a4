-- Legal opinions (法律意见书) drafted by lawyers on the petitions and
-- cases assigned to them; issued ones are final.
CREATE TABLE legal_opinion_counters (
	year INTEGER PRIMARY KEY,
	next INTEGER NOT NULL
);

CREATE TABLE legal_opinions (
	id          INTEGER PRIMARY KEY,
	number      TEXT NOT NULL UNIQUE,
	petition_id INTEGER REFERENCES petitions(id),
	case_id     INTEGER REFERENCES cases(id),
	lawyer_id   INTEGER NOT NULL REFERENCES users(id),
	lawyer_name TEXT NOT NULL,
	firm        TEXT NOT NULL,
	question    TEXT NOT NULL,
	analysis    TEXT NOT NULL DEFAULT '',
	opinion     TEXT NOT NULL,
	basis       TEXT NOT NULL,
	issued_on   TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 1,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX legal_opinions_petition ON legal_opinions(petition_id) WHERE petition_id IS NOT NULL;
CREATE INDEX legal_opinions_case ON legal_opinions(case_id) WHERE case_id IS NOT NULL;
CREATE INDEX legal_opinions_lawyer ON legal_opinions(lawyer_id);
