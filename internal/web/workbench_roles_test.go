package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
)

// section is the part of a page inside the element with id, up to its
// closing </section>.
func section(page, id string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</section>")
	if j < 0 {
		return page[i:]
	}
	return page[i : i+j]
}

// TestRoleDesks checks the 工作台 of each role that does not handle
// petitions: each holds what that role acts on, and none of them the
// petition lists of the handlers.
func TestRoleDesks(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	leader := env.user(t, "city_leader", "XC", xinfang.RoleLeader)
	sup := env.user(t, "xfj_sup", "XFJ", xinfang.RoleSupervisor)
	inspector := env.user(t, "jw_inspector", "JW", xinfang.RoleInspector)
	admin := env.user(t, "sys_admin", "XC", xinfang.RoleAdmin)
	sec := env.user(t, "sec_admin", "XC", xinfang.RoleSecurityAdmin)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))

	ctx := context.Background()
	as := func(c *apiClient) context.Context {
		u, err := env.DB.Directory.FindUserByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return xinfang.NewContextWithUser(ctx, u)
	}
	// A case the leader leads, with a step that will be late and one to
	// come, and the leader's 批示 on it.
	c := &xinfang.Case{Title: "甲镇工资拖欠积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: env.Units["ZA"].ID,
		LeaderID: leader.ID, PetitionIDs: []int64{p.ID}, Deadline: calendar.MustParseDate("2026-06-30")}
	if err := env.DB.Cases.CreateCase(as(handler), c); err != nil {
		t.Fatal(err)
	}
	got, err := env.DB.Cases.SaveCaseStep(as(handler), c.ID, c.Version, &xinfang.PlanStep{Content: "约谈用工单位", Owner: "李承办", Deadline: calendar.MustParseDate("2026-03-05")})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = env.DB.Cases.SaveCaseStep(as(handler), c.ID, got.Version, &xinfang.PlanStep{Content: "核发欠薪", Owner: "李承办", Deadline: calendar.MustParseDate("2026-04-30")}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Cases.AddInstruction(as(leader), &xinfang.Instruction{CaseID: c.ID, Text: "请于本周内拿出化解方案"}); err != nil {
		t.Fatal(err)
	}
	// A 督办单 of the leader's and one of the supervisor's, both due 3-04.
	issue := func(c *apiClient, req string) {
		status, _, _ := c.page(t, "POST", "/supervisions", url.Values{"target_unit_id": {strconv.FormatInt(env.Units["ZA"].ID, 10)}, "petition": {p.Number},
			"requirements": {req}, "deadline": {"2026-03-04"}})
		if status != http.StatusSeeOther {
			t.Fatalf("issue: %d", status)
		}
	}
	issue(leader, "领导督办")
	issue(sup, "督查督办")
	env.setNow(t, "2026-05-20T09:00")
	for _, c := range []*apiClient{handler, leader, sup, inspector, admin, sec} {
		c.token = "" // the sessions ended meanwhile
	}

	home := func(c *apiClient) string {
		status, _, page := c.page(t, "GET", "/", nil)
		if status != http.StatusOK {
			t.Fatalf("%s home: %d", c.Username, status)
		}
		return page
	}
	noPetitionLists := func(who, page string) {
		for _, k := range []string{"sign", "accept", "reply", "near", "overdue", "severe"} {
			if strings.Contains(page, `id="list-`+k+`"`) {
				t.Errorf("%s has the petition list %s", who, k)
			}
		}
	}

	page := home(leader)
	noPetitionLists("leader", page)
	if s := section(page, "desk-cases"); !strings.Contains(s, c.Number) || !strings.Contains(s, "约谈用工单位") || !strings.Contains(s, "核发欠薪") {
		t.Errorf("leader's cases:\n%s", s)
	}
	if s := section(page, "desk-instructions"); !strings.Contains(s, "请于本周内拿出化解方案") {
		t.Errorf("leader's 批示:\n%s", s)
	}
	if s := section(page, "desk-issued"); !strings.Contains(s, "DB-2026-0001") || strings.Contains(s, "DB-2026-0002") {
		t.Errorf("leader's 督办 lists another's:\n%s", s)
	}
	for _, id := range []string{"desk-supervisions", "desk-severe", "desk-watch", "desk-accounts", "desk-system"} {
		if strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("leader has %s", id)
		}
	}
	// A progress report answers the 批示.
	cur, err := env.DB.Cases.FindCaseByID(as(handler), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Cases.AddProgress(as(handler), c.ID, cur.Version, &xinfang.ProgressReport{Date: calendar.MustParseDate("2026-05-20"), Text: "已拿出方案"}); err != nil {
		t.Fatal(err)
	}
	if s := section(home(leader), "desk-instructions"); strings.Contains(s, "请于本周内拿出化解方案") {
		t.Errorf("a 批示 with a report since still waits:\n%s", s)
	}

	page = home(sup)
	noPetitionLists("supervisor", page)
	if s := section(page, "desk-supervisions"); !strings.Contains(s, "DB-2026-0002") {
		t.Errorf("supervisor's overdue 督办单:\n%s", s)
	}
	if s := section(page, "desk-severe"); !strings.Contains(s, "甲镇") || !strings.Contains(s, "warning=severe&amp;unit_id="+strconv.FormatInt(env.Units["ZA"].ID, 10)) {
		t.Errorf("supervisor's 严重超期 by unit:\n%s", s)
	}
	if strings.Contains(page, `id="desk-cases"`) {
		t.Error("supervisor has 包案")
	}

	page = home(inspector)
	noPetitionLists("inspector", page)
	if !strings.Contains(page, `id="desk-watch"`) || !strings.Contains(page, `id="desk-investigations"`) || strings.Contains(page, `id="desk-severe"`) {
		t.Errorf("inspector's desk:\n%s", section(page, "desk-watch"))
	}

	page = home(admin)
	noPetitionLists("admin", page)
	if !strings.Contains(page, `id="desk-system"`) || strings.Contains(page, `id="desk-accounts"`) || strings.Contains(page, "您的角色没有待办事项") {
		t.Errorf("admin's desk:\n%s", section(page, "desk-system"))
	}
	// An account opened by the system admin waits for the security admin.
	status, loc, _ := admin.page(t, "POST", "/admin/users", url.Values{"username": {"clerk"}, "name": {"王五"}, "unit_id": {strconv.FormatInt(env.Units["ZA"].ID, 10)}, "password": {"Cl3rk-pass"}})
	if status != http.StatusSeeOther {
		t.Fatalf("open account: %d", status)
	}
	newcomer := strings.TrimSuffix(loc, "?saved=created")
	page = home(sec)
	noPetitionLists("security admin", page)
	if s := section(page, "desk-accounts"); !strings.Contains(s, newcomer) || !strings.Contains(s, "王五") {
		t.Errorf("security admin's accounts:\n%s", s)
	}

	// The town handler keeps the petition lists and no role desk.
	page = home(handler)
	if !strings.Contains(page, `id="list-severe"`) || strings.Contains(page, `id="desk-`) {
		t.Errorf("handler's 工作台 changed")
	}
}
