package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"xinfang"
)

// hearingEnv is the API environment with a petition of 甲镇 in 复核 since
// 2026-07-06 (复核 due 08-05), two experts, an observer with an account
// and a lawyer, the clock on 2026-07-08.
type hearingEnv struct {
	*apiEnv
	handler, head, lawyer, observer *apiClient
	p                               petitionView
	experts                         []xinfang.Expert
	obs                             xinfang.Observer
}

func newHearingEnv(t *testing.T) *hearingEnv {
	t.Helper()
	env := newAPIEnv(t, "2026-04-01T09:00")
	h := &hearingEnv{apiEnv: env}
	h.handler = env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	h.head = env.user(t, "za_head", "ZA", xinfang.RoleUnitHead)
	h.lawyer = env.user(t, "lawyer_zhou", "XC", xinfang.RoleLawyer)
	h.observer = env.user(t, "observer_chen", "XC", xinfang.RoleObserver)
	p := h.handler.register(t, registration("2026-04-01T08:30:00+08:00", env.Units["ZA"].ID, nil))
	p = h.handler.act(t, p, xinfang.ActAccept, nil)
	env.setNow(t, "2026-05-20T09:00")
	p = h.handler.act(t, p, xinfang.ActReply, map[string]any{"outcome": "reject", "facts": "工资已结清。", "opinion": "不予支持。"})
	p = h.handler.act(t, p, xinfang.ActDeliver, map[string]any{"method": "post", "delivered_on": "2026-05-20", "receipt": "signed", "petitioner_opinion": "disagree"})
	env.setNow(t, "2026-06-10T09:00")
	p = h.handler.act(t, p, xinfang.ActRequestReview, map[string]any{"received_on": "2026-06-10", "request": "请求复查"})
	env.setNow(t, "2026-07-01T09:00")
	p = h.handler.act(t, p, xinfang.ActReviewReply, map[string]any{"outcome": "reject", "facts": "复查认定事实清楚。", "opinion": "维持。"})
	p = h.handler.act(t, p, xinfang.ActDeliver, map[string]any{"method": "in_person", "delivered_on": "2026-07-01", "receipt": "signed", "petitioner_opinion": "disagree"})
	env.setNow(t, "2026-07-06T09:00")
	h.p = h.handler.act(t, p, xinfang.ActRequestRereview, map[string]any{"received_on": "2026-07-06", "request": "请求复核"})
	if c := h.p.clock(t, xinfang.ClockRereview); c.Due.String() != "2026-08-05" {
		t.Fatalf("复核 due %s", c.Due)
	}
	env.setNow(t, "2026-07-08T09:00")
	for _, n := range []string{"吴教授", "冯主任"} {
		var e xinfang.Expert
		h.head.ok(t, http.StatusCreated, "POST", "/api/v1/experts", map[string]any{"name": n, "field": "labor", "title": "教授", "employer": "某市大学", "phone": "13900000001", "available": true}, &e)
		h.experts = append(h.experts, e)
	}
	h.head.ok(t, http.StatusCreated, "POST", "/api/v1/observers", map[string]any{"name": "陈代表", "kind": "deputy", "affiliation": "市人大", "phone": "13900000002", "available": true, "user_id": h.observer.ID}, &h.obs)
	return h
}

// hearingBody is a valid hearing on the petition, notice today (07-08)
// for 07-15, with n officers (experts first, then the lawyer) and the
// observer attending.
func (h *hearingEnv) hearingBody(officers int) map[string]any {
	parts := []map[string]any{}
	for i := 0; i < officers && i < 2; i++ {
		parts = append(parts, map[string]any{"role": "officer", "kind": "expert", "expert_id": h.experts[i].ID})
	}
	if officers >= 3 {
		parts = append(parts, map[string]any{"role": "officer", "kind": "lawyer", "user_id": h.lawyer.ID})
	}
	parts = append(parts, map[string]any{"role": "observer", "kind": "observer", "observer_id": h.obs.ID})
	return map[string]any{"petition_id": h.p.ID, "subject": "工资拖欠复核听证", "place": "甲镇政府听证室", "scheduled_on": "2026-07-15", "notice_on": "2026-07-08",
		"public": true, "chair_user_id": h.head.ID, "parties": "信访人：张三", "participants": parts}
}

