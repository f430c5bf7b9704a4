package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"xinfang"
)

// A leader's reception through the API and the pages: the schedule every
// staff member reads, the record only in scope (404 otherwise); a matter
// registered as a 领导接访 item in one request, shown on the item's page;
// the channel refused on the ordinary registration; joining a matter to
// an item the recorder does not see refused on petition_id.
func TestReceptionsAPIAndPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar)
	leader := env.user(t, "city_leader", "XC", xinfang.RoleLeader)
	other := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	lawyer := env.user(t, "lawyer_han", "XC", xinfang.RoleLawyer)
	auditor := env.user(t, "auditor1", "XC", xinfang.RoleAuditor)
	za := env.Units["ZA"].ID

	wantError(t, reg.do(t, "POST", "/api/v1/receptions", map[string]any{"kind": "visit", "leader_id": reg.ID, "on": "2026-03-04", "place": "甲镇接待室"}), http.StatusUnprocessableEntity, "leader_id")
	var rc xinfang.Reception
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/receptions", map[string]any{"kind": "visit", "leader_id": leader.ID, "on": "2026-03-04", "place": "甲镇接待室",
		"topic": "劳动保障", "lawyer_ids": []int64{lawyer.ID}}, &rc)
	id := fmt.Sprint(rc.ID)

	// The schedule is everybody's on the staff; the record is not.
	var sched struct{ Items []xinfang.ScheduledReception }
	other.ok(t, http.StatusOK, "GET", "/api/v1/receptions/schedule", nil, &sched)
	if len(sched.Items) != 1 || sched.Items[0].LeaderName != leader.Username {
		t.Fatalf("schedule: %+v", sched.Items)
	}
	if st, _, body := auditor.page(t, "GET", "/receptions/schedule", nil); st != http.StatusOK || !strings.Contains(body, leader.Username) || !strings.Contains(body, "甲镇接待室") {
		t.Errorf("the auditor's schedule page: %d", st)
	}
	// The invited lawyer reads the schedule and finds his reception.
	if st, _, page := lawyer.page(t, "GET", "/receptions", nil); st != http.StatusOK || !strings.Contains(page, `href="/receptions/`+id+`"`) {
		t.Errorf("the lawyer's receptions page (%d)", st)
	}
	if st, _, _ := lawyer.page(t, "GET", "/receptions/schedule", nil); st != http.StatusOK {
		t.Errorf("the lawyer's schedule page: %d", st)
	}
	for _, path := range []string{"/api/v1/receptions/" + id, "/receptions/" + id} {
		if r := other.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("town B GET %s: %d", path, r.Status)
		}
		for _, c := range []*apiClient{reg, leader, lawyer} {
			if r := c.do(t, "GET", path, nil); r.Status != http.StatusOK {
				t.Errorf("%s GET %s: %d", c.Username, path, r.Status)
			}
		}
	}

	// Nothing is received before the day.
	body := map[string]any{"version": rc.Version, "petitioners": "张三", "raised": "工地欠薪", "instruction": "请甲镇限期处理",
		"petition": registration("2026-03-02T08:30:00+08:00", za, nil)}
	wantError(t, reg.do(t, "POST", "/api/v1/receptions/"+id+"/matters", body), http.StatusUnprocessableEntity, "on")
	env.setNow(t, "2026-03-04T10:00")
	reg.ok(t, http.StatusOK, "POST", "/api/v1/receptions/"+id+"/matters", body, &rc)
	if len(rc.Matters) != 1 || !rc.Matters[0].Registered {
		t.Fatalf("matters: %+v", rc.Matters)
	}
	pid := rc.Matters[0].PetitionID
	var p xinfang.Petition
	reg.ok(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/petitions/%d", pid), nil, &p)
	if p.Channel != xinfang.ChannelLeaderReception {
		t.Errorf("the registered item's channel: %s", p.Channel)
	}
	var back struct{ Items []xinfang.ReceptionMatter }
	reg.ok(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/petitions/%d/receptions", pid), nil, &back)
	if len(back.Items) != 1 || back.Items[0].ReceptionID != rc.ID {
		t.Errorf("the item's receptions: %+v", back.Items)
	}
	if st, _, page := reg.page(t, "GET", fmt.Sprintf("/petitions/%d", pid), nil); st != http.StatusOK || !strings.Contains(page, `id="receptions"`) || !strings.Contains(page, "请甲镇限期处理") {
		t.Errorf("the item's page does not show the reception (%d)", st)
	}
	if r := other.do(t, "GET", fmt.Sprintf("/api/v1/petitions/%d/receptions", pid), nil); r.Status != http.StatusNotFound {
		t.Errorf("town B reads the item's receptions: %d", r.Status)
	}
	// The ordinary registration refuses the channel.
	wantError(t, reg.do(t, "POST", "/api/v1/petitions", registration("2026-03-04T09:30:00+08:00", za, map[string]any{"channel": "leader_reception"})), http.StatusUnprocessableEntity, "channel")

	// The page's join form: town B's item is refused by field, one of
	// town A is joined.
	theirs := other.register(t, registration("2026-03-03T09:30:00+08:00", env.Units["ZB"].ID, nil))
	ours := reg.register(t, registration("2026-03-03T10:30:00+08:00", za, nil))
	form := url.Values{"version": {fmt.Sprint(rc.Version)}, "petitioners": {"李四"}, "raised": {"征地补偿"}, "instruction": {"请核实"}, "mode": {"join"}, "petition": {theirs.Number}}
	if st, _, page := reg.page(t, "POST", "/receptions/"+id+"/matters", form); st != http.StatusUnprocessableEntity || !strings.Contains(page, "不存在或无权查看") {
		t.Errorf("joining town B's item: %d", st)
	}
	form.Set("petition", ours.Number)
	if st, loc, _ := reg.page(t, "POST", "/receptions/"+id+"/matters", form); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/receptions/"+id) {
		t.Errorf("joining town A's item: %d %s", st, loc)
	}
	// A stale version is a conflict.
	if st, _, _ := reg.page(t, "POST", "/receptions/"+id+"/matters", form); st != http.StatusConflict {
		t.Errorf("a stale matter form: %d", st)
	}
	reg.ok(t, http.StatusOK, "GET", "/api/v1/receptions/"+id, nil, &rc)
	if st, _, page := reg.page(t, "POST", "/receptions/"+id+"/record", url.Values{"version": {fmt.Sprint(rc.Version)}}); st != http.StatusUnprocessableEntity || !strings.Contains(page, "请填写接访情况") {
		t.Errorf("the record form without a summary: %d", st)
	}
	rec := map[string]any{"version": rc.Version, "summary": "接待 2 批", "attendance": []map[string]any{{"participant_id": rc.Participants[0].ID, "attendance": "present", "remarks": "释法"}}}
	reg.ok(t, http.StatusOK, "POST", "/api/v1/receptions/"+id+"/record", rec, &rc)
	if rc.State != xinfang.ReceptionHeld || len(rc.Matters) != 2 || rc.Participants[0].Remarks != "释法" {
		t.Errorf("recorded: %+v", rc)
	}
}

