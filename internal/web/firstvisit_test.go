package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"xinfang"
)

// The 首访责任制 page and API: the bureau passed on what it received, the
// town handles its own; town B sees nothing; a lawyer may not look.
func TestFirstVisitPage(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "xfj_reg", "XFJ", xinfang.RoleRegistrar)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	leader := env.user(t, "leader", "XC", xinfang.RoleLeader)
	townB := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	lawyer := env.user(t, "lawyer_zhou", "XC", xinfang.RoleLawyer)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
	reg.act(t, p, xinfang.ActTransfer, map[string]any{"unit_id": fmt.Sprint(env.Units["ZA"].ID)})
	handler.register(t, registration("2026-03-02T08:40:00+08:00", env.Units["ZA"].ID, nil))

	var list struct {
		Items []struct {
			UnitID   int64 `json:"unit_id"`
			Received int   `json:"received"`
			PassedOn int   `json:"passed_on"`
		}
	}
	leader.ok(t, http.StatusOK, "GET", "/api/v1/first-visit?year=2026", nil, &list)
	byUnit := map[int64][2]int{}
	for _, r := range list.Items {
		byUnit[r.UnitID] = [2]int{r.Received, r.PassedOn}
	}
	if byUnit[env.Units["XFJ"].ID] != [2]int{1, 1} || byUnit[env.Units["ZA"].ID] != [2]int{1, 0} {
		t.Errorf("figures: %+v", list.Items)
	}
	page := string(leader.do(t, "GET", fmt.Sprintf("/first-visit?year=2026&unit=%d", env.Units["XFJ"].ID), nil).Body)
	if !strings.Contains(page, p.Number) || !strings.Contains(page, "转出未自办") {
		t.Errorf("the page does not list the item passed on")
	}
	townB.ok(t, http.StatusOK, "GET", "/api/v1/first-visit?year=2026", nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("town B sees %+v", list.Items)
	}
	wantError(t, lawyer.do(t, "GET", "/api/v1/first-visit", nil), http.StatusForbidden, "")
}
