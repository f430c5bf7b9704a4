package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestGroupCommit queues registrations while the committers are busy, so
// that they commit in batches: first all good ones, which must commit
// together; then with every third failing inside its transaction (its
// co-petitioner is the petitioner again) and other writes failing at the
// end of the batch, after the registrations took their numbers. Each
// good caller must get its own item and number, the numbers of the good
// ones must be gap-free — the bad ones give theirs back — and each bad
// caller must get its own error and leave nothing.
func TestGroupCommit(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		ctx := f.Ctx(f.RegistrarA)
		const n = 48
		var numbers []string
		for round, failing := range []func(i int) bool{
			func(int) bool { return false },
			func(i int) bool { return i%3 == 2 },
		} {
			before := counts(t, db)
			tallied := tallies(t, db)
			b0, w0, _, g0 := db.BatchStats()
			release := db.HoldWrites(t)
			type result struct {
				i   int
				p   *xinfang.Petition
				err error
			}
			results := make(chan result, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p := f.NewPetition(f.VillageA, round*n+i)
					if failing(i) {
						p.CoPetitioners = []*xinfang.Petitioner{{Name: p.Petitioner.Name, IDNumber: p.Petitioner.IDNumber}}
					}
					results <- result{i, p, db.Petitions.RegisterPetition(ctx, p)}
				}()
			}
			// In the round with failures, writes that fail at the end of
			// the batch too — after the registrations before them took
			// their numbers.
			atEnd := 0
			if round == 1 {
				atEnd = 6
			}
			atEndErrs := make(chan error, atEnd)
			for range atEnd {
				wg.Add(1)
				go func() {
					defer wg.Done()
					atEndErrs <- db.WriteFailingAtEnd(ctx)
				}()
			}
			waitQueued(t, db, n+atEnd)
			release()
			wg.Wait()
			close(results)
			close(atEndErrs)
			for err := range atEndErrs {
				if !errors.Is(err, sqldb.ErrAtEnd) {
					t.Errorf("a write failing at its end answered %v", err)
				}
			}
			if got := count(t, db, "holidays WHERE day = '2099-01-01'"); got != 0 {
				t.Errorf("a write failing at its end left its row")
			}
			good := 0
			for r := range results {
				if failing(r.i) {
					wantErr(t, r.err, xinfang.EINVALID, "co_petitioners.0.name")
					continue
				}
				if r.err != nil {
					t.Fatalf("round %d, registration %d: %v", round, r.i, r.err)
				}
				got, err := db.Petitions.FindPetitionByID(ctx, r.p.ID)
				if err != nil {
					t.Fatal(err)
				}
				// Each caller's answer is its own item.
				if got.Number != r.p.Number || got.Petitioner.IDNumber != sqldbtest.IDNumber(round*n+r.i) {
					t.Fatalf("round %d, registration %d: answered %s, stored %s with ID number %s", round, r.i, r.p.Number, got.Number, got.Petitioner.IDNumber)
				}
				if _, err := db.Petitions.VerifyEvents(ctx, r.p.ID); err != nil {
					t.Error(err)
				}
				numbers = append(numbers, r.p.Number)
				good++
			}
			after := counts(t, db)
			for _, table := range []string{"petitions", "events", "petition_petitioners", "petitioners"} {
				if got := after[table] - before[table]; got != good {
					t.Errorf("round %d, %s: %d new rows, want %d (a failed registration left rows behind)", round, table, got, good)
				}
			}
			// The counters the writes of a batch add to are summed and
			// written at its end: they count each registration that
			// committed once, and none that failed.
			for what, n := range tallies(t, db) {
				if got := n - tallied[what]; got != good {
					t.Errorf("round %d: %s rose by %d, want %d", round, what, got, good)
				}
			}
			b1, w1, largest, g1 := db.BatchStats()
			if w1-w0 < int64(n+atEnd) || b1-b0 >= w1-w0 || largest < 2 {
				t.Errorf("round %d: %d writes in %d batches, largest %d: not grouped", round, w1-w0, b1-b0, largest)
			}
			if round == 0 && g1-g0 == 0 {
				t.Errorf("round %d: no batch of several writes committed together", round)
			}
		}
		if want := n + n - n/3; len(numbers) != want {
			t.Fatalf("%d registrations succeeded, want %d", len(numbers), want)
		}
		sort.Strings(numbers)
		for i, num := range numbers {
			if want := fmt.Sprintf("JZ-2026-%06d", i+1); num != want {
				t.Fatalf("numbers are not unique and gap-free: #%d is %s, want %s", i, num, want)
			}
		}
	})
}

