package sqldb

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emmansun/gmsm/sm3"

	"xinfang"
	"xinfang/internal/keyring"
)

// Backups (备份). A backup is one file of one of two kinds:
//
//   - a snapshot: the SQLite database as VACUUM INTO writes it from a read
//     connection — one consistent view, taken while the application
//     serves, without holding the writer — plus a manifest table
//     (xinfang_backup) with each table's row count and digest;
//   - an export: gzip'd JSON lines that SQLite and PostgreSQL alike write
//     from one read-only snapshot transaction and restore from.
//
// An export reads:
//
//	{"format":"xinfang-export","version":1,"schema":"0011_personal_data.sql","dialect":"postgres",
//	 "created_at":"…","tables":[{"name":"units","columns":["id",…],"kinds":["int",…],"rows":130},…]}
//	{"table":"units"}
//	[1,null,"SLS","示例市",…]             one line per row, in primary-key order
//	{"table":"users"}
//	…
//	{"end":true,"rows":12345,"sm3":"…"}   the SM3 of every byte above this line
//
// schema is the last migration applied to the database backed up. Tables
// come in an order in which every foreign key points to a table before it
// (a table's own rows may point ahead; the restore fills those last).
// Kinds: int and real are JSON numbers, text a JSON string, blob a base64
// string; NULL is null.
//
// A backup holds personal data sealed, as the database does, and never
// the keys: restoring it, or reading what it holds, needs the keys file
// of the database it was taken from, kept apart.

// BackupFormat is the kind of backup file Backup writes.
type BackupFormat string

const (
	Snapshot BackupFormat = "snapshot" // SQLite only: the database file itself
	Export   BackupFormat = "export"   // either database: gzip'd JSON lines
)

const (
	exportFormat   = "xinfang-export"
	snapshotFormat = "xinfang-snapshot"
	backupVersion  = 1                // of both file formats
	manifestTable  = "xinfang_backup" // the snapshot's manifest
	sqliteMagic    = "SQLite format 3\x00"
)

// Manifest describes a backup: what it was taken from and what it holds.
type Manifest struct {
	Format    string          `json:"format"`  // xinfang-export or xinfang-snapshot
	Version   int             `json:"version"` // of the file format
	Schema    string          `json:"schema"`  // the last migration applied to the database backed up
	Dialect   string          `json:"dialect"` // the database backed up: sqlite or postgres
	CreatedAt string          `json:"created_at"`
	Tables    []TableManifest `json:"tables"`
}

// TableManifest is one table of a backup.
type TableManifest struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Kinds   []string `json:"kinds"` // int, real, text or blob, per column
	Rows    int64    `json:"rows"`
	// SM3 (snapshots only) is the digest of the table's rows as an export
	// writes them, so that a changed value is found as well as a lost row.
	SM3 string `json:"sm3,omitempty"`
}

// Rows returns the number of rows of every table.
func (m *Manifest) Rows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// Kind is "snapshot" or "export".
func (m *Manifest) Kind() BackupFormat {
	if m.Format == snapshotFormat {
		return Snapshot
	}
	return Export
}

// check refuses a manifest this program cannot read.
func (m *Manifest) check(format string) error {
	if m.Format != format {
		return fmt.Errorf("not a Xinfang backup (format %q)", m.Format)
	}
	if m.Version < 1 || m.Version > backupVersion {
		return fmt.Errorf("backup format version %d: this program reads version %d", m.Version, backupVersion)
	}
	if len(m.Tables) == 0 {
		return errors.New("the backup lists no tables")
	}
	seen := map[string]bool{}
	for _, t := range m.Tables {
		if t.Name == "" || seen[t.Name] || len(t.Columns) == 0 || len(t.Columns) != len(t.Kinds) || t.Rows < 0 {
			return fmt.Errorf("the backup's table list is damaged at %q", t.Name)
		}
		seen[t.Name] = true
		for _, k := range t.Kinds {
			if !slices.Contains([]string{"int", "real", "text", "blob"}, k) {
				return fmt.Errorf("table %s: unknown column kind %q", t.Name, k)
			}
		}
	}
	return nil
}

