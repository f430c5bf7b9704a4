package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/keyring"
	"xinfang/internal/outbox"
	"xinfang/internal/scheduler"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestTwoInstancesOnePostgres runs two server processes on one PostgreSQL
// database, as a city deploys them behind a load balancer, and registers
// through both at once: petition numbers must stay unique and gap-free.
func TestTwoInstancesOnePostgres(t *testing.T) {
	dsn := sqldbtest.PostgresDSN(t) // skips without PostgreSQL, fails in CI
	bin := buildBinary(t)

	db := sqldb.NewDB(dsn, sqldbtest.Keys)
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

// TestMain removes the binary buildBinary built, once every test that
// runs it is done.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildPath != "" {
		os.RemoveAll(filepath.Dir(buildPath))
	}
	os.Exit(code)
}

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
	return spawnServer(t, bin, dsn).addr
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
	_, number, err := registerItem(c, locality, n)
	return number, err
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
	t.Setenv("XINFANG_DB", "") // the shipped calendar
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
	// open closes the database when the (sub)test that opened it ends,
	// before that test's temporary directory is removed.
	open := func(t *testing.T, path string) *sqldb.DB {
		t.Helper()
		// The command made the keys file beside the database.
		keys, err := keyring.Load(path + ".keys")
		if err != nil {
			t.Fatal(err)
		}
		db := sqldb.NewDB(path, keys)
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

		db := open(t, path)
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
		if _, _, err := db.Directory.Login(ctx, "admin", sqldbtest.Password, "127.0.0.1"); err != nil {
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
		db := open(t, path)
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

// env is a fake environment for parseConfig.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func parse(t *testing.T, cmd string, e env, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, _, err := parseConfig(cmd, fs, args, e.get)
	return cfg, err
}

// Each setting comes from its default, then its environment variable, then
// its flag.
func TestConfigPrecedence(t *testing.T) {
	tests := []struct {
		name string
		cmd  string
		env  env
		args []string
		want func(*Config)
	}{
		{"defaults", "serve", nil, nil, func(*Config) {}},
		{"environment over defaults", "serve",
			env{"XINFANG_ADDR": ":9090", "XINFANG_DB": "postgres://x@db/xinfang", "XINFANG_SECURE_COOKIES": "true", "XINFANG_IDLE_TIMEOUT": "45m", "XINFANG_NEAR_DAYS": "5", "XINFANG_CHECK_INTERVAL": "1m", "XINFANG_SESSION_LIFETIME": ""},
			nil, func(c *Config) {
				c.Addr, c.DSN, c.SecureCookies, c.IdleTimeout, c.NearDays, c.CheckInterval = ":9090", "postgres://x@db/xinfang", true, 45*time.Minute, 5, time.Minute
			}},
		{"flags over environment", "serve",
			env{"XINFANG_ADDR": ":9090", "XINFANG_SECURE_COOKIES": "true", "XINFANG_IDLE_TIMEOUT": "45m", "XINFANG_NEAR_DAYS": "5", "XINFANG_EVALUATION_DAYS": "20"},
			[]string{"--addr", "127.0.0.1:7070", "--secure-cookies=false", "--idle-timeout", "20m", "--near-days", "2", "--session-lifetime", "8h"},
			func(c *Config) {
				c.Addr, c.IdleTimeout, c.NearDays, c.SessionLifetime, c.EvaluationDays = "127.0.0.1:7070", 20*time.Minute, 2, 8*time.Hour, 20
			}},
		{"trusted proxies", "serve", env{"XINFANG_TRUSTED_PROXY": "10.0.0.0/8, 192.168.1.10"}, nil, func(c *Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.10/32")}
		}},
		{"the flag's proxies replace the variable's", "serve", env{"XINFANG_TRUSTED_PROXY": "10.0.0.0/8"}, []string{"--trusted-proxy", "fd00::/8,172.16.0.1/12"}, func(c *Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("172.16.0.0/12")}
		}},
		{"demo has its own database and loads the city", "demo", nil, nil, func(c *Config) {
			c.DSN, c.Demo = "./xinfang-demo.db", true
		}},
		{"demo options", "serve", env{"XINFANG_DEMO": "1"}, []string{"--demo-petitions", "50"}, func(c *Config) {
			c.Demo, c.DemoPetitions = true, 50
		}},
		{"deadline uses the shipped calendar unless told", "deadline", nil, []string{"--roll-forward=false"}, func(c *Config) {
			c.DSN, c.RollForward = "", false
		}},
		{"deadline honours XINFANG_DB", "deadline", env{"XINFANG_DB": "/srv/xinfang.db"}, nil, func(c *Config) {
			c.DSN = "/srv/xinfang.db"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(t, tt.cmd, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			want := DefaultConfig()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
	if d := DefaultConfig(); d.Addr != ":8080" || d.SessionLifetime != 12*time.Hour || d.IdleTimeout != 30*time.Minute ||
		d.NearDays != 3 || d.EvaluationDays != 30 || !d.RollForward || d.CheckInterval != 5*time.Minute || d.SecureCookies {
		t.Errorf("defaults changed: %+v", d)
	}
}

// A bad value is refused with the name of the flag or variable it came
// from, before anything is opened.
func TestConfigBadValue(t *testing.T) {
	tests := []struct {
		env  env
		args []string
		name string // what the error must name
	}{
		{nil, []string{"--session-lifetime", "12"}, "-session-lifetime"},
		{env{"XINFANG_IDLE_TIMEOUT": "half an hour"}, nil, "XINFANG_IDLE_TIMEOUT"},
		{nil, []string{"--idle-timeout", "10s"}, "-idle-timeout"},
		{nil, []string{"--near-days", "-1"}, "-near-days"},
		{env{"XINFANG_NEAR_DAYS": "0"}, nil, "XINFANG_NEAR_DAYS"},
		{env{"XINFANG_EVALUATION_DAYS": "-30"}, nil, "XINFANG_EVALUATION_DAYS"},
		{nil, []string{"--check-interval", "0s"}, "-check-interval"},
		{env{"XINFANG_SECURE_COOKIES": "maybe"}, nil, "XINFANG_SECURE_COOKIES"},
		{nil, []string{"--addr", "8080"}, "-addr"},
		{nil, []string{"--demo-petitions", "many"}, "-demo-petitions"},
		{nil, []string{"--trusted-proxy", "10.0.0.0/33"}, "-trusted-proxy"},
		{env{"XINFANG_TRUSTED_PROXY": "proxy.local"}, nil, "XINFANG_TRUSTED_PROXY"},
		// A good flag does not excuse a bad variable: the variable is
		// still a mistake in the deployment.
		{env{"XINFANG_NEAR_DAYS": "x"}, []string{"--near-days", "3"}, "XINFANG_NEAR_DAYS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, "serve", tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.name) {
				t.Fatalf("err = %v, want one naming %s", err, tt.name)
			}
		})
	}

	// Through the command: refused before the database is created.
	t.Setenv("XINFANG_DB", "")
	path := filepath.Join(t.TempDir(), "xinfang.db")
	var stdout bytes.Buffer
	err := Run(context.Background(), []string{"serve", "--db", path, "--near-days", "-3"}, &stdout, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-near-days") {
		t.Fatalf("serve --near-days -3: err = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused configuration created the database: %v", err)
	}
}

// The README's configuration table lists every setting.
func TestConfigDocumented(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i := strings.Index(readme, "## Configuration")
	if i < 0 {
		t.Fatal("README has no ## Configuration")
	}
	section := readme[i:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	for _, s := range settings {
		row := "| `--" + s.Flag + "` | `" + s.Env + "` |"
		if !strings.Contains(section, row) {
			t.Errorf("README configuration table lacks a row starting %q", row)
		}
	}
}

// startMain opens a Main for the serve arguments on a fresh SQLite
// database with one user, and runs it until the test ends. Its clock is
// time.Now plus *skew, so that tests can let sessions age.
func startMain(t *testing.T, args ...string) (m *Main, skew *atomic.Int64, stop func() error) {
	t.Helper()
	args = append([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "xinfang.db")}, args...)
	cfg, err := parse(t, "serve", nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m = NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	skew = new(atomic.Int64)
	m.DB.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	unit := &xinfang.Unit{Code: "SLS", Name: "示例市", Kind: xinfang.UnitCity}
	if err := m.DB.Directory.CreateUnit(ctx, unit); err != nil {
		t.Fatal(err)
	}
	if err := m.DB.Directory.CreateUser(ctx, &xinfang.User{Username: "admin", Name: "管理员", UnitID: unit.ID, Roles: []xinfang.Role{xinfang.RoleAdmin}}, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(30 * time.Second):
				runErr = errors.New("Run did not return within 30 s of the cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
		m.Close()
	})
	return m, skew, stop
}

// sessionCookie logs in over HTTP and returns the session cookie as set.
func sessionCookie(t *testing.T, addr string) *http.Cookie {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/api/v1/login", "application/json",
		strings.NewReader(`{"username":"admin","password":"`+sqldbtest.Password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "xf_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("login set no xf_session cookie: %q", resp.Header.Values("Set-Cookie"))
	return nil
}

// me returns the status of GET /api/v1/me with the session cookie.
func me(t *testing.T, addr string, c *http.Cookie) int {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+"/api/v1/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The cookie settings reach the browser: Secure when configured, Max-Age
// the configured session lifetime.
func TestMainSessionCookie(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		secure bool
		maxAge int
	}{
		{"defaults", nil, false, 12 * 3600},
		{"behind TLS with short sessions", []string{"--secure-cookies", "--session-lifetime", "2h", "--idle-timeout", "10m"}, true, 2 * 3600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := startMain(t, tt.args...)
			c := sessionCookie(t, m.Addr)
			if c.Secure != tt.secure || c.MaxAge != tt.maxAge || !c.HttpOnly {
				t.Errorf("cookie Secure=%v Max-Age=%d HttpOnly=%v, want Secure=%v Max-Age=%d HttpOnly", c.Secure, c.MaxAge, c.HttpOnly, tt.secure, tt.maxAge)
			}
		})
	}
}

// The configured idle timeout and lifetime end sessions on the server.
func TestMainSessionTimeouts(t *testing.T) {
	m, skew, _ := startMain(t, "--session-lifetime", "2h", "--idle-timeout", "10m")
	at := func(d time.Duration) { skew.Store(int64(d)) }

	c := sessionCookie(t, m.Addr)
	at(9 * time.Minute)
	if got := me(t, m.Addr, c); got != http.StatusOK {
		t.Fatalf("9 min idle: %d", got)
	}
	at(9*time.Minute + 11*time.Minute) // within the default 30 min, past the configured 10
	if got := me(t, m.Addr, c); got != http.StatusUnauthorized {
		t.Fatalf("11 min idle with --idle-timeout 10m: %d, want 401", got)
	}

	// Busy all along, the session still ends at the configured lifetime.
	at(0)
	c = sessionCookie(t, m.Addr)
	var d time.Duration
	for d = 0; d < 2*time.Hour; d += 9 * time.Minute {
		at(d)
		if got := me(t, m.Addr, c); got != http.StatusOK {
			t.Fatalf("%s after login, active: %d", d, got)
		}
	}
	at(d)
	if got := me(t, m.Addr, c); got != http.StatusUnauthorized {
		t.Fatalf("%s after login with --session-lifetime 2h: %d, want 401", d, got)
	}
}

// Run serves HTTP and runs the scheduler under one context; when it ends,
// Run shuts the server down and returns only after the scheduler has given
// up its lease.
func TestMainRunStops(t *testing.T) {
	m, _, stop := startMain(t)
	ctx := context.Background()
	// The scheduler takes the lease at once. The probe's lease expires as
	// it is written, so that it never keeps the scheduler out.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := m.DB.Clocks.AcquireLease(ctx, scheduler.LeaseName, "probe", -time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break // the scheduler has it
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduler did not take its lease within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := me(t, m.Addr, &http.Cookie{Name: "xf_session", Value: "none"}); got != http.StatusUnauthorized {
		t.Fatalf("serving: %d", got)
	}

	if err := stop(); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if ok, err := m.DB.Clocks.AcquireLease(ctx, scheduler.LeaseName, "next instance", time.Minute); err != nil || !ok {
		t.Errorf("the lease was not released: %v %v", ok, err)
	}
	if conn, err := net.DialTimeout("tcp", m.Addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("still listening on %s after Run returned", m.Addr)
	}
}

// With --db the calendar comes from that database; one that cannot be
// read is an error, never a silent fall-back to the shipped calendar.
func TestDeadlineDatabase(t *testing.T) {
	t.Setenv("XINFANG_DB", "")
	dir := t.TempDir()
	good := filepath.Join(dir, "xinfang.db")
	if err := Run(context.Background(), []string{"migrate", "--db", good}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("这不是数据库。"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := func(db string) (string, error) {
		var stdout bytes.Buffer
		err := Run(context.Background(), []string{"deadline", "objection", "2026-09-29", "--db", db}, &stdout, io.Discard)
		return stdout.String(), err
	}

	out, err := deadline(good)
	if err != nil || !strings.Contains(out, "届满：2026-10-12") {
		t.Fatalf("a good database: %v\n%s", err, out)
	}
	for _, bad := range []string{
		filepath.Join(dir, "typo.db"),
		filepath.Join(dir, "missing", "xinfang.db"),
		garbage,
		"postgres://nobody@127.0.0.1:1/xinfang?sslmode=disable&connect_timeout=5",
	} {
		out, err := deadline(bad)
		if err == nil || out != "" {
			t.Errorf("--db %s: err = %v, output %q; want an error and no deadline", bad, err, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("deadline created a database at a mistyped path: %v", err)
	}
}

// TestKeysRotate rotates the keys of a database with a petitioner: the
// keys file gains key 2, every value is sealed with it, and the database
// still opens with the file.
func TestKeysRotate(t *testing.T) {
	t.Setenv("XINFANG_DB", "")
	t.Setenv("XINFANG_KEYS", "")
	t.Setenv("XINFANG_KEYS_FILE", "")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "xinfang.db")
	keysFile := path + ".keys"
	if _, err := os.Stat(keysFile); !os.IsNotExist(err) {
		t.Fatalf("keys file before the first start: %v", err)
	}
	var out, errb bytes.Buffer
	if err := Run(ctx, []string{"migrate", "--db", path}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.Load(keysFile)
	if err != nil {
		t.Fatalf("the first start made no keys file: %v", err)
	}
	db := sqldb.NewDB(path, keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	f := sqldbtest.NewFixture(t, db)
	p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))
	db.Close()

	out.Reset()
	if err := Run(ctx, []string{"keys", "rotate", "--db", path}, &out, &errb); err != nil {
		t.Fatalf("keys rotate: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "已生成密钥 2") || !strings.Contains(out.String(), "密钥 2：") || strings.Contains(out.String(), "密钥 1：") {
		t.Errorf("keys rotate printed:\n%s", out.String())
	}
	keys, err = keyring.Load(keysFile)
	if err != nil || keys.Current() != 2 {
		t.Fatalf("keys file after rotation: current %v, %v", keys, err)
	}
	db = sqldb.NewDB(path, keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Petitions.FindPetitionByID(f.Ctx(f.RegistrarA), p.ID)
	if err != nil || got.Petitioner.IDNumber != p.Petitioner.IDNumber {
		t.Fatalf("after rotation: %v, %v", got, err)
	}
	// Another keys file does not open the database, and leaves no file.
	other := filepath.Join(t.TempDir(), "other.keys")
	if err := Run(ctx, []string{"keys", "status", "--db", path, "--keys", other}, &out, &errb); err == nil {
		t.Error("the database opened with new keys")
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("a refused start left its keys file: %v", err)
	}
}

// TestAuditVerify checks the audit log of a database from the command
// line, and finds a deleted last entry.
func TestAuditVerify(t *testing.T) {
	t.Setenv("XINFANG_DB", "")
	t.Setenv("XINFANG_KEYS", "")
	t.Setenv("XINFANG_KEYS_FILE", "")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "xinfang.db")
	var out, errb bytes.Buffer
	if err := Run(ctx, []string{"migrate", "--db", path}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.Load(path + ".keys")
	if err != nil {
		t.Fatal(err)
	}
	db := sqldb.NewDB(path, keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	f := sqldbtest.NewFixture(t, db)
	for i := 0; i < 3; i++ {
		if err := db.Audit.Record(f.Ctx(f.HandlerA), &xinfang.AuditEntry{Kind: xinfang.AuditRead, Object: "/petitions/1"}); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if err := Run(ctx, []string{"audit", "verify", "--db", path}, &out, &errb); err != nil || !strings.Contains(out.String(), "共 3 条") {
		t.Fatalf("audit verify: %v\n%s", err, out.String())
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log WHERE id = 3`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	if err := Run(ctx, []string{"audit", "verify", "--db", path}, &out, &errb); err == nil || !strings.Contains(userMessage(err), "末尾的记录被删除") {
		t.Errorf("a deleted last entry: %v", err)
	}
}

// The e-mails go to the mail server when one is configured, with the
// password from the environment only; a half configuration is refused
// naming the flag.
func TestConfigSenders(t *testing.T) {
	cfg, err := parse(t, "serve", env{"XINFANG_SMTP_ADDR": "mail.xfj.example:587", "XINFANG_SMTP_USER": "xfj", "XINFANG_SMTP_PASSWORD": "s3cret"}, "--smtp-from", "xinfang@xfj.example")
	if err != nil {
		t.Fatal(err)
	}
	senders, err := cfg.Senders(nil)
	if err != nil {
		t.Fatal(err)
	}
	mail, ok := senders[xinfang.ChannelEmail].(*outbox.SMTPSender)
	if !ok || mail.Addr != "mail.xfj.example:587" || mail.From != "xinfang@xfj.example" || mail.Username != "xfj" || mail.Password != "s3cret" {
		t.Errorf("e-mail sender %#v", senders[xinfang.ChannelEmail])
	}
	if _, ok := senders[xinfang.ChannelSMS].(*outbox.LogSender); !ok {
		t.Errorf("SMS sender %T, want the log without --sms-url", senders[xinfang.ChannelSMS])
	}
	def, err := parse(t, "serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := def.Senders(nil); err != nil {
		t.Fatal(err)
	} else if _, ok := s[xinfang.ChannelEmail].(*outbox.LogSender); !ok {
		t.Errorf("default e-mail sender %T, want the log", s[xinfang.ChannelEmail])
	}
	for _, tt := range []struct {
		args []string
		name string
	}{
		{[]string{"--smtp-addr", "mail.xfj.example"}, "--smtp-addr"},
		{[]string{"--smtp-addr", "mail.xfj.example:25"}, "--smtp-from"},
		{[]string{"--smtp-addr", "mail.xfj.example:25", "--smtp-from", "not an address"}, "--smtp-from"},
		{[]string{"--smtp-user", "xfj"}, "--smtp-addr"},
	} {
		cfg, err := parse(t, "serve", nil, tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cfg.Senders(nil); err == nil || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%v: err = %v, want one naming %s", tt.args, err, tt.name)
		}
	}
}
