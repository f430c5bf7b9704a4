package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// openQueued opens a database of dialect whose indexer waits an hour, so
// that registrations stay queued until the test calls FlushIndex.
func openQueued(t *testing.T, dialect string) *sqldb.DB {
	sqldb.SetIndexQueueDelay(time.Hour)
	defer sqldb.SetIndexQueueDelay(0)
	return sqldbtest.Open(t, dialect)
}

// queueState is what a reader of the index answers about the petitions
// of TestIndexQueueReadersSeeQueued.
type queueState struct {
	search  map[string][]int64 // SearchPetitions, per query
	hits    []string           // SearchDocs of petitions: id and snippet
	ledger  []int64            // the ledger's text filter
	repeats []string           // candidates of the second: id and score
}

// TestIndexQueueReadersSeeQueued: a registration's grams and search
// document are written by the indexer, after the commit; until then
// search, the ledger's text filter and repeat candidates find the
// petition in the queue, and they answer exactly as they do once it is
// indexed. The indexer writes each petition once: the gram counts add up.
func TestIndexQueueReadersSeeQueued(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			db := openQueued(t, dialect)
			fixClock(db, at("2026-06-10"))
			f := sqldbtest.NewFixture(t, db)
			ctx := context.Background()
			text := "翠湖湾小区三号楼电梯停运两个月，物业公司拒不维修，老人上下楼困难。"
			first := f.NewPetition(f.VillageA, 1)
			first.Summary, first.Content = "反映翠湖湾小区电梯停运", text
			f.MustRegister(t, f.RegistrarA, first)
			// Another town, another kind of matter, another person: only
			// the text makes it a candidate.
			second := f.NewPetition(f.VillageB, 2)
			second.Summary, second.Content, second.Category = "翠湖湾电梯停运无人修", text, "0101"
			second.Petitioner.Name, second.Petitioner.Phone = "李四", "13900139000"
			f.MustRegister(t, f.BureauRegistrar, second)
			for i := range 5 {
				f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 10+i))
			}
			if n := count(t, db, "index_queue"); n != 7 {
				t.Fatalf("%d petitions queued, want 7", n)
			}
			if n := count(t, db, "petition_grams"); n != 0 {
				t.Fatalf("%d grams written with the registrations, want none", n)
			}
			leader := f.Ctx(f.Leader)
			read := func() queueState {
				t.Helper()
				st := queueState{search: map[string][]int64{}}
				for _, q := range []string{"翠湖湾", "电梯", "梯", first.Number, "张三 拖欠"} {
					ps, _, _, err := db.Search.SearchPetitions(leader, q, 20, 0)
					if err != nil {
						t.Fatalf("search %q: %v", q, err)
					}
					for _, p := range ps {
						st.search[q] = append(st.search[q], p.ID)
					}
				}
				hits, _, _, err := db.Search.SearchDocs(leader, xinfang.SearchPetition, "翠湖湾", 20, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range hits {
					st.hits = append(st.hits, fmt.Sprintf("%d %s %s", h.ID, h.Title, h.Snippet))
				}
				ps, _, err := db.Petitions.FindPetitions(leader, xinfang.PetitionFilter{Text: "物业公司", Limit: 20})
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range ps {
					st.ledger = append(st.ledger, p.ID)
				}
				cs, err := db.Repeats.FindRepeatCandidatesOf(leader, second.ID, 20)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range cs {
					st.repeats = append(st.repeats, fmt.Sprintf("%d %.4f", c.Petition.ID, c.Score))
				}
				return st
			}
			queued := read()
			both := []int64{second.ID, first.ID}
			if !slices.Equal(queued.search["翠湖湾"], both) || !slices.Equal(queued.search["电梯"], both) || !slices.Equal(queued.search["梯"], both) {
				t.Errorf("search of queued petitions: %v, want %v each", queued.search, both)
			}
			if !slices.Equal(queued.search[first.Number], []int64{first.ID}) {
				t.Errorf("search for the number of a queued petition: %v", queued.search[first.Number])
			}
			if len(queued.search["张三 拖欠"]) != 5 {
				t.Errorf("search 张三 拖欠 found %v, want the five others", queued.search["张三 拖欠"])
			}
			if len(queued.hits) != 2 || !slices.Equal(queued.ledger, both) {
				t.Errorf("queued: hits %v, ledger %v", queued.hits, queued.ledger)
			}
			if len(queued.repeats) == 0 || queued.repeats[0][:len(itoa(first.ID))+1] != itoa(first.ID)+" " {
				t.Errorf("repeat candidates of the second while queued: %v, want the first on top", queued.repeats)
			}

			if err := db.FlushIndex(ctx); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, "index_queue"); n != 0 {
				t.Fatalf("%d petitions still queued after FlushIndex", n)
			}
			indexed := read()
			if fmt.Sprint(indexed) != fmt.Sprint(queued) {
				t.Errorf("readers answer differently once indexed:\nqueued  %v\nindexed %v", queued, indexed)
			}
			wantGramCounts(t, db)
			if n := count(t, db, "search_docs"); n != 7 {
				t.Errorf("%d search documents, want 7", n)
			}
		})
	}
}

// TestIndexQueueSharedAndDurable: the queue outlives the handle that
// wrote it, and two instances emptying it at once index every petition
// exactly once between them.
func TestIndexQueueSharedAndDurable(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			db := openQueued(t, dialect)
			fixClock(db, at("2026-06-10"))
			f := sqldbtest.NewFixture(t, db)
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 15 {
						p := f.NewPetition(f.VillageA, 100*w+i)
						p.Content = fmt.Sprintf("第%d组第%d件：某公司拖欠工资三个月，请求协调解决。", w, i)
						if err := db.Petitions.RegisterPetition(f.Ctx(f.RegistrarA), p); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			// Closed with everything queued; two instances start on it.
			dsn := db.DSN
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			sqldb.SetIndexQueueDelay(time.Hour)
			var handles []*sqldb.DB
			for range 2 {
				h := sqldb.NewDB(dsn, sqldbtest.Keys)
				if err := h.Open(); err != nil {
					t.Fatal(err)
				}
				defer h.Close()
				handles = append(handles, h)
			}
			sqldb.SetIndexQueueDelay(0)
			if n := count(t, handles[0], "index_queue"); n != 60 {
				t.Fatalf("%d petitions queued after the restart, want 60", n)
			}
			errs := make(chan error, 2)
			for _, h := range handles {
				go func() { errs <- h.FlushIndex(context.Background()) }()
			}
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			h := handles[0]
			wantGramCounts(t, h)
			if n := count(t, h, "search_docs"); n != 60 || count(t, h, "index_queue") != 0 {
				t.Errorf("%d search documents and %d queued, want 60 and none", n, count(t, h, "index_queue"))
			}
			ps, total, _, err := h.Search.SearchPetitions(f.Ctx(f.Leader), "第3组", 100, 0)
			if err != nil || total != 15 || len(ps) != 15 {
				t.Errorf("search 第3组: %d of %d, %v", len(ps), total, err)
			}
		})
	}
}
