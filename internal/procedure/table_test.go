package procedure_test

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/procedure"
)

// allowedCase is one action that the table must accept.
type allowedCase struct {
	name     string
	flow     flow
	stage    string
	mods     []func(*xinfang.Petition)
	prep     func(it *item) // more history or a changed projection after the stage
	actor    *xinfang.User
	action   xinfang.Action
	now      time.Time // zero: a day after the last event
	data     map[string]string
	wantTo   xinfang.State
	wantData map[string]string // nil: the same as data
}

var allowedCases = []allowedCase{
	{name: "screen as law-related", flow: townFlow, stage: "registered", actor: registrar, action: xinfang.ActLegalScreen,
		data: screenLegal, wantTo: xinfang.StateRegistered},
	{name: "screen while pending", flow: townFlow, stage: "pending_sign", actor: registrar, action: xinfang.ActLegalScreen,
		data: map[string]string{"finding": "not_legal", "reason": "属一般行政事项"}, wantTo: xinfang.StatePendingSign},
	{name: "transfer a screened item to the police", flow: townFlow, stage: "registered", actor: registrar, action: xinfang.ActLegalTransfer,
		prep: screened, data: map[string]string{"unit_id": "6", "route": "police"}, wantTo: xinfang.StateDiverted},
	{name: "transfer from registered", flow: townFlow, stage: "registered", actor: registrar, action: xinfang.ActTransfer,
		data: map[string]string{"unit_id": " 03 "}, wantTo: xinfang.StatePendingSign, wantData: map[string]string{"unit_id": "3"}},
	{name: "transfer from signed, town to its village", flow: townFlow, stage: "signed", actor: headA, action: xinfang.ActTransfer,
		data: map[string]string{"unit_id": "5"}, wantTo: xinfang.StatePendingSign},
	{name: "transfer accusation to discipline", flow: townFlow, stage: "registered", mods: accusation, actor: registrar, action: xinfang.ActTransfer,
		data: map[string]string{"unit_id": "7"}, wantTo: xinfang.StatePendingSign},
	{name: "assign", flow: townFlow, stage: "registered", actor: registrar, action: xinfang.ActAssign,
		data: map[string]string{"unit_id": "3", "result_due": "2026-04-30"}, wantTo: xinfang.StatePendingSign},
	{name: "sign", flow: townFlow, stage: "pending_sign", actor: handlerA, action: xinfang.ActSign, wantTo: xinfang.StateSigned, wantData: map[string]string{}},
	{name: "sign by the unit head", flow: townFlow, stage: "pending_sign", actor: headA, action: xinfang.ActSign, wantTo: xinfang.StateSigned, wantData: map[string]string{}},
	{name: "return while pending", flow: townFlow, stage: "pending_sign", actor: handlerA, action: xinfang.ActReturn,
		data: map[string]string{"reason": "  不属本单位职权范围\n"}, wantTo: xinfang.StateRegistered, wantData: reasonData},
	{name: "return after signing, last day of the window", flow: townFlow, stage: "signed", actor: headA, action: xinfang.ActReturn,
		now: day("2026-03-10"), data: reasonData, wantTo: xinfang.StateRegistered},
	{name: "accept", flow: townFlow, stage: "signed", actor: handlerA, action: xinfang.ActAccept, wantTo: xinfang.StateHandling, wantData: map[string]string{}},
	{name: "accept on direct receipt", flow: townFlow, stage: "registered", actor: handlerA, action: xinfang.ActAccept,
		prep: func(it *item) { it.p.RegUnit, it.p.RegUnitID = townA, townA.ID }, wantTo: xinfang.StateHandling, wantData: map[string]string{}},
	{name: "decline an item submitted online", flow: townFlow, stage: "registered", actor: registrar, action: xinfang.ActDecline,
		prep: func(it *item) { it.p.Channel = xinfang.ChannelOnline }, data: reasonData, wantTo: xinfang.StateNotAccepted},
	{name: "not accept", flow: townFlow, stage: "signed", actor: handlerA, action: xinfang.ActNotAccept, data: reasonData, wantTo: xinfang.StateNotAccepted},
	{name: "divert, optional reason left out", flow: townFlow, stage: "signed", actor: handlerA, action: xinfang.ActDivert,
		data: map[string]string{"route": "litigation", "reason": "  "}, wantTo: xinfang.StateDiverted, wantData: map[string]string{"route": "litigation"}},
	{name: "merge into an earlier item", flow: townFlow, stage: "pending_sign", actor: registrar, action: xinfang.ActMerge,
		data: map[string]string{"into": "050"}, wantTo: xinfang.StateMerged, wantData: map[string]string{"into": "50"}},
	{name: "extend", flow: townFlow, stage: "handling", actor: headA, action: xinfang.ActExtend,
		data: map[string]string{"days": "030", "reason": "情况复杂"}, wantTo: xinfang.StateHandling, wantData: map[string]string{"days": "30", "reason": "情况复杂"}},
	{name: "reply, empty basis left out", flow: townFlow, stage: "handling", actor: handlerA, action: xinfang.ActReply,
		data: with(replyData, "basis", " ", "facts", " 经查，反映属实 "), wantTo: xinfang.StateReplied, wantData: with(replyData, "basis", "<nil>")},
	{name: "mediation agreement concludes", flow: townFlow, stage: "handling", actor: handlerA, action: xinfang.ActMediationConclude,
		data: map[string]string{"agreement": "双方同意由公司于月底前支付工资", "mediation": "TJ-2026-0001"}, wantTo: xinfang.StateConcluded},
	{name: "deliver", flow: townFlow, stage: "replied", actor: handlerA, action: xinfang.ActDeliver,
		data: deliverData("2026-03-21"), wantTo: xinfang.StateReplied},
	{name: "deliver by the bureau", flow: townFlow, stage: "replied", actor: registrar, action: xinfang.ActDeliver,
		data: deliverData("2026-03-20"), wantTo: xinfang.StateReplied},
	{name: "evaluate", flow: townFlow, stage: "delivered", actor: registrar, action: xinfang.ActEvaluate, data: evaluateData, wantTo: xinfang.StateReplied},
	{name: "request review", flow: townFlow, stage: "delivered", actor: registrar, action: xinfang.ActRequestReview,
		data: map[string]string{"request": "对处理意见不服", "received_on": "2026-03-22"}, wantTo: xinfang.StateReviewing},
	{name: "request review on the last day", flow: townFlow, stage: "delivered", actor: handlerA, action: xinfang.ActRequestReview,
		now: at("2026-04-20 23:59"), data: map[string]string{"request": "对处理意见不服"}, wantTo: xinfang.StateReviewing},
	{name: "review reply", flow: townFlow, stage: "reviewing", actor: registrar, action: xinfang.ActReviewReply, data: replyData, wantTo: xinfang.StateReviewed},
	{name: "request re-review", flow: townFlow, stage: "review_delivered", actor: registrar, action: xinfang.ActRequestRereview,
		data: map[string]string{"request": "对复查意见不服", "received_on": "2026-04-12"}, wantTo: xinfang.StateRereviewing},
	{name: "hearing start", flow: townFlow, stage: "rereviewing", actor: registrar, action: xinfang.ActHearingStart,
		data: map[string]string{"place": "市信访局听证室"}, wantTo: xinfang.StateRereviewing},
	{name: "hearing end", flow: townFlow, stage: "hearing", actor: registrar, action: xinfang.ActHearingEnd,
		data: map[string]string{"conclusion": "维持"}, wantTo: xinfang.StateRereviewing},
	{name: "re-review reply", flow: townFlow, stage: "heard", actor: registrar, action: xinfang.ActRereviewReply, data: replyData, wantTo: xinfang.StateTerminated},
	{name: "re-review reply without a hearing", flow: townFlow, stage: "rereviewing", actor: registrar, action: xinfang.ActRereviewReply, data: replyData, wantTo: xinfang.StateTerminated},
	{name: "deliver the re-review opinion", flow: townFlow, stage: "terminated", actor: registrar, action: xinfang.ActDeliver,
		data: deliverData("2026-05-07"), now: day("2026-05-07"), wantTo: xinfang.StateTerminated},
	{name: "conclude after the review window", flow: townFlow, stage: "delivered", actor: registrar, action: xinfang.ActConclude,
		now: day("2026-04-21"), wantTo: xinfang.StateConcluded, wantData: map[string]string{}},
	{name: "conclude after the re-review window", flow: townFlow, stage: "review_delivered", actor: registrar, action: xinfang.ActConclude,
		now: day("2026-05-12"), wantTo: xinfang.StateConcluded, wantData: map[string]string{}},
	{name: "terminate a legal case", flow: legalFlow, stage: "handling", actor: legalHandler, action: xinfang.ActTerminate,
		data: map[string]string{"reason": "法律程序已穷尽", "aftercare": "司法救助"}, wantTo: xinfang.StateTerminated},
	{name: "terminate a legal case after review", flow: legalFlow, stage: "reviewed", actor: legalHandler, action: xinfang.ActTerminate,
		data: map[string]string{"reason": "法律程序已穷尽"}, wantTo: xinfang.StateTerminated},
	{name: "withdraw", flow: townFlow, stage: "handling", actor: handlerA, action: xinfang.ActWithdraw, data: reasonData, wantTo: xinfang.StateWithdrawn},
	{name: "withdraw at the bureau", flow: townFlow, stage: "registered", actor: registrar, action: xinfang.ActWithdraw, data: reasonData, wantTo: xinfang.StateWithdrawn},
}

