package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// storedPathsAgree fails unless every stored path of a record equals the
// path of the unit it names.
func storedPathsAgree(t *testing.T, db *sqldb.DB) {
	t.Helper()
	for _, q := range []string{
		`SELECT COUNT(*) FROM petitions p JOIN units u ON u.id = p.reg_unit_id WHERE p.reg_path <> u.path`,
		`SELECT COUNT(*) FROM petitions p JOIN units u ON u.id = p.handling_unit_id WHERE p.handling_path <> u.path`,
		`SELECT COUNT(*) FROM cases c JOIN units u ON u.id = c.responsible_unit_id WHERE c.responsible_path <> u.path`,
		`SELECT COUNT(*) FROM supervisions s JOIN units u ON u.id = s.issuer_unit_id WHERE s.issuer_path <> u.path`,
		`SELECT COUNT(*) FROM supervisions s JOIN units u ON u.id = s.target_unit_id WHERE s.target_path <> u.path`,
		`SELECT COUNT(*) FROM units c JOIN units p ON p.id = c.parent_id WHERE c.path <> p.path || CAST(c.id AS TEXT) || '/'`,
	} {
		var n int
		if err := db.RawSQL().QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n != 0 {
			t.Errorf("%d rows disagree: %s", n, q)
		}
	}
}

