package xinfang

import (
	"fmt"
	"time"

	"xinfang/internal/calendar"
)

// Mediation (调解, 《信访工作条例》第三十三条; data.md "Mediation"): the
// mediators of each village and town (五老人员、社区干部、网格员、志愿者)
// mediate a dispute behind a petition or a case in sessions; the outcome
// is an agreement, with its text and the day by which it is to be
// fulfilled, or a failure. The agreement prints as the 调解协议书; a
// fulfilment past its day warns; an agreement on a petition being handled
// may conclude it (调解结案, ActMediationConclude).

// MediationNumberFormat numbers mediations: TJ-<year>-<seq>.
const MediationNumberFormat = "TJ-%d-%04d"

// MediatorKind is what kind of mediator one is.
type MediatorKind string

// MediatorKinds lists the kinds (data.md dictionaries: mediator kinds).
var MediatorKinds = []Label{
	{"elder", "五老人员"}, {"cadre", "社区（村）干部"}, {"grid", "网格员"}, {"volunteer", "志愿者"}, {"professional", "专职调解员"},
}

// Label returns the Chinese label of the kind.
func (k MediatorKind) Label() string { return labelOf(MediatorKinds, k) }

// Valid reports whether k is a known kind.
func (k MediatorKind) Valid() bool { return hasCode(MediatorKinds, k) }

// Mediator is one member of a village's or town's mediation team.
type Mediator struct {
	ID        int64        `json:"id"`
	Name      string       `json:"name"`
	Kind      MediatorKind `json:"kind"`
	UnitID    int64        `json:"unit_id"` // the village or town of the team
	UnitName  string       `json:"unit_name"`
	Phone     string       `json:"phone"`
	UserID    int64        `json:"user_id,omitempty"`
	Available bool         `json:"available"`
	Note      string       `json:"note"`
}

// KindLabel is the Chinese label of the mediator's kind.
func (m *Mediator) KindLabel() string { return m.Kind.Label() }

// Validate checks a mediator.
func (m *Mediator) Validate() error {
	p := Problems{}
	checkLine(p, "name", &m.Name, MaxName)
	checkLine(p, "phone", &m.Phone, 40)
	checkText(p, "note", &m.Note, MaxNote)
	if m.Name == "" {
		p.Add("name", "请填写姓名")
	}
	if !m.Kind.Valid() {
		p.Add("kind", "请选择类别")
	}
	if m.UnitID <= 0 {
		p.Add("unit_id", "请选择所属村（社区）或镇（街道）")
	}
	return p.Err()
}

// MediationState is where a mediation stands.
type MediationState string

const (
	MediationOpen   MediationState = "open"   // 调解中
	MediationAgreed MediationState = "agreed" // 达成协议
	MediationFailed MediationState = "failed" // 调解不成
)

// MediationStates lists the states with their labels.
var MediationStates = []Label{{string(MediationOpen), "调解中"}, {string(MediationAgreed), "达成协议"}, {string(MediationFailed), "调解不成"}}

// Label returns the Chinese label of the state.
func (s MediationState) Label() string { return labelOf(MediationStates, s) }

// Valid reports whether s is a known state.
func (s MediationState) Valid() bool { return hasCode(MediationStates, s) }

// MediationSession is one sitting of a mediation.
type MediationSession struct {
	ID      int64         `json:"id"`
	HeldOn  calendar.Date `json:"held_on"`
	Place   string        `json:"place"`
	Summary string        `json:"summary"`
}

// MediationMediator is a mediator of one mediation.
type MediationMediator struct {
	MediatorID int64        `json:"mediator_id"`
	Name       string       `json:"name"`
	Kind       MediatorKind `json:"kind"`
}

// Mediation is one mediation (调解).
type Mediation struct {
	ID             int64               `json:"id"`
	Number         string              `json:"number"`
	PetitionID     int64               `json:"petition_id,omitempty"`
	PetitionNumber string              `json:"petition_number,omitempty"`
	CaseID         int64               `json:"case_id,omitempty"`
	CaseNumber     string              `json:"case_number,omitempty"`
	UnitID         int64               `json:"unit_id"` // the village or town where it is held
	UnitName       string              `json:"unit_name"`
	Dispute        string              `json:"dispute"`
	Parties        string              `json:"parties"`
	StartedOn      calendar.Date       `json:"started_on"`
	State          MediationState      `json:"state"`
	Agreement      string              `json:"agreement,omitempty"`
	AgreedOn       calendar.Date       `json:"agreed_on,omitzero"`
	FulfilBy       calendar.Date       `json:"fulfil_by,omitzero"`
	FulfilledOn    calendar.Date       `json:"fulfilled_on,omitzero"`
	FailReason     string              `json:"fail_reason,omitempty"`
	Concluded      bool                `json:"concluded_petition"` // the agreement concluded the petition (调解结案)
	Mediators      []MediationMediator `json:"mediators"`
	Sessions       []MediationSession  `json:"sessions"`
	Warning        Warning             `json:"warning,omitempty"` // of the fulfilment
	Version        int                 `json:"version"`
	CreatedByID    int64               `json:"created_by"`
	CreatedByName  string              `json:"created_by_name"`
	CreatedAt      time.Time           `json:"created_at"`
}

// StateLabel is the Chinese label of the mediation's state.
func (m *Mediation) StateLabel() string { return m.State.Label() }

// FulfilmentWarning is the warning level of an agreement's fulfilment on
// today: none before near days of its day or once fulfilled, 临期 within
// them, 超期 past it (履行期限届满未履行).
func (m *Mediation) FulfilmentWarning(today calendar.Date, near int) Warning {
	if m.State != MediationAgreed || !m.FulfilledOn.IsZero() || m.FulfilBy.IsZero() {
		return ""
	}
	switch {
	case today.After(m.FulfilBy):
		return WarnOverdue
	case !today.AddDays(near).Before(m.FulfilBy):
		return WarnNear
	}
	return WarnNormal
}

