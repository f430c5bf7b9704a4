package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
)

// aggregate reads one kind of record as a user would: its list and its
// detail, which must agree (the scope is one rule for every read).
type aggregate struct {
	name string
	list func(ctx context.Context) ([]int64, error)
	find func(ctx context.Context, id int64) error
}

// sees returns the records of every that u finds, failing when list and
// detail disagree or a detail out of scope is anything but not found.
func (a aggregate) sees(t *testing.T, f *discFixture, u *xinfang.User, every []int64) []int64 {
	t.Helper()
	ctx := f.Ctx(u)
	listed, err := a.list(ctx)
	if err != nil {
		t.Fatalf("%s listed by %s: %v", a.name, u.Username, err)
	}
	var out []int64
	for _, id := range every {
		err := a.find(ctx, id)
		if err != nil && xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Fatalf("%s %d found by %s: %v", a.name, id, u.Username, err)
		}
		if (err == nil) != slices.Contains(listed, id) {
			t.Errorf("%s %d, %s: detail %v, listed %v", a.name, id, u.Username, err == nil, slices.Contains(listed, id))
		}
		if err == nil {
			out = append(out, id)
		}
	}
	return out
}

// want checks that each user sees exactly the records named.
func (a aggregate) want(t *testing.T, f *discFixture, every []int64, want map[*xinfang.User][]int64) {
	t.Helper()
	for u, w := range want {
		if got := a.sees(t, f, u, every); !slices.Equal(got, w) {
			t.Errorf("%s seen by %s: %v, want %v", a.name, u.Username, got, w)
		}
	}
}

// newAggregate is the aggregate of a list and a detail returning T, whose
// id is id.
func newAggregate[T any](name string, list func(ctx context.Context) ([]T, error), id func(T) int64, find func(ctx context.Context, id int64) (T, error)) aggregate {
	return aggregate{name: name,
		list: func(ctx context.Context) ([]int64, error) {
			l, err := list(ctx)
			return idsOf(l, id), err
		},
		find: func(ctx context.Context, id int64) error {
			_, err := find(ctx, id)
			return err
		},
	}
}

func idsOf[T any](list []T, id func(T) int64) []int64 {
	out := []int64{}
	for _, x := range list {
		out = append(out, id(x))
	}
	return out
}