func TestApplyAllowed(t *testing.T) {
	for _, tc := range allowedCases {
		t.Run(tc.name, func(t *testing.T) {
			it := build(t, tc.flow, tc.stage, tc.mods...)
			if tc.prep != nil {
				tc.prep(it)
			}
			now := tc.now
			if now.IsZero() {
				now = it.last().Add(24 * time.Hour)
			}
			from := it.p.State
			req := it.request(tc.actor, tc.action, now, tc.data)
			before := snapshot(req)
			e, err := pr.Apply(req, lookup{})
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !reflect.DeepEqual(before, snapshot(req)) {
				t.Errorf("Apply changed its inputs")
			}
			if e.Action != tc.action || e.From != from || e.To != tc.wantTo {
				t.Errorf("event %s %s→%s, want %s %s→%s", e.Action, e.From, e.To, tc.action, from, tc.wantTo)
			}
			want := tc.wantData
			if want == nil {
				want = tc.data
			}
			if !maps.Equal(e.Data, want) {
				t.Errorf("data %q, want %q", e.Data, want)
			}
			if e.Seq != len(it.events)+1 || e.PetitionID != it.p.ID || !e.At.Equal(now) {
				t.Errorf("event seq %d petition %d at %s, want %d %d %s", e.Seq, e.PetitionID, e.At, len(it.events)+1, it.p.ID, now)
			}
			if e.ActorID != tc.actor.ID || e.ActorUnitID != tc.actor.UnitID || e.ActorName != tc.actor.Name {
				t.Errorf("event actor %d/%d/%s, want %d/%d/%s", e.ActorID, e.ActorUnitID, e.ActorName, tc.actor.ID, tc.actor.UnitID, tc.actor.Name)
			}
			// What Apply accepts, Allowed offers — but the steps only
			// their register takes.
			if tr, _ := procedure.Find(tc.action); tr.Register {
				if slices.ContainsFunc(pr.Allowed(req.Petition, tc.actor), func(tr *procedure.Transition) bool { return tr.Action == tc.action }) {
					t.Errorf("Allowed offers %s, a step of its register", tc.action)
				}
				return
			}
			var offered []xinfang.Action
			for _, tr := range pr.Allowed(req.Petition, tc.actor) {
				offered = append(offered, tr.Action)
			}
			if !slices.Contains(offered, tc.action) {
				t.Errorf("Allowed offers %v, not %s", offered, tc.action)
			}
		})
	}
}

