package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// goodReport is a valid report of unit found on 2026-04-02, due 04-20.
func goodReport(unit *xinfang.Unit) *xinfang.ScreeningReport {
	return &xinfang.ScreeningReport{UnitID: unit.ID, Source: "visit", FoundOn: day("2026-04-02"), Summary: "两户宅基地边界纠纷，双方多次争吵",
		Parties: "刘某；陈某", Place: "东村三组", Category: "0501", RiskLevel: xinfang.RiskMedium, Owner: "村调委会 杨主任", DueOn: day("2026-04-20")}
}

// A screening report: bad input refused naming the field with nothing
// written; filed in a round; settled on the spot at a level no lower than
// its own, counted by that level; a stale version refused; overdue when
// open past its deadline; a town sees only its subtree.
func TestScreeningReportLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		c := fixClock(db, at("2026-04-03"))
		f := sqldbtest.NewFixture(t, db)
		staff := f.Ctx(f.HandlerA)
		for _, bad := range []struct {
			field string
			edit  func(r *xinfang.ScreeningReport)
		}{
			{"source", func(r *xinfang.ScreeningReport) { r.Source = "rumour" }},
			{"risk_level", func(r *xinfang.ScreeningReport) { r.RiskLevel = "" }},
			{"owner", func(r *xinfang.ScreeningReport) { r.Owner = " " }},
			{"due_on", func(r *xinfang.ScreeningReport) { r.DueOn = day("2026-04-01") }},
			{"found_on", func(r *xinfang.ScreeningReport) { r.FoundOn = day("2026-04-04") }},
			{"category", func(r *xinfang.ScreeningReport) { r.Category = "9999" }},
			{"unit_id", func(r *xinfang.ScreeningReport) { r.UnitID = f.VillageB.ID }}, // town B is not town A's
			{"round_id", func(r *xinfang.ScreeningReport) { r.RoundID = 999 }},
		} {
			r := goodReport(f.VillageA)
			bad.edit(r)
			wantErr(t, db.Screening.CreateReport(staff, r), xinfang.EINVALID, bad.field)
		}
		if n := count(t, db, "screening_reports") + count(t, db, "screening_counters"); n != 0 {
			t.Fatalf("refused reports wrote %d rows", n)
		}
		wantErr(t, db.Screening.CreateReport(f.Ctx(f.Leader), goodReport(f.VillageA)), xinfang.EFORBIDDEN, "")

		village, town := goodReport(f.VillageA), goodReport(f.TownA)
		for _, r := range []*xinfang.ScreeningReport{village, town} {
			if err := db.Screening.CreateReport(staff, r); err != nil {
				t.Fatal(err)
			}
		}
		if village.Number != "PC-2026-0001" || village.Level != xinfang.LevelVillage || town.Level != xinfang.LevelTown || village.State != xinfang.ScreeningOpen {
			t.Fatalf("created: %+v / %+v", village, town)
		}
		other := goodReport(f.VillageB)
		if err := db.Screening.CreateReport(f.Ctx(f.HandlerB), other); err != nil {
			t.Fatal(err)
		}

		// Access: town A sees its two, town B its one, the city leader all.
		for _, x := range []struct {
			u    *xinfang.User
			want int
		}{{f.HandlerA, 2}, {f.HandlerB, 1}, {f.Leader, 3}, {f.BureauRegistrar, 3}} {
			if _, total, err := db.Screening.FindReports(f.Ctx(x.u), xinfang.ScreeningFilter{}); err != nil || total != x.want {
				t.Errorf("%s lists %d reports (%v), want %d", x.u.Username, total, err, x.want)
			}
		}
		if _, err := db.Screening.FindReportByID(f.Ctx(f.HandlerB), village.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town B reads town A's report: %v", err)
		}
		if _, err := db.Screening.SettleReport(f.Ctx(f.HandlerB), village.ID, xinfang.ScreeningSettlement{Version: village.Version, Level: "town", SettledOn: day("2026-04-03"), Note: "n"}); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town B settles town A's report: %v", err)
		}

		// A town's report is not settled by a village; a stale version is refused.
		_, err := db.Screening.SettleReport(staff, town.ID, xinfang.ScreeningSettlement{Version: town.Version, Level: "village", SettledOn: day("2026-04-03"), Note: "n"})
		wantErr(t, err, xinfang.EINVALID, "level")
		_, err = db.Screening.SettleReport(staff, village.ID, xinfang.ScreeningSettlement{Version: village.Version, Level: "village", Note: "n"})
		wantErr(t, err, xinfang.EINVALID, "settled_on")
		settled, err := db.Screening.SettleReport(staff, village.ID, xinfang.ScreeningSettlement{Version: village.Version, Level: "village", SettledOn: day("2026-04-03"), Note: "村调委会调解，双方重新确认边界"})
		if err != nil || settled.State != xinfang.ScreeningSettled || settled.SettledLevel != xinfang.LevelVillage {
			t.Fatalf("settle: %+v %v", settled, err)
		}
		_, err = db.Screening.SettleReport(staff, village.ID, xinfang.ScreeningSettlement{Version: village.Version, Level: "town", SettledOn: day("2026-04-03"), Note: "n"})
		wantErr(t, err, xinfang.ECONFLICT, "version")
		_, err = db.Screening.SettleReport(staff, village.ID, xinfang.ScreeningSettlement{Version: settled.Version, Level: "town", SettledOn: day("2026-04-03"), Note: "n"})
		wantErr(t, err, xinfang.ECONFLICT, "action")

		// Overdue past the deadline while open; counts by state and level.
		c.Set(at("2026-04-21"))
		if got, _ := db.Screening.FindReportByID(staff, town.ID); !got.Overdue {
			t.Errorf("town's report open past 04-20 is not overdue")
		}
		if _, n, _ := db.Screening.FindReports(staff, xinfang.ScreeningFilter{Overdue: true}); n != 1 {
			t.Errorf("overdue list: %d, want 1", n)
		}
		town, err = db.Screening.SettleReport(staff, town.ID, xinfang.ScreeningSettlement{Version: town.Version, Level: "town", SettledOn: day("2026-04-21"), Note: "镇综治中心召集调处"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Screening.CountReports(f.Ctx(f.Leader), xinfang.ScreeningFilter{})
		if err != nil || got.Total != 3 || got.Open != 1 || got.Overdue != 1 || got.Settled[xinfang.LevelVillage] != 1 || got.Settled[xinfang.LevelTown] != 1 || got.Settled[xinfang.LevelCity] != 0 {
			t.Errorf("counts: %+v %v", got, err)
		}
		if got, _ := db.Screening.CountReports(staff, xinfang.ScreeningFilter{}); got.Total != 2 || got.Open != 0 {
			t.Errorf("town A's counts: %+v", got)
		}
	})
}

