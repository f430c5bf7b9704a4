package xinfang_test

import (
	"slices"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
)

// completeCase is a case in 化解中 with every record 已化解 needs.
func completeCase() *xinfang.Case {
	return &xinfang.Case{
		ID: 1, Title: "某村土地征收补偿积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: 3, LeaderID: 7,
		State: xinfang.CaseResolving,
		Resolution: xinfang.Resolution{
			Facts: "经核查，征收补偿款已足额拨付至村集体，村集体未按方案分配。", Solution: "solved", SolutionText: "村集体按方案补发 3.2 万元。",
			PetitionerPosition: "信访人表示满意，承诺不再上访。",
			Followup:           xinfang.FollowupVisit{Date: calendar.MustParseDate("2026-05-10"), By: "钱承办", How: "当面", Mood: "情绪稳定", Settled: true},
		},
		Tasks: []*xinfang.Task{{ID: 1, Kind: "matter", Title: "核查补偿款", State: xinfang.TaskDone}},
	}
}

func TestResolveRequiresEveryRecord(t *testing.T) {
	tests := []struct {
		name    string
		change  func(c *xinfang.Case)
		field   string
		message string
	}{
		{"facts", func(c *xinfang.Case) { c.Resolution.Facts = "" }, "resolution.facts", "问题不查清不结案"},
		{"solution", func(c *xinfang.Case) { c.Resolution.Solution = "" }, "resolution.solution", "已解决或已依法终结"},
		{"solution text", func(c *xinfang.Case) { c.Resolution.SolutionText = "" }, "resolution.solution", "问题不解决不销案"},
		{"petitioner position", func(c *xinfang.Case) { c.Resolution.PetitionerPosition = "" }, "resolution.petitioner_position", "信访人"},
		{"follow-up visit", func(c *xinfang.Case) { c.Resolution.Followup.Date = calendar.Date{} }, "resolution.followup", "回访"},
		{"follow-up by", func(c *xinfang.Case) { c.Resolution.Followup.By = "" }, "resolution.followup", "回访人"},
		{"open task", func(c *xinfang.Case) { c.Tasks[0].State = xinfang.TaskOpen }, "tasks", "三跨三分离"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := completeCase()
			tt.change(c)
			_, err := xinfang.CheckTransition(c, "resolve")
			if xinfang.ErrorCode(err) != xinfang.EINVALID {
				t.Fatalf("resolve: %v, want invalid", err)
			}
			fields := xinfang.ErrorFields(err)
			if len(fields) != 1 {
				t.Errorf("fields %v, want only %s", fields, tt.field)
			}
			if msg := fields[tt.field]; !strings.Contains(msg, tt.message) {
				t.Errorf("message for %s = %q, want it to say %q", tt.field, msg, tt.message)
			}
			if !strings.Contains(xinfang.ErrorMessage(err), fields[tt.field]) {
				t.Errorf("the error message %q does not carry %q", xinfang.ErrorMessage(err), fields[tt.field])
			}
		})
	}
}

func TestResolveCompleteCase(t *testing.T) {
	for _, from := range []xinfang.CaseState{xinfang.CaseUnresolved, xinfang.CaseResolving} {
		c := completeCase()
		c.State = from
		to, err := xinfang.CheckTransition(c, "resolve")
		if err != nil || to != xinfang.CaseResolved {
			t.Errorf("resolve from %s: %s, %v", from, to, err)
		}
	}
	// A task released with a reason no longer holds the case back.
	c := completeCase()
	c.Tasks = append(c.Tasks, &xinfang.Task{ID: 2, Kind: "person", Title: "另案处理", State: xinfang.TaskOpen})
	if _, err := xinfang.CheckTransition(c, "resolve"); xinfang.ErrorFields(err)["tasks"] == "" {
		t.Fatalf("an open task must refuse 已化解: %v", err)
	}
	if err := c.Tasks[1].Apply(xinfang.TaskChange{State: xinfang.TaskReleased}); xinfang.ErrorFields(err)["release_reason"] == "" {
		t.Fatalf("release without a reason: %v", err)
	}
	if err := c.Tasks[1].Apply(xinfang.TaskChange{State: xinfang.TaskReleased, Reason: "已导入诉讼程序"}); err != nil {
		t.Fatal(err)
	}
	if _, err := xinfang.CheckTransition(c, "resolve"); err != nil {
		t.Fatalf("resolve with the task released: %v", err)
	}
}

func TestEmptyCaseNamesEveryMissingRecord(t *testing.T) {
	c := &xinfang.Case{State: xinfang.CaseResolving, LeaderID: 7}
	_, err := xinfang.CheckTransition(c, "close")
	fields := xinfang.ErrorFields(err)
	for _, f := range []string{"resolution.facts", "resolution.solution", "resolution.petitioner_position", "resolution.followup", "state", "sign_off"} {
		if fields[f] == "" {
			t.Errorf("销号 of an empty case does not name %s: %v", f, err)
		}
	}
	if _, ok := fields["tasks"]; ok {
		t.Errorf("a case without tasks is refused for tasks: %v", err)
	}
	// Each message is its own.
	seen := map[string]bool{}
	for _, m := range fields {
		if seen[m] {
			t.Errorf("message %q used twice", m)
		}
		seen[m] = true
	}
}