// tallies are the counters of registrations: the indicators' daily count
// of registered items and the 态势 page's daily count by state (which a
// new item adds one to, at its registering unit).
func tallies(t *testing.T, db *sqldb.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, q := range []string{
		`SELECT COALESCE(SUM(n), 0) FROM kpi_daily WHERE measure = 'registered' AND grain = 'd'`,
		`SELECT COALESCE(SUM(n), 0) FROM kpi_daily WHERE measure = 'registered' AND grain = 'm'`,
		`SELECT COALESCE(SUM(n), 0) FROM dash_counts WHERE dim = 'state' AND grain = 'd'`,
		`SELECT COALESCE(SUM(n), 0) FROM dash_counts WHERE dim = 'channel' AND grain = 'm'`,
	} {
		var n int
		if err := db.RawSQL().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[q] = n
	}
	return out
}

// waitQueued waits until n writes wait for a committer.
func waitQueued(t *testing.T, db *sqldb.DB, n int) {
	t.Helper()
	for range 2000 {
		if db.QueuedWrites() >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("only %d of %d writes queued", db.QueuedWrites(), n)
}

// TestGroupCommitGoneCaller: a caller whose context ends while its write
// waits gets the context's error and its write is not made; the writes
// queued beside it commit.
func TestGroupCommitGoneCaller(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		before := count(t, db, "petitions")
		release := db.HoldWrites(t)
		gone, cancel := context.WithCancel(f.Ctx(f.RegistrarA))
		errs := make(chan error, 2)
		go func() { errs <- db.Petitions.RegisterPetition(gone, f.NewPetition(f.VillageA, 1)) }()
		go func() { errs <- db.Petitions.RegisterPetition(f.Ctx(f.RegistrarA), f.NewPetition(f.VillageA, 2)) }()
		waitQueued(t, db, 2)
		cancel()
		release()
		var canceled, ok int
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				ok++
			case err == context.Canceled:
				canceled++
			default:
				t.Fatal(err)
			}
		}
		if ok != 1 || canceled != 1 {
			t.Fatalf("%d committed, %d canceled; want 1 and 1", ok, canceled)
		}
		if got := count(t, db, "petitions") - before; got != 1 {
			t.Fatalf("%d petitions stored, want 1", got)
		}
	})
}

// TestPreparedStatementsAcrossMigrations: the writer's statements are
// prepared once and reused; a migration that changes the tables they
// name (a new column, a new index, a table rebuilt) does not break them.
func TestPreparedStatementsAcrossMigrations(t *testing.T) {
	db := sqldbtest.Open(t, "sqlite")
	fixClock(db, at("2026-06-10"))
	f := sqldbtest.NewFixture(t, db)
	ctx := f.Ctx(f.RegistrarA)
	for i := range 3 {
		f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
	}
	prepared := db.PreparedStatements()
	if prepared < 10 {
		t.Fatalf("%d statements prepared after three registrations", prepared)
	}
	raw := db.RawSQL()
	for _, q := range []string{
		`ALTER TABLE petitions ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'`,
		`CREATE INDEX petitions_extra ON petitions (extra, id)`,
		// counters rebuilt with its columns in another order
		`CREATE TABLE counters2 (next INTEGER NOT NULL, year INTEGER NOT NULL, unit_id INTEGER NOT NULL, PRIMARY KEY (unit_id, year))`,
		`INSERT INTO counters2 (next, year, unit_id) SELECT next, year, unit_id FROM counters`,
		`DROP TABLE counters`,
		`ALTER TABLE counters2 RENAME TO counters`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i := 3; i < 6; i++ {
		p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
		if want := fmt.Sprintf("JZ-2026-%06d", i+1); p.Number != want {
			t.Fatalf("after the migration: number %s, want %s", p.Number, want)
		}
		got, err := db.Petitions.FindPetitionByID(ctx, p.ID)
		if err != nil || got.Summary != p.Summary {
			t.Fatalf("after the migration: %v %+v", err, got)
		}
	}
	if db.PreparedStatements() < prepared {
		t.Errorf("the cache shrank from %d to %d", prepared, db.PreparedStatements())
	}
}

// TestCheckpointer: with no checkpoint inside the commits, the WAL must
// still start over — the writer finishes a checkpoint between batches
// when the background one asks — and the data stays. The background
// ticks are slowed here, so that only the writer's part can do it: the
// WAL file, which a restart reuses from its start, must not grow by what
// the second round of registrations wrote.
func TestCheckpointer(t *testing.T) {
	sqldb.SetCheckpointEvery(time.Hour)
	db := sqldbtest.Open(t, "sqlite")
	sqldb.SetCheckpointEvery(0)
	fixClock(db, at("2026-06-10"))
	f := sqldbtest.NewFixture(t, db)
	walSize := func() int64 {
		st, err := os.Stat(db.DSN + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	for i := range 20 {
		f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
	}
	first := walSize()
	db.AskWALRestart()
	f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 20))
	for i := 21; i < 41; i++ {
		f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
	}
	if second := walSize(); second > first*3/2 {
		t.Errorf("the WAL grew from %d to %d bytes: it did not start over", first, second)
	}
	if got := count(t, db, "petitions"); got != 41 {
		t.Fatalf("%d petitions after 41 registrations", got)
	}
}
