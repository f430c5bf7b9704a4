package sqldb_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// walkAll reads a list with EachPetition.
func walkAll(t *testing.T, db *sqldb.DB, ctx context.Context, flt xinfang.PetitionFilter) []*xinfang.Petition {
	t.Helper()
	var out []*xinfang.Petition
	if err := db.Petitions.EachPetition(ctx, flt, func(p *xinfang.Petition) error {
		out = append(out, p)
		return nil
	}); err != nil {
		t.Fatalf("%+v: %v", flt, err)
	}
	return out
}

// TestEachPetitionIsTheLedger: the walk of a list for the export gives
// the items of FindPetitions' list for the same filter, in the same
// order, with the same warning levels — batch after batch (of 4, so that
// batches cut across equal keys and across the branches of the paths),
// for users of different scopes, every order, the filters of the page,
// on random rows; another town's items never come.
func TestEachPetitionIsTheLedger(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-05-06"))
		db.WalkBatch = 4
		f := sqldbtest.NewFixture(t, db)
		ids := registerSpaced(t, f, clk, 30)
		raw := db.RawSQL()
		rng := rand.New(rand.NewPCG(9, 2026))
		base := calendar.MakeDate(2026, 6, 1)
		states := []xinfang.State{xinfang.StateRegistered, xinfang.StateHandling, xinfang.StatePendingSign, xinfang.StateConcluded}
		regPaths := []string{f.Bureau.Path, f.TownA.Path, f.VillageA.Path, f.TownB.Path}
		handlingPaths := []string{"", f.TownA.Path, f.VillageA.Path, f.TownB.Path, f.VillageB.Path}
		channels := []string{"letter", "visit"}
		var received []string
		for i, id := range ids {
			due := ""
			if rng.IntN(4) > 0 {
				due = base.AddDays(rng.IntN(9) - 4).String() // few dates: many ties
			}
			// Every third item shares its receipt time with the one before.
			var at string
			if i%3 == 2 {
				at = received[len(received)-1]
			}
			q := `UPDATE petitions SET due_date = ?, state = ?, reg_path = ?, handling_path = ?, channel = ?`
			args := []any{due, string(states[rng.IntN(len(states))]), regPaths[rng.IntN(len(regPaths))],
				handlingPaths[rng.IntN(len(handlingPaths))], channels[rng.IntN(2)]}
			if at != "" {
				q += `, received_at = ?`
				args = append(args, at)
			}
			if _, err := raw.Exec(db.Rebind(q+` WHERE id = ?`), append(args, id)...); err != nil {
				t.Fatal(err)
			}
			var got string
			if err := raw.QueryRow(db.Rebind(`SELECT received_at FROM petitions WHERE id = ?`), id).Scan(&got); err != nil {
				t.Fatal(err)
			}
			received = append(received, got)
		}
		recountRewritten(t, db)
		today := base.AddDays(1)
		filters := []xinfang.PetitionFilter{
			{}, {Open: true}, {Channel: "visit"}, {UnitID: f.TownA.ID}, {UnitID: f.VillageB.ID, Open: true},
			{State: []xinfang.State{xinfang.StateHandling, xinfang.StateRegistered}},
			{State: []xinfang.State{xinfang.StateConcluded}},
			{Warning: xinfang.WarnOverdue, Today: today}, {Warning: xinfang.WarnNormal, Today: today},
			{From: base.AddDays(-30).Time(), To: base.Time()},
		}
		for _, u := range []*xinfang.User{f.Leader, f.HandlerA, f.HandlerB} {
			ctx := f.Ctx(u)
			scope := xinfang.ScopeOf(u)
			for _, flt := range filters {
				for _, sort := range []string{"", "-received", "received", "due", "number"} {
					flt.Sort = sort
					want := listAll(t, db, ctx, flt)
					got := walkAll(t, db, ctx, flt)
					if !slices.Equal(idList(got), idList(want)) {
						t.Fatalf("%s %+v:\n walk %v\n list %v", u.Username, flt, idList(got), idList(want))
					}
					for i := range got {
						if got[i].Warning != want[i].Warning || got[i].Number != want[i].Number {
							t.Fatalf("%s %+v: item %d differs: %+v vs %+v", u.Username, flt, i, got[i], want[i])
						}
					}
					for _, p := range got {
						var reg, handling string
						if err := raw.QueryRow(db.Rebind(`SELECT reg_path, handling_path FROM petitions WHERE id = ?`), p.ID).Scan(&reg, &handling); err != nil {
							t.Fatal(err)
						}
						in := func(path string) bool { return path != "" && strings.HasPrefix(path, scope.UnitPath) }
						if !scope.All && !in(reg) && !in(handling) {
							t.Fatalf("%s walked %s, outside the scope %s (reg %s, handling %s)", u.Username, p.Number, scope.UnitPath, reg, handling)
						}
					}
				}
			}
		}
	})
}

// TestEachPetitionStops: an error of the callback ends the walk and is
// returned; a unit that does not exist is an error naming unit_id.
func TestEachPetitionStops(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-05-06"))
		db.WalkBatch = 2
		f := sqldbtest.NewFixture(t, db)
		for i := 0; i < 5; i++ {
			f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, i))
		}
		stop := errors.New("stop")
		n := 0
		err := db.Petitions.EachPetition(f.Ctx(f.Leader), xinfang.PetitionFilter{}, func(*xinfang.Petition) error {
			if n++; n == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 3 {
			t.Fatalf("walk: %v after %d items, want stop after 3", err, n)
		}
		err = db.Petitions.EachPetition(f.Ctx(f.Leader), xinfang.PetitionFilter{UnitID: 999999}, func(*xinfang.Petition) error { return nil })
		wantErr(t, err, xinfang.EINVALID, "unit_id")
	})
}
