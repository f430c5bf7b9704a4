package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// The lists of petitions (the ledger, the 工作台, the overdue list) read one
// page off an index in the list's order instead of collecting every match
// and sorting it. A data scope or a unit filter is a subtree on two columns,
// reg_path OR handling_path, and a range over either column comes out of
// its index ordered by path first, not by the list's order; a subtree holds
// few distinct paths (a town and its villages), though, and for each the
// index (path, order column) gives its rows in order. So a list of a
// subtree is a UNION ALL of branches, one per path found in the subtree —
// the items registered there, then the items handled there and registered
// outside it, so that no item comes twice — each ordered and limited to the
// page, merged by the outer ORDER BY. Every branch keeps the whole WHERE
// clause (scope and filters): a branch only says which index drives it.
//
// Counts stop at the store's count limit (MaxCount): a list of more is
// reported as MaxCount+1, "more than MaxCount", and shown as such.

// maxBranches bounds the branches of a list: a subtree with more distinct
// paths (a county seen from the top) is read as two ranges instead, which
// is correct and slower.
const maxBranches = 48

// orderKey is one column of a list's order.
type orderKey struct {
	col  string // a column of petitions p
	desc bool
}

// segment is a part of a list's order: its rows are those matching cond
// (all when empty), in the order of keys. A list is its segments one
// after the other.
type segment struct {
	cond string
	keys []orderKey
}

// petitionList is one list of petitions to page through.
type petitionList struct {
	where string // scope and filters over petitions p
	args  []any
	// countWhere, when set, is where as the count should say it: the same
	// rows, in a form an index finds (state IN the open states) where the
	// page needs a form that leaves the order's index to drive.
	countWhere string
	countArgs  []any
	// tree is a subtree that holds every row of where, by reg_path or
	// handling_path; "" when the rows may lie anywhere.
	tree string
	// drive, when set, are the branches (disjoint, each with its
	// arguments in driveArgs) instead of the paths of tree.
	drive     []string
	driveArgs [][]any
	// plan, when set, finds the branches in the list's read instead of
	// the paths of tree (the paths they name are found then).
	plan func(ctx context.Context, r cq) ([]string, [][]any, error)
	segs []segment
	// count, when set, may count the list another way (ledger_counts.go),
	// when its order is one segment of every row: ok false leaves it to
	// the branches.
	count func(r cq) (n int, ok bool, err error)
}

var (
	byReceivedDesc = []segment{{keys: []orderKey{{"received_at", true}, {"id", true}}}}
	byReceived     = []segment{{keys: []orderKey{{"received_at", false}, {"id", false}}}}
	byDue          = []segment{{cond: "p.due_date <> ''", keys: []orderKey{{"due_date", false}, {"id", false}}}}
	byNumber       = []segment{{keys: []orderKey{{"number", false}}}}
	// byDueFirst is the order of the worklists: the items falling due
	// first on top, in the ledger's order by due date (byDue), then those
	// without a running clock. Items due the same day follow their ids, as
	// in the ledger: the path indexes of the due dates hold (path,
	// due_date, id), so each branch reads its first rows in order, where a
	// tie by received_at had each branch sort all its rows (a town's
	// 待答复 read 8,000 to show 10, at a million items).
	byDueFirst = []segment{
		byDue[0],
		{cond: "p.due_date = ''", keys: []orderKey{{"received_at", false}, {"id", false}}},
	}
)

// countLimit is the count a list stops at: the store's, or the request's
// if lower (the 工作台's, xinfang.NewContextWithCountLimit).
func (db *core) countLimit(ctx context.Context) int {
	most := xinfang.MaxCount
	if db.MaxCount > 0 {
		most = db.MaxCount
	}
	if n := xinfang.CountLimitFrom(ctx); n > 0 {
		most = min(most, n)
	}
	return most
}

