package sqldb

import (
	"context"
	"strconv"

	"xinfang/internal/calendar"
)

// The lower bound of the 超期 list. An item is 超期 today when its due day
// has passed and its severe day (the last day it is merely 超期) has not:
// due < today <= severe. The list is read off the due-date index in the
// order of due days, and without a lower bound on them it walked past
// every 严重超期 item of the oldest due days before its first (190,000 at
// 10,000,000 petitions). An item's severe day lies at most
// kpi_state.severe_gap days after its due day, so an item 超期 today is due
// no earlier than today minus severe_gap: that is the bound.
//
// The gap is not taken from the clocks' configuration: an item keeps the
// severe day of the configuration it was written under, and a bound too
// tight would hide overdue items. It is the largest gap of any item ever
// written with a due day. Writers raise it, in the end phase of their
// transaction and only when it grows (noteSevereGap); the items of a
// database from before it are counted once, in the background
// (buildSevereGap), and until then (severe_gap_built = 0) no bound is
// used. An item due without a severe day, never 严重超期, raises the gap to
// unboundedGap, which turns the bound off.

const (
	// unboundedGap is the gap of an item due with no severe day.
	unboundedGap = 1 << 30
	// maxBoundGap is the largest gap that bounds the list; from it on
	// (a century) the list is read without a bound.
	maxBoundGap = 36500
)

// noteSevereGap records that tx writes an item due on due whose severe day
// is severe, so that the end of its transaction raises the gap with it.
func (tx *Tx) noteSevereGap(due, severe calendar.Date) {
	if due.IsZero() {
		return
	}
	g := unboundedGap
	if !severe.IsZero() {
		g = max(severe.Sub(due), 0)
	}
	if int64(g) > tx.db.severeGap.Load() { // else stored, and committed, already
		tx.sh.severeGap = max(tx.sh.severeGap, g)
	}
}

// raiseSevereGap raises the stored gap to g; the guarded UPDATE touches,
// and locks, the row only when the gap grows.
func raiseSevereGap(ctx context.Context, tx *Tx, g int) error {
	_, err := tx.exec(ctx, `UPDATE kpi_state SET severe_gap = ? WHERE id = 1 AND severe_gap < ?`, g, g)
	return err
}

// committedSevereGap notes a gap a committed transaction stored: the
// writes after it need not raise it again.
func (db *core) committedSevereGap(g int) {
	for {
		old := db.severeGap.Load()
		if int64(g) <= old || db.severeGap.CompareAndSwap(old, int64(g)) {
			return
		}
	}
}

// loadSevereGap reads the stored gap into the writers' cache.
func (db *core) loadSevereGap(ctx context.Context) error {
	var g int
	if err := db.queryRow(ctx, `SELECT severe_gap FROM kpi_state WHERE id = 1`).Scan(&g); err != nil {
		return err
	}
	db.committedSevereGap(g)
	return nil
}

// buildSevereGap counts the gaps of the items written before the bound
// existed, once. On PostgreSQL the UPDATE takes the larger of the gaps it
// read and the row as it finds it when locked (a writer may have raised
// it since the statement's snapshot): GREATEST reads the row's column,
// which a concurrent update is seen in, not a snapshot.
func (db *core) buildSevereGap(ctx context.Context) error {
	var built int
	if err := db.queryRow(ctx, `SELECT severe_gap_built FROM kpi_state WHERE id = 1`).Scan(&built); err != nil || built == 1 {
		return err
	}
	gaps := `(SELECT COALESCE(MAX(CASE WHEN severe_date = '' THEN ` + strconv.Itoa(unboundedGap) + ` ELSE ` +
		db.dialect.daysBetween("severe_date", "due_date") + ` END), 0) FROM petitions WHERE due_date <> '')`
	larger := "MAX(severe_gap, " + gaps + ")"
	if db.Postgres() {
		larger = "GREATEST(severe_gap, " + gaps + ")"
	}
	if err := db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE kpi_state SET severe_gap = `+larger+`, severe_gap_built = 1 WHERE id = 1 AND severe_gap_built = 0`)
		return err
	}); err != nil {
		return err
	}
	return db.loadSevereGap(ctx)
}

// overdueBound is the clause "p.due_date is no earlier than today (the
// argument that follows it) minus the gap", or nothing while the gap is
// not counted or bounds nothing. It reads kpi_state in the list's own
// query, so the bound and the rows are of one snapshot.
func (db *core) overdueBound() string {
	return `p.due_date >= (SELECT CASE WHEN k.severe_gap_built = 1 AND k.severe_gap < ` + strconv.Itoa(maxBoundGap) +
		` THEN ` + db.dialect.daysBefore("?", "k.severe_gap") + ` ELSE '' END FROM kpi_state k WHERE k.id = 1)`
}
