package web_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"xinfang"
)

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
