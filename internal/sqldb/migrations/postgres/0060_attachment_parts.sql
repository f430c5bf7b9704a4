-- A file may belong to an entry of its record (README "Attachments"): a
-- petition's event or 督办单, a case's plan step, consultation or 督办单.
-- The record (owner, owner_id) still decides who sees it.
ALTER TABLE attachments ADD COLUMN part TEXT NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN part_id BIGINT NOT NULL DEFAULT 0;
