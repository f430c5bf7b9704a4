package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
)

// TestCaseScopeFollowsPetitions: who sees a backlog case through its
// petitions follows the petitions as they are now — sent on to another
// town, a unit moved under another — and never through a 检举控告 item;
// the case ledger and the detail agree with the rule computed here from
// the petitions' own rows after each change.
func TestCaseScopeFollowsPetitions(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newCaseWorld(t, db)
		fromBureau := w.MustRegister(t, w.BureauRegistrar, w.NewPetition(w.VillageA, 2))
		accusation := w.NewPetition(w.VillageB, 3)
		accusation.Purpose = xinfang.PurposeAccusation
		// Registered in town A, handled by the 纪委监委: town A does not
		// see a case through it.
		accusation = w.MustRegister(t, w.RegistrarA, accusation)
		accusation = w.MustAct(t, w.RegistrarA, accusation.ID, transfer(w.Discipline, accusation.Version))
		newCase := func(as *xinfang.User, unit *xinfang.Unit, petitions ...int64) *xinfang.Case {
			t.Helper()
			c := &xinfang.Case{Title: "积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: unit.ID,
				LeaderID: w.Leader.ID, PetitionIDs: petitions, Deadline: calendar.MustParseDate("2026-06-30")}
			if err := db.Cases.CreateCase(w.Ctx(as), c); err != nil {
				t.Fatalf("create case as %s: %v", as.Username, err)
			}
			return c
		}
		cases := []*xinfang.Case{
			newCase(w.HandlerA, w.TownA, w.Petition.ID),                        // town A's, on its own item
			newCase(w.BureauRegistrar, w.Bureau, fromBureau.ID),                // the bureau's, on an item it may send on
			newCase(w.DisciplineHandler, w.Discipline, accusation.ID),          // the 纪委监委's, on town A's 检举控告 item
			newCase(w.BureauRegistrar, w.Bureau, fromBureau.ID, w.Petition.ID), // on both towns' items
			newCase(w.HandlerB, w.TownB),                                       // town B's, on none
		}
		type link struct{ reg, handling, purpose string }
		check := func(when string) {
			t.Helper()
			links := map[int64][]link{}
			for _, c := range cases {
				for _, pid := range c.PetitionIDs {
					var l link
					if err := db.RawSQL().QueryRow(db.Rebind(`SELECT reg_path, handling_path, purpose FROM petitions WHERE id = ?`), pid).Scan(&l.reg, &l.handling, &l.purpose); err != nil {
						t.Fatal(err)
					}
					links[c.ID] = append(links[c.ID], l)
				}
			}
			for _, u := range []*xinfang.User{w.HandlerA, w.HandlerB, w.RegistrarA, w.DisciplineHandler, w.BureauRegistrar, w.Leader} {
				scope := xinfang.ScopeOf(u)
				in := func(path string) bool { return path != "" && strings.HasPrefix(path, scope.UnitPath) }
				var want []int64
				for _, c := range cases {
					var path string
					if err := db.RawSQL().QueryRow(db.Rebind(`SELECT responsible_path FROM cases WHERE id = ?`), c.ID).Scan(&path); err != nil {
						t.Fatal(err)
					}
					sees := scope.All || in(path) || c.LeaderID == u.ID
					for _, l := range links[c.ID] {
						sees = sees || !scope.None && l.purpose != string(xinfang.PurposeAccusation) && (in(l.reg) || in(l.handling))
					}
					if sees {
						want = append(want, c.ID)
					}
				}
				list, n, err := db.Cases.FindCases(w.Ctx(u), xinfang.CaseFilter{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				got := make([]int64, 0, len(list))
				for _, c := range list {
					got = append(got, c.ID)
				}
				slices.Sort(got)
				if !slices.Equal(got, want) || n != len(want) {
					t.Errorf("%s, %s sees %v (count %d), want %v", when, u.Username, got, n, want)
				}
				for _, c := range cases {
					_, err := db.Cases.FindCaseByID(w.Ctx(u), c.ID)
					if sees := slices.Contains(want, c.ID); sees != (err == nil) {
						t.Errorf("%s, %s reads case %d: %v, want seen %v", when, u.Username, c.ID, err, sees)
					}
				}
			}
		}
		check("filed")
		// The bureau sends its item on to town B: town B sees the cases on it.
		fromBureau = w.MustAct(t, w.BureauRegistrar, fromBureau.ID, transfer(w.TownB, fromBureau.Version))
		check("sent to town B")
		// Town B sends it back; the bureau sends it to town A.
		fromBureau = w.MustAct(t, w.HandlerB, fromBureau.ID, xinfang.ActionInput{Action: xinfang.ActReturn, Version: fromBureau.Version, Data: map[string]string{"reason": "不属本单位职权范围"}})
		check("sent back")
		fromBureau = w.MustAct(t, w.BureauRegistrar, fromBureau.ID, transfer(w.TownA, fromBureau.Version))
		check("sent to town A")
		// Town A moves under town B: town B sees all of town A's.
		if _, err := db.Directory.UpdateUnit(w.Ctx(w.Admin), w.TownA.ID, xinfang.UnitChange{ParentID: &w.TownB.ID}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []**xinfang.User{&w.HandlerA, &w.RegistrarA} {
			moved, err := db.Directory.FindUserByID(ctx, (*u).ID)
			if err != nil {
				t.Fatal(err)
			}
			*u = moved
		}
		check("town A under town B")
	})
}
