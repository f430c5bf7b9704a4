package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// The 态势 page's counts (dash_counts) after random registrations and
// actions — items registered at the bureau and at a town, handed to
// towns, villages, a department and the 纪委监委, 检举控告 among them — are
// the rows counted again from the items in batches (as after migration
// 0071), also while items are acted on, and every page read from
// them equals the page counted from the items, for readers of each kind
// (the city's leader, a town's handler, the 纪委监委's handler, the
// registrar of the 检举控告 items), for units and periods drawn at random.
func TestDashboardCountsEqualItems(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-01-05"))
		f := sqldbtest.NewFixture(t, db)
		rng := rand.New(rand.NewPCG(71, 2026))
		var items []*xinfang.Petition
		channels := []xinfang.Channel{xinfang.ChannelLetter, xinfang.ChannelVisit, xinfang.ChannelOnline, xinfang.ChannelCall}
		categories := []string{"0501", "0101", "0203", "0501"}
		places := []*xinfang.Unit{f.VillageA, f.VillageB, f.TownA, f.TownB}
		accusations := 0
		act := func(i int) {
			clk.Add(time37h)
			if len(items) < 4 || rng.IntN(4) == 0 {
				p := f.NewPetition(places[rng.IntN(len(places))], len(items)+1)
				p.Channel, p.Category = channels[rng.IntN(len(channels))], categories[rng.IntN(len(categories))]
				registrar := []*xinfang.User{f.RegistrarA, f.BureauRegistrar}[rng.IntN(2)]
				if rng.IntN(5) == 0 {
					p.Purpose, p.Category, p.Summary, p.Accused = xinfang.PurposeAccusation, "0402", "举报镇干部收受礼金", "甲镇某干部"
					accusations++
				}
				items = append(items, f.MustRegister(t, registrar, p))
				return
			}
			k := rng.IntN(len(items))
			p := items[k]
			to := []*xinfang.Unit{f.TownA, f.TownB, f.Police, f.Discipline, f.VillageA, f.VillageB}[rng.IntN(6)]
			steps := []xinfang.ActionInput{
				{Action: xinfang.ActTransfer, Data: map[string]string{"unit_id": itoa(to.ID)}},
				{Action: xinfang.ActAssign, Data: map[string]string{"unit_id": itoa(to.ID)}},
				{Action: xinfang.ActAccept}, {Action: xinfang.ActSign},
				{Action: xinfang.ActReply, Data: replyData},
				{Action: xinfang.ActDeliver, Data: deliverData(calendar.DateOf(clk.Now()).String())},
				{Action: xinfang.ActNotAccept, Data: map[string]string{"reason": "不属实"}},
			}
			for _, s := range rng.Perm(len(steps)) {
				in := steps[s]
				in.Version = p.Version
				for _, u := range []*xinfang.User{f.RegistrarA, f.BureauRegistrar, f.HandlerA, f.HeadA, f.HandlerB, f.DisciplineHandler} {
					if got, err := db.Petitions.Act(f.Ctx(u), p.ID, in); err == nil {
						items[k] = got
						return
					}
				}
			}
		}
		for i := 0; i < 170; i++ {
			act(i)
		}
		if accusations == 0 {
			t.Fatal("no 检举控告 registered")
		}
		// An item repeating one whose matter was ended (终结) is registered
		// with the 不再受理 notice and no clock: a 检举控告 item, which the
		// counts leave out, is set 终结 by hand for it.
		raw := db.RawSQL()
		for _, p := range items {
			if p.Purpose != xinfang.PurposeAccusation {
				continue
			}
			if _, err := raw.Exec(db.Rebind(`UPDATE petitions SET state = ?, due_date = '', severe_date = '' WHERE id = ?`), string(xinfang.StateTerminated), p.ID); err != nil {
				t.Fatal(err)
			}
			again := f.NewPetition(f.VillageA, 900)
			again.RepeatOfID = p.ID
			again = f.MustRegister(t, f.BureauRegistrar, again)
			if again.State != xinfang.StateNotAccepted || !again.DueDate.IsZero() {
				t.Fatalf("a repeat of an ended matter is %s, due %s", again.State, again.DueDate)
			}
			items = append(items, again)
			break
		}

		// The rows kept are the rows counted again from the items.
		rows := func() map[string]int { return dashRows(t, raw) }
		kept := rows()
		negative, handled := 0, 0
		for _, n := range kept {
			if n < 0 {
				negative++
			}
		}
		if err := raw.QueryRow(`SELECT COUNT(*) FROM petitions WHERE handling_path <> '' AND handling_path <> reg_path AND purpose <> 'accusation'`).Scan(&handled); err != nil {
			t.Fatal(err)
		}
		if negative == 0 || handled < 10 {
			t.Fatalf("the actions left %d items handled away from their registering unit and %d rows below zero", handled, negative)
		}
		// same compares the page of unit u over from–to for reader as read
		// from the counts and as counted from the items, and returns it;
		// false when both refuse it alike.
		same := func(reader *xinfang.User, u *xinfang.Unit, from, to calendar.Date) (*xinfang.Dashboard, bool) {
			t.Helper()
			ctx := f.Ctx(reader)
			q := xinfang.DashboardQuery{UnitID: u.ID, From: from, To: to}
			db.CountFromFacts = false
			got, err := db.Indicators.Dashboard(ctx, q)
			db.CountFromFacts = true
			want, werr := db.Indicators.Dashboard(ctx, q)
			db.CountFromFacts = false
			if fmt.Sprint(err) != fmt.Sprint(werr) {
				t.Fatalf("%s, %s %s–%s: error %v, counted from the items %v", reader.Username, u.Name, from, to, err, werr)
			}
			if err != nil {
				return nil, false
			}
			type part struct {
				Total                                                       int
				States, Months, Categories, Channels, Territories, Warnings []xinfang.Count
			}
			g := part{got.Total, got.States, got.Months, got.Categories, got.Channels, got.Territories, got.Warnings}
			w := part{want.Total, want.States, want.Months, want.Categories, want.Channels, want.Territories, want.Warnings}
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("%s, %s %s–%s:\ncounts %+v\nitems  %+v", reader.Username, u.Name, from, to, g, w)
			}
			return got, true
		}
		year := [2]calendar.Date{calendar.MustParseDate("2026-01-01"), calendar.MustParseDate("2026-12-31")}

		// Counted again from scratch, in batches, as after the migration.
		ctx := context.Background()
		if err := db.RecountDashboard(ctx, 7, true); err != nil {
			t.Fatal(err)
		}
		if counted := rows(); len(kept) < 50 || !reflect.DeepEqual(kept, counted) {
			t.Fatalf("dash_counts kept %d rows, counted again from the items %d", len(kept), len(counted))
		}
		// Counted while items are acted on: each action either finds its
		// item counted and moves its counts, or leaves them to the batch.
		if err := db.RecountDashboard(ctx, 5, false); err != nil {
			t.Fatal(err)
		}
		// Until every item is counted, the page counts from the items.
		if d, _ := same(f.Leader, f.City, year[0], year[1]); d.Total < 20 {
			t.Fatalf("the city's year holds %d items", d.Total)
		}
		built := make(chan error, 1)
		go func() { built <- db.BuildDashboard(ctx) }()
		for i := 0; i < 40; i++ {
			act(i)
		}
		if err := <-built; err != nil {
			t.Fatal(err)
		}
		kept = rows()
		if err := db.RecountDashboard(ctx, 0, true); err != nil {
			t.Fatal(err)
		}
		if counted := rows(); !reflect.DeepEqual(kept, counted) {
			t.Fatalf("counted while acting: %d rows, counted again from the items %d", len(kept), len(counted))
		}

		// Every page from the counts equals the page counted from the items.
		type reader struct {
			u     *xinfang.User
			units []*xinfang.Unit
		}
		readers := []reader{
			{f.Leader, []*xinfang.Unit{f.City, f.TownA, f.TownB, f.VillageA, f.Police, f.Discipline, f.Bureau}},
			{f.HandlerA, []*xinfang.Unit{f.TownA, f.VillageA}},
			{f.DisciplineHandler, []*xinfang.Unit{f.Discipline}},
			{f.RegistrarA, []*xinfang.Unit{f.TownA, f.VillageA}},
			{f.BureauRegistrar, []*xinfang.Unit{f.Bureau}},
		}
		first, last := calendar.MustParseDate("2026-01-05"), calendar.DateOf(clk.Now()).AddDays(10)
		span := last.Sub(first)
		d := calendar.MustParseDate
		fixed := [][2]calendar.Date{{d("2026-01-01"), d("2026-12-31")}, {d("2026-03-01"), d("2026-03-31")}, {d("2026-02-15"), d("2026-05-10")}, {d("2026-04-30"), d("2026-05-01")}}
		compared, withAccusations, levels := 0, 0, map[string]int{}
		for _, rd := range readers {
			for i := 0; i < 16+len(fixed); i++ {
				from := first.AddDays(rng.IntN(span))
				to := from.AddDays(rng.IntN(span - from.Sub(first) + 1))
				if i < len(fixed) {
					from, to = fixed[i][0], fixed[i][1]
				}
				u := rd.units[rng.IntN(len(rd.units))]
				// Today anywhere from the first item to two months after the
				// last: the warning levels move with it.
				// Half the time on the edge of a level: an item's due day, the
				// day after it, the first day it is near, its severe day or
				// the day after.
				today := first.AddDays(rng.IntN(span + 60))
				if p := items[rng.IntN(len(items))]; !p.DueDate.IsZero() && rng.IntN(2) == 0 {
					today = []calendar.Date{p.DueDate, p.DueDate.AddDays(1), p.DueDate.AddDays(-db.Cfg.NearDays), p.SevereDate, p.SevereDate.AddDays(1)}[rng.IntN(5)]
				}
				if today.IsZero() {
					today = first
				}
				clk.Set(at(today.String()))
				got, ok := same(rd.u, u, from, to)
				if !ok {
					continue
				}
				compared++
				for _, w := range got.Warnings {
					levels[w.Key] += w.Value
				}
				for _, c := range got.Categories {
					if c.Key == "04" && c.Value > 0 {
						withAccusations++
					}
				}
			}
		}
		if compared < 40 || withAccusations == 0 || len(levels) != len(xinfang.Warnings) {
			t.Fatalf("compared %d pages, %d with 检举控告 items, warning levels %v", compared, withAccusations, levels)
		}
		for k, n := range levels {
			if n == 0 {
				t.Fatalf("no page counted an item %s: %v", k, levels)
			}
		}

		// The ledger's count of a subtree by channel, by category or by
		// state (or open), read from the counts (ledger_counts.go), is the
		// count of the items, for every reader, subtree, channel, category
		// and state, and the pages are the same.
		listed, accusedListed := 0, 0
		for _, rd := range readers {
			ctx := f.Ctx(rd.u)
			for _, u := range append(rd.units, nil) {
				var filters []xinfang.PetitionFilter
				for _, c := range append(channels, xinfang.ChannelHandedDown) {
					filters = append(filters, xinfang.PetitionFilter{Channel: c})
				}
				for _, c := range []string{"05", "01", "04", "0", "0501"} {
					filters = append(filters, xinfang.PetitionFilter{Category: c})
				}
				handling := []xinfang.State{xinfang.StateHandling}
				filters = append(filters, xinfang.PetitionFilter{Open: true}, xinfang.PetitionFilter{State: handling},
					xinfang.PetitionFilter{State: []xinfang.State{xinfang.StateRegistered, xinfang.StateConcluded}},
					xinfang.PetitionFilter{State: []xinfang.State{xinfang.StateConcluded}, Open: true},
					xinfang.PetitionFilter{State: handling, Channel: xinfang.ChannelVisit})
				for i, lf := range filters {
					if u != nil {
						lf.UnitID = u.ID
					}
					// Every order: by due date the list holds only the items
					// with a running clock, which the counts do not say.
					lf.Sort = []string{"", "due", "received", "number"}[i%4]
					lf.Limit = 3
					db.CountFromFacts = false
					got, gotTotal, err := db.Petitions.FindPetitions(ctx, lf)
					db.CountFromFacts = true
					want, wantTotal, werr := db.Petitions.FindPetitions(ctx, lf)
					db.CountFromFacts = false
					if fmt.Sprint(err) != fmt.Sprint(werr) || gotTotal != wantTotal || len(got) != len(want) {
						t.Fatalf("%s, unit %v, %+v: %d (%v) from the counts, %d (%v) from the items", rd.u.Username, u, lf, gotTotal, err, wantTotal, werr)
					}
					for i := range got {
						if got[i].ID != want[i].ID {
							t.Fatalf("%s, %+v: page %d differs", rd.u.Username, lf, i)
						}
					}
					listed += gotTotal
					if lf.Category == "04" {
						accusedListed += gotTotal
					}
				}
			}
		}
		if listed == 0 || accusedListed == 0 {
			t.Fatalf("the ledger's counts listed %d items, %d of them 检举控告: nothing compared", listed, accusedListed)
		}
	})
}

