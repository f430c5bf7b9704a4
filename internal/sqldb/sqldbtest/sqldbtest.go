// Package sqldbtest opens fresh test databases on SQLite and PostgreSQL and
// builds a small city to test against, so that one storage test suite runs
// on both databases. It is imported by tests only; production code must
// never import it.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"

	"xinfang"
	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
)

// DefaultPostgres is the server used when XINFANG_TEST_POSTGRES is unset.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresServer returns the DSN of the PostgreSQL server tests may create
// scratch databases on.
func PostgresServer() string {
	if v := os.Getenv("XINFANG_TEST_POSTGRES"); v != "" {
		return v
	}
	return DefaultPostgres
}

// inCI reports whether the suite runs in CI, where PostgreSQL must be there:
// a silently skipped half of the suite would hide dialect bugs.
func inCI() bool { return os.Getenv("CI") == "true" }

var (
	pgOnce sync.Once
	pgErr  error
)

// postgresReachable pings the server once per process.
func postgresReachable() error {
	pgOnce.Do(func() {
		db, err := sql.Open("pgx", PostgresServer())
		if err != nil {
			pgErr = err
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		pgErr = db.PingContext(ctx)
	})
	return pgErr
}

// Dialects returns the dialects to run a storage test on: "sqlite" always,
// "postgres" when the server answers. Without PostgreSQL it logs why and
// leaves it out, except in CI (CI=true), where it fails the test.
func Dialects(tb testing.TB) []string {
	tb.Helper()
	if err := postgresReachable(); err != nil {
		if inCI() {
			tb.Fatalf("PostgreSQL at %s is required in CI: %v", redact(PostgresServer()), err)
		}
		tb.Logf("PostgreSQL at %s unreachable, testing SQLite only: %v", redact(PostgresServer()), err)
		return []string{"sqlite"}
	}
	return []string{"sqlite", "postgres"}
}

// RequirePostgres skips tb when PostgreSQL is unreachable, or fails it in CI.
func RequirePostgres(tb testing.TB) {
	tb.Helper()
	if err := postgresReachable(); err != nil {
		if inCI() {
			tb.Fatalf("PostgreSQL at %s is required in CI: %v", redact(PostgresServer()), err)
		}
		tb.Skipf("PostgreSQL at %s unreachable: %v", redact(PostgresServer()), err)
	}
}

// Keys protect the test databases. They are fixed, so that a test may
// reopen a database it made and a benchmark may reuse the database an
// earlier run built; never use them for real data.
var Keys = func() *keyring.Keyring {
	k, err := keyring.Parse([]byte("secret " + strings.Repeat("5a", 32) + "\nsm4 1 " + strings.Repeat("a5", 16) + "\n"))
	if err != nil {
		panic(err)
	}
	return k
}()

// Open returns a fresh, migrated database of dialect, closed (and on
// PostgreSQL dropped) when the test ends.
func Open(tb testing.TB, dialect string) *sqldb.DB {
	tb.Helper()
	var dsn string
	switch dialect {
	case "sqlite":
		dsn = filepath.Join(tb.TempDir(), "xinfang.db")
	case "postgres":
		dsn = PostgresDSN(tb)
	default:
		tb.Fatalf("unknown dialect %q", dialect)
	}
	db := sqldb.NewDB(dsn, Keys)
	if err := db.Open(); err != nil {
		tb.Fatalf("open %s database: %v", dialect, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close %s database: %v", dialect, err)
		}
	})
	return db
}

// PostgresDSN creates an empty database with a unique name on the test
// server and returns its DSN; the database is dropped when the test ends,
// even if connections to it are still open.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	return PostgresDSNWith(tb, "")
}

// PostgresDSNWith is PostgresDSN with clauses added to CREATE DATABASE,
// such as another locale: the application must work whatever locale the
// administrator created the database with.
func PostgresDSNWith(tb testing.TB, clauses string) string {
	tb.Helper()
	RequirePostgres(tb)
	server := PostgresServer()
	admin, err := sql.Open("pgx", server)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "xinfang_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+" "+clauses); err != nil {
		admin.Close()
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE: a server process a test started may still hold a connection.
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("XINFANG_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "***")
	}
	return u.String()
}

// Password is the password of every fixture user.
const Password = "Xinfang#2026"

// Fixture is a small city: 示例市 with its 信访局, two towns with a village
// each, the 公安局 (a legal organ) and the 纪委监委, and one user per role
// that the tests need. Users are returned with Unit loaded.
type Fixture struct {
	DB *sqldb.DB

	City, Bureau, TownA, VillageA, TownB, VillageB, Police, Discipline *xinfang.Unit

	Admin             *xinfang.User // admin at the city
	Auditor           *xinfang.User // auditor at the city
	Leader            *xinfang.User // leader at the city: sees the whole city
	BureauRegistrar   *xinfang.User // registrar at the 信访局
	RegistrarA        *xinfang.User // registrar at town A
	HandlerA          *xinfang.User // handler at town A
	HeadA             *xinfang.User // unit head of town A
	HandlerB          *xinfang.User // handler at town B
	DisciplineHandler *xinfang.User // handler at the 纪委监委
}