// Every row of the table has at least one allowed case above.
func TestTableCovered(t *testing.T) {
	for _, tr := range procedure.Table {
		if !slices.ContainsFunc(allowedCases, func(c allowedCase) bool { return c.action == tr.Action }) {
			t.Errorf("no allowed case for %s", tr.Action)
		}
		if got, ok := procedure.Find(tr.Action); !ok || got.Action != tr.Action {
			t.Errorf("Find(%s) = %v, %v", tr.Action, got, ok)
		}
		if tr.Action.Label() == string(tr.Action) {
			t.Errorf("%s has no label", tr.Action)
		}
		if len(tr.From) == 0 || len(tr.Roles) == 0 {
			t.Errorf("%s: no from-state or no role", tr.Action)
		}
		for _, f := range tr.Fields {
			if f.Kind == procedure.FieldChoice && len(f.Choices) == 0 {
				t.Errorf("%s.%s: a choice with no choices", tr.Action, f.Name)
			}
		}
	}
	if _, ok := procedure.Find(xinfang.ActRegister); ok {
		t.Errorf("register is in the table; it creates the item instead")
	}
}

type requestSnapshot struct {
	Petition xinfang.Petition
	Events   []xinfang.Event
	Input    xinfang.ActionInput
	Data     map[string]string
}

func snapshot(r procedure.Request) requestSnapshot {
	s := requestSnapshot{Petition: *r.Petition, Input: r.Input, Data: maps.Clone(r.Input.Data)}
	for _, e := range r.Events {
		c := *e
		c.Data = maps.Clone(e.Data)
		s.Events = append(s.Events, c)
	}
	return s
}

// forbiddenCase is an action the procedure must refuse, with the code and,
// for EINVALID, the one field it names.
type forbiddenCase struct {
	name      string
	flow      flow
	stage     string
	mods      []func(*xinfang.Petition)
	prep      func(it *item)
	actor     *xinfang.User
	action    xinfang.Action
	now       time.Time // zero: a day after the last event
	data      map[string]string
	version   int // added to the item's version
	code      string
	field     string
	inputAt   time.Time // Input.At, a back-dated record
	note      string
	wantInMsg string // the message names this, e.g. the date a window closed
}

var (
	transferA   = map[string]string{"unit_id": "3"}
	extendData  = map[string]string{"days": "30", "reason": "情况复杂"}
	requestData = map[string]string{"request": "不服"}
	accusation  = []func(*xinfang.Petition){func(p *xinfang.Petition) { p.Purpose = xinfang.PurposeAccusation }}
	legalCase   = []func(*xinfang.Petition){func(p *xinfang.Petition) { p.LegalCase = true }}
	screenLegal = map[string]string{"finding": "legal", "reason": "反映公安机关不予立案，属涉法涉诉"}
	screened    = func(it *item) { it.do(registrar, xinfang.ActLegalScreen, it.last().Add(time.Hour), screenLegal) }
)

