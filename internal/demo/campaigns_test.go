package demo_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
)

// checkCampaigns: the 信访积案清零 campaign holds the backlog cases (but the
// one removed with its reason) with its two targets, and its progress is
// the cases' own; follow-up visits were recorded, some unsettled with a
// task for the handling unit; the terminated items' aftercare measures are
// the 联席办's tasks.
func checkCampaigns(t *testing.T, db *sqldb.DB) {
	ctx := userCtx(t, db, "lxb.head")
	list, err := db.Campaigns.FindCampaigns(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "信访积案清零" || len(list[0].Targets) != 2 {
		t.Fatalf("campaigns: %+v %v", list, err)
	}
	g, pr, cases, err := db.Campaigns.CampaignProgress(ctx, list[0].ID, "month")
	if err != nil {
		t.Fatal(err)
	}
	_, total, err := db.Cases.FindCases(ctx, xinfang.CaseFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	removed := 0
	for _, c := range cases {
		if !c.RemovedOn.IsZero() {
			removed++
			if c.RemoveReason == "" {
				t.Errorf("%s removed without a reason", c.Number)
			}
		}
	}
	if removed != 1 || g.Cases != len(cases)-1 || len(cases) > total || len(cases) < total/2 {
		t.Errorf("campaign of %d cases (%d removed) over %d backlog cases", g.Cases, removed, total)
	}
	if len(pr.Periods) == 0 || pr.Resolved == 0 || pr.Total != g.Cases || pr.BehindTotal == 0 {
		t.Errorf("progress: %d periods, resolved %d of %d, behind %d", len(pr.Periods), pr.Resolved, pr.Total, pr.BehindTotal)
	}

	tasks, err := db.Followups.FindUnitTasks(ctx, xinfang.TaskOriginAftercare)
	if err != nil || len(tasks) == 0 {
		t.Errorf("the 联席办 has %d aftercare tasks (%v)", len(tasks), err)
	}
	// The city's leader holds the city's tasks: the visits' among them.
	visits, err := db.Followups.FindUnitTasks(userCtx(t, db, "leader"), xinfang.TaskOriginFollowup)
	if err != nil || len(visits) == 0 {
		t.Errorf("%d tasks of unsettled visits (%v)", len(visits), err)
	}
	super := userCtx(t, db, "supervisor")
	due, n, err := db.Followups.FindFollowupsDue(super, 10, 0)
	if err != nil || n == 0 || len(due) == 0 {
		t.Errorf("the due list holds %d (%v)", n, err)
	}
}
