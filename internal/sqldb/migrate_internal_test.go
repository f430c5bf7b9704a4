package sqldb

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestMigrationOnlineParts checks every migration file's online part
// (migrate.go): it splits, holds index statements only (CONCURRENTLY on
// PostgreSQL, so that writes go on while it builds), and no later file's
// start-up part names an index an online part makes or drops — the
// start-up parts of later files run before it.
func TestMigrationOnlineParts(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		names, err := fs.Glob(migrationFS, "migrations/"+dialect+"/*.sql")
		if err != nil || len(names) == 0 {
			t.Fatalf("%s: no migrations: %v", dialect, err)
		}
		sort.Strings(names)
		online := map[string]string{} // index → the file whose online part names it
		parts := 0
		for _, name := range names {
			buf, err := fs.ReadFile(migrationFS, name)
			if err != nil {
				t.Fatal(err)
			}
			startup, stmts, err := splitMigration(name, string(buf))
			if err != nil {
				t.Fatal(err)
			}
			for ix, from := range online {
				if regexp.MustCompile(`\b` + ix + `\b`).MatchString(startup) {
					t.Errorf("%s names %s in its start-up part, which %s's online part builds after it", name, ix, from)
				}
			}
			if len(stmts) > 0 {
				parts++
			}
			for _, st := range stmts {
				if st.concurrent != (dialect == "postgres") {
					t.Errorf("%s: %q: CONCURRENTLY on PostgreSQL and only there", name, st.sql)
				}
				online[st.index] = name
			}
		}
		if parts < 5 {
			t.Errorf("%s: %d migrations with an online part, want the 5 that index petitions", dialect, parts)
		}
	}
	for _, bad := range []string{"CREATE TABLE x (a INT)", "CREATE UNIQUE INDEX IF NOT EXISTS x ON t(a)", "CREATE INDEX x ON t(a)", "UPDATE petitions SET a = 1"} {
		if _, _, err := splitMigration("bad.sql", "SELECT 1;\n"+onlineMark+"\n"+bad+";\n"); err == nil || !strings.Contains(err.Error(), "bad.sql") {
			t.Errorf("an online part of %q: %v, want an error naming the file", bad, err)
		}
	}
}
