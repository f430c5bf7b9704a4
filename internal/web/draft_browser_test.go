package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"xinfang"
)

// TestBrowserDraftSurvivesSessionEnd: a registrar fills the registration
// form, picking the 问题属地 by typing part of its name; the session ends
// before the form is sent. Sending it leads to the login page, which says
// what happened; after logging in the form is back, filled as it was.
// Registering clears the draft, and another user in the same tab never
// sees it.
func TestBrowserDraftSurvivesSessionEnd(t *testing.T) {
	ctx, _ := newBrowser(t)
	a := newPageApp(t)
	// Enough units for the picker's filter box (a city has a hundred).
	var villages []*xinfang.Unit
	for i := 1; i <= 10; i++ {
		v := &xinfang.Unit{Code: fmt.Sprintf("TBV%02d", i), Name: fmt.Sprintf("西城镇第%d村", i), Kind: xinfang.UnitVillage, ParentID: a.Units["townB"].ID}
		pageUnit(t, a.DB, v)
		villages = append(villages, v)
	}
	base := a.Server.URL
	login := func(step, user string) {
		t.Helper()
		do(t, ctx, step,
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), pagePassword),
			chromedp.Click(chromedp.ID("login-submit")),
		)
	}
	do(t, ctx, "open the form", chromedp.Navigate(base+"/petitions/new"))
	login("log in", "bureau_reg")
	do(t, ctx, "fill the form",
		chromedp.WaitVisible(chromedp.ID("register-form")),
		chromedp.SendKeys(chromedp.ID("petitioner-name"), "王草稿"),
		chromedp.SendKeys(chromedp.ID("petitioner-phone"), "13900001111"),
		chromedp.SendKeys(chromedp.ID("summary"), "反映村道损毁问题"),
		chromedp.SendKeys(chromedp.ID("content"), "村道多处塌陷，雨天无法通行。"),
		chromedp.SendKeys(chromedp.ID("locality_id-filter"), "第7村"),
	)
	want := fmt.Sprint(villages[6].ID)
	if got := read(t, ctx, "问题属地", chromedp.Value(chromedp.ID("locality_id"))); got != want {
		t.Fatalf("typing 第7村 chose unit %q, want %s", got, want)
	}

	// The session ends (logged out elsewhere, or timed out).
	if err := a.DB.Directory.EndOtherSessions(context.Background(), a.Users["bureau_reg"].ID, ""); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1200 * time.Millisecond) // the instance's session cache forgets it
	count := func() int {
		t.Helper()
		_, n, err := a.DB.Petitions.FindPetitions(xinfang.NewContextWithUser(context.Background(), a.Users["bureau_reg"]), xinfang.PetitionFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	do(t, ctx, "send the form", chromedp.Click(chromedp.ID("register-submit")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if notice := read(t, ctx, "login notice", chromedp.Text(chromedp.CSS(`.notice`))); !strings.Contains(notice, "登录已失效") {
		t.Errorf("the login page says %q", notice)
	}
	if count() != before {
		t.Fatal("a form sent without a session registered something")
	}
	login("log in again", "bureau_reg")
	do(t, ctx, "the form is back", chromedp.WaitVisible(chromedp.ID("draft-restored")))
	for id, want := range map[string]string{"petitioner-name": "王草稿", "petitioner-phone": "13900001111", "summary": "反映村道损毁问题", "content": "村道多处塌陷，雨天无法通行。", "locality_id": want} {
		if got := read(t, ctx, id, chromedp.Value(chromedp.ID(id))); got != want {
			t.Errorf("%s restored as %q, want %q", id, got, want)
		}
	}

	// Registered: the draft is gone.
	do(t, ctx, "register",
		chromedp.SetValue(chromedp.ID("category"), "0501"),
		chromedp.SetValue(chromedp.ID("purpose"), "claim"),
		chromedp.SendKeys(chromedp.ID("request"), "要求修复村道"),
		chromedp.Click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.CSS("#created-number, .ferr")),
	)
	if page := read(t, ctx, "after sending", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(page, "登记成功") {
		t.Fatalf("registering the restored form: %s", page)
	}
	do(t, ctx, "a new form",
		chromedp.Navigate(base+"/petitions/new"),
		chromedp.WaitVisible(chromedp.ID("register-form")),
	)
	if got := read(t, ctx, "name after registering", chromedp.Value(chromedp.ID("petitioner-name"))); got != "" {
		t.Errorf("after registering, the form holds %q", got)
	}

	// A draft is its user's: after another login in the same tab, the
	// next user's form is empty.
	do(t, ctx, "type a new draft", chromedp.SendKeys(chromedp.ID("petitioner-name"), "赵另一人"))
	if err := a.DB.Directory.EndOtherSessions(context.Background(), a.Users["bureau_reg"].ID, ""); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1200 * time.Millisecond)
	do(t, ctx, "to the login page", chromedp.Navigate(base+"/petitions/new"))
	login("another user", "a_staff")
	do(t, ctx, "the other user's form", chromedp.WaitVisible(chromedp.ID("register-form")))
	if got := read(t, ctx, "name for another user", chromedp.Value(chromedp.ID("petitioner-name"))); got != "" {
		t.Errorf("another user's form holds %q", got)
	}

	// Sent with errors, the form comes back with the first field in error
	// focused (and scrolled to).
	do(t, ctx, "send the empty form", chromedp.Click(chromedp.ID("register-submit")), chromedp.WaitVisible(chromedp.CSS(".ferr")))
	focused := read(t, ctx, "the focused field", chromedp.Evaluate[string](`(function(){var b=document.activeElement&&document.activeElement.closest(".f.bad");var first=document.querySelector("form .f.bad");return b&&b===first?"first":(document.activeElement?document.activeElement.name||document.activeElement.tagName:"")})()`))
	if focused != "first" {
		t.Errorf("after the errors, the focus is on %q, not the first field in error", focused)
	}
}

// TestFormWithoutSessionGoesBackToItsPage: a form sent after the session
// ended leads to the login page, which says so, with the form's page (from
// the same-origin Referer) as where to come back; a foreign Referer is
// not followed.
func TestFormWithoutSessionGoesBackToItsPage(t *testing.T) {
	a := newPageApp(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range []struct{ referer, next string }{
		{a.Server.URL + "/petitions/new", "/petitions/new"},
		{"https://elsewhere.example/petitions/new", "/"},
		{"", "/"},
	} {
		req, _ := http.NewRequest("POST", a.Server.URL+"/petitions", strings.NewReader("summary=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tt.referer != "" {
			req.Header.Set("Referer", tt.referer)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := "/login?expired=1&next=" + url.QueryEscape(tt.next)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != want {
			t.Errorf("referer %q: %d to %q, want %q", tt.referer, resp.StatusCode, loc, want)
		}
	}
	resp, err := http.Get(a.Server.URL + "/login?expired=1&next=%2Fpetitions%2Fnew")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "登录已失效") || !strings.Contains(string(body), `value="/petitions/new"`) {
		t.Errorf("the login page after an ended session does not say so or lost next")
	}
}

// TestBrowserRegisterDraft fills the registration form, loses the session
// (its cookie is gone, as after a timeout) and posts: the login page
// comes, and after signing in the form is filled again with what was
// typed. A form that comes back with errors scrolls to the first of them.
func TestBrowserRegisterDraft(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	base := a.Server.URL
	before := countPetitions(t, a)
	do(t, ctx, "sign in and fill the form", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/petitions/new")}, append(caseLogin("a_staff"),
		chromedp.WaitVisible(chromedp.ID("register-form")),
		chromedp.SendKeys(chromedp.ID("summary"), "草稿：反映道路积水"),
		chromedp.SendKeys(chromedp.ID("petitioner-name"), "刘草稿"),
	)...)...)
	do(t, ctx, "the session ends; the post lands on the login page",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}),
		chromedp.Click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.ID("login-form")),
	)
	do(t, ctx, "sign in again", append(caseLogin("a_staff"), chromedp.WaitVisible(chromedp.ID("user-name")))...)
	do(t, ctx, "back to the form", chromedp.Navigate(base+"/petitions/new"), chromedp.WaitVisible(chromedp.ID("draft-restored")), screenshot("draft-restored"))
	if got := read(t, ctx, "summary", chromedp.Value(chromedp.ID("summary"))); got != "草稿：反映道路积水" {
		t.Errorf("summary after the new login %q", got)
	}
	if got := read(t, ctx, "name", chromedp.Value(chromedp.ID("petitioner-name"))); got != "刘草稿" {
		t.Errorf("petitioner after the new login %q", got)
	}
	if n := countPetitions(t, a); n != before {
		t.Errorf("%d petitions registered by the lost post", n-before)
	}
	// The form, incomplete, comes back with errors: the page is at the
	// first of them, its field focused.
	do(t, ctx, "post the incomplete form", chromedp.Click(chromedp.ID("register-submit")), chromedp.WaitVisible(chromedp.CSS(".f.bad")))
	at := read(t, ctx, "first error in view", chromedp.Evaluate[bool](`(() => {
		const b = document.querySelector(".f.bad").getBoundingClientRect();
		return b.top >= 0 && b.bottom <= window.innerHeight && document.querySelector(".f.bad").contains(document.activeElement);
	})()`))
	if !at {
		t.Error("the page is not at the first error")
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations: %v", lines)
	}
}

