package sqldb_test

import (
	"database/sql"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// A detail read from several queries is one view: a change committed
// between two of its queries is not seen by the second, on either
// database (SQLite's WAL snapshot, PostgreSQL's REPEATABLE READ).
func TestReadIsOneView(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 1))
		events := func(row func(string, ...any) *sql.Row) int {
			t.Helper()
			var n int
			if err := row(`SELECT COUNT(*) FROM events WHERE petition_id = ?`, p.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var before, after int
		err := db.ReadView(f.Ctx(f.BureauRegistrar), func(row func(string, ...any) *sql.Row) error {
			before = events(row)
			// Another request transfers the item meanwhile.
			f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, 1))
			after = events(row)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if before != 1 || after != before {
			t.Errorf("events read in one view: %d, then %d", before, after)
		}
		got, err := db.Petitions.FindEvents(f.Ctx(f.BureauRegistrar), p.ID)
		if err != nil || len(got) != 2 {
			t.Fatalf("events after the view: %d %v", len(got), err)
		}
		// The detail is read in such a view; it sees the change now.
		d, err := db.Petitions.FindPetitionByID(f.Ctx(f.BureauRegistrar), p.ID)
		if err != nil || d.State != xinfang.StatePendingSign || d.Version != 2 {
			t.Fatalf("detail after the change: %+v %v", d, err)
		}
		if _, err := db.Petitions.VerifyEvents(f.Ctx(f.BureauRegistrar), p.ID); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}
