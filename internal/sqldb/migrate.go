package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
)

// slowMigration is how long a migration runs before its end is logged: on
// a large database an upgrade's migrations can take minutes, which the
// operator should see where the time went.
const slowMigration = 500 * time.Millisecond

// A migration file may end in an online part: the index statements after
// a line "-- +online". They build indexes over tables that may hold
// millions of rows, which would hold the start for a minute or more
// (0016's nine indexes took 44 s in an upgrade of a million petitions),
// and no answer depends on them — a list without its index is the same
// list, read slower. Open runs them at once, unless the database is
// opened with DeferIndexes (serve), whose BuildOnlineIndexes then runs
// them after the start while it answers; until they are built
// IndexStatus counts them, and the ledger says its lists may be slow.
//
// An online part holds only CREATE INDEX … IF NOT EXISTS and DROP INDEX
// … IF EXISTS statements (CONCURRENTLY on PostgreSQL), so that running it
// again after a stop is harmless; each statement is recorded as done when
// it is, and no later file's start-up part may name an index an online
// part makes (TestMigrationOnlineParts checks both).
const onlineMark = "-- +online"

var onlineSyntax = regexp.MustCompile(`(?is)^(?:(CREATE) INDEX (CONCURRENTLY )?IF NOT EXISTS|DROP INDEX (CONCURRENTLY )?IF EXISTS) (\w+)\s`)

// onlineStmt is a statement of an online part and the index it names.
type onlineStmt struct {
	sql, index string
	create     bool // CREATE INDEX, else DROP INDEX
	concurrent bool
}

// splitMigration returns the start-up part of a migration file and the
// statements of its online part.
func splitMigration(name, text string) (startup string, online []onlineStmt, err error) {
	i := strings.Index(text, "\n"+onlineMark+"\n")
	if i < 0 {
		return text, nil, nil
	}
	var b strings.Builder
	for line := range strings.Lines(text[i+len(onlineMark)+2:]) {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
		}
	}
	for _, st := range strings.Split(b.String(), ";") {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		m := onlineSyntax.FindStringSubmatch(st + "\n")
		if m == nil {
			return "", nil, fmt.Errorf("%s: the online part may hold only CREATE INDEX … IF NOT EXISTS and DROP INDEX … IF EXISTS: %.60s", name, st)
		}
		online = append(online, onlineStmt{sql: st, index: m[4], create: m[1] != "", concurrent: m[2] != "" || m[3] != ""})
	}
	return text[:i+1], online, nil
}

// migrate applies the embedded numbered .sql files of the dialect that have
// not run yet, each in its own transaction. On PostgreSQL an advisory lock
// keeps two instances starting together from migrating twice.
func (db *DB) migrate(ctx context.Context) error { return db.migrateTo(ctx, "") }

