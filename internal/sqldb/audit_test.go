package sqldb_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// changing is the context of a change made through route as u.
func changing(f *sqldbtest.Fixture, u *xinfang.User, route string) context.Context {
	return xinfang.WithAuditing(f.Ctx(u), &xinfang.Auditing{Kind: xinfang.AuditChange, Route: route, Object: "/api/v1/petitions", IP: "10.0.0.7"})
}

func auditLog(t *testing.T, f *sqldbtest.Fixture) []*xinfang.AuditEntry {
	t.Helper()
	items, _, err := f.DB.Audit.FindAudit(f.Ctx(f.Auditor), xinfang.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestAuditLog(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)

		// A change's entry is written with it; a refused change writes none.
		p := f.NewPetition(f.VillageA, 1)
		if err := db.Petitions.RegisterPetition(changing(f, f.RegistrarA, "POST /api/v1/petitions"), p); err != nil {
			t.Fatal(err)
		}
		bad := f.NewPetition(f.VillageA, 2)
		bad.Summary = ""
		if err := db.Petitions.RegisterPetition(changing(f, f.RegistrarA, "POST /api/v1/petitions"), bad); err == nil {
			t.Fatal("an empty summary registered")
		}
		// A change whose transaction fails after the store's checks (an
		// unknown unit is found inside) writes none either.
		other := f.NewPetition(f.VillageA, 3)
		other.LocalityID = 999999
		if err := db.Petitions.RegisterPetition(changing(f, f.RegistrarA, "POST /api/v1/petitions"), other); err == nil {
			t.Fatal("an unknown locality registered")
		}
		log := auditLog(t, f)
		if len(log) != 1 {
			t.Fatalf("%d entries after one registration and two refusals: %+v", len(log), log)
		}
		e := log[0]
		if e.ID != 1 || e.Kind != xinfang.AuditChange || e.UserID != f.RegistrarA.ID || e.Username != f.RegistrarA.Username ||
			e.Route != "POST /api/v1/petitions" || e.IP != "10.0.0.7" || !strings.Contains(e.Detail, "petition") {
			t.Errorf("entry %+v", e)
		}

		// Reads, unmaskings, exports and sign-ins are recorded by Record.
		for _, k := range []xinfang.AuditKind{xinfang.AuditRead, xinfang.AuditUnmask, xinfang.AuditExport, xinfang.AuditLoginFailed} {
			if err := db.Audit.Record(f.Ctx(f.HandlerA), &xinfang.AuditEntry{Kind: k, Route: "GET /petitions/{id}", Object: "/petitions/1"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Audit.Record(f.Ctx(f.HandlerA), &xinfang.AuditEntry{Kind: "peek"}); err == nil {
			t.Error("an unknown kind was recorded")
		}
		if n, err := db.Audit.VerifyAudit(context.Background()); err != nil || n != 5 {
			t.Fatalf("verify: %d, %v", n, err)
		}

		// Filters.
		items, total, err := db.Audit.FindAudit(f.Ctx(f.Auditor), xinfang.AuditFilter{Kind: xinfang.AuditUnmask})
		if err != nil || total != 1 || items[0].Kind != xinfang.AuditUnmask {
			t.Errorf("by kind: %d %v", total, err)
		}
		if _, total, _ = db.Audit.FindAudit(f.Ctx(f.Auditor), xinfang.AuditFilter{Username: f.HandlerA.Username}); total != 4 {
			t.Errorf("by user: %d", total)
		}
		if _, total, _ = db.Audit.FindAudit(f.Ctx(f.Auditor), xinfang.AuditFilter{Object: "POST /API/V1"}); total != 1 {
			t.Errorf("by route text: %d", total)
		}
		if _, _, err := db.Audit.FindAudit(f.Ctx(f.Auditor), xinfang.AuditFilter{Kind: "peek"}); xinfang.ErrorFields(err)["kind"] == "" {
			t.Errorf("unknown kind: %v", err)
		}
		// Only the auditor reads the log: not the admin, not a leader.
		for _, u := range []*xinfang.User{f.Admin, f.Leader, f.RegistrarA} {
			_, _, err := db.Audit.FindAudit(f.Ctx(u), xinfang.AuditFilter{})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
		}

		// No one edits or deletes an entry through the database either.
		raw := db.RawSQL()
		for _, q := range []string{`UPDATE audit_log SET username = 'x' WHERE id = 1`, `DELETE FROM audit_log WHERE id = 5`} {
			if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v", q, err)
			}
		}
		if db.Postgres() {
			if _, err := raw.Exec(`TRUNCATE audit_log`); err == nil {
				t.Error("TRUNCATE audit_log succeeded")
			}
		}
	})
}

// Whoever gets around the triggers (as the database's owner can) is
// found by the chain: an edited entry, a deleted last entry, a chain
// recomputed without the key.
func TestAuditTamper(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		for i := 0; i < 4; i++ {
			if err := db.Audit.Record(f.Ctx(f.HandlerA), &xinfang.AuditEntry{Kind: xinfang.AuditRead, Object: "/petitions/1"}); err != nil {
				t.Fatal(err)
			}
		}
		raw := db.RawSQL()
		unguard, guard := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}, []string(nil)
		if db.Postgres() {
			unguard, guard = []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`}, []string{`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`}
		}
		for _, q := range unguard {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		check := func(what string) {
			t.Helper()
			if _, err := db.Audit.VerifyAudit(context.Background()); xinfang.ErrorCode(err) != xinfang.ECONFLICT {
				t.Errorf("%s: verify = %v", what, err)
			}
		}
		exec := func(q string) {
			t.Helper()
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		exec(`UPDATE audit_log SET object = '/petitions/2' WHERE id = 2`)
		check("an edited entry")
		exec(`UPDATE audit_log SET object = '/petitions/1' WHERE id = 2`)
		if _, err := db.Audit.VerifyAudit(context.Background()); err != nil {
			t.Fatalf("restored entry: %v", err)
		}
		exec(`DELETE FROM audit_log WHERE id = 4`)
		check("a deleted last entry")
		exec(`UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE id = 3)`)
		check("the head set back to the last entry left")
		exec(`DELETE FROM audit_log WHERE id = 2`)
		check("a deleted entry in the middle")
		for _, q := range guard {
			exec(q)
		}
	})
}

// Entries appended at once by many writers are numbered without gaps and
// chained in order, on both databases.
func TestAuditConcurrent(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		var wg sync.WaitGroup
		errs := make(chan error, 80)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					errs <- db.Audit.Record(f.Ctx(f.HandlerA), &xinfang.AuditEntry{Kind: xinfang.AuditRead, Object: "/petitions/1"})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n, err := db.Audit.VerifyAudit(context.Background()); err != nil || n != 80 {
			t.Fatalf("verify: %d, %v", n, err)
		}
	})
}
