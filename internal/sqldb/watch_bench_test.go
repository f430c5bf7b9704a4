package sqldb_test

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// BenchmarkWatchList reads the watch list of an inspector (each tab and all
// kinds, one page of 50 with the counts) on a copy of the ledger database
// of BenchmarkLedger100k (and of 1,000,000 petitions with
// XINFANG_BENCH_1M=1), into which, per 100,000 petitions, 2,000 persons
// with three repeats linked to one original, 5,000 scattered repeats and
// 1,500 escalated visits are written. Each tab must list something.
func BenchmarkWatchList(b *testing.B) {
	sizes := []int{benchSize(100_000)}
	if os.Getenv("XINFANG_BENCH_1M") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	for i, n := range sizes {
		b.Run([]string{"100k", "1M"}[i], func(b *testing.B) {
			db, ictx := watchBenchDB(b, n)
			for _, kind := range []xinfang.WatchKind{xinfang.WatchRepeat, xinfang.WatchHandedDown, xinfang.WatchEscalation, ""} {
				name := string(kind)
				if name == "" {
					name = "all"
				}
				b.Run(name, func(b *testing.B) {
					var page *xinfang.WatchPage
					latencies(b, func(int) int {
						var err error
						if page, err = db.Discipline.FindWatchList(ictx, xinfang.WatchFilter{Kind: kind, Limit: 50}); err != nil {
							b.Fatal(err)
						}
						if page.Total == 0 || len(page.Items) == 0 {
							b.Fatalf("the %s tab lists nothing: the benchmark would measure nothing", name)
						}
						return page.Total
					})
				})
			}
		})
	}
}

// watchBenchDB copies the ledger database of n petitions, writes the
// repeats and escalations into the copy and returns it with the context
// of an inspector of the 纪委监委.
func watchBenchDB(b *testing.B, n int) (*sqldb.DB, context.Context) {
	src, _ := ledgerDB(b, n)
	path := src.DSN
	src.Close()
	dst := filepath.Join(b.TempDir(), "watch.db")
	if err := copyFile(path, dst); err != nil {
		b.Fatal(err)
	}
	db := sqldb.NewDB(dst, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	closed := false
	b.Cleanup(func() {
		if !closed {
			db.Close()
		}
	})
	ctx := context.Background()
	units, err := db.Directory.FindUnits(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var discipline *xinfang.Unit
	for _, u := range units {
		if u.Kind == xinfang.UnitDiscipline {
			discipline = u
		}
	}
	inspector := &xinfang.User{Username: "inspector", Name: "纪检", UnitID: discipline.ID, Roles: []xinfang.Role{xinfang.RoleInspector}}
	if err := db.Directory.CreateUser(ctx, inspector, sqldbtest.Password); err != nil {
		b.Fatal(err)
	}
	if inspector, err = db.Directory.FindUserByID(ctx, inspector.ID); err != nil {
		b.Fatal(err)
	}
	raw := db.RawSQL()
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	// per100k scales a count given per 100,000 petitions to n.
	per100k := func(k int) int { return max(1, k*n/100_000) }
	used := map[int]bool{}
	pick := func() int {
		for {
			if k := 1 + rng.IntN(n); !used[k] {
				used[k] = true
				return k
			}
		}
	}
	// The repeats of one matter are the same person's, about the same
	// place and kind.
	for g := 0; g < per100k(2000); g++ {
		root := pick()
		for r := 0; r < 3; r++ {
			if _, err := tx.Exec(`UPDATE petitions SET repeat_flag = 1, repeat_of_id = ?, petitioner_id = (SELECT petitioner_id FROM petitions WHERE id = ?),
				person_id = (SELECT person_id FROM petitions WHERE id = ?), locality_id = (SELECT locality_id FROM petitions WHERE id = ?),
				category = (SELECT category FROM petitions WHERE id = ?) WHERE id = ?`,
				root, root, root, root, root, pick()); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := 0; i < per100k(5000); i++ {
		if _, err := tx.Exec(`UPDATE petitions SET repeat_flag = 1, repeat_of_id = ? WHERE id = ?`, pick(), pick()); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < per100k(1500); i++ {
		if _, err := tx.Exec(`UPDATE petitions SET escalation = ? WHERE id = ?`, []string{"province", "beijing"}[i%2], 1+rng.IntN(n)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	// The rows were rewritten with SQL, behind the store's back: the
	// planner's statistics (which said no item was a repeat) first, then
	// the derived data.
	if _, err := raw.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	if err := rebuildWatchIndex(ctx, db); err != nil {
		b.Fatal(err)
	}
	// What the start after an upgrade does (the rebuild above made them
	// already): the kept rows from the items, timed.
	start := time.Now()
	if err := db.BuildWatchRows(ctx); err != nil {
		b.Fatal(err)
	}
	var kept int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM watch_rows`).Scan(&kept); err != nil {
		b.Fatal(err)
	}
	b.Logf("the watch list's %d kept rows of %d petitions built in %s", kept, n, time.Since(start).Round(time.Millisecond))
	if _, err := raw.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	// A connection reads the planner's statistics when it opens: the
	// store is opened again, as a server started on this database would.
	closed = true
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	again := sqldb.NewDB(dst, sqldbtest.Keys)
	if err := again.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { again.Close() })
	return again, xinfang.NewContextWithUser(ctx, inspector)
}

// rebuildWatchIndex recomputes the watch list's derived data after the
// benchmark rewrote petitions with SQL.
func rebuildWatchIndex(ctx context.Context, db *sqldb.DB) error { return db.RebuildWatchIndex(ctx) }

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