var forbiddenCases = []forbiddenCase{
	// 涉法涉诉: only a screened item, only to a 政法机关, into its route.
	{name: "legal transfer without screening", stage: "registered", actor: registrar, action: xinfang.ActLegalTransfer,
		data: map[string]string{"unit_id": "6", "route": "police"}, code: xinfang.EINVALID, field: "finding"},
	{name: "legal transfer after a not-legal finding", stage: "registered", actor: registrar, action: xinfang.ActLegalTransfer,
		prep: func(it *item) {
			it.do(registrar, xinfang.ActLegalScreen, it.last().Add(time.Hour), map[string]string{"finding": "not_legal", "reason": "一般事项"})
		},
		data: map[string]string{"unit_id": "6", "route": "police"}, code: xinfang.EINVALID, field: "finding"},
	{name: "legal transfer to a town", stage: "registered", actor: registrar, action: xinfang.ActLegalTransfer, prep: screened,
		data: map[string]string{"unit_id": "3", "route": "police"}, code: xinfang.EINVALID, field: "unit_id"},
	{name: "legal transfer to the court into the police route", stage: "registered", actor: registrar, action: xinfang.ActLegalTransfer, prep: screened,
		data: map[string]string{"unit_id": "9", "route": "police"}, code: xinfang.EINVALID, field: "route"},
	{name: "legal screening by a handler", stage: "registered", actor: handlerA, action: xinfang.ActLegalScreen, data: screenLegal, code: xinfang.EFORBIDDEN},
	{name: "legal screening without reason", stage: "registered", actor: registrar, action: xinfang.ActLegalScreen,
		data: map[string]string{"finding": "legal"}, code: xinfang.EINVALID, field: "reason"},
	// Unknown action and stale versions.
	{name: "unknown action", stage: "handling", actor: handlerA, action: "approve", code: xinfang.EINVALID, field: "action"},
	{name: "stale version", stage: "signed", actor: handlerA, action: xinfang.ActAccept, version: -1, code: xinfang.ECONFLICT, field: "version"},
	{name: "version from the future", stage: "signed", actor: handlerA, action: xinfang.ActAccept, version: +1, code: xinfang.ECONFLICT, field: "version"},

	// Wrong state.
	{name: "accept before signing", stage: "pending_sign", actor: handlerA, action: xinfang.ActAccept, code: xinfang.ECONFLICT},
	{name: "sign twice", stage: "signed", actor: handlerA, action: xinfang.ActSign, code: xinfang.ECONFLICT},
	{name: "transfer while pending", stage: "pending_sign", actor: registrar, action: xinfang.ActTransfer, data: map[string]string{"unit_id": "4"}, code: xinfang.ECONFLICT},
	{name: "reply before accepting", stage: "signed", actor: handlerA, action: xinfang.ActReply, data: replyData, code: xinfang.ECONFLICT},
	{name: "extend before accepting", stage: "signed", actor: headA, action: xinfang.ActExtend, data: extendData, code: xinfang.ECONFLICT},
	{name: "deliver before reply", stage: "handling", actor: handlerA, action: xinfang.ActDeliver, data: deliverData("2026-03-06"), code: xinfang.ECONFLICT},
	{name: "return after accepting", stage: "handling", actor: handlerA, action: xinfang.ActReturn, data: reasonData, code: xinfang.ECONFLICT},
	{name: "request review while reviewing", stage: "reviewing", actor: registrar, action: xinfang.ActRequestReview, data: requestData, code: xinfang.ECONFLICT},
	{name: "request re-review before review", stage: "delivered", actor: registrar, action: xinfang.ActRequestRereview, data: requestData, code: xinfang.ECONFLICT},
	{name: "hearing before re-review", stage: "reviewing", actor: registrar, action: xinfang.ActHearingStart, data: map[string]string{"place": "x"}, code: xinfang.ECONFLICT},
	{name: "conclude while handling", stage: "handling", actor: handlerA, action: xinfang.ActConclude, code: xinfang.ECONFLICT},
	{name: "withdraw after reply", stage: "replied", actor: handlerA, action: xinfang.ActWithdraw, data: reasonData, code: xinfang.ECONFLICT},
	{name: "terminate while re-reviewing", flow: legalFlow, stage: "rereviewing", actor: legalHandler, action: xinfang.ActTerminate, data: reasonData, code: xinfang.ECONFLICT},
	{name: "anything after termination", stage: "terminated", actor: registrar, action: xinfang.ActRequestRereview, data: requestData, code: xinfang.ECONFLICT},
	{name: "accept a withdrawn item", stage: "signed", prep: func(it *item) { it.do(handlerA, xinfang.ActWithdraw, day("2026-03-05"), reasonData) },
		actor: handlerA, action: xinfang.ActAccept, code: xinfang.ECONFLICT},

	// Wrong role.
	{name: "handler transfers", stage: "signed", actor: handlerA, action: xinfang.ActTransfer, data: map[string]string{"unit_id": "5"}, code: xinfang.EFORBIDDEN},
	{name: "handler extends", stage: "handling", actor: handlerA, action: xinfang.ActExtend, data: extendData, code: xinfang.EFORBIDDEN},
	{name: "registrar signs", stage: "pending_sign", actor: registrar, action: xinfang.ActSign, code: xinfang.EFORBIDDEN},
	{name: "registrar replies", stage: "handling", actor: registrar, action: xinfang.ActReply, data: replyData, code: xinfang.EFORBIDDEN},
	{name: "observer delivers", stage: "replied", actor: observer, action: xinfang.ActDeliver, data: deliverData("2026-03-21"), code: xinfang.EFORBIDDEN},
	{name: "no unit", stage: "signed", actor: &xinfang.User{ID: 99, Roles: []xinfang.Role{xinfang.RoleHandler}}, action: xinfang.ActAccept, code: xinfang.EUNAUTHORIZED},

	// Unit not on the right side.
	{name: "other town signs", stage: "pending_sign", actor: handlerB, action: xinfang.ActSign, code: xinfang.EFORBIDDEN},
	{name: "other town accepts", stage: "signed", actor: handlerB, action: xinfang.ActAccept, code: xinfang.EFORBIDDEN},
	{name: "other town replies", stage: "handling", actor: handlerB, action: xinfang.ActReply, data: replyData, code: xinfang.EFORBIDDEN},
	{name: "other town returns", stage: "pending_sign", actor: handlerB, action: xinfang.ActReturn, data: reasonData, code: xinfang.EFORBIDDEN},
	{name: "other town delivers", stage: "replied", actor: handlerB, action: xinfang.ActDeliver, data: deliverData("2026-03-21"), code: xinfang.EFORBIDDEN},
	{name: "village acts for its town", stage: "pending_sign", actor: villageHandler, action: xinfang.ActSign, code: xinfang.EFORBIDDEN},
	{name: "bureau accepts a transferred item", stage: "signed", actor: user(20, "信访局承办人", bureau, xinfang.RoleHandler), action: xinfang.ActAccept, code: xinfang.EFORBIDDEN},
	{name: "town merges the bureau's item", stage: "pending_sign", actor: headA, action: xinfang.ActMerge, data: map[string]string{"into": "50"}, code: xinfang.EFORBIDDEN},
	{name: "town transfers an item it does not hold", stage: "registered", actor: headA, action: xinfang.ActTransfer, data: map[string]string{"unit_id": "4"}, code: xinfang.EFORBIDDEN},

	// Missing required data.
	{name: "transfer without unit", stage: "registered", actor: registrar, action: xinfang.ActTransfer, code: xinfang.EINVALID, field: "unit_id"},
	{name: "assign without result due", stage: "registered", actor: registrar, action: xinfang.ActAssign, data: transferA, code: xinfang.EINVALID, field: "result_due"},
	{name: "return without reason", stage: "pending_sign", actor: handlerA, action: xinfang.ActReturn, data: map[string]string{"reason": "  "}, code: xinfang.EINVALID, field: "reason"},
	{name: "not accept without reason", stage: "signed", actor: handlerA, action: xinfang.ActNotAccept, code: xinfang.EINVALID, field: "reason"},
	{name: "divert without route", stage: "signed", actor: handlerA, action: xinfang.ActDivert, data: map[string]string{"reason": "x"}, code: xinfang.EINVALID, field: "route"},
	{name: "merge without target", stage: "registered", actor: registrar, action: xinfang.ActMerge, code: xinfang.EINVALID, field: "into"},
	{name: "extend without days", stage: "handling", actor: headA, action: xinfang.ActExtend, data: with(extendData, "days", "<nil>"), code: xinfang.EINVALID, field: "days"},
	{name: "extend without reason", stage: "handling", actor: headA, action: xinfang.ActExtend, data: with(extendData, "reason", "<nil>"), code: xinfang.EINVALID, field: "reason"},
	{name: "reply without outcome", stage: "handling", actor: handlerA, action: xinfang.ActReply, data: with(replyData, "outcome", "<nil>"), code: xinfang.EINVALID, field: "outcome"},
	{name: "reply without facts", stage: "handling", actor: handlerA, action: xinfang.ActReply, data: with(replyData, "facts", ""), code: xinfang.EINVALID, field: "facts"},
	{name: "reply without opinion", stage: "handling", actor: handlerA, action: xinfang.ActReply, data: with(replyData, "opinion", "<nil>"), code: xinfang.EINVALID, field: "opinion"},
	{name: "deliver without date", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: with(deliverData(""), "delivered_on", "<nil>"), code: xinfang.EINVALID, field: "delivered_on"},
	{name: "deliver without method", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: with(deliverData("2026-03-21"), "method", "<nil>"), code: xinfang.EINVALID, field: "method"},
	{name: "deliver without receipt", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: with(deliverData("2026-03-21"), "receipt", "<nil>"), code: xinfang.EINVALID, field: "receipt"},
	{name: "deliver without opinion", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: with(deliverData("2026-03-21"), "petitioner_opinion", "<nil>"), code: xinfang.EINVALID, field: "petitioner_opinion"},
	{name: "evaluate without bureau rating", stage: "delivered", actor: registrar, action: xinfang.ActEvaluate, data: with(evaluateData, "rating_bureau", "<nil>"), code: xinfang.EINVALID, field: "rating_bureau"},
	{name: "request review without request", stage: "delivered", actor: registrar, action: xinfang.ActRequestReview, code: xinfang.EINVALID, field: "request"},
	{name: "review reply without outcome", stage: "reviewing", actor: registrar, action: xinfang.ActReviewReply, data: with(replyData, "outcome", "<nil>"), code: xinfang.EINVALID, field: "outcome"},
	{name: "request re-review without request", stage: "review_delivered", actor: registrar, action: xinfang.ActRequestRereview, code: xinfang.EINVALID, field: "request"},
	{name: "hearing without place", stage: "rereviewing", actor: registrar, action: xinfang.ActHearingStart, code: xinfang.EINVALID, field: "place"},
	{name: "hearing end without conclusion", stage: "hearing", actor: registrar, action: xinfang.ActHearingEnd, code: xinfang.EINVALID, field: "conclusion"},
	{name: "re-review reply without facts", stage: "heard", actor: registrar, action: xinfang.ActRereviewReply, data: with(replyData, "facts", "<nil>"), code: xinfang.EINVALID, field: "facts"},
	{name: "terminate without reason", flow: legalFlow, stage: "handling", actor: legalHandler, action: xinfang.ActTerminate, code: xinfang.EINVALID, field: "reason"},
	{name: "withdraw without reason", stage: "handling", actor: handlerA, action: xinfang.ActWithdraw, code: xinfang.EINVALID, field: "reason"},

	// Bad choices.
	{name: "unknown outcome", stage: "handling", actor: handlerA, action: xinfang.ActReply, data: with(replyData, "outcome", "maybe"), code: xinfang.EINVALID, field: "outcome"},
	{name: "outcome by label", stage: "handling", actor: handlerA, action: xinfang.ActReply, data: with(replyData, "outcome", "支持"), code: xinfang.EINVALID, field: "outcome"},
	{name: "unknown delivery method", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: with(deliverData("2026-03-21"), "method", "pigeon"), code: xinfang.EINVALID, field: "method"},
	{name: "unknown receipt", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: with(deliverData("2026-03-21"), "receipt", "lost"), code: xinfang.EINVALID, field: "receipt"},
	{name: "unknown petitioner opinion", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: with(deliverData("2026-03-21"), "petitioner_opinion", "angry"), code: xinfang.EINVALID, field: "petitioner_opinion"},
	{name: "unknown route", stage: "signed", actor: handlerA, action: xinfang.ActDivert, data: map[string]string{"route": "prayer"}, code: xinfang.EINVALID, field: "route"},
	{name: "unknown rating", stage: "delivered", actor: registrar, action: xinfang.ActEvaluate, data: with(evaluateData, "rating_unit", "great"), code: xinfang.EINVALID, field: "rating_unit"},

	// Bad dates.
	{name: "result due with slashes", stage: "registered", actor: registrar, action: xinfang.ActAssign, data: with(transferA, "result_due", "2026/04/30"), code: xinfang.EINVALID, field: "result_due"},
	{name: "result due that does not exist", stage: "registered", actor: registrar, action: xinfang.ActAssign, data: with(transferA, "result_due", "2026-02-30"), code: xinfang.EINVALID, field: "result_due"},
	{name: "result due today", stage: "registered", actor: registrar, action: xinfang.ActAssign, now: day("2026-03-03"), data: with(transferA, "result_due", "2026-03-03"), code: xinfang.EINVALID, field: "result_due"},
	{name: "delivered on without padding", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: deliverData("2026-3-21"), code: xinfang.EINVALID, field: "delivered_on"},
	{name: "result due a century ahead", stage: "registered", actor: registrar, action: xinfang.ActAssign, data: with(transferA, "result_due", "2126-04-30"), code: xinfang.EINVALID, field: "result_due"},
	{name: "delivered in 1900", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: deliverData("1900-01-01"), code: xinfang.EINVALID, field: "delivered_on"},
	{name: "received on in words", stage: "delivered", actor: registrar, action: xinfang.ActRequestReview, data: with(requestData, "received_on", "yesterday"), code: xinfang.EINVALID, field: "received_on"},

	// Extension days.
	{name: "extend 0 days", stage: "handling", actor: headA, action: xinfang.ActExtend, data: with(extendData, "days", "0"), code: xinfang.EINVALID, field: "days"},
	{name: "extend 31 days", stage: "handling", actor: headA, action: xinfang.ActExtend, data: with(extendData, "days", "31"), code: xinfang.EINVALID, field: "days"},
	{name: "extend -5 days", stage: "handling", actor: headA, action: xinfang.ActExtend, data: with(extendData, "days", "-5"), code: xinfang.EINVALID, field: "days"},
	{name: "extend 1.5 days", stage: "handling", actor: headA, action: xinfang.ActExtend, data: with(extendData, "days", "1.5"), code: xinfang.EINVALID, field: "days"},
	{name: "extend thirty days", stage: "handling", actor: headA, action: xinfang.ActExtend, data: with(extendData, "days", "三十"), code: xinfang.EINVALID, field: "days"},

	// Unknown extra fields.
	{name: "accept with a comment", stage: "signed", actor: handlerA, action: xinfang.ActAccept, data: map[string]string{"comment": "ok"}, code: xinfang.EINVALID, field: "comment"},
	{name: "reply with a unit", stage: "handling", actor: handlerA, action: xinfang.ActReply, data: with(replyData, "unit_id", "4"), code: xinfang.EINVALID, field: "unit_id"},
	{name: "conclude with an outcome", stage: "delivered", actor: registrar, action: xinfang.ActConclude, now: day("2026-04-21"), data: map[string]string{"outcome": "support"}, code: xinfang.EINVALID, field: "outcome"},

	// Unknown references.
	{name: "transfer to an unknown unit", stage: "registered", actor: registrar, action: xinfang.ActTransfer, data: map[string]string{"unit_id": "999"}, code: xinfang.EINVALID, field: "unit_id"},
	{name: "transfer to unit zero", stage: "registered", actor: registrar, action: xinfang.ActTransfer, data: map[string]string{"unit_id": "0"}, code: xinfang.EINVALID, field: "unit_id"},
	{name: "transfer to a unit name", stage: "registered", actor: registrar, action: xinfang.ActTransfer, data: map[string]string{"unit_id": "甲镇"}, code: xinfang.EINVALID, field: "unit_id"},
	{name: "merge into an unknown item", stage: "registered", actor: registrar, action: xinfang.ActMerge, data: map[string]string{"into": "999"}, code: xinfang.EINVALID, field: "into"},

	// Transfer guards.
	{name: "transfer to a superior body", stage: "registered", actor: registrar, action: xinfang.ActTransfer, data: map[string]string{"unit_id": "8"}, code: xinfang.EINVALID, field: "unit_id"},
	{name: "transfer to the registering unit itself", stage: "registered", actor: registrar, action: xinfang.ActTransfer, data: map[string]string{"unit_id": "2"}, code: xinfang.EINVALID, field: "unit_id"},
	{name: "transfer to the handling unit itself", stage: "signed", actor: headA, action: xinfang.ActTransfer, data: map[string]string{"unit_id": "3"}, code: xinfang.EINVALID, field: "unit_id"},
	{name: "assign to the same unit", stage: "registered", actor: registrar, action: xinfang.ActAssign, data: map[string]string{"unit_id": "2", "result_due": "2026-04-30"}, code: xinfang.EINVALID, field: "unit_id"},
	{name: "accusation to a town", stage: "registered", mods: accusation, actor: registrar, action: xinfang.ActTransfer, data: transferA, code: xinfang.EINVALID, field: "unit_id"},
	{name: "accusation to the police", stage: "registered", mods: accusation, actor: registrar, action: xinfang.ActAssign, data: map[string]string{"unit_id": "6", "result_due": "2026-04-30"}, code: xinfang.EINVALID, field: "unit_id"},

	// Merge guards.
	{name: "merge into itself", stage: "registered", actor: registrar, action: xinfang.ActMerge, prep: func(it *item) { it.p.ID = earlier.ID; it.p.ReceivedAt = earlier.ReceivedAt },
		data: map[string]string{"into": "50"}, code: xinfang.EINVALID, field: "into"},
	{name: "merge into a later item", stage: "registered", actor: registrar, action: xinfang.ActMerge, data: map[string]string{"into": "60"}, code: xinfang.EINVALID, field: "into"},

	// Objection window: transferred Tuesday 2026-03-03, 5 working days end Tuesday 03-10.
	{name: "return after the objection window", stage: "signed", actor: handlerA, action: xinfang.ActReturn, now: day("2026-03-11"), data: reasonData, code: xinfang.EINVALID, field: "reason", wantInMsg: "2026-03-10"},
	{name: "return while pending after the window", stage: "pending_sign", actor: handlerA, action: xinfang.ActReturn, now: at("2026-03-11 00:05"), data: reasonData, code: xinfang.EINVALID, field: "reason"},

	// Extension guards.
	{name: "second extension", stage: "handling", prep: func(it *item) { it.do(headA, xinfang.ActExtend, day("2026-04-01"), with(extendData, "days", "10")) },
		actor: headA, action: xinfang.ActExtend, data: with(extendData, "days", "5"), code: xinfang.EINVALID, field: "days"},
	{name: "extension after the handling due date", stage: "handling", actor: headA, action: xinfang.ActExtend, now: day("2026-05-07"), data: extendData, code: xinfang.EINVALID, field: "days", wantInMsg: "2026-05-06"},

	// Delivery guards.
	{name: "deliver with nothing undelivered", stage: "delivered", actor: handlerA, action: xinfang.ActDeliver, data: deliverData("2026-03-22"), code: xinfang.EINVALID, field: "delivered_on"},
	{name: "delivered before the reply", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, data: deliverData("2026-03-19"), code: xinfang.EINVALID, field: "delivered_on", wantInMsg: "2026-03-20"},
	{name: "delivered in the future", stage: "replied", actor: handlerA, action: xinfang.ActDeliver, now: day("2026-03-21"), data: deliverData("2026-03-22"), code: xinfang.EINVALID, field: "delivered_on"},
	{name: "review opinion delivered before it was written", stage: "reviewed", actor: registrar, action: xinfang.ActDeliver, data: deliverData("2026-04-09"), code: xinfang.EINVALID, field: "delivered_on"},

	// Evaluation guards.
	{name: "evaluate before delivery", stage: "replied", actor: registrar, action: xinfang.ActEvaluate, data: evaluateData, code: xinfang.EINVALID, field: "rating_unit"},
	{name: "evaluate twice", stage: "delivered", prep: func(it *item) { it.do(registrar, xinfang.ActEvaluate, day("2026-03-22"), evaluateData) },
		actor: registrar, action: xinfang.ActEvaluate, data: evaluateData, code: xinfang.EINVALID, field: "rating_unit"},
	{name: "evaluate a legal case", flow: legalFlow, stage: "delivered", actor: registrar, action: xinfang.ActEvaluate, data: evaluateData, code: xinfang.EINVALID, field: "rating_unit", wantInMsg: "涉法涉诉"},
	{name: "evaluate a court's item", flow: courtFlow, stage: "delivered", actor: registrar, action: xinfang.ActEvaluate, data: evaluateData, code: xinfang.EINVALID, field: "rating_unit", wantInMsg: "法院"},
	{name: "evaluate a 人大 item", stage: "delivered", actor: registrar, action: xinfang.ActEvaluate, data: evaluateData, code: xinfang.EINVALID, field: "rating_unit",
		prep: func(it *item) {
			u := *townA
			u.Name = "甲镇人大主席团"
			it.p.HandlingUnit = &u
		}},

	// Review and re-review windows: delivered 2026-03-21, window ends 2026-04-20.
	{name: "request review after 30 days", stage: "delivered", actor: registrar, action: xinfang.ActRequestReview, now: day("2026-04-21"), data: requestData, code: xinfang.EINVALID, field: "received_on", wantInMsg: "2026-04-20"},
	{name: "review request received after 30 days", stage: "delivered", actor: registrar, action: xinfang.ActRequestReview, now: day("2026-04-25"), data: with(requestData, "received_on", "2026-04-21"), code: xinfang.EINVALID, field: "received_on"},
	{name: "review request received before delivery", stage: "delivered", actor: registrar, action: xinfang.ActRequestReview, data: with(requestData, "received_on", "2026-03-20"), code: xinfang.EINVALID, field: "received_on"},
	{name: "review request received tomorrow", stage: "delivered", actor: registrar, action: xinfang.ActRequestReview, now: day("2026-03-23"), data: with(requestData, "received_on", "2026-03-24"), code: xinfang.EINVALID, field: "received_on"},
	{name: "request review before delivery", stage: "replied", actor: registrar, action: xinfang.ActRequestReview, data: requestData, code: xinfang.EINVALID, field: "received_on"},
	{name: "request re-review after 30 days", stage: "review_delivered", actor: registrar, action: xinfang.ActRequestRereview, now: day("2026-05-12"), data: requestData, code: xinfang.EINVALID, field: "received_on", wantInMsg: "2026-05-11"},
	{name: "request re-review before the review opinion is delivered", stage: "reviewed", actor: registrar, action: xinfang.ActRequestRereview, data: requestData, code: xinfang.EINVALID, field: "received_on"},

	// Conclusion waits for the window to close.
	{name: "conclude on the last day of the review window", stage: "delivered", actor: registrar, action: xinfang.ActConclude, now: at("2026-04-20 23:00"), code: xinfang.EINVALID, field: "action", wantInMsg: "2026-04-20"},
	{name: "conclude before delivery", stage: "replied", actor: registrar, action: xinfang.ActConclude, now: day("2026-06-01"), code: xinfang.EINVALID, field: "action"},
	{name: "conclude within the re-review window", stage: "review_delivered", actor: registrar, action: xinfang.ActConclude, now: day("2026-05-11"), code: xinfang.EINVALID, field: "action"},

	// Hearings.
	{name: "hearing end without hearing", stage: "rereviewing", actor: registrar, action: xinfang.ActHearingEnd, data: map[string]string{"conclusion": "x"}, code: xinfang.EINVALID, field: "action"},
	{name: "hearing start during a hearing", stage: "hearing", actor: registrar, action: xinfang.ActHearingStart, data: map[string]string{"place": "x"}, code: xinfang.EINVALID, field: "action"},
	{name: "re-review reply during a hearing", stage: "hearing", actor: registrar, action: xinfang.ActRereviewReply, data: replyData, code: xinfang.EINVALID, field: "action"},

	// Termination (依法终结) is for 涉法涉诉 items, by a 政法机关.
	{name: "terminate an ordinary item", stage: "handling", actor: handlerA, action: xinfang.ActTerminate, data: reasonData, code: xinfang.EINVALID, field: "reason"},
	{name: "terminate a legal case at a town", stage: "handling", mods: legalCase, actor: handlerA, action: xinfang.ActTerminate, data: reasonData, code: xinfang.EFORBIDDEN},
	{name: "terminate by another 政法机关", flow: legalFlow, stage: "handling", actor: courtHandler, action: xinfang.ActTerminate, data: reasonData, code: xinfang.EFORBIDDEN},

	// The instant of a back-dated record.
	{name: "action dated in the future", stage: "signed", actor: handlerA, action: xinfang.ActAccept, inputAt: day("2026-03-06"), now: day("2026-03-05"), code: xinfang.EINVALID, field: "at"},
	{name: "action dated before the last event", stage: "signed", actor: handlerA, action: xinfang.ActAccept, inputAt: day("2026-03-03"), now: day("2026-03-05"), code: xinfang.EINVALID, field: "at"},

	// Note length.
	{name: "note too long", stage: "signed", actor: handlerA, action: xinfang.ActAccept, note: strings.Repeat("长", 2001), code: xinfang.EINVALID, field: "note"},
}

