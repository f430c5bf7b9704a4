package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserHearing drives the hearing pages in headless Chromium: the
// head of 甲镇 opens a petition in 复核, schedules a hearing with two
// experts and a lawyer as officers and a 人大代表 attending (a first try
// with two officers is refused on the page), prints the 听证通知书, and,
// days later, records the hearing's start and its conclusion; the 复核
// clock on the page moves by the hearing's days.
func TestBrowserHearing(t *testing.T) {
	ctx, blog := newBrowser(t)
	h := newHearingEnv(t)
	base := h.URL
	login := func(step string) {
		t.Helper()
		do(t, ctx, step,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("username"), h.head.Username),
			chromedp.SendKeys(chromedp.ID("password"), h.head.Password),
			chromedp.Click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.ID("user-name")),
		)
	}
	login("log in")
	do(t, ctx, "open the petition and schedule a hearing",
		chromedp.Navigate(fmt.Sprintf("%s/petitions/%d", base, h.p.ID)),
		chromedp.WaitVisible(chromedp.ID("schedule-hearing")),
		chromedp.Click(chromedp.ID("schedule-hearing")),
		chromedp.WaitVisible(chromedp.ID("hearing-form")),
	)
	if got := read(t, ctx, "petition field", chromedp.Value(chromedp.ID("h-petition"))); got != fmt.Sprint(h.p.ID) {
		t.Fatalf("the form's petition is %q", got)
	}
	if got := read(t, ctx, "default date", chromedp.Value(chromedp.ID("h-scheduled"))); got != "2026-07-15" {
		t.Errorf("the hearing date proposed is %q, want seven days on: 2026-07-15", got)
	}
	do(t, ctx, "fill in with two officers",
		chromedp.SendKeys(chromedp.ID("h-subject"), "张三工资拖欠复核听证"),
		chromedp.SendKeys(chromedp.ID("h-place"), "甲镇政府听证室"),
		chromedp.SetValue(chromedp.ID("h-chair"), fmt.Sprint(h.head.ID)),
		chromedp.SendKeys(chromedp.ID("h-parties"), "信访人：张三"),
		chromedp.Click(chromedp.ID(fmt.Sprintf("officer-expert-%d", h.experts[0].ID))),
		chromedp.Click(chromedp.ID(fmt.Sprintf("officer-expert-%d", h.experts[1].ID))),
		chromedp.Click(chromedp.ID(fmt.Sprintf("attend-observer-%d", h.obs.ID))),
		chromedp.Click(chromedp.ID("h-save")),
		chromedp.WaitVisible(chromedp.CSS("#h-officers .ferr")),
	)
	if msg := read(t, ctx, "officers error", chromedp.Text(chromedp.CSS("#h-officers .ferr"))); !strings.Contains(msg, "不少于 3 名") {
		t.Errorf("two officers: %q", msg)
	}
	do(t, ctx, "add the lawyer and schedule",
		chromedp.Click(chromedp.ID(fmt.Sprintf("officer-lawyer-%d", h.lawyer.ID))),
		chromedp.Click(chromedp.ID("h-save")),
		chromedp.WaitVisible(chromedp.ID("hearing-number")),
	)
	number := read(t, ctx, "number", chromedp.Text(chromedp.ID("hearing-number")))
	if !strings.HasPrefix(number, "TZ-2026-") {
		t.Fatalf("hearing number %q", number)
	}
	if due := read(t, ctx, "due", chromedp.Text(chromedp.ID("rereview-due"))); due != "2026-08-05" {
		t.Errorf("复核 due before the hearing: %q", due)
	}
	hearingURL := read(t, ctx, "hearing URL", chromedp.Location())

	do(t, ctx, "print the notice",
		chromedp.Click(chromedp.ID("print-notice")),
		chromedp.WaitVisible(chromedp.CSS("h1.doc-title")),
	)
	notice := read(t, ctx, "notice", chromedp.Text(chromedp.CSS("article.sheet")))
	for _, want := range []string{"听证通知书", number, "张三", "2026年7月15日", "甲镇政府听证室", "吴教授", "冯主任", "陈代表"} {
		if !strings.Contains(notice, want) {
			t.Errorf("the notice lacks %q", want)
		}
	}

	// 07-17: the hearing was held from 07-15; the clock stands still
	// from that day (three days so far: due 08-05 → 08-08, a Saturday →
	// 08-10).
	h.setNow(t, "2026-07-17T09:00")
	login("log in again after two days")
	do(t, ctx, "record the start",
		chromedp.Navigate(hearingURL),
		chromedp.WaitVisible(chromedp.ID("h-started")),
		chromedp.SetValue(chromedp.ID("h-started"), "2026-07-15"),
		chromedp.Click(chromedp.ID("h-start")),
		chromedp.WaitVisible(chromedp.ID("conclude-hearing")),
	)
	if due := read(t, ctx, "due", chromedp.Text(chromedp.ID("rereview-due"))); due != "2026-08-10" {
		t.Errorf("复核 due during the hearing: %q, want 2026-08-10", due)
	}
	// It ended on 07-16: two days do not count, due 08-05 + 2 → 08-07.
	do(t, ctx, "record the conclusion",
		chromedp.SetValue(chromedp.ID("h-ended"), "2026-07-16"),
		chromedp.SendKeys(chromedp.ID("h-record"), "主持人宣布听证开始，信访人陈述，听证员询问……"),
		chromedp.SendKeys(chromedp.ID("h-conclusion"), "听证员一致认为原处理意见事实清楚，建议维持。"),
		chromedp.Click(chromedp.ID("h-conclude")),
		chromedp.WaitVisible(chromedp.ID("hearing-conclusion")),
	)
	if got := read(t, ctx, "state", chromedp.Text(chromedp.ID("hearing-state"))); got != "已结束" {
		t.Errorf("state %q", got)
	}
	if due := read(t, ctx, "due", chromedp.Text(chromedp.ID("rereview-due"))); due != "2026-08-07" {
		t.Errorf("复核 due after the hearing: %q, want 2026-08-07", due)
	}
	if paused := read(t, ctx, "paused", chromedp.Text(chromedp.ID("rereview-paused"))); !strings.HasPrefix(paused, "2 日") {
		t.Errorf("paused %q, want 2 日", paused)
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("script errors or CSP violations:\n%s", strings.Join(lines, "\n"))
	}
}
