-- The dashboard (态势) counts a period's petitions by state, channel,
-- category and month, under the data scope (paths, 检举控告 rule): this
-- index holds every column those counts read, in the order of receipt, so
-- that each is a scan of the period's entries without reading a row.
-- +online
CREATE INDEX CONCURRENTLY IF NOT EXISTS petitions_kpi_dash ON petitions(received_at, reg_path, handling_path, purpose, reg_user_id, state, channel, category);
