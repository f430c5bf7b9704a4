package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// Leaders' receptions and special meetings in the demo. Every city leader
// holds a reception day every four months over the demo's years at the city's
// reception centre (the bureau's registrar records them): most receive
// two or three matters, joined to the items of the villages concerned;
// in the last four months some are registered as new items of the channel
// 领导接访. A few leaders go down to villages (下访); the next two months'
// days are on the published schedule. About twenty special meetings
// (专题会、协调会、调度会) around the 清零 of the backlog cases decide
// tasks for the responsible units: done, running, and some past their
// deadline.

var receptionPlaces = []string{"市群众来访接待中心一楼接待室", "市群众来访接待中心领导接访室"}

var meetingTitles = map[xinfang.MeetingKind]string{
	xinfang.MeetingSpecial:      "%s 化解专题会",
	xinfang.MeetingCoordination: "%s 协调会",
	xinfang.MeetingDispatch:     "信访积案清零调度会（%s 等）",
}

var decisionTexts = []string{
	"责任单位会同属地镇（街道）三日内与信访人见面沟通，形成书面化解方案",
	"由包案领导牵头，相关职能部门十日内提出政策依据和处理意见",
	"对符合条件的诉求依法依规落实到位，不符合的做好解释疏导",
	"组织律师、专家参与，对信访人开展法律释明和心理疏导",
	"属地落实稳控和帮扶措施，每周报告化解进展",
}

func (l *loader) receptionsAndMeetings(petitions int) error {
	clock := l.db.Now
	defer func() { l.db.Now = clock }()
	if err := l.receptions(receptionItemCount(petitions)); err != nil {
		return fmt.Errorf("receptions: %w", err)
	}
	if err := l.meetings(); err != nil {
		return fmt.Errorf("meetings: %w", err)
	}
	return nil
}

// receptionItemCount is how many of the petitions asked for are registered
// at leaders' receptions (领导接访): only a demo of some size has them, 12
// of 800, so that a small one's stories stay as they were.
func receptionItemCount(petitions int) int {
	if petitions < 300 {
		return 0
	}
	return 12 * petitions / 800
}

// atHour returns the instant at hour on day, Beijing time.
func atHour(day calendar.Date, hour int) time.Time {
	return time.Date(day.Year, day.Month, day.Day, hour, 0, 0, 0, calendar.Location())
}

