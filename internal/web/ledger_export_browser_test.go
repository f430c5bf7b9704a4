package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"xinfang"
)

// TestBrowserLedgerExport drives the ledger in headless Chromium: town A's
// handler filters the ledger by 信访形式 = 来信, and the page's 导出 Excel
// link, fetched as the browser would download it, is a workbook whose
// rows are the items the page lists, in the page's order, masked, and
// none of town B's; the 打印列表 link opens the same list for print.
func TestBrowserLedgerExport(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	register := func(user, channel, summary string, n int) *xinfang.Petition {
		u := a.Users[user]
		p := &xinfang.Petition{
			Channel: xinfang.Channel(channel), ReceivedAt: pageNow.Add(-time.Duration(n+1) * time.Hour), Summary: summary, Content: summary + "，请求处理。",
			Category: "0501", Purpose: "claim", LocalityID: u.UnitID,
			Petitioner: &xinfang.Petitioner{Name: "王" + summary[:3], IDType: "id_card", IDNumber: validIDNumber("11010519800101" + string(rune('0'+n)) + "23"), Phone: "13800138000"},
		}
		if err := a.DB.Petitions.RegisterPetition(xinfang.NewContextWithUser(context.Background(), u), p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for i, ch := range []string{"letter", "visit", "letter", "letter", "visit"} {
		register("a_staff", ch, "甲镇事项"+string(rune('A'+i)), i)
	}
	other := register("b_staff", "letter", "乙镇事项", 7)
	base := a.Server.URL

	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/petitions")}, caseLogin("a_staff")...)
	steps = append(steps,
		chromedp.WaitVisible(chromedp.ID("ledger-filter")),
		chromedp.SetValue(chromedp.CSS(`#ledger-filter select[name="channel"]`), "letter"),
		chromedp.Click(chromedp.ID("ledger-search")),
		chromedp.WaitVisible(chromedp.CSS(`#ledger-export[href*="channel=letter"]`)),
		screenshot("ledger-export-01-filtered"),
	)
	do(t, ctx, "filter the ledger by 来信", steps...)
	listed := read(t, ctx, "the page's numbers", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".grid-table td.num a")].map(a => a.textContent.trim())`))
	if len(listed) != 3 {
		t.Fatalf("the filtered ledger lists %v, want town A's 3 letters", listed)
	}
	href := read(t, ctx, "export link", chromedp.AttributeValue(chromedp.ID("ledger-export"), "href"))
	if !href.Exists || !strings.HasPrefix(href.Value, "/petitions/export.xlsx?") {
		t.Fatalf("export link %+v", href)
	}
	// The download, as the link gives it: status, disposition and bytes.
	got := read(t, ctx, "download", chromedp.Evaluate[string](`fetch(document.getElementById("ledger-export").href).then(async r => {
		const u = new Uint8Array(await r.arrayBuffer());
		let s = "";
		for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
		return r.status + " " + r.headers.get("content-disposition").split(";")[0] + " " + btoa(s);
	})`, chromedp.EvalAwaitPromise))
	parts := strings.SplitN(got, " ", 3)
	if len(parts) != 3 || parts[0] != "200" || parts[1] != "attachment" {
		t.Fatalf("download: %.80q", got)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("open the download: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("信访台账")
	if err != nil || len(rows) < 3 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	if !strings.Contains(rows[1][0], "信访形式：来信") {
		t.Errorf("filter line %q", rows[1][0])
	}
	var exported []string
	for _, row := range rows[3:] {
		exported = append(exported, row[1])
		if row[1] == other.Number {
			t.Errorf("town B's %s exported", other.Number)
		}
		if row[3] != "来信" || !strings.Contains(row[5], "********") || !strings.Contains(row[6], "****") {
			t.Errorf("row %q: not a letter or not masked", row)
		}
	}
	if strings.Join(exported, ",") != strings.Join(listed, ",") {
		t.Errorf("export %v, page %v", exported, listed)
	}

	do(t, ctx, "open the printed list",
		chromedp.Navigate(base+read(t, ctx, "print link", chromedp.AttributeValue(chromedp.ID("ledger-print"), "href")).Value),
		chromedp.WaitVisible(chromedp.ID("print-list")),
		screenshot("ledger-export-02-print"),
	)
	printed := read(t, ctx, "the printed numbers", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#print-list tbody tr")].map(r => r.cells[1].textContent.trim())`))
	if strings.Join(printed, ",") != strings.Join(listed, ",") {
		t.Errorf("printed %v, page %v", printed, listed)
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations:\n%s", strings.Join(lines, "\n"))
	}
}
