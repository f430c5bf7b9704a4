package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"xinfang"
)

// Conflict screening through the API and pages: bad input refused naming
// the field; a town sees only its subtree's reports (404 otherwise, API
// and pages); a report becomes a petition in one step and each page links
// the other; a stale version is refused (409); the round lists the units
// that have not reported until they report or file 零报告; the counts of
// settlements by level.
func TestScreeningAPIAndPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	village := env.unit(t, "ZA01", "甲镇东村", xinfang.UnitVillage, env.Units["ZA"])
	env.unit(t, "ZB01", "乙镇西村", xinfang.UnitVillage, env.Units["ZB"])
	za := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	zb := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	reg := env.user(t, "xfj_reg", "XFJ", xinfang.RoleRegistrar)
	leader := env.user(t, "city_leader", "XC", xinfang.RoleLeader)

	report := map[string]any{"unit_id": village.ID, "source": "visit", "found_on": "2026-03-01", "summary": "宅基地边界纠纷", "parties": "刘某；陈某",
		"place": "东村三组", "category": "0501", "risk_level": "medium", "owner": "杨主任", "due_on": "2026-03-20"}
	bad := map[string]any{}
	for k, v := range report {
		bad[k] = v
	}
	bad["source"] = "rumour"
	wantError(t, za.do(t, "POST", "/api/v1/screening/reports", bad), http.StatusUnprocessableEntity, "source")
	wantError(t, zb.do(t, "POST", "/api/v1/screening/reports", report), http.StatusUnprocessableEntity, "unit_id")
	wantError(t, leader.do(t, "POST", "/api/v1/screening/reports", report), http.StatusForbidden, "")
	var list struct{ Total int }
	leader.ok(t, http.StatusOK, "GET", "/api/v1/screening/reports", nil, &list)
	if list.Total != 0 {
		t.Fatalf("refused reports left %d", list.Total)
	}

	// A round of the city expects both towns and both villages.
	var round xinfang.ScreeningRound
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/screening/rounds", map[string]any{"unit_id": env.Units["XC"].ID, "period": "2026-03", "due_on": "2026-03-25"}, &round)
	if round.Counts.Expected != 4 || round.Counts.Missing != 4 {
		t.Fatalf("round: %+v", round.Counts)
	}
	roundPage := fmt.Sprintf("/screening-rounds/%d", round.ID)
	if _, _, body := reg.page(t, "GET", roundPage, nil); !strings.Contains(body, `id="missing-list"`) || !strings.Contains(body, "甲镇东村") {
		t.Fatalf("the round page does not list the missing units")
	}

	report["round_id"] = round.ID
	var r xinfang.ScreeningReport
	za.ok(t, http.StatusCreated, "POST", "/api/v1/screening/reports", report, &r)
	id := fmt.Sprint(r.ID)

	// Town B sees neither the report nor its page.
	for _, path := range []string{"/api/v1/screening/reports/" + id, "/screening/" + id} {
		if got := zb.do(t, "GET", path, nil); got.Status != http.StatusNotFound {
			t.Errorf("town B GET %s: %d", path, got.Status)
		}
	}
	zb.ok(t, http.StatusOK, "GET", "/api/v1/screening/reports", nil, &list)
	if list.Total != 0 {
		t.Errorf("town B lists %d reports", list.Total)
	}
	leader.ok(t, http.StatusOK, "GET", "/api/v1/screening/reports", nil, &list)
	if list.Total != 1 {
		t.Errorf("the city leader lists %d reports", list.Total)
	}

	// 零报告 of town B's village through the page; town A's village has reported.
	if st, _, _ := zb.page(t, "POST", roundPage+"/nil-returns", url.Values{"unit_id": {fmt.Sprint(env.Units["ZA"].ID)}}); st != http.StatusUnprocessableEntity {
		t.Errorf("town B files town A's nil return: %d", st)
	}
	zbVillage := fmt.Sprint(env.Units["ZB01"].ID)
	if st, loc, _ := zb.page(t, "POST", roundPage+"/nil-returns", url.Values{"unit_id": {zbVillage}}); st != http.StatusSeeOther || !strings.HasPrefix(loc, roundPage) {
		t.Errorf("nil return: %d %s", st, loc)
	}
	reg.ok(t, http.StatusOK, "GET", "/api/v1/screening/rounds/"+fmt.Sprint(round.ID), nil, &round)
	missing := map[string]bool{}
	for _, u := range round.Missing() {
		missing[u.UnitName] = true
	}
	if len(missing) != 2 || !missing["甲镇"] || !missing["乙镇"] {
		t.Errorf("missing after a report and a nil return: %v", missing)
	}

	// One step to a petition; a stale version is refused and writes nothing.
	in := map[string]any{"version": r.Version + 1, "purpose": "claim", "petitioner": map[string]any{"name": "刘某", "phone": "13900001111"}}
	wantError(t, za.do(t, "POST", "/api/v1/screening/reports/"+id+"/petition", in), http.StatusConflict, "version")
	in["version"] = r.Version
	delete(in, "petitioner")
	wantError(t, za.do(t, "POST", "/api/v1/screening/reports/"+id+"/petition", in), http.StatusUnprocessableEntity, "petitioner.name")
	var petitions struct{ Total int }
	leader.ok(t, http.StatusOK, "GET", "/api/v1/petitions", nil, &petitions)
	if petitions.Total != 0 {
		t.Fatalf("refused conversions registered %d petitions", petitions.Total)
	}
	// Through the page's form: the answer goes to the new petition.
	st, loc, _ := za.page(t, "POST", "/screening/"+id+"/petition", url.Values{"version": {fmt.Sprint(r.Version)}, "purpose": {"claim"},
		"petitioner_name": {"刘某"}, "petitioner_phone": {"13900001111"}})
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/petitions/") {
		t.Fatalf("to petition: %d %s", st, loc)
	}
	za.ok(t, http.StatusOK, "GET", "/api/v1/screening/reports/"+id, nil, &r)
	if r.State != xinfang.ScreeningPetition || r.PetitionID == 0 || loc != fmt.Sprintf("/petitions/%d/created", r.PetitionID) {
		t.Fatalf("the report after conversion: %+v (went to %s)", r, loc)
	}
	loc = fmt.Sprintf("/petitions/%d", r.PetitionID)
	if _, _, body := za.page(t, "GET", loc, nil); !strings.Contains(body, `id="screening-origin"`) || !strings.Contains(body, r.Number) {
		t.Errorf("the petition page does not show the report it came from")
	}
	if _, _, body := za.page(t, "GET", "/screening/"+id, nil); !strings.Contains(body, `id="petition-link"`) || !strings.Contains(body, r.PetitionNumber) {
		t.Errorf("the report page does not link its petition")
	}

	// Another report, settled by the town; the counts by level.
	report["summary"] = "邻里排水纠纷"
	var r2 xinfang.ScreeningReport
	za.ok(t, http.StatusCreated, "POST", "/api/v1/screening/reports", report, &r2)
	wantError(t, za.do(t, "POST", fmt.Sprintf("/api/v1/screening/reports/%d/settle", r2.ID), map[string]any{"version": r2.Version, "level": "town", "settled_on": "2026-03-02"}), http.StatusUnprocessableEntity, "note")
	za.ok(t, http.StatusOK, "POST", fmt.Sprintf("/api/v1/screening/reports/%d/settle", r2.ID), map[string]any{"version": r2.Version, "level": "town", "settled_on": "2026-03-02", "note": "镇综治中心调处"}, &r2)
	wantError(t, za.do(t, "POST", fmt.Sprintf("/api/v1/screening/reports/%d/settle", r2.ID), map[string]any{"version": r2.Version - 1, "level": "town", "settled_on": "2026-03-02", "note": "x"}), http.StatusConflict, "version")
	var counts xinfang.ScreeningCounts
	leader.ok(t, http.StatusOK, "GET", "/api/v1/screening/counts", nil, &counts)
	if counts.Total != 2 || counts.Petition != 1 || counts.Settled[xinfang.LevelTown] != 1 || counts.Settled[xinfang.LevelVillage] != 0 {
		t.Errorf("counts: %+v", counts)
	}
	if _, _, body := leader.page(t, "GET", "/screening", nil); !strings.Contains(body, `<dd id="count-town">1</dd>`) {
		t.Errorf("the list page does not count the town's settlement")
	}

	// To a backlog case through the page: the case page shows the report.
	report["summary"] = "征地补偿分配纠纷"
	var r3 xinfang.ScreeningReport
	za.ok(t, http.StatusCreated, "POST", "/api/v1/screening/reports", report, &r3)
	if st, _, _ := za.page(t, "POST", fmt.Sprintf("/screening/%d/case", r3.ID), url.Values{"version": {fmt.Sprint(r3.Version)}}); st != http.StatusUnprocessableEntity {
		t.Errorf("a case without its leader: %d", st)
	}
	st, loc, _ = za.page(t, "POST", fmt.Sprintf("/screening/%d/case", r3.ID), url.Values{"version": {fmt.Sprint(r3.Version)}, "leader_id": {fmt.Sprint(leader.ID)}, "deadline": {"2026-06-30"}})
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/") {
		t.Fatalf("to case: %d %s", st, loc)
	}
	if _, _, body := za.page(t, "GET", loc, nil); !strings.Contains(body, `id="screening-origin"`) || !strings.Contains(body, r3.Number) {
		t.Errorf("the case page does not show the report it came from")
	}
}

