package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb/sqldbtest"
)

// discEnv is the API environment of apitest_helpers_test.go over a fresh
// database of dialect, so that the discipline API runs on SQLite and on
// PostgreSQL.
func discEnv(t *testing.T, dialect string) *apiEnv {
	t.Helper()
	return newAPIEnvOn(t, sqldbtest.Open(t, dialect), "2026-06-15T09:00")
}

// discPeople are the accounts of the discipline tests.
type discPeople struct {
	inspector, leader, registrar, handlerA, handlerB *apiClient
}

func newDiscPeople(t *testing.T, e *apiEnv) discPeople {
	t.Helper()
	return discPeople{
		inspector: e.user(t, "jw.inspector", "JW", xinfang.RoleInspector),
		leader:    e.user(t, "city.leader", "XC", xinfang.RoleLeader),
		registrar: e.user(t, "xfj.reg", "XFJ", xinfang.RoleRegistrar),
		handlerA:  e.user(t, "za.handler", "ZA", xinfang.RoleHandler),
		handlerB:  e.user(t, "zb.handler", "ZB", xinfang.RoleHandler),
	}
}

// discIDNumber returns a valid ID number distinct for n.
func discIDNumber(n int) string {
	first := "11010119700101" + strconv.Itoa(100+n%900)
	return first + string(xinfang.IDNumberCheckChar(first))
}

// discRegister registers a petition of person n about town A.
func discRegister(t *testing.T, e *apiEnv, reg *apiClient, n int, change map[string]any) petitionView {
	t.Helper()
	b := registration("2026-06-15T08:00:00+08:00", e.Units["ZA"].ID, change)
	b["petitioner"] = map[string]any{"name": "信访人" + strconv.Itoa(n), "id_number": discIDNumber(n), "phone": "13812345678"}
	return reg.register(t, b)
}

type watchPage struct {
	Items []struct {
		Kind            string `json:"kind"`
		Count           int    `json:"count"`
		PetitionerName  string `json:"petitioner_name"`
		InvestigationID int64  `json:"investigation_id"`
		Items           []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		Matter struct {
			ID int64 `json:"id"`
		} `json:"matter"`
	} `json:"items"`
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
}

