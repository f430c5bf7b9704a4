package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	"xinfang/internal/keyring"
)

// Restoring a backup into an empty database (Backup's counterpart).

// Tables a restore may find filled in an otherwise empty database, by
// the program's own start (the seeded dictionaries and holidays, the keys'
// fingerprint, a scheduler's lease, the indicators' local definitions and
// build marker, the watch list's build marker): the backup's rows replace
// theirs.
// The migrations are the database's own and stay.
var startTables = []string{"dictionary", "holidays", "keyring_check", "leases", "audit_head", "kpi_config", "kpi_state", "watch_state"}

// Restore loads the backup at path (a snapshot or an export) into the
// database at dsn, which must be empty: a new SQLite file, a database
// nobody has used yet (no rows but those the program writes at its first
// start), or a PostgreSQL database just created. keys must be the keys
// of the database backed up. A snapshot into a new SQLite file is copied;
// anything else is loaded row by row in one transaction, into the schema
// the backup was made with, then migrated on. A failed restore leaves the
// database empty.
func Restore(ctx context.Context, dsn string, keys *keyring.Keyring, path string) (*Manifest, error) {
	if keys == nil {
		return nil, errors.New("keys required")
	}
	b, err := openBackup(ctx, path)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	m := b.manifest()
	d := "sqlite"
	if IsPostgres(dsn) {
		d = "postgres"
	}
	if err := checkSchema(m.Schema, d); err != nil {
		return nil, err
	}
	if s, ok := b.(*snapshotFile); ok && d == "sqlite" {
		if _, err := os.Stat(sqlitePath(dsn)); errors.Is(err, fs.ErrNotExist) {
			return m, restoreCopy(ctx, s, dsn, keys)
		}
	}
	return m, load(ctx, b, dsn, keys)
}

// restoreCopy restores a snapshot into a new SQLite file: it checks the
// snapshot whole, copies it, takes the manifest out and opens the copy as
// the program does (migrating it on, checking the keys).
func restoreCopy(ctx context.Context, s *snapshotFile, dsn string, keys *keyring.Keyring) error {
	if err := checkFingerprint(ctx, s.db, keys); err != nil {
		return err
	}
	if err := s.checkStructure(ctx); err != nil {
		return err
	}
	c := &countSink{}
	if err := s.copyTo(ctx, c); err != nil {
		return err
	}
	if err := checkMigrations(c.migrations, s.m.Schema, "sqlite"); err != nil {
		return err
	}
	target := sqlitePath(dsn)
	_, err := writeBeside(target, func(tmp string) (*Manifest, error) {
		if err := copyFile(s.path, tmp); err != nil {
			return nil, err
		}
		t, err := sql.Open("sqlite", "file:"+tmp+"?_pragma=synchronous(FULL)")
		if err != nil {
			return nil, err
		}
		defer t.Close()
		_, err = t.ExecContext(ctx, `DROP TABLE `+manifestTable)
		return nil, err
	})
	if err != nil {
		return err
	}
	db := NewDB(dsn, keys)
	if err := db.Open(); err != nil {
		removeSQLite(target)
		return err
	}
	return db.Close()
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// removeSQLite removes a SQLite database this restore created, with its
// journal files.
func removeSQLite(p string) {
	for _, f := range []string{p, p + "-wal", p + "-shm", p + "-journal"} {
		os.Remove(f)
	}
}

// load restores b into the empty database at dsn row by row, in one
// transaction: into the schema the backup was made with, then migrated
// on. keys, when given, must be those the backup's data is sealed with.
func load(ctx context.Context, b backupFile, dsn string, keys *keyring.Keyring) (err error) {
	m := b.manifest()
	created := false
	if !IsPostgres(dsn) {
		_, serr := os.Stat(sqlitePath(dsn))
		created = errors.Is(serr, fs.ErrNotExist)
	}
	db := NewDB(dsn, keys)
	defer func() {
		db.Close()
		if err != nil && created {
			removeSQLite(sqlitePath(dsn))
		}
	}()
	if err := db.connect(); err != nil {
		return err
	}
	name := targetName(dsn)
	has, err := db.hasMigrations(ctx)
	if err != nil {
		return err
	}
	if has {
		// Refuse before migrating anything: a database in use is left as
		// it was.
		if err := db.checkEmpty(ctx, db.rdb, name); err != nil {
			return err
		}
		at, err := schemaVersion(ctx, db.rdb)
		if err == nil && at > m.Schema {
			return fmt.Errorf("the database %s already has schema %s, newer than the backup's %s: restore into a new database", name, at, m.Schema)
		}
	}
	if err := db.migrateTo(ctx, m.Schema); err != nil {
		return fmt.Errorf("create the schema %s: %w", m.Schema, err)
	}
	if err := db.loadRows(ctx, b, name); err != nil {
		return err
	}
	if err := db.migrate(ctx); err != nil {
		return fmt.Errorf("migrate the restored database: %w", err)
	}
	return nil
}

func (db *DB) hasMigrations(ctx context.Context) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'migrations'`
	if db.Postgres() {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'migrations'`
	}
	var n int
	err := db.rdb.QueryRowContext(ctx, q).Scan(&n)
	return n > 0, err
}

