package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestTwoInstancesOnePostgres runs two server processes on one PostgreSQL
// database, as a city deploys them behind a load balancer, and registers
// through both at once: petition numbers must stay unique and gap-free.
func TestTwoInstancesOnePostgres(t *testing.T) {
	dsn := sqldbtest.PostgresDSN(t) // skips without PostgreSQL, fails in CI
	bin := buildBinary(t)

	db := sqldb.NewDB(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := sqldbtest.NewFixture(t, db)

	const perInstance, workers = 40, 4
	addrs := []string{startServer(t, bin, dsn), startServer(t, bin, dsn)}
	if addrs[0] == addrs[1] {
		t.Fatalf("both instances on %s", addrs[0])
	}

	var mu sync.Mutex
	var numbers []string
	byInstance := map[string]int{}
	var wg sync.WaitGroup
	for i, addr := range addrs {
		c := login(t, addr, f.RegistrarA.Username, sqldbtest.Password)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range perInstance / workers {
					n := i*perInstance + w*(perInstance/workers) + k
					number, err := c.register(f.VillageA.ID, n)
					if err != nil {
						t.Errorf("instance %d: %v", i, err)
						return
					}
					mu.Lock()
					numbers = append(numbers, number)
					byInstance[addr]++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	if len(numbers) != 2*perInstance || byInstance[addrs[0]] != perInstance || byInstance[addrs[1]] != perInstance {
		t.Fatalf("%d numbers, per instance %v", len(numbers), byInstance)
	}
	re := regexp.MustCompile(`^JZ-(\d{4})-(\d{6})$`)
	seqs := make([]int, 0, len(numbers))
	year := ""
	for _, n := range numbers {
		m := re.FindStringSubmatch(n)
		if m == nil {
			t.Fatalf("number %q is not JZ-YYYY-NNNNNN", n)
		}
		if year == "" {
			year = m[1]
		} else if m[1] != year {
			t.Fatalf("numbers of two years: %s and %s", year, m[1])
		}
		var s int
		fmt.Sscan(strings.TrimLeft(m[2], "0"), &s)
		seqs = append(seqs, s)
	}
	sort.Ints(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("sequence numbers are not 1..%d without gaps or repeats: position %d holds %d", len(seqs), i+1, s)
		}
	}
	list, total, err := db.Petitions.FindPetitions(xinfang.NewContextWithUser(context.Background(), f.RegistrarA), xinfang.PetitionFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2*perInstance || len(list) != 1 {
		t.Errorf("the database holds %d petitions, want %d", total, 2*perInstance)
	}
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// buildBinary builds this command once per test process.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "xinfang-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "xinfang")
		out, err := exec.Command(goTool, "build", "-o", buildPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(buildPath)) })
	return buildPath
}

// syncBuffer collects a process's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var startedRE = regexp.MustCompile(`信访系统已启动：http://([^/\s]+)/`)

// startServer runs `xinfang serve` on a free port and returns its address
// once it is listening; the process is interrupted when the test ends.
func startServer(t *testing.T, bin, dsn string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--db", dsn)
	cmd.Env = append(os.Environ(), "XINFANG_DB=")
	// A graceful stop, as an operator's Ctrl-C; killed if it hangs.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := cmd.Wait(); err != nil && !errors.Is(err, context.Canceled) {
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Errorf("stop server: %v", err)
			}
		}
		if t.Failed() {
			t.Logf("server stderr:\n%s", stderr.String())
		}
	})
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
		close(found)
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			t.Fatalf("server exited before listening:\n%s", stderr.String())
		}
		return addr
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not report its address within 30 s:\n%s", stderr.String())
	}
	return ""
}

// apiClient is a signed-in API session on one instance.
type apiClient struct {
	base string
	http *http.Client
	csrf string
}

func login(t *testing.T, addr, username, password string) *apiClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &apiClient{base: "http://" + addr, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	status, body, err := c.do("POST", "/api/v1/login", map[string]string{"username": username, "password": password}, &out)
	if err != nil || status != http.StatusOK || out.CSRFToken == "" {
		t.Fatalf("login at %s: status %d, %v: %s", addr, status, err, body)
	}
	hasSession := false
	for _, ck := range jar.Cookies(mustURL(t, c.base)) {
		hasSession = hasSession || (ck.Name == "xf_session" && ck.Value != "")
	}
	if !hasSession {
		t.Fatalf("login at %s set no xf_session cookie", addr)
	}
	c.csrf = out.CSRFToken
	return c
}

func (c *apiClient) do(method, path string, in, out any) (int, string, error) {
	buf, err := json.Marshal(in)
	if err != nil {
		return 0, "", err
	}
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(buf))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "", err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(body, out); err != nil {
			return resp.StatusCode, string(body), err
		}
	}
	return resp.StatusCode, string(body), nil
}

