-- The largest number of days between an item's due day and the last day
-- it is merely 超期 (its severe_date), over every item with a due day ever
-- written: an item 超期 today is due no earlier than today minus it, which
-- bounds the 超期 list's walk of the due-date index (severe_gap.go).
-- Writers raise it; the items written before it are counted once, in the
-- background (severe_gap_built = 0 until then, and no bound is used).
ALTER TABLE kpi_state ADD COLUMN severe_gap INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_state ADD COLUMN severe_gap_built INTEGER NOT NULL DEFAULT 0;
UPDATE kpi_state SET severe_gap_built = CASE WHEN EXISTS (SELECT 1 FROM petitions WHERE due_date <> '') THEN 0 ELSE 1 END;
