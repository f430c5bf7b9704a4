package web_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb/sqldbtest"
	"xinfang/internal/web"
)

// sendRaw makes one request with c's session, if it has one, and the
// CSRF token in its header; body is sent as it is, with content type ctype.
func (c *apiClient) sendRaw(t *testing.T, method, path, ctype, body string) *apiResp {
	t.Helper()
	return c.sendRawWith(t, method, path, ctype, body, nil)
}

// sendRawWith is sendRaw with more request headers.
func (c *apiClient) sendRawWith(t *testing.T, method, path, ctype, body string, headers map[string]string) *apiResp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.env.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.AddCookie(&http.Cookie{Name: "xf_session", Value: c.token})
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
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

// wantRefused asserts the 422 of checkInput: for the API, a message on
// field that names the character; for a page, the error page naming both.
func wantRefused(t *testing.T, r *apiResp, api bool, field, char string) {
	t.Helper()
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("want 422 on %s, got %.400s", field, r)
	}
	if api {
		e := wantError(t, r, http.StatusUnprocessableEntity, field)
		if !strings.Contains(e.Error.Fields[field], char) {
			t.Errorf("message on %s does not name %s: %s", field, char, r)
		}
		return
	}
	body := html.UnescapeString(string(r.Body))
	if !strings.Contains(body, field+": ") || !strings.Contains(body, char) {
		t.Errorf("page does not name %s and %s: %.2000s", field, char, body)
	}
}

var pathWildcard = regexp.MustCompile(`\{[a-z]+\}`)

// Every route of the table, on SQLite and on PostgreSQL (which refuses NUL
// in text with an error of its own), answers a NUL byte in a query
// parameter, in a form field or JSON member of its body, and in each path
// value, with 422 naming where it was — never 500, never a stored NUL. The
// sign-in routes are asked without a session.
func TestNULIsRefusedOnEveryRoute(t *testing.T) {
	t.Parallel()
	for _, dialect := range sqldbtest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			env := newAPIEnvOn(t, sqldbtest.Open(t, dialect), "2026-03-02T09:00")
			users := roleUsers(t, env)
			anon := &apiClient{env: env, epoch: -1}
			for _, rt := range web.Routes() {
				method := rt.Method
				if method == "" {
					method = "GET"
				}
				c := anon
				if !rt.Public {
					c = nil
					for _, u := range users {
						if rt.Allows(u.User) {
							c = u.C
							break
						}
					}
					if c == nil {
						t.Fatalf("%s %s: no user may use it", rt.Method, rt.Path)
					}
					if c.token == "" {
						c.tryLogin(t, c.Password)
					}
				}
				path := routePath.Replace(rt.Path)
				if rt.Method == "" {
					path = "/no-such-page"
				}
				ctype, body := "application/json", `{}`
				if !rt.API {
					ctype, body = "application/x-www-form-urlencoded", "note=ok"
				}
				if method == "GET" {
					ctype, body = "", ""
				}
				t.Run(method+" "+rt.Path, func(t *testing.T) {
					r := c.sendRaw(t, method, path+"?probe=a%00b", ctype, body)
					wantRefused(t, r, rt.API, "probe", "U+0000")

					if body != "" {
						bad := `{"probe":"a\u0000b"}`
						if !rt.API {
							bad = "probe=a%00b"
						}
						r := c.sendRaw(t, method, path, ctype, bad)
						wantRefused(t, r, rt.API, "probe", "U+0000")
					}

					for _, w := range pathWildcard.FindAllString(rt.Path, -1) {
						name := strings.Trim(w, "{}")
						p := strings.Replace(rt.Path, w, "1%00", 1)
						r := c.sendRaw(t, method, routePath.Replace(p), ctype, body)
						wantRefused(t, r, rt.API, name, "U+0000")
					}
				})
			}

			// Signing in, with the fields of the sign-in itself.
			r := anon.sendRaw(t, "POST", "/login", "application/x-www-form-urlencoded", "username=r_admin%00&password=x")
			wantRefused(t, r, false, "username", "U+0000")
			r = anon.sendRaw(t, "POST", "/api/v1/login", "application/json", `{"username":"r_admin\u0000","password":"x"}`)
			wantRefused(t, r, true, "username", "U+0000")
		})
	}
}

