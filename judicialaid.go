package xinfang

import (
	"fmt"
	"time"

	"xinfang/internal/calendar"
)

// Judicial aid (司法救助; data.md "Judicial aid"): a petitioner in
// hardship, most often after a 涉法涉诉 item, applies (or is applied for)
// with the grounds and documents; the application is reviewed; a decision
// grants an amount within the configured cap or refuses with the reason,
// within the configured working days of the application (a clock that
// warns 临期 and 超期); the payment is recorded. The decision prints as
// the 司法救助决定书.

// JudicialAidNumberFormat numbers applications: SJ-<year>-<seq>.
const JudicialAidNumberFormat = "SJ-%d-%04d"

// JudicialAidState is where an application stands.
type JudicialAidState string

const (
	AidApplied  JudicialAidState = "applied"  // 已申请
	AidReviewed JudicialAidState = "reviewed" // 已审查
	AidGranted  JudicialAidState = "granted"  // 决定救助
	AidRefused  JudicialAidState = "refused"  // 不予救助
	AidPaid     JudicialAidState = "paid"     // 已发放
)

// JudicialAidStates lists the states with their labels.
var JudicialAidStates = []Label{
	{string(AidApplied), "已申请"}, {string(AidReviewed), "已审查"}, {string(AidGranted), "决定救助"},
	{string(AidRefused), "不予救助"}, {string(AidPaid), "已发放"},
}

// Label returns the Chinese label of the state.
func (s JudicialAidState) Label() string { return labelOf(JudicialAidStates, s) }

// Valid reports whether s is a known state.
func (s JudicialAidState) Valid() bool { return hasCode(JudicialAidStates, s) }

// Decided reports whether the decision is taken (its clock stopped).
func (s JudicialAidState) Decided() bool { return s == AidGranted || s == AidRefused || s == AidPaid }

// JudicialAidAction is a step of an application's life.
type JudicialAidAction string

const (
	AidActReview JudicialAidAction = "review" // 审查
	AidActGrant  JudicialAidAction = "grant"  // 决定救助
	AidActRefuse JudicialAidAction = "refuse" // 不予救助
	AidActPay    JudicialAidAction = "pay"    // 发放
)

var aidTransitions = map[JudicialAidAction]struct {
	from []JudicialAidState
	to   JudicialAidState
}{
	AidActReview: {[]JudicialAidState{AidApplied}, AidReviewed},
	AidActGrant:  {[]JudicialAidState{AidReviewed}, AidGranted},
	AidActRefuse: {[]JudicialAidState{AidReviewed}, AidRefused},
	AidActPay:    {[]JudicialAidState{AidGranted}, AidPaid},
}

// CheckJudicialAidAction returns the state action leads to from state, or
// ECONFLICT naming action.
func CheckJudicialAidAction(state JudicialAidState, action JudicialAidAction) (JudicialAidState, error) {
	t, ok := aidTransitions[action]
	if !ok {
		return "", FieldError("action", "未知的司法救助操作")
	}
	for _, f := range t.from {
		if f == state {
			return t.to, nil
		}
	}
	return "", &Error{Code: ECONFLICT, Message: "司法救助当前为「" + state.Label() + "」，不能进行此操作", Fields: map[string]string{"action": "当前状态不允许此操作"}}
}

