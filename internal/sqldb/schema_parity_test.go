package sqldb_test

import (
	"database/sql"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"xinfang/internal/sqldb/sqldbtest"
)

// The storage code is the same on both databases, so after all migrations
// the two schemas must be the same up to the dialect. These are the objects
// only one dialect has, each with the reason it belongs to that dialect
// alone. Every entry must exist: a stale one fails the test.
var (
	// sqliteOnly lists SQLite tables (with their columns) the comparison skips.
	sqliteOnly = map[string]string{
		// Full-text search on SQLite is FTS5 (0002_search.sql); PostgreSQL
		// answers the same queries from search_docs with the pg_trgm GIN
		// index search_docs_trgm. The virtual tables and the shadow tables
		// FTS5 keeps their index in have no PostgreSQL counterpart.
		"table search_fts":             "FTS5 trigram index over search_docs",
		"table search_fts_data":        "FTS5 shadow table of search_fts",
		"table search_fts_idx":         "FTS5 shadow table of search_fts",
		"table search_fts_docsize":     "FTS5 shadow table of search_fts",
		"table search_fts_config":      "FTS5 shadow table of search_fts",
		"table search_bigrams":         "FTS5 index of two-character words (pg_trgm on PostgreSQL needs none)",
		"table search_bigrams_data":    "FTS5 shadow table of search_bigrams",
		"table search_bigrams_idx":     "FTS5 shadow table of search_bigrams",
		"table search_bigrams_docsize": "FTS5 shadow table of search_bigrams (contentless_delete keeps sizes)",
		"table search_bigrams_config":  "FTS5 shadow table of search_bigrams",
	}
	// postgresOnly lists PostgreSQL indexes the comparison skips.
	postgresOnly = map[string]string{
		// The pg_trgm GIN index that does on PostgreSQL what the FTS5
		// tables above do on SQLite.
		"index search_docs.search_docs_trgm": "pg_trgm GIN index for LIKE '%…%' search",
	}
)

// TestSchemaParity migrates a fresh SQLite and a fresh PostgreSQL database
// and expects the same tables, columns (normalised type, nullability,
// default, primary key position), indexes (columns in order, unique,
// partial predicate), unique constraints, foreign keys and CHECK
// constraints on both. It needs PostgreSQL: without it the test is
// skipped, and in CI (CI=true) it fails.
//
// Not compared: triggers (the append-only triggers are written per
// dialect and tested by behaviour), integer width (INTEGER and BIGINT both
// scan into int64) and how ids are numbered (rowid or identity).
func TestSchemaParity(t *testing.T) {
	sqldbtest.RequirePostgres(t)
	liteDB := sqldbtest.Open(t, "sqlite").RawSQL()
	pgDB := sqldbtest.Open(t, "postgres").RawSQL()

	// The two sets are numbered in step: a file in one folder only is
	// drift even before the schemas show it.
	if l, p := appliedMigrations(t, liteDB), appliedMigrations(t, pgDB); !slices.Equal(l, p) {
		t.Errorf("applied migrations differ:\n  sqlite:   %v\n  postgres: %v", l, p)
	}

	lite := sqliteSchema(t, liteDB)
	pg := postgresSchema(t, pgDB)

	for _, stale := range dropExceptions(lite, sqliteOnly) {
		t.Errorf("stale exception: SQLite has no %s", stale)
	}
	for _, stale := range dropExceptions(pg, postgresOnly) {
		t.Errorf("stale exception: PostgreSQL has no %s", stale)
	}
	if len(lite.tables) == 0 || len(pg.tables) == 0 {
		t.Fatalf("introspection found no tables: sqlite %d, postgres %d", len(lite.tables), len(pg.tables))
	}
	if diff := schemaDiff(lite.flatten(), pg.flatten()); diff != "" {
		t.Errorf("the SQLite and PostgreSQL schemas differ after all migrations:\n%s", diff)
	}
}

// dbSchema is what the comparison sees of a database.
type dbSchema struct {
	tables map[string]*tableInfo
}

type tableInfo struct {
	columns map[string]string   // name → "int not null default 0 pk#1"
	indexes map[string]string   // name → "(a, b) unique where {…}"
	uniques map[string]bool     // "(a, b)" of each UNIQUE constraint
	fks     map[string]string   // "(a)" → "units(id) on delete cascade"
	checks  map[string][]string // "(a, b)" → signatures of the CHECKs on exactly those columns
}

func newTableInfo() *tableInfo {
	return &tableInfo{columns: map[string]string{}, indexes: map[string]string{}, uniques: map[string]bool{}, fks: map[string]string{}, checks: map[string][]string{}}
}

// columnNames returns the table's column names, to tell columns from
// keywords in expressions.
func (ti *tableInfo) columnNames() map[string]bool {
	out := map[string]bool{}
	for c := range ti.columns {
		out[c] = true
	}
	return out
}

// flatten turns s into one line per object: "kind table.name" → value.
func (s *dbSchema) flatten() map[string]string {
	out := map[string]string{}
	for tn, ti := range s.tables {
		out["table "+tn] = "present"
		for c, v := range ti.columns {
			out["column "+tn+"."+c] = v
		}
		for i, v := range ti.indexes {
			out["index "+tn+"."+i] = v
		}
		for u := range ti.uniques {
			out["unique "+tn+u] = "present"
		}
		for cols, v := range ti.fks {
			out["foreign key "+tn+cols] = v
		}
		for cols, sigs := range ti.checks {
			sort.Strings(sigs)
			out["check "+tn+cols] = strings.Join(sigs, " | ")
		}
	}
	return out
}

// dropExceptions removes the listed tables and indexes from s and returns
// the entries that matched nothing.
func dropExceptions(s *dbSchema, exceptions map[string]string) (stale []string) {
	for key := range exceptions {
		kind, name, _ := strings.Cut(key, " ")
		found := false
		switch kind {
		case "table":
			_, found = s.tables[name]
			delete(s.tables, name)
		case "index":
			tn, in, _ := strings.Cut(name, ".")
			if ti := s.tables[tn]; ti != nil {
				_, found = ti.indexes[in]
				delete(ti.indexes, in)
			}
		}
		if !found {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	return stale
}

// schemaDiff lists every object whose value differs, one line each,
// sorted, or "" when the two agree.
func schemaDiff(lite, pg map[string]string) string {
	keys := map[string]bool{}
	for k := range lite {
		keys[k] = true
	}
	for k := range pg {
		keys[k] = true
	}
	var lines []string
	show := func(m map[string]string, k string) string {
		if v, ok := m[k]; ok {
			return fmt.Sprintf("%q", v)
		}
		return "(missing)"
	}
	for k := range keys {
		if lv, lok := lite[k]; lok {
			if pv, pok := pg[k]; pok && lv == pv {
				continue
			}
		}
		lines = append(lines, fmt.Sprintf("  %s:\n      sqlite:   %s\n      postgres: %s", k, show(lite, k), show(pg, k)))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// appliedMigrations returns the base names of the migrations db has run.
func appliedMigrations(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var out []string
	rows := schemaQuery(t, db, `SELECT name FROM migrations`)
	for rows.Next() {
		var name string
		schemaScan(t, rows, &name)
		out = append(out, path.Base(name)) // migrations/<dialect>/NNNN_x.sql
	}
	schemaDone(t, rows)
	sort.Strings(out)
	return out
}