// receptions holds the reception days, registering newItems items at the
// receptions of the last year.
func (l *loader) receptions(newItems int) error {
	d := dice{rand.New(rand.NewPCG(2026, 0x4c44_5246))}
	reg := l.c.registrars[0]
	ctx := l.asUser(reg)
	// The items leaders may be shown: not 检举控告, registered by then.
	var items []*xinfang.Petition
	for _, p := range l.final {
		if p.Purpose != xinfang.PurposeAccusation {
			items = append(items, p)
		}
	}
	sortPetitions(items)
	var observer *xinfang.Observer
	for _, o := range l.soc.observers {
		if o.UserID == l.c.users["observer"].ID {
			observer = o
		}
	}
	lawyer := l.c.users["lawyer"]
	end := calendar.DateOf(l.end)
	first := calendar.DateOf(l.end.AddDate(-3, 0, 0))
	registered := 0
	for li, leader := range l.c.leaders {
		for day := first.AddDays(7 * li); !day.After(end.AddDays(60)); day = day.AddDays(122) {
			on := l.workday(day)
			kind, place, placeUnit := xinfang.ReceptionVisit, oneOf(d, receptionPlaces), int64(0)
			var village *xinfang.Unit
			if d.chance(12) {
				t := oneOf(d, l.c.towns)
				village = t.unit
				if len(t.places) > 0 {
					village = oneOf(d, t.places)
				}
				kind, place, placeUnit = xinfang.ReceptionDown, village.Name+"村（居）委会", village.ID
			}
			r := &xinfang.Reception{Kind: kind, LeaderID: leader.ID, On: on, Place: place, PlaceUnitID: placeUnit, Topic: "听取群众诉求，现场协调解决"}
			if d.chance(40) {
				r.Participants = append(r.Participants, xinfang.ReceptionParticipant{Kind: xinfang.FromLawyer, UserID: lawyer.ID})
			}
			if observer != nil && d.chance(30) {
				r.Participants = append(r.Participants, xinfang.ReceptionParticipant{Kind: xinfang.FromObserver, ObserverID: observer.ID})
			}
			sched := on.AddDays(-20)
			if sched.After(end) {
				sched = end
			}
			l.db.Now = func() time.Time { return atHour(sched, 10) }
			if err := l.db.Receptions.ScheduleReception(ctx, r); err != nil {
				return err
			}
			if on.After(end) {
				continue // on the published schedule
			}
			l.db.Now = func() time.Time { return atHour(on, 11) }
			var err error
			for k, n := 0, d.between(1, 2); k < n; k++ {
				in := xinfang.ReceptionMatterInput{Version: r.Version, Instruction: oneOf(d, []string{
					"请责任单位五个工作日内提出处理意见并答复信访人", "请属地镇（街道）会同有关部门现场核实，依法依规处理",
					"对诉求合理的要解决到位，对诉求无理的要做好解释疏导", "纳入包案，限期化解"})}
				recent := end.Sub(on) <= 366 && registered < newItems && len(items) > 0
				if recent {
					src := oneOf(d, items)
					p := &xinfang.Petition{Petitioner: l.pp.person(atHour(on, 9), src.Petitioner.Address, false), PersonCount: 1, InvolvedCount: 1,
						Summary: src.Summary, Content: "在领导接访日反映：" + src.Content, Request: src.Request, Category: src.Category, Purpose: src.Purpose, LocalityID: src.LocalityID}
					if village != nil {
						p.LocalityID = village.ID
					}
					in.Petition, in.Petitioners, in.Raised = p, p.Petitioner.Name, src.Summary
					registered++
				} else {
					src := l.pickBefore(d, items, atHour(on, 9), village)
					if src == nil {
						continue
					}
					in.PetitionID, in.Petitioners, in.Raised = src.ID, petitionerName(src), src.Summary
				}
				if r, err = l.db.Receptions.AddReceptionMatter(ctx, r.ID, in); err != nil {
					return err
				}
			}
			rec := xinfang.ReceptionRecord{Version: r.Version, Summary: fmt.Sprintf("%s%s，接待来访群众 %d 批，当场交办 %d 件。", leader.Name, kind.Label(), len(r.Matters), len(r.Matters))}
			for _, x := range r.Participants {
				a := xinfang.AttendanceRecord{ParticipantID: x.ID, Attendance: xinfang.Attended, Remarks: "现场提供法律咨询，释法明理"}
				if x.Kind == xinfang.FromObserver {
					a.Remarks = "全程监督接访，建议对群众反映集中的问题开展专项治理"
				}
				if d.chance(10) {
					a.Attendance, a.Remarks = xinfang.Absent, ""
				}
				rec.Attendance = append(rec.Attendance, a)
			}
			if _, err := l.db.Receptions.RecordReception(ctx, r.ID, rec); err != nil {
				return err
			}
		}
	}
	if registered != newItems {
		// The demo holds exactly the petitions asked for.
		return fmt.Errorf("%d items registered at receptions, want %d", registered, newItems)
	}
	return nil
}

// workday is the first working day at or after day.
func (l *loader) workday(day calendar.Date) calendar.Date {
	for !l.cal.IsWorkday(day) {
		day = day.AddDays(1)
	}
	return day
}

