package demo_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
)

// The demo's expert pool, observers and hearings: the 复核 hearings are
// the register's, each petition's hearing events carry its hearing's
// days, and the outside accounts see the hearings they sit in.
func TestLoadSociety(t *testing.T) {
	db := openDB(t)
	mustLoad(t, db, 400)
	staff := userCtx(t, db, "lxb.head")
	experts, err := db.Society.FindExperts(staff, xinfang.ExpertFilter{})
	if err != nil || len(experts) != 50 {
		t.Fatalf("%d experts (%v), want 50", len(experts), err)
	}
	observers, err := db.Society.FindObservers(staff, xinfang.ObserverFilter{})
	if err != nil || len(observers) < 10 {
		t.Fatalf("%d observers (%v)", len(observers), err)
	}
	hearings, total, err := db.Hearings.FindHearings(userCtx(t, db, "leader"), xinfang.HearingFilter{Limit: 500})
	if err != nil || total < 5 {
		t.Fatalf("%d hearings (%v), want several", total, err)
	}
	states := map[xinfang.HearingState]int{}
	lawyerSits := 0
	lawyer := xinfang.UserFromContext(userCtx(t, db, "lawyer"))
	for _, h := range hearings {
		states[h.State]++
		if len(h.Officers()) < xinfang.MinHearingOfficers || h.ScheduledOn.Sub(h.NoticeOn) < 7 {
			t.Errorf("hearing %s: %d officers, notice %s for %s", h.Number, len(h.Officers()), h.NoticeOn, h.ScheduledOn)
		}
		if h.Involves(lawyer.ID) {
			lawyerSits++
		}
		if h.State == xinfang.HearingScheduled {
			continue
		}
		events, err := db.Petitions.FindEvents(staff, h.PetitionID)
		if err != nil {
			t.Fatal(err)
		}
		var start, end string
		for _, e := range events {
			if e.Data["hearing"] == h.Number {
				switch e.Action {
				case xinfang.ActHearingStart:
					start = e.Data["started_on"]
				case xinfang.ActHearingEnd:
					end = e.Data["ended_on"]
				}
			}
		}
		if start != h.StartedOn.String() || (h.State == xinfang.HearingConcluded) != (end != "") || (end != "" && end != h.EndedOn.String()) {
			t.Errorf("hearing %s (%s, %s–%s): the petition's events say %q–%q", h.Number, h.State, h.StartedOn, h.EndedOn, start, end)
		}
	}
	t.Logf("%d hearings: %v; the lawyer sits in %d", total, states, lawyerSits)
	if states[xinfang.HearingConcluded] == 0 {
		t.Errorf("no concluded hearing: %v", states)
	}
	_, seen, err := db.Hearings.FindHearings(userCtx(t, db, "lawyer"), xinfang.HearingFilter{})
	if err != nil || seen != lawyerSits || seen == 0 {
		t.Errorf("the lawyer sees %d hearings (%v); he sits in %d", seen, err, lawyerSits)
	}
}

// The demo's lawyer and mediator see exactly the items assigned to them.
func TestLoadAssignments(t *testing.T) {
	db := openDB(t)
	mustLoad(t, db, 300)
	for _, username := range []string{"lawyer", "mediator"} {
		ctx := userCtx(t, db, username)
		mine, err := db.Assignments.FindAssignments(ctx, xinfang.AssignmentFilter{Mine: true})
		if err != nil || len(mine) == 0 {
			t.Fatalf("%s has %d assignments (%v)", username, len(mine), err)
		}
		_, total, err := db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Limit: 10})
		if err != nil || total != len(mine) {
			t.Errorf("%s sees %d petitions (%v), assigned %d", username, total, err, len(mine))
		}
	}
}

// The demo's mediations: teams in every town, agreements in every state of
// fulfilment, the mediator account seeing only his.
func TestLoadMediations(t *testing.T) {
	db := openDB(t)
	mustLoad(t, db, 400)
	leader := userCtx(t, db, "leader")
	list, total, err := db.Mediations.FindMediations(leader, xinfang.MediationFilter{Limit: 500})
	if err != nil || total < 15 {
		t.Fatalf("%d mediations (%v)", total, err)
	}
	states := map[xinfang.MediationState]int{}
	for _, m := range list {
		states[m.State]++
	}
	_, overdue, _ := db.Mediations.FindMediations(leader, xinfang.MediationFilter{Overdue: true})
	t.Logf("%d mediations: %v, %d overdue", total, states, overdue)
	if states[xinfang.MediationAgreed] == 0 || states[xinfang.MediationFailed] == 0 || overdue == 0 {
		t.Errorf("mediations %v with %d overdue: want agreements, failures and some past their day", states, overdue)
	}
	_, mine, err := db.Mediations.FindMediations(userCtx(t, db, "mediator"), xinfang.MediationFilter{})
	if err != nil || mine == 0 || mine == total {
		t.Errorf("the mediator account sees %d of %d (%v)", mine, total, err)
	}
}

