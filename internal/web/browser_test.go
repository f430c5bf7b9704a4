package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"xinfang"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// findChrome returns the Chromium binary: $CHROME_PATH, else the usual
// install locations; "" when there is none.
func findChrome() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts headless Chromium with a fresh profile. Without a
// browser the test is skipped, except in CI, where it must run.
func newBrowser(t *testing.T) (context.Context, *browserLog) {
	t.Helper()
	chrome := findChrome()
	if chrome == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found (set CHROME_PATH or install chromium): the browser test must run in CI")
		}
		t.Skip("no Chromium found; set CHROME_PATH or install chromium to run the browser test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 1000),
	}
	bl := &browserLog{}
	listener := func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
			bl.add("exception: " + text + " at " + d.URL)
		case *log.EventEntryAdded:
			// The browser logs CSP violations with source "security".
			if e.Entry.Source == log.EntrySourceSecurity || strings.Contains(e.Entry.Text, "Content Security Policy") {
				bl.add("security: " + e.Entry.Text)
			}
		}
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(listener))
	// A bound on the whole scenario, so that a hung browser fails the test
	// instead of the test binary's timeout.
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	return ctx, bl
}

// browserLog collects script errors and CSP violations of the pages.
type browserLog struct {
	mu    sync.Mutex
	lines []string
}

func (b *browserLog) add(s string) {
	b.mu.Lock()
	b.lines = append(b.lines, s)
	b.mu.Unlock()
}

func (b *browserLog) all() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...)
}

