package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"xinfang"
)

// Discipline storage: the watch list of the 纪委监委, raised investigations
// (提级调查) run as 一案双查, accountability records (问责) and the yearly
// responsibility letters (责任书).
//
// Rights: only inspectors of a 纪委监委 unit write investigations and
// accountability records; they, and supervisors and leaders with a
// city-wide scope, read the watch list and the investigations; staff of
// other units read the accountability records and letters of their own
// subtree. Every petition reached from here goes through petitionScope, so a
// 检举控告 item stays hidden from whoever may not see it.

// watchCols are the columns of a watch-list item (alias p, with pt the
// petitioner and hu/ru the handling and registering units).
const watchCols = `p.id, p.number, p.received_at, p.channel, p.summary, p.state, p.repeat_flag, COALESCE(p.repeat_of_id, 0), p.escalation,
	p.person_id, pt.name, p.anonymous, COALESCE(p.handling_unit_id, p.reg_unit_id), COALESCE(hu.name, ru.name), p.locality_id, p.category`

const watchFrom = ` FROM petitions p
	JOIN petitioners pt ON pt.id = p.petitioner_id
	JOIN units ru ON ru.id = p.reg_unit_id
	LEFT JOIN units hu ON hu.id = p.handling_unit_id`

// watchItem is a watch-list item with what grouping needs.
type watchItem struct {
	xinfang.WatchPetition
	PetitionerID   int64
	PetitionerName string
	LocalityID     int64
	Category       string
	// Root and Depth place the item in its repeat chain (Depth 0: the
	// original); set by chainItems.
	Root  int64
	Depth int
}

func scanWatchItem(s interface{ Scan(...any) error }, extra ...any) (*watchItem, error) {
	it := &watchItem{}
	var received, state string
	var anonymous bool
	var unitID int64
	var unitName string
	dest := []any{&it.ID, &it.Number, &received, &it.Channel, &it.Summary, &state, &it.Repeat, &it.RepeatOfID, &it.Escalation,
		&it.PetitionerID, &it.PetitionerName, &anonymous, &unitID, &unitName, &it.LocalityID, &it.Category}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	it.ReceivedAt = parseTime(received)
	it.State = xinfang.State(state)
	it.StateLabel = it.State.Label()
	it.HandlingUnit = &xinfang.UnitRef{ID: unitID, Name: unitName}
	if anonymous {
		it.PetitionerName = "匿名"
	}
	return it, nil
}

func (db *DisciplineStore) watchItems(ctx context.Context, q string, args ...any) ([]*watchItem, error) {
	rows, err := db.query(ctx, q, args...)
	return scanAll(rows, err, func(s scanner) (*watchItem, error) { return scanWatchItem(s) })
}

// requireInspector returns the acting user if it may write discipline
// records, else EFORBIDDEN.
func requireDisciplineWriter(ctx context.Context) (*xinfang.User, error) {
	u, err := allow(ctx, xinfang.CanInspect, "只有纪委监委的纪检监察员可以进行此操作")
	if err != nil {
		return nil, err
	}
	return u, nil
}

