package procedure_test

import (
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// checkClock compares the fields of a derived clock that a case sets.
type wantClock struct {
	start, due, doneOn string
	running, onTime    bool
	level              xinfang.Warning
	extended, paused   int
	why                string // a line of Why contains this
}

func checkClock(t *testing.T, c xinfang.Clock, w wantClock) {
	t.Helper()
	if w.start != "" && c.Start.String() != w.start {
		t.Errorf("%s: start %s, want %s", c.Kind, c.Start, w.start)
	}
	if c.Due.String() != w.due {
		t.Errorf("%s: due %s, want %s\n%s", c.Kind, c.Due, w.due, strings.Join(c.Why, "\n"))
	}
	if c.Running != w.running {
		t.Errorf("%s: running %v, want %v", c.Kind, c.Running, w.running)
	}
	if c.DoneOn.String() != w.doneOn || c.OnTime != w.onTime {
		t.Errorf("%s: done on %q on time %v, want %q %v", c.Kind, c.DoneOn, c.OnTime, w.doneOn, w.onTime)
	}
	if c.Level != w.level {
		t.Errorf("%s: level %q, want %q", c.Kind, c.Level, w.level)
	}
	if c.ExtendedDays != w.extended || c.PausedDays != w.paused {
		t.Errorf("%s: extended %d paused %d, want %d %d", c.Kind, c.ExtendedDays, c.PausedDays, w.extended, w.paused)
	}
	if w.why != "" && !strings.Contains(strings.Join(c.Why, "\n"), w.why) {
		t.Errorf("%s: why does not say %q:\n%s", c.Kind, w.why, strings.Join(c.Why, "\n"))
	}
	if len(c.Why) == 0 || !strings.Contains(c.Why[0], c.Article) || c.Article == "" {
		t.Errorf("%s: why %q does not start with the article %q", c.Kind, c.Why, c.Article)
	}
}

// 第二十三条第三款: 5 working days from receipt of the transfer. Received on
// Tuesday 2026-09-29: 9-30 is day 1, 10-01..10-07 is 国庆, 10-08 and 10-09
// are days 2 and 3, Saturday 10-10 is a make-up working day (day 4), 10-11 is
// Sunday, Monday 10-12 is day 5.
func TestObjectionClock(t *testing.T) {
	it := register(t, bureau, registrar, day("2026-09-28"))
	it.do(registrar, xinfang.ActTransfer, day("2026-09-29"), transferA)

	checkClock(t, it.clock(xinfang.ClockObjection, day("2026-09-30")), wantClock{
		start: "2026-09-29", due: "2026-10-12", running: true, level: xinfang.WarnNormal,
		why: "2026-10-10 为国庆节调休上班，计为第 4 个工作日"})
	c := it.clock(xinfang.ClockObjection, day("2026-09-30"))
	if !c.Workdays || c.Length != 5 || c.Duty {
		t.Errorf("objection clock: workdays %v length %d duty %v, want true 5 false", c.Workdays, c.Length, c.Duty)
	}
	// The notice clock runs from the same receipt, in calendar days.
	checkClock(t, it.clock(xinfang.ClockNotice, day("2026-09-30")), wantClock{
		start: "2026-09-29", due: "2026-10-14", running: true, level: xinfang.WarnNormal})

	// The handling side may object on the last day, not the day after.
	if _, err := it.try(handlerA, xinfang.ActReturn, at("2026-10-12 17:59"), reasonData); err != nil {
		t.Errorf("return on 2026-10-12: %v", err)
	}
	if _, err := it.try(handlerA, xinfang.ActReturn, at("2026-10-13 08:30"), reasonData); xinfang.ErrorFields(err)["reason"] == "" {
		t.Errorf("return on 2026-10-13: %v, want the window closed", err)
	}
	// A return the day after the window, recorded by staff as having
	// happened on the last day, is judged on that day.
	req := it.request(handlerA, xinfang.ActReturn, day("2026-10-13"), reasonData)
	req.Input.At = at("2026-10-12 16:00")
	e, err := pr.Apply(req, lookup{})
	if err != nil {
		t.Fatalf("back-dated return: %v", err)
	}
	if !e.At.Equal(at("2026-10-12 16:00")) {
		t.Errorf("back-dated return at %s, want 2026-10-12 16:00", e.At)
	}
	it.record(e)
	st := it.status(day("2026-10-13"))
	checkClock(t, it.clock(xinfang.ClockObjection, day("2026-10-13")), wantClock{
		start: "2026-09-29", due: "2026-10-12", doneOn: "2026-10-12", onTime: true})
	if st.State != xinfang.StateRegistered || st.HandlingUnitID != 0 {
		t.Errorf("after return: state %s handling unit %d, want registered at the bureau", st.State, st.HandlingUnitID)
	}
}

// The 15-day disposal clock (第二十二条) on fixed dates: the start day does
// not count, a last day on a rest day rolls to the next working day, and
// the date is the Shanghai date whatever the instant's zone.
func TestDisposalClock(t *testing.T) {
	tests := []struct {
		name       string
		registered time.Time
		start, due string
		why        string
	}{
		{"春节 2026: day 15 is 02-20, inside 02-15..02-23", day("2026-02-05"), "2026-02-05", "2026-02-24",
			"期限末日 2026-02-20 为春节(法定节假日)，顺延至 2026-02-24"},
		{"国庆 2026: day 15 is 10-05", day("2026-09-20"), "2026-09-20", "2026-10-08",
			"期限末日 2026-10-05 为国庆节(法定节假日)，顺延至 2026-10-08"},
		{"国庆 2026: day 15 is 10-08, a working day", day("2026-09-23"), "2026-09-23", "2026-10-08", "第 15 日为 2026-10-08"},
		{"day 15 on a make-up Saturday is not rolled", day("2026-02-13"), "2026-02-13", "2026-02-28", "第 15 日为 2026-02-28(春节调休上班)"},
		{"day 15 on a Saturday", day("2026-03-06"), "2026-03-06", "2026-03-23", "期限末日 2026-03-21 为周六休息，顺延至 2026-03-23"},
		{"registered at 16:30 UTC is the next day in Shanghai", time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC), "2026-03-02", "2026-03-17", "第 15 日为 2026-03-17"},
		{"registered at 15:59 UTC is still that day in Shanghai", time.Date(2026, 3, 1, 15, 59, 0, 0, time.UTC), "2026-03-01", "2026-03-16", ""},
		{"a server west of Greenwich", time.Date(2026, 3, 1, 11, 30, 0, 0, time.FixedZone("EST", -5*3600)), "2026-03-02", "2026-03-17", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := register(t, bureau, registrar, tc.registered)
			checkClock(t, it.clock(xinfang.ClockDisposal, tc.registered), wantClock{
				start: tc.start, due: tc.due, running: true, level: xinfang.WarnNormal, why: tc.why})
		})
	}
}