func TestApplyForbidden(t *testing.T) {
	for _, tc := range forbiddenCases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.flow
			if f.unit == nil {
				f = townFlow
			}
			it := build(t, f, tc.stage, tc.mods...)
			if tc.prep != nil {
				tc.prep(it)
			}
			now := tc.now
			if now.IsZero() {
				now = it.last().Add(24 * time.Hour)
			}
			req := it.request(tc.actor, tc.action, now, tc.data)
			req.Input.Version += tc.version
			req.Input.At = tc.inputAt
			req.Input.Note = tc.note
			e, err := pr.Apply(req, lookup{})
			if err == nil {
				t.Fatalf("Apply accepted it: %s %s→%s %v", e.Action, e.From, e.To, e.Data)
			}
			if e != nil {
				t.Errorf("Apply returned an event with an error")
			}
			if got := xinfang.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q, want %q: %v", got, tc.code, err)
			}
			fields := xinfang.ErrorFields(err)
			if tc.field != "" {
				if fields[tc.field] == "" {
					t.Errorf("field %q not named: %v", tc.field, err)
				}
				if tc.code == xinfang.EINVALID && len(fields) != 1 {
					t.Errorf("fields %v, want only %q", fields, tc.field)
				}
			}
			if tc.code == xinfang.EINVALID && tc.field == "" {
				t.Fatalf("test case names no field")
			}
			if tc.wantInMsg != "" && !strings.Contains(xinfang.ErrorMessage(err), tc.wantInMsg) {
				t.Errorf("message %q does not mention %q", xinfang.ErrorMessage(err), tc.wantInMsg)
			}
			if msg := xinfang.ErrorMessage(err); msg == "" || strings.Contains(msg, "系统内部错误") {
				t.Errorf("message %q is no message for the user", msg)
			}
		})
	}
}

