-- 三跨三分离 flags as codes (xinfang.CrossFlags). The registration page
-- stored the Chinese labels, joined by commas (跨地区,人户分离), and API
-- clients could send "，" or "、" between them; Petition.Validate now
-- stores the codes (cross_region,person_household). Each label is replaced
-- by its code as xinfang.CrossFlagOf maps it, the longest first, so that
-- 人事户分离 is not read as part of another; the separators become commas
-- and spaces go. A value that is no flag stays as it is (CrossFlagList
-- leaves it out). The same statement runs on SQLite and PostgreSQL.
UPDATE petitions SET cross_flags =
	REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
	REPLACE(REPLACE(REPLACE(REPLACE(cross_flags,
		'，', ','), '、', ','), ' ', ''), '　', ''),
		'人事户分离', 'person_matter_household'),
		'人户分离', 'person_household'),
		'人事分离', 'person_matter'),
		'跨地区', 'cross_region'),
		'跨部门', 'cross_department'),
		'跨行业', 'cross_industry')
WHERE cross_flags <> '';
