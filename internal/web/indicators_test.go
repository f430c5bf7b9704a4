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

type indicatorsView struct {
	Unit struct {
		ID int64 `json:"id"`
	} `json:"unit"`
	Items []struct {
		Kind        string   `json:"kind"`
		Numerator   int      `json:"numerator_count"`
		Denominator int      `json:"denominator_count"`
		Value       *float64 `json:"value"`
	} `json:"items"`
	Sanwu     bool `json:"sanwu"`
	Escalated []struct {
		Month   string `json:"month"`
		Beijing int    `json:"beijing"`
	} `json:"escalated_by_month"`
}

func (v indicatorsView) fig(kind string) (int, int) {
	for _, in := range v.Items {
		if in.Kind == kind {
			return in.Numerator, in.Denominator
		}
	}
	return -1, -1
}

// TestIndicatorsAPI: the figures of the API on both databases, the items
// behind them, the units a reader may ask for, and the local definitions.
func TestIndicatorsAPI(t *testing.T) {
	for _, d := range sqldbtest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			e := newAPIEnvOn(t, sqldbtest.Open(t, d), "2026-05-04T09:00")
			leader := e.user(t, "city.leader", "XC", xinfang.RoleLeader)
			reg := e.user(t, "za.reg", "ZA", xinfang.RoleRegistrar)
			handler := e.user(t, "za.handler", "ZA", xinfang.RoleHandler)
			handlerB := e.user(t, "zb.handler", "ZB", xinfang.RoleHandler)
			za := e.Units["ZA"].ID
			// Two items of town A: one accepted on time, one a 进京 visit
			// never accepted (its 15 days end 05-19).
			p1 := reg.register(t, registration("2026-05-04T08:00:00+08:00", za, nil))
			reg.register(t, registration("2026-05-04T08:30:00+08:00", za, map[string]any{"channel": "visit", "escalation": "beijing"}))
			e.setNow(t, "2026-05-06T09:00")
			handler.act(t, p1, xinfang.ActAccept, nil)
			e.setNow(t, "2026-06-01T09:00")

			q := "unit_id=" + strconv.FormatInt(za, 10) + "&from=2026-05-01&to=2026-05-31"
			var v indicatorsView
			leader.ok(t, http.StatusOK, "GET", "/api/v1/indicators?"+q, nil, &v)
			if n, den := v.fig("timely_accept"); n != 1 || den != 2 {
				t.Errorf("及时受理率 %d/%d, want 1/2", n, den)
			}
			if n, _ := v.fig("beijing"); n != 1 || v.Sanwu {
				t.Errorf("进京 %d, 三无 %v", n, v.Sanwu)
			}
			if len(v.Escalated) != 1 || v.Escalated[0].Month != "2026-05" || v.Escalated[0].Beijing != 1 {
				t.Errorf("by month %+v", v.Escalated)
			}
			var items struct {
				Items []struct {
					ID     int64  `json:"id"`
					Number string `json:"number"`
					Note   string `json:"note"`
				} `json:"items"`
				Total int `json:"total"`
			}
			leader.ok(t, http.StatusOK, "GET", "/api/v1/indicators/timely_accept/items?part=numerator&"+q, nil, &items)
			if items.Total != 1 || len(items.Items) != 1 || items.Items[0].ID != p1.ID || !strings.Contains(items.Items[0].Note, "按期") {
				t.Errorf("numerator items %+v", items)
			}
			leader.ok(t, http.StatusOK, "GET", "/api/v1/indicators/timely_accept/items?part=denominator&"+q, nil, &items)
			if items.Total != 2 || len(items.Items) != 2 {
				t.Errorf("denominator items %+v", items)
			}
			// The town's handler reads its own town by default, not the other.
			handler.ok(t, http.StatusOK, "GET", "/api/v1/indicators?from=2026-05-01&to=2026-05-31", nil, &v)
			if v.Unit.ID != za {
				t.Errorf("default unit %d, want %d", v.Unit.ID, za)
			}
			wantError(t, handlerB.do(t, "GET", "/api/v1/indicators?"+q, nil), http.StatusUnprocessableEntity, "unit_id")
			wantError(t, leader.do(t, "GET", "/api/v1/indicators?"+q+"&bogus=1", nil), http.StatusUnprocessableEntity, "bogus")
			wantError(t, leader.do(t, "GET", "/api/v1/indicators?unit_id=1&from=2026-05-31&to=2026-05-01", nil), http.StatusUnprocessableEntity, "to")
			wantError(t, leader.do(t, "GET", "/api/v1/indicators/nonsense/items?"+q, nil), http.StatusUnprocessableEntity, "kind")

			// The dashboard: every count is the total of the list its bar opens.
			var dash struct {
				Total  int `json:"total"`
				States []struct {
					Key   string
					Value int
				} `json:"states"`
				Channels []struct {
					Key   string
					Value int
				} `json:"channels"`
				Warnings []struct {
					Key   string
					Value int
				} `json:"warnings"`
			}
			leader.ok(t, http.StatusOK, "GET", "/api/v1/dashboard?"+q, nil, &dash)
			if dash.Total != 2 || len(dash.States) != 2 || len(dash.Channels) != 1 || len(dash.Warnings) != 4 {
				t.Errorf("dashboard %+v", dash)
			}
			for _, c := range append(append(dash.States, dash.Channels...), dash.Warnings...) {
				param := "state"
				switch c.Key {
				case "visit", "letter", "online", "call", "fax":
					param = "channel"
				case "normal", "near", "overdue", "severe":
					param = "warning"
				}
				lq := "unit_id=" + strconv.FormatInt(za, 10) + "&" + param + "=" + c.Key
				if param != "warning" {
					lq += "&from=2026-05-01&to=2026-05-31"
				}
				var page struct {
					Total int `json:"total"`
				}
				leader.ok(t, http.StatusOK, "GET", "/api/v1/petitions?"+lq, nil, &page)
				if page.Total != c.Value {
					t.Errorf("dashboard %s=%s counts %d, its list %d", param, c.Key, c.Value, page.Total)
				}
			}
			handlerB.ok(t, http.StatusOK, "GET", "/api/v1/dashboard?from=2026-05-01&to=2026-05-31", nil, &dash)
			if dash.Total != 0 {
				t.Errorf("town B sees %d of town A's items", dash.Total)
			}

			// The local definitions: 进京 items of any channel break 三无.
			var cfg map[string]any
			leader.ok(t, http.StatusOK, "GET", "/api/v1/indicators/config", nil, &cfg)
			cfg["mass_min"] = 1
			wantError(t, leader.do(t, "PUT", "/api/v1/indicators/config", cfg), http.StatusUnprocessableEntity, "mass_min")
			cfg["mass_min"] = 80
			wantError(t, handler.do(t, "PUT", "/api/v1/indicators/config", cfg), http.StatusForbidden, "")
			leader.ok(t, http.StatusOK, "PUT", "/api/v1/indicators/config", cfg, &cfg)
			if cfg["mass_min"].(float64) != 80 || cfg["version"].(float64) != 2 {
				t.Errorf("config after PUT %+v", cfg)
			}

			// Pages: the table links each figure to its items; the items
			// page lists them; the town's handler sees no config form.
			status, _, body := leader.page(t, "GET", "/indicators?"+q, nil)
			if status != http.StatusOK || !strings.Contains(body, `id="ind-timely_accept-num"`) || !strings.Contains(body, "未达到“三无”") || !strings.Contains(body, `id="ind-config"`) {
				t.Fatalf("indicators page %d: %s", status, body)
			}
			status, _, body = leader.page(t, "GET", "/indicators/timely_accept/items?part=denominator&"+q, nil)
			if status != http.StatusOK || !strings.Contains(body, `<strong id="items-total">2</strong>`) || !strings.Contains(body, p1.Number) {
				t.Fatalf("items page %d: %s", status, body)
			}
			status, _, body = handler.page(t, "GET", "/indicators", nil)
			if status != http.StatusOK || strings.Contains(body, `id="ind-config"`) || !strings.Contains(body, "甲镇") {
				t.Fatalf("the town's page %d", status)
			}
			status, loc, _ := leader.page(t, "POST", "/indicators/config", url.Values{"version": {"2"}, "province_group_min": {"6"}, "mass_min": {"90"}})
			if status != http.StatusSeeOther || loc != "/indicators?done=config" {
				t.Fatalf("config form: %d %s", status, loc)
			}
			status, _, body = leader.page(t, "POST", "/indicators/config", url.Values{"version": {"3"}, "province_group_min": {"1"}, "mass_min": {"90"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "集体访人数下限") {
				t.Fatalf("bad config form: %d", status)
			}
			// The case ledger filters by the dates of cases.
			status, _, body = leader.page(t, "GET", "/cases?resolved_from=2026-05-01&resolved_to=2026-05-31", nil)
			if status != http.StatusOK || !strings.Contains(body, `id="case-resolved-from" value="2026-05-01"`) {
				t.Fatalf("case ledger by date %d", status)
			}
		})
	}
}
