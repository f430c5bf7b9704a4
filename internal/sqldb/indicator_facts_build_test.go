package sqldb_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestFactsBuiltInTheBackground: a database whose petitions have no facts
// yet (one upgraded from before the indicators) opens at once; its
// indicators say they are incomplete until the background derivation has
// given every petition the facts its events give.
func TestFactsBuiltInTheBackground(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		var ids []int64
		for i := 1; i <= 3; i++ {
			ids = append(ids, f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, i)).ID)
		}
		f.MustAct(t, f.BureauRegistrar, ids[0], transfer(f.TownA, 1))
		ctx := context.Background()
		want := map[int64][]xinfang.Fact{}
		for _, id := range ids {
			facts, err := db.Indicators.Facts(ctx, id)
			if err != nil || len(facts) == 0 {
				t.Fatalf("facts of %d: %v, %v", id, facts, err)
			}
			want[id] = facts
		}
		// As before the indicators existed.
		exec(t, db, `DELETE FROM kpi_facts`)
		exec(t, db, `UPDATE kpi_state SET built = 0 WHERE id = 1`)
		q := xinfang.IndicatorQuery{From: calendar.MustParseDate("2026-01-01"), To: calendar.MustParseDate("2026-12-31")}
		if ind, err := db.Indicators.Indicators(f.Ctx(f.Leader), q); err != nil || !ind.Incomplete {
			t.Fatalf("indicators before the facts are built: incomplete %v, %v", ind != nil && ind.Incomplete, err)
		}

		again := sqldb.NewDB(db.DSN, sqldbtest.Keys)
		again.Now = db.Now
		if err := again.Open(); err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		deadline := time.Now().Add(30 * time.Second)
		for {
			ind, err := again.Indicators.Indicators(f.Ctx(f.Leader), q)
			if err != nil {
				t.Fatal(err)
			}
			if !ind.Incomplete {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the facts were not built in the background")
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, id := range ids {
			got, err := again.Indicators.Facts(ctx, id)
			if err != nil || !reflect.DeepEqual(got, want[id]) {
				t.Errorf("facts of %d after the build: %v (%v), want %v", id, got, err, want[id])
			}
		}
	})
}