// Without the roll-forward rule (configurable), the last day stands.
func TestDisposalClockNoRoll(t *testing.T) {
	cfg := procedure.DefaultConfig()
	cfg.RollForward = false
	p := procedure.New(calendar.Default(), cfg)
	it := register(t, bureau, registrar, day("2026-02-05"))
	c, _ := p.Derive(it.events, day("2026-02-06")).Clock(xinfang.ClockDisposal)
	if c.Due.String() != "2026-02-20" {
		t.Errorf("due %s, want 2026-02-20 (not rolled)", c.Due)
	}
}

// 第三十四条: 60 days from acceptance, once extended by up to 30 days.
// Accepted Tuesday 2026-03-10: day 60 is Saturday 05-09, a make-up working
// day (劳动节调休上班), so it is not rolled; with 30 more days, 06-08.
func TestHandlingClock(t *testing.T) {
	accepted := func(t *testing.T) *item {
		it := register(t, townA, handlerA, day("2026-03-09"))
		it.do(handlerA, xinfang.ActAccept, day("2026-03-10"), nil)
		return it
	}
	extend := func(days string) func(*item) {
		return func(it *item) {
			it.do(headA, xinfang.ActExtend, day("2026-04-20"), map[string]string{"days": days, "reason": "情况复杂"})
		}
	}
	reply := func(on string) func(*item) {
		return func(it *item) { it.do(handlerA, xinfang.ActReply, day(on), replyData) }
	}
	tests := []struct {
		name  string
		steps []func(*item)
		now   string
		want  wantClock
	}{
		{"running", nil, "2026-04-01",
			wantClock{start: "2026-03-10", due: "2026-05-09", running: true, level: xinfang.WarnNormal, why: "第 60 日为 2026-05-09(劳动节调休上班)"}},
		{"extended by 30 days", []func(*item){extend("30")}, "2026-04-21",
			wantClock{start: "2026-03-10", due: "2026-06-08", running: true, level: xinfang.WarnNormal, extended: 30, why: "法定 60 日，经批准延长 30 日，共 90 日"}},
		{"extended by 10 days", []func(*item){extend("10")}, "2026-04-21",
			wantClock{due: "2026-05-19", running: true, level: xinfang.WarnNormal, extended: 10}},
		{"replied on the last day", []func(*item){reply("2026-05-09")}, "2026-05-10",
			wantClock{due: "2026-05-09", doneOn: "2026-05-09", onTime: true}},
		{"replied late", []func(*item){reply("2026-05-11")}, "2026-05-12",
			wantClock{due: "2026-05-09", doneOn: "2026-05-11", onTime: false}},
		{"replied on the last extended day", []func(*item){extend("30"), reply("2026-06-08")}, "2026-06-09",
			wantClock{due: "2026-06-08", doneOn: "2026-06-08", onTime: true, extended: 30}},
		{"replied after the extended due date", []func(*item){extend("30"), reply("2026-06-09")}, "2026-06-10",
			wantClock{due: "2026-06-08", doneOn: "2026-06-09", onTime: false, extended: 30}},
		{"overdue and not replied", nil, "2026-05-11",
			wantClock{due: "2026-05-09", running: true, level: xinfang.WarnOverdue}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := accepted(t)
			for _, s := range tc.steps {
				s(it)
			}
			checkClock(t, it.clock(xinfang.ClockHandling, day(tc.now)), tc.want)
			if st := it.status(day(tc.now)); st.Extended != (tc.want.extended > 0) {
				t.Errorf("Extended = %v", st.Extended)
			}
		})
	}
}

