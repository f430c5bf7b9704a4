package sqldb_test

import (
	"context"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestRegistrationCountsAfterUpgrade: a database from before migration
// 0070 holds petitions that no count of kpi_daily holds; 0070 and 0077
// leave them to the count after the start, which counts each petition and
// each repeat once (here beside the count Open began: the two take
// batches, never one batch twice). A database whose 0070 counted them
// gets nothing to count from 0077.
func TestRegistrationCountsAfterUpgrade(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		var first *xinfang.Petition
		for i := range 9 {
			clk.Add(29 * time.Hour)
			p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
			if first == nil {
				first = p
			} else if i%3 == 0 {
				if _, err := db.Repeats.DecideRepeat(f.Ctx(f.RegistrarA), p.ID, xinfang.RepeatDecisionInput{CandidateID: first.ID, Decision: xinfang.RepeatLink, Version: p.Version}); err != nil {
					t.Fatal(err)
				}
			}
		}
		raw := db.RawSQL()
		sums := func() (registered, repeat int) {
			t.Helper()
			if err := raw.QueryRow(`SELECT COALESCE(SUM(CASE WHEN measure = 'registered' THEN n END), 0), COALESCE(SUM(CASE WHEN measure = 'repeat' THEN n END), 0)
				FROM kpi_daily WHERE grain = 'd'`).Scan(&registered, &repeat); err != nil {
				t.Fatal(err)
			}
			return registered, repeat
		}
		if r, p := sums(); r != 9 || p != 2 {
			t.Fatalf("before the upgrade: %d registered, %d repeats counted, want 9 and 2", r, p)
		}
		state := func() (upto, last int64) {
			t.Helper()
			if err := raw.QueryRow(`SELECT reg_upto, reg_last FROM kpi_state WHERE id = 1`).Scan(&upto, &last); err != nil {
				t.Fatal(err)
			}
			return upto, last
		}
		// forget undoes the migrations named, as a database from before them.
		forget := func(stmts []string, names ...string) {
			t.Helper()
			for _, q := range stmts {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			for _, n := range names {
				if _, err := raw.Exec(db.Rebind(`DELETE FROM migrations WHERE name LIKE ?`), "%"+n); err != nil {
					t.Fatal(err)
				}
			}
		}
		reopen := func() *sqldb.DB {
			t.Helper()
			d := sqldb.NewDB(db.DSN, sqldbtest.Keys)
			d.Now = db.Now
			if err := d.Open(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
		regColumns := []string{`ALTER TABLE kpi_state DROP COLUMN reg_upto`, `ALTER TABLE kpi_state DROP COLUMN reg_last`}

		// Before 0077 only, its 0070 having counted them: nothing to count.
		forget(regColumns, "0077_registration_counts.sql")
		reopen()
		if upto, last := state(); upto != 0 || last != 0 {
			t.Fatalf("0077 after a 0070 that counted the registrations: reg_upto %d, reg_last %d, want 0 and 0", upto, last)
		}
		if r, p := sums(); r != 9 || p != 2 {
			t.Fatalf("after 0077 alone: %d registered, %d repeats counted, want 9 and 2", r, p)
		}

		// Before 0070: it and 0077 leave every petition to count.
		forget(append([]string{`DROP TABLE kpi_daily`, `ALTER TABLE kpi_state DROP COLUMN early_days`, `ALTER TABLE kpi_state DROP COLUMN late_days`}, regColumns...),
			"0070_kpi_daily.sql", "0077_registration_counts.sql")
		up := reopen()
		// The count Open began goes on beside this one.
		if err := up.BuildRegistrations(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if upto, last := state(); last != f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 20)).ID-1 || upto < last {
			t.Fatalf("after the count: reg_upto %d, reg_last %d, want both the largest id before the upgrade", upto, last)
		}
		if r, p := sums(); r != 10 || p != 2 {
			t.Fatalf("after the upgrade and one registration more: %d registered, %d repeats counted, want 10 and 2", r, p)
		}
	})
}