// pickBefore picks an item received before t, of village when given.
func (l *loader) pickBefore(d dice, items []*xinfang.Petition, t time.Time, village *xinfang.Unit) *xinfang.Petition {
	var cands []*xinfang.Petition
	for _, p := range items {
		if p.ReceivedAt.Before(t) && (village == nil || p.LocalityID == village.ID) {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 && village != nil {
		return l.pickBefore(d, items, t, nil)
	}
	if len(cands) == 0 {
		return nil
	}
	return oneOf(d, cands)
}

func (l *loader) meetings() error {
	d := dice{rand.New(rand.NewPCG(2026, 0x4d45_4554))}
	head := l.c.bureauHead
	ctx := l.asUser(head)
	cases, _, err := l.db.Cases.FindCases(ctx, xinfang.CaseFilter{Limit: 500})
	if err != nil {
		return err
	}
	// The cases still being worked on first: their meetings' decisions
	// run; then the resolved ones, whose meetings are on record.
	sortCases(cases)
	slices.SortStableFunc(cases, func(a, b *xinfang.Case) int { return cmp.Compare(b2n(a.State.Done()), b2n(b.State.Done())) })
	owners := map[int64]*xinfang.User{}
	for _, t := range l.c.towns {
		owners[t.unit.ID] = t.head
	}
	for key, u := range l.c.units {
		if h := l.c.heads[key]; h != nil {
			owners[u.ID] = h
		}
	}
	end := calendar.DateOf(l.end)
	kinds := []xinfang.MeetingKind{xinfang.MeetingSpecial, xinfang.MeetingSpecial, xinfang.MeetingCoordination, xinfang.MeetingDispatch}
	for i, c := range cases {
		if i >= 20 {
			break
		}
		if c.LeaderID == 0 {
			continue
		}
		held := l.workday(calendar.DateOf(c.CreatedAt).AddDays(d.between(10, 40)))
		if held.After(end) {
			held = end
		}
		kind := kinds[i%len(kinds)]
		in := xinfang.MeetingInput{Kind: kind, Title: fmt.Sprintf(meetingTitles[kind], c.Title), HeldOn: held, Place: "市信访局三楼会议室", ChairID: c.LeaderID,
			CaseIDs: []int64{c.ID}, Guests: "属地镇（街道）分管负责同志\n市信访局督查科",
			Minutes: fmt.Sprintf("会议听取了%s关于%s的情况汇报，分析了信访人诉求和化解难点，研究确定了化解措施和责任分工。", c.ResponsibleUnitName, c.Title)}
		if o := owners[c.ResponsibleUnitID]; o != nil {
			in.AttendeeIDs = []int64{o.ID, head.ID}
		}
		if kind == xinfang.MeetingDispatch && i+1 < len(cases) {
			in.CaseIDs = append(in.CaseIDs, cases[i+1].ID)
		}
		if len(c.PetitionIDs) > 0 {
			in.PetitionIDs = c.PetitionIDs[:1]
		}
		l.db.Now = func() time.Time { return atHour(held, 16) }
		m, err := l.db.Meetings.RecordMeeting(ctx, in)
		if err != nil {
			return err
		}
		if c.State.Done() {
			continue // a meeting of a case since resolved: its decisions were carried out before
		}
		for k, n := 0, d.between(1, 2); k < n; k++ {
			deadline := held.AddDays(d.between(10, 45))
			dec := xinfang.MeetingDecision{Version: m.Version, CaseID: c.ID, Title: oneOf(d, decisionTexts), OwnerUnitID: c.ResponsibleUnitID, Deadline: deadline}
			if o := owners[c.ResponsibleUnitID]; o != nil {
				dec.OwnerUserID = o.ID
			}
			if m, err = l.db.Meetings.AddMeetingDecision(ctx, m.ID, dec); err != nil {
				return err
			}
			// About half are done by their deadline; the rest run, some
			// past it (overdue).
			if done := deadline.AddDays(-d.between(1, 8)); d.chance(50) && !done.After(end) {
				t := m.Decisions[len(m.Decisions)-1]
				l.db.Now = func() time.Time { return atHour(done, 15) }
				cur, err := l.db.Cases.FindCaseByID(ctx, c.ID)
				if err != nil {
					return err
				}
				if _, err := l.db.Cases.ChangeCaseTask(ctx, c.ID, cur.Version, t.ID, xinfang.TaskChange{State: xinfang.TaskDone, Note: "已按会议要求落实，书面报告已报市信访局"}); err != nil {
					return err
				}
				l.db.Now = func() time.Time { return atHour(held, 16) }
				if m, err = l.db.Meetings.FindMeetingByID(ctx, m.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sortPetitions(list []*xinfang.Petition) {
	slices.SortFunc(list, func(a, b *xinfang.Petition) int { return cmp.Compare(a.ID, b.ID) })
}

func sortCases(list []*xinfang.Case) {
	slices.SortFunc(list, func(a, b *xinfang.Case) int { return cmp.Compare(a.ID, b.ID) })
}

func b2n(b bool) int {
	if b {
		return 1
	}
	return 0
}
