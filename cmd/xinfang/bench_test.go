package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/loadgen"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// benchDB makes a SQLite database with the test fixture (its registrars
// sign in with sqldbtest.Password) and returns its path, the fixture and
// the open database.
func benchDB(t *testing.T) (string, *sqldbtest.Fixture, *sqldb.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "xinfang.db")
	db := sqldb.NewDB(path, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return path, sqldbtest.NewFixture(t, db), db
}

// runBenchJSON runs `xinfang bench` in this process and decodes its report.
func runBenchJSON(t *testing.T, args ...string) *loadgen.Report {
	t.Helper()
	var out, errb bytes.Buffer
	if err := Run(context.Background(), append([]string{"bench"}, append(args, "-json")...), &out, &errb); err != nil {
		t.Fatalf("bench %v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	return decodeReport(t, out.Bytes())
}

func decodeReport(t *testing.T, b []byte) *loadgen.Report {
	t.Helper()
	var r loadgen.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("bench printed no JSON report: %v\n%s", err, b)
	}
	return &r
}

// checkStats fails t unless s counts want requests, all successful, with
// plausible figures.
func checkStats(t *testing.T, name string, s *loadgen.Stats, want int64) {
	t.Helper()
	if s == nil {
		t.Fatalf("%s: no figures", name)
	}
	if s.Requests != want || s.OK != want || len(s.Errors) != 0 {
		t.Errorf("%s: %d requests, %d ok, errors %v (%s); want %d, all ok", name, s.Requests, s.OK, s.Errors, s.ErrText, want)
	}
	if s.PerSec <= 0 || s.P50 <= 0 || s.P50 > s.P95 || s.P95 > s.P99 || s.P99 > s.Max {
		t.Errorf("%s: %.1f/s, p50 %.2f, p95 %.2f, p99 %.2f, max %.2f ms", name, s.PerSec, s.P50, s.P95, s.P99, s.Max)
	}
}

// bench register and bench read load a running server through the API:
// every registration is in the database afterwards, and every kind of the
// read mix is asked for and answered.
func TestBenchRegisterAndRead(t *testing.T) {
	path, f, db := benchDB(t)
	srv := spawnServer(t, buildBinary(t), path)
	common := []string{"-url", "http://" + srv.addr, "-user", f.RegistrarA.Username, "-password", sqldbtest.Password, "-clients", "3", "-pid", itoa(int64(srv.cmd.Process.Pid))}

	r := runBenchJSON(t, append([]string{"register", "-count", "30"}, common...)...)
	checkStats(t, "register", r.Total, 30)
	checkStats(t, "register", r.Kinds["register"], 30)
	// VmHWM is not compared with the sampled peak: the kernel updates the
	// high-water mark lazily, so it may read below an RSS sampled just before.
	if len(r.Servers) != 1 || r.Servers[0].IdleKB <= 0 || r.Servers[0].PeakKB < r.Servers[0].IdleKB || r.Servers[0].HWMKB <= 0 {
		t.Errorf("server memory %+v", r.Servers)
	}
	// 30 registrations take the server tens of milliseconds of CPU, and
	// the load generator some.
	if len(r.Servers) == 1 && r.Servers[0].CPU <= 0 || r.CPU <= 0 {
		t.Errorf("CPU: servers %+v, load generator %.3f s", r.Servers, r.CPU)
	}
	_, total, err := db.Petitions.FindPetitions(xinfang.NewContextWithUser(context.Background(), f.RegistrarA), xinfang.PetitionFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if total != 30 {
		t.Errorf("the database holds %d petitions after 30 acknowledged registrations", total)
	}

	const reads = 100 // ten rounds of the default mix
	r = runBenchJSON(t, append([]string{"read", "-count", itoa(reads)}, common...)...)
	checkStats(t, "read", r.Total, reads)
	for _, k := range loadgen.ReadKinds {
		s := r.Kinds[k.Name]
		if s == nil || s.Requests == 0 || s.OK != s.Requests {
			t.Errorf("%s: %+v", k.Name, s)
		}
	}
	if s := r.Kinds["list"]; s != nil && s.Empty != 0 {
		t.Errorf("the default ledger came back empty %d times over 30 petitions", s.Empty)
	}
	if n := r.Kinds["detail"].Requests; n < 30 || n > 50 {
		t.Errorf("%d detail requests of %d, want 40 (4 in 10)", n, reads)
	}

	// Only the mix asked for.
	r = runBenchJSON(t, append([]string{"read", "-count", "10", "-mix", "search=1"}, common...)...)
	if len(r.Kinds) != 1 || r.Kinds["search"].OK != 10 {
		t.Errorf("-mix search=1 made %+v", r.Kinds)
	}

	// A wrong password stops the command before the run, saying so.
	var out, errb bytes.Buffer
	err = Run(context.Background(), []string{"bench", "read", "-url", "http://" + srv.addr, "-user", f.RegistrarA.Username, "-password", "wrong", "-count", "1"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong password: %v", err)
	}
}

// The load generator loads servers on this machine only.
func TestBenchRefusesRemoteTarget(t *testing.T) {
	for _, target := range []string{"http://192.0.2.10:8080", "http://[2001:db8::1]:8080"} {
		var out, errb bytes.Buffer
		err := Run(context.Background(), []string{"bench", "register", "-url", target, "-count", "1"}, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), "not a loopback address") || !strings.Contains(err.Error(), "-url") {
			t.Errorf("%s: %v, want a refusal naming -url", target, err)
		}
	}
	for _, args := range [][]string{
		{"register", "-clients", "0"},
		{"read", "-count", "0"},
		{"read", "-mix", "nosuch=1"},
		{"register", "-serve", "2", "-url", "http://127.0.0.1:1"},
		{"raw", "-serve", "1"},
		{"nosuch"},
	} {
		var out, errb bytes.Buffer
		if err := Run(context.Background(), append([]string{"bench"}, args...), &out, &errb); err == nil {
			t.Errorf("bench %v: no error", args)
		}
	}
}

// bench raw writes its rows into a scratch file beside the database on
// SQLite, and a scratch table on PostgreSQL, and leaves neither behind.
func TestBenchRaw(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "xinfang.db")
		r := runBenchJSON(t, "raw", "--db", path, "-count", "40", "-clients", "2")
		checkStats(t, "raw", r.Total, 40)
		if r.Rows != 40 {
			t.Errorf("%d rows written, want 40", r.Rows)
		}
		left, _ := os.ReadDir(dir)
		for _, e := range left {
			t.Errorf("left behind: %s", e.Name())
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := sqldbtest.PostgresDSN(t) // skips without PostgreSQL, fails in CI
		r := runBenchJSON(t, "raw", "--db", dsn, "-count", "40", "-clients", "4")
		checkStats(t, "raw", r.Total, 40)
		if r.Rows != 40 {
			t.Errorf("%d rows written, want 40", r.Rows)
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE 'xinfang_bench_raw%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d scratch tables left behind", n)
		}
	})
}

