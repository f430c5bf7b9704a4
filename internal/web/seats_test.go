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

// Experts and observers on a consultation through the API and the pages:
// the invitation refused naming the field with nothing written, the seats
// page listing and recording them, the case page linking there, the
// expert's page listing the seat, another town 404 — and the audit log
// holding the changes.
func TestSeatsAPIAndPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-04-01T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler)
	leader := env.user(t, "xc_leader", "XC", xinfang.RoleLeader)
	zb := env.user(t, "zb_h", "ZB", xinfang.RoleHandler)
	za := env.Units["ZA"]
	p := reg.register(t, registration("2026-04-01T08:30:00+08:00", za.ID, nil))
	var c caseJSON
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/cases", map[string]any{
		"title": "张三工资拖欠积案", "source": "repeat", "petitioners": "张三", "responsible_unit_id": za.ID, "leader_id": leader.ID,
		"petition_ids": []int64{p.ID}, "deadline": "2026-06-30", "team": []map[string]any{{"user_id": reg.ID, "role": "组长"}},
	}, &c)
	reg.ok(t, http.StatusOK, "POST", c.path()+"/consultations", map[string]any{"version": c.Version, "date": "2026-04-01",
		"attendees": []map[string]string{{"kind": "petitioner", "name": "张三"}}, "findings": "欠薪属实", "decisions": "限期支付"}, &c)
	k := c.Consultations[0].ID

	var e xinfang.Expert
	var o xinfang.Observer
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/experts", map[string]any{"name": "吴教授", "field": "labor", "employer": "市职业技术学院", "phone": "13900000001", "available": true}, &e)
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/observers", map[string]any{"name": "陈代表", "kind": "deputy", "affiliation": "市人大", "available": true}, &o)

	wantError(t, reg.do(t, "POST", "/api/v1/seats", map[string]any{"on": "consultation", "record_id": k}), http.StatusUnprocessableEntity, "expert_ids")
	wantError(t, reg.do(t, "POST", "/api/v1/seats", map[string]any{"on": "consultation", "record_id": k, "expert_ids": []int64{e.ID}, "observer_ids": []int64{999999}}), http.StatusUnprocessableEntity, "observer_ids")
	var list struct {
		Record xinfang.SeatHolder
		Items  []xinfang.Seat
	}
	reg.ok(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/seats?on=consultation&record_id=%d", k), nil, &list)
	if len(list.Items) != 0 || list.Record.CaseNumber != c.Number {
		t.Fatalf("after refused invitations: %+v", list)
	}
	wantError(t, reg.do(t, "GET", "/api/v1/seats?on=meeting&record_id=1", nil), http.StatusUnprocessableEntity, "on")
	wantError(t, zb.do(t, "GET", fmt.Sprintf("/api/v1/seats?on=consultation&record_id=%d", k), nil), http.StatusNotFound, "")

	// The page: invite both by form, then record the expert's remarks.
	seatsPage := fmt.Sprintf("/society/seats?on=consultation&record_id=%d", k)
	if status, _, body := reg.page(t, "POST", "/society/seats", url.Values{"on": {"consultation"}, "record_id": {fmt.Sprint(k)}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "请至少选择一名专家或监督员") {
		t.Errorf("an empty invitation by form: %d", status)
	}
	status, loc, _ := reg.page(t, "POST", "/society/seats", url.Values{"on": {"consultation"}, "record_id": {fmt.Sprint(k)}, "expert_ids": {fmt.Sprint(e.ID)}, "observer_ids": {fmt.Sprint(o.ID)}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, seatsPage) {
		t.Fatalf("invite by form: %d → %q", status, loc)
	}
	reg.ok(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/seats?on=consultation&record_id=%d", k), nil, &list)
	if len(list.Items) != 2 {
		t.Fatalf("%d seats after the invitation, want 2", len(list.Items))
	}
	var seat xinfang.Seat
	for _, s := range list.Items {
		if s.ExpertID == e.ID {
			seat = s
		}
	}
	form := url.Values{"on": {"consultation"}, "record_id": {fmt.Sprint(k)}, "version": {fmt.Sprint(seat.Version)}, "attendance": {"absent"}, "remarks": {"缺席也有意见"}}
	if status, _, body := reg.page(t, "POST", fmt.Sprintf("/society/seats/%d", seat.ID), form); status != http.StatusUnprocessableEntity || !strings.Contains(body, "缺席者没有发言意见") {
		t.Errorf("remarks of one absent: %d", status)
	}
	form.Set("attendance", "present")
	form.Set("remarks", "欠薪事实清楚，建议先行垫付")
	if status, _, _ := reg.page(t, "POST", fmt.Sprintf("/society/seats/%d", seat.ID), form); status != http.StatusSeeOther {
		t.Fatalf("record by form: %d", status)
	}
	if status, _, _ := reg.page(t, "POST", fmt.Sprintf("/society/seats/%d", seat.ID), form); status != http.StatusConflict {
		t.Errorf("a stale version: %d, want 409", status)
	}
	wantError(t, reg.do(t, "POST", fmt.Sprintf("/api/v1/seats/%d", seat.ID), map[string]any{"version": seat.Version, "attendance": "present"}), http.StatusConflict, "version")

	_, _, body := reg.page(t, "GET", seatsPage, nil)
	if !strings.Contains(body, "建议先行垫付") || !strings.Contains(body, "陈代表") || !strings.Contains(body, c.Number) {
		t.Errorf("the seats page lacks the seats or the case")
	}
	if _, _, body := reg.page(t, "GET", "/cases/"+fmt.Sprint(c.ID), nil); !strings.Contains(body, fmt.Sprintf(`id="seats-consultation-%d"`, k)) {
		t.Errorf("the case page does not link the consultation's seats")
	}
	if _, _, body := reg.page(t, "GET", fmt.Sprintf("/society/experts/%d", e.ID), nil); !strings.Contains(body, "建议先行垫付") || !strings.Contains(body, "参加会诊和督查") {
		t.Errorf("the expert's page does not list the seat")
	}
	if status, _, _ := zb.page(t, "GET", seatsPage, nil); status != http.StatusNotFound {
		t.Errorf("town B opens the seats page: %d", status)
	}
	var ex xinfang.Expert
	zb.ok(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/experts/%d", e.ID), nil, &ex)
	if len(ex.Seats) != 0 {
		t.Errorf("town B reads the expert's seat on town A's case")
	}

	entries, _, err := env.DB.Audit.FindAudit(xinfang.NewContextWithUser(context.Background(), &xinfang.User{ID: 1, Roles: []xinfang.Role{xinfang.RoleAuditor}}), xinfang.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var invited, recorded int
	for _, e := range entries {
		switch {
		case e.Route == "POST /society/seats" && e.Kind == xinfang.AuditChange:
			invited++
		case e.Route == "POST /society/seats/{id}" && e.Kind == xinfang.AuditChange:
			recorded++
		}
	}
	if invited != 1 || recorded != 1 {
		t.Errorf("audit: %d invitations, %d records; want 1 and 1 (the refused ones write nothing)", invited, recorded)
	}
}
