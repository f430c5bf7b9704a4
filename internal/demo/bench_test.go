package demo_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/demo"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// cpuTime is the CPU time this process has used, user and system: on a
// shared machine it shows the work where the wall clock shows the queue.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLoad loads the demo city of 800 petitions into a fresh
// database, as `xinfang demo` does at its first start: "bulk" through
// LoadInBulk (commits that do not wait for the disk, made durable at the
// end), as the command does; "each" with every commit durable, beside it.
// It reports the wall time and the CPU time of this process (on
// PostgreSQL the server's CPU is not in it).
func BenchmarkLoad(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects(b) {
		for _, mode := range []string{"bulk", "each"} {
			b.Run(dialect+"/"+mode, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					db := sqldbtest.Open(b, dialect)
					db.Now = func() time.Time { return today }
					b.StartTimer()
					start, cpu := time.Now(), cpuTime()
					load := func(db *sqldb.DB) error {
						_, err := demo.Load(context.Background(), db, demo.Options{})
						return err
					}
					var err error
					if mode == "bulk" {
						err = db.LoadInBulk(context.Background(), load)
					} else {
						err = load(db)
					}
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(time.Since(start).Seconds(), "s/load")
					b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s/load")
					b.StopTimer()
					_, total := allPetitions(b, db, userCtx(b, db, "inspector"), xinfang.PetitionFilter{})
					if total != 800 {
						b.Fatalf("loaded %d petitions, want 800", total)
					}
				}
			})
		}
	}
}