// A report becomes a petition in one step, linked both ways, through the
// petitions' registration; a refused registration leaves the report open
// and no petition behind. The same for a backlog case.
func TestScreeningReportToPetitionAndCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-04-03"))
		f := sqldbtest.NewFixture(t, db)
		staff := f.Ctx(f.HandlerA)
		r := goodReport(f.VillageA)
		if err := db.Screening.CreateReport(staff, r); err != nil {
			t.Fatal(err)
		}
		// No petitioner: refused naming the field, nothing written.
		_, _, err := db.Screening.ReportToPetition(staff, r.ID, xinfang.ScreeningPetitionInput{Version: r.Version, Purpose: "claim"})
		wantErr(t, err, xinfang.EINVALID, "petitioner.name")
		if n := count(t, db, "petitions"); n != 0 {
			t.Fatalf("a refused conversion wrote %d petitions", n)
		}
		in := xinfang.ScreeningPetitionInput{Version: r.Version, Purpose: "claim", Petitioner: &xinfang.Petitioner{Name: "刘某", Phone: "13900001111"}}
		// A stale version: the registration is rolled back with the link.
		stale := in
		stale.Version = r.Version + 1
		_, _, err = db.Screening.ReportToPetition(staff, r.ID, stale)
		wantErr(t, err, xinfang.ECONFLICT, "version")
		if n := count(t, db, "petitions"); n != 0 {
			t.Fatalf("a stale conversion wrote %d petitions", n)
		}
		got, p, err := db.Screening.ReportToPetition(staff, r.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != xinfang.ScreeningPetition || got.PetitionID != p.ID || got.PetitionNumber != p.Number || p.Channel != xinfang.ChannelScreening || p.QueryCode == "" {
			t.Fatalf("converted: %+v → %+v", got, p)
		}
		back, err := db.Screening.FindReportOf(staff, p.ID, false)
		if err != nil || back.ID != r.ID {
			t.Fatalf("the petition's report: %+v %v", back, err)
		}
		if pp, err := db.Petitions.FindPetitionByID(staff, p.ID); err != nil || pp.Category != r.Category || pp.LocalityID != f.VillageA.ID || pp.RiskLevel != r.RiskLevel {
			t.Fatalf("petition: %+v %v", pp, err)
		}
		_, _, err = db.Screening.ReportToPetition(staff, r.ID, xinfang.ScreeningPetitionInput{Version: got.Version, Purpose: "claim", Petitioner: in.Petitioner})
		wantErr(t, err, xinfang.ECONFLICT, "action")

		// To a backlog case: the leader is required; then linked both ways.
		r2 := goodReport(f.TownA)
		if err := db.Screening.CreateReport(staff, r2); err != nil {
			t.Fatal(err)
		}
		_, _, err = db.Screening.ReportToCase(staff, r2.ID, xinfang.ScreeningCaseInput{Version: r2.Version})
		wantErr(t, err, xinfang.EINVALID, "leader_id")
		if n := count(t, db, "cases"); n != 0 {
			t.Fatalf("a refused case wrote %d rows", n)
		}
		got2, cs, err := db.Screening.ReportToCase(staff, r2.ID, xinfang.ScreeningCaseInput{Version: r2.Version, LeaderID: f.Leader.ID, Deadline: day("2026-06-30")})
		if err != nil {
			t.Fatal(err)
		}
		if got2.State != xinfang.ScreeningCase || got2.CaseID != cs.ID || got2.CaseNumber != cs.Number || cs.Source != xinfang.CaseSourceCity {
			t.Fatalf("to case: %+v → %+v", got2, cs)
		}
		if back, err := db.Screening.FindReportOf(staff, cs.ID, true); err != nil || back.ID != r2.ID {
			t.Fatalf("the case's report: %+v %v", back, err)
		}
		if c, _ := db.Screening.CountReports(staff, xinfang.ScreeningFilter{}); c.Petition != 1 || c.Case != 1 {
			t.Errorf("counts: %+v", c)
		}
	})
}