// NewFixture creates the units and users in db. Each user costs one
// password hash (~30 ms), which is why there are only these.
func NewFixture(tb testing.TB, db *sqldb.DB) *Fixture {
	tb.Helper()
	f := &Fixture{DB: db}
	ctx := context.Background()
	unit := func(parent *xinfang.Unit, code, name string, kind xinfang.UnitKind) *xinfang.Unit {
		tb.Helper()
		u := &xinfang.Unit{Code: code, Name: name, Kind: kind}
		if parent != nil {
			u.ParentID = parent.ID
		}
		if err := db.Directory.CreateUnit(ctx, u); err != nil {
			tb.Fatalf("create unit %s: %v", code, err)
		}
		return u
	}
	f.City = unit(nil, "SLS", "示例市", xinfang.UnitCity)
	f.Bureau = unit(f.City, "XFJ", "示例市信访局", xinfang.UnitBureau)
	f.TownA = unit(f.City, "JZ", "甲镇", xinfang.UnitTown)
	f.VillageA = unit(f.TownA, "JZ01", "甲镇东村", xinfang.UnitVillage)
	f.TownB = unit(f.City, "YZ", "乙镇", xinfang.UnitTown)
	f.VillageB = unit(f.TownB, "YZ01", "乙镇西村", xinfang.UnitVillage)
	f.Police = unit(f.City, "GAJ", "示例市公安局", xinfang.UnitLegal)
	f.Discipline = unit(f.City, "JWJW", "示例市纪委监委", xinfang.UnitDiscipline)

	type spec struct {
		dst      **xinfang.User
		username string
		name     string
		unit     *xinfang.Unit
		roles    []xinfang.Role
	}
	specs := []spec{
		{&f.Admin, "admin", "系统管理员", f.City, []xinfang.Role{xinfang.RoleAdmin}},
		{&f.Auditor, "auditor", "审计员", f.City, []xinfang.Role{xinfang.RoleAuditor}},
		{&f.Leader, "leader", "李市长", f.City, []xinfang.Role{xinfang.RoleLeader}},
		{&f.BureauRegistrar, "xfj.reg", "王登记", f.Bureau, []xinfang.Role{xinfang.RoleRegistrar}},
		{&f.RegistrarA, "jz.reg", "赵登记", f.TownA, []xinfang.Role{xinfang.RoleRegistrar}},
		{&f.HandlerA, "jz.handler", "钱承办", f.TownA, []xinfang.Role{xinfang.RoleHandler}},
		{&f.HeadA, "jz.head", "孙镇长", f.TownA, []xinfang.Role{xinfang.RoleUnitHead}},
		{&f.HandlerB, "yz.handler", "周承办", f.TownB, []xinfang.Role{xinfang.RoleHandler}},
		{&f.DisciplineHandler, "jw.handler", "吴纪检", f.Discipline, []xinfang.Role{xinfang.RoleHandler}},
	}
	// Hashing dominates; two at a time use both cores of a small machine.
	var wg sync.WaitGroup
	errs := make([]error, len(specs))
	sem := make(chan struct{}, 2)
	for i, s := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			u := &xinfang.User{Username: s.username, Name: s.name, UnitID: s.unit.ID, Roles: s.roles}
			if err := db.Directory.CreateUser(ctx, u, Password); err != nil {
				errs[i] = fmt.Errorf("create user %s: %w", s.username, err)
				return
			}
			loaded, err := db.Directory.FindUserByID(ctx, u.ID)
			if err != nil {
				errs[i] = fmt.Errorf("find user %s: %w", s.username, err)
				return
			}
			*s.dst = loaded
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return f
}

// Ctx returns a context acting as u.
func (f *Fixture) Ctx(u *xinfang.User) context.Context {
	return xinfang.NewContextWithUser(context.Background(), u)
}

// NewPetition returns a valid registration of a 申诉求决 letter about
// locality; n makes the petitioner's ID number distinct.
func (f *Fixture) NewPetition(locality *xinfang.Unit, n int) *xinfang.Petition {
	return &xinfang.Petition{
		Channel:    "letter",
		ReceivedAt: f.DB.Now().Add(-time.Minute),
		Petitioner: &xinfang.Petitioner{Name: "张三", IDNumber: IDNumber(n), Phone: "13800138000", Address: "甲镇东村 1 号"},
		Summary:    "反映工资拖欠问题",
		Content:    "某公司拖欠工资三个月，请求协调解决。",
		Request:    "发放拖欠工资",
		Category:   "0501",
		Purpose:    "claim",
		LocalityID: locality.ID,
	}
}

// MustRegister registers p as u and fails tb on error.
func (f *Fixture) MustRegister(tb testing.TB, u *xinfang.User, p *xinfang.Petition) *xinfang.Petition {
	tb.Helper()
	if err := f.DB.Petitions.RegisterPetition(f.Ctx(u), p); err != nil {
		tb.Fatalf("register petition as %s: %v", u.Username, err)
	}
	return p
}

// MustAct applies in to petition id as u and fails tb on error.
func (f *Fixture) MustAct(tb testing.TB, u *xinfang.User, id int64, in xinfang.ActionInput) *xinfang.Petition {
	tb.Helper()
	p, err := f.DB.Petitions.Act(f.Ctx(u), id, in)
	if err != nil {
		tb.Fatalf("%s on petition %d as %s: %v", in.Action, id, u.Username, err)
	}
	return p
}

// IDNumber returns a valid 18-digit 居民身份证号 (Beijing, born 1980-01-01)
// distinct for n in 0..999.
func IDNumber(n int) string {
	first := fmt.Sprintf("11010119800101%03d", n%1000)
	return first + string(xinfang.IDNumberCheckChar(first))
}