// checkEmpty refuses a database that holds rows other than those the
// program writes at its start.
func (db *core) checkEmpty(ctx context.Context, q rowQuerier, name string) error {
	tables, err := introspect(ctx, q, db.dialect)
	if err != nil {
		return err
	}
	var full []string
	for _, t := range tables {
		if t.name == "migrations" || slices.Contains(startTables, t.name) {
			continue
		}
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+quoteIdent(t.name)+` LIMIT 1) x`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			full = append(full, t.name)
		}
	}
	if len(full) == 0 {
		return nil
	}
	which := strings.Join(full, ", ")
	if len(full) > 4 {
		which = fmt.Sprintf("%s and %d more", strings.Join(full[:4], ", "), len(full)-4)
	}
	return fmt.Errorf("the database %s is not empty (rows in %s): a backup is restored only into an empty database", name, which)
}

// loadRows writes the backup's rows in one transaction.
func (db *DB) loadRows(ctx context.Context, b backupFile, name string) error {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer db.rollback(tx)
	if !db.Postgres() {
		// Checked at commit, and by foreign_key_check before it.
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
	}
	tables, err := introspect(ctx, tx, db.dialect)
	if err != nil {
		return err
	}
	if err := db.checkEmpty(ctx, tx, name); err != nil {
		return err
	}
	l := &loader{ctx: ctx, db: db.core, tx: tx, target: map[string]*tableMeta{}}
	for _, t := range tables {
		l.target[t.name] = t
		if slices.Contains(startTables, t.name) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t.name)); err != nil {
				return err
			}
		}
	}
	if err := b.copyTo(ctx, l); err != nil {
		return err
	}
	if err := l.finish(b.manifest()); err != nil {
		return err
	}
	return tx.Commit()
}

// loader is the rowSink that inserts a backup's rows inside tx.
type loader struct {
	ctx        context.Context
	db         *core
	tx         *sql.Tx
	target     map[string]*tableMeta
	migrations []string // the backup's, which the database's own replace

	t       *TableManifest
	skip    bool
	batch   []any
	n, per  int
	self    []int // columns pointing to the table's own rows
	pk      int   // the integer primary key, when there are such columns
	fixes   []fixup
	textCol int // search_docs.text on SQLite, whose bigrams FTS5 keeps apart; -1
	idCol   int
}

// fixup is a reference to a row of the same table that comes later: it is
// inserted as NULL and set once the table is in.
type fixup struct {
	col     string
	id, ref int64
}

func (l *loader) table(t *TableManifest) error {
	l.t, l.skip, l.batch, l.n, l.self, l.fixes, l.textCol = t, false, l.batch[:0], 0, nil, nil, -1
	if t.Name == "migrations" {
		l.skip = true
		return nil
	}
	meta := l.target[t.Name]
	if meta == nil {
		return fmt.Errorf("the backup's table %s is not in the database's schema", t.Name)
	}
	a, b := slices.Clone(meta.columns), slices.Clone(t.Columns)
	sort.Strings(a)
	sort.Strings(b)
	if !slices.Equal(a, b) {
		return fmt.Errorf("table %s: the backup's columns (%s) differ from the database's (%s)", t.Name, strings.Join(t.Columns, ", "), strings.Join(meta.columns, ", "))
	}
	l.per = max(1, 8000/len(t.Columns)) // parameters per statement, well under either limit
	if len(meta.self) > 0 {
		if len(meta.pk) != 1 || t.Kinds[slices.Index(t.Columns, meta.pk[0])] != "int" {
			return fmt.Errorf("table %s points to its own rows without an integer key", t.Name)
		}
		l.pk = slices.Index(t.Columns, meta.pk[0])
		for _, c := range meta.self {
			l.self = append(l.self, slices.Index(t.Columns, c))
		}
	}
	if t.Name == "search_docs" && !l.db.Postgres() {
		l.textCol, l.idCol = slices.Index(t.Columns, "text"), slices.Index(t.Columns, "id")
	}
	return nil
}

