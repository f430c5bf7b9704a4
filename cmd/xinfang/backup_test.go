package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestBackupCommands runs backup, backup verify and restore as a user
// would: the backup needs no keys, the restore needs the database's keys
// file and an empty database, and the restored database reads the
// personal data with those keys.
func TestBackupCommands(t *testing.T) {
	t.Setenv("XINFANG_DB", "")
	t.Setenv("XINFANG_KEYS", "")
	t.Setenv("XINFANG_KEYS_FILE", "")
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "xinfang.db")
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := Run(ctx, args, &out, &errb)
		return out.String() + errb.String(), err
	}
	if out, err := run("migrate", "--db", path); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	keysFile := path + ".keys"
	keys, err := keyring.Load(keysFile)
	if err != nil {
		t.Fatal(err)
	}
	db := sqldb.NewDB(path, keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	f := sqldbtest.NewFixture(t, db)
	p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))
	db.Close()

	snap, export := filepath.Join(dir, "b.snapshot"), filepath.Join(dir, "b.export")
	out, err := run("backup", snap, "--db", path)
	if err != nil || !strings.Contains(out, "快照") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if out, err := run("backup", export, "--db", path, "--format", "export"); err != nil || !strings.Contains(out, "导出") {
		t.Fatalf("backup --format export: %v\n%s", err, out)
	}
	if out, err := run("backup", export, "--db", path); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over an existing file: %v\n%s", err, out)
	}
	for _, file := range []string{snap, export} {
		out, err := run("backup", "verify", file)
		if err != nil || !strings.Contains(out, "[跳过] 哈希链") || !strings.Contains(out, "备份校验通过") {
			t.Errorf("verify %s without keys: %v\n%s", file, err, out)
		}
		out, err = run("backup", "verify", file, "--keys", keysFile)
		if err != nil || !strings.Contains(out, "[通过] 哈希链") || !strings.Contains(out, "[通过] 密钥") {
			t.Errorf("verify %s with keys: %v\n%s", file, err, out)
		}
	}

	// Without the keys file the restore stops before it writes anything.
	restored := filepath.Join(dir, "restored.db")
	out, err = run("restore", snap, "--db", restored)
	if err == nil || !strings.Contains(err.Error(), restored+".keys") {
		t.Fatalf("restore without keys: %v\n%s", err, out)
	}
	if _, err := os.Stat(restored); !os.IsNotExist(err) {
		t.Fatalf("a refused restore left %s: %v", restored, err)
	}
	for i, file := range []string{snap, export} {
		target := filepath.Join(dir, "restored"+string(rune('a'+i))+".db")
		if out, err := run("restore", file, "--db", target, "--keys", keysFile); err != nil {
			t.Fatalf("restore %s: %v\n%s", file, err, out)
		}
		rdb := sqldb.NewDB(target, keys)
		if err := rdb.Open(); err != nil {
			t.Fatal(err)
		}
		got, err := rdb.Petitions.FindPetitionByID(f.Ctx(f.RegistrarA), p.ID)
		rdb.Close()
		if err != nil || got.Number != p.Number || got.Petitioner.IDNumber != p.Petitioner.IDNumber {
			t.Errorf("restored from %s: %v, %v", file, got, err)
		}
	}

	// Not into a database with data, whose path the refusal names.
	out, err = run("restore", export, "--db", path)
	if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), path) {
		t.Errorf("restore into the database backed up: %v\n%s", err, out)
	}

	// A damaged backup fails verify with a non-zero exit (an error).
	b, _ := os.ReadFile(snap)
	damaged := filepath.Join(dir, "damaged")
	os.WriteFile(damaged, b[:len(b)/3], 0o600)
	out, err = run("backup", "verify", damaged)
	if err == nil || !strings.Contains(out, "[失败]") || !strings.Contains(out, "备份校验未通过") {
		t.Errorf("verify a damaged backup: %v\n%s", err, out)
	}
}
