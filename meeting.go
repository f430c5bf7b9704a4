package xinfang

import (
	"time"

	"xinfang/internal/calendar"
)

// Special meetings (专题会、协调会、调度会) on the backlog cases and the
// petitions that need a decision above the handling unit: who chaired
// (a leader), who attended, the cases and petitions discussed, the
// minutes, and the decisions — each decision a Task on one of the items
// discussed, with its owner and deadline, tracked, warned and closed
// (done or released) like every other task of that item.

// MeetingKind is the kind of a special meeting.
type MeetingKind string

const (
	MeetingSpecial      MeetingKind = "special"      // 专题会
	MeetingCoordination MeetingKind = "coordination" // 协调会
	MeetingDispatch     MeetingKind = "dispatch"     // 调度会
)

// MeetingKinds lists the kinds with their labels.
var MeetingKinds = []Label{{string(MeetingSpecial), "专题会"}, {string(MeetingCoordination), "协调会"}, {string(MeetingDispatch), "调度会"}}

// Label returns the Chinese label of the kind.
func (k MeetingKind) Label() string { return labelOf(MeetingKinds, k) }

// Valid reports whether k is a known kind.
func (k MeetingKind) Valid() bool { return hasCode(MeetingKinds, k) }

// MeetingAttendee is a user who attended a meeting.
type MeetingAttendee struct {
	UserID   int64  `json:"user_id"`
	Name     string `json:"name"`
	UnitName string `json:"unit_name"`
}

// MeetingItem is a backlog case or a petition a meeting discussed.
type MeetingItem struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Title  string `json:"title"`
	// Visible reports whether the reader may open the item (a meeting of
	// the city may discuss an item handled outside the reader's scope).
	Visible bool `json:"visible"`
}

