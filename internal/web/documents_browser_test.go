package web_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"xinfang"
	"xinfang/internal/calendar"
)

// chromePages counts the pages of a PDF Chromium printed.
var chromePage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestBrowserDocumentsPrint takes items through the procedure, opens each
// of their documents in headless Chromium and prints it with the browser's
// print-to-PDF on A4: the printed page count is the count the preview
// shows (共 N 页) and the documents package laid out — one page for every
// letter and form of an ordinary item, two for an opinion with long facts —
// and the PDF download has the same count.
func TestBrowserDocumentsPrint(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	head := &xinfang.User{Username: "a_head", Name: "吴镇长", UnitID: a.Units["townA"].ID, Roles: []xinfang.Role{xinfang.RoleUnitHead}}
	if err := a.DB.Directory.CreateUser(context.Background(), head, pagePassword); err != nil {
		t.Fatal(err)
	}
	head, _ = a.DB.Directory.FindUserByID(context.Background(), head.ID)
	act := func(u *xinfang.User, p *xinfang.Petition, action xinfang.Action, data map[string]string) {
		t.Helper()
		uctx := xinfang.NewContextWithUser(context.Background(), u)
		cur, err := a.DB.Petitions.FindPetitionByID(uctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.DB.Petitions.Act(uctx, p.ID, xinfang.ActionInput{Action: action, Version: cur.Version, Data: data}); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	staff := a.Users["a_staff"]
	today := calendar.DateOf(pageNow).String()

	// One item through reply, review and re-review (复核终结).
	full := a.seedPetition(t, "a_staff", "张建国", validIDNumber("44030419800101123"), "反映拖欠工资问题")
	act(staff, full, xinfang.ActAccept, nil)
	act(head, full, xinfang.ActExtend, map[string]string{"days": "15", "reason": "需要调取用工记录"})
	act(staff, full, xinfang.ActReply, map[string]string{"outcome": "support", "facts": "经查，该公司确欠工资3万元。", "opinion": "责令该公司于30日内支付。"})
	act(staff, full, xinfang.ActDeliver, map[string]string{"method": "in_person", "delivered_on": today, "receipt": "signed", "petitioner_opinion": "disagree"})
	act(staff, full, xinfang.ActRequestReview, map[string]string{"received_on": today, "request": "请求增加赔偿"})
	act(staff, full, xinfang.ActReviewReply, map[string]string{"outcome": "explain", "facts": "原处理意见事实清楚。", "opinion": "维持原处理意见。"})
	act(staff, full, xinfang.ActDeliver, map[string]string{"method": "post", "delivered_on": today, "receipt": "signed", "petitioner_opinion": "disagree"})
	act(staff, full, xinfang.ActRequestRereview, map[string]string{"received_on": today, "request": "请求复核"})
	act(staff, full, xinfang.ActRereviewReply, map[string]string{"outcome": "explain", "facts": "复查意见事实清楚。", "opinion": "维持复查意见。"})
	// One sent by the bureau to the town with a deadline (交办), one not
	// accepted, one answered at length.
	assigned := a.seedPetition(t, "bureau_reg", "李某", validIDNumber("44030419800101124"), "反映道路破损")
	act(a.Users["bureau_reg"], assigned, xinfang.ActAssign, map[string]string{"unit_id": strconv.FormatInt(a.Units["townA"].ID, 10), "result_due": "2026-04-30"})
	transferred := a.seedPetition(t, "bureau_reg", "陈某", validIDNumber("44030419800101125"), "反映噪声扰民")
	act(a.Users["bureau_reg"], transferred, xinfang.ActTransfer, map[string]string{"unit_id": strconv.FormatInt(a.Units["townA"].ID, 10)})
	rejected := a.seedPetition(t, "a_staff", "周某", validIDNumber("44030419800101126"), "要求撤销已生效判决")
	act(staff, rejected, xinfang.ActNotAccept, map[string]string{"ground": "legal_route", "reason": "内部：已电话告知"})
	long := a.seedPetition(t, "a_staff", "赵某", validIDNumber("44030419800101127"), "反映征地补偿问题")
	act(staff, long, xinfang.ActAccept, nil)
	act(staff, long, xinfang.ActReply, map[string]string{"outcome": "explain", "opinion": "补偿标准符合规定。",
		"facts": strings.Repeat("经调查核实，该地块于2019年列入征收范围，补偿标准依照当年公布的区片综合地价执行，相关部门对权属来源、地上附着物进行了清点登记。", 9)})

	// A 督办单 on the transferred item, pressed once (催办).
	sup := &xinfang.User{Username: "xfj_sup", Name: "郑督查", UnitID: a.Units["bureau"].ID, Roles: []xinfang.Role{xinfang.RoleSupervisor}}
	if err := a.DB.Directory.CreateUser(context.Background(), sup, pagePassword); err != nil {
		t.Fatal(err)
	}
	sup, _ = a.DB.Directory.FindUserByID(context.Background(), sup.ID)
	supCtx := xinfang.NewContextWithUser(context.Background(), sup)
	order := &xinfang.Supervision{TargetUnitID: a.Units["townA"].ID, PetitionID: transferred.ID, Requirements: "请于期限内查清噪声来源并书面反馈。",
		Deadline: calendar.DateOf(pageNow).AddDays(7), Listed: true}
	if err := a.DB.Supervisions.CreateSupervision(supCtx, order); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.Supervisions.RemindSupervision(supCtx, order.ID, "请加快办理"); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		p     *xinfang.Petition
		kind  string
		pages int
	}{
		{full, "register", 1}, {full, "accept", 1}, {full, "extend", 1}, {full, "opinion", 1}, {full, "review", 1},
		{full, "rereview", 1}, {full, "terminate", 1}, {full, "receipt", 1},
		{assigned, "assign", 1}, {transferred, "transfer", 1}, {rejected, "reject", 1},
		{long, "opinion", 2},
	}
	base := a.Server.URL
	do(t, ctx, "sign in", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")}, caseLogin("a_staff")...)...)
	do(t, ctx, "home", chromedp.WaitVisible(chromedp.CSS(`nav`)))
	type printed struct {
		path  string
		pages int
	}
	var paths []printed
	for _, c := range cases {
		paths = append(paths, printed{"/petitions/" + strconv.FormatInt(c.p.ID, 10) + "/print/" + c.kind, c.pages})
	}
	// The 督办单's 督办通知书 and 催办函, each one page.
	for _, kind := range []string{"supervise", "urge"} {
		paths = append(paths, printed{"/supervisions/" + strconv.FormatInt(order.ID, 10) + "/print/" + kind, 1})
	}
	for _, c := range paths {
		path := c.path
		do(t, ctx, "open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("page-1")), screenshot("doc-"+strings.ReplaceAll(strings.Trim(path, "/"), "/", "-")))
		shown := read(t, ctx, "pages shown", chromedp.Text(chromedp.ID("doc-pages")))
		sheets := read(t, ctx, "sheets", chromedp.Evaluate[int](`document.querySelectorAll("section.page").length`))
		if shown != "共 "+strconv.Itoa(c.pages)+" 页" || sheets != c.pages {
			t.Errorf("%s: the preview says %q with %d sheets, want %d", path, shown, sheets, c.pages)
		}
		pdf := read(t, ctx, "print "+path, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFMargin(0), chromedp.PDFPreferCSSPageSize()))
		if n := len(chromePage.FindAll(pdf, -1)); n != c.pages {
			t.Errorf("%s: Chromium prints %d pages, want %d", path, n, c.pages)
		}
		// The PDF download, as the page's link gives it.
		got := read(t, ctx, "download", chromedp.Evaluate[string](`fetch(document.getElementById("doc-pdf").href).then(async r => {
			const s = await r.text();
			return r.status + " " + r.headers.get("content-type") + " " + s.slice(0, 5) + " " + (s.match(/\/Type \/Page /g) || []).length;
		})`, chromedp.EvalAwaitPromise))
		if want := "200 application/pdf %PDF- " + strconv.Itoa(c.pages); got != want {
			t.Errorf("%s: download %q, want %q", path, got, want)
		}
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations:\n%s", strings.Join(lines, "\n"))
	}
}

// TestBrowserCaseSheetOnePage prints the 一案一表 of a case with long texts
// and many records: Chromium's print-to-PDF gives one A4 page, and the
// sheet says how many older records it leaves to the case page.
func TestBrowserCaseSheetOnePage(t *testing.T) {
	ctx, _ := newBrowser(t)
	a := newPageApp(t)
	leader := caseLeader(t, a)
	p := a.seedPetition(t, "a_staff", "张建国", validIDNumber("11010519800101123"), "反映拖欠工资问题")
	uctx := xinfang.NewContextWithUser(context.Background(), a.Users["a_staff"])
	long := strings.Repeat("信访人反映用工单位拖欠工资，涉及多名务工人员，情况较为复杂。", 20)
	c := &xinfang.Case{Title: "东村工资拖欠积案", Source: "repeat", Petitioners: "张建国等12人", ResponsibleUnitID: a.Units["townA"].ID,
		LeaderID: leader.ID, PetitionIDs: []int64{p.ID}, Deadline: calendar.MustParseDate("2026-06-30"), Summary: long, StabilityPlan: long}
	if err := a.DB.Cases.CreateCase(uctx, c); err != nil {
		t.Fatal(err)
	}
	version := c.Version
	for i := 0; i < 8; i++ {
		got, err := a.DB.Cases.AddProgress(uctx, c.ID, version, &xinfang.ProgressReport{Date: calendar.DateOf(pageNow), Text: "第" + strconv.Itoa(i+1) + "次进展：" + long[:120]})
		if err != nil {
			t.Fatal(err)
		}
		version = got.Version
	}
	base := a.Server.URL
	path := "/cases/" + strconv.FormatInt(c.ID, 10) + "/print"
	do(t, ctx, "open the 一案一表", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + path)}, append(caseLogin("a_staff"),
		chromedp.WaitVisible(chromedp.CSS(".sheet-table")), screenshot("case-sheet"))...)...)
	if more := read(t, ctx, "more", chromedp.Text(chromedp.CSS(".more"))); more != "另有 5 条，详见积案页面" {
		t.Errorf("the sheet says %q of the older progress reports", more)
	}
	pdf := read(t, ctx, "print", chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
	if n := len(chromePage.FindAll(pdf, -1)); n != 1 {
		t.Errorf("the 一案一表 prints on %d pages, want 1", n)
	}
}
