package procedure_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"xinfang"
)

// pathStep is one action of a full path and what the item looks like after it.
type pathStep struct {
	actor  *xinfang.User
	action xinfang.Action
	when   time.Time
	data   map[string]string
	state  xinfang.State
	due    string // the projection's due date and clock, "" when nothing is due
	clock  xinfang.ClockKind
	// clocks summarises every clock started so far: due date, then
	// "running", "done <date>" (with " late" when after due) or "idle"
	// (not stopped, but the item is closed).
	clocks map[xinfang.ClockKind]string
}

func summary(c xinfang.Clock) string {
	switch {
	case c.Running:
		return c.Due.String() + " running"
	case !c.DoneOn.IsZero() && c.OnTime:
		return c.Due.String() + " done " + c.DoneOn.String()
	case !c.DoneOn.IsZero():
		return c.Due.String() + " done " + c.DoneOn.String() + " late"
	}
	return c.Due.String() + " idle"
}

func walk(t *testing.T, it *item, steps []pathStep) {
	t.Helper()
	for _, s := range steps {
		if s.action != "" {
			it.do(s.actor, s.action, s.when, s.data)
		}
		st := it.status(s.when)
		got := map[xinfang.ClockKind]string{}
		for _, c := range st.Clocks {
			got[c.Kind] = summary(c)
		}
		if !maps.Equal(got, s.clocks) {
			t.Errorf("after %s on %s clocks:\n got %v\nwant %v", s.action, s.when.Format("2006-01-02"), got, s.clocks)
		}
		if it.p.State != s.state || it.p.DueDate.String() != s.due || it.p.DueClock != s.clock {
			t.Errorf("after %s: %s, due %s %q; want %s, due %s %q", s.action, it.p.State, it.p.DueClock, it.p.DueDate, s.state, s.clock, s.due)
		}
	}
}

