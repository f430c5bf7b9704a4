package sqldb_test

import (
	"context"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

func day(s string) calendar.Date { return calendar.MustParseDate(s) }

// rereviewing takes a petition of town A through reply, review and the
// request for 复核 received on 2026-07-06 (复核 due 08-05), as its
// handler, the clock following.
func rereviewing(t *testing.T, f *sqldbtest.Fixture, c *clock) *xinfang.Petition {
	t.Helper()
	c.Set(at("2026-04-01"))
	p := f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, 71))
	step := func(on string, a xinfang.Action, data map[string]string) {
		t.Helper()
		c.Set(at(on))
		p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: a, Version: p.Version, Data: data})
	}
	step("2026-04-01", xinfang.ActAccept, nil)
	step("2026-05-20", xinfang.ActReply, map[string]string{"outcome": "reject", "facts": "工资已结清。", "opinion": "不予支持。"})
	step("2026-05-21", xinfang.ActDeliver, map[string]string{"method": "post", "delivered_on": "2026-05-21", "receipt": "signed", "petitioner_opinion": "disagree"})
	step("2026-06-10", xinfang.ActRequestReview, map[string]string{"received_on": "2026-06-10", "request": "请求复查"})
	step("2026-07-01", xinfang.ActReviewReply, map[string]string{"outcome": "reject", "facts": "复查认定事实清楚。", "opinion": "维持。"})
	step("2026-07-02", xinfang.ActDeliver, map[string]string{"method": "in_person", "delivered_on": "2026-07-02", "receipt": "signed", "petitioner_opinion": "disagree"})
	step("2026-07-06", xinfang.ActRequestRereview, map[string]string{"received_on": "2026-07-06", "request": "请求复核"})
	return p
}

func rereviewDue(t *testing.T, db *sqldb.DB, ctx context.Context, id int64) xinfang.Clock {
	t.Helper()
	p, err := db.Petitions.FindPetitionByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Clocks {
		if c.Kind == xinfang.ClockRereview {
			return c
		}
	}
	t.Fatal("no 复核 clock")
	return xinfang.Clock{}
}

func mkUser(t *testing.T, db *sqldb.DB, username, name string, unit *xinfang.Unit, roles ...xinfang.Role) *xinfang.User {
	t.Helper()
	u := &xinfang.User{Username: username, Name: name, UnitID: unit.ID, Roles: roles}
	if err := db.Directory.CreateUser(context.Background(), u, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	loaded, err := db.Directory.FindUserByID(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// The expert pool and the observers' register: bad input refused on the
// field and nothing written; kept by staff, refused to outside roles.
func TestSocietyRegisters(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		lawyer := mkUser(t, db, "lawyer1", "周律师", f.City, xinfang.RoleLawyer)
		ctx := f.Ctx(f.HandlerA)
		bad := &xinfang.Expert{Name: "", Field: "astrology", Phone: ""}
		err := db.Society.SaveExpert(ctx, bad)
		wantErr(t, err, xinfang.EINVALID, "name")
		for _, k := range []string{"field", "phone"} {
			if xinfang.ErrorFields(err)[k] == "" {
				t.Errorf("bad expert: %s not named in %v", k, err)
			}
		}
		wantErr(t, db.Society.SaveExpert(ctx, &xinfang.Expert{Name: "吴教授", Field: "education", Phone: "13900000001", UserID: 99999}), xinfang.EINVALID, "user_id")
		wantErr(t, db.Society.SaveObserver(ctx, &xinfang.Observer{Name: "陈代表", Kind: "king"}), xinfang.EINVALID, "kind")
		if n := count(t, db, "experts") + count(t, db, "observers"); n != 0 {
			t.Fatalf("refused input wrote %d rows", n)
		}
		wantErr(t, db.Society.SaveExpert(f.Ctx(lawyer), &xinfang.Expert{Name: "吴教授", Field: "education", Phone: "13900000001"}), xinfang.EFORBIDDEN, "")

		e := &xinfang.Expert{Name: "吴教授", Field: "education", Title: "教授", Employer: "示例市师范学院", Phone: "13900000001", Available: true}
		if err := db.Society.SaveExpert(ctx, e); err != nil {
			t.Fatal(err)
		}
		e.Available = false
		e.Note = "出国访学至年底"
		if err := db.Society.SaveExpert(ctx, e); err != nil || e.Available || e.Note != "出国访学至年底" {
			t.Fatalf("update expert: %+v %v", e, err)
		}
		o := &xinfang.Observer{Name: "陈代表", Kind: "deputy", Affiliation: "市人大代表", Phone: "13900000002", Available: true}
		if err := db.Society.SaveObserver(ctx, o); err != nil {
			t.Fatal(err)
		}
		list, err := db.Society.FindExperts(f.Ctx(f.Leader), xinfang.ExpertFilter{Field: "education"})
		if err != nil || len(list) != 1 || list[0].ID != e.ID {
			t.Fatalf("experts by field: %v %v", list, err)
		}
		if list, _ := db.Society.FindExperts(f.Ctx(f.Leader), xinfang.ExpertFilter{Available: true}); len(list) != 0 {
			t.Errorf("an unavailable expert is listed as available")
		}
		obs, err := db.Society.FindObservers(ctx, xinfang.ObserverFilter{Q: "陈"})
		if err != nil || len(obs) != 1 {
			t.Fatalf("observers: %v %v", obs, err)
		}
		if _, err := db.Society.FindExperts(f.Ctx(lawyer), xinfang.ExpertFilter{}); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			t.Errorf("a lawyer reads the expert pool: %v", err)
		}
	})
}

