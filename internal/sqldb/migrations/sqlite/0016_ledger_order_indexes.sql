-- The lists read one page off an index in their order (sqldb/ledger.go):
-- the whole city by received_at, a subtree path by path, by (path,
-- received_at), (path, due_date) or (path, number). After the order come
-- the columns the scope and the common filters read (state, the due and
-- severe dates of the warning levels, purpose and reg_user_id of the
-- 检举控告 rule, channel, category), so that a page and its count read the
-- index only; the handling indexes carry reg_path, which tells the items
-- registered outside the subtree from those already counted by reg_path.
-- +online
DROP INDEX IF EXISTS petitions_received;
CREATE INDEX IF NOT EXISTS petitions_received ON petitions(received_at, id, state, due_date, severe_date, purpose, reg_user_id, channel, category);
DROP INDEX IF EXISTS petitions_reg_path;
CREATE INDEX IF NOT EXISTS petitions_reg_path ON petitions(reg_path, received_at, id, state, due_date, severe_date, purpose, reg_user_id, channel, category);
DROP INDEX IF EXISTS petitions_handling_path;
CREATE INDEX IF NOT EXISTS petitions_handling_path ON petitions(handling_path, received_at, id, reg_path, state, due_date, severe_date, purpose, reg_user_id, channel, category);
DROP INDEX IF EXISTS petitions_state_reg;
CREATE INDEX IF NOT EXISTS petitions_state_reg ON petitions(state, reg_path, handling_path, purpose, reg_user_id, due_date, received_at);
DROP INDEX IF EXISTS petitions_state_handling;
CREATE INDEX IF NOT EXISTS petitions_state_handling ON petitions(state, handling_path, reg_path, purpose, reg_user_id, due_date, received_at);
CREATE INDEX IF NOT EXISTS petitions_reg_due ON petitions(reg_path, due_date, id, state, severe_date, purpose, reg_user_id) WHERE due_date <> '';
CREATE INDEX IF NOT EXISTS petitions_handling_due ON petitions(handling_path, due_date, id, reg_path, state, severe_date, purpose, reg_user_id) WHERE due_date <> '';
CREATE INDEX IF NOT EXISTS petitions_reg_number ON petitions(reg_path, number);
CREATE INDEX IF NOT EXISTS petitions_handling_number ON petitions(handling_path, number, reg_path);
