package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
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
// subtree. Every petition reached from here goes through scopeClause, so a
// 检举控告 item stays hidden from whoever may not see it.

// watchCols are the columns of a watch-list item (alias p, with pt the
// petitioner and hu/ru the handling and registering units).
const watchCols = `p.id, p.number, p.received_at, p.channel, p.summary, p.state, p.repeat_flag, COALESCE(p.repeat_of_id, 0), p.escalation,
	p.petitioner_id, pt.name, p.anonymous, COALESCE(p.handling_unit_id, p.reg_unit_id), COALESCE(hu.name, ru.name), p.locality_id, p.category`

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
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if !xinfang.CanInspect(u) {
		return nil, xinfang.Errorf(xinfang.EFORBIDDEN, "只有纪委监委的纪检监察员可以进行此操作")
	}
	return u, nil
}

// requireDisciplineReader returns the acting user if it may read the watch
// list and the investigations, else EFORBIDDEN.
func requireDisciplineReader(ctx context.Context) (*xinfang.User, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if !xinfang.CanReadDiscipline(u) {
		return nil, xinfang.Errorf(xinfang.EFORBIDDEN, "纪检监督信息仅纪检监察员及市级督查员、领导可以查看")
	}
	return u, nil
}

// subtreeRange is "col lies in the subtree at path" as a range the
// indexes serve: paths end in "/" and "0" follows "/" in ASCII.
func discSubtree(col, path string) (string, []any) {
	return "(" + col + " >= ? AND " + col + " < ?)", []any{path, path[:len(path)-1] + "0"}
}

