// Command xinfang is the petition system: `xinfang serve` runs the web
// application; other subcommands migrate, load demo data, add users and
// compute deadlines. Configuration is parsed here only and passed down.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"xinfang"
	"xinfang/internal/app"
	"xinfang/internal/calendar"
	"xinfang/internal/demo"
	"xinfang/internal/keyring"
	"xinfang/internal/outbox"
	"xinfang/internal/scheduler"
	"xinfang/internal/sqldb"
	"xinfang/internal/web"
)

const usage = `xinfang — 信访工作管理系统

Usage:
  xinfang serve    [--addr :8080] [--db ./xinfang.db] [--demo] [settings]   run the web application
  xinfang demo     [--addr :8080] [--db ./xinfang-demo.db] [settings]       run with a demo city loaded
  xinfang migrate  [--db …]                                                 create or upgrade the database
  xinfang user add --username U --name N --unit CODE --roles admin[,…] [--password P] [--db …]
                                                                            add an account; the only way to a security_admin or auditor
  xinfang deadline CLOCK START [--extra N] [--db …]                         compute a statutory deadline
  xinfang keys rotate|status [--db …] [--keys FILE]                         new encryption key, re-encrypt; or show
  xinfang audit verify [--db …]                                             check the audit log's chain
  xinfang verify   [--db …] [--keys FILE]                                   check every hash chain; exit 2 on a finding
  xinfang backup FILE [--db …] [--format snapshot|export]                   back up while serving (no keys in it)
  xinfang backup verify FILE [--keys FILE]                                  check a backup
  xinfang restore FILE [--db …] [--keys FILE]                               restore into an empty database
  xinfang bench register|read|raw [-clients N] [-duration 10s] [-serve N]   load generator (loopback only); bench -h

--db takes a SQLite file path or a postgres:// URL; --keys the keys file
(default: the SQLite file's path + ".keys", created on first start). Every setting has a flag
and an XINFANG_* environment variable (the flag wins); ` + "`xinfang serve -h`" + ` lists them.
Clocks: disposal notice objection handling review_request review rereview_request rereview evaluation
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "xinfang:", userMessage(err))
		}
		os.Exit(2)
	}
}

func userMessage(err error) string {
	var e *xinfang.Error
	if errors.As(err, &e) {
		msg := e.Message
		return msg
	}
	return err.Error()
}

// Run runs one subcommand; tests call it directly.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr, false)
	case "demo":
		return runServe(ctx, args[1:], stdout, stderr, true)
	case "migrate":
		return runMigrate(ctx, args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			fmt.Fprint(stderr, usage)
			return flag.ErrHelp
		}
		return runUserAdd(ctx, args[2:], stdout, stderr)
	case "deadline":
		return runDeadline(ctx, args[1:], stdout, stderr)
	case "keys":
		return runKeys(ctx, args[1:], stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], stdout, stderr)
	case "verify":
		return runVerify(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		return runRestore(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// openDB opens the database cfg names, with the settings storage uses.
// serving leaves the indexes of its migrations' online parts to
// BuildOnlineIndexes, which serve runs after its start; any other command
// builds them before it goes on.
func openDB(cfg Config, serving bool) (*sqldb.DB, error) {
	keys, created, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	db := sqldb.NewDB(cfg.DSN, keys)
	db.Cfg = cfg.Procedure()
	db.SessionLifetime, db.IdleTimeout = cfg.SessionLifetime, cfg.IdleTimeout
	db.AttachmentLimit = int64(cfg.AttachmentMB) << 20
	db.DeferIndexes = serving
	if err := db.Open(); err != nil {
		if created != "" {
			// The keys made for this start were not the database's: they
			// sealed nothing, and must not stay to confuse the next start.
			os.Remove(created)
		}
		return nil, fmt.Errorf("open %s: %w", redact(cfg.DSN), err)
	}
	return db, nil
}

// keysPath is the keys file of cfg: the configured one, or beside the
// SQLite file. PostgreSQL has no default: its keys must not sit where
// whoever copies the database finds them.
func keysPath(cfg Config) (string, error) {
	if cfg.KeysFile != "" {
		return cfg.KeysFile, nil
	}
	if sqldb.IsPostgres(cfg.DSN) {
		return "", errors.New("a PostgreSQL database needs its keys: --keys FILE (XINFANG_KEYS_FILE) or XINFANG_KEYS")
	}
	return strings.TrimPrefix(cfg.DSN, "sqlite://") + ".keys", nil
}

// loadKeys reads the keys of cfg: XINFANG_KEYS, or the keys file. A keys
// file that does not exist is created with new keys (its path returned),
// which Open then checks against the database: a database sealed with
// other keys refuses them.
func loadKeys(cfg Config) (k *keyring.Keyring, created string, err error) {
	if cfg.KeysText != "" {
		k, err := keyring.Parse([]byte(cfg.KeysText))
		if err != nil {
			return nil, "", fmt.Errorf("XINFANG_KEYS: %w", err)
		}
		return k, "", nil
	}
	path, err := keysPath(cfg)
	if err != nil {
		return nil, "", err
	}
	k, err = keyring.Load(path)
	if err == nil {
		return k, "", nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("keys: %w", err)
	}
	k = keyring.Generate()
	if err := k.Save(path); err != nil {
		return nil, "", fmt.Errorf("keys: %w", err)
	}
	return k, path, nil
}

// redact hides a password in a postgres:// URL.
func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 && sqldb.IsPostgres(dsn) {
		if j := strings.Index(dsn, "://"); j > 0 && j < i {
			return dsn[:j+3] + "***" + dsn[i:]
		}
	}
	return dsn
}

// Main is the running web application: the database, the HTTP server and
// the scheduler under one lifecycle, so that tests can start the whole
// program in-process and stop it. Use NewMain, Open, Run once, Close.
type Main struct {
	Config Config
	Logger *slog.Logger

	DB        *sqldb.DB
	Web       *web.Server
	Server    *http.Server
	Scheduler *scheduler.Scheduler
	Outbox    *outbox.Worker // sends the messages to petitioners
	Addr      string         // the bound address once open
	Accounts  []demo.Account // the demo logins when Config.Demo

	ln       net.Listener
	indexing bool // a build of the search and repeat index is to run (Run runs it)
}

// NewMain returns a Main for cfg; a nil logger means slog.Default().
func NewMain(cfg Config, logger *slog.Logger) *Main {
	if logger == nil {
		logger = slog.Default()
	}
	return &Main{Config: cfg, Logger: logger}
}

// Open opens the database, runs the start-up work (loading the demo city)
// under ctx, so that a signal interrupts it, and binds the listener. It
// does not wait for the search and repeat index of petitions that predate
// it: it records the build, which Run runs in the background while the
// pages say that their results may be incomplete. On error it leaves
// nothing open.
func (m *Main) Open(ctx context.Context) (err error) {
	cfg := m.Config
	tlsConfig, err := cfg.TLS()
	if err != nil {
		return err
	}
	if m.DB, err = openDB(cfg, true); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	if m.indexing, err = m.DB.StartIndexBuild(ctx); err != nil {
		return err
	}
	if cfg.Demo {
		// Thousands of small transactions, made durable once at the end.
		err = m.DB.LoadInBulk(ctx, func(bulk *sqldb.DB) error {
			m.Accounts, err = demo.Load(ctx, bulk, demo.Options{Petitions: cfg.DemoPetitions, Online: cfg.DemoPetitions / 8})
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("demo: interrupted; the database now holds part of the demo city, start again with an empty one: %w", err)
			}
			return fmt.Errorf("demo: %w", err)
		}
	}
	if m.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return err
	}
	m.Addr = m.ln.Addr().String()
	m.Web = web.NewServer(app.WebStores(m.DB), m.Logger)
	m.Web.Secure = cfg.SecureCookies
	m.Web.TrustedProxies = cfg.TrustedProxies
	m.Web.SessionLifetime = cfg.SessionLifetime
	m.Web.AttachmentLimit = int64(cfg.AttachmentMB) << 20
	m.Server = &http.Server{Handler: m.Web, TLSConfig: tlsConfig, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	m.Scheduler = app.NewScheduler(m.DB, m.Logger, cfg.CheckInterval)
	senders, err := cfg.Senders(m.Logger)
	if err != nil {
		return err
	}
	m.Outbox = app.NewOutboxWorker(m.DB, senders, m.Logger, cfg.OutboxInterval)
	return nil
}

// shutdownTimeout bounds the wait for requests in flight at shutdown.
const shutdownTimeout = 10 * time.Second

// Run serves HTTP and runs the scheduler until ctx ends or the server
// fails. On the way out it shuts the server down gracefully and waits for
// the scheduler to give up its lease, so that another instance takes over
// at once.
func (m *Main) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		m.Scheduler.Run(ctx)
	}()
	outboxDone := make(chan struct{})
	go func() {
		defer close(outboxDone)
		m.Outbox.Run(ctx)
	}()
	indexDone := make(chan struct{})
	go func() {
		defer close(indexDone)
		if m.indexing {
			m.buildIndex(ctx)
		}
	}()
	// The indexes made after the start (sqldb.BuildOnlineIndexes).
	onlineDone := make(chan struct{})
	go func() {
		defer close(onlineDone)
		if err := m.DB.BuildOnlineIndexes(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Error("online indexes", "err", err)
		}
	}()
	served := make(chan error, 1)
	go func() {
		if m.Server.TLSConfig != nil {
			served <- m.Server.ServeTLS(m.ln, "", "") // the certificate is in TLSConfig
		} else {
			served <- m.Server.Serve(m.ln)
		}
	}()

	var err error
	select {
	case err = <-served:
		err = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	cancel()
	sctx, stop := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer stop()
	if serr := m.Server.Shutdown(sctx); serr != nil && err == nil {
		err = fmt.Errorf("shutdown: %w", serr)
	}
	<-schedDone
	<-outboxDone
	<-indexDone
	<-onlineDone
	return err
}

// indexRetry is the wait before a failed index build is taken up again.
const indexRetry = 10 * time.Second

// buildIndex runs the background build of the search and repeat index
// until it is complete or ctx ends; a failed batch is retried after a
// while (the build resumes from its last committed batch).
func (m *Main) buildIndex(ctx context.Context) {
	m.Logger.Info("building the search and repeat index in the background")
	for {
		err := m.DB.BuildIndex(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		m.Logger.Error("index build", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(indexRetry):
		}
	}
}

// Close closes the listener, if Run never took it over, and the database.
func (m *Main) Close() error {
	if m.ln != nil {
		m.ln.Close() // already closed when Run ran
	}
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, demoMode bool) error {
	name := "serve"
	if demoMode {
		name = "demo"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, rest, err := parseConfig(name, fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	// XINFANG_CPU_PROFILE names a file that receives a CPU profile of the
	// whole run (go tool pprof reads it), written when serve stops.
	if path := os.Getenv("XINFANG_CPU_PROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("XINFANG_CPU_PROFILE: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("XINFANG_CPU_PROFILE: %w", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	m := NewMain(cfg, slog.New(slog.NewTextHandler(stderr, nil)))
	if cfg.Demo {
		fmt.Fprintln(stdout, "正在载入演示数据……")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	printAccounts(stdout, m.Accounts)
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "信访系统已启动：%s://%s/ （数据库 %s）\n", scheme, displayAddr(m.Addr), redact(cfg.DSN))
	return m.Run(ctx)
}

func printAccounts(w io.Writer, accounts []demo.Account) {
	if len(accounts) == 0 {
		return
	}
	fmt.Fprintln(w, "演示账号（用户名 / 密码 / 姓名 / 单位 / 角色）：")
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-14s %-14s %s  %s  %s\n", a.Username, a.Password, a.Name, a.Unit, a.Roles)
	}
}

func displayAddr(a string) string {
	if strings.HasPrefix(a, "[::]:") {
		return "localhost:" + strings.TrimPrefix(a, "[::]:")
	}
	if strings.HasPrefix(a, "0.0.0.0:") {
		return "localhost:" + strings.TrimPrefix(a, "0.0.0.0:")
	}
	return a
}

// openCommand parses the settings of a command that takes no positional
// argument and opens its database.
func openCommand(name string, fs *flag.FlagSet, args []string) (*sqldb.DB, Config, error) {
	cfg, rest, err := parseConfig(name, fs, args, os.Getenv)
	if err != nil {
		return nil, cfg, err
	}
	if len(rest) > 0 {
		return nil, cfg, fmt.Errorf("unexpected argument %q", rest[0])
	}
	db, err := openDB(cfg, false)
	return db, cfg, err
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db, cfg, err := openCommand("migrate", fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.IndexMissing(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "数据库已是最新结构：", redact(cfg.DSN))
	return nil
}

// runUserAdd creates a user; on an empty database it creates the root unit
// first when --unit names a code that does not exist and --unit-name is given.
// It opens the first administrators of an empty database, and is the only
// way to a security admin or an auditor (三员分立, policy.go): whoever runs
// it holds the server, outside the three roles. Its roles follow the rule
// of one administrator role alone, or content roles.
func runUserAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	username := fs.String("username", "", "login name")
	name := fs.String("name", "", "full name")
	unitCode := fs.String("unit", "", "unit code")
	unitName := fs.String("unit-name", "", "create the root unit with this name when --unit does not exist yet (empty database)")
	roles := fs.String("roles", "admin", "comma-separated roles")
	password := fs.String("password", "", "password (prompted from XINFANG_PASSWORD when empty)")
	db, _, err := openCommand("user add", fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	pw := *password
	if pw == "" {
		pw = os.Getenv("XINFANG_PASSWORD")
	}
	u := &xinfang.User{Username: *username, Name: *name, MustChangePassword: true}
	for _, r := range strings.Split(*roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			u.Roles = append(u.Roles, xinfang.Role(r))
		}
	}
	// Check everything about the user before a root unit is created, so a
	// refused command leaves nothing behind.
	if err := xinfang.CheckPasswordRule(pw); err != nil {
		return err
	}
	probe := *u
	probe.UnitID = 1 // the unit is resolved below
	if err := xinfang.CheckNewAccount(nil, &probe); err != nil {
		return err
	}
	if err := probe.Validate(); err != nil {
		return err
	}
	unit, err := db.Directory.FindUnitByCode(ctx, *unitCode)
	if xinfang.ErrorCode(err) == xinfang.ENOTFOUND && *unitName != "" {
		units, _ := db.Directory.FindUnits(ctx)
		if len(units) > 0 {
			return xinfang.FieldError("unit", "单位代码不存在；只有空数据库可以用 --unit-name 创建根单位")
		}
		unit = &xinfang.Unit{Code: *unitCode, Name: *unitName, Kind: xinfang.UnitCity}
		err = db.Directory.CreateUnit(ctx, unit)
	}
	if err != nil {
		return err
	}
	u.UnitID = unit.ID
	if err := db.Directory.CreateUser(ctx, u, pw); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已创建用户 %s（%s，%s），首次登录须修改密码\n", u.Username, u.Name, unit.Name)
	return nil
}

func runDeadline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("deadline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	extra := fs.Int("extra", 0, "days added (approved extension, paused hearing days)")
	cfg, pos, err := parseConfig("deadline", fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "usage: xinfang deadline CLOCK START   (START: 2026-09-29 or 2026-09-29T10:00:00+08:00)")
		return flag.ErrHelp
	}
	start, err := parseInstant(pos[1])
	if err != nil {
		return xinfang.FieldError("start", err.Error())
	}
	pr, err := procedureFor(ctx, cfg)
	if err != nil {
		return err
	}
	c, err := pr.Calculate(xinfang.ClockKind(pos[0]), start, *extra, calendar.DateOf(time.Now()))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s（%s）\n起算：%s\n届满：%s\n", c.Clock.Label, c.Clock.Article, c.Start, c.Due)
	for _, line := range c.Why {
		fmt.Fprintln(stdout, "  ·", line)
	}
	return nil
}

// parseInstant accepts a date (taken as midnight Asia/Shanghai) or an RFC 3339 instant.
func parseInstant(s string) (time.Time, error) {
	if d, err := calendar.ParseDate(s); err == nil {
		return d.Time(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("起算时间须为 YYYY-MM-DD 或 RFC 3339 时刻")
	}
	return t, nil
}
