package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"xinfang"
)

// adminView is an account as the administrators' API shows it.
type adminView struct {
	xinfang.User
	Locked      bool   `json:"locked"`
	RoleProblem string `json:"role_problem"`
}

func userPath(id int64) string { return "/api/v1/users/" + strconv.FormatInt(id, 10) }
func unitPath(id int64) string { return "/api/v1/units/" + strconv.FormatInt(id, 10) }

// wantPage requests a page and fails unless it answers status; it returns
// the Location and the body.
func wantPage(t *testing.T, c *apiClient, method, path string, form url.Values, status int) (string, string) {
	t.Helper()
	got, loc, body := c.page(t, method, path, form)
	if got != status {
		t.Fatalf("%s %s: %d, want %d\n%s", method, path, got, status, pageExcerpt(body))
	}
	return loc, body
}

// 三员分立 over the API: the system admin opens and keeps accounts without
// roles, the security admin grants roles, resets and unlocks, nobody acts
// on his own account's roles, and a deactivated account's sessions end.
func TestAccountAdministrationAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	admin := env.user(t, "admin", "XC", xinfang.RoleAdmin)
	security := env.user(t, "security", "XC", xinfang.RoleSecurityAdmin)
	auditor := env.user(t, "auditor", "XC", xinfang.RoleAuditor)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)

	// The system admin opens an account: roles are refused, none is fine.
	newUser := map[string]any{"username": "clerk", "name": "王五", "unit_id": env.Units["ZA"].ID, "roles": []string{"handler"}, "password": "Cl3rk-pass"}
	wantError(t, admin.do(t, "POST", "/api/v1/users", newUser), 422, "roles")
	wantError(t, security.do(t, "POST", "/api/v1/users", newUser), http.StatusForbidden, "")
	delete(newUser, "roles")
	var clerk adminView
	admin.ok(t, http.StatusCreated, "POST", "/api/v1/users", newUser, &clerk)
	if len(clerk.Roles) != 0 || !clerk.MustChangePassword || clerk.Unit == nil || clerk.Unit.Code != "ZA" {
		t.Fatalf("created %+v", clerk)
	}
	path := userPath(clerk.ID)

	// Roles: the security admin's, within the rules.
	roles := func(rs ...string) map[string]any { return map[string]any{"roles": rs} }
	wantError(t, admin.do(t, "PUT", path+"/roles", roles("handler")), http.StatusForbidden, "")
	wantError(t, admin.do(t, "PUT", userPath(admin.ID)+"/roles", roles("admin", "leader")), http.StatusForbidden, "")
	wantError(t, security.do(t, "PUT", path+"/roles", roles("admin", "handler")), 422, "roles")
	wantError(t, security.do(t, "PUT", path+"/roles", roles("auditor")), 422, "roles")
	wantError(t, security.do(t, "PUT", path+"/roles", roles("security_admin")), 422, "roles")
	wantError(t, security.do(t, "PUT", userPath(auditor.ID)+"/roles", roles()), 422, "roles")
	wantError(t, security.do(t, "PUT", userPath(security.ID)+"/roles", roles("security_admin", "leader")), http.StatusForbidden, "")
	wantError(t, handler.do(t, "PUT", path+"/roles", roles("handler")), http.StatusForbidden, "")
	var got adminView
	security.ok(t, http.StatusOK, "PUT", path+"/roles", roles("registrar", "handler"), &got)
	if !got.Has(xinfang.RoleRegistrar) || !got.Has(xinfang.RoleHandler) {
		t.Errorf("roles %v", got.Roles)
	}

	// Edit: the system admin's.
	admin.ok(t, http.StatusOK, "PUT", path, map[string]any{"name": "王五一", "phone": "13900000000"}, &got)
	if got.Name != "王五一" || got.Phone != "13900000000" || got.UnitID != env.Units["ZA"].ID {
		t.Errorf("edited %+v", got)
	}
	wantError(t, security.do(t, "PUT", path, map[string]any{"name": "x"}), http.StatusForbidden, "")
	wantError(t, admin.do(t, "PUT", path, map[string]any{"unit_id": 999999}), 422, "unit_id")
	wantError(t, admin.do(t, "PUT", path, map[string]any{"title": "x"}), 422, "title")

	// The list and one account, for both administrators; nobody else.
	var list struct{ Items []adminView }
	security.ok(t, http.StatusOK, "GET", "/api/v1/users?role=registrar&unit_id="+strconv.FormatInt(env.Units["XC"].ID, 10), nil, &list)
	if len(list.Items) != 1 || list.Items[0].Username != "clerk" {
		t.Errorf("registrars: %+v", list.Items)
	}
	admin.ok(t, http.StatusOK, "GET", "/api/v1/users?q=%E7%8E%8B%E4%BA%94", nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != clerk.ID {
		t.Errorf("by name: %+v", list.Items)
	}
	wantError(t, admin.do(t, "GET", "/api/v1/users?state=gone", nil), 422, "state")
	wantError(t, admin.do(t, "GET", "/api/v1/users?page=2", nil), 422, "page")
	security.ok(t, http.StatusOK, "GET", path, nil, &got)
	wantError(t, handler.do(t, "GET", path, nil), http.StatusForbidden, "")
	wantError(t, auditor.do(t, "GET", "/api/v1/users", nil), http.StatusForbidden, "")
	wantError(t, admin.do(t, "GET", userPath(999999), nil), http.StatusNotFound, "")

	// Reset: the account must change the password, its sessions end.
	c := &apiClient{env: env, Username: "clerk", Password: "Cl3rk-pass", ID: clerk.ID, epoch: -1}
	c.ok(t, http.StatusOK, "POST", "/api/v1/password", map[string]string{"old_password": "Cl3rk-pass", "password": "Cl3rk-pass2"}, nil)
	c.Password = "Cl3rk-pass2"
	c.ok(t, http.StatusOK, "GET", "/api/v1/workbench", nil, nil)
	wantError(t, admin.do(t, "POST", path+"/password", map[string]string{"password": "Res3t-pass"}), http.StatusForbidden, "")
	wantError(t, security.do(t, "POST", userPath(security.ID)+"/password", map[string]string{"password": "Res3t-pass"}), http.StatusForbidden, "")
	wantError(t, security.do(t, "POST", path+"/password", map[string]string{"password": "weak"}), 422, "password")
	security.ok(t, http.StatusOK, "POST", path+"/password", map[string]string{"password": "Res3t-pass"}, &got)
	if !got.MustChangePassword {
		t.Error("a reset password need not be changed")
	}
	wantError(t, c.send(t, "GET", "/api/v1/workbench", nil, true), http.StatusUnauthorized, "")
	c.Password, c.token = "Res3t-pass", ""
	wantError(t, c.do(t, "GET", "/api/v1/workbench", nil), http.StatusForbidden, "password")

	// Unlock after five failures.
	for range 5 {
		c.tryLogin(t, "Wr0ng-pass")
	}
	security.ok(t, http.StatusOK, "GET", path, nil, &got)
	if !got.Locked {
		t.Fatal("not locked")
	}
	wantError(t, admin.do(t, "POST", path+"/unlock", nil), http.StatusForbidden, "")
	security.ok(t, http.StatusOK, "POST", path+"/unlock", nil, &got)
	if got.Locked {
		t.Error("still locked")
	}

	// Deactivation ends the account's sessions.
	if r := c.tryLogin(t, "Res3t-pass"); r.Status != http.StatusOK {
		t.Fatalf("login after unlock: %s", r)
	}
	wantError(t, security.do(t, "POST", path+"/deactivate", nil), http.StatusForbidden, "")
	wantError(t, admin.do(t, "POST", userPath(admin.ID)+"/deactivate", nil), http.StatusForbidden, "")
	wantError(t, admin.do(t, "POST", userPath(security.ID)+"/deactivate", nil), http.StatusConflict, "roles")
	admin.ok(t, http.StatusOK, "POST", path+"/deactivate", nil, &got)
	if !got.Disabled {
		t.Error("not deactivated")
	}
	wantError(t, c.send(t, "GET", "/api/v1/me", nil, true), http.StatusUnauthorized, "")
	wantError(t, c.tryLogin(t, "Res3t-pass"), http.StatusUnauthorized, "")
	admin.ok(t, http.StatusOK, "GET", "/api/v1/users?state=disabled", nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != clerk.ID {
		t.Errorf("deactivated: %+v", list.Items)
	}
	admin.ok(t, http.StatusOK, "POST", path+"/activate", nil, &got)
	if got.Disabled {
		t.Error("not activated")
	}
}

// Units over the API: rename, move (not under its own subtree), deactivate
// (not while in use) and activate; the system admin's only.
func TestUnitAdministrationAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	admin := env.user(t, "admin", "XC", xinfang.RoleAdmin)
	security := env.user(t, "security", "XC", xinfang.RoleSecurityAdmin)
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler)
	zbHandler := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	za, zb := env.Units["ZA"], env.Units["ZB"]
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", za.ID, nil))

	var village xinfang.Unit
	admin.ok(t, http.StatusCreated, "POST", "/api/v1/units", map[string]any{"parent_id": za.ID, "code": "ZA-01", "name": "幸福村", "kind": "village"}, &village)

	wantError(t, security.do(t, "PUT", unitPath(za.ID), map[string]any{"name": "甲街道"}), http.StatusForbidden, "")
	wantError(t, reg.do(t, "PUT", unitPath(za.ID), map[string]any{"name": "甲街道"}), http.StatusForbidden, "")
	wantError(t, admin.do(t, "PUT", unitPath(za.ID), map[string]any{"parent_id": village.ID}), 422, "parent_id")
	wantError(t, admin.do(t, "PUT", unitPath(za.ID), map[string]any{"parent_id": za.ID}), 422, "parent_id")
	wantError(t, admin.do(t, "PUT", unitPath(999999), map[string]any{"name": "无"}), http.StatusNotFound, "")

	// Town A moves under town B: town B's staff see its items at once.
	if zbHandler.total(t) != 0 {
		t.Fatal("town B sees town A's item before the move")
	}
	var moved xinfang.Unit
	admin.ok(t, http.StatusOK, "PUT", unitPath(za.ID), map[string]any{"name": "甲街道", "parent_id": zb.ID}, &moved)
	if moved.Name != "甲街道" || moved.ParentID != zb.ID || moved.Path != zb.ChildPath(za.ID) {
		t.Fatalf("moved %+v", moved)
	}
	if zbHandler.total(t) != 1 || reg.total(t) != 1 {
		t.Errorf("after the move town B sees %d, town A %d", zbHandler.total(t), reg.total(t))
	}
	if got := reg.get(t, p); got.RegUnit.Path != moved.Path {
		t.Errorf("the item's registering unit %+v", got.RegUnit)
	}

	// Deactivation: refused while in use, then no new accounts there.
	wantError(t, admin.do(t, "POST", unitPath(za.ID)+"/deactivate", nil), http.StatusConflict, "users")
	wantError(t, security.do(t, "POST", unitPath(village.ID)+"/deactivate", nil), http.StatusForbidden, "")
	var off xinfang.Unit
	admin.ok(t, http.StatusOK, "POST", unitPath(village.ID)+"/deactivate", nil, &off)
	if !off.Disabled {
		t.Fatal("not deactivated")
	}
	wantError(t, admin.do(t, "POST", "/api/v1/users", map[string]any{"username": "cun", "name": "村文书", "unit_id": village.ID, "password": "Cl3rk-pass"}), 422, "unit_id")
	wantError(t, reg.do(t, "POST", p.path()+"/actions/transfer", map[string]any{"version": p.Version, "data": map[string]any{"unit_id": village.ID}}), 422, "unit_id")
	var tree struct {
		Items []struct {
			Code     string
			Children []struct {
				Code     string
				Children []struct {
					Code     string
					Children []struct {
						Code     string
						Disabled bool
					}
				}
			}
		}
	}
	admin.ok(t, http.StatusOK, "GET", "/api/v1/units", nil, &tree)
	found := false
	for _, town := range tree.Items[0].Children {
		for _, t2 := range town.Children {
			for _, v := range t2.Children {
				found = found || v.Code == "ZA-01" && v.Disabled
			}
		}
	}
	if !found {
		t.Errorf("the tree does not show the deactivated village under 甲街道 under 乙镇: %+v", tree)
	}
	var on xinfang.Unit
	admin.ok(t, http.StatusOK, "POST", unitPath(village.ID)+"/activate", nil, &on)
	if on.Disabled || on.ID != village.ID {
		t.Error("not activated")
	}
}

