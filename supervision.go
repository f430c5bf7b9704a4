package xinfang

import (
	"time"

	"xinfang/internal/calendar"
)

// SupervisionState is the state of a 督办单.
type SupervisionState string

const (
	SupervisionOpen    SupervisionState = "open"     // 督办中: waiting for the target unit's feedback
	SupervisionFedBack SupervisionState = "fed_back" // 已反馈: the unit answered in writing; the clock stops
	SupervisionClosed  SupervisionState = "closed"   // 已办结: the issuing side accepted the feedback
)

// SupervisionNumberFormat formats the number of a 督办单 from its year and
// its sequence, gap-free per year across the city: DB-2026-0001.
const SupervisionNumberFormat = "DB-%d-%04d"

// supervisionMaxText bounds requirements, reminders and feedback (characters).
const supervisionMaxText = 4000

// SupervisionStates lists the states with their labels.
var SupervisionStates = []Label{
	{string(SupervisionOpen), "督办中"}, {string(SupervisionFedBack), "已反馈"}, {string(SupervisionClosed), "已办结"},
}

// Label returns the Chinese label of the state.
func (s SupervisionState) Label() string { return labelOf(SupervisionStates, s) }

// Valid reports whether s is a known state.
func (s SupervisionState) Valid() bool { return hasCode(SupervisionStates, s) }

// Supervision is a 督办单: the 信访局, 联席办 or a leader orders a unit to
// deal with a petition or a backlog case by a feedback deadline
// (procedure.md "Supervision and discipline"; 第三十九条 for 挂牌督办).
// The unit's written feedback stops the clock; feedback after the deadline
// is recorded as late.
type Supervision struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`

	IssuerID     int64  `json:"issuer_id"`
	IssuerName   string `json:"issuer_name"`
	IssuerUnitID int64  `json:"issuer_unit_id"`
	IssuerUnit   *Unit  `json:"issuer_unit,omitempty"`
	TargetUnitID int64  `json:"target_unit_id"`
	TargetUnit   *Unit  `json:"target_unit,omitempty"`

	// The item supervised: a petition or a backlog case (信访积案), exactly one.
	PetitionID     int64  `json:"petition_id,omitempty"`
	PetitionNumber string `json:"petition_number,omitempty"`
	CaseID         int64  `json:"case_id,omitempty"`
	CaseNumber     string `json:"case_number,omitempty"`

	Requirements string        `json:"requirements"`
	Deadline     calendar.Date `json:"deadline"` // feedback deadline, YYYY-MM-DD (Shanghai)
	Listed       bool          `json:"listed"`   // 挂牌督办

	State     SupervisionState `json:"state"`
	Warning   Warning          `json:"warning,omitempty"` // of the feedback clock while open
	Reminders []*Reminder      `json:"reminders"`
	Feedback  *Feedback        `json:"feedback,omitempty"`

	ClosedAt   time.Time `json:"closed_at,omitzero"`
	ClosedBy   string    `json:"closed_by,omitempty"`
	CloseNote  string    `json:"close_note,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	IssuerPath string    `json:"-"`
	TargetPath string    `json:"-"`
}

// Reminder is a 催办: the issuing side presses the unit for its feedback.
type Reminder struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	ByID   int64     `json:"by_id"`
	ByName string    `json:"by_name"`
	Text   string    `json:"text"`
}

// Feedback is the target unit's written answer to a 督办单.
type Feedback struct {
	At     time.Time `json:"at"`
	ByID   int64     `json:"by_id"`
	ByName string    `json:"by_name"`
	Text   string    `json:"text"`
	Late   bool      `json:"late"` // given after the feedback deadline
}

// Validate checks a new 督办单; today is the Shanghai date "YYYY-MM-DD" on
// which it is issued (a deadline in the past is refused).
func (s *Supervision) Validate(today calendar.Date) error {
	p := Problems{}
	if s.TargetUnitID <= 0 {
		p.Add("target_unit_id", "请选择被督办单位")
	}
	switch {
	case s.PetitionID > 0 && s.CaseID > 0:
		p.Add("petition_id", "督办对象只能是一件信访件或一件积案")
	case s.PetitionID <= 0 && s.CaseID <= 0:
		p.Add("petition_id", "请指定督办的信访件或积案")
	}
	checkText(p, "requirements", &s.Requirements, supervisionMaxText)
	if s.Requirements == "" {
		p.Add("requirements", "请填写督办要求")
	}
	if s.Deadline.IsZero() {
		p.Add("deadline", "请填写反馈期限（YYYY-MM-DD）")
	} else if s.Deadline.Before(today) {
		p.Add("deadline", "反馈期限不能早于今天")
	}
	checkDueDate(p, "deadline", s.Deadline, today)
	return p.Err()
}

// CheckSupervisionText validates the text of a 催办 or a feedback.
func CheckSupervisionText(field, text string) (string, error) {
	p := Problems{}
	checkText(p, field, &text, supervisionMaxText)
	if text == "" {
		p.Add(field, "请填写内容")
	}
	return text, p.Err()
}