// What checkInput refuses, and how it names the place: the JSON path of a
// member (the domain's field names), a query parameter, a form field; an
// invalid byte in raw JSON (which decoding would turn into U+FFFD) or in a
// query; bidi and other control characters. Tab and line breaks pass.
func TestTextIsCheckedBeforeHandlers(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "txt_reg", "ZA", xinfang.RoleRegistrar)
	reg.tryLogin(t, testPassword)
	loc := env.Units["ZA"].ID

	jsonBody := func(change map[string]any) string {
		b, err := json.Marshal(registration("2026-03-02T08:00:00+08:00", loc, change))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		name, method, path, ctype, body string
		api                             bool
		field, char                     string
	}{
		{"co-petitioner name, RLO", "POST", "/api/v1/petitions", "application/json",
			jsonBody(map[string]any{"co_petitioners": []map[string]any{{"name": "李四\u202e", "phone": "13912345678"}}}), true, "co_petitioners.0.name", "U+202E"},
		{"petitioner address, isolate", "POST", "/api/v1/petitions", "application/json",
			jsonBody(map[string]any{"petitioner": map[string]any{"name": "张三", "address": "甲镇\u2066幸福村"}}), true, "petitioner.address", "U+2066"},
		{"summary, escape", "POST", "/api/v1/petitions", "application/json",
			jsonBody(map[string]any{"summary": "欠薪\u001b[31m"}), true, "summary", "U+001B"},
		{"content, invalid UTF-8", "POST", "/api/v1/petitions", "application/json",
			strings.Replace(jsonBody(nil), "工地务工", "工地\xff务工", 1), true, "content", "U+FFFD"},
		{"action data", "POST", "/api/v1/petitions/1/actions/transfer", "application/json",
			`{"version":1,"data":{"reason":"\u0007"}}`, true, "data.reason", "U+0007"},
		{"list of strings", "POST", "/api/v1/cases", "application/json",
			`{"tags":["trace","\u0085"]}`, true, "tags.1", "U+0085"},
		{"member name", "POST", "/api/v1/petitions", "application/json", `{"summ\u0000ary":"x"}`, true, `"summ\x00ary"`, "U+0000"},
		{"query, invalid UTF-8", "GET", "/api/v1/petitions?q=%ff", "", "", true, "q", "UTF-8"},
		{"ledger query", "GET", "/petitions?q=%e2%80%ae", "", "", false, "q", "U+202E"},
		{"page form", "POST", "/petitions", "application/x-www-form-urlencoded", "summary=a%00", false, "summary", "U+0000"},
		{"page multipart form", "POST", "/petitions", "multipart/form-data; boundary=B",
			"--B\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nx\x00y\r\n--B--\r\n", false, "content", "U+0000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := reg.sendRaw(t, tc.method, tc.path, tc.ctype, tc.body)
			wantRefused(t, r, tc.api, tc.field, tc.char)
		})
	}
	if n := reg.total(t); n != 0 {
		t.Errorf("%d petitions stored", n)
	}

	// Tab and line breaks are text; a registration with them is stored.
	r := reg.sendRaw(t, "POST", "/api/v1/petitions", "application/json", jsonBody(map[string]any{"content": "第一段\r\n\t第二段，工资未结清。"}))
	if r.Status != http.StatusCreated {
		t.Fatalf("multi-line content: %s", r)
	}
	// A file is refused where the route takes none (the registration
	// form takes the letter's scan; an action's form takes nothing).
	r = reg.sendRaw(t, "POST", "/petitions/1/actions/accept", "multipart/form-data; boundary=B",
		"--B\r\nContent-Disposition: form-data; name=\"content\"; filename=\"a.txt\"\r\n\r\nx\r\n--B--\r\n")
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "不接受上传文件") {
		t.Errorf("file: %.300s", r)
	}
}