// 第三十五条: the petitioner may ask for a review within 30 days of receiving
// the reply (the delivered_on date, not the day staff record it); the review
// opinion is due 30 days from receipt of the request (received_on).
func TestReviewClocks(t *testing.T) {
	it := register(t, townA, handlerA, day("2026-03-02"))
	it.do(handlerA, xinfang.ActAccept, day("2026-03-03"), nil)
	it.do(handlerA, xinfang.ActReply, day("2026-03-20"), replyData)
	it.do(handlerA, xinfang.ActDeliver, day("2026-03-23"), deliverData("2026-03-21"))

	checkClock(t, it.clock(xinfang.ClockReviewRequest, day("2026-03-23")), wantClock{
		start: "2026-03-21", due: "2026-04-20", running: true, level: xinfang.WarnNormal})
	checkClock(t, it.clock(xinfang.ClockEvaluation, day("2026-03-23")), wantClock{
		start: "2026-03-21", due: "2026-04-20", running: true, level: xinfang.WarnNormal})

	it.do(registrar, xinfang.ActRequestReview, day("2026-04-02"), map[string]string{"request": "不服", "received_on": "2026-04-01"})
	checkClock(t, it.clock(xinfang.ClockReviewRequest, day("2026-04-02")), wantClock{
		start: "2026-03-21", due: "2026-04-20", doneOn: "2026-04-01", onTime: true})
	// Day 30 is 05-01, 劳动节 until 05-05.
	checkClock(t, it.clock(xinfang.ClockReview, day("2026-04-02")), wantClock{
		start: "2026-04-01", due: "2026-05-06", running: true, level: xinfang.WarnNormal,
		why: "期限末日 2026-05-01 为劳动节(法定节假日)，顺延至 2026-05-06"})

	it.do(registrar, xinfang.ActReviewReply, day("2026-05-06"), replyData)
	checkClock(t, it.clock(xinfang.ClockReview, day("2026-05-07")), wantClock{
		start: "2026-04-01", due: "2026-05-06", doneOn: "2026-05-06", onTime: true})

	it.do(registrar, xinfang.ActDeliver, day("2026-05-08"), deliverData("2026-05-07"))
	checkClock(t, it.clock(xinfang.ClockRereviewRequest, day("2026-05-08")), wantClock{
		start: "2026-05-07", due: "2026-06-08", running: true, level: xinfang.WarnNormal,
		why: "期限末日 2026-06-06 为周六休息，顺延至 2026-06-08"})
	// The evaluation window is opened by the first reply only.
	checkClock(t, it.clock(xinfang.ClockEvaluation, day("2026-05-08")), wantClock{
		start: "2026-03-21", due: "2026-04-20", running: true, level: xinfang.WarnOverdue})
}

