-- Migrations 0017 and 0070 made two counts kept beside the petitions by
-- reading every petition, which held the start of an upgraded database (a
-- million petitions: 1.5 s and 14 s). The petitions are counted after the
-- start instead (prior_counts.go): <name>_last is the largest id held, and a
-- background count takes the petitions up to it in batches, advancing
-- <name>_upto. A petition is counted when its id is at most <name>_upto or
-- above <name>_last; until <name>_upto reaches <name>_last the readers read
-- the petitions instead. A database whose 0017 or 0070 counted them (it
-- holds their rows) has nothing to count.

-- kpi_daily's registrations and the repeats among them (measures
-- 'registered' and 'repeat', 0070); until counted, 重复信访率 counts the
-- petitions.
ALTER TABLE kpi_state ADD COLUMN reg_upto BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_state ADD COLUMN reg_last BIGINT NOT NULL DEFAULT 0;
UPDATE kpi_state SET reg_last = (SELECT COALESCE(MAX(id), 0) FROM petitions)
	WHERE NOT EXISTS (SELECT 1 FROM kpi_daily WHERE measure = 'registered');

-- petition_matters (0017): how many petitions each person brought on each
-- 问题属地 and 内容分类; until counted, the watch list groups the petitions.
ALTER TABLE kpi_state ADD COLUMN matters_upto BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_state ADD COLUMN matters_last BIGINT NOT NULL DEFAULT 0;
UPDATE kpi_state SET matters_last = (SELECT COALESCE(MAX(id), 0) FROM petitions)
	WHERE NOT EXISTS (SELECT 1 FROM petition_matters);
