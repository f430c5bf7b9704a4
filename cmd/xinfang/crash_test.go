package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestCrash registers and acts under load through the real binary, kills
// the server with SIGKILL in the middle, and starts it again: every write
// that was acknowledged is there, the numbers of the unit run without a
// gap, and `xinfang verify` finds every chain intact — on SQLite and on
// PostgreSQL.
func TestCrash(t *testing.T) {
	bin := buildBinary(t)
	for _, dialect := range sqldbtest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			dsn := filepath.Join(t.TempDir(), "xinfang.db")
			if dialect == "postgres" {
				dsn = sqldbtest.PostgresDSN(t)
			}
			crash(t, bin, dsn)
		})
	}
}

// load is how long the load runs before the kill; maxLoad bounds the wait
// for enough acknowledged writes on a busy machine.
const (
	load    = 2 * time.Second
	maxLoad = 20 * time.Second
)

func crash(t *testing.T, bin, dsn string) {
	db := sqldb.NewDB(dsn, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := sqldbtest.NewFixture(t, db)

	srv := spawnServer(t, bin, dsn)
	registrar := login(t, srv.addr, f.RegistrarA.Username, sqldbtest.Password)
	handler := login(t, srv.addr, f.HandlerA.Username, sqldbtest.Password)

	// What the server acknowledged: registrations (201) and actions (200).
	var mu sync.Mutex
	registered := map[string]int64{} // number → id
	acted := map[int64]xinfang.Action{}
	var killed atomic.Bool
	failed := func(what string, err error) {
		if !killed.Load() {
			t.Errorf("%s before the kill: %v", what, err)
		}
	}
	todo := make(chan int64, 100_000)
	var wg sync.WaitGroup
	// Twelve registering clients on two cores: writes arrive faster than
	// they commit, so they go in batches (group commit) and the kill comes
	// in the middle of one.
	for w := range 12 {
		wg.Go(func() {
			for k := 0; !killed.Load(); k++ {
				id, number, err := registerItem(registrar, f.VillageA.ID, w*10_000+k)
				if err != nil {
					failed("register", err)
					return
				}
				mu.Lock()
				registered[number] = id
				mu.Unlock()
				todo <- id
			}
		})
	}
	// The handler accepts every other item, the registrar transfers the
	// rest to the village.
	for range 2 {
		wg.Go(func() {
			for !killed.Load() {
				var id int64
				select {
				case id = <-todo:
				case <-time.After(50 * time.Millisecond):
					continue
				}
				c, action, data := handler, xinfang.ActAccept, map[string]any{}
				if id%2 == 1 {
					c, action, data = registrar, xinfang.ActTransfer, map[string]any{"unit_id": f.VillageA.ID}
				}
				status, body, err := c.do("POST", "/api/v1/petitions/"+itoa(id)+"/actions/"+string(action), map[string]any{"version": 1, "data": data}, nil)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("status %d: %s", status, body)
				}
				if err != nil {
					failed(string(action), err)
					return
				}
				mu.Lock()
				acted[id] = action
				mu.Unlock()
			}
		})
	}
	// The kill comes once the load has run its time and enough writes
	// were acknowledged; a busy machine gets longer, up to a bound.
	start := time.Now()
	for {
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		enough := len(registered) >= 20 && len(acted) >= 10
		mu.Unlock()
		if time.Since(start) >= load && enough || time.Since(start) >= maxLoad || t.Failed() {
			break
		}
	}
	killed.Store(true)
	srv.kill(t)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if len(registered) < 20 || len(acted) < 10 {
		t.Fatalf("only %d registrations and %d actions acknowledged in %s", len(registered), len(acted), maxLoad)
	}

	// Started again, the server serves and numbers on.
	srv = spawnServer(t, bin, dsn)
	after := login(t, srv.addr, f.RegistrarA.Username, sqldbtest.Password)
	id, number, err := registerItem(after, f.VillageA.ID, 99_999)
	if err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	registered[number] = id
	srv.stop(t)

	ctx := xinfang.NewContextWithUser(context.Background(), f.RegistrarA)
	for number, id := range registered {
		p, err := db.Petitions.FindPetitionByNumber(ctx, number)
		if err != nil || p.ID != id {
			t.Errorf("acknowledged %s (#%d) after the crash: %v, %v", number, id, p, err)
		}
	}
	for id, action := range acted {
		events, err := db.Petitions.FindEvents(ctx, id)
		if err != nil || len(events) < 2 || events[1].Action != action {
			t.Errorf("acknowledged %s of #%d after the crash: %d events, %v", action, id, len(events), err)
		}
	}
	checkNumbers(t, db, f.RegistrarA)

	// Every acknowledged registration is found by search, from the index
	// or from the index queue its transaction wrote, and the queue, once
	// written out, leaves the gram counts adding up.
	for number, id := range registered {
		ps, _, _, err := db.Search.SearchPetitions(ctx, number, 5, 0)
		if err != nil || len(ps) != 1 || ps[0].ID != id {
			t.Errorf("search for acknowledged %s (#%d) after the crash: %d found, %v", number, id, len(ps), err)
		}
	}
	if err := db.FlushIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	driver := "sqlite"
	if db.Postgres() {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var grams, sum int
	if err := raw.QueryRow(`SELECT (SELECT COUNT(*) FROM petition_grams), (SELECT COALESCE(SUM(n), 0) FROM gram_stats)`).Scan(&grams, &sum); err != nil || grams != sum || grams == 0 {
		t.Errorf("after the crash: %d grams, gram counts summing to %d (%v)", grams, sum, err)
	}

	// Every acknowledged change has its entry in the audit log, written in
	// its transaction: every registration under the petition it created.
	created := map[string]bool{}
	for offset := 0; ; offset += 500 {
		entries, _, err := db.Audit.FindAudit(xinfang.NewContextWithUser(context.Background(), f.Auditor), xinfang.AuditFilter{Kind: xinfang.AuditChange, Offset: offset, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Route == "POST /api/v1/petitions" {
				created[e.Detail] = true
			}
		}
		if len(entries) < 500 {
			break
		}
	}
	for number, id := range registered {
		if !created["新建 petition "+itoa(id)] {
			t.Errorf("acknowledged %s (#%d) has no audit entry", number, id)
		}
	}

	// Every chain verifies, the audit log's among them.
	cmd := exec.Command(bin, "verify", "--db", dsn)
	cmd.Env = serverEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("xinfang verify after the crash: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("全部完整")) {
		t.Errorf("xinfang verify printed:\n%s", out)
	}
	t.Logf("%d registrations and %d actions acknowledged before the kill", len(registered)-1, len(acted))
}

// registerItem registers petition n about locality and returns its id and
// number once the server acknowledges it (201).
func registerItem(c *apiClient, locality int64, n int) (int64, string, error) {
	in := map[string]any{
		"channel":     "letter",
		"received_at": time.Now().Add(-time.Minute).Format(time.RFC3339),
		"petitioner":  map[string]string{"name": "张三", "id_number": sqldbtest.IDNumber(n), "phone": "13800138000"},
		"summary":     fmt.Sprintf("反映工资拖欠问题（第 %d 件）", n),
		"content":     "某公司拖欠工资三个月，请求协调解决。",
		"category":    "0501",
		"purpose":     "claim",
		"locality_id": locality,
	}
	var out struct {
		ID     int64  `json:"id"`
		Number string `json:"number"`
	}
	status, body, err := c.do("POST", "/api/v1/petitions", in, &out)
	if err != nil {
		return 0, "", err
	}
	if status != http.StatusCreated || out.ID == 0 || out.Number == "" {
		return 0, "", fmt.Errorf("register: status %d: %s", status, body)
	}
	return out.ID, out.Number, nil
}

// checkNumbers fails t unless the numbers of the petitions u registers
// run 1..n for each year without a gap. (`xinfang verify` compares them
// with the counters as well.)
func checkNumbers(t *testing.T, db *sqldb.DB, u *xinfang.User) {
	t.Helper()
	ctx := xinfang.NewContextWithUser(context.Background(), u)
	re := regexp.MustCompile(`^JZ-(\d{4})-(\d{6})$`)
	seqs := map[string][]int{}
	for offset := 0; ; offset += 500 {
		page, _, err := db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Sort: "number", Limit: 500, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			m := re.FindStringSubmatch(p.Number)
			if m == nil {
				t.Fatalf("number %q is not JZ-YYYY-NNNNNN", p.Number)
			}
			s, _ := strconv.Atoi(m[2])
			seqs[m[1]] = append(seqs[m[1]], s)
		}
		if len(page) < 500 {
			break
		}
	}
	for year, ss := range seqs {
		sort.Ints(ss)
		for i, s := range ss {
			if s != i+1 {
				t.Fatalf("%s: the numbers are not 1..%d without a gap: position %d holds %d", year, len(ss), i+1, s)
			}
		}
	}
}

// serverProc is a `xinfang serve` process.
type serverProc struct {
	addr   string
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

// serverEnv is the environment of a test server: the test databases' keys.
func serverEnv() []string {
	return append(os.Environ(), "XINFANG_DB=", "XINFANG_KEYS_FILE=", "XINFANG_KEYS="+string(sqldbtest.Keys.Marshal()))
}

// spawnServer runs `xinfang serve` on a free port until kill or stop, or
// until the test ends, and returns once it is listening.
func spawnServer(t *testing.T, bin, dsn string) *serverProc {
	t.Helper()
	s := &serverProc{cmd: exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", dsn), stderr: &syncBuffer{}, done: make(chan error, 1)}
	s.cmd.Env = serverEnv()
	s.cmd.Stderr = s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := startedRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		s.done <- s.cmd.Wait()
	}()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("server stderr:\n%s", s.stderr.String())
		}
	})
	select {
	case s.addr = <-found:
		return s
	case err := <-s.done:
		s.done <- err
		t.Fatalf("server exited before listening: %v\n%s", err, s.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not report its address within 30 s:\n%s", s.stderr.String())
	}
	return nil
}

// kill ends the server with SIGKILL: no shutdown, no flush, no cleanup.
func (s *serverProc) kill(t *testing.T) {
	t.Helper()
	s.cmd.Process.Kill() // an error means it has exited already
	s.wait(t)
}

// stop ends the server as an operator's Ctrl-C does; killed if it hangs.
func (s *serverProc) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt) // an error means it has exited already
	s.wait(t)
}

func (s *serverProc) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-s.done:
		s.done <- err // a later wait returns at once
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		t.Errorf("server did not stop within 15 s")
		s.done <- <-s.done
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