func TestCloseNeedsResolvedAndSignOff(t *testing.T) {
	c := completeCase()
	c.State = xinfang.CaseResolved
	_, err := xinfang.CheckTransition(c, "close")
	if f := xinfang.ErrorFields(err); len(f) != 1 || !strings.Contains(f["sign_off"], "包案领导") {
		t.Fatalf("销号 without sign-off: %v", err)
	}
	leader := &xinfang.User{ID: 7, Name: "李市长", Roles: []xinfang.Role{xinfang.RoleLeader}}
	other := &xinfang.User{ID: 8, Name: "王副市长", Roles: []xinfang.Role{xinfang.RoleLeader}}
	if err := xinfang.CheckSignOff(c, other); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
		t.Errorf("another leader signs off: %v", err)
	}
	if err := xinfang.CheckSignOff(c, leader); err != nil {
		t.Fatalf("the case's leader signs off: %v", err)
	}
	c.SignOff = &xinfang.SignOff{ByID: 7, ByName: "李市长"}
	to, err := xinfang.CheckTransition(c, "close")
	if err != nil || to != xinfang.CaseClosed {
		t.Fatalf("销号: %s, %v", to, err)
	}
	// The leader cannot sign before 已化解.
	c2 := completeCase()
	if err := xinfang.CheckSignOff(c2, leader); xinfang.ErrorCode(err) != xinfang.ECONFLICT {
		t.Errorf("sign-off in 化解中: %v", err)
	}
}

func TestCaseTransitionStates(t *testing.T) {
	tests := []struct {
		from   xinfang.CaseState
		action xinfang.CaseAction
		code   string
	}{
		{xinfang.CaseUnresolved, "start", ""},
		{xinfang.CaseResolving, "start", xinfang.ECONFLICT},
		{xinfang.CaseClosed, "resolve", xinfang.ECONFLICT},
		{xinfang.CaseClosed, "close", xinfang.ECONFLICT},
		{xinfang.CaseResolved, "reopen", ""},
		{xinfang.CaseResolving, "reopen", xinfang.ECONFLICT},
		{xinfang.CaseResolving, "fly", xinfang.ENOTFOUND},
	}
	for _, tt := range tests {
		c := completeCase()
		c.State = tt.from
		_, err := xinfang.CheckTransition(c, tt.action)
		if got := xinfang.ErrorCode(err); got != tt.code {
			t.Errorf("%s from %s: %q (%v), want %q", tt.action, tt.from, got, err, tt.code)
		}
	}
}

func TestCaseValidate(t *testing.T) {
	c := &xinfang.Case{Title: " 积案 ", Source: "nowhere", Tags: []xinfang.CaseTag{"consult", "trace", "consult", "magic"}}
	err := c.Validate(testToday)
	f := xinfang.ErrorFields(err)
	for _, k := range []string{"source", "responsible_unit_id", "petitioners", "tags"} {
		if f[k] == "" {
			t.Errorf("no message for %s: %v", k, err)
		}
	}
	if c.Title != "积案" || !slices.Equal(c.Tags, []xinfang.CaseTag{xinfang.CaseTagTrace, xinfang.CaseTagConsult}) {
		t.Errorf("normalised to %q %v", c.Title, c.Tags)
	}
	ok := &xinfang.Case{Deadline: calendar.MustParseDate("2026-05-01"), State: xinfang.CaseResolving}
	if !ok.IsOverdue(calendar.MustParseDate("2026-05-02")) || ok.IsOverdue(calendar.MustParseDate("2026-05-01")) {
		t.Error("overdue is the day after the 化解时限")
	}
	ok.State = xinfang.CaseResolved
	if ok.IsOverdue(calendar.MustParseDate("2026-06-01")) {
		t.Error("a resolved case is not overdue")
	}
}

func TestCaseTeamAndStepDone(t *testing.T) {
	c := &xinfang.Case{
		Team: []xinfang.CaseMember{{ID: 7, UserID: 3, Name: "李承办", Role: "组长"}, {ID: 8, Name: "王律师", Role: "法律顾问"}},
		Plan: []*xinfang.PlanStep{{ID: 5, Content: "核查", Owner: "李承办", Deadline: calendar.MustParseDate("2026-04-30")}},
	}
	team := c.TeamWith(xinfang.CaseMember{ID: 99, Name: "赵专家", Role: "成员"})
	if len(team) != 3 || team[2].Name != "赵专家" || team[0].ID != 0 || team[2].ID != 0 || c.Team[0].ID != 7 {
		t.Errorf("TeamWith: %+v (case team %+v)", team, c.Team)
	}
	team, err := c.TeamWithout(7)
	if err != nil || len(team) != 1 || team[0].Name != "王律师" || len(c.Team) != 2 {
		t.Errorf("TeamWithout: %+v %v", team, err)
	}
	if _, err := c.TeamWithout(1); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
		t.Errorf("TeamWithout unknown member: %v", err)
	}
	st, err := c.StepDone(5, calendar.MustParseDate("2026-03-10"), "台账复印件")
	if err != nil || st.DoneOn != calendar.MustParseDate("2026-03-10") || st.Evidence != "台账复印件" || st.Content != "核查" || st.Deadline != calendar.MustParseDate("2026-04-30") || !c.Plan[0].DoneOn.IsZero() {
		t.Errorf("StepDone: %+v %v", st, err)
	}
	if _, err := c.StepDone(5, calendar.Date{}, ""); xinfang.ErrorFields(err)["done_on"] == "" {
		t.Errorf("StepDone without a date: %v", err)
	}
	if _, err := c.StepDone(6, calendar.MustParseDate("2026-03-10"), ""); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
		t.Errorf("StepDone unknown step: %v", err)
	}
}