// requireDisciplineReader returns the acting user if it may read the watch
// list and the investigations, else EFORBIDDEN.
func requireDisciplineReader(ctx context.Context) (*xinfang.User, error) {
	u, err := allow(ctx, xinfang.CanReadDiscipline, "纪检监督信息仅纪检监察员及市级督查员、领导可以查看")
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ---- Watch list ----
//
// The watch list is computed in two steps, so that it stays fast on a
// large ledger: grouping queries find every row with its count and its
// latest date (that is all the counts, the order and the paging need), and
// only the rows of the page asked for load their items.

// watchStub is a row before its items are loaded.
type watchStub struct {
	row *xinfang.WatchRow
	// Chain rows: the original of the repeat chain; petitioner, when set,
	// keeps only that petitioner's repeats (besides the original).
	root, petitioner int64
	caseID           int64
	items            []*watchItem // already loaded (the locality fallback)
}

// key orders rows of the same count and date, so that the list does not
// depend on the order the database grouped them in.
func (s *watchStub) key() string {
	first := int64(0)
	if len(s.items) > 0 {
		first = s.items[0].ID
	}
	return stubKey(s.root, s.petitioner, s.caseID, first)
}

func newStub(kind xinfang.WatchKind, basis string, count int, latest time.Time) *watchStub {
	return &watchStub{row: &xinfang.WatchRow{Kind: kind, KindLabel: kind.Label(), Basis: basis, Count: count, LatestAt: latest, Items: []*xinfang.WatchPetition{}}}
}

// chainStub is the row of a petitioner's n repeats in the chain of
// original root.
func chainStub(root, petitioner int64, n int, latest time.Time) *watchStub {
	s := newStub(xinfang.WatchRepeat, xinfang.WatchByChain, n, latest)
	s.root, s.petitioner = root, petitioner
	s.row.PetitionerID = petitioner
	s.row.Reason = fmt.Sprintf("同一事项重复信访 %d 次（重复件关联）", n)
	return s
}

// localityStub is the row of a petitioner's busiest year win (oldest
// first) on one matter.
func localityStub(petitioner int64, win []*watchItem) *watchStub {
	s := newStub(xinfang.WatchRepeat, xinfang.WatchByLocality, len(win)-1, win[len(win)-1].ReceivedAt)
	s.items = win
	first := win[0].WatchPetition
	s.row.Matter = &first
	s.row.PetitionerID = petitioner
	s.row.Reason = fmt.Sprintf("同一信访人、同一问题属地和内容分类一年内信访 %d 次（重复 %d 次）", len(win), len(win)-1)
	return s
}

// handedStub is the row of the chain of original root holding handed-down
// items.
func handedStub(root int64, repeats, handed int, latest time.Time) *watchStub {
	s := newStub(xinfang.WatchHandedDown, xinfang.WatchByChain, repeats, latest)
	s.root = root
	s.row.Reason = fmt.Sprintf("上级交办事项重复信访 %d 次（其中交办件 %d 件）", repeats, handed)
	return s
}

// chainSQL walks repeat chains downwards from the originals selected by
// seed (a query of petition ids named id). The walk carries the columns
// that the grouping and the data scope read, named as in petitions, so
// that a query may alias the chain as p and apply petitionScope to it; the
// petitions_repeat_chain index holds them all, so the walk never reads a
// petition row. The originals' own columns are read only with rootRows
// (else they are NULL). The depth limit guards against a cycle made by
// merging. CROSS JOIN keeps SQLite's planner walking down from the chain
// through the index of repeat_of_id whatever its statistics say (they
// may predate the repeats); PostgreSQL treats it as a plain join.
func chainSQL(seed string, rootRows bool) string {
	first := `SELECT s.id, s.id, 0, ` + chainNulls + ` FROM (` + seed + `) s`
	if rootRows {
		first = `SELECT s.id, s.id, 0, ` + prefixed("s.", chainCols) + ` FROM petitions s WHERE s.id IN (` + seed + `)`
	}
	return `chain(id, root, depth, ` + chainCols + `) AS (
		` + first + `
		UNION ALL
		SELECT c.id, ch.root, ch.depth + 1, ` + prefixed("c.", chainCols) + ` FROM chain ch CROSS JOIN petitions c WHERE c.repeat_of_id = ch.id AND ch.depth < 200)`
}

// chainCols are the columns a chain carries; petitionScope reads purpose,
// reg_user_id and the paths. chainNulls are their NULLs, typed as the
// columns are, which PostgreSQL's recursive queries require; the paths' NULLs
// come from the columns themselves, so that they carry the columns' C
// collation on PostgreSQL (migration 0010) in a form SQLite reads too.
const (
	chainCols  = `person_id, received_at, channel, locality_id, category, purpose, reg_user_id, reg_path, handling_path, repeat_flag`
	chainNulls = `CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT), (SELECT reg_path FROM petitions WHERE 1 = 0), (SELECT handling_path FROM petitions WHERE 1 = 0), CAST(NULL AS INTEGER)`
)

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = prefix + c
	}
	return strings.Join(parts, ", ")
}

