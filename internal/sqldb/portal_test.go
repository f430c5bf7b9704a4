package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

func portalSubmission(f *sqldbtest.Fixture, n int) *xinfang.PortalSubmission {
	return &xinfang.PortalSubmission{Name: "李四", IDNumber: sqldbtest.IDNumber(n), Phone: "13912345678", Summary: "反映村道损毁",
		Content: "村口道路损毁半年无人修。", Request: "尽快修复道路", Category: "0501", LocalityID: f.VillageA.ID, Accepted: true}
}

// portalCtx is the context of a portal request: no user, the portal's
// audit kind.
func portalCtx() context.Context {
	return xinfang.WithAuditing(context.Background(), &xinfang.Auditing{Kind: xinfang.AuditPortal, Route: "POST /portal/test", IP: "192.0.2.1"})
}

// The whole of an online item on both databases: submitted, refused with
// a wrong 查询码 (the same answer as for an unknown number, counted, then
// made to wait), followed, taken in and handled by staff, evaluated once
// on the portal within its window, asked for review — each refusal
// writing nothing to the item.
func TestPortalFlow(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		clk := fixClock(db, at("2026-03-02"))
		ctx := portalCtx()

		// Bad input names its field and writes nothing.
		bad := portalSubmission(f, 1)
		wrong := byte('0')
		if bad.IDNumber[17] == '0' {
			wrong = '1'
		}
		bad.IDNumber, bad.Accepted = bad.IDNumber[:17]+string(wrong), false // wrong check digit
		before := counts(t, db)
		_, err := db.Portal.Submit(ctx, bad)
		wantErr(t, err, xinfang.EINVALID, "id_number")
		if _, ok := xinfang.ErrorFields(err)["rules_accepted"]; !ok {
			t.Errorf("rules not named: %v", err)
		}
		if after := counts(t, db); after["petitions"] != before["petitions"] {
			t.Errorf("a refused submission wrote %v", after)
		}

		p, err := db.Portal.Submit(ctx, portalSubmission(f, 1))
		if err != nil {
			t.Fatal(err)
		}
		if p.Channel != xinfang.ChannelOnline || p.QueryCode == "" || !strings.HasPrefix(p.Number, "XFJ-") {
			t.Fatalf("submitted %+v", p)
		}
		code := p.QueryCode

		// Wrong code and unknown number: one answer, both counted.
		_, err = db.Portal.Follow(ctx, p.Number, "AAAA-AAAA-AAAA-AAAA")
		wantErr(t, err, xinfang.EINVALID, "query_code")
		_, err2 := db.Portal.Follow(ctx, "XFJ-2026-999999", code)
		if xinfang.ErrorMessage(err) != xinfang.ErrorMessage(err2) {
			t.Errorf("an unknown number answers %v, a wrong code %v", err2, err)
		}
		it, err := db.Portal.Follow(ctx, strings.ToLower(p.Number), code)
		if err != nil {
			t.Fatal(err)
		}
		if it.StateCode != xinfang.StateRegistered || it.HandlingUnit != f.Bureau.Name {
			t.Errorf("follow %+v", it)
		}

		// The registrar's list has it; confirmed, it leaves.
		reg := f.Ctx(f.BureauRegistrar)
		list, total, err := db.Portal.FindIntake(reg, 0, 10)
		if err != nil || total != 1 || list[0].ID != p.ID {
			t.Fatalf("intake %v %d %v", list, total, err)
		}
		if _, _, err := db.Portal.FindIntake(f.Ctx(f.Auditor), 0, 10); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			t.Errorf("the auditor reads the intake: %v", err)
		}
		if _, err := db.Portal.ConfirmIntake(reg, p.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.Portal.ConfirmIntake(reg, p.ID)
		wantErr(t, err, xinfang.ECONFLICT, "petition_id")
		if _, total, _ := db.Portal.FindIntake(reg, 0, 10); total != 0 {
			t.Errorf("confirmed item still listed")
		}

		// Staff handle it: transfer, sign, accept, reply, deliver.
		p = f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, 1))
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: p.Version})
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
		clk.Set(at("2026-03-10"))
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActReply, Version: p.Version,
			Data: map[string]string{"outcome": "support", "facts": "经查属实", "opinion": "予以修复", "basis": "《公路法》"}})
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActDeliver, Version: p.Version,
			Data: map[string]string{"method": "in_person", "delivered_on": "2026-03-10", "receipt": "signed", "petitioner_opinion": "agree"}})

		it, err = db.Portal.Follow(ctx, p.Number, code)
		if err != nil {
			t.Fatal(err)
		}
		if !it.MayEvaluate || it.Review != xinfang.ActRequestReview || it.HandlingUnit != f.TownA.Name || len(it.Documents) != 2 {
			t.Errorf("after delivery %+v", it)
		}
		doc, err := db.Portal.Document(ctx, p.Number, code, "opinion")
		if err != nil || doc.Data["opinion"] != "予以修复" || doc.Issuer != f.TownA.Name {
			t.Errorf("document %+v %v", doc, err)
		}

		// Staff cannot enter the evaluation of an online item.
		_, err = db.Petitions.Act(f.Ctx(f.BureauRegistrar), p.ID, xinfang.ActionInput{Action: xinfang.ActEvaluate, Version: p.Version,
			Data: map[string]string{"rating_bureau": "satisfied", "rating_unit": "satisfied"}})
		wantErr(t, err, xinfang.EINVALID, "rating_unit")

		// The petitioner evaluates once; the second is refused, writing nothing.
		ev := xinfang.PortalEvaluation{RatingBureau: "satisfied", RatingUnit: "basic", Comment: "处理及时"}
		err = db.Portal.Evaluate(ctx, p.Number, code, ev)
		if err != nil {
			t.Fatal(err)
		}
		events := count(t, db, "events")
		err = db.Portal.Evaluate(ctx, p.Number, code, ev)
		wantErr(t, err, xinfang.EINVALID, "rating_unit")
		if !strings.Contains(xinfang.ErrorMessage(err), "不能重复评价") || count(t, db, "events") != events {
			t.Errorf("second evaluation: %v, events %d → %d", err, events, count(t, db, "events"))
		}
		history, err := db.Petitions.FindEvents(f.Ctx(f.BureauRegistrar), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := history[len(history)-1]
		if last.Action != xinfang.ActEvaluate || last.Data["source"] != "portal" || last.Data["comment"] != "处理及时" {
			t.Errorf("evaluation event %+v", last)
		}

		// A review request within the window, with a file.
		pdf := "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
		_, err = db.Portal.RequestReview(ctx, p.Number, code, xinfang.PortalReview{Reasons: ""})
		wantErr(t, err, xinfang.EINVALID, "reasons")
		a, err := db.Portal.RequestReview(ctx, p.Number, code, xinfang.PortalReview{Reasons: "修复质量不合格",
			Files: []xinfang.Upload{{Name: "照片说明.pdf", Content: strings.NewReader(pdf), Size: int64(len(pdf))}}})
		if err != nil || a != xinfang.ActRequestReview {
			t.Fatalf("review %v %v", a, err)
		}
		it, _ = db.Portal.Follow(ctx, p.Number, code)
		if it.StateCode != xinfang.StateReviewing || it.Review != "" {
			t.Errorf("after review request %+v", it)
		}

		// The audit log has the portal's requests and refusals.
		var n int
		if err := db.RawSQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE kind = 'portal' AND detail LIKE '%不正确%'`).Scan(&n); err != nil || n < 2 {
			t.Errorf("refusals audited: %d %v", n, err)
		}
	})
}

// Guessing a 查询码 is made to wait after a few failures, for a known
// number and an unknown one alike; the right code is refused too while
// it waits, so that the wait says nothing.
func TestPortalGuessingWaits(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		clk := fixClock(db, at("2026-03-02"))
		ctx := portalCtx()
		p, err := db.Portal.Submit(ctx, portalSubmission(f, 2))
		if err != nil {
			t.Fatal(err)
		}
		for _, number := range []string{p.Number, "XFJ-2026-123456"} {
			refused := 0
			for i := 0; i < 8; i++ {
				_, err := db.Portal.Follow(ctx, number, "BBBB-BBBB-BBBB-BBBB")
				if xinfang.ErrorCode(err) == xinfang.EINVALID {
					refused++
				} else {
					wantErr(t, err, xinfang.ETHROTTLED, "query_code")
				}
			}
			if refused != 6 {
				t.Errorf("%s: %d refusals before waiting, want 6 (5 free and the one that locks)", number, refused)
			}
		}
		_, err = db.Portal.Follow(ctx, p.Number, p.QueryCode)
		wantErr(t, err, xinfang.ETHROTTLED, "query_code")
		clk.Add(3 * 60e9)
		if _, err := db.Portal.Follow(ctx, p.Number, p.QueryCode); err != nil {
			t.Errorf("after the wait: %v", err)
		}
		// Per ID number: at most PortalDailyLimit a day.
		for i := 1; i < sqldb.PortalDailyLimit; i++ {
			if _, err := db.Portal.Submit(ctx, portalSubmission(f, 2)); err != nil {
				t.Fatal(err)
			}
		}
		before := count(t, db, "petitions")
		_, err = db.Portal.Submit(ctx, portalSubmission(f, 2))
		wantErr(t, err, xinfang.ETHROTTLED, "id_number")
		if count(t, db, "petitions") != before {
			t.Errorf("a refused submission was written")
		}
	})
}

// Windows: an evaluation or a review request after its window is refused
// with the date, and writes nothing; an item not submitted online can be
// declined by no one.
func TestPortalWindows(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		clk := fixClock(db, at("2026-03-02"))
		ctx := portalCtx()
		p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.TownA, 3))
		code := p.QueryCode
		_, err := db.Petitions.Act(f.Ctx(f.BureauRegistrar), p.ID, xinfang.ActionInput{Action: xinfang.ActDecline, Version: p.Version, Data: map[string]string{"reason": "x"}})
		wantErr(t, err, xinfang.ECONFLICT, "action")
		p = f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, 1))
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: p.Version})
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActReply, Version: p.Version,
			Data: map[string]string{"outcome": "explain", "facts": "经查", "opinion": "解释说明"}})
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActDeliver, Version: p.Version,
			Data: map[string]string{"method": "in_person", "delivered_on": "2026-03-02", "receipt": "signed", "petitioner_opinion": "agree"}})
		clk.Set(at("2026-05-20"))
		events := count(t, db, "events")
		err = db.Portal.Evaluate(ctx, p.Number, code, xinfang.PortalEvaluation{RatingBureau: "basic", RatingUnit: "basic"})
		wantErr(t, err, xinfang.EINVALID, "rating_unit")
		if !strings.Contains(xinfang.ErrorMessage(err), "评价期限") {
			t.Errorf("late evaluation: %v", err)
		}
		_, err = db.Portal.RequestReview(ctx, p.Number, code, xinfang.PortalReview{Reasons: "不服"})
		wantErr(t, err, xinfang.EINVALID, "received_on")
		if !strings.Contains(xinfang.ErrorMessage(err), "届满") || count(t, db, "events") != events {
			t.Errorf("late review: %v", err)
		}
	})
}
