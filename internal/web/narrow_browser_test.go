package web_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserNarrowScreen opens the pages at a phone's width (390 px): no
// page scrolls sideways — the ledger's table scrolls inside its own box,
// its 状态 and 期限 columns reachable there — and the menu folds behind
// 菜单, which opens it without script.
func TestBrowserNarrowScreen(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	for i := 0; i < 3; i++ {
		a.seedPetition(t, "a_staff", "张建国", validIDNumber("1101051980010112"+strconv.Itoa(i)), "反映拖欠工资问题，涉及多名务工人员，金额较大")
	}
	base := a.Server.URL
	do(t, ctx, "sign in at 390 px", append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(390, 844), chromedp.Navigate(base + "/")}, append(caseLogin("a_staff"), chromedp.WaitVisible(chromedp.ID("menu-button")))...)...)
	for _, path := range []string{"/", "/petitions", "/petitions/1", "/petitions/new"} {
		do(t, ctx, "open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("menu-button")), screenshot("narrow"+strconv.Itoa(len(path))))
		wide := read(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		if wide > 0 {
			t.Errorf("%s scrolls sideways by %d px at 390 px", path, wide)
		}
		if shown := read(t, ctx, "menu", chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("nav.nav")).display !== "none"`)); shown {
			t.Errorf("%s: the menu is open before 菜单 is pressed", path)
		}
	}
	do(t, ctx, "the ledger", chromedp.Navigate(base+"/petitions"), chromedp.WaitVisible(chromedp.CSS(".grid-table")))
	if scrolls := read(t, ctx, "table box", chromedp.Evaluate[bool](`(() => { const t = document.querySelector(".grid-table"); return t.scrollWidth > t.clientWidth && getComputedStyle(t).overflowX === "auto"; })()`)); !scrolls {
		t.Error("the ledger's table does not scroll inside its box")
	}
	do(t, ctx, "open the menu", chromedp.Click(chromedp.ID("menu-button")), chromedp.WaitVisible(chromedp.CSS(`nav.nav a[href="/petitions"]`)), screenshot("narrow-menu"))
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations: %v", lines)
	}
}