// TestBrowserUnitFilter types part of a unit's name into the filter
// before the 问题属地 picker: the picker keeps the matching units and
// chooses the first; the form posts the unit as the select does without
// script.
func TestBrowserUnitFilter(t *testing.T) {
	ctx, _ := newBrowser(t)
	a := newPageApp(t)
	for i := 0; i < 8; i++ {
		pageUnit(t, a.DB, &xinfang.Unit{Code: "V" + strconv.Itoa(i), Name: "东城镇" + strconv.Itoa(i+1) + "村", Kind: xinfang.UnitVillage, ParentID: a.Units["townA"].ID})
	}
	base := a.Server.URL
	do(t, ctx, "open the form", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/petitions/new")}, append(caseLogin("a_staff"),
		chromedp.WaitVisible(chromedp.ID("locality_id-filter")),
		chromedp.SendKeys(chromedp.ID("locality_id-filter"), "西城"),
	)...)...)
	if got := read(t, ctx, "chosen", chromedp.Value(chromedp.ID("locality_id"))); got != strconv.FormatInt(a.Units["townB"].ID, 10) {
		t.Errorf("typing 西城 chose %q, want 西城镇 (%d)", got, a.Units["townB"].ID)
	}
	if n := read(t, ctx, "visible", chromedp.Evaluate[int](`[...document.getElementById("locality_id").options].filter(o => !o.hidden && o.value).length`)); n != 1 {
		t.Errorf("%d units left for 西城, want 1", n)
	}
	read(t, ctx, "clear the filter", chromedp.Evaluate[string](`document.getElementById("locality_id-filter").value = ""`))
	do(t, ctx, "another name", chromedp.SendKeys(chromedp.ID("locality_id-filter"), "5村"))
	if got := read(t, ctx, "chosen", chromedp.Evaluate[string](`document.getElementById("locality_id").selectedOptions[0].textContent.trim()`)); got != "东城镇5村" {
		t.Errorf("typing 5村 chose %q", got)
	}
}
