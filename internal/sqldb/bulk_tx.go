package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sync/atomic"
)

// Long transactions for a bulk load on SQLite. LoadInBulk's handle
// acknowledges nothing before the load ends (bulk.go), so its writes need
// not be committed one by one: its committer keeps one transaction open
// and commits it every bulkCommitWrites writes and when the handle closes.
// The demo city's load is some nine thousand writes, each after the
// loader's read of what it wrote before; committed one by one, their WAL
// writes alone took a fifth of the load.
//
// Each write runs as it would alone — its own audit entry, its end phases,
// its own shared state (txShared) — inside a savepoint, so that a write
// that fails rolls back to where it began and fails alone, and the
// writes before it stay. Reads must see the writes not yet committed:
// a read transaction of the handle (read) runs on the open transaction
// too, through the committer, as the writes do, and so does a single
// query (query, queryRow, pool) that the function the committer runs
// makes outside its Tx; a single query from elsewhere, whose rows outlive
// the call, has the transaction committed first and runs on the read
// pool. The loader reads and writes one after the other, so nothing waits
// on this that would run at once otherwise.

// bulkCommitWrites is how many writes a bulk transaction holds before it
// is committed: the WAL it leaves is bounded, and the write lock is let
// go now and then for the main handle's writes.
const bulkCommitWrites = 1000

// bulkTx reports whether db's writes and reads go through long bulk
// transactions (runBulk).
func (db *core) bulkTx() bool { return db.noSync && !db.Postgres() && db.batch != nil }

// runBulk is run, instead of run, by the one committer of a bulk handle on
// SQLite.
func (c *committer) runBulk() {
	defer c.wg.Done()
	db := c.db
	var (
		stx    *sql.Tx
		writes int
		gap    int
		// The statements prepared on stx, shared by its writes and reads:
		// the writer's cache prepares a statement only after a commit, a
		// thousand writes later, and a load's statements ran unprepared
		// until then (a tenth of the demo's CPU was compiling them).
		local map[string]*sql.Stmt
	)
	commit := func() {
		if stx == nil {
			return
		}
		err := stx.Commit()
		stx, writes, local = nil, 0, nil
		c.open.Store(nil)
		c.batches.Add(1)
		if err != nil {
			// Every write since the last commit was answered: the load
			// is incomplete, and Close says so (LoadInBulk).
			c.failed.CompareAndSwap(nil, &err)
			return
		}
		db.committedSevereGap(gap)
		db.prepareWanted()
	}
	for {
		var r *writeReq
		select {
		case r = <-c.reqs:
		case <-c.stop:
			commit()
			return
		}
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		if p := c.failed.Load(); p != nil {
			r.done <- fmt.Errorf("bulk load: a commit failed: %w", *p)
			continue
		}
		if r.flush {
			commit()
			r.done <- nil
			continue
		}
		if stx == nil {
			var err error
			if stx, err = db.wdb.BeginTx(context.Background(), nil); err != nil {
				r.done <- err
				continue
			}
			c.open.Store(stx)
			local = map[string]*sql.Stmt{}
		}
		c.running.Store(&r.ctx)
		if r.read {
			err := r.fn(&Tx{Tx: stx, db: db, now: db.Now(), sh: &txShared{}, local: local})
			c.running.Store(nil)
			r.done <- err
			continue
		}
		c.writes.Add(1)
		ctx, sh := context.WithoutCancel(r.ctx), &txShared{}
		err := db.inSavepoint(ctx, stx, func() error {
			tx, err := db.apply(ctx, stx, sh, local, r.fn)
			if err == nil {
				err = db.finish(ctx, stx, []*Tx{tx})
			}
			return err
		})
		c.running.Store(nil)
		if err == nil {
			gap = max(gap, sh.severeGap)
			writes++
		}
		r.done <- err
		if writes >= bulkCommitWrites {
			commit()
		}
	}
}

// bulkInFn returns the open bulk transaction when ctx is the context of
// the write or read whose function the committer is running: a read that
// function makes outside its Tx (query, queryRow, pool) runs on the
// transaction then, on the committer's goroutine, instead of asking that
// goroutine to commit first, which would wait for itself.
func (db *core) bulkInFn(ctx context.Context) *sql.Tx {
	c := db.batch
	if p := c.running.Load(); p != nil && sameContext(*p, ctx) {
		return c.open.Load()
	}
	return nil
}

