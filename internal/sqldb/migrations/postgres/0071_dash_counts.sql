-- Counts of the petitions received per day and per month (grain 'd' with
-- day YYYY-MM-DD, grain 'm' with day YYYY-MM), by state, channel and
-- top-level category (dash_counts), so that the 态势 page sums a row per
-- unit and value for each whole month of its period instead of counting
-- every petition received in it. A petition belongs to a unit's subtree
-- when it was registered or is handled there; it is kept as +1 at its
-- registering unit's path, +1 at its handling unit's and -1 at their
-- nearest common ancestor's, so that the rows in any subtree's path range
-- sum to 1 for each petition the subtree holds, whichever of its two
-- units lie in it, and to 0 for the others. Storage keeps the rows in the
-- transaction that registers or acts on the item (dashboard_counts.go);
-- TestDashboardCountsEqualItems holds them and the page read from them to
-- a count of the items. 检举控告 items are not counted here: who sees them
-- depends on the reader, so the page counts the few a reader sees from
-- the items, through the two indexes below.
CREATE TABLE dash_counts (
	dim       TEXT NOT NULL CHECK (dim IN ('state', 'channel', 'category')),
	grain     TEXT NOT NULL CHECK (grain IN ('d', 'm')),
	day       TEXT NOT NULL,
	unit_path TEXT NOT NULL,
	value     TEXT NOT NULL,
	n         BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (dim, grain, day, unit_path, value)
);

CREATE INDEX petitions_accusation_reg ON petitions(reg_user_id, received_at) WHERE purpose = 'accusation';
CREATE INDEX petitions_accusation_handling ON petitions(handling_path, received_at) WHERE purpose = 'accusation';

-- backfill (the benchmarks run the statements from here on over the items they write)
INSERT INTO dash_counts (dim, grain, day, unit_path, value, n)
WITH RECURSIVE pairs AS (
	SELECT DISTINCT reg_path AS r, handling_path AS h FROM petitions WHERE purpose <> 'accusation' AND handling_path <> '' AND handling_path <> reg_path
), prefixes(r, h, p, rest) AS (
	SELECT r, h, substr(r, 1, 1), substr(r, 2) FROM pairs
	UNION ALL SELECT r, h, p || substr(rest, 1, strpos(rest, '/')), substr(rest, strpos(rest, '/') + 1) FROM prefixes WHERE strpos(rest, '/') > 0
), ancestors AS (
	SELECT r, h, MAX(p) AS a FROM prefixes WHERE substr(h, 1, length(p)) = p GROUP BY r, h
), items AS (
	SELECT to_char(received_at::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, reg_path, handling_path, state, channel, substr(category, 1, 2) AS cat FROM petitions WHERE purpose <> 'accusation'
), signed AS (
	SELECT day, reg_path AS path, 1 AS n, state, channel, cat FROM items
	UNION ALL SELECT day, handling_path, 1, state, channel, cat FROM items WHERE handling_path <> '' AND handling_path <> reg_path
	UNION ALL SELECT i.day, a.a, -1, i.state, i.channel, i.cat FROM items i JOIN ancestors a ON a.r = i.reg_path AND a.h = i.handling_path
)
SELECT d.dim, g.grain, CASE WHEN g.grain = 'm' THEN substr(s.day, 1, 7) ELSE s.day END, s.path,
	CASE d.dim WHEN 'state' THEN s.state WHEN 'channel' THEN s.channel ELSE s.cat END, SUM(s.n)
FROM signed s
CROSS JOIN (SELECT 'state' AS dim UNION ALL SELECT 'channel' UNION ALL SELECT 'category') d
CROSS JOIN (SELECT 'd' AS grain UNION ALL SELECT 'm') g
GROUP BY 1, 2, 3, 4, 5
HAVING SUM(s.n) <> 0;