// Meeting is one special meeting.
type Meeting struct {
	ID        int64             `json:"id"`
	Kind      MeetingKind       `json:"kind"`
	Title     string            `json:"title"`
	HeldOn    calendar.Date     `json:"held_on"`
	Place     string            `json:"place"`
	ChairID   int64             `json:"chair_id"`
	ChairName string            `json:"chair_name"`
	Attendees []MeetingAttendee `json:"attendees"`
	// Guests are the attendees without an account, by name, one a line.
	Guests    string        `json:"guests"`
	Cases     []MeetingItem `json:"cases"`
	Petitions []MeetingItem `json:"petitions"`
	Minutes   string        `json:"minutes"` // 会议纪要
	// Decisions are the tasks the meeting decided (Task.MeetingID).
	Decisions []*Task `json:"decisions"`
	// UnitID is the organizing unit (the recorder's).
	UnitID        int64     `json:"unit_id"`
	UnitName      string    `json:"unit_name"`
	Version       int       `json:"version"`
	CreatedByID   int64     `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// KindLabel is the Chinese label of the meeting's kind.
func (m *Meeting) KindLabel() string { return m.Kind.Label() }

// OpenDecisions counts the decisions still open, and those of them late
// on today.
func (m *Meeting) OpenDecisions(today calendar.Date) (open, late int) {
	for _, t := range m.Decisions {
		if t.Open() {
			open++
		}
		if t.Late(today) {
			late++
		}
	}
	return open, late
}

// MeetingInput is what a client sends to record a meeting.
type MeetingInput struct {
	Kind        MeetingKind   `json:"kind"`
	Title       string        `json:"title"`
	HeldOn      calendar.Date `json:"held_on"`
	Place       string        `json:"place"`
	ChairID     int64         `json:"chair_id"`
	AttendeeIDs []int64       `json:"attendee_ids"`
	Guests      string        `json:"guests"`
	CaseIDs     []int64       `json:"case_ids"`
	PetitionIDs []int64       `json:"petition_ids"`
	Minutes     string        `json:"minutes"`
}

// Validate checks a meeting as it is recorded on today.
func (m *MeetingInput) Validate(today calendar.Date) error {
	p := Problems{}
	checkLine(p, "title", &m.Title, MaxLine)
	checkLine(p, "place", &m.Place, MaxLine)
	checkText(p, "guests", &m.Guests, MaxNote)
	checkText(p, "minutes", &m.Minutes, MaxText)
	if !m.Kind.Valid() {
		p.Add("kind", "请选择会议类型（专题会、协调会、调度会）")
	}
	if m.Title == "" {
		p.Add("title", "请填写会议名称")
	}
	if m.HeldOn.IsZero() {
		p.Add("held_on", "请填写会议日期")
	}
	checkPastDate(p, "held_on", m.HeldOn, today)
	if m.ChairID <= 0 {
		p.Add("chair_id", "请选择主持会议的领导")
	}
	if len(m.CaseIDs)+len(m.PetitionIDs) == 0 {
		p.Add("case_ids", "请至少关联一件研究的信访积案或信访件")
	}
	checkCount(p, "attendee_ids", len(m.AttendeeIDs), MaxPeople)
	checkCount(p, "case_ids", len(m.CaseIDs), MaxItems)
	checkCount(p, "petition_ids", len(m.PetitionIDs), MaxItems)
	return p.Err()
}

// MeetingMinutes replaces a meeting's minutes at its version.
type MeetingMinutes struct {
	Version int    `json:"version"`
	Minutes string `json:"minutes"`
}

// Validate checks the minutes.
func (m *MeetingMinutes) Validate() error {
	p := Problems{}
	checkText(p, "minutes", &m.Minutes, MaxText)
	if m.Minutes == "" {
		p.Add("minutes", "请填写会议纪要")
	}
	return p.Err()
}

// MeetingDecision is one decision of a meeting, to become a task of one
// of the items it discussed.
type MeetingDecision struct {
	Version     int           `json:"version"`
	CaseID      int64         `json:"case_id"`
	PetitionID  int64         `json:"petition_id"`
	Title       string        `json:"title"`
	OwnerUnitID int64         `json:"owner_unit_id"`
	OwnerUserID int64         `json:"owner_user_id"`
	Deadline    calendar.Date `json:"deadline"`
}

// Task returns the task decision d of meeting m makes, or an error naming
// the field when the item is not one the meeting discussed or the task is
// not valid on today.
func (d *MeetingDecision) Task(m *Meeting, today calendar.Date) (*Task, error) {
	t := &Task{Kind: TaskMatter, Title: d.Title, OwnerUnitID: d.OwnerUnitID, OwnerUserID: d.OwnerUserID, Deadline: d.Deadline, MeetingID: m.ID}
	p := Problems{}
	if err := t.Validate(today); err != nil {
		for k, v := range ErrorFields(err) {
			p.Add(k, v)
		}
	}
	if d.Deadline.IsZero() {
		p.Add("deadline", "请填写完成时限")
	}
	found := false
	switch {
	case (d.CaseID > 0) == (d.PetitionID > 0):
		p.Add("case_id", "每项决定须落实到会议研究的一件信访积案或信访件")
	case d.CaseID > 0:
		for _, c := range m.Cases {
			found = found || c.ID == d.CaseID
		}
		t.CaseID = d.CaseID
	default:
		for _, x := range m.Petitions {
			found = found || x.ID == d.PetitionID
		}
		t.PetitionID = d.PetitionID
	}
	if (d.CaseID > 0) != (d.PetitionID > 0) && !found {
		if d.CaseID > 0 {
			p.Add("case_id", "该积案不是本次会议研究的事项")
		} else {
			p.Add("petition_id", "该信访件不是本次会议研究的事项")
		}
	}
	return t, p.Err()
}

// MeetingFilter selects meetings.
type MeetingFilter struct {
	Kind   MeetingKind
	CaseID int64
	Offset int
	Limit  int
}

// DecisionFilter selects meetings' decision tasks.
type DecisionFilter struct {
	Mine bool // owned by the reader or the reader's unit
	Late bool // open and past the deadline
	Open bool // open only
}

// CanReadMeetings reports whether u reads the special meetings: the staff
// with a data scope (storage's scope decides which).
func CanReadMeetings(u *User) bool { return u.HasAny(scopedRoles...) }

// CanManageMeetings reports whether u records meetings and their
// decisions: the staff who work on backlog cases.
func CanManageMeetings(u *User) bool { return u.HasAny(caseWorkerRoles...) }

// DecisionTask is a meeting's decision as the decision lists show it: the
// task, its meeting, and the item it is on.
type DecisionTask struct {
	*Task
	MeetingTitle  string        `json:"meeting_title"`
	MeetingHeldOn calendar.Date `json:"meeting_held_on"`
	ItemNumber    string        `json:"item_number"`
	// ItemVisible reports whether the reader may open the item, where the
	// task is finished or released (the item's task actions).
	ItemVisible bool `json:"item_visible"`
}

// OpenCount is the number of decisions still open (for the pages).
func (m *Meeting) OpenCount(today calendar.Date) int { n, _ := m.OpenDecisions(today); return n }

// LateCount is the number of decisions late on today (for the pages).
func (m *Meeting) LateCount(today calendar.Date) int { _, n := m.OpenDecisions(today); return n }