// migrateTo is migrate up to and including the file named last ("0011_x.sql";
// "" for all), so that a restore loads a backup into the schema it was
// made with and then migrates it on. The files' online parts are recorded
// in migrations_online, and built before it returns unless DeferIndexes.
func (db *DB) migrateTo(ctx context.Context, last string) error {
	conn, err := db.wdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err := conn.Close(); err != nil {
			db.Logger.Warn("migrate: release connection", "err", err)
		}
	}()
	if db.Postgres() {
		unlock, err := db.sessionLock(ctx, conn, lockMigrate, "migrate")
		if err != nil {
			return err
		}
		defer unlock()
	}
	for _, q := range []string{`CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`,
		`CREATE TABLE IF NOT EXISTS migrations_online (name TEXT NOT NULL PRIMARY KEY, done INTEGER NOT NULL DEFAULT 0)`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	dir := "migrations/" + db.dialect.name()
	names, err := fs.Glob(migrationFS, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if last != "" && path.Base(name) > last {
			break
		}
		var n int
		if err := conn.QueryRowContext(ctx, db.dialect.rebind(`SELECT COUNT(*) FROM migrations WHERE name = ?`), name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		buf, err := fs.ReadFile(migrationFS, name)
		if err != nil {
			return err
		}
		startup, online, err := splitMigration(name, string(buf))
		if err != nil {
			return err
		}
		start := time.Now()
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, startup); err != nil {
			db.rollback(tx)
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(`INSERT INTO migrations (name) VALUES (?)`), name); err != nil {
			db.rollback(tx)
			return err
		}
		if len(online) > 0 {
			if _, err := tx.ExecContext(ctx, db.dialect.rebind(`INSERT INTO migrations_online (name) VALUES (?)`), name); err != nil {
				db.rollback(tx)
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if took := time.Since(start); took >= slowMigration {
			db.Logger.Info("migrated", "file", path.Base(name), "took", took.Round(time.Millisecond))
		}
	}
	if db.DeferIndexes {
		return nil
	}
	if db.Postgres() {
		// Another instance building them (BuildOnlineIndexes holds the
		// lock) is left to it: two builds of one index CONCURRENTLY would
		// take each other's for one a stop left invalid.
		unlock, got, err := db.tryLock(ctx, conn, lockOnlineIndex, "online indexes")
		if err != nil || !got {
			return err
		}
		defer unlock()
	}
	return db.buildMigrationIndexes(ctx, conn)
}

// onlinePart is a migration whose online part is not done: its
// statements, the first done of which have run.
type onlinePart struct {
	name  string
	stmts []onlineStmt
	done  int
}

// pendingParts reads migrations_online on q, in the files' order.
func pendingParts(ctx context.Context, q rowQuerier) ([]onlinePart, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, done FROM migrations_online ORDER BY name`)
	parts, err := scanAll(rows, err, func(r scanner) (onlinePart, error) {
		var p onlinePart
		err := r.Scan(&p.name, &p.done)
		return p, err
	})
	if err != nil {
		return nil, err
	}
	for i := range parts {
		buf, err := fs.ReadFile(migrationFS, parts[i].name)
		if err != nil {
			return nil, err
		}
		if _, parts[i].stmts, err = splitMigration(parts[i].name, string(buf)); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

// buildMigrationIndexes runs the online parts of the migrations that are
// not done, in the files' order, each statement recorded as done with it.
// conn is the connection to run them on: migrate's, within Open; nil on
// SQLite after the start, where each statement is a write of its own
// (registrations wait for the single writer meanwhile rather than fail).
// On PostgreSQL they run on conn outside any transaction, as CREATE INDEX
// CONCURRENTLY must, and the caller holds an advisory lock (the
// migrations' or the online indexes').
func (db *DB) buildMigrationIndexes(ctx context.Context, conn *sql.Conn) error {
	var q rowQuerier = db.rdb
	if conn != nil {
		q = conn
	}
	parts, err := pendingParts(ctx, q)
	if err != nil {
		return err
	}
	for _, p := range parts {
		for i := p.done; i < len(p.stmts); i++ {
			st, start := p.stmts[i], time.Now()
			if err := db.runOnline(ctx, conn, p.name, st, i+1, i+1 == len(p.stmts)); err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			if took := time.Since(start); took >= slowMigration {
				db.Logger.Info("online part of a migration", "file", path.Base(p.name), "index", st.index, "create", st.create,
					"took", took.Round(time.Millisecond))
			}
		}
	}
	return nil
}

// runOnline runs statement st of migration name's online part and
// records that its first done statements are done; the last one removes
// the migration from migrations_online.
func (db *DB) runOnline(ctx context.Context, conn *sql.Conn, name string, st onlineStmt, done int, last bool) error {
	record, args := `UPDATE migrations_online SET done = ? WHERE name = ?`, []any{done, name}
	if last {
		record, args = `DELETE FROM migrations_online WHERE name = ?`, []any{name}
	}
	record = db.dialect.rebind(record)
	if !db.Postgres() {
		if conn == nil {
			return db.write(ctx, func(tx *Tx) error {
				if _, err := tx.exec(ctx, st.sql); err != nil {
					return err
				}
				_, err := tx.exec(ctx, record, args...)
				return err
			})
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, st.sql); err != nil {
			db.rollback(tx)
			return err
		}
		if _, err := tx.ExecContext(ctx, record, args...); err != nil {
			db.rollback(tx)
			return err
		}
		return tx.Commit()
	}
	// A concurrent build a stop interrupted left its index invalid, which
	// IF NOT EXISTS would keep.
	if st.create {
		if _, err := dropInvalidIndex(ctx, conn, st.index); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, st.sql); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, record, args...)
	return err
}

// pendingIndexes counts the indexes the online parts of migrations have
// still to build.
func (db *core) pendingIndexes(ctx context.Context) (int, error) {
	parts, err := pendingParts(ctx, db.rdb)
	n := 0
	for _, p := range parts {
		for _, st := range p.stmts[min(p.done, len(p.stmts)):] {
			if st.create {
				n++
			}
		}
	}
	return n, err
}
