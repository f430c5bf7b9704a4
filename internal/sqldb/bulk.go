package sqldb

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// LoadInBulk runs fn on a second handle of db's database whose commits do
// not wait for the disk (SQLite synchronous=OFF, PostgreSQL
// synchronous_commit=off), then makes everything fn wrote durable at once
// through db: a checkpoint of the write-ahead log with synchronous=FULL
// on SQLite, one synchronous commit on PostgreSQL, which flushes the log
// of every commit before it. It is for loading a whole data set into an
// empty database (the demo city): thousands of small transactions then
// cost their work, not a flush each, and nothing is acknowledged before
// LoadInBulk returns. A crash midway may lose the last commits of fn (on
// SQLite, power loss may damage the file); either way the load is
// incomplete and the database is to be deleted, as after any interrupted
// load.
func (db *DB) LoadInBulk(ctx context.Context, fn func(bulk *DB) error) error {
	// This handle's indexer stays out of the way meanwhile: its writes
	// would wait on the bulk handle's transactions and make them wait
	// (bulk_tx.go); the rows the load queues are the bulk handle's own
	// indexer's.
	db.stopIndexer()
	defer db.startIndexer()
	bulk := NewDB(db.DSN, db.Keys)
	bulk.noSync = true
	bulk.Now, bulk.Cfg, bulk.Logger = db.Now, db.Cfg, db.Logger
	bulk.SessionLifetime, bulk.IdleTimeout = db.SessionLifetime, db.IdleTimeout
	if err := bulk.Open(); err != nil {
		return err
	}
	// The 态势 page's counts of the items loaded are made at the end, from
	// the items, in a few large batches (dashboard_counts.go), rather than
	// moved at each of their events.
	err := bulk.deferDashCounts(ctx)
	if err == nil {
		// The watch list's kept rows too, made once at the end.
		err = bulk.write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE watch_state SET built = 0 WHERE id = 1`)
			tx.sh.watch.loaded = false
			return err
		})
	}
	if err == nil {
		err = fn(bulk)
	}
	if err == nil {
		err = bulk.countDeferred(ctx)
	}
	if err == nil {
		err = bulk.write(ctx, func(tx *Tx) error { return bulk.buildWatchRows(ctx, tx) })
	}
	if cerr := bulk.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	db.invalidateCalendar()
	if db.Postgres() {
		// A commit with a record to flush: PostgreSQL flushes the log up
		// to it, with the records of every asynchronous commit before it.
		return db.write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE keyring_check SET sealed = sealed`)
			return err
		})
	}
	// synchronous=FULL: the checkpoint syncs the log, copies it into the
	// database file and syncs that.
	db.ckptMu.Lock()
	defer db.ckptMu.Unlock()
	if _, _, err := db.checkpointLocked(ctx, db.wdb, "TRUNCATE"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// withQuery adds a parameter to the query of a URL.
func withQuery(url, param string) string {
	if strings.Contains(url, "?") {
		return url + "&" + param
	}
	return url + "?" + param
}

// deferDashCounts marks every item to come as not counted in dash_counts
// (none is above dash_last), when nothing is counted yet. The background
// count this handle's start began is over first, so that it does not see
// the counts complete after this.
func (db *DB) deferDashCounts(ctx context.Context) error {
	db.stopFactsBuild()
	err := db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE kpi_state SET dash_last = ? WHERE id = 1 AND dash_upto = 0 AND NOT EXISTS (SELECT 1 FROM dash_counts)`, int64(math.MaxInt64))
		return err
	})
	db.dash.built.Store(false)
	return err
}

// countDeferred counts the items loaded into dash_counts, as the count
// after an upgrade does.
func (db *DB) countDeferred(ctx context.Context) error {
	if err := db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE kpi_state SET dash_last = (SELECT COALESCE(MAX(id), 0) FROM petitions) WHERE id = 1 AND dash_last = ?`, int64(math.MaxInt64))
		return err
	}); err != nil {
		return err
	}
	return db.dash.build(ctx, db.core, nil)
}
