package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// Judicial aid: bad input refused with nothing written; an amount above
// the cap refused; the decision's clock of ten working days warns 临期
// and 超期 on time, and stops at the decision; the payment; who sees it.
func TestJudicialAidLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		c := fixClock(db, at("2026-06-01"))
		db.Cfg.JudicialAidCap = 50000
		f := sqldbtest.NewFixture(t, db)
		staff := f.Ctx(f.HandlerA)
		p := f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, 91))

		good := func() *xinfang.JudicialAid {
			return &xinfang.JudicialAid{PetitionID: p.ID, Applicant: "张三", ByPetitioner: true, Grounds: "因案致贫，生活困难", Documents: "申请书\n困难证明", AppliedOn: day("2026-06-01"), Requested: 30000}
		}
		for _, bad := range []struct {
			field string
			edit  func(a *xinfang.JudicialAid)
		}{
			{"grounds", func(a *xinfang.JudicialAid) { a.Grounds = "" }},
			{"applied_on", func(a *xinfang.JudicialAid) { a.AppliedOn = day("2026-06-02") }},
			{"petition_id", func(a *xinfang.JudicialAid) { a.PetitionID = 0 }},
		} {
			a := good()
			bad.edit(a)
			wantErr(t, db.JudicialAid.CreateJudicialAid(staff, a), xinfang.EINVALID, bad.field)
		}
		a := good()
		wantErr(t, db.JudicialAid.CreateJudicialAid(f.Ctx(f.HandlerB), a), xinfang.EINVALID, "petition_id")
		if n := count(t, db, "judicial_aid") + count(t, db, "judicial_aid_counters"); n != 0 {
			t.Fatalf("refused applications wrote %d rows", n)
		}
		if err := db.JudicialAid.CreateJudicialAid(staff, a); err != nil {
			t.Fatal(err)
		}
		// 06-01 (Mon): ten working days, the day itself not counted → 06-15.
		if a.Number != "SJ-2026-0001" || a.DecisionDue != day("2026-06-15") || a.Warning != xinfang.WarnNormal {
			t.Fatalf("created: %s due %s warning %s", a.Number, a.DecisionDue, a.Warning)
		}
		if _, err := db.JudicialAid.FindJudicialAidByID(f.Ctx(f.HandlerB), a.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town B reads the application: %v", err)
		}
		var err error
		_, err = db.JudicialAid.StepJudicialAid(staff, a.ID, xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActGrant, DecidedOn: day("2026-06-01"), Amount: 100})
		wantErr(t, err, xinfang.ECONFLICT, "action")
		if a, err = db.JudicialAid.StepJudicialAid(staff, a.ID, xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActReview, ReviewOpinion: "符合救助条件"}); err != nil {
			t.Fatal(err)
		}
		for _, w := range []struct {
			on      string
			want    xinfang.Warning
			overdue int
		}{{"2026-06-11", xinfang.WarnNormal, 0}, {"2026-06-12", xinfang.WarnNear, 0}, {"2026-06-15", xinfang.WarnNear, 0}, {"2026-06-16", xinfang.WarnOverdue, 1}} {
			c.Set(at(w.on))
			got, err := db.JudicialAid.FindJudicialAidByID(staff, a.ID)
			if err != nil || got.Warning != w.want {
				t.Errorf("%s: warning %q (%v), want %q", w.on, got.Warning, err, w.want)
			}
			if _, n, err := db.JudicialAid.FindJudicialAids(staff, xinfang.JudicialAidFilter{Overdue: true}); err != nil || n != w.overdue {
				t.Errorf("%s: %d overdue (%v), want %d", w.on, n, err, w.overdue)
			}
		}
		_, err = db.JudicialAid.StepJudicialAid(staff, a.ID, xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActGrant, DecidedOn: day("2026-06-16"), Amount: 50001})
		wantErr(t, err, xinfang.EINVALID, "amount")
		_, err = db.JudicialAid.StepJudicialAid(staff, a.ID, xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActRefuse, DecidedOn: day("2026-06-16")})
		wantErr(t, err, xinfang.EINVALID, "refusal_reason")
		if got, _ := db.JudicialAid.FindJudicialAidByID(staff, a.ID); got.State != xinfang.AidReviewed || got.Version != a.Version {
			t.Fatalf("a refused decision changed the application: %+v", got)
		}
		if a, err = db.JudicialAid.StepJudicialAid(staff, a.ID, xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActGrant, DecidedOn: day("2026-06-16"), Amount: 50000}); err != nil {
			t.Fatal(err)
		}
		if a.State != xinfang.AidGranted || a.Amount != 50000 || a.Warning != "" || a.DecidedByName != f.HandlerA.Name {
			t.Fatalf("granted: %+v", a)
		}
		_, err = db.JudicialAid.StepJudicialAid(staff, a.ID, xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActPay, PaidOn: day("2026-06-15"), PaymentRef: "银行转账"})
		wantErr(t, err, xinfang.EINVALID, "paid_on")
		if a, err = db.JudicialAid.StepJudicialAid(staff, a.ID, xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActPay, PaidOn: day("2026-06-16"), PaymentRef: "银行转账 NO.20260616001"}); err != nil || a.State != xinfang.AidPaid {
			t.Fatalf("paid: %+v %v", a, err)
		}
	})
}
