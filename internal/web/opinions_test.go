package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"xinfang"
)

// A lawyer drafts a legal opinion on his assigned item only, issues it,
// and it prints with his name and firm; the town's staff read it, another
// lawyer does not.
func TestLegalOpinionsAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	lawyer := env.user(t, "lawyer_zhou", "XC", xinfang.RoleLawyer)
	other := env.user(t, "lawyer_zheng", "XC", xinfang.RoleLawyer)
	p := handler.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
	body := map[string]any{"petition_id": p.ID, "firm": "示范律师事务所", "question": "工资拖欠", "opinion": "建议申请劳动仲裁", "basis": "《劳动争议调解仲裁法》"}
	wantError(t, lawyer.do(t, "POST", "/api/v1/legal-opinions", body), http.StatusUnprocessableEntity, "petition_id")
	wantError(t, handler.do(t, "POST", "/api/v1/legal-opinions", body), http.StatusForbidden, "")
	handler.ok(t, http.StatusCreated, "POST", "/api/v1/assignments", map[string]any{"user_id": lawyer.ID, "role": "lawyer", "petition_id": p.ID, "task": "出具法律意见"}, nil)
	var o xinfang.LegalOpinion
	lawyer.ok(t, http.StatusCreated, "POST", "/api/v1/legal-opinions", body, &o)
	id := fmt.Sprint(o.ID)
	if r := lawyer.do(t, "GET", "/legal-opinions/"+id+"/print", nil); r.Status != http.StatusNotFound {
		t.Errorf("a draft prints: %d", r.Status)
	}
	lawyer.ok(t, http.StatusOK, "POST", "/api/v1/legal-opinions/"+id+"/issue", map[string]any{"version": o.Version}, &o)
	doc := string(handler.do(t, "GET", "/legal-opinions/"+id+"/print", nil).Body)
	for _, want := range []string{"法律意见书", o.Number, "示范律师事务所", "lawyer_zhou", "建议申请劳动仲裁"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the printed opinion lacks %q", want)
		}
	}
	for _, path := range []string{"/api/v1/legal-opinions/" + id, "/legal-opinions/" + id, "/legal-opinions/" + id + "/print"} {
		if r := other.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("another lawyer GET %s: %d", path, r.Status)
		}
	}
	wantError(t, lawyer.do(t, "PUT", "/api/v1/legal-opinions/"+id, body), http.StatusConflict, "")
}
