// Package procedure is the statutory procedure of a petition (procedure.md):
// one transition table, the clocks of 《信访工作条例》 and their warning
// levels. It is pure: no I/O, no time.Now; storage, API and pages only call
// it. It imports the domain package and the calendar, nothing else of the
// application.
package procedure

import (
	"xinfang"
)

// Side says whose unit an action belongs to: the registering side (信访部门
// routing the item) or the handling side (the unit the item was sent to; the
// registering unit itself when it received the item directly).
type Side int

const (
	SideAny Side = iota
	SideRegistering
	SideHandling
)

// FieldKind is the type of an action's data field.
type FieldKind int

const (
	FieldText FieldKind = iota
	FieldDate
	FieldInt
	FieldChoice
	FieldUnit     // an existing unit id
	FieldPetition // an existing petition id in scope
	FieldChoices  // any of Choices, their codes joined by commas
)

// Field describes one item of data an action takes.
type Field struct {
	Name     string
	Label    string
	Kind     FieldKind
	Required bool
	Choices  []xinfang.Label // FieldChoice
	Min, Max int             // FieldInt bounds
}

// Transition is one row of the table: from which states an action may be
// taken, the state it leads to ("" keeps the state), which roles may take
// it, on which side, and what data it needs.
type Transition struct {
	Action xinfang.Action
	From   []xinfang.State
	To     xinfang.State
	Roles  []xinfang.Role
	Side   Side
	Fields []Field
	// Applies, when set, says whether the action exists for the item at
	// all (declining is for items submitted online only); an item it
	// refuses is never offered the action.
	Applies func(p *xinfang.Petition) bool
	// Guard checks what the table cannot say: time windows, once-only
	// steps. It sees the item as derived from its history before the action.
	Guard func(g *GuardContext) error
	// Register marks a step that only its register takes, inside its own
	// change (the mediation agreement that concludes an item): it is
	// never offered as a form (Allowed), and Act refuses it.
	Register bool
}

var (
	reason   = Field{Name: "reason", Label: "理由", Kind: FieldText, Required: true}
	outcome  = Field{Name: "outcome", Label: "处理结果", Kind: FieldChoice, Required: true, Choices: xinfang.Outcomes}
	facts    = Field{Name: "facts", Label: "查明事实", Kind: FieldText, Required: true}
	opinion  = Field{Name: "opinion", Label: "处理意见", Kind: FieldText, Required: true}
	basis    = Field{Name: "basis", Label: "法律政策依据", Kind: FieldText}
	received = Field{Name: "received_on", Label: "收到申请日期", Kind: FieldDate}
	// A hearing of the register (听证) says its own dates, which bound the
	// pause of the 复核 clock; without them the day of the action counts.
	hearingStarted = Field{Name: "started_on", Label: "听证开始日期", Kind: FieldDate}
	hearingEnded   = Field{Name: "ended_on", Label: "听证结束日期", Kind: FieldDate}
	hearingRef     = Field{Name: "hearing", Label: "听证编号", Kind: FieldText}
	unitF          = Field{Name: "unit_id", Label: "承办单位", Kind: FieldUnit, Required: true}

	staff    = []xinfang.Role{xinfang.RoleRegistrar, xinfang.RoleHandler, xinfang.RoleUnitHead}
	handlers = []xinfang.Role{xinfang.RoleHandler, xinfang.RoleUnitHead}
	routers  = []xinfang.Role{xinfang.RoleRegistrar, xinfang.RoleUnitHead}

	beforeReply = []xinfang.State{xinfang.StateRegistered, xinfang.StatePendingSign, xinfang.StateSigned, xinfang.StateHandling}
	decidable   = []xinfang.State{xinfang.StateRegistered, xinfang.StateSigned}
	delivered   = []xinfang.State{xinfang.StateReplied, xinfang.StateReviewing, xinfang.StateReviewed, xinfang.StateRereviewing, xinfang.StateConcluded, xinfang.StateTerminated}
)