// Backup writes a backup of the database at dsn to the file at path,
// which must not exist: a snapshot (SQLite only; the default there) or an
// export (the default on PostgreSQL). It neither migrates the database
// nor needs its keys, and reads it while the application serves. The
// file appears whole or not at all.
func Backup(ctx context.Context, dsn, path string, format BackupFormat) (*Manifest, error) {
	if format == "" {
		format = Snapshot
		if IsPostgres(dsn) {
			format = Export
		}
	}
	if format != Snapshot && format != Export {
		return nil, fmt.Errorf("unknown backup format %q: snapshot or export", format)
	}
	if format == Snapshot && IsPostgres(dsn) {
		return nil, errors.New("a snapshot is of a SQLite database; PostgreSQL is backed up as an export (or with pg_dump)")
	}
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("%s already exists", path)
	}
	if !IsPostgres(dsn) {
		if _, err := os.Stat(sqlitePath(dsn)); err != nil {
			return nil, fmt.Errorf("no database at %s", sqlitePath(dsn))
		}
	}
	db := NewDB(dsn, nil)
	defer db.Close()
	if err := db.connect(); err != nil {
		return nil, err
	}
	return writeBeside(path, func(tmp string) (*Manifest, error) {
		if format == Snapshot {
			return db.snapshot(ctx, tmp)
		}
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return nil, err
		}
		m, err := db.export(ctx, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return m, err
	})
}

// writeBeside has write fill an empty file (mode 0600: a backup is as
// secret as the database) beside path, syncs it and renames it to path,
// so that a failed or interrupted backup leaves no file behind.
func writeBeside(path string, write func(tmp string) (*Manifest, error)) (m *Manifest, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if m, err = write(tmp); err != nil {
		return nil, err
	}
	if err = syncPath(tmp); err != nil {
		return nil, err
	}
	if err = os.Rename(tmp, path); err != nil {
		return nil, err
	}
	return m, syncPath(filepath.Dir(path))
}

// syncPath flushes a file or a directory (a rename) to disk.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func sqlitePath(dsn string) string { return strings.TrimPrefix(dsn, "sqlite://") }

// targetName names a database in a message: the SQLite path, or the
// PostgreSQL host and database without the credentials.
func targetName(dsn string) string {
	if !IsPostgres(dsn) {
		return sqlitePath(dsn)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "the PostgreSQL database"
	}
	return "postgres://" + u.Host + u.Path
}

