package sqldb_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestWatchIndexAnswersAsTheWalk builds random repeat chains — repeats
// registered as such, links decided afterwards, handed-down items, a few
// persons with several matters in two towns — and expects the watch list
// read from the derived indexes of migration 0017 to answer exactly what
// the walk over every chain and every petition answered, for each reader,
// kind and page: first with the indexes kept by the store, then rebuilt by
// the migration and by Reindex on the same data.
func TestWatchIndexAnswersAsTheWalk(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := newDiscFixture(t, db)
		rng := rand.New(rand.NewPCG(2026, 17))
		registrars := []*xinfang.User{f.RegistrarA, f.BureauRegistrar}
		villages := []*xinfang.Unit{f.VillageA, f.VillageB}
		var regs []*xinfang.Petition
		byRegistrar := map[*xinfang.User][]*xinfang.Petition{} // what each may link to
		for i := 0; i < 90; i++ {
			reg := registrars[rng.IntN(2)]
			own := byRegistrar[reg]
			p := f.register(t, reg, villages[rng.IntN(2)], 1+rng.IntN(6), 450-5*i, func(p *xinfang.Petition) {
				p.Category = []string{"0501", "1401"}[rng.IntN(2)]
				if rng.IntN(4) == 0 {
					p.Channel = xinfang.ChannelHandedDown
				}
				if len(own) > 0 && rng.IntN(2) == 0 {
					p.RepeatOfID = own[rng.IntN(len(own))].ID
				}
			})
			regs = append(regs, p)
			byRegistrar[reg] = append(own, p)
		}
		// Links decided later, which move whole subtrees to another
		// original; the registrar must see both items.
		links := 0
		for i := 0; i < 40; i++ {
			a, b := rng.IntN(len(regs)), rng.IntN(len(regs))
			if a == b {
				continue
			}
			a, b = min(a, b), max(a, b)
			for _, u := range registrars {
				if _, err := db.Repeats.DecideRepeat(f.Ctx(u), regs[b].ID, xinfang.RepeatDecisionInput{CandidateID: regs[a].ID, Decision: xinfang.RepeatLink}); err == nil {
					links++
					break
				}
			}
		}
		if links < 5 {
			t.Fatalf("only %d later links made: the test would not move subtrees", links)
		}

		compare := func(stage string) {
			t.Helper()
			var listed, handed int
			for _, u := range []*xinfang.User{f.Inspector, f.Leader, f.Supervisor} {
				ctx := f.Ctx(u)
				for _, kind := range []xinfang.WatchKind{"", xinfang.WatchRepeat, xinfang.WatchHandedDown} {
					for _, offset := range []int{0, 4, 9} {
						filter := xinfang.WatchFilter{Kind: kind, Limit: 5, Offset: offset}
						want, err := db.Discipline.FindWatchListByWalk(ctx, filter)
						if err != nil {
							t.Fatal(err)
						}
						got, err := db.Discipline.FindWatchList(ctx, filter)
						if err != nil {
							t.Fatal(err)
						}
						if w, g := pageJSON(t, want), pageJSON(t, got); w != g {
							t.Errorf("%s, %s, kind %q, offset %d:\nwalk    %s\nindexes %s", stage, u.Username, kind, offset, w, g)
						}
						listed += want.Counts[xinfang.WatchRepeat]
						handed += want.Counts[xinfang.WatchHandedDown]
					}
				}
			}
			if listed == 0 || handed == 0 {
				t.Fatalf("%s: the walk lists %d repeat and %d handed-down rows: nothing compared", stage, listed, handed)
			}
		}
		compare("kept by the store")

		// The migration's backfill, on the same data: drop what 0017
		// made and run it again.
		raw := db.RawSQL()
		for _, q := range []string{`DROP INDEX petitions_repeat_root`, `DROP INDEX petitions_handed_down_repeats`, `DROP TABLE petition_matters`, `ALTER TABLE petitions DROP COLUMN repeat_root_id`,
			`DELETE FROM migrations WHERE name LIKE '%0017_watch_index.sql'`} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		again := sqldb.NewDB(db.DSN, sqldbtest.Keys)
		if err := again.Open(); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
		if err := again.Close(); err != nil {
			t.Fatal(err)
		}
		compare("built by the migration")

		// Reindex, which bulk loads call, rebuilds them too.
		for _, q := range []string{`UPDATE petitions SET repeat_root_id = NULL`, `DELETE FROM petition_matters`} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Reindex(context.Background()); err != nil {
			t.Fatal(err)
		}
		compare("rebuilt by Reindex")
	})
}

func pageJSON(t *testing.T, p *xinfang.WatchPage) string {
	t.Helper()
	buf, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf)
}