// A round expects every town and village under its unit; a unit that
// has not reported is listed until it files a report in the round or a
// nil return (零报告).
func TestScreeningRoundReturns(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		c := fixClock(db, at("2026-04-03"))
		f := sqldbtest.NewFixture(t, db)
		city := f.Ctx(f.BureauRegistrar)
		wantErr(t, db.Screening.CreateRound(city, &xinfang.ScreeningRound{UnitID: f.City.ID, Period: "2026-4", DueOn: day("2026-04-25")}), xinfang.EINVALID, "period")
		if n := count(t, db, "screening_rounds"); n != 0 {
			t.Fatalf("a refused round wrote %d rows", n)
		}
		wantErr(t, db.Screening.CreateRound(f.Ctx(f.HandlerA), &xinfang.ScreeningRound{UnitID: f.City.ID, Period: "2026-04", DueOn: day("2026-04-25")}), xinfang.EINVALID, "unit_id")
		round := &xinfang.ScreeningRound{UnitID: f.City.ID, Period: "2026-04", DueOn: day("2026-04-25")}
		if err := db.Screening.CreateRound(city, round); err != nil {
			t.Fatal(err)
		}
		wantErr(t, db.Screening.CreateRound(city, &xinfang.ScreeningRound{UnitID: f.City.ID, Period: "2026-04", DueOn: day("2026-04-25")}), xinfang.EINVALID, "period")
		missing := func(u *xinfang.User) map[string]bool {
			t.Helper()
			r, err := db.Screening.FindRoundByID(f.Ctx(u), round.ID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, m := range r.Missing() {
				out[m.UnitName] = m.Late
			}
			return out
		}
		if m := missing(f.Leader); len(m) != 4 || !(!m["甲镇东村"]) {
			t.Fatalf("missing at start: %v", m)
		}
		// Town A sees its own units of the round only.
		if m := missing(f.HandlerA); len(m) != 2 {
			t.Fatalf("town A's missing: %v", m)
		}
		r := goodReport(f.VillageA)
		r.RoundID = round.ID
		if err := db.Screening.CreateReport(f.Ctx(f.HandlerA), r); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Screening.FileNilReturn(f.Ctx(f.HandlerA), round.ID, f.VillageA.ID); xinfang.ErrorCode(err) != xinfang.ECONFLICT {
			t.Errorf("nil return after a report: %v", err)
		}
		if _, err := db.Screening.FileNilReturn(f.Ctx(f.HandlerA), round.ID, f.TownB.ID); xinfang.ErrorCode(err) != xinfang.EINVALID {
			t.Errorf("town A files town B's nil return: %v", err)
		}
		got, err := db.Screening.FileNilReturn(f.Ctx(f.HandlerB), round.ID, f.VillageB.ID)
		if err != nil || got.Counts.NilReturns != 1 {
			t.Fatalf("nil return: %+v %v", got, err)
		}
		c.Set(at("2026-04-26"))
		m := missing(f.Leader)
		if len(m) != 2 || !m["甲镇"] || !m["乙镇"] || m["甲镇东村"] || m["乙镇西村"] {
			t.Fatalf("missing after a report and a nil return: %v", m)
		}
		if _, err := db.Screening.FileNilReturn(f.Ctx(f.HandlerA), round.ID, f.TownA.ID); err != nil {
			t.Fatal(err)
		}
		if m := missing(f.Leader); len(m) != 1 || !m["乙镇"] {
			t.Fatalf("missing at the end: %v", m)
		}
		// The village sees its town's round; town B's village does not see town A's.
		if _, err := db.Screening.FindRoundByID(f.Ctx(f.HandlerB), round.ID); err != nil {
			t.Errorf("town B reads the city's round: %v", err)
		}
	})
}

