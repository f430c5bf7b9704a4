package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/web"
)

// TestScopeMatrix walks every GET route of the route table as every role,
// at a town, at the city, at the 信访局 and at the 纪委监委, over three
// items: one of town A, one of town B, and a 检举控告 against town A's
// officials, registered by the 信访局 and handled by the 纪委监委. Each
// answer about an item is compared with who may see it, written out here
// from security.md's rule rather than computed by the code under test;
// and no answer to anyone at town A — list, search, person look-up,
// repeat check, inbox, export, document — carries the 检举控告's number,
// its accuser's name or ID number, or its summary.
func TestScopeMatrix(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	type user struct {
		c    *apiClient
		u    *xinfang.User
		unit string
	}
	var users []user
	add := func(unit string, r xinfang.Role) *apiClient {
		c := env.user(t, unit+"_"+string(r), unit, r)
		u, err := env.DB.Directory.FindUserByID(t.Context(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, user{c, u, unit})
		return c
	}
	for _, l := range xinfang.Roles {
		for _, unit := range []string{"ZA", "XC"} {
			add(unit, xinfang.Role(l.Code))
		}
	}
	bureau := add("XFJ", xinfang.RoleRegistrar)
	add("JW", xinfang.RoleInspector)
	add("JW", xinfang.RoleHandler)
	zb := add("ZB", xinfang.RoleHandler)
	za := users[slices.IndexFunc(users, func(x user) bool { return x.c.Username == "ZA_registrar" })].c

	pA := za.register(t, registration("2026-03-02T08:00:00+08:00", env.Units["ZA"].ID, nil))
	pB := zb.register(t, registration("2026-03-02T08:10:00+08:00", env.Units["ZB"].ID, map[string]any{
		"petitioner": map[string]any{"name": "李四", "id_number": "110105194912310046", "phone": "13900001111"}}))
	const accuser, accuserID, accusation = "钱检举人", "110105198001010016", "举报甲镇干部收受工程款回扣"
	acc := bureau.register(t, registration("2026-03-02T08:20:00+08:00", env.Units["ZA"].ID, map[string]any{
		"purpose": "accusation", "category": "0402", "summary": accusation, "accused": "甲镇某干部",
		"content":    "甲镇某干部在工程发包中收受回扣。",
		"petitioner": map[string]any{"name": accuser, "id_number": accuserID, "phone": "13700009999"}}))
	acc = bureau.act(t, acc, xinfang.ActTransfer, map[string]any{"unit_id": env.Units["JW"].ID})

	// Who sees which item, by security.md: staff see the items registered
	// or handled in their unit's subtree (the city unit is the root);
	// supervisors, leaders and inspectors at a city-level body, and the
	// 信访局's registrars, see the whole city; a 检举控告 only its registrar
	// and the 纪委监委 handling it; the other roles nothing.
	scoped := []xinfang.Role{xinfang.RoleRegistrar, xinfang.RoleHandler, xinfang.RoleUnitHead, xinfang.RoleSupervisor, xinfang.RoleLeader, xinfang.RoleInspector}
	sees := func(x user) []int64 {
		r := x.u.Roles[0]
		if !slices.Contains(scoped, r) {
			return nil
		}
		switch x.unit {
		case "ZA":
			return []int64{pA.ID}
		case "ZB":
			return []int64{pB.ID}
		case "XC":
			return []int64{pA.ID, pB.ID}
		case "XFJ":
			return []int64{pA.ID, pB.ID, acc.ID} // registered it
		case "JW":
			if r == xinfang.RoleInspector {
				return []int64{pA.ID, pB.ID, acc.ID}
			}
			return []int64{acc.ID}
		}
		t.Fatalf("no rule for %s", x.c.Username)
		return nil
	}

	secrets := []string{acc.Number, accuser, accuserID, "13700009999", accusation, url.QueryEscape(accuser)}
	queries := map[string][]string{ // extra queries of list routes, to try the accusation's words
		"/api/v1/petitions":           {"q=" + url.QueryEscape(accuser), "q=" + url.QueryEscape("回扣")},
		"/petitions":                  {"q=" + url.QueryEscape(accuser)},
		"/api/v1/search":              {"q=" + url.QueryEscape(accuser), "q=" + url.QueryEscape("回扣")},
		"/search":                     {"q=" + url.QueryEscape("回扣")},
		"/api/v1/petitioners/matches": {"id_number=" + accuserID, "phone=13700009999"},
		"/api/v1/workbench":           {""},
		"/api/v1/notifications":       {""},
		"/inbox":                      {""},
		"/api/v1/cases.xlsx":          {""},
	}
	items := []int64{pA.ID, pB.ID, acc.ID}
	leaks, checked := 0, 0
	for _, rt := range web.Routes() {
		if rt.Method != "GET" || rt.Public || strings.HasPrefix(rt.Path, "/static/") {
			continue
		}
		// Records of other aggregates (cases, 督办单 …) have their scope
		// matrix in storage (TestScopeEveryAggregate); here they are asked
		// with the accusation's id, which must not leak it either.
		perItem := strings.Contains(rt.Path, "/petitions/{id}")
		for _, x := range users {
			var paths []string
			if perItem {
				for _, id := range items {
					paths = append(paths, strings.NewReplacer("{id}", strconv.FormatInt(id, 10), "{doc}", "accept", "{file}", "register.pdf").Replace(rt.Path))
				}
			} else {
				p := strings.NewReplacer("{id}", strconv.FormatInt(acc.ID, 10), "{doc}", "accept", "{file}", "register.pdf").Replace(rt.Path)
				paths = append(paths, p)
				for _, q := range queries[rt.Path] {
					if q != "" {
						paths = append(paths, p+"?"+q)
					}
				}
			}
			for i, path := range paths {
				r := x.c.do(t, "GET", path, nil)
				checked++
				if !rt.Allows(x.u) {
					if r.Status != http.StatusForbidden {
						t.Errorf("%s GET %s: %d, want 403 (route refuses the role)", x.c.Username, path, r.Status)
					}
					continue
				}
				if r.Status >= 500 {
					t.Errorf("%s GET %s: %s", x.c.Username, path, r)
				}
				if perItem && !strings.Contains(rt.Path, "/print/") && !strings.HasSuffix(rt.Path, "/verify") {
					visible := slices.Contains(sees(x), items[i])
					if visible && r.Status != http.StatusOK {
						t.Errorf("%s GET %s: %d, want 200 (the item is in scope)", x.c.Username, path, r.Status)
					}
					if !visible && r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
						t.Errorf("%s GET %s: %d, want 404 (the item is out of scope)", x.c.Username, path, r.Status)
					}
				}
				if x.unit == "ZA" || x.unit == "ZB" || !slices.Contains(sees(x), acc.ID) {
					typed, _ := url.QueryUnescape(path) // a page repeats what was typed
					for _, s := range secrets {
						if strings.Contains(string(r.Body), s) && !strings.Contains(typed, s) && !strings.Contains(path, s) {
							leaks++
							t.Errorf("%s GET %s: the answer carries %q of the 检举控告", x.c.Username, path, s)
						}
					}
				}
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d answers checked", checked)
	}
	t.Logf("%d answers checked, %d leaks", checked, leaks)
}
