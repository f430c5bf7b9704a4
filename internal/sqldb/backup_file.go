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
	"hash"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/emmansun/gmsm/sm3"
)

// Reading a backup: a snapshot through a read-only SQLite connection, an
// export as a stream; both check every row against the manifest as they
// hand it on.

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
