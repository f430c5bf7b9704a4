package sqldb

import (
	"context"
	"slices"
	"sort"

	"xinfang"
)

// The watch list read from its kept rows (watch_rows.go): the counts and
// the page's rows off watch_rows' indexes, the backlog cases and the
// escalated visits from their own indexes, and only the page's items
// loaded.

// readerAudience returns the audience of the kept rows whose items are
// exactly those the reader sees, if the rows are complete and there is
// one: a reader who sees the whole city, of ” or of the 纪检监察 body the
// reader belongs to, who registered no 检举控告 item the audience does not
// see.
func (db *DisciplineStore) readerAudience(ctx context.Context) (string, bool, error) {
	s, err := scopeOf(ctx)
	if err != nil || !s.All || s.None {
		return "", false, err
	}
	aud := ""
	if s.Discipline {
		aud = s.UnitPath
	}
	var built int
	var auds string
	if err := db.queryRow(ctx, `SELECT built, audiences FROM watch_state WHERE id = 1`).Scan(&built, &auds); err != nil {
		return "", false, err
	}
	if built != 1 || !slices.Contains(audienceList(auds), aud) {
		return "", false, nil
	}
	// Whether the reader registered any 检举控告 item at all is read off
	// the partial index alone; a planner that takes one person's items
	// for many (one registrar of them all) would otherwise read every
	// item's row. Only then, which of them the audience does not see.
	accused := `p.purpose = '` + string(xinfang.PurposeAccusation) + `' AND p.reg_user_id = ?`
	var more bool
	if err := db.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM petitions p WHERE `+accused+`)`, s.UserID).Scan(&more); err != nil || !more {
		return aud, err == nil, err
	}
	seen, args := none, []any(nil)
	if aud != "" {
		seen, args = subtree(aud, "p.handling_path")
	}
	if err := db.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM petitions p WHERE `+accused+` AND NOT `+seen+`)`, append([]any{s.UserID}, args...)...).Scan(&more); err != nil {
		return "", false, err
	}
	return aud, !more, nil
}

// keptStub is the stub of a kept row; a locality row's items (its
// busiest year) are loaded with the page.
func keptStub(r *keptRow) *watchStub {
	switch {
	case r.kind == xinfang.WatchHandedDown:
		return handedStub(r.root, r.n, r.handed, parseTime(r.latest))
	case r.basis == xinfang.WatchByChain:
		return chainStub(r.root, r.person, r.n, parseTime(r.latest))
	}
	s := newStub(xinfang.WatchRepeat, xinfang.WatchByLocality, r.n, parseTime(r.latest))
	s.row.PetitionerID = r.person
	return s
}

const keptCols = `kind, basis, root_id, person_id, locality_id, category, n, handed, latest, first_id`

func scanKept(sc scanner) (keptRow, error) {
	var r keptRow
	var kind string
	err := sc.Scan(&kind, &r.basis, &r.root, &r.person, &r.locality, &r.category, &r.n, &r.handed, &r.latest, &r.first)
	r.kind = xinfang.WatchKind(kind)
	return r, err
}

