-- Raised investigations (提级调查) get numbers, TJ-<year>-<seq>, as 督办单
-- do, so that no page names one by its internal id. The year is the
-- Shanghai year of opening; the investigations already there are
-- numbered in the order they were opened.
ALTER TABLE investigations ADD COLUMN number TEXT NOT NULL DEFAULT '';
UPDATE investigations i SET number = n.num FROM (
	SELECT id, 'TJ-' || to_char((opened_at::timestamptz AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY') || '-' ||
		lpad((ROW_NUMBER() OVER (PARTITION BY to_char((opened_at::timestamptz AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY') ORDER BY id))::text, 4, '0') AS num
	FROM investigations) n
WHERE n.id = i.id;
CREATE TABLE investigation_counters (
	year INTEGER PRIMARY KEY,
	next INTEGER NOT NULL
);
INSERT INTO investigation_counters (year, next)
	SELECT to_char((opened_at::timestamptz AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY')::int, COUNT(*) FROM investigations GROUP BY 1;
CREATE UNIQUE INDEX investigations_number ON investigations(number) WHERE number <> '';
