package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// 涉法涉诉: screening → transfer to a 政法机关 → case number → outcome.
// Bad input is refused naming the field with nothing written; the 政法
// unit lists exactly the items transferred to it and a town outside sees
// none of them; the transferred petition still verifies.
func TestLegalReferralLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		c := fixClock(db, at("2026-03-02"))
		f := sqldbtest.NewFixture(t, db)
		court := &xinfang.Unit{Code: "FY", Name: "示例市人民法院", Kind: xinfang.UnitLegal, ParentID: f.City.ID}
		if err := db.Directory.CreateUnit(context.Background(), court); err != nil {
			t.Fatal(err)
		}
		police := mkUser(t, db, "gaj.handler", "公安承办", f.Police, xinfang.RoleHandler)
		judge := mkUser(t, db, "fy.handler", "法院承办", court, xinfang.RoleHandler)
		reg := f.Ctx(f.BureauRegistrar)
		p1 := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 301))
		p2 := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 302))
		p3 := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageB, 303))
		legal := func(p *xinfang.Petition) xinfang.LegalScreening {
			return xinfang.LegalScreening{PetitionID: p.ID, Version: p.Version, Finding: xinfang.FindingLegal, Reason: "反映公安机关对其报案不予立案，属涉法涉诉"}
		}

		// Refused screenings write nothing: no row, no event.
		for _, bad := range []struct {
			field string
			edit  func(s *xinfang.LegalScreening)
		}{
			{"reason", func(s *xinfang.LegalScreening) { s.Reason = " " }},
			{"finding", func(s *xinfang.LegalScreening) { s.Finding = "maybe" }},
			{"petition_id", func(s *xinfang.LegalScreening) { s.PetitionID = 0 }},
		} {
			s := legal(p1)
			bad.edit(&s)
			_, err := db.Legal.ScreenLegal(reg, s)
			wantErr(t, err, xinfang.EINVALID, bad.field)
		}
		stale := legal(p1)
		stale.Version--
		_, err := db.Legal.ScreenLegal(reg, stale)
		wantErr(t, err, xinfang.ECONFLICT, "version")
		_, err = db.Legal.ScreenLegal(f.Ctx(f.HandlerA), legal(p1))
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		if n := count(t, db, "legal_referrals"); n != 0 {
			t.Fatalf("refused screenings wrote %d rows", n)
		}
		if got, _ := db.Petitions.FindPetitionByID(reg, p1.ID); got.Version != p1.Version || got.LegalCase {
			t.Fatalf("refused screenings changed the petition: version %d, legal %v", got.Version, got.LegalCase)
		}

		r1, err := db.Legal.ScreenLegal(reg, legal(p1))
		if err != nil {
			t.Fatal(err)
		}
		if r1.Finding != xinfang.FindingLegal || r1.ScreenedByID != f.BureauRegistrar.ID || r1.Transferred() {
			t.Fatalf("screened: %+v", r1)
		}
		// The screening sets the flag the filters read.
		got, _ := db.Petitions.FindPetitionByID(reg, p1.ID)
		if !got.LegalCase || got.State != xinfang.StateRegistered {
			t.Fatalf("after screening: legal %v state %s", got.LegalCase, got.State)
		}
		yes := true
		if list, _, err := db.Petitions.FindPetitions(reg, xinfang.PetitionFilter{LegalCase: &yes}); err != nil || len(list) != 1 || list[0].ID != p1.ID {
			t.Fatalf("legal filter: %v %v", ids(list), err)
		}
		notLegal := legal(p2)
		notLegal.Finding = xinfang.FindingNotLegal
		r2, err := db.Legal.ScreenLegal(reg, notLegal)
		if err != nil {
			t.Fatal(err)
		}

		// Transfers refused: a not-legal finding, a town, a stale version.
		_, err = db.Legal.TransferLegal(reg, r2.ID, xinfang.LegalTransfer{Version: r2.Version, UnitID: f.Police.ID})
		wantErr(t, err, xinfang.EINVALID, "finding")
		_, err = db.Legal.TransferLegal(reg, r1.ID, xinfang.LegalTransfer{Version: r1.Version, UnitID: f.TownA.ID})
		wantErr(t, err, xinfang.EINVALID, "unit_id")
		_, err = db.Legal.TransferLegal(reg, r1.ID, xinfang.LegalTransfer{Version: r1.Version})
		wantErr(t, err, xinfang.EINVALID, "unit_id")
		_, err = db.Legal.TransferLegal(reg, r1.ID, xinfang.LegalTransfer{Version: r1.Version + 1, UnitID: f.Police.ID})
		wantErr(t, err, xinfang.ECONFLICT, "version")
		if got, _ := db.Petitions.FindPetitionByID(reg, p1.ID); got.State != xinfang.StateRegistered || got.Version != p1.Version+1 {
			t.Fatalf("refused transfers changed the petition: %s v%d", got.State, got.Version)
		}

		c.Set(at("2026-03-03"))
		r1, err = db.Legal.TransferLegal(reg, r1.ID, xinfang.LegalTransfer{Version: r1.Version, UnitID: f.Police.ID, Note: "请依法审查"})
		if err != nil {
			t.Fatal(err)
		}
		if r1.UnitID != f.Police.ID || r1.Body != xinfang.BodyPolice || r1.Route != xinfang.RoutePolice || r1.Status != xinfang.JudicialPending {
			t.Fatalf("transferred: %+v", r1)
		}
		got, _ = db.Petitions.FindPetitionByID(reg, p1.ID)
		if got.State != xinfang.StateDiverted || got.HandlingUnitID != f.Police.ID {
			t.Fatalf("transferred petition: %s handled by %d", got.State, got.HandlingUnitID)
		}
		// The police learn they have it.
		if notes, _, _, err := db.Notifications.FindNotifications(f.Ctx(police), xinfang.NotificationFilter{}); err != nil || len(notes) != 1 ||
			!strings.Contains(notes[0].Subject, p1.Number) {
			t.Errorf("the police's notices: %+v %v", notes, err)
		}
		events, err := db.Petitions.FindEvents(reg, p1.ID)
		if err != nil || len(events) != 3 || events[1].Action != xinfang.ActLegalScreen || events[1].ActorID != f.BureauRegistrar.ID ||
			events[1].Data["reason"] == "" || events[2].Action != xinfang.ActLegalTransfer || events[2].Data["route"] != "police" {
			t.Fatalf("events: %v %v", events, err)
		}
		r3, err := db.Legal.ScreenLegal(reg, legal(p3))
		if err != nil {
			t.Fatal(err)
		}
		if r3, err = db.Legal.TransferLegal(reg, r3.ID, xinfang.LegalTransfer{Version: r3.Version, UnitID: court.ID}); err != nil || r3.Route != xinfang.RouteLitigation {
			t.Fatalf("transfer to the court: %+v %v", r3, err)
		}

		// Each 政法 unit lists exactly the items transferred to it; town B,
		// which none of them passed through, sees none.
		for _, tc := range []struct {
			u    *xinfang.User
			want []int64
		}{{police, []int64{r1.ID}}, {judge, []int64{r3.ID}}, {f.HandlerB, nil}, {f.BureauRegistrar, []int64{r3.ID, r2.ID, r1.ID}}} {
			list, total, err := db.Legal.FindLegalReferrals(f.Ctx(tc.u), xinfang.LegalReferralFilter{})
			if err != nil || total != len(tc.want) || len(list) != len(tc.want) {
				t.Fatalf("%s lists %d (%v)", tc.u.Username, total, err)
			}
			for i, r := range list {
				if r.ID != tc.want[i] {
					t.Errorf("%s lists %d at %d, want %d", tc.u.Username, r.ID, i, tc.want[i])
				}
			}
		}
		for _, tc := range []struct {
			u  *xinfang.User
			id int64
		}{{f.HandlerB, r1.ID}, {police, r3.ID}, {judge, r1.ID}} {
			if _, err := db.Legal.FindLegalReferralByID(f.Ctx(tc.u), tc.id); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
				t.Errorf("%s reads referral %d: %v", tc.u.Username, tc.id, err)
			}
		}
		if _, err := db.Legal.RecordJudicial(f.Ctx(judge), r1.ID, xinfang.JudicialRecord{Version: r1.Version, Status: xinfang.JudicialFiled, CaseNumber: "x", On: day("2026-03-03")}); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("the court records on the police's item: %v", err)
		}

		// The case number and the outcome, by the police.
		pctx := f.Ctx(police)
		c.Set(at("2026-03-10"))
		for _, bad := range []struct {
			field string
			rec   xinfang.JudicialRecord
		}{
			{"case_number", xinfang.JudicialRecord{Status: xinfang.JudicialFiled, On: day("2026-03-09")}},
			{"status", xinfang.JudicialRecord{Status: xinfang.JudicialClosed, CaseNumber: "A", On: day("2026-03-09"), Result: "r"}},
			{"on", xinfang.JudicialRecord{Status: xinfang.JudicialFiled, CaseNumber: "A", On: day("2026-03-11")}},
			{"on", xinfang.JudicialRecord{Status: xinfang.JudicialFiled, CaseNumber: "A", On: day("2026-03-01")}},
			{"result", xinfang.JudicialRecord{Status: xinfang.JudicialNotFiled, On: day("2026-03-09")}},
		} {
			bad.rec.Version = r1.Version
			_, err := db.Legal.RecordJudicial(pctx, r1.ID, bad.rec)
			wantErr(t, err, xinfang.EINVALID, bad.field)
		}
		_, err = db.Legal.RecordJudicial(pctx, r1.ID, xinfang.JudicialRecord{Version: r1.Version - 1, Status: xinfang.JudicialFiled, CaseNumber: "A", On: day("2026-03-09")})
		wantErr(t, err, xinfang.ECONFLICT, "version")
		if now, _ := db.Legal.FindLegalReferralByID(pctx, r1.ID); now.Version != r1.Version || now.Status != xinfang.JudicialPending {
			t.Fatalf("refused records changed the row: %+v", now)
		}
		r1, err = db.Legal.RecordJudicial(pctx, r1.ID, xinfang.JudicialRecord{Version: r1.Version, Status: xinfang.JudicialFiled, CaseNumber: "（2026）示公刑立字第 12 号", On: day("2026-03-09")})
		if err != nil || r1.Status != xinfang.JudicialFiled || r1.CaseNumber == "" || r1.RecordedByName != police.Name {
			t.Fatalf("filed: %+v %v", r1, err)
		}
		c.Set(at("2026-04-20"))
		_, err = db.Legal.RecordJudicial(pctx, r1.ID, xinfang.JudicialRecord{Version: r1.Version, Status: xinfang.JudicialClosed, On: day("2026-04-18")})
		wantErr(t, err, xinfang.EINVALID, "result")
		r1, err = db.Legal.RecordJudicial(pctx, r1.ID, xinfang.JudicialRecord{Version: r1.Version, Status: xinfang.JudicialClosed, On: day("2026-04-18"), Result: "侦查终结，移送起诉"})
		if err != nil || r1.Status != xinfang.JudicialClosed || r1.FiledOn != day("2026-03-09") || r1.DecidedOn != day("2026-04-18") || r1.CaseNumber == "" {
			t.Fatalf("closed: %+v %v", r1, err)
		}

		// 有案必立: the court's item waits without a case number past N days.
		list, _, err := db.Legal.FindLegalReferrals(reg, xinfang.LegalReferralFilter{Overdue: true})
		if err != nil || len(list) != 1 || list[0].ID != r3.ID || !list[0].Overdue || list[0].WaitingDays != 48 {
			t.Fatalf("overdue: %+v %v", list, err)
		}

		// The transferred petitions replay to what their rows say.
		for _, id := range []int64{p1.ID, p2.ID, p3.ID} {
			if err := verify(db, reg, id); err != nil {
				t.Errorf("verify %d: %v", id, err)
			}
		}
		rep, err := db.VerifyAll(context.Background())
		if err != nil || len(rep.Findings) != 0 {
			t.Fatalf("VerifyAll: %+v %v", rep, err)
		}
	})
}
