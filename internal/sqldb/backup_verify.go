package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"xinfang/internal/keyring"
)

// Verifying a backup: SQLite's own checks, the rows against the
// manifest, and with the keys their fingerprint and the hash chains.

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

// verifyChains checks the tamper evidence of db as xinfang verify does
// (VerifyAll): every petition's keyed chain, head and registered content,
// the numbering and the audit log. It is the one place backups verify it.
func verifyChains(ctx context.Context, db *DB) (petitions, events int, err error) {
	rep, err := db.VerifyAll(ctx)
	if err != nil {
		return 0, 0, err
	}
	if len(rep.Findings) > 0 {
		f := rep.Findings[0]
		return rep.Petitions, rep.Events, fmt.Errorf("%s：%s（共 %d 处不符）", f.Record, strings.Join(f.Problems, "；"), len(rep.Findings))
	}
	return rep.Petitions, rep.Events, nil
}