// listPetitions counts the list (up to the count limit, then countLimit+1)
// and returns one page of it, each item with its warning level as of today,
// all read as one view.
func (db *core) listPetitions(ctx context.Context, l petitionList, limit, offset int) ([]*xinfang.Petition, int, error) {
	var page []*xinfang.Petition
	total := 0
	err := db.read(ctx, func(q rowQuerier) error {
		r := cq{db, q}
		// Each segment is counted up to the count limit, or as far as the
		// page reaches if that is further: a segment counted to its end
		// says where the next one starts.
		most := db.countLimit(ctx)
		known := -1 // the count read another way, before the branches' generic plans
		if l.count != nil && len(l.segs) == 1 && l.segs[0].cond == "" {
			n, ok, err := l.count(r)
			if err != nil {
				return err
			}
			if ok {
				known = n
			}
		}
		// The session's own mode (auto, or what the --db URL set) is put
		// back after the branches. A list that finds its branches reads
		// the paths with generic plans too: their statements are the same
		// for every subtree.
		var mode string
		var err error
		if db.Postgres() && l.drive == nil && (l.plan != nil || l.tree != "") {
			if mode, err = planCacheMode(ctx, r, "force_generic_plan"); err != nil {
				return err
			}
		}
		branches, bargs, err := db.listBranches(ctx, r, l)
		if err != nil {
			return err
		}
		if db.Postgres() {
			switch several := len(branches) > 1; {
			case several && mode == "":
				if mode, err = planCacheMode(ctx, r, "force_generic_plan"); err != nil {
					return err
				}
			case !several && mode != "":
				if _, err = planCacheMode(ctx, r, mode); err != nil {
					return err
				}
				mode = ""
			}
		}
		if len(branches) == 0 {
			return nil
		}
		var ids []int64
		off, want := offset, limit
		for _, s := range l.segs {
			if want == 0 && total > most {
				break
			}
			bound := max(most+1-total, off+want)
			n := known
			if n < 0 {
				var err error
				if n, err = db.countBranches(ctx, r, branches, bargs, l, s, bound); err != nil {
					return err
				}
			}
			if want > 0 && off < n {
				got, err := db.pageBranches(ctx, r, branches, bargs, l, s, want, off)
				if err != nil {
					return err
				}
				ids = append(ids, got...)
				want -= len(got)
			}
			total += n
			if n >= bound {
				break // not counted to its end: the limit and the page lie within
			}
			off = max(off-n, 0)
		}
		total = min(total, most+1)
		if mode != "" {
			if _, err := planCacheMode(ctx, r, mode); err != nil {
				return err
			}
		}
		if len(ids) == 0 {
			return nil
		}
		page, err = db.petitionRows(ctx, r, ids)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if page == nil {
		page = []*xinfang.Petition{}
	}
	pr := db.Procedure(ctx)
	today := calendar.DateOf(db.Now())
	for _, p := range page {
		p.Warning = pr.WarningOf(p.DueDate, p.SevereDate, today)
	}
	return page, total, nil
}

// planCacheMode sets PostgreSQL's plan_cache_mode for the rest of the
// read transaction of r. A list of several branches is read with generic
// plans: it is a union of a dozen or more selects over a table of some
// thirty indexes, and planned for its values — as PostgreSQL plans a
// prepared statement's first five runs on each connection, and every run
// while the generic plan does not look cheaper — it took 4–17 ms to plan
// and 3–10 to run at ten million items (the town's 工作台 planned six of
// them at once). Each branch is driven by its path's index whatever the
// values, so one plan per connection serves every run. Lists of one
// branch, and the counts read from the 态势 counts, keep plans made for
// their values: generic ones read the wrong index for the city's list by
// number and for the counts of a unit's subtree.
// It returns the mode it replaced.
func planCacheMode(ctx context.Context, r cq, mode string) (was string, err error) {
	var got string
	err = r.row(ctx, `SELECT current_setting('plan_cache_mode'), set_config('plan_cache_mode', ?, true)`, mode).Scan(&was, &got)
	return was, err
}

// listBranches returns the branches of l: its own, those its plan finds,
// or those of its tree.
func (db *core) listBranches(ctx context.Context, r cq, l petitionList) ([]string, [][]any, error) {
	switch {
	case l.drive != nil:
		return l.drive, l.driveArgs, nil
	case l.plan != nil:
		return l.plan(ctx, r)
	}
	return db.branches(ctx, r, l.tree)
}

// branches returns the branches of a list bounded by the subtree at tree:
// "p.reg_path = ?" for each path registered in it, and "p.handling_path = ?"
// and registered outside it for each path handled in it. The paths are
// found by walking the path indexes from one distinct value to the next.
// Without a tree there is one branch, everything; a subtree without items
// has none.
func (db *core) branches(ctx context.Context, r cq, tree string) ([]string, [][]any, error) {
	if tree == "" {
		return []string{"(1 = 1)"}, [][]any{nil}, nil
	}
	upper := tree[:len(tree)-1] + "0"
	var branches []string
	var args [][]any
	outside := "NOT (p.reg_path >= ? AND p.reg_path < ?)"
	for _, col := range []string{"reg_path", "handling_path"} {
		paths, err := pathsIn(ctx, r, col, tree)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range paths {
			if col == "reg_path" {
				branches, args = append(branches, "p.reg_path = ?"), append(args, []any{p})
			} else {
				branches, args = append(branches, "p.handling_path = ? AND "+outside), append(args, []any{p, tree, upper})
			}
		}
	}
	if len(branches) > maxBranches {
		return []string{"p.reg_path >= ? AND p.reg_path < ?", "p.handling_path >= ? AND p.handling_path < ? AND " + outside},
			[][]any{{tree, upper}, {tree, upper, tree, upper}}, nil
	}
	return branches, args, nil
}

// numberBranches are the branches of a subtree's list by number on
// PostgreSQL: a number begins with its registering unit's code, so the
// branch of the items handled at a path and registered outside the
// subtree, read in number order off (handling_path, number), skipped every
// item the subtree registered itself before reaching the first from
// outside (4,000 of them for a village at ten million items). Instead each
// such path gives one branch per registering path outside the subtree,
// found off (handling_path, reg_path, number), whose rows that index
// gives in number order. More branches than maxBranches read as the
// subtree's own branches do.
func numberBranches(ctx context.Context, r cq, tree string) ([]string, [][]any, error) {
	registered, err := pathsIn(ctx, r, "reg_path", tree)
	if err != nil {
		return nil, nil, err
	}
	handled, err := pathsIn(ctx, r, "handling_path", tree)
	if err != nil {
		return nil, nil, err
	}
	var branches []string
	var args [][]any
	for _, g := range registered {
		branches, args = append(branches, "p.reg_path = ?"), append(args, []any{g})
	}
	upper := tree[:len(tree)-1] + "0"
	for _, h := range handled {
		// The registering paths of h's items outside the subtree: below
		// it, then above it, in one read.
		below, ba := distinctPaths("reg_path", "handling_path = ?", []any{h}, "", tree)
		above, aa := distinctPaths("reg_path", "handling_path = ?", []any{h}, upper, "")
		outside, err := scanPaths(r.rows(ctx, below+" UNION ALL SELECT x FROM ("+above+") f", append(ba, aa...)...))
		if err != nil {
			return nil, nil, err
		}
		for _, g := range outside {
			branches, args = append(branches, "p.handling_path = ? AND p.reg_path = ?"), append(args, []any{h, g})
		}
		if len(branches) > maxBranches {
			break
		}
	}
	if len(branches) > maxBranches {
		return r.db.branches(ctx, r, tree)
	}
	return branches, args, nil
}

// pathsIn returns the distinct values of the path column col of petitions
// in the subtree at tree, found by walking its index from one to the next.
func pathsIn(ctx context.Context, r cq, col, tree string) ([]string, error) {
	q, args := distinctPaths(col, "", nil, tree, tree[:len(tree)-1]+"0")
	return scanPaths(r.rows(ctx, q, args...))
}

// distinctPaths is the query of the distinct values of the path column
// col of the petitions matching cond (with condArgs; "" for all) with
// lo <= col < hi (no upper bound when hi is ""), which walks an index of
// cond's columns and col from one value to the next.
func distinctPaths(col, cond string, condArgs []any, lo, hi string) (string, []any) {
	if cond != "" {
		cond += " AND "
	}
	bound, hiArgs := "", []any{}
	if hi != "" {
		bound, hiArgs = " AND "+col+" < ?", []any{hi}
	}
	args := append(append(append(append([]any{}, condArgs...), lo), hiArgs...), condArgs...)
	return `WITH RECURSIVE d(x) AS (
		SELECT MIN(` + col + `) FROM petitions WHERE ` + cond + col + ` >= ?` + bound + `
		UNION ALL SELECT (SELECT MIN(` + col + `) FROM petitions WHERE ` + cond + col + ` > d.x` + bound + `) FROM d WHERE d.x IS NOT NULL)
		SELECT x FROM d WHERE x IS NOT NULL`, append(args, hiArgs...)
}

// scanPaths reads the paths a distinctPaths query found.
func scanPaths(rows *sql.Rows, err error) ([]string, error) {
	return scanAll(rows, err, func(s scanner) (string, error) {
		var p string
		return p, s.Scan(&p)
	})
}

// countBranches counts the rows of segment s, stopping at max.
func (db *core) countBranches(ctx context.Context, r cq, branches []string, bargs [][]any, l petitionList, s segment, max int) (int, error) {
	if max <= 0 {
		return 0, nil
	}
	if l.countWhere != "" {
		l.where, l.args = l.countWhere, l.countArgs
	}
	var parts []string
	var args []any
	for _, a := range db.armsOf(branches, bargs) {
		from, w, wa := a.from()
		w, wa = armWhere(w, wa, l, s)
		if from == "" {
			parts = append(parts, "SELECT p.id FROM petitions p WHERE "+w)
			args = append(args, wa...)
			continue
		}
		// The LIMIT keeps the select apart, driven by the arm's rows.
		parts = append(parts, "SELECT x.id FROM "+from+"(SELECT p.id FROM petitions p WHERE "+w+" LIMIT ?) x")
		args = append(append(args, wa...), max)
	}
	var n int
	err := r.row(ctx, `SELECT COUNT(*) FROM (`+strings.Join(parts, " UNION ALL ")+` LIMIT ?) c`, append(args, max)...).Scan(&n)
	return n, err
}

// pageBranches returns the ids of rows offset..offset+limit-1 of segment s:
// each branch gives its first offset+limit rows off its index, in order,
// and the outer query merges them.
func (db *core) pageBranches(ctx context.Context, r cq, branches []string, bargs [][]any, l petitionList, s segment, limit, offset int) ([]int64, error) {
	cols, inner, outer := "p.id AS id", make([]string, len(s.keys)), make([]string, len(s.keys))
	for i, k := range s.keys {
		name := "id"
		if k.col != "id" {
			name = "k" + strconv.Itoa(i)
			cols += ", p." + k.col + " AS " + name
		}
		dir := ""
		if k.desc {
			dir = " DESC"
		}
		inner[i], outer[i] = "p."+k.col+dir, name+dir
	}
	var parts []string
	var args []any
	for i, a := range db.armsOf(branches, bargs) {
		from, w, wa := a.from()
		w, wa = armWhere(w, wa, l, s)
		b := "b" + strconv.Itoa(i)
		parts = append(parts, "SELECT "+b+".* FROM "+from+"(SELECT "+cols+" FROM petitions p WHERE "+w+" ORDER BY "+strings.Join(inner, ", ")+" LIMIT ?) "+b)
		args = append(append(args, wa...), offset+limit)
	}
	rows, err := r.rows(ctx, `SELECT id FROM (`+strings.Join(parts, " UNION ALL ")+`) u ORDER BY `+strings.Join(outer, ", ")+` LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	return scanAll(rows, err, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
}

// petitionRows loads the rows of ids, in the order of ids.
func (db *core) petitionRows(ctx context.Context, r cq, ids []int64) ([]*xinfang.Petition, error) {
	// On PostgreSQL the ids are one array: one statement, planned once
	// per connection, for every length of page.
	in, args := `p.id IN (`+placeholders(len(ids))+`)`, idArgs(ids)
	if db.Postgres() {
		in, args = `p.id = ANY(?::bigint[])`, []any{ids}
	}
	rows, err := r.rows(ctx, `SELECT `+petitionCols+petitionFrom+` WHERE `+in, args...)
	got, err := scanAll(rows, err, db.scanPetition)
	if err != nil {
		return nil, err
	}
	if err := db.stripForReader(ctx, r.q, got...); err != nil {
		return nil, err
	}
	byID := make(map[int64]*xinfang.Petition, len(got))
	for _, p := range got {
		byID[p.ID] = p
	}
	return inOrder(ids, byID), nil
}

// warningClause is the filter of one warning level on today: the ranges
// of due and severe dates in which procedure.WarningOf gives that level,
// so that the due-date indexes serve it and no level is ever stored.
// Nothing runs without a due date; an item without a severe date is never
// 严重超期.
func (db *core) warningClause(w xinfang.Warning, today calendar.Date) (string, []any, error) {
	t, near := today.String(), today.AddDays(db.Cfg.NearDays).String()
	notSevere := "(p.severe_date = '' OR p.severe_date >= ?)"
	// "p.due_date <> ''" is implied by the ranges, and said so that the
	// partial index of due dates (WHERE due_date <> '') may serve them.
	switch w {
	case xinfang.WarnNormal:
		return "p.due_date <> '' AND p.due_date > ? AND " + notSevere, []any{near, t}, nil
	case xinfang.WarnNear:
		return "p.due_date <> '' AND p.due_date >= ? AND p.due_date <= ? AND " + notSevere, []any{t, near, t}, nil
	case xinfang.WarnOverdue:
		// Bounded below too (severe_gap.go): the 严重超期 items of the
		// oldest due days are not walked past.
		return "p.due_date <> '' AND p.due_date < ? AND " + db.overdueBound() + " AND " + notSevere, []any{t, t, t}, nil
	case xinfang.WarnSevere:
		return "p.due_date <> '' AND p.severe_date <> '' AND p.severe_date < ?", []any{t}, nil
	}
	return "", nil, xinfang.FieldError("warning", "未知的预警等级")
}
