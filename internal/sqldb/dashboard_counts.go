package sqldb

import (
	"context"
	"sort"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// The counts of the 态势 page (dash_counts, migration 0071): the petitions
// received per day and per month, by state, channel and top-level
// category, and the running ones by due day and by severe day, for each
// unit's subtree. A petition counts +1 at its registering unit's path, +1
// at its handling unit's and -1 at their nearest common ancestor's, so
// that the rows in a subtree's path range sum to 1 for each petition
// registered or handled in it. They are kept in the transaction that
// registers an item or appends its event: what the item counted before is
// taken away and what it counts now added, key by key; the items a
// database held before the migration are counted in the background
// (db.dash, prior_counts.go), and a bulk load counts its own at its end.
// TestDashboardCountsEqualItems holds the rows to a count of the items
// and the page read from them to the page counted from the items.
// 检举控告 items are not in them (visibleAccusations counts the few a
// reader sees from the items).

// dashItem is what one petition counts in dash_counts: the day it was
// received with its state, channel and top-level category; and while a
// clock runs, its due day and the day after which it is 严重超期.
type dashItem struct {
	day, reg, handling       string
	state, channel, category string
	due, severe              string
}

// dashCols are the columns scanDashItem reads, of petitions p.
const dashCols = `p.received_at, p.reg_path, p.handling_path, p.state, p.channel, p.category, p.purpose, p.due_date, p.severe_date`

// scanDashItem reads a row of dashCols: what the petition counts, and
// whether it is a 检举控告 item, which counts in none.
func scanDashItem(s scanner) (it *dashItem, accusation bool, err error) {
	it = &dashItem{}
	var received, purpose string
	if err := s.Scan(&received, &it.reg, &it.handling, &it.state, &it.channel, &it.category, &purpose, &it.due, &it.severe); err != nil {
		return nil, false, err
	}
	it.day, it.category = calendar.DateOf(parseTime(received)).String(), categoryTop(it.category)
	return it, xinfang.Purpose(purpose) == xinfang.PurposeAccusation, nil
}

// dashItemOf is what petition p counts as it stands, with the paths of
// the units it carries (RegUnit, HandlingUnit: the stored reg_path and
// handling_path); nil for a 检举控告 item.
func dashItemOf(p *xinfang.Petition) *dashItem {
	if p.Purpose == xinfang.PurposeAccusation {
		return nil
	}
	path := func(u *xinfang.Unit) string {
		if u == nil {
			return ""
		}
		return u.Path
	}
	return &dashItem{day: calendar.DateOf(p.ReceivedAt).String(), reg: path(p.RegUnit), handling: path(p.HandlingUnit),
		state: string(p.State), channel: string(p.Channel), category: categoryTop(p.Category), due: p.DueDate.String(), severe: p.SevereDate.String()}
}

// categoryTop is the top level of a 内容分类 code, as SUBSTR(category, 1, 2).
func categoryTop(code string) string {
	if len(code) > 2 {
		return code[:2]
	}
	return code
}

// commonAncestor is the path of the nearest unit above or at both paths
// ("/1/3/7/" and "/1/4/" → "/1/"), "/" when they share none.
func commonAncestor(a, b string) string {
	end := 1
	for i := 1; i < len(a) && i < len(b) && a[i] == b[i]; i++ {
		if a[i] == '/' {
			end = i + 1
		}
	}
	return a[:end]
}

// dashKey is one row of dash_counts.
type dashKey struct {
	dim, grain, day, path, value string
}

// dashDelta is what a write changes in dash_counts, by key.
type dashDelta map[dashKey]int

// add counts it sign times: at its registering and handling units' paths
// and, negatively, at their common ancestor's.
func (d dashDelta) add(it *dashItem, sign int) {
	if it == nil {
		return
	}
	at := func(path string, n int) {
		key := func(dim, day, value string) {
			d[dashKey{dim, "d", day, path, value}] += n
			d[dashKey{dim, "m", day[:7], path, value}] += n
		}
		key("state", it.day, it.state)
		key("channel", it.day, it.channel)
		key("category", it.day, it.category)
		if it.due != "" {
			key("due", it.due, "")
			if it.severe != "" {
				key("severe", it.severe, "")
			}
		}
	}
	at(it.reg, sign)
	if it.handling != "" && it.handling != it.reg {
		at(it.handling, sign)
		at(commonAncestor(it.reg, it.handling), -sign)
	}
}

// countDashboard applies to dash_counts what the item counted before (old,
// nil for a new item) and what it counts now.
func countDashboard(ctx context.Context, tx *Tx, old, now *dashItem) error {
	d := dashDelta{}
	d.add(old, -1)
	d.add(now, 1)
	return d.apply(ctx, tx)
}

// apply writes the non-zero changes of d.
func (d dashDelta) apply(ctx context.Context, tx *Tx) error {
	var rows [][]any
	for k, n := range d {
		if n != 0 {
			rows = append(rows, []any{k.dim, k.grain, k.day, k.path, k.value, n})
		}
	}
	return addCounts(ctx, tx, "dash_counts", []string{"dim", "grain", "day", "unit_path", "value"}, []string{"n"}, rows)
}

// daySpan is a run of rows of one grain: the whole months lo..hi (grain
// m, YYYY-MM) or the days lo..hi (grain d).
type daySpan struct{ grain, lo, hi string }

// periodSpans are the rows that cover the days from..to: the whole months
// in it, and the days before and after them.
func periodSpans(from, to calendar.Date) []daySpan {
	first := from
	if first.Day != 1 {
		first = calendar.MakeDate(from.Year, from.Month+1, 1)
	}
	last := calendar.MakeDate(to.Year, to.Month+1, 1).AddDays(-1) // to's month's last day
	if last != to {
		last = calendar.MakeDate(to.Year, to.Month, 1).AddDays(-1)
	}
	if first.After(last) {
		return []daySpan{{"d", from.String(), to.String()}}
	}
	spans := []daySpan{{"m", first.String()[:7], last.String()[:7]}}
	if from.Before(first) {
		spans = append(spans, daySpan{"d", from.String(), first.AddDays(-1).String()})
	}
	if last.Before(to) {
		spans = append(spans, daySpan{"d", last.AddDays(1).String(), to.String()})
	}
	return spans
}

// periodMonths are the months of the days from..to, each its first and
// last day in the period; the first 120.
func periodMonths(from, to calendar.Date) [][2]calendar.Date {
	var out [][2]calendar.Date
	for m := calendar.MakeDate(from.Year, from.Month, 1); !m.After(to) && len(out) < 120; m = calendar.MakeDate(m.Year, m.Month+1, 1) {
		first, last := m, calendar.MakeDate(m.Year, m.Month+1, 0)
		if first.Before(from) {
			first = from
		}
		if last.After(to) {
			last = to
		}
		out = append(out, [2]calendar.Date{first, last})
	}
	return out
}

// periodCounts are what the page counts of the petitions received in its
// period: by state, channel, category, month (YYYY-MM) and sub-unit (by
// index in children).
type periodCounts struct {
	states, channels, categories, months map[string]int
	territories                          []int
}

func newPeriodCounts(children int) *periodCounts {
	return &periodCounts{states: map[string]int{}, channels: map[string]int{}, categories: map[string]int{}, months: map[string]int{}, territories: make([]int, children)}
}

// childIndex finds the child of u whose subtree holds a path (of), by the
// path's first segments below u.
type childIndex struct {
	depth int // slashes in a child's path
	at    map[string]int
}

func newChildIndex(children []*xinfang.Unit) childIndex {
	c := childIndex{at: map[string]int{}}
	for i, u := range children {
		c.at[u.Path], c.depth = i, strings.Count(u.Path, "/")
	}
	return c
}

// of is the index in children of the child whose subtree holds path, -1
// for none.
func (c childIndex) of(path string) int {
	if c.depth == 0 {
		return -1
	}
	n := 0
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			if n++; n == c.depth {
				if k, ok := c.at[path[:i+1]]; ok {
					return k
				}
				return -1
			}
		}
	}
	return -1
}

