-- The rows of the watch list (watch_rows.go), kept so that a page reads
-- its rows and counts off an index instead of grouping every repeat,
-- matter and handed-down chain on each request. Who sees an item differs
-- only for 检举控告 items, so the rows are kept per audience: '' for the
-- readers who see no 检举控告 item (the city's leaders and supervisors),
-- and each 纪检监察 body's path for its inspectors, who also see the
-- 检举控告 items handled in its subtree. Kind 'repeat' rows are a
-- petitioner's (basis 'chain': per original of a repeat chain; basis
-- 'locality': per 问题属地 and 内容分类 within a year), kind 'handed_down'
-- rows an original's chain, kind 'escalation' rows a petitioner's
-- escalated visits (赴省、进京), whose sum is the tab's count. sort_key orders rows of the same count and
-- date as the list always has. Storage recomputes a petitioner's and an
-- original's rows in the transaction that changes their items; watch_state
-- says whether the rows are complete, and for which bodies (audiences).
CREATE TABLE watch_rows (
	audience    TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('repeat', 'handed_down', 'escalation')),
	basis       TEXT NOT NULL,
	root_id     BIGINT NOT NULL,
	person_id   BIGINT NOT NULL,
	locality_id BIGINT NOT NULL,
	category    TEXT NOT NULL,
	n           INTEGER NOT NULL,
	handed      INTEGER NOT NULL,
	latest      TEXT NOT NULL,
	first_id    BIGINT NOT NULL,
	sort_key    TEXT NOT NULL,
	PRIMARY KEY (audience, kind, root_id, person_id, locality_id, category)
);
CREATE INDEX watch_rows_repeats ON watch_rows(audience, kind, n DESC, latest DESC, sort_key);
CREATE INDEX watch_rows_handed ON watch_rows(audience, kind, latest DESC, sort_key);
CREATE INDEX watch_rows_person ON watch_rows(person_id, kind);

CREATE TABLE watch_state (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	built     INTEGER NOT NULL,
	audiences TEXT NOT NULL
);
INSERT INTO watch_state (id, built, audiences) VALUES (1, 0, '');
