package sqldb_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// eachDialect runs fn as a parallel subtest on a fresh database of every
// dialect sqldbtest.Dialects offers.
func eachDialect(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, d := range sqldbtest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, sqldbtest.Open(t, d))
		})
	}
}

// clock is a settable db.Now, safe for concurrent readers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixClock makes db's clock settable, starting at t.
func fixClock(db *sqldb.DB, t time.Time) *clock {
	c := &clock{t: t}
	db.Now = c.Now
	return c
}

// at is 10:00 Beijing time on the date s.
func at(s string) time.Time {
	return calendar.MustParseDate(s).Time().Add(10 * time.Hour)
}

// wantErr fails unless err has code and, when field is set, names field.
func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := xinfang.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if field != "" {
		if _, ok := xinfang.ErrorFields(err)[field]; !ok {
			t.Fatalf("error %v does not name field %q", err, field)
		}
	}
}

// count returns the number of rows in table.
func count(t testing.TB, db *sqldb.DB, table string) int {
	t.Helper()
	var n int
	if err := db.RawSQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// counts returns the row counts of every table a registration writes.
func counts(t testing.TB, db *sqldb.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"petitions", "petitioners", "petition_petitioners", "events", "counters"} {
		out[table] = count(t, db, table)
	}
	return out
}

func ids(ps []*xinfang.Petition) map[int64]bool {
	out := map[int64]bool{}
	for _, p := range ps {
		out[p.ID] = true
	}
	return out
}

func transfer(to *xinfang.Unit, version int) xinfang.ActionInput {
	return xinfang.ActionInput{Action: xinfang.ActTransfer, Version: version, Data: map[string]string{"unit_id": itoa(to.ID)}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// wantGramCounts asserts that the gram counts add up to the grams indexed,
// and that there are some: each indexed petition counted once.
func wantGramCounts(t *testing.T, db *sqldb.DB) {
	t.Helper()
	var sum int
	if err := db.RawSQL().QueryRow(`SELECT COALESCE(SUM(n), 0) FROM gram_stats`).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "petition_grams"); sum != n || n == 0 {
		t.Errorf("gram_stats sum %d, petition_grams %d", sum, n)
	}
}

// registerSpaced registers n petitions at the bureau, 37 minutes apart on
// clk, and returns their ids: the rows the property tests rewrite.
func registerSpaced(t *testing.T, f *sqldbtest.Fixture, clk *clock, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		clk.Add(37 * time.Minute)
		ids = append(ids, f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, i)).ID)
	}
	return ids
}

// recountRewritten makes again what the store keeps beside the rows, after
// a test rewrote them behind its back: the counts the lists by channel,
// category and state are counted from (ledger_counts.go) and the 超期
// list's bound (severe_gap.go).
func recountRewritten(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if err := db.RecountDashboard(context.Background(), 0, true); err != nil {
		t.Fatal(err)
	}
	if err := db.RecountSevereGap(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// registerTownDays registers, on each of days days after clk's time, an
// item at village A by the town's registrar and one at the bureau sent on
// to the town: a town's lists then read both the branch of what it
// registered and that of what it handles.
func registerTownDays(t *testing.T, f *sqldbtest.Fixture, clk *clock, days int) {
	t.Helper()
	for i := range days {
		clk.Add(24 * time.Hour)
		f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
		p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 10+i))
		f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, p.Version))
	}
}
