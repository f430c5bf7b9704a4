package sqldb_test

import (
	"context"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
)

// Assignments: refused on bad input with nothing written; the assigned
// lawyer sees exactly his petition and case — detail, list, export walk,
// search, the case ledger — until the assignment ends, and records his
// work; another lawyer sees nothing; 检举控告 items are never given out.
func TestAssignmentsScope(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		lawyer := mkUser(t, db, "lawyer1", "周律师", w.City, xinfang.RoleLawyer)
		other := mkUser(t, db, "lawyer2", "郑律师", w.City, xinfang.RoleLawyer)
		mediator := mkUser(t, db, "mediator1", "杨调解", w.VillageA, xinfang.RoleMediator)
		staff := w.Ctx(w.HandlerA)
		c := w.newCase(t, w.HandlerA, w.Leader)
		second := w.MustRegister(t, w.RegistrarA, w.NewPetition(w.VillageA, 2))
		accusation := w.NewPetition(w.VillageA, 3)
		accusation.Purpose = xinfang.PurposeAccusation
		accusation = w.MustRegister(t, w.RegistrarA, accusation)

		for _, c := range []struct {
			name, field string
			a           xinfang.Assignment
		}{
			{"no task", "task", xinfang.Assignment{UserID: lawyer.ID, Role: xinfang.AssignLawyer, PetitionID: w.Petition.ID}},
			{"both records", "petition_id", xinfang.Assignment{UserID: lawyer.ID, Role: xinfang.AssignLawyer, PetitionID: w.Petition.ID, CaseID: c.ID, Task: "t"}},
			{"a mediator as lawyer", "user_id", xinfang.Assignment{UserID: mediator.ID, Role: xinfang.AssignLawyer, PetitionID: w.Petition.ID, Task: "t"}},
			{"staff", "user_id", xinfang.Assignment{UserID: w.HandlerB.ID, Role: xinfang.AssignCoordinator, PetitionID: w.Petition.ID, Task: "t"}},
			{"检举控告", "petition_id", xinfang.Assignment{UserID: lawyer.ID, Role: xinfang.AssignLawyer, PetitionID: accusation.ID, Task: "t"}},
			{"bad role", "role", xinfang.Assignment{UserID: lawyer.ID, Role: "judge", PetitionID: w.Petition.ID, Task: "t"}},
		} {
			a := c.a
			wantErr(t, db.Assignments.Assign(staff, &a), xinfang.EINVALID, c.field)
		}
		if n := count(t, db, "assignments"); n != 0 {
			t.Fatalf("refused assignments wrote %d rows", n)
		}
		wantErr(t, db.Assignments.Assign(w.Ctx(lawyer), &xinfang.Assignment{UserID: lawyer.ID, Role: xinfang.AssignLawyer, PetitionID: w.Petition.ID, Task: "t"}), xinfang.EFORBIDDEN, "")

		lctx, octx := w.Ctx(lawyer), w.Ctx(other)
		if _, err := db.Petitions.FindPetitionByID(lctx, w.Petition.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Fatalf("before the assignment the lawyer reads the petition: %v", err)
		}
		onPetition := &xinfang.Assignment{UserID: lawyer.ID, Role: xinfang.AssignLawyer, PetitionID: w.Petition.ID, Task: "提供法律意见，引导依法维权"}
		if err := db.Assignments.Assign(staff, onPetition); err != nil {
			t.Fatal(err)
		}
		dup := *onPetition
		dup.ID = 0
		wantErr(t, db.Assignments.Assign(staff, &dup), xinfang.EINVALID, "user_id")
		onCase := &xinfang.Assignment{UserID: lawyer.ID, Role: xinfang.AssignCoordinator, CaseID: c.ID, Task: "协助化解"}
		if err := db.Assignments.Assign(staff, onCase); err != nil {
			t.Fatal(err)
		}

		sees := func(ctx context.Context, petitions []int64, cases []int64) {
			t.Helper()
			list, total, err := db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Limit: 50})
			if err != nil || total != len(petitions) || len(list) != len(petitions) {
				t.Errorf("petition list: %d (%v), want %v", total, err, petitions)
			}
			walked := 0
			if err := db.Petitions.EachPetition(ctx, xinfang.PetitionFilter{}, func(*xinfang.Petition) error { walked++; return nil }); err != nil || walked != len(petitions) {
				t.Errorf("export walk: %d (%v), want %d", walked, err, len(petitions))
			}
			for _, id := range []int64{w.Petition.ID, second.ID, accusation.ID} {
				_, err := db.Petitions.FindPetitionByID(ctx, id)
				want := false
				for _, p := range petitions {
					want = want || p == id
				}
				if (err == nil) != want {
					t.Errorf("petition %d: read %v, want visible %v", id, err, want)
				}
			}
			_, ctotal, err := db.Cases.FindCases(ctx, xinfang.CaseFilter{Limit: 50})
			if err != nil || ctotal != len(cases) {
				t.Errorf("case ledger: %d (%v), want %d", ctotal, err, len(cases))
			}
			_, err = db.Cases.FindCaseByID(ctx, c.ID)
			if (err == nil) != (len(cases) > 0) {
				t.Errorf("case: %v, want visible %v", err, len(cases) > 0)
			}
		}
		sees(lctx, []int64{w.Petition.ID}, []int64{c.ID})
		sees(octx, nil, nil)

		// The assignee records his work; another lawyer cannot see it.
		got, err := db.Assignments.AddWorkNote(lctx, onPetition.ID, "约见信访人，释明劳动仲裁途径")
		if err != nil || len(got.Notes) != 1 || got.Notes[0].ByName != "周律师" {
			t.Fatalf("work note: %+v %v", got, err)
		}
		if _, err := db.Assignments.AddWorkNote(octx, onPetition.ID, "x"); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("another lawyer writes on the assignment: %v", err)
		}
		if mine, err := db.Assignments.FindAssignments(lctx, xinfang.AssignmentFilter{Mine: true}); err != nil || len(mine) != 2 {
			t.Errorf("the lawyer's assignments: %d %v", len(mine), err)
		}
		if list, err := db.Assignments.FindAssignments(w.Ctx(w.HandlerB), xinfang.AssignmentFilter{}); err != nil || len(list) != 0 {
			t.Errorf("town B sees %d assignments of town A (%v)", len(list), err)
		}

		// Ended: he sees nothing of it any more.
		_, err = db.Assignments.EndAssignment(staff, onPetition.ID, "")
		wantErr(t, err, xinfang.EINVALID, "end_note")
		ended, err := db.Assignments.EndAssignment(staff, onPetition.ID, "已出具法律意见，工作完成")
		if err != nil || ended.Active() || ended.EndedByName != w.HandlerA.Name {
			t.Fatalf("end: %+v %v", ended, err)
		}
		_, err = db.Assignments.EndAssignment(staff, onPetition.ID, "again")
		wantErr(t, err, xinfang.ECONFLICT, "action")
		if _, err := db.Assignments.EndAssignment(staff, onCase.ID, "化解完毕"); err != nil {
			t.Fatal(err)
		}
		sees(lctx, nil, nil)
		if _, err := db.Assignments.AddWorkNote(lctx, onCase.ID, "x"); xinfang.ErrorCode(err) != xinfang.ECONFLICT {
			t.Errorf("a note on an ended assignment: %v", err)
		}
	})
}
