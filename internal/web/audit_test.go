package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"xinfang"
)

// auditEntries returns the audit log as the auditor reads it over the API,
// newest first.
func auditEntries(t *testing.T, auditor *apiClient, query string) []xinfang.AuditEntry {
	t.Helper()
	var pg struct {
		Items []xinfang.AuditEntry
		Total int
	}
	auditor.ok(t, http.StatusOK, "GET", "/api/v1/audit?limit=500&"+query, nil, &pg)
	return pg.Items
}

// Every kind of action leaves exactly one entry, and a refused one none:
// a change (in its transaction), a read of a detail, an unmasking, an
// export; a read that fails and a change that is refused leave nothing.
func TestAuditCompleteness(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler)
	leader := env.user(t, "xc_leader", "XC", xinfang.RoleLeader)
	auditor := env.user(t, "xc_audit", "XC", xinfang.RoleAuditor)
	zb := env.user(t, "zb_h", "ZB", xinfang.RoleHandler)
	count := func() int { return len(auditEntries(t, auditor, "")) }
	// Signed in first: each sign-in is an entry of its own.
	for _, c := range []*apiClient{reg, leader, auditor, zb} {
		c.ok(t, http.StatusOK, "GET", "/api/v1/me", nil, nil)
	}
	signIns := auditEntries(t, auditor, "kind=login")
	if len(signIns) != 4 || signIns[0].Username != zb.Username || signIns[0].IP == "" {
		t.Errorf("sign-ins %+v", signIns)
	}
	if bad := reg.tryLogin(t, "wrong-Passw0rd"); bad.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %s", bad)
	}
	if failed := auditEntries(t, auditor, "kind=login_failed"); len(failed) != 1 || failed[0].Username != reg.Username {
		t.Errorf("failed sign-ins %+v", failed)
	}
	reg.ok(t, http.StatusOK, "GET", "/api/v1/me", nil, nil)

	var p petitionView
	var path string
	one := func(name string, c *apiClient, kind xinfang.AuditKind, route string, do func()) {
		t.Helper()
		before := count()
		do()
		log := auditEntries(t, auditor, "")
		if len(log) != before+1 {
			t.Fatalf("%s: %d new entries, want 1", name, len(log)-before)
		}
		if e := log[0]; e.Kind != kind || e.Route != route || e.Username != c.Username || e.IP == "" {
			t.Errorf("%s: entry %+v", name, e)
		}
	}
	none := func(name string, do func()) {
		t.Helper()
		before := count()
		do()
		if n := count(); n != before {
			t.Errorf("%s: %d entries written, want none", name, n-before)
		}
	}
	one("register", reg, xinfang.AuditChange, "POST /api/v1/petitions", func() {
		p = reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
		path = "/api/v1/petitions/" + strconv.FormatInt(p.ID, 10)
	})
	one("read", reg, xinfang.AuditRead, "GET /api/v1/petitions/{id}", func() { reg.ok(t, http.StatusOK, "GET", path, nil, nil) })
	one("unmask", reg, xinfang.AuditUnmask, "GET /api/v1/petitions/{id}", func() { reg.ok(t, http.StatusOK, "GET", path+"?unmask=1", nil, nil) })
	one("page read", reg, xinfang.AuditRead, "GET /petitions/{id}", func() {
		if st, _, _ := reg.page(t, "GET", "/petitions/"+strconv.FormatInt(p.ID, 10), nil); st != http.StatusOK {
			t.Fatalf("page: %d", st)
		}
	})
	one("accept", reg, xinfang.AuditChange, "POST /api/v1/petitions/{id}/actions/{action}", func() { p = reg.act(t, p, xinfang.ActAccept, nil) })
	one("document", reg, xinfang.AuditExport, "GET /petitions/{id}/print/{doc}", func() {
		if st, _, _ := reg.page(t, "GET", "/petitions/"+strconv.FormatInt(p.ID, 10)+"/print/accept", nil); st != http.StatusOK {
			t.Fatalf("print: %d", st)
		}
	})
	one("export", leader, xinfang.AuditExport, "GET /api/v1/cases.xlsx", func() { leader.ok(t, http.StatusOK, "GET", "/api/v1/cases.xlsx", nil, nil) })

	none("a read of an item out of scope", func() { wantError(t, zb.do(t, "GET", path, nil), http.StatusNotFound, "") })
	none("an unmasking refused", func() { wantError(t, leader.do(t, "GET", path+"?unmask=1", nil), http.StatusForbidden, "") })
	none("a refused change", func() {
		wantError(t, reg.do(t, "POST", path+"/actions/reply", map[string]any{"version": 1}), http.StatusConflict, "")
	})
	none("a change outside the scope", func() {
		wantError(t, zb.do(t, "POST", path+"/actions/reply", map[string]any{"version": 2}), http.StatusNotFound, "")
	})
	none("a list", func() { reg.ok(t, http.StatusOK, "GET", "/api/v1/petitions", nil, nil) })

	// The log itself: only the auditor; its chain verifies; its export is
	// recorded as one.
	for _, c := range []*apiClient{reg, leader} {
		wantError(t, c.do(t, "GET", "/api/v1/audit", nil), http.StatusForbidden, "")
	}
	var v struct {
		OK      bool
		Entries int64
	}
	auditor.ok(t, http.StatusOK, "GET", "/api/v1/audit/verify", nil, &v)
	if !v.OK || v.Entries != 13 { // 5 sign-ins, 1 failed, 7 above
		t.Errorf("verify %+v", v)
	}
	one("export of the log", auditor, xinfang.AuditExport, "GET /api/v1/audit.csv", func() {
		r := auditor.do(t, "GET", "/api/v1/audit.csv?kind=unmask", nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "查看完整个人信息") || strings.Count(string(r.Body), "\n") != 2 {
			t.Errorf("csv %d:\n%s", r.Status, r.Body)
		}
	})
	wantError(t, auditor.do(t, "GET", "/api/v1/audit?kind=peek", nil), http.StatusUnprocessableEntity, "kind")
	st, _, body := auditor.page(t, "GET", "/audit?verify=1&username=za_reg", nil)
	if st != http.StatusOK || !strings.Contains(body, "审计日志完整") || !strings.Contains(body, "POST /api/v1/petitions") {
		t.Errorf("audit page %d", st)
	}
	if st, _, _ := reg.page(t, "GET", "/audit", nil); st != http.StatusForbidden {
		t.Errorf("a registrar opens the audit page: %d", st)
	}
}
