package sqldb_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestListsNotCompiledAgain: on SQLite the statements the reads of the
// read mix prepare — a town handler's and the leader's 工作台, ledger lists
// and filters, a search, the case ledger, the watch list and the 态势 page —
// are not compiled again on every run. SQLite compiles a prepared
// statement again whenever a placeholder is bound anew that it planned
// with: a LIMIT's, a LIKE's pattern, one compared with a value a partial
// index names. The reads write those values into the text (inlineLimits,
// the ledger's filters). The test runs the reads until their statements
// are prepared, then runs each of those statements several times on a
// connection of its own with new bindings and reads SQLite's count of
// recompilations — zero — and, as the control that shows the count can
// see it, the statements with a LIMIT with their numbers turned back into
// "?", which are compiled again.
func TestListsNotCompiledAgain(t *testing.T) {
	db := sqldbtest.Open(t, "sqlite")
	clk := fixClock(db, at("2026-05-06"))
	f := sqldbtest.NewFixture(t, db)
	registerTownDays(t, f, clk, 6)
	clk.Add(40 * 24 * time.Hour)
	ctx := xinfang.NewContextWithCountLimit(f.Ctx(f.HandlerA), xinfang.WorkbenchMaxCount)
	lists := func() {
		t.Helper()
		for _, todo := range []xinfang.TodoKind{xinfang.TodoSign, xinfang.TodoAccept, xinfang.TodoReply} {
			if _, _, err := db.Petitions.FindTodo(ctx, todo, 0, 10); err != nil {
				t.Fatal(err)
			}
		}
		yes := true
		for _, pf := range []xinfang.PetitionFilter{{}, {Open: true, Sort: "due"}, {Warning: xinfang.WarnNear, Open: true, Sort: "due", Limit: 10}, {Sort: "number"},
			{Channel: xinfang.ChannelLetter}, {Category: "05"}, {Repeat: &yes}, {State: []xinfang.State{xinfang.StateRegistered}}} {
			for _, u := range []*xinfang.User{f.HandlerA, f.Leader} {
				if _, _, err := db.Petitions.FindPetitions(f.Ctx(u), pf); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, _, err := db.Petitions.FindOverdue(ctx, 0, 10); err != nil {
			t.Fatal(err)
		}
		// The other reads of the read mix: a search, the case ledger, the
		// watch list and the 态势 page.
		for _, u := range []*xinfang.User{f.HandlerA, f.Leader} {
			if _, _, _, err := db.Search.SearchDocs(f.Ctx(u), xinfang.SearchPetition, "反映", 20, 0); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.Cases.FindCases(f.Ctx(u), xinfang.CaseFilter{Limit: 50}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Indicators.Dashboard(f.Ctx(u), xinfang.DashboardQuery{From: calendar.MustParseDate("2026-01-01"), To: calendar.MustParseDate("2026-12-31")}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Discipline.FindWatchList(f.Ctx(f.Leader), xinfang.WatchFilter{Limit: 50}); err != nil {
			t.Fatal(err)
		}
	}
	// A statement is prepared in the background after its second run:
	// the lists run until no more statements are prepared.
	var prepared, limited []string
	for try, last := 0, -1; try < 100 && (try < 3 || len(prepared) != last); try++ {
		last = len(prepared)
		lists()
		time.Sleep(50 * time.Millisecond)
		prepared, limited = db.ReadStatements(), nil
		for _, q := range prepared {
			if strings.Contains(q, "LIMIT ?") {
				t.Fatalf("a prepared statement binds its LIMIT: %s", q)
			}
			if literalLimit.MatchString(q) {
				limited = append(limited, q)
			}
		}
	}
	if len(limited) == 0 {
		t.Fatal("no list statement with a LIMIT was prepared: the test checks nothing")
	}
	path := strings.TrimPrefix(db.DSN, "sqlite://")
	for _, q := range prepared {
		if n := recompiles(t, path, q); n != 0 {
			t.Errorf("compiled again %d times over 4 runs: %s", n, q)
		}
	}
	for _, q := range limited {
		if n := recompiles(t, path, literalLimit.ReplaceAllString(q, "LIMIT ?")); n == 0 {
			t.Errorf("the control, with its LIMIT bound, was not compiled again; the count sees nothing: %s", q)
		}
	}
}

var literalLimit = regexp.MustCompile(`LIMIT [0-9]+`)

// recompiles prepares q on a connection of its own to the SQLite file at
// path, runs it four times with every placeholder bound anew to a number,
// and returns how often SQLite compiled it again (SQLITE_STMTSTATUS_REPREPARE).
func recompiles(t *testing.T, path, q string) int {
	t.Helper()
	tls := libc.NewTLS()
	defer tls.Close()
	cpath, err := libc.CString(path)
	if err != nil {
		t.Fatal(err)
	}
	defer libc.Xfree(tls, cpath)
	csql, err := libc.CString(q)
	if err != nil {
		t.Fatal(err)
	}
	defer libc.Xfree(tls, csql)
	out := tls.Alloc(8)
	defer tls.Free(8)
	if rc := sqlite3.Xsqlite3_open_v2(tls, cpath, out, sqlite3.SQLITE_OPEN_READONLY, 0); rc != sqlite3.SQLITE_OK {
		t.Fatalf("open %s: %d", path, rc)
	}
	conn := libc.AtomicLoadPUintptr(out)
	defer sqlite3.Xsqlite3_close_v2(tls, conn)
	if rc := sqlite3.Xsqlite3_prepare_v2(tls, conn, csql, -1, out, 0); rc != sqlite3.SQLITE_OK {
		t.Fatalf("prepare: %d: %s", rc, q)
	}
	stmt := libc.AtomicLoadPUintptr(out)
	defer sqlite3.Xsqlite3_finalize(tls, stmt)
	params := sqlite3.Xsqlite3_bind_parameter_count(tls, stmt)
	for run := range 4 {
		for i := int32(1); i <= params; i++ {
			sqlite3.Xsqlite3_bind_int64(tls, stmt, i, int64(10+run))
		}
		for {
			rc := sqlite3.Xsqlite3_step(tls, stmt)
			if rc == sqlite3.SQLITE_DONE {
				break
			}
			if rc != sqlite3.SQLITE_ROW {
				t.Fatalf("step: %d: %s", rc, q)
			}
		}
		sqlite3.Xsqlite3_reset(tls, stmt)
	}
	return int(sqlite3.Xsqlite3_stmt_status(tls, stmt, sqlite3.SQLITE_STMTSTATUS_REPREPARE, 0))
}
