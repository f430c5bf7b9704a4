// Package sqldb stores Xinfang in SQLite (modernc.org/sqlite, no cgo) or
// PostgreSQL (pgx) through database/sql. The two share every query; the
// differences (placeholders, migrations, error codes) live in dialect.go.
// It implements the domain's service interfaces and calls the pure
// procedure for every change; it must never import the HTTP layer.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

//go:embed migrations
var migrationFS embed.FS

// DB is an open database: the connection pools and migrations, and one
// store per aggregate. The web layer and the scheduler see the stores only
// through the small interfaces they declare.
type DB struct {
	*core

	Petitions    *PetitionStore    // 信访件: registration, the procedure's actions, events, ledgers
	Petitioners  *PetitionerStore  // 信访人: the same person across petitions
	Cases        *CaseStore        // 信访积案 with their records, 三跨三分离 tasks and 批示
	Supervisions *SupervisionStore // 督办单
	Discipline   *DisciplineStore  // 纪检监督: watch list, investigations, accountability, letters
	Inbox        *InboxStore       // 站内消息
	Repeats      *RepeatStore      // repeat detection
	Search       *SearchStore      // full-text search
	Directory    *DirectoryStore   // units, users, sessions, dictionaries, holidays
	Clocks       *ClockStore       // what the scheduler reads: running clocks, escalation, its lease
}

// core is what every store shares: the pools, the dialect, the clock, the
// procedure's configuration and the holiday calendar. Its helpers are
// unexported, so a store's exported methods are its own.
type core struct {
	DSN     string
	dialect dialect
	rdb     *sql.DB
	wdb     *sql.DB

	// Now is the clock; tests and the demo loader set it.
	Now func() time.Time
	// Cfg holds the procedure's configurable rules.
	Cfg    procedure.Config
	Logger *slog.Logger
	// SessionLifetime and IdleTimeout end a session that long after login
	// and after its last request; NewDB sets the constants of that name.
	SessionLifetime, IdleTimeout time.Duration

	calMu     sync.Mutex
	cal       *calendar.Calendar
	calLoaded time.Time
}

// The stores, one per aggregate. Each is the shared core and the methods
// of its aggregate.
type (
	PetitionStore    struct{ *core }
	PetitionerStore  struct{ *core }
	CaseStore        struct{ *core }
	SupervisionStore struct{ *core }
	DisciplineStore  struct{ *core }
	InboxStore       struct{ *core }
	RepeatStore      struct{ *core }
	SearchStore      struct{ *core }
	DirectoryStore   struct{ *core }
	ClockStore       struct{ *core }
)

