package sqldb

import (
	"context"
	"math"

	"xinfang"
)

// The derived data of the watch list (migration 0017): each repeat's
// repeat_root_id, the first petition of its matter, and petition_matters,
// how many petitions each person brought on each 问题属地 and 内容分类. The
// store keeps both in the transaction that changes what they derive from.

// indexWatch counts a new petition in petition_matters and, when it is
// registered as a repeat, sets its repeat_root_id. RegisterPetition calls
// it in the registering transaction, after the petition row is written.
func (db *core) indexWatch(ctx context.Context, tx *Tx, p *xinfang.Petition, person int64) error {
	if _, err := tx.exec(ctx, `INSERT INTO petition_matters (person_id, locality_id, category, n) VALUES (?, ?, ?, 1)
		ON CONFLICT (person_id, locality_id, category) DO UPDATE SET n = petition_matters.n + 1`, person, p.LocalityID, p.Category); err != nil {
		return err
	}
	if p.RepeatOfID == 0 {
		// The petitioner's rows, and the item's own chain: a handed-down
		// item marked a repeat is a row of its own.
		var roots []int64
		if p.Channel == xinfang.ChannelHandedDown && p.Repeat {
			roots = []int64{p.ID}
		}
		return db.refreshWatch(ctx, tx, []int64{person}, roots, p.ID)
	}
	return db.setRepeatRoot(ctx, tx, p.ID)
}

// setRepeatRoot sets repeat_root_id of petition id, whose repeat_of_id has
// just been written, and of every petition in the repeat tree below it:
// the first petition reached by following repeat_of_id up. A petition that
// repeats none has no root itself and is the root of its tree; a circle
// of repeats (refused by the procedure and by DecideRepeat) has none.
func (db *core) setRepeatRoot(ctx context.Context, tx *Tx, id int64) error {
	// The petitioners and the chains of the items that move, before they
	// move: their kept watch-list rows change (watch_rows.go).
	rows, err := tx.QueryContext(ctx, db.dialect.rebind(`SELECT COALESCE(person_id, 0), COALESCE(repeat_root_id, 0) FROM petitions WHERE id IN (`+repeatTree+`)`), id)
	var persons, roots []int64
	err = eachRow(rows, err, func(r scanner) error {
		var person, root int64
		err := r.Scan(&person, &root)
		persons, roots = append(persons, person), append(roots, root)
		return err
	})
	if err != nil {
		return err
	}
	var root *int64
	seen := map[int64]bool{id: true}
	for cur := id; ; {
		var up *int64
		if err := tx.queryRow(ctx, `SELECT repeat_of_id FROM petitions WHERE id = ?`, cur).Scan(&up); err != nil {
			return err
		}
		if up == nil {
			if cur != id {
				root = &cur
			}
			break
		}
		if seen[*up] {
			break // a circle: no first petition
		}
		seen[*up] = true
		cur = *up
	}
	if _, err := tx.exec(ctx, `UPDATE petitions SET repeat_root_id = ? WHERE id = ?`, root, id); err != nil {
		return err
	}
	below := root
	if below == nil && len(seen) == 1 {
		below = &id // it repeats none: the first of its own tree
	}
	if _, err := tx.exec(ctx, `UPDATE petitions SET repeat_root_id = ? WHERE id IN (`+repeatTree+`) AND id <> ?`, below, id, id); err != nil {
		return err
	}
	roots = append(roots, id)
	if root != nil {
		roots = append(roots, *root)
	}
	return db.refreshWatch(ctx, tx, persons, roots, 0)
}

// countMattersBatch counts the petitions lo < id <= hi into
// petition_matters. Their person, locality and category never change, so
// the rows need no lock: a registration adds to the same rows, and the
// sums commute.
func countMattersBatch(ctx context.Context, tx *Tx, lo, hi int64) (int, error) {
	n, err := tx.change(ctx, `INSERT INTO petition_matters (person_id, locality_id, category, n)
		SELECT person_id, locality_id, category, COUNT(*) FROM petitions WHERE id > ? AND id <= ? GROUP BY person_id, locality_id, category
		ON CONFLICT (person_id, locality_id, category) DO UPDATE SET n = petition_matters.n + excluded.n`, lo, hi)
	return int(n), err
}

// busyMatters is the query of the matters (person, 问题属地, 内容分类)
// brought need times or more: read from petition_matters, or grouped from
// the petitions until those held before migration 0077 are counted, and
// when grouped is set (the versions before migration 0017, which the tests
// hold the list to).
func (db *core) busyMatters(ctx context.Context, r cq, need int, grouped bool) (string, []any, error) {
	if !grouped {
		all, err := db.matters.complete(ctx, r)
		if err != nil || all {
			return `SELECT person_id, locality_id, category FROM petition_matters WHERE n >= ?`, []any{need}, err
		}
	}
	return `SELECT person_id, locality_id, category FROM petitions GROUP BY person_id, locality_id, category HAVING COUNT(*) >= ?`, []any{need}, nil
}

// rebuildWatchIndex recomputes both from the petitions, as migration 0017
// and the count of the matters after 0077 do, and marks the matters
// counted: for data written without the store (bulk loads), from Reindex.
func (db *core) rebuildWatchIndex(ctx context.Context) error {
	return db.write(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`UPDATE petitions SET repeat_root_id = NULL WHERE repeat_root_id IS NOT NULL`,
			`WITH RECURSIVE chain(id, root, depth) AS (
				SELECT s.id, s.id, 0 FROM (SELECT DISTINCT x.repeat_of_id AS id FROM petitions x WHERE x.repeat_of_id IS NOT NULL
					AND x.repeat_of_id NOT IN (SELECT y.id FROM petitions y WHERE y.repeat_of_id IS NOT NULL)) s
				UNION ALL
				SELECT c.id, ch.root, ch.depth + 1 FROM chain ch JOIN petitions c ON c.repeat_of_id = ch.id WHERE ch.depth < 200)
			UPDATE petitions SET repeat_root_id = chain.root FROM chain WHERE chain.id = petitions.id AND chain.depth > 0`,
			`DELETE FROM petition_matters`,
			`UPDATE kpi_state SET matters_upto = matters_last WHERE id = 1`,
		} {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		if _, err := countMattersBatch(ctx, tx, 0, math.MaxInt64); err != nil {
			return err
		}
		return db.buildWatchRows(ctx, tx)
	})
}