// Moving a unit takes its subtree and its records along in one
// transaction: the data scope follows at once.
func TestMoveUnit(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		fixClock(db, at("2026-03-02"))
		admin := f.Ctx(f.Admin)
		// Town A's own item, an item the 信访局 sent to village A, a case
		// of village A, and a 督办单 to village A.
		own := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))
		sent := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 2))
		f.MustAct(t, f.BureauRegistrar, sent.ID, transfer(f.VillageA, sent.Version))
		c := &xinfang.Case{Title: "东村积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: f.VillageA.ID, LeaderID: f.Leader.ID,
			PetitionIDs: []int64{own.ID}, Deadline: calendar.MustParseDate("2026-06-30")}
		if err := db.Cases.CreateCase(f.Ctx(f.HandlerA), c); err != nil {
			t.Fatal(err)
		}
		s := &xinfang.Supervision{TargetUnitID: f.VillageA.ID, PetitionID: sent.ID, Requirements: "请查清并反馈", Deadline: calendar.MustParseDate("2026-03-20")}
		if err := db.Supervisions.CreateSupervision(f.Ctx(f.Leader), s); err != nil {
			t.Fatal(err)
		}
		visible := func(u *xinfang.User) int {
			t.Helper()
			_, n, err := db.Petitions.FindPetitions(f.Ctx(u), xinfang.PetitionFilter{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if visible(f.HandlerA) != 2 || visible(f.HandlerB) != 0 {
			t.Fatalf("before: town A sees %d, town B %d", visible(f.HandlerA), visible(f.HandlerB))
		}

		t.Run("refused", func(t *testing.T) {
			self, below, nowhere := f.TownA.ID, f.VillageA.ID, int64(999999)
			for _, parent := range []*int64{&self, &below} {
				_, err := db.Directory.UpdateUnit(admin, f.TownA.ID, xinfang.UnitChange{ParentID: parent})
				wantErr(t, err, xinfang.EINVALID, "parent_id")
			}
			_, err := db.Directory.UpdateUnit(admin, f.TownA.ID, xinfang.UnitChange{ParentID: &nowhere})
			wantErr(t, err, xinfang.EINVALID, "parent_id")
			city := f.City.ID
			_, err = db.Directory.UpdateUnit(f.Ctx(f.Leader), f.TownA.ID, xinfang.UnitChange{ParentID: &city})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			_, err = db.Directory.UpdateUnit(admin, 999999, xinfang.UnitChange{ParentID: &city})
			wantErr(t, err, xinfang.ENOTFOUND, "")
			empty := " "
			_, err = db.Directory.UpdateUnit(admin, f.TownA.ID, xinfang.UnitChange{Name: &empty})
			wantErr(t, err, xinfang.EINVALID, "name")
		})

		// Town A, with its village, its users and its records, moves under town B.
		name, townB := "甲街道", f.TownB.ID
		moved, err := db.Directory.UpdateUnit(admin, f.TownA.ID, xinfang.UnitChange{Name: &name, ParentID: &townB})
		if err != nil {
			t.Fatal(err)
		}
		if moved.Name != "甲街道" || moved.ParentID != f.TownB.ID || moved.Path != f.TownB.ChildPath(f.TownA.ID) {
			t.Fatalf("moved %+v", moved)
		}
		village, err := db.Directory.FindUnitByID(admin, f.VillageA.ID)
		if err != nil || village.Path != moved.ChildPath(f.VillageA.ID) {
			t.Fatalf("village %+v, %v", village, err)
		}
		storedPathsAgree(t, db)
		// Town B's staff now see town A's items, town A's staff still do
		// (reloaded with their new path), and so does the case and the order.
		handlerA, err := db.Directory.FindUserByID(admin, f.HandlerA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := visible(handlerA); got != 2 {
			t.Errorf("town A sees %d items after the move", got)
		}
		if got := visible(f.HandlerB); got != 2 {
			t.Errorf("town B sees %d items after the move", got)
		}
		if _, err := db.Cases.FindCaseByID(f.Ctx(f.HandlerB), c.ID); err != nil {
			t.Errorf("town B does not see the village's case: %v", err)
		}
		if _, err := db.Supervisions.FindSupervisionByID(f.Ctx(f.HandlerB), s.ID); err != nil {
			t.Errorf("town B does not see the order to the village: %v", err)
		}
		// And back to the top level and under the city again.
		top, city := int64(0), f.City.ID
		if u, err := db.Directory.UpdateUnit(admin, f.TownA.ID, xinfang.UnitChange{ParentID: &top}); err != nil || u.Path != "/"+itoa(f.TownA.ID)+"/" {
			t.Fatalf("to the top: %+v, %v", u, err)
		}
		storedPathsAgree(t, db)
		if _, err := db.Directory.UpdateUnit(admin, f.TownA.ID, xinfang.UnitChange{ParentID: &city}); err != nil {
			t.Fatal(err)
		}
		storedPathsAgree(t, db)
		if got := visible(f.HandlerB); got != 0 {
			t.Errorf("town B sees %d items once town A left", got)
		}
	})
}

// A deactivated unit keeps its records and takes no new accounts,
// sub-units or items; it is refused while it is in use.
func TestDeactivateUnit(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		fixClock(db, at("2026-03-02"))
		admin := f.Ctx(f.Admin)

		_, err := db.Directory.DeactivateUnit(admin, f.TownA.ID)
		wantErr(t, err, xinfang.ECONFLICT, "users")
		wantErr(t, err, xinfang.ECONFLICT, "children")
		_, err = db.Directory.DeactivateUnit(f.Ctx(f.Leader), f.VillageB.ID)
		wantErr(t, err, xinfang.EFORBIDDEN, "")

		// An open item handled by village A keeps it in use.
		p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 1))
		f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.VillageA, p.Version))
		_, err = db.Directory.DeactivateUnit(admin, f.VillageA.ID)
		wantErr(t, err, xinfang.ECONFLICT, "petitions")

		u, err := db.Directory.DeactivateUnit(admin, f.VillageB.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !u.Disabled {
			t.Fatal("not deactivated")
		}
		// Nothing new goes there.
		wantErr(t, db.Directory.CreateUnit(admin, &xinfang.Unit{ParentID: f.VillageB.ID, Code: "YZ01-1", Name: "西村一组", Kind: xinfang.UnitVillage}), xinfang.EINVALID, "parent_id")
		wantErr(t, db.Directory.CreateUser(admin, &xinfang.User{Username: "xc.clerk", Name: "西村文书", UnitID: f.VillageB.ID}, sqldbtest.Password), xinfang.EINVALID, "unit_id")
		villageB := f.VillageB.ID
		_, err = db.Directory.UpdateUser(admin, f.HandlerB.ID, xinfang.UserChange{UnitID: &villageB})
		wantErr(t, err, xinfang.EINVALID, "unit_id")
		_, err = db.Directory.UpdateUnit(admin, f.VillageA.ID, xinfang.UnitChange{ParentID: &villageB})
		wantErr(t, err, xinfang.EINVALID, "parent_id")
		q := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.TownB, 2))
		_, err = db.Petitions.Act(f.Ctx(f.BureauRegistrar), q.ID, transfer(f.VillageB, q.Version))
		wantErr(t, err, xinfang.EINVALID, "unit_id")
		s := &xinfang.Supervision{TargetUnitID: f.VillageB.ID, PetitionID: q.ID, Requirements: "请查清并反馈", Deadline: calendar.MustParseDate("2026-03-20")}
		wantErr(t, db.Supervisions.CreateSupervision(f.Ctx(f.Leader), s), xinfang.EINVALID, "target_unit_id")
		c := &xinfang.Case{Title: "西村积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: f.VillageB.ID, LeaderID: f.Leader.ID,
			Deadline: calendar.MustParseDate("2026-06-30")}
		wantErr(t, db.Cases.CreateCase(f.Ctx(f.Leader), c), xinfang.EINVALID, "responsible_unit_id")
		// Its records stay where they were: the unit is still listed.
		units, err := db.Directory.FindUnits(admin)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, u := range units {
			found = found || u.ID == f.VillageB.ID && u.Disabled
		}
		if !found {
			t.Error("the deactivated unit is not listed as such")
		}

		// Back into use; a unit under a deactivated parent is not.
		if u, err := db.Directory.ActivateUnit(admin, f.VillageB.ID); err != nil || u.Disabled {
			t.Fatalf("activate: %+v, %v", u, err)
		}
		if _, err := db.Petitions.Act(f.Ctx(f.BureauRegistrar), q.ID, transfer(f.VillageB, q.Version)); err != nil {
			t.Errorf("transfer to the unit in use again: %v", err)
		}
		sub := &xinfang.Unit{ParentID: f.VillageB.ID, Code: "YZ01-1", Name: "西村一组", Kind: xinfang.UnitVillage}
		if err := db.Directory.CreateUnit(admin, sub); err != nil {
			t.Fatal(err)
		}
		// The village now handles the item: take it out of use bottom-up
		// once the sub-unit is gone.
		if _, err := db.Directory.DeactivateUnit(admin, sub.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.Directory.DeactivateUnit(admin, f.VillageB.ID)
		wantErr(t, err, xinfang.ECONFLICT, "petitions")
		if _, err := db.RawSQL().Exec(db.Rebind(`UPDATE units SET disabled = 1 WHERE id = ?`), f.VillageB.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.Directory.ActivateUnit(admin, sub.ID)
		wantErr(t, err, xinfang.EINVALID, "parent_id")
	})
}
