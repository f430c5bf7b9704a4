package sqldb_test

import (
	"context"
	"testing"

	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestOnlineIndexes: the indexes made after the start are built, valid,
// once; one a build left invalid (an interrupted CREATE INDEX
// CONCURRENTLY) is built again; and an interrupted build leaves no valid
// index behind. On SQLite there are none to build.
func TestOnlineIndexes(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := sqldbtest.NewFixture(t, db)
		for i := range 5 {
			f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
		}
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
		// The lists read the same with it.
		page, total, err := db.Petitions.FindOverdue(f.Ctx(f.Leader), 0, 10)
		if err != nil || total != len(page) {
			t.Fatalf("overdue: %d of %d, %v", len(page), total, err)
		}
	})
}
