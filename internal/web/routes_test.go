package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/web"
)

// roleUser is a signed-in user of one demo-like role.
type roleUser struct {
	Name string
	User *xinfang.User
	C    *apiClient
}

// roleUsers creates one user of every role, at the units where the role
// is usually found, and a few that differ by unit: a town supervisor (not
// city-wide), an inspector outside the 纪委监委, the 信访局's registrar and
// head (city-wide).
func roleUsers(t *testing.T, env *apiEnv) []roleUser {
	t.Helper()
	specs := []struct {
		name, unit string
		roles      []xinfang.Role
	}{
		{"registrar", "ZA", []xinfang.Role{xinfang.RoleRegistrar}},
		{"handler", "ZA", []xinfang.Role{xinfang.RoleHandler}},
		{"unit_head", "ZA", []xinfang.Role{xinfang.RoleUnitHead}},
		{"bureau_registrar", "XFJ", []xinfang.Role{xinfang.RoleRegistrar}},
		{"bureau_head", "XFJ", []xinfang.Role{xinfang.RoleUnitHead}},
		{"leader", "XC", []xinfang.Role{xinfang.RoleLeader}},
		{"supervisor", "XC", []xinfang.Role{xinfang.RoleSupervisor}},
		{"town_supervisor", "ZA", []xinfang.Role{xinfang.RoleSupervisor}},
		{"inspector", "JW", []xinfang.Role{xinfang.RoleInspector}},
		{"town_inspector", "ZA", []xinfang.Role{xinfang.RoleInspector}},
		{"admin", "XC", []xinfang.Role{xinfang.RoleAdmin}},
		{"auditor", "XC", []xinfang.Role{xinfang.RoleAuditor}},
		{"security_admin", "XC", []xinfang.Role{xinfang.RoleSecurityAdmin}},
		{"lawyer", "ZA", []xinfang.Role{xinfang.RoleLawyer}},
		{"expert", "XC", []xinfang.Role{xinfang.RoleExpert}},
		{"mediator", "ZA", []xinfang.Role{xinfang.RoleMediator}},
		{"observer", "XC", []xinfang.Role{xinfang.RoleObserver}},
	}
	var out []roleUser
	for _, sp := range specs {
		c := env.user(t, "r_"+sp.name, sp.unit, sp.roles...)
		u, err := env.DB.Directory.FindUserByID(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, roleUser{Name: sp.name, User: u, C: c})
	}
	return out
}

// routePath fills a route's pattern with values that name no record: the
// access check comes before any record is looked up.
var routePath = strings.NewReplacer("{$}", "", "{id}", "1", "{action}", "accept", "{date}", "2026-10-01", "{step}", "1",
	"{task}", "1", "{member}", "1", "{doc}", "accept", "{name}", "app.css", "{kind}", "on_time", "{year}", "2026", "{form}", "rules", "{case}", "1")

// Every route of the table enforces its access level before its handler
// runs: anonymous requests get 401 (API) or the login page (pages); a
// user the route's policy refuses gets 403; a user holding an initial
// password gets 403 naming password (API) or the password page.
func TestRouteAccess(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	users := roleUsers(t, env)
	fresh := &xinfang.User{Username: "r_fresh", Name: "r_fresh", UnitID: env.Units["ZA"].ID, Roles: []xinfang.Role{xinfang.RoleHandler}, MustChangePassword: true}
	if err := env.DB.Directory.CreateUser(context.Background(), fresh, testPassword); err != nil {
		t.Fatal(err)
	}
	freshC := &apiClient{env: env, Username: fresh.Username, Password: testPassword, ID: fresh.ID, epoch: -1, noFollow: true}
	anon := &apiClient{env: env, epoch: -1, noFollow: true}
	for _, u := range users {
		u.C.noFollow = true
	}

	restricted := 0
	for _, rt := range web.Routes() {
		if rt.Method == "" {
			continue // the 404 of everything else
		}
		path := routePath.Replace(rt.Path)
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			r := anon.send(t, rt.Method, path, "{}", false)
			switch {
			case rt.Public:
				// Answered without a session (a login may still fail).
				if strings.HasPrefix(r.Header.Get("Location"), "/login?") || strings.Contains(string(r.Body), "请先登录") {
					t.Errorf("public route asks to sign in: %s", r)
				}
			case rt.API:
				if e := wantError(t, r, http.StatusUnauthorized, ""); e.Error.Code != xinfang.EUNAUTHORIZED {
					t.Errorf("anonymous: code %q", e.Error.Code)
				}
			default:
				want := "/login?next=" + url.QueryEscape(path)
				if rt.Method != http.MethodGet {
					// A form sent without a session: back to the page it
					// came from after login (none here: no Referer).
					want = "/login?expired=1&next=%2F"
				}
				if r.Status != http.StatusSeeOther || r.Header.Get("Location") != want {
					t.Errorf("anonymous: %d to %q, want 303 to %q", r.Status, r.Header.Get("Location"), want)
				}
			}
			if rt.Public {
				return
			}
			if !rt.Allows(&xinfang.User{Roles: []xinfang.Role{xinfang.RoleHandler}, MustChangePassword: true}) {
				r := freshC.do(t, rt.Method, path, "{}")
				if rt.API {
					wantError(t, r, http.StatusForbidden, "password")
				} else if want := "/password?next=" + url.QueryEscape(path); r.Status != http.StatusSeeOther || r.Header.Get("Location") != want {
					t.Errorf("initial password: %d to %q, want 303 to %q", r.Status, r.Header.Get("Location"), want)
				}
			}
			for _, u := range users {
				if rt.Allows(u.User) {
					continue // the handler would run: what it does is the feature tests'
				}
				restricted++
				r := u.C.do(t, rt.Method, path, "{}")
				if rt.API {
					if e := wantError(t, r, http.StatusForbidden, ""); e.Error.Code != xinfang.EFORBIDDEN {
						t.Errorf("%s (%s): code %q", u.Name, rt.Access, e.Error.Code)
					}
				} else if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "无权操作") {
					t.Errorf("%s (%s): %d, want the 403 page", u.Name, rt.Access, r.Status)
				}
			}
		})
	}
	if restricted == 0 {
		t.Error("no route refused any role")
	}
}