// A 稳评 through the API and pages: refused input names the field; a
// petition linked by staff who see it shows on both pages; a stale edit
// is refused; another town gets 404.
func TestRiskAssessmentAPIAndPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	za := env.user(t, "za_head", "ZA", xinfang.RoleUnitHead)
	zb := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	body := map[string]any{"decision": "甲镇旧村改造", "body": "甲镇人民政府", "unit_id": env.Units["ZA"].ID, "risks": "补偿争议", "measures": "公开补偿标准",
		"level": "high", "conclusion": "proceed", "reviewers": "镇长、律师", "assessed_on": "2026-02-20"}
	wantError(t, za.do(t, "POST", "/api/v1/risk-assessments", body), http.StatusUnprocessableEntity, "conclusion")
	body["conclusion"] = "with_measures"
	var a xinfang.RiskAssessment
	za.ok(t, http.StatusCreated, "POST", "/api/v1/risk-assessments", body, &a)
	id := fmt.Sprint(a.ID)
	for _, path := range []string{"/api/v1/risk-assessments/" + id, "/risks/" + id} {
		if got := zb.do(t, "GET", path, nil); got.Status != http.StatusNotFound {
			t.Errorf("town B GET %s: %d", path, got.Status)
		}
	}
	p := za.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
	pb := zb.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZB"].ID, map[string]any{"petitioner": map[string]any{"name": "李四", "phone": "13900002222"}}))
	wantError(t, za.do(t, "POST", "/api/v1/risk-assessments/"+id+"/petitions", map[string]any{"petition_id": pb.ID}), http.StatusUnprocessableEntity, "petition_id")
	if st, _, _ := za.page(t, "POST", "/risks/"+id+"/petitions", url.Values{"petition": {p.Number}}); st != http.StatusSeeOther {
		t.Fatalf("link through the page: %d", st)
	}
	za.ok(t, http.StatusOK, "GET", "/api/v1/risk-assessments/"+id, nil, &a)
	if len(a.Petitions) != 1 || a.Petitions[0].PetitionID != p.ID {
		t.Fatalf("linked: %+v", a.Petitions)
	}
	if _, _, page := za.page(t, "GET", fmt.Sprintf("/petitions/%d", p.ID), nil); !strings.Contains(page, `id="risk-decisions"`) || !strings.Contains(page, a.Number) {
		t.Errorf("the petition page does not show the decision")
	}
	if _, _, page := za.page(t, "GET", "/risks/"+id, nil); !strings.Contains(page, p.Number) {
		t.Errorf("the decision page does not list the petition")
	}
	body["version"], body["decided_on"] = a.Version, "2026-03-01"
	za.ok(t, http.StatusOK, "PUT", "/api/v1/risk-assessments/"+id, body, &a)
	wantError(t, za.do(t, "PUT", "/api/v1/risk-assessments/"+id, body), http.StatusConflict, "version")
	za.ok(t, http.StatusOK, "DELETE", fmt.Sprintf("/api/v1/risk-assessments/%s/petitions/%d", id, p.ID), nil, &a)
	if len(a.Petitions) != 0 {
		t.Errorf("after unlink: %+v", a.Petitions)
	}
}