// dashRows are the non-zero rows of dash_counts, by key.
func dashRows(t *testing.T, raw *sql.DB) map[string]int {
	t.Helper()
	r, err := raw.Query(`SELECT dim, grain, day, unit_path, value, n FROM dash_counts WHERE n <> 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[string]int{}
	for r.Next() {
		var dim, grain, day, path, value string
		var n int
		if err := r.Scan(&dim, &grain, &day, &path, &value, &n); err != nil {
			t.Fatal(err)
		}
		out[strings.Join([]string{dim, grain, day, path, value}, " ")] = n
	}
	return out
}

// A bulk load (the demo) counts its items into dash_counts at its end
// rather than at each event: the rows are then those counted again from
// the items, and every later action moves them.
func TestLoadInBulkCountsTheDashboard(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-02-02"))
		f := sqldbtest.NewFixture(t, db)
		ctx := context.Background()
		var ids []int64
		err := db.LoadInBulk(ctx, func(bulk *sqldb.DB) error {
			bulk.Now = clk.Now
			for i := 0; i < 12; i++ {
				clk.Add(30 * time.Hour)
				p := f.NewPetition([]*xinfang.Unit{f.VillageA, f.VillageB}[i%2], i+1)
				if err := bulk.Petitions.RegisterPetition(f.Ctx(f.BureauRegistrar), p); err != nil {
					return err
				}
				to := []*xinfang.Unit{f.TownA, f.TownB}[i%2]
				if _, err := bulk.Petitions.Act(f.Ctx(f.BureauRegistrar), p.ID, transfer(to, p.Version)); err != nil {
					return err
				}
				ids = append(ids, p.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		raw := db.RawSQL()
		loaded := dashRows(t, raw)
		var upto, last int64
		if err := raw.QueryRow(`SELECT dash_upto, dash_last FROM kpi_state WHERE id = 1`).Scan(&upto, &last); err != nil {
			t.Fatal(err)
		}
		if upto != ids[len(ids)-1] || last != upto {
			t.Fatalf("after the load dash_upto %d, dash_last %d; the last item is %d", upto, last, ids[len(ids)-1])
		}
		// An action after the load moves the counts.
		p, err := db.Petitions.FindPetitionByID(f.Ctx(f.Leader), ids[0])
		if err != nil {
			t.Fatal(err)
		}
		f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: p.Version})
		acted := dashRows(t, raw)
		if err := db.RecountDashboard(ctx, 0, true); err != nil {
			t.Fatal(err)
		}
		counted := dashRows(t, raw)
		if len(loaded) < 20 || reflect.DeepEqual(loaded, acted) || !reflect.DeepEqual(acted, counted) {
			t.Fatalf("loaded %d rows, %d after an action, counted again from the items %d", len(loaded), len(acted), len(counted))
		}
	})
}
