package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"xinfang"
	"xinfang/internal/calendar"
)

// TestBrowserRoleDesks signs each role in, in headless Chromium, and reads
// its 工作台: the sections it shows are that role's (a handler's petition
// lists, a leader's 包案 and 督办, a supervisor's 督办单 and 严重超期, an
// inspector's watch list and investigations, the admin's system tasks),
// none of another role's; and every link the 工作台 offers opens for that
// user — nothing listed that the user may not act on.
func TestBrowserRoleDesks(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	leader := caseLeader(t, a)
	jw := &xinfang.Unit{Code: "JW", Name: "示范市纪委监委", Kind: xinfang.UnitDiscipline, ParentID: a.Units["city"].ID}
	pageUnit(t, a.DB, jw)
	for _, u := range []*xinfang.User{
		{Username: "xfj_sup", Name: "郑督查", UnitID: a.Units["bureau"].ID, Roles: []xinfang.Role{xinfang.RoleSupervisor}},
		{Username: "jw_inspector", Name: "钱纪检", UnitID: jw.ID, Roles: []xinfang.Role{xinfang.RoleInspector}},
	} {
		if err := a.DB.Directory.CreateUser(context.Background(), u, pagePassword); err != nil {
			t.Fatal(err)
		}
		a.Users[u.Username] = u
	}
	// Something on each desk: an item of town A, a case the leader leads
	// with a step, the supervisor's 督办单 on the item.
	p := a.seedPetition(t, "a_staff", "张建国", validIDNumber("11010519800101123"), "反映拖欠工资问题")
	staff := xinfang.NewContextWithUser(context.Background(), a.Users["a_staff"])
	c := &xinfang.Case{Title: "东村工资拖欠积案", Source: "repeat", Petitioners: "张建国", ResponsibleUnitID: a.Units["townA"].ID,
		LeaderID: leader.ID, PetitionIDs: []int64{p.ID}, Deadline: calendar.MustParseDate("2026-06-30")}
	if err := a.DB.Cases.CreateCase(staff, c); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.Cases.SaveCaseStep(staff, c.ID, c.Version, &xinfang.PlanStep{Content: "约谈用工单位", Owner: "李承办", Deadline: calendar.DateOf(pageNow).AddDays(3)}); err != nil {
		t.Fatal(err)
	}
	supUser, err := a.DB.Directory.FindUserByID(context.Background(), a.Users["xfj_sup"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Supervisions.CreateSupervision(xinfang.NewContextWithUser(context.Background(), supUser),
		&xinfang.Supervision{TargetUnitID: a.Units["townA"].ID, PetitionID: p.ID, Requirements: "按期反馈", Deadline: calendar.DateOf(pageNow).AddDays(2)}); err != nil {
		t.Fatal(err)
	}

	base := a.Server.URL
	for _, tt := range []struct {
		user      string
		want, not []string // section ids
	}{
		{"a_staff", []string{"list-sign", "list-accept", "list-reply"}, []string{"desk-cases", "desk-supervisions", "desk-watch", "desk-system"}},
		{"city_leader", []string{"desk-cases", "desk-instructions", "desk-issued"}, []string{"list-sign", "list-accept", "list-reply", "list-overdue", "desk-supervisions", "desk-watch", "desk-system"}},
		{"xfj_sup", []string{"desk-supervisions", "desk-severe"}, []string{"list-sign", "list-accept", "list-reply", "list-overdue", "desk-cases", "desk-watch", "desk-system"}},
		{"jw_inspector", []string{"desk-watch", "desk-investigations"}, []string{"list-sign", "list-accept", "list-reply", "list-overdue", "desk-cases", "desk-supervisions", "desk-system"}},
		{"admin", []string{"desk-system"}, []string{"list-sign", "list-accept", "list-reply", "list-overdue", "desk-cases", "desk-supervisions", "desk-watch"}},
	} {
		do(t, ctx, tt.user+" signs in", append([]chromedp.Action[chromedp.Void]{
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
				return err
			}),
			chromedp.Navigate(base + "/"),
		}, append(caseLogin(tt.user), chromedp.WaitVisible(chromedp.ID("user-name")), screenshot("desk-"+tt.user))...)...)
		ids := read(t, ctx, tt.user+"'s sections", chromedp.Evaluate[[]string](`[...document.querySelectorAll("main [id^=list-], main [id^=desk-]")].map(e => e.id)`))
		for _, id := range tt.want {
			if !slices.Contains(ids, id) {
				t.Errorf("%s's 工作台 lacks %s (has %v)", tt.user, id, ids)
			}
		}
		for _, id := range tt.not {
			if slices.Contains(ids, id) {
				t.Errorf("%s's 工作台 has another role's %s", tt.user, id)
			}
		}
		// Every link of the 工作台 opens for this user.
		bad := read(t, ctx, tt.user+"'s links", chromedp.Evaluate[[]string](`Promise.all([...new Set([...document.querySelectorAll("main a[href^='/']")].map(a => a.getAttribute("href")))]
			.map(h => fetch(h, {redirect: "manual"}).then(r => r.status === 200 ? "" : h + " " + r.status))).then(l => l.filter(Boolean))`, chromedp.EvalAwaitPromise))
		if len(bad) > 0 {
			t.Errorf("%s's 工作台 links to what does not open: %s", tt.user, strings.Join(bad, ", "))
		}
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations: %v", lines)
	}
}
