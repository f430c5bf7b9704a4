package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"xinfang"

	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestOnlineIndexes: the indexes made after the start are built, valid,
// once; the lists they serve read the same items with and without them;
// one a build left invalid (an interrupted CREATE INDEX CONCURRENTLY) is
// built again; and an interrupted build leaves no valid index behind. On
// SQLite there are none to build.
func TestOnlineIndexes(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		for i := range 6 {
			clk.Add(6 * 24 * time.Hour)
			f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
		}
		clk.Set(at("2026-06-25")) // the items' clocks near, past and far past their due days
		if err := db.BuildOnlineIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		if !db.Postgres() {
			return
		}
		raw := db.RawSQL()
		stateOf := func(name string) string {
			t.Helper()
			var valid bool
			err := raw.QueryRow(`SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1`, name).Scan(&valid)
			switch {
			case err != nil:
				return "missing"
			case valid:
				return "valid"
			}
			return "invalid"
		}
		state := func() string { return stateOf("petitions_due_id") }
		if got := state(); got != "valid" {
			t.Fatalf("after the build: %s", got)
		}
		for _, ix := range []string{"petitions_not_sent", "dash_counts_path"} {
			if got := stateOf(ix); got != "valid" {
				t.Fatalf("after the build: %s %s", ix, got)
			}
		}
		// The town's 待答复, whose branches of items never sent on it
		// serves, lists the same with it and without it: one such item,
		// accepted by the town that registered it, and the items it
		// handles that the bureau sent.
		own := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 20))
		if _, err := raw.Exec(`UPDATE petitions SET state = 'handling', handling_path = '' WHERE id = $1`, own.ID); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 30+i))
			p = f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, p.Version))
			p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: p.Version})
			f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
		}
		reply := func() string {
			t.Helper()
			page, total, err := db.Petitions.FindTodo(f.Ctx(f.HandlerA), xinfang.TodoReply, 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%d %v", total, idList(page))
		}
		withNotSent := reply()
		if _, err := raw.Exec(`DROP INDEX petitions_not_sent`); err != nil {
			t.Fatal(err)
		}
		if without := reply(); withNotSent != without || !strings.HasPrefix(withNotSent, "3 ") {
			t.Fatalf("the town's 待答复 with the index: %s; without: %s (want 3 items)", withNotSent, without)
		}
		// The list by number's index replaces the one it covers.
		if got, old := stateOf("petitions_handling_number_cover"), stateOf("petitions_handling_number"); got != "valid" || old != "missing" {
			t.Fatalf("after the build: petitions_handling_number_cover %s, petitions_handling_number %s", got, old)
		}
		// A subtree's list by number, which it serves, lists the same
		// items with it and without it: the items handled in the town
		// and registered at the bureau, and those registered in it.
		for i := range 3 {
			p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 10+i))
			f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, p.Version))
		}
		byNumber := func() string {
			t.Helper()
			page, total, err := db.Petitions.FindPetitions(f.Ctx(f.HandlerA), xinfang.PetitionFilter{Sort: "number"})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%d %v", total, idList(page))
		}
		if got := stateOf("petitions_handling_reg_number"); got != "valid" {
			t.Fatalf("after the build: petitions_handling_reg_number %s", got)
		}
		withCover := byNumber()
		for _, ix := range []string{"petitions_handling_number_cover", "petitions_handling_reg_number"} {
			if _, err := raw.Exec(`DROP INDEX ` + ix); err != nil {
				t.Fatal(err)
			}
			if without := byNumber(); withCover != without || !strings.HasPrefix(withCover, "12 ") {
				t.Fatalf("the town's list by number with %s: %s; without: %s (want 12 items)", ix, withCover, without)
			}
		}
		// The city's lists by warning level, which it serves, list the
		// same items with it and without it.
		warned := func() string {
			t.Helper()
			var out []string
			for _, w := range []xinfang.Warning{xinfang.WarnNormal, xinfang.WarnNear, xinfang.WarnOverdue, xinfang.WarnSevere} {
				page, total, err := db.Petitions.FindPetitions(f.Ctx(f.Leader), xinfang.PetitionFilter{Warning: w, Sort: "due"})
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%s %d %v", w, total, idList(page)))
			}
			return strings.Join(out, "; ")
		}
		with := warned()
		if _, err := raw.Exec(`DROP INDEX petitions_due_id`); err != nil {
			t.Fatal(err)
		}
		if without := warned(); with != without {
			t.Fatalf("with the index: %s; without: %s", with, without)
		}
		if strings.Contains(with, string(xinfang.WarnOverdue)+" 0") {
			t.Fatalf("no overdue item to compare: %s", with)
		}
		if err := db.BuildOnlineIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		// Built again when left invalid.
		if _, err := raw.Exec(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'petitions_due_id'::regclass`); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != "invalid" {
			t.Fatalf("marked invalid: %s", got)
		}
		if err := db.BuildOnlineIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != "valid" {
			t.Fatalf("after an invalid one: %s", got)
		}
		// A build whose context has ended builds nothing; the next builds.
		if _, err := raw.Exec(`DROP INDEX petitions_due_id`); err != nil {
			t.Fatal(err)
		}
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if err := db.BuildOnlineIndexes(gone); err == nil {
			t.Error("a build with its context ended answered no error")
		}
		if got := state(); got == "valid" {
			t.Fatalf("after an interrupted build: %s", got)
		}
		if err := db.BuildOnlineIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != "valid" {
			t.Fatalf("after the build that followed: %s", got)
		}
	})
}