// The demo's judicial aid: applications in every state, one past its
// decision day.
func TestLoadJudicialAid(t *testing.T) {
	db := openDB(t)
	mustLoad(t, db, 800)
	ctx := userCtx(t, db, "leader")
	list, total, err := db.JudicialAid.FindJudicialAids(ctx, xinfang.JudicialAidFilter{})
	if err != nil || total < 5 {
		t.Fatalf("%d applications (%v)", total, err)
	}
	states := map[xinfang.JudicialAidState]int{}
	for _, a := range list {
		states[a.State]++
	}
	_, overdue, _ := db.JudicialAid.FindJudicialAids(ctx, xinfang.JudicialAidFilter{Overdue: true})
	t.Logf("%d applications: %v, %d overdue", total, states, overdue)
	for _, s := range xinfang.JudicialAidStates {
		if states[xinfang.JudicialAidState(s.Code)] == 0 {
			t.Errorf("no application %s", s.Label)
		}
	}
	if overdue == 0 {
		t.Error("no application past its decision day")
	}
}

// The lawyer's legal opinions on his 涉法涉诉 items.
func TestLoadLegalOpinions(t *testing.T) {
	db := openDB(t)
	mustLoad(t, db, 300)
	list, err := db.Opinions.FindLegalOpinions(userCtx(t, db, "lawyer"), 0)
	if err != nil || len(list) == 0 {
		t.Fatalf("%d legal opinions (%v)", len(list), err)
	}
	issued := 0
	for _, o := range list {
		if o.Issued {
			issued++
		}
	}
	if issued == 0 || issued == len(list) && len(list) > 6 {
		t.Errorf("%d of %d issued", issued, len(list))
	}
}

// The demo's seats: experts and observers on the cases' consultations and
// on some 督办单, most recorded, listed on the experts' and observers'
// pages.
func TestLoadSeats(t *testing.T) {
	db := openDB(t)
	mustLoad(t, db, 400)
	staff := userCtx(t, db, "leader")
	experts, err := db.Society.FindExperts(staff, xinfang.ExpertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	on := map[xinfang.SeatOn]int{}
	recorded, seated := 0, 0
	for _, e := range experts {
		full, err := db.Society.FindExpertByID(staff, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range full.Seats {
			on[s.On]++
			seated++
			if s.Attendance != "" {
				recorded++
			}
		}
	}
	t.Logf("%d expert seats: %v, %d recorded", seated, on, recorded)
	if on[xinfang.SeatConsultation] == 0 || on[xinfang.SeatSupervision] == 0 || recorded == 0 || recorded == seated {
		t.Errorf("expert seats %v, %d of %d recorded: want both kinds, most but not all recorded", on, recorded, seated)
	}
}

// The demo's leaders' receptions and special meetings: reception days of
// every city leader with matters, some registered as 领导接访 items, a few
// 下访, days ahead on the schedule; meetings on the backlog cases whose
// decisions are tasks, some done and some past their deadline.
func TestLoadReceptionsAndMeetings(t *testing.T) {
	db := openDB(t)
	mustLoad(t, db, 400)
	leader := userCtx(t, db, "leader")
	list, total, err := db.Receptions.FindReceptions(leader, xinfang.ReceptionFilter{Limit: 500})
	if err != nil || total < 50 {
		t.Fatalf("%d receptions (%v)", total, err)
	}
	leaders, kinds, registered, matters := map[int64]bool{}, map[xinfang.ReceptionKind]int{}, 0, 0
	for _, r := range list {
		leaders[r.LeaderID] = true
		kinds[r.Kind]++
		for _, m := range r.Matters {
			matters++
			if m.Registered {
				registered++
			}
		}
	}
	if len(leaders) < 7 || kinds[xinfang.ReceptionDown] == 0 || registered == 0 || matters < total {
		t.Errorf("receptions of %d leaders, kinds %v, %d matters, %d registered", len(leaders), kinds, matters, registered)
	}
	var ch []*xinfang.Petition
	if ch, _, err = db.Petitions.FindPetitions(leader, xinfang.PetitionFilter{Channel: xinfang.ChannelLeaderReception, Limit: 100}); err != nil || len(ch) != registered {
		t.Errorf("%d items of the channel 领导接访, %d matters registered (%v)", len(ch), registered, err)
	}
	sched, err := db.Receptions.ReceptionSchedule(userCtx(t, db, "registrar"), calendar.DateOf(db.Now()), calendar.DateOf(db.Now()).AddDays(60))
	if err != nil || len(sched) == 0 {
		t.Errorf("%d reception days ahead (%v)", len(sched), err)
	}
	meetings, n, err := db.Meetings.FindMeetings(leader, xinfang.MeetingFilter{})
	if err != nil || n < 15 {
		t.Fatalf("%d meetings (%v)", n, err)
	}
	done, late := 0, 0
	today := calendar.DateOf(db.Now())
	for _, m := range meetings {
		for _, d := range m.Decisions {
			if d.State == xinfang.TaskDone {
				done++
			}
			if d.Late(today) {
				late++
			}
		}
	}
	t.Logf("%d receptions (%v, %d matters, %d registered), %d meetings: %d decisions done, %d late", total, kinds, matters, registered, n, done, late)
	if done == 0 || late == 0 {
		t.Errorf("meetings' decisions: %d done, %d late; want some of each", done, late)
	}
}
