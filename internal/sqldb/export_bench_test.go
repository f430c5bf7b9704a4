package sqldb_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/xlsx"
)

// countingWriter counts the bytes of the workbook and drops them, as a
// client reading the answer as fast as it comes would.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkLedgerExport100k exports the whole ledger of the benchmark
// city (100,000 petitions; 10,000 with XINFANG_BENCH_SMALL=1) as the
// export does: EachPetition in the ledger's order, each row masked and
// written by xlsx.Stream — the city's leader, everything in the default
// order, and a town's handler, the town's open items by due date. It
// reports rows/s and the peak of the live heap while exporting, over the
// heap before: bounded memory means that figure stays flat as the rows
// grow. Each run must export exactly the rows the scope and filter hold.
func BenchmarkLedgerExport100k(b *testing.B) {
	n := benchSize(100_000)
	db, lf := ledgerDB(b, n)
	db.Now = func() time.Time { return ledgerToday }
	raw := db.RawSQL()
	cases := []struct {
		name string
		user *xinfang.User
		f    xinfang.PetitionFilter
		want string // the count, in SQL over the rows
		args []any
	}{
		{"leader_all", lf.leader, xinfang.PetitionFilter{},
			`SELECT COUNT(*) FROM petitions WHERE purpose <> 'accusation' OR reg_user_id = ?`, []any{lf.leader.ID}},
		{"town_open_due", lf.townHandler, xinfang.PetitionFilter{Open: true, Sort: "due"},
			`SELECT COUNT(*) FROM petitions p JOIN units u ON u.id = ? WHERE p.due_date <> '' AND p.state NOT IN ` + xinfang.SQLInList(xinfang.ClosedStates) + `
				AND (p.reg_path LIKE u.path || '%' OR p.handling_path LIKE u.path || '%') AND (p.purpose <> 'accusation' OR p.reg_user_id = ?)`,
			[]any{lf.townHandler.UnitID, lf.townHandler.ID}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var want int
			if err := raw.QueryRow(db.Rebind(c.want), c.args...).Scan(&want); err != nil {
				b.Fatal(err)
			}
			ctx := xinfang.NewContextWithUser(context.Background(), c.user)
			var rows int
			var bytes int64
			var peak uint64
			var elapsed time.Duration
			for b.Loop() {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				before := ms.HeapAlloc
				start := time.Now()
				out := &countingWriter{}
				s, err := xlsx.NewStream(out, xlsx.PetitionSheetName, xlsx.PetitionWidths())
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Row(xlsx.StyleHead, xlsx.PetitionHeader()...); err != nil {
					b.Fatal(err)
				}
				sample := func() {
					runtime.ReadMemStats(&ms)
					if ms.HeapAlloc > before {
						peak = max(peak, ms.HeapAlloc-before)
					}
				}
				rows = 0
				err = db.Petitions.EachPetition(ctx, c.f, func(p *xinfang.Petition) error {
					rows++
					if rows%500 == 0 {
						sample()
					}
					return s.Row(xlsx.StyleText, xlsx.PetitionRow(rows, p, nil)...)
				})
				if err == nil {
					err = s.Close()
				}
				sample()
				if err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				bytes = out.n
			}
			if rows == 0 || rows != want {
				b.Fatalf("exported %d rows, the scope and filter hold %d", rows, want)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(bytes)/(1<<20), "xlsx-MB")
		})
	}
}
