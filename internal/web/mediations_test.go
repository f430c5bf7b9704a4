package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"xinfang"
)

// A mediation through the API and pages: the agreement concludes the
// petition, prints as the 调解协议书, warns once its fulfilment day has
// passed; the mediator with an account sees only his mediation.
func TestMediationsAPIAndAccess(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	med := env.user(t, "med_yang", "ZA", xinfang.RoleMediator)
	other := env.user(t, "med_ma", "ZB", xinfang.RoleMediator)
	p := handler.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
	p = handler.act(t, p, xinfang.ActAccept, nil)

	var m1, m2 xinfang.Mediator
	handler.ok(t, http.StatusCreated, "POST", "/api/v1/mediators", map[string]any{"name": "杨调解", "kind": "elder", "unit_id": env.Units["ZA"].ID, "user_id": med.ID, "available": true}, &m1)
	handler.ok(t, http.StatusCreated, "POST", "/api/v1/mediators", map[string]any{"name": "马调解", "kind": "grid", "unit_id": env.Units["ZB"].ID, "user_id": other.ID, "available": true}, &m2)
	wantError(t, handler.do(t, "POST", "/api/v1/mediations", map[string]any{"petition_id": p.ID, "unit_id": env.Units["ZA"].ID, "dispute": "工资纠纷", "parties": "张三", "started_on": "2026-03-02"}), http.StatusUnprocessableEntity, "mediators")
	var m xinfang.Mediation
	handler.ok(t, http.StatusCreated, "POST", "/api/v1/mediations", map[string]any{"petition_id": p.ID, "unit_id": env.Units["ZA"].ID, "dispute": "工资纠纷", "parties": "张三；某公司",
		"started_on": "2026-03-02", "mediator_ids": []int64{m1.ID}}, &m)
	id := fmt.Sprint(m.ID)

	// Before the outcome there is no agreement to print.
	if r := handler.do(t, "GET", "/mediations/"+id+"/agreement", nil); r.Status != http.StatusNotFound {
		t.Errorf("agreement before the outcome: %d", r.Status)
	}
	wantError(t, med.do(t, "POST", "/api/v1/mediations/"+id+"/outcome", map[string]any{"version": m.Version, "result": "failed", "fail_reason": "x"}), http.StatusForbidden, "")
	handler.ok(t, http.StatusOK, "POST", "/api/v1/mediations/"+id+"/outcome", map[string]any{"version": m.Version, "result": "agreed", "agreement": "某公司于 3 月 10 日前支付工资 3 万元",
		"agreed_on": "2026-03-02", "fulfil_by": "2026-03-10", "conclude_petition": true}, &m)
	if got := handler.get(t, p); got.State != xinfang.StateConcluded {
		t.Fatalf("the agreement did not conclude the petition: %s", got.State)
	}
	for _, c := range []*apiClient{handler, med} {
		for _, path := range []string{"/api/v1/mediations/" + id, "/mediations/" + id, "/mediations/" + id + "/agreement"} {
			if r := c.do(t, "GET", path, nil); r.Status != http.StatusOK {
				t.Errorf("%s GET %s: %d", c.Username, path, r.Status)
			}
		}
	}
	if doc := string(handler.do(t, "GET", "/mediations/"+id+"/agreement", nil).Body); !strings.Contains(doc, "调解协议书") || !strings.Contains(doc, "某公司于 3 月 10 日前支付工资 3 万元") || !strings.Contains(doc, "杨调解") {
		t.Errorf("the printed agreement lacks its parts")
	}
	for _, path := range []string{"/api/v1/mediations/" + id, "/mediations/" + id, "/mediations/" + id + "/agreement"} {
		if r := other.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("another mediator GET %s: %d", path, r.Status)
		}
	}
	var list struct{ Total int }
	other.ok(t, http.StatusOK, "GET", "/api/v1/mediations", nil, &list)
	if list.Total != 0 {
		t.Errorf("another mediator lists %d", list.Total)
	}
	med.ok(t, http.StatusOK, "GET", "/api/v1/mediations", nil, &list)
	if list.Total != 1 {
		t.Errorf("the mediator lists %d", list.Total)
	}

	// Past the fulfilment day: 超期 in the list and on the page.
	env.setNow(t, "2026-03-11T09:00")
	handler.ok(t, http.StatusOK, "GET", "/api/v1/mediations?overdue=true", nil, &list)
	if list.Total != 1 {
		t.Errorf("%d overdue agreements, want 1", list.Total)
	}
	if page := string(handler.do(t, "GET", "/mediations/"+id, nil).Body); !strings.Contains(page, `id="fulfil-warning"`) || !strings.Contains(page, "超期") {
		t.Errorf("the mediation page does not warn of the passed fulfilment day")
	}
	var done xinfang.Mediation
	handler.ok(t, http.StatusOK, "POST", "/api/v1/mediations/"+id+"/fulfilment", map[string]any{"version": m.Version, "fulfilled_on": "2026-03-11"}, &done)
	handler.ok(t, http.StatusOK, "GET", "/api/v1/mediations?overdue=true", nil, &list)
	if list.Total != 0 || done.Warning != "" || done.FulfilledOn.String() != "2026-03-11" {
		t.Errorf("after fulfilment: %d overdue, warning %q, fulfilled %s", list.Total, done.Warning, done.FulfilledOn)
	}
}