// JudicialAid is one application for judicial aid.
type JudicialAid struct {
	ID             int64  `json:"id"`
	Number         string `json:"number"`
	PetitionID     int64  `json:"petition_id,omitempty"`
	PetitionNumber string `json:"petition_number,omitempty"`
	UnitID         int64  `json:"unit_id"` // the unit that handles the application
	UnitName       string `json:"unit_name"`
	Applicant      string `json:"applicant"`
	// ByPetitioner: the petitioner applied; otherwise the unit applied for him.
	ByPetitioner bool          `json:"by_petitioner"`
	Grounds      string        `json:"grounds"`
	Documents    string        `json:"documents"` // the documents handed in, one a line
	AppliedOn    calendar.Date `json:"applied_on"`
	Requested    int64         `json:"requested"` // yuan asked for, 0 when unsaid

	State          JudicialAidState `json:"state"`
	ReviewOpinion  string           `json:"review_opinion,omitempty"`
	ReviewedByName string           `json:"reviewed_by_name,omitempty"`
	DecidedOn      calendar.Date    `json:"decided_on,omitzero"`
	Amount         int64            `json:"amount,omitempty"` // yuan granted
	RefusalReason  string           `json:"refusal_reason,omitempty"`
	DecidedByName  string           `json:"decided_by_name,omitempty"`
	PaidOn         calendar.Date    `json:"paid_on,omitzero"`
	PaymentRef     string           `json:"payment_ref,omitempty"` // 发放方式、凭证号

	// The decision clock: due on the configured working day after the
	// application, with its warning while undecided.
	DecisionDue calendar.Date `json:"decision_due"`
	Warning     Warning       `json:"warning,omitempty"`

	Version       int       `json:"version"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
}

// StateLabel is the Chinese label of the application's state.
func (a *JudicialAid) StateLabel() string { return a.State.Label() }

// Validate checks a new application.
func (a *JudicialAid) Validate(today calendar.Date) error {
	p := Problems{}
	checkLine(p, "applicant", &a.Applicant, MaxName)
	checkText(p, "grounds", &a.Grounds, MaxText)
	checkText(p, "documents", &a.Documents, MaxNote)
	if a.PetitionID <= 0 {
		p.Add("petition_id", "请指定关联的信访件")
	}
	if a.Applicant == "" {
		p.Add("applicant", "请填写申请人")
	}
	if a.Grounds == "" {
		p.Add("grounds", "请写明申请理由（生活困难情况、案件情况）")
	}
	if a.AppliedOn.IsZero() {
		p.Add("applied_on", "请填写申请日期")
	}
	checkPastDate(p, "applied_on", a.AppliedOn, today)
	if a.Requested < 0 {
		p.Add("requested", "申请金额不能为负")
	}
	return p.Err()
}

// AidDecision is what a review, a decision or a payment records.
type AidDecision struct {
	Version       int               `json:"version"`
	Action        JudicialAidAction `json:"action"`
	ReviewOpinion string            `json:"review_opinion"`
	DecidedOn     calendar.Date     `json:"decided_on"`
	Amount        int64             `json:"amount"`
	RefusalReason string            `json:"refusal_reason"`
	PaidOn        calendar.Date     `json:"paid_on"`
	PaymentRef    string            `json:"payment_ref"`
}

// Validate checks step d on application a, with the configured cap.
func (d *AidDecision) Validate(a *JudicialAid, today calendar.Date, maxAmount int64) error {
	p := Problems{}
	checkText(p, "review_opinion", &d.ReviewOpinion, MaxText)
	checkText(p, "refusal_reason", &d.RefusalReason, MaxNote)
	checkLine(p, "payment_ref", &d.PaymentRef, MaxLine)
	switch d.Action {
	case AidActReview:
		if d.ReviewOpinion == "" {
			p.Add("review_opinion", "请填写审查意见")
		}
	case AidActGrant, AidActRefuse:
		switch {
		case d.DecidedOn.IsZero():
			p.Add("decided_on", "请填写决定日期")
		case d.DecidedOn.Before(a.AppliedOn):
			p.Add("decided_on", "决定日期不能早于申请日期 "+a.AppliedOn.String())
		default:
			checkPastDate(p, "decided_on", d.DecidedOn, today)
		}
		if d.Action == AidActGrant {
			switch {
			case d.Amount <= 0:
				p.Add("amount", "请填写救助金额（元）")
			case d.Amount > maxAmount:
				p.Add("amount", fmt.Sprintf("救助金额 %d 元超过上限 %d 元", d.Amount, maxAmount))
			}
		} else if d.RefusalReason == "" {
			p.Add("refusal_reason", "请写明不予救助的理由")
		}
	case AidActPay:
		switch {
		case d.PaidOn.IsZero():
			p.Add("paid_on", "请填写发放日期")
		case d.PaidOn.Before(a.DecidedOn):
			p.Add("paid_on", "发放日期不能早于决定日期 "+a.DecidedOn.String())
		default:
			checkPastDate(p, "paid_on", d.PaidOn, today)
		}
		if d.PaymentRef == "" {
			p.Add("payment_ref", "请填写发放方式及凭证号")
		}
	default:
		p.Add("action", "未知的司法救助操作")
	}
	return p.Err()
}

// JudicialAidFilter selects applications.
type JudicialAidFilter struct {
	State   JudicialAidState
	Overdue bool // undecided past the decision's day
	Limit   int
	Offset  int
}
