package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
)

// What an assigned outsider reads of an item: an observer or an expert
// reads the matter and the petitioner by surname only — no ID number,
// phone or address — through the detail, the list, the export walk and
// the search, and cannot find the item by the petitioner's name; a
// lawyer reads who the petitioner is, and so does an expert's account
// assigned as a coordinator.
func TestAssignedReadersFields(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		staff := w.Ctx(w.HandlerA)
		observer := mkUser(t, db, "observer1", "王代表", w.City, xinfang.RoleObserver)
		expert := mkUser(t, db, "expert1", "李教授", w.City, xinfang.RoleExpert)
		lawyer := mkUser(t, db, "lawyer1", "周律师", w.City, xinfang.RoleLawyer)
		for _, a := range []*xinfang.Assignment{
			{UserID: observer.ID, Role: xinfang.AssignObserver, PetitionID: w.Petition.ID, Task: "列席听证"},
			{UserID: expert.ID, Role: xinfang.AssignExpert, PetitionID: w.Petition.ID, Task: "会诊"},
			{UserID: lawyer.ID, Role: xinfang.AssignLawyer, PetitionID: w.Petition.ID, Task: "法律意见"},
		} {
			if err := db.Assignments.Assign(staff, a); err != nil {
				t.Fatal(err)
			}
		}
		name := w.Petition.Petitioner.Name // 张三
		stripped := func(who string, pt *xinfang.Petitioner) {
			t.Helper()
			if pt.Name != xinfang.MaskName(name) || pt.Name == name || pt.IDNumber != "" || pt.Phone != "" || pt.Address != "" {
				t.Errorf("%s reads the petitioner as %+v, want the surname only", who, pt)
			}
		}
		reads := func(ctx context.Context, who string, check func(string, *xinfang.Petitioner)) {
			t.Helper()
			p, err := db.Petitions.FindPetitionByID(ctx, w.Petition.ID)
			if err != nil {
				t.Fatal(err)
			}
			check(who+" (detail)", p.Petitioner)
			list, _, err := db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Limit: 10})
			if err != nil || len(list) != 1 {
				t.Fatalf("%s's list: %d, %v", who, len(list), err)
			}
			check(who+" (list)", list[0].Petitioner)
			if err := db.Petitions.EachPetition(ctx, xinfang.PetitionFilter{}, func(p *xinfang.Petition) error {
				check(who+" (export)", p.Petitioner)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			found, _, _, err := db.Search.SearchPetitions(ctx, "工资", 10, 0)
			if err != nil || len(found) != 1 {
				t.Fatalf("%s searching the matter: %d, %v", who, len(found), err)
			}
			check(who+" (search)", found[0].Petitioner)
		}
		for _, u := range []*xinfang.User{observer, expert} {
			ctx := w.Ctx(u)
			reads(ctx, u.Username, stripped)
			if found, total, _, err := db.Search.SearchPetitions(ctx, name, 10, 0); err != nil || total != 0 || len(found) != 0 {
				t.Errorf("%s finds the item by the petitioner's name: %d, %v", u.Username, total, err)
			}
			hits, _, _, err := db.Search.SearchDocs(ctx, xinfang.SearchPetition, "工资", 10, 0)
			if err != nil || len(hits) != 1 || strings.Contains(hits[0].Snippet, name) {
				t.Errorf("%s's search hit: %+v, %v; want one, without the name", u.Username, hits, err)
			}
		}
		whole := func(who string, pt *xinfang.Petitioner) {
			t.Helper()
			if pt.Name != name || pt.IDNumber == "" || pt.Phone == "" {
				t.Errorf("%s reads the petitioner as %+v, want who he is", who, pt)
			}
		}
		reads(w.Ctx(lawyer), "lawyer", whole)
		if found, _, _, err := db.Search.SearchPetitions(w.Ctx(lawyer), name, 10, 0); err != nil || len(found) != 1 {
			t.Errorf("the lawyer does not find the item by the petitioner's name: %d, %v", len(found), err)
		}
		// An expert's account given the item as a coordinator reads it
		// whole: what one reads follows the assignment, not the account.
		coordinator := mkUser(t, db, "expert2", "赵退休", w.City, xinfang.RoleExpert)
		if err := db.Assignments.Assign(staff, &xinfang.Assignment{UserID: coordinator.ID, Role: xinfang.AssignCoordinator, PetitionID: w.Petition.ID, Task: "协理"}); err != nil {
			t.Fatal(err)
		}
		reads(w.Ctx(coordinator), "expert as coordinator", whole)
		// The staff read it whole.
		reads(staff, "handler", whole)
	})
}

// The same of a case: an observer given a case reads its petitioners by
// surname and no 稳控方案, and does not find it by a petitioner's name; a
// lawyer given it reads them and finds it.
func TestAssignedReadersCaseFields(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		staff := w.Ctx(w.HandlerA)
		c := w.newCase(t, w.HandlerA, w.Leader)
		plan := "由村干部每日走访，掌握动向"
		if _, err := db.Cases.UpdateCase(staff, c.ID, c.Version, xinfang.CaseUpdate{StabilityPlan: &plan}); err != nil {
			t.Fatal(err)
		}
		observer := mkUser(t, db, "observer1", "王代表", w.City, xinfang.RoleObserver)
		lawyer := mkUser(t, db, "lawyer1", "周律师", w.City, xinfang.RoleLawyer)
		for _, a := range []*xinfang.Assignment{
			{UserID: observer.ID, Role: xinfang.AssignObserver, CaseID: c.ID, Task: "列席会诊"},
			{UserID: lawyer.ID, Role: xinfang.AssignLawyer, CaseID: c.ID, Task: "法律意见"},
		} {
			if err := db.Assignments.Assign(staff, a); err != nil {
				t.Fatal(err)
			}
		}
		check := func(u *xinfang.User, wantNames string, wantPlan bool) {
			t.Helper()
			ctx := w.Ctx(u)
			got, err := db.Cases.FindCaseByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			list, _, err := db.Cases.FindCases(ctx, xinfang.CaseFilter{Limit: 10})
			if err != nil || len(list) != 1 {
				t.Fatalf("%s's case list: %d, %v", u.Username, len(list), err)
			}
			for _, x := range []*xinfang.Case{got, list[0]} {
				if x.Petitioners != wantNames || (x.StabilityPlan != "") != wantPlan {
					t.Errorf("%s reads petitioners %q, plan %q; want %q, plan %v", u.Username, x.Petitioners, x.StabilityPlan, wantNames, wantPlan)
				}
			}
			byName, _, err := db.Cases.FindCases(ctx, xinfang.CaseFilter{Text: "张三", Limit: 10})
			if err != nil || (len(byName) == 1) != wantPlan {
				t.Errorf("%s finds the case by the petitioner's name: %d, %v", u.Username, len(byName), err)
			}
		}
		check(observer, "张*", false)
		check(lawyer, "张三", true)
	})
}
