package sqldb_test

import (
	"bytes"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb/sqldbtest"
	"xinfang/internal/xlsx"
)

// importWorkbook writes n petition rows of the import template as one
// workbook, every row valid and distinct: states in turn, ID numbers
// with their check digits, three units.
func importWorkbook(tb testing.TB, n int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	s, err := xlsx.NewStream(&buf, xlsx.ImportSheetName, nil)
	if err != nil {
		tb.Fatal(err)
	}
	head := make([]string, len(xlsx.PetitionImportColumns))
	for i, c := range xlsx.PetitionImportColumns {
		head[i] = c.Head
	}
	if err := s.Row(xlsx.StyleHead, head...); err != nil {
		tb.Fatal(err)
	}
	states := []struct{ state, unit, on, outcome string }{
		{"登记", "", "", ""}, {"待签收", "甲镇", "2025-02-01", ""}, {"办理中", "JZ01", "2025-02-03", ""},
		{"已答复", "乙镇", "2025-03-01", "支持"}, {"办结", "YZ01", "2025-04-01", "解释说明"},
	}
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		first := fmt.Sprintf("110101%s%03d", birth.AddDate(0, 0, i%20000).Format("20060102"), i%1000)
		id := first + string(xinfang.IDNumberCheckChar(first))
		st := states[i%len(states)]
		day := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i%600) * time.Minute)
		if err := s.Row(xlsx.StyleText, fmt.Sprintf("LEGACY-%07d", i+1), day.Format("2006-01-02 15:04"), "来信", "信访人"+fmt.Sprint(i%997), id,
			fmt.Sprintf("139%08d", i), "甲镇东村 "+fmt.Sprint(i%300)+" 号", "1", "反映拖欠工资问题第 "+fmt.Sprint(i)+" 件",
			"某公司拖欠工资三个月，多次协商未果，请求有关部门协调解决。编号 "+fmt.Sprint(i), "发放工资", "0501", "申诉求决",
			[]string{"甲镇东村", "乙镇西村", "JZ"}[i%3], "", st.state, st.unit, st.on, st.outcome, "否"); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkImport100k imports 100,000 petitions from one workbook
// (10,000 with XINFANG_BENCH_SMALL=1) into an empty SQLite database as
// the import page does: the upload kept, every row checked, then every
// row committed in one transaction. It reports rows/s of the whole, the
// check and the commit apart, and the peak of the live heap over the
// heap before (sampled every 50 ms): the rows are read one at a time, so
// that figure is the file and what excelize keeps of it, not the rows.
// It fails unless every row was imported.
func BenchmarkImport100k(b *testing.B) {
	n := benchSize(100_000)
	data := importWorkbook(b, n)
	for b.Loop() {
		b.StopTimer()
		db := sqldbtest.Open(b, "sqlite")
		f := sqldbtest.NewFixture(b, db)
		ctx := f.Ctx(f.BureauRegistrar)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > before && ms.HeapAlloc-before > peak.Load() {
					peak.Store(ms.HeapAlloc - before)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		im, err := db.Imports.CreateImport(ctx, xinfang.ImportPetitions, "台账.xlsx", data)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Imports.CheckImport(ctx, im.ID); err != nil {
			b.Fatal(err)
		}
		checked := time.Since(start)
		if err := db.Imports.CommitImport(ctx, im.ID); err != nil {
			probs, _ := db.Imports.FindImportProblems(ctx, im.ID, 0, 5)
			b.Fatalf("commit: %v %+v", err, probs)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		close(stop)
		<-sampled
		im, err = db.Imports.FindImport(ctx, im.ID)
		if err != nil {
			b.Fatal(err)
		}
		var imported int
		if err := db.RawSQL().QueryRow(`SELECT COUNT(*) FROM petitions WHERE import_id IS NOT NULL`).Scan(&imported); err != nil {
			b.Fatal(err)
		}
		if im.State != xinfang.ImportDone || imported != n || im.New != n {
			b.Fatalf("imported %d of %d rows (%+v)", imported, n, im)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "rows/s")
		b.ReportMetric(elapsed.Seconds(), "s/import")
		b.ReportMetric(checked.Seconds(), "s-check")
		b.ReportMetric((elapsed - checked).Seconds(), "s-commit")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(len(data))/(1<<20), "xlsx-MB")
		b.StartTimer()
	}
}
