package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"

	"xinfang"
)

// Group commit. Every write of the product goes through core.write, which
// hands its function to a committer instead of opening a transaction of
// its own. A committer takes the writes that are waiting when it is free,
// runs them one after another in one transaction and commits once: the
// commit — on SQLite the fsync of the WAL, on PostgreSQL the flush of its
// WAL — is paid once per batch instead of once per write. Each caller is
// answered only after the commit that holds its write returned, so an
// acknowledged write is as durable as before. When a write's function
// fails, the batch is rolled back and each of its writes runs again in a
// transaction of its own: the failing one fails alone, the others commit.
// Nothing waits for a batch to fill: a committer takes what is queued, so
// a lone write goes at once and batches grow only when writes arrive
// faster than they commit.
//
// Writes of one batch run in arrival order and each sees the ones before
// it, exactly as if each had committed alone in that order.

// maxBatch bounds a batch, so that one commit's latency stays bounded
// under any load.
const maxBatch = 64

// errClosed answers a write submitted after Close.
var errClosed = errors.New("sqldb: database closed")

type writeReq struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
	// read and flush are requests to a bulk handle's committer (runBulk):
	// fn reads on the open transaction; the open transaction is
	// committed.
	read, flush bool
}

type committer struct {
	db *core
	// batches and writes count what the committers did; the largest batch
	// is kept too. Tests read them to see that writes were grouped.
	batches, writes, largest atomic.Int64
	commits                  atomic.Int64 // batches of several committed together
	queued                   atomic.Int64 // writes waiting to be taken

	reqs chan *writeReq // unbuffered: a write waits until a committer takes it
	// The bulk transactions' state (runBulk).
	bulkState
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// startCommitters starts n committers: one on SQLite, which has one
// writer; several on PostgreSQL, whose batches then overlap.
func (db *core) startCommitters(n int) {
	c := &committer{db: db, reqs: make(chan *writeReq), stop: make(chan struct{})}
	db.batch = c
	if db.noSync && !db.Postgres() {
		c.wg.Add(1)
		go c.runBulk()
		return
	}
	for range n {
		c.wg.Add(1)
		go c.run()
	}
}

// close stops the committers after the batches they are running.
func (c *committer) close() {
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
}

// submit hands fn to a committer and waits for its answer.
func (c *committer) submit(ctx context.Context, fn func(tx *Tx) error) error {
	return c.submitReq(&writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// submitReq hands r to a committer and waits for its answer.
func (c *committer) submitReq(r *writeReq) error {
	ctx := r.ctx
	c.queued.Add(1)
	select {
	case c.reqs <- r:
		c.queued.Add(-1)
	case <-c.stop:
		c.queued.Add(-1)
		return errClosed
	case <-ctx.Done():
		c.queued.Add(-1)
		return ctx.Err()
	}
	// Once taken, the write runs to its end whatever becomes of ctx: the
	// answer tells the caller whether it committed.
	return <-r.done
}

func (c *committer) run() {
	defer c.wg.Done()
	for {
		var first *writeReq
		select {
		case first = <-c.reqs:
		case <-c.stop:
			return
		}
		batch := []*writeReq{first}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		c.batches.Add(1)
		c.writes.Add(int64(len(batch)))
		if n := int64(len(batch)); n > c.largest.Load() {
			c.largest.Store(n)
		}
		c.db.commitBatch(batch)
		c.db.prepareWanted()
		c.db.restartWAL()
	}
}

// commitBatch runs the writes of batch in one transaction and answers
// each. A write whose caller has gone before it started is not run.
func (db *core) commitBatch(batch []*writeReq) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		live[0].done <- db.writeOnce(context.WithoutCancel(live[0].ctx), live[0].fn)
		return
	}
	// The transaction lives under no caller's context: a caller that goes
	// away must not roll back the writes of the others (database/sql rolls
	// a transaction back when its context ends, and an interrupted SQLite
	// statement can abort its whole transaction).
	db.roundTrips.Add(2) // begin and commit
	stx, err := db.wdb.BeginTx(context.Background(), nil)
	if err == nil {
		txs := make([]*Tx, 0, len(live))
		sh := &txShared{}
		for _, r := range live {
			var tx *Tx
			if tx, err = db.apply(context.WithoutCancel(r.ctx), stx, sh, nil, r.fn); err != nil {
				break
			}
			txs = append(txs, tx)
		}
		if err == nil {
			err = db.finish(context.Background(), stx, txs)
		}
		if err != nil {
			db.rollback(stx)
		} else if err = stx.Commit(); err == nil {
			db.batch.commits.Add(1)
			db.committedSevereGap(sh.severeGap)
			for _, r := range live {
				r.done <- nil
			}
			return
		}
	}
	// A write failed, or the batch could not begin or commit: each runs
	// again alone, so that a write that fails fails alone and the others
	// commit. (No savepoint per write: releasing one makes SQLite's
	// full-text index flush its pending terms to disk, which is most of
	// what writing them in one transaction saves.) A function may run
	// more than once — as it may when a busy database is retried.
	for _, r := range live {
		r.done <- db.writeOnce(context.WithoutCancel(r.ctx), r.fn)
	}
}

// apply runs fn in stx with its own Tx and appends the audit entry of
// its context; what fn deferred with atEnd is left to the caller. local,
// when not nil, holds the statements prepared on stx (Tx.local).
func (db *core) apply(ctx context.Context, stx *sql.Tx, sh *txShared, local map[string]*sql.Stmt, fn func(tx *Tx) error) (*Tx, error) {
	tx := &Tx{Tx: stx, db: db, now: db.Now(), sh: sh, local: local}
	if err := fn(tx); err != nil {
		return nil, err
	}
	// The change's audit entry, in its transaction (audit.go).
	if a := xinfang.AuditingFrom(ctx); a != nil {
		db.appendAudit(ctx, tx, auditEntry(ctx, a, tx.objects))
	}
	return tx, nil
}