// discChainItems returns the items in scope of the repeat chains that
// start at roots, each with its root and depth.
func (db *DisciplineStore) discChainItems(ctx context.Context, roots []int64, scope string, sargs []any) ([]*watchItem, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	// CROSS JOIN keeps SQLite's planner from scanning every petition and
	// probing the chain instead; PostgreSQL treats it as a plain join.
	q := `WITH RECURSIVE ` + chainSQL(placeholders(len(roots)), true) +
		` SELECT ` + watchCols + `, ch.root, ch.depth FROM chain ch CROSS JOIN petitions p
		JOIN petitioners pt ON pt.id = p.petitioner_id
		JOIN units ru ON ru.id = p.reg_unit_id
		LEFT JOIN units hu ON hu.id = p.handling_unit_id
		WHERE p.id = ch.id AND ` + scope + ` ORDER BY ch.root, p.received_at, p.id`
	rows, err := db.query(ctx, q, append(idArgs(roots), sargs...)...)
	return scanAll(rows, err, func(r scanner) (*watchItem, error) {
		var root int64
		var depth int
		it, err := scanWatchItem(r, &root, &depth)
		if err != nil {
			return nil, err
		}
		it.Root, it.Depth = root, depth
		return it, nil
	})
}

// fillRow sets the items of a row, oldest first; the latest item gives the
// responsible unit, the state and the petitioner.
func fillRow(r *xinfang.WatchRow, items []*watchItem) {
	r.Items = []*xinfang.WatchPetition{}
	for _, it := range items {
		wp := it.WatchPetition
		r.Items = append(r.Items, &wp)
	}
	if len(items) == 0 {
		return
	}
	latest := items[0]
	for _, it := range items {
		if !it.ReceivedAt.Before(latest.ReceivedAt) {
			latest = it
		}
	}
	r.Unit, r.LatestID, r.LatestAt = latest.HandlingUnit, latest.ID, latest.ReceivedAt
	r.State, r.StateLabel = latest.State, latest.StateLabel
	if r.PetitionerID == 0 {
		r.PetitionerID, r.PetitionerName = latest.PetitionerID, latest.PetitionerName
	}
}

// watchQueries are the grouping queries of the watch list, each built
// from the data scope (or the threshold) with its arguments:
//
//   - chainGroups: per petitioner and original of a repeat chain, the
//     repeats in scope (person_id, root, count, latest received_at, least
//     locality_id and category), those with WatchRepeatThreshold or more;
//   - handedChains: per original of a chain holding a handed-down item in
//     scope that is a repeat or was repeated, the chain's repeats, its
//     handed-down items and its latest received_at, in scope.
type watchQueries struct {
	// kept: read the kept rows (watch_rows.go) when they serve the reader,
	// and petition_matters for the busy matters (busyMatters) once counted.
	kept         bool
	chainGroups  func(scope string, sargs []any) (string, []any)
	handedChains func(scope string, sargs []any) (string, []any)
}

