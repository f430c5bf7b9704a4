package sqldb_test

import (
	"context"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
)

// resolveCase records a case's resolution and verifies it 已化解 now.
func resolveCase(t *testing.T, db *sqldb.DB, ctx context.Context, c *xinfang.Case) *xinfang.Case {
	t.Helper()
	c, err := db.Cases.SetResolution(ctx, c.ID, c.Version, xinfang.Resolution{Facts: "查明属实", Solution: "solved", SolutionText: "已解决",
		PetitionerPosition: "认可", Followup: xinfang.FollowupVisit{Date: calendar.MustParseDate("2026-04-01"), By: "钱承办", How: "电话", Mood: "平稳", Settled: true}})
	if err == nil {
		c, err = db.Cases.ActCase(ctx, c.ID, c.Version, xinfang.CaseActResolve, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A campaign: bad input refused naming the field with nothing written;
// cases added by filter (open on the start day in a unit's subtree) and
// by number, one removed with a reason; progress counted from the cases'
// events — a case resolved after the period's end is not counted, one
// struck off before a target's date counts toward it; "who is behind"
// lists exactly the unresolved cases; a stale version refused; and what
// a reader outside the campaign's units sees (404).
func TestCampaignLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db) // 2026-04-01
		clock := fixClock(db, at("2026-04-01"))
		head := w.Ctx(w.HeadA)
		// Four cases of town A, led by the city's leader or town B's.
		var cs []*xinfang.Case
		for _, l := range []*xinfang.User{w.Leader, w.Leader, w.TownLeader, w.TownLeader} {
			cs = append(cs, w.newCase(t, w.HandlerA, l))
		}
		// One of town B, outside the filter.
		other := &xinfang.Case{Title: "乙镇积案", Source: "self", Petitioners: "李四", ResponsibleUnitID: w.TownB.ID, LeaderID: w.Leader.ID}
		if err := db.Cases.CreateCase(w.Ctx(w.HandlerB), other); err != nil {
			t.Fatal(err)
		}

		good := func() *xinfang.Campaign {
			return &xinfang.Campaign{Name: "信访积案清零", UnitID: w.TownA.ID, StartOn: calendar.MustParseDate("2026-04-02"), EndOn: calendar.MustParseDate("2026-06-30"),
				ResolveTarget: 75, Targets: []xinfang.CampaignTarget{{By: calendar.MustParseDate("2026-06-30"), Closed: 2}, {By: calendar.MustParseDate("2026-05-15"), Closed: 1}}}
		}
		for _, bad := range []struct {
			field string
			edit  func(g *xinfang.Campaign)
		}{
			{"name", func(g *xinfang.Campaign) { g.Name = "" }},
			{"end_on", func(g *xinfang.Campaign) { g.EndOn = calendar.MustParseDate("2026-03-01") }},
			{"resolve_target", func(g *xinfang.Campaign) { g.ResolveTarget = 120 }},
			{"targets", func(g *xinfang.Campaign) { g.Targets[0].By = calendar.MustParseDate("2026-08-01") }},
			{"targets", func(g *xinfang.Campaign) { g.Targets[1].Closed = 5 }},
		} {
			g := good()
			bad.edit(g)
			wantErr(t, db.Campaigns.CreateCampaign(head, g), xinfang.EINVALID, bad.field)
		}
		g := good()
		g.UnitID = w.TownB.ID
		wantErr(t, db.Campaigns.CreateCampaign(head, g), xinfang.EINVALID, "unit_id")
		wantErr(t, db.Campaigns.CreateCampaign(w.Ctx(w.HandlerA), good()), xinfang.EFORBIDDEN, "")
		if n := count(t, db, "campaigns") + count(t, db, "campaign_targets"); n != 0 {
			t.Fatalf("refused campaigns wrote %d rows", n)
		}
		g = good()
		if err := db.Campaigns.CreateCampaign(head, g); err != nil {
			t.Fatal(err)
		}
		if g.Version != 1 || len(g.Targets) != 2 || g.Targets[0].Closed != 1 {
			t.Fatalf("created %+v", g)
		}

		// By filter: the four of town A, not town B's.
		_, n, err := db.Campaigns.AddCampaignCases(head, g.ID, xinfang.CampaignAdd{Version: 1, ByFilter: true, UnitID: w.TownA.ID})
		if err != nil || n != 4 {
			t.Fatalf("added %d by filter: %v", n, err)
		}
		// A stale version is refused, and writes nothing.
		_, _, err = db.Campaigns.AddCampaignCases(head, g.ID, xinfang.CampaignAdd{Version: 1, CaseNumbers: []string{other.Number}})
		wantErr(t, err, xinfang.ECONFLICT, "version")
		// Town B's case is out of town A's head's scope: named, refused.
		_, _, err = db.Campaigns.AddCampaignCases(head, g.ID, xinfang.CampaignAdd{Version: 2, CaseNumbers: []string{other.Number}})
		wantErr(t, err, xinfang.EINVALID, "case_numbers")
		_, err = db.Campaigns.RemoveCampaignCase(head, g.ID, 2, cs[3].ID, "")
		wantErr(t, err, xinfang.EINVALID, "reason")
		g, err = db.Campaigns.RemoveCampaignCase(head, g.ID, 2, cs[3].ID, "已并入另案")
		if err != nil || g.Cases != 3 || g.Version != 3 {
			t.Fatalf("removed: %+v %v", g, err)
		}

		// cs[0] resolved and struck off on 05-10 (before the first target);
		// cs[1] resolved on 06-10; cs[2] resolved on 07-05, after the end.
		clock.Set(at("2026-05-10"))
		leader := w.Ctx(w.Leader)
		c0 := resolveCase(t, db, w.Ctx(w.HandlerA), cs[0])
		c0, err = db.Cases.SignOffCase(leader, c0.ID, c0.Version, "同意")
		if err == nil {
			_, err = db.Cases.ActCase(w.Ctx(w.HandlerA), c0.ID, c0.Version, xinfang.CaseActClose, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(at("2026-06-10"))
		resolveCase(t, db, w.Ctx(w.HandlerA), cs[1])
		clock.Set(at("2026-07-05"))
		resolveCase(t, db, w.Ctx(w.HandlerA), cs[2])
		clock.Set(at("2026-07-10"))

		g, pr, list, err := db.Campaigns.CampaignProgress(leader, g.ID, "month")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 4 || pr.Total != 3 {
			t.Fatalf("%d rows, total %d", len(list), pr.Total)
		}
		// The count from the cases themselves: resolved in the period.
		want := 0
		for _, c := range list {
			if c.RemovedOn.IsZero() && c.ResolvedBy(g.EndOn) {
				want++
			}
		}
		if pr.Resolved != 2 || want != 2 || pr.Closed != 1 {
			t.Errorf("resolved %d (cases say %d), closed %d; want 2, 2, 1", pr.Resolved, want, pr.Closed)
		}
		if len(pr.Periods) != 3 || pr.Periods[1].Resolved != 1 || pr.Periods[1].Closed != 1 || pr.Periods[2].Resolved != 1 || pr.Periods[2].ResolvedToDate != 2 {
			t.Errorf("periods %+v", pr.Periods)
		}
		if pr.Targets[0].Actual != 1 || !pr.Targets[0].Met || pr.Targets[1].Actual != 1 || pr.Targets[1].Met {
			t.Errorf("targets %+v", pr.Targets)
		}
		if pr.ResolveMet || pr.ResolveRate != 66.6 {
			t.Errorf("rate %v met %v", pr.ResolveRate, pr.ResolveMet)
		}
		// Who is behind: cs[2] resolved after the end is done now, so
		// nobody — until it is reopened.
		if pr.BehindTotal != 0 || len(pr.ByUnit) != 0 {
			t.Errorf("behind %d %+v", pr.BehindTotal, pr.ByUnit)
		}
		c2, err := db.Cases.FindCaseByID(leader, cs[2].ID)
		if err == nil {
			_, err = db.Cases.ActCase(leader, c2.ID, c2.Version, xinfang.CaseActReopen, "材料不全")
		}
		if err != nil {
			t.Fatal(err)
		}
		_, pr, _, err = db.Campaigns.CampaignProgress(leader, g.ID, "week")
		if err != nil {
			t.Fatal(err)
		}
		if pr.BehindTotal != 1 || pr.BehindLate != 1 || len(pr.ByLeader) != 1 || pr.ByLeader[0].Name != "郑书记" ||
			len(pr.ByUnit) != 1 || len(pr.ByUnit[0].Cases) != 1 || pr.ByUnit[0].Cases[0].CaseID != cs[2].ID || !pr.ByUnit[0].Cases[0].Late {
			t.Errorf("behind: %+v / %+v", pr.ByUnit, pr.ByLeader)
		}
		pick := xinfang.CampaignCaseFilter{What: "resolved", From: calendar.MustParseDate("2026-05-01"), To: calendar.MustParseDate("2026-05-31")}.Pick(g, list, calendar.MustParseDate("2026-07-10"))
		if len(pick) != 1 || pick[0].CaseID != cs[0].ID {
			t.Errorf("the cases behind May's bar: %+v", pick)
		}

		// Town B's handler does not see town A's campaign; the list of the
		// city's leader holds it.
		if _, err := db.Campaigns.FindCampaignByID(w.Ctx(w.HandlerB), g.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town B reads it: %v", err)
		}
		if list, err := db.Campaigns.FindCampaigns(w.Ctx(w.HandlerB)); err != nil || len(list) != 0 {
			t.Errorf("town B lists %d (%v)", len(list), err)
		}
		if list, err := db.Campaigns.FindCampaigns(leader); err != nil || len(list) != 1 {
			t.Errorf("the leader lists %d (%v)", len(list), err)
		}
		if _, err := db.Campaigns.FindCampaignByID(w.Ctx(w.Admin), g.ID); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			t.Errorf("the administrator reads it: %v", err)
		}
	})
}
