package sqldb_test

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestWarningFilterProperty: the warning filter, a range of due and
// severe dates on today, answers exactly what the warning level computed
// in Go (procedure.WarningOf) answers, over random clocks, states, paths
// and todays; and the lists read path by path give each item in scope
// once, in order, page after page.
func TestWarningFilterProperty(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		ids := registerSpaced(t, f, clk, 36)
		raw := db.RawSQL()
		rng := rand.New(rand.NewPCG(8, 2026))
		base := calendar.MakeDate(2026, 6, 1)
		states := []xinfang.State{xinfang.StateRegistered, xinfang.StateHandling, xinfang.StatePendingSign, xinfang.StateConcluded, xinfang.StateWithdrawn}
		regPaths := []string{f.Bureau.Path, f.TownA.Path, f.VillageA.Path, f.TownB.Path}
		handlingPaths := []string{"", f.TownA.Path, f.VillageA.Path, f.TownB.Path, f.VillageB.Path, f.Police.Path}
		date := func(spread int) string {
			return base.AddDays(rng.IntN(2*spread+1) - spread).String()
		}
		type row struct {
			due, severe, reg, handling string
			state                      xinfang.State
			accusation                 bool
		}
		pr := db.Procedure(context.Background())
		users := []*xinfang.User{f.Leader, f.HandlerA, f.HandlerB}
		for round := 0; round < 12; round++ {
			// In odd rounds every item due has a severe day, so that the
			// 超期 list is bounded below (severe_gap.go); in even rounds
			// some have none, which turns the bound off.
			severeless := round%2 == 0
			rows := map[int64]row{}
			for _, id := range ids {
				r := row{state: states[rng.IntN(len(states))], reg: regPaths[rng.IntN(len(regPaths))],
					handling: handlingPaths[rng.IntN(len(handlingPaths))], accusation: rng.IntN(8) == 0}
				switch k := rng.IntN(10); {
				case k < 2: // nothing runs
				case k < 4 && severeless: // a due date, no severe date
					r.due = date(20)
				case k < 5: // dates in any order, as a hand-edited row may hold
					r.due, r.severe = date(20), date(20)
				default:
					r.due = date(20)
					r.severe = calendar.MustParseDate(r.due).AddDays(1 + rng.IntN(30)).String()
				}
				purpose := "claim"
				if r.accusation {
					purpose = "accusation"
				}
				if _, err := raw.Exec(db.Rebind(`UPDATE petitions SET due_date = ?, severe_date = ?, state = ?, reg_path = ?, handling_path = ?, purpose = ? WHERE id = ?`),
					r.due, r.severe, string(r.state), r.reg, r.handling, purpose, id); err != nil {
					t.Fatal(err)
				}
				rows[id] = r
			}
			recountRewritten(t, db)
			for _, u := range users {
				ctx := f.Ctx(u)
				scope := xinfang.ScopeOf(u)
				inScope := func(r row) bool {
					in := func(path string) bool { return path != "" && strings.HasPrefix(path, scope.UnitPath) }
					return (scope.All || in(r.reg) || in(r.handling)) && !r.accusation
				}
				for _, open := range []bool{false, true} {
					for _, sort := range []string{"", "received", "due", "number"} {
						all := listAll(t, db, ctx, xinfang.PetitionFilter{Open: open, Sort: sort})
						// The scope, computed here from the rows written.
						want := 0
						for _, r := range rows {
							if inScope(r) && (!open || !slices.Contains(xinfang.ClosedStates, r.state)) && (sort != "due" || r.due != "") {
								want++
							}
						}
						if len(all) != want {
							t.Fatalf("round %d, %s, open %v, sort %q: %d items, want %d", round, u.Username, open, sort, len(all), want)
						}
						checkOrder(t, all, sort)
						// A warning level lists in due-date order unless
						// another is asked for.
						byLevel := all
						if sort == "" {
							byLevel = listAll(t, db, ctx, xinfang.PetitionFilter{Open: open, Sort: "due"})
						}
						for k := 0; k < 3; k++ {
							today := base.AddDays(rng.IntN(61) - 30)
							for _, w := range []xinfang.Warning{xinfang.WarnNormal, xinfang.WarnNear, xinfang.WarnOverdue, xinfang.WarnSevere} {
								var expect []int64
								for _, p := range byLevel {
									if pr.WarningOf(p.DueDate, p.SevereDate, today) == w {
										expect = append(expect, p.ID)
									}
								}
								got := listAll(t, db, ctx, xinfang.PetitionFilter{Open: open, Sort: sort, Warning: w, Today: today})
								if gotIDs := idList(got); !slices.Equal(gotIDs, expect) {
									t.Fatalf("round %d, %s, open %v, sort %q, %s on %s:\n got %v\nwant %v", round, u.Username, open, sort, w, today, gotIDs, expect)
								}
							}
						}
					}
				}
			}
		}
	})
}

