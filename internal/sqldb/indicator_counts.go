package sqldb

import (
	"context"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// The counts of the indicator facts per measure, day and unit and per
// measure, month and unit (kpi_daily, migration 0070: grain d and m) are
// kept in the transaction that writes the facts: what
// a petition's old facts counted is taken away and what its new facts
// count is added, key by key, so that only the keys that change are
// written. TestIndicatorCountsEqualFacts holds them to a count of
// kpi_facts after random actions, and every figure read from them to the
// figure counted from the facts.

// dailyKey is one row of kpi_daily: day is YYYY-MM-DD of grain d,
// YYYY-MM of grain m.
type dailyKey struct {
	measure, grain, day, path string
	unit                      int64
}

// dailyCounts are the counts of one row.
type dailyCounts struct{ n, onTime, rated, satisfied, basic int }

func (c dailyCounts) zero() bool { return c == dailyCounts{} }

// factRow is a stored fact as the counts read it.
type factRow struct {
	kind, path     string
	unit           int64
	due, done, end string
	onTime         bool
	rating         string
}

// measures are the measures and days of kpi_daily a fact counts in (in
// the day's row and the month's).
func (f factRow) measures() []dailyKey {
	var out []dailyKey
	key := func(m, day string) {
		if day != "" {
			out = append(out, dailyKey{measure: m, day: day})
		}
	}
	switch f.kind {
	case string(xinfang.FactAccept):
		key("accept", f.end)
	case string(xinfang.FactEvaluate):
		key("evaluate", f.end)
	case string(xinfang.FactHandle):
		key("handle_due", f.due)
		key("handle_done", f.done)
		if f.done == "" {
			key("handle_open", f.due)
		}
	}
	return out
}

func (f factRow) counts(sign int) dailyCounts {
	c := dailyCounts{n: sign}
	if f.onTime {
		c.onTime = sign
	}
	if f.rating != "" {
		c.rated = sign
	}
	switch xinfang.Rating(f.rating) {
	case xinfang.RatingSatisfied:
		c.satisfied = sign
	case xinfang.RatingBasic:
		c.basic = sign
	}
	return c
}

// spans are how many days the fact's done day lies before and after its
// due day (kpi_state.early_days, late_days bound them).
func (f factRow) spans() (early, late int) {
	if f.kind != string(xinfang.FactHandle) || f.due == "" || f.done == "" {
		return 0, 0
	}
	due, err1 := calendar.ParseDate(f.due)
	done, err2 := calendar.ParseDate(f.done)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	if d := due.Sub(done); d > 0 {
		return d, 0
	}
	return 0, done.Sub(due)
}

// dailyDelta is what a write changes in kpi_daily, by key.
type dailyDelta map[dailyKey]dailyCounts

// add adds c to the day's and the month's rows of measure for unit
// (path, id).
func (delta dailyDelta) add(measure, day, path string, unit int64, c dailyCounts) {
	for _, k := range []dailyKey{{measure, "d", day, path, unit}, {measure, "m", day[:7], path, unit}} {
		d := delta[k]
		d.n, d.onTime, d.rated, d.satisfied, d.basic = d.n+c.n, d.onTime+c.onTime, d.rated+c.rated, d.satisfied+c.satisfied, d.basic+c.basic
		delta[k] = d
	}
}

// countFacts applies to kpi_daily what the facts old counted (taken away)
// and what the facts now count (added), and raises the bounds of
// kpi_state when a new fact lies further from its due day than any before.
func countFacts(ctx context.Context, tx *Tx, old, now []factRow) error {
	delta := dailyDelta{}
	for _, side := range []struct {
		rows []factRow
		sign int
	}{{old, -1}, {now, 1}} {
		for _, f := range side.rows {
			for _, m := range f.measures() {
				delta.add(m.measure, m.day, f.path, f.unit, f.counts(side.sign))
			}
		}
	}
	if err := delta.apply(ctx, tx); err != nil {
		return err
	}
	early, late := 0, 0
	for _, f := range now {
		e, l := f.spans()
		early, late = max(early, e), max(late, l)
	}
	// The guarded UPDATEs touch (and lock) the row only when a bound grows.
	if early > 0 {
		if _, err := tx.exec(ctx, `UPDATE kpi_state SET early_days = ? WHERE id = 1 AND early_days < ?`, early, early); err != nil {
			return err
		}
	}
	if late > 0 {
		if _, err := tx.exec(ctx, `UPDATE kpi_state SET late_days = ? WHERE id = 1 AND late_days < ?`, late, late); err != nil {
			return err
		}
	}
	return nil
}

// countRegistration counts a petition registered (registered, +1) and
// whether it is a repeat (repeat, +1 or 0), or a petition that became a
// repeat after its registration (registered 0, repeat +1), by the
// Shanghai day of its receipt and its registering unit — unless the
// petition is one a database held before migration 0077 that the
// background count has not reached yet, which counts it as it finds it
// (db.regs; read after the caller's lock on the petition).
func (db *core) countRegistration(ctx context.Context, tx *Tx, p *xinfang.Petition, registered, repeat int) error {
	if counted, err := db.regs.counted(ctx, cq{db, tx}, p.ID); err != nil || !counted {
		return err
	}
	path := ""
	if p.RegUnit != nil {
		path = p.RegUnit.Path
	}
	if path == "" {
		if err := tx.queryRow(ctx, `SELECT path FROM units WHERE id = ?`, p.RegUnitID).Scan(&path); err != nil {
			return err
		}
	}
	delta := dailyDelta{}
	delta.registration(p.ReceivedAt, path, p.RegUnitID, registered, repeat)
	return delta.apply(ctx, tx)
}

// registration adds a registration's counts, by the Shanghai day of
// receipt.
func (delta dailyDelta) registration(received time.Time, path string, unit int64, registered, repeat int) {
	day := calendar.DateOf(received).String()
	if registered != 0 {
		delta.add("registered", day, path, unit, dailyCounts{n: registered})
	}
	if repeat != 0 {
		delta.add("repeat", day, path, unit, dailyCounts{n: repeat})
	}
}

// countRegsBatch counts the registrations of the petitions lo < id <= hi
// and the repeats among them, locking their rows before reading them, as
// an action that makes a repeat holds its item.
func (db *core) countRegsBatch(ctx context.Context, tx *Tx, lo, hi int64) (int, error) {
	rows, err := cq{db, tx}.rows(ctx, `SELECT received_at, reg_path, reg_unit_id, repeat_flag FROM petitions WHERE id > ? AND id <= ? ORDER BY id`+db.dialect.forUpdate(), lo, hi)
	delta, n := dailyDelta{}, 0
	if err := eachRow(rows, err, func(s scanner) error {
		var received, path string
		var unit int64
		var repeat int
		if err := s.Scan(&received, &path, &unit, &repeat); err != nil {
			return err
		}
		delta.registration(parseTime(received), path, unit, 1, repeat)
		n++
		return nil
	}); err != nil {
		return 0, err
	}
	return n, delta.apply(ctx, tx)
}

// apply writes the non-zero changes of delta.
func (delta dailyDelta) apply(ctx context.Context, tx *Tx) error {
	var rows [][]any
	for k, d := range delta {
		if !d.zero() {
			rows = append(rows, []any{k.measure, k.grain, k.day, k.path, k.unit, d.n, d.onTime, d.rated, d.satisfied, d.basic})
		}
	}
	return addCounts(ctx, tx, "kpi_daily", []string{"measure", "grain", "day", "unit_path", "unit_id"}, []string{"n", "on_time", "rated", "satisfied", "basic"}, rows)
}

// deleteFacts removes the facts of petition id and returns them.
func deleteFacts(ctx context.Context, tx *Tx, id int64) ([]factRow, error) {
	rows, err := tx.QueryContext(ctx, tx.db.dialect.rebind(`DELETE FROM kpi_facts WHERE petition_id = ? RETURNING kind, unit_path, unit_id, due_on, done_on, end_on, on_time, rating`), id)
	return scanAll(rows, err, func(r scanner) (factRow, error) {
		var f factRow
		var onTime int
		err := r.Scan(&f.kind, &f.path, &f.unit, &f.due, &f.done, &f.end, &onTime, &f.rating)
		f.onTime = onTime == 1
		return f, err
	})
}

// dailySum sums the counts of measure over the days from..to (both
// included) of unit u alone or with its subtree: the rows of the whole
// months in the period, and of the days before and after them.
func (db *IndicatorStore) dailySum(ctx context.Context, r cq, measure string, from, to calendar.Date, u *xinfang.Unit, alone bool) (dailyCounts, error) {
	uc, ua := unitIn(u, alone, "d.unit_id", "d.unit_path")
	var c dailyCounts
	for _, sp := range periodSpans(from, to) {
		var s dailyCounts
		if err := r.row(ctx, `SELECT COALESCE(SUM(n), 0), COALESCE(SUM(on_time), 0), COALESCE(SUM(rated), 0), COALESCE(SUM(satisfied), 0), COALESCE(SUM(basic), 0)
			FROM kpi_daily d WHERE d.measure = ? AND d.grain = ? AND d.day >= ? AND d.day <= ? AND `+uc, append([]any{measure, sp.grain, sp.lo, sp.hi}, ua...)...).
			Scan(&s.n, &s.onTime, &s.rated, &s.satisfied, &s.basic); err != nil {
			return c, err
		}
		c.n, c.onTime, c.rated, c.satisfied, c.basic = c.n+s.n, c.onTime+s.onTime, c.rated+s.rated, c.satisfied+s.satisfied, c.basic+s.basic
	}
	return c, nil
}

// handleCounts is the denominator and the numerator of 按期办结率 over q:
// the handling facts due in the period or done in it, and those of them
// on time. They are the facts done in the period (counted), the open ones
// due in it (counted), and the done ones due in it but done outside it,
// read from the facts: done before the period lies at most early_days
// before its due day, done after it at most late_days after, so that
// only those days' facts are read.
func (db *IndicatorStore) handleCounts(ctx context.Context, r cq, q xinfang.IndicatorQuery, u *xinfang.Unit) (den, num int, err error) {
	done, err := db.dailySum(ctx, r, "handle_done", q.From, q.To, u, q.Alone)
	if err != nil {
		return 0, 0, err
	}
	open, err := db.dailySum(ctx, r, "handle_open", q.From, q.To, u, q.Alone)
	if err != nil {
		return 0, 0, err
	}
	var early, late int
	if err := r.row(ctx, `SELECT early_days, late_days FROM kpi_state WHERE id = 1`).Scan(&early, &late); err != nil {
		return 0, 0, err
	}
	from, to := q.From.String(), q.To.String()
	uc, ua := unitIn(u, q.Alone, "f.unit_id", "f.unit_path")
	var beforeN, beforeOn, afterN, afterOn int
	// Done before the period, due in it: done within early_days of from.
	if err := r.row(ctx, `SELECT COUNT(*), COALESCE(SUM(f.on_time), 0) FROM kpi_facts f WHERE f.kind = 'handle' AND f.done_on >= ? AND f.done_on < ?
		AND f.due_on >= ? AND f.due_on <= ? AND `+uc, append([]any{q.From.AddDays(-early).String(), from, from, to}, ua...)...).Scan(&beforeN, &beforeOn); err != nil {
		return 0, 0, err
	}
	// Due in the period, done after it: due within late_days of to.
	lo := q.To.AddDays(-late)
	if lo.Before(q.From) {
		lo = q.From
	}
	if err := r.row(ctx, `SELECT COUNT(*), COALESCE(SUM(f.on_time), 0) FROM kpi_facts f WHERE f.kind = 'handle' AND f.due_on >= ? AND f.due_on <= ?
		AND f.done_on > ? AND `+uc, append([]any{lo.String(), to, to}, ua...)...).Scan(&afterN, &afterOn); err != nil {
		return 0, 0, err
	}
	return done.n + open.n + beforeN + afterN, done.onTime + open.onTime + beforeOn + afterOn, nil
}

// countedFigure is the figure of one side of a facts indicator read from
// the counts; ok is false for the indicators counted otherwise.
func (db *IndicatorStore) countedFigure(ctx context.Context, r cq, kind xinfang.IndicatorKind, part xinfang.IndicatorPart, q xinfang.IndicatorQuery, u *xinfang.Unit, cfg xinfang.IndicatorConfig) (int, bool, error) {
	num := part == xinfang.PartNumerator
	switch kind {
	case xinfang.IndTimelyAccept:
		c, err := db.dailySum(ctx, r, "accept", q.From, q.To, u, q.Alone)
		if num {
			return c.onTime, true, err
		}
		return c.n, true, err
	case xinfang.IndParticipation, xinfang.IndSatisfaction:
		c, err := db.dailySum(ctx, r, "evaluate", q.From, q.To, u, q.Alone)
		switch {
		case kind == xinfang.IndParticipation && !num:
			return c.n, true, err
		case !num || kind == xinfang.IndParticipation:
			return c.rated, true, err
		case cfg.BasicCounts:
			return c.satisfied + c.basic, true, err
		}
		return c.satisfied, true, err
	case xinfang.IndRepeat:
		// Counted from the petitions until the registrations held before
		// migration 0077 are all counted.
		if all, err := db.regs.complete(ctx, r); err != nil || !all {
			return 0, false, err
		}
		measure := "registered"
		if num {
			measure = "repeat"
		}
		c, err := db.dailySum(ctx, r, measure, q.From, q.To, u, q.Alone)
		return c.n, true, err
	case xinfang.IndOnTime:
		den, n, err := db.handleCounts(ctx, r, q, u)
		if num {
			return n, true, err
		}
		return den, true, err
	}
	return 0, false, nil
}
