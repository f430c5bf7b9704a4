-- A unit may be deactivated (停用): it keeps its records and its place in
-- the tree, and takes no new accounts, sub-units or items.
ALTER TABLE units ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