// listAll reads a list page by page (7 at a time, so that pages cut
// across the branches) and checks that the pages add up to the list read
// at once, with the same total.
func listAll(t *testing.T, db *sqldb.DB, ctx context.Context, flt xinfang.PetitionFilter) []*xinfang.Petition {
	t.Helper()
	flt.Limit = 500
	whole, total, err := db.Petitions.FindPetitions(ctx, flt)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(whole) {
		t.Fatalf("%+v: total %d, listed %d", flt, total, len(whole))
	}
	var paged []*xinfang.Petition
	for off := 0; off <= len(whole); off += 7 {
		flt.Offset, flt.Limit = off, 7
		page, n, err := db.Petitions.FindPetitions(ctx, flt)
		if err != nil {
			t.Fatal(err)
		}
		if n != total {
			t.Fatalf("%+v: total %d at offset %d, %d at once", flt, n, off, total)
		}
		paged = append(paged, page...)
	}
	if !slices.Equal(idList(paged), idList(whole)) {
		t.Fatalf("%+v: pages %v, at once %v", flt, idList(paged), idList(whole))
	}
	return whole
}

func idList(ps []*xinfang.Petition) []int64 {
	out := []int64{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// checkOrder checks a list against the order its sort names.
func checkOrder(t *testing.T, ps []*xinfang.Petition, sort string) {
	t.Helper()
	cmpFn := map[string]func(a, b *xinfang.Petition) int{
		"": func(a, b *xinfang.Petition) int {
			return cmp.Or(b.ReceivedAt.Compare(a.ReceivedAt), cmp.Compare(b.ID, a.ID))
		},
		"received": func(a, b *xinfang.Petition) int {
			return cmp.Or(a.ReceivedAt.Compare(b.ReceivedAt), cmp.Compare(a.ID, b.ID))
		},
		"due": func(a, b *xinfang.Petition) int {
			return cmp.Or(cmp.Compare(a.DueDate.String(), b.DueDate.String()), cmp.Compare(a.ID, b.ID))
		},
		"number": func(a, b *xinfang.Petition) int { return cmp.Compare(a.Number, b.Number) },
	}[sort]
	if !slices.IsSortedFunc(ps, cmpFn) {
		t.Fatalf("sort %q: out of order: %v", sort, idList(ps))
	}
}

// TestCountsCapped: a list longer than the count limit reports limit+1,
// "more than", on every list and both databases, and still pages.
func TestCountsCapped(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		for i := 0; i < 7; i++ {
			clk.Add(3600 * 1e9)
			p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
			if i%2 == 0 {
				f.MustAct(t, f.RegistrarA, p.ID, transfer(f.VillageA, 1))
			}
		}
		clk.Set(at("2026-06-15")) // every disposal clock overdue or worse
		// The store's limit, or the request's (the 工作台's): the lower
		// of the two holds.
		for _, c := range []struct{ store, request, limit int }{
			{3, 0, 3}, {6, 0, 6}, {7, 0, 7}, {100, 0, 100},
			{0, 3, 3}, {0, 6, 6}, {0, 100, 100}, {6, 3, 3}, {3, 6, 3}, {100, 7, 7},
		} {
			limit := c.limit
			db.MaxCount = c.store
			capped := limit < 7
			want := 7
			if capped {
				want = limit + 1
			}
			for _, u := range []*xinfang.User{f.Leader, f.HandlerA, f.RegistrarA} {
				ctx := f.Ctx(u)
				if c.request > 0 {
					ctx = xinfang.NewContextWithCountLimit(ctx, c.request)
				}
				lists := map[string]func() ([]*xinfang.Petition, int, error){
					"ledger": func() ([]*xinfang.Petition, int, error) {
						return db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Limit: 2, Offset: 1})
					},
					"ledger by due": func() ([]*xinfang.Petition, int, error) {
						return db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Sort: "due", Limit: 2, Offset: 1})
					},
					"overdue": func() ([]*xinfang.Petition, int, error) { return db.Petitions.FindOverdue(ctx, 1, 2) },
				}
				for name, list := range lists {
					page, total, err := list()
					if err != nil {
						t.Fatal(err)
					}
					if total != want || len(page) != 2 {
						t.Errorf("%s, limit %d, %s: total %d (want %d), page of %d", u.Username, limit, name, total, want, len(page))
					}
					if (total > limit) != capped {
						t.Errorf("%s, limit %d, %s: total %d, capped %v", u.Username, limit, name, total, capped)
					}
				}
			}
		}
		db.MaxCount = 0
		_, total, err := db.Petitions.FindPetitions(f.Ctx(f.Leader), xinfang.PetitionFilter{})
		if err != nil || total != 7 {
			t.Fatalf("default limit: total %d, %v", total, err)
		}
	})
}

