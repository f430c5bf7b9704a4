package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"xinfang"
)

// A campaign through the API and pages: bad input refused naming the
// field; cases added by filter; the page with its chart whose bars open
// the cases behind them; a stale version refused (409); another town's
// reader gets 404 on the API and the pages.
func TestCampaignsAPIAndPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-04-01T09:00")
	head := env.user(t, "za_head", "ZA", xinfang.RoleUnitHead)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	leader := env.user(t, "city_leader", "XC", xinfang.RoleLeader)
	zb := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	za := env.Units["ZA"]
	for i := range 2 {
		head.ok(t, http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"title": fmt.Sprintf("积案 %d", i), "source": "self", "petitioners": "张三",
			"responsible_unit_id": za.ID, "leader_id": leader.ID, "deadline": "2026-05-31"}, nil)
	}
	env.setNow(t, "2026-04-02T09:00")

	body := map[string]any{"name": "信访积案清零", "unit_id": za.ID, "start_on": "2026-04-02", "end_on": "2026-12-31", "resolve_target": 90,
		"targets": []map[string]any{{"by": "2026-06-30", "closed": 1}, {"by": "2026-12-31", "closed": 2}}}
	wantError(t, head.do(t, "POST", "/api/v1/campaigns", map[string]any{"name": "", "unit_id": za.ID, "start_on": "2026-04-02", "end_on": "2026-12-31"}), http.StatusUnprocessableEntity, "name")
	wantError(t, handler.do(t, "POST", "/api/v1/campaigns", body), http.StatusForbidden, "")
	var g xinfang.Campaign
	head.ok(t, http.StatusCreated, "POST", "/api/v1/campaigns", body, &g)
	id := fmt.Sprint(g.ID)
	var added struct {
		Version int
		Added   int
	}
	head.ok(t, http.StatusOK, "POST", "/api/v1/campaigns/"+id+"/cases", map[string]any{"version": g.Version, "by_filter": true, "unit_id": za.ID}, &added)
	if added.Added != 2 || added.Version != 2 {
		t.Fatalf("added %+v", added)
	}
	wantError(t, head.do(t, "POST", "/api/v1/campaigns/"+id+"/cases", map[string]any{"version": 1, "by_filter": true, "unit_id": za.ID}), http.StatusConflict, "version")

	var detail struct {
		Cases    int
		Progress xinfang.CampaignProgress
		List     []xinfang.CampaignCase `json:"case_list"`
	}
	handler.ok(t, http.StatusOK, "GET", "/api/v1/campaigns/"+id+"?by=week", nil, &detail)
	if detail.Cases != 2 || detail.Progress.BehindTotal != 2 || len(detail.Progress.ByLeader) != 1 || len(detail.List) != 2 {
		t.Errorf("detail %+v", detail)
	}
	wantError(t, handler.do(t, "GET", "/api/v1/campaigns/"+id+"?by=year", nil), http.StatusUnprocessableEntity, "by")

	status, _, page := handler.page(t, "GET", "/campaigns/"+id, nil)
	if status != http.StatusOK || !strings.Contains(page, "<svg") || !strings.Contains(page, "/campaigns/"+id+"/cases?") || !strings.Contains(page, "谁在拖后腿") {
		t.Errorf("campaign page %d", status)
	}
	if status, _, page := handler.page(t, "GET", "/campaigns/"+id+"/cases?what=behind", nil); status != http.StatusOK || strings.Count(page, `href="/cases/`) != 2 {
		t.Errorf("the cases behind: %d", status)
	}
	// A removal without a reason: the page again, naming the field.
	status, _, page = head.page(t, "POST", "/campaigns/"+id+"/cases/"+fmt.Sprint(detail.List[0].CaseID)+"/remove", url.Values{"version": {"2"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "移出专项行动须写明理由") {
		t.Errorf("removal without a reason: %d", status)
	}
	status, loc, _ := head.page(t, "POST", "/campaigns/"+id+"/cases/"+fmt.Sprint(detail.List[0].CaseID)+"/remove", url.Values{"version": {"2"}, "reason": {"已另案处理"}})
	if status != http.StatusSeeOther || loc != "/campaigns/"+id+"?done=remove" {
		t.Errorf("removal: %d %s", status, loc)
	}

	for _, path := range []string{"/api/v1/campaigns/" + id, "/campaigns/" + id, "/campaigns/" + id + "/cases"} {
		if r := zb.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("town B GET %s: %d", path, r.Status)
		}
	}
	var list struct{ Items []xinfang.Campaign }
	zb.ok(t, http.StatusOK, "GET", "/api/v1/campaigns", nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("town B lists %d campaigns", len(list.Items))
	}
}

