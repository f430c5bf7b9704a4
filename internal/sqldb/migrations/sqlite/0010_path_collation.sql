-- Unit paths compare byte by byte (sqldb/scope.go). SQLite's default
-- collation, BINARY, already does; PostgreSQL's 0010 sets the C collation
-- on the path columns. Nothing changes here; the file keeps the two sets
-- numbered in step.
SELECT 1;
