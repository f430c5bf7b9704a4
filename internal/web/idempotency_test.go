package web_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"xinfang"
)

// postWith posts body as JSON with the client's session, its CSRF token
// and the extra headers.
func (c *apiClient) postWith(t *testing.T, path string, body any, headers map[string]string) *apiResp {
	t.Helper()
	c.do(t, "GET", "/api/v1/me", nil) // signs in when needed
	b, _ := json.Marshal(body)
	return c.sendRawWith(t, "POST", path, "application/json", string(b), headers)
}

// TestAPIIdempotencyKey: a registration repeated with its Idempotency-Key
// answers 200 with the first item, 查询码 included, and registers nothing;
// the key reused with another body is refused, naming it.
func TestAPIIdempotencyKey(t *testing.T) {
	e := newAPIEnv(t, "2026-03-02T09:00")
	reg := e.user(t, "za.reg", "ZA", xinfang.RoleRegistrar)
	body := registration("2026-03-02T08:30:00+08:00", e.Units["ZA"].ID, nil)
	key := map[string]string{"Idempotency-Key": "req-7f3a"}

	first := reg.postWith(t, "/api/v1/petitions", body, key)
	if first.Status != http.StatusCreated {
		t.Fatalf("first: %s", first)
	}
	second := reg.postWith(t, "/api/v1/petitions", body, key)
	if second.Status != http.StatusOK || second.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("repeat: %s %v", second, second.Header)
	}
	var a, b struct {
		ID        int64  `json:"id"`
		Number    string `json:"number"`
		QueryCode string `json:"query_code"`
	}
	first.decode(t, &a)
	second.decode(t, &b)
	if a.ID == 0 || a != b || a.QueryCode == "" {
		t.Errorf("first %+v, repeat %+v: want the same item and 查询码", a, b)
	}
	if n := reg.total(t); n != 1 {
		t.Errorf("%d petitions after the repeat, want 1", n)
	}
	other := registration("2026-03-02T08:30:00+08:00", e.Units["ZA"].ID, map[string]any{"summary": "反映另一件事"})
	wantError(t, reg.postWith(t, "/api/v1/petitions", other, key), http.StatusUnprocessableEntity, "idempotency_key")
	if n := reg.total(t); n != 1 {
		t.Errorf("%d petitions after the refused reuse, want 1", n)
	}
}
