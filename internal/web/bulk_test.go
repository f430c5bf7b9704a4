package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"xinfang"
)

// TestBulkSignTransfer: the bureau transfers three items at once from
// the ledger — each its own 转送 event — and one already sent elsewhere
// is refused with its reason while the others go; the town signs for two
// of them through the API, and an item of the other town in the same
// request is refused as not found, the rest signed.
func TestBulkSignTransfer(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	registrar := env.user(t, "xfj_reg", "XFJ", xinfang.RoleRegistrar)
	handlerA := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	za, zb := env.Units["ZA"], env.Units["ZB"]
	var ps []petitionView
	for range 4 {
		ps = append(ps, registrar.register(t, registration("2026-03-01T09:30:00+08:00", za.ID, nil)))
	}
	// The fourth goes to town B first: 转送 again is refused for it.
	ps[3] = registrar.act(t, ps[3], xinfang.ActTransfer, map[string]any{"unit_id": zb.ID})

	// The ledger offers the bulk form to the registrar.
	status, _, body := registrar.page(t, "GET", "/petitions", nil)
	if status != http.StatusOK || !strings.Contains(body, `id="bulk-form"`) || !strings.Contains(body, `value="`+strconv.FormatInt(ps[0].ID, 10)+`" form="bulk-form"`) {
		t.Fatalf("ledger without the bulk form: %d", status)
	}
	if strings.Contains(body, `<option value="sign">签收</option>`) {
		t.Errorf("the ledger offers a registrar 签收 in bulk")
	}
	form := url.Values{"action": {"transfer"}, "unit_id": {strconv.FormatInt(za.ID, 10)}}
	for _, p := range ps {
		form.Add("id", strconv.FormatInt(p.ID, 10))
	}
	status, _, body = registrar.page(t, "POST", "/petitions/bulk", form)
	if status != http.StatusOK || !strings.Contains(body, `<strong id="bulk-done">3</strong>`) || !strings.Contains(body, `<strong id="bulk-failed">1</strong>`) {
		t.Fatalf("bulk transfer page: %d\n%s", status, pageExcerpt(body))
	}
	for i, p := range ps {
		got := registrar.get(t, p)
		want := xinfang.StatePendingSign
		if got.State != want || (i < 3 && got.HandlingUnitID != za.ID) || (i == 3 && got.HandlingUnitID != zb.ID) {
			t.Errorf("item %d: %s at unit %d", i, got.State, got.HandlingUnitID)
		}
		wantEvents := 2
		if registrar.eventCount(t, got) != wantEvents {
			t.Errorf("item %d has %d events, want %d (register, one 转送)", i, registrar.eventCount(t, got), wantEvents)
		}
	}
	if !strings.Contains(body, ps[3].Number) || !strings.Contains(body, "未办理") {
		t.Errorf("the refused item is not named with its reason:\n%s", pageExcerpt(body))
	}

	if _, _, body := handlerA.page(t, "GET", "/petitions", nil); !strings.Contains(body, `<option value="sign">签收</option>`) || strings.Contains(body, `<option value="transfer">`) {
		t.Errorf("a handler's ledger should offer 签收 only")
	}
	// Town A signs for two of its items and one of town B's by the API.
	var out struct {
		Results []struct {
			ID      int64
			OK      bool
			State   xinfang.State
			Message string
		}
	}
	handlerA.ok(t, http.StatusOK, "POST", "/api/v1/petitions/bulk", map[string]any{"action": "sign", "ids": []int64{ps[0].ID, ps[1].ID, ps[3].ID, ps[0].ID}}, &out)
	if len(out.Results) != 3 || !out.Results[0].OK || !out.Results[1].OK || out.Results[2].OK || out.Results[0].State != xinfang.StateSigned {
		t.Fatalf("bulk sign: %+v", out.Results)
	}
	if out.Results[2].Message == "" {
		t.Errorf("town B's item refused without a reason")
	}
	if got := registrar.get(t, ps[2]); got.State != xinfang.StatePendingSign {
		t.Errorf("an item not asked for changed: %s", got.State)
	}
	// Bad requests: an action the ledger does not take in bulk, no items,
	// 转送 without a unit.
	wantError(t, handlerA.do(t, "POST", "/api/v1/petitions/bulk", map[string]any{"action": "accept", "ids": []int64{ps[0].ID}}), http.StatusUnprocessableEntity, "action")
	wantError(t, handlerA.do(t, "POST", "/api/v1/petitions/bulk", map[string]any{"action": "sign", "ids": []int64{}}), http.StatusUnprocessableEntity, "ids")
	wantError(t, registrar.do(t, "POST", "/api/v1/petitions/bulk", map[string]any{"action": "transfer", "ids": []int64{ps[2].ID}}), http.StatusUnprocessableEntity, "unit_id")
}
