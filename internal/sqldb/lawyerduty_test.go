package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// The rota: generated fairly over the lawyers (each within one week of the
// others, never two points the same week), kept when generated again,
// changed week by week with the change kept; each lawyer sees his own.
func TestLawyerRota(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-01-02"))
		f := sqldbtest.NewFixture(t, db)
		lawyers := []*xinfang.User{
			mkUser(t, db, "lawyer1", "黄律师", f.City, xinfang.RoleLawyer),
			mkUser(t, db, "lawyer2", "林律师", f.City, xinfang.RoleLawyer),
			mkUser(t, db, "lawyer3", "郑律师", f.City, xinfang.RoleLawyer),
		}
		reg := f.Ctx(f.BureauRegistrar)
		req := xinfang.RotaRequest{PointIDs: []int64{f.Bureau.ID, f.TownA.ID}, From: day("2026-01-01"), To: day("2026-06-30")}

		_, err := db.LawyerDuty.GenerateRota(f.Ctx(f.HeadA), req)
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		bad := req
		bad.PointIDs = []int64{f.VillageA.ID}
		_, err = db.LawyerDuty.GenerateRota(reg, bad)
		wantErr(t, err, xinfang.EINVALID, "point_ids")
		bad = req
		bad.To = day("2025-12-01")
		_, err = db.LawyerDuty.GenerateRota(reg, bad)
		wantErr(t, err, xinfang.EINVALID, "to")
		if n := count(t, db, "lawyer_rota"); n != 0 {
			t.Fatalf("refused generations wrote %d weeks", n)
		}

		n, err := db.LawyerDuty.GenerateRota(reg, req)
		if err != nil || n != 52 {
			t.Fatalf("generated %d weeks (%v), want 26 weeks × 2 points", n, err)
		}
		weeks, total, err := db.LawyerDuty.FindDutyWeeks(reg, xinfang.DutyFilter{Limit: 500})
		if err != nil || total != 52 {
			t.Fatalf("weeks: %d %v", total, err)
		}
		per := map[int64]int{}
		byWeek := map[calendar.Date]map[int64]bool{}
		for _, w := range weeks {
			per[w.LawyerID]++
			if w.WeekStart.Weekday() != 1 {
				t.Errorf("week %s starts on %s", w.WeekStart, w.WeekStart.Weekday())
			}
			if byWeek[w.WeekStart] == nil {
				byWeek[w.WeekStart] = map[int64]bool{}
			}
			if byWeek[w.WeekStart][w.LawyerID] {
				t.Errorf("%s on duty twice in the week of %s", w.LawyerName, w.WeekStart)
			}
			byWeek[w.WeekStart][w.LawyerID] = true
		}
		lo, hi := 1000, 0
		for _, l := range lawyers {
			lo, hi = min(lo, per[l.ID]), max(hi, per[l.ID])
		}
		if hi-lo > 1 || lo == 0 {
			t.Fatalf("unfair rota: %v", per)
		}
		if n, err := db.LawyerDuty.GenerateRota(reg, req); err != nil || n != 0 {
			t.Fatalf("generated again: %d %v", n, err)
		}

		// Each lawyer sees his own weeks; town B's handler none of these.
		for _, l := range lawyers {
			own, total, err := db.LawyerDuty.FindDutyWeeks(f.Ctx(l), xinfang.DutyFilter{Limit: 500})
			if err != nil || total != per[l.ID] {
				t.Fatalf("%s sees %d weeks (%v), has %d", l.Username, total, err, per[l.ID])
			}
			for _, w := range own {
				if w.LawyerID != l.ID {
					t.Errorf("%s sees %s's week", l.Username, w.LawyerName)
				}
			}
		}
		if _, total, _ := db.LawyerDuty.FindDutyWeeks(f.Ctx(f.HandlerB), xinfang.DutyFilter{}); total != 0 {
			t.Errorf("town B sees %d weeks", total)
		}

		// A change of a week's lawyer: refused to someone on duty elsewhere
		// that week, without a reason, by a town, or at a stale version.
		w := weeks[0]
		other := weeks[1] // the same week, the other point
		if !other.WeekStart.Equal(w.WeekStart) {
			t.Fatalf("weeks out of order: %s %s", w.WeekStart, other.WeekStart)
		}
		free := int64(0)
		for _, l := range lawyers {
			if l.ID != w.LawyerID && l.ID != other.LawyerID {
				free = l.ID
			}
		}
		_, err = db.LawyerDuty.SwapDuty(reg, w.ID, xinfang.DutySwap{Version: w.Version, LawyerID: other.LawyerID, Reason: "出差"})
		wantErr(t, err, xinfang.EINVALID, "lawyer_id")
		_, err = db.LawyerDuty.SwapDuty(reg, w.ID, xinfang.DutySwap{Version: w.Version, LawyerID: free})
		wantErr(t, err, xinfang.EINVALID, "reason")
		_, err = db.LawyerDuty.SwapDuty(f.Ctx(f.HeadA), w.ID, xinfang.DutySwap{Version: w.Version, LawyerID: free, Reason: "出差"})
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		if n := count(t, db, "lawyer_rota_changes"); n != 0 {
			t.Fatalf("refused changes wrote %d rows", n)
		}
		got, err := db.LawyerDuty.SwapDuty(reg, w.ID, xinfang.DutySwap{Version: w.Version, LawyerID: free, Reason: "原值班律师出庭"})
		if err != nil || got.LawyerID != free || got.Version != w.Version+1 || len(got.Changes) != 1 {
			t.Fatalf("swapped: %+v %v", got, err)
		}
		ch := got.Changes[0]
		if ch.FromName != w.LawyerName || ch.ToName != got.LawyerName || ch.Reason != "原值班律师出庭" || ch.ByName != f.BureauRegistrar.Name {
			t.Errorf("change kept: %+v", ch)
		}
		_, err = db.LawyerDuty.SwapDuty(reg, w.ID, xinfang.DutySwap{Version: w.Version, LawyerID: w.LawyerID, Reason: "换回"})
		wantErr(t, err, xinfang.ECONFLICT, "version")
	})
}

