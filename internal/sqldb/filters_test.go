package sqldb_test

import (
	"sort"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

func TestFindPetitionsFilters(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-05-06"))
		f := sqldbtest.NewFixture(t, db)
		ctx := f.Ctx(f.Leader)

		register := func(day string, u *xinfang.User, edit func(p *xinfang.Petition)) *xinfang.Petition {
			t.Helper()
			clk.Set(at(day))
			p := f.NewPetition(f.VillageA, int(clk.Now().Unix()/86400%1000))
			if edit != nil {
				edit(p)
			}
			return f.MustRegister(t, u, p)
		}
		// Registered on these days, each item's 15-day disposal clock is
		// 严重超期, 超期, 临期 and 正常 on 2026-06-15.
		severe := register("2026-05-06", f.BureauRegistrar, nil)
		overdue := register("2026-05-26", f.BureauRegistrar, func(p *xinfang.Petition) { p.LegalCase = true })
		near := register("2026-06-02", f.BureauRegistrar, nil)
		transferred := register("2026-06-10", f.BureauRegistrar, nil)
		f.MustAct(t, f.BureauRegistrar, transferred.ID, transfer(f.TownB, 1))
		withdrawn := register("2026-06-11", f.BureauRegistrar, nil)
		f.MustAct(t, f.BureauRegistrar, withdrawn.ID, xinfang.ActionInput{Action: xinfang.ActWithdraw, Version: 1, Data: map[string]string{"reason": "信访人撤回"}})
		townA := register("2026-06-12", f.RegistrarA, func(p *xinfang.Petition) {
			p.Category, p.Petitioner.Name = "0503", "欧阳娜娜"
		})
		normal := register("2026-06-14", f.BureauRegistrar, func(p *xinfang.Petition) {
			p.Channel, p.Category, p.Summary = "visit", "0701", "拆迁补偿款未到位"
		})
		all := []*xinfang.Petition{severe, overdue, near, transferred, withdrawn, townA, normal}
		today := "2026-06-15"
		clk.Set(at(today))

		find := func(t *testing.T, flt xinfang.PetitionFilter) []*xinfang.Petition {
			t.Helper()
			list, total, err := db.Petitions.FindPetitions(ctx, flt)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(list) {
				t.Errorf("total %d, listed %d", total, len(list))
			}
			return list
		}
		same := func(t *testing.T, got []*xinfang.Petition, want ...*xinfang.Petition) {
			t.Helper()
			g, w := ids(got), ids(want)
			if len(g) != len(got) || len(g) != len(w) {
				t.Fatalf("got %d items %v, want %d %v", len(got), numbers(got), len(want), numbers(want))
			}
			for id := range w {
				if !g[id] {
					t.Fatalf("got %v, want %v", numbers(got), numbers(want))
				}
			}
		}

		t.Run("warning levels", func(t *testing.T) {
			// The expected level follows from each item's stored dates; the
			// named items pin that every level occurs.
			want := map[xinfang.Warning][]*xinfang.Petition{}
			for _, p := range all {
				got, err := db.Petitions.FindPetitionByID(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				if level := levelOn(got.DueDate.String(), got.SevereDate.String(), today); level != "" {
					want[level] = append(want[level], p)
				}
			}
			pins := map[xinfang.Warning]*xinfang.Petition{
				xinfang.WarnSevere: severe, xinfang.WarnOverdue: overdue, xinfang.WarnNear: near, xinfang.WarnNormal: normal,
			}
			for level, p := range pins {
				if !ids(want[level])[p.ID] {
					t.Fatalf("%s is not %s on %s", p.Number, level, today)
				}
			}
			if len(want[xinfang.WarnNormal])+len(want[xinfang.WarnNear])+len(want[xinfang.WarnOverdue])+len(want[xinfang.WarnSevere]) != len(all)-1 {
				t.Errorf("every open item should have a level: %v", want)
			}
			for _, level := range []xinfang.Warning{xinfang.WarnNormal, xinfang.WarnNear, xinfang.WarnOverdue, xinfang.WarnSevere} {
				t.Run(string(level), func(t *testing.T) {
					got := find(t, xinfang.PetitionFilter{Warning: level})
					same(t, got, want[level]...)
					for _, p := range got {
						if p.Warning != level {
							t.Errorf("%s listed with warning %q", p.Number, p.Warning)
						}
					}
				})
			}
			// f.Today overrides the clock: on the day after registration
			// nothing is overdue yet.
			got := find(t, xinfang.PetitionFilter{Warning: xinfang.WarnOverdue, Today: calendar.MustParseDate("2026-05-07")})
			if ids(got)[overdue.ID] || ids(got)[near.ID] {
				t.Errorf("overdue on 2026-05-07: %v", numbers(got))
			}
			_, _, err := db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Warning: "purple"})
			wantErr(t, err, xinfang.EINVALID, "warning")
		})

		tests := []struct {
			name string
			flt  xinfang.PetitionFilter
			want []*xinfang.Petition
		}{
			{"no filter", xinfang.PetitionFilter{}, all},
			{"state pending_sign", xinfang.PetitionFilter{State: []xinfang.State{xinfang.StatePendingSign}}, []*xinfang.Petition{transferred}},
			{"states", xinfang.PetitionFilter{State: []xinfang.State{xinfang.StatePendingSign, xinfang.StateWithdrawn}}, []*xinfang.Petition{transferred, withdrawn}},
			{"open", xinfang.PetitionFilter{Open: true}, []*xinfang.Petition{severe, overdue, near, transferred, townA, normal}},
			{"unit subtree: registering", xinfang.PetitionFilter{UnitID: f.TownA.ID}, []*xinfang.Petition{townA}},
			{"unit subtree: handling", xinfang.PetitionFilter{UnitID: f.TownB.ID}, []*xinfang.Petition{transferred}},
			{"unit subtree: bureau", xinfang.PetitionFilter{UnitID: f.Bureau.ID}, []*xinfang.Petition{severe, overdue, near, transferred, withdrawn, normal}},
			{"unit subtree: city", xinfang.PetitionFilter{UnitID: f.City.ID}, all},
			{"unit subtree: village", xinfang.PetitionFilter{UnitID: f.VillageA.ID}, nil},
			{"channel", xinfang.PetitionFilter{Channel: "visit"}, []*xinfang.Petition{normal}},
			{"category first level", xinfang.PetitionFilter{Category: "07"}, []*xinfang.Petition{normal}},
			{"category second level", xinfang.PetitionFilter{Category: "0503"}, []*xinfang.Petition{townA}},
			{"category 05", xinfang.PetitionFilter{Category: "05"}, []*xinfang.Petition{severe, overdue, near, transferred, withdrawn, townA}},
			{"date range", xinfang.PetitionFilter{From: calendar.MustParseDate("2026-06-01").Time(), To: calendar.MustParseDate("2026-06-12").Time()}, []*xinfang.Petition{near, transferred, withdrawn}},
			{"from", xinfang.PetitionFilter{From: calendar.MustParseDate("2026-06-12").Time()}, []*xinfang.Petition{townA, normal}},
			{"text in summary", xinfang.PetitionFilter{Text: "拆迁"}, []*xinfang.Petition{normal}},
			{"text in name", xinfang.PetitionFilter{Text: " 欧阳 "}, []*xinfang.Petition{townA}},
			{"text is a number", xinfang.PetitionFilter{Text: near.Number}, []*xinfang.Petition{near}},
			{"text ignores case", xinfang.PetitionFilter{Text: strings.ToLower(townA.Number)}, []*xinfang.Petition{townA}},
			{"text % is literal", xinfang.PetitionFilter{Text: "%"}, nil},
			{"text _ is literal", xinfang.PetitionFilter{Text: "_"}, nil},
			{"legal case", xinfang.PetitionFilter{LegalCase: ptr(true)}, []*xinfang.Petition{overdue}},
			{"petitioner", xinfang.PetitionFilter{Petitioner: townA.Petitioner.ID}, []*xinfang.Petition{townA}},
			{"combined", xinfang.PetitionFilter{Category: "05", Open: true, UnitID: f.Bureau.ID, Text: "工资"}, []*xinfang.Petition{severe, overdue, near, transferred}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { same(t, find(t, tt.flt), tt.want...) })
		}

		t.Run("invalid", func(t *testing.T) {
			for _, tt := range []struct {
				flt   xinfang.PetitionFilter
				field string
			}{
				{xinfang.PetitionFilter{Sort: "colour"}, "sort"},
				{xinfang.PetitionFilter{Offset: -1}, "offset"},
				{xinfang.PetitionFilter{UnitID: 999999}, "unit_id"},
			} {
				_, _, err := db.Petitions.FindPetitions(ctx, tt.flt)
				wantErr(t, err, xinfang.EINVALID, tt.field)
			}
		})

		t.Run("sort", func(t *testing.T) {
			due := find(t, xinfang.PetitionFilter{Sort: "due"})
			same(t, due, severe, overdue, near, transferred, townA, normal) // a withdrawn item has no due date
			if !sort.SliceIsSorted(due, func(i, j int) bool { return due[i].DueDate.Before(due[j].DueDate) }) || due[0].ID != severe.ID {
				t.Errorf("sort=due: %v", dueDates(due))
			}
			received := find(t, xinfang.PetitionFilter{Sort: "received"})
			if !sort.SliceIsSorted(received, func(i, j int) bool { return received[i].ReceivedAt.Before(received[j].ReceivedAt) }) || received[0].ID != severe.ID {
				t.Errorf("sort=received: %v", numbers(received))
			}
			latest := find(t, xinfang.PetitionFilter{})
			if latest[0].ID != normal.ID || latest[len(latest)-1].ID != severe.ID {
				t.Errorf("default sort is not newest first: %v", numbers(latest))
			}
			byNumber := find(t, xinfang.PetitionFilter{Sort: "number"})
			if !sort.SliceIsSorted(byNumber, func(i, j int) bool { return byNumber[i].Number < byNumber[j].Number }) {
				t.Errorf("sort=number: %v", numbers(byNumber))
			}
		})

		t.Run("pagination", func(t *testing.T) {
			whole := find(t, xinfang.PetitionFilter{})
			var paged []*xinfang.Petition
			for offset := 0; offset < 9; offset += 3 {
				page, total, err := db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Limit: 3, Offset: offset})
				if err != nil {
					t.Fatal(err)
				}
				if total != len(all) {
					t.Errorf("offset %d: total %d, want %d", offset, total, len(all))
				}
				if want := min(3, len(all)-offset); len(page) != want {
					t.Errorf("offset %d: %d items, want %d", offset, len(page), want)
				}
				paged = append(paged, page...)
			}
			if strings.Join(numbers(paged), ",") != strings.Join(numbers(whole), ",") {
				t.Errorf("pages %v, whole list %v", numbers(paged), numbers(whole))
			}
		})
	})
}

// levelOn is the warning level on today of stored due and severe dates,
// written out independently of the procedure's code.
func levelOn(due, severe, today string) xinfang.Warning {
	switch {
	case due == "":
		return ""
	case today > severe:
		return xinfang.WarnSevere
	case today > due:
		return xinfang.WarnOverdue
	case calendar.MustParseDate(due).Sub(calendar.MustParseDate(today)) <= 3:
		return xinfang.WarnNear
	}
	return xinfang.WarnNormal
}

func numbers(ps []*xinfang.Petition) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Number
	}
	return out
}

func dueDates(ps []*xinfang.Petition) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Number + "@" + p.DueDate.String()
	}
	return out
}

func ptr[T any](v T) *T { return &v }
