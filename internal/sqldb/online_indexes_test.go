package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"xinfang"

	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestOnlineIndexes: the indexes made after the start are built, valid,
// once; the lists they serve read the same items with and without them;
// one a build left invalid (an interrupted CREATE INDEX CONCURRENTLY) is
// built again; and an interrupted build leaves no valid index behind. On
// SQLite there are none to build.
func TestOnlineIndexes(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		for i := range 6 {
			clk.Add(6 * 24 * time.Hour)
			f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
		}
		clk.Set(at("2026-06-25")) // the items' clocks near, past and far past their due days
		if err := db.BuildOnlineIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		if !db.Postgres() {
			return
		}
		raw := db.RawSQL()
		state := func() string {
			t.Helper()
			var valid bool
			err := raw.QueryRow(`SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'petitions_due_id'`).Scan(&valid)
			switch {
			case err != nil:
				return "missing"
			case valid:
				return "valid"
			}
			return "invalid"
		}
		if got := state(); got != "valid" {
			t.Fatalf("after the build: %s", got)
		}
		// The city's lists by warning level, which it serves, list the
		// same items with it and without it.
		warned := func() string {
			t.Helper()
			var out []string
			for _, w := range []xinfang.Warning{xinfang.WarnNormal, xinfang.WarnNear, xinfang.WarnOverdue, xinfang.WarnSevere} {
				page, total, err := db.Petitions.FindPetitions(f.Ctx(f.Leader), xinfang.PetitionFilter{Warning: w, Sort: "due"})
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%s %d %v", w, total, idList(page)))
			}
			return strings.Join(out, "; ")
		}
		with := warned()
		if _, err := raw.Exec(`DROP INDEX petitions_due_id`); err != nil {
			t.Fatal(err)
		}
		if without := warned(); with != without {
			t.Fatalf("with the index: %s; without: %s", with, without)
		}
		if strings.Contains(with, string(xinfang.WarnOverdue)+" 0") {
			t.Fatalf("no overdue item to compare: %s", with)
		}
		if err := db.BuildOnlineIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		// Built again when left invalid.
		if _, err := raw.Exec(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'petitions_due_id'::regclass`); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != "invalid" {
			t.Fatalf("marked invalid: %s", got)
		}
		if err := db.BuildOnlineIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != "valid" {
			t.Fatalf("after an invalid one: %s", got)
		}
		// A build whose context has ended builds nothing; the next builds.
		if _, err := raw.Exec(`DROP INDEX petitions_due_id`); err != nil {
			t.Fatal(err)
		}
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if err := db.BuildOnlineIndexes(gone); err == nil {
			t.Error("a build with its context ended answered no error")
		}
		if got := state(); got == "valid" {
			t.Fatalf("after an interrupted build: %s", got)
		}
		if err := db.BuildOnlineIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != "valid" {
			t.Fatalf("after the build that followed: %s", got)
		}
	})
}