// TestTodoOrder: a worklist puts the items falling due first on top (those
// due the same day by id) and those without a running clock after them
// (received first, listed first), and pages and counts across the two,
// capped or not.
func TestTodoOrder(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		// The items with a clock fall due in the reverse order of their
		// registration, two of them on one day: those follow their ids, as
		// in the ledger's order by due date.
		due := map[int]string{1: "2026-05-20", 2: "2026-05-18", 4: "2026-05-18", 5: "2026-05-15"}
		ids := map[int]int64{}
		var noClock []int64
		for i := 0; i < 6; i++ {
			clk.Add(-3600 * 1e9) // each received before the one before
			p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
			ids[i] = p.ID
			if i%3 == 0 {
				if _, err := db.RawSQL().Exec(db.Rebind(`UPDATE petitions SET due_date = '', severe_date = '' WHERE id = ?`), p.ID); err != nil {
					t.Fatal(err)
				}
				noClock = append([]int64{p.ID}, noClock...) // received first, listed first
				continue
			}
			if _, err := db.RawSQL().Exec(db.Rebind(`UPDATE petitions SET due_date = ?, severe_date = '2026-07-01' WHERE id = ?`), due[i], p.ID); err != nil {
				t.Fatal(err)
			}
		}
		want := append([]int64{ids[5], ids[2], ids[4], ids[1]}, noClock...)
		ctx := f.Ctx(f.RegistrarA)
		for _, limit := range []int{0, 2, 4, 5} {
			db.MaxCount = limit
			var got []int64
			for off := 0; off < 8; off += 3 {
				page, total, err := db.Petitions.FindTodo(ctx, xinfang.TodoAccept, off, 3)
				if err != nil {
					t.Fatal(err)
				}
				if wantTotal := min(6, db.MaxCount+1); limit != 0 && total != wantTotal || limit == 0 && total != 6 {
					t.Errorf("limit %d, offset %d: total %d", limit, off, total)
				}
				got = append(got, idList(page)...)
			}
			if !slices.Equal(got, want) {
				t.Errorf("limit %d: %v, want %v", limit, got, want)
			}
		}
	})
}
