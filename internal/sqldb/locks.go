package sqldb

import (
	"context"
	"database/sql"
)

// The PostgreSQL advisory lock keys, one per kind of work, so that no two
// kinds wait for each other by accident: the key chains' re-sealing held
// the end phase's key for a whole upgrade, and a write of its own that
// reached the end phase would have waited on its own session.
const (
	lockMigrate     = 7426001 // migrations, a session lock
	lockEndPhase    = 7426002 // the end phase of a write (finish), a transaction lock
	lockWatchRows   = 7426003 // kept watch rows: writes shared, a build exclusive
	lockOnlineIndex = 7426004 // the indexes made after the start, a session lock
	lockKeyChains   = 7426005 // the key chains' re-sealing, a session lock
)

// sessionLock takes the PostgreSQL session advisory lock key on conn and
// returns its release; what names the work in a failed release's warning.
// A lock not released ends with the session, when the pool closes the
// connection; another instance waits for it until then.
func (db *core) sessionLock(ctx context.Context, conn *sql.Conn, key int64, what string) (func(), error) {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return nil, err
	}
	return db.unlocker(ctx, conn, key, what), nil
}

// unlocker is the release of the session lock key held on conn.
func (db *core) unlocker(ctx context.Context, conn *sql.Conn, key int64, what string) func() {
	return func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			db.Logger.Warn(what+": advisory unlock", "err", err)
		}
	}
}

// tryLock is sessionLock without the wait: got is false, and nothing is
// held, when another session holds key.
func (db *core) tryLock(ctx context.Context, conn *sql.Conn, key int64, what string) (unlock func(), got bool, err error) {
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil || !got {
		return nil, false, err
	}
	return db.unlocker(ctx, conn, key, what), true, nil
}
