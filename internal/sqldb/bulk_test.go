package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestLoadInBulk: what fn writes through the bulk handle is there for db
// when LoadInBulk returns, and on SQLite already in the database file
// (the log checkpointed and emptied); an error of fn is returned.
func TestLoadInBulk(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		err := db.LoadInBulk(ctx, func(bulk *sqldb.DB) error {
			for _, code := range []string{"BULK1", "BULK2"} {
				if err := bulk.Directory.CreateUnit(ctx, &xinfang.Unit{Code: code, Name: "批量" + code, Kind: xinfang.UnitCity}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"BULK1", "BULK2"} {
			if _, err := db.Directory.FindUnitByCode(ctx, code); err != nil {
				t.Errorf("unit %s after the bulk load: %v", code, err)
			}
		}
		if !db.Postgres() {
			if st, err := os.Stat(db.DSN + "-wal"); err == nil && st.Size() != 0 {
				t.Errorf("write-ahead log of %d bytes left after the bulk load", st.Size())
			}
		}
		boom := errors.New("boom")
		if err := db.LoadInBulk(ctx, func(*sqldb.DB) error { return boom }); !errors.Is(err, boom) {
			t.Errorf("LoadInBulk returned %v, want fn's error", err)
		}
	})
}

// TestLoadInBulkBesideTheCheckpointer: the bulk load's closing checkpoint
// waits its turn behind the background one, which SQLite would otherwise
// answer with "busy" (the demo then failed to start now and then).
func TestLoadInBulkBesideTheCheckpointer(t *testing.T) {
	sqldb.SetCheckpointEvery(time.Millisecond)
	db := sqldbtest.Open(t, "sqlite")
	sqldb.SetCheckpointEvery(0)
	ctx := context.Background()
	for i := range 40 {
		err := db.LoadInBulk(ctx, func(bulk *sqldb.DB) error {
			return bulk.Directory.CreateUnit(ctx, &xinfang.Unit{Code: fmt.Sprintf("CK%d", i), Name: fmt.Sprintf("批量%d", i), Kind: xinfang.UnitCity})
		})
		if err != nil {
			t.Fatalf("bulk load %d: %v", i, err)
		}
	}
}

// TestCreateUsers: accounts sharing a password are created together, each
// signs in with it; a taken name or a weak password creates none.
func TestCreateUsers(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := sqldbtest.NewFixture(t, db)
		users := func(names ...string) []*xinfang.User {
			var out []*xinfang.User
			for _, n := range names {
				out = append(out, &xinfang.User{Username: n, Name: "演示" + n, UnitID: f.TownA.ID, Roles: []xinfang.Role{xinfang.RoleHandler}})
			}
			return out
		}
		if err := db.Directory.CreateUsers(ctx, users("demo.a", "demo.b"), sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"demo.a", "demo.b"} {
			if _, _, err := db.Directory.Login(ctx, n, sqldbtest.Password, "127.0.0.1"); err != nil {
				t.Errorf("login %s: %v", n, err)
			}
		}
		wantErr(t, db.Directory.CreateUsers(ctx, users("demo.c", "demo.a"), sqldbtest.Password), xinfang.EINVALID, "username")
		wantErr(t, db.Directory.CreateUsers(ctx, users("demo.d"), "short"), xinfang.EINVALID, "")
		for _, n := range []string{"demo.c", "demo.d"} {
			if _, err := db.Directory.FindUserByUsername(ctx, n); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
				t.Errorf("%s exists after a refused CreateUsers: %v", n, err)
			}
		}
	})
}
