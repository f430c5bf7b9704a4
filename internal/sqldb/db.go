// Package sqldb stores Xinfang in SQLite (modernc.org/sqlite, no cgo) or
// PostgreSQL (pgx) through database/sql. The two share every query; the
// differences (placeholders, migrations, error codes) live in dialect.go.
// Each aggregate has its store (PetitionStore, CaseStore …) over one shared
// core; the web layer and the scheduler use them through interfaces they
// declare themselves. Storage asks the domain's policies and the pure
// procedure for every rule and only loads the facts they need; it must
// never import the HTTP layer or the scheduler.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/keyring"
	"xinfang/internal/procedure"
)

//go:embed migrations
var migrationFS embed.FS

// DB is an open database: the connection pools and migrations, and one
// store per aggregate. The web layer and the scheduler see the stores only
// through the small interfaces they declare.
type DB struct {
	*core

	Petitions     *PetitionStore     // 信访件: registration, the procedure's actions, events, ledgers
	Petitioners   *PetitionerStore   // 信访人: the same person across petitions
	Cases         *CaseStore         // 信访积案 with their records, 三跨三分离 tasks and 批示
	Supervisions  *SupervisionStore  // 督办单
	Discipline    *DisciplineStore   // 纪检监督: watch list, investigations, accountability, letters
	Notifications *NotificationStore // 站内消息
	Repeats       *RepeatStore       // repeat detection
	Search        *SearchStore       // full-text search
	Directory     *DirectoryStore    // units, users, sessions, dictionaries, holidays
	Clocks        *ClockStore        // what the scheduler reads: running clocks, escalation, its lease
	Audit         *AuditStore        // the audit log
	Attachments   *AttachmentStore   // 附件 of petitions and cases
	Portal        *PortalStore       // 网上信访: the petitioner's side, and the registrar's intake of it
	Outbox        *OutboxStore       // messages to petitioners: the outbox, its texts
	Imports       *ImportStore       // 导入 of petitions and cases from an earlier ledger
	Society       *SocietyStore      // 专家库 and 监督员名录
	Hearings      *HearingStore      // 听证
	Assignments   *AssignmentStore   // 指派 of outside people to petitions and cases
	Mediations    *MediationStore    // 调解员 and 调解
	JudicialAid   *JudicialAidStore  // 司法救助
	Opinions      *LegalOpinionStore // 法律意见书
	FirstVisit    *FirstVisitStore   // 首访责任制 figures
	Indicators    *IndicatorStore    // 指标 of kpi.md, computed from the events
	Assessment    *AssessmentStore   // 年度考核
	Seats         *SeatStore         // 列席 of experts and observers on consultations and 督办单

	// 矛盾纠纷排查 (reports and rounds) and 稳评 (risk assessments of major decisions).
	Screening *ScreeningStore
	Risks     *RiskAssessmentStore
	Campaigns *CampaignStore // 专项行动 over backlog cases
	Followups *FollowupStore // 跟踪回访 of replied items

	Legal      *LegalReferralStore // 涉法涉诉甄别、转送政法机关
	LawyerDuty *LawyerDutyStore    // 律师值班: rota and reception records
	Receptions *ReceptionStore     // 领导接访、下访、约访
	Meetings   *MeetingStore       // 专题会、协调会、调度会 and their decisions
}