// snapshot writes a consistent copy of the SQLite database to the empty
// file at path with VACUUM INTO on a read connection (it reads one WAL
// snapshot, so writers go on meanwhile), then adds the manifest.
func (db *core) snapshot(ctx context.Context, path string) (*Manifest, error) {
	created := time.Now().UTC().Format(time.RFC3339)
	if _, err := db.rdb.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return nil, fmt.Errorf("vacuum into: %w", err)
	}
	s, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(DELETE)&_pragma=synchronous(FULL)")
	if err != nil {
		return nil, err
	}
	defer s.Close()
	tx, err := s.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	m := &Manifest{Format: snapshotFormat, Version: backupVersion, Dialect: "sqlite", CreatedAt: created}
	tables, err := introspect(ctx, tx, sqlite{})
	if err != nil {
		return nil, err
	}
	if m.Schema, err = schemaVersion(ctx, tx); err != nil {
		return nil, err
	}
	for _, t := range tables {
		h, n := sm3.New(), int64(0)
		err := eachLine(ctx, tx, t, func(line []byte) error {
			h.Write(line)
			n++
			return nil
		})
		if err != nil {
			return nil, err
		}
		m.Tables = append(m.Tables, TableManifest{Name: t.name, Columns: t.columns, Kinds: t.kinds, Rows: n, SM3: hex.EncodeToString(h.Sum(nil))})
	}
	text, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE `+manifestTable+` (manifest TEXT NOT NULL)`); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+manifestTable+` (manifest) VALUES (?)`, string(text)); err != nil {
		return nil, err
	}
	return m, tx.Commit()
}

// export writes the export of the database to w, every table read in one
// read-only transaction (REPEATABLE READ on PostgreSQL, one WAL snapshot
// on SQLite), so that the rows are of one moment.
func (db *core) export(ctx context.Context, w io.Writer) (*Manifest, error) {
	m := &Manifest{Format: exportFormat, Version: backupVersion, Dialect: db.dialect.name(), CreatedAt: time.Now().UTC().Format(time.RFC3339)}
	err := db.read(ctx, func(q rowQuerier) error {
		tables, err := introspect(ctx, q, db.dialect)
		if err != nil {
			return err
		}
		if m.Schema, err = schemaVersion(ctx, q); err != nil {
			return err
		}
		for _, t := range tables {
			var n int64
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteIdent(t.name)).Scan(&n); err != nil {
				return err
			}
			m.Tables = append(m.Tables, TableManifest{Name: t.name, Columns: t.columns, Kinds: t.kinds, Rows: n})
		}
		gz := gzip.NewWriter(w)
		bw := bufio.NewWriterSize(gz, 1<<16)
		h := sm3.New()
		out := io.MultiWriter(bw, h)
		if err := writeJSONLine(out, m); err != nil {
			return err
		}
		for i, t := range tables {
			if err := writeJSONLine(out, map[string]string{"table": t.name}); err != nil {
				return err
			}
			var n int64
			err := eachLine(ctx, q, t, func(line []byte) error {
				n++
				_, err := out.Write(line)
				return err
			})
			if err != nil {
				return err
			}
			if n != m.Tables[i].Rows {
				return fmt.Errorf("table %s: read %d rows, counted %d", t.name, n, m.Tables[i].Rows)
			}
		}
		end := struct {
			End  bool   `json:"end"`
			Rows int64  `json:"rows"`
			SM3  string `json:"sm3"`
		}{true, m.Rows(), hex.EncodeToString(h.Sum(nil))}
		if err := writeJSONLine(bw, end); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return gz.Close()
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// tableMeta is what a backup needs of a table.
type tableMeta struct {
	name    string
	columns []string
	kinds   []string
	pk      []string        // the primary key's columns, in order
	refs    map[string]bool // the other tables its foreign keys point to
	self    []string        // its columns that point to its own rows
}

// introspect lists the tables of the database q reads (not SQLite's own,
// nor the FTS5 virtual tables and their shadows, which follow from
// search_docs) in an order in which every foreign key points to a table
// before it; ties go by name, so the order is fixed.
func introspect(ctx context.Context, q rowQuerier, d dialect) ([]*tableMeta, error) {
	var tables map[string]*tableMeta
	var err error
	if d.name() == "postgres" {
		tables, err = postgresTables(ctx, q)
	} else {
		tables, err = sqliteTables(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("read the schema: %w", err)
	}
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*tableMeta
	done := map[string]bool{}
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for r := range tables[n].refs {
				if tables[r] != nil && !done[r] {
					ready = false
				}
			}
			if ready {
				out, done[n], progress = append(out, tables[n]), true, true
			}
		}
		if !progress {
			var left []string
			for _, n := range names {
				if !done[n] {
					left = append(left, n)
				}
			}
			return nil, fmt.Errorf("the foreign keys of %s form a cycle; no table can be restored first", strings.Join(left, ", "))
		}
	}
	return out, nil
}

func sqliteTables(ctx context.Context, q rowQuerier) (map[string]*tableMeta, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> ?`, manifestTable)
	names, err := scanAll(rows, err, scanString)
	if err != nil {
		return nil, err
	}
	tables := map[string]*tableMeta{}
	for _, n := range names {
		t := &tableMeta{name: n, refs: map[string]bool{}}
		var pk []struct {
			pos  int
			name string
		}
		rows, err := q.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, n)
		err = eachRow(rows, err, func(r scanner) error {
			var col, decl string
			var pos int
			if err := r.Scan(&col, &decl, &pos); err != nil {
				return err
			}
			t.columns, t.kinds = append(t.columns, col), append(t.kinds, sqliteKind(decl))
			if pos > 0 {
				pk = append(pk, struct {
					pos  int
					name string
				}{pos, col})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Slice(pk, func(i, j int) bool { return pk[i].pos < pk[j].pos })
		for _, p := range pk {
			t.pk = append(t.pk, p.name)
		}
		rows, err = q.QueryContext(ctx, `SELECT "table", "from" FROM pragma_foreign_key_list(?)`, n)
		err = eachRow(rows, err, func(r scanner) error {
			var ref, col string
			if err := r.Scan(&ref, &col); err != nil {
				return err
			}
			t.addRef(ref, col)
			return nil
		})
		if err != nil {
			return nil, err
		}
		tables[n] = t
	}
	return tables, nil
}

func postgresTables(ctx context.Context, q rowQuerier) (map[string]*tableMeta, error) {
	tables := map[string]*tableMeta{}
	rows, err := q.QueryContext(ctx, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	names, err := scanAll(rows, err, scanString)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		tables[n] = &tableMeta{name: n, refs: map[string]bool{}}
	}
	// each runs a query of (table, a, b) rows and hands those of known
	// tables to fn.
	each := func(query string, fn func(t *tableMeta, a, b string)) error {
		rows, err := q.QueryContext(ctx, query)
		return eachRow(rows, err, func(r scanner) error {
			var tn, a, b string
			if err := r.Scan(&tn, &a, &b); err != nil {
				return err
			}
			if t := tables[tn]; t != nil {
				fn(t, a, b)
			}
			return nil
		})
	}
	if err := each(`SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`, func(t *tableMeta, col, typ string) {
		t.columns, t.kinds = append(t.columns, col), append(t.kinds, postgresKind(typ))
	}); err != nil {
		return nil, err
	}
	if err := each(`SELECT c.relname::text, a.attname::text, '' FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
		WHERE i.indisprimary AND n.nspname = current_schema()
		ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)`, func(t *tableMeta, col, _ string) {
		t.pk = append(t.pk, col)
	}); err != nil {
		return nil, err
	}
	if err := each(`SELECT c.relname::text, r.relname::text, a.attname::text FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
		WHERE k.contype = 'f' AND n.nspname = current_schema()
		ORDER BY c.relname, k.conname, a.attname`, func(t *tableMeta, ref, col string) {
		t.addRef(ref, col)
	}); err != nil {
		return nil, err
	}
	return tables, nil
}

func (t *tableMeta) addRef(ref, col string) {
	if ref == t.name {
		if !slices.Contains(t.self, col) {
			t.self = append(t.self, col)
		}
		return
	}
	t.refs[ref] = true
}

func scanString(r scanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

// sqliteKind is the kind of a column by SQLite's affinity rules.
func sqliteKind(decl string) string {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "INT"):
		return "int"
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return "text"
	case strings.Contains(d, "BLOB"), d == "":
		return "blob"
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return "real"
	}
	return "text"
}