// The unit pages: the tree and its form, a unit's page with rename, move,
// deactivate and activate; refusals come back on the page with their
// message; other roles get 403.
func TestUnitPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	admin := env.user(t, "admin", "XC", xinfang.RoleAdmin)
	security := env.user(t, "security", "XC", xinfang.RoleSecurityAdmin)
	env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	za, zb := env.Units["ZA"], env.Units["ZB"]

	_, body := wantPage(t, admin, "GET", "/admin/units", nil, http.StatusOK)
	for _, want := range []string{`id="unit-tree"`, "甲镇", `action="/admin/units"`, `name="csrf_token"`, "单位管理"} {
		if !strings.Contains(body, want) {
			t.Errorf("unit tree lacks %q", want)
		}
	}
	wantPage(t, security, "GET", "/admin/units", nil, http.StatusForbidden)
	wantPage(t, security, "POST", "/admin/units", url.Values{"code": {"X1"}, "name": {"某村"}, "kind": {"village"}}, http.StatusForbidden)

	// A new village under town A; a bad one comes back with its messages.
	_, body = wantPage(t, admin, "POST", "/admin/units", url.Values{"parent_id": {itoa(za.ID)}, "code": {"甲"}, "name": {""}, "kind": {"village"}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "单位代码须为") || !strings.Contains(body, "单位名称不能为空") {
		t.Errorf("the refused form lacks its messages:\n%s", pageExcerpt(body))
	}
	loc, _ := wantPage(t, admin, "POST", "/admin/units", url.Values{"parent_id": {itoa(za.ID)}, "code": {"ZA-01"}, "name": {"幸福村"}, "kind": {"village"}}, http.StatusSeeOther)
	if !strings.HasPrefix(loc, "/admin/units/") || !strings.HasSuffix(loc, "?saved=created") {
		t.Fatalf("created: to %q", loc)
	}
	_, body = wantPage(t, admin, "GET", loc, nil, http.StatusOK)
	if !strings.Contains(body, "单位已创建") || !strings.Contains(body, "幸福村") {
		t.Errorf("the new unit's page:\n%s", pageExcerpt(body))
	}
	village := strings.TrimSuffix(strings.TrimPrefix(loc, "/admin/units/"), "?saved=created")

	// Move town A under its own village: refused on the page.
	zaPage := "/admin/units/" + itoa(za.ID)
	_, body = wantPage(t, admin, "POST", zaPage, url.Values{"name": {"甲镇"}, "parent_id": {village}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "不能移到本单位或其下级单位之下") {
		t.Errorf("the refused move lacks its message:\n%s", pageExcerpt(body))
	}
	wantPage(t, admin, "POST", zaPage, url.Values{"name": {"甲街道"}, "parent_id": {itoa(zb.ID)}}, http.StatusSeeOther)
	_, body = wantPage(t, admin, "GET", zaPage, nil, http.StatusOK)
	if !strings.Contains(body, "甲街道") || !strings.Contains(body, `href="/admin/units/`+itoa(zb.ID)+`">乙镇`) {
		t.Errorf("after the move:\n%s", pageExcerpt(body))
	}
	// The town has an account: not deactivated, and the page says why.
	_, body = wantPage(t, admin, "POST", zaPage+"/deactivate", url.Values{}, http.StatusConflict)
	if !strings.Contains(body, "在用账号") {
		t.Errorf("the refused deactivation lacks its reason:\n%s", pageExcerpt(body))
	}
	villagePage := "/admin/units/" + village
	wantPage(t, admin, "POST", villagePage+"/deactivate", url.Values{}, http.StatusSeeOther)
	_, body = wantPage(t, admin, "GET", villagePage+"?saved=deactivate", nil, http.StatusOK)
	if !strings.Contains(body, "单位已停用") || !strings.Contains(body, `id="activate-unit"`) {
		t.Errorf("the deactivated unit's page:\n%s", pageExcerpt(body))
	}
	_, body = wantPage(t, admin, "GET", "/admin/users", nil, http.StatusOK)
	if !strings.Contains(body, "幸福村（已停用）") {
		t.Error("the unit select does not mark the deactivated village")
	}
	wantPage(t, admin, "POST", villagePage+"/activate", url.Values{}, http.StatusSeeOther)
	wantPage(t, admin, "GET", "/admin/units/999999", nil, http.StatusNotFound)
}

// The account pages: the list for both administrators, the forms each may
// use on an account's page, and the refusals of 三员分立.
func TestUserPages(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	admin := env.user(t, "admin", "XC", xinfang.RoleAdmin)
	security := env.user(t, "security", "XC", xinfang.RoleSecurityAdmin)
	auditor := env.user(t, "auditor", "XC", xinfang.RoleAuditor)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)

	_, body := wantPage(t, admin, "GET", "/admin/users", nil, http.StatusOK)
	if !strings.Contains(body, `id="create-user"`) || !strings.Contains(body, "za_handler") {
		t.Errorf("the admin's list:\n%s", pageExcerpt(body))
	}
	_, body = wantPage(t, security, "GET", "/admin/users?role=handler", nil, http.StatusOK)
	if strings.Contains(body, `id="create-user"`) || !strings.Contains(body, "za_handler") || strings.Contains(body, ">admin<") {
		t.Errorf("the security admin's list of handlers:\n%s", pageExcerpt(body))
	}
	wantPage(t, handler, "GET", "/admin/users", nil, http.StatusForbidden)
	wantPage(t, auditor, "GET", "/admin/users", nil, http.StatusForbidden)

	// The system admin opens an account; a bad one comes back.
	form := url.Values{"username": {"clerk"}, "name": {"王五"}, "unit_id": {itoa(env.Units["ZA"].ID)}, "password": {"weak"}}
	_, body = wantPage(t, admin, "POST", "/admin/users", form, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "密码") || !strings.Contains(body, `value="clerk"`) || strings.Contains(body, `value="weak"`) {
		t.Errorf("the refused account form:\n%s", pageExcerpt(body))
	}
	wantPage(t, security, "POST", "/admin/users", form, http.StatusForbidden)
	form.Set("password", "Cl3rk-pass")
	loc, _ := wantPage(t, admin, "POST", "/admin/users", form, http.StatusSeeOther)
	if !strings.HasSuffix(loc, "?saved=created") {
		t.Fatalf("created: to %q", loc)
	}
	page := strings.TrimSuffix(loc, "?saved=created")

	// The system admin's page of the account: edit and deactivate, no roles.
	_, body = wantPage(t, admin, "GET", loc, nil, http.StatusOK)
	for _, want := range []string{"账号已开设", `id="save-user"`, `id="deactivate-user"`, "待授予角色"} {
		if !strings.Contains(body, want) {
			t.Errorf("the admin's account page lacks %q", want)
		}
	}
	for _, unwanted := range []string{`id="save-roles"`, `id="do-reset"`} {
		if strings.Contains(body, unwanted) {
			t.Errorf("the admin's account page has %q", unwanted)
		}
	}
	// The security admin's: roles and reset, no edit.
	_, body = wantPage(t, security, "GET", page, nil, http.StatusOK)
	if !strings.Contains(body, `id="save-roles"`) || !strings.Contains(body, `id="do-reset"`) || strings.Contains(body, `id="save-user"`) {
		t.Errorf("the security admin's account page:\n%s", pageExcerpt(body))
	}
	// The roles of the security admin and the auditor are not offered.
	if strings.Contains(body, `value="security_admin"`) || strings.Contains(body, `value="auditor"`) {
		t.Error("the roles form offers a role only the command line gives")
	}

	// Roles: the system admin may not; admin + content is refused on the
	// page; the security admin may not change his own.
	wantPage(t, admin, "POST", page+"/roles", url.Values{"roles": {"handler"}}, http.StatusForbidden)
	_, body = wantPage(t, security, "POST", page+"/roles", url.Values{"roles": {"admin", "handler"}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "不能兼任业务角色") {
		t.Errorf("the refused roles lack their message:\n%s", pageExcerpt(body))
	}
	_, body = wantPage(t, security, "POST", "/admin/users/"+itoa(security.ID)+"/roles", url.Values{"roles": {"leader"}}, http.StatusForbidden)
	if !strings.Contains(body, "不能对自己的账号") {
		t.Errorf("self-grant:\n%s", pageExcerpt(body))
	}
	wantPage(t, security, "POST", page+"/roles", url.Values{"roles": {"registrar", "handler"}}, http.StatusSeeOther)
	_, body = wantPage(t, admin, "GET", page, nil, http.StatusOK)
	if !strings.Contains(body, "登记员、承办人") {
		t.Errorf("the granted roles are not shown:\n%s", pageExcerpt(body))
	}

	// Edit, reset, deactivate and activate through the pages.
	wantPage(t, admin, "POST", page, url.Values{"name": {"王五一"}, "unit_id": {itoa(env.Units["ZB"].ID)}, "phone": {"13900000000"}}, http.StatusSeeOther)
	_, body = wantPage(t, admin, "POST", page, url.Values{"name": {""}, "unit_id": {itoa(env.Units["ZB"].ID)}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "姓名不能为空") {
		t.Errorf("the refused edit:\n%s", pageExcerpt(body))
	}
	wantPage(t, security, "POST", page, url.Values{"name": {"x"}}, http.StatusForbidden)
	_, body = wantPage(t, security, "POST", page+"/password", url.Values{"password": {"weak"}}, http.StatusUnprocessableEntity)
	if strings.Contains(body, `value="weak"`) {
		t.Error("the refused password is written back into the page")
	}
	wantPage(t, security, "POST", page+"/password", url.Values{"password": {"Res3t-pass"}}, http.StatusSeeOther)
	wantPage(t, admin, "POST", page+"/password", url.Values{"password": {"Res3t-pass"}}, http.StatusForbidden)
	wantPage(t, security, "POST", page+"/unlock", url.Values{}, http.StatusSeeOther)

	clerk := &apiClient{env: env, Username: "clerk", Password: "Res3t-pass", epoch: -1}
	clerk.ok(t, http.StatusOK, "GET", "/api/v1/me", nil, nil)
	wantPage(t, admin, "POST", page+"/deactivate", url.Values{}, http.StatusSeeOther)
	wantError(t, clerk.send(t, "GET", "/api/v1/me", nil, true), http.StatusUnauthorized, "")
	_, body = wantPage(t, admin, "GET", "/admin/users?state=disabled", nil, http.StatusOK)
	if !strings.Contains(body, "clerk") {
		t.Error("the deactivated account is not listed as such")
	}
	wantPage(t, admin, "POST", "/admin/users/"+itoa(admin.ID)+"/deactivate", url.Values{}, http.StatusForbidden)
	wantPage(t, admin, "POST", page+"/activate", url.Values{}, http.StatusSeeOther)

	// A form without the session's CSRF token changes nothing.
	if r := admin.send(t, "POST", page+"/deactivate", "", false); r.Status != http.StatusForbidden {
		t.Errorf("a POST without CSRF token: %d", r.Status)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
