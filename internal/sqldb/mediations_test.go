package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// A mediation: bad input refused with nothing written; sessions; an
// agreement that concludes the petition (调解结案) in the same write; the
// fulfilment day that warns, then is met; who sees it.
func TestMediationLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		c := fixClock(db, at("2026-04-01"))
		f := sqldbtest.NewFixture(t, db)
		staff := f.Ctx(f.HandlerA)
		p := f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, 81))
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
		medUser := mkUser(t, db, "mediator1", "杨调解", f.VillageA, xinfang.RoleMediator)
		otherMed := mkUser(t, db, "mediator2", "马调解", f.VillageB, xinfang.RoleMediator)

		wantErr(t, db.Mediations.SaveMediator(staff, &xinfang.Mediator{Name: "杨调解", Kind: "elder"}), xinfang.EINVALID, "unit_id")
		m1 := &xinfang.Mediator{Name: "杨调解", Kind: "elder", UnitID: f.VillageA.ID, UserID: medUser.ID, Available: true}
		m2 := &xinfang.Mediator{Name: "何网格", Kind: "grid", UnitID: f.VillageA.ID, Available: false}
		for _, m := range []*xinfang.Mediator{m1, m2} {
			if err := db.Mediations.SaveMediator(staff, m); err != nil {
				t.Fatal(err)
			}
		}
		if team, err := db.Mediations.FindMediators(staff, f.TownA.ID); err != nil || len(team) != 2 || team[0].UnitName != f.VillageA.Name {
			t.Fatalf("town A's mediators: %v %v", team, err)
		}

		c.Set(at("2026-04-03"))
		good := func() *xinfang.Mediation {
			return &xinfang.Mediation{PetitionID: p.ID, UnitID: f.VillageA.ID, Dispute: "工资拖欠纠纷", Parties: "张三；某建筑公司", StartedOn: day("2026-04-03"),
				Mediators: []xinfang.MediationMediator{{MediatorID: m1.ID}}}
		}
		for _, bad := range []struct {
			field string
			edit  func(m *xinfang.Mediation)
		}{
			{"mediators", func(m *xinfang.Mediation) { m.Mediators = nil }},
			{"mediators", func(m *xinfang.Mediation) { m.Mediators = []xinfang.MediationMediator{{MediatorID: m2.ID}} }},
			{"started_on", func(m *xinfang.Mediation) { m.StartedOn = day("2026-04-04") }},
			{"petition_id", func(m *xinfang.Mediation) { m.CaseID = 5 }},
			{"dispute", func(m *xinfang.Mediation) { m.Dispute = "" }},
		} {
			m := good()
			bad.edit(m)
			wantErr(t, db.Mediations.CreateMediation(staff, m), xinfang.EINVALID, bad.field)
		}
		if n := count(t, db, "mediations") + count(t, db, "mediation_mediators") + count(t, db, "mediation_counters"); n != 0 {
			t.Fatalf("refused mediations wrote %d rows", n)
		}
		m := good()
		if err := db.Mediations.CreateMediation(staff, m); err != nil {
			t.Fatal(err)
		}
		if m.Number != "TJ-2026-0001" || m.State != xinfang.MediationOpen || len(m.Mediators) != 1 {
			t.Fatalf("created: %+v", m)
		}

		// The mediator with an account sees it; another, town B: not.
		if _, total, err := db.Mediations.FindMediations(f.Ctx(medUser), xinfang.MediationFilter{}); err != nil || total != 1 {
			t.Errorf("the mediator lists %d (%v)", total, err)
		}
		for _, u := range []*xinfang.User{otherMed, f.HandlerB} {
			if _, err := db.Mediations.FindMediationByID(f.Ctx(u), m.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
				t.Errorf("%s reads the mediation: %v", u.Username, err)
			}
		}

		c.Set(at("2026-04-08"))
		_, err := db.Mediations.AddMediationSession(staff, m.ID, m.Version, xinfang.MediationSession{HeldOn: day("2026-04-02"), Summary: "s"})
		wantErr(t, err, xinfang.EINVALID, "held_on")
		m, err = db.Mediations.AddMediationSession(staff, m.ID, m.Version, xinfang.MediationSession{HeldOn: day("2026-04-07"), Place: "东村调解室", Summary: "双方各自陈述，公司同意分期支付"})
		if err != nil || len(m.Sessions) != 1 {
			t.Fatalf("session: %+v %v", m, err)
		}

		// The procedure's own form does not take 调解结案.
		_, err = db.Petitions.Act(staff, p.ID, xinfang.ActionInput{Action: xinfang.ActMediationConclude, Version: p.Version, Data: map[string]string{"agreement": "a", "mediation": m.Number}})
		wantErr(t, err, xinfang.EINVALID, "action")

		agreed := xinfang.MediationOutcome{Version: m.Version, Result: xinfang.MediationAgreed, Agreement: "某建筑公司于 4 月 20 日前一次性支付张三工资 3 万元，张三不再就此信访。",
			AgreedOn: day("2026-04-08"), Conclude: true}
		_, err = db.Mediations.RecordMediationOutcome(staff, m.ID, agreed)
		wantErr(t, err, xinfang.EINVALID, "fulfil_by")
		failedConclude := xinfang.MediationOutcome{Version: m.Version, Result: xinfang.MediationFailed, FailReason: "x", Conclude: true}
		_, err = db.Mediations.RecordMediationOutcome(staff, m.ID, failedConclude)
		wantErr(t, err, xinfang.EINVALID, "conclude_petition")
		if got, _ := db.Petitions.FindPetitionByID(staff, p.ID); got.State != xinfang.StateHandling {
			t.Fatalf("a refused outcome moved the petition to %s", got.State)
		}
		agreed.FulfilBy = day("2026-04-20")
		m, err = db.Mediations.RecordMediationOutcome(staff, m.ID, agreed)
		if err != nil || m.State != xinfang.MediationAgreed || !m.Concluded || m.Warning != xinfang.WarnNormal {
			t.Fatalf("agreed: %+v %v", m, err)
		}
		got, err := db.Petitions.FindPetitionByID(staff, p.ID)
		if err != nil || got.State != xinfang.StateConcluded {
			t.Fatalf("the agreement did not conclude the petition: %v %v", got.State, err)
		}
		for _, ck := range got.Clocks {
			if ck.Kind == xinfang.ClockHandling && (ck.Running || ck.DoneOn != day("2026-04-08")) {
				t.Errorf("handling clock after 调解结案: %+v", ck)
			}
		}

		// The fulfilment day: 临期 within three days, 超期 after it.
		for _, w := range []struct {
			on   string
			want xinfang.Warning
			over int
		}{{"2026-04-17", xinfang.WarnNear, 0}, {"2026-04-20", xinfang.WarnNear, 0}, {"2026-04-21", xinfang.WarnOverdue, 1}} {
			c.Set(at(w.on))
			got, err := db.Mediations.FindMediationByID(staff, m.ID)
			if err != nil || got.Warning != w.want {
				t.Errorf("%s: warning %q (%v), want %q", w.on, got.Warning, err, w.want)
			}
			if _, n, _ := db.Mediations.FindMediations(staff, xinfang.MediationFilter{Overdue: true}); n != w.over {
				t.Errorf("%s: %d overdue agreements, want %d", w.on, n, w.over)
			}
		}
		c.Set(at("2026-04-22"))
		_, err = db.Mediations.RecordFulfilment(staff, m.ID, m.Version, day("2026-04-01"))
		wantErr(t, err, xinfang.EINVALID, "fulfilled_on")
		if m, err = db.Mediations.RecordFulfilment(staff, m.ID, m.Version, day("2026-04-22")); err != nil || m.Warning != "" {
			t.Fatalf("fulfilled: %+v %v", m, err)
		}
		if _, n, _ := db.Mediations.FindMediations(staff, xinfang.MediationFilter{Overdue: true}); n != 0 {
			t.Errorf("a fulfilled agreement is overdue")
		}
		_, err = db.Mediations.RecordFulfilment(staff, m.ID, m.Version, day("2026-04-22"))
		wantErr(t, err, xinfang.ECONFLICT, "action")
	})
}
