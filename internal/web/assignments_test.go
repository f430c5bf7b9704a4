package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"xinfang"
)

// A lawyer assigned to one petition sees it — API detail and events, the
// page, its documents, the ledger, the export, the search — and not the
// other one (404); a mediator sees only his; once the assignment ends the
// lawyer sees nothing; giving and ending are in the audit log.
func TestAssignmentAccess(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	lawyer := env.user(t, "lawyer_zhou", "XC", xinfang.RoleLawyer)
	mediator := env.user(t, "mediator_yang", "ZA", xinfang.RoleMediator)
	p1 := handler.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
	p1 = handler.act(t, p1, xinfang.ActAccept, nil)
	p2 := handler.register(t, registration("2026-03-02T08:40:00+08:00", env.Units["ZA"].ID, map[string]any{"summary": "反映拖欠工资问题（二）"}))

	wantError(t, handler.do(t, "POST", "/api/v1/assignments", map[string]any{"user_id": lawyer.ID, "role": "mediator", "petition_id": p1.ID, "task": "x"}), http.StatusUnprocessableEntity, "user_id")
	wantError(t, lawyer.do(t, "POST", "/api/v1/assignments", map[string]any{"user_id": lawyer.ID, "role": "lawyer", "petition_id": p1.ID, "task": "x"}), http.StatusForbidden, "")
	var a xinfang.Assignment
	handler.ok(t, http.StatusCreated, "POST", "/api/v1/assignments", map[string]any{"user_id": lawyer.ID, "role": "lawyer", "petition_id": p1.ID, "task": "提供法律意见"}, &a)
	handler.ok(t, http.StatusCreated, "POST", "/api/v1/assignments", map[string]any{"user_id": mediator.ID, "role": "mediator", "petition_id": p2.ID, "task": "组织调解"}, nil)

	routes := func(p petitionView) []string {
		id := fmt.Sprint(p.ID)
		return []string{p.path(), p.path() + "/events", "/petitions/" + id, "/api/v1/petitions/" + id + "/attachments", "/petitions/" + id + "/tasks"}
	}
	check := func(c *apiClient, sees, not []petitionView) {
		t.Helper()
		for _, p := range sees {
			for _, path := range routes(p) {
				if r := c.do(t, "GET", path, nil); r.Status != http.StatusOK {
					t.Errorf("%s GET %s: %d, want 200", c.Username, path, r.Status)
				}
			}
		}
		for _, p := range not {
			for _, path := range append(routes(p), "/petitions/"+fmt.Sprint(p.ID)+"/print/accept") {
				if r := c.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
					t.Errorf("%s GET %s: %d, want 404", c.Username, path, r.Status)
				}
			}
		}
		var list struct{ Total int }
		c.ok(t, http.StatusOK, "GET", "/api/v1/petitions", nil, &list)
		if list.Total != len(sees) {
			t.Errorf("%s lists %d petitions, want %d", c.Username, list.Total, len(sees))
		}
		var hits struct{ Total int }
		c.ok(t, http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape("拖欠工资"), nil, &hits)
		if hits.Total != len(sees) {
			t.Errorf("%s finds %d petitions, want %d", c.Username, hits.Total, len(sees))
		}
		ledger := string(c.do(t, "GET", "/petitions", nil).Body)
		for _, p := range sees {
			if !strings.Contains(ledger, p.Number) {
				t.Errorf("%s's ledger lacks %s", c.Username, p.Number)
			}
		}
		for _, p := range not {
			if strings.Contains(ledger, p.Number) {
				t.Errorf("%s's ledger shows %s", c.Username, p.Number)
			}
		}
		if r := c.do(t, "GET", "/api/v1/petitions.xlsx", nil); r.Status != http.StatusOK {
			t.Errorf("%s export: %d", c.Username, r.Status)
		} else {
			for _, p := range not {
				if strings.Contains(string(r.Body), p.Number) {
					t.Errorf("%s's export holds %s", c.Username, p.Number)
				}
			}
		}
	}
	check(lawyer, []petitionView{p1}, []petitionView{p2})
	check(mediator, []petitionView{p2}, []petitionView{p1})
	if r := lawyer.do(t, "GET", "/petitions/"+fmt.Sprint(p1.ID)+"/print/accept", nil); r.Status != http.StatusOK {
		t.Errorf("the lawyer prints his item's 受理告知书: %d", r.Status)
	}
	// Reading is not handling: the procedure refuses him.
	wantError(t, lawyer.do(t, "POST", p1.path()+"/actions/reply", map[string]any{"version": p1.Version, "data": map[string]any{"outcome": "reject", "facts": "f", "opinion": "o"}}), http.StatusForbidden, "")

	// His work note, then the end of the assignment.
	lawyer.ok(t, http.StatusCreated, "POST", "/api/v1/assignments/"+fmt.Sprint(a.ID)+"/notes", map[string]any{"text": "约见信访人，释明劳动仲裁途径"}, nil)
	wantError(t, lawyer.do(t, "POST", "/api/v1/assignments/"+fmt.Sprint(a.ID)+"/end", map[string]any{"end_note": "x"}), http.StatusForbidden, "")
	handler.ok(t, http.StatusOK, "POST", "/api/v1/assignments/"+fmt.Sprint(a.ID)+"/end", map[string]any{"end_note": "已出具法律意见"}, nil)
	check(lawyer, nil, []petitionView{p1, p2})

	entries, _, err := env.DB.Audit.FindAudit(xinfang.NewContextWithUser(context.Background(), &xinfang.User{ID: 1, Roles: []xinfang.Role{xinfang.RoleAuditor}}), xinfang.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var given, ended int
	for _, e := range entries {
		switch {
		case e.Route == "POST /api/v1/assignments" && e.Kind == xinfang.AuditChange && strings.Contains(e.Detail, "assignment"):
			given++
		case e.Route == "POST /api/v1/assignments/{id}/end" && e.Kind == xinfang.AuditChange:
			ended++
		}
	}
	if given != 2 || ended != 1 {
		t.Errorf("audit: %d assignments given, %d ended; want 2 and 1", given, ended)
	}
}
