package sqldb

import (
	"context"
	"database/sql"
	"time"
)

// Tx is a write transaction with the dialect's placeholders.
type Tx struct {
	*sql.Tx
	db  *core
	now time.Time

	objects []string                  // the records it created, for its audit entry
	end     [endPhases][]func() error // what runs at the end of the write (atEnd)
	sh      *txShared                 // what the writes of one transaction share
	// local holds the statements prepared on this transaction alone, for
	// a write that runs the same statements thousands of times before the
	// writer's cache (stmtcache.go) could prepare them (keepStatements),
	// and for the writes of one bulk transaction, which share it (runBulk).
	local map[string]*sql.Stmt
}

// keepStatements makes tx prepare each statement it runs once and keep it
// to its end: for a long write that repeats its statements (an import),
// which the writer's cache prepares only after the batch.
func (tx *Tx) keepStatements() {
	if tx.local == nil && !tx.db.Postgres() {
		tx.local = map[string]*sql.Stmt{}
	}
}

// txShared is what the writes of one database transaction — a batch under
// group commit — share: the audit log's head, read once and written once,
// and the entries chained after it, inserted together with it.
type txShared struct {
	// watch is watch_state as the transaction read it, and its lock taken
	// (watchAudiences), once for all its writes.
	watch struct {
		loaded, built bool
		audiences     []string
	}
	// counts are the additions to counter tables, written in the end
	// phase (counters.go).
	counts map[string]*pendingCounts
	// severeGap is the largest gap between due and severe day of the
	// items written, when larger than the one known stored (severe_gap.go).
	severeGap int
	audit     struct {
		loaded, dirty bool
		seq           int64
		hash          string
		pending       []any // the entries' column values, auditInsertCols each
	}
}

// The phases at the end of a write (atEnd), run in this order after the
// write's function and, under group commit, after the functions of every
// write of the batch.
const (
	// endShared writes the rows every write shares: the gap-free number
	// counters, the audit log's head, the gram counts of repeat detection,
	// and what depends on a number (the hash chain's first event). Their
	// locks are held from here to the commit, not for the whole batch, so
	// that batches of several committers and instances on PostgreSQL
	// overlap in all the rest; there the phase begins with an advisory
	// lock, so that two batches never take those rows in opposite orders.
	endShared = iota
	// endText writes the full-text documents: SQLite's full-text tables
	// flush their pending terms before any statement that needs a
	// statement journal, so they are written last and flush once, at the
	// commit.
	endText
	endPhases
)

// atEnd runs fn at the end of the write, in phase, before its commit. An
// error of fn fails the write.
func (tx *Tx) atEnd(phase int, fn func() error) { tx.end[phase] = append(tx.end[phase], fn) }

// finish runs the deferred work of the writes of txs, phase by phase.
func (db *core) finish(ctx context.Context, stx *sql.Tx, txs []*Tx) error {
	if len(txs) == 0 {
		return nil
	}
	locked := false
	lock := func() error {
		if locked || !db.Postgres() {
			return nil
		}
		locked = true
		db.roundTrips.Add(1)
		_, err := stx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockEndPhase)
		return err
	}
	for phase := range endPhases {
		for _, tx := range txs {
			for _, fn := range tx.end[phase] {
				if phase == endShared {
					if err := lock(); err != nil {
						return err
					}
				}
				if err := fn(); err != nil {
					return err
				}
			}
			tx.end[phase] = nil
		}
		if phase != endShared {
			continue
		}
		if g := txs[0].sh.severeGap; g > 0 {
			if err := lock(); err != nil {
				return err
			}
			if err := raiseSevereGap(ctx, txs[0], g); err != nil {
				return err
			}
		}
		if sh := txs[0].sh; len(sh.counts) > 0 {
			if err := lock(); err != nil {
				return err
			}
			if err := flushCounts(ctx, txs[0], sh); err != nil {
				return err
			}
		}
		if err := db.flushAuditHead(ctx, stx, txs[0].sh); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q, args = tx.db.inlineLimits(tx.db.dialect.rebind(q), args)
	if s := tx.prepared(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, q, args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.QueryRowContext(ctx, tx.db.dialect.rebind(q), args...)
}

// QueryRowContext and QueryContext run q (already rebound) through the
// writer's prepared statements, also when tx is passed as a rowQuerier.
func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	q, args = tx.db.inlineLimits(q, args)
	if s := tx.prepared(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, q, args...)
}

func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q, args = tx.db.inlineLimits(q, args)
	if s := tx.prepared(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, q, args...)
}

// change runs an UPDATE, DELETE or INSERT and returns the number of rows
// it changed: a guarded UPDATE (… AND version = ?) that changes none lost
// a race.
func (tx *Tx) change(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// insert runs an INSERT … RETURNING id.
func (tx *Tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// write runs fn in a write transaction and commits it — through group
// commit (batch.go) once the database is open; a serialization failure or
// a busy database is retried a few times.
func (db *core) write(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if db.batch != nil {
			err = db.batch.submit(ctx, fn)
		} else {
			err = db.writeOnce(ctx, fn)
		}
		if err == nil || !db.dialect.retryable(err) {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
	}
	return db.wrap(err)
}

// writeOnce runs fn in a transaction of its own.
func (db *core) writeOnce(ctx context.Context, fn func(tx *Tx) error) error {
	db.roundTrips.Add(2) // begin and commit
	stx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	sh := &txShared{}
	tx, err := db.apply(ctx, stx, sh, nil, fn)
	if err == nil {
		err = db.finish(ctx, stx, []*Tx{tx})
	}
	if err != nil {
		db.rollback(stx)
		return err
	}
	if err := stx.Commit(); err != nil {
		return err
	}
	db.committedSevereGap(sh.severeGap)
	return nil
}