func (l *loader) row(vals []any) error {
	if l.skip {
		if s, ok := vals[0].(string); ok {
			l.migrations = append(l.migrations, s)
		}
		return nil
	}
	for _, i := range l.self {
		id, _ := vals[l.pk].(int64)
		if ref, ok := vals[i].(int64); ok && ref > id {
			l.fixes = append(l.fixes, fixup{l.t.Columns[i], id, ref})
			vals[i] = nil
		}
	}
	l.batch = append(l.batch, vals...)
	if l.n++; l.n == l.per {
		return l.flush()
	}
	return nil
}

func (l *loader) flush() error {
	if l.n == 0 {
		return nil
	}
	q := `INSERT INTO ` + quoteIdent(l.t.Name) + ` (` + quoteList(l.t.Columns) + `) VALUES ` + valueRows(l.n, len(l.t.Columns))
	if _, err := l.tx.ExecContext(l.ctx, l.db.dialect.rebind(q), l.batch...); err != nil {
		return fmt.Errorf("restore %s: %w", l.t.Name, err)
	}
	if l.textCol >= 0 {
		args := make([]any, 0, 2*l.n)
		w := len(l.t.Columns)
		for r := 0; r < l.n; r++ {
			text, _ := l.batch[r*w+l.textCol].(string)
			args = append(args, l.batch[r*w+l.idCol], bigramText(text))
		}
		if _, err := l.tx.ExecContext(l.ctx, `INSERT INTO search_bigrams (rowid, grams) VALUES `+valueRows(l.n, 2), args...); err != nil {
			return fmt.Errorf("restore the search index: %w", err)
		}
	}
	l.batch, l.n = l.batch[:0], 0
	return nil
}

func (l *loader) done() error {
	if err := l.flush(); err != nil {
		return err
	}
	if l.t.Name == "keyring_check" && l.db.Keys != nil {
		// Now rather than at the end: other keys restore nothing usable.
		if err := checkFingerprint(l.ctx, l.tx, l.db.Keys); err != nil {
			return err
		}
	}
	meta := l.target[l.t.Name]
	for _, f := range l.fixes {
		q := `UPDATE ` + quoteIdent(l.t.Name) + ` SET ` + quoteIdent(f.col) + ` = ? WHERE ` + quoteIdent(meta.pk[0]) + ` = ?`
		if _, err := l.tx.ExecContext(l.ctx, l.db.dialect.rebind(q), f.ref, f.id); err != nil {
			return fmt.Errorf("restore %s.%s: %w", l.t.Name, f.col, err)
		}
	}
	return nil
}

// finish checks what the rows alone cannot show — the migrations, the
// foreign keys, the keys — and moves PostgreSQL's identity sequences past
// the restored ids.
func (l *loader) finish(m *Manifest) error {
	ctx, tx := l.ctx, l.tx
	if err := checkMigrations(l.migrations, m.Schema, l.db.dialect.name()); err != nil {
		return err
	}
	if l.db.Postgres() {
		rows, err := tx.QueryContext(ctx, `SELECT table_name::text, column_name::text FROM information_schema.columns
			WHERE table_schema = current_schema() AND is_identity = 'YES'`)
		ids, err := scanAll(rows, err, func(r scanner) ([2]string, error) {
			var tc [2]string
			err := r.Scan(&tc[0], &tc[1])
			return tc, err
		})
		if err != nil {
			return err
		}
		for _, tc := range ids {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(`+quoteIdent(tc[1])+`) FROM `+quoteIdent(tc[0])+`), 0) + 1, false)`,
				quoteIdent(tc[0]), tc[1]); err != nil {
				return fmt.Errorf("advance the ids of %s: %w", tc[0], err)
			}
		}
	} else if err := foreignKeyCheck(ctx, tx); err != nil {
		return err
	}
	if l.db.Keys != nil {
		return checkFingerprint(ctx, tx, l.db.Keys)
	}
	return nil
}
