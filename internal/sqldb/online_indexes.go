package sqldb

import (
	"context"
	"database/sql"
	"errors"
)

// Online indexes. A migration runs before the start answers, so an index
// it creates on petitions holds the start for as long as its build takes
// (about a minute at ten million rows on PostgreSQL). The indexes below are
// made after the start instead, while serve answers: on PostgreSQL with
// CREATE INDEX CONCURRENTLY, which lets writes go on. No answer depends on
// them — a list without its index is the same list, read slower — so
// nothing waits for them; a later migration may rely on them only by
// creating them itself.
//
// One instance builds at a time (a session advisory lock). A concurrent
// build that was interrupted — by a stop, or a crash — leaves its index
// INVALID: the builder that holds the lock drops it and builds it again.

// onlineIndex is one index built after the start on PostgreSQL.
type onlineIndex struct {
	name     string
	postgres string // the CREATE INDEX CONCURRENTLY statement
	// replaces is an index this one makes useless, dropped once this one
	// is valid.
	replaces string
}

var onlineIndexes = []onlineIndex{
	// The city's lists by warning level, ordered by (due_date, id):
	// petitions_due holds no id, so PostgreSQL read and sorted every item
	// of the first due days from the heap (0.26–0.7 s at ten million).
	// SQLite's indexes end with the rowid, which its petitions_due has.
	{name: "petitions_due_id", postgres: `CREATE INDEX CONCURRENTLY IF NOT EXISTS petitions_due_id
		ON petitions(due_date, id, severe_date, purpose, reg_user_id, state, received_at) WHERE due_date <> ''`},
	// A subtree's list by number: the branch of the items handled at a
	// path of the subtree and registered outside it skips the subtree's
	// own registrations, most of what is handled there. Off
	// petitions_handling_number (handling_path, number, reg_path) every
	// one skipped was a heap row read for the 检举控告 rule's columns
	// (0.73 s for a town at ten million); with them and the id in the
	// index, it is skipped in the index. (SQLite keeps its index: its
	// lists by number are within their goal at a million.)
	{name: "petitions_handling_number_cover", replaces: "petitions_handling_number",
		postgres: `CREATE INDEX CONCURRENTLY IF NOT EXISTS petitions_handling_number_cover
		ON petitions(handling_path, number) INCLUDE (reg_path, purpose, reg_user_id, id)`},
	// The same list's branches per handling path and registering path
	// outside the subtree (numberBranches): each reads its rows in number
	// order, and the registering paths are found off it one after the
	// other. It leaves the covering index above to the lists whose
	// subtree has too many paths for branches.
	{name: "petitions_handling_reg_number", postgres: `CREATE INDEX CONCURRENTLY IF NOT EXISTS petitions_handling_reg_number
		ON petitions(handling_path, reg_path, number) INCLUDE (purpose, reg_user_id, id)`},
	// The counts of a subtree's lists by state, channel or category,
	// summed from the 态势 counts over every month (ledger_counts.go):
	// the key (dim, grain, day, unit_path, value) put the day before the
	// path, so the sum read every month of every unit of the city and
	// then each matching row from the table (30-65 ms for a town at ten
	// million items, where this index reads 30 pages).
	{name: "dash_counts_path", postgres: `CREATE INDEX CONCURRENTLY IF NOT EXISTS dash_counts_path
		ON dash_counts(dim, grain, unit_path, value) INCLUDE (n)`},
	// 待答复's branches of the items in handling that were never sent on
	// (replyBranches): few anywhere, but off petitions_handling_due
	// (handling_path = '', then the due date) a town's branch walked the
	// whole city's items without a handling unit to find its own (72 ms
	// at ten million, to find none).
	{name: "petitions_not_sent", postgres: `CREATE INDEX CONCURRENTLY IF NOT EXISTS petitions_not_sent
		ON petitions(reg_path, due_date, id) INCLUDE (purpose, reg_user_id, received_at) WHERE state = 'handling' AND handling_path = ''`},
}

// BuildOnlineIndexes builds the online parts of migrations that are not
// done (migrate.go), then, on PostgreSQL, the online indexes the database
// lacks, one after the other, and returns when they are all built or ctx
// ends (an index whose build ctx interrupted is left invalid on
// PostgreSQL, for the next call). serve runs it in the background after
// its start.
func (db *DB) BuildOnlineIndexes(ctx context.Context) error {
	if !db.Postgres() {
		return db.buildMigrationIndexes(ctx, nil)
	}
	conn, err := db.wdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	unlock, err := db.sessionLock(ctx, conn, lockOnlineIndex, "online indexes")
	if err != nil {
		return err
	}
	defer unlock()
	if err := db.buildMigrationIndexes(ctx, conn); err != nil {
		return err
	}
	for _, ix := range onlineIndexes {
		valid, err := dropInvalidIndex(ctx, conn, ix.name)
		if err != nil {
			return err
		}
		if !valid {
			db.Logger.Info("building an index in the background", "index", ix.name)
			if _, err := conn.ExecContext(ctx, ix.postgres); err != nil {
				return err
			}
		}
		if ix.replaces != "" {
			if _, err := conn.ExecContext(ctx, `DROP INDEX CONCURRENTLY IF EXISTS `+ix.replaces); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropInvalidIndex reports whether the index name exists and is valid,
// and drops it when it exists and is not: left invalid by a concurrent
// build that did not finish (no other is running: the caller holds the
// lock), it would keep CREATE INDEX … IF NOT EXISTS from building it.
func dropInvalidIndex(ctx context.Context, conn *sql.Conn, name string) (bool, error) {
	valid, err := indexValid(ctx, conn, name)
	if err == nil && !valid {
		_, err = conn.ExecContext(ctx, `DROP INDEX CONCURRENTLY IF EXISTS `+name)
	}
	return valid, err
}

// indexValid reports whether the index name exists and is valid.
func indexValid(ctx context.Context, conn *sql.Conn, name string) (bool, error) {
	var valid bool
	err := conn.QueryRowContext(ctx, `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relname = $1 AND pg_table_is_visible(c.oid)`, name).Scan(&valid)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return valid, err
}