func TestDisciplineAPI(t *testing.T) {
	for _, d := range sqldbtest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			e := discEnv(t, d)
			who := newDiscPeople(t, e)
			za := e.Units["ZA"].ID

			// Person 1: three repeats on one matter; person 2: two; person
			// 3: a visit to Beijing.
			root := discRegister(t, e, who.registrar, 1, nil)
			for range 3 {
				discRegister(t, e, who.registrar, 1, map[string]any{"repeat_of_id": root.ID})
			}
			other := discRegister(t, e, who.registrar, 2, nil)
			for range 2 {
				discRegister(t, e, who.registrar, 2, map[string]any{"repeat_of_id": other.ID})
			}
			beijing := discRegister(t, e, who.registrar, 3, map[string]any{"escalation": "beijing"})

			var wp watchPage
			who.inspector.ok(t, http.StatusOK, "GET", "/api/v1/discipline/watch?kind=repeat", nil, &wp)
			if wp.Total != 1 || len(wp.Items) != 1 || wp.Items[0].Count != 3 || wp.Items[0].PetitionerName != "信访人1" || len(wp.Items[0].Items) != 4 {
				t.Fatalf("repeat watch list: %+v", wp)
			}
			if wp.Counts["repeat"] != 1 || wp.Counts["escalation"] != 1 || wp.Counts["handed_down"] != 0 {
				t.Errorf("counts %v", wp.Counts)
			}
			who.leader.ok(t, http.StatusOK, "GET", "/api/v1/discipline/watch", nil, &wp)
			if wp.Total != 2 {
				t.Errorf("leader sees %d rows, want 2", wp.Total)
			}
			wantError(t, who.handlerA.do(t, "GET", "/api/v1/discipline/watch", nil), http.StatusForbidden, "")
			wantError(t, who.inspector.do(t, "GET", "/api/v1/discipline/watch?kind=people", nil), http.StatusUnprocessableEntity, "kind")
			wantError(t, who.inspector.do(t, "GET", "/api/v1/discipline/watch?sort=x", nil), http.StatusUnprocessableEntity, "sort")

			// 一案双查.
			open := map[string]any{"petition_id": beijing.ID, "cause": "inadequate", "summary": "处理不到位导致进京", "unit_id": za}
			wantError(t, who.handlerA.do(t, "POST", "/api/v1/discipline/investigations", open), http.StatusForbidden, "")
			wantError(t, who.inspector.do(t, "POST", "/api/v1/discipline/investigations", map[string]any{"petition_id": root.ID, "cause": "unclear", "summary": "x"}),
				http.StatusUnprocessableEntity, "petition_id")
			var iv xinfang.Investigation
			who.inspector.ok(t, http.StatusCreated, "POST", "/api/v1/discipline/investigations", open, &iv)
			if iv.UnitID != za || iv.State != "open" || iv.Escalation != "beijing" {
				t.Fatalf("opened %+v", iv)
			}
			ivPath := "/api/v1/discipline/investigations/" + strconv.FormatInt(iv.ID, 10)
			wantError(t, who.inspector.do(t, "POST", "/api/v1/discipline/investigations", open), http.StatusConflict, "petition_id")
			wantError(t, who.handlerA.do(t, "GET", ivPath, nil), http.StatusForbidden, "")
			who.leader.ok(t, http.StatusOK, "GET", ivPath, nil, nil)
			who.inspector.ok(t, http.StatusOK, "GET", "/api/v1/discipline/watch?kind=escalation", nil, &wp)
			if len(wp.Items) != 1 || wp.Items[0].InvestigationID != iv.ID {
				t.Errorf("escalation row without its investigation: %+v", wp.Items)
			}

			closeErr := wantError(t, who.inspector.do(t, "POST", ivPath+"/close", map[string]any{"version": iv.Version}), http.StatusConflict, "case_track")
			if closeErr.Error.Fields["responsibility_track"] == "" {
				t.Errorf("refusal does not name the responsibility track: %+v", closeErr)
			}
			who.inspector.ok(t, http.StatusOK, "PUT", ivPath+"/case-track", map[string]any{"version": iv.Version, "findings": "补偿款被截留", "measures": "责令退还", "outcome": "resolved"}, &iv)
			wantError(t, who.inspector.do(t, "POST", ivPath+"/close", map[string]any{"version": iv.Version}), http.StatusConflict, "responsibility_track")
			wantError(t, who.inspector.do(t, "PUT", ivPath+"/responsibility-track", map[string]any{"version": iv.Version - 1, "findings": "x"}), http.StatusConflict, "version")
			wantError(t, who.inspector.do(t, "PUT", ivPath+"/responsibility-track", map[string]any{"version": iv.Version, "findings": "x", "outcome": "notice"}),
				http.StatusUnprocessableEntity, "officials")
			who.inspector.ok(t, http.StatusOK, "PUT", ivPath+"/responsibility-track", map[string]any{"version": iv.Version,
				"officials": []map[string]any{{"name": "钱某", "unit_id": za, "position": "副镇长"}}, "findings": "未督促落实", "outcome": "notice"}, &iv)
			if len(iv.ResponsibilityTrack.Officials) != 1 || iv.ResponsibilityTrack.Officials[0].UnitName != "甲镇" {
				t.Errorf("officials %+v", iv.ResponsibilityTrack.Officials)
			}
			who.inspector.ok(t, http.StatusOK, "POST", ivPath+"/close", map[string]any{"version": iv.Version, "note": "办结"}, &iv)
			if iv.State != "closed" {
				t.Errorf("state %s after close", iv.State)
			}
			wantError(t, who.inspector.do(t, "DELETE", ivPath+"?version="+strconv.Itoa(iv.Version), nil), http.StatusConflict, "")
			var ivs struct {
				Items []xinfang.Investigation
				Total int
			}
			who.leader.ok(t, http.StatusOK, "GET", "/api/v1/discipline/investigations?state=closed", nil, &ivs)
			if ivs.Total != 1 {
				t.Errorf("closed investigations: %d", ivs.Total)
			}

			// Accountability: town staff see their own subtree only.
			acc := map[string]any{"target": "unit", "unit_id": za, "measure": "notice", "decided_on": "2026-06-12", "ground": "进京越级访",
				"petition_ids": []int64{beijing.ID}, "investigation_id": iv.ID}
			wantError(t, who.leader.do(t, "POST", "/api/v1/discipline/accountability", acc), http.StatusForbidden, "")
			bad := map[string]any{"target": "unit", "unit_id": za, "decided_on": "2026-06-12", "ground": "x"}
			wantError(t, who.inspector.do(t, "POST", "/api/v1/discipline/accountability", bad), http.StatusUnprocessableEntity, "measure")
			var a xinfang.Accountability
			who.inspector.ok(t, http.StatusCreated, "POST", "/api/v1/discipline/accountability", acc, &a)
			if a.MeasureLabel != "通报" || len(a.Petitions) != 1 || a.Petitions[0].Number != beijing.Number {
				t.Errorf("accountability %+v", a)
			}
			var accs struct {
				Items []xinfang.Accountability
				Total int
			}
			who.handlerA.ok(t, http.StatusOK, "GET", "/api/v1/discipline/accountability", nil, &accs)
			if accs.Total != 1 {
				t.Errorf("town A handler sees %d records", accs.Total)
			}
			who.handlerB.ok(t, http.StatusOK, "GET", "/api/v1/discipline/accountability", nil, &accs)
			if accs.Total != 0 {
				t.Errorf("town B handler sees %d records", accs.Total)
			}
			wantError(t, who.handlerB.do(t, "GET", "/api/v1/discipline/accountability/"+strconv.FormatInt(a.ID, 10), nil), http.StatusNotFound, "")

			// Letters: one per unit and year.
			letter := map[string]any{"unit_id": za, "year": 2026, "signed_on": "2026-01-15", "targets": []string{"不发生进京越级访", "按期办结率 100%"}}
			var l xinfang.ResponsibilityLetter
			who.inspector.ok(t, http.StatusCreated, "POST", "/api/v1/discipline/letters", letter, &l)
			wantError(t, who.inspector.do(t, "POST", "/api/v1/discipline/letters", letter), http.StatusUnprocessableEntity, "year")
			wantError(t, who.handlerA.do(t, "POST", "/api/v1/discipline/letters", map[string]any{"unit_id": za, "year": 2027, "signed_on": "2027-01-15", "targets": []string{"x"}}),
				http.StatusForbidden, "")
			letter["targets"] = []string{"不发生赴省进京越级访"}
			who.inspector.ok(t, http.StatusOK, "PUT", "/api/v1/discipline/letters/"+strconv.FormatInt(l.ID, 10), letter, &l)
			if len(l.Targets) != 1 {
				t.Errorf("targets after update: %v", l.Targets)
			}
			var ls struct {
				Items []xinfang.ResponsibilityLetter
			}
			who.handlerA.ok(t, http.StatusOK, "GET", "/api/v1/discipline/letters?year=2026", nil, &ls)
			if len(ls.Items) != 1 {
				t.Errorf("town A handler sees %d letters", len(ls.Items))
			}
			who.handlerB.ok(t, http.StatusOK, "GET", "/api/v1/discipline/letters", nil, &ls)
			if len(ls.Items) != 0 {
				t.Errorf("town B handler sees %d letters", len(ls.Items))
			}
		})
	}
}

