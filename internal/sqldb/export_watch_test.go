package sqldb

import (
	"context"

	"xinfang"
)

// walkSQL are the watch list's grouping queries of the versions before
// migration 0017: they walk every repeat chain down from its original and
// group every petition by matter on each request. The tests hold the
// derived indexes to answering exactly what these answered.
var walkSQL = watchQueries{
	chainGroups: func(scope string, sargs []any) (string, []any) {
		seed := `SELECT DISTINCT x.repeat_of_id AS id FROM petitions x WHERE x.repeat_of_id IS NOT NULL
			AND x.repeat_of_id NOT IN (SELECT y.id FROM petitions y WHERE y.repeat_of_id IS NOT NULL)`
		return `WITH RECURSIVE ` + chainSQL(seed, false) + `
			SELECT p.person_id, p.root, COUNT(*), MAX(p.received_at), MIN(p.locality_id), MIN(p.category)
			FROM chain p WHERE p.depth > 0 AND ` + scope + `
			GROUP BY p.person_id, p.root HAVING COUNT(*) >= ?`, append(append([]any{}, sargs...), xinfang.WatchRepeatThreshold)
	},
	handedChains: func(scope string, sargs []any) (string, []any) {
		return `WITH RECURSIVE up(id, parent, depth) AS (
				SELECT p.id, p.repeat_of_id, 0 FROM petitions p WHERE p.channel IN ` + handedDownChannel + `
				   AND (p.repeat_flag = 1 OR p.id IN (SELECT x.repeat_of_id FROM petitions x WHERE x.repeat_of_id IS NOT NULL)) AND ` + scope + `
				UNION ALL
				SELECT q.id, q.repeat_of_id, up.depth + 1 FROM up JOIN petitions q ON q.id = up.parent WHERE up.depth < 200),
			` + chainSQL(`SELECT id FROM up WHERE parent IS NULL`, true) + `
			SELECT p.root, SUM(CASE WHEN p.depth > 0 OR p.repeat_flag = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN p.channel IN ` + handedDownChannel + ` THEN 1 ELSE 0 END), MAX(p.received_at)
			FROM chain p WHERE ` + scope + ` GROUP BY p.root`, append(append([]any{}, sargs...), sargs...)
	},
}

// FindWatchListByWalk is FindWatchList with the queries of the versions
// before migration 0017.
func (db *DisciplineStore) FindWatchListByWalk(ctx context.Context, f xinfang.WatchFilter) (*xinfang.WatchPage, error) {
	return db.findWatchList(ctx, f, walkSQL)
}

// RebuildWatchIndex is rebuildWatchIndex, for benchmarks that rewrite
// petitions with SQL.
func (db *DB) RebuildWatchIndex(ctx context.Context) error { return db.rebuildWatchIndex(ctx) }

// BuildWatchRows makes the watch list's kept rows from the items, as the
// start after an upgrade does.
func (db *DB) BuildWatchRows(ctx context.Context) error {
	return db.write(ctx, func(tx *Tx) error { return db.buildWatchRows(ctx, tx) })
}