// The API refuses a hearing whose notice comes too late or that has
// fewer than three officers; outside roles see exactly the hearings they
// are assigned to, through every route, and nothing of the registers.
func TestHearingsAPIAndAccess(t *testing.T) {
	t.Parallel()
	h := newHearingEnv(t)
	other := h.env().user(t, "lawyer_zheng", "XC", xinfang.RoleLawyer)
	townB := h.env().user(t, "zb_handler", "ZB", xinfang.RoleHandler)

	late := h.hearingBody(3)
	late["scheduled_on"] = "2026-07-14"
	wantError(t, h.head.do(t, "POST", "/api/v1/hearings", late), http.StatusUnprocessableEntity, "notice_on")
	wantError(t, h.head.do(t, "POST", "/api/v1/hearings", h.hearingBody(2)), http.StatusUnprocessableEntity, "officers")
	var page struct{ Total int }
	h.head.ok(t, http.StatusOK, "GET", "/api/v1/hearings", nil, &page)
	if page.Total != 0 {
		t.Fatalf("refused hearings were stored: %d", page.Total)
	}
	wantError(t, h.lawyer.do(t, "POST", "/api/v1/hearings", h.hearingBody(3)), http.StatusForbidden, "")

	var hr xinfang.Hearing
	h.head.ok(t, http.StatusCreated, "POST", "/api/v1/hearings", h.hearingBody(3), &hr)
	if hr.Number == "" || len(hr.Officers()) != 3 || hr.State != xinfang.HearingScheduled {
		t.Fatalf("created: %+v", hr)
	}
	id := fmt.Sprint(hr.ID)
	routes := []string{"/api/v1/hearings/" + id, "/hearings/" + id, "/hearings/" + id + "/notice"}
	for _, c := range []*apiClient{h.lawyer, h.observer, h.head, h.handler} {
		for _, path := range routes {
			if r := c.do(t, "GET", path, nil); r.Status != http.StatusOK {
				t.Errorf("%s GET %s: %d", c.Username, path, r.Status)
			}
		}
		var list struct{ Total int }
		c.ok(t, http.StatusOK, "GET", "/api/v1/hearings", nil, &list)
		if list.Total != 1 {
			t.Errorf("%s lists %d hearings, want 1", c.Username, list.Total)
		}
	}
	for _, c := range []*apiClient{other, townB} {
		for _, path := range routes {
			if r := c.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", c.Username, path, r.Status)
			}
		}
		var list struct{ Total int }
		c.ok(t, http.StatusOK, "GET", "/api/v1/hearings", nil, &list)
		if list.Total != 0 {
			t.Errorf("%s lists %d hearings, want none", c.Username, list.Total)
		}
	}
	// The lawyer of the hearing reads the hearing, not the petition, its
	// list, the search or the registers.
	for _, path := range []string{h.p.path(), "/petitions/" + fmt.Sprint(h.p.ID)} {
		if r := h.lawyer.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("lawyer GET %s: %d, want 404", path, r.Status)
		}
	}
	var plist struct{ Total int }
	h.lawyer.ok(t, http.StatusOK, "GET", "/api/v1/petitions", nil, &plist)
	if plist.Total != 0 {
		t.Errorf("the lawyer lists %d petitions", plist.Total)
	}
	for _, path := range []string{"/api/v1/experts", "/api/v1/observers/" + fmt.Sprint(h.obs.ID)} {
		wantError(t, h.lawyer.do(t, "GET", path, nil), http.StatusForbidden, "")
	}
	wantError(t, h.lawyer.do(t, "POST", "/api/v1/hearings/"+id+"/start", map[string]any{"version": hr.Version, "started_on": "2026-07-08"}), http.StatusForbidden, "")
	// The lawyer's page shows the petition's number but no link to it.
	if r := h.lawyer.do(t, "GET", "/hearings/"+id, nil); strings.Contains(string(r.Body), `href="/petitions/`) {
		t.Errorf("the lawyer's hearing page links to the petition")
	}
	// The notice names the chair and the officers.
	r := h.head.do(t, "GET", "/hearings/"+id+"/notice", nil)
	for _, want := range []string{"听证通知书", hr.Number, "吴教授", "冯主任", "lawyer_zhou", "2026年7月15日", "张三"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("the notice lacks %q", want)
		}
	}

	// The reads of the hearing are audited.
	entries, _, err := h.DB.Audit.FindAudit(xinfang.NewContextWithUser(context.Background(), &xinfang.User{ID: 1, Roles: []xinfang.Role{xinfang.RoleAuditor}}), xinfang.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, e := range entries {
		if e.Route == "GET /api/v1/hearings/{id}" && e.Kind == xinfang.AuditRead {
			reads++
		}
	}
	if reads != 4 {
		t.Errorf("%d audited reads of the hearing, want 4", reads)
	}
}

func (h *hearingEnv) env() *apiEnv { return h.apiEnv }