func postgresKind(typ string) string {
	switch typ {
	case "bigint", "integer", "smallint":
		return "int"
	case "double precision", "real":
		return "real"
	case "bytea":
		return "blob"
	}
	return "text"
}

// quoteIdent quotes a table or column name for either database.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteIdent(n)
	}
	return strings.Join(q, ", ")
}

// schemaVersion is the last migration applied to the database q reads.
func schemaVersion(ctx context.Context, q rowQuerier) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM migrations`)
	names, err := scanAll(rows, err, scanString)
	if err != nil {
		return "", fmt.Errorf("not a Xinfang database (migrations: %w)", err)
	}
	last := ""
	for _, n := range names {
		last = max(last, path.Base(n))
	}
	if last == "" {
		return "", errors.New("not a Xinfang database: no migration has run")
	}
	return last, nil
}

// migrationNames lists the migrations this program has for dialect, by
// file name ("0011_personal_data.sql"); the two sets are numbered in step.
func migrationNames(dialect string) []string {
	names, _ := fs.Glob(migrationFS, "migrations/"+dialect+"/*.sql")
	for i, n := range names {
		names[i] = path.Base(n)
	}
	sort.Strings(names)
	return names
}

// checkSchema refuses a backup whose schema version this program does
// not know: made by a newer version, or not by Xinfang.
func checkSchema(schema, dialect string) error {
	known := migrationNames(dialect)
	if !slices.Contains(known, schema) {
		return fmt.Errorf("the backup's schema version %q is not one this program knows (it knows up to %s): restore it with the version that made it, or a newer one", schema, known[len(known)-1])
	}
	return nil
}

// checkMigrations compares the migrations recorded in a backup with its
// schema version: each must be known, the last the schema version.
func checkMigrations(names []string, schema, dialect string) error {
	known := migrationNames(dialect)
	last := ""
	for _, n := range names {
		b := path.Base(n)
		if !slices.Contains(known, b) {
			return fmt.Errorf("the backup records migration %q, which this program does not know", b)
		}
		last = max(last, b)
	}
	if last != schema {
		return fmt.Errorf("the backup's last migration is %q, its manifest says %q", last, schema)
	}
	return nil
}

// eachLine reads the rows of t in primary-key order (every column where
// there is none) and hands each to fn as an export line, which is valid
// until fn returns.
func eachLine(ctx context.Context, q rowQuerier, t *tableMeta, fn func(line []byte) error) error {
	order := t.pk
	if len(order) == 0 {
		order = t.columns
	}
	rows, err := q.QueryContext(ctx, `SELECT `+quoteList(t.columns)+` FROM `+quoteIdent(t.name)+` ORDER BY `+quoteList(order))
	if err != nil {
		return fmt.Errorf("read %s: %w", t.name, err)
	}
	vals := make([]any, len(t.columns))
	ptrs := make([]any, len(t.columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var line []byte
	var fnErr error // the caller's, passed on as it is
	err = eachRow(rows, nil, func(r scanner) error {
		if err := r.Scan(ptrs...); err != nil {
			return err
		}
		line = append(line[:0], '[')
		for i, v := range vals {
			if i > 0 {
				line = append(line, ',')
			}
			var err error
			if line, err = appendValue(line, t.kinds[i], v); err != nil {
				return fmt.Errorf("%s.%s: %w", t.name, t.columns[i], err)
			}
		}
		line = append(line, ']', '\n')
		fnErr = fn(line)
		return fnErr
	})
	switch {
	case fnErr != nil:
		return fnErr
	case err != nil:
		return fmt.Errorf("read %s: %w", t.name, err)
	}
	return ctx.Err()
}

// appendValue appends v, read from a column of kind, as JSON.
func appendValue(b []byte, kind string, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	switch kind {
	case "int":
		if n, ok := v.(int64); ok {
			return strconv.AppendInt(b, n, 10), nil
		}
	case "real":
		switch f := v.(type) {
		case float64:
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("%v has no JSON form", f)
			}
			return strconv.AppendFloat(b, f, 'g', -1, 64), nil
		case int64:
			return strconv.AppendInt(b, f, 10), nil
		}
	case "text":
		var s string
		switch t := v.(type) {
		case string:
			s = t
		case []byte:
			s = string(t)
		default:
			return nil, fmt.Errorf("a %T in a text column", v)
		}
		if !utf8.ValidString(s) {
			return nil, errors.New("text that is not UTF-8")
		}
		j, err := json.Marshal(s)
		return append(b, j...), err
	case "blob":
		var raw []byte
		switch t := v.(type) {
		case []byte:
			raw = t
		case string:
			raw = []byte(t)
		default:
			return nil, fmt.Errorf("a %T in a blob column", v)
		}
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, raw)
		return append(b, '"'), nil
	}
	return nil, fmt.Errorf("a %T in a column of kind %s", v, kind)
}

// decodeRow reads an export line back into the values of its columns.
func decodeRow(line []byte, kinds []string) ([]any, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, fmt.Errorf("not a row: %w", err)
	}
	if len(raw) != len(kinds) {
		return nil, fmt.Errorf("a row of %d values, the table has %d columns", len(raw), len(kinds))
	}
	vals := make([]any, len(raw))
	for i, r := range raw {
		if string(r) == "null" {
			continue
		}
		var err error
		switch kinds[i] {
		case "int":
			vals[i], err = strconv.ParseInt(string(r), 10, 64)
		case "real":
			vals[i], err = strconv.ParseFloat(string(r), 64)
		case "text":
			var s string
			err = json.Unmarshal(r, &s)
			vals[i] = s
		case "blob":
			var s string
			if err = json.Unmarshal(r, &s); err == nil {
				vals[i], err = base64.StdEncoding.DecodeString(s)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("value %d: %w", i+1, err)
		}
	}
	return vals, nil
}

// backupFile is an open backup.
type backupFile interface {
	manifest() *Manifest
	// copyTo hands every row to sink, table by table in the manifest's
	// order, and checks the rows against the manifest as they pass: a
	// table with more or fewer rows, or other rows, than the backup was
	// made with is an error. It can run once.
	copyTo(ctx context.Context, sink rowSink) error
	Close() error
}

// rowSink takes a backup's rows: table starts each table, done ends it.
type rowSink interface {
	table(t *TableManifest) error
	row(vals []any) error
	done() error
}

// openBackup opens the backup at path, of either kind, and reads its
// manifest.
func openBackup(ctx context.Context, path string) (backupFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(sqliteMagic))
	n, _ := io.ReadFull(f, head)
	f.Close()
	switch {
	case n == len(head) && string(head) == sqliteMagic:
		return openSnapshotFile(ctx, path)
	case n >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return openExportFile(path)
	}
	return nil, fmt.Errorf("%s is not a Xinfang backup (neither a snapshot nor an export)", path)
}

// snapshotFile is a snapshot, opened read-only.
type snapshotFile struct {
	path string
	db   *sql.DB
	m    *Manifest
}

func openSnapshotFile(ctx context.Context, path string) (*snapshotFile, error) {
	// immutable: the file is a backup, nobody writes it, and reading it
	// must create no journal beside it.
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	s := &snapshotFile{path: path, db: db, m: &Manifest{}}
	var text string
	if err := db.QueryRowContext(ctx, `SELECT manifest FROM `+manifestTable).Scan(&text); err != nil {
		db.Close()
		if strings.Contains(err.Error(), "no such table") {
			return nil, fmt.Errorf("%s has no backup manifest: a database file, not a snapshot that xinfang backup made", path)
		}
		return nil, fmt.Errorf("%s: read the manifest: %w", path, err)
	}
	if err := json.Unmarshal([]byte(text), s.m); err != nil {
		db.Close()
		return nil, fmt.Errorf("the manifest of %s is damaged: %w", path, err)
	}
	if err := s.m.check(snapshotFormat); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *snapshotFile) manifest() *Manifest { return s.m }
func (s *snapshotFile) Close() error        { return s.db.Close() }

func (s *snapshotFile) copyTo(ctx context.Context, sink rowSink) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tables, err := introspect(ctx, tx, sqlite{})
	if err != nil {
		return err
	}
	byName := map[string]*tableMeta{}
	for _, t := range tables {
		byName[t.name] = t
	}
	for _, tm := range s.m.Tables {
		if byName[tm.Name] == nil {
			return fmt.Errorf("table %s of the manifest is missing", tm.Name)
		}
	}
	if len(tables) != len(s.m.Tables) {
		for _, t := range tables {
			if !slices.ContainsFunc(s.m.Tables, func(tm TableManifest) bool { return tm.Name == t.name }) {
				return fmt.Errorf("table %s is not in the manifest", t.name)
			}
		}
	}
	for i := range s.m.Tables {
		tm := &s.m.Tables[i]
		t := byName[tm.Name]
		if !slices.Equal(t.columns, tm.Columns) || !slices.Equal(t.kinds, tm.Kinds) {
			return fmt.Errorf("table %s: its columns differ from the manifest's", tm.Name)
		}
		if err := sink.table(tm); err != nil {
			return err
		}
		h, n := sm3.New(), int64(0)
		err := eachLine(ctx, tx, t, func(line []byte) error {
			h.Write(line)
			n++
			vals, err := decodeRow(line, tm.Kinds)
			if err != nil {
				return err
			}
			return sink.row(vals)
		})
		if err != nil {
			return err
		}
		if n != tm.Rows {
			return fmt.Errorf("table %s: %d rows, the manifest says %d", tm.Name, n, tm.Rows)
		}
		if hex.EncodeToString(h.Sum(nil)) != tm.SM3 {
			return fmt.Errorf("table %s: its rows differ from those the backup was made with (digest mismatch)", tm.Name)
		}
		if err := sink.done(); err != nil {
			return err
		}
	}
	return nil
}

// exportFile is an export, read as a stream.
type exportFile struct {
	f  *os.File
	gz *gzip.Reader
	r  *bufio.Reader
	h  hash.Hash // of every line before the end line
	m  *Manifest
}

func openExportFile(path string) (*exportFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	e := &exportFile{f: f, h: sm3.New(), m: &Manifest{}}
	if e.gz, err = gzip.NewReader(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	e.r = bufio.NewReaderSize(e.gz, 1<<16)
	line, err := e.line()
	if err == nil {
		err = json.Unmarshal(line, e.m)
	}
	if err == nil {
		err = e.m.check(exportFormat)
	}
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("%s: the header: %w", path, err)
	}
	e.h.Write(line)
	return e, nil
}

func (e *exportFile) manifest() *Manifest { return e.m }
func (e *exportFile) Close() error        { return e.f.Close() }

// line reads the next line; the file ends with a newline.
func (e *exportFile) line() ([]byte, error) {
	line, err := e.r.ReadBytes('\n')
	if err == io.EOF {
		if len(line) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, errors.New("the file ends early (truncated)")
	}
	if err != nil {
		return nil, fmt.Errorf("the file is damaged: %w", err)
	}
	return line, nil
}

func (e *exportFile) copyTo(ctx context.Context, sink rowSink) error {
	line, err := e.line()
	for i := range e.m.Tables {
		tm := &e.m.Tables[i]
		if err != nil {
			return err
		}
		var marker struct{ Table string }
		if line[0] != '{' || json.Unmarshal(line, &marker) != nil || marker.Table != tm.Name {
			return fmt.Errorf("table %s: expected its start, found %.60q", tm.Name, line)
		}
		e.h.Write(line)
		if err := sink.table(tm); err != nil {
			return err
		}
		var n int64
		for line, err = e.line(); err == nil && line[0] == '['; line, err = e.line() {
			if n++; n > tm.Rows {
				return fmt.Errorf("table %s: more rows than the %d of the header", tm.Name, tm.Rows)
			}
			e.h.Write(line)
			vals, err := decodeRow(line, tm.Kinds)
			if err != nil {
				return fmt.Errorf("table %s, row %d: %w", tm.Name, n, err)
			}
			if err := sink.row(vals); err != nil {
				return err
			}
			if n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
		}
		if err != nil {
			return err
		}
		if n != tm.Rows {
			return fmt.Errorf("table %s: %d rows, the header says %d", tm.Name, n, tm.Rows)
		}
		if err := sink.done(); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	var end struct {
		End  bool
		Rows int64
		SM3  string
	}
	if json.Unmarshal(line, &end) != nil || !end.End {
		return fmt.Errorf("expected the end of the file, found %.60q", line)
	}
	if end.Rows != e.m.Rows() || end.SM3 != hex.EncodeToString(e.h.Sum(nil)) {
		return errors.New("the file differs from what was written (digest mismatch)")
	}
	if _, err := e.r.ReadByte(); err != io.EOF {
		if err == nil {
			return errors.New("data after the end of the export")
		}
		return fmt.Errorf("the file is damaged: %w", err)
	}
	return nil
}

// countSink checks a backup's rows without keeping them; it keeps the
// migrations the backup records.
type countSink struct {
	current    string
	migrations []string
}

func (c *countSink) table(t *TableManifest) error { c.current = t.Name; return nil }
func (c *countSink) done() error                  { return nil }
func (c *countSink) row(vals []any) error {
	if c.current == "migrations" {
		s, _ := vals[0].(string)
		c.migrations = append(c.migrations, s)
	}
	return nil
}

// Tables a restore may find filled in an otherwise empty database, by
// the program's own start (the seeded dictionaries and holidays, the keys'
// fingerprint, a scheduler's lease): the backup's rows replace theirs.
// The migrations are the database's own and stay.
var startTables = []string{"dictionary", "holidays", "keyring_check", "leases"}

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

// foreignKeyCheck runs SQLite's foreign_key_check: the first row that
// points to a missing row is the error.
func foreignKeyCheck(ctx context.Context, q rowQuerier) error {
	var table, parent string
	var rowid sql.NullInt64
	var fk int
	err := q.QueryRowContext(ctx, `PRAGMA foreign_key_check`).Scan(&table, &rowid, &parent, &fk)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("foreign keys: row %d of %s points to a row of %s that does not exist", rowid.Int64, table, parent)
}

// checkFingerprint compares keys with those the database q reads was
// sealed with.
func checkFingerprint(ctx context.Context, q rowQuerier, keys *keyring.Keyring) error {
	var stored string
	if err := q.QueryRowContext(ctx, `SELECT fingerprint FROM keyring_check`).Scan(&stored); err != nil {
		return fmt.Errorf("the backup records no keys fingerprint: %w", err)
	}
	if fp := keys.Fingerprint(); fp != stored {
		return fmt.Errorf("the keys (fingerprint %s) are not those the backup is sealed with (%s): give the keys file of the database backed up", fp, stored)
	}
	return nil
}

// checkStructure runs SQLite's own checks on a snapshot: every page and
// index is sound, and no row points to a missing row.
func (s *snapshotFile) checkStructure(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check(20)`)
	problems, err := scanAll(rows, err, scanString)
	if err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("integrity_check: %s", strings.Join(problems, "; "))
	}
	return foreignKeyCheck(ctx, s.db)
}

