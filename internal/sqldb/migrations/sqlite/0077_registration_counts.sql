-- The registrations and the repeats among them that kpi_daily counts
-- (measures 'registered' and 'repeat', 0070) of the petitions a database
-- held before 0070 are counted after the start, not in the migration,
-- which read every petition: reg_last is the largest id held, and the
-- background count (prior_counts.go) takes the petitions up to it in
-- batches, advancing reg_upto. A petition is counted when its id is at
-- most reg_upto or above reg_last; until reg_upto reaches reg_last the
-- repeat rate (重复信访率) counts from the petitions. A database whose 0070
-- counted them (it holds a 'registered' row) has nothing to count.
ALTER TABLE kpi_state ADD COLUMN reg_upto BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_state ADD COLUMN reg_last BIGINT NOT NULL DEFAULT 0;
UPDATE kpi_state SET reg_last = (SELECT COALESCE(MAX(id), 0) FROM petitions)
	WHERE NOT EXISTS (SELECT 1 FROM kpi_daily WHERE measure = 'registered');
