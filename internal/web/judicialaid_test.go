package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"xinfang"
)

// Judicial aid through the API and pages: the amount above the cap is
// refused, the decision's clock warns past its day, the decision prints;
// a lawyer or another town sees nothing of it.
func TestJudicialAidAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-06-01T09:00")
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	townB := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	lawyer := env.user(t, "lawyer_zhou", "XC", xinfang.RoleLawyer)
	p := handler.register(t, registration("2026-06-01T08:30:00+08:00", env.Units["ZA"].ID, map[string]any{"legal_case": true}))

	wantError(t, handler.do(t, "POST", "/api/v1/judicial-aid", map[string]any{"petition_id": p.ID, "applicant": "张三", "applied_on": "2026-06-01"}), http.StatusUnprocessableEntity, "grounds")
	var a xinfang.JudicialAid
	handler.ok(t, http.StatusCreated, "POST", "/api/v1/judicial-aid", map[string]any{"petition_id": p.ID, "applicant": "张三", "by_petitioner": true, "grounds": "因案致贫", "applied_on": "2026-06-01"}, &a)
	if a.DecisionDue.String() != "2026-06-15" {
		t.Errorf("decision due %s, want 2026-06-15", a.DecisionDue)
	}
	id := fmt.Sprint(a.ID)
	handler.ok(t, http.StatusOK, "POST", "/api/v1/judicial-aid/"+id+"/review", map[string]any{"version": a.Version, "review_opinion": "符合条件"}, &a)
	env.setNow(t, "2026-06-16T09:00")
	var page struct {
		Total int
		Items []xinfang.JudicialAid
	}
	handler.ok(t, http.StatusOK, "GET", "/api/v1/judicial-aid?overdue=true", nil, &page)
	if page.Total != 1 || page.Items[0].Warning != xinfang.WarnOverdue {
		t.Errorf("overdue list: %+v", page)
	}
	if body := string(handler.do(t, "GET", "/judicial-aid/"+id, nil).Body); !strings.Contains(body, `id="aid-warning"`) {
		t.Errorf("the page does not warn of the passed decision day")
	}
	wantError(t, handler.do(t, "POST", "/api/v1/judicial-aid/"+id+"/grant", map[string]any{"version": a.Version, "decided_on": "2026-06-16", "amount": 216001}), http.StatusUnprocessableEntity, "amount")
	if r := handler.do(t, "GET", "/judicial-aid/"+id+"/decision", nil); r.Status != http.StatusNotFound {
		t.Errorf("a decision printed before it is taken: %d", r.Status)
	}
	handler.ok(t, http.StatusOK, "POST", "/api/v1/judicial-aid/"+id+"/grant", map[string]any{"version": a.Version, "decided_on": "2026-06-16", "amount": 30000}, &a)
	doc := string(handler.do(t, "GET", "/judicial-aid/"+id+"/decision", nil).Body)
	for _, want := range []string{"司法救助决定书", a.Number, "30000", "张三"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the decision lacks %q", want)
		}
	}
	for _, c := range []*apiClient{townB} {
		for _, path := range []string{"/api/v1/judicial-aid/" + id, "/judicial-aid/" + id, "/judicial-aid/" + id + "/decision"} {
			if r := c.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", c.Username, path, r.Status)
			}
		}
	}
	wantError(t, lawyer.do(t, "GET", "/api/v1/judicial-aid/"+id, nil), http.StatusForbidden, "")
}
