package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// caseNotice waits for the notice that a form of the case page succeeded.
func caseNotice(text string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.Search(`//div[@class="notice" and contains(., "` + text + `")]`))
}

// caseLogin fills the login form the browser was sent to.
func caseLogin(username string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), pagePassword),
		chromedp.Click(chromedp.ID("login-submit")),
	}
}

// TestBrowserCaseStrikeOff drives the case pages in headless Chromium: a
// town handler files a case from a petition, adds a plan step and tries to
// strike the case off — refused, with the missing records named on the
// page — then records them and has it verified as resolved; the case's
// 包案领导 signs off and strikes it off.
func TestBrowserCaseStrikeOff(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	leader := caseLeader(t, a)
	p := a.seedPetition(t, "a_staff", "张建国", validIDNumber("11010519800101123"), "反映拖欠工资问题")
	base := a.Server.URL

	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/cases/new?petition=" + strconv.FormatInt(p.ID, 10))}, caseLogin("a_staff")...)
	steps = append(steps, chromedp.WaitVisible(chromedp.ID("case-form")), screenshot("case-01-new"))
	do(t, ctx, "log in and open the form from the petition", steps...)
	if got := read(t, ctx, "prefilled petition", chromedp.Value(chromedp.ID("case-petitions"))); got != p.Number {
		t.Fatalf("the form links %q, want %s", got, p.Number)
	}
	do(t, ctx, "file the case",
		chromedp.SetValue(chromedp.ID("case-leader"), strconv.FormatInt(leader.ID, 10)),
		chromedp.SetValue(chromedp.ID("case-deadline"), "2026-06-30"),
		chromedp.Click(chromedp.ID("case-submit")),
		chromedp.WaitVisible(chromedp.ID("case-number")),
		screenshot("case-02-filed"),
	)
	if n := read(t, ctx, "case number", chromedp.Text(chromedp.ID("case-number"))); n != "TA-JA-2026-0001" {
		t.Fatalf("case number %q", n)
	}
	caseURL := strings.SplitN(read(t, ctx, "case URL", chromedp.Location()), "?", 2)[0]

	do(t, ctx, "add a plan step",
		chromedp.SendKeys(chromedp.ID("step-content"), "核查工资发放台账并约谈用工单位"),
		chromedp.SendKeys(chromedp.ID("step-owner"), "李承办"),
		chromedp.SetValue(chromedp.ID("step-deadline"), "2026-04-30"),
		chromedp.Click(chromedp.ID("step-submit")),
		caseNotice("已新增方案步骤"),
	)
	if st := read(t, ctx, "state", chromedp.Text(chromedp.ID("case-state"))); st != "化解中" {
		t.Errorf("state after the first step %q, want 化解中", st)
	}

	do(t, ctx, "try to strike it off",
		chromedp.Click(chromedp.ID("do-close")),
		chromedp.WaitVisible(chromedp.Search(`//div[@class="alert" and contains(., "销号")]`)),
		screenshot("case-03-refused"),
	)
	alert := read(t, ctx, "refusal", chromedp.Text(chromedp.CSS(".alert")))
	for _, want := range []string{"未记录查清的事实", "未记录问题已解决或已依法终结", "未记录信访人对处理结果的意见", "未记录回访", "尚未认定为已化解", "包案领导"} {
		if !strings.Contains(alert, want) {
			t.Errorf("the refusal %q does not name %q", alert, want)
		}
	}
	if st := read(t, ctx, "state", chromedp.Text(chromedp.ID("case-state"))); st != "化解中" {
		t.Errorf("state after the refusal %q", st)
	}

	do(t, ctx, "record the resolution",
		chromedp.SendKeys(chromedp.ID("res-facts"), "用工单位拖欠张建国 2025 年工资 3 万元属实。"),
		chromedp.SetValue(chromedp.ID("res-solution"), "solved"),
		chromedp.SendKeys(chromedp.ID("res-solution-text"), "镇劳动保障所督促用工单位全额支付。"),
		chromedp.SendKeys(chromedp.ID("res-position"), "信访人对处理结果表示满意。"),
		chromedp.SetValue(chromedp.ID("res-followup-date"), "2026-03-10"),
		chromedp.SendKeys(chromedp.ID("res-followup-by"), "李承办"),
		chromedp.SendKeys(chromedp.ID("res-followup-how"), "当面"),
		chromedp.Click(chromedp.ID("res-settled")),
		chromedp.Click(chromedp.ID("resolution-submit")),
		caseNotice("已记录化解情况"),
		chromedp.Click(chromedp.ID("do-resolve")),
		caseNotice("已认定为已化解"),
		screenshot("case-04-resolved"),
	)
	if st := read(t, ctx, "state", chromedp.Text(chromedp.ID("case-state"))); st != "已化解" {
		t.Fatalf("state %q, want 已化解", st)
	}

	steps = []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")), chromedp.Navigate(caseURL)}
	steps = append(steps, caseLogin("city_leader")...)
	steps = append(steps,
		chromedp.WaitVisible(chromedp.ID("do-sign_off")),
		chromedp.Click(chromedp.ID("do-sign_off")),
		caseNotice("包案领导已签字"),
		chromedp.Click(chromedp.ID("do-close")),
		caseNotice("已销号"),
		screenshot("case-05-closed"),
	)
	do(t, ctx, "the leader signs off and strikes it off", steps...)
	if st := read(t, ctx, "state", chromedp.Text(chromedp.ID("case-state"))); st != "销号" {
		t.Errorf("state %q, want 销号", st)
	}
	if s := read(t, ctx, "sign-off", chromedp.Text(chromedp.ID("case-signoff"))); !strings.Contains(s, "周市长") {
		t.Errorf("sign-off %q", s)
	}
	// Struck off, the case is a record: no form to change it, the
	// resolution shown as text.
	if n := read(t, ctx, "forms", chromedp.Evaluate[int](`document.querySelectorAll('main form[action^="/cases/"]').length`)); n != 0 {
		t.Errorf("the struck-off case offers %d forms", n)
	}
	if facts := read(t, ctx, "resolution", chromedp.Text(chromedp.ID("resolution-view"))); !strings.Contains(facts, "用工单位拖欠张建国") {
		t.Errorf("the resolution of the struck-off case: %q", facts)
	}

	// 我包的案 hides the struck-off case unless asked for all.
	do(t, ctx, "the leader's cases", chromedp.Navigate(base+"/cases/mine"), chromedp.WaitVisible(chromedp.ID("mine-summary")))
	if n := read(t, ctx, "listed", chromedp.Text(chromedp.ID("mine-total"))); n != "0" {
		t.Errorf("我包的案 lists %s cases by default, want the struck-off one hidden", n)
	}
	if n := read(t, ctx, "struck off", chromedp.Text(chromedp.ID("mine-closed"))); n != "1" {
		t.Errorf("the summary counts %s struck off, want 1", n)
	}
	do(t, ctx, "all the leader's cases", chromedp.Navigate(base+"/cases/mine?state=all"), chromedp.WaitVisible(chromedp.ID("mine-summary")))
	if n := read(t, ctx, "listed", chromedp.Text(chromedp.ID("mine-total"))); n != "1" {
		t.Errorf("我包的案 with state=all lists %s cases, want 1", n)
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations:\n%s", strings.Join(lines, "\n"))
	}
}