// countedReceived sums the rows of dash_counts for the subtree at path
// over the days from..to.
func countedReceived(ctx context.Context, r cq, path string, from, to calendar.Date, children []*xinfang.Unit) (*periodCounts, error) {
	out := newPeriodCounts(len(children))
	kids := newChildIndex(children)
	pc, pa := pathRange("unit_path", path)
	for _, sp := range periodSpans(from, to) {
		args := append([]any{sp.grain, sp.lo, sp.hi}, pa...)
		// By state, with the month and the unit: the total, the months
		// and the territories come from the same rows.
		rows, err := r.rows(ctx, `SELECT day, unit_path, value, n FROM dash_counts WHERE dim = 'state' AND grain = ? AND day >= ? AND day <= ? AND `+pc+` AND n <> 0`, args...)
		if err := eachRow(rows, err, func(s scanner) error {
			var day, unit, value string
			var n int
			if err := s.Scan(&day, &unit, &value, &n); err != nil {
				return err
			}
			out.states[value] += n
			out.months[day[:7]] += n
			if k := kids.of(unit); k >= 0 {
				out.territories[k] += n
			}
			return nil
		}); err != nil {
			return nil, err
		}
		for _, dim := range []struct {
			name string
			into map[string]int
		}{{"channel", out.channels}, {"category", out.categories}} {
			rows, err := r.rows(ctx, `SELECT value, SUM(n) FROM dash_counts WHERE dim = '`+dim.name+`' AND grain = ? AND day >= ? AND day <= ? AND `+pc+` GROUP BY value`, args...)
			if err := eachRow(rows, err, func(s scanner) error {
				var value string
				var n int
				if err := s.Scan(&value, &n); err != nil {
					return err
				}
				dim.into[value] += n
				return nil
			}); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// addItem counts one petition of the subtree the page is of.
func (out *periodCounts) addItem(kids []*xinfang.Unit, it *dashItem) {
	out.states[it.state]++
	out.channels[it.channel]++
	out.categories[it.category]++
	out.months[it.day[:7]]++
	for i, k := range kids {
		if strings.HasPrefix(it.reg, k.Path) || it.handling != "" && strings.HasPrefix(it.handling, k.Path) {
			out.territories[i]++
		}
	}
}

// counts are the non-zero counts of m, the largest first (then by key).
func counts(m map[string]int, label func(string) string) []xinfang.Count {
	out := make([]xinfang.Count, 0, len(m))
	for k, n := range m {
		if n != 0 {
			out = append(out, xinfang.Count{Key: k, Label: label(k), Value: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value > out[j].Value
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// countsServe reports whether dash_counts serve the reader of scope s for
// the subtree at path: the subtree lies in the reader's scope and the
// counts hold every item; the page counts from the items otherwise (and for
// the tests, CountFromFacts).
func (db *IndicatorStore) countsServe(ctx context.Context, r cq, s *dataScope, path string) (bool, error) {
	if db.CountFromFacts || s.None || !s.All && !strings.HasPrefix(path, s.UnitPath) {
		return false, nil
	}
	built, err := db.dash.complete(ctx, r)
	return built, err
}

// receivedIn counts the petitions received in the period q in u's subtree
// that the reader sees: from the counts and the 检举控告 items the reader
// sees, where the counts serve; otherwise from the items (countReceived,
// with cond and args the scope, the subtree and the period).
func (db *IndicatorStore) receivedIn(ctx context.Context, r cq, s *dataScope, counted bool, u *xinfang.Unit, q xinfang.DashboardQuery, children []*xinfang.Unit,
	cond string, args []any, inUnit func(path string) (string, []any)) (*periodCounts, error) {
	if !counted {
		return db.countReceived(ctx, r, cond, args, q, children, inUnit)
	}
	got, err := countedReceived(ctx, r, u.Path, q.From, q.To, children)
	if err != nil {
		return nil, err
	}
	t0, t1 := dayBounds(q.From, q.To)
	return got, db.visibleAccusations(ctx, r, s, u.Path, "p.received_at >= ? AND p.received_at < ?", []any{t0, t1}, func(it *dashItem) {
		got.addItem(children, it)
	})
}

// warningsIn counts the running items of u's subtree that the reader sees
// by warning level today (xinfang.Warnings' order): from the counts of due
// and severe days and the 检举控告 items the reader sees, where the counts
// serve; otherwise from the items, under the ledger's warning filter (cond
// and args: the scope and the subtree). The counts rest on a clock's
// severe day lying after its due day (procedure.SevereAfter): an item
// severe by today is overdue too, and none due today or later is severe.
func (db *IndicatorStore) warningsIn(ctx context.Context, r cq, s *dataScope, counted bool, path string, today calendar.Date, cond string, args []any) ([]xinfang.Count, error) {
	out := make([]xinfang.Count, len(xinfang.Warnings))
	level := map[xinfang.Warning]int{}
	for i, l := range xinfang.Warnings {
		out[i], level[xinfang.Warning(l.Code)] = xinfang.Count{Key: l.Code, Label: l.Label}, i
	}
	add := func(w xinfang.Warning, n int) {
		if i, ok := level[w]; ok {
			out[i].Value += n
		}
	}
	near := today.AddDays(db.Cfg.NearDays)
	if !counted {
		for i := range out {
			wc, wa, err := db.warningClause(xinfang.Warning(out[i].Key), today)
			if err != nil {
				return nil, err
			}
			if err := r.row(ctx, `SELECT COUNT(*) FROM petitions p WHERE `+cond+` AND `+wc, append(append([]any{}, args...), wa...)...).Scan(&out[i].Value); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	due, err := daySums(ctx, r, "due", path, today, near.AddDays(1))
	if err != nil {
		return nil, err
	}
	severe, err := daySums(ctx, r, "severe", path, today, today)
	if err != nil {
		return nil, err
	}
	st, dueBefore, dueNear := severe.before(today), due.before(today), due.before(near.AddDays(1))
	add(xinfang.WarnSevere, st)
	add(xinfang.WarnOverdue, dueBefore-st)
	add(xinfang.WarnNear, dueNear-dueBefore)
	add(xinfang.WarnNormal, due.total-dueNear)
	pr := db.Procedure(ctx)
	err = db.visibleAccusations(ctx, r, s, path, "p.due_date <> ''", nil, func(it *dashItem) {
		add(pr.WarningOf(itemDate(it.due), itemDate(it.severe), today), 1)
	})
	return out, err
}

// dayCounts are the sums of one dimension of dash_counts keyed by a day,
// for a subtree: over all days, by month, and by day for the months of a
// window.
type dayCounts struct {
	total  int
	months map[string]int // YYYY-MM
	days   map[string]int // YYYY-MM-DD, in the window's months
}

// before is the count of the days before x, whose month lies in the
// window.
func (c dayCounts) before(x calendar.Date) int {
	n := 0
	month := x.String()[:7]
	for m, v := range c.months {
		if m < month {
			n += v
		}
	}
	for d, v := range c.days {
		if d[:7] == month && d < x.String() {
			n += v
		}
	}
	return n
}

// daySums reads the sums of dim for the subtree at path: every month, and
// every day of the months from from's to to's.
func daySums(ctx context.Context, r cq, dim, path string, from, to calendar.Date) (dayCounts, error) {
	c := dayCounts{months: map[string]int{}, days: map[string]int{}}
	pc, pa := pathRange("unit_path", path)
	rows, err := r.rows(ctx, `SELECT day, SUM(n) FROM dash_counts WHERE dim = ? AND grain = 'm' AND `+pc+` GROUP BY day`, append([]any{dim}, pa...)...)
	if err := eachRow(rows, err, func(s scanner) error {
		var day string
		var n int
		err := s.Scan(&day, &n)
		c.months[day] += n
		c.total += n
		return err
	}); err != nil {
		return c, err
	}
	lo, hi := calendar.MakeDate(from.Year, from.Month, 1), calendar.MakeDate(to.Year, to.Month+1, 0)
	rows, err = r.rows(ctx, `SELECT day, SUM(n) FROM dash_counts WHERE dim = ? AND grain = 'd' AND day >= ? AND day <= ? AND `+pc+` GROUP BY day`,
		append([]any{dim, lo.String(), hi.String()}, pa...)...)
	return c, eachRow(rows, err, func(s scanner) error {
		var day string
		var n int
		err := s.Scan(&day, &n)
		c.days[day] += n
		return err
	})
}

// countReceived counts the petitions received in the period from the items
// (cond, args: the reader's scope, the subtree and the period; inUnit, a
// sub-unit's subtree within the scope), for a reader whose scope the counts
// do not serve, and for the tests that hold the counts to it.
func (db *IndicatorStore) countReceived(ctx context.Context, r cq, cond string, args []any, q xinfang.DashboardQuery, children []*xinfang.Unit, inUnit func(path string) (string, []any)) (*periodCounts, error) {
	out := newPeriodCounts(len(children))
	group := func(expr, cond string, args []any, into map[string]int) error {
		rows, err := r.rows(ctx, `SELECT `+expr+`, COUNT(*) FROM petitions p WHERE `+cond+` GROUP BY `+expr, args...)
		return eachRow(rows, err, func(s scanner) error {
			var k string
			var n int
			if err := s.Scan(&k, &n); err != nil {
				return err
			}
			into[k] += n
			return nil
		})
	}
	// "|| ''": the period's range drives (petitions_kpi_dash), not an
	// index in the grouped column's order over every period.
	for _, g := range []struct {
		expr string
		into map[string]int
	}{{"p.state || ''", out.states}, {"p.channel || ''", out.channels}, {"SUBSTR(p.category, 1, 2)", out.categories}} {
		if err := group(g.expr, cond, args, g.into); err != nil {
			return nil, err
		}
	}
	for _, m := range periodMonths(q.From, q.To) {
		a, b := dayBounds(m[0], m[1])
		n := 0
		if err := r.row(ctx, `SELECT COUNT(*) FROM petitions p WHERE `+cond+` AND p.received_at >= ? AND p.received_at < ?`, append(append([]any{}, args...), a, b)...).Scan(&n); err != nil {
			return nil, err
		}
		out.months[m[0].String()[:7]] = n
	}
	t0, t1 := dayBounds(q.From, q.To)
	for i, child := range children {
		cw, ca := inUnit(child.Path)
		if err := r.row(ctx, `SELECT COUNT(*) FROM petitions p WHERE `+cw+` AND p.received_at >= ? AND p.received_at < ?`, append(ca, t0, t1)...).Scan(&out.territories[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// visibleAccusations calls each with the 检举控告 items registered or
// handled in the subtree at path that the reader of scope s sees, and that
// meet cond (args): those the reader registered, and for a 纪检监察 body
// those it handles (accusationRule), through the partial index of
// migration 0071 and the index of handling paths (the literal purpose lets
// the planner take the partial one).
func (db *core) visibleAccusations(ctx context.Context, r cq, s *dataScope, path string, cond string, args []any, each func(it *dashItem)) error {
	sub, sargs := subtree(path, "p.reg_path", "p.handling_path")
	read := func(by string, byArgs []any) error {
		rows, err := r.rows(ctx, `SELECT `+dashCols+` FROM petitions p
			WHERE p.purpose = '`+string(xinfang.PurposeAccusation)+`' AND `+by+` AND `+cond+` AND `+sub,
			append(append(byArgs, args...), sargs...)...)
		return eachRow(rows, err, func(sc scanner) error {
			it, _, err := scanDashItem(sc)
			if err == nil {
				each(it)
			}
			return err
		})
	}
	if err := read("p.reg_user_id = ?", []any{s.UserID}); err != nil {
		return err
	}
	if !s.Discipline {
		return nil
	}
	hc, ha := pathRange("p.handling_path", s.UnitPath)
	return read(hc+" AND p.reg_user_id <> ?", append(ha, s.UserID))
}

// dashBatch is how many items a transaction of the count of the items
// held before migration 0071 (db.dash) counts.
const dashBatch = 2000

// countDashBatch counts into dash_counts the items lo < id <= hi, locking
// their rows before reading them, as an action locks its item before
// writing its counts (commitEvent).
func (db *core) countDashBatch(ctx context.Context, tx *Tx, lo, hi int64) (int, error) {
	rows, err := cq{db, tx}.rows(ctx, `SELECT `+dashCols+` FROM petitions p WHERE p.id > ? AND p.id <= ? ORDER BY p.id`+db.dialect.forUpdate(), lo, hi)
	delta, n := dashDelta{}, 0
	if err := eachRow(rows, err, func(s scanner) error {
		it, accusation, err := scanDashItem(s)
		if err == nil && !accusation {
			delta.add(it, 1)
			n++
		}
		return err
	}); err != nil {
		return 0, err
	}
	return n, delta.apply(ctx, tx)
}
