package sqldb_test

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestTodoListsProperty: the 工作台's worklists (待签收, 待受理, 待答复) of
// each unit, read page by page, are the items the rule computed here from
// the rows gives — over random states, registering and handling units
// (none, the unit, a unit below, another town), due dates and 检举控告 items
// — in the worklists' order: due first by due date and id, then those
// without a running clock by receipt.
func TestTodoListsProperty(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		ids := registerSpaced(t, f, clk, 40)
		raw := db.RawSQL()
		rng := rand.New(rand.NewPCG(5, 2026))
		base := calendar.MakeDate(2026, 6, 1)
		states := []xinfang.State{xinfang.StateRegistered, xinfang.StatePendingSign, xinfang.StateSigned, xinfang.StateHandling, xinfang.StateHandling, xinfang.StateConcluded}
		paths := []string{f.Bureau.Path, f.TownA.Path, f.VillageA.Path, f.TownB.Path, f.VillageB.Path, f.Discipline.Path}
		type row struct {
			id            int64
			received, due string
			reg, handling string
			state         xinfang.State
			accusation    bool
		}
		users := []*xinfang.User{f.HandlerA, f.HeadA, f.HandlerB, f.DisciplineHandler}
		for round := 0; round < 8; round++ {
			var rows []row
			for _, id := range ids {
				r := row{id: id, state: states[rng.IntN(len(states))], reg: paths[rng.IntN(len(paths))], accusation: rng.IntN(6) == 0}
				if rng.IntN(3) > 0 {
					r.handling = paths[rng.IntN(len(paths))]
				}
				if rng.IntN(4) > 0 {
					r.due = base.AddDays(rng.IntN(7)).String() // few days: many ties
				}
				purpose := "claim"
				if r.accusation {
					purpose = "accusation"
				}
				if _, err := raw.Exec(db.Rebind(`UPDATE petitions SET due_date = ?, severe_date = ?, state = ?, reg_path = ?, handling_path = ?, purpose = ? WHERE id = ?`),
					r.due, r.due, string(r.state), r.reg, r.handling, purpose, id); err != nil {
					t.Fatal(err)
				}
				if err := raw.QueryRow(db.Rebind(`SELECT received_at FROM petitions WHERE id = ?`), id).Scan(&r.received); err != nil {
					t.Fatal(err)
				}
				rows = append(rows, r)
			}
			for _, u := range users {
				own := u.Unit.Path
				under := func(path string) bool { return path != "" && strings.HasPrefix(path, own) }
				scope := xinfang.ScopeOf(u)
				sees := func(r row) bool {
					return !r.accusation || scope.Discipline && under(r.handling)
				}
				rules := map[xinfang.TodoKind]func(r row) bool{
					xinfang.TodoSign: func(r row) bool { return r.handling == own && r.state == xinfang.StatePendingSign },
					xinfang.TodoAccept: func(r row) bool {
						return r.handling == own && (r.state == xinfang.StateSigned || r.state == xinfang.StateRegistered) ||
							r.handling == "" && r.reg == own && r.state == xinfang.StateRegistered
					},
					xinfang.TodoReply: func(r row) bool {
						return r.state == xinfang.StateHandling && (under(r.handling) || r.handling == "" && under(r.reg))
					},
				}
				for kind, rule := range rules {
					var want []row
					for _, r := range rows {
						if sees(r) && rule(r) {
							want = append(want, r)
						}
					}
					slices.SortFunc(want, func(a, b row) int {
						switch {
						case a.due != "" && b.due != "":
							return cmp.Or(cmp.Compare(a.due, b.due), cmp.Compare(a.id, b.id))
						case a.due != "":
							return -1
						case b.due != "":
							return 1
						}
						return cmp.Or(cmp.Compare(a.received, b.received), cmp.Compare(a.id, b.id))
					})
					wantIDs := []int64{}
					for _, r := range want {
						wantIDs = append(wantIDs, r.id)
					}
					ctx := f.Ctx(u)
					whole, total, err := db.Petitions.FindTodo(ctx, kind, 0, 500)
					if err != nil {
						t.Fatal(err)
					}
					if got := idList(whole); !slices.Equal(got, wantIDs) || total != len(wantIDs) {
						t.Fatalf("round %d, %s, %s: %v (total %d)\nwant %v", round, u.Username, kind, got, total, wantIDs)
					}
					var paged []int64
					for off := 0; off < len(wantIDs); off += 7 {
						page, n, err := db.Petitions.FindTodo(ctx, kind, off, 7)
						if err != nil {
							t.Fatal(err)
						}
						if n != total {
							t.Fatalf("round %d, %s, %s: page at %d counts %d, the list %d", round, u.Username, kind, off, n, total)
						}
						paged = append(paged, idList(page)...)
					}
					if !slices.Equal(paged, wantIDs) {
						t.Fatalf("round %d, %s, %s, page by page: %v\nwant %v", round, u.Username, kind, paged, wantIDs)
					}
				}
			}
		}
	})
}
