package sqldb_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestBranchListsPlannedGenerically: on PostgreSQL a list read in several
// branches is planned once, generically (planCacheMode), while the
// statements around it — the count from the 态势 counts before it, the
// rows of the page after it — keep plans made for their values, and a
// list of one branch does too. It reads PostgreSQL's own count of each
// prepared statement's plans on the one connection the reads use.
func TestBranchListsPlannedGenerically(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		if !db.Postgres() {
			return
		}
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		registerTownDays(t, f, clk, 4)
		// Two items beyond the town, so that the city's page holds more
		// rows than the town's: the rows of a page of any length are read
		// by one statement (an array of ids).
		for i := range 2 {
			f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageB, 20+i))
		}
		// check reads the lists through h and what PostgreSQL planned for
		// them; customOnly: the session's own mode is force_custom_plan,
		// which the rows read after the branches keep.
		check := func(h *sqldb.DB, customOnly bool) {
			t.Helper()
			h.OneReader()
			// The town's list (registered at the town, and handled there from
			// the bureau: two branches at least) and the city's (one branch), each read more
			// often than PostgreSQL's five plans for the values.
			for range 7 {
				for _, l := range []struct {
					u    *xinfang.User
					open bool
				}{{f.HandlerA, false}, {f.HandlerA, true}, {f.Leader, false}} {
					// The town's open list is counted from the 态势 counts.
					if _, _, err := h.Petitions.FindPetitions(f.Ctx(l.u), xinfang.PetitionFilter{Open: l.open}); err != nil {
						t.Fatal(err)
					}
				}
			}
			type plans struct{ generic, custom int }
			got := map[string]plans{}
			err := h.ReadView(context.Background(), func(queryRow func(q string, args ...any) *sql.Row) error {
				var list string
				err := queryRow(`SELECT string_agg(statement || chr(1) || generic_plans || chr(1) || custom_plans, chr(2)) FROM pg_prepared_statements`).Scan(&list)
				for _, s := range strings.Split(list, "\x02") {
					p := strings.Split(s, "\x01")
					var n plans
					for i, dst := range []*int{&n.generic, &n.custom} {
						*dst, _ = strconv.Atoi(p[1+i])
					}
					got[p[0]] = n
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var branched, single, counts, rows, paths int
			for stmt, n := range got {
				// The town's branches are read as arms over the arrays of
				// their paths (ledger_arms.go).
				arms := strings.Contains(stmt, "CROSS JOIN LATERAL")
				list := strings.HasPrefix(stmt, "SELECT id FROM (SELECT") || strings.HasPrefix(stmt, "SELECT COUNT(*) FROM (SELECT")
				switch {
				case strings.HasPrefix(stmt, "WITH RECURSIVE"): // the paths of the branches
					paths++
					if n.generic == 0 || n.custom != 0 {
						t.Errorf("the paths of the town's branches, %d generic and %d custom plans: %s", n.generic, n.custom, stmt)
					}
				case list && arms:
					branched++
					if n.generic == 0 || n.custom != 0 {
						t.Errorf("the town's list, %d generic and %d custom plans: %s", n.generic, n.custom, stmt)
					}
				case list && strings.Contains(stmt, "UNION ALL"):
					t.Errorf("a list of several branches read as a union of them: %s", stmt)
				case list:
					single++
					if n.custom == 0 {
						t.Errorf("the city's list, %d generic and %d custom plans: %s", n.generic, n.custom, stmt)
					}
				case strings.HasPrefix(stmt, "SELECT value, SUM(n) FROM dash_counts"):
					counts++
					if n.custom == 0 {
						t.Errorf("the count from the 态势 counts, %d generic and %d custom plans", n.generic, n.custom)
					}
				case strings.HasPrefix(stmt, "SELECT p.id, p.number") && strings.Contains(stmt, "= ANY("):
					// The page's rows. A read of one petition by its id (a
					// registration's facts, on a connection the pool kept)
					// is another statement.
					rows++
					if n.custom == 0 || customOnly && n.generic != 0 {
						t.Errorf("the page's rows, %d generic and %d custom plans", n.generic, n.custom)
					}
				}
			}
			if branched < 3 || single < 2 || counts == 0 || rows != 1 || paths != 2 {
				t.Fatalf("prepared: %d statements of the town's lists (want its pages and count), %d of the city's (page and count), %d counts from the 态势 counts, %d row reads (want one for pages of any length), %d of the branches' paths (want reg_path's and handling_path's): %v",
					branched, single, counts, rows, paths, got)
			}
		}
		check(db, false)
		// A session that plans for the values whatever PostgreSQL
		// thinks (the --db URL's own plan_cache_mode) gets its mode back
		// after the branches, not PostgreSQL's default.
		own := sqldb.NewDB(db.DSN+"&plan_cache_mode=force_custom_plan", sqldbtest.Keys)
		if err := own.Open(); err != nil {
			t.Fatal(err)
		}
		defer own.Close()
		check(own, true)
	})
}