// Validate checks a new mediation.
func (m *Mediation) Validate(today calendar.Date) error {
	p := Problems{}
	checkText(p, "dispute", &m.Dispute, MaxNote)
	checkText(p, "parties", &m.Parties, MaxNote)
	if (m.PetitionID > 0) == (m.CaseID > 0) {
		p.Add("petition_id", "调解须针对一件信访件或一件信访积案")
	}
	if m.UnitID <= 0 {
		p.Add("unit_id", "请选择调解所在村（社区）或镇（街道）")
	}
	if m.Dispute == "" {
		p.Add("dispute", "请写明纠纷事由")
	}
	if m.Parties == "" {
		p.Add("parties", "请填写当事人")
	}
	if m.StartedOn.IsZero() {
		p.Add("started_on", "请填写开始调解日期")
	}
	checkPastDate(p, "started_on", m.StartedOn, today)
	if len(m.Mediators) == 0 {
		p.Add("mediators", "请至少选择一名调解员")
	}
	checkCount(p, "mediators", len(m.Mediators), MaxPeople)
	return p.Err()
}

// Validate checks a session of mediation m on today.
func (s *MediationSession) Validate(m *Mediation, today calendar.Date) error {
	p := Problems{}
	checkLine(p, "place", &s.Place, MaxLine)
	checkText(p, "summary", &s.Summary, MaxText)
	if s.Summary == "" {
		p.Add("summary", "请填写调解情况")
	}
	switch {
	case s.HeldOn.IsZero():
		p.Add("held_on", "请填写调解日期")
	case s.HeldOn.Before(m.StartedOn):
		p.Add("held_on", "不能早于开始调解日期 "+m.StartedOn.String())
	default:
		checkPastDate(p, "held_on", s.HeldOn, today)
	}
	return p.Err()
}

// MediationOutcome is what ends a mediation: an agreement or a failure.
type MediationOutcome struct {
	Version    int            `json:"version"`
	Result     MediationState `json:"result"` // agreed or failed
	Agreement  string         `json:"agreement"`
	AgreedOn   calendar.Date  `json:"agreed_on"`
	FulfilBy   calendar.Date  `json:"fulfil_by"`
	FailReason string         `json:"fail_reason"`
	// Conclude asks that the agreement conclude the petition (调解结案),
	// which must be being handled by the actor's unit.
	Conclude bool `json:"conclude_petition"`
}

// Validate checks the outcome of mediation m on today.
func (o *MediationOutcome) Validate(m *Mediation, today calendar.Date) error {
	p := Problems{}
	checkText(p, "agreement", &o.Agreement, MaxText)
	checkText(p, "fail_reason", &o.FailReason, MaxNote)
	switch o.Result {
	case MediationAgreed:
		if o.Agreement == "" {
			p.Add("agreement", "请填写调解协议内容")
		}
		switch {
		case o.AgreedOn.IsZero():
			p.Add("agreed_on", "请填写达成协议日期")
		case o.AgreedOn.Before(m.StartedOn):
			p.Add("agreed_on", "不能早于开始调解日期 "+m.StartedOn.String())
		default:
			checkPastDate(p, "agreed_on", o.AgreedOn, today)
		}
		switch {
		case o.FulfilBy.IsZero():
			p.Add("fulfil_by", "请填写履行期限")
		case !o.AgreedOn.IsZero() && o.FulfilBy.Before(o.AgreedOn):
			p.Add("fulfil_by", "履行期限不能早于达成协议日期")
		default:
			checkDueDate(p, "fulfil_by", o.FulfilBy, today)
		}
		if o.Conclude && m.PetitionID == 0 {
			p.Add("conclude_petition", "只有信访件的调解协议可以办结信访件")
		}
		o.FailReason = ""
	case MediationFailed:
		if o.FailReason == "" {
			p.Add("fail_reason", "请写明调解不成的原因")
		}
		if o.Conclude {
			p.Add("conclude_petition", "调解不成不能办结信访件")
		}
		o.Agreement, o.AgreedOn, o.FulfilBy = "", calendar.Date{}, calendar.Date{}
	default:
		p.Add("result", "请选择调解结果：达成协议或调解不成")
	}
	return p.Err()
}

// CheckFulfilled checks the day an agreement of m was fulfilled.
func CheckFulfilled(m *Mediation, on, today calendar.Date) error {
	p := Problems{}
	switch {
	case m.State != MediationAgreed:
		return &Error{Code: ECONFLICT, Message: "只有达成协议的调解可以记录履行", Fields: map[string]string{"action": "当前状态不允许此操作"}}
	case !m.FulfilledOn.IsZero():
		return &Error{Code: ECONFLICT, Message: "协议已记录履行", Fields: map[string]string{"action": "已履行"}}
	case on.IsZero():
		p.Add("fulfilled_on", "请填写履行日期")
	case on.Before(m.AgreedOn):
		p.Add("fulfilled_on", fmt.Sprintf("不能早于达成协议日期 %s", m.AgreedOn))
	default:
		checkPastDate(p, "fulfilled_on", on, today)
	}
	return p.Err()
}

// MediationFilter selects mediations.
type MediationFilter struct {
	State      MediationState
	Overdue    bool // agreements past their fulfilment day, not fulfilled
	PetitionID int64
	Limit      int
	Offset     int
}

// CanReadMediations reports whether u has the mediations' list: the staff
// with a data scope, and the outside roles, who see the mediations they
// mediate (storage's scope).
func CanReadMediations(u *User) bool { return CanReadHearings(u) }
