-- Raised investigations (提级调查) get numbers, TJ-<year>-<seq>, as 督办单
-- do, so that no page names one by its internal id. The year is the
-- Shanghai year of opening; the investigations already there are
-- numbered in the order they were opened.
ALTER TABLE investigations ADD COLUMN number TEXT NOT NULL DEFAULT '';
UPDATE investigations SET number = (
	SELECT 'TJ-' || n.y || '-' || printf('%04d', n.rn) FROM (
		SELECT id, strftime('%Y', opened_at, '+8 hours') AS y,
			ROW_NUMBER() OVER (PARTITION BY strftime('%Y', opened_at, '+8 hours') ORDER BY id) AS rn
		FROM investigations) n
	WHERE n.id = investigations.id);
CREATE TABLE investigation_counters (
	year INTEGER PRIMARY KEY,
	next INTEGER NOT NULL
);
INSERT INTO investigation_counters (year, next)
	SELECT CAST(strftime('%Y', opened_at, '+8 hours') AS INTEGER), COUNT(*) FROM investigations GROUP BY 1;
CREATE UNIQUE INDEX investigations_number ON investigations(number) WHERE number <> '';