// A risk assessment: bad input refused naming the field; a stale edit
// refused; petitions linked and unlinked by staff who see them; the
// petition's decisions.
func TestRiskAssessmentLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-04-03"))
		f := sqldbtest.NewFixture(t, db)
		staff := f.Ctx(f.HandlerA)
		good := func() *xinfang.RiskAssessment {
			return &xinfang.RiskAssessment{Decision: "甲镇东村旧村改造项目", Body: "甲镇人民政府", UnitID: f.TownA.ID, Risks: "补偿标准争议；过渡安置", Measures: "公开补偿标准，设立临时安置点",
				Level: xinfang.RiskMedium, Conclusion: "with_measures", Reviewers: "孙镇长、司法所王所长", AssessedOn: day("2026-03-20")}
		}
		for _, bad := range []struct {
			field string
			edit  func(a *xinfang.RiskAssessment)
		}{
			{"decision", func(a *xinfang.RiskAssessment) { a.Decision = "" }},
			{"conclusion", func(a *xinfang.RiskAssessment) { a.Conclusion = "maybe" }},
			{"conclusion", func(a *xinfang.RiskAssessment) { a.Level, a.Conclusion = xinfang.RiskHigh, "proceed" }},
			{"measures", func(a *xinfang.RiskAssessment) { a.Measures = "" }},
			{"decided_on", func(a *xinfang.RiskAssessment) { a.DecidedOn = day("2026-03-01") }},
			{"unit_id", func(a *xinfang.RiskAssessment) { a.UnitID = f.TownB.ID }},
		} {
			a := good()
			bad.edit(a)
			wantErr(t, db.Risks.SaveRiskAssessment(staff, a), xinfang.EINVALID, bad.field)
		}
		if n := count(t, db, "risk_assessments") + count(t, db, "risk_assessment_counters"); n != 0 {
			t.Fatalf("refused assessments wrote %d rows", n)
		}
		a := good()
		if err := db.Risks.SaveRiskAssessment(staff, a); err != nil {
			t.Fatal(err)
		}
		if a.Number != "WP-2026-0001" || a.Version != 1 {
			t.Fatalf("saved: %+v", a)
		}
		edit := *a
		edit.DecidedOn = day("2026-04-01")
		if err := db.Risks.SaveRiskAssessment(staff, &edit); err != nil || edit.Version != 2 {
			t.Fatalf("edit: %+v %v", edit, err)
		}
		stale := *a
		stale.Reviewers = "x"
		wantErr(t, db.Risks.SaveRiskAssessment(staff, &stale), xinfang.ECONFLICT, "version")
		if _, err := db.Risks.FindRiskAssessmentByID(f.Ctx(f.HandlerB), a.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town B reads town A's assessment: %v", err)
		}

		pa := f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, 11))
		pb := f.MustRegister(t, f.HandlerB, f.NewPetition(f.VillageB, 12))
		if _, err := db.Risks.LinkPetition(staff, a.ID, pb.ID, false); xinfang.ErrorCode(err) != xinfang.EINVALID {
			t.Errorf("town A links town B's petition: %v", err)
		}
		got, err := db.Risks.LinkPetition(staff, a.ID, pa.ID, false)
		if err != nil || len(got.Petitions) != 1 || got.Petitions[0].Number != pa.Number {
			t.Fatalf("link: %+v %v", got, err)
		}
		if _, err := db.Risks.LinkPetition(staff, a.ID, pa.ID, false); xinfang.ErrorCode(err) != xinfang.EINVALID {
			t.Errorf("a second link: %v", err)
		}
		if list, n, err := db.Risks.FindRiskAssessments(staff, xinfang.RiskAssessmentFilter{PetitionID: pa.ID}); err != nil || n != 1 || list[0].ID != a.ID {
			t.Errorf("the petition's decisions: %v %d %v", list, n, err)
		}
		if got, err := db.Risks.LinkPetition(staff, a.ID, pa.ID, true); err != nil || len(got.Petitions) != 0 {
			t.Fatalf("unlink: %+v %v", got, err)
		}
	})
}
