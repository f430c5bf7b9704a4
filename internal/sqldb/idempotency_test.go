package sqldb_test

import (
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestRegisterOnce: a registration repeated under its idempotency key
// gives back the first item with its 查询码 — also when the repeats race
// each other — while a reused key with other content, another user's
// same key and a key past its day behave as they should.
func TestRegisterOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		ctx := f.Ctx(f.RegistrarA)
		first, replayed, err := db.Petitions.RegisterPetitionOnce(ctx, f.NewPetition(f.VillageA, 1), "key-1", "digest-a")
		if err != nil || replayed || first.QueryCode == "" {
			t.Fatalf("first registration: %v, replayed %v", err, replayed)
		}
		again, replayed, err := db.Petitions.RegisterPetitionOnce(ctx, f.NewPetition(f.VillageA, 1), "key-1", "digest-a")
		if err != nil || !replayed || again.ID != first.ID || again.Number != first.Number || again.QueryCode != first.QueryCode {
			t.Fatalf("repeat: %+v, replayed %v, %v; want #%d with its 查询码", again, replayed, err, first.ID)
		}
		_, _, err = db.Petitions.RegisterPetitionOnce(ctx, f.NewPetition(f.VillageA, 2), "key-1", "digest-b")
		wantErr(t, err, xinfang.EINVALID, "idempotency_key")
		for _, bad := range []string{"has space", string(make([]byte, 101))} {
			_, _, err = db.Petitions.RegisterPetitionOnce(ctx, f.NewPetition(f.VillageA, 2), bad, "d")
			wantErr(t, err, xinfang.EINVALID, "idempotency_key")
		}
		if n := count(t, db, "petitions"); n != 1 {
			t.Fatalf("%d petitions after the repeats, want 1", n)
		}

		// Eight at once under one key: one item, and all eight get it.
		var wg sync.WaitGroup
		ids := make([]int64, 8)
		for i := range ids {
			wg.Go(func() {
				p, _, err := db.Petitions.RegisterPetitionOnce(ctx, f.NewPetition(f.VillageA, 3), "key-race", "digest-r")
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = p.ID
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] || id == 0 {
				t.Fatalf("racing repeats got %v, want one item", ids)
			}
		}
		if n := count(t, db, "petitions"); n != 2 {
			t.Fatalf("%d petitions after the race, want 2", n)
		}

		// Another user's key of the same name is another registration; a
		// key past its day stands for nothing any more.
		other, replayed, err := db.Petitions.RegisterPetitionOnce(f.Ctx(f.BureauRegistrar), f.NewPetition(f.VillageA, 4), "key-1", "digest-a")
		if err != nil || replayed || other.ID == first.ID {
			t.Errorf("another user's key-1: #%d, replayed %v, %v", other.ID, replayed, err)
		}
		clk.Add(25 * time.Hour)
		later, replayed, err := db.Petitions.RegisterPetitionOnce(ctx, f.NewPetition(f.VillageA, 5), "key-1", "digest-c")
		if err != nil || replayed || later.ID == first.ID {
			t.Errorf("key-1 a day later: #%d, replayed %v, %v", later.ID, replayed, err)
		}
		if n := count(t, db, "idempotency_keys"); n != 1 {
			t.Errorf("%d keys kept, want only the new one (the day-old ones dropped)", n)
		}
	})
}