// 第三十六条: 30 days for the re-review opinion, hearing time not counted.
// The request is received on Sunday 2026-06-07, so day 30 is Tuesday 07-07.
func TestRereviewClock(t *testing.T) {
	hearing := func(from, to string) func(*item) {
		return func(it *item) {
			it.do(registrar, xinfang.ActHearingStart, day(from), map[string]string{"place": "听证室"})
			if to != "" {
				it.do(registrar, xinfang.ActHearingEnd, day(to), map[string]string{"conclusion": "维持"})
			}
		}
	}
	tests := []struct {
		name     string
		hearings []func(*item)
		now      string
		want     wantClock
		paused   bool
	}{
		{"no hearing", nil, "2026-06-08",
			wantClock{start: "2026-06-07", due: "2026-07-07", running: true, level: xinfang.WarnNormal}, false},
		{"a hearing of 3 days moves the due date by 3 days", []func(*item){hearing("2026-06-15", "2026-06-17")}, "2026-06-18",
			wantClock{start: "2026-06-07", due: "2026-07-10", running: true, level: xinfang.WarnNormal, paused: 3, why: "听证等中止期间 3 日不计入"}, false},
		{"a second hearing of 1 day, rolled over the weekend", []func(*item){hearing("2026-06-15", "2026-06-17"), hearing("2026-06-22", "2026-06-22")}, "2026-06-23",
			wantClock{due: "2026-07-13", running: true, level: xinfang.WarnNormal, paused: 4}, false},
		{"an ongoing hearing pauses the clock", []func(*item){hearing("2026-06-15", "")}, "2026-06-20",
			wantClock{due: "2026-07-13", running: true, paused: 6}, true},
		{"an ongoing hearing, a day later", []func(*item){hearing("2026-06-15", "")}, "2026-06-21",
			wantClock{due: "2026-07-14", running: true, paused: 7}, true},
		{"an ongoing hearing past the unpaused due date is not overdue", []func(*item){hearing("2026-06-15", "")}, "2026-07-20",
			wantClock{due: "2026-08-12", running: true, paused: 36}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := reReviewing(t, "2026-06-07")
			for _, h := range tc.hearings {
				h(it)
			}
			now := day(tc.now)
			c := it.clock(xinfang.ClockRereview, now)
			checkClock(t, c, tc.want)
			if c.Paused != tc.paused {
				t.Errorf("paused %v, want %v", c.Paused, tc.paused)
			}
			st := it.status(now)
			if st.Paused != tc.paused {
				t.Errorf("status paused %v, want %v", st.Paused, tc.paused)
			}
			p := *it.p
			pr.Project(&p, st)
			if tc.paused && (p.DueDate.String() != "" || p.Warning != "") {
				t.Errorf("paused item projects due %q warning %q, want none", p.DueDate, p.Warning)
			}
			if !tc.paused && (p.DueClock != xinfang.ClockRereview || p.DueDate.String() != tc.want.due) {
				t.Errorf("projects %s due %s, want rereview due %s", p.DueClock, p.DueDate, tc.want.due)
			}
		})
	}
}

// reReviewing plays an item to 复核中 with the request received on receivedOn
// (in June 2026).
func reReviewing(t *testing.T, receivedOn string) *item {
	t.Helper()
	it := register(t, townA, handlerA, day("2026-03-02"))
	it.do(handlerA, xinfang.ActAccept, day("2026-03-03"), nil)
	it.do(handlerA, xinfang.ActReply, day("2026-03-20"), replyData)
	it.do(handlerA, xinfang.ActDeliver, day("2026-03-21"), deliverData("2026-03-21"))
	it.do(registrar, xinfang.ActRequestReview, day("2026-04-01"), map[string]string{"request": "不服"})
	it.do(registrar, xinfang.ActReviewReply, day("2026-04-25"), replyData)
	it.do(registrar, xinfang.ActDeliver, day("2026-05-20"), deliverData("2026-05-20"))
	it.do(registrar, xinfang.ActRequestRereview, day("2026-06-08"), map[string]string{"request": "不服", "received_on": receivedOn})
	return it
}