// Follow-up visits through the API and pages: due after the configured
// days, not before and not after a visit; a visit that finds the matter
// unsettled hands a task to the handling unit, listed on its task list; a
// visit recorded meanwhile is a conflict; another town gets 404.
func TestFollowupsAPIAndPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	zb := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	p := handler.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
	p = handler.act(t, p, xinfang.ActAccept, nil)
	p = handler.act(t, p, xinfang.ActReply, map[string]any{"outcome": "support", "facts": "查明属实", "opinion": "支持诉求"})
	pid := fmt.Sprint(p.ID)

	var due struct{ Total int }
	env.setNow(t, "2026-03-31T09:00")
	handler.ok(t, http.StatusOK, "GET", "/api/v1/followups/due", nil, &due)
	if due.Total != 0 {
		t.Errorf("due after 29 days: %d", due.Total)
	}
	env.setNow(t, "2026-04-01T09:00")
	handler.ok(t, http.StatusOK, "GET", "/api/v1/followups/due", nil, &due)
	if due.Total != 1 {
		t.Errorf("due after 30 days: %d", due.Total)
	}
	if status, _, page := handler.page(t, "GET", "/followups", nil); status != http.StatusOK || !strings.Contains(page, "/petitions/"+pid+"/followups") {
		t.Errorf("due page %d", status)
	}
	zb.ok(t, http.StatusOK, "GET", "/api/v1/followups/due", nil, &due)
	if due.Total != 0 {
		t.Errorf("town B's due list: %d", due.Total)
	}
	for _, path := range []string{"/api/v1/petitions/" + pid + "/followups", "/petitions/" + pid + "/followups"} {
		if r := zb.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("town B GET %s: %d", path, r.Status)
		}
	}

	// The form: unsettled without a choice is refused naming it.
	status, _, page := handler.page(t, "POST", "/petitions/"+pid+"/followups", url.Values{"seen": {"0"}, "visited_on": {"2026-04-01"}, "by": {"钱承办"},
		"how": {"home"}, "mood": {"unhappy"}, "settled": {"0"}, "note": {"补偿款未到位"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "请选择交办任务或纳入信访积案") {
		t.Errorf("unsettled without a choice: %d", status)
	}
	status, loc, _ := handler.page(t, "POST", "/petitions/"+pid+"/followups", url.Values{"seen": {"0"}, "visited_on": {"2026-04-01"}, "by": {"钱承办"},
		"how": {"home"}, "mood": {"unhappy"}, "settled": {"0"}, "note": {"补偿款未到位"}, "reopen": {"task"}, "task_deadline": {"2026-04-20"}})
	if status != http.StatusSeeOther || loc != "/petitions/"+pid+"/followups?done=1" {
		t.Fatalf("visit: %d %s", status, loc)
	}
	wantError(t, handler.do(t, "POST", "/api/v1/petitions/"+pid+"/followups", map[string]any{"seen": 0, "visited_on": "2026-04-01", "by": "钱承办", "how": "phone",
		"mood": "stable", "settled": true}), http.StatusConflict, "version")
	handler.ok(t, http.StatusOK, "GET", "/api/v1/followups/due", nil, &due)
	if due.Total != 0 {
		t.Errorf("due after the visit: %d", due.Total)
	}
	var tasks struct{ Items []xinfang.Task }
	handler.ok(t, http.StatusOK, "GET", "/api/v1/tasks?origin=followup", nil, &tasks)
	if len(tasks.Items) != 1 || tasks.Items[0].PetitionID != p.ID || tasks.Items[0].Deadline.String() != "2026-04-20" {
		t.Errorf("the handling unit's tasks: %+v", tasks.Items)
	}
	if status, _, page := handler.page(t, "GET", "/tasks", nil); status != http.StatusOK || !strings.Contains(page, "回访未息诉") {
		t.Errorf("task page %d", status)
	}
	if status, _, page := handler.page(t, "GET", "/petitions/"+pid, nil); status != http.StatusOK || !strings.Contains(page, `id="followups"`) || !strings.Contains(page, "未息诉罢访") {
		t.Errorf("the petition page does not list its visit (%d)", status)
	}
}

// The terminate form offers the aftercare measures as boxes; those ticked
// become tasks of the 联席办, listed on its task page.
func TestTerminateAftercareForm(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	env.unit(t, "GAJ", "市公安局", xinfang.UnitLegal, env.Units["XC"])
	env.unit(t, "LXB", "市联席办", xinfang.UnitJoint, env.Units["XC"])
	police := env.user(t, "gaj_handler", "GAJ", xinfang.RoleHandler)
	joint := env.user(t, "lxb_head", "LXB", xinfang.RoleUnitHead)
	p := police.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, map[string]any{"legal_case": true}))
	p = police.act(t, p, xinfang.ActAccept, nil)
	pid := fmt.Sprint(p.ID)
	_, _, page := police.page(t, "GET", "/petitions/"+pid, nil)
	if !strings.Contains(page, `name="aftercare_measures" value="psychological"`) {
		t.Fatal("the terminate form offers no aftercare measures")
	}
	status, loc, _ := police.page(t, "POST", "/petitions/"+pid+"/actions/terminate", url.Values{"version": {fmt.Sprint(p.Version)},
		"reason": {"已穷尽法律程序"}, "aftercare_measures": {"relief", "psychological"}, "aftercare": {"属地镇落实专人"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/petitions/"+pid) {
		t.Fatalf("terminate: %d %s", status, loc)
	}
	var tasks struct{ Items []xinfang.Task }
	joint.ok(t, http.StatusOK, "GET", "/api/v1/tasks?origin=aftercare", nil, &tasks)
	if len(tasks.Items) != 2 || tasks.Items[0].Title != "善后帮扶：帮扶救助（属地镇落实专人）" || tasks.Items[0].Deadline.String() != "2026-04-01" {
		t.Errorf("the 联席办's tasks: %+v", tasks.Items)
	}
	if status, _, page := joint.page(t, "GET", "/tasks?origin=aftercare", nil); status != http.StatusOK || !strings.Contains(page, "心理疏导") {
		t.Errorf("the 联席办's task page: %d", status)
	}
	wantError(t, joint.do(t, "GET", "/api/v1/tasks?origin=x", nil), http.StatusUnprocessableEntity, "origin")
}
