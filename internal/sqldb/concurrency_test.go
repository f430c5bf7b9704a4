package sqldb_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

func TestConcurrentAct(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		ctx := f.Ctx(f.BureauRegistrar)
		// Several rounds, each on a fresh item, so that the two writers
		// really overlap in at least some of them.
		for round := 0; round < 5; round++ {
			p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, round))
			targets := []*xinfang.Unit{f.TownA, f.TownB}
			start := make(chan struct{})
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = db.Petitions.Act(ctx, p.ID, transfer(targets[i], 1))
				}()
			}
			close(start)
			wg.Wait()
			ok, conflicts := 0, 0
			for _, err := range errs {
				switch xinfang.ErrorCode(err) {
				case "":
					ok++
				case xinfang.ECONFLICT:
					conflicts++
				default:
					t.Errorf("round %d: unexpected error %v", round, err)
				}
			}
			if ok != 1 || conflicts != 1 {
				t.Fatalf("round %d: %d succeeded, %d conflicted (%v)", round, ok, conflicts, errs)
			}
			events, err := db.Petitions.FindEvents(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.Petitions.FindPetitionByID(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 2 || got.Version != 2 {
				t.Fatalf("round %d: %d events, version %d; want 2 and 2", round, len(events), got.Version)
			}
			// The projection agrees with the event that won.
			if winner := events[1].Data["unit_id"]; itoa(got.HandlingUnitID) != winner {
				t.Errorf("round %d: handling unit %d, winning event says %s", round, got.HandlingUnitID, winner)
			}
			if _, err := db.Petitions.VerifyEvents(ctx, p.ID); err != nil {
				t.Error(err)
			}
		}
	})
}

func TestConcurrentRegister(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		const workers, each = 8, 5
		// Registrar and handler of town A share the town's counter.
		users := []*xinfang.User{f.RegistrarA, f.HandlerA}
		numbers := make(chan string, workers*each)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := range each {
					p := f.NewPetition(f.VillageA, w*each+i)
					if err := db.Petitions.RegisterPetition(f.Ctx(users[w%2]), p); err != nil {
						t.Errorf("worker %d: %v", w, err)
						return
					}
					numbers <- p.Number
				}
			}()
		}
		close(start)
		wg.Wait()
		close(numbers)
		var got []string
		for n := range numbers {
			got = append(got, n)
		}
		sort.Strings(got)
		if len(got) != workers*each {
			t.Fatalf("%d registrations, want %d", len(got), workers*each)
		}
		for i, n := range got {
			if want := fmt.Sprintf("JZ-2026-%06d", i+1); n != want {
				t.Fatalf("numbers are not unique and gap-free: #%d is %s, want %s", i, n, want)
			}
		}
		if n := count(t, db, "petitions"); n != workers*each {
			t.Errorf("%d petitions stored", n)
		}
	})
}
