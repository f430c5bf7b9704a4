package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestCountsAfterUpgrade: a database from before migrations 0017 and 0070
// holds petitions that neither petition_matters nor kpi_daily counts; they
// and 0077 leave them to the counts after the start, which count each
// petition, repeat and matter once (here beside the counts Open began: the
// two take batches, never one batch twice). A database whose 0017 and
// 0070 counted them gets nothing to count from 0077.
func TestCountsAfterUpgrade(t *testing.T) {
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
		state := func() (kept [4]int64) {
			t.Helper()
			if err := raw.QueryRow(`SELECT reg_upto, reg_last, matters_upto, matters_last FROM kpi_state WHERE id = 1`).Scan(&kept[0], &kept[1], &kept[2], &kept[3]); err != nil {
				t.Fatal(err)
			}
			return kept
		}
		// matters are petition_matters, and the same grouped from the
		// petitions.
		matters := func() (kept, grouped string) {
			t.Helper()
			for i, q := range []string{`SELECT person_id, locality_id, category, n FROM petition_matters`,
				`SELECT person_id, locality_id, category, COUNT(*) FROM petitions GROUP BY person_id, locality_id, category`} {
				rows, err := raw.Query(q + ` ORDER BY 1, 2, 3`)
				if err != nil {
					t.Fatal(err)
				}
				out := ""
				for rows.Next() {
					var person, locality, n int64
					var category string
					if err := rows.Scan(&person, &locality, &category, &n); err != nil {
						t.Fatal(err)
					}
					out += fmt.Sprintf("%d %d %s %d; ", person, locality, category, n)
				}
				rows.Close()
				if i == 0 {
					kept = out
				} else {
					grouped = out
				}
			}
			return kept, grouped
		}
		if kept, grouped := matters(); kept != grouped || grouped == "" {
			t.Fatalf("before the upgrade: petition_matters %s, grouped %s", kept, grouped)
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
		var columns []string
		for _, c := range []string{"reg_upto", "reg_last", "matters_upto", "matters_last"} {
			columns = append(columns, `ALTER TABLE kpi_state DROP COLUMN `+c)
		}

		// Before 0077 only, its 0017 and 0070 having counted them: nothing
		// to count.
		forget(columns, migration0077)
		reopen()
		if kept := state(); kept != [4]int64{} {
			t.Fatalf("0077 after a 0017 and 0070 that counted the petitions: reg_upto, reg_last, matters_upto, matters_last %v, want zeros", kept)
		}
		if r, p := sums(); r != 9 || p != 2 {
			t.Fatalf("after 0077 alone: %d registered, %d repeats counted, want 9 and 2", r, p)
		}
		if kept, grouped := matters(); kept != grouped {
			t.Fatalf("after 0077 alone: petition_matters %s, grouped %s", kept, grouped)
		}

		// Before 0017 and 0070: they (0017 as it is now: nothing counted)
		// and 0077 leave every petition to count.
		forget(append([]string{`DELETE FROM petition_matters`, `DROP TABLE kpi_daily`, `ALTER TABLE kpi_state DROP COLUMN early_days`, `ALTER TABLE kpi_state DROP COLUMN late_days`}, columns...),
			"0070_kpi_daily.sql", migration0077)
		up := reopen()
		// The counts Open began go on beside these.
		if err := up.BuildCounts(ctx); err != nil {
			t.Fatal(err)
		}
		last := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 20)).ID - 1
		if kept := state(); kept != [4]int64{last, last, last, last} {
			t.Fatalf("after the counts: reg_upto, reg_last, matters_upto, matters_last %v, want each the largest id before the upgrade, %d", kept, last)
		}
		if r, p := sums(); r != 10 || p != 2 {
			t.Fatalf("after the upgrade and one registration more: %d registered, %d repeats counted, want 10 and 2", r, p)
		}
		if kept, grouped := matters(); kept != grouped {
			t.Fatalf("after the upgrade and one registration more: petition_matters %s, grouped %s", kept, grouped)
		}
	})
}

// migration0077 is the file that leaves the counts of 0017 and 0070 to
// after the start.
const migration0077 = "0077_counts_after_start.sql"
