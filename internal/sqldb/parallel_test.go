package sqldb_test

import (
	"testing"

	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestNoParallelWorkers: the store's PostgreSQL sessions start no parallel
// workers for a query and compile none (JIT), unless the DSN sets it
// otherwise.
func TestNoParallelWorkers(t *testing.T) {
	sqldbtest.RequirePostgres(t)
	db := sqldbtest.Open(t, "postgres")
	show := func(db *sqldb.DB, name string) string {
		t.Helper()
		var v string
		if err := db.RawSQL().QueryRow(`SHOW ` + name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := show(db, "max_parallel_workers_per_gather"); got != "0" {
		t.Fatalf("max_parallel_workers_per_gather = %s, want 0", got)
	}
	if got := show(db, "jit"); got != "off" {
		t.Fatalf("jit = %s, want off", got)
	}
	own := sqldb.NewDB(db.DSN+"&max_parallel_workers_per_gather=3&jit=on", sqldbtest.Keys)
	if err := own.Open(); err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if got := show(own, "max_parallel_workers_per_gather"); got != "3" {
		t.Fatalf("with the DSN's own setting: %s, want 3", got)
	}
	if got := show(own, "jit"); got != "on" {
		t.Fatalf("with the DSN's own jit: %s, want on", got)
	}
}
