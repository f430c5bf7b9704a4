package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// visible reports whether u finds p in a list, by id and by number, and
// fails when the three disagree: the scope is one rule for every read.
func visible(t *testing.T, f *sqldbtest.Fixture, u *xinfang.User, p *xinfang.Petition) bool {
	t.Helper()
	ctx := f.Ctx(u)
	list, total, err := f.DB.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(list) {
		t.Errorf("%s: total %d, listed %d", u.Username, total, len(list))
	}
	inList := ids(list)[p.ID]
	_, err = f.DB.Petitions.FindPetitionByID(ctx, p.ID)
	byID := err == nil
	if !byID {
		wantErr(t, err, xinfang.ENOTFOUND, "")
	}
	_, err = f.DB.Petitions.FindPetitionByNumber(ctx, p.Number)
	byNumber := err == nil
	if !byNumber {
		wantErr(t, err, xinfang.ENOTFOUND, "")
	}
	_, err = f.DB.Petitions.FindEvents(ctx, p.ID)
	events := err == nil
	if !events {
		wantErr(t, err, xinfang.ENOTFOUND, "")
	}
	if inList != byID || byID != byNumber || byNumber != events {
		t.Errorf("%s on %s: list %v, by id %v, by number %v, events %v", u.Username, p.Number, inList, byID, byNumber, events)
	}
	return byID
}

func TestScope(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		itemA := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))
		itemB := f.MustRegister(t, f.HandlerB, f.NewPetition(f.VillageB, 2))

		t.Run("town B on town A's item", func(t *testing.T) {
			if visible(t, f, f.HandlerB, itemA) {
				t.Fatal("town B's handler sees town A's item")
			}
			_, err := db.Petitions.Act(f.Ctx(f.HandlerB), itemA.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: 1})
			wantErr(t, err, xinfang.ENOTFOUND, "")
			wantErr(t, verify(db, f.Ctx(f.HandlerB), itemA.ID), xinfang.ENOTFOUND, "")
			matches, err := db.Petitioners.FindPersonMatches(f.Ctx(f.HandlerB), itemA.Petitioner.IDNumber, "", "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(matches) != 0 {
				t.Errorf("town B's handler finds %d earlier items of town A's petitioner", len(matches))
			}
			if !visible(t, f, f.HandlerB, itemB) {
				t.Error("town B's handler does not see its own item")
			}
		})

		t.Run("own unit and the city", func(t *testing.T) {
			for _, u := range []*xinfang.User{f.RegistrarA, f.HandlerA, f.HeadA} {
				if !visible(t, f, u, itemA) || visible(t, f, u, itemB) {
					t.Errorf("%s: wrong scope for the town items", u.Username)
				}
			}
			for _, u := range []*xinfang.User{f.Leader, f.BureauRegistrar} {
				if !visible(t, f, u, itemA) || !visible(t, f, u, itemB) {
					t.Errorf("%s does not see the whole city", u.Username)
				}
			}
		})

		t.Run("transfer widens the scope", func(t *testing.T) {
			item := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageB, 3))
			if visible(t, f, f.HandlerB, item) {
				t.Fatal("town B sees a bureau item before it is transferred")
			}
			f.MustAct(t, f.BureauRegistrar, item.ID, transfer(f.TownB, 1))
			if !visible(t, f, f.HandlerB, item) {
				t.Fatal("town B does not see an item transferred to it")
			}
			if visible(t, f, f.HandlerA, item) {
				t.Fatal("town A sees an item transferred to town B")
			}
		})

		t.Run("accusation", func(t *testing.T) {
			acc := f.NewPetition(f.VillageA, 4)
			acc.Purpose, acc.Category = xinfang.PurposeAccusation, "0402"
			acc.Summary, acc.Accused = "举报镇干部收受礼金", "甲镇某干部"
			f.MustRegister(t, f.RegistrarA, acc)

			check := func(stage string, want map[*xinfang.User]bool) {
				t.Helper()
				for u, w := range want {
					if got := visible(t, f, u, acc); got != w {
						t.Errorf("%s: %s sees the accusation: %v, want %v", stage, u.Username, got, w)
					}
				}
			}
			check("registered", map[*xinfang.User]bool{
				f.RegistrarA: true, f.HandlerA: false, f.HeadA: false, f.Leader: false, f.BureauRegistrar: false,
				f.DisciplineHandler: false, f.HandlerB: false, f.Admin: false, f.Auditor: false,
			})
			// 检举控告 goes to the 纪检监察 body only.
			_, err := db.Petitions.Act(f.Ctx(f.RegistrarA), acc.ID, transfer(f.Police, 1))
			wantErr(t, err, xinfang.EINVALID, "unit_id")
			f.MustAct(t, f.RegistrarA, acc.ID, transfer(f.Discipline, 1))
			check("transferred", map[*xinfang.User]bool{
				f.RegistrarA: true, f.DisciplineHandler: true, f.HandlerA: false, f.HeadA: false, f.Leader: false,
				f.BureauRegistrar: false, f.HandlerB: false, f.Admin: false, f.Auditor: false,
			})
			// The accused town's head cannot act on it either.
			_, err = db.Petitions.Act(f.Ctx(f.HeadA), acc.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: 2})
			wantErr(t, err, xinfang.ENOTFOUND, "")
			f.MustAct(t, f.DisciplineHandler, acc.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: 2})
		})

		t.Run("admin and auditor see nothing", func(t *testing.T) {
			for _, u := range []*xinfang.User{f.Admin, f.Auditor} {
				list, total, err := db.Petitions.FindPetitions(f.Ctx(u), xinfang.PetitionFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != 0 || total != 0 {
					t.Errorf("%s lists %d items (total %d)", u.Username, len(list), total)
				}
				if visible(t, f, u, itemA) {
					t.Errorf("%s sees an item", u.Username)
				}
				_, err = db.Petitions.Act(f.Ctx(u), itemA.ID, xinfang.ActionInput{Action: xinfang.ActWithdraw, Version: 1, Data: map[string]string{"reason": "撤回"}})
				wantErr(t, err, xinfang.ENOTFOUND, "")
			}
		})

		t.Run("no user", func(t *testing.T) {
			_, _, err := db.Petitions.FindPetitions(t.Context(), xinfang.PetitionFilter{})
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
			_, err = db.Petitions.FindPetitionByID(t.Context(), itemA.ID)
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
			_, err = db.Petitions.Act(t.Context(), itemA.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: 1})
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
			wantErr(t, db.Petitions.RegisterPetition(t.Context(), f.NewPetition(f.VillageA, 5)), xinfang.EUNAUTHORIZED, "")
		})
	})
}