// recordScope is the scope of accountability records and letters, on the
// unit path column col: everything for city-wide readers, the own subtree
// for other staff, nothing (EFORBIDDEN) for the rest.
func discRecordScope(ctx context.Context, col string) (string, []any, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil || u.Unit == nil {
		return "", nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if xinfang.CanReadDiscipline(u) {
		return "1 = 1", nil, nil
	}
	s := xinfang.ScopeOf(u)
	if s.None {
		return "", nil, xinfang.Errorf(xinfang.EFORBIDDEN, "无权查看问责记录和责任书")
	}
	if s.All {
		return "1 = 1", nil, nil
	}
	c, a := discSubtree(col, u.Unit.Path)
	return c, a, nil
}

func discPlaceholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func discIDArgs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
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

func newStub(kind, basis string, count int, latest time.Time) *watchStub {
	return &watchStub{row: &xinfang.WatchRow{Kind: kind, KindLabel: xinfang.LabelOf(xinfang.WatchKinds, kind), Basis: basis, Count: count, LatestAt: latest, Items: []*xinfang.WatchPetition{}}}
}

// chainSQL walks repeat chains downwards from the originals selected by
// seed (a query of petition ids named id). The walk carries the columns
// that the grouping and the data scope read, named as in petitions, so
// that a query may alias the chain as p and apply scopeClause to it; the
// petitions_repeat_chain index holds them all, so the walk never reads a
// petition row. The originals' own columns are read only with rootRows
// (else they are NULL). The depth limit guards against a cycle made by
// merging.
func chainSQL(seed string, rootRows bool) string {
	first := `SELECT s.id, s.id, 0, ` + chainNulls + ` FROM (` + seed + `) s`
	if rootRows {
		first = `SELECT s.id, s.id, 0, ` + prefixed("s.", chainCols) + ` FROM petitions s WHERE s.id IN (` + seed + `)`
	}
	return `chain(id, root, depth, ` + chainCols + `) AS (
		` + first + `
		UNION ALL
		SELECT c.id, ch.root, ch.depth + 1, ` + prefixed("c.", chainCols) + ` FROM chain ch JOIN petitions c ON c.repeat_of_id = ch.id WHERE ch.depth < 200)`
}

// chainCols are the columns a chain carries; scopeClause reads purpose,
// reg_user_id and the paths. chainNulls are their NULLs, typed as the
// columns are, which PostgreSQL's recursive queries require.
const (
	chainCols  = `petitioner_id, received_at, channel, locality_id, category, purpose, reg_user_id, reg_path, handling_path, repeat_flag`
	chainNulls = `CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS INTEGER)`
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
	q := `WITH RECURSIVE ` + chainSQL(discPlaceholders(len(roots)), true) +
		` SELECT ` + watchCols + `, ch.root, ch.depth FROM chain ch CROSS JOIN petitions p
		JOIN petitioners pt ON pt.id = p.petitioner_id
		JOIN units ru ON ru.id = p.reg_unit_id
		LEFT JOIN units hu ON hu.id = p.handling_unit_id
		WHERE p.id = ch.id AND ` + scope + ` ORDER BY ch.root, p.received_at, p.id`
	rows, err := db.query(ctx, q, append(discIDArgs(roots), sargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*watchItem
	for rows.Next() {
		var root int64
		var depth int
		it, err := scanWatchItem(rows, &root, &depth)
		if err != nil {
			return nil, err
		}
		it.Root, it.Depth = root, depth
		out = append(out, it)
	}
	return out, rows.Err()
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

// repeatStubs finds petitioners with WatchRepeatThreshold or more repeat
// items on one matter: first along the repeat chains (the original and the
// items linked to it as repeats, grouped by petitioner and original), then,
// for items never linked, the same petitioner with the same 问题属地 and
// 内容分类 within a year.
func (db *DisciplineStore) repeatStubs(ctx context.Context, scope string, sargs []any) ([]*watchStub, error) {
	// The originals: items repeated that are no repeats themselves, both
	// read from the petitions_repeat_chain index alone.
	seed := `SELECT DISTINCT x.repeat_of_id AS id FROM petitions x WHERE x.repeat_of_id IS NOT NULL
		AND x.repeat_of_id NOT IN (SELECT y.id FROM petitions y WHERE y.repeat_of_id IS NOT NULL)`
	// The matter of a chain row is keyed by its repeats' own 属地 and 分类,
	// which is what the fallback below groups by.
	rows, err := db.query(ctx, `WITH RECURSIVE `+chainSQL(seed, false)+`
		SELECT p.petitioner_id, p.root, COUNT(*), MAX(p.received_at), MIN(p.locality_id), MIN(p.category)
		FROM chain p WHERE p.depth > 0 AND `+scope+`
		GROUP BY p.petitioner_id, p.root HAVING COUNT(*) >= ?`,
		append(append([]any{}, sargs...), xinfang.WatchRepeatThreshold)...)
	if err != nil {
		return nil, err
	}
	// covered marks the matters already listed, so that the fallback does
	// not list the same petitioner's matter twice.
	type matter struct {
		petitioner, locality int64
		category             string
	}
	covered := map[matter]bool{}
	var out []*watchStub
	for rows.Next() {
		var m matter
		var root int64
		var n int
		var latest string
		if err := rows.Scan(&m.petitioner, &root, &n, &latest, &m.locality, &m.category); err != nil {
			rows.Close()
			return nil, err
		}
		covered[m] = true
		s := newStub(xinfang.WatchRepeat, xinfang.WatchByChain, n, parseTime(latest))
		s.root, s.petitioner = root, m.petitioner
		s.row.PetitionerID = m.petitioner
		s.row.Reason = fmt.Sprintf("同一事项重复信访 %d 次（重复件关联）", n)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// The fallback. The grouping reads only the petitions_matter index; the
	// scope applies when the few candidate groups are loaded, and only
	// removes items.
	need := xinfang.WatchRepeatThreshold + 1
	rows, err = db.query(ctx, `SELECT petitioner_id, locality_id, category FROM petitions
		GROUP BY petitioner_id, locality_id, category HAVING COUNT(*) >= ?`, need)
	if err != nil {
		return nil, err
	}
	cands := map[matter]bool{}
	petSet := map[int64]bool{}
	for rows.Next() {
		var m matter
		if err := rows.Scan(&m.petitioner, &m.locality, &m.category); err != nil {
			rows.Close()
			return nil, err
		}
		if !covered[m] {
			cands[m] = true
			petSet[m.petitioner] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
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
		all, err := db.watchItems(ctx, `SELECT `+watchCols+watchFrom+` WHERE p.petitioner_id IN (`+discPlaceholders(len(chunk))+`) AND `+scope+
			` ORDER BY p.received_at, p.id`, append(discIDArgs(chunk), sargs...)...)
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
		s := newStub(xinfang.WatchRepeat, xinfang.WatchByLocality, len(win)-1, win[len(win)-1].ReceivedAt)
		s.items = win
		first := win[0].WatchPetition
		s.row.Matter = &first
		s.row.PetitionerID = m.petitioner
		s.row.Reason = fmt.Sprintf("同一信访人、同一问题属地和内容分类一年内信访 %d 次（重复 %d 次）", len(win), len(win)-1)
		out = append(out, s)
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
// 中央/省 whose petitions include repeats. The originals are found by
// walking up from the handed-down items, all in one query.
func (db *DisciplineStore) handedDownStubs(ctx context.Context, scope string, sargs []any) ([]*watchStub, error) {
	rows, err := db.query(ctx, `WITH RECURSIVE up(id, parent, depth) AS (
			SELECT p.id, p.repeat_of_id, 0 FROM petitions p WHERE p.channel = 'handed_down'
			   AND (p.repeat_flag = 1 OR p.id IN (SELECT x.repeat_of_id FROM petitions x WHERE x.repeat_of_id IS NOT NULL)) AND `+scope+`
			UNION ALL
			SELECT q.id, q.repeat_of_id, up.depth + 1 FROM up JOIN petitions q ON q.id = up.parent WHERE up.depth < 200),
		`+chainSQL(`SELECT id FROM up WHERE parent IS NULL`, true)+`
		SELECT p.root, SUM(CASE WHEN p.depth > 0 OR p.repeat_flag = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN p.channel = 'handed_down' THEN 1 ELSE 0 END), MAX(p.received_at)
		FROM chain p WHERE `+scope+` GROUP BY p.root`, append(append([]any{}, sargs...), sargs...)...)
	if err != nil {
		return nil, err
	}
	var out []*watchStub
	for rows.Next() {
		var root int64
		var repeats, handed int
		var latest string
		if err := rows.Scan(&root, &repeats, &handed, &latest); err != nil {
			rows.Close()
			return nil, err
		}
		if handed == 0 || repeats == 0 {
			continue // the handed-down item lies outside the scope
		}
		s := newStub(xinfang.WatchHandedDown, xinfang.WatchByChain, repeats, parseTime(latest))
		s.root = root
		s.row.Reason = fmt.Sprintf("上级交办事项重复信访 %d 次（其中交办件 %d 件）", repeats, handed)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Backlog cases: their linked petitions and the repeats of those.
	cscope, cargs, err := caseScope(ctx)
	if err != nil {
		return nil, err
	}
	linked := `(p.id IN (SELECT petition_id FROM case_petitions WHERE case_id = c.id) OR p.repeat_of_id IN (SELECT petition_id FROM case_petitions WHERE case_id = c.id))`
	args := append(append(append([]any{}, sargs...), sargs...), cargs...)
	args = append(args, sargs...)
	rows, err = db.query(ctx, `SELECT c.id, c.number, c.title, c.source, c.state, c.responsible_unit_id, u.name,
			(SELECT COUNT(*) FROM petitions p WHERE `+linked+` AND p.repeat_flag = 1 AND `+scope+`),
			(SELECT MAX(p.received_at) FROM petitions p WHERE `+linked+` AND `+scope+`)
		FROM cases c JOIN units u ON u.id = c.responsible_unit_id
		WHERE c.source IN ('central','province') AND `+cscope+` AND EXISTS (
			SELECT 1 FROM case_petitions cp JOIN petitions p ON p.id = cp.petition_id
			 WHERE cp.case_id = c.id AND (p.repeat_flag = 1 OR EXISTS (SELECT 1 FROM petitions x WHERE x.repeat_of_id = p.id)) AND `+scope+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		ref := &xinfang.CaseRef{}
		unit := &xinfang.UnitRef{}
		var repeats int
		var latest sql.NullString
		if err := rows.Scan(&ref.ID, &ref.Number, &ref.Title, &ref.Source, &ref.State, &unit.ID, &unit.Name, &repeats, &latest); err != nil {
			return nil, err
		}
		ref.SourceLabel = xinfang.LabelOf(xinfang.CaseSources, ref.Source)
		s := newStub(xinfang.WatchHandedDown, "", repeats, parseTime(latest.String))
		s.caseID = ref.ID
		s.row.Case, s.row.Unit = ref, unit
		s.row.Reason = fmt.Sprintf("%s积案，关联信访件中重复件 %d 件", ref.SourceLabel, repeats)
		out = append(out, s)
	}
	return out, rows.Err()
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

const escalatedClause = `p.escalation IN ('province','beijing')`

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
	per := map[int64]int{}
	rows, err := db.query(ctx, `SELECT p.petitioner_id, COUNT(*) FROM petitions p WHERE `+escalatedClause+` AND p.petitioner_id IN (`+discPlaceholders(len(petIDs))+`) AND `+scope+
		` GROUP BY p.petitioner_id`, append(discIDArgs(petIDs), sargs...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		per[id] = n
	}
	rows.Close()
	inv := map[int64]int64{}
	rows, err = db.query(ctx, `SELECT petition_id, MAX(id) FROM investigations WHERE petition_id IN (`+discPlaceholders(len(ids))+`) GROUP BY petition_id`, discIDArgs(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var pid, iid int64
		if err := rows.Scan(&pid, &iid); err != nil {
			rows.Close()
			return nil, err
		}
		inv[pid] = iid
	}
	rows.Close()
	out := make([]*xinfang.WatchRow, 0, len(items))
	for _, it := range items {
		r := newStub(xinfang.WatchEscalation, "", per[it.PetitionerID], it.ReceivedAt).row
		fillRow(r, []*watchItem{it})
		m := it.WatchPetition
		r.Matter, r.Escalation = &m, it.Escalation
		r.InvestigationID = inv[it.ID]
		r.Reason = fmt.Sprintf("%s越级访（该信访人赴省进京共 %d 次）", xinfang.LabelOf(xinfang.EscalationLevels, it.Escalation), r.Count)
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
	if _, err := requireDisciplineReader(ctx); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	scope, sargs, err := scopeClause(ctx)
	if err != nil {
		return nil, err
	}
	repeats, err := db.repeatStubs(ctx, scope, sargs)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(repeats, func(i, j int) bool {
		a, b := repeats[i].row, repeats[j].row
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.LatestAt.After(b.LatestAt)
	})
	handed, err := db.handedDownStubs(ctx, scope, sargs)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(handed, func(i, j int) bool { return handed[i].row.LatestAt.After(handed[j].row.LatestAt) })
	var escalations int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM petitions p WHERE `+escalatedClause+` AND `+scope, sargs...).Scan(&escalations); err != nil {
		return nil, err
	}
	page := &xinfang.WatchPage{Items: []*xinfang.WatchRow{}, Offset: f.Offset, Limit: f.Limit, Counts: map[string]int{
		xinfang.WatchRepeat: len(repeats), xinfang.WatchHandedDown: len(handed), xinfang.WatchEscalation: escalations,
	}}
	var listed []*watchStub
	if f.Kind == "" || f.Kind == xinfang.WatchRepeat {
		listed = append(listed, repeats...)
	}
	if f.Kind == "" || f.Kind == xinfang.WatchHandedDown {
		listed = append(listed, handed...)
	}
	page.Total = len(listed)
	if f.Offset < len(listed) {
		part := listed[f.Offset:min(f.Offset+f.Limit, len(listed))]
		if err := db.fillStubs(ctx, part, scope, sargs); err != nil {
			return nil, err
		}
		for _, s := range part {
			page.Items = append(page.Items, s.row)
		}
	}
	if f.Kind == "" || f.Kind == xinfang.WatchEscalation {
		page.Total += escalations
		if room := f.Limit - len(page.Items); room > 0 {
			esc, err := db.escalationRows(ctx, scope, sargs, max(f.Offset-len(listed), 0), room)
			if err != nil {
				return nil, err
			}
			page.Items = append(page.Items, esc...)
		}
	}
	return page, nil
}

// ---- Investigations ----

const investigationCols = `i.id, i.version, COALESCE(i.petition_id, 0), COALESCE(p.number, ''), COALESCE(i.case_id, 0), i.unit_id, u.name, i.cause, i.summary,
	i.escalation, i.state, i.case_findings, i.case_measures, i.case_outcome, i.case_concluded_at, i.resp_findings, i.resp_outcome, i.resp_concluded_at,
	i.opened_by, i.opened_by_name, i.opened_at, i.closed_at, i.closing_note, i.updated_at`

const investigationFrom = ` FROM investigations i JOIN units u ON u.id = i.unit_id LEFT JOIN petitions p ON p.id = i.petition_id`

func scanInvestigation(s interface{ Scan(...any) error }) (*xinfang.Investigation, error) {
	iv := &xinfang.Investigation{Unit: &xinfang.UnitRef{}}
	var caseAt, respAt, opened, closed, updated string
	err := s.Scan(&iv.ID, &iv.Version, &iv.PetitionID, &iv.PetitionNumber, &iv.CaseID, &iv.UnitID, &iv.Unit.Name, &iv.Cause, &iv.Summary,
		&iv.Escalation, &iv.State, &iv.CaseTrack.Findings, &iv.CaseTrack.Measures, &iv.CaseTrack.Outcome, &caseAt,
		&iv.ResponsibilityTrack.Findings, &iv.ResponsibilityTrack.Outcome, &respAt,
		&iv.OpenedByID, &iv.OpenedByName, &opened, &closed, &iv.ClosingNote, &updated)
	if err != nil {
		return nil, err
	}
	iv.Unit.ID = iv.UnitID
	iv.CaseTrack.ConcludedAt, iv.ResponsibilityTrack.ConcludedAt = parseTime(caseAt), parseTime(respAt)
	iv.OpenedAt, iv.ClosedAt, iv.UpdatedAt = parseTime(opened), parseTime(closed), parseTime(updated)
	if iv.CaseID != 0 {
		iv.Case = &xinfang.CaseRef{ID: iv.CaseID}
	}
	iv.Fill()
	return iv, nil
}

// investigationScope hides investigations on petitions the reader may not
// see (检举控告 items follow their own visibility).
func investigationScope(ctx context.Context) (string, []any, error) {
	scope, args, err := scopeClause(ctx)
	if err != nil {
		return "", nil, err
	}
	return "(i.petition_id IS NULL OR " + scope + ")", args, nil
}

func (db *DisciplineStore) findInvestigation(ctx context.Context, q rowQuerier, id int64) (*xinfang.Investigation, error) {
	scope, args, err := investigationScope(ctx)
	if err != nil {
		return nil, err
	}
	iv, err := scanInvestigation(q.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+investigationCols+investigationFrom+` WHERE i.id = ? AND `+scope), append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "提级调查不存在或无权查看")
	}
	return iv, nil
}

// loadInvestigation fills the officials and the case of an investigation.
func (db *DisciplineStore) loadInvestigation(ctx context.Context, q rowQuerier, iv *xinfang.Investigation) error {
	rows, err := q.QueryContext(ctx, db.dialect.rebind(`SELECT o.name, o.unit_id, u.name, o.position FROM investigation_officials o JOIN units u ON u.id = o.unit_id
		WHERE o.investigation_id = ? ORDER BY o.seq`), iv.ID)
	if err != nil {
		return err
	}
	iv.ResponsibilityTrack.Officials = []xinfang.Official{}
	for rows.Next() {
		var o xinfang.Official
		if err := rows.Scan(&o.Name, &o.UnitID, &o.UnitName, &o.Position); err != nil {
			rows.Close()
			return err
		}
		iv.ResponsibilityTrack.Officials = append(iv.ResponsibilityTrack.Officials, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if iv.CaseID != 0 {
		c, err := db.discCaseRef(ctx, q, iv.CaseID)
		if err != nil && xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			return err
		}
		if c != nil {
			iv.Case = c
		}
	}
	return nil
}

// caseRef returns the number, title, source and state of a backlog case.
func (db *DisciplineStore) discCaseRef(ctx context.Context, q rowQuerier, id int64) (*xinfang.CaseRef, error) {
	c := &xinfang.CaseRef{}
	err := q.QueryRowContext(ctx, db.dialect.rebind(`SELECT id, number, title, source, state FROM cases WHERE id = ?`), id).Scan(&c.ID, &c.Number, &c.Title, &c.Source, &c.State)
	if err != nil {
		return nil, db.notFound(err, "信访积案不存在")
	}
	c.SourceLabel = xinfang.LabelOf(xinfang.CaseSources, c.Source)
	return c, nil
}

// FindInvestigationByID returns an investigation with both tracks.
func (db *DisciplineStore) FindInvestigationByID(ctx context.Context, id int64) (*xinfang.Investigation, error) {
	if _, err := requireDisciplineReader(ctx); err != nil {
		return nil, err
	}
	iv, err := db.findInvestigation(ctx, db.rdb, id)
	if err != nil {
		return nil, err
	}
	if err := db.loadInvestigation(ctx, db.rdb, iv); err != nil {
		return nil, err
	}
	return iv, nil
}

// FindInvestigations lists investigations, open ones first, newest first.
func (db *DisciplineStore) FindInvestigations(ctx context.Context, f xinfang.InvestigationFilter) ([]*xinfang.Investigation, int, error) {
	if _, err := requireDisciplineReader(ctx); err != nil {
		return nil, 0, err
	}
	scope, args, err := investigationScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	where := scope
	if f.State != "" {
		if f.State != xinfang.InvestigationOpen && f.State != xinfang.InvestigationClosed {
			return nil, 0, xinfang.FieldError("state", "状态应为 open 或 closed")
		}
		where += " AND i.state = ?"
		args = append(args, f.State)
	}
	if f.PetitionID != 0 {
		where += " AND i.petition_id = ?"
		args = append(args, f.PetitionID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		return nil, 0, xinfang.FieldError("offset", "offset 不能为负数")
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*)`+investigationFrom+` WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+investigationCols+investigationFrom+` WHERE `+where+
		` ORDER BY CASE WHEN i.state = 'open' THEN 0 ELSE 1 END, i.opened_at DESC, i.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	out := []*xinfang.Investigation{}
	for rows.Next() {
		iv, err := scanInvestigation(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, iv)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for _, iv := range out {
		if err := db.loadInvestigation(ctx, db.rdb, iv); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// OpenInvestigation opens a raised investigation (提级调查) on an escalated
// visit (赴省、进京) and/or a backlog case, naming the unit whose failure
// caused it. By default the unit is the one handling the petition.
func (db *DisciplineStore) OpenInvestigation(ctx context.Context, in xinfang.InvestigationInput) (*xinfang.Investigation, error) {
	actor, err := requireDisciplineWriter(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err = db.write(ctx, func(tx *Tx) error {
		escalation := ""
		if in.PetitionID != 0 {
			p, err := db.findPetition(ctx, tx, in.PetitionID)
			if err != nil {
				return xinfang.FieldError("petition_id", "信访件不存在或无权查看")
			}
			if p.Escalation != "province" && p.Escalation != "beijing" {
				return xinfang.FieldError("petition_id", "只有赴省、进京越级访可以提级调查")
			}
			escalation = p.Escalation
			if in.UnitID == 0 {
				in.UnitID = p.HandlingUnitID
				if in.UnitID == 0 {
					in.UnitID = p.RegUnitID
				}
			}
			var open int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM investigations WHERE petition_id = ? AND state = 'open'`, in.PetitionID).Scan(&open); err != nil {
				return err
			}
			if open > 0 {
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已有进行中的提级调查", Fields: map[string]string{"petition_id": "已有进行中的提级调查"}}
			}
		}
		if in.CaseID != 0 {
			if _, err := db.discCaseRef(ctx, tx, in.CaseID); err != nil {
				if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
					return xinfang.FieldError("case_id", "信访积案不存在")
				}
				return err
			}
		}
		if in.UnitID == 0 {
			return xinfang.FieldError("unit_id", "请选择责任单位")
		}
		if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, in.UnitID)); err != nil {
			return db.notFoundField(err, "unit_id", "责任单位不存在")
		}
		now := fmtTime(tx.now)
		id, err = tx.insert(ctx, `INSERT INTO investigations (petition_id, case_id, unit_id, cause, summary, escalation, state, opened_by, opened_by_name, opened_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)`, nullID(in.PetitionID), nullID(in.CaseID), in.UnitID, in.Cause, in.Summary, escalation,
			actor.ID, actor.Name, now, now)
		if db.dialect.unique(err) {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已有进行中的提级调查", Fields: map[string]string{"petition_id": "已有进行中的提级调查"}}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindInvestigationByID(ctx, id)
}

// changeInvestigation loads a running investigation in the transaction,
// lets fn change it, and stores the new version; a version other than the
// stored one is ECONFLICT and writes nothing.
func (db *DisciplineStore) changeInvestigation(ctx context.Context, id int64, version int, fn func(tx *Tx, iv *xinfang.Investigation) (string, []any, error)) (*xinfang.Investigation, error) {
	if _, err := requireDisciplineWriter(ctx); err != nil {
		return nil, err
	}
	err := db.write(ctx, func(tx *Tx) error {
		iv, err := db.findInvestigation(ctx, tx, id)
		if err != nil {
			return err
		}
		if iv.Version != version {
			return staleInvestigation()
		}
		if iv.State != xinfang.InvestigationOpen {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "提级调查已办结，不能再修改", Fields: map[string]string{"state": "已办结"}}
		}
		if err := db.loadInvestigation(ctx, tx, iv); err != nil {
			return err
		}
		set, args, err := fn(tx, iv)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE investigations SET `+set+`, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			append(args, fmtTime(tx.now), id, version)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleInvestigation()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindInvestigationByID(ctx, id)
}

func staleInvestigation() error {
	return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该提级调查已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
}

// UpdateInvestigation changes the responsible unit, the cause or the
// summary of a running investigation.
func (db *DisciplineStore) UpdateInvestigation(ctx context.Context, id int64, up xinfang.InvestigationUpdate) (*xinfang.Investigation, error) {
	return db.changeInvestigation(ctx, id, up.Version, func(tx *Tx, iv *xinfang.Investigation) (string, []any, error) {
		in := xinfang.InvestigationInput{PetitionID: iv.PetitionID, CaseID: iv.CaseID, Cause: up.Cause, Summary: up.Summary}
		if err := in.Validate(); err != nil {
			return "", nil, err
		}
		if up.UnitID == 0 {
			up.UnitID = iv.UnitID
		}
		if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, up.UnitID)); err != nil {
			return "", nil, db.notFoundField(err, "unit_id", "责任单位不存在")
		}
		return "unit_id = ?, cause = ?, summary = ?", []any{up.UnitID, in.Cause, in.Summary}, nil
	})
}

// UpdateCaseTrack records the 事 track; an outcome concludes it, an empty
// outcome reopens it.
func (db *DisciplineStore) UpdateCaseTrack(ctx context.Context, id int64, in xinfang.CaseTrackInput) (*xinfang.Investigation, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return db.changeInvestigation(ctx, id, in.Version, func(tx *Tx, iv *xinfang.Investigation) (string, []any, error) {
		at := ""
		if in.Outcome != "" {
			at = fmtTime(tx.now)
			if iv.CaseTrack.Outcome != "" {
				at = fmtTime(iv.CaseTrack.ConcludedAt)
			}
		}
		return "case_findings = ?, case_measures = ?, case_outcome = ?, case_concluded_at = ?", []any{in.Findings, in.Measures, in.Outcome, at}, nil
	})
}

// UpdateResponsibilityTrack records the 人 track with its officials; an
// outcome concludes it, an empty outcome reopens it.
func (db *DisciplineStore) UpdateResponsibilityTrack(ctx context.Context, id int64, in xinfang.ResponsibilityTrackInput) (*xinfang.Investigation, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return db.changeInvestigation(ctx, id, in.Version, func(tx *Tx, iv *xinfang.Investigation) (string, []any, error) {
		for i, o := range in.Officials {
			if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, o.UnitID)); err != nil {
				return "", nil, db.notFoundField(err, "officials."+strconv.Itoa(i)+".unit_id", "单位不存在")
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM investigation_officials WHERE investigation_id = ?`, id); err != nil {
			return "", nil, err
		}
		for i, o := range in.Officials {
			if _, err := tx.exec(ctx, `INSERT INTO investigation_officials (investigation_id, seq, name, unit_id, position) VALUES (?, ?, ?, ?, ?)`,
				id, i+1, o.Name, o.UnitID, o.Position); err != nil {
				return "", nil, err
			}
		}
		at := ""
		if in.Outcome != "" {
			at = fmtTime(tx.now)
			if iv.ResponsibilityTrack.Outcome != "" {
				at = fmtTime(iv.ResponsibilityTrack.ConcludedAt)
			}
		}
		return "resp_findings = ?, resp_outcome = ?, resp_concluded_at = ?", []any{in.Findings, in.Outcome, at}, nil
	})
}

// CloseInvestigation closes an investigation whose two tracks are both
// concluded; otherwise ECONFLICT names each missing track.
func (db *DisciplineStore) CloseInvestigation(ctx context.Context, id int64, version int, note string) (*xinfang.Investigation, error) {
	return db.changeInvestigation(ctx, id, version, func(tx *Tx, iv *xinfang.Investigation) (string, []any, error) {
		if err := iv.CloseRefusal(); err != nil {
			return "", nil, err
		}
		return "state = 'closed', closed_at = ?, closing_note = ?", []any{fmtTime(tx.now), strings.TrimSpace(note)}, nil
	})
}

// DeleteInvestigation removes an investigation opened by mistake: only a
// running one with nothing recorded on either track and no accountability
// record resting on it.
func (db *DisciplineStore) DeleteInvestigation(ctx context.Context, id int64, version int) error {
	if _, err := requireDisciplineWriter(ctx); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		iv, err := db.findInvestigation(ctx, tx, id)
		if err != nil {
			return err
		}
		if iv.Version != version {
			return staleInvestigation()
		}
		if err := db.loadInvestigation(ctx, tx, iv); err != nil {
			return err
		}
		var refs int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM accountabilities WHERE investigation_id = ?`, id).Scan(&refs); err != nil {
			return err
		}
		t := iv.CaseTrack
		r := iv.ResponsibilityTrack
		if iv.State != xinfang.InvestigationOpen || t.Findings != "" || t.Measures != "" || t.Outcome != "" || r.Findings != "" || r.Outcome != "" || len(r.Officials) > 0 || refs > 0 {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "提级调查已有调查记录或问责记录，不能删除", Fields: map[string]string{"state": "已有记录"}}
		}
		if _, err := tx.exec(ctx, `DELETE FROM investigation_officials WHERE investigation_id = ?`, id); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `DELETE FROM investigations WHERE id = ?`, id)
		return err
	})
}

// ---- Accountability records ----

const accountabilityCols = `a.id, a.target, a.unit_id, u.name, a.official_name, a.official_position, a.measure, a.decided_on, a.decided_by,
	a.ground, a.note, COALESCE(a.investigation_id, 0), a.created_by, a.created_by_name, a.created_at`

const accountabilityFrom = ` FROM accountabilities a JOIN units u ON u.id = a.unit_id`

func scanAccountability(s interface{ Scan(...any) error }) (*xinfang.Accountability, error) {
	a := &xinfang.Accountability{Unit: &xinfang.UnitRef{}}
	var created string
	if err := s.Scan(&a.ID, &a.Target, &a.UnitID, &a.Unit.Name, &a.OfficialName, &a.OfficialPosition, &a.Measure, &a.DecidedOn, &a.DecidedBy,
		&a.Ground, &a.Note, &a.InvestigationID, &a.CreatedByID, &a.CreatedByName, &created); err != nil {
		return nil, err
	}
	a.Unit.ID, a.CreatedAt = a.UnitID, parseTime(created)
	return a, nil
}

// CreateAccountability stores an accountability record. Linked petitions
// must be visible to the inspector, linked cases and the investigation
// must exist; the deciding body defaults to the inspector's unit.
func (db *DisciplineStore) CreateAccountability(ctx context.Context, a *xinfang.Accountability) error {
	actor, err := requireDisciplineWriter(ctx)
	if err != nil {
		return err
	}
	a.PetitionIDs, a.CaseIDs = discUniqueIDs(a.PetitionIDs), discUniqueIDs(a.CaseIDs)
	if err := a.Validate(); err != nil {
		return err
	}
	if a.DecidedBy == "" {
		a.DecidedBy = actor.Unit.Name
	}
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, a.UnitID)); err != nil {
			return db.notFoundField(err, "unit_id", "单位不存在")
		}
		for _, pid := range a.PetitionIDs {
			if _, err := db.findPetition(ctx, tx, pid); err != nil {
				return xinfang.FieldError("petition_ids", "信访件 "+itoa(pid)+" 不存在或无权查看")
			}
		}
		for _, cid := range a.CaseIDs {
			if _, err := db.discCaseRef(ctx, tx, cid); err != nil {
				if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
					return xinfang.FieldError("case_ids", "信访积案 "+itoa(cid)+" 不存在")
				}
				return err
			}
		}
		if a.InvestigationID != 0 {
			if _, err := db.findInvestigation(ctx, tx, a.InvestigationID); err != nil {
				if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
					return xinfang.FieldError("investigation_id", "提级调查不存在")
				}
				return err
			}
		}
		a.CreatedByID, a.CreatedByName, a.CreatedAt = actor.ID, actor.Name, tx.now
		id, err := tx.insert(ctx, `INSERT INTO accountabilities (target, unit_id, official_name, official_position, measure, decided_on, decided_by, ground, note, investigation_id, created_by, created_by_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Target, a.UnitID, a.OfficialName, a.OfficialPosition, a.Measure, a.DecidedOn, a.DecidedBy,
			a.Ground, a.Note, nullID(a.InvestigationID), actor.ID, actor.Name, fmtTime(tx.now))
		if err != nil {
			return err
		}
		a.ID = id
		for _, pid := range a.PetitionIDs {
			if _, err := tx.exec(ctx, `INSERT INTO accountability_petitions (accountability_id, petition_id) VALUES (?, ?)`, id, pid); err != nil {
				return err
			}
		}
		for _, cid := range a.CaseIDs {
			if _, err := tx.exec(ctx, `INSERT INTO accountability_cases (accountability_id, case_id) VALUES (?, ?)`, id, cid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindAccountabilityByID(ctx, a.ID)
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

func discUniqueIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// loadAccountabilityLinks fills the linked items the reader may see and
// the linked cases.
func (db *DisciplineStore) loadAccountabilityLinks(ctx context.Context, list []*xinfang.Accountability) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*xinfang.Accountability{}
	ids := make([]int64, len(list))
	for i, a := range list {
		byID[a.ID], ids[i] = a, a.ID
		a.PetitionIDs, a.CaseIDs, a.Petitions = []int64{}, []int64{}, []xinfang.PetitionRef{}
	}
	scope, sargs, err := scopeClause(ctx)
	if err != nil {
		return err
	}
	rows, err := db.query(ctx, `SELECT ap.accountability_id, p.id, p.number FROM accountability_petitions ap JOIN petitions p ON p.id = ap.petition_id
		WHERE ap.accountability_id IN (`+discPlaceholders(len(ids))+`) AND `+scope+` ORDER BY p.id`, append(discIDArgs(ids), sargs...)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var aid int64
		var ref xinfang.PetitionRef
		if err := rows.Scan(&aid, &ref.ID, &ref.Number); err != nil {
			rows.Close()
			return err
		}
		a := byID[aid]
		a.PetitionIDs = append(a.PetitionIDs, ref.ID)
		a.Petitions = append(a.Petitions, ref)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	cscope, cargs, err := caseScope(ctx)
	if err != nil {
		return err
	}
	rows, err = db.query(ctx, `SELECT ac.accountability_id, ac.case_id FROM accountability_cases ac JOIN cases c ON c.id = ac.case_id
		WHERE ac.accountability_id IN (`+discPlaceholders(len(ids))+`) AND `+cscope+` ORDER BY ac.case_id`, append(discIDArgs(ids), cargs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var aid, cid int64
		if err := rows.Scan(&aid, &cid); err != nil {
			return err
		}
		byID[aid].CaseIDs = append(byID[aid].CaseIDs, cid)
	}
	for _, a := range list {
		a.Fill()
	}
	return rows.Err()
}

// FindAccountabilityByID returns one accountability record the reader may
// see; one of another subtree is not found.
func (db *DisciplineStore) FindAccountabilityByID(ctx context.Context, id int64) (*xinfang.Accountability, error) {
	scope, args, err := discRecordScope(ctx, "u.path")
	if err != nil {
		return nil, err
	}
	a, err := scanAccountability(db.queryRow(ctx, `SELECT `+accountabilityCols+accountabilityFrom+` WHERE a.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "问责记录不存在或无权查看")
	}
	if err := db.loadAccountabilityLinks(ctx, []*xinfang.Accountability{a}); err != nil {
		return nil, err
	}
	return a, nil
}

// FindAccountabilities lists the accountability records the reader may
// see, newest decision first.
func (db *DisciplineStore) FindAccountabilities(ctx context.Context, f xinfang.AccountabilityFilter) ([]*xinfang.Accountability, int, error) {
	scope, args, err := discRecordScope(ctx, "u.path")
	if err != nil {
		return nil, 0, err
	}
	where := scope
	if f.UnitID != 0 {
		u, err := db.findUnit(ctx, f.UnitID)
		if err != nil {
			return nil, 0, xinfang.FieldError("unit_id", "单位不存在")
		}
		c, a := discSubtree("u.path", u.Path)
		where += " AND " + c
		args = append(args, a...)
	}
	if f.Measure != "" {
		if xinfang.LabelOf(xinfang.AccountabilityMeasures, f.Measure) == f.Measure {
			return nil, 0, xinfang.FieldError("measure", "未知的问责方式")
		}
		where += " AND a.measure = ?"
		args = append(args, f.Measure)
	}
	if f.Year != 0 {
		where += " AND a.decided_on >= ? AND a.decided_on < ?"
		args = append(args, fmt.Sprintf("%04d-01-01", f.Year), fmt.Sprintf("%04d-01-01", f.Year+1))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		return nil, 0, xinfang.FieldError("offset", "offset 不能为负数")
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*)`+accountabilityFrom+` WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+accountabilityCols+accountabilityFrom+` WHERE `+where+` ORDER BY a.decided_on DESC, a.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	out := []*xinfang.Accountability{}
	for rows.Next() {
		a, err := scanAccountability(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := db.loadAccountabilityLinks(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// ---- Responsibility letters ----

const letterCols = `l.id, l.unit_id, u.name, l.year, l.signed_on, l.targets, l.note, l.created_by, l.created_by_name, l.created_at, l.updated_at`

const letterFrom = ` FROM responsibility_letters l JOIN units u ON u.id = l.unit_id`

func scanLetter(s interface{ Scan(...any) error }) (*xinfang.ResponsibilityLetter, error) {
	l := &xinfang.ResponsibilityLetter{Unit: &xinfang.UnitRef{}}
	var targets, created, updated string
	if err := s.Scan(&l.ID, &l.UnitID, &l.Unit.Name, &l.Year, &l.SignedOn, &targets, &l.Note, &l.CreatedByID, &l.CreatedByName, &created, &updated); err != nil {
		return nil, err
	}
	l.Unit.ID, l.CreatedAt, l.UpdatedAt = l.UnitID, parseTime(created), parseTime(updated)
	if err := json.Unmarshal([]byte(targets), &l.Targets); err != nil {
		return nil, fmt.Errorf("letter %d targets: %w", l.ID, err)
	}
	if l.Targets == nil {
		l.Targets = []string{}
	}
	return l, nil
}

// canWriteLetters: the letters are signed between the city and its units;
// inspectors and city-wide supervisors keep them.
func canWriteLetters(u *xinfang.User) bool {
	return xinfang.CanInspect(u) || (u != nil && u.Has(xinfang.RoleSupervisor) && xinfang.ScopeOf(u).All)
}

// SaveResponsibilityLetter creates a letter (ID 0) or replaces one. A unit
// has one letter a year: a second is EINVALID naming year.
func (db *DisciplineStore) SaveResponsibilityLetter(ctx context.Context, l *xinfang.ResponsibilityLetter) error {
	actor := xinfang.UserFromContext(ctx)
	if actor == nil {
		return xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if !canWriteLetters(actor) {
		return xinfang.Errorf(xinfang.EFORBIDDEN, "只有纪检监察员和市级督查员可以登记责任书")
	}
	if err := l.Validate(); err != nil {
		return err
	}
	targets, err := json.Marshal(l.Targets)
	if err != nil {
		return err
	}
	dup := func() error {
		return xinfang.FieldError("year", fmt.Sprintf("该单位 %d 年度的责任书已存在", l.Year))
	}
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, l.UnitID)); err != nil {
			return db.notFoundField(err, "unit_id", "单位不存在")
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM responsibility_letters WHERE unit_id = ? AND year = ? AND id <> ?`, l.UnitID, l.Year, l.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return dup()
		}
		now := fmtTime(tx.now)
		if l.ID == 0 {
			id, err := tx.insert(ctx, `INSERT INTO responsibility_letters (unit_id, year, signed_on, targets, note, created_by, created_by_name, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.UnitID, l.Year, l.SignedOn, string(targets), l.Note, actor.ID, actor.Name, now, now)
			if db.dialect.unique(err) {
				return dup()
			}
			l.ID = id
			return err
		}
		res, err := tx.exec(ctx, `UPDATE responsibility_letters SET unit_id = ?, year = ?, signed_on = ?, targets = ?, note = ?, updated_at = ? WHERE id = ?`,
			l.UnitID, l.Year, l.SignedOn, string(targets), l.Note, now, l.ID)
		if db.dialect.unique(err) {
			return dup()
		} else if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return xinfang.Errorf(xinfang.ENOTFOUND, "责任书不存在")
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindResponsibilityLetterByID(ctx, l.ID)
	if err != nil {
		return err
	}
	*l = *got
	return nil
}

// FindResponsibilityLetterByID returns a letter the reader may see.
func (db *DisciplineStore) FindResponsibilityLetterByID(ctx context.Context, id int64) (*xinfang.ResponsibilityLetter, error) {
	scope, args, err := discRecordScope(ctx, "u.path")
	if err != nil {
		return nil, err
	}
	l, err := scanLetter(db.queryRow(ctx, `SELECT `+letterCols+letterFrom+` WHERE l.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "责任书不存在或无权查看")
	}
	return l, nil
}

// FindResponsibilityLetters lists the letters the reader may see, of a
// unit's subtree and a year when given, by year (newest) and unit.
func (db *DisciplineStore) FindResponsibilityLetters(ctx context.Context, unitID int64, year int) ([]*xinfang.ResponsibilityLetter, error) {
	scope, args, err := discRecordScope(ctx, "u.path")
	if err != nil {
		return nil, err
	}
	where := scope
	if unitID != 0 {
		u, err := db.findUnit(ctx, unitID)
		if err != nil {
			return nil, xinfang.FieldError("unit_id", "单位不存在")
		}
		c, a := discSubtree("u.path", u.Path)
		where += " AND " + c
		args = append(args, a...)
	}
	if year != 0 {
		where += " AND l.year = ?"
		args = append(args, year)
	}
	rows, err := db.query(ctx, `SELECT `+letterCols+letterFrom+` WHERE `+where+` ORDER BY l.year DESC, u.path, l.id LIMIT 1000`, args...)
	return scanAll(rows, err, scanLetter)
}