// register registers petition n about locality and returns its number.
func (c *apiClient) register(locality int64, n int) (string, error) {
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
		Number string `json:"number"`
	}
	status, body, err := c.do("POST", "/api/v1/petitions", in, &out)
	if err != nil {
		return "", err
	}
	if status != http.StatusCreated || out.Number == "" {
		return "", fmt.Errorf("register: status %d: %s", status, body)
	}
	return out.Number, nil
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestDeadlineCommand(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		want  []string // lines the output must contain
		field string   // the field a refused input names
		help  bool     // usage error
	}{
		{"objection over National Day", []string{"deadline", "objection", "2026-09-29"},
			[]string{"届满：2026-10-12", "2026-10-10 为国庆节调休上班", "2026-10-01 至 2026-10-07 国庆节"}, "", false},
		{"flags after the arguments", []string{"deadline", "handling", "2026-03-02", "--extra", "30"},
			[]string{"起算：2026-03-02", "届满：2026-06-01", "延长 30 日", "顺延至 2026-06-01"}, "", false},
		{"unknown clock", []string{"deadline", "forever", "2026-09-29"}, nil, "clock", false},
		{"bad date", []string{"deadline", "objection", "2026-13-45"}, nil, "start", false},
		{"missing date", []string{"deadline", "objection"}, nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Run(context.Background(), tt.args, &stdout, &stderr)
			switch {
			case tt.help:
				if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "usage") {
					t.Fatalf("err %v, stderr %q: want usage", err, stderr.String())
				}
			case tt.field != "":
				if xinfang.ErrorCode(err) != xinfang.EINVALID || xinfang.ErrorFields(err)[tt.field] == "" {
					t.Fatalf("err = %v, want EINVALID naming %s", err, tt.field)
				}
				if stdout.Len() != 0 {
					t.Errorf("printed a result for a refused input: %q", stdout.String())
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range tt.want {
					if !strings.Contains(stdout.String(), w) {
						t.Errorf("output lacks %q:\n%s", w, stdout.String())
					}
				}
			}
		})
	}
}

func TestUserAdd(t *testing.T) {
	t.Setenv("XINFANG_DB", "")
	t.Setenv("XINFANG_PASSWORD", "")
	ctx := context.Background()
	add := func(path string, extra ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		args := append([]string{"user", "add", "--db", path}, extra...)
		err := Run(ctx, args, &stdout, &stderr)
		return stdout.String(), err
	}
	open := func(path string) *sqldb.DB {
		t.Helper()
		db := sqldb.NewDB(path)
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}

	t.Run("empty database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "xinfang.db")
		out, err := add(path, "--username", "admin", "--name", "管理员", "--unit", "SLS", "--unit-name", "示例市", "--roles", "admin", "--password", sqldbtest.Password)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "已创建用户 admin") {
			t.Errorf("output %q", out)
		}
		// A second user on the now existing unit; --unit-name may not
		// create a second root.
		if _, err := add(path, "--username", "reg1", "--name", "登记员", "--unit", "SLS", "--roles", "registrar,handler", "--password", sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		_, err = add(path, "--username", "reg2", "--name", "登记员", "--unit", "OTHER", "--unit-name", "另一市", "--password", sqldbtest.Password)
		if xinfang.ErrorFields(err)["unit"] == "" {
			t.Errorf("a second root unit: err = %v, want one naming unit", err)
		}

		db := open(path)
		units, err := db.Directory.FindUnits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(units) != 1 || units[0].Code != "SLS" || units[0].Name != "示例市" || units[0].Kind != xinfang.UnitCity || units[0].ParentID != 0 {
			t.Fatalf("units = %+v", units)
		}
		admin, err := db.Directory.FindUserByUsername(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		if admin.UnitID != units[0].ID || !admin.Has(xinfang.RoleAdmin) || len(admin.Roles) != 1 || !admin.MustChangePassword || admin.Name != "管理员" {
			t.Errorf("admin = %+v", admin)
		}
		reg, err := db.Directory.FindUserByUsername(ctx, "reg1")
		if err != nil {
			t.Fatal(err)
		}
		if !reg.Has(xinfang.RoleRegistrar) || !reg.Has(xinfang.RoleHandler) {
			t.Errorf("reg1 roles = %v", reg.Roles)
		}
		if _, _, err := db.Directory.Login(ctx, "admin", sqldbtest.Password); err != nil {
			t.Errorf("the new admin cannot log in: %v", err)
		}
		if _, err := db.Directory.FindUserByUsername(ctx, "reg2"); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("reg2 was created: %v", err)
		}
	})

	t.Run("weak password writes nothing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "xinfang.db")
		_, err := add(path, "--username", "admin", "--name", "管理员", "--unit", "SLS", "--unit-name", "示例市", "--roles", "admin", "--password", "admin123")
		if xinfang.ErrorCode(err) != xinfang.EINVALID || xinfang.ErrorFields(err)["password"] == "" {
			t.Fatalf("err = %v, want EINVALID naming password", err)
		}
		db := open(path)
		units, err := db.Directory.FindUnits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(units) != 0 {
			t.Errorf("a refused user add left %d units behind", len(units))
		}
		if _, err := db.Directory.FindUserByUsername(ctx, "admin"); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("the admin was created: %v", err)
		}
	})
}
