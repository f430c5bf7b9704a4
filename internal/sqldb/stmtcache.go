package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Prepared statements, cached per connection. SQLite compiles every
// statement it is given; compiling the same INSERT for every registration
// cost a sixth of all the write path's CPU. The writer's statements are
// therefore prepared once on the writer connection and reused by every
// transaction on it (database/sql's Tx.StmtContext reuses a statement
// already prepared on the transaction's connection). A statement runs
// unprepared the first times and is prepared after the batch that ran it
// a second time, when the writer connection is free. A statement prepared
// before a migration stays valid after it: SQLite recompiles a prepared
// statement whose schema changed on its next run. PostgreSQL needs none of this: pgx already
// caches the statements of each connection on the server.

// maxStmts bounds the cache: past it the statement used least recently
// is closed to make room, so that statements that come with time (a
// page further on, a scope of another shape) are prepared too and the
// cache holds those in use. The writer's statements number a few hundred.
const maxStmts = 512

type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*cachedStmt
	wanted map[string]bool
	seen   map[string]bool // run once, unprepared
	tick   uint64          // counts the hits, to tell the least recently used
	max    int             // maxStmts when zero; tests lower it
	// bg counts the statements being prepared in the background
	// (prepareLater), which close waits for: a connection opened for one
	// after the pool closed would touch the database's files after Close.
	bg     sync.WaitGroup
	closed bool
	// unprepared counts the statements of write transactions on SQLite
	// that ran without a prepared statement (compiled for one run).
	unprepared atomic.Int64
}

type cachedStmt struct {
	s    *sql.Stmt
	used uint64 // tick of its last use
}

func (c *stmtCache) limit() int {
	if c.max > 0 {
		return c.max
	}
	return maxStmts
}

// get returns the statement prepared for q, or nil. A statement run for
// the second time is marked to be prepared — one run only once (a
// migration's, a fixture's) is not worth compiling twice — and the answer
// says whether this call marked it. The statements seen once are
// forgotten all together when they reach eight times the cache's size.
func (c *stmtCache) get(q string) (s *sql.Stmt, marked bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.stmts[q]; ok {
		c.tick++
		e.used = c.tick
		return e.s, false
	}
	if c.wanted[q] || len(c.wanted) >= c.limit() {
		return nil, false
	}
	if !c.seen[q] {
		if c.seen == nil || len(c.seen) >= 8*c.limit() {
			c.seen = map[string]bool{}
		}
		c.seen[q] = true
		return nil, false
	}
	delete(c.seen, q)
	if c.wanted == nil {
		c.wanted = map[string]bool{}
	}
	c.wanted[q] = true
	return nil, true
}

// add keeps s as the statement of q, closing the least recently used
// statement when the cache is full. The one closed has not been handed
// out since the others were: a statement handed out is the most recent.
func (c *stmtCache) add(q string, s *sql.Stmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.wanted, q)
	if c.closed {
		s.Close()
		return
	}
	if c.stmts == nil {
		c.stmts = map[string]*cachedStmt{}
	}
	if _, ok := c.stmts[q]; ok {
		s.Close()
		return
	}
	if len(c.stmts) >= c.limit() {
		var oldest string
		var at uint64
		for k, e := range c.stmts {
			if oldest == "" || e.used < at {
				oldest, at = k, e.used
			}
		}
		c.stmts[oldest].s.Close()
		delete(c.stmts, oldest)
	}
	c.tick++
	c.stmts[q] = &cachedStmt{s: s, used: c.tick}
}

// len is the number of statements prepared.
func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stmts)
}

// prepareLater prepares q on pool in a goroutine and keeps it, unless the
// cache is closed; close waits for it.
func (c *stmtCache) prepareLater(pool *sql.DB, q string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s, err := pool.PrepareContext(ctx, q); err == nil {
			c.add(q, s)
			return
		}
		c.mu.Lock()
		delete(c.wanted, q)
		c.mu.Unlock()
	})
}

// close waits for the statements being prepared and closes them all; the
// cache prepares nothing more (until reopen).
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.bg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.stmts {
		e.s.Close()
	}
	c.stmts, c.wanted, c.seen = nil, nil, nil
}

// reopen lets a cache closed with its database prepare again.
func (c *stmtCache) reopen() {
	c.mu.Lock()
	c.closed = false
	c.mu.Unlock()
}

