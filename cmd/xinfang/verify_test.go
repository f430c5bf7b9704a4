package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// `xinfang verify` passes an intact database, and names what was changed
// behind the application's back and fails (main exits 2) on one that is
// not; a path that names no database is an error, not an empty database
// that verifies.
func TestVerifyCommand(t *testing.T) {
	t.Setenv("XINFANG_DB", "")
	t.Setenv("XINFANG_KEYS_FILE", "")
	t.Setenv("XINFANG_KEYS", string(sqldbtest.Keys.Marshal()))
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "xinfang.db")
	db := sqldb.NewDB(path, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	f := sqldbtest.NewFixture(t, db)
	p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))
	f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 2))
	db.Close()

	verify := func(path string) (string, error) {
		var out bytes.Buffer
		err := Run(ctx, []string{"verify", "--db", path}, &out, io.Discard)
		return out.String(), err
	}
	out, err := verify(path)
	if err != nil || !strings.Contains(out, "已校验 2 件信访件、2 条办理记录") || !strings.Contains(out, "全部完整") {
		t.Fatalf("an intact database: %v\n%s", err, out)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE petitions SET summary = '改过的概况' WHERE id = ?`, p.ID); err != nil {
		t.Fatal(err)
	}
	out, err = verify(path)
	if err == nil || !strings.Contains(err.Error(), "发现 1 处不符") || !strings.Contains(out, p.Number) || !strings.Contains(out, "登记内容") {
		t.Errorf("a changed summary: %v\n%s", err, out)
	}

	if _, err := verify(filepath.Join(t.TempDir(), "typo.db")); err == nil || !strings.Contains(err.Error(), "no such database") {
		t.Errorf("a mistyped path: %v", err)
	}
}
