package sqldb

import (
	"context"
	"sort"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// The counts of the 态势 page (dash_counts, migration 0071): the petitions
// received per day and per month, by state, channel and top-level
// category, for each unit's subtree. A petition counts +1 at its
// registering unit's path, +1 at its handling unit's and -1 at their
// nearest common ancestor's, so that the rows in a subtree's path range
// sum to 1 for each petition registered or handled in it. They are kept
// in the transaction that registers an item or appends its event: what
// the item counted before is taken away and what it counts now added,
// key by key. TestDashboardCountsEqualItems holds the rows to a count of
// the items and the page read from them to the page counted from the
// items. 检举控告 items are not in them (dashboard.go counts the few a
// reader sees from the items).

// dashDims are the dimensions of dash_counts.
var dashDims = [...]string{"state", "channel", "category"}

// dashItem is what one petition counts in dash_counts.
type dashItem struct {
	day, reg, handling string
	values             [len(dashDims)]string // by dashDims
}

// readDashItem reads what petition id counts, as stored; nil for a
// 检举控告 item, which counts in none.
func readDashItem(ctx context.Context, tx *Tx, id int64) (*dashItem, error) {
	var it dashItem
	var received, purpose string
	if err := tx.queryRow(ctx, `SELECT received_at, reg_path, handling_path, state, channel, category, purpose FROM petitions WHERE id = ?`, id).
		Scan(&received, &it.reg, &it.handling, &it.values[0], &it.values[1], &it.values[2], &purpose); err != nil {
		return nil, err
	}
	if xinfang.Purpose(purpose) == xinfang.PurposeAccusation {
		return nil, nil
	}
	it.day = calendar.DateOf(parseTime(received)).String()
	it.values[2] = categoryTop(it.values[2])
	return &it, nil
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
		for i, dim := range dashDims {
			d[dashKey{dim, "d", it.day, path, it.values[i]}] += n
			d[dashKey{dim, "m", it.day[:7], path, it.values[i]}] += n
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
	keys := make([]dashKey, 0, len(d))
	for k, n := range d {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	// One order for every writer, so that two transactions never wait on
	// each other's rows.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.dim != b.dim {
			return a.dim < b.dim
		}
		if a.grain != b.grain {
			return a.grain < b.grain
		}
		if a.day != b.day {
			return a.day < b.day
		}
		if a.path != b.path {
			return a.path < b.path
		}
		return a.value < b.value
	})
	for _, k := range keys {
		if _, err := tx.exec(ctx, `INSERT INTO dash_counts (dim, grain, day, unit_path, value, n) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (dim, grain, day, unit_path, value) DO UPDATE SET n = dash_counts.n + excluded.n`,
			k.dim, k.grain, k.day, k.path, k.value, d[k]); err != nil {
			return err
		}
	}
	return nil
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

// periodCounts are what the page counts of the petitions received in its
// period: by state, channel, category, month (YYYY-MM) and sub-unit (by
// index in children).
type periodCounts struct {
	states, channels, categories, months map[string]int
	territories                          []int
}

func newReceived(children int) *periodCounts {
	return &periodCounts{states: map[string]int{}, channels: map[string]int{}, categories: map[string]int{}, months: map[string]int{}, territories: make([]int, children)}
}

// childOf is the index in children of the child of u whose subtree holds
// path, -1 for none.
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
	out := newReceived(len(children))
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

// addItem counts one petition received on day, registered at reg and
// handled at handling, in the subtree the page is of.
func (out *periodCounts) addItem(kids []*xinfang.Unit, day, reg, handling, state, channel, category string) {
	out.states[state]++
	out.channels[channel]++
	out.categories[categoryTop(category)]++
	out.months[day[:7]]++
	for i, k := range kids {
		if strings.HasPrefix(reg, k.Path) || handling != "" && strings.HasPrefix(handling, k.Path) {
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

// receivedIn counts the petitions received in the period q in u's
// subtree that the reader sees: from the counts and the 检举控告 items the
// reader sees where u's subtree lies in the reader's scope, otherwise (and
// for the tests, CountFromFacts) from the items (countReceived, with cond
// and args the scope, the subtree and the period).
func (db *IndicatorStore) receivedIn(ctx context.Context, r cq, u *xinfang.Unit, q xinfang.DashboardQuery, children []*xinfang.Unit,
	cond string, args []any, inUnit func(path string) (string, []any)) (*periodCounts, error) {
	s, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	if db.CountFromFacts || s.None || !s.All && !strings.HasPrefix(u.Path, s.UnitPath) {
		return db.countReceived(ctx, r, cond, args, q, children, inUnit)
	}
	got, err := countedReceived(ctx, r, u.Path, q.From, q.To, children)
	if err != nil {
		return nil, err
	}
	t0, t1 := dayBounds(q.From, q.To)
	return got, db.visibleAccusations(ctx, r, s, u.Path, t0, t1, func(at time.Time, reg, handling, state, channel, category string) {
		got.addItem(children, calendar.DateOf(at).String(), reg, handling, state, channel, category)
	})
}

// countReceived counts the petitions received in the period from the items
// (cond, args: the reader's scope, the subtree and the period; inUnit, a
// sub-unit's subtree within the scope), for a reader whose scope the counts
// do not serve, and for the tests that hold the counts to it.
func (db *IndicatorStore) countReceived(ctx context.Context, r cq, cond string, args []any, q xinfang.DashboardQuery, children []*xinfang.Unit, inUnit func(path string) (string, []any)) (*periodCounts, error) {
	out := newReceived(len(children))
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
	for m := calendar.MakeDate(q.From.Year, q.From.Month, 1); !m.After(q.To) && len(out.months) < 120; m = calendar.MakeDate(m.Year, m.Month+1, 1) {
		from, to := m, calendar.MakeDate(m.Year, m.Month+1, 0)
		if from.Before(q.From) {
			from = q.From
		}
		if to.After(q.To) {
			to = q.To
		}
		a, b := dayBounds(from, to)
		n := 0
		if err := r.row(ctx, `SELECT COUNT(*) FROM petitions p WHERE `+cond+` AND p.received_at >= ? AND p.received_at < ?`, append(append([]any{}, args...), a, b)...).Scan(&n); err != nil {
			return nil, err
		}
		out.months[m.String()[:7]] = n
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

// visibleAccusations calls each with the 检举控告 items received in
// [t0, t1) and registered or handled in the subtree at path that the reader
// of scope s sees: those the reader registered, and for a 纪检监察 body
// those it handles (accusationRule), through the partial indexes of
// migration 0071 (the literal purpose lets the planner take them).
func (db *IndicatorStore) visibleAccusations(ctx context.Context, r cq, s *dataScope, path string, t0, t1 string, each func(at time.Time, reg, handling, state, channel, category string)) error {
	sub, sargs := subtree(path, "p.reg_path", "p.handling_path")
	read := func(cond string, args []any) error {
		rows, err := r.rows(ctx, `SELECT p.received_at, p.reg_path, p.handling_path, p.state, p.channel, p.category FROM petitions p
			WHERE p.purpose = '`+string(xinfang.PurposeAccusation)+`' AND `+cond+` AND p.received_at >= ? AND p.received_at < ? AND `+sub,
			append(append(args, t0, t1), sargs...)...)
		return eachRow(rows, err, func(sc scanner) error {
			var at, reg, handling, state, channel, category string
			if err := sc.Scan(&at, &reg, &handling, &state, &channel, &category); err != nil {
				return err
			}
			each(parseTime(at), reg, handling, state, channel, category)
			return nil
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
