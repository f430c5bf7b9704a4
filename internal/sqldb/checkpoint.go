package sqldb

import (
	"context"
	"database/sql"
	"fmt"
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
	db.ckptMu.Lock()
	defer db.ckptMu.Unlock()
	frames, _, err := db.checkpointLocked(ctx, pool, mode)
	if err != nil {
		db.Logger.Warn("checkpoint", "mode", mode, "err", err)
	}
	return frames
}

// checkpointLocked runs a checkpoint of mode, the caller holding ckptMu:
// SQLite answers busy at once, without waiting, to a checkpoint asked
// while another connection runs one, so the checkpoints of one process
// take turns. It returns the WAL's size and the pages copied, in pages;
// a checkpoint that could not finish (readers or the writer in the way
// past the busy timeout) is an error.
func (db *core) checkpointLocked(ctx context.Context, pool *sql.DB, mode string) (frames, copied int, err error) {
	var busy int
	if err := pool.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &frames, &copied); err != nil {
		return 0, 0, err
	}
	if busy != 0 && mode != "PASSIVE" {
		return frames, copied, fmt.Errorf("the database is busy (%d of %d pages copied)", copied, frames)
	}
	return frames, copied, nil
}

// restartWAL is the writer's part, between batches: a checkpoint of the
// pages the background ones left, when they asked for it. While a
// background checkpoint runs the writer does not wait for it: the request
// stays for the next pause.
func (db *core) restartWAL() {
	if !db.walBig.Load() || !db.ckptMu.TryLock() {
		return
	}
	defer db.ckptMu.Unlock()
	db.walBig.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, _, err := db.checkpointLocked(ctx, db.wdb, "PASSIVE"); err != nil {
		db.Logger.Warn("checkpoint", "mode", "PASSIVE", "err", err)
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
