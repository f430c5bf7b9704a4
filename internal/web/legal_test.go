package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"xinfang"
)

// 涉法涉诉 through the API and the pages: screening and transfer by the
// bureau, the police's own list and its case number; a town outside gets
// 404; forms refuse bad input by field and stale versions.
func TestLegalReferralsAPIAndPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	police := env.unit(t, "GA", "市公安局", xinfang.UnitLegal, env.Units["XC"])
	env.unit(t, "FY", "市人民法院", xinfang.UnitLegal, env.Units["XC"])
	reg := env.user(t, "xfj_reg", "XFJ", xinfang.RoleRegistrar)
	cop := env.user(t, "ga_handler", "GA", xinfang.RoleHandler)
	judge := env.user(t, "fy_handler", "FY", xinfang.RoleHandler)
	zb := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))

	wantError(t, reg.do(t, "POST", "/api/v1/legal-referrals", map[string]any{"petition_id": p.ID, "version": p.Version, "finding": "legal"}), http.StatusUnprocessableEntity, "reason")
	wantError(t, zb.do(t, "POST", "/api/v1/legal-referrals", map[string]any{"petition_id": p.ID, "version": p.Version, "finding": "legal", "reason": "x"}), http.StatusForbidden, "")
	// Only the register takes the step, never the petition's action form.
	wantError(t, reg.do(t, "POST", p.path()+"/actions/legal_screen", map[string]any{"version": p.Version, "data": map[string]any{"finding": "legal", "reason": "x"}}), http.StatusUnprocessableEntity, "action")
	if status, _, body := reg.page(t, "GET", fmt.Sprintf("/petitions/%d", p.ID), nil); status != http.StatusOK || !strings.Contains(body, `id="screen-legal-link"`) {
		t.Fatalf("the petition page offers no screening: %d", status)
	}
	var ref xinfang.LegalReferral
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/legal-referrals", map[string]any{"petition_id": p.ID, "version": p.Version, "finding": "legal", "reason": "不服公安机关不予立案"}, &ref)
	id := fmt.Sprint(ref.ID)
	wantError(t, reg.do(t, "POST", "/api/v1/legal-referrals/"+id+"/transfer", map[string]any{"version": ref.Version, "unit_id": env.Units["ZA"].ID}), http.StatusUnprocessableEntity, "unit_id")

	// The page's transfer form: a stale version is a conflict shown on the page.
	status, _, body := reg.page(t, "POST", "/legal/"+id+"/transfer", url.Values{"version": {fmt.Sprint(ref.Version - 1)}, "unit_id": {fmt.Sprint(police.ID)}})
	if status != http.StatusConflict || !strings.Contains(body, "已被他人修改") {
		t.Fatalf("stale transfer form: %d", status)
	}
	status, loc, _ := reg.page(t, "POST", "/legal/"+id+"/transfer", url.Values{"version": {fmt.Sprint(ref.Version)}, "unit_id": {fmt.Sprint(police.ID)}, "note": {"请依法审查"}})
	if status != http.StatusSeeOther || loc != "/legal/"+id+"?done=transfer" {
		t.Fatalf("transfer form: %d to %q", status, loc)
	}
	if got := reg.get(t, p); got.State != xinfang.StateDiverted || got.HandlingUnitID != police.ID || !got.LegalCase {
		t.Fatalf("transferred petition: %s handled by %d, legal %v", got.State, got.HandlingUnitID, got.LegalCase)
	}
	var v struct {
		OK      bool
		Message string
	}
	reg.ok(t, http.StatusOK, "GET", p.path()+"/verify", nil, &v)
	if !v.OK {
		t.Fatalf("the transferred petition does not verify: %s", v.Message)
	}

	// The police see it in their list and on its page; the court and town B do not.
	var list struct {
		Items []xinfang.LegalReferral
		Total int
	}
	cop.ok(t, http.StatusOK, "GET", "/api/v1/legal-referrals?unit_id="+fmt.Sprint(police.ID), nil, &list)
	if list.Total != 1 || list.Items[0].ID != ref.ID {
		t.Fatalf("the police list %+v", list)
	}
	for _, c := range []*apiClient{judge, zb} {
		for _, path := range []string{"/api/v1/legal-referrals/" + id, "/legal/" + id} {
			if r := c.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d", c.Username, path, r.Status)
			}
		}
	}
	status, _, body = cop.page(t, "GET", "/legal?mine=1", nil)
	if status != http.StatusOK || !strings.Contains(body, p.Number) {
		t.Fatalf("the police's page: %d", status)
	}
	status, _, body = cop.page(t, "GET", "/legal/"+id, nil)
	if status != http.StatusOK || !strings.Contains(body, `id="record-judicial"`) || strings.Contains(body, `id="transfer-legal"`) {
		t.Fatalf("the police's item page: %d", status)
	}
	reg.ok(t, http.StatusOK, "GET", "/api/v1/legal-referrals/"+id, nil, &ref)
	status, _, body = cop.page(t, "POST", "/legal/"+id+"/judicial", url.Values{"version": {fmt.Sprint(ref.Version)}, "status": {"filed"}, "on": {"2026-03-02"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "立案须填写案号") {
		t.Fatalf("filing without a number: %d", status)
	}
	cop.ok(t, http.StatusOK, "POST", "/api/v1/legal-referrals/"+id+"/judicial", map[string]any{"version": ref.Version, "status": "filed", "case_number": "（2026）公刑立字 3 号", "on": "2026-03-02"}, &ref)
	if ref.Status != xinfang.JudicialFiled || ref.CaseNumber == "" {
		t.Fatalf("filed: %+v", ref)
	}
	wantError(t, zb.do(t, "POST", "/api/v1/legal-referrals/"+id+"/judicial", map[string]any{"version": ref.Version, "status": "closed", "on": "2026-03-02", "result": "x"}), http.StatusForbidden, "")
}

// The rota and the reception records through the API and the pages: the
// bureau generates and changes a week (stale version refused); the
// lawyer records his receptions, sees his weeks, and may not plan.
func TestLawyerDutyAPIAndPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	head := env.user(t, "xfj_head", "XFJ", xinfang.RoleUnitHead)
	l1 := env.user(t, "lawyer_a", "XC", xinfang.RoleLawyer)
	l2 := env.user(t, "lawyer_b", "XC", xinfang.RoleLawyer)
	zb := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	points := []int64{env.Units["XFJ"].ID, env.Units["ZA"].ID}

	wantError(t, l1.do(t, "POST", "/api/v1/lawyer-rota", map[string]any{"point_ids": points, "from": "2026-03-02", "to": "2026-03-29"}), http.StatusForbidden, "")
	wantError(t, head.do(t, "POST", "/api/v1/lawyer-rota", map[string]any{"point_ids": points, "from": "2026-03-29", "to": "2026-03-02"}), http.StatusUnprocessableEntity, "to")
	var gen struct{ Created int }
	head.ok(t, http.StatusCreated, "POST", "/api/v1/lawyer-rota", map[string]any{"point_ids": points, "from": "2026-03-02", "to": "2026-03-29"}, &gen)
	if gen.Created != 8 {
		t.Fatalf("created %d weeks, want 4 weeks × 2 points", gen.Created)
	}
	var weeks struct {
		Items []xinfang.DutyWeek
		Total int
	}
	l1.ok(t, http.StatusOK, "GET", "/api/v1/lawyer-rota", nil, &weeks)
	if weeks.Total != 4 {
		t.Fatalf("lawyer a sees %d weeks, want his 4", weeks.Total)
	}
	w := weeks.Items[0]
	wid := fmt.Sprint(w.ID)
	// Both lawyers are on duty every week: a change to the other refuses.
	wantError(t, head.do(t, "POST", "/api/v1/lawyer-rota/"+wid+"/swap", map[string]any{"version": w.Version, "lawyer_id": l2.ID, "reason": "出庭"}), http.StatusUnprocessableEntity, "lawyer_id")
	status, _, body := head.page(t, "POST", "/lawyer-duty/"+wid+"/swap", url.Values{"version": {fmt.Sprint(w.Version)}, "lawyer_id": {fmt.Sprint(l2.ID)}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "请写明调班原因") {
		t.Fatalf("swap form without reason: %d", status)
	}
	for _, path := range []string{"/lawyer-duty", "/lawyer-duty/" + wid, "/lawyer-receptions", "/lawyer-receptions/new"} {
		if status, _, _ := l1.page(t, "GET", path, nil); status != http.StatusOK {
			t.Errorf("lawyer GET %s: %d", path, status)
		}
	}
	if status, _, body := head.page(t, "GET", "/lawyer-duty?from=2026-03-01&to=2026-03-31", nil); status != http.StatusOK || !strings.Contains(body, `id="generate-rota"`) || !strings.Contains(body, "lawyer_b") {
		t.Errorf("the bureau's rota page: %d", status)
	}

	// A reception record through the page, then a stale correction.
	form := url.Values{"point_id": {fmt.Sprint(points[0])}, "received_on": {"2026-03-02"}, "visitors": {"张三"}, "matter": {"工伤赔偿"}, "advice": {"建议申请仲裁"}, "diverted": {"1"}}
	status, _, body = l1.page(t, "POST", "/lawyer-receptions", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择导入的法律途径") {
		t.Fatalf("record without its route: %d", status)
	}
	form.Set("route", "arbitration")
	status, loc, _ := l1.page(t, "POST", "/lawyer-receptions", form)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/lawyer-receptions/") {
		t.Fatalf("record: %d to %q", status, loc)
	}
	rid := strings.TrimSuffix(strings.TrimPrefix(loc, "/lawyer-receptions/"), "?done=1")
	var rec xinfang.DutyReception
	l1.ok(t, http.StatusOK, "GET", "/api/v1/lawyer-receptions/"+rid, nil, &rec)
	if rec.Route != xinfang.RouteArbitration || !rec.Diverted {
		t.Fatalf("recorded: %+v", rec)
	}
	upd := map[string]any{"version": rec.Version, "point_id": rec.PointID, "received_on": "2026-03-02", "visitors": "张三", "matter": "工伤赔偿", "advice": "建议先协商", "diverted": false}
	l1.ok(t, http.StatusOK, "PUT", "/api/v1/lawyer-receptions/"+rid, upd, &rec)
	wantError(t, l1.do(t, "PUT", "/api/v1/lawyer-receptions/"+rid, upd), http.StatusConflict, "version")
	wantError(t, l2.do(t, "PUT", "/api/v1/lawyer-receptions/"+rid, upd), http.StatusNotFound, "")
	for _, path := range []string{"/api/v1/lawyer-receptions/" + rid, "/lawyer-receptions/" + rid} {
		if r := zb.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("town B GET %s: %d", path, r.Status)
		}
	}
	if r := head.do(t, "GET", "/lawyer-receptions/"+rid, nil); r.Status != http.StatusOK || strings.Contains(string(r.Body), `id="reception-form"`) {
		t.Errorf("the bureau reads the record without its form: %d", r.Status)
	}
}
