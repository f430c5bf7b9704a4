-- Ledger lists filter by state within a unit subtree (a path range on the
-- registering or the handling unit) and by warning level (due and severe
-- dates); these indexes let both be answered from the index.
CREATE INDEX petitions_state_reg ON petitions(state, reg_path);
CREATE INDEX petitions_state_handling ON petitions(state, handling_path);
DROP INDEX petitions_due;
CREATE INDEX petitions_due ON petitions(due_date, severe_date) WHERE due_date <> '';
