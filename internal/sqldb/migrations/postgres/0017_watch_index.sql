-- The watch list (关注名单) at a province's scale: it read every repeat
-- chain and every petitioner's matters on each request. Two derived
-- indexes let it read only the rows it lists.
--
-- repeat_root_id is, for a petition recorded as a repeat (repeat_of_id
-- set), the first petition of its matter: the one reached by following
-- repeat_of_id up to a petition that repeats none. It is NULL for the
-- others, and for a petition on a circle of repeats (which the procedure
-- does not let anyone write), which has no first petition. The store sets
-- it whenever a repeat link is made (registration, 合并, a repeat decision).
ALTER TABLE petitions ADD COLUMN repeat_root_id BIGINT;
WITH RECURSIVE chain(id, root, depth) AS (
	SELECT s.id, s.id, 0 FROM (SELECT DISTINCT x.repeat_of_id AS id FROM petitions x WHERE x.repeat_of_id IS NOT NULL
		AND x.repeat_of_id NOT IN (SELECT y.id FROM petitions y WHERE y.repeat_of_id IS NOT NULL)) s
	UNION ALL
	SELECT c.id, ch.root, ch.depth + 1 FROM chain ch JOIN petitions c ON c.repeat_of_id = ch.id WHERE ch.depth < 200)
UPDATE petitions SET repeat_root_id = chain.root FROM chain WHERE chain.id = petitions.id AND chain.depth > 0;
-- The repeats grouped by matter and petitioner, with what the data scope
-- and the rows read, from the index alone.

-- How many petitions each person brought on each 问题属地 and 内容分类: the
-- watch list's matters of items never linked as repeats are those counted
-- WatchRepeatThreshold + 1 times or more, read through petition_matters_n
-- instead of grouping every petition. RegisterPetition counts each new
-- petition; a petition's person, locality and category never change.
-- The petitions a database holds are counted after the start (0077).
CREATE TABLE petition_matters (
	person_id   BIGINT NOT NULL,
	locality_id BIGINT NOT NULL,
	category    TEXT NOT NULL,
	n           INTEGER NOT NULL,
	PRIMARY KEY (person_id, locality_id, category)
);
CREATE INDEX petition_matters_n ON petition_matters(n);

-- The items flagged as repeats by channel, so that the handed-down tab
-- starts from the handed-down ones, with what the data scope reads.
-- +online
CREATE INDEX CONCURRENTLY IF NOT EXISTS petitions_repeat_root ON petitions(repeat_root_id, person_id, received_at, locality_id, category, channel, repeat_flag, purpose, reg_user_id, reg_path, handling_path)
	WHERE repeat_root_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS petitions_handed_down_repeats ON petitions(channel, id, repeat_flag, repeat_of_id, repeat_root_id, purpose, reg_user_id, reg_path, handling_path)
	WHERE repeat_flag = 1;
