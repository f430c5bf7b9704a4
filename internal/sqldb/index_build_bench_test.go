package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// indexBenchSize is the number of petitions of BenchmarkIndexBuild: small
// in CI, 100,000 with XINFANG_BENCH_100K=1, 1,000,000 with
// XINFANG_BENCH_1M=1 (the unindexed databases are built once and kept in
// os.TempDir()).
func indexBenchSize() int {
	switch {
	case os.Getenv("XINFANG_BENCH_1M") == "1":
		return 1_000_000
	case os.Getenv("XINFANG_BENCH_100K") == "1":
		return 100_000
	}
	return 2_000
}

// unindexedDB returns the path of a SQLite database of n petitions without
// their search and repeat index, building it the first time.
func unindexedDB(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("xinfang-bench-unindexed-%d-%s-v%d.db", n, schemaKey(b), repeatsDataVersion))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".building"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	start := time.Now()
	buildUnindexed(b, tmp, n)
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d unindexed petitions in %s: %s", n, time.Since(start).Round(time.Millisecond), path)
	return path
}

// clearPetitionIndex removes the petitions' derived indexes, as a database
// of a version before them has none.
func clearPetitionIndex(b *testing.B, db *sqldb.DB) {
	b.Helper()
	qs := []string{`DELETE FROM petition_grams`, `DELETE FROM petition_fingerprints`, `DELETE FROM gram_stats`, `DELETE FROM index_builds`,
		`DELETE FROM search_docs WHERE kind = 'petition'`}
	if !db.Postgres() {
		qs = append(qs, `DELETE FROM search_bigrams`)
	}
	for _, q := range qs {
		if _, err := db.RawSQL().Exec(q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
}

// BenchmarkIndexBuild builds the search and repeat index of a database
// whose petitions have none (the upgrade that added it): "bulk" is the
// background build of index_build.go, run to its end; "baseline" the
// rebuild as it was before it (reindexBaseline), in the same run.
func BenchmarkIndexBuild(b *testing.B) {
	n := indexBenchSize()
	src := unindexedDB(b, n)
	ctx := context.Background()
	for _, dialect := range sqldbtest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) { benchIndexBuild(b, ctx, dialect, src, n) })
	}
}

func benchIndexBuild(b *testing.B, ctx context.Context, dialect, src string, n int) {
	{
		var db *sqldb.DB
		switch dialect {
		case "sqlite":
			dst := filepath.Join(b.TempDir(), "index.db")
			if err := copyFileBench(src, dst); err != nil {
				b.Fatal(err)
			}
			db = sqldb.NewDB(dst, sqldbtest.Keys)
			if err := db.Open(); err != nil {
				b.Fatal(err)
			}
		case "postgres":
			exp := filepath.Join(b.TempDir(), "unindexed.export")
			if _, err := sqldb.Backup(ctx, src, exp, sqldb.Export); err != nil {
				b.Fatal(err)
			}
			dsn := sqldbtest.PostgresDSN(b)
			if _, err := sqldb.Restore(ctx, dsn, sqldbtest.Keys, exp); err != nil {
				b.Fatal(err)
			}
			db = sqldb.NewDB(dsn, sqldbtest.Keys)
			if err := db.Open(); err != nil {
				b.Fatal(err)
			}
		}
		for _, v := range []struct {
			name  string
			build func(context.Context) error
		}{
			{"bulk", func(ctx context.Context) error {
				if _, err := db.StartIndexBuild(ctx); err != nil {
					return err
				}
				return db.BuildIndex(ctx)
			}},
			{"baseline", db.ReindexBaseline},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", v.name, n), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					clearPetitionIndex(b, db)
					b.StartTimer()
					start, cpu := time.Now(), cpuTime()
					if err := v.build(ctx); err != nil {
						b.Fatal(err)
					}
					took, cpuTook := time.Since(start), cpuTime()-cpu
					b.StopTimer()
					var fps, docs, grams, counted int
					if err := db.RawSQL().QueryRow(`SELECT (SELECT COUNT(*) FROM petition_fingerprints), (SELECT COUNT(*) FROM search_docs WHERE kind = 'petition'),
						(SELECT COUNT(*) FROM petition_grams), (SELECT COALESCE(SUM(n), 0) FROM gram_stats)`).Scan(&fps, &docs, &grams, &counted); err != nil {
						b.Fatal(err)
					}
					if fps != n || docs != n || grams < n || counted != grams {
						b.Fatalf("indexed %d fingerprints, %d search documents and %d grams (counted %d) of %d petitions", fps, docs, grams, counted, n)
					}
					b.ReportMetric(float64(grams), "grams")
					b.ReportMetric(took.Seconds(), "s/build")
					b.ReportMetric(cpuTook.Seconds(), "cpu-s/build")
					b.ReportMetric(float64(n)/took.Seconds(), "petitions/s")
				}
			})
		}
		db.Close()
	}
}

// cpuTime is the CPU time this process has used, user and system: on a
// shared machine it shows the work where the wall clock shows the queue.
// On PostgreSQL the server's share is not in it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func copyFileBench(from, to string) error {
	buf, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, buf, 0o600)
}
