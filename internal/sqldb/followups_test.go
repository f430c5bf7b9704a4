package sqldb_test

import (
	"context"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// repliedPetition registers a petition of village A, accepts and replies
// to it as town A's handler.
func repliedPetition(t *testing.T, f *sqldbtest.Fixture, n int) *xinfang.Petition {
	t.Helper()
	p := f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, n))
	p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
	return f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActReply, Version: p.Version, Data: replyData})
}

func dueIDs(t *testing.T, db *sqldb.DB, ctx context.Context) map[int64]bool {
	t.Helper()
	list, total, err := db.Followups.FindFollowupsDue(ctx, 100, 0)
	if err != nil || total != len(list) {
		t.Fatalf("due list: %d of %d, %v", len(list), total, err)
	}
	out := map[int64]bool{}
	for _, d := range list {
		out[d.PetitionID] = true
	}
	return out
}

// Follow-up visits: a replied petition is due N days after its reply and
// not before, not after a visit, and not to a reader outside its scope; a
// bad visit is refused naming the field with nothing written; a visit
// that finds the matter unsettled writes a task for the handling unit, or
// files a backlog case, in its own transaction (a refused case leaves no
// visit either); a visit recorded meanwhile is a conflict.
func TestFollowupLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clock := fixClock(db, at("2026-04-01"))
		db.Cfg.FollowupDays = 30
		f := sqldbtest.NewFixture(t, db)
		staff := f.Ctx(f.HandlerA)
		p1 := repliedPetition(t, f, 1) // replied 2026-04-01
		p2 := repliedPetition(t, f, 2)
		p3 := repliedPetition(t, f, 3)
		handling := f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, 4))

		clock.Set(at("2026-04-30"))
		if due := dueIDs(t, db, staff); len(due) != 0 {
			t.Fatalf("due after 29 days: %v", due)
		}
		clock.Set(at("2026-05-01"))
		due := dueIDs(t, db, staff)
		if len(due) != 3 || !due[p1.ID] || due[handling.ID] {
			t.Fatalf("due after 30 days: %v", due)
		}
		if due := dueIDs(t, db, f.Ctx(f.HandlerB)); len(due) != 0 {
			t.Errorf("town B sees %v", due)
		}

		good := func() *xinfang.Followup {
			return &xinfang.Followup{VisitedOn: calendar.MustParseDate("2026-05-01"), By: "钱承办", How: "phone", Mood: "stable", Settled: true}
		}
		for _, bad := range []struct {
			field string
			edit  func(v *xinfang.Followup)
		}{
			{"visited_on", func(v *xinfang.Followup) { v.VisitedOn = calendar.MustParseDate("2026-03-30") }},
			{"how", func(v *xinfang.Followup) { v.How = "pigeon" }},
			{"by", func(v *xinfang.Followup) { v.By = "" }},
			{"reopen", func(v *xinfang.Followup) { v.Settled, v.Note = false, "仍要求赔偿" }},
			{"task_deadline", func(v *xinfang.Followup) { v.Settled, v.Note, v.Reopen = false, "仍要求赔偿", xinfang.ReopenTask }},
			{"leader_id", func(v *xinfang.Followup) { v.Settled, v.Note, v.Reopen = false, "仍要求赔偿", xinfang.ReopenCase }},
		} {
			v := good()
			bad.edit(v)
			wantErr(t, db.Followups.RecordFollowup(staff, p1.ID, 0, v), xinfang.EINVALID, bad.field)
		}
		// A case with a leader who may not lead: refused with nothing of
		// the visit written.
		v := good()
		v.Settled, v.Note, v.Reopen, v.LeaderID = false, "仍要求赔偿", xinfang.ReopenCase, f.HandlerA.ID
		wantErr(t, db.Followups.RecordFollowup(staff, p1.ID, 0, v), xinfang.EINVALID, "leader_id")
		if n := count(t, db, "followups") + count(t, db, "tasks") + count(t, db, "cases"); n != 0 {
			t.Fatalf("refused visits wrote %d rows", n)
		}
		wantErr(t, db.Followups.RecordFollowup(staff, handling.ID, 0, good()), xinfang.ECONFLICT, "action")
		wantErr(t, db.Followups.RecordFollowup(f.Ctx(f.HandlerB), p1.ID, 0, good()), xinfang.ENOTFOUND, "")

		// Settled: p1 leaves the list.
		if err := db.Followups.RecordFollowup(staff, p1.ID, 0, good()); err != nil {
			t.Fatal(err)
		}
		wantErr(t, db.Followups.RecordFollowup(staff, p1.ID, 0, good()), xinfang.ECONFLICT, "version")
		// Not settled: a task for town A, due on the day given.
		v = good()
		v.Settled, v.Mood, v.Note, v.Reopen, v.TaskDeadline = false, "unhappy", "赔偿款尚未到位", xinfang.ReopenTask, calendar.MustParseDate("2026-05-20")
		if err := db.Followups.RecordFollowup(staff, p2.ID, 0, v); err != nil {
			t.Fatal(err)
		}
		tasks, err := db.Cases.FindPetitionTasks(staff, p2.ID)
		if err != nil || len(tasks) != 1 || tasks[0].OwnerUnitID != f.TownA.ID || tasks[0].Origin != xinfang.TaskOriginFollowup ||
			tasks[0].Deadline != v.TaskDeadline || v.TaskID != tasks[0].ID {
			t.Fatalf("the visit's task: %+v %v", tasks, err)
		}
		// Not settled: a backlog case from the petition.
		v = good()
		v.Settled, v.Note, v.Reopen, v.LeaderID = false, "坚持要求重新处理", xinfang.ReopenCase, f.Leader.ID
		if err := db.Followups.RecordFollowup(staff, p3.ID, 0, v); err != nil {
			t.Fatal(err)
		}
		c, err := db.Cases.FindCaseByID(staff, v.CaseID)
		if err != nil || c.ResponsibleUnitID != f.TownA.ID || len(c.PetitionIDs) != 1 || c.PetitionIDs[0] != p3.ID || c.LeaderID != f.Leader.ID {
			t.Fatalf("the visit's case: %+v %v", c, err)
		}
		if due := dueIDs(t, db, staff); len(due) != 0 {
			t.Errorf("due after the visits: %v", due)
		}
		visits, replied, err := db.Followups.FindFollowups(staff, p3.ID)
		if err != nil || len(visits) != 1 || visits[0].CaseNumber != c.Number || replied != calendar.MustParseDate("2026-04-01") {
			t.Errorf("visits of p3: %+v %s %v", visits, replied, err)
		}
		// The unit's task list holds the follow-up's task.
		list, err := db.Followups.FindUnitTasks(f.Ctx(f.HeadA), "")
		if err != nil || len(list) != 1 || list[0].PetitionNumber != p2.Number {
			t.Errorf("town A's tasks: %+v %v", list, err)
		}
	})
}