// A special meeting through the API and pages: a decision becomes a task
// with owner and deadline, listed as the owner's and late once its
// deadline passes; done from the meeting's page through the item's own
// task action closes it; the meeting is not found outside its scope.
func TestMeetingsAPIAndPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar)
	head := env.user(t, "za_head", "ZA", xinfang.RoleUnitHead)
	leader := env.user(t, "city_leader", "XC", xinfang.RoleLeader)
	other := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))

	in := map[string]any{"kind": "coordination", "title": "欠薪问题协调会", "held_on": "2026-03-02", "chair_id": reg.ID, "petition_ids": []int64{p.ID}}
	wantError(t, reg.do(t, "POST", "/api/v1/meetings", in), http.StatusUnprocessableEntity, "chair_id")
	in["chair_id"] = leader.ID
	var m xinfang.Meeting
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/meetings", in, &m)
	id := fmt.Sprint(m.ID)
	for _, path := range []string{"/api/v1/meetings/" + id, "/meetings/" + id} {
		if r := other.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("town B GET %s: %d", path, r.Status)
		}
	}
	wantError(t, reg.do(t, "POST", "/api/v1/meetings/"+id+"/decisions", map[string]any{"version": m.Version, "petition_id": p.ID, "title": "答复", "owner_user_id": head.ID}), http.StatusUnprocessableEntity, "deadline")
	reg.ok(t, http.StatusOK, "POST", "/api/v1/meetings/"+id+"/decisions", map[string]any{"version": m.Version, "petition_id": p.ID, "title": "三日内书面答复信访人",
		"owner_user_id": head.ID, "deadline": "2026-03-05"}, &m)
	if len(m.Decisions) != 1 || m.Decisions[0].OwnerUserID != head.ID || m.Decisions[0].PetitionID != p.ID {
		t.Fatalf("decisions: %+v", m.Decisions)
	}
	wantError(t, reg.do(t, "PUT", "/api/v1/meetings/"+id+"/minutes", map[string]any{"version": m.Version - 1, "minutes": "纪要"}), http.StatusConflict, "version")

	env.setNow(t, "2026-03-10T09:00")
	var late struct{ Items []xinfang.DecisionTask }
	head.ok(t, http.StatusOK, "GET", "/api/v1/meeting-decisions?mine=true&late=true", nil, &late)
	if len(late.Items) != 1 || late.Items[0].MeetingTitle != "欠薪问题协调会" {
		t.Fatalf("the owner's late decisions: %+v", late.Items)
	}
	if st, _, page := head.page(t, "GET", "/meetings/decisions?late=1", nil); st != http.StatusOK || !strings.Contains(page, "三日内书面答复信访人") || !strings.Contains(page, "逾期") {
		t.Errorf("the late decisions page (%d)", st)
	}
	if st, _, page := head.page(t, "GET", "/", nil); st != http.StatusOK || !strings.Contains(page, `id="desk-decisions"`) || !strings.Contains(page, "三日内书面答复信访人") {
		t.Errorf("the owner's workbench does not list the decision (%d)", st)
	}
	task := m.Decisions[0]
	if r := reg.tryLogin(t, reg.Password); r.Status != http.StatusOK { // the session expired over the days
		t.Fatalf("login: %s", r)
	}
	form := url.Values{"version": {fmt.Sprint(task.Version)}, "state": {"done"}, "note": {"已书面答复"}}
	if st, loc, _ := reg.page(t, "POST", fmt.Sprintf("/meetings/%s/decisions/%d", id, task.ID), form); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/meetings/"+id) {
		t.Fatalf("done from the meeting's page: %d %s", st, loc)
	}
	head.ok(t, http.StatusOK, "GET", "/api/v1/meeting-decisions?mine=true&late=true", nil, &late)
	if len(late.Items) != 0 {
		t.Errorf("a done decision is late")
	}
	reg.ok(t, http.StatusOK, "GET", "/api/v1/meetings/"+id, nil, &m)
	if m.Decisions[0].State != xinfang.TaskDone || m.Decisions[0].DoneNote != "已书面答复" {
		t.Errorf("after done: %+v", m.Decisions[0])
	}
	// The task is the petition's own.
	var tasks struct{ Items []xinfang.Task }
	reg.ok(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/petitions/%d/tasks", p.ID), nil, &tasks)
	if len(tasks.Items) != 1 || tasks.Items[0].MeetingID != m.ID {
		t.Errorf("the petition's tasks: %+v", tasks.Items)
	}
}