// SupervisionAction is a step in the life of a 督办单 after it is issued.
type SupervisionAction string

const (
	SupervisionActRemind   SupervisionAction = "remind"   // 催办
	SupervisionActFeedback SupervisionAction = "feedback" // 书面反馈
	SupervisionActClose    SupervisionAction = "close"    // 办结
)

// SupervisionActions lists the actions with their labels.
var SupervisionActions = []Label{
	{string(SupervisionActRemind), "催办"}, {string(SupervisionActFeedback), "书面反馈"}, {string(SupervisionActClose), "办结"},
}

// SupervisionTransition is one row of the life of a 督办单: the state the
// action is taken from, the state it leads to, who may take it, and the
// messages that refuse it — a user who may not (403) and a 督办单 no longer
// in From (409 on fields.state).
type SupervisionTransition struct {
	Action    SupervisionAction
	From      SupervisionState
	To        SupervisionState
	May       func(u *User, s *Supervision) bool
	Forbidden string
	Conflict  string
}

// ConflictError is the 409 of a 督办单 not in t.From, naming fields.state.
// Storage returns it too when its guarded UPDATE (… AND state = From)
// finds that another request moved the 督办单 first.
func (t *SupervisionTransition) ConflictError() error {
	return &Error{Code: ECONFLICT, Message: t.Conflict, Fields: map[string]string{"state": t.Conflict}}
}

// SupervisionTransitions are the life of a 督办单 (README "督办单"):
// 督办中 → 已反馈 → 已办结. 催办 only while open, by the issuing side;
// feedback only while open, by the target unit; close only after the
// feedback, by the issuing side.
var SupervisionTransitions = []SupervisionTransition{
	{Action: SupervisionActRemind, From: SupervisionOpen, To: SupervisionOpen, May: CanRemind,
		Forbidden: "仅督办方可以催办", Conflict: "已反馈或已办结的督办单不能催办"},
	{Action: SupervisionActFeedback, From: SupervisionOpen, To: SupervisionFedBack, May: CanAnswerSupervision,
		Forbidden: "仅被督办单位的承办人或负责人可以反馈", Conflict: "该督办单已反馈或已办结"},
	{Action: SupervisionActClose, From: SupervisionFedBack, To: SupervisionClosed, May: CanCloseSupervision,
		Forbidden: "仅督办方可以办结督办单", Conflict: "被督办单位反馈后才能办结"},
}

// FindSupervisionTransition returns the row of action.
func FindSupervisionTransition(action SupervisionAction) (*SupervisionTransition, bool) {
	for i := range SupervisionTransitions {
		if SupervisionTransitions[i].Action == action {
			return &SupervisionTransitions[i], true
		}
	}
	return nil, false
}

// CheckSupervisionAction says whether actor may take action on s now and
// returns the state it leads to, or the error the API returns: 401 without
// a user, 403 for a user who may not take it (checked first, so that the
// state of a 督办单 is not told to the wrong side), 409 on fields.state for
// a 督办单 not in the state the action needs, 404 for an unknown action.
// The text of a 催办 or feedback is CheckSupervisionText's.
func CheckSupervisionAction(s *Supervision, action SupervisionAction, actor *User) (SupervisionState, error) {
	t, ok := FindSupervisionTransition(action)
	if !ok {
		return "", Errorf(ENOTFOUND, "未知的督办操作")
	}
	if actor == nil {
		return "", Errorf(EUNAUTHORIZED, "请先登录")
	}
	if !t.May(actor, s) {
		return "", Errorf(EFORBIDDEN, "%s", t.Forbidden)
	}
	if s.State != t.From {
		return "", t.ConflictError()
	}
	return t.To, nil
}

// SupervisionFilter selects 督办单 in a list.
type SupervisionFilter struct {
	State        []SupervisionState
	TargetUnitID int64 // with the units below it
	PetitionID   int64
	CaseID       int64
	Listed       *bool
	Overdue      bool  // open and past the feedback deadline
	IssuerID     int64 // issued by this user (a leader's 我发出的督办)
	Offset       int
	Limit        int
}

// DueItem is one running clock the scheduler watches: a petition's duty
// clock, a 督办单's feedback deadline, a plan step or a task. Sources
// produce them; the scheduler turns their warning level into messages.
type DueItem struct {
	Kind   string // "petition", "supervision", "case_step", "task": part of the dedupe key
	ID     int64
	Title  string // e.g. the number and summary, shown in the message
	Link   string // the page of the item
	Due    calendar.Date
	Severe calendar.Date // 严重超期 after this day ("" = never)
	UnitID int64         // the responsible unit: supervisors above it get 严重超期
	// Users are the responsible users (承办人, 单位负责人 of the unit).
	Users []int64
	// Private items (检举控告) are not escalated beyond the responsible
	// users, so that their content stays with the discipline body.
	Private bool
}
