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

// migration0016 is the file whose online part builds the ledger's nine
// indexes.
const migration0016 = "0016_ledger_order_indexes.sql"

// TestUpgradeIndexesOnline: a database from before migration 0016 opened
// with DeferIndexes (serve) answers before the migration's indexes are
// built, its lists the same, its status counting the indexes to build;
// BuildOnlineIndexes builds them, resuming after the statements recorded
// as done; and any other command's Open builds them before it returns.
func TestUpgradeIndexesOnline(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		for i := range 8 {
			clk.Add(5 * 24 * time.Hour)
			f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
		}
		clk.Set(at("2026-06-25"))
		lists := func(d *sqldb.DB) string {
			t.Helper()
			out := ""
			for _, fl := range []xinfang.PetitionFilter{{Warning: xinfang.WarnOverdue}, {Open: true, Sort: "due"}, {Sort: "number"}, {}} {
				fl.Limit = 50
				page, total, err := d.Petitions.FindPetitions(f.Ctx(f.Leader), fl)
				if err != nil {
					t.Fatal(err)
				}
				out += fmt.Sprintf("%d %v; ", total, idList(page))
			}
			return out
		}
		want := lists(db)
		raw := db.RawSQL()
		hasIndex := func(name string) bool {
			t.Helper()
			q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
			if db.Postgres() {
				q = `SELECT COUNT(*) FROM pg_class WHERE oid = to_regclass($1)`
			}
			var n int
			if err := raw.QueryRow(q, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 1
		}
		built := []string{"petitions_reg_due", "petitions_handling_due", "petitions_reg_number"}
		beforeUpgrade := func() {
			t.Helper()
			for _, ix := range append([]string{"petitions_received"}, built...) {
				if _, err := raw.Exec(`DROP INDEX IF EXISTS ` + ix); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := raw.Exec(db.Rebind(`DELETE FROM migrations WHERE name LIKE ?`), "%"+migration0016); err != nil {
				t.Fatal(err)
			}
		}
		open := func(deferIndexes bool) *sqldb.DB {
			t.Helper()
			d := sqldb.NewDB(db.DSN, sqldbtest.Keys)
			d.Now, d.DeferIndexes = db.Now, deferIndexes
			if err := d.Open(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}

		beforeUpgrade()
		up := open(true)
		for _, ix := range built {
			if hasIndex(ix) {
				t.Fatalf("%s built before the start answered", ix)
			}
		}
		if st := up.IndexStatus(ctx); st.Indexes != 9 || st.SlowNotice() == "" {
			t.Fatalf("status before the build: %+v %q, want 9 indexes to build and a notice", st, st.SlowNotice())
		}
		if got := lists(up); got != want {
			t.Fatalf("lists without the indexes: %s, with them: %s", got, want)
		}
		// A stop after the first ten statements (the five indexes dropped
		// and made again): the build goes on from the eleventh.
		if _, err := raw.Exec(db.Rebind(`UPDATE migrations_online SET done = 10 WHERE name LIKE ?`), "%"+migration0016); err != nil {
			t.Fatal(err)
		}
		if err := up.BuildOnlineIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		for _, ix := range built {
			if !hasIndex(ix) {
				t.Fatalf("%s not built", ix)
			}
		}
		if hasIndex("petitions_received") {
			t.Fatal("petitions_received built again: the build did not resume after the statements done")
		}
		var pending int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM migrations_online`).Scan(&pending); err != nil || pending != 0 {
			t.Fatalf("%d online parts left (%v), want none", pending, err)
		}
		if st := open(true).IndexStatus(ctx); st.Indexes != 0 || st.SlowNotice() != "" {
			t.Fatalf("status after the build: %+v", st)
		}
		if got := lists(up); got != want {
			t.Fatalf("lists after the build: %s, want %s", got, want)
		}

		// Any other command builds them before Open returns.
		beforeUpgrade()
		open(false)
		for _, ix := range append([]string{"petitions_received"}, built...) {
			if !hasIndex(ix) {
				t.Fatalf("%s not built by Open", ix)
			}
		}
	})
}
