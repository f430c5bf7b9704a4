package sqldb

import (
	"context"
	"fmt"
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
	bulk := NewDB(db.DSN, db.Keys)
	bulk.noSync = true
	bulk.Now, bulk.Cfg, bulk.Logger = db.Now, db.Cfg, db.Logger
	bulk.SessionLifetime, bulk.IdleTimeout = db.SessionLifetime, db.IdleTimeout
	if err := bulk.Open(); err != nil {
		return err
	}
	err := fn(bulk)
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