// BackupReport is what VerifyBackup found, check by check.
type BackupReport struct {
	Path     string
	Manifest *Manifest // nil when the file could not be read
	Checks   []BackupCheck
}

// BackupCheck is one check of a backup.
type BackupCheck struct {
	Name    string // what was checked, in words
	Detail  string // what it found, when it passed
	Err     error  // why it failed; nil when it passed
	Skipped bool   // not run (no keys)
}

func (r *BackupReport) add(name string, err error, detail string) error {
	r.Checks = append(r.Checks, BackupCheck{Name: name, Detail: detail, Err: err})
	return err
}

// Err is the first failed check, or nil.
func (r *BackupReport) Err() error {
	for _, c := range r.Checks {
		if c.Err != nil {
			return fmt.Errorf("%s: %w", c.Name, c.Err)
		}
	}
	return nil
}

// VerifyBackup checks the backup at path: that it reads, that its schema
// version is one this program knows, that every table holds the rows its
// manifest or header lists (count and digest), that the foreign keys hold
// (and, for a snapshot, SQLite's integrity_check), and — when keys are
// given — that they are the backup's and that every petition's hash chain
// verifies. An export is checked by restoring it into a temporary SQLite
// database (under $TMPDIR), which is removed after. The error is the
// first failure; the report lists every check made.
func VerifyBackup(ctx context.Context, path string, keys *keyring.Keyring) (*BackupReport, error) {
	r := &BackupReport{Path: path}
	b, err := openBackup(ctx, path)
	if err != nil {
		r.add("文件", err, "")
		return r, r.Err()
	}
	defer b.Close()
	m := b.manifest()
	r.Manifest = m
	r.add("文件", nil, fmt.Sprintf("格式 %s 第 %d 版", m.Format, m.Version))
	if r.add("结构版本", checkSchema(m.Schema, "sqlite"), m.Schema) != nil {
		return r, r.Err()
	}
	switch b := b.(type) {
	case *snapshotFile:
		verifySnapshot(ctx, r, b, keys)
	case *exportFile:
		verifyExport(ctx, r, b, keys)
	}
	return r, r.Err()
}

