package sqldb_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
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
				if rng.IntN(5) == 0 {
					// 检举控告: the inspector sees those the 纪委监委 handles.
					p.Purpose, p.Category, p.Accused = xinfang.PurposeAccusation, "0402", "甲镇某干部"
				}
				switch rng.IntN(8) {
				case 0, 1:
					p.Channel = xinfang.ChannelHandedDown
				case 2:
					p.Channel, p.Escalation = xinfang.ChannelVisit, []xinfang.Escalation{xinfang.EscalationProvince, xinfang.EscalationBeijing}[rng.IntN(2)]
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
		// Most 检举控告 items go to the 纪委监委, after their registration.
		sent := 0
		for i, p := range regs {
			if p.Purpose != xinfang.PurposeAccusation || i%4 == 0 {
				continue
			}
			for _, u := range registrars {
				cur, err := db.Petitions.FindPetitionByID(f.Ctx(u), p.ID)
				if err != nil {
					continue
				}
				if _, err := db.Petitions.Act(f.Ctx(u), p.ID, xinfang.ActionInput{Action: xinfang.ActTransfer, Version: cur.Version,
					Data: map[string]string{"unit_id": strconv.FormatInt(f.Discipline.ID, 10)}}); err == nil {
					sent++
					break
				}
			}
		}
		if sent < 3 {
			t.Fatalf("only %d 检举控告 items sent to the 纪委监委: the inspector would see none", sent)
		}

		readers := []*xinfang.User{f.Inspector, f.Leader, f.Supervisor}
		compare := func(stage string, handles ...*sqldb.DB) {
			t.Helper()
			db := db
			if len(handles) > 0 {
				db = handles[0]
			}
			var listed, handed, escalated int
			for _, u := range readers {
				ctx := f.Ctx(u)
				for _, kind := range []xinfang.WatchKind{"", xinfang.WatchRepeat, xinfang.WatchHandedDown, xinfang.WatchEscalation} {
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
						escalated += want.Counts[xinfang.WatchEscalation]
					}
				}
			}
			if listed == 0 || handed == 0 || escalated == 0 {
				t.Fatalf("%s: the walk lists %d repeat, %d handed-down and %d escalation rows: nothing compared", stage, listed, handed, escalated)
			}
		}
		compare("kept by the store")

		// A second 纪检监察 body, added now, is an audience of its own; a
		// leader who registered a 检举控告 item handled elsewhere sees it,
		// which no audience does, and gets the list grouped from the items.
		town := &xinfang.Unit{Code: "JZJW", Name: "甲镇纪委", Kind: xinfang.UnitDiscipline, ParentID: f.TownA.ID}
		if err := db.Directory.CreateUnit(context.Background(), town); err != nil {
			t.Fatal(err)
		}
		townInspector := &xinfang.User{Username: "jz.inspector", Name: "甲镇纪检", UnitID: town.ID, Roles: []xinfang.Role{xinfang.RoleInspector}}
		if err := db.Directory.CreateUser(context.Background(), townInspector, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		townInspector, err := db.Directory.FindUserByID(context.Background(), townInspector.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range regs {
			if p.Purpose == xinfang.PurposeAccusation && i%4 == 0 {
				if _, err := db.RawSQL().Exec(db.Rebind(`UPDATE petitions SET reg_user_id = ? WHERE id = ?`), f.Leader.ID, p.ID); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		readers = append(readers, townInspector)
		compare("a body added, a leader's own 检举控告 item")
		readers = readers[:3]

		// The migrations on the same data: drop what 0017 and 0077 made
		// and run them again. The matters are counted after the start
		// (prior_counts.go), and until then the list groups the petitions.
		raw := db.RawSQL()
		for _, q := range []string{`DROP INDEX petitions_repeat_root`, `DROP INDEX petitions_handed_down_repeats`, `DROP TABLE petition_matters`, `ALTER TABLE petitions DROP COLUMN repeat_root_id`,
			`ALTER TABLE kpi_state DROP COLUMN reg_upto`, `ALTER TABLE kpi_state DROP COLUMN reg_last`, `ALTER TABLE kpi_state DROP COLUMN matters_upto`, `ALTER TABLE kpi_state DROP COLUMN matters_last`,
			`DELETE FROM migrations WHERE name LIKE '%0017_watch_index.sql' OR name LIKE '%` + migration0077 + `'`} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		again := sqldb.NewDB(db.DSN, sqldbtest.Keys)
		if err := again.Open(); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
		if err := again.BuildCounts(context.Background()); err != nil {
			t.Fatal(err)
		}
		compare("built by the migrations and the count after the start", again)
		if err := again.RecountMatters(context.Background(), 20, false); err != nil {
			t.Fatal(err)
		}
		compare("the matters not counted", again)
		if done, err := again.StepMatters(context.Background()); err != nil || done {
			t.Fatalf("a first batch of the matters: done %v, %v", done, err)
		}
		compare("the matters counted in part", again)
		if err := again.BuildCounts(context.Background()); err != nil {
			t.Fatal(err)
		}
		compare("the matters counted again", again)
		if err := again.Close(); err != nil {
			t.Fatal(err)
		}

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
