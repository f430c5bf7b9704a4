package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"xinfang"
)

// repeatsIDNumber returns a valid ID number distinct for n.
func repeatsIDNumber(n int) string {
	first := fmt.Sprintf("11010519800101%03d", n)
	return first + string(xinfang.IDNumberCheckChar(first))
}

// repeatsEnv has a registrar and a handler in town ZA, a handler in town
// ZB, and four petitions: two of one matter in ZA, one other in ZA, one
// wage claim in ZB.
type repeatsEnv struct {
	*apiEnv
	regA, handA, handB *apiClient
	land1, land2, road *petitionView
	wageB              *petitionView
}

func newRepeatsEnv(t *testing.T) *repeatsEnv {
	t.Helper()
	e := &repeatsEnv{apiEnv: newAPIEnv(t, "2026-03-02T09:00")}
	e.regA = e.user(t, "za.reg", "ZA", xinfang.RoleRegistrar)
	e.handA = e.user(t, "za.hand", "ZA", xinfang.RoleHandler)
	e.handB = e.user(t, "zb.hand", "ZB", xinfang.RoleHandler)
	za, zb := e.Units["ZA"].ID, e.Units["ZB"].ID
	person := func(n int, name string) map[string]any {
		return map[string]any{"name": name, "id_number": repeatsIDNumber(n), "phone": fmt.Sprintf("1390000%04d", n)}
	}
	reg := func(c *apiClient, received string, locality int64, change map[string]any) *petitionView {
		p := c.register(t, registration(received, locality, change))
		return &p
	}
	e.land1 = reg(e.regA, "2026-01-10T09:00:00+08:00", za, map[string]any{"petitioner": person(1, "刘建华"), "category": "1401",
		"summary": "反映甲镇三组征地补偿款未足额发放问题",
		"content": "县道拓宽工程征收我们三组耕地12亩，公示补偿标准每亩4.2万元，实际只发了每亩3.5万元，桃树补偿也没有兑现。"})
	e.land2 = reg(e.regA, "2026-02-20T09:00:00+08:00", za, map[string]any{"petitioner": person(2, "王秀英"), "category": "1401",
		"summary": "三组村民要求补足县道拓宽征地款差额",
		"content": "县道拓宽征了我家两亩地，公告每亩四万二，到手三万五，桃树补偿一分没见着。"})
	e.road = reg(e.regA, "2026-02-25T09:00:00+08:00", za, map[string]any{"petitioner": person(1, "刘建华"), "category": "1001",
		"summary": "建议修缮通村公路", "content": "通村公路路面坑洼，雨天泥泞，学生上学不安全。"})
	e.wageB = reg(e.handB, "2026-02-26T09:00:00+08:00", zb, map[string]any{"petitioner": person(4, "冯丽娟"), "category": "0501",
		"summary": "反映锦绣服装厂拖欠工资问题", "content": "锦绣服装厂拖欠三十多名女工工资二十多万元。"})
	// Until RegisterPetition indexes by itself; harmless afterwards.
	if err := e.DB.Reindex(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

type repeatsReply struct {
	Items []struct {
		Petition xinfang.Petition `json:"petition"`
		Score    float64          `json:"score"`
		Repeat   bool             `json:"repeat"`
		Reasons  []string         `json:"reasons"`
		Linked   bool             `json:"linked"`
	} `json:"items"`
	Counts    xinfang.RepeatCounts     `json:"counts"`
	Decisions []xinfang.RepeatDecision `json:"decisions"`
}

func (r *repeatsReply) has(id int64) bool {
	for _, c := range r.Items {
		if c.Petition.ID == id {
			return true
		}
	}
	return false
}

func TestRepeatsAPI(t *testing.T) {
	e := newRepeatsEnv(t)

	// Candidates of an existing petition: the other telling of the matter
	// first, with its reasons; personal data masked.
	var rep repeatsReply
	e.regA.ok(t, http.StatusOK, "GET", e.land2.path()+"/repeats", nil, &rep)
	if len(rep.Items) == 0 || rep.Items[0].Petition.ID != e.land1.ID || !rep.Items[0].Repeat || rep.Items[0].Reasons[0] != "疑似同一事项" {
		t.Fatalf("candidates of land2: %+v", rep.Items)
	}
	if pt := rep.Items[0].Petition.Petitioner; pt == nil || !strings.Contains(pt.IDNumber, "*") || !strings.Contains(pt.Phone, "*") {
		t.Errorf("identity not masked: %+v", pt)
	}
	if rep.has(e.land2.ID) || rep.has(e.wageB.ID) {
		t.Errorf("itself or another town's item among candidates")
	}
	if rep.Counts.Matter != 1 || rep.Counts.Petitioner != 1 || rep.Counts.RootID != e.land2.ID {
		t.Errorf("counts before linking: %+v", rep.Counts)
	}

	// The draft check, as the registration form calls it.
	draft := map[string]any{
		"petitioner":  map[string]any{"name": "刘建华", "id_number": repeatsIDNumber(1)},
		"locality_id": e.Units["ZA"].ID, "category": "1401",
		"summary": "再次反映三组征地补偿款差额", "content": "县道拓宽征地每亩少发七千元，桃树补偿没有兑现。",
	}
	var check repeatsReply
	e.regA.ok(t, http.StatusOK, "POST", "/api/v1/repeats/check", draft, &check)
	if len(check.Items) < 2 || !check.has(e.land1.ID) || !check.has(e.land2.ID) {
		t.Fatalf("check: %+v", check.Items)
	}
	for _, c := range check.Items {
		if c.Petition.ID == e.land1.ID && !strings.Contains(strings.Join(c.Reasons, ","), "同一信访人(身份证号)") {
			t.Errorf("land1 reasons %v", c.Reasons)
		}
	}
	// Town B's handler sees none of town A's items.
	e.handB.ok(t, http.StatusOK, "POST", "/api/v1/repeats/check", draft, &check)
	if check.has(e.land1.ID) || check.has(e.land2.ID) || check.has(e.road.ID) {
		t.Errorf("town B sees town A candidates: %+v", check.Items)
	}
	wantError(t, e.handB.do(t, "GET", e.land2.path()+"/repeats", nil), http.StatusNotFound, "")
	wantError(t, e.regA.do(t, "POST", "/api/v1/repeats/check", map[string]any{}), http.StatusUnprocessableEntity, "body")
	wantError(t, e.regA.do(t, "POST", "/api/v1/repeats/check", map[string]any{"petitioner": map[string]any{"id_number": "110105198001010010"}}), http.StatusUnprocessableEntity, "petitioner.id_number")
	wantError(t, e.regA.do(t, "POST", "/api/v1/repeats/check", map[string]any{"summary": "x", "state": "registered"}), http.StatusUnprocessableEntity, "state")
	wantError(t, e.regA.do(t, "GET", e.land2.path()+"/repeats?limit=0", nil), http.StatusUnprocessableEntity, "limit")

	// Link land2 to land1: the petition says so and its version moves on.
	decide := func(c *apiClient, p *petitionView, body map[string]any) *apiResp {
		return c.do(t, "POST", p.path()+"/repeat-decisions", body)
	}
	wantError(t, decide(e.regA, e.land2, map[string]any{"candidate_id": e.land1.ID, "decision": "link", "version": e.land2.Version + 5}), http.StatusConflict, "version")
	wantError(t, decide(e.regA, e.land2, map[string]any{"candidate_id": e.land1.ID, "decision": "merge"}), http.StatusUnprocessableEntity, "decision")
	wantError(t, decide(e.regA, e.land1, map[string]any{"candidate_id": e.land2.ID, "decision": "link"}), http.StatusUnprocessableEntity, "candidate_id")
	wantError(t, decide(e.handB, e.land2, map[string]any{"candidate_id": e.land1.ID, "decision": "link"}), http.StatusNotFound, "")
	r := decide(e.regA, e.land2, map[string]any{"candidate_id": e.land1.ID, "decision": "link", "version": e.land2.Version})
	if r.Status != http.StatusCreated {
		t.Fatalf("link: %s", r)
	}
	var d xinfang.RepeatDecision
	r.decode(t, &d)
	after := e.regA.get(t, *e.land2)
	if !after.Repeat || after.RepeatOfID != e.land1.ID || after.Version != e.land2.Version+1 || d.Version != after.Version || d.Score < 0.23 {
		t.Errorf("after link: %+v, decision %+v", after.Petition, d)
	}
	e.regA.ok(t, http.StatusOK, "GET", e.land2.path()+"/repeats", nil, &rep)
	if rep.Counts.Matter != 2 || rep.Counts.RootID != e.land1.ID || len(rep.Decisions) != 1 || !rep.Items[0].Linked {
		t.Errorf("after link: counts %+v, decisions %d, first %+v", rep.Counts, len(rep.Decisions), rep.Items[0])
	}

	// The road item comes from land1's petitioner: dismissed, land1 is
	// not offered for it again.
	e.regA.ok(t, http.StatusOK, "GET", e.road.path()+"/repeats", nil, &rep)
	if !rep.has(e.land1.ID) || rep.Items[0].Repeat || rep.Counts.Petitioner != 2 {
		t.Fatalf("road item: %+v, counts %+v", rep.Items, rep.Counts)
	}
	if r := decide(e.handA, e.road, map[string]any{"candidate_id": e.land1.ID, "decision": "dismiss"}); r.Status != http.StatusCreated {
		t.Fatalf("dismiss: %s", r)
	}
	e.regA.ok(t, http.StatusOK, "GET", e.road.path()+"/repeats", nil, &rep)
	if rep.has(e.land1.ID) {
		t.Errorf("dismissed candidate shown again")
	}
}

func TestSearchAPI(t *testing.T) {
	e := newRepeatsEnv(t)
	var page struct {
		Items []xinfang.SearchHit
		Total int
	}
	e.regA.ok(t, http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape("桃树"), nil, &page)
	if page.Total != 2 || len(page.Items) != 2 || page.Items[0].ID != e.land2.ID || page.Items[0].Kind != "petition" || !strings.Contains(page.Items[0].Snippet, "桃树") {
		t.Errorf("桃树: %+v", page)
	}
	// Two characters, and the number in lower case.
	e.regA.ok(t, http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape("征地")+"&kind=petition&limit=1", nil, &page)
	if page.Total != 2 || len(page.Items) != 1 {
		t.Errorf("征地: %+v", page)
	}
	e.regA.ok(t, http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape(strings.ToLower(e.road.Number)), nil, &page)
	if page.Total != 1 || page.Items[0].ID != e.road.ID {
		t.Errorf("number: %+v", page)
	}
	// Scope: the wage claim of town B is not found from town A.
	e.regA.ok(t, http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape("服装厂"), nil, &page)
	if page.Total != 0 {
		t.Errorf("town A finds town B's item: %+v", page)
	}
	e.handB.ok(t, http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape("服装厂"), nil, &page)
	if page.Total != 1 {
		t.Errorf("town B: %+v", page)
	}
	wantError(t, e.regA.do(t, "GET", "/api/v1/search", nil), http.StatusUnprocessableEntity, "q")
	wantError(t, e.regA.do(t, "GET", "/api/v1/search?q=a&kind=letters", nil), http.StatusUnprocessableEntity, "kind")
	wantError(t, e.regA.do(t, "GET", "/api/v1/search?q=a&sort=x", nil), http.StatusUnprocessableEntity, "sort")
	r := (&apiClient{env: e.apiEnv, epoch: -1}).send(t, "GET", "/api/v1/search?q=a", nil, false)
	wantError(t, r, http.StatusUnauthorized, "")
}

func TestRepeatsPages(t *testing.T) {
	e := newRepeatsEnv(t)
	panel := "/petitions/" + strconv.FormatInt(e.land2.ID, 10) + "/repeats"
	status, _, html := e.regA.page(t, "GET", panel, nil)
	if status != http.StatusOK || !strings.Contains(html, e.land1.Number) || !strings.Contains(html, "疑似同一事项") ||
		!strings.Contains(html, `id="link-`+strconv.FormatInt(e.land1.ID, 10)+`"`) {
		t.Fatalf("panel: %d\n%s", status, html)
	}
	// A stale form is refused with the panel shown again.
	status, _, html = e.regA.page(t, "POST", panel, url.Values{"candidate_id": {strconv.FormatInt(e.land1.ID, 10)}, "decision": {"link"}, "version": {"9"}})
	if status != http.StatusConflict || !strings.Contains(html, "已被他人修改") {
		t.Errorf("stale form: %d", status)
	}
	status, loc, _ := e.regA.page(t, "POST", panel, url.Values{"candidate_id": {strconv.FormatInt(e.land1.ID, 10)}, "decision": {"link"}, "version": {strconv.Itoa(e.land2.Version)}})
	if status != http.StatusSeeOther || loc != panel+"?done=link" {
		t.Fatalf("link form: %d %s", status, loc)
	}
	status, _, html = e.regA.page(t, "GET", loc, nil)
	if status != http.StatusOK || !strings.Contains(html, "已关联为重复件") || !strings.Contains(html, `id="matter-count">2 件`) {
		t.Errorf("after link: %d\n%s", status, html)
	}
	// A form without the CSRF token is refused.
	req, _ := http.NewRequest("POST", e.URL+panel, strings.NewReader("decision=dismiss"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "xf_session", Value: e.regA.token})
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF: %v %v", res.StatusCode, err)
	}
	// Another town: not found.
	if status, _, _ := e.handB.page(t, "GET", panel, nil); status != http.StatusNotFound {
		t.Errorf("town B on the panel: %d", status)
	}

	status, _, html = e.regA.page(t, "GET", "/search?q="+url.QueryEscape("桃树"), nil)
	if status != http.StatusOK || !strings.Contains(html, e.land1.Number) || !strings.Contains(html, e.land2.Number) || strings.Contains(html, e.road.Number) {
		t.Errorf("search page: %d", status)
	}
	status, _, html = e.regA.page(t, "GET", "/search?q="+url.QueryEscape("没有这回事"), nil)
	if status != http.StatusOK || !strings.Contains(html, `id="search-empty"`) {
		t.Errorf("search page without hits: %d", status)
	}
	if status, _, html = e.regA.page(t, "GET", "/search", nil); status != http.StatusOK || !strings.Contains(html, `href="/search"`) {
		t.Errorf("empty search page or menu entry: %d", status)
	}
}
