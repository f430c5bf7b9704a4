package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"xinfang"
)

// trustLoopback makes the test server believe X-Forwarded-For from the
// test client, so that one client can speak from several addresses.
func (e *apiEnv) trustLoopback() {
	e.Web.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// loginFrom posts a login as if from addr (through the trusted loopback
// proxy), with the extra headers.
func (e *apiEnv) loginFrom(t *testing.T, username, password, addr string, header map[string]string) *apiResp {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	req, err := http.NewRequest("POST", e.URL+"/api/v1/login", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return e.do(t, req)
}

func (e *apiEnv) do(t *testing.T, req *http.Request) *apiResp {
	t.Helper()
	res, err := noFollowClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &apiResp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// A locked account said so, and answered at once; anyone could lock any
// account with five requests. Now the unknown
// name, the wrong password and the locked address get one answer, and the
// lock holds the address that failed, not the user's.
func TestLoginLockHoldsTheAddress(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	env.trustLoopback()
	env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	const desk, stranger = "192.0.2.10", "198.51.100.7"
	if r := env.loginFrom(t, "za_handler", testPassword, desk, nil); r.Status != http.StatusOK {
		t.Fatalf("login at the desk: %s", r)
	}

	unknown := wantError(t, env.loginFrom(t, "nobody", testPassword, stranger, nil), http.StatusUnauthorized, "")
	for range xinfang.MaxFailedLogins {
		wrong := wantError(t, env.loginFrom(t, "za_handler", "Wrong-pass1", stranger, nil), http.StatusUnauthorized, "")
		if !sameError(wrong, unknown) {
			t.Fatalf("a wrong password %+v, an unknown name %+v", wrong.Error, unknown.Error)
		}
	}
	locked := wantError(t, env.loginFrom(t, "za_handler", testPassword, stranger, nil), http.StatusUnauthorized, "")
	if !sameError(locked, unknown) {
		t.Errorf("a locked address is told apart: %+v, an unknown name %+v", locked.Error, unknown.Error)
	}
	if r := env.loginFrom(t, "za_handler", testPassword, desk, nil); r.Status != http.StatusOK {
		t.Fatalf("the stranger locked the user out: %s", r)
	}

	// Without a trusted proxy, X-Forwarded-For is anyone's word: the
	// stranger cannot escape the lock by naming new addresses.
	env.Web.TrustedProxies = nil
	for i := range xinfang.MaxFailedLogins {
		wantError(t, env.loginFrom(t, "za_handler", "Wrong-pass1", fmt.Sprintf("203.0.113.%d", i), nil), http.StatusUnauthorized, "")
	}
	wantError(t, env.loginFrom(t, "za_handler", testPassword, "203.0.113.99", nil), http.StatusUnauthorized, "")
}

func sameError(a, b apiError) bool {
	return a.Error.Code == b.Error.Code && a.Error.Message == b.Error.Message && len(a.Error.Fields) == 0 && len(b.Error.Fields) == 0
}

// The old password of a password change could be guessed without limit:
// wrong ones now lock like failed logins, on the API and on the page.
func TestPasswordChangeLocks(t *testing.T) {
	t.Parallel()
	t.Run("API", func(t *testing.T) {
		t.Parallel()
		env := newAPIEnv(t, "2026-03-02T09:00")
		c := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
		for range xinfang.MaxFailedLogins {
			wantError(t, c.do(t, "POST", "/api/v1/password", map[string]string{"old_password": "Wrong-pass1", "password": "N3w-password"}), 422, "old_password")
		}
		e := wantError(t, c.do(t, "POST", "/api/v1/password", map[string]string{"old_password": testPassword, "password": "N3w-password"}), 422, "old_password")
		if !strings.Contains(e.Error.Fields["old_password"], "后再试") {
			t.Errorf("the locked change says %q", e.Error.Fields["old_password"])
		}
		wantError(t, env.loginFrom(t, "za_handler", testPassword, "", nil), http.StatusUnauthorized, "")
		env.setNow(t, "2026-03-02T09:16")
		if r := c.tryLogin(t, testPassword); r.Status != http.StatusOK {
			t.Fatalf("after the lock: %s", r)
		}
		c.ok(t, http.StatusOK, "POST", "/api/v1/password", map[string]string{"old_password": testPassword, "password": "N3w-password"}, nil)
	})
	t.Run("page", func(t *testing.T) {
		t.Parallel()
		a := newPageApp(t)
		c := a.client(t)
		c.login("a_staff")
		token := c.csrf()
		change := func(old string) pageResp {
			return c.post("/password", url.Values{"csrf_token": {token}, "old_password": {old}, "password": {"Neu#Passw0rd"}, "password_confirm": {"Neu#Passw0rd"}})
		}
		for range xinfang.MaxFailedLogins {
			p := change("Wrong#Passw0rd")
			wantPageStatus(t, p, http.StatusUnprocessableEntity, "wrong old password")
			wantPageContains(t, p, "wrong old password", "原密码错误")
		}
		p := change(pagePassword)
		wantPageStatus(t, p, http.StatusUnprocessableEntity, "locked")
		wantPageContains(t, p, "locked", "后再试")
	})
}

// The API login kept the session the request carried alive: signing in
// anew ends it.
func TestLoginEndsCarriedSessionAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	first := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	if r := first.tryLogin(t, testPassword); r.Status != http.StatusOK {
		t.Fatal(r)
	}
	r := env.loginFrom(t, "zb_handler", testPassword, "", map[string]string{"Cookie": "xf_session=" + first.token, "X-CSRF-Token": first.CSRF})
	if r.Status != http.StatusOK {
		t.Fatalf("second login: %s", r)
	}
	wantError(t, first.send(t, "GET", "/api/v1/me", nil, false), http.StatusUnauthorized, "")
}

// POST /login accepted a form posted from any site (login CSRF); so did
// the API.
func TestLoginCrossSiteRefused(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	evil := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	r := env.loginFrom(t, "za_handler", testPassword, "", evil)
	wantError(t, r, http.StatusForbidden, "")
	if len(r.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("a refused login set %q", r.Header.Values("Set-Cookie"))
	}

	form := url.Values{"username": {"za_handler"}, "password": {testPassword}}.Encode()
	page := func(header map[string]string) *apiResp {
		req, _ := http.NewRequest("POST", env.URL+"/login", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return env.do(t, req)
	}
	if r := page(evil); r.Status != http.StatusForbidden || len(r.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("a form from another site: %d, cookies %q", r.Status, r.Header.Values("Set-Cookie"))
	}
	if r := page(map[string]string{"Origin": env.URL, "Sec-Fetch-Site": "same-origin"}); r.Status != http.StatusSeeOther || len(r.Header.Values("Set-Cookie")) != 1 {
		t.Errorf("the login page's own form: %d, cookies %q", r.Status, r.Header.Values("Set-Cookie"))
	}
}