func TestDisciplinePages(t *testing.T) {
	t.Parallel()
	e := discEnv(t, "sqlite")
	who := newDiscPeople(t, e)
	za := e.Units["ZA"].ID
	root := discRegister(t, e, who.registrar, 1, nil)
	for range 3 {
		discRegister(t, e, who.registrar, 1, map[string]any{"repeat_of_id": root.ID})
	}
	beijing := discRegister(t, e, who.registrar, 3, map[string]any{"escalation": "beijing"})

	// The inspector's menu has 纪检监督; the watch list shows the matter.
	status, _, html := who.inspector.page(t, "GET", "/discipline", nil)
	if status != http.StatusOK || !strings.Contains(html, `href="/discipline"`) || !strings.Contains(html, "信访人1") || !strings.Contains(html, root.Number) {
		t.Fatalf("watch page %d: %s", status, excerpt(html))
	}
	status, _, html = who.inspector.page(t, "GET", "/discipline?kind=escalation", nil)
	if status != http.StatusOK || !strings.Contains(html, beijing.Number) || !strings.Contains(html, "进京") {
		t.Fatalf("escalation tab %d: %s", status, excerpt(html))
	}
	// The city's leader reads the list and the investigations, without
	// the inspector's forms.
	status, _, html = who.leader.page(t, "GET", "/discipline?kind=escalation", nil)
	if status != http.StatusOK || !strings.Contains(html, beijing.Number) || strings.Contains(html, "#new-investigation") {
		t.Errorf("leader's escalation tab %d: %s", status, excerpt(html))
	}
	status, _, html = who.leader.page(t, "GET", "/discipline/investigations", nil)
	if status != http.StatusOK || strings.Contains(html, `id="new-investigation"`) {
		t.Errorf("leader's investigations %d: %s", status, excerpt(html))
	}
	status, _, html = who.handlerA.page(t, "GET", "/", nil)
	if status != http.StatusOK || strings.Contains(html, `href="/discipline"`) {
		t.Errorf("town handler's menu offers 纪检监督 (%d)", status)
	}
	if status, _, _ = who.handlerA.page(t, "GET", "/discipline", nil); status != http.StatusForbidden {
		t.Errorf("town handler opens the watch list: %d", status)
	}

	// Open an investigation from the form, try to close it, record both
	// tracks, close it.
	status, loc, html := who.inspector.page(t, "POST", "/discipline/investigations", url.Values{"petition": {beijing.Number}, "cause": {"unclear"}, "summary": {"问题查不清导致进京"}, "unit_id": {strconv.FormatInt(za, 10)}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/discipline/investigations/") {
		t.Fatalf("open investigation: %d %s %s", status, loc, excerpt(html))
	}
	ivPath := strings.SplitN(loc, "?", 2)[0]
	status, _, html = who.inspector.page(t, "GET", loc, nil)
	if status != http.StatusOK || !strings.Contains(html, "提级调查已立项") || !strings.Contains(html, "甲镇") {
		t.Fatalf("investigation page %d: %s", status, excerpt(html))
	}
	status, _, html = who.inspector.page(t, "POST", ivPath+"/close", url.Values{"version": {"1"}})
	if status != http.StatusConflict || !strings.Contains(html, `id="missing-case-track"`) || !strings.Contains(html, `id="missing-resp-track"`) {
		t.Fatalf("close refused %d: %s", status, excerpt(html))
	}
	status, _, html = who.inspector.page(t, "POST", ivPath+"/case-track", url.Values{"version": {"1"}, "outcome": {"resolved"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(html, "作出结论前须写明查明的事实") {
		t.Fatalf("case track without findings %d: %s", status, excerpt(html))
	}
	if status, _, html = who.inspector.page(t, "POST", ivPath+"/case-track", url.Values{"version": {"1"}, "findings": {"已查明"}, "measures": {"已整改"}, "outcome": {"resolved"}}); status != http.StatusSeeOther {
		t.Fatalf("case track %d: %s", status, excerpt(html))
	}
	form := url.Values{"version": {"2"}, "findings": {"包案干部失职"}, "outcome": {"talk"},
		"officials.0.name": {"钱某"}, "officials.0.unit_id": {strconv.FormatInt(za, 10)}, "officials.0.position": {"副镇长"},
		"officials.1.name": {""}, "officials.1.unit_id": {""}, "officials.1.position": {""}}
	if status, _, html = who.inspector.page(t, "POST", ivPath+"/responsibility-track", form); status != http.StatusSeeOther {
		t.Fatalf("responsibility track %d: %s", status, excerpt(html))
	}
	if status, _, html = who.inspector.page(t, "POST", ivPath+"/close", url.Values{"version": {"3"}}); status != http.StatusSeeOther {
		t.Fatalf("close %d: %s", status, excerpt(html))
	}
	status, _, html = who.inspector.page(t, "GET", ivPath, nil)
	if status != http.StatusOK || !strings.Contains(html, "已办结") || !strings.Contains(html, "钱某") || strings.Contains(html, `id="inv-close"`) {
		t.Errorf("closed investigation page %d: %s", status, excerpt(html))
	}

	// Accountability and letters.
	accForm := url.Values{"target": {"unit"}, "unit_id": {strconv.FormatInt(za, 10)}, "measure": {"talk"}, "decided_on": {"2026-06-14"}, "ground": {"进京越级访"}, "petitions": {beijing.Number}}
	if status, _, html = who.inspector.page(t, "POST", "/discipline/accountability", accForm); status != http.StatusSeeOther {
		t.Fatalf("accountability %d: %s", status, excerpt(html))
	}
	// Town A's handler sees the record on its town, but not the linked
	// item, which the 信访局 registered and never sent to the town.
	status, _, html = who.handlerA.page(t, "GET", "/discipline/accountability", nil)
	if status != http.StatusOK || !strings.Contains(html, "进京越级访") || strings.Contains(html, beijing.Number) ||
		strings.Contains(html, `id="tab-repeat"`) || strings.Contains(html, `id="new-accountability"`) {
		t.Errorf("town handler's accountability page %d: %s", status, excerpt(html))
	}
	letter := url.Values{"unit_id": {strconv.FormatInt(za, 10)}, "year": {"2026"}, "signed_on": {"2026-01-10"}, "targets": {"不发生进京越级访\n按期办结率 100%"}}
	if status, _, html = who.inspector.page(t, "POST", "/discipline/letters", letter); status != http.StatusSeeOther {
		t.Fatalf("letter %d: %s", status, excerpt(html))
	}
	status, _, html = who.inspector.page(t, "POST", "/discipline/letters", letter)
	if status != http.StatusUnprocessableEntity || !strings.Contains(html, "该单位 2026 年度的责任书已存在") {
		t.Errorf("duplicate letter %d: %s", status, excerpt(html))
	}
	status, _, html = who.handlerA.page(t, "GET", "/discipline/letters", nil)
	if status != http.StatusOK || !strings.Contains(html, "按期办结率 100%") {
		t.Errorf("town handler's letters %d: %s", status, excerpt(html))
	}
}

func excerpt(s string) string {
	if i := strings.Index(s, `<main id="main">`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500]
	}
	return s
}
