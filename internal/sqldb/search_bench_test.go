package sqldb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"xinfang"
)

// BenchmarkSearch measures one page (50) of SearchPetitions with its count
// over the ledger database of BenchmarkLedger100k (and of 1,000,000
// petitions with XINFANG_BENCH_1M=1), for very common words, a name, two
// terms and a rare item number, as the leader (the whole city) and as a
// town's handler. Every query must match something, or the benchmark
// measures nothing and fails.
func BenchmarkSearch(b *testing.B) {
	sizes := []int{benchSize(100_000)}
	if os.Getenv("XINFANG_BENCH_1M") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	for i, n := range sizes {
		b.Run([]string{"100k", "1M"}[i], func(b *testing.B) {
			db, lf := ledgerDB(b, n)
			db.Now = func() time.Time { return ledgerToday }
			users := map[string]context.Context{
				"leader": xinfang.NewContextWithUser(context.Background(), lf.leader),
				"town":   xinfang.NewContextWithUser(context.Background(), lf.townHandler),
			}
			// The rare query: the number of an item the town sees.
			own, _, err := db.Petitions.FindPetitions(users["town"], xinfang.PetitionFilter{Limit: 1})
			if err != nil || len(own) == 0 {
				b.Fatalf("no item in the town's scope: %v", err)
			}
			for _, c := range searchBenchQueries(own[0].Number) {
				for _, who := range []string{"leader", "town"} {
					b.Run(c.name+"/"+who, func(b *testing.B) {
						latencies(b, func(int) int {
							_, total, _, err := db.Search.SearchPetitions(users[who], c.q, 50, 0)
							if err != nil {
								b.Fatal(err)
							}
							if total == 0 {
								b.Fatalf("%q matched nothing for the %s: the benchmark would measure nothing", c.q, who)
							}
							return total
						})
					})
				}
			}
		})
	}
}

// searchBenchQueries are the queries of BenchmarkSearch: words in a tenth of
// the ledger (a matter, a two-character word, a name), two terms, and the
// number of one item the town sees (rare).
func searchBenchQueries(number string) []struct{ name, q string } {
	return []struct{ name, q string }{
		{"common_matter", "征地补偿"}, {"common_2char", "物业"}, {"common_name", "王建国"},
		{"two_terms", "李家湾村 物业"}, {"rare_number", number},
	}
}
