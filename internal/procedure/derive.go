package procedure

import (
	"strconv"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// Status is what the history of a petition says about it now.
type Status struct {
	State          xinfang.State
	HandlingUnitID int64
	Outcome        xinfang.Outcome
	Extended       bool
	Paused         bool          // a hearing is running (复核时限中止)
	PausedSince    calendar.Date // the first day of the running hearing
	Undelivered    int           // written replies not yet delivered
	Delivered      bool          // at least one reply delivered
	Evaluated      bool
	Evaluation     string // pending / done / expired / excluded
	Clocks         []xinfang.Clock
	calcs          map[xinfang.ClockKind]clockCalc
}

// Clock returns the clock of kind, if it was ever started.
func (s *Status) Clock(kind xinfang.ClockKind) (xinfang.Clock, bool) {
	for _, c := range s.Clocks {
		if c.Kind == kind {
			return c, true
		}
	}
	return xinfang.Clock{}, false
}

type run struct {
	def      ClockDef
	start    calendar.Date
	extended int
	paused   int
	pauseAt  calendar.Date
	pausing  bool
	done     calendar.Date
	stopped  bool
}

// Derive replays the events of a petition (in order, the first being
// register) and returns its state and clocks on the date of now.
func (pr *Procedure) Derive(events []*xinfang.Event, now time.Time) *Status {
	today := calendar.DateOf(now)
	st := &Status{State: xinfang.StateRegistered, calcs: map[xinfang.ClockKind]clockCalc{}}
	runs := map[xinfang.ClockKind]*run{}
	var order []xinfang.ClockKind
	// senders holds the handling unit before each transfer still standing,
	// so that an objection (退回) gives the item back to the body that sent
	// it (第二十三条第三款), not always to the registering unit: a town that
	// passed an item on to a village gets it back from the village.
	var senders []int64
	start := func(kind xinfang.ClockKind, d calendar.Date) {
		if _, ok := runs[kind]; !ok {
			order = append(order, kind)
		}
		runs[kind] = &run{def: pr.def(kind), start: d}
	}
	stop := func(d calendar.Date, kinds ...xinfang.ClockKind) {
		for _, k := range kinds {
			if r, ok := runs[k]; ok && !r.stopped {
				r.stopped, r.done = true, d
				if r.pausing {
					r.paused += d.Sub(r.pauseAt) + 1
					r.pausing = false
				}
			}
		}
	}
	for _, e := range events {
		d := calendar.DateOf(e.At)
		switch e.Action {
		case xinfang.ActRegister:
			// The 15 days run from receipt (第二十二、二十三条): a letter
			// registered days after it arrived does not gain those days.
			start(xinfang.ClockDisposal, receivedOn(e, d))
		case xinfang.ActImport:
			// An item from the earlier ledger enters in the state the
			// ledger gives; its clocks run from the dates it gives: receipt
			// while it waits to be routed, the transfer (state_on) while it
			// waits for 签收 and 受理, the acceptance while it is handled.
			on := receivedOn(e, d)
			if s, err := calendar.ParseDate(e.Data["state_on"]); err == nil {
				on = s
			}
			st.HandlingUnitID, _ = strconv.ParseInt(e.Data["unit_id"], 10, 64)
			st.Outcome = xinfang.Outcome(e.Data["outcome"])
			switch e.To {
			case xinfang.StateRegistered:
				st.HandlingUnitID = 0
				start(xinfang.ClockDisposal, receivedOn(e, d))
			case xinfang.StatePendingSign, xinfang.StateSigned:
				start(xinfang.ClockNotice, on)
				start(xinfang.ClockObjection, on)
			case xinfang.StateHandling:
				start(xinfang.ClockHandling, on)
			case xinfang.StateReplied:
				st.Undelivered++
			}
		case xinfang.ActTransfer, xinfang.ActAssign:
			stop(d, xinfang.ClockDisposal, xinfang.ClockNotice, xinfang.ClockObjection)
			senders = append(senders, st.HandlingUnitID)
			st.HandlingUnitID, _ = strconv.ParseInt(e.Data["unit_id"], 10, 64)
			start(xinfang.ClockNotice, d)
			start(xinfang.ClockObjection, d)
		case xinfang.ActReturn:
			stop(d, xinfang.ClockNotice, xinfang.ClockObjection)
			st.HandlingUnitID = 0
			if n := len(senders); n > 0 {
				st.HandlingUnitID, senders = senders[n-1], senders[:n-1]
			}
		case xinfang.ActAccept:
			stop(d, xinfang.ClockDisposal, xinfang.ClockNotice, xinfang.ClockObjection)
			start(xinfang.ClockHandling, d)
		case xinfang.ActNotAccept, xinfang.ActDivert, xinfang.ActMerge, xinfang.ActDecline:
			stop(d, xinfang.ClockDisposal, xinfang.ClockNotice, xinfang.ClockObjection)
		case xinfang.ActLegalTransfer:
			// The 政法机关 holds the item in its legal route from now on.
			stop(d, xinfang.ClockDisposal, xinfang.ClockNotice, xinfang.ClockObjection)
			st.HandlingUnitID, _ = strconv.ParseInt(e.Data["unit_id"], 10, 64)
		case xinfang.ActExtend:
			if r := runs[xinfang.ClockHandling]; r != nil {
				n, _ := strconv.Atoi(e.Data["days"])
				r.extended += n
			}
			st.Extended = true
		case xinfang.ActReply, xinfang.ActReviewReply, xinfang.ActRereviewReply:
			stop(d, xinfang.ClockHandling, xinfang.ClockReview, xinfang.ClockRereview)
			st.Outcome = xinfang.Outcome(e.Data["outcome"])
			st.Undelivered++
		case xinfang.ActTerminate:
			stop(d, xinfang.ClockHandling, xinfang.ClockReview, xinfang.ClockRereview, xinfang.ClockReviewRequest, xinfang.ClockRereviewRequest)
			st.Undelivered++
		case xinfang.ActDeliver:
			st.Undelivered--
			st.Delivered = true
			on, err := calendar.ParseDate(e.Data["delivered_on"])
			if err != nil {
				on = d
			}
			switch e.From {
			case xinfang.StateReplied:
				start(xinfang.ClockReviewRequest, on)
				if _, ok := runs[xinfang.ClockEvaluation]; !ok && !st.Evaluated {
					start(xinfang.ClockEvaluation, on)
				}
			case xinfang.StateReviewed:
				start(xinfang.ClockRereviewRequest, on)
			}
		case xinfang.ActEvaluate:
			stop(d, xinfang.ClockEvaluation)
			st.Evaluated = true
		case xinfang.ActRequestReview:
			stop(receivedOn(e, d), xinfang.ClockReviewRequest)
			start(xinfang.ClockReview, receivedOn(e, d))
		case xinfang.ActRequestRereview:
			stop(receivedOn(e, d), xinfang.ClockRereviewRequest)
			start(xinfang.ClockRereview, receivedOn(e, d))
		case xinfang.ActHearingStart:
			on := dataDate(e, "started_on", d)
			if r := runs[xinfang.ClockRereview]; r != nil && !r.stopped {
				r.pausing, r.pauseAt = true, on
			}
			st.Paused, st.PausedSince = true, on
		case xinfang.ActHearingEnd:
			if r := runs[xinfang.ClockRereview]; r != nil && r.pausing {
				r.paused += dataDate(e, "ended_on", d).Sub(r.pauseAt) + 1
				r.pausing = false
			}
			st.Paused, st.PausedSince = false, calendar.Date{}
		case xinfang.ActConclude:
			stop(d, xinfang.ClockReviewRequest, xinfang.ClockRereviewRequest)
		case xinfang.ActMediationConclude:
			stop(d, xinfang.ClockHandling)
		case xinfang.ActWithdraw:
			stop(d, xinfang.ClockDisposal, xinfang.ClockNotice, xinfang.ClockObjection, xinfang.ClockHandling)
		}
		if e.To != "" {
			st.State = e.To
		}
	}
	for _, k := range order {
		r := runs[k]
		paused := r.paused
		if r.pausing {
			// Still in a hearing: time up to today does not count.
			paused += today.Sub(r.pauseAt) + 1
		}
		c := pr.clock(r.def, r.start, r.extended, paused)
		st.calcs[k] = c
		clk := xinfang.Clock{
			Kind: k, Label: r.def.Label, Article: r.def.Article, Length: r.def.Length, Workdays: r.def.Workdays, Duty: r.def.Duty,
			Start: r.start, Due: c.due, ExtendedDays: r.extended, PausedDays: paused, Paused: r.pausing,
			Running: !r.stopped && !st.State.Closed(), SevereAfter: c.severe,
			Why: append([]string{r.def.Article + "：" + r.def.Rule}, c.exp.Steps...),
		}
		if r.stopped {
			clk.DoneOn = r.done
			clk.OnTime = !r.done.After(c.due)
		} else if clk.Running && !r.pausing {
			clk.Level, _ = pr.level(c, r.def, today)
		}
		st.Clocks = append(st.Clocks, clk)
	}
	st.Evaluation = ""
	if c, ok := st.Clock(xinfang.ClockEvaluation); ok {
		switch {
		case st.Evaluated:
			st.Evaluation = "done"
		case c.Due.Before(today):
			st.Evaluation = "expired"
		default:
			st.Evaluation = "pending"
		}
	}
	return st
}

// dataDate is the date the event's data gives under key (a hearing's own
// start or end day), else d, the day it was recorded.
func dataDate(e *xinfang.Event, key string, d calendar.Date) calendar.Date {
	if r, err := calendar.ParseDate(e.Data[key]); err == nil {
		return r
	}
	return d
}

func receivedOn(e *xinfang.Event, d calendar.Date) calendar.Date {
	if s := e.Data["received_on"]; s != "" {
		if r, err := calendar.ParseDate(s); err == nil {
			return r
		}
	}
	return d
}

// Project copies the derived status into the petition's projection: state,
// handling unit, outcome and the running duty clock that falls due first.
// A loaded HandlingUnit that is no longer the handling unit is dropped, so
// that nothing reads a stale unit before storage loads the new one.
func (pr *Procedure) Project(p *xinfang.Petition, st *Status) {
	p.State = st.State
	p.HandlingUnitID = st.HandlingUnitID
	if p.HandlingUnit != nil && p.HandlingUnit.ID != st.HandlingUnitID {
		p.HandlingUnit = nil
	}
	p.Outcome = st.Outcome
	p.Clocks = st.Clocks
	p.Evaluation = st.Evaluation
	if st.Evaluation != "" && EvaluationExcluded(p) != "" {
		// Status documents "excluded" but Derive cannot know it: it
		// depends on the item, not on its history.
		p.Evaluation = "excluded"
	}
	p.DueDate, p.SevereDate, p.DueClock, p.Warning = calendar.Date{}, calendar.Date{}, "", ""
	for _, c := range st.Clocks {
		if !c.Running || !c.Duty || c.Paused {
			continue
		}
		if p.DueDate.IsZero() || c.Due.Before(p.DueDate) {
			p.DueDate, p.SevereDate, p.DueClock, p.Warning = c.Due, c.SevereAfter, c.Kind, c.Level
		}
	}
}