// TestScopeEveryAggregate walks the one data-scope builder over each
// aggregate it serves: a town's user sees its subtree's records (a
// village's too) and not the neighbouring town's, a city-wide role sees
// all, and 检举控告 keeps its records from the accused unit and from
// city-wide roles.
func TestScopeEveryAggregate(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := newDiscFixture(t, db)
		villageReg := supUser(t, db, "jzdc.reg", f.VillageA, xinfang.RoleRegistrar)
		ctx := f.Ctx
		petitionID := func(p *xinfang.Petition) int64 { return p.ID }
		caseID := func(c *xinfang.Case) int64 { return c.ID }
		supervisionID := func(s *xinfang.Supervision) int64 { return s.ID }
		recordID := func(a *xinfang.Accountability) int64 { return a.ID }
		letterID := func(l *xinfang.ResponsibilityLetter) int64 { return l.ID }

		// Petitions: one of village A (below town A), one of town B, one
		// 检举控告 of town A handled by the 纪委监委; each escalated to the
		// province, so that investigations can be opened on them.
		pV := f.register(t, villageReg, f.VillageA, 1, 10, escalated("province"))
		pB := f.register(t, f.HandlerB, f.VillageB, 2, 10, escalated("province"))
		acc := f.register(t, f.RegistrarA, f.VillageA, 3, 10, func(p *xinfang.Petition) {
			escalated("province")(p)
			p.Purpose, p.Category, p.Summary, p.Accused = xinfang.PurposeAccusation, "0402", "举报镇干部收受礼金", "甲镇某干部"
		})
		f.MustAct(t, f.RegistrarA, acc.ID, transfer(f.Discipline, 1))
		petitions := newAggregate("petition", func(ctx context.Context) ([]*xinfang.Petition, error) {
			l, _, err := db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Limit: 500})
			return l, err
		}, petitionID, db.Petitions.FindPetitionByID)
		petitions.want(t, f, []int64{pV.ID, pB.ID, acc.ID}, map[*xinfang.User][]int64{
			f.HandlerA: {pV.ID}, f.HandlerB: {pB.ID}, f.Leader: {pV.ID, pB.ID},
			f.RegistrarA: {pV.ID, acc.ID}, f.DisciplineHandler: {acc.ID}, f.Inspector: {pV.ID, pB.ID, acc.ID}, f.Admin: nil,
		})

		// Cases: of village A, of town B, of town B linked to village A's
		// petition, and of the 纪委监委 linked to the 检举控告 only.
		newCase := func(as *xinfang.User, unit *xinfang.Unit, title string, petitions ...int64) int64 {
			t.Helper()
			c := &xinfang.Case{Title: title, Source: "repeat", Petitioners: "张三", ResponsibleUnitID: unit.ID, LeaderID: f.Leader.ID,
				PetitionIDs: petitions, Deadline: calendar.MustParseDate("2026-09-30")}
			if err := db.Cases.CreateCase(ctx(as), c); err != nil {
				t.Fatalf("case %s: %v", title, err)
			}
			return c.ID
		}
		cV := newCase(f.HandlerA, f.VillageA, "东村积案")
		cB := newCase(f.HandlerB, f.TownB, "乙镇积案")
		cLinked := newCase(f.Leader, f.TownB, "乙镇涉甲镇积案", pV.ID)
		cAcc := newCase(f.DisciplineHandler, f.Discipline, "检举积案", acc.ID)
		cases := newAggregate("case", func(ctx context.Context) ([]*xinfang.Case, error) {
			l, _, err := db.Cases.FindCases(ctx, xinfang.CaseFilter{Limit: -1})
			return l, err
		}, caseID, db.Cases.FindCaseByID)
		everyCase := []int64{cV, cB, cLinked, cAcc}
		cases.want(t, f, everyCase, map[*xinfang.User][]int64{
			// The accused town does not reach the 检举控告's case through it.
			f.HandlerA: {cV, cLinked}, f.RegistrarA: {cV, cLinked}, f.HandlerB: {cB, cLinked},
			f.Leader: everyCase, f.DisciplineHandler: {cAcc}, f.Admin: nil,
		})

		// 督办单 of the city's leader to village A and to town B.
		newOrder := func(target *xinfang.Unit, petition int64) int64 {
			t.Helper()
			s := &xinfang.Supervision{TargetUnitID: target.ID, PetitionID: petition, Requirements: "请查清并反馈", Deadline: calendar.MustParseDate("2026-06-30")}
			if err := db.Supervisions.CreateSupervision(ctx(f.Leader), s); err != nil {
				t.Fatal(err)
			}
			return s.ID
		}
		sV, sB := newOrder(f.VillageA, pV.ID), newOrder(f.TownB, pB.ID)
		supervisions := newAggregate("supervision", func(ctx context.Context) ([]*xinfang.Supervision, error) {
			l, _, err := db.Supervisions.FindSupervisions(ctx, xinfang.SupervisionFilter{Limit: 500})
			return l, err
		}, supervisionID, db.Supervisions.FindSupervisionByID)
		supervisions.want(t, f, []int64{sV, sB}, map[*xinfang.User][]int64{
			f.HandlerA: {sV}, f.HandlerB: {sB}, f.Leader: {sV, sB}, f.Supervisor: {sV, sB}, f.Admin: nil,
		})

		// Investigations on the three escalated visits: the 检举控告's
		// stays with the 纪委监委, hidden from the city's leader.
		newInvestigation := func(p *xinfang.Petition) int64 {
			t.Helper()
			iv, err := db.Discipline.CreateInvestigation(ctx(f.Inspector), xinfang.InvestigationInput{PetitionID: p.ID, Cause: "unclear", Summary: "越级访，问题查不清"})
			if err != nil {
				t.Fatal(err)
			}
			return iv.ID
		}
		iV, iB, iAcc := newInvestigation(pV), newInvestigation(pB), newInvestigation(acc)
		investigations := newAggregate("investigation", func(ctx context.Context) ([]*xinfang.Investigation, error) {
			l, _, err := db.Discipline.FindInvestigations(ctx, xinfang.InvestigationFilter{Limit: 500})
			return l, err
		}, func(iv *xinfang.Investigation) int64 { return iv.ID }, db.Discipline.FindInvestigationByID)
		investigations.want(t, f, []int64{iV, iB, iAcc}, map[*xinfang.User][]int64{
			f.Inspector: {iV, iB, iAcc}, f.Leader: {iV, iB}, f.Supervisor: {iV, iB},
		})
		_, _, err := db.Discipline.FindInvestigations(ctx(f.HandlerA), xinfang.InvestigationFilter{})
		wantErr(t, err, xinfang.EFORBIDDEN, "")

		// Accountability records and letters of village A and of town B.
		newRecord := func(unit *xinfang.Unit) int64 {
			t.Helper()
			a := &xinfang.Accountability{Target: xinfang.TargetUnit, UnitID: unit.ID, Measure: "talk", DecidedOn: calendar.MustParseDate("2026-06-01"), Ground: "处理不到位"}
			if err := db.Discipline.CreateAccountability(ctx(f.Inspector), a); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		aV, aB := newRecord(f.VillageA), newRecord(f.TownB)
		records := newAggregate("accountability", func(ctx context.Context) ([]*xinfang.Accountability, error) {
			l, _, err := db.Discipline.FindAccountabilities(ctx, xinfang.AccountabilityFilter{Limit: 500})
			return l, err
		}, recordID, db.Discipline.FindAccountabilityByID)
		records.want(t, f, []int64{aV, aB}, map[*xinfang.User][]int64{
			f.HandlerA: {aV}, f.HandlerB: {aB}, f.Leader: {aV, aB}, f.BureauRegistrar: {}, f.Inspector: {aV, aB},
		})
		newLetter := func(unit *xinfang.Unit) int64 {
			t.Helper()
			l := &xinfang.ResponsibilityLetter{UnitID: unit.ID, Year: 2026, SignedOn: calendar.MustParseDate("2026-01-10"), Targets: []string{"信访事项及时受理率 100%"}}
			if err := db.Discipline.SaveResponsibilityLetter(ctx(f.Inspector), l); err != nil {
				t.Fatal(err)
			}
			return l.ID
		}
		lV, lB := newLetter(f.VillageA), newLetter(f.TownB)
		letters := newAggregate("letter", func(ctx context.Context) ([]*xinfang.ResponsibilityLetter, error) {
			return db.Discipline.FindResponsibilityLetters(ctx, 0, 0)
		}, letterID, db.Discipline.FindResponsibilityLetterByID)
		letters.want(t, f, []int64{lV, lB}, map[*xinfang.User][]int64{
			f.HandlerA: {lV}, f.HandlerB: {lB}, f.Leader: {lV, lB}, f.BureauRegistrar: {}, f.Inspector: {lV, lB},
		})
		for _, u := range []*xinfang.User{f.Admin, f.Auditor} {
			_, _, err := db.Discipline.FindAccountabilities(ctx(u), xinfang.AccountabilityFilter{})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			_, err = db.Discipline.FindResponsibilityLetters(ctx(u), 0, 0)
			wantErr(t, err, xinfang.EFORBIDDEN, "")
		}

		// The filters by unit take the same subtree: town A holds village A.
		leader, townA := ctx(f.Leader), f.TownA.ID
		for what, c := range map[string]struct {
			list func() ([]int64, error)
			want []int64
		}{
			"petitions": {func() ([]int64, error) {
				l, _, err := db.Petitions.FindPetitions(leader, xinfang.PetitionFilter{UnitID: townA})
				return idsOf(l, petitionID), err
			}, []int64{pV.ID}},
			"cases": {func() ([]int64, error) {
				l, _, err := db.Cases.FindCases(leader, xinfang.CaseFilter{UnitID: townA})
				return idsOf(l, caseID), err
			}, []int64{cV}},
			"supervisions": {func() ([]int64, error) {
				l, _, err := db.Supervisions.FindSupervisions(leader, xinfang.SupervisionFilter{TargetUnitID: townA})
				return idsOf(l, supervisionID), err
			}, []int64{sV}},
			"accountabilities": {func() ([]int64, error) {
				l, _, err := db.Discipline.FindAccountabilities(leader, xinfang.AccountabilityFilter{UnitID: townA})
				return idsOf(l, recordID), err
			}, []int64{aV}},
			"letters": {func() ([]int64, error) {
				l, err := db.Discipline.FindResponsibilityLetters(leader, townA, 0)
				return idsOf(l, letterID), err
			}, []int64{lV}},
		} {
			got, err := c.list()
			if err != nil {
				t.Fatalf("%s of town A's subtree: %v", what, err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s of town A's subtree: %v, want %v", what, got, c.want)
			}
		}
	})
}