// Warning levels of a running clock: 正常, 临期 within 3 days of due
// (inclusive), 超期 past due, 严重超期 when overdue by more than the clock's
// own length again. Registered Monday 2026-03-02: due 03-17, severe after
// 04-01 (03-17 + 15).
func TestWarningLevels(t *testing.T) {
	it := register(t, bureau, registrar, day("2026-03-02"))
	near5 := procedure.New(calendar.Default(), procedure.Config{NearDays: 5, RollForward: true})
	tests := []struct {
		today string
		want  xinfang.Warning
		near5 xinfang.Warning // with NearDays 5
	}{
		{"2026-03-02", xinfang.WarnNormal, xinfang.WarnNormal},
		{"2026-03-12", xinfang.WarnNormal, xinfang.WarnNear},
		{"2026-03-13", xinfang.WarnNormal, xinfang.WarnNear},
		{"2026-03-14", xinfang.WarnNear, xinfang.WarnNear},
		{"2026-03-17", xinfang.WarnNear, xinfang.WarnNear},
		{"2026-03-18", xinfang.WarnOverdue, xinfang.WarnOverdue},
		{"2026-04-01", xinfang.WarnOverdue, xinfang.WarnOverdue},
		{"2026-04-02", xinfang.WarnSevere, xinfang.WarnSevere},
		{"2027-01-01", xinfang.WarnSevere, xinfang.WarnSevere},
	}
	for _, tc := range tests {
		t.Run(tc.today, func(t *testing.T) {
			now := day(tc.today)
			c := it.clock(xinfang.ClockDisposal, now)
			if c.Level != tc.want || c.SevereAfter.String() != "2026-04-01" {
				t.Errorf("level %q severe after %s, want %q 2026-04-01", c.Level, c.SevereAfter, tc.want)
			}
			p := *it.p
			pr.Project(&p, pr.Derive(it.events, now))
			if p.Warning != tc.want || p.DueDate.String() != "2026-03-17" || p.SevereDate.String() != "2026-04-01" || p.DueClock != xinfang.ClockDisposal {
				t.Errorf("projection %s %s %s %q, want disposal 2026-03-17 2026-04-01 %q", p.DueClock, p.DueDate, p.SevereDate, p.Warning, tc.want)
			}
			// Lists compute the level from the stored dates.
			if got := pr.WarningOf(p.DueDate, p.SevereDate, date(tc.today)); got != tc.want {
				t.Errorf("WarningOf = %q, want %q", got, tc.want)
			}
			c5, _ := near5.Derive(it.events, now).Clock(xinfang.ClockDisposal)
			if c5.Level != tc.near5 {
				t.Errorf("NearDays 5: level %q, want %q", c5.Level, tc.near5)
			}
		})
	}
	if got := pr.WarningOf(calendar.Date{}, calendar.Date{}, date("2026-03-02")); got != "" {
		t.Errorf("WarningOf with nothing running = %q", got)
	}
	if got := pr.WarningOf(date("2026-03-17"), calendar.Date{}, date("2027-03-02")); got != xinfang.WarnOverdue {
		t.Errorf("WarningOf without a severe date = %q, want overdue", got)
	}
}

// A clock in working days is severe when overdue by its length again in
// working days: the objection clock from 2026-09-29 is due 10-12, severe
// after 10-19.
func TestWarningLevelsWorkdays(t *testing.T) {
	it := register(t, bureau, registrar, day("2026-09-28"))
	it.do(registrar, xinfang.ActTransfer, day("2026-09-29"), transferA)
	for _, tc := range []struct {
		today string
		want  xinfang.Warning
	}{
		{"2026-10-08", xinfang.WarnNormal},
		{"2026-10-09", xinfang.WarnNear},
		{"2026-10-12", xinfang.WarnNear},
		{"2026-10-13", xinfang.WarnOverdue},
		{"2026-10-19", xinfang.WarnOverdue},
		{"2026-10-20", xinfang.WarnSevere},
	} {
		c := it.clock(xinfang.ClockObjection, day(tc.today))
		if c.Level != tc.want || c.SevereAfter.String() != "2026-10-19" {
			t.Errorf("%s: level %q severe after %s, want %q 2026-10-19", tc.today, c.Level, c.SevereAfter, tc.want)
		}
	}
}

