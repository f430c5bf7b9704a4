package xinfang_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
)

func d(s string) calendar.Date { return calendar.MustParseDate(s) }

// Progress by week runs Monday to Sunday, cut at the period's ends; only
// days within the period and up to today count; a removed case not at all.
func TestCampaignProgressOf(t *testing.T) {
	g := &xinfang.Campaign{StartOn: d("2026-03-04"), EndOn: d("2026-03-20"), ResolveTarget: 50,
		Targets: []xinfang.CampaignTarget{{By: d("2026-03-10"), Closed: 1}, {By: d("2026-03-20"), Closed: 3}}}
	cases := []*xinfang.CampaignCase{
		{CaseID: 1, State: xinfang.CaseClosed, ResolvedOn: d("2026-03-05"), ClosedOn: d("2026-03-08")},
		{CaseID: 2, State: xinfang.CaseResolved, ResolvedOn: d("2026-03-09")},
		{CaseID: 3, State: xinfang.CaseResolved, ResolvedOn: d("2026-03-21")}, // after the end
		{CaseID: 4, State: xinfang.CaseResolving, ResponsibleUnitID: 7, ResponsibleUnitName: "甲镇", Deadline: d("2026-03-01")},
		{CaseID: 5, State: xinfang.CaseClosed, ResolvedOn: d("2026-03-06"), ClosedOn: d("2026-03-06"), RemovedOn: d("2026-03-07")},
	}
	pr := xinfang.CampaignProgressOf(g, cases, d("2026-03-25"), "week")
	if pr.Total != 4 || pr.Resolved != 2 || pr.Closed != 1 || pr.ResolveRate != 50 || !pr.ResolveMet {
		t.Errorf("totals %+v", pr)
	}
	want := []struct {
		from, to           string
		resolved, closed   int
		resolvedToDate, cl int
	}{
		{"2026-03-04", "2026-03-08", 1, 1, 1, 1}, // Wednesday to Sunday
		{"2026-03-09", "2026-03-15", 1, 0, 2, 1},
		{"2026-03-16", "2026-03-20", 0, 0, 2, 1},
	}
	if len(pr.Periods) != len(want) {
		t.Fatalf("periods %+v", pr.Periods)
	}
	for i, w := range want {
		p := pr.Periods[i]
		if p.From.String() != w.from || p.To.String() != w.to || p.Resolved != w.resolved || p.Closed != w.closed || p.ResolvedToDate != w.resolvedToDate || p.ClosedToDate != w.cl {
			t.Errorf("period %d: %+v", i, p)
		}
	}
	if !pr.Targets[0].Met || pr.Targets[1].Met || pr.Targets[1].Missing() != 2 || !pr.Targets[1].Past {
		t.Errorf("targets %+v", pr.Targets)
	}
	if pr.BehindTotal != 1 || pr.BehindLate != 1 || pr.ByUnit[0].Name != "甲镇" || pr.ByLeader[0].Name != "（未明确包案领导）" {
		t.Errorf("behind %+v %+v", pr.ByUnit, pr.ByLeader)
	}
	// Before today reaches the end, later buckets are not drawn.
	if pr := xinfang.CampaignProgressOf(g, cases, d("2026-03-10"), "month"); len(pr.Periods) != 1 || pr.Periods[0].Resolved != 2 || pr.Periods[0].To.String() != "2026-03-20" {
		t.Errorf("by month on 03-10: %+v", pr.Periods)
	}
}

// A visit: settled needs no follow-on; unsettled needs a note and a
// choice, with a deadline for a task and a leader for a case.
func TestFollowupValidate(t *testing.T) {
	replied, today := d("2026-03-01"), d("2026-04-01")
	for _, c := range []struct {
		f     xinfang.Followup
		field string
	}{
		{xinfang.Followup{VisitedOn: d("2026-04-01"), By: "甲", How: "phone", Mood: "stable", Settled: true}, ""},
		{xinfang.Followup{VisitedOn: d("2026-02-28"), By: "甲", How: "phone", Mood: "stable", Settled: true}, "visited_on"},
		{xinfang.Followup{VisitedOn: d("2026-04-02"), By: "甲", How: "phone", Mood: "stable", Settled: true}, "visited_on"},
		{xinfang.Followup{VisitedOn: d("2026-04-01"), By: "甲", How: "fax", Mood: "stable", Settled: true}, "how"},
		{xinfang.Followup{VisitedOn: d("2026-04-01"), By: "甲", How: "home", Mood: "unhappy", Reopen: xinfang.ReopenTask, TaskDeadline: d("2026-04-10")}, "note"},
		{xinfang.Followup{VisitedOn: d("2026-04-01"), By: "甲", How: "home", Mood: "unhappy", Note: "n", Reopen: xinfang.ReopenTask, TaskDeadline: d("2026-03-31")}, "task_deadline"},
		{xinfang.Followup{VisitedOn: d("2026-04-01"), By: "甲", How: "home", Mood: "unhappy", Note: "n", Reopen: xinfang.ReopenCase}, "leader_id"},
		{xinfang.Followup{VisitedOn: d("2026-04-01"), By: "甲", How: "home", Mood: "unhappy", Note: "n", Reopen: xinfang.ReopenCase, LeaderID: 3}, ""},
	} {
		err := c.f.Validate(replied, today)
		if got := xinfang.ErrorFields(err); (c.field == "") != (err == nil) || c.field != "" && got[c.field] == "" {
			t.Errorf("%+v: %v, want %q", c.f, err, c.field)
		}
	}
}
