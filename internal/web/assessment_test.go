package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"xinfang"
	"xinfang/internal/sqldb/sqldbtest"
)

type assessmentView struct {
	Rules struct {
		Version int                `json:"version"`
		Frozen  bool               `json:"frozen"`
		Weights map[string]float64 `json:"weights"`
	} `json:"rules"`
	Units []struct {
		UnitID int64   `json:"unit_id"`
		Rank   int     `json:"rank"`
		Score  float64 `json:"score"`
	} `json:"units"`
}

func (a assessmentView) score(id int64) float64 {
	for _, u := range a.Units {
		if u.UnitID == id {
			return u.Score
		}
	}
	return -1
}

// TestAssessmentAPIAndPages: the ranking, the rules, an entry, the export
// and the freezing, through the API on both databases and the pages.
func TestAssessmentAPIAndPages(t *testing.T) {
	for _, d := range sqldbtest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			e := newAPIEnvOn(t, sqldbtest.Open(t, d), "2026-05-04T09:00")
			leader := e.user(t, "city.leader", "XC", xinfang.RoleLeader)
			handler := e.user(t, "za.handler", "ZA", xinfang.RoleHandler)
			zb := e.Units["ZB"].ID
			var a assessmentView
			leader.ok(t, http.StatusOK, "GET", "/api/v1/assessment/2026", nil, &a)
			// Nothing due anywhere: full marks under kpi.md's weights.
			if len(a.Units) != 2 || a.score(zb) != 30 || a.Rules.Weights["on_time"] != 10 {
				t.Fatalf("ranking %+v", a)
			}
			wantError(t, handler.do(t, "GET", "/api/v1/assessment/2026", nil), http.StatusForbidden, "")
			wantError(t, leader.do(t, "GET", "/api/v1/assessment/1999", nil), http.StatusUnprocessableEntity, "year")

			rules := map[string]any{"version": a.Rules.Version, "weights": map[string]float64{"on_time": 20, "timely_accept": 5}, "repeat_penalty": 1, "repeat_cap": 10, "leader_threshold": 0.85, "leader_penalty": 5}
			wantError(t, handler.do(t, "PUT", "/api/v1/assessment/2026/rules", rules), http.StatusForbidden, "")
			leader.ok(t, http.StatusOK, "PUT", "/api/v1/assessment/2026/rules", rules, nil)
			wantError(t, leader.do(t, "PUT", "/api/v1/assessment/2026/rules", rules), http.StatusConflict, "version")
			wantError(t, leader.do(t, "POST", "/api/v1/assessment/2026/entries", map[string]any{"unit_id": zb, "kind": "talk", "points": -2}), http.StatusUnprocessableEntity, "reason")
			leader.ok(t, http.StatusCreated, "POST", "/api/v1/assessment/2026/entries", map[string]any{"unit_id": zb, "kind": "talk", "points": -2, "reason": "被约谈"}, nil)
			leader.ok(t, http.StatusOK, "GET", "/api/v1/assessment/2026", nil, &a)
			if a.score(zb) != 23 {
				t.Errorf("town B scores %v, want 5 + 20 − 2", a.score(zb))
			}

			r := leader.do(t, "GET", "/api/v1/assessment/2026/export.xlsx", nil)
			if r.Status != http.StatusOK {
				t.Fatalf("export %s", r)
			}
			f, err := excelize.OpenReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("年度考核")
			if len(rows) < 4 || !strings.Contains(strings.Join(rows[2], " ")+strings.Join(rows[3], " "), "23") {
				t.Errorf("export rows %q", rows)
			}

			// Pages: the ranking with the assessor's forms; a unit's breakdown
			// with its evidence links; the freezing through the form.
			status, _, body := leader.page(t, "GET", "/assessment?year=2026", nil)
			if status != http.StatusOK || !strings.Contains(body, `id="assess-ranking"`) || !strings.Contains(body, `id="freeze"`) || !strings.Contains(body, `value="85"`) {
				t.Fatalf("assessment page %d", status)
			}
			status, _, body = leader.page(t, "GET", "/assessment/2026/units/"+strconv.FormatInt(zb, 10), nil)
			if status != http.StatusOK || !strings.Contains(body, "/indicators/on_time/items?") || !strings.Contains(body, "被约谈") {
				t.Fatalf("unit page %d: %s", status, body)
			}
			status, _, body = leader.page(t, "POST", "/assessment/2026/entries", url.Values{"unit_id": {strconv.FormatInt(zb, 10)}, "kind": {"talk"}, "points": {"x"}, "reason": {"r"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "须为数字") {
				t.Fatalf("bad entry form %d", status)
			}
			status, loc, _ := leader.page(t, "POST", "/assessment/2026/freeze", url.Values{"version": {"2"}})
			if status != http.StatusSeeOther || !strings.Contains(loc, "done=freeze") {
				t.Fatalf("freeze form %d %s", status, loc)
			}
			leader.ok(t, http.StatusOK, "GET", "/api/v1/assessment/2026", nil, &a)
			if !a.Rules.Frozen || a.score(zb) != 23 {
				t.Errorf("after freezing %+v", a)
			}
			wantError(t, leader.do(t, "POST", "/api/v1/assessment/2026/entries", map[string]any{"unit_id": zb, "kind": "talk", "points": -2, "reason": "再约谈"}), http.StatusConflict, "year")
			status, _, body = leader.page(t, "GET", "/assessment?year=2026", nil)
			if status != http.StatusOK || !strings.Contains(body, `id="assess-frozen"`) || strings.Contains(body, `id="freeze"`) {
				t.Fatalf("frozen page %d", status)
			}
		})
	}
}
