package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"xinfang"
)

var docLine = regexp.MustCompile(`<div class="(?:ln [a-z]+|cl)">([^<]*)</div>`)

// docText is a document page's text: its lines joined, so that a sentence
// broken over lines reads whole.
func docText(body string) string {
	var b strings.Builder
	for _, m := range docLine.FindAllStringSubmatch(body, -1) {
		b.WriteString(html.UnescapeString(m[1]))
	}
	return b.String()
}

func wantDocText(t testing.TB, p pageResp, what string, subs ...string) {
	t.Helper()
	text := docText(p.Body)
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s: document lacks %q; text:\n%s", what, s, text)
		}
	}
}

// pdfPages counts the pages of a PDF the documents package wrote.
func pdfPages(b string) int { return strings.Count(b, "/Type /Page ") }

func TestDocumentsOfAPetition(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar)
	other := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	sup := env.user(t, "xfj_sup", "XFJ", xinfang.RoleSupervisor)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
	id := strconv.FormatInt(p.ID, 10)

	// The petition page: its own actions in one row, the documents alone
	// after 打印：.
	_, _, page := reg.page(t, "GET", "/petitions/"+id, nil)
	supMust(t, page, `id="item-actions"`)
	i := strings.Index(page, `id="print-docs"`)
	if i < 0 {
		t.Fatal("no 打印 row")
	}
	row := page[i : i+strings.Index(page[i:], "</span>")]
	if n, docs := strings.Count(row, "<a "), strings.Count(row, `href="/petitions/`+id+`/print/`); n != 1 || docs != 1 {
		t.Errorf("打印 row holds %d links, %d of them documents:\n%s", n, docs, row)
	}

	status, _, page := reg.page(t, "GET", "/petitions/"+id+"/print/register", nil)
	if status != http.StatusOK {
		t.Fatalf("登记表: %d", status)
	}
	text := docText(page)
	for _, want := range []string{"信访事项登记表", "编号：" + p.Number, "制表日期：2026年3月2日"} {
		if !strings.Contains(text, want) {
			t.Errorf("登记表 lacks %q:\n%s", want, text)
		}
	}
	supMust(t, page, `id="doc-pages">共 1 页`)
	supMust(t, page, `href="/api/v1/petitions/`+id+`/documents/register.pdf"`)
	if strings.Contains(page, "11010519491231002X") || strings.Contains(page, "13812345678") || !strings.Contains(text, "张三") {
		t.Error("the 登记表 shows the full ID number without 显示完整信息")
	}
	if status, _, _ := reg.page(t, "GET", "/petitions/"+id+"/print/accept", nil); status != http.StatusNotFound {
		t.Errorf("受理告知书 before acceptance: %d", status)
	}

	var list struct {
		Documents []struct{ Kind, Title, PDF string }
	}
	status, _, body := reg.page(t, "GET", "/api/v1/petitions/"+id+"/documents", nil)
	if err := json.Unmarshal([]byte(body), &list); status != http.StatusOK || err != nil || len(list.Documents) != 1 || list.Documents[0].Kind != "register" {
		t.Errorf("documents: %d %v %s", status, err, body)
	}
	status, _, body = reg.page(t, "GET", "/api/v1/petitions/"+id+"/documents/register.pdf", nil)
	if status != http.StatusOK || !strings.HasPrefix(body, "%PDF-") || pdfPages(body) != 1 {
		t.Errorf("登记表 PDF: %d, %d pages, starts %q", status, pdfPages(body), body[:min(len(body), 8)])
	}
	for _, path := range []string{"/api/v1/petitions/" + id + "/documents/nothing.pdf", "/api/v1/petitions/" + id + "/documents/register.txt", "/api/v1/petitions/" + id + "/documents/accept.pdf"} {
		if status, _, _ := reg.page(t, "GET", path, nil); status != http.StatusNotFound {
			t.Errorf("%s: %d", path, status)
		}
	}
	// Another town reaches neither the preview nor the PDF.
	for _, path := range []string{"/petitions/" + id + "/print/register", "/api/v1/petitions/" + id + "/documents/register.pdf"} {
		if status, _, _ := other.page(t, "GET", path, nil); status != http.StatusNotFound {
			t.Errorf("town B on %s: %d", path, status)
		}
	}

	// A 督办单 has its 督办通知书, and a 催办函 once pressed.
	status, loc, _ := sup.page(t, "POST", "/supervisions", url.Values{"target_unit_id": {strconv.FormatInt(env.Units["ZA"].ID, 10)}, "petition": {p.Number},
		"requirements": {"查清事实，书面反馈"}, "deadline": {"2026-03-04"}, "listed": {"1"}})
	if status != http.StatusSeeOther {
		t.Fatalf("issue: %d", status)
	}
	detail := strings.SplitN(loc, "?", 2)[0]
	_, _, page = sup.page(t, "GET", detail, nil)
	supMust(t, page, `href="`+detail+`/print/supervise" id="print-supervise"`)
	if strings.Contains(page, `id="print-urge"`) {
		t.Error("a 催办函 before any 催办")
	}
	_, _, page = sup.page(t, "GET", detail+"/print/supervise", nil)
	text = docText(page)
	for _, want := range []string{"挂牌督办通知书", "编号：DB-2026-0001", "第三十九条", "查清事实，书面反馈。", "请于2026年3月4日前将办理情况书面反馈"} {
		if !strings.Contains(text, want) {
			t.Errorf("督办通知书 lacks %q:\n%s", want, text)
		}
	}
	if status, _, _ := sup.page(t, "GET", detail+"/print/urge", nil); status != http.StatusNotFound {
		t.Errorf("催办函 before a reminder: %d", status)
	}
	if status, _, _ := sup.page(t, "POST", detail+"/reminders", url.Values{"text": {"请尽快反馈"}}); status != http.StatusSeeOther {
		t.Fatalf("remind: %d", status)
	}
	_, _, page = sup.page(t, "GET", detail+"/print/urge", nil)
	if text := docText(page); !strings.Contains(text, "催办函") || !strings.Contains(text, "尚未收到你单位的反馈") || strings.Contains(text, "请尽快反馈") {
		t.Errorf("催办函:\n%s", text)
	}
	sid := strings.TrimPrefix(detail, "/supervisions/")
	status, _, body = sup.page(t, "GET", "/api/v1/supervisions/"+sid+"/documents/urge.pdf", nil)
	if status != http.StatusOK || !strings.HasPrefix(body, "%PDF-") || pdfPages(body) != 1 {
		t.Errorf("催办函 PDF: %d, %d pages", status, pdfPages(body))
	}
	if status, _, _ := other.page(t, "GET", "/api/v1/supervisions/"+sid+"/documents/supervise.pdf", nil); status != http.StatusNotFound {
		t.Errorf("town B on the 督办通知书: %d", status)
	}
}

// The 答复 form, whose text becomes the 信访处理意见书, spans the main
// column; the side column keeps the other steps.
func TestReplyFormInMainColumn(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
	handler.act(t, p, xinfang.ActAccept, nil)
	_, _, page := handler.page(t, "GET", "/petitions/"+strconv.FormatInt(p.ID, 10), nil)
	main, side := strings.Index(page, `class="col-main"`), strings.Index(page, `class="col-side"`)
	wide := strings.Index(page, `id="wide-reply"`)
	if main < 0 || side < 0 || wide < main || wide > side {
		t.Fatalf("the 答复 form is not in the main column (main %d, form %d, side %d)", main, wide, side)
	}
	if strings.Count(page, `id="act-reply"`) != 1 || !strings.Contains(section(page, "wide-reply"), `rows="6"`) {
		t.Errorf("the 答复 form is not one wide form")
	}
	if !strings.Contains(page[side:], `id="act-extend"`) && !strings.Contains(page[side:], `id="act-withdraw"`) {
		t.Errorf("the side column lost the other steps")
	}
}