func verifySnapshot(ctx context.Context, r *BackupReport, s *snapshotFile, keys *keyring.Keyring) {
	if r.add("完整性与外键", s.checkStructure(ctx), "integrity_check ok，外键无悬空引用") != nil {
		return
	}
	c := &countSink{}
	err := s.copyTo(ctx, c)
	if err == nil {
		err = checkMigrations(c.migrations, s.m.Schema, "sqlite")
	}
	if r.add("行数与摘要", err, fmt.Sprintf("%d 张表 %d 行，与清单相符", len(s.m.Tables), s.m.Rows())) != nil {
		return
	}
	db := NewDB(s.path, keys)
	db.dialect, db.rdb, db.wdb = sqlite{}, s.db, s.db
	verifyKeyed(ctx, r, db, keys)
}

func verifyExport(ctx context.Context, r *BackupReport, e *exportFile, keys *keyring.Keyring) {
	dir, err := os.MkdirTemp("", "xinfang-verify-")
	if err != nil {
		r.add("临时数据库", err, "")
		return
	}
	defer os.RemoveAll(dir)
	dsn := filepath.Join(dir, "verify.db")
	err = load(ctx, e, dsn, nil)
	if r.add("行数、摘要与外键", err, fmt.Sprintf("%d 张表 %d 行，与文件头相符；载入临时数据库后外键无悬空引用", len(e.m.Tables), e.m.Rows())) != nil {
		return
	}
	db := NewDB(dsn, keys)
	defer db.Close()
	if err := db.connect(); err != nil {
		r.add("临时数据库", err, "")
		return
	}
	verifyKeyed(ctx, r, db, keys)
}

