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

// TestLoadInBulkTransactions: on SQLite the bulk handle's writes share
// long transactions (bulk_tx.go). A write that fails — inside its function
// or at its end — fails alone, and the writes before and after it stay;
// the handle's reads — a read transaction, a single query, and a query a
// write's function makes outside its Tx — see the writes not committed
// yet. On PostgreSQL the same holds of its commits one by one.
func TestLoadInBulkTransactions(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		unit := func(code string) *xinfang.Unit {
			return &xinfang.Unit{Code: code, Name: "批量" + code, Kind: xinfang.UnitCity}
		}
		holidays := count(t, db, "holidays")
		err := db.LoadInBulk(ctx, func(bulk *sqldb.DB) error {
			if err := bulk.Directory.CreateUnit(ctx, unit("TXA")); err != nil {
				return err
			}
			if err := bulk.Directory.CreateUnit(ctx, unit("TXA")); err == nil {
				t.Error("a second unit of code TXA was created")
			}
			if err := bulk.WriteFailingAtEnd(ctx); !errors.Is(err, sqldb.ErrAtEnd) {
				t.Errorf("a write failing at its end gave %v", err)
			}
			if _, err := bulk.Directory.FindUnitByCode(ctx, "TXA"); err != nil {
				t.Errorf("the bulk handle does not read its own write: %v", err)
			}
			if found, err := bulk.WriteReadingPool(ctx, "TXA"); err != nil || !found {
				t.Errorf("a write's read outside its Tx: found %v, %v", found, err)
			}
			return bulk.Directory.CreateUnit(ctx, unit("TXB"))
		})
		if err != nil {
			t.Fatal(err)
		}
		units, err := db.Directory.FindUnits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, u := range units {
			n[u.Code]++
		}
		if n["TXA"] != 1 || n["TXB"] != 1 {
			t.Errorf("after the load: %d units TXA, %d units TXB; want one each", n["TXA"], n["TXB"])
		}
		// The write that failed at its end had inserted a holiday first.
		if got := count(t, db, "holidays"); got != holidays {
			t.Errorf("%d holidays after the load, %d before: the failed write's row stayed", got, holidays)
		}
	})
}

// TestLoadInBulkPreparesOnce: on SQLite the writes and reads of one bulk
// transaction share the statements prepared on it, so that a load's
// statements are compiled once per transaction, not once per write until
// the writer's cache prepares them after a commit (a thousand writes
// later). Forty units created one write each run no statement unprepared.
func TestLoadInBulkPreparesOnce(t *testing.T) {
	db := sqldbtest.Open(t, "sqlite")
	ctx := context.Background()
	err := db.LoadInBulk(ctx, func(bulk *sqldb.DB) error {
		before := bulk.Unprepared()
		for i := range 40 {
			code := fmt.Sprintf("PQ%02d", i)
			if err := bulk.Directory.CreateUnit(ctx, &xinfang.Unit{Code: code, Name: "批量" + code, Kind: xinfang.UnitCity}); err != nil {
				return err
			}
		}
		if got := bulk.Unprepared() - before; got != 0 {
			t.Errorf("forty writes in one bulk transaction ran %d statements unprepared; want 0", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "units WHERE code LIKE 'PQ%'"); n != 40 {
		t.Errorf("%d units after the load, want 40", n)
	}
}
