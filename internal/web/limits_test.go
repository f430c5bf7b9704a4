package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb/sqldbtest"
)

// The domain's limits reach the API as 422 naming the field, and change
// nothing: a 诉求 of 900,000 characters, a team of 5,000, dates in 1900.
func TestInputLimitsOverTheAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-04-01T09:00")
	reg := env.user(t, "lim_reg", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler)
	leader := env.user(t, "lim_leader", "XC", xinfang.RoleLeader)
	admin := env.user(t, "lim_admin", "XC", xinfang.RoleAdmin)
	za := env.Units["ZA"]

	long := strings.Repeat("a", 900000)
	wantError(t, reg.do(t, "POST", "/api/v1/petitions", registration("2026-04-01T08:30:00+08:00", za.ID, map[string]any{"request": long})),
		http.StatusUnprocessableEntity, "request")
	wantError(t, reg.do(t, "POST", "/api/v1/petitions", registration("2026-04-01T08:30:00+08:00", za.ID, map[string]any{"accused": long})),
		http.StatusUnprocessableEntity, "accused")
	wantError(t, reg.do(t, "POST", "/api/v1/petitions", registration("2026-04-01T08:30:00+08:00", za.ID, map[string]any{
		"petitioner": map[string]any{"name": "张三", "phone": "13812345678", "hukou_address": long}})), http.StatusUnprocessableEntity, "petitioner.hukou_address")
	if n := reg.total(t); n != 0 {
		t.Fatalf("%d petitions stored", n)
	}
	p := reg.register(t, registration("2026-04-01T08:30:00+08:00", za.ID, nil))

	team := make([]map[string]any, 5000)
	for i := range team {
		team[i] = map[string]any{"name": "成员", "role": "成员"}
	}
	newCase := func(change map[string]any) map[string]any {
		b := map[string]any{"title": "欠薪积案", "source": "repeat", "petitioners": "张三", "responsible_unit_id": za.ID,
			"leader_id": leader.ID, "petition_ids": []int64{p.ID}, "deadline": "2026-06-30"}
		for k, v := range change {
			b[k] = v
		}
		return b
	}
	wantError(t, reg.do(t, "POST", "/api/v1/cases", newCase(map[string]any{"team": team})), http.StatusUnprocessableEntity, "team")
	wantError(t, reg.do(t, "POST", "/api/v1/cases", newCase(map[string]any{"deadline": "1900-01-01"})), http.StatusUnprocessableEntity, "deadline")
	var pg struct{ Total int }
	reg.ok(t, http.StatusOK, "GET", "/api/v1/cases", nil, &pg)
	if pg.Total != 0 {
		t.Fatalf("%d cases filed", pg.Total)
	}
	var c caseJSON
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/cases", newCase(nil), &c)
	wantError(t, reg.do(t, "PUT", c.path()+"/team", map[string]any{"version": c.Version, "team": team}), http.StatusUnprocessableEntity, "team")
	wantError(t, reg.do(t, "POST", c.path()+"/consultations", map[string]any{"version": c.Version, "date": "1900-01-01",
		"attendees": []map[string]string{{"kind": "lawyer", "name": "刘律师"}}, "findings": "x", "decisions": "y"}), http.StatusUnprocessableEntity, "date")
	wantError(t, reg.do(t, "POST", c.path()+"/steps", map[string]any{"version": c.Version, "content": "走访", "owner": "李", "deadline": "9999-12-31"}),
		http.StatusUnprocessableEntity, "deadline")
	wantError(t, leader.do(t, "POST", c.path()+"/actions/start", map[string]any{"version": c.Version, "note": strings.Repeat("长", xinfang.MaxNote+1)}),
		http.StatusUnprocessableEntity, "note")
	wantError(t, admin.do(t, "PUT", "/api/v1/holidays/1900-01-01", map[string]any{"kind": "holiday", "name": "元旦"}), http.StatusUnprocessableEntity, "date")
	wantError(t, admin.do(t, "PUT", "/api/v1/holidays/2027-01-01", map[string]any{"kind": "holiday", "name": strings.Repeat("长", xinfang.MaxName+1)}),
		http.StatusUnprocessableEntity, "name")
	wantError(t, admin.do(t, "PUT", "/api/v1/dictionary", map[string]any{"kind": "category", "code": "0599", "parent": "05", "label": strings.Repeat("长", xinfang.MaxName+1), "sort": 1, "active": true}),
		http.StatusUnprocessableEntity, "label")
	var got caseJSON
	reg.ok(t, http.StatusOK, "GET", c.path(), nil, &got)
	if got.Version != c.Version || len(got.Team) != 0 || len(got.Consultations) != 0 || len(got.Plan) != 0 {
		t.Errorf("a refused change was stored: %+v", got.Case)
	}
}

// The category filter matches a code and the codes below it, on both
// databases: % and _ are characters of a code, not wildcards, in the API
// and on the ledger page alike.
func TestCategoryFilterHasNoWildcards(t *testing.T) {
	t.Parallel()
	for _, dialect := range sqldbtest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			env := newAPIEnvOn(t, sqldbtest.Open(t, dialect), "2026-04-01T09:00")
			reg := env.user(t, "cat_reg", "ZA", xinfang.RoleRegistrar)
			p := reg.register(t, registration("2026-04-01T08:30:00+08:00", env.Units["ZA"].ID, map[string]any{"category": "0501"}))
			for _, tc := range []struct {
				category string
				want     int
			}{
				{"0501", 1}, {"05", 1}, {"%", 0}, {"_", 0}, {"0_01", 0}, {"05%", 0}, {"%01", 0}, {"06", 0},
			} {
				var pg struct{ Total int }
				reg.ok(t, http.StatusOK, "GET", "/api/v1/petitions?category="+url.QueryEscape(tc.category), nil, &pg)
				if pg.Total != tc.want {
					t.Errorf("API category=%s: %d items, want %d", tc.category, pg.Total, tc.want)
				}
				st, _, body := reg.page(t, "GET", "/petitions?category="+url.QueryEscape(tc.category), nil)
				if found := strings.Contains(body, p.Number); st != http.StatusOK || found != (tc.want == 1) {
					t.Errorf("ledger category=%s: %d, lists the item: %v", tc.category, st, found)
				}
			}
		})
	}
}