// A hearing on a petition in 复核: refused when the notice comes too late,
// with fewer than three officers, or chaired by the item's handler, with
// nothing written; its start and end days pause the 复核 clock exactly;
// seen by its people and the petition's units only.
func TestHearingLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		c := fixClock(db, at("2026-04-01"))
		f := sqldbtest.NewFixture(t, db)
		p := rereviewing(t, f, c)
		staff := f.Ctx(f.HeadA)
		if got := rereviewDue(t, db, staff, p.ID); got.Due != day("2026-08-05") {
			t.Fatalf("复核 due %s, want 2026-08-05", got.Due)
		}
		lawyer := mkUser(t, db, "lawyer1", "周律师", f.City, xinfang.RoleLawyer)
		otherLawyer := mkUser(t, db, "lawyer2", "郑律师", f.City, xinfang.RoleLawyer)
		observerUser := mkUser(t, db, "observer1", "陈代表", f.City, xinfang.RoleObserver)
		var experts []*xinfang.Expert
		for _, n := range []string{"吴教授", "冯主任"} {
			e := &xinfang.Expert{Name: n, Field: "labor", Title: "教授", Employer: "示例市大学", Phone: "13900000001", Available: true}
			if err := db.Society.SaveExpert(staff, e); err != nil {
				t.Fatal(err)
			}
			experts = append(experts, e)
		}
		o := &xinfang.Observer{Name: "陈代表", Kind: "deputy", Affiliation: "市人大", Phone: "13900000003", Available: true, UserID: observerUser.ID}
		if err := db.Society.SaveObserver(staff, o); err != nil {
			t.Fatal(err)
		}

		c.Set(at("2026-07-08"))
		officers := []xinfang.HearingParticipant{
			{Role: xinfang.RoleOfficer, Kind: xinfang.FromExpert, ExpertID: experts[0].ID},
			{Role: xinfang.RoleOfficer, Kind: xinfang.FromExpert, ExpertID: experts[1].ID},
			{Role: xinfang.RoleOfficer, Kind: xinfang.FromLawyer, UserID: lawyer.ID},
			{Role: xinfang.RoleAttendee, Kind: xinfang.FromObserver, ObserverID: o.ID},
		}
		good := func() *xinfang.Hearing {
			return &xinfang.Hearing{PetitionID: p.ID, Subject: "张三工资拖欠复核听证", Place: "甲镇政府听证室", ScheduledOn: day("2026-07-15"), NoticeOn: day("2026-07-08"),
				Public: true, ChairUserID: f.HeadA.ID, Parties: "信访人：张三\n被反映单位：某公司", Participants: append([]xinfang.HearingParticipant(nil), officers...)}
		}
		for _, c := range []struct {
			name, field string
			edit        func(h *xinfang.Hearing)
		}{
			{"notice too late", "notice_on", func(h *xinfang.Hearing) { h.ScheduledOn = day("2026-07-14") }},
			{"two officers", "officers", func(h *xinfang.Hearing) { h.Participants = h.Participants[1:] }},
			{"closed without reason", "closed_reason", func(h *xinfang.Hearing) { h.Public = false }},
			{"chair handled the item", "chair_user_id", func(h *xinfang.Hearing) { h.ChairUserID = f.HandlerA.ID }},
			{"a lawyer who is not one", "participants", func(h *xinfang.Hearing) { h.Participants[2].UserID = otherLawyer.ID + 1000 }},
			{"no petition", "petition_id", func(h *xinfang.Hearing) { h.PetitionID = 0 }},
		} {
			h := good()
			c.edit(h)
			wantErr(t, db.Hearings.CreateHearing(staff, h), xinfang.EINVALID, c.field)
		}
		if n := count(t, db, "hearings") + count(t, db, "hearing_participants") + count(t, db, "hearing_counters"); n != 0 {
			t.Fatalf("refused hearings wrote %d rows", n)
		}
		wantErr(t, db.Hearings.CreateHearing(f.Ctx(lawyer), good()), xinfang.EFORBIDDEN, "")

		h := good()
		if err := db.Hearings.CreateHearing(staff, h); err != nil {
			t.Fatal(err)
		}
		if h.Number != "TZ-2026-0001" || h.State != xinfang.HearingScheduled || len(h.Officers()) != 3 || len(h.Attendees()) != 1 || h.ChairName != f.HeadA.Name {
			t.Fatalf("created: %+v", h)
		}
		if h.Attendees()[0].UserID != observerUser.ID {
			t.Errorf("the observer's account is not his participation's: %+v", h.Attendees()[0])
		}

		// Who sees it: the town, the chair's unit, the lawyer and the
		// observer assigned; not another lawyer, not town B.
		for _, u := range []*xinfang.User{f.HandlerA, lawyer, observerUser, f.Leader} {
			if _, err := db.Hearings.FindHearingByID(f.Ctx(u), h.ID); err != nil {
				t.Errorf("%s does not see the hearing: %v", u.Username, err)
			}
			if list, total, err := db.Hearings.FindHearings(f.Ctx(u), xinfang.HearingFilter{}); err != nil || total != 1 || len(list) != 1 {
				t.Errorf("%s lists %d hearings (%v), want 1", u.Username, total, err)
			}
		}
		for _, u := range []*xinfang.User{otherLawyer, f.HandlerB} {
			if _, err := db.Hearings.FindHearingByID(f.Ctx(u), h.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
				t.Errorf("%s reads the hearing: %v", u.Username, err)
			}
			if _, total, err := db.Hearings.FindHearings(f.Ctx(u), xinfang.HearingFilter{}); err != nil || total != 0 {
				t.Errorf("%s lists %d hearings (%v), want none", u.Username, total, err)
			}
		}
		if _, err := db.Petitions.FindPetitionByID(f.Ctx(lawyer), p.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("the hearing's lawyer reads the petition itself: %v", err)
		}
		if _, err := db.Hearings.StartHearing(f.Ctx(lawyer), h.ID, xinfang.HearingStart{Version: h.Version, StartedOn: day("2026-07-15")}); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			t.Errorf("a lawyer starts the hearing: %v", err)
		}

		// Held from 07-15, recorded on 07-20: the clock stands still from
		// 07-15 (six days to 07-20 → 36 days → 08-11).
		c.Set(at("2026-07-20"))
		_, err := db.Hearings.StartHearing(staff, h.ID, xinfang.HearingStart{Version: h.Version, StartedOn: day("2026-07-14")})
		wantErr(t, err, xinfang.EINVALID, "started_on")
		_, err = db.Hearings.ConcludeHearing(staff, h.ID, xinfang.HearingConclusion{Version: h.Version, EndedOn: day("2026-07-17"), Record: "r", Conclusion: "c"})
		wantErr(t, err, xinfang.ECONFLICT, "action")
		h, err = db.Hearings.StartHearing(staff, h.ID, xinfang.HearingStart{Version: h.Version, StartedOn: day("2026-07-15")})
		if err != nil {
			t.Fatal(err)
		}
		if !h.PausesClock || h.State != xinfang.HearingHeld {
			t.Fatalf("started: %+v", h)
		}
		if got := rereviewDue(t, db, staff, p.ID); !got.Paused || got.PausedDays != 6 || got.Due != day("2026-08-11") {
			t.Fatalf("during the hearing: paused %v %d days, due %s; want 6 days, 2026-08-11", got.Paused, got.PausedDays, got.Due)
		}

		// Ended on 07-17: three days (07-15..07-17) do not count: 33 days
		// → 08-08, a Saturday → 08-10.
		bad := xinfang.HearingConclusion{Version: h.Version, EndedOn: day("2026-07-14"), Record: "", Conclusion: "维持"}
		_, err = db.Hearings.ConcludeHearing(staff, h.ID, bad)
		wantErr(t, err, xinfang.EINVALID, "ended_on")
		if xinfang.ErrorFields(err)["record"] == "" {
			t.Errorf("a conclusion without its record: %v", err)
		}
		att := []xinfang.AttendanceRecord{}
		for _, x := range h.Participants {
			att = append(att, xinfang.AttendanceRecord{ParticipantID: x.ID, Attendance: xinfang.Attended, Remarks: "同意维持原意见"})
		}
		att[3].Attendance, att[3].Remarks = xinfang.Attended, "听证程序规范，建议加强释法明理"
		h, err = db.Hearings.ConcludeHearing(staff, h.ID, xinfang.HearingConclusion{Version: h.Version, EndedOn: day("2026-07-17"), Record: "主持人宣布听证开始……",
			Conclusion: "听证员一致认为原处理意见事实清楚，建议维持。", PetitionerAttended: true, Attendance: att})
		if err != nil {
			t.Fatal(err)
		}
		if h.State != xinfang.HearingConcluded || h.EndedOn != day("2026-07-17") || h.Attendees()[0].Remarks != "听证程序规范，建议加强释法明理" {
			t.Fatalf("concluded: %+v", h)
		}
		got := rereviewDue(t, db, staff, p.ID)
		if got.Paused || got.PausedDays != 3 || got.Due != day("2026-08-10") {
			t.Fatalf("after the hearing: paused %v %d days, due %s; want 3 days, 2026-08-10", got.Paused, got.PausedDays, got.Due)
		}
		events, err := db.Petitions.FindEvents(staff, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Action != xinfang.ActHearingEnd || last.Data["hearing"] != h.Number || last.Data["ended_on"] != "2026-07-17" {
			t.Errorf("the petition's last event: %+v", last)
		}

		// The observer's attendance is on his record.
		ob, err := db.Society.FindObserverByID(staff, o.ID)
		if err != nil || len(ob.Attendances) != 1 || ob.Attendances[0].Attendance != xinfang.Attended || ob.Attendances[0].HearingNumber != h.Number {
			t.Errorf("observer's attendances: %+v %v", ob, err)
		}
		ex, err := db.Society.FindExpertByID(staff, experts[0].ID)
		if err != nil || len(ex.Participations) != 1 || ex.Participations[0].Role != xinfang.RoleOfficer {
			t.Errorf("expert's participations: %+v %v", ex, err)
		}

		// A second hearing is cancelled before it starts; a concluded one
		// cannot be.
		h2 := good()
		h2.ScheduledOn, h2.NoticeOn = day("2026-07-30"), day("2026-07-20")
		if err := db.Hearings.CreateHearing(staff, h2); err != nil {
			t.Fatal(err)
		}
		_, err = db.Hearings.CancelHearing(staff, h2.ID, h2.Version, "")
		wantErr(t, err, xinfang.EINVALID, "reason")
		if h2, err = db.Hearings.CancelHearing(staff, h2.ID, h2.Version, "信访人申请延期"); err != nil || h2.State != xinfang.HearingCancelled {
			t.Fatalf("cancel: %+v %v", h2, err)
		}
		_, err = db.Hearings.CancelHearing(staff, h.ID, h.Version, "x")
		wantErr(t, err, xinfang.ECONFLICT, "action")
	})
}