// Table is the procedure. Register is not in it: it creates the item.
var Table = []Transition{
	{Action: xinfang.ActTransfer, From: []xinfang.State{xinfang.StateRegistered, xinfang.StateSigned}, To: xinfang.StatePendingSign,
		Roles: routers, Side: SideHandling, Fields: []Field{unitF}, Guard: guardTransfer},
	{Action: xinfang.ActAssign, From: []xinfang.State{xinfang.StateRegistered, xinfang.StateSigned}, To: xinfang.StatePendingSign,
		Roles: routers, Side: SideHandling, Guard: guardTransfer, Fields: []Field{unitF,
			{Name: "result_due", Label: "办结报告期限", Kind: FieldDate, Required: true}}},
	{Action: xinfang.ActSign, From: []xinfang.State{xinfang.StatePendingSign}, To: xinfang.StateSigned, Roles: handlers, Side: SideHandling},
	{Action: xinfang.ActReturn, From: []xinfang.State{xinfang.StatePendingSign, xinfang.StateSigned}, To: xinfang.StateRegistered,
		Roles: handlers, Side: SideHandling, Fields: []Field{reason}, Guard: guardObjection},
	{Action: xinfang.ActAccept, From: decidable, To: xinfang.StateHandling, Roles: handlers, Side: SideHandling},
	{Action: xinfang.ActNotAccept, From: decidable, To: xinfang.StateNotAccepted, Roles: handlers, Side: SideHandling,
		Fields: []Field{{Name: "ground", Label: "不予受理依据", Kind: FieldChoice, Choices: xinfang.NotAcceptGrounds}, reason}},
	{Action: xinfang.ActDivert, From: decidable, To: xinfang.StateDiverted, Roles: handlers, Side: SideHandling,
		Fields: []Field{{Name: "route", Label: "法定途径", Kind: FieldChoice, Required: true, Choices: xinfang.LegalRoutes}, {Name: "reason", Label: "说明", Kind: FieldText}}},
	{Action: xinfang.ActMerge, From: []xinfang.State{xinfang.StateRegistered, xinfang.StatePendingSign, xinfang.StateSigned}, To: xinfang.StateMerged,
		Roles: routers, Side: SideRegistering, Fields: []Field{{Name: "into", Label: "合并至信访件", Kind: FieldPetition, Required: true}}, Guard: guardMerge},
	{Action: xinfang.ActExtend, From: []xinfang.State{xinfang.StateHandling}, Roles: []xinfang.Role{xinfang.RoleUnitHead}, Side: SideHandling,
		Fields: []Field{{Name: "days", Label: "延长天数", Kind: FieldInt, Required: true, Min: 1, Max: 30}, reason}, Guard: guardExtend},
	{Action: xinfang.ActReply, From: []xinfang.State{xinfang.StateHandling}, To: xinfang.StateReplied, Roles: handlers, Side: SideHandling,
		Fields: []Field{outcome, facts, opinion, basis}},
	{Action: xinfang.ActDeliver, From: []xinfang.State{xinfang.StateReplied, xinfang.StateReviewed, xinfang.StateTerminated}, Roles: staff, Side: SideAny, Guard: guardDeliver,
		Fields: []Field{
			{Name: "method", Label: "送达方式", Kind: FieldChoice, Required: true, Choices: xinfang.DeliveryMethods},
			{Name: "delivered_on", Label: "送达日期", Kind: FieldDate, Required: true},
			{Name: "receipt", Label: "签收情况", Kind: FieldChoice, Required: true, Choices: []xinfang.Label{{Code: "signed", Label: "签收"}, {Code: "refused", Label: "拒收"}}},
			{Name: "petitioner_opinion", Label: "信访人意见", Kind: FieldChoice, Required: true, Choices: xinfang.PetitionerOpinions},
		}},
	{Action: xinfang.ActEvaluate, From: delivered, Roles: staff, Side: SideAny, Guard: guardEvaluate,
		Fields: []Field{
			{Name: "rating_bureau", Label: "对信访部门评价", Kind: FieldChoice, Required: true, Choices: xinfang.Ratings},
			{Name: "rating_unit", Label: "对责任单位评价", Kind: FieldChoice, Required: true, Choices: xinfang.Ratings},
		}},
	{Action: xinfang.ActRequestReview, From: []xinfang.State{xinfang.StateReplied}, To: xinfang.StateReviewing, Roles: staff, Side: SideAny,
		Fields: []Field{received, {Name: "request", Label: "复查请求", Kind: FieldText, Required: true}}, Guard: guardWindow(xinfang.ClockReviewRequest, "复查")},
	{Action: xinfang.ActReviewReply, From: []xinfang.State{xinfang.StateReviewing}, To: xinfang.StateReviewed, Roles: staff, Side: SideAny,
		Fields: []Field{outcome, facts, opinion, basis}},
	{Action: xinfang.ActRequestRereview, From: []xinfang.State{xinfang.StateReviewed}, To: xinfang.StateRereviewing, Roles: staff, Side: SideAny,
		Fields: []Field{received, {Name: "request", Label: "复核请求", Kind: FieldText, Required: true}}, Guard: guardWindow(xinfang.ClockRereviewRequest, "复核")},
	{Action: xinfang.ActHearingStart, From: []xinfang.State{xinfang.StateRereviewing}, Roles: staff, Side: SideAny, Guard: guardHearing(false),
		Fields: []Field{{Name: "place", Label: "听证地点", Kind: FieldText, Required: true}, hearingStarted, hearingRef}},
	{Action: xinfang.ActHearingEnd, From: []xinfang.State{xinfang.StateRereviewing}, Roles: staff, Side: SideAny, Guard: guardHearing(true),
		Fields: []Field{{Name: "conclusion", Label: "听证结论", Kind: FieldText, Required: true}, hearingEnded, hearingRef}},
	{Action: xinfang.ActRereviewReply, From: []xinfang.State{xinfang.StateRereviewing}, To: xinfang.StateTerminated, Roles: staff, Side: SideAny, Guard: guardHearing(false),
		Fields: []Field{outcome, facts, opinion, basis}},
	{Action: xinfang.ActConclude, From: []xinfang.State{xinfang.StateReplied, xinfang.StateReviewed}, To: xinfang.StateConcluded, Roles: staff, Side: SideAny, Guard: guardConclude},
	{Action: xinfang.ActTerminate, From: []xinfang.State{xinfang.StateHandling, xinfang.StateReplied, xinfang.StateReviewing, xinfang.StateReviewed}, To: xinfang.StateTerminated,
		Roles: handlers, Side: SideHandling, Fields: []Field{reason, {Name: xinfang.AftercareField, Label: "善后帮扶措施（交联席办落实）", Kind: FieldChoices, Choices: xinfang.AftercareMeasures},
			{Name: "aftercare", Label: "善后帮扶说明", Kind: FieldText}}, Guard: guardTerminate},
	{Action: xinfang.ActMediationConclude, From: []xinfang.State{xinfang.StateHandling}, To: xinfang.StateConcluded, Roles: handlers, Side: SideHandling, Register: true,
		Fields: []Field{{Name: "agreement", Label: "调解协议", Kind: FieldText, Required: true}, {Name: "mediation", Label: "调解编号", Kind: FieldText, Required: true}}, Guard: guardOpenTasks},
	{Action: xinfang.ActLegalScreen, From: []xinfang.State{xinfang.StateRegistered, xinfang.StatePendingSign, xinfang.StateSigned}, Roles: routers, Side: SideAny, Register: true,
		Fields: []Field{{Name: "finding", Label: "甄别结论", Kind: FieldChoice, Required: true, Choices: xinfang.LegalFindings}, {Name: "reason", Label: "甄别理由", Kind: FieldText, Required: true}}},
	{Action: xinfang.ActLegalTransfer, From: []xinfang.State{xinfang.StateRegistered, xinfang.StateSigned}, To: xinfang.StateDiverted, Roles: routers, Side: SideHandling, Register: true,
		Fields: []Field{{Name: "unit_id", Label: "政法机关", Kind: FieldUnit, Required: true}, {Name: "route", Label: "法定途径", Kind: FieldChoice, Required: true, Choices: xinfang.LegalRoutes},
			{Name: "note", Label: "说明", Kind: FieldText}}, Guard: guardLegalTransfer},
	{Action: xinfang.ActWithdraw, From: beforeReply, To: xinfang.StateWithdrawn, Roles: staff, Side: SideAny, Fields: []Field{reason}},
	{Action: xinfang.ActDecline, From: []xinfang.State{xinfang.StateRegistered}, To: xinfang.StateNotAccepted, Roles: routers, Side: SideRegistering,
		Fields: []Field{{Name: "reason", Label: "不予登记的理由（信访人可见）", Kind: FieldText, Required: true}}, Guard: guardDecline,
		Applies: func(p *xinfang.Petition) bool { return p.Channel == xinfang.ChannelOnline }},
}

// Find returns the row for action a.
func Find(a xinfang.Action) (*Transition, bool) {
	for i := range Table {
		if Table[i].Action == a {
			return &Table[i], true
		}
	}
	return nil, false
}

func (t *Transition) allowsState(s xinfang.State) bool {
	for _, f := range t.From {
		if f == s {
			return true
		}
	}
	return false
}

func (t *Transition) allowsRole(u *xinfang.User) bool {
	return u.HasAny(t.Roles...)
}