// watchSQL reads the derived indexes of migration 0017: repeat_root_id
// through petitions_repeat_root (and petition_matters: busyMatters). Each
// query reads the rows it groups, not every chain or every petition.
var watchSQL = watchQueries{
	kept: true,
	chainGroups: func(scope string, sargs []any) (string, []any) {
		return `SELECT p.person_id, p.repeat_root_id, COUNT(*), MAX(p.received_at), MIN(p.locality_id), MIN(p.category)
			FROM petitions p WHERE p.repeat_root_id IS NOT NULL AND ` + scope + `
			GROUP BY p.repeat_root_id, p.person_id HAVING COUNT(*) >= ?`, append(append([]any{}, sargs...), xinfang.WatchRepeatThreshold)
	},
	handedChains: func(scope string, sargs []any) (string, []any) {
		// The original of a handed-down item: its root when it is a
		// repeat (NULL on a circle, which drops it), else itself.
		first := `CASE WHEN p.repeat_of_id IS NULL THEN p.id ELSE p.repeat_root_id END`
		return `WITH roots(id) AS (
				SELECT ` + first + ` FROM petitions p WHERE p.channel = '` + string(xinfang.ChannelHandedDown) + `' AND p.repeat_flag = 1 AND ` + scope + `
				UNION
				SELECT ` + first + ` FROM petitions p WHERE p.id IN (SELECT x.repeat_of_id FROM petitions x WHERE x.repeat_of_id IS NOT NULL)
				   AND p.channel IN ` + handedDownChannel + ` AND ` + scope + `)
			SELECT g.root, SUM(CASE WHEN g.repeat = 1 OR g.repeat_flag = 1 THEN 1 ELSE 0 END),
				SUM(CASE WHEN g.channel IN ` + handedDownChannel + ` THEN 1 ELSE 0 END), MAX(g.received_at)
			FROM (SELECT r.id AS root, 0 AS repeat, p.repeat_flag, p.channel, p.received_at FROM roots r CROSS JOIN petitions p WHERE p.id = r.id AND ` + scope + `
				UNION ALL
				SELECT p.repeat_root_id, 1, p.repeat_flag, p.channel, p.received_at FROM petitions p
				WHERE p.repeat_root_id IN (SELECT id FROM roots) AND ` + scope + `) g
			GROUP BY g.root`, append(append(append(append([]any{}, sargs...), sargs...), sargs...), sargs...)
	},
}

// matter is a petitioner's matter: the same 问题属地 and 内容分类.
type matter struct {
	petitioner, locality int64
	category             string
}

