package web_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"xinfang"
)

// exportEnv is a city with items registered in 甲镇 (visits and letters)
// and in 乙镇, and a 甲镇 handler and the auditor to read them.
type exportEnv struct {
	env     *apiEnv
	za      *apiClient // handler and registrar of 甲镇
	auditor *apiClient
	zbItems []string // numbers registered in 乙镇
}

func newExportEnv(t *testing.T) *exportEnv {
	t.Helper()
	env := newAPIEnv(t, "2026-03-02T09:00")
	e := &exportEnv{env: env,
		za:      env.user(t, "za_h", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler),
		auditor: env.user(t, "xc_audit", "XC", xinfang.RoleAuditor)}
	zb := env.user(t, "zb_h", "ZB", xinfang.RoleRegistrar, xinfang.RoleHandler)
	for i, at := range []string{"2026-03-01T08:00:00+08:00", "2026-03-01T09:00:00+08:00", "2026-02-27T10:00:00+08:00", "2026-02-20T11:00:00+08:00", "2026-03-02T08:30:00+08:00"} {
		channel := "visit"
		if i%2 == 1 {
			channel = "letter"
		}
		e.za.register(t, registration(at, env.Units["ZA"].ID, map[string]any{"channel": channel, "summary": "甲镇反映问题 " + at[:10]}))
		p := zb.register(t, registration(at, env.Units["ZB"].ID, map[string]any{"channel": channel}))
		e.zbItems = append(e.zbItems, p.Number)
	}
	return e
}

// openLedger opens an exported workbook: its rows, checked for the title,
// the filter line and the header.
func openLedger(t *testing.T, b []byte, filter string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open the export: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("信访台账")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 3 || rows[0][0] != "信访台账" || !strings.Contains(rows[1][0], filter) || !strings.Contains(rows[1][0], "脱敏") {
		t.Fatalf("title and filter line: %q", rows[:min(3, len(rows))])
	}
	want := []string{"序号", "编号", "收到时间", "信访形式", "信访人", "证件号码", "联系电话", "问题属地", "内容分类", "概况", "状态", "承办单位", "办理期限", "预警"}
	if !slices.Equal(rows[2], want) {
		t.Fatalf("header %q", rows[2])
	}
	return rows[3:]
}

// TestLedgerExport: the export of a filtered ledger holds the API's list
// for the same filter — the same items in the same order, ID numbers and
// phones masked as the list masks them — and nothing of another town; the
// page's link serves the same; each export is one audit entry with the
// query; a bad filter is refused naming its parameter, and recorded as
// nothing.
func TestLedgerExport(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	var list struct{ Items []petitionView }
	e.za.ok(t, http.StatusOK, "GET", "/api/v1/petitions?channel=visit&sort=received&limit=500", nil, &list)
	if len(list.Items) != 3 {
		t.Fatalf("the API lists %d visits of 甲镇, want 3", len(list.Items))
	}
	r := e.za.do(t, "GET", "/api/v1/petitions.xlsx?channel=visit&sort=received", nil)
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", r.Status, r.Header)
	}
	rows := openLedger(t, r.Body, "信访形式：来访")
	if len(rows) != len(list.Items) {
		t.Fatalf("export has %d rows, the list %d", len(rows), len(list.Items))
	}
	for i, p := range list.Items {
		row := rows[i]
		pt := p.Petitioner
		if row[1] != p.Number || row[4] != pt.Name || row[5] != pt.IDNumber || row[6] != pt.Phone || row[3] != "来访" || row[10] != p.State.Label() || row[9] != p.Summary {
			t.Errorf("row %d %q, list item %s %s %s %s", i, row, p.Number, pt.Name, pt.IDNumber, pt.Phone)
		}
		if !strings.Contains(row[5], "****") || !strings.Contains(row[6], "****") || strings.Contains(row[5], "19491231") {
			t.Errorf("row %d not masked: %q", i, row)
		}
	}
	// Everything, read by the page's link: 甲镇's five items, none of 乙镇.
	st, _, body := e.za.page(t, "GET", "/petitions/export.xlsx", nil)
	if st != http.StatusOK {
		t.Fatalf("page export: %d %s", st, body)
	}
	all := openLedger(t, []byte(body), "全部")
	if len(all) != 5 {
		t.Errorf("the whole ledger exports %d rows, want 5", len(all))
	}
	for _, row := range all {
		if slices.Contains(e.zbItems, row[1]) {
			t.Errorf("乙镇's %s exported to 甲镇", row[1])
		}
	}
	log := auditEntries(t, e.auditor, "kind=export")
	if len(log) != 2 || log[1].Route != "GET /api/v1/petitions.xlsx" || log[1].Object != "/api/v1/petitions.xlsx?channel=visit&sort=received" ||
		log[0].Route != "GET /petitions/export.xlsx" || log[0].Username != "za_h" {
		t.Errorf("audit %+v", log)
	}
	// A bad filter: 422 naming it, nothing recorded.
	wantError(t, e.za.do(t, "GET", "/api/v1/petitions.xlsx?warning=soon", nil), http.StatusUnprocessableEntity, "warning")
	wantError(t, e.za.do(t, "GET", "/api/v1/petitions.xlsx?from=2026-03-02&to=2026-03-01", nil), http.StatusUnprocessableEntity, "to")
	wantError(t, e.za.do(t, "GET", "/api/v1/petitions.xlsx?colour=red", nil), http.StatusUnprocessableEntity, "colour")
	if st, _, body := e.za.page(t, "GET", "/petitions/export.xlsx?sort=size", nil); st != http.StatusUnprocessableEntity || !strings.Contains(body, "sort") {
		t.Errorf("page export with a bad sort: %d", st)
	}
	if n := len(auditEntries(t, e.auditor, "kind=export")); n != 2 {
		t.Errorf("%d export entries after refusals, want 2", n)
	}
}