// The whole procedure on one item: registered at the bureau, transferred to
// town A, extended, replied, reviewed and re-reviewed with a hearing, then
// terminated (不再受理) and the re-review opinion delivered.
func TestFullPath(t *testing.T) {
	const (
		disposal  = xinfang.ClockDisposal
		notice    = xinfang.ClockNotice
		objection = xinfang.ClockObjection
		handling  = xinfang.ClockHandling
		reqReview = xinfang.ClockReviewRequest
		review    = xinfang.ClockReview
		reqRe     = xinfang.ClockRereviewRequest
		reReview  = xinfang.ClockRereview
		eval      = xinfang.ClockEvaluation
	)
	it := register(t, bureau, registrar, at("2026-03-02 09:00"))
	walk(t, it, []pathStep{
		{when: at("2026-03-02 09:00"), state: xinfang.StateRegistered, due: "2026-03-17", clock: disposal,
			clocks: map[xinfang.ClockKind]string{disposal: "2026-03-17 running"}},
		// Received by town A on Tuesday 03-03: 15 days to say whether it
		// accepts, 5 working days to object.
		{registrar, xinfang.ActTransfer, day("2026-03-03"), transferA, xinfang.StatePendingSign, "2026-03-18", notice,
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 running", objection: "2026-03-10 running"}},
		{handlerA, xinfang.ActSign, day("2026-03-04"), nil, xinfang.StateSigned, "2026-03-18", notice,
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 running", objection: "2026-03-10 running"}},
		// Accepted 03-05: day 60 is 05-04, in 劳动节, rolled to 05-06.
		{handlerA, xinfang.ActAccept, day("2026-03-05"), nil, xinfang.StateHandling, "2026-05-06", handling,
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-05-06 running"}},
		// Extended by 30 days: 90 days from 03-05 is Wednesday 06-03.
		{headA, xinfang.ActExtend, day("2026-04-20"), map[string]string{"days": "30", "reason": "需多部门会商"}, xinfang.StateHandling, "2026-06-03", handling,
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 running"}},
		{handlerA, xinfang.ActReply, day("2026-05-20"), replyData, xinfang.StateReplied, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20"}},
		// Delivered on 05-21 (recorded the next day): day 30 is Saturday
		// 06-20, in 端午 06-19..06-21, rolled to Monday 06-22.
		{handlerA, xinfang.ActDeliver, day("2026-05-22"), deliverData("2026-05-21"), xinfang.StateReplied, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 running", eval: "2026-06-22 running"}},
		{registrar, xinfang.ActEvaluate, day("2026-05-25"), evaluateData, xinfang.StateReplied, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 running", eval: "2026-06-22 done 2026-05-25"}},
		// The request arrived by post on Saturday 05-30: review due Monday 06-29.
		{registrar, xinfang.ActRequestReview, day("2026-06-01"), map[string]string{"request": "对处理意见不服", "received_on": "2026-05-30"}, xinfang.StateReviewing, "2026-06-29", review,
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 done 2026-05-30", eval: "2026-06-22 done 2026-05-25", review: "2026-06-29 running"}},
		{registrar, xinfang.ActReviewReply, day("2026-06-25"), with(replyData, "outcome", "explain"), xinfang.StateReviewed, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 done 2026-05-30", eval: "2026-06-22 done 2026-05-25", review: "2026-06-29 done 2026-06-25"}},
		// Delivered 06-26: day 30 is Sunday 07-26, rolled to 07-27.
		{registrar, xinfang.ActDeliver, day("2026-06-26"), deliverData("2026-06-26"), xinfang.StateReviewed, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 done 2026-05-30", eval: "2026-06-22 done 2026-05-25", review: "2026-06-29 done 2026-06-25",
				reqRe: "2026-07-27 running"}},
		// Received 07-10: day 30 is Sunday 08-09, rolled to 08-10.
		{registrar, xinfang.ActRequestRereview, day("2026-07-10"), map[string]string{"request": "对复查意见不服"}, xinfang.StateRereviewing, "2026-08-10", reReview,
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 done 2026-05-30", eval: "2026-06-22 done 2026-05-25", review: "2026-06-29 done 2026-06-25",
				reqRe: "2026-07-27 done 2026-07-10", reReview: "2026-08-10 running"}},
		// During the hearing nothing is due: the clock stands still.
		{registrar, xinfang.ActHearingStart, day("2026-07-20"), map[string]string{"place": "市信访局听证室"}, xinfang.StateRereviewing, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 done 2026-05-30", eval: "2026-06-22 done 2026-05-25", review: "2026-06-29 done 2026-06-25",
				reqRe: "2026-07-27 done 2026-07-10", reReview: "2026-08-10 running"}},
		// Hearing 07-20..07-22, 3 days: 30 + 3 days from 07-10 is 08-12.
		{registrar, xinfang.ActHearingEnd, day("2026-07-22"), map[string]string{"conclusion": "维持复查意见"}, xinfang.StateRereviewing, "2026-08-12", reReview,
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 done 2026-05-30", eval: "2026-06-22 done 2026-05-25", review: "2026-06-29 done 2026-06-25",
				reqRe: "2026-07-27 done 2026-07-10", reReview: "2026-08-12 running"}},
		{registrar, xinfang.ActRereviewReply, day("2026-08-05"), with(replyData, "outcome", "reject"), xinfang.StateTerminated, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 done 2026-05-30", eval: "2026-06-22 done 2026-05-25", review: "2026-06-29 done 2026-06-25",
				reqRe: "2026-07-27 done 2026-07-10", reReview: "2026-08-12 done 2026-08-05"}},
		{registrar, xinfang.ActDeliver, day("2026-08-06"), deliverData("2026-08-06"), xinfang.StateTerminated, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-03-17 done 2026-03-03", notice: "2026-03-18 done 2026-03-05",
				objection: "2026-03-10 done 2026-03-05", handling: "2026-06-03 done 2026-05-20",
				reqReview: "2026-06-22 done 2026-05-30", eval: "2026-06-22 done 2026-05-25", review: "2026-06-29 done 2026-06-25",
				reqRe: "2026-07-27 done 2026-07-10", reReview: "2026-08-12 done 2026-08-05"}},
	})

	st := it.status(day("2026-08-07"))
	if c, _ := st.Clock(xinfang.ClockRereview); c.PausedDays != 3 || c.ExtendedDays != 0 {
		t.Errorf("re-review paused %d extended %d, want 3 0", c.PausedDays, c.ExtendedDays)
	}
	if c, _ := st.Clock(xinfang.ClockHandling); c.ExtendedDays != 30 {
		t.Errorf("handling extended %d, want 30", c.ExtendedDays)
	}
	if st.Outcome != "reject" || st.Undelivered != 0 || !st.Delivered || !st.Evaluated || st.Evaluation != "done" || st.HandlingUnitID != townA.ID {
		t.Errorf("status %+v", st)
	}
	for i, e := range it.events {
		if e.Seq != i+1 {
			t.Errorf("event %d has seq %d", i+1, e.Seq)
		}
		if i > 0 && e.From != it.events[i-1].To {
			t.Errorf("event %d (%s) from %s, but the one before led to %s", e.Seq, e.Action, e.From, it.events[i-1].To)
		}
	}
	// 不再受理: nothing more may happen but the follow-up records.
	if got := actionsOf(pr.Allowed(it.p, registrar)); !slices.Equal(got, []xinfang.Action{xinfang.ActDeliver, xinfang.ActEvaluate}) {
		t.Errorf("after termination the registrar may %v", got)
	}
	if _, err := it.try(registrar, xinfang.ActDeliver, day("2026-08-07"), deliverData("2026-08-07")); xinfang.ErrorFields(err)["delivered_on"] == "" {
		t.Errorf("second delivery of the re-review opinion: %v", err)
	}
}

// An item received directly by town A (第二十三条): the town registers and
// accepts it itself, replies, delivers, and concludes once the review
// window has closed without a request.
func TestDirectReceiptPath(t *testing.T) {
	const (
		disposal  = xinfang.ClockDisposal
		handling  = xinfang.ClockHandling
		reqReview = xinfang.ClockReviewRequest
		eval      = xinfang.ClockEvaluation
	)
	it := register(t, townA, handlerA, day("2026-09-20"))
	walk(t, it, []pathStep{
		// Day 15 is 10-05, in 国庆: rolled to 10-08.
		{when: day("2026-09-20"), state: xinfang.StateRegistered, due: "2026-10-08", clock: disposal,
			clocks: map[xinfang.ClockKind]string{disposal: "2026-10-08 running"}},
		{handlerA, xinfang.ActAccept, day("2026-09-21"), nil, xinfang.StateHandling, "2026-11-20", handling,
			map[xinfang.ClockKind]string{disposal: "2026-10-08 done 2026-09-21", handling: "2026-11-20 running"}},
		{handlerA, xinfang.ActReply, day("2026-10-15"), with(replyData, "basis", "<nil>"), xinfang.StateReplied, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-10-08 done 2026-09-21", handling: "2026-11-20 done 2026-10-15"}},
		// Day 30 is Sunday 11-15: the window ends Monday 11-16.
		{handlerA, xinfang.ActDeliver, day("2026-10-16"), with(deliverData("2026-10-16"), "method", "post", "receipt", "refused", "petitioner_opinion", "none"), xinfang.StateReplied, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-10-08 done 2026-09-21", handling: "2026-11-20 done 2026-10-15",
				reqReview: "2026-11-16 running", eval: "2026-11-16 running"}},
	})
	if _, err := it.try(handlerA, xinfang.ActConclude, at("2026-11-16 18:00"), nil); xinfang.ErrorCode(err) != xinfang.EINVALID {
		t.Fatalf("conclude on the last day of the window: %v, want refused", err)
	}
	walk(t, it, []pathStep{
		{handlerA, xinfang.ActConclude, day("2026-11-17"), nil, xinfang.StateConcluded, "", "",
			map[xinfang.ClockKind]string{disposal: "2026-10-08 done 2026-09-21", handling: "2026-11-20 done 2026-10-15",
				reqReview: "2026-11-16 done 2026-11-17 late", eval: "2026-11-16 idle"}},
	})
	if it.p.Evaluation != "expired" || it.p.Outcome != "support" || it.p.HandlingUnitID != 0 {
		t.Errorf("concluded: evaluation %q outcome %q handling unit %d", it.p.Evaluation, it.p.Outcome, it.p.HandlingUnitID)
	}
	if got := pr.Allowed(it.p, handlerA); len(got) != 1 || got[0].Action != xinfang.ActEvaluate {
		t.Errorf("after conclusion town A may %v", actionsOf(got))
	}
}

// An objection gives the item back to the body that sent it (第二十三条第三款):
// to town A when its village objects, to the bureau when town A objects.
func TestReturnToSender(t *testing.T) {
	it := build(t, townFlow, "signed")
	it.do(headA, xinfang.ActTransfer, day("2026-03-05"), map[string]string{"unit_id": "5"})
	if it.p.HandlingUnitID != village.ID || it.p.State != xinfang.StatePendingSign {
		t.Fatalf("after transfer to the village: %s at %d", it.p.State, it.p.HandlingUnitID)
	}
	it.do(villageHandler, xinfang.ActReturn, day("2026-03-06"), reasonData)
	if it.p.HandlingUnitID != townA.ID || it.p.State != xinfang.StateRegistered {
		t.Fatalf("after the village's objection: %s at %d, want registered at town A", it.p.State, it.p.HandlingUnitID)
	}
	if got := actionsOf(pr.Allowed(it.p, handlerA)); !slices.Contains(got, xinfang.ActAccept) {
		t.Errorf("town A may %v, want to accept it again", got)
	}
	if _, err := it.try(registrar, xinfang.ActTransfer, day("2026-03-07"), map[string]string{"unit_id": "4"}); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
		t.Errorf("the bureau transfers an item town A holds: %v", err)
	}
	// Town A passes it to town B, which objects: back to town A again.
	it.do(headA, xinfang.ActTransfer, day("2026-03-07"), map[string]string{"unit_id": "4"})
	it.do(handlerB, xinfang.ActReturn, day("2026-03-09"), reasonData)
	if it.p.HandlingUnitID != townA.ID {
		t.Errorf("after town B's objection: at %d, want town A", it.p.HandlingUnitID)
	}

	it = build(t, townFlow, "pending_sign")
	it.do(handlerA, xinfang.ActReturn, day("2026-03-04"), reasonData)
	if it.p.HandlingUnitID != 0 || it.p.HandlingUnit != nil || it.p.State != xinfang.StateRegistered {
		t.Errorf("after town A's objection: %s at %d, want registered at the bureau", it.p.State, it.p.HandlingUnitID)
	}
	if got := actionsOf(pr.Allowed(it.p, registrar)); !slices.Contains(got, xinfang.ActTransfer) {
		t.Errorf("the bureau may %v, want to transfer it again", got)
	}
}