// Project shows the running duty clock that falls due first; a
// petitioner's window (复查/复核申请, 评价) and the objection window are not
// the organisation's duty, and closed items show nothing.
func TestProject(t *testing.T) {
	tests := []struct {
		name  string
		flow  flow
		stage string
		prep  func(*item)
		clock xinfang.ClockKind
		due   string
	}{
		{"registered: disposal", townFlow, "registered", nil, xinfang.ClockDisposal, "2026-03-17"},
		{"pending: notice, not the earlier objection window", townFlow, "pending_sign", nil, xinfang.ClockNotice, "2026-03-18"},
		{"signed: notice", townFlow, "signed", nil, xinfang.ClockNotice, "2026-03-18"},
		{"handling", townFlow, "handling", nil, xinfang.ClockHandling, "2026-05-06"},
		{"replied, not delivered: nothing is due from the organisation", townFlow, "replied", nil, "", ""},
		{"delivered: the petitioner's window is no duty", townFlow, "delivered", nil, "", ""},
		{"reviewing", townFlow, "reviewing", nil, xinfang.ClockReview, "2026-04-24"},
		{"rereviewing", townFlow, "rereviewing", nil, xinfang.ClockRereview, "2026-05-15"},
		{"in a hearing", townFlow, "hearing", nil, "", ""},
		{"terminated", townFlow, "terminated", nil, "", ""},
		{"concluded", townFlow, "delivered", func(it *item) { it.do(registrar, xinfang.ActConclude, day("2026-04-21"), nil) }, "", ""},
		{"withdrawn", townFlow, "handling", func(it *item) { it.do(handlerA, xinfang.ActWithdraw, day("2026-03-06"), reasonData) }, "", ""},
		{"not accepted", townFlow, "signed", func(it *item) { it.do(handlerA, xinfang.ActNotAccept, day("2026-03-05"), reasonData) }, "", ""},
		{"diverted", townFlow, "signed", func(it *item) {
			it.do(handlerA, xinfang.ActDivert, day("2026-03-05"), map[string]string{"route": "arbitration"})
		}, "", ""},
		{"merged", townFlow, "pending_sign", func(it *item) {
			it.do(registrar, xinfang.ActMerge, day("2026-03-04"), map[string]string{"into": "50"})
		}, "", ""},
		{"legal case terminated", legalFlow, "handling", func(it *item) {
			it.do(legalHandler, xinfang.ActTerminate, day("2026-03-06"), reasonData)
		}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := build(t, tc.flow, tc.stage)
			if tc.prep != nil {
				tc.prep(it)
			}
			now := it.last().Add(24 * time.Hour)
			st := it.status(now)
			p := *it.p
			pr.Project(&p, st)
			if p.DueClock != tc.clock || p.DueDate.String() != tc.due {
				t.Errorf("projects %q due %q, want %q %q", p.DueClock, p.DueDate, tc.clock, tc.due)
			}
			if (p.Warning == "") != (tc.due == "") || (p.SevereDate.String() == "") != (tc.due == "") {
				t.Errorf("warning %q severe %q with due %q", p.Warning, p.SevereDate, tc.due)
			}
			if p.State != st.State || len(p.Clocks) != len(st.Clocks) || p.Version != it.p.Version {
				t.Errorf("projection state %s clocks %d, want %s %d", p.State, len(p.Clocks), st.State, len(st.Clocks))
			}
			if st.State.Closed() {
				for _, c := range st.Clocks {
					if c.Running || c.Level != "" {
						t.Errorf("closed item has a running clock %s (level %q)", c.Kind, c.Level)
					}
				}
			}
		})
	}
}

// Among several running duty clocks, the earliest wins; paused, stopped and
// non-duty clocks are passed over.
func TestProjectEarliest(t *testing.T) {
	st := &procedure.Status{State: xinfang.StateHandling, HandlingUnitID: townA.ID, Clocks: []xinfang.Clock{
		{Kind: xinfang.ClockObjection, Due: calendar.MustParseDate("2026-03-01"), Running: true, Level: xinfang.WarnSevere, SevereAfter: calendar.MustParseDate("2026-03-08")},
		{Kind: xinfang.ClockRereview, Due: calendar.MustParseDate("2026-03-02"), Running: true, Duty: true, Paused: true},
		{Kind: xinfang.ClockDisposal, Due: calendar.MustParseDate("2026-03-03"), Running: false, Duty: true},
		{Kind: xinfang.ClockHandling, Due: calendar.MustParseDate("2026-05-06"), Running: true, Duty: true, Level: xinfang.WarnNormal, SevereAfter: calendar.MustParseDate("2026-07-05")},
		{Kind: xinfang.ClockReview, Due: calendar.MustParseDate("2026-04-24"), Running: true, Duty: true, Level: xinfang.WarnNear, SevereAfter: calendar.MustParseDate("2026-05-24")},
	}}
	p := &xinfang.Petition{HandlingUnitID: townB.ID, HandlingUnit: townB}
	pr.Project(p, st)
	if p.DueClock != xinfang.ClockReview || p.DueDate.String() != "2026-04-24" || p.SevereDate.String() != "2026-05-24" || p.Warning != xinfang.WarnNear {
		t.Errorf("projects %s %s %s %s, want review 2026-04-24 2026-05-24 near", p.DueClock, p.DueDate, p.SevereDate, p.Warning)
	}
	if p.HandlingUnitID != townA.ID || p.HandlingUnit != nil {
		t.Errorf("handling unit %d %v, want %d and the stale unit dropped", p.HandlingUnitID, p.HandlingUnit, townA.ID)
	}
}