// verifyKeyed checks what needs the keys: that they are the backup's, and
// the hash chains.
func verifyKeyed(ctx context.Context, r *BackupReport, db *DB, keys *keyring.Keyring) {
	if keys == nil {
		r.Checks = append(r.Checks,
			BackupCheck{Name: "密钥", Detail: "未给密钥文件（--keys），未核对", Skipped: true},
			BackupCheck{Name: "哈希链", Detail: "未给密钥文件（--keys），未校验", Skipped: true})
		return
	}
	if r.add("密钥", checkFingerprint(ctx, db.rdb, keys), "与备份的密钥指纹相符") != nil {
		return
	}
	petitions, events, err := verifyChains(ctx, db)
	r.add("哈希链", err, fmt.Sprintf("%d 件信访件的 %d 条办理记录，哈希链完整", petitions, events))
}

// verifyChains checks the hash chain of every petition in db and that its
// newest event is the one the petition records (a deleted tail). It is
// the one place backups verify chains, with the verification of chain.go.
func verifyChains(ctx context.Context, db *DB) (petitions, events int, err error) {
	heads := map[int64]string{}
	rows, err := db.query(ctx, `SELECT id, head_hash FROM petitions`)
	err = eachRow(rows, err, func(r scanner) error {
		var id int64
		var head string
		err := r.Scan(&id, &head)
		heads[id] = head
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	petitions = len(heads)
	var chain []*xinfang.Event
	check := func() error {
		if len(chain) == 0 {
			return nil
		}
		id := chain[0].PetitionID
		if err := VerifyChain(chain); err != nil {
			var xe *xinfang.Error
			if errors.As(err, &xe) {
				return fmt.Errorf("信访件 %d：%s", id, xe.Message)
			}
			return fmt.Errorf("信访件 %d：%w", id, err)
		}
		head, ok := heads[id]
		if !ok {
			return fmt.Errorf("办理记录属于不存在的信访件 %d", id)
		}
		if chain[len(chain)-1].Hash != head {
			return fmt.Errorf("信访件 %d：最新的办理记录缺失（共 %d 条），可能被删除", id, len(chain))
		}
		delete(heads, id)
		chain = chain[:0]
		return nil
	}
	rows, err = db.query(ctx, `SELECT id, petition_id, seq, action, from_state, to_state, actor_id, actor_name, actor_unit_id, at, note, data, prev_hash, hash
		FROM events ORDER BY petition_id, seq`)
	err = eachRow(rows, err, func(r scanner) error {
		e, err := scanEvent(r)
		if err != nil {
			return err
		}
		events++
		if len(chain) > 0 && chain[0].PetitionID != e.PetitionID {
			if err := check(); err != nil {
				return err
			}
		}
		chain = append(chain, e)
		return nil
	})
	if err == nil {
		err = check()
	}
	if err != nil {
		return petitions, events, err
	}
	for id := range heads {
		return petitions, events, fmt.Errorf("信访件 %d 没有办理记录，可能被删除", id)
	}
	return petitions, events, nil
}
