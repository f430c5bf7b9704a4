package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
)

// A special meeting: bad input refused naming the field with nothing
// written; a decision becomes a task of the case discussed with its
// owner and deadline, late once the deadline passes, closed by the case's
// own task action; a decision on an item not discussed is refused; the
// scope; a stale version refused.
func TestMeetingLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		c := fixClock(db, at("2026-04-01"))
		cs := w.newCase(t, w.HandlerA, w.Leader)
		staff := w.Ctx(w.HandlerA)
		theirs := w.MustRegister(t, w.HandlerB, w.NewPetition(w.VillageB, 7))
		good := func() xinfang.MeetingInput {
			return xinfang.MeetingInput{Kind: xinfang.MeetingSpecial, Title: "东村欠薪积案清零专题会", HeldOn: day("2026-04-01"), Place: "甲镇三楼会议室",
				ChairID: w.Leader.ID, AttendeeIDs: []int64{w.HeadA.ID}, Guests: "劳动监察大队 陈队长", CaseIDs: []int64{cs.ID}, PetitionIDs: []int64{w.Petition.ID},
				Minutes: "会议听取了甲镇关于东村欠薪积案的汇报。"}
		}
		for _, bad := range []struct {
			field string
			edit  func(m *xinfang.MeetingInput)
		}{
			{"chair_id", func(m *xinfang.MeetingInput) { m.ChairID = w.HandlerA.ID }},
			{"kind", func(m *xinfang.MeetingInput) { m.Kind = "" }},
			{"held_on", func(m *xinfang.MeetingInput) { m.HeldOn = day("2026-04-02") }},
			{"case_ids", func(m *xinfang.MeetingInput) { m.CaseIDs, m.PetitionIDs = nil, nil }},
			{"petition_ids", func(m *xinfang.MeetingInput) { m.PetitionIDs = []int64{theirs.ID} }},
		} {
			in := good()
			bad.edit(&in)
			_, err := db.Meetings.RecordMeeting(staff, in)
			wantErr(t, err, xinfang.EINVALID, bad.field)
		}
		if n := count(t, db, "meetings") + count(t, db, "meeting_items") + count(t, db, "meeting_attendees"); n != 0 {
			t.Fatalf("refused meetings wrote %d rows", n)
		}
		m, err := db.Meetings.RecordMeeting(staff, good())
		if err != nil {
			t.Fatal(err)
		}
		if m.ChairName != w.Leader.Name || len(m.Cases) != 1 || !m.Cases[0].Visible || len(m.Petitions) != 1 || len(m.Attendees) != 1 {
			t.Fatalf("recorded: %+v", m)
		}
		// Scope: town B does not see it; the city leader chairing does.
		if _, err := db.Meetings.FindMeetingByID(w.Ctx(w.HandlerB), m.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town B reads the meeting: %v", err)
		}
		if _, total, _ := db.Meetings.FindMeetings(w.Ctx(w.HandlerB), xinfang.MeetingFilter{}); total != 0 {
			t.Errorf("town B lists %d meetings", total)
		}
		if _, err := db.Meetings.FindMeetingByID(w.Ctx(w.TownLeader), m.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town B's leader reads the meeting: %v", err)
		}

		decision := xinfang.MeetingDecision{Version: m.Version, CaseID: cs.ID, Title: "约谈建筑公司，五日内兑付欠薪", OwnerUnitID: w.TownA.ID, OwnerUserID: w.HeadA.ID, Deadline: day("2026-04-06")}
		for _, bad := range []struct {
			field string
			edit  func(d *xinfang.MeetingDecision)
		}{
			{"title", func(d *xinfang.MeetingDecision) { d.Title = "" }},
			{"deadline", func(d *xinfang.MeetingDecision) { d.Deadline = xinfang.MeetingDecision{}.Deadline }},
			{"case_id", func(d *xinfang.MeetingDecision) { d.CaseID = cs.ID + 100 }},
			{"petition_id", func(d *xinfang.MeetingDecision) { d.CaseID, d.PetitionID = 0, theirs.ID }},
			{"owner_user_id", func(d *xinfang.MeetingDecision) { d.OwnerUserID = 99999 }},
		} {
			d := decision
			bad.edit(&d)
			_, err := db.Meetings.AddMeetingDecision(staff, m.ID, d)
			wantErr(t, err, xinfang.EINVALID, bad.field)
		}
		if n := count(t, db, "tasks"); n != 0 {
			t.Fatalf("refused decisions wrote %d tasks", n)
		}
		caseBefore, _ := db.Cases.FindCaseByID(staff, cs.ID)
		m, err = db.Meetings.AddMeetingDecision(staff, m.ID, decision)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Decisions) != 1 {
			t.Fatalf("decisions: %+v", m.Decisions)
		}
		task := m.Decisions[0]
		if task.CaseID != cs.ID || task.MeetingID != m.ID || task.OwnerUserName != w.HeadA.Name || task.Deadline != day("2026-04-06") || !task.Open() {
			t.Fatalf("decision task: %+v", task)
		}
		// The task is the case's: in its tasks, history and version.
		got, err := db.Cases.FindCaseByID(staff, cs.ID)
		if err != nil || len(got.Tasks) != 1 || got.Tasks[0].ID != task.ID || got.Version != caseBefore.Version+1 {
			t.Fatalf("the case's tasks: %+v %v", got, err)
		}
		// Stale meeting version.
		_, err = db.Meetings.AddMeetingDecision(staff, m.ID, decision)
		wantErr(t, err, xinfang.ECONFLICT, "version")
		_, err = db.Meetings.SaveMeetingMinutes(staff, m.ID, xinfang.MeetingMinutes{Version: m.Version - 1, Minutes: "x"})
		wantErr(t, err, xinfang.ECONFLICT, "version")

		// On its owner's list; late once the deadline passes.
		mine, err := db.Meetings.FindDecisions(w.Ctx(w.HeadA), xinfang.DecisionFilter{Mine: true})
		if err != nil || len(mine) != 1 || !mine[0].ItemVisible || mine[0].MeetingTitle != m.Title {
			t.Fatalf("the owner's decisions: %+v %v", mine, err)
		}
		if late, _ := db.Meetings.FindDecisions(w.Ctx(w.HeadA), xinfang.DecisionFilter{Late: true}); len(late) != 0 {
			t.Errorf("late before the deadline: %d", len(late))
		}
		c.Set(at("2026-04-08"))
		late, _ := db.Meetings.FindDecisions(w.Ctx(w.HeadA), xinfang.DecisionFilter{Late: true})
		if len(late) != 1 || !late[0].Late(day("2026-04-08")) {
			t.Fatalf("late decisions: %+v", late)
		}
		if mine, _ := db.Meetings.FindDecisions(w.Ctx(w.HandlerB), xinfang.DecisionFilter{}); len(mine) != 0 {
			t.Errorf("town B lists %d decisions", len(mine))
		}
		// Done through the case's own task action closes it.
		got, _ = db.Cases.FindCaseByID(staff, cs.ID)
		if _, err := db.Cases.ChangeCaseTask(w.Ctx(w.HeadA), cs.ID, got.Version, task.ID, xinfang.TaskChange{State: xinfang.TaskDone, Note: "已兑付"}); err != nil {
			t.Fatal(err)
		}
		m, _ = db.Meetings.FindMeetingByID(staff, m.ID)
		if open, lateN := m.OpenDecisions(day("2026-04-08")); open != 0 || lateN != 0 || m.Decisions[0].State != xinfang.TaskDone || m.Decisions[0].DoneNote != "已兑付" {
			t.Fatalf("after done: %+v", m.Decisions[0])
		}
		if late, _ := db.Meetings.FindDecisions(w.Ctx(w.HeadA), xinfang.DecisionFilter{Late: true}); len(late) != 0 {
			t.Errorf("a done decision is late")
		}

		// A decision on the petition discussed holds its conclusion.
		m, err = db.Meetings.AddMeetingDecision(staff, m.ID, xinfang.MeetingDecision{Version: m.Version, PetitionID: w.Petition.ID, Title: "书面答复信访人", OwnerUnitID: w.TownA.ID, Deadline: day("2026-04-20")})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := db.Cases.CountOpenTasks(staff, w.Petition.ID); n != 1 {
			t.Errorf("open tasks of the petition: %d", n)
		}
		if m, err = db.Meetings.SaveMeetingMinutes(staff, m.ID, xinfang.MeetingMinutes{Version: m.Version, Minutes: "纪要：限期兑付。"}); err != nil || m.Minutes != "纪要：限期兑付。" {
			t.Fatalf("minutes: %v", err)
		}
	})
}