// An item a court received and handled itself is excluded from evaluation
// too, though it never had a handling unit other than the registering one.
func TestEvaluationExcludedDirectReceipt(t *testing.T) {
	it := register(t, court, courtHandler, day("2026-03-02"))
	it.do(courtHandler, xinfang.ActAccept, day("2026-03-03"), nil)
	it.do(courtHandler, xinfang.ActReply, day("2026-03-10"), replyData)
	it.do(courtHandler, xinfang.ActDeliver, day("2026-03-11"), deliverData("2026-03-11"))
	if why := procedure.EvaluationExcluded(it.p); !strings.Contains(why, "法院") {
		t.Errorf("EvaluationExcluded = %q", why)
	}
	if it.p.Evaluation != "excluded" {
		t.Errorf("evaluation %q, want excluded", it.p.Evaluation)
	}
	_, err := it.try(courtHandler, xinfang.ActEvaluate, day("2026-03-12"), evaluateData)
	if xinfang.ErrorFields(err)["rating_unit"] == "" {
		t.Errorf("evaluate: %v, want refused on rating_unit", err)
	}
	// The bureau's own items are evaluated.
	if why := procedure.EvaluationExcluded(build(t, townFlow, "registered").p); why != "" {
		t.Errorf("an item at the bureau is excluded: %q", why)
	}
}

