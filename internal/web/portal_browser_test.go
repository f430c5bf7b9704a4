package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"xinfang"
)

// TestBrowserPortal drives the public portal on a phone-sized window
// (390 × 844) without a session: a petitioner submits with an attachment
// and gets the number and 查询码, follows the item as staff move it,
// opens the 信访处理意见书, evaluates and asks for a review; then the
// registrar sees each step on the item's page.
func TestBrowserPortal(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	base := a.Server.URL
	scan := letterScan(t)

	answer := func() chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(c context.Context, tg *chromedp.Target) error {
			q, err := chromedp.Text(chromedp.ID("captcha-question"))(c, tg)
			if err != nil {
				return err
			}
			_, err = chromedp.SendKeys(chromedp.ID("captcha"), solveChallenge(t, strings.TrimPrefix(q, "文字题：")))(c, tg)
			return err
		})
	}
	do(t, ctx, "submit online on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/portal/"),
		chromedp.WaitVisible(chromedp.CSS(".pcards")),
		chromedp.Click(chromedp.CSS(`.pcards a[href="/portal/submit"]`)),
		chromedp.WaitVisible(chromedp.ID("portal-submit")),
		chromedp.SendKeys(chromedp.ID("name"), "周秀英"),
		chromedp.SendKeys(chromedp.ID("id_number"), validIDNumber("11010519650302004")),
		chromedp.SendKeys(chromedp.ID("phone"), "13912345678"),
		chromedp.SendKeys(chromedp.ID("summary"), "反映小区供暖不达标"),
		chromedp.SendKeys(chromedp.ID("content"), "今冬室温长期低于 16 度，多次反映物业未解决。"),
		chromedp.SendKeys(chromedp.ID("request"), "督促供热公司达标供暖"),
		chromedp.SetValue(chromedp.ID("category"), "0501"),
		chromedp.SetValue(chromedp.ID("locality_id"), strconv.FormatInt(a.Units["townA"].ID, 10)),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{scan}),
		chromedp.Click(chromedp.ID("rules_accepted")),
		answer(),
		screenshot("portal-01-submit"),
		chromedp.Click(chromedp.ID("portal-submit-button")),
		chromedp.WaitVisible(chromedp.ID("portal-code")),
		screenshot("portal-02-code"),
	)
	number := read(t, ctx, "number", chromedp.Text(chromedp.ID("portal-number")))
	code := read(t, ctx, "查询码", chromedp.Text(chromedp.ID("portal-code")))
	if !strings.HasPrefix(number, "XFJ-2026-") || len(code) != 19 {
		t.Fatalf("number %q, 查询码 %q", number, code)
	}
	if w := read(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the page is %d pixels wide on a 390-pixel phone", w)
	}

	follow := func(step, wantState string) {
		t.Helper()
		do(t, ctx, step,
			chromedp.Navigate(base+"/portal/follow"),
			chromedp.WaitVisible(chromedp.ID("portal-follow")),
			chromedp.SendKeys(chromedp.ID("number"), number),
			chromedp.SendKeys(chromedp.ID("query_code"), code),
			answer(),
			chromedp.Click(chromedp.ID("portal-follow-button")),
			chromedp.WaitVisible(chromedp.ID("item-state")),
		)
		if got := read(t, ctx, "state", chromedp.Text(chromedp.ID("item-state"))); got != wantState {
			t.Errorf("%s: state %q, want %q", step, got, wantState)
		}
	}
	follow("follow after submitting", "已收到，正在登记审核")

	// Staff take it in and move it.
	reg := xinfang.NewContextWithUser(context.Background(), a.Users["bureau_reg"])
	staff := xinfang.NewContextWithUser(context.Background(), a.Users["a_staff"])
	list, _, err := a.DB.Portal.FindIntake(reg, 0, 10)
	if err != nil || len(list) != 1 || list[0].Number != number {
		t.Fatalf("the registrar's intake: %v %v", list, err)
	}
	p := list[0]
	if _, err := a.DB.Portal.ConfirmIntake(reg, p.ID); err != nil {
		t.Fatal(err)
	}
	act := func(ctx context.Context, action xinfang.Action, data map[string]string) {
		t.Helper()
		var err error
		if p, err = a.DB.Petitions.Act(ctx, p.ID, xinfang.ActionInput{Action: action, Version: p.Version, Data: data}); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	act(reg, xinfang.ActTransfer, map[string]string{"unit_id": strconv.FormatInt(a.Units["townA"].ID, 10)})
	follow("follow after the transfer", "已转交有权处理的单位")
	act(staff, xinfang.ActSign, nil)
	act(staff, xinfang.ActAccept, nil)
	follow("follow after acceptance", "已受理，正在办理")
	act(staff, xinfang.ActReply, map[string]string{"outcome": "support", "facts": "经查，供热管网阀门故障", "opinion": "责成供热公司三日内修复"})
	act(staff, xinfang.ActDeliver, map[string]string{"method": "electronic", "delivered_on": "2026-03-10", "receipt": "signed", "petitioner_opinion": "agree"})
	follow("follow after the reply", "已出具处理意见")

	do(t, ctx, "open the 信访处理意见书",
		chromedp.Click(chromedp.ID("doc-opinion")),
		chromedp.WaitVisible(chromedp.CSS(".ln.title")),
		screenshot("portal-03-opinion"),
	)
	if title := read(t, ctx, "title", chromedp.Text(chromedp.CSS(".ln.title"))); title != "信访处理意见书" {
		t.Errorf("document %q", title)
	}
	if body := read(t, ctx, "document", chromedp.Text(chromedp.CSS("main.pages"))); !strings.Contains(strings.ReplaceAll(body, "\n", ""), "责成供热公司三日内修复") || strings.Contains(body, "李承办") {
		t.Errorf("document body %q", body)
	}

	// The same document as PDF, through the portal's API.
	pdf := read(t, ctx, "the 意见书 as PDF", chromedp.Evaluate[string](`fetch("/api/v1/portal/document", {method: "POST", headers: {"Content-Type": "application/json"},
		body: JSON.stringify({number: "`+number+`", query_code: "`+code+`", doc: "opinion", format: "pdf"})}).then(async r => r.headers.get("content-type") + " " + new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5)))`, chromedp.EvalAwaitPromise))
	if pdf != "application/pdf %PDF-" {
		t.Errorf("the 意见书 as PDF: %q", pdf)
	}

	follow("follow to evaluate", "已出具处理意见")
	do(t, ctx, "evaluate",
		chromedp.Click(chromedp.ID("rb-satisfied")),
		chromedp.Click(chromedp.ID("ru-basic")),
		chromedp.SendKeys(chromedp.ID("comment"), "回复及时"),
		chromedp.Click(chromedp.ID("portal-evaluate-button")),
		chromedp.WaitVisible(chromedp.ID("evaluated")),
	)
	do(t, ctx, "ask for a review",
		chromedp.SendKeys(chromedp.ID("reasons"), "修复后室温仍不达标"),
		chromedp.SetUploadFiles(chromedp.ID("review-files"), []string{scan}),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`),
		chromedp.Click(chromedp.ID("portal-review-button")),
		chromedp.WaitVisible(chromedp.CSS(`body:not([data-stale]) #item-state`)),
		screenshot("portal-04-review"),
	)
	if got := read(t, ctx, "state", chromedp.Text(chromedp.ID("item-state"))); got != "复查中" {
		t.Errorf("after the request: %q (%s)", got, read(t, ctx, "message", chromedp.Text(chromedp.CSS(".pmain"))))
	}

	// The registrar sees each step on the item.
	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/petitions/" + strconv.FormatInt(p.ID, 10))}, caseLogin("bureau_reg")...)
	steps = append(steps, chromedp.WaitVisible(chromedp.ID("timeline")), screenshot("portal-05-staff"))
	do(t, ctx, "the registrar opens the item", steps...)
	timeline := read(t, ctx, "timeline", chromedp.Text(chromedp.ID("timeline")))
	for _, want := range []string{"评价", "信访人网上提交", "回复及时", "申请复查", "修复后室温仍不达标"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline lacks %q", want)
		}
	}
	if got := read(t, ctx, "intake", chromedp.Text(chromedp.ID("intake-state"))); !strings.Contains(got, "王登记") || !strings.Contains(got, "确认登记") {
		t.Errorf("intake record %q", got)
	}
	if n := read(t, ctx, "files", chromedp.Evaluate[int](`document.querySelectorAll("#attachments a.attachment").length`)); n != 2 {
		t.Errorf("%d files on the item, want the submission's and the review request's", n)
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations:\n%s", strings.Join(lines, "\n"))
	}
}