// The petitioner's evaluation: 待评价 after delivery, 已评价, 超期未评价 after
// the 30-day window, and excluded items (涉法涉诉, 法院/检察院) marked so.
func TestEvaluationStatus(t *testing.T) {
	tests := []struct {
		name  string
		flow  flow
		stage string
		prep  func(*item)
		now   string
		want  string
	}{
		{"before the reply", townFlow, "handling", nil, "2026-03-06", ""},
		{"replied, not delivered", townFlow, "replied", nil, "2026-03-21", ""},
		{"delivered", townFlow, "delivered", nil, "2026-03-22", "pending"},
		{"last day of the window", townFlow, "delivered", nil, "2026-04-20", "pending"},
		{"window closed", townFlow, "delivered", nil, "2026-04-21", "expired"},
		{"evaluated", townFlow, "delivered", func(it *item) { it.do(registrar, xinfang.ActEvaluate, day("2026-03-25"), evaluateData) }, "2026-05-01", "done"},
		{"legal case", legalFlow, "delivered", nil, "2026-03-22", "excluded"},
		{"court", courtFlow, "delivered", nil, "2026-03-22", "excluded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := build(t, tc.flow, tc.stage)
			if tc.prep != nil {
				tc.prep(it)
			}
			p := *it.p
			pr.Project(&p, pr.Derive(it.events, day(tc.now)))
			if p.Evaluation != tc.want {
				t.Errorf("evaluation %q, want %q", p.Evaluation, tc.want)
			}
		})
	}
}

