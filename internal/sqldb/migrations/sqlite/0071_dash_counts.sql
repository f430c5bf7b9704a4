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
-- TestDashboardCountsEqualItems holds the page read from them to the page
-- counted from the items. 检举控告 items are not counted here: who sees them
-- depends on the reader, so the page counts the few a reader sees from
-- the items, through the two indexes below.
CREATE TABLE dash_counts (
	dim       TEXT NOT NULL CHECK (dim IN ('state', 'channel', 'category', 'due', 'severe')),
	grain     TEXT NOT NULL CHECK (grain IN ('d', 'm')),
	day       TEXT NOT NULL,
	unit_path TEXT NOT NULL,
	value     TEXT NOT NULL,
	n         BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (dim, grain, day, unit_path, value)
) WITHOUT ROWID;


-- The items a database already holds are counted in the background, in
-- batches by id (buildDashCounts), so that an upgrade does not hold up the
-- start: an item is counted when its id is at most dash_upto or above
-- dash_last (registered after this migration), and until dash_upto
-- reaches dash_last the page counts from the items.
ALTER TABLE kpi_state ADD COLUMN dash_upto BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_state ADD COLUMN dash_last BIGINT NOT NULL DEFAULT 0;
UPDATE kpi_state SET dash_last = (SELECT COALESCE(MAX(id), 0) FROM petitions);
-- +online
CREATE INDEX IF NOT EXISTS petitions_accusation_reg ON petitions(reg_user_id, received_at) WHERE purpose = 'accusation';
CREATE INDEX IF NOT EXISTS petitions_accusation_handling ON petitions(handling_path, received_at) WHERE purpose = 'accusation';
