package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDashboard: the 态势 page draws its charts as SVG for a town's
// handler (the town's own items only) and for the city's leader (all of
// them), and a bar opens the ledger listing exactly the items it counts.
func TestBrowserDashboard(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	caseLeader(t, a)
	a.seedPetition(t, "a_staff", "张建国", validIDNumber("11010519800101123"), "反映拖欠工资问题")
	a.seedPetition(t, "a_staff", "李秀英", validIDNumber("11010519800101124"), "反映低保评定问题")
	a.seedPetition(t, "b_staff", "王德华", validIDNumber("11010519800101125"), "反映宅基地纠纷")
	base := a.Server.URL

	charts := []string{"chart-states", "chart-warnings", "chart-months", "chart-categories", "chart-channels", "chart-indicators", "chart-case-states", "chart-escalations"}
	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/dashboard")}, caseLogin("a_staff")...)
	steps = append(steps, chromedp.WaitVisible(chromedp.CSS("#chart-states svg")), screenshot("dashboard-01-town"))
	do(t, ctx, "the town's handler opens the dashboard", steps...)
	if n := read(t, ctx, "town total", chromedp.Text(chromedp.ID("dash-total"))); n != "2" {
		t.Errorf("the town's dashboard counts %s items, want its own 2", n)
	}
	for _, id := range charts {
		if n := read(t, ctx, id, chromedp.Evaluate[int]("document.querySelectorAll('#"+id+" svg').length")); n != 1 {
			t.Errorf("%s: %d charts", id, n)
		}
	}
	if html := read(t, ctx, "scope", chromedp.OuterHTML(chromedp.ID("dash-scope"))); !strings.Contains(html, "东城镇") {
		t.Errorf("the town's dashboard is not its town's: %s", html)
	}
	if n := read(t, ctx, "watch chart", chromedp.Evaluate[int]("document.querySelectorAll('#chart-watch').length")); n != 0 {
		t.Error("a town handler's dashboard shows the watch list")
	}

	steps = []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")), chromedp.Navigate(base + "/dashboard")}
	steps = append(steps, caseLogin("city_leader")...)
	steps = append(steps, chromedp.WaitVisible(chromedp.CSS("#chart-territories svg")), screenshot("dashboard-02-city"))
	do(t, ctx, "the city's leader opens the dashboard", steps...)
	if n := read(t, ctx, "city total", chromedp.Text(chromedp.ID("dash-total"))); n != "3" {
		t.Errorf("the city's dashboard counts %s items, want 3", n)
	}
	if n := read(t, ctx, "territory bars", chromedp.Evaluate[int]("document.querySelectorAll('#chart-territories a.bar-link').length")); n != 2 {
		t.Errorf("%d territories, want the two towns", n)
	}
	// The city's leader reads the watch list: one bar per kind, each
	// opening its tab.
	hrefs := read(t, ctx, "watch bars", chromedp.Evaluate[[]string]("[...document.querySelectorAll('#chart-watch a.bar-link')].map(a => a.getAttribute('href'))"))
	if len(hrefs) != 3 || !strings.HasPrefix(hrefs[0], "/discipline?kind=") {
		t.Errorf("the leader's watch list chart links %v", hrefs)
	}
	// The first bar of 按状态 (登记, all three) opens the ledger of those.
	title := read(t, ctx, "bar title", chromedp.Evaluate[string]("document.querySelector('#chart-states a.bar-link title').textContent"))
	if title != "登记：3" {
		t.Errorf("first state bar %q, want 登记：3", title)
	}
	do(t, ctx, "click the bar",
		chromedp.Click(chromedp.CSS("#chart-states a.bar-link rect")),
		chromedp.WaitVisible(chromedp.ID("ledger-total")),
		screenshot("dashboard-03-bar-opens-ledger"),
	)
	if n := read(t, ctx, "ledger total", chromedp.Text(chromedp.ID("ledger-total"))); n != "3" {
		t.Errorf("the bar's list has %s items, want 3", n)
	}
	if loc := read(t, ctx, "ledger URL", chromedp.Location()); !strings.Contains(loc, "state=registered") || !strings.Contains(loc, "/petitions?") {
		t.Errorf("the bar opened %s", loc)
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations:\n%s", strings.Join(lines, "\n"))
	}
}