// A lawful termination with aftercare measures writes one task per measure
// for the 联席办 with the event; bad measures are refused naming the field,
// with neither the event nor a task written.
func TestTerminateAftercareTasks(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-04-01"))
		db.Cfg.AftercareDays = 20
		f := sqldbtest.NewFixture(t, db)
		joint := &xinfang.Unit{ParentID: f.City.ID, Code: "LXB", Name: "示例市联席办", Kind: xinfang.UnitJoint}
		if err := db.Directory.CreateUnit(context.Background(), joint); err != nil {
			t.Fatal(err)
		}
		police := mkUser(t, db, "gaj.handler", "冯警官", f.Police, xinfang.RoleHandler)
		jointHead := mkUser(t, db, "lxb.head", "孙主任", joint, xinfang.RoleUnitHead)
		np := f.NewPetition(f.VillageA, 9)
		np.LegalCase = true
		p := f.MustRegister(t, police, np)
		p = f.MustAct(t, police, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
		events := count(t, db, "events")

		_, err := db.Petitions.Act(f.Ctx(police), p.ID, xinfang.ActionInput{Action: xinfang.ActTerminate, Version: p.Version,
			Data: map[string]string{"reason": "已穷尽法律程序", xinfang.AftercareField: "relief,flying"}})
		wantErr(t, err, xinfang.EINVALID, xinfang.AftercareField)
		if n := count(t, db, "tasks"); n != 0 || count(t, db, "events") != events {
			t.Fatalf("a refused termination wrote %d tasks", n)
		}
		got, err := db.Petitions.Act(f.Ctx(police), p.ID, xinfang.ActionInput{Action: xinfang.ActTerminate, Version: p.Version,
			Data: map[string]string{"reason": "已穷尽法律程序", xinfang.AftercareField: "psychological,relief", "aftercare": "属地镇落实专人"}})
		if err != nil || got.State != xinfang.StateTerminated {
			t.Fatalf("terminate: %v", err)
		}
		list, err := db.Followups.FindUnitTasks(f.Ctx(jointHead), xinfang.TaskOriginAftercare)
		if err != nil || len(list) != 2 {
			t.Fatalf("the 联席办's tasks: %+v %v", list, err)
		}
		want := calendar.DateOf(at("2026-04-01").Add(20 * 24 * time.Hour))
		for i, title := range []string{"善后帮扶：帮扶救助（属地镇落实专人）", "善后帮扶：心理疏导（属地镇落实专人）"} {
			if list[i].Title != title || list[i].OwnerUnitID != joint.ID || list[i].Deadline != want || list[i].PetitionID != p.ID {
				t.Errorf("task %d: %+v", i, list[i])
			}
		}
		// Town A's head does not hold them.
		if mine, err := db.Followups.FindUnitTasks(f.Ctx(f.HeadA), ""); err != nil || len(mine) != 0 {
			t.Errorf("town A's tasks: %+v %v", mine, err)
		}
	})
}