// keptWatchList is findWatchList read from the kept rows of audience aud.
func (db *DisciplineStore) keptWatchList(ctx context.Context, f xinfang.WatchFilter, aud, scope string, sargs []any) (*xinfang.WatchPage, error) {
	count := func(kind xinfang.WatchKind) (int, error) {
		var n int
		err := db.queryRow(ctx, `SELECT COUNT(*) FROM watch_rows WHERE audience = ? AND kind = ?`, aud, string(kind)).Scan(&n)
		return n, err
	}
	repeats, err := count(xinfang.WatchRepeat)
	if err != nil {
		return nil, err
	}
	chains, err := count(xinfang.WatchHandedDown)
	if err != nil {
		return nil, err
	}
	// The cases, named on the chains' rows that hold their petitions.
	cases, err := db.handedCaseStubs(ctx, scope, sargs)
	if err != nil {
		return nil, err
	}
	named := map[int64]*watchStub{}
	alone, err := db.caseChains(ctx, cases, func(roots []int64) (map[int64]*watchStub, error) {
		if len(roots) == 0 {
			return nil, nil
		}
		rows, err := db.query(ctx, `SELECT `+keptCols+` FROM watch_rows WHERE audience = ? AND kind = ? AND root_id IN (`+placeholders(len(roots))+`)`,
			append([]any{aud, string(xinfang.WatchHandedDown)}, idArgs(roots)...)...)
		kept, err := scanAll(rows, err, scanKept)
		for i := range kept {
			named[kept[i].root] = keptStub(&kept[i])
		}
		return named, err
	})
	if err != nil {
		return nil, err
	}
	sortHanded(alone)
	var escalations int
	if err := db.queryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM watch_rows WHERE audience = ? AND kind = ?`, aud, string(xinfang.WatchEscalation)).Scan(&escalations); err != nil {
		return nil, err
	}
	handed := chains + len(alone)
	page := &xinfang.WatchPage{Items: []*xinfang.WatchRow{}, Offset: f.Offset, Limit: f.Limit, Counts: map[xinfang.WatchKind]int{
		xinfang.WatchRepeat: repeats, xinfang.WatchHandedDown: handed, xinfang.WatchEscalation: escalations,
	}}
	lo, hi := f.Offset, f.Offset+f.Limit
	var part []*watchStub
	listed := 0
	if f.Kind == "" || f.Kind == xinfang.WatchRepeat {
		if lo < repeats {
			rows, err := db.query(ctx, `SELECT `+keptCols+` FROM watch_rows WHERE audience = ? AND kind = ? ORDER BY n DESC, latest DESC, sort_key LIMIT ? OFFSET ?`,
				aud, string(xinfang.WatchRepeat), min(hi, repeats)-lo, lo)
			kept, err := scanAll(rows, err, scanKept)
			if err != nil {
				return nil, err
			}
			for i := range kept {
				s := keptStub(&kept[i])
				if kept[i].basis == xinfang.WatchByLocality {
					if s, err = db.localityWindow(ctx, &kept[i], scope, sargs); err != nil {
						return nil, err
					}
				}
				part = append(part, s)
			}
		}
		listed += repeats
	}
	if f.Kind == "" || f.Kind == xinfang.WatchHandedDown {
		// The chains' rows and the cases' merged by date, as far as the
		// page reaches.
		from, to := max(lo-listed, 0), min(hi-listed, handed)
		if to > from {
			rows, err := db.query(ctx, `SELECT `+keptCols+` FROM watch_rows WHERE audience = ? AND kind = ? ORDER BY latest DESC, sort_key LIMIT ?`,
				aud, string(xinfang.WatchHandedDown), to)
			kept, err := scanAll(rows, err, scanKept)
			if err != nil {
				return nil, err
			}
			merged := make([]*watchStub, 0, len(kept)+len(alone))
			for i := range kept {
				s := named[kept[i].root]
				if s == nil {
					s = keptStub(&kept[i])
				}
				merged = append(merged, s)
			}
			merged = append(merged, alone...)
			sortHanded(merged)
			part = append(part, merged[from:min(to, len(merged))]...)
		}
		listed += handed
	}
	if err := db.finishWatchPage(ctx, page, f, part, listed, escalations, scope, sargs); err != nil {
		return nil, err
	}
	return page, nil
}

// localityWindow is the stub of a kept locality row with its items: the
// busiest year of the petitioner's items on the matter.
func (db *DisciplineStore) localityWindow(ctx context.Context, r *keptRow, scope string, sargs []any) (*watchStub, error) {
	items, err := db.watchItems(ctx, `SELECT `+watchCols+watchFrom+` WHERE p.person_id = ? AND p.locality_id = ? AND p.category = ? AND `+scope+
		` ORDER BY p.received_at, p.id`, append([]any{r.person, r.locality, r.category}, sargs...)...)
	if err != nil {
		return nil, err
	}
	// Read after the row, the items may be newer than it by a write that
	// came between: the row shows them as they are.
	if win := busiestYear(items); len(win) > 0 {
		return localityStub(r.person, win), nil
	}
	return keptStub(r), nil
}

// sortHanded orders handed-down rows as the list does: latest first.
func sortHanded(stubs []*watchStub) {
	sort.SliceStable(stubs, func(i, j int) bool {
		a, b := stubs[i].row, stubs[j].row
		if !a.LatestAt.Equal(b.LatestAt) {
			return a.LatestAt.After(b.LatestAt)
		}
		return stubs[i].key() < stubs[j].key()
	})
}