var navRE = regexp.MustCompile(`(?s)<nav class="nav" aria-label="主菜单">(.*?)</nav>`)
var hrefRE = regexp.MustCompile(`href="([^"]+)"`)

// menuHrefs returns the entries of the main menu on a page.
func menuHrefs(t *testing.T, body []byte) []string {
	t.Helper()
	m := navRE.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no main menu on the page:\n%s", pageExcerpt(string(body)))
	}
	var out []string
	for _, h := range hrefRE.FindAllSubmatch(m[1], -1) {
		out = append(out, string(h[1]))
	}
	return out
}

// Every role sees in the menu exactly the pages its routes admit, and
// every entry it sees opens.
func TestMenuOpensForEveryRole(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	allows := map[string]func(*xinfang.User) bool{}
	for _, rt := range web.Routes() {
		if rt.Method == "GET" {
			allows[strings.TrimSuffix(rt.Path, "{$}")] = rt.Allows
		}
	}
	for _, u := range roleUsers(t, env) {
		t.Run(u.Name, func(t *testing.T) {
			home := u.C.do(t, "GET", "/", nil)
			if home.Status != http.StatusOK {
				t.Fatalf("home: %s", home)
			}
			hrefs := menuHrefs(t, home.Body)
			for _, h := range hrefs {
				if r := u.C.do(t, "GET", h, nil); r.Status != http.StatusOK {
					t.Errorf("menu entry %s answers %d", h, r.Status)
				}
				if a, ok := allows[h]; !ok || !a(u.User) {
					t.Errorf("menu entry %s is not a route the user may open", h)
				}
			}
			for _, h := range []string{"/petitions/new", "/cases", "/cases/mine", "/supervisions", "/discipline", "/admin/holidays", "/admin/units", "/admin/users"} {
				if allows[h](u.User) != slices.Contains(hrefs, h) {
					t.Errorf("menu has %s: %v, the route admits the user: %v", h, slices.Contains(hrefs, h), allows[h](u.User))
				}
			}
			// The menu of the brief: only who may register sees 信访登记.
			if slices.Contains(hrefs, "/petitions/new") != xinfang.CanRegister(u.User) {
				t.Errorf("信访登记 in the menu: %v", slices.Contains(hrefs, "/petitions/new"))
			}
		})
	}
}

// No page shows a role a link it may not follow: from the home page of
// every role, every link of the site reached within a few steps opens
// without 403 (and without a server error). The pages hold a petition of
// the town, a backlog case on it and a 督办单, so that the detail pages and
// their buttons are reached too.
func TestNoLinkIsRefused(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "link_reg", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler)
	leader := env.user(t, "link_leader", "XC", xinfang.RoleLeader)
	za := env.Units["ZA"]
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", za.ID, nil))
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/cases", map[string]any{
		"title": "张三工资拖欠积案", "source": "repeat", "petitioners": "张三", "responsible_unit_id": za.ID, "leader_id": leader.ID,
		"petition_ids": []int64{p.ID}, "deadline": "2026-06-30"}, nil)
	leader.ok(t, http.StatusCreated, "POST", "/api/v1/supervisions", map[string]any{
		"target_unit_id": za.ID, "petition_id": p.ID, "requirements": "请查清事实，书面反馈", "deadline": "2026-03-20"}, nil)
	skip := regexp.MustCompile(`^/(static/|api/|logout)|\.xlsx$|[?&]page=`)
	for _, u := range roleUsers(t, env) {
		t.Run(u.Name, func(t *testing.T) {
			seen := map[string]bool{}
			queue := []string{"/"}
			for depth := 0; depth < 4 && len(queue) > 0; depth++ {
				var next []string
				for _, path := range queue {
					if seen[path] || len(seen) >= 120 {
						continue
					}
					seen[path] = true
					r := u.C.do(t, "GET", path, nil)
					if r.Status == http.StatusForbidden || r.Status >= 500 {
						t.Errorf("a page links to %s, which answers %d", path, r.Status)
						continue
					}
					for _, m := range hrefRE.FindAllSubmatch(r.Body, -1) {
						h := strings.ReplaceAll(string(m[1]), "&amp;", "&")
						if i := strings.IndexByte(h, '#'); i >= 0 {
							h = h[:i]
						}
						if strings.HasPrefix(h, "/") && !skip.MatchString(h) && !seen[h] {
							next = append(next, h)
						}
					}
				}
				queue = next
			}
			if len(seen) < 3 {
				t.Errorf("only %d pages reached", len(seen))
			}
		})
	}
}