// core is what every store shares: the pools, the dialect, the clock, the
// procedure's configuration and the holiday calendar. Its helpers are
// unexported, so a store's exported methods are its own.
type core struct {
	DSN     string
	dialect dialect
	rdb     *sql.DB
	wdb     *sql.DB

	// Keys encrypt personal data at rest and key its blind indexes and the
	// hash chains; they are never stored in the database.
	Keys *keyring.Keyring

	// Now is the clock; tests and the demo loader set it.
	Now func() time.Time
	// Cfg holds the procedure's configurable rules.
	Cfg procedure.Config
	// MaxCount is where the count of a list stops (xinfang.MaxCount when
	// zero): a list of more reports MaxCount+1. Tests lower it.
	MaxCount int
	// WalkBatch is how many petitions EachPetition reads at a time
	// (walkBatch when zero). Tests lower it.
	WalkBatch int
	// CountFromFacts makes every indicator a count of its rows instead of
	// a sum of kpi_daily (indicator_counts.go), and the 态势 page a count
	// of the items instead of a sum of dash_counts (dashboard_counts.go).
	// Tests set it, to hold the two to each other.
	CountFromFacts bool
	Logger         *slog.Logger
	// SessionLifetime and IdleTimeout end a session that long after login
	// and after its last request; NewDB sets the constants of that name.
	SessionLifetime, IdleTimeout time.Duration
	// AttachmentLimit is the largest file AddAttachment accepts, in bytes;
	// xinfang.DefaultAttachmentLimit when zero.
	AttachmentLimit int64
	// DeferIndexes leaves the online parts of migrations (migrate.go) to
	// BuildOnlineIndexes, which serve runs after its start, instead of
	// Open building them before it returns.
	DeferIndexes bool

	// passwordChecked, when set (by tests), sees the hash of every
	// password check of a login or password change.
	passwordChecked func(hash string)
	// searchCandidates, when set (by tests), lowers SearchCandidates.
	searchCandidates int
	// rankFromText, when set (by the benchmarks' baseline), makes the
	// repeat ranking read each candidate's text instead of its stored
	// traits, as before they were stored.
	rankFromText bool
	// sharedKeysLimit, when set (by tests), lowers the sharedKeysCap of
	// the repeat check.
	sharedKeysLimit int

	// batch is the group committer every write goes through (batch.go);
	// nil before connect.
	batch *committer
	stmts stmtCache // the writer's prepared statements
	// roundTrips counts the statements of write transactions, their
	// begin and commit included: on PostgreSQL each is a round trip to
	// the server. The benchmarks report it per write.
	roundTrips atomic.Int64
	rstmts     stmtCache // the read pool's

	ckptStop, ckptDone chan struct{} // the checkpointer (checkpoint.go)
	ckptMu             sync.Mutex    // one checkpoint at a time: SQLite refuses a second, busy
	walBig             atomic.Bool   // the checkpointer asks the writer to finish a checkpoint

	indexer *indexer // writes the queued derived indexes (index_queue.go); nil when not running
	// factsStop and factsDone stop and await the background derivation of
	// the indicators' facts (indicator_facts.go); nil when not running.
	factsStop, factsDone chan struct{}
	// dash, regs and matters count the items held before the migrations
	// that brought dash_counts, kpi_daily's registrations and
	// petition_matters (prior_counts.go).
	dash, regs, matters *priorCounts
	// severeGap is a gap of kpi_state.severe_gap known to be committed
	// (severe_gap.go): a write of an item whose gap is no larger need not
	// raise it.
	severeGap atomic.Int64

	calMu     sync.Mutex
	cal       *calendar.Calendar
	calLoaded time.Time

	index indexState // the progress of the derived indexes' build (index_build.go)

	// SessionCacheTTL is how long a session read from the database is
	// taken as it was without reading it again (sessions.go); 0 reads it
	// on every request. NewDB sets DefaultSessionCacheTTL.
	SessionCacheTTL time.Duration
	sessions        sessionCache

	// noSync makes commits return before they reach the disk: only the
	// handle of LoadInBulk sets it (bulk.go).
	noSync bool
}

// The stores, one per aggregate. Each is the shared core and the methods
// of its aggregate.
type (
	PetitionStore     struct{ *core }
	PetitionerStore   struct{ *core }
	CaseStore         struct{ *core }
	SupervisionStore  struct{ *core }
	DisciplineStore   struct{ *core }
	NotificationStore struct{ *core }
	RepeatStore       struct{ *core }
	SearchStore       struct{ *core }
	DirectoryStore    struct{ *core }
	ClockStore        struct{ *core }
	AuditStore        struct{ *core }
)