// A reception record: refused bad input naming the field with nothing
// written; linked to a petition the lawyer is assigned to and to his own
// opinion only; corrected at its version by its lawyer alone; read by the
// staff of its point and not by another town.
func TestLawyerReception(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-03-02"))
		f := sqldbtest.NewFixture(t, db)
		lawyer := mkUser(t, db, "lawyer1", "黄律师", f.City, xinfang.RoleLawyer)
		other := mkUser(t, db, "lawyer2", "林律师", f.City, xinfang.RoleLawyer)
		lctx := f.Ctx(lawyer)
		p := f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, 401))
		good := func() *xinfang.DutyReception {
			return &xinfang.DutyReception{PointID: f.TownA.ID, ReceivedOn: day("2026-03-02"), Visitors: "张三等 2 人", Matter: "工伤赔偿纠纷",
				Advice: "建议申请劳动仲裁", Diverted: true, Route: xinfang.RouteArbitration}
		}
		for _, bad := range []struct {
			field string
			edit  func(r *xinfang.DutyReception)
		}{
			{"advice", func(r *xinfang.DutyReception) { r.Advice = "" }},
			{"route", func(r *xinfang.DutyReception) { r.Route = "" }},
			{"route", func(r *xinfang.DutyReception) { r.Diverted = false }},
			{"received_on", func(r *xinfang.DutyReception) { r.ReceivedOn = day("2026-03-03") }},
			{"point_id", func(r *xinfang.DutyReception) { r.PointID = f.VillageA.ID }},
			{"petition_id", func(r *xinfang.DutyReception) { r.PetitionID = p.ID }}, // not assigned to him
		} {
			r := good()
			bad.edit(r)
			wantErr(t, db.LawyerDuty.CreateReception(lctx, r), xinfang.EINVALID, bad.field)
		}
		wantErr(t, db.LawyerDuty.CreateReception(f.Ctx(f.HandlerA), good()), xinfang.EFORBIDDEN, "")
		if n := count(t, db, "lawyer_receptions"); n != 0 {
			t.Fatalf("refused records wrote %d rows", n)
		}

		if err := db.Assignments.Assign(f.Ctx(f.HandlerA), &xinfang.Assignment{UserID: lawyer.ID, Role: xinfang.AssignLawyer, PetitionID: p.ID, Task: "接访后跟进"}); err != nil {
			t.Fatal(err)
		}
		op := &xinfang.LegalOpinion{PetitionID: p.ID, Firm: "示例律师事务所", Question: "工伤赔偿", Opinion: "可申请仲裁", Basis: "《工伤保险条例》"}
		if err := db.Opinions.SaveLegalOpinion(lctx, op); err != nil {
			t.Fatal(err)
		}
		r := good()
		r.PetitionID, r.OpinionID = p.ID, op.ID
		if err := db.LawyerDuty.CreateReception(lctx, r); err != nil {
			t.Fatal(err)
		}
		if r.LawyerID != lawyer.ID || r.PetitionNumber != p.Number || r.OpinionNumber != op.Number || r.PointName != f.TownA.Name || r.Version != 1 {
			t.Fatalf("created: %+v", r)
		}
		// Another lawyer may not link the opinion, nor touch the record.
		r2 := good()
		r2.OpinionID = op.ID
		wantErr(t, db.LawyerDuty.CreateReception(f.Ctx(other), r2), xinfang.EINVALID, "opinion_id")
		edit := *r
		edit.Advice = "建议先行协商，协商不成申请仲裁"
		if err := db.LawyerDuty.UpdateReception(f.Ctx(other), &edit); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Fatalf("another lawyer edits: %v", err)
		}
		// Two corrections from the same version: the second is refused.
		first, second := *r, *r
		first.Advice = "建议先行协商"
		if err := db.LawyerDuty.UpdateReception(lctx, &first); err != nil || first.Version != 2 || first.Advice != "建议先行协商" {
			t.Fatalf("corrected: %+v %v", first, err)
		}
		second.Advice = "另一说法"
		wantErr(t, db.LawyerDuty.UpdateReception(lctx, &second), xinfang.ECONFLICT, "version")

		for _, tc := range []struct {
			u    *xinfang.User
			want int
		}{{lawyer, 1}, {other, 0}, {f.HeadA, 1}, {f.HandlerB, 0}, {f.Leader, 1}} {
			if _, total, err := db.LawyerDuty.FindReceptions(f.Ctx(tc.u), xinfang.DutyReceptionFilter{}); err != nil || total != tc.want {
				t.Errorf("%s lists %d records (%v), want %d", tc.u.Username, total, err, tc.want)
			}
		}
		if _, err := db.LawyerDuty.FindReceptionByID(f.Ctx(f.HandlerB), r.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town B reads the record: %v", err)
		}
	})
}
