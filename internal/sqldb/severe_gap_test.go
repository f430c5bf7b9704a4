package sqldb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestSevereGapKept: the bound of the 超期 list (severe_gap.go) is the
// largest gap between due and severe day of the items written, kept by
// the writers as items are registered and their clocks change, and counted
// after an upgrade on the next start; an item overdue for longer than the
// registration clock's gap still shows in the 超期 list.
func TestSevereGapKept(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		largest := func() int {
			t.Helper()
			var most int
			rows, err := db.RawSQL().Query(`SELECT due_date, severe_date FROM petitions WHERE due_date <> ''`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var due, severe string
				if err := rows.Scan(&due, &severe); err != nil {
					t.Fatal(err)
				}
				most = max(most, calendar.MustParseDate(severe).Sub(calendar.MustParseDate(due)))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return most
		}
		check := func(db *sqldb.DB, when string) int {
			t.Helper()
			gap, built, err := db.SevereGap(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := largest(); !built || gap != want {
				t.Fatalf("%s: gap %d (counted %v), the items' largest %d", when, gap, built, want)
			}
			return gap
		}
		check(db, "no item")
		p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 1))
		registered := check(db, "registered")
		if registered == 0 {
			t.Fatal("a registered item has no clock: the test measures nothing")
		}
		p = f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, p.Version))
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: p.Version})
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
		handling := check(db, "accepted")
		if handling <= registered {
			t.Fatalf("the handling clock's gap %d is no larger than registration's %d: the test measures nothing", handling, registered)
		}
		// A second item, registered only: its gap is the smaller.
		f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 2))
		check(db, "a second registered")

		// Past the handling clock's due day by more than the registration
		// clock's gap: 超期, which a bound kept only at registration's gap
		// would hide.
		today := p.DueDate.AddDays(registered + 1)
		if !today.Before(p.SevereDate) {
			t.Fatalf("due %s, severe %s: no day between", p.DueDate, p.SevereDate)
		}
		clk.Set(today.Time().Add(10 * time.Hour))
		list, _, err := db.Petitions.FindPetitions(f.Ctx(f.Leader), xinfang.PetitionFilter{Warning: xinfang.WarnOverdue, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(list, func(q *xinfang.Petition) bool { return q.ID == p.ID }) {
			t.Fatalf("the 超期 list on %s lacks the item due %s", today, p.DueDate)
		}

		// A database from before the bound: counted on the next start, in
		// the background.
		if _, err := db.RawSQL().Exec(`UPDATE kpi_state SET severe_gap = 0, severe_gap_built = 0 WHERE id = 1`); err != nil {
			t.Fatal(err)
		}
		again := sqldb.NewDB(db.DSN, sqldbtest.Keys)
		if err := again.Open(); err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		for wait := 0; ; wait++ {
			if _, built, err := again.SevereGap(ctx); err != nil {
				t.Fatal(err)
			} else if built {
				break
			}
			if wait == 500 {
				t.Fatal("the gap is not counted 10 s after the start")
			}
			time.Sleep(20 * time.Millisecond)
		}
		check(again, "counted after the start")
	})
}