// A lookup that fails for another reason than "not found" is not the
// user's fault: the error passes through and is not called invalid input.
func TestApplyLookupFailure(t *testing.T) {
	it := build(t, townFlow, "registered")
	_, err := pr.Apply(it.request(registrar, xinfang.ActTransfer, day("2026-03-03"), transferA), brokenLookup{})
	if got := xinfang.ErrorCode(err); got != xinfang.EINTERNAL {
		t.Fatalf("code %q, want %q: %v", got, xinfang.EINTERNAL, err)
	}
}

type brokenLookup struct{}

func (brokenLookup) Unit(int64) (*xinfang.Unit, error) { return nil, errBroken }
func (brokenLookup) Petition(int64) (*xinfang.Petition, error) {
	return nil, errBroken
}
func (brokenLookup) OpenTasks(int64) (int, error) { return 0, errBroken }

var errBroken = &brokenErr{}

type brokenErr struct{}

func (*brokenErr) Error() string { return "database is locked" }

func actionsOf(ts []*procedure.Transition) []xinfang.Action {
	var out []xinfang.Action
	for _, t := range ts {
		out = append(out, t.Action)
	}
	slices.Sort(out)
	return out
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		name  string
		stage string
		mods  []func(*xinfang.Petition)
		actor *xinfang.User
		want  []xinfang.Action
	}{
		{"registrar on a new item", "registered", nil, registrar, []xinfang.Action{xinfang.ActAssign, xinfang.ActMerge, xinfang.ActTransfer, xinfang.ActWithdraw}},
		{"town handler on a new item at the bureau", "registered", nil, handlerA, nil},
		{"town handler on a pending item", "pending_sign", nil, handlerA, []xinfang.Action{xinfang.ActReturn, xinfang.ActSign, xinfang.ActWithdraw}},
		{"registrar on a pending item", "pending_sign", nil, registrar, []xinfang.Action{xinfang.ActMerge, xinfang.ActWithdraw}},
		{"town head on a signed item", "signed", nil, headA, []xinfang.Action{xinfang.ActAccept, xinfang.ActAssign, xinfang.ActDivert, xinfang.ActNotAccept, xinfang.ActReturn, xinfang.ActTransfer, xinfang.ActWithdraw}},
		{"other town on a signed item", "signed", nil, handlerB, nil},
		{"town head while handling", "handling", nil, headA, []xinfang.Action{xinfang.ActExtend, xinfang.ActReply, xinfang.ActTerminate, xinfang.ActWithdraw}},
		{"town handler while handling", "handling", nil, handlerA, []xinfang.Action{xinfang.ActReply, xinfang.ActTerminate, xinfang.ActWithdraw}},
		{"registrar on a delivered reply", "delivered", nil, registrar, []xinfang.Action{xinfang.ActConclude, xinfang.ActDeliver, xinfang.ActEvaluate, xinfang.ActRequestReview}},
		{"registrar on a delivered reply to an online item", "delivered", []func(*xinfang.Petition){func(p *xinfang.Petition) { p.Channel = xinfang.ChannelOnline }}, registrar,
			[]xinfang.Action{xinfang.ActConclude, xinfang.ActDeliver, xinfang.ActRequestReview}},
		{"registrar in a hearing", "hearing", nil, registrar, []xinfang.Action{xinfang.ActEvaluate, xinfang.ActHearingEnd, xinfang.ActHearingStart, xinfang.ActRereviewReply}},
		{"observer", "handling", nil, observer, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := build(t, townFlow, tc.stage, tc.mods...)
			got := actionsOf(pr.Allowed(it.p, tc.actor))
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("Allowed = %v, want %v", got, want)
			}
		})
	}
}

// Permit judges only state, role and side: it is what Allowed uses and
// what pages call to show buttons.
func TestPermit(t *testing.T) {
	it := build(t, townFlow, "pending_sign")
	sign, _ := procedure.Find(xinfang.ActSign)
	if err := pr.Permit(sign, it.p, handlerA); err != nil {
		t.Errorf("Permit(sign, handlerA) = %v", err)
	}
	if err := pr.Permit(sign, it.p, handlerB); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
		t.Errorf("Permit(sign, handlerB) = %v, want forbidden", err)
	}
	if err := pr.Permit(sign, it.p, nil); xinfang.ErrorCode(err) != xinfang.EUNAUTHORIZED {
		t.Errorf("Permit(sign, nil) = %v, want unauthorized", err)
	}
	// A unit above the handling unit acts for it (the city's staff).
	cityHandler := user(21, "市承办人", city, xinfang.RoleHandler)
	if err := pr.Permit(sign, it.p, cityHandler); err != nil {
		t.Errorf("Permit(sign, city handler) = %v", err)
	}
}
