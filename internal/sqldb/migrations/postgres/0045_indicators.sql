-- Indicators (指标, kpi.md). kpi_facts holds, per petition, what its events
-- say for the indicators: each 15-day clock (accept), each handling, review
-- and re-review clock (handle) and the first reply eligible for evaluation
-- (evaluate), with the unit whose duty it was. It is derived from the
-- events (procedure.Facts), rewritten in the transaction of every event,
-- and rebuilt from the events for petitions registered before this
-- migration (kpi_state.built = 0 until then). An indicator is then a count
-- over an index, not a replay of every history.
CREATE TABLE kpi_facts (
	petition_id BIGINT NOT NULL REFERENCES petitions(id),
	seq         INTEGER NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('accept','handle','evaluate')),
	clock       TEXT NOT NULL DEFAULT '',
	unit_id     BIGINT NOT NULL REFERENCES units(id),
	unit_path   TEXT COLLATE "C" NOT NULL,
	due_on      TEXT NOT NULL DEFAULT '',
	done_on     TEXT NOT NULL DEFAULT '',
	end_on      TEXT NOT NULL DEFAULT '',
	on_time     INTEGER NOT NULL DEFAULT 0,
	rating      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (petition_id, seq)
);
CREATE INDEX kpi_facts_end ON kpi_facts(kind, end_on, unit_path, unit_id, on_time, rating);
CREATE INDEX kpi_facts_due ON kpi_facts(kind, due_on, unit_path, unit_id, done_on, on_time);
CREATE INDEX kpi_facts_done ON kpi_facts(kind, done_on, unit_path, unit_id, due_on, on_time);

CREATE TABLE kpi_state (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	built INTEGER NOT NULL
);
INSERT INTO kpi_state (id, built) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM petitions) THEN 0 ELSE 1 END;

-- The local part of the definitions: 三无 and whether 基本满意 counts.
CREATE TABLE kpi_config (
	id                  INTEGER PRIMARY KEY CHECK (id = 1),
	basic_counts        INTEGER NOT NULL DEFAULT 1,
	beijing_visits_only INTEGER NOT NULL DEFAULT 1,
	province_group_min  INTEGER NOT NULL DEFAULT 5,
	mass_min            INTEGER NOT NULL DEFAULT 50,
	version             INTEGER NOT NULL DEFAULT 1,
	updated_at          TEXT NOT NULL DEFAULT ''
);
INSERT INTO kpi_config (id) VALUES (1);

-- Repeats by registration date and unit, items by 问题属地 and date, 督办单
-- by issue and deadline, case transitions by kind and date.
CREATE INDEX supervisions_kpi_deadline ON supervisions(deadline, target_path);
CREATE INDEX supervisions_kpi_created ON supervisions(created_at, target_path);
CREATE INDEX case_events_kpi ON case_events(case_id, what, at);
-- +online
CREATE INDEX CONCURRENTLY IF NOT EXISTS petitions_kpi_reg ON petitions(received_at, reg_path, reg_unit_id, repeat_flag);
CREATE INDEX CONCURRENTLY IF NOT EXISTS petitions_kpi_mass ON petitions(involved_count, received_at) WHERE involved_count >= 2;
