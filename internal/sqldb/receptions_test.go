package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
)

// A leader's reception: bad input refused naming the field with nothing
// written; the schedule every staff member reads, the record only in
// scope; a matter registered as a petition of the channel 领导接访 in the
// same write, linked both ways; a matter joined to a petition the
// recorder sees, refused for one he does not; a stale version refused;
// the record with the invited's attendance.
func TestReceptionLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db) // clock at 2026-04-01
		c := fixClock(db, at("2026-04-01"))
		staff := w.Ctx(w.RegistrarA)
		lawyer := mkUser(t, db, "lawyer1", "韩律师", w.City, xinfang.RoleLawyer)
		otherLawyer := mkUser(t, db, "lawyer2", "曹律师", w.City, xinfang.RoleLawyer)
		obs := &xinfang.Observer{Name: "刘代表", Kind: "deputy", Affiliation: "市人大", Available: true}
		if err := db.Society.SaveObserver(w.Ctx(w.HandlerA), obs); err != nil {
			t.Fatal(err)
		}
		good := func() *xinfang.Reception {
			return &xinfang.Reception{Kind: xinfang.ReceptionVisit, LeaderID: w.Leader.ID, On: day("2026-04-03"), Place: "甲镇群众接待室", Topic: "劳动保障",
				Participants: []xinfang.ReceptionParticipant{{Kind: xinfang.FromLawyer, UserID: lawyer.ID}, {Kind: xinfang.FromObserver, ObserverID: obs.ID}}}
		}
		for _, bad := range []struct {
			field string
			edit  func(r *xinfang.Reception)
		}{
			{"leader_id", func(r *xinfang.Reception) { r.LeaderID = w.HandlerA.ID }},
			{"kind", func(r *xinfang.Reception) { r.Kind = "tea" }},
			{"place_unit_id", func(r *xinfang.Reception) { r.Kind = xinfang.ReceptionDown }},
			{"place", func(r *xinfang.Reception) { r.Place = "" }},
			{"participants", func(r *xinfang.Reception) { r.Participants[0].UserID = w.HandlerA.ID }},
		} {
			r := good()
			bad.edit(r)
			wantErr(t, db.Receptions.ScheduleReception(staff, r), xinfang.EINVALID, bad.field)
		}
		if n := count(t, db, "receptions") + count(t, db, "reception_participants"); n != 0 {
			t.Fatalf("refused receptions wrote %d rows", n)
		}
		r := good()
		if err := db.Receptions.ScheduleReception(staff, r); err != nil {
			t.Fatal(err)
		}
		if r.State != xinfang.ReceptionScheduled || r.LeaderName != w.Leader.Name || len(r.Participants) != 2 || r.Participants[0].Name != "韩律师" {
			t.Fatalf("scheduled: %+v", r)
		}

		// The schedule is published to every staff member; the record only
		// to the scope, the leader and the invited.
		sched, err := db.Receptions.ReceptionSchedule(w.Ctx(w.HandlerB), day("2026-04-01"), day("2026-04-30"))
		if err != nil || len(sched) != 1 || sched[0].LeaderName != w.Leader.Name {
			t.Fatalf("town B's schedule: %+v %v", sched, err)
		}
		for _, u := range []*xinfang.User{w.HandlerB, otherLawyer} {
			if _, err := db.Receptions.FindReceptionByID(w.Ctx(u), r.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
				t.Errorf("%s reads the reception: %v", u.Username, err)
			}
		}
		for _, u := range []*xinfang.User{lawyer, w.Leader, w.HeadA} {
			if _, err := db.Receptions.FindReceptionByID(w.Ctx(u), r.ID); err != nil {
				t.Errorf("%s cannot read the reception: %v", u.Username, err)
			}
		}
		if _, total, _ := db.Receptions.FindReceptions(w.Ctx(w.HandlerB), xinfang.ReceptionFilter{}); total != 0 {
			t.Errorf("town B lists %d receptions", total)
		}

		matter := func(p *xinfang.Petition, petitionID int64) xinfang.ReceptionMatterInput {
			return xinfang.ReceptionMatterInput{Version: r.Version, Petitioners: "张三、李四", Raised: "工地拖欠工资三个月未发", Instruction: "请甲镇三日内约谈企业，限期兑付",
				Petition: p, PetitionID: petitionID}
		}
		// Before the day, nothing is received.
		_, err = db.Receptions.AddReceptionMatter(staff, r.ID, matter(w.NewPetition(w.VillageA, 91), 0))
		wantErr(t, err, xinfang.EINVALID, "on")

		c.Set(at("2026-04-03"))
		petitionsBefore := count(t, db, "petitions")
		// A matter whose petition is refused writes neither.
		bad := w.NewPetition(w.VillageA, 91)
		bad.LocalityID = 0
		_, err = db.Receptions.AddReceptionMatter(staff, r.ID, matter(bad, 0))
		wantErr(t, err, xinfang.EINVALID, "locality_id")
		in := matter(w.NewPetition(w.VillageA, 91), 0)
		in.Raised = ""
		_, err = db.Receptions.AddReceptionMatter(staff, r.ID, in)
		wantErr(t, err, xinfang.EINVALID, "raised")
		_, err = db.Receptions.AddReceptionMatter(staff, r.ID, matter(nil, 0))
		wantErr(t, err, xinfang.EINVALID, "petition_id")
		if n := count(t, db, "reception_matters"); n != 0 || count(t, db, "petitions") != petitionsBefore {
			t.Fatalf("refused matters wrote %d matters", n)
		}
		// The channel 领导接访 is registered only from a reception.
		direct := w.NewPetition(w.VillageA, 92)
		direct.Channel = xinfang.ChannelLeaderReception
		wantErr(t, db.Petitions.RegisterPetition(staff, direct), xinfang.EINVALID, "channel")

		// One step: the matter and its petition.
		r, err = db.Receptions.AddReceptionMatter(staff, r.ID, matter(w.NewPetition(w.VillageA, 91), 0))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Matters) != 1 || !r.Matters[0].Registered || r.Matters[0].PetitionNumber == "" {
			t.Fatalf("matters: %+v", r.Matters)
		}
		p, err := db.Petitions.FindPetitionByID(staff, r.Matters[0].PetitionID)
		if err != nil || p.Channel != xinfang.ChannelLeaderReception || p.Channel.Label() != "领导接访" || p.Number != r.Matters[0].PetitionNumber {
			t.Fatalf("registered petition: %+v %v", p, err)
		}
		back, err := db.Receptions.FindPetitionReceptions(staff, p.ID)
		if err != nil || len(back) != 1 || back[0].ReceptionID != r.ID || back[0].LeaderName != w.Leader.Name || back[0].ReceptionKind != xinfang.ReceptionVisit {
			t.Fatalf("the petition's receptions: %+v %v", back, err)
		}

		// Joining: a petition of town B the recorder does not see is
		// refused on petition_id; one of town A is joined.
		theirs := w.MustRegister(t, w.HandlerB, w.NewPetition(w.VillageB, 93))
		_, err = db.Receptions.AddReceptionMatter(staff, r.ID, matter(nil, theirs.ID))
		wantErr(t, err, xinfang.EINVALID, "petition_id")
		if _, err := db.Receptions.FindPetitionReceptions(staff, theirs.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town A reads town B's petition's receptions: %v", err)
		}
		r, err = db.Receptions.AddReceptionMatter(staff, r.ID, matter(nil, w.Petition.ID))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Matters) != 2 || r.Matters[1].Registered || r.Matters[1].PetitionID != w.Petition.ID {
			t.Fatalf("joined: %+v", r.Matters)
		}
		if back, _ := db.Receptions.FindPetitionReceptions(staff, w.Petition.ID); len(back) != 1 {
			t.Errorf("the joined petition shows %d receptions", len(back))
		}

		// Concurrent edits: the version read before is stale now.
		stale := matter(nil, w.Petition.ID)
		stale.Version--
		_, err = db.Receptions.AddReceptionMatter(staff, r.ID, stale)
		wantErr(t, err, xinfang.ECONFLICT, "version")
		_, err = db.Receptions.RecordReception(staff, r.ID, xinfang.ReceptionRecord{Version: r.Version - 1, Summary: "x"})
		wantErr(t, err, xinfang.ECONFLICT, "version")

		// The record, with the invited's attendance and remarks.
		_, err = db.Receptions.RecordReception(staff, r.ID, xinfang.ReceptionRecord{Version: r.Version})
		wantErr(t, err, xinfang.EINVALID, "summary")
		rec := xinfang.ReceptionRecord{Version: r.Version, Summary: "接待群众 2 批 3 人次，当场交办 1 件",
			Attendance: []xinfang.AttendanceRecord{{ParticipantID: r.Participants[0].ID, Attendance: xinfang.Attended, Remarks: "解答劳动法律问题"},
				{ParticipantID: r.Participants[1].ID, Attendance: xinfang.Absent}}}
		r, err = db.Receptions.RecordReception(staff, r.ID, rec)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != xinfang.ReceptionHeld || r.Participants[0].Attendance != xinfang.Attended || r.Participants[0].Remarks != "解答劳动法律问题" || r.Participants[1].Attendance != xinfang.Absent {
			t.Fatalf("recorded: %+v", r)
		}
		// The observer's page lists the reception with his attendance.
		if o, err := db.Society.FindObserverByID(staff, obs.ID); err != nil || len(o.Receptions) != 1 || o.Receptions[0].ReceptionID != r.ID || o.Receptions[0].Attendance != xinfang.Absent {
			t.Errorf("the observer's receptions: %+v %v", o, err)
		}
		if o, err := db.Society.FindObserverByID(w.Ctx(w.HandlerB), obs.ID); err != nil || len(o.Receptions) != 0 {
			t.Errorf("town B sees the observer's reception: %v", err)
		}
		_, err = db.Receptions.CancelReception(staff, r.ID, r.Version, "领导另有公务")
		wantErr(t, err, xinfang.ECONFLICT, "state")

		// A 下访 to village B is seen in town B.
		down := &xinfang.Reception{Kind: xinfang.ReceptionDown, LeaderID: w.Leader.ID, On: day("2026-04-10"), Place: "乙镇西村村委会", PlaceUnitID: w.VillageB.ID}
		if err := db.Receptions.ScheduleReception(staff, down); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Receptions.FindReceptionByID(w.Ctx(w.HandlerB), down.ID); err != nil || got.PlaceUnitName != w.VillageB.Name {
			t.Errorf("town B reads the 下访 to its village: %v", err)
		}
		if _, err := db.Receptions.CancelReception(staff, down.ID, down.Version, ""); xinfang.ErrorCode(err) != xinfang.EINVALID {
			t.Errorf("cancel without a reason: %v", err)
		}
		if got, err := db.Receptions.CancelReception(staff, down.ID, down.Version, "汛期防汛，改期"); err != nil || got.State != xinfang.ReceptionCancelled {
			t.Errorf("cancel: %v", err)
		}
	})
}