// The deadline calculator, for every clock: started Monday 2026-03-02 at
// 10:00 Beijing time.
func TestCalculate(t *testing.T) {
	start := day("2026-03-02")
	tests := []struct {
		kind  xinfang.ClockKind
		extra int
		due   string
		why   string
	}{
		{xinfang.ClockDisposal, 0, "2026-03-17", "第 15 日为 2026-03-17"},
		{xinfang.ClockNotice, 0, "2026-03-17", "第 15 日为 2026-03-17"},
		{xinfang.ClockObjection, 0, "2026-03-09", "第 5 个工作日为 2026-03-09"},
		{xinfang.ClockHandling, 0, "2026-05-06", "期限末日 2026-05-01 为劳动节(法定节假日)，顺延至 2026-05-06"},
		{xinfang.ClockHandling, 30, "2026-06-01", "经批准延长 30 日，共 90 日"},
		{xinfang.ClockReviewRequest, 0, "2026-04-01", "第 30 日为 2026-04-01"},
		{xinfang.ClockReview, 0, "2026-04-01", "第 30 日为 2026-04-01"},
		{xinfang.ClockRereviewRequest, 0, "2026-04-01", "第 30 日为 2026-04-01"},
		{xinfang.ClockRereview, 0, "2026-04-01", "第 30 日为 2026-04-01"},
		{xinfang.ClockRereview, 3, "2026-04-07", "听证等中止期间 3 日不计入"},
		{xinfang.ClockEvaluation, 0, "2026-04-01", "第 30 日为 2026-04-01"},
	}
	covered := map[xinfang.ClockKind]bool{}
	for _, tc := range tests {
		covered[tc.kind] = true
		t.Run(string(tc.kind), func(t *testing.T) {
			c, err := pr.Calculate(tc.kind, start, tc.extra, date("2026-03-02"))
			if err != nil {
				t.Fatal(err)
			}
			why := strings.Join(c.Why, "\n")
			if c.Due.String() != tc.due || c.Start.String() != "2026-03-02" || c.Extra != tc.extra || c.Clock.Kind != tc.kind {
				t.Errorf("start %s due %s extra %d kind %s, want 2026-03-02 %s %d %s\n%s", c.Start, c.Due, c.Extra, c.Clock.Kind, tc.due, tc.extra, tc.kind, why)
			}
			def, _ := procedure.Def(tc.kind)
			if !strings.Contains(c.Why[0], def.Article) || !strings.Contains(why, "起算时刻 2026-03-02 10:00（北京时间）") || !strings.Contains(why, tc.why) {
				t.Errorf("why does not give the article %q, the start and %q:\n%s", def.Article, tc.why, why)
			}
			if tc.kind == xinfang.ClockRereview && strings.Contains(why, "延长") {
				t.Errorf("hearing time is called an extension:\n%s", why)
			}
			if c.Warning != xinfang.WarnNormal {
				t.Errorf("warning %q on the start day, want normal", c.Warning)
			}
		})
	}
	for _, d := range procedure.ClockDefs {
		if !covered[d.Kind] {
			t.Errorf("no Calculate case for %s", d.Kind)
		}
		if d.Article == "" || d.Rule == "" || d.Label == "" || d.Length <= 0 {
			t.Errorf("%s: incomplete definition %+v", d.Kind, d)
		}
	}

	t.Run("level on a later day", func(t *testing.T) {
		c, err := pr.Calculate(xinfang.ClockDisposal, start, 0, date("2026-03-18"))
		if err != nil || c.Warning != xinfang.WarnOverdue {
			t.Errorf("warning %q, %v; want overdue", c.Warning, err)
		}
	})
	t.Run("the Shanghai date of a UTC instant", func(t *testing.T) {
		c, err := pr.Calculate(xinfang.ClockDisposal, time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC), 0, date("2026-03-02"))
		if err != nil || c.Start.String() != "2026-03-02" || c.Due.String() != "2026-03-17" {
			t.Errorf("start %s due %s, %v; want 2026-03-02 2026-03-17", c.Start, c.Due, err)
		}
		if !strings.Contains(strings.Join(c.Why, "\n"), "起算时刻 2026-03-02 00:30（北京时间）") {
			t.Errorf("why does not show the Beijing time: %q", c.Why)
		}
	})
	t.Run("configured evaluation window", func(t *testing.T) {
		p := procedure.New(calendar.Default(), procedure.Config{EvaluationDays: 15, RollForward: true})
		c, err := p.Calculate(xinfang.ClockEvaluation, start, 0, date("2026-03-02"))
		if err != nil || c.Due.String() != "2026-03-17" || c.Clock.Length != 15 {
			t.Errorf("due %s length %d, %v; want 2026-03-17 15", c.Due, c.Clock.Length, err)
		}
	})

	for _, tc := range []struct {
		name  string
		kind  xinfang.ClockKind
		extra int
		field string
	}{
		{"unknown kind", "supervision", 0, "clock"},
		{"empty kind", "", 0, "clock"},
		{"negative extra days", xinfang.ClockHandling, -1, "extra_days"},
		{"too many extra days", xinfang.ClockHandling, 367, "extra_days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pr.Calculate(tc.kind, start, tc.extra, date("2026-03-02"))
			if xinfang.ErrorCode(err) != xinfang.EINVALID || xinfang.ErrorFields(err)[tc.field] == "" {
				t.Errorf("err %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestDef(t *testing.T) {
	d, ok := procedure.Def(xinfang.ClockObjection)
	if !ok || d.Length != 5 || !d.Workdays || d.Article != "《信访工作条例》第二十三条第三款" {
		t.Errorf("Def(objection) = %+v, %v", d, ok)
	}
	if _, ok := procedure.Def("nope"); ok {
		t.Errorf("Def(nope) found")
	}
}

// The disposal clock runs from receipt: a letter received on 2026-03-02 and
// registered on 03-06 is due 03-17, not 15 days after registration.
func TestDisposalClockFromReceipt(t *testing.T) {
	it := register(t, bureau, registrar, day("2026-03-06"))
	it.events[0].Data = map[string]string{"received_on": "2026-03-02"}
	c, _ := procedure.New(calendar.Default(), procedure.DefaultConfig()).Derive(it.events, day("2026-03-06")).Clock(xinfang.ClockDisposal)
	if c.Start.String() != "2026-03-02" || c.Due.String() != "2026-03-17" {
		t.Errorf("start %s due %s, want 2026-03-02 and 2026-03-17", c.Start, c.Due)
	}
}