// NewDB returns a DB for dsn: a postgres:// URL or a SQLite file path.
func NewDB(dsn string) *DB {
	c := &core{DSN: dsn, Now: time.Now, Cfg: procedure.DefaultConfig(), Logger: slog.Default(), SessionLifetime: SessionLifetime, IdleTimeout: IdleTimeout}
	return &DB{core: c,
		Petitions: &PetitionStore{c}, Petitioners: &PetitionerStore{c}, Cases: &CaseStore{c},
		Supervisions: &SupervisionStore{c}, Discipline: &DisciplineStore{c}, Inbox: &InboxStore{c},
		Repeats: &RepeatStore{c}, Search: &SearchStore{c}, Directory: &DirectoryStore{c}, Clocks: &ClockStore{c},
	}
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects and runs the migrations.
func (db *DB) Open() (err error) {
	if db.DSN == "" {
		return errors.New("dsn required")
	}
	if IsPostgres(db.DSN) {
		db.dialect = postgres{}
		if db.rdb, err = sql.Open("pgx", db.DSN); err != nil {
			return err
		}
		db.rdb.SetMaxOpenConns(20)
		db.rdb.SetMaxIdleConns(10)
		db.wdb = db.rdb
	} else {
		db.dialect = sqlite{}
		// synchronous=FULL: an acknowledged commit survives power loss.
		q := "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_pragma=cache_size(-65536)&_pragma=mmap_size(268435456)&_txlock=immediate"
		path := strings.TrimPrefix(db.DSN, "sqlite://")
		if db.wdb, err = sql.Open("sqlite", "file:"+path+q); err != nil {
			return err
		}
		db.wdb.SetMaxOpenConns(1)
		db.wdb.SetConnMaxLifetime(0)
		if db.rdb, err = sql.Open("sqlite", "file:"+path+q); err != nil {
			return err
		}
		db.rdb.SetMaxOpenConns(8)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.wdb.PingContext(ctx); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return db.seed(ctx)
}

// IndexMissing builds the repeat-detection and search indexes once for a
// database that has petitions from before those indexes existed. The
// commands call it after opening (it can take minutes on millions of
// petitions, which Open itself must not impose on every caller).
func (db *DB) IndexMissing(ctx context.Context) error {
	// EXISTS, not COUNT: this runs at every start, on up to millions of rows.
	var missing int
	if err := db.queryRow(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM petitions) AND NOT EXISTS (SELECT 1 FROM petition_fingerprints) THEN 1 ELSE 0 END`).Scan(&missing); err != nil {
		return err
	}
	if missing == 0 {
		return nil
	}
	db.Logger.Info("building the repeat and search indexes")
	return db.Reindex(ctx)
}

// Close closes the pools.
func (db *DB) Close() error {
	var err error
	if db.rdb != nil {
		err = db.rdb.Close()
	}
	if db.wdb != nil && db.wdb != db.rdb {
		if e := db.wdb.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Postgres reports whether the DB is PostgreSQL.
func (db *core) Postgres() bool { return db.dialect != nil && db.dialect.name() == "postgres" }

// migrate applies the embedded numbered .sql files of the dialect that have
// not run yet, each in its own transaction. On PostgreSQL an advisory lock
// keeps two instances starting together from migrating twice.
func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.wdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if db.Postgres() {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7426001)`); err != nil {
			return err
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7426001)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
		return err
	}
	dir := "migrations/" + db.dialect.name()
	names, err := fs.Glob(migrationFS, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		var n int
		if err := conn.QueryRowContext(ctx, db.dialect.rebind(`SELECT COUNT(*) FROM migrations WHERE name = ?`), name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		buf, err := fs.ReadFile(migrationFS, name)
		if err != nil {
			return err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(`INSERT INTO migrations (name) VALUES (?)`), name); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Tx is a write transaction with the dialect's placeholders.
type Tx struct {
	*sql.Tx
	db  *core
	now time.Time
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.ExecContext(ctx, tx.db.dialect.rebind(q), args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.QueryContext(ctx, tx.db.dialect.rebind(q), args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.QueryRowContext(ctx, tx.db.dialect.rebind(q), args...)
}

// insert runs an INSERT … RETURNING id.
func (tx *Tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// write runs fn in a write transaction and commits it; a serialization
// failure or a busy database is retried a few times.
func (db *core) write(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = db.writeOnce(ctx, fn)
		if err == nil || !db.dialect.retryable(err) {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
	}
	return db.wrap(err)
}

func (db *core) writeOnce(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{Tx: stx, db: db, now: db.Now()}
	if err := fn(tx); err != nil {
		stx.Rollback()
		return err
	}
	return stx.Commit()
}

// wrap turns driver errors into the domain's vocabulary.
func (db *core) wrap(err error) error {
	if err == nil {
		return nil
	}
	var xe *xinfang.Error
	if errors.As(err, &xe) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return xinfang.Errorf(xinfang.ENOTFOUND, "记录不存在")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if db.dialect.unique(err) {
		return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "记录已存在或已被他人修改"}
	}
	return err
}

func (db *core) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.rdb.QueryContext(ctx, db.dialect.rebind(q), args...)
}

func (db *core) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.rdb.QueryRowContext(ctx, db.dialect.rebind(q), args...)
}

// Time values are stored as fixed-width UTC text on both databases, so that
// they compare as strings and read back identically.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Calendar returns the working-day calendar from the holidays table. It is
// cached for a minute, so that an administrator's edit reaches every
// instance sharing the database within that time.
func (db *core) Calendar(ctx context.Context) *calendar.Calendar {
	db.calMu.Lock()
	defer db.calMu.Unlock()
	if db.cal != nil && time.Since(db.calLoaded) < time.Minute {
		return db.cal
	}
	ovs, err := db.holidays(ctx)
	if err != nil {
		db.Logger.Error("load holidays", "err", err)
		if db.cal != nil {
			return db.cal
		}
		return calendar.Default()
	}
	db.cal, db.calLoaded = calendar.New(ovs), time.Now()
	return db.cal
}

// Procedure returns the procedure over the current calendar.
func (db *core) Procedure(ctx context.Context) *procedure.Procedure {
	return procedure.New(db.Calendar(ctx), db.Cfg)
}

func (db *core) invalidateCalendar() {
	db.calMu.Lock()
	db.cal = nil
	db.calMu.Unlock()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// scanner is a row that can be scanned: *sql.Row or *sql.Rows. An alias,
// so that the scan functions' own parameter type matches it.
type scanner = interface{ Scan(...any) error }

// scanAll reads every row of a query with scan and closes the rows; err is
// the query's error, so a call reads `rows, err := db.query(…); return
// scanAll(rows, err, scanX)`. An empty result is an empty slice, not nil.
func scanAll[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// The domain's state lists as SQL, for the queries that name them in their
// text (xinfang.SQLInList): one list each, never a literal of storage's own.
var (
	closedPetitionStates   = xinfang.SQLInList(xinfang.ClosedStateCodes())      // no clock runs
	runningCaseStates      = xinfang.SQLInList(xinfang.RunningCaseStateCodes()) // a case still runs against its deadline
	openTaskState          = xinfang.SQLInList([]string{xinfang.TaskOpen})
	openSupervisionState   = xinfang.SQLInList([]string{string(xinfang.SupervisionOpen)})
	openInvestigationState = xinfang.SQLInList([]string{xinfang.InvestigationOpen})
)
