package sqldb_test

import (
	"context"
	"database/sql"
	"testing"

	"xinfang/internal/sqldb/sqldbtest"
)

// The SQLite read pool maps no file (readURL): after every commit of
// another connection a mapped reader unmaps the file and faults its pages
// in again. The writer keeps its map.
func TestSQLiteReadPoolUnmapped(t *testing.T) {
	db := sqldbtest.Open(t, "sqlite")
	var reader, writer int64
	err := db.ReadView(context.Background(), func(queryRow func(q string, args ...any) *sql.Row) error {
		return queryRow(`PRAGMA mmap_size`).Scan(&reader)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RawSQL().QueryRow(`PRAGMA mmap_size`).Scan(&writer); err != nil {
		t.Fatal(err)
	}
	if reader != 0 || writer == 0 {
		t.Errorf("mmap_size: readers %d, writer %d; want 0 and the writer's map", reader, writer)
	}
}
