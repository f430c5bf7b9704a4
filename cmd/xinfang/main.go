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
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/demo"
	"xinfang/internal/scheduler"
	"xinfang/internal/sqldb"
	"xinfang/internal/web"
)

const usage = `xinfang — 信访工作管理系统

Usage:
  xinfang serve    [--addr :8080] [--db ./xinfang.db] [--demo]   run the web application
  xinfang demo     [--addr :8080] [--db ./xinfang-demo.db]        run with a demo city loaded
  xinfang migrate  [--db …]                                       create or upgrade the database
  xinfang user add --username U --name N --unit CODE --roles admin[,…] [--password P] [--db …]
  xinfang deadline CLOCK START [--extra N] [--db …]               compute a statutory deadline

--db takes a SQLite file path or a postgres:// URL; XINFANG_DB sets the default.
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
		return runMigrate(args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			fmt.Fprint(stderr, usage)
			return flag.ErrHelp
		}
		return runUserAdd(ctx, args[2:], stdout, stderr)
	case "deadline":
		return runDeadline(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func defaultDB(fallback string) string {
	if v := os.Getenv("XINFANG_DB"); v != "" {
		return v
	}
	return fallback
}

func openDB(dsn string) (*sqldb.DB, error) {
	db := sqldb.NewDB(dsn)
	if err := db.Open(); err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	return db, nil
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

// Main is the running web application, so that tests can start the whole
// program and stop it.
type Main struct {
	DB     *sqldb.DB
	Server *http.Server
	Addr   string // the bound address once running
	ln     net.Listener
}

// Open opens the database and binds the listener.
func (m *Main) Open(dsn, addr string, logger *slog.Logger) error {
	db, err := openDB(dsn)
	if err != nil {
		return err
	}
	m.DB = db
	if err := db.IndexMissing(context.Background()); err != nil {
		db.Close()
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		db.Close()
		return err
	}
	m.ln, m.Addr = ln, ln.Addr().String()
	m.Server = &http.Server{Handler: web.NewServer(storesOf(db), logger), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	return nil
}

// Run serves until ctx ends, then shuts down gracefully.
func (m *Main) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.Server.Serve(m.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return m.Server.Shutdown(sctx)
}

// Close releases the database.
func (m *Main) Close() error {
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, demoMode bool) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbDefault := "./xinfang.db"
	if demoMode {
		dbDefault = "./xinfang-demo.db"
	}
	addr := fs.String("addr", envOr("XINFANG_ADDR", ":8080"), "listen address")
	dsn := fs.String("db", defaultDB(dbDefault), "SQLite file path or postgres:// URL")
	withDemo := fs.Bool("demo", demoMode, "load the demo city into an empty database")
	petitions := fs.Int("demo-petitions", 800, "number of demo petitions")
	checkEvery := fs.Duration("check-interval", scheduler.DefaultInterval, "how often the scheduler checks the clocks and sends warnings")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	m := &Main{}
	if err := m.Open(*dsn, *addr, logger); err != nil {
		return err
	}
	defer m.Close()
	if *withDemo {
		fmt.Fprintln(stdout, "正在载入演示数据……")
		accounts, err := demo.Load(ctx, m.DB, demo.Options{Petitions: *petitions})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		printAccounts(stdout, accounts)
	}
	// The scheduler checks every running clock at start and then
	// periodically; waiting for it before m.Close lets it give up its lease.
	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		scheduler.New(m.DB.Clocks, m.DB.Inbox, func() time.Time { return m.DB.Now() }, logger, *checkEvery).Run(schedCtx)
	}()
	defer func() { stopSched(); <-schedDone }()
	fmt.Fprintf(stdout, "信访系统已启动：http://%s/ （数据库 %s）\n", displayAddr(m.Addr), redact(*dsn))
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

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func runMigrate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", defaultDB("./xinfang.db"), "SQLite file path or postgres:// URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.IndexMissing(context.Background()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "数据库已是最新结构：", redact(*dsn))
	return nil
}

// runUserAdd creates a user; on an empty database it creates the root unit
// first when --unit names a code that does not exist and --unit-name is given.
func runUserAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", defaultDB("./xinfang.db"), "SQLite file path or postgres:// URL")
	username := fs.String("username", "", "login name")
	name := fs.String("name", "", "full name")
	unitCode := fs.String("unit", "", "unit code")
	unitName := fs.String("unit-name", "", "create the root unit with this name when --unit does not exist yet (empty database)")
	roles := fs.String("roles", "admin", "comma-separated roles")
	password := fs.String("password", "", "password (prompted from XINFANG_PASSWORD when empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(*dsn)
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
	dsn := fs.String("db", "", "use the holiday calendar of this database (default: the shipped calendar)")
	extra := fs.Int("extra", 0, "days added (approved extension, paused hearing days)")
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return err
		}
		args = fs.Args()
		if len(args) > 0 {
			pos = append(pos, args[0])
			args = args[1:]
		}
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "usage: xinfang deadline CLOCK START   (START: 2026-09-29 or 2026-09-29T10:00:00+08:00)")
		return flag.ErrHelp
	}
	start, err := parseInstant(pos[1])
	if err != nil {
		return xinfang.FieldError("start", err.Error())
	}
	pr := procedureFor(ctx, *dsn)
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

// storesOf hands the web layer the stores of db, each behind the interface
// the web layer declares.
func storesOf(db *sqldb.DB) web.Stores {
	return web.Stores{
		Petitions: db.Petitions, Petitioners: db.Petitioners, Cases: db.Cases,
		Supervisions: db.Supervisions, Discipline: db.Discipline, Inbox: db.Inbox,
		Repeats: db.Repeats, Search: db.Search, Directory: db.Directory,
		Procedure: db.Procedure,
		Now:       func() time.Time { return db.Now() },
	}
}
