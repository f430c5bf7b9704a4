package sqldb

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// The WAL checkpoint, off the write path. SQLite's default checkpoints
// the WAL into the database file inside the commit that grows it past a
// thousand pages, on the writer's connection: a tenth of the single
// writer's time under load went there, while every write waited. The
// connections are therefore opened with wal_autocheckpoint(0)
// (SQLiteURL), and a goroutine checkpoints from a read connection
// instead. Four times a second a PASSIVE checkpoint copies the committed
// pages no reader still needs into the database file, beside the writer,
// never blocking it. Such a checkpoint cannot let the WAL start over while
// the writer keeps appending (and one that waits for the writer to pause
// would rarely find it paused), so once the WAL holds more than
// restartPages pages the writer is asked to finish the job between two
// batches: its own PASSIVE checkpoint then has only the last few pages to
// copy, and the next commit writes the WAL from its start. When the
// database closes, a TRUNCATE one empties it. Durability is the commit's
// fsync of the WAL, which is unchanged; a checkpoint only moves committed
// pages into the file.

// checkpointEvery is how often the WAL is checkpointed; restartPages is
// the WAL's size, in pages, past which it is made to start over (4,000
// pages of 4 KiB: 16 MB).
const checkpointEvery = 250 * time.Millisecond

// checkpointTick replaces checkpointEvery for the databases opened after
// a test sets it (nanoseconds; 0 for checkpointEvery). Atomic: tests that
// open databases run in parallel.
var checkpointTick atomic.Int64

const restartPages = 4000

func (db *core) startCheckpointer() {
	db.ckptStop, db.ckptDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(db.ckptDone)
		every := checkpointEvery
		if d := time.Duration(checkpointTick.Load()); d > 0 {
			every = d
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-db.ckptStop:
				return
			case <-t.C:
				if frames := db.checkpoint(db.rdb, "PASSIVE"); frames > restartPages {
					db.walBig.Store(true)
				}
			}
		}
	}()
}

// checkpoint runs a checkpoint of mode and returns the size of the WAL
// in pages. A failure is logged: the next tick tries again, and the WAL
// keeps every commit meanwhile.
func (db *core) checkpoint(pool *sql.DB, mode string) (frames int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var busy, done int
	if err := pool.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &frames, &done); err != nil {
		db.Logger.Warn("checkpoint", "mode", mode, "err", err)
	}
	return frames
}

// restartWAL is the writer's part, between batches: a checkpoint of the
// pages the background ones left, when they asked for it.
func (db *core) restartWAL() {
	if db.walBig.Swap(false) {
		db.checkpoint(db.wdb, "PASSIVE")
	}
}

// stopCheckpointer stops the goroutine and truncates the WAL.
func (db *core) stopCheckpointer() {
	if db.ckptStop == nil {
		return
	}
	close(db.ckptStop)
	<-db.ckptDone
	db.ckptStop = nil
	db.checkpoint(db.wdb, "TRUNCATE")
}
