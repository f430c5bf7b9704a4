package sqldb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestSearchTraditional: a query in traditional characters finds the text
// in simplified ones and back, on both databases, whether the documents
// are read from the queue or from the index.
func TestSearchTraditional(t *testing.T) {
	for _, d := range sqldbtest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := sqldbtest.Open(t, d)
			f := sqldbtest.NewFixture(t, db)
			reg := func(summary, content string) string {
				p := f.MustRegister(t, f.RegistrarA, &xinfang.Petition{
					Channel: "visit", ReceivedAt: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
					Petitioner: &xinfang.Petitioner{Name: "周德贵", IDNumber: sqldbtest.IDNumber(31), Address: f.VillageA.Name},
					Summary:    summary, Content: content, Request: "请求依法处理",
					Category: "1401", Purpose: "claim", LocalityID: f.VillageA.ID,
				})
				return p.Number
			}
			simp := reg("锦程小区电梯故障", "锦程小区3号楼电梯经常停运，业主多次反映没有结果。")
			trad := reg("金雞嶺村扶貧資金去向不明", "前年撥給金雞嶺村五十萬元扶貧產業資金，錢花到哪去了沒人知道。")
			ctx := f.Ctx(f.Leader)
			check := func(q string, want ...string) {
				t.Helper()
				got, _, _, err := db.Search.SearchPetitions(ctx, q, 10, 0)
				if err != nil {
					t.Fatalf("%q: %v", q, err)
				}
				var numbers []string
				for _, p := range got {
					numbers = append(numbers, p.Number)
				}
				if !slices.Equal(numbers, want) {
					t.Errorf("%s %q: found %v, want %v", d, q, numbers, want)
				}
			}
			for range 2 { // from the queue, then from the index
				check("錦程", simp)
				check("锦程小区 電梯", simp)
				check("金鸡岭村", trad)
				check("扶贫 资金", trad)
				if err := db.FlushIndex(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
