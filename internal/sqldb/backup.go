package sqldb

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm3"
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
// secret as the database) beside path, syncs it and moves it to path, so
// that a failed or interrupted backup leaves no file behind.
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
	// A link, unlike a rename, fails if path has appeared meanwhile: a
	// file is never written over. Where links are not supported, rename.
	if err = os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s already exists", path)
	} else if err != nil {
		if err = os.Rename(tmp, path); err != nil {
			return nil, err
		}
	} else {
		os.Remove(tmp)
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
