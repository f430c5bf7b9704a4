package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
)

// runBackup runs `xinfang backup FILE` and `xinfang backup verify FILE`.
// A backup needs no keys (it copies the personal data sealed) and never
// holds them; restoring it needs the keys file of the database backed up.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "verify" {
		return runBackupVerify(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "snapshot (a SQLite database file; SQLite's default) or export (gzip'd JSON lines, either database; PostgreSQL's default)")
	cfg, pos, err := parseConfig("backup", fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: xinfang backup FILE [--db …] [--format snapshot|export]")
		return flag.ErrHelp
	}
	start := time.Now()
	m, err := sqldb.Backup(ctx, cfg.DSN, pos[0], sqldb.BackupFormat(*format))
	if err != nil {
		return fmt.Errorf("backup %s: %w", redact(cfg.DSN), err)
	}
	var size int64
	if st, err := os.Stat(pos[0]); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(stdout, "已备份 %s 到 %s：%s，结构版本 %s，%d 张表 %d 行，%s，用时 %s\n",
		redact(cfg.DSN), pos[0], kindLabel(m), m.Schema, len(m.Tables), m.Rows(), sizeLabel(size), time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, "备份中的个人信息是加密的，不含密钥；恢复和校验需要该数据库的密钥文件，请另行保管。")
	return nil
}

// runRestore runs `xinfang restore FILE`: into an empty database only,
// with the keys of the database backed up.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, pos, err := parseConfig("restore", fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: xinfang restore FILE [--db …] [--keys FILE]")
		return flag.ErrHelp
	}
	keys, err := existingKeys(cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := sqldb.Restore(ctx, cfg.DSN, keys, pos[0])
	if err != nil {
		return fmt.Errorf("restore into %s: %w", redact(cfg.DSN), err)
	}
	fmt.Fprintf(stdout, "已从 %s（%s，结构版本 %s，%s）恢复 %d 张表 %d 行到 %s，用时 %s\n",
		pos[0], kindLabel(m), m.Schema, m.CreatedAt, len(m.Tables), m.Rows(), redact(cfg.DSN), time.Since(start).Round(time.Millisecond))
	return nil
}

// runBackupVerify runs `xinfang backup verify FILE`: it prints every check
// and fails if any failed.
func runBackupVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, pos, err := parseConfig("backup verify", fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: xinfang backup verify FILE [--keys FILE]")
		return flag.ErrHelp
	}
	// The keys are optional here, and there is no default file: a
	// backup's keys are never beside it.
	var keys *keyring.Keyring
	if cfg.KeysText != "" || cfg.KeysFile != "" {
		if keys, err = existingKeys(cfg); err != nil {
			return err
		}
	}
	r, err := sqldb.VerifyBackup(ctx, pos[0], keys)
	if m := r.Manifest; m != nil {
		fmt.Fprintf(stdout, "备份 %s：%s，取自 %s，%s\n", pos[0], kindLabel(m), m.Dialect, m.CreatedAt)
	}
	for _, c := range r.Checks {
		switch {
		case c.Err != nil:
			fmt.Fprintf(stdout, "  [失败] %s：%v\n", c.Name, c.Err)
		case c.Skipped:
			fmt.Fprintf(stdout, "  [跳过] %s：%s\n", c.Name, c.Detail)
		default:
			fmt.Fprintf(stdout, "  [通过] %s：%s\n", c.Name, c.Detail)
		}
	}
	if err != nil {
		fmt.Fprintln(stdout, "备份校验未通过")
		return fmt.Errorf("backup %s: %w", pos[0], err)
	}
	fmt.Fprintln(stdout, "备份校验通过")
	return nil
}

// existingKeys reads the keys of cfg and, unlike loadKeys, never makes
// new ones: new keys open nothing a backup holds.
func existingKeys(cfg Config) (*keyring.Keyring, error) {
	if cfg.KeysText != "" {
		k, err := keyring.Parse([]byte(cfg.KeysText))
		if err != nil {
			return nil, fmt.Errorf("XINFANG_KEYS: %w", err)
		}
		return k, nil
	}
	path, err := keysPath(cfg)
	if err != nil {
		return nil, err
	}
	k, err := keyring.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no keys file at %s: a backup holds no keys; give the keys file of the database backed up (--keys FILE, or copy it to %s)", path, path)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return k, nil
}

func kindLabel(m *sqldb.Manifest) string {
	if m.Kind() == sqldb.Snapshot {
		return "快照"
	}
	return "导出"
}

func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