// ownContext is a context of its own for a goroutine of the handle's (the
// indexer, the facts' build): never equal to another's, as Background is
// to every other Background, so that bulkInFn does not take one
// goroutine's query for one the function of another's write makes.
func ownContext(name string) context.Context {
	return context.WithValue(context.Background(), ownContextKey{}, name)
}

type ownContextKey struct{}

// sameContext reports whether a and b are the same context value; a
// context whose type cannot be compared is no other's.
func sameContext(a, b context.Context) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta != nil && ta.Comparable() && a == b
}

// inSavepoint runs fn inside a savepoint of stx: if fn fails, what it
// wrote is rolled back and stx goes on as it was before.
func (db *core) inSavepoint(ctx context.Context, stx *sql.Tx, fn func() error) error {
	if _, err := stx.ExecContext(ctx, `SAVEPOINT bulk_write`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := stx.ExecContext(ctx, `ROLLBACK TO bulk_write`); rerr != nil {
			return fmt.Errorf("%w (and rolling it back: %v)", err, rerr)
		}
		_, _ = stx.ExecContext(ctx, `RELEASE bulk_write`)
		return err
	}
	_, err := stx.ExecContext(ctx, `RELEASE bulk_write`)
	return err
}

// bulkRead runs fn on the bulk transaction, through the committer.
func (db *core) bulkRead(ctx context.Context, fn func(tx *Tx) error) error {
	return db.batch.submitReq(&writeReq{ctx: ctx, fn: fn, done: make(chan error, 1), read: true})
}

// bulkFlush commits the bulk transaction, if one is open, before a read
// outside it: a query whose rows outlive the call (query, queryRow) runs
// on the read pool, which sees what is committed.
func (db *core) bulkFlush(ctx context.Context) error {
	return db.batch.submitReq(&writeReq{ctx: ctx, done: make(chan error, 1), flush: true})
}

// bulkState is what the committer of a bulk handle shares with the
// handle's readers: a commit that failed, the open transaction, and the
// context of the write whose function runs.
type bulkState struct {
	failed  atomic.Pointer[error]
	open    atomic.Pointer[sql.Tx]
	running atomic.Pointer[context.Context]
}

// bulkQuery is the part of query (and of the pool's queries) that a bulk
// handle's transactions take: done
// says that rows and err are the answer; otherwise the query runs on the
// read pool, the transaction committed first if one was open.
func (db *core) bulkQuery(ctx context.Context, q string, args []any) (rows *sql.Rows, done bool, err error) {
	if !db.bulkTx() {
		return nil, false, nil
	}
	if stx := db.bulkInFn(ctx); stx != nil {
		q, args = db.inlineLimits(db.dialect.rebind(q), args)
		rows, err = stx.QueryContext(ctx, q, args...)
		return rows, true, err
	}
	if err := db.bulkFlush(ctx); err != nil {
		return nil, true, err
	}
	return nil, false, nil
}

// bulkQueryRow is bulkQuery for queryRow: a row, or nil for the read pool.
func (db *core) bulkQueryRow(ctx context.Context, q string, args []any) *sql.Row {
	if !db.bulkTx() {
		return nil
	}
	if stx := db.bulkInFn(ctx); stx != nil {
		q, args = db.inlineLimits(db.dialect.rebind(q), args)
		return stx.QueryRowContext(ctx, q, args...)
	}
	// A flush that fails leaves the read to see what is committed; the
	// load's failure comes with Close.
	_ = db.bulkFlush(ctx)
	return nil
}

// poolQuerier is the read pool as a rowQuerier, for a read outside a read
// transaction: on a bulk handle it has the bulk transaction committed
// first, so that the read sees every write before it.
type poolQuerier struct{ db *core }

// pool is the read pool for a read outside a read transaction.
func (db *core) pool() poolQuerier { return poolQuerier{db} }

func (p poolQuerier) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if rows, done, err := p.db.bulkQuery(ctx, q, args); done {
		return rows, err
	}
	return p.db.rdb.QueryContext(ctx, q, args...)
}

func (p poolQuerier) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if row := p.db.bulkQueryRow(ctx, q, args); row != nil {
		return row
	}
	return p.db.rdb.QueryRowContext(ctx, q, args...)
}