// repeatStubs finds petitioners with WatchRepeatThreshold or more repeat
// items on one matter: first along the repeat chains (the original and the
// items linked to it as repeats, grouped by petitioner and original), then,
// for items never linked, the same petitioner with the same 问题属地 and
// 内容分类 within a year.
func (db *DisciplineStore) repeatStubs(ctx context.Context, scope string, sargs []any, wq watchQueries) ([]*watchStub, error) {
	// The matter of a chain row is keyed by its repeats' own 属地 and 分类,
	// which is what the fallback below groups by.
	q, args := wq.chainGroups(scope, sargs)
	rows, err := db.query(ctx, q, args...)
	// covered marks the matters already listed, so that the fallback does
	// not list the same petitioner's matter twice.
	covered := map[matter]bool{}
	var out []*watchStub
	err = eachRow(rows, err, func(r scanner) error {
		var m matter
		var root int64
		var n int
		var latest string
		if err := r.Scan(&m.petitioner, &root, &n, &latest, &m.locality, &m.category); err != nil {
			return err
		}
		covered[m] = true
		out = append(out, chainStub(root, m.petitioner, n, parseTime(latest)))
		return nil
	})
	if err != nil {
		return nil, err
	}

	// The fallback. The matters come without the scope; it applies when
	// the few candidate groups are loaded, and only removes items.
	need := xinfang.WatchRepeatThreshold + 1
	if q, args, err = db.busyMatters(ctx, cq{db.core, db.pool()}, need, !wq.kept); err != nil {
		return nil, err
	}
	rows, err = db.query(ctx, q, args...)
	cands := map[matter]bool{}
	petSet := map[int64]bool{}
	err = eachRow(rows, err, func(r scanner) error {
		var m matter
		if err := r.Scan(&m.petitioner, &m.locality, &m.category); err != nil {
			return err
		}
		if !covered[m] {
			cands[m] = true
			petSet[m.petitioner] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pets := make([]int64, 0, len(petSet))
	for id := range petSet {
		pets = append(pets, id)
	}
	sort.Slice(pets, func(i, j int) bool { return pets[i] < pets[j] })
	byMatter := map[matter][]*watchItem{}
	var order []matter
	for len(pets) > 0 {
		chunk := pets[:min(len(pets), 500)]
		pets = pets[len(chunk):]
		all, err := db.watchItems(ctx, `SELECT `+watchCols+watchFrom+` WHERE p.person_id IN (`+placeholders(len(chunk))+`) AND `+scope+
			` ORDER BY p.received_at, p.id`, append(idArgs(chunk), sargs...)...)
		if err != nil {
			return nil, err
		}
		for _, it := range all {
			m := matter{it.PetitionerID, it.LocalityID, it.Category}
			if !cands[m] {
				continue
			}
			if _, ok := byMatter[m]; !ok {
				order = append(order, m)
			}
			byMatter[m] = append(byMatter[m], it)
		}
	}
	for _, m := range order {
		win := busiestYear(byMatter[m])
		if len(win) < need {
			continue
		}
		out = append(out, localityStub(m.petitioner, win))
	}
	return out, nil
}

// busiestYear returns the longest run of items (oldest first) received
// within one year of its first item; the latest such run on a tie.
func busiestYear(items []*watchItem) []*watchItem {
	best, bi := 0, 0
	j := 0
	for i := range items {
		limit := items[i].ReceivedAt.AddDate(1, 0, 0)
		if j < i {
			j = i
		}
		for j < len(items) && items[j].ReceivedAt.Before(limit) {
			j++
		}
		if j-i >= best {
			best, bi = j-i, i
		}
	}
	return items[bi : bi+best]
}

// handedDownStubs lists repeats among items handed down by 中央/省: one row
// per matter (the original of the chain) holding a handed-down item that
// is a repeat or was repeated, and one per backlog case handed down by
// 中央/省 whose petitions include repeats.
func (db *DisciplineStore) handedDownStubs(ctx context.Context, scope string, sargs []any, wq watchQueries) ([]*watchStub, error) {
	q, args := wq.handedChains(scope, sargs)
	rows, err := db.query(ctx, q, args...)
	var out []*watchStub
	err = eachRow(rows, err, func(r scanner) error {
		var root int64
		var repeats, handed int
		var latest string
		if err := r.Scan(&root, &repeats, &handed, &latest); err != nil {
			return err
		}
		if handed == 0 || repeats == 0 {
			return nil // the handed-down item lies outside the scope
		}
		out = append(out, handedStub(root, repeats, handed, parseTime(latest)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	cases, err := db.handedCaseStubs(ctx, scope, sargs)
	if err != nil {
		return nil, err
	}
	return db.mergeCaseStubs(ctx, out, cases)
}

// handedCaseStubs are the rows of the backlog cases handed down by 中央/省
// whose petitions include repeats: their linked petitions and the
// repeats of those.
func (db *DisciplineStore) handedCaseStubs(ctx context.Context, scope string, sargs []any) ([]*watchStub, error) {
	cscope, cargs, err := caseScope(ctx)
	if err != nil {
		return nil, err
	}
	linked := `(p.id IN (SELECT petition_id FROM case_petitions WHERE case_id = c.id) OR p.repeat_of_id IN (SELECT petition_id FROM case_petitions WHERE case_id = c.id))`
	args := append(append(append([]any{}, sargs...), sargs...), cargs...)
	args = append(args, sargs...)
	rows, err := db.query(ctx, `SELECT c.id, c.number, c.title, c.source, c.state, c.responsible_unit_id, u.name,
			(SELECT COUNT(*) FROM petitions p WHERE `+linked+` AND p.repeat_flag = 1 AND `+scope+`),
			(SELECT MAX(p.received_at) FROM petitions p WHERE `+linked+` AND `+scope+`)
		FROM cases c JOIN units u ON u.id = c.responsible_unit_id
		WHERE c.source IN `+handedDownSources+` AND `+cscope+` AND EXISTS (
			SELECT 1 FROM case_petitions cp JOIN petitions p ON p.id = cp.petition_id
			 WHERE cp.case_id = c.id AND (p.repeat_flag = 1 OR EXISTS (SELECT 1 FROM petitions x WHERE x.repeat_of_id = p.id)) AND `+scope+`)`, args...)
	var cases []*watchStub
	err = eachRow(rows, err, func(r scanner) error {
		ref := &xinfang.CaseRef{}
		unit := &xinfang.UnitRef{}
		var repeats int
		var latest sql.NullString
		if err := r.Scan(&ref.ID, &ref.Number, &ref.Title, &ref.Source, &ref.State, &unit.ID, &unit.Name, &repeats, &latest); err != nil {
			return err
		}
		ref.SourceLabel = ref.Source.Label()
		s := newStub(xinfang.WatchHandedDown, "", repeats, parseTime(latest.String))
		s.caseID = ref.ID
		s.row.Case, s.row.Unit = ref, unit
		s.row.Reason = fmt.Sprintf("%s积案，关联信访件中重复件 %d 件", ref.SourceLabel, repeats)
		cases = append(cases, s)
		return nil
	})
	return cases, err
}

// mergeCaseStubs adds the rows of handed-down cases to the chains' rows:
// a case whose linked petitions belong to a chain listed already is the
// same matter, listed once — the chain's row, naming the case.
func (db *DisciplineStore) mergeCaseStubs(ctx context.Context, chains, cases []*watchStub) ([]*watchStub, error) {
	byRoot := map[int64]*watchStub{}
	for _, s := range chains {
		byRoot[s.root] = s
	}
	alone, err := db.caseChains(ctx, cases, func(roots []int64) (map[int64]*watchStub, error) { return byRoot, nil })
	return append(chains, alone...), err
}

// caseChains names each case on the row of the first chain listed that
// holds one of its linked petitions (listed returns the rows of the
// chains of roots that are listed), and returns the cases that are rows
// of their own.
func (db *DisciplineStore) caseChains(ctx context.Context, cases []*watchStub, listed func(roots []int64) (map[int64]*watchStub, error)) ([]*watchStub, error) {
	if len(cases) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(cases))
	for i, s := range cases {
		ids[i] = s.caseID
	}
	type link struct{ caseID, root int64 }
	var links []link
	var roots []int64
	rows, err := db.query(ctx, `SELECT cp.case_id, CASE WHEN p.repeat_of_id IS NULL THEN p.id ELSE p.repeat_root_id END
		FROM case_petitions cp JOIN petitions p ON p.id = cp.petition_id WHERE cp.case_id IN (`+placeholders(len(ids))+`)`, idArgs(ids)...)
	err = eachRow(rows, err, func(r scanner) error {
		var caseID int64
		var root sql.NullInt64
		if err := r.Scan(&caseID, &root); err != nil {
			return err
		}
		if root.Valid {
			links, roots = append(links, link{caseID, root.Int64}), append(roots, root.Int64)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	byRoot, err := listed(distinctIDs(roots))
	if err != nil {
		return nil, err
	}
	chainOf := map[int64]*watchStub{}
	for _, l := range links {
		if s := byRoot[l.root]; s != nil && chainOf[l.caseID] == nil {
			chainOf[l.caseID] = s
		}
	}
	var alone []*watchStub
	for _, c := range cases {
		if s := chainOf[c.caseID]; s != nil {
			if s.row.Case == nil {
				s.row.Case = c.row.Case
				s.row.Reason += "；" + c.row.Case.SourceLabel + "积案 " + c.row.Case.Number
			}
			continue
		}
		alone = append(alone, c)
	}
	return alone, nil
}

// fillStubs loads the items of the rows of one page.
func (db *DisciplineStore) fillStubs(ctx context.Context, stubs []*watchStub, scope string, sargs []any) error {
	var roots []int64
	seen := map[int64]bool{}
	for _, s := range stubs {
		if s.root != 0 && !seen[s.root] {
			seen[s.root] = true
			roots = append(roots, s.root)
		}
	}
	items, err := db.discChainItems(ctx, roots, scope, sargs)
	if err != nil {
		return err
	}
	byRoot := map[int64][]*watchItem{}
	for _, it := range items {
		byRoot[it.Root] = append(byRoot[it.Root], it)
	}
	for _, s := range stubs {
		r := s.row
		switch {
		case s.items != nil:
			fillRow(r, s.items)
		case s.caseID != 0:
			list, err := db.watchItems(ctx, `SELECT `+watchCols+watchFrom+` WHERE (p.id IN (SELECT petition_id FROM case_petitions WHERE case_id = ?)
				OR p.repeat_of_id IN (SELECT petition_id FROM case_petitions WHERE case_id = ?)) AND `+scope+` ORDER BY p.received_at, p.id`,
				append([]any{s.caseID, s.caseID}, sargs...)...)
			if err != nil {
				return err
			}
			unit := r.Unit
			fillRow(r, list)
			if unit != nil {
				r.Unit = unit // a case answers for its responsible unit
			}
		case s.root != 0:
			var mine []*watchItem
			for _, it := range byRoot[s.root] {
				if it.Depth == 0 {
					m := it.WatchPetition
					r.Matter = &m
					if s.petitioner == 0 {
						r.PetitionerID, r.PetitionerName = it.PetitionerID, it.PetitionerName
					}
				}
				if s.petitioner == 0 || it.Depth == 0 || it.PetitionerID == s.petitioner {
					mine = append(mine, it)
				}
				if s.petitioner != 0 && it.PetitionerID == s.petitioner {
					r.PetitionerName = it.PetitionerName
				}
			}
			fillRow(r, mine)
		}
	}
	return nil
}

var escalatedClause = `p.escalation IN ` + watchedEscalation

// escalationRows returns one page of escalated visits (赴省、进京), newest
// first, each with the petitioner's count of escalated visits and the
// investigation opened on it.
func (db *DisciplineStore) escalationRows(ctx context.Context, scope string, sargs []any, offset, limit int) ([]*xinfang.WatchRow, error) {
	items, err := db.watchItems(ctx, `SELECT `+watchCols+watchFrom+` WHERE `+escalatedClause+` AND `+scope+
		` ORDER BY p.received_at DESC, p.id DESC LIMIT ? OFFSET ?`, append(append([]any{}, sargs...), limit, offset)...)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	pets := map[int64]bool{}
	ids := make([]int64, len(items))
	for i, it := range items {
		pets[it.PetitionerID] = true
		ids[i] = it.ID
	}
	petIDs := make([]int64, 0, len(pets))
	for id := range pets {
		petIDs = append(petIDs, id)
	}
	rows, err := db.query(ctx, `SELECT p.person_id, COUNT(*) FROM petitions p WHERE `+escalatedClause+` AND p.person_id IN (`+placeholders(len(petIDs))+`) AND `+scope+
		` GROUP BY p.person_id`, append(idArgs(petIDs), sargs...)...)
	per, err := scanIDMap(rows, err)
	if err != nil {
		return nil, err
	}
	rows, err = db.query(ctx, `SELECT petition_id, MAX(id) FROM investigations WHERE petition_id IN (`+placeholders(len(ids))+`) GROUP BY petition_id`, idArgs(ids)...)
	inv, err := scanIDMap(rows, err)
	if err != nil {
		return nil, err
	}
	out := make([]*xinfang.WatchRow, 0, len(items))
	for _, it := range items {
		r := newStub(xinfang.WatchEscalation, "", int(per[it.PetitionerID]), it.ReceivedAt).row
		fillRow(r, []*watchItem{it})
		m := it.WatchPetition
		r.Matter, r.Escalation = &m, it.Escalation
		r.InvestigationID = inv[it.ID]
		r.Reason = fmt.Sprintf("%s越级访（该信访人赴省进京共 %d 次）", it.Escalation.Label(), r.Count)
		out = append(out, r)
	}
	return out, nil
}

// FindWatchList returns one page of the watch list (all kinds, or the kind
// of the filter) with the count of every kind, for readers of discipline
// work. Repeat rows come first, the petitioners with most repeats on top,
// then the handed-down matters, latest first; escalated visits are paged in
// SQL, newest first.
func (db *DisciplineStore) FindWatchList(ctx context.Context, f xinfang.WatchFilter) (*xinfang.WatchPage, error) {
	return db.findWatchList(ctx, f, watchSQL)
}

// findWatchList is FindWatchList with the grouping queries wq.
func (db *DisciplineStore) findWatchList(ctx context.Context, f xinfang.WatchFilter, wq watchQueries) (*xinfang.WatchPage, error) {
	if _, err := requireDisciplineReader(ctx); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	scope, sargs, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	if wq.kept {
		if aud, ok, err := db.readerAudience(ctx); err != nil {
			return nil, err
		} else if ok {
			return db.keptWatchList(ctx, f, aud, scope, sargs)
		}
	}
	repeats, err := db.repeatStubs(ctx, scope, sargs, wq)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(repeats, func(i, j int) bool {
		a, b := repeats[i].row, repeats[j].row
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if !a.LatestAt.Equal(b.LatestAt) {
			return a.LatestAt.After(b.LatestAt)
		}
		return repeats[i].key() < repeats[j].key()
	})
	handed, err := db.handedDownStubs(ctx, scope, sargs, wq)
	if err != nil {
		return nil, err
	}
	sortHanded(handed)
	var escalations int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM petitions p WHERE `+escalatedClause+` AND `+scope, sargs...).Scan(&escalations); err != nil {
		return nil, err
	}
	page := &xinfang.WatchPage{Items: []*xinfang.WatchRow{}, Offset: f.Offset, Limit: f.Limit, Counts: map[xinfang.WatchKind]int{
		xinfang.WatchRepeat: len(repeats), xinfang.WatchHandedDown: len(handed), xinfang.WatchEscalation: escalations,
	}}
	var listed []*watchStub
	if f.Kind == "" || f.Kind == xinfang.WatchRepeat {
		listed = append(listed, repeats...)
	}
	if f.Kind == "" || f.Kind == xinfang.WatchHandedDown {
		listed = append(listed, handed...)
	}
	var part []*watchStub
	if f.Offset < len(listed) {
		part = listed[f.Offset:min(f.Offset+f.Limit, len(listed))]
	}
	if err := db.finishWatchPage(ctx, page, f, part, len(listed), escalations, scope, sargs); err != nil {
		return nil, err
	}
	return page, nil
}

// finishWatchPage loads the items of part, the page's rows of the listed
// repeat and handed-down rows, and fills the rest of the page with the
// escalated visits.
func (db *DisciplineStore) finishWatchPage(ctx context.Context, page *xinfang.WatchPage, f xinfang.WatchFilter, part []*watchStub, listed, escalations int, scope string, sargs []any) error {
	page.Total = listed
	if err := db.fillStubs(ctx, part, scope, sargs); err != nil {
		return err
	}
	for _, s := range part {
		page.Items = append(page.Items, s.row)
	}
	if f.Kind == "" || f.Kind == xinfang.WatchEscalation {
		page.Total += escalations
		if room := f.Limit - len(page.Items); room > 0 {
			esc, err := db.escalationRows(ctx, scope, sargs, max(f.Offset-listed, 0), room)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, esc...)
		}
	}
	return nil
}

// ---- Investigations ----

// ---- Accountability records ----

// ---- Responsibility letters ----
