package xinfang

import (
	"slices"
	"strings"
)

// State is a procedural state of a petition (procedure.md "States").
type State string

const (
	StateRegistered  State = "registered"   // 登记
	StatePendingSign State = "pending_sign" // 待签收 (转送/交办 sent)
	StateSigned      State = "signed"       // 已签收
	StateHandling    State = "handling"     // 办理中 (受理)
	StateReplied     State = "replied"      // 已答复
	StateReviewing   State = "reviewing"    // 复查中
	StateReviewed    State = "reviewed"     // 复查答复
	StateRereviewing State = "rereviewing"  // 复核中
	StateConcluded   State = "concluded"    // 办结
	StateTerminated  State = "terminated"   // 终结 (不再受理)
	StateNotAccepted State = "not_accepted" // 不予受理
	StateDiverted    State = "diverted"     // 导入法定途径
	StateMerged      State = "merged"       // 合并 (重复件)
	StateWithdrawn   State = "withdrawn"    // 撤回
)

// States lists every state with its label, in procedural order.
var States = []Label{
	{string(StateRegistered), "登记"}, {string(StatePendingSign), "待签收"}, {string(StateSigned), "已签收"},
	{string(StateHandling), "办理中"}, {string(StateReplied), "已答复"}, {string(StateReviewing), "复查中"},
	{string(StateReviewed), "复查答复"}, {string(StateRereviewing), "复核中"}, {string(StateConcluded), "办结"},
	{string(StateTerminated), "终结"}, {string(StateNotAccepted), "不予受理"}, {string(StateDiverted), "导入法定途径"},
	{string(StateMerged), "合并"}, {string(StateWithdrawn), "撤回"},
}

// Label returns the Chinese label of s.
func (s State) Label() string { return labelOf(States, s) }

// Valid reports whether s is a known state.
func (s State) Valid() bool { return hasCode(States, s) }

// ClosedStates are the states in which no further procedure runs and no
// clock counts: 办结, 终结, 不予受理, 导入法定途径, 合并, 撤回. It is the one
// list: State.Closed reads it, and storage names it in SQL (the ledger's
// open filter, the scheduler's sources) through SQLInList rather than a
// literal of its own.
var ClosedStates = []State{StateConcluded, StateTerminated, StateNotAccepted, StateDiverted, StateMerged, StateWithdrawn}

// Closed reports whether no further procedure runs on an item in state s.
func (s State) Closed() bool { return slices.Contains(ClosedStates, s) }

// SQLInList returns list as a parenthesised list of SQL string literals,
// "('concluded','terminated')", for a query that names a fixed code list
// in its text as the storage queries do today (no placeholders to count,
// the same statement every time). The codes are this package's own
// constants; quotes are doubled all the same.
func SQLInList[T ~string](list []T) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, c := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(string(c), "'", "''"))
		b.WriteByte('\'')
	}
	b.WriteByte(')')
	return b.String()
}

// Action is a step of the procedure; each applied action is an Event.
type Action string

const (
	ActRegister        Action = "register"       // 登记
	ActTransfer        Action = "transfer"       // 转送
	ActAssign          Action = "assign"         // 交办
	ActSign            Action = "sign"           // 签收
	ActReturn          Action = "return"         // 异议退回
	ActAccept          Action = "accept"         // 受理
	ActNotAccept       Action = "not_accept"     // 不予受理
	ActDivert          Action = "divert"         // 导入法定途径
	ActMerge           Action = "merge"          // 合并为重复件
	ActExtend          Action = "extend"         // 延期
	ActReply           Action = "reply"          // 答复 (信访处理意见书)
	ActDeliver         Action = "deliver"        // 送达
	ActEvaluate        Action = "evaluate"       // 评价
	ActRequestReview   Action = "request_review" // 申请复查
	ActReviewReply     Action = "review_reply"   // 复查意见
	ActRequestRereview Action = "request_rereview"
	ActHearingStart    Action = "hearing_start" // 听证开始 (复核时限中止)
	ActHearingEnd      Action = "hearing_end"   // 听证结束
	ActRereviewReply   Action = "rereview_reply"
	ActConclude        Action = "conclude"  // 办结
	ActTerminate       Action = "terminate" // 依法终结 (涉法涉诉)
	ActWithdraw        Action = "withdraw"  // 撤回
	// ActDecline is the registrar declining an item submitted online
	// (网上信访不予登记): not a petition matter, or unreadable; the reason
	// is shown to the petitioner on the portal.
	ActDecline Action = "decline"
	// ActImport brings an item in from the bureau's earlier ledger (导入):
	// the first event of an imported item instead of register, setting
	// the state, handling unit and dates the ledger gives.
	ActImport Action = "import"
	// ActMediationConclude concludes an item being handled by the
	// agreement its mediation reached (调解结案, 第三十三条); only the
	// mediation register takes it.
	ActMediationConclude Action = "mediation_conclude"
	// ActLegalScreen records the screening of an item (涉法涉诉甄别): the
	// finding and its reason, the screener being the actor; it keeps the
	// state. ActLegalTransfer transfers a screened item to a 政法机关 and
	// so out of the procedure (导入法定途径). Only the 涉法涉诉 register
	// takes them (legalreferral.go).
	ActLegalScreen   Action = "legal_screen"
	ActLegalTransfer Action = "legal_transfer"
)

// Actions lists every action with its label.
var Actions = []Label{
	{string(ActRegister), "登记"}, {string(ActTransfer), "转送"}, {string(ActAssign), "交办"},
	{string(ActSign), "签收"}, {string(ActReturn), "异议退回"}, {string(ActAccept), "受理"},
	{string(ActNotAccept), "不予受理"}, {string(ActDivert), "导入法定途径"}, {string(ActMerge), "合并为重复件"},
	{string(ActExtend), "延期"}, {string(ActReply), "答复"}, {string(ActDeliver), "送达"},
	{string(ActEvaluate), "评价"}, {string(ActRequestReview), "申请复查"}, {string(ActReviewReply), "复查答复"},
	{string(ActRequestRereview), "申请复核"}, {string(ActHearingStart), "听证开始"}, {string(ActHearingEnd), "听证结束"},
	{string(ActRereviewReply), "复核答复"}, {string(ActConclude), "办结"}, {string(ActTerminate), "依法终结"},
	{string(ActWithdraw), "撤回"}, {string(ActDecline), "网上信访不予登记"}, {string(ActImport), "导入"}, {string(ActMediationConclude), "调解结案"},
	{string(ActLegalScreen), "涉法涉诉甄别"}, {string(ActLegalTransfer), "转送政法机关（导入法定途径）"},
}

// Label returns the Chinese label of a.
func (a Action) Label() string { return labelOf(Actions, a) }
