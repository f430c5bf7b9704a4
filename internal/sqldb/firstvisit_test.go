package sqldb_test

import (
	"strconv"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// 首访责任制: what each first unit received, passed on and concluded
// itself, in the reader's scope; the items passed on.
func TestFirstVisitFigures(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-04-01"))
		f := sqldbtest.NewFixture(t, db)
		// Town A receives two: concludes one by a mediation agreement,
		// the other is being handled.
		p1 := f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, 61))
		p1 = f.MustAct(t, f.HandlerA, p1.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p1.Version})
		p3 := f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, 63))
		f.MustAct(t, f.HandlerA, p3.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p3.Version})
		med := &xinfang.Mediator{Name: "杨调解", Kind: "elder", UnitID: f.VillageA.ID, Available: true}
		if err := db.Mediations.SaveMediator(f.Ctx(f.HandlerA), med); err != nil {
			t.Fatal(err)
		}
		m := &xinfang.Mediation{PetitionID: p1.ID, UnitID: f.VillageA.ID, Dispute: "d", Parties: "p", StartedOn: day("2026-04-01"), Mediators: []xinfang.MediationMediator{{MediatorID: med.ID}}}
		if err := db.Mediations.CreateMediation(f.Ctx(f.HandlerA), m); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Mediations.RecordMediationOutcome(f.Ctx(f.HandlerA), m.ID, xinfang.MediationOutcome{Version: m.Version, Result: xinfang.MediationAgreed,
			Agreement: "a", AgreedOn: day("2026-04-01"), FulfilBy: day("2026-04-30"), Conclude: true}); err != nil {
			t.Fatal(err)
		}
		// The bureau receives one and passes it on to town A.
		p2 := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 62))
		f.MustAct(t, f.BureauRegistrar, p2.ID, xinfang.ActionInput{Action: xinfang.ActTransfer, Version: p2.Version, Data: map[string]string{"unit_id": strconv.FormatInt(f.TownA.ID, 10)}})

		rows, err := db.FirstVisit.FirstVisitFigures(f.Ctx(f.Leader), 2026)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]xinfang.FirstVisitRow{}
		for _, r := range rows {
			got[r.UnitID] = r
		}
		if a := got[f.TownA.ID]; a.Received != 2 || a.PassedOn != 0 || a.Concluded != 1 || a.ConcludeRate() != 50 {
			t.Errorf("town A: %+v", a)
		}
		if b := got[f.Bureau.ID]; b.Received != 1 || b.PassedOn != 1 || b.Concluded != 0 {
			t.Errorf("bureau: %+v", b)
		}
		items, err := db.FirstVisit.FirstVisitPassedOn(f.Ctx(f.Leader), f.Bureau.ID, 2026)
		if err != nil || len(items) != 1 || items[0].PetitionID != p2.ID || items[0].HandlingUnit != f.TownA.Name {
			t.Errorf("passed on by the bureau: %+v %v", items, err)
		}
		// Town B sees none of it; another year is empty.
		if rows, err := db.FirstVisit.FirstVisitFigures(f.Ctx(f.HandlerB), 2026); err != nil || len(rows) != 0 {
			t.Errorf("town B: %+v %v", rows, err)
		}
		if rows, _ := db.FirstVisit.FirstVisitFigures(f.Ctx(f.Leader), 2025); len(rows) != 0 {
			t.Errorf("2025: %+v", rows)
		}
		_, err = db.FirstVisit.FirstVisitFigures(f.Ctx(f.Leader), 1900)
		wantErr(t, err, xinfang.EINVALID, "year")
	})
}
