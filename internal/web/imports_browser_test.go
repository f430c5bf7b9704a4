package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"xinfang"
)

// importCSV is a file of the petitions' template with the given rows.
func importCSV(rows ...[]string) string {
	var b strings.Builder
	b.WriteString("原编号*,收到日期*,信访形式*,信访人*,身份证号,联系电话,通讯地址,信访人数,概况*,投诉内容*,诉求,内容分类*,信访目的*,问题属地*,登记单位,状态*,承办单位,状态日期,处理结果,涉法涉诉\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

func importRow(number, id, state, unit string) []string {
	return []string{number, "2025-11-03", "来信", "刘导入", id, "13900139000", "东城镇一号", "1", "反映征地补偿问题", "征地补偿款未足额发放。",
		"足额发放", "0501", "申诉求决", "东城镇", "", state, unit, "2025-11-10", "", "否"}
}

// TestBrowserImport drives the import in headless Chromium as the
// bureau's registrar: the template downloads and holds the columns; a
// file with a bad ID number is checked and its error shown by row and
// column, with nothing imported; the corrected file is checked, then
// committed, and its items are in the ledger under their own numbers.
func TestBrowserImport(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	base := a.Server.URL
	dir := t.TempDir()
	good1 := validIDNumber("11010519800101123")
	good2 := validIDNumber("11010519800101456")
	bad2 := good2[:17] + map[bool]string{true: "1", false: "2"}[good2[17] != '1']
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badFile := write("旧台账-有误.csv", importCSV(importRow("DC-2025-0101", good1, "登记", ""), importRow("DC-2025-0102", bad2, "办理中", "东城镇")))
	goodFile := write("旧台账.csv", importCSV(importRow("DC-2025-0101", good1, "登记", ""), importRow("DC-2025-0102", good2, "办理中", "东城镇")))
	before := bureauPetitions(t, a)

	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/imports")}, caseLogin("bureau_reg")...)
	steps = append(steps,
		chromedp.WaitVisible(chromedp.ID("import-form")),
		screenshot("import-01-page"),
	)
	do(t, ctx, "open the import page", steps...)

	// The template, as the link downloads it.
	href := read(t, ctx, "template link", chromedp.AttributeValue(chromedp.ID("template-petitions"), "href"))
	got := read(t, ctx, "template", chromedp.Evaluate[string](`fetch("`+href.Value+`").then(async r => { const b = new Uint8Array(await r.arrayBuffer()); let s = ""; for (const x of b) s += String.fromCharCode(x); return btoa(s) })`, chromedp.EvalAwaitPromise))
	wb := decodeWorkbook(t, got)
	head, err := wb.GetRows("导入数据")
	if err != nil || len(head) < 2 || head[0][0] != "原编号*" || len(head[0]) != 20 {
		t.Fatalf("template's data sheet: %v, %v", head, err)
	}
	if units, _ := wb.GetRows("字典"); !strings.Contains(strings.Join(flatten(units), " "), "东城镇") {
		t.Errorf("template's dictionaries lack the units: %v", units)
	}

	do(t, ctx, "upload the file with an error",
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{badFile}),
		chromedp.Click(chromedp.ID("import-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#import-status[data-state="invalid"]`)),
		screenshot("import-02-errors"),
	)
	cells := read(t, ctx, "problems", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#import-problems tbody td")].map(td => td.textContent.trim())`))
	if len(cells) != 3 || cells[0] != "3" || cells[1] != "身份证号" {
		t.Fatalf("problems shown %v; want row 3, 身份证号", cells)
	}
	if n := read(t, ctx, "commit button", chromedp.Evaluate[int](`document.querySelectorAll("#import-commit").length`)); n != 0 {
		t.Errorf("a file with errors offers the commit")
	}
	if bureauPetitions(t, a) != before {
		t.Fatalf("a file with errors imported items")
	}

	t.Cleanup(func() {
		if t.Failed() {
			list, _ := a.DB.Imports.FindImports(xinfang.NewContextWithUser(context.Background(), a.Users["bureau_reg"]), 10)
			for _, im := range list {
				t.Logf("import %+v", im)
			}
		}
	})
	do(t, ctx, "upload the corrected file and commit it",
		chromedp.Navigate(base+"/imports"),
		chromedp.WaitVisible(chromedp.ID("import-form")),
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{goodFile}),
		chromedp.Click(chromedp.ID("import-submit")),
		chromedp.WaitVisible(chromedp.ID("import-commit")),
		screenshot("import-03-ready"),
		chromedp.Click(chromedp.ID("import-commit")),
		chromedp.WaitVisible(chromedp.CSS(`#import-status[data-state="done"]`)),
		screenshot("import-04-done"),
	)
	if n := read(t, ctx, "imported", chromedp.Text(chromedp.ID("import-new"))); n != "2" {
		t.Errorf("the page says %s imported, want 2", n)
	}
	if bureauPetitions(t, a) != before+2 {
		t.Fatalf("%d petitions after the import, want %d", bureauPetitions(t, a), before+2)
	}
	do(t, ctx, "find an imported item in the ledger",
		chromedp.Navigate(base+"/petitions?q=&sort=number"),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/petitions/"]`)),
	)
	numbers := read(t, ctx, "ledger numbers", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".grid-table td.num a")].map(a => a.textContent.trim())`))
	if !strings.Contains(strings.Join(numbers, " "), "DC-2025-0102") {
		t.Errorf("the ledger lists %v, want the imported DC-2025-0102", numbers)
	}
	// The commit is in the audit log under its route.
	auditor := xinfang.NewContextWithUser(context.Background(), &xinfang.User{ID: -1, Roles: []xinfang.Role{xinfang.RoleAuditor}})
	entries, _, err := a.DB.Audit.FindAudit(auditor, xinfang.AuditFilter{Username: "bureau_reg", Limit: 100})
	audited := 0
	for _, e := range entries {
		if e.Route == "POST /imports/{id}/commit" && strings.Contains(e.Detail, "import 2") {
			audited++
		}
	}
	if err != nil || audited != 1 {
		t.Errorf("the commit of import 2 audited %d times (%v), want once", audited, err)
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations:\n%s", strings.Join(lines, "\n"))
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func decodeWorkbook(t *testing.T, b64 string) *excelize.File {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("template is no workbook: %v", err)
	}
	return f
}

// bureauPetitions counts the petitions the bureau's registrar sees: all.
func bureauPetitions(t *testing.T, a *pageApp) int {
	t.Helper()
	_, total, err := a.DB.Petitions.FindPetitions(xinfang.NewContextWithUser(context.Background(), a.Users["bureau_reg"]), xinfang.PetitionFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return total
}
