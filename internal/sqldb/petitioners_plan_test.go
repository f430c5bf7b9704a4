package sqldb_test

import (
	"strings"
	"testing"

	"xinfang/internal/sqldb"
)

// TestPersonLookupUsesItsIndex: the person of a new petitioner is found
// through the index of its key, not by walking the petitioners in id order
// — a plan PostgreSQL chose for the lookup ordered by id once many rows
// shared a key, which read every row for a person not seen before. The
// table holds 20,000 rows, 50 to each key, with fresh statistics.
func TestPersonLookupUsesItsIndex(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		raw := db.RawSQL()
		fill := `INSERT INTO petitioners (name, id_type, id_number, id_index, org_code, phone, phone_index, address, created_at)
			SELECT '甲', 'id_card', '', 'k' || (i % 400), 'c' || (i % 400), '', '', '', '2026-01-01T00:00:00.000000Z' FROM generate_series(1, 20000) AS g(i)`
		explain := "EXPLAIN (COSTS OFF) "
		if !db.Postgres() {
			fill = "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 20000) " + fill[:strings.Index(fill, "FROM generate_series")] + "FROM g"
			explain = "EXPLAIN QUERY PLAN "
		}
		if _, err := raw.Exec(fill); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec("ANALYZE"); err != nil {
			t.Fatal(err)
		}
		for col, lookup := range sqldb.PersonLookups {
			q := strings.TrimSuffix(strings.TrimPrefix(lookup, "("), ")")
			rows, err := raw.Query(db.Rebind(explain+q), "unseen")
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for rows.Next() {
				cols, _ := rows.Columns()
				vals := make([]any, len(cols))
				for i := range vals {
					vals[i] = new(any)
				}
				if err := rows.Scan(vals...); err != nil {
					t.Fatal(err)
				}
				for _, v := range vals {
					lines = append(lines, strings.TrimSpace(strings.ReplaceAll(stringOf(*v.(*any)), "\n", " ")))
				}
			}
			rows.Close()
			got := strings.Join(lines, " | ")
			if strings.Contains(got, "petitioners_pkey") || !strings.Contains(got, "petitioners_"+col) {
				t.Errorf("the person's lookup by %s is planned as %s: want the index petitioners_%s", col, got, col)
			}
		}
	})
}

func stringOf(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	}
	return ""
}