// TestLedgerPrint: the printed list holds the ledger's items for the
// filter, masked, with the filter described and a link back; it is an
// export in the audit log; a list longer than the limit is refused with a
// message pointing to the Excel export.
func TestLedgerPrint(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	var list struct{ Items []petitionView }
	e.za.ok(t, http.StatusOK, "GET", "/api/v1/petitions?channel=letter&limit=500", nil, &list)
	st, _, body := e.za.page(t, "GET", "/petitions/print?channel=letter", nil)
	if st != http.StatusOK {
		t.Fatalf("print: %d %s", st, body)
	}
	if !strings.Contains(body, "信访形式：来信") || !strings.Contains(body, "@page") && !strings.Contains(body, "ledger_print") {
		t.Errorf("print page without its filter line or style")
	}
	last := -1
	for _, p := range list.Items {
		i := strings.Index(body, p.Number)
		if i < 0 || i < last {
			t.Errorf("%s missing or out of order in the printed list", p.Number)
		}
		last = i
		if !strings.Contains(body, p.Petitioner.IDNumber) || strings.Contains(body, "11010519491231002X") {
			t.Errorf("ID number of %s not shown masked", p.Number)
		}
	}
	for _, n := range e.zbItems {
		if strings.Contains(body, n) {
			t.Errorf("乙镇's %s printed for 甲镇", n)
		}
	}
	if log := auditEntries(t, e.auditor, "kind=export"); len(log) != 1 || log[0].Route != "GET /petitions/print" || log[0].Object != "/petitions/print?channel=letter" {
		t.Errorf("audit %+v", log)
	}
	e.env.Web.PrintMax = 4
	st, _, body = e.za.page(t, "GET", "/petitions/print", nil)
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "超过 4 件") || !strings.Contains(body, "导出 Excel") {
		t.Errorf("print of 5 items with a limit of 4: %d", st)
	}
	if st, _, _ := e.za.page(t, "GET", "/petitions/print?state=lost", nil); st != http.StatusUnprocessableEntity {
		t.Errorf("print with a bad state: %d", st)
	}
	if n := len(auditEntries(t, e.auditor, "kind=export")); n != 1 {
		t.Errorf("%d export entries after refusals, want 1", n)
	}
	// The ledger page links both with its filters.
	_, _, ledger := e.za.page(t, "GET", "/petitions?channel=letter&page=1", nil)
	if !strings.Contains(ledger, `href="/petitions/export.xlsx?channel=letter"`) || !strings.Contains(ledger, `href="/petitions/print?channel=letter"`) {
		t.Errorf("ledger links: export or print missing with the filter")
	}
}
