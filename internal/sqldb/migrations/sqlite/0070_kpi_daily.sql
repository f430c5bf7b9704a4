-- Counts of the indicator facts per measure, day and unit, and per month
-- and unit (kpi_daily; grain 'd' with day YYYY-MM-DD, grain 'm' with day
-- YYYY-MM), so that an indicator over a period sums a row per unit for
-- each whole month in it and for each day outside those, instead of
-- counting every fact: accept and evaluate by the day their
-- clock ended (end_on), handle by its due day, by the day it was done, and
-- the open ones by their due day, and the petitions registered and the
-- repeats among them by the day of receipt and the registering unit
-- (those of the petitions held before this migration are counted after
-- the start: 0077).
-- Storage keeps them in the transaction
-- that writes the facts (indicator_counts.go); the tests hold them to a
-- count of kpi_facts. early_days and late_days bound how far a handling
-- fact's done day lies before or after its due day, so that the few facts
-- a period's 按期办结率 needs beyond the counts are read from a bounded
-- range of days.
CREATE TABLE kpi_daily (
	measure   TEXT NOT NULL CHECK (measure IN ('accept', 'evaluate', 'handle_due', 'handle_done', 'handle_open', 'registered', 'repeat')),
	grain     TEXT NOT NULL CHECK (grain IN ('d', 'm')),
	day       TEXT NOT NULL,
	unit_path TEXT NOT NULL,
	unit_id   BIGINT NOT NULL,
	n         BIGINT NOT NULL DEFAULT 0,
	on_time   BIGINT NOT NULL DEFAULT 0,
	rated     BIGINT NOT NULL DEFAULT 0,
	satisfied BIGINT NOT NULL DEFAULT 0,
	basic     BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (measure, grain, day, unit_path, unit_id)
) WITHOUT ROWID;

ALTER TABLE kpi_state ADD COLUMN early_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_state ADD COLUMN late_days INTEGER NOT NULL DEFAULT 0;

-- backfill (the benchmarks run the statements from here on over the facts they write)
INSERT INTO kpi_daily (measure, grain, day, unit_path, unit_id, n, on_time, rated, satisfied, basic)
SELECT measure, g.grain, CASE WHEN g.grain = 'm' THEN substr(day, 1, 7) ELSE day END, unit_path, unit_id, COUNT(*), SUM(on_time),
	SUM(CASE WHEN rating <> '' THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 'satisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 'basic' THEN 1 ELSE 0 END)
FROM (
	SELECT 'accept' AS measure, end_on AS day, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'accept' AND end_on <> ''
	UNION ALL SELECT 'evaluate', end_on, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'evaluate' AND end_on <> ''
	UNION ALL SELECT 'handle_due', due_on, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'handle' AND due_on <> ''
	UNION ALL SELECT 'handle_done', done_on, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'handle' AND done_on <> ''
	UNION ALL SELECT 'handle_open', due_on, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'handle' AND done_on = '' AND due_on <> ''
) f
CROSS JOIN (SELECT 'd' AS grain UNION ALL SELECT 'm') g
GROUP BY measure, g.grain, CASE WHEN g.grain = 'm' THEN substr(day, 1, 7) ELSE day END, unit_path, unit_id;
UPDATE kpi_state SET
	early_days = COALESCE((SELECT MAX(CAST(julianday(due_on) - julianday(done_on) AS INTEGER)) FROM kpi_facts WHERE kind = 'handle' AND done_on <> '' AND due_on > done_on), 0),
	late_days = COALESCE((SELECT MAX(CAST(julianday(done_on) - julianday(due_on) AS INTEGER)) FROM kpi_facts WHERE kind = 'handle' AND done_on > due_on AND due_on <> ''), 0);
