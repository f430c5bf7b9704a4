package sqldb_test

import (
	"testing"

	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestNoParallelWorkers: the store's PostgreSQL sessions start no parallel
// workers for a query, unless the DSN sets it otherwise.
func TestNoParallelWorkers(t *testing.T) {
	sqldbtest.RequirePostgres(t)
	db := sqldbtest.Open(t, "postgres")
	workers := func(db *sqldb.DB) string {
		t.Helper()
		var v string
		if err := db.RawSQL().QueryRow(`SHOW max_parallel_workers_per_gather`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := workers(db); got != "0" {
		t.Fatalf("max_parallel_workers_per_gather = %s, want 0", got)
	}
	own := sqldb.NewDB(db.DSN+"&max_parallel_workers_per_gather=3", sqldbtest.Keys)
	if err := own.Open(); err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if got := workers(own); got != "3" {
		t.Fatalf("with the DSN's own setting: %s, want 3", got)
	}
}