// NewDB returns a DB for dsn, a postgres:// URL or a SQLite file path,
// protected by keys.
func NewDB(dsn string, keys *keyring.Keyring) *DB {
	c := &core{DSN: dsn, Keys: keys, Now: time.Now, Cfg: procedure.DefaultConfig(), Logger: slog.Default(), SessionLifetime: SessionLifetime, IdleTimeout: IdleTimeout, SessionCacheTTL: DefaultSessionCacheTTL}
	c.dash = &priorCounts{what: "dashboard counts", upto: "dash_upto", last: "dash_last", batch: dashBatch, count: c.countDashBatch}
	c.regs = &priorCounts{what: "registration counts", upto: "reg_upto", last: "reg_last", batch: priorBatch, count: c.countRegsBatch}
	c.matters = &priorCounts{what: "watch list matters", upto: "matters_upto", last: "matters_last", batch: priorBatch, count: countMattersBatch}
	return &DB{core: c,
		Petitions: &PetitionStore{c}, Petitioners: &PetitionerStore{c}, Cases: &CaseStore{c},
		Supervisions: &SupervisionStore{c}, Discipline: &DisciplineStore{c}, Notifications: &NotificationStore{c},
		Repeats: &RepeatStore{c}, Search: &SearchStore{c}, Directory: &DirectoryStore{c}, Clocks: &ClockStore{c}, Audit: &AuditStore{c},
		Attachments: &AttachmentStore{c},
		Portal:      &PortalStore{c},
		Outbox:      &OutboxStore{c},
		Imports:     &ImportStore{core: c, live: &importProgress{}},
		Society:     &SocietyStore{c}, Hearings: &HearingStore{c}, Assignments: &AssignmentStore{c}, Mediations: &MediationStore{c}, JudicialAid: &JudicialAidStore{c}, Opinions: &LegalOpinionStore{c}, FirstVisit: &FirstVisitStore{c},
		Indicators: &IndicatorStore{c}, Assessment: &AssessmentStore{c},
		Seats:     &SeatStore{c},
		Screening: &ScreeningStore{c}, Risks: &RiskAssessmentStore{c},
		Campaigns: &CampaignStore{c}, Followups: &FollowupStore{c},
		Legal: &LegalReferralStore{c}, LawyerDuty: &LawyerDutyStore{c},
		Receptions: &ReceptionStore{c}, Meetings: &MeetingStore{c},
	}
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects and runs the migrations.
func (db *DB) Open() (err error) {
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if db.DSN == "" {
		return errors.New("dsn required")
	}
	if db.Keys == nil {
		return errors.New("keys required")
	}
	if err := db.connect(); err != nil {
		return err
	}
	// Not under a time limit: a migration that rewrites millions of rows
	// takes minutes, and each runs in a transaction of its own, so a stop
	// midway leaves the schema as it was. (Its indexes over such tables
	// are its online part, which DeferIndexes leaves to the background.)
	if err := db.migrate(context.Background()); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.checkKeys(ctx); err != nil {
		return err
	}
	if err := db.sealPlaintext(ctx); err != nil {
		return fmt.Errorf("encrypt personal data: %w", err)
	}
	// Not under ctx's 30 seconds: on a large database of an older version
	// the re-sealing takes longer, and it resumes where it stopped.
	if err := db.keyChains(context.Background()); err != nil {
		return fmt.Errorf("key the hash chains: %w", err)
	}
	if err := db.seed(ctx); err != nil {
		return err
	}
	if err := db.loadSevereGap(ctx); err != nil {
		return err
	}
	db.startIndexer()
	// The facts of a database registered before the indicators are derived
	// once, in the background: start-up does not wait for them, and the
	// indicators say they are incomplete until then.
	db.startFactsBuild()
	return nil
}

// connect opens the pools and checks that the database answers; it
// neither migrates nor needs the keys (backup and restore use it alone).
func (db *core) connect() (err error) {
	if IsPostgres(db.DSN) {
		db.dialect = postgres{}
		dsn := db.DSN
		if db.noSync {
			dsn = withQuery(dsn, "synchronous_commit=off")
		}
		// No parallel workers and no compiling (JIT) for a query, unless
		// the DSN asks: every list reads an index for a few milliseconds;
		// workers made the short ones slower (120 ms instead of 8–13 at
		// ten million items, BENCHMARKS.md) and compiling a list whose
		// generic plan is costed far above what it reads took 300 ms.
		for _, p := range [][2]string{{"max_parallel_workers_per_gather", "0"}, {"jit", "off"}} {
			if !strings.Contains(dsn, p[0]+"=") {
				dsn = withQuery(dsn, p[0]+"="+p[1])
			}
		}
		if db.rdb, err = sql.Open("pgx", dsn); err != nil {
			return err
		}
		db.rdb.SetMaxOpenConns(20)
		db.rdb.SetMaxIdleConns(20)
		db.wdb = db.rdb
	} else {
		db.dialect = sqlite{}
		url := SQLiteURL(db.DSN)
		if db.noSync {
			url = strings.Replace(url, "synchronous(FULL)", "synchronous(OFF)", 1)
		}
		if db.wdb, err = sql.Open("sqlite", url); err != nil {
			return err
		}
		db.wdb.SetMaxOpenConns(1)
		db.wdb.SetConnMaxLifetime(0)
		if db.rdb, err = sql.Open("sqlite", readURL(url)); err != nil {
			return err
		}
		// As many idle as open: a read connection closed after a burst is
		// opened again on the next, and opening one runs the pragmas and
		// reads the schema — a sixth of the CPU of a registration burst.
		db.rdb.SetMaxOpenConns(8)
		db.rdb.SetMaxIdleConns(8)
		db.rdb.SetConnMaxLifetime(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.wdb.PingContext(ctx); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	db.stmts.reopen()
	db.rstmts.reopen()
	if db.batch == nil {
		db.startCommitters(db.dialect.committers())
		// A bulk handle (noSync) never checkpoints: its checkpoints would
		// copy pages into the file without syncing them, and LoadInBulk's
		// one synchronous checkpoint at the end would find them copied.
		if !db.Postgres() && !db.noSync {
			db.startCheckpointer()
		}
	}
	return nil
}

// SQLiteURL is the driver's data source name for the SQLite file of dsn
// (a path, or sqlite://path) with the settings every connection of the
// product uses: WAL, synchronous=FULL (an acknowledged commit survives
// power loss), foreign keys, a busy timeout, statement journals in
// memory, no checkpoint inside a commit (checkpoint.go), and writers
// taking the write lock at BEGIN. The raw baseline of `xinfang bench` opens its file with
// the same settings.
func SQLiteURL(dsn string) string {
	return "file:" + strings.TrimPrefix(dsn, "sqlite://") +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_pragma=cache_size(-65536)&_pragma=mmap_size(268435456)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(0)&_txlock=immediate"
}

// readURL is the read pool's data source name: url without the memory
// map. A reader whose transaction begins after any commit of another
// connection (in WAL mode) unmaps the whole file and faults its pages in
// again; with an audit entry committed for every read of a record, that
// is nearly every read, and the unmapping and the faults took a quarter
// of a petition detail's CPU. Read through SQLite's page cache instead,
// a page costs one pread after such a commit and nothing while the
// database is unchanged. The writer keeps its map.
func readURL(url string) string {
	return strings.Replace(url, "&_pragma=mmap_size(268435456)", "", 1) + "&_pragma=mmap_size(0)"
}

// IndexMissing builds the repeat-detection and search indexes of a
// database that has petitions from before those indexes existed, or
// finishes a build a previous start left, and returns when they are
// complete. `serve` does not wait for it: it calls StartIndexBuild and
// runs BuildIndex in the background (index_build.go).
func (db *DB) IndexMissing(ctx context.Context) error {
	building, err := db.StartIndexBuild(ctx)
	if err != nil || !building {
		return err
	}
	db.Logger.Info("building the repeat and search indexes")
	return db.BuildIndex(ctx)
}

// Close closes the pools.
func (db *DB) Close() error {
	db.stopFactsBuild()
	db.stopIndexer()
	var err error
	if db.batch != nil {
		db.batch.close()
		// A bulk transaction that did not commit (runBulk).
		if p := db.batch.failed.Load(); p != nil {
			err = fmt.Errorf("bulk load: a commit failed: %w", *p)
		}
	}
	db.stopCheckpointer()
	db.stmts.close()
	db.rstmts.close()
	if db.rdb != nil {
		if e := db.rdb.Close(); err == nil {
			err = e
		}
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

// read runs fn in a read-only transaction on the read pool, so that a
// record built from several queries — a case with its records, a petition
// with its history — is one consistent view, not rows of different
// moments (WTF Dial's FindDialByID). On PostgreSQL it is REPEATABLE READ,
// READ ONLY: every query sees the snapshot of the first. On SQLite a
// deferred BEGIN (the driver's read-only transactions) takes the WAL
// snapshot at the first read and holds no write lock, so readers never
// queue behind the writer. fn must run every query on q: a query on a
// pool inside it would wait for a second connection of the pool it holds
// one of.
func (db *core) read(ctx context.Context, fn func(q rowQuerier) error) error {
	if db.bulkTx() {
		return db.wrap(db.bulkRead(ctx, func(tx *Tx) error { return fn(tx) }))
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Postgres() {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.rdb.BeginTx(ctx, opts)
	if err != nil {
		return db.wrap(err)
	}
	var q rowQuerier = tx
	if !db.Postgres() {
		q = reader{tx, db}
	}
	if err := fn(q); err != nil {
		db.rollback(tx)
		return db.wrap(err)
	}
	return db.wrap(tx.Commit())
}

// rollback ends a transaction whose work failed. Its own error is logged,
// not returned: the work's error is the one to tell, and database/sql
// discards a connection whose rollback failed.
func (db *core) rollback(tx *sql.Tx) {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		db.Logger.Warn("rollback", "err", err)
	}
}

func (db *core) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if rows, done, err := db.bulkQuery(ctx, q, args); done {
		return rows, err
	}
	q, args = db.inlineLimits(db.dialect.rebind(q), args)
	if s := db.readStmt(q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.rdb.QueryContext(ctx, q, args...)
}

func (db *core) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if row := db.bulkQueryRow(ctx, q, args); row != nil {
		return row
	}
	q, args = db.inlineLimits(db.dialect.rebind(q), args)
	if s := db.readStmt(q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.rdb.QueryRowContext(ctx, q, args...)
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
		// Rows written before the fixed layout hold RFC 3339; anything else
		// reads as the zero time, which every caller shows as "not set".
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

// eachRow calls fn on every row of a query and closes the rows; err is the
// query's error, so a call reads `rows, err := db.query(…); return
// eachRow(rows, err, func(r scanner) error {…})`. It returns the first
// error of the query, of fn or of the iteration (rows.Err): every loop
// over rows in storage goes through it, so none forgets one.
func eachRow(rows *sql.Rows, err error, fn func(scanner) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanAll reads every row of a query with scan (eachRow). An empty result
// is an empty slice, not nil.
func scanAll[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	out := []T{}
	err = eachRow(rows, err, func(r scanner) error {
		v, err := scan(r)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pageLimit is the page size of a list: 50 unless 1–500 is asked for. An
// offset below zero is EINVALID on offset.
func pageLimit(limit, offset int) (int, error) {
	if offset < 0 {
		return 0, xinfang.FieldError("offset", "offset 不能为负数")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return limit, nil
}

// conds gathers the conditions of a list's WHERE and their arguments, in
// order: and takes a condition with its arguments, clause one a builder
// returned (subtree, inList), so that its arguments are always spread.
type conds struct {
	list []string
	args []any
}

func newConds(clause string, args []any) *conds {
	return &conds{list: []string{clause}, args: append([]any(nil), args...)}
}

func (c *conds) and(cond string, args ...any) { c.clause(cond, args) }
func (c *conds) clause(cond string, args []any) {
	c.list, c.args = append(c.list, cond), append(c.args, args...)
}
func (c *conds) where() string { return strings.Join(c.list, " AND ") }

// openStates are the states not in xinfang.ClosedStates.
func openStates() []xinfang.State {
	var out []xinfang.State
	for _, l := range xinfang.States {
		if s := xinfang.State(l.Code); !s.Closed() {
			out = append(out, s)
		}
	}
	return out
}

// inList is "col IN (…)" over the codes of vals, for a filter by state.
func inList[T ~string](col string, vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = string(v)
	}
	return col + " IN (" + placeholders(len(vals)) + ")", args
}

// placeholders returns n "?" separated by commas, for an IN list of n
// values; NULL for none, so that "IN (NULL)" matches nothing.
func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// valueRows returns n rows of width placeholders for a multi-row INSERT:
// valueRows(2, 3) is "(?, ?, ?),(?, ?, ?)".
func valueRows(n, width int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// idArgs returns ids as query arguments.
// inOrder returns the records of byID in the order of ids, leaving out
// the ids it lacks (a record gone, or out of scope).
func inOrder[T any](ids []int64, byID map[int64]T) []T {
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
		}
	}
	return out
}

func idArgs(ids []int64) []any { return anyArgs(ids) }

// anyArgs are the arguments of a query, one per value.
func anyArgs[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// scanIDMap reads rows of two integers — an id and a count, or an id and
// another id — into a map from the first to the second.
func scanIDMap(rows *sql.Rows, err error) (map[int64]int64, error) {
	out := map[int64]int64{}
	err = eachRow(rows, err, func(r scanner) error {
		var k, v int64
		if err := r.Scan(&k, &v); err != nil {
			return err
		}
		out[k] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanID reads a row of one id.
func scanID(r scanner) (int64, error) {
	var id int64
	err := r.Scan(&id)
	return id, err
}

// The domain's state lists as SQL, for the queries that name them in their
// text (xinfang.SQLInList): one list each, never a literal of storage's own.
var (
	closedPetitionStates   = xinfang.SQLInList(xinfang.ClosedStates)      // no clock runs
	openPetitionStates     = xinfang.SQLInList(openStates())              // the others, for an index to find
	runningCaseStates      = xinfang.SQLInList(xinfang.RunningCaseStates) // a case still runs against its deadline
	openTaskState          = xinfang.SQLInList([]xinfang.TaskState{xinfang.TaskOpen})
	openSupervisionState   = xinfang.SQLInList([]xinfang.SupervisionState{xinfang.SupervisionOpen})
	openInvestigationState = xinfang.SQLInList([]xinfang.InvestigationState{xinfang.InvestigationOpen})
)

// The other code lists storage names in its text, the same way.
var (
	handedDownChannel = xinfang.SQLInList([]xinfang.Channel{xinfang.ChannelHandedDown})                                // 上级交办
	handedDownSources = xinfang.SQLInList([]xinfang.CaseSource{xinfang.CaseSourceCentral, xinfang.CaseSourceProvince}) // 中央、省交办
	watchedEscalation = xinfang.SQLInList([]xinfang.Escalation{xinfang.EscalationProvince, xinfang.EscalationBeijing}) // 赴省、进京
)
