-- Unit paths compare byte by byte. The data scope reads a subtree as the
-- range [path, path with its last "/" turned into "0") (sqldb/scope.go),
-- which holds only if "/" sorts before the digits. A database created with
-- a locale that ignores punctuation (glibc's zh_CN.UTF-8 or en_US.UTF-8,
-- ICU's alternate=shifted) sorts "/1/3/4/" after "/1/30", and a town would
-- no longer see its villages' items. The C collation holds whatever the
-- database's locale; the indexes on these columns are rebuilt with it.
ALTER TABLE units ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE petitions ALTER COLUMN reg_path TYPE TEXT COLLATE "C", ALTER COLUMN handling_path TYPE TEXT COLLATE "C";
ALTER TABLE cases ALTER COLUMN responsible_path TYPE TEXT COLLATE "C";
ALTER TABLE supervisions ALTER COLUMN issuer_path TYPE TEXT COLLATE "C", ALTER COLUMN target_path TYPE TEXT COLLATE "C";
