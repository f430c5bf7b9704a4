-- The data scope reads purpose and reg_user_id (检举控告 items), lists sort
-- by received_at or due_date: with those columns in the indexes, counting
-- and choosing a page read the index only, not every matching row.
DROP INDEX petitions_due;
CREATE INDEX petitions_due ON petitions(due_date, severe_date, purpose, reg_user_id, state, received_at) WHERE due_date <> '';
DROP INDEX petitions_state_reg;
CREATE INDEX petitions_state_reg ON petitions(state, reg_path, purpose, reg_user_id, due_date, received_at);
DROP INDEX petitions_state_handling;
CREATE INDEX petitions_state_handling ON petitions(state, handling_path, purpose, reg_user_id, due_date, received_at);
DROP INDEX petitions_reg_path;
CREATE INDEX petitions_reg_path ON petitions(reg_path, state, purpose, reg_user_id, due_date, received_at);
DROP INDEX petitions_handling_path;
CREATE INDEX petitions_handling_path ON petitions(handling_path, state, purpose, reg_user_id, due_date, received_at);