// prepareWanted prepares the statements marked by get, on the writer pool
// between batches. A statement that does not prepare (one naming a table a
// later migration adds, say) is left to run unprepared.
func (db *core) prepareWanted() {
	if db.Postgres() {
		return
	}
	c := &db.stmts
	c.mu.Lock()
	wanted := c.wanted
	c.wanted = nil
	c.mu.Unlock()
	if len(wanted) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for q := range wanted {
		if s, err := db.wdb.PrepareContext(ctx, q); err == nil {
			c.add(q, s)
		}
	}
}

// prepared returns q prepared for tx, or nil to run it unprepared: the
// writer's statement when the cache has it, else, for a Tx that keeps its
// statements (local), one prepared on its transaction and kept there.
func (tx *Tx) prepared(ctx context.Context, q string) *sql.Stmt {
	tx.db.roundTrips.Add(1) // every statement of a Tx comes through here
	if tx.db.Postgres() {
		return nil
	}
	if s, ok := tx.local[q]; ok {
		return s
	}
	if tx.db.batch != nil {
		if s, _ := tx.db.stmts.get(q); s != nil {
			s = tx.StmtContext(ctx, s)
			if tx.local != nil {
				tx.local[q] = s
			}
			return s
		}
	}
	if tx.local == nil {
		tx.db.stmts.unprepared.Add(1)
		return nil
	}
	s, err := tx.Tx.PrepareContext(ctx, q)
	if err != nil {
		tx.db.stmts.unprepared.Add(1)
		return nil
	}
	tx.local[q] = s
	return s
}

// A LIMIT's value is written into the statement's text on SQLite. Given
// "LIMIT ?", SQLite plans with the value bound and marks the statement to
// be compiled again whenever that placeholder is bound anew: every run of
// a prepared list was compiled again, which cost more than running it (a
// town's 工作台: 46% of its CPU). Hiding the value ("LIMIT (?+0)") keeps the
// statement but plans without it, and some lists took twice as long. With
// the number in the text, the plan is the one SQLite made with the value
// bound, and the statement is compiled once per connection and value: a
// list's first page is one statement whoever reads it, a page further on
// (whose branches read to its end) another, kept while it is among the
// statements used most recently.

// inlineLimits writes into q the values of its "LIMIT ?" placeholders
// that are integers and drops them from args; on PostgreSQL, which
// compiles nothing again, q and args are returned as they are.
func (db *core) inlineLimits(q string, args []any) (string, []any) {
	if db.Postgres() || !strings.Contains(q, "LIMIT ?") {
		return q, args
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	out := make([]any, 0, len(args))
	n := 0 // placeholders passed
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		if n >= len(args) {
			// Fewer arguments than placeholders: the driver says so.
			return q, args
		}
		if v, ok := limitValue(args[n]); ok && strings.HasSuffix(q[:i], "LIMIT ") {
			b.WriteString(strconv.FormatInt(v, 10))
		} else {
			b.WriteByte('?')
			out = append(out, args[n])
		}
		n++
	}
	return b.String(), append(out, args[n:]...)
}

// limitValue is v as a LIMIT's number, if it is an integer.
func limitValue(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case int32:
		return int64(v), true
	}
	return 0, false
}

// Reads are prepared the same way on the read pool (SQLite opens up to
// eight read connections; a statement is prepared once on each that runs
// it). A statement runs unprepared the first times; on the second a
// goroutine prepares it: preparing it there and then would need a second
// connection of the pool inside a read transaction that holds one, and
// eight such readers would wait on each other for ever.

// readStmt returns q prepared on the read pool, or nil to run it
// unprepared.
func (db *core) readStmt(q string) *sql.Stmt {
	if db.Postgres() || db.batch == nil {
		return nil
	}
	s, marked := db.rstmts.get(q)
	if marked {
		db.rstmts.prepareLater(db.rdb, q)
	}
	return s
}

// reader runs the queries of a read transaction through the read pool's
// prepared statements.
type reader struct {
	tx *sql.Tx
	db *core
}

func (r reader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q, args = r.db.inlineLimits(q, args)
	if s := r.db.readStmt(q); s != nil {
		return r.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return r.tx.QueryContext(ctx, q, args...)
}

func (r reader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	q, args = r.db.inlineLimits(q, args)
	if s := r.db.readStmt(q); s != nil {
		return r.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return r.tx.QueryRowContext(ctx, q, args...)
}