// screenshot saves the page when XINFANG_SCREENSHOTS names a directory, to
// look at the pages; it asserts nothing.
func screenshot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		dir := os.Getenv("XINFANG_SCREENSHOTS")
		if dir == "" {
			return nil
		}
		buf, err := chromedp.FullScreenshot(100)(ctx, t) // 100: PNG
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// TestBrowserRegisterFindAccept drives the real pages in headless Chromium:
// a town registrar logs in, registers a visit through the form (typing the
// ID number shows an earlier item of the same person, chosen as the one
// this repeats), finds the new item in the ledger by its number, opens it
// and accepts it; the page then says 办理中.
func TestBrowserRegisterFindAccept(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	id := validIDNumber("11010519800101123")
	earlier := a.seedPetition(t, "a_staff", "张建国", id, "反映拖欠工资问题（首次来访）")
	base := a.Server.URL

	do(t, ctx, "log in",
		chromedp.Navigate(base+"/petitions/new"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		screenshot("01-login"),
		chromedp.SendKeys(chromedp.ID("username"), "a_staff"),
		chromedp.SendKeys(chromedp.ID("password"), pagePassword),
		chromedp.Click(chromedp.ID("login-submit")),
		// next= brings the user back to the form asked for.
		chromedp.WaitVisible(chromedp.ID("register-form")),
	)
	if got := read(t, ctx, "user name", chromedp.Text(chromedp.ID("user-name"))); got != "李承办" {
		t.Fatalf("signed in as %q, want 李承办", got)
	}

	matchRow := chromedp.CSS(`#matches tr[data-number="` + earlier.Number + `"]`)
	do(t, ctx, "type the ID number and see the earlier item",
		chromedp.SendKeys(chromedp.ID("petitioner-name"), "张建国"),
		chromedp.SendKeys(chromedp.ID("petitioner-id-number"), id),
		chromedp.WaitVisible(matchRow),
	)
	matchText := read(t, ctx, "repeat candidate", chromedp.Text(matchRow))
	for _, want := range []string{earlier.Number, "反映拖欠工资问题（首次来访）", "登记", "同一信访人"} {
		if !strings.Contains(matchText, want) {
			t.Errorf("repeat candidate row %q lacks %q", matchText, want)
		}
	}
	do(t, ctx, "choose it as the earlier item", chromedp.Click(chromedp.CSS(string(matchRow)+` button.repeat-choose`)))
	if got := read(t, ctx, "repeat_of", chromedp.Value(chromedp.ID("repeat_of"))); got != earlier.Number {
		t.Fatalf("作为其重复件 set repeat_of to %q, want %q", got, earlier.Number)
	}

	do(t, ctx, "fill in and submit",
		chromedp.SendKeys(chromedp.ID("petitioner-phone"), "13912345678"),
		chromedp.SendKeys(chromedp.ID("petitioner-address"), "东城镇幸福村 3 组 12 号"),
		chromedp.SetValue(chromedp.ID("category"), "0501"),
		chromedp.SetValue(chromedp.ID("purpose"), "claim"),
		chromedp.SendKeys(chromedp.ID("summary"), "再次反映拖欠工资问题"),
		chromedp.SendKeys(chromedp.ID("content"), "某建筑公司仍未支付 2025 年工资 3 万元。"),
		chromedp.SendKeys(chromedp.ID("request"), "要求支付工资"),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{letterScan(t)}),
		screenshot("02-register"),
		chromedp.Click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.ID("created-number")),
		screenshot("03-created"),
	)
	number := read(t, ctx, "new number", chromedp.Text(chromedp.ID("created-number")))
	if !strings.HasPrefix(number, "TA-2026-") || number == earlier.Number {
		t.Fatalf("new number %q", number)
	}
	if code := read(t, ctx, "查询码", chromedp.Text(chromedp.ID("query-code"))); len(code) != 19 {
		t.Errorf("查询码 %q", code)
	}
	// F5 on the success page registers nothing, and the 查询码 is not
	// shown a second time.
	before := countPetitions(t, a)
	do(t, ctx, "reload the success page",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("query-code-shown")),
	)
	if after := countPetitions(t, a); after != before {
		t.Errorf("reloading the success page: %d petitions, were %d", after, before)
	}
	if n := read(t, ctx, "number after reload", chromedp.Text(chromedp.ID("created-number"))); n != number {
		t.Errorf("after the reload the page shows %q, want %q", n, number)
	}

	link := chromedp.Search(`//td[@class="num"]/a[text()="` + number + `"]`)
	do(t, ctx, "find it in the ledger",
		chromedp.Navigate(base+"/petitions"),
		chromedp.WaitVisible(chromedp.ID("ledger-filter")),
		chromedp.SendKeys(chromedp.ID("q"), number),
		// The unfiltered ledger lists the item too: mark this page, so that
		// the next wait only matches the filtered page that replaces it,
		// not a node of the page being unloaded.
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`),
		chromedp.Click(chromedp.ID("ledger-search")),
		chromedp.WaitVisible(chromedp.CSS(`body:not([data-stale]) #ledger-total`)),
		chromedp.WaitVisible(link),
		screenshot("04-ledger"),
	)
	if total := read(t, ctx, "ledger total", chromedp.Text(chromedp.ID("ledger-total"))); total != "1" {
		t.Errorf("ledger total for %s is %q, want 1", number, total)
	}
	do(t, ctx, "open it", chromedp.Click(link), chromedp.WaitVisible(chromedp.ID("petition-number")))
	if got := read(t, ctx, "petition number", chromedp.Text(chromedp.ID("petition-number"))); got != number {
		t.Errorf("opened %q, want %q", got, number)
	}
	if state := read(t, ctx, "state", chromedp.Text(chromedp.ID("petition-state"))); strings.TrimSpace(state) != "登记" {
		t.Errorf("new item state %q, want 登记", state)
	}
	if rep := read(t, ctx, "repeat", chromedp.Text(chromedp.Search(`//dt[text()="重复信访"]/following-sibling::dd[1]`))); !strings.Contains(rep, "重复件") || !strings.Contains(rep, earlier.Number) {
		t.Errorf("the item does not say it repeats %s: %q", earlier.Number, rep)
	}
	if got := read(t, ctx, "the letter's scan", chromedp.Text(chromedp.CSS("#attachments a.attachment"))); got != "来信扫描件.pdf" {
		t.Errorf("the item's attachment is %q, want the scan sent with the registration", got)
	}

	do(t, ctx, "accept it",
		chromedp.Click(chromedp.CSS(`#act-accept > summary`)),
		chromedp.WaitVisible(chromedp.ID("do-accept")),
		chromedp.Click(chromedp.ID("do-accept")),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
		screenshot("05-accepted"),
	)
	if state := read(t, ctx, "state", chromedp.Text(chromedp.ID("petition-state"))); strings.TrimSpace(state) != "办理中" {
		t.Errorf("state after 受理 is %q, want 办理中", state)
	}
	if notice := read(t, ctx, "notice", chromedp.Text(chromedp.CSS(`.notice`))); !strings.Contains(notice, "受理") {
		t.Errorf("notice %q", notice)
	}

	itemURL := read(t, ctx, "item URL", chromedp.Location())
	do(t, ctx, "the 工作台 counts it as 待答复",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("card-reply")),
		screenshot("06-home"),
	)
	if n := read(t, ctx, "待答复", chromedp.Text(chromedp.CSS(`#card-reply .card-count`))); n != "1" {
		t.Errorf("待答复 count %q, want 1", n)
	}
	do(t, ctx, "back to the item", chromedp.Navigate(itemURL), chromedp.WaitVisible(chromedp.ID("print-accept")))

	do(t, ctx, "print the 受理告知书",
		chromedp.Click(chromedp.ID("print-accept")),
		chromedp.WaitVisible(chromedp.CSS(`.ln.title`)),
		screenshot("07-notice"),
	)
	if title := read(t, ctx, "document title", chromedp.Text(chromedp.CSS(`.ln.title`))); title != "受理告知书" {
		t.Errorf("document title %q", title)
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations:\n%s", strings.Join(lines, "\n"))
	}
}

// do runs the steps of one part of the scenario.
func do(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// read runs one action that returns a value.
func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("read %s: %v", what, err)
	}
	return v
}

// countPetitions counts the petitions of the page app's database.
func countPetitions(t *testing.T, a *pageApp) int {
	t.Helper()
	_, total, err := a.DB.Petitions.FindPetitions(xinfang.NewContextWithUser(context.Background(), a.Users["a_staff"]), xinfang.PetitionFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// letterScan writes a small PDF, as a scanner would give it, and returns
// its path.
func letterScan(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "来信扫描件.pdf")
	body := "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
