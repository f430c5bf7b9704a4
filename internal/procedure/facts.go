package procedure

import (
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
)

// Facts replays the events of p (in order, the first being register) and
// returns what they say for the indicators of kpi.md (xinfang.Fact):
//
//   - accept: each 15-day clock — the registering unit's disposal clock
//     (第二十二条) and, after each transfer, the receiving unit's notice
//     clock (第二十三条). Done by a transfer, assignment, acceptance, refusal,
//     diversion, merge or objection; a withdrawal drops the clock. Its end
//     is the day it was done when on time, else its due date: each clock
//     counts once, in the period its outcome was decided.
//   - handle: each handling (第三十四条, extension included), review and
//     re-review clock (第三十五、三十六条, hearing time excluded), done by the
//     reply (or 依法终结); a withdrawal drops it. While a hearing runs the
//     due date is not known yet and is left zero.
//   - evaluate: the first reply of an item eligible for evaluation, with
//     the unit that replied and the petitioner's rating of it.
//
// Facts depend on the events and the item only, never on today, so that a
// stored set equals a recomputation whatever day it is made.
func (pr *Procedure) Facts(p *xinfang.Petition, events []*xinfang.Event) []xinfang.Fact {
	type open struct {
		fact     int // index in out
		def      ClockDef
		start    calendar.Date
		extended int
		paused   int
		pauseAt  calendar.Date
		pausing  bool
	}
	var out []xinfang.Fact
	var drop []int
	running := map[xinfang.ClockKind]*open{}
	handling := p.RegUnitID
	var senders []int64
	begin := func(kind xinfang.FactKind, clock xinfang.ClockKind, unit int64, d calendar.Date) {
		out = append(out, xinfang.Fact{PetitionID: p.ID, Kind: kind, Clock: clock, UnitID: unit})
		running[clock] = &open{fact: len(out) - 1, def: pr.def(clock), start: d}
	}
	due := func(o *open) calendar.Date {
		return pr.clock(o.def, o.start, o.extended, o.paused).due
	}
	finish := func(d calendar.Date, kinds ...xinfang.ClockKind) {
		for _, k := range kinds {
			o := running[k]
			if o == nil {
				continue
			}
			if o.pausing {
				o.paused += d.Sub(o.pauseAt) + 1
				o.pausing = false
			}
			f := &out[o.fact]
			f.Due, f.Done = due(o), d
			f.OnTime = !d.After(f.Due)
			delete(running, k)
		}
	}
	cancel := func(kinds ...xinfang.ClockKind) {
		for _, k := range kinds {
			if o := running[k]; o != nil {
				drop = append(drop, o.fact)
				delete(running, k)
			}
		}
	}
	replied := false
	evaluate := -1
	for _, e := range events {
		d := calendar.DateOf(e.At)
		switch e.Action {
		case xinfang.ActRegister:
			begin(xinfang.FactAccept, xinfang.ClockDisposal, p.RegUnitID, receivedOn(e, d))
		case xinfang.ActTransfer, xinfang.ActAssign:
			finish(d, xinfang.ClockDisposal, xinfang.ClockNotice)
			senders = append(senders, handling)
			handling, _ = strconv.ParseInt(e.Data["unit_id"], 10, 64)
			begin(xinfang.FactAccept, xinfang.ClockNotice, handling, d)
		case xinfang.ActReturn:
			finish(d, xinfang.ClockNotice)
			handling = p.RegUnitID
			if n := len(senders); n > 0 {
				handling, senders = senders[n-1], senders[:n-1]
			}
		case xinfang.ActAccept:
			finish(d, xinfang.ClockDisposal, xinfang.ClockNotice)
			begin(xinfang.FactHandle, xinfang.ClockHandling, e.ActorUnitID, d)
		case xinfang.ActNotAccept, xinfang.ActDivert, xinfang.ActMerge, xinfang.ActLegalTransfer:
			finish(d, xinfang.ClockDisposal, xinfang.ClockNotice)
		case xinfang.ActExtend:
			if o := running[xinfang.ClockHandling]; o != nil {
				n, _ := strconv.Atoi(e.Data["days"])
				o.extended += n
			}
		case xinfang.ActReply, xinfang.ActReviewReply, xinfang.ActRereviewReply, xinfang.ActTerminate:
			for _, k := range []xinfang.ClockKind{xinfang.ClockHandling, xinfang.ClockReview, xinfang.ClockRereview} {
				if o := running[k]; o != nil {
					// The body that answers is the one the clock held to.
					out[o.fact].UnitID = e.ActorUnitID
				}
			}
			finish(d, xinfang.ClockHandling, xinfang.ClockReview, xinfang.ClockRereview)
			if e.Action == xinfang.ActReply && !replied {
				replied = true
				if EvaluationExcluded(p) == "" {
					out = append(out, xinfang.Fact{PetitionID: p.ID, Kind: xinfang.FactEvaluate, UnitID: e.ActorUnitID, Done: d, End: d})
					evaluate = len(out) - 1
				}
			}
		case xinfang.ActEvaluate:
			if evaluate >= 0 && out[evaluate].Rating == "" {
				out[evaluate].Rating = xinfang.Rating(e.Data["rating_unit"])
			}
		case xinfang.ActRequestReview:
			begin(xinfang.FactHandle, xinfang.ClockReview, e.ActorUnitID, receivedOn(e, d))
		case xinfang.ActRequestRereview:
			begin(xinfang.FactHandle, xinfang.ClockRereview, e.ActorUnitID, receivedOn(e, d))
		case xinfang.ActHearingStart:
			if o := running[xinfang.ClockRereview]; o != nil && !o.pausing {
				o.pausing, o.pauseAt = true, d
			}
		case xinfang.ActHearingEnd:
			if o := running[xinfang.ClockRereview]; o != nil && o.pausing {
				o.paused += d.Sub(o.pauseAt) + 1
				o.pausing = false
			}
		case xinfang.ActWithdraw:
			cancel(xinfang.ClockDisposal, xinfang.ClockNotice, xinfang.ClockHandling)
		}
	}
	// Clocks still running: their due date as it stands (unknown while a
	// hearing runs).
	for _, o := range running {
		if !o.pausing {
			out[o.fact].Due = due(o)
		}
	}
	dropped := map[int]bool{}
	for _, i := range drop {
		dropped[i] = true
	}
	kept := out[:0]
	for i, f := range out {
		if dropped[i] {
			continue
		}
		if f.Kind == xinfang.FactAccept {
			f.End = f.Due
			if f.OnTime {
				f.End = f.Done
			}
		}
		kept = append(kept, f)
	}
	for i := range kept {
		kept[i].Seq = i + 1
	}
	return kept
}