// bench -serve 2 starts two instances of the binary on one database and
// registers through both, then stops them.
func TestBenchServeTwo(t *testing.T) {
	path, f, db := benchDB(t)
	bin := buildBinary(t)
	cmd := exec.Command(bin, "bench", "register", "-serve", "2", "--db", path, "-user", f.RegistrarA.Username, "-password", sqldbtest.Password, "-clients", "4", "-count", "40", "-json")
	cmd.Env = serverEnv()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bench -serve 2: %v\n%s%s", err, out, errb.String())
	}
	r := decodeReport(t, out)
	checkStats(t, "register", r.Total, 40)
	if len(r.Targets) != 2 || r.Targets[0] == r.Targets[1] || len(r.OKByTarget) != 2 {
		t.Fatalf("targets %v, successes by target %v", r.Targets, r.OKByTarget)
	}
	for u, n := range r.OKByTarget {
		if n == 0 {
			t.Errorf("no registration through %s", u)
		}
	}
	if len(r.Servers) != 2 || r.Servers[0].PID == r.Servers[1].PID || r.Servers[0].IdleKB <= 0 {
		t.Errorf("server memory %+v", r.Servers)
	}
	for _, m := range r.Servers {
		if p, err := os.FindProcess(m.PID); err == nil && p.Signal(nil) == nil {
			t.Errorf("instance pid %d still runs after bench", m.PID)
		}
	}
	_, total, err := db.Petitions.FindPetitions(xinfang.NewContextWithUser(context.Background(), f.RegistrarA), xinfang.PetitionFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if total != 40 {
		t.Errorf("the database holds %d petitions, want 40", total)
	}
}

// On an empty database -serve loads the demo city first, so that the
// default user, the demo's registrar, exists to log in as.
func TestBenchServeEmptyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo city (about 5–20 s)")
	}
	path := filepath.Join(t.TempDir(), "empty.db")
	cmd := exec.Command(buildBinary(t), "bench", "register", "-serve", "1", "--db", path, "-demo-petitions", "1", "-clients", "1", "-count", "5", "-json")
	cmd.Env = serverEnv()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bench -serve 1 on an empty database: %v\n%s%s", err, out, errb.String())
	}
	r := decodeReport(t, out)
	checkStats(t, "register", r.Total, 5)
	if len(r.Servers) != 1 || r.Servers[0].IdleKB <= 0 {
		t.Errorf("server memory %+v", r.Servers)
	}
}
