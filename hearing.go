package xinfang

import (
	"fmt"
	"time"

	"xinfang/internal/calendar"
)

// Hearings (听证, 《信访工作条例》第三十六条; data.md "Hearing"): held on a
// petition — most often in its 复核, whose clock they pause — or on a
// backlog case. A hearing is scheduled with its chair, at least three
// hearing officers (听证员: experts, lawyers, 两代表一委员) and its
// observers, and its notice served at least N days before (听证通知书);
// it is held (start), concluded with its record (笔录) and conclusion, or
// cancelled before it starts. Its start and end days are the days the 复核
// clock stands still: the register writes them into the petition's
// hearing_start and hearing_end events.

// HearingNumberFormat numbers hearings: TZ-<year>-<seq>.
const HearingNumberFormat = "TZ-%d-%04d"

// MinHearingOfficers is the least number of hearing officers.
const MinHearingOfficers = 3

// HearingState is where a hearing stands.
type HearingState string

const (
	HearingScheduled HearingState = "scheduled" // 已安排
	HearingHeld      HearingState = "held"      // 听证中
	HearingConcluded HearingState = "concluded" // 已结束
	HearingCancelled HearingState = "cancelled" // 已取消
)

// HearingStates lists the states with their labels.
var HearingStates = []Label{
	{string(HearingScheduled), "已安排"}, {string(HearingHeld), "听证中"},
	{string(HearingConcluded), "已结束"}, {string(HearingCancelled), "已取消"},
}

// Label returns the Chinese label of the state.
func (s HearingState) Label() string { return labelOf(HearingStates, s) }

// Valid reports whether s is a known state.
func (s HearingState) Valid() bool { return hasCode(HearingStates, s) }

// HearingAction is a step of a hearing's life.
type HearingAction string

const (
	HearingActStart    HearingAction = "start"    // 开始听证
	HearingActConclude HearingAction = "conclude" // 结束听证，记录笔录和结论
	HearingActCancel   HearingAction = "cancel"   // 取消
)

// hearingTransitions is the life of a hearing: from which state each
// action may be taken, and the state it leads to.
var hearingTransitions = map[HearingAction]struct{ from, to HearingState }{
	HearingActStart:    {HearingScheduled, HearingHeld},
	HearingActConclude: {HearingHeld, HearingConcluded},
	HearingActCancel:   {HearingScheduled, HearingCancelled},
}

// CheckHearingAction returns the state action leads to from state, or
// ECONFLICT naming action when it may not be taken now.
func CheckHearingAction(state HearingState, action HearingAction) (HearingState, error) {
	t, ok := hearingTransitions[action]
	if !ok {
		return "", FieldError("action", "未知的听证操作")
	}
	if state != t.from {
		return "", &Error{Code: ECONFLICT, Message: "听证当前为「" + state.Label() + "」，不能进行此操作", Fields: map[string]string{"action": "当前状态不允许此操作"}}
	}
	return t.to, nil
}

// ParticipantRole is a person's part in a hearing.
type ParticipantRole string

const (
	RoleOfficer  ParticipantRole = "officer"  // 听证员
	RoleAttendee ParticipantRole = "observer" // 列席监督（媒体、协会…）
)

// ParticipantRoles lists the roles with their labels.
var ParticipantRoles = []Label{{string(RoleOfficer), "听证员"}, {string(RoleAttendee), "列席监督"}}

// Label returns the Chinese label of the role.
func (r ParticipantRole) Label() string { return labelOf(ParticipantRoles, r) }

// ParticipantKind is where a participant comes from.
type ParticipantKind string

const (
	FromExpert   ParticipantKind = "expert"   // 专家库
	FromLawyer   ParticipantKind = "lawyer"   // 律师（账号）
	FromObserver ParticipantKind = "observer" // 监督员名录
)

// ParticipantKinds lists the kinds with their labels.
var ParticipantKinds = []Label{{string(FromExpert), "专家"}, {string(FromLawyer), "律师"}, {string(FromObserver), "监督员"}}

// Label returns the Chinese label of the kind.
func (k ParticipantKind) Label() string { return labelOf(ParticipantKinds, k) }

// HearingAttendance is whether a participant came.
type HearingAttendance string

const (
	AttendanceUnknown HearingAttendance = ""        // not yet recorded
	Attended          HearingAttendance = "present" // 出席
	Absent            HearingAttendance = "absent"  // 缺席
)

// Label returns the Chinese label of the attendance.
func (a HearingAttendance) Label() string {
	switch a {
	case Attended:
		return "出席"
	case Absent:
		return "缺席"
	}
	return "未记录"
}

// HearingParticipant is one hearing officer or observer of a hearing.
type HearingParticipant struct {
	ID         int64           `json:"id"`
	Role       ParticipantRole `json:"role"`
	Kind       ParticipantKind `json:"kind"`
	ExpertID   int64           `json:"expert_id,omitempty"`
	ObserverID int64           `json:"observer_id,omitempty"`
	// UserID is the participant's account (the lawyer's, or the expert's
	// or observer's when they have one), through which he sees the hearing.
	UserID      int64             `json:"user_id,omitempty"`
	Name        string            `json:"name"`
	Affiliation string            `json:"affiliation"`
	Attendance  HearingAttendance `json:"attendance"`
	Remarks     string            `json:"remarks"`
}

// Hearing is one hearing (听证).
type Hearing struct {
	ID             int64  `json:"id"`
	Number         string `json:"number"`
	PetitionID     int64  `json:"petition_id,omitempty"`
	PetitionNumber string `json:"petition_number,omitempty"`
	CaseID         int64  `json:"case_id,omitempty"`
	CaseNumber     string `json:"case_number,omitempty"`
	// UnitID is the organizing unit (the scheduler's).
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`

	Subject     string        `json:"subject"` // 听证事项
	Place       string        `json:"place"`
	ScheduledOn calendar.Date `json:"scheduled_on"`
	NoticeOn    calendar.Date `json:"notice_on"` // the day the notice is served (听证通知送达)
	Public      bool          `json:"public"`
	// ClosedReason says why a hearing is not public (国家秘密、商业秘密、
	// 个人隐私).
	ClosedReason string `json:"closed_reason,omitempty"`
	ChairUserID  int64  `json:"chair_user_id"`
	ChairName    string `json:"chair_name"`
	Parties      string `json:"parties"` // 当事人, one a line

	State              HearingState         `json:"state"`
	StartedOn          calendar.Date        `json:"started_on,omitzero"`
	EndedOn            calendar.Date        `json:"ended_on,omitzero"`
	Record             string               `json:"record,omitempty"` // 听证笔录
	Conclusion         string               `json:"conclusion,omitempty"`
	PetitionerAttended bool                 `json:"petitioner_attended"`
	CancelReason       string               `json:"cancel_reason,omitempty"`
	Participants       []HearingParticipant `json:"participants"`
	// PausesClock reports whether the hearing paused the petition's 复核
	// clock (it started while the item was in 复核).
	PausesClock bool `json:"pauses_clock"`

	Version       int       `json:"version"`
	CreatedByID   int64     `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Officers returns the hearing officers.
func (h *Hearing) Officers() []HearingParticipant { return h.participants(RoleOfficer) }

// Attendees returns the observers who attend without sitting.
func (h *Hearing) Attendees() []HearingParticipant { return h.participants(RoleAttendee) }

func (h *Hearing) participants(r ParticipantRole) []HearingParticipant {
	var out []HearingParticipant
	for _, p := range h.Participants {
		if p.Role == r {
			out = append(out, p)
		}
	}
	return out
}

// StateLabel is the Chinese label of the hearing's state.
func (h *Hearing) StateLabel() string { return h.State.Label() }

// Involves reports whether user id chairs or takes part in the hearing.
func (h *Hearing) Involves(id int64) bool {
	if id == 0 {
		return false
	}
	if h.ChairUserID == id {
		return true
	}
	for _, p := range h.Participants {
		if p.UserID == id {
			return true
		}
	}
	return false
}

// Validate checks a new hearing: what it is on, its days — the notice
// served at least noticeDays before it (听证通知) — its chair, at least
// three hearing officers, and why it is closed when it is.
func (h *Hearing) Validate(today calendar.Date, noticeDays int) error {
	p := Problems{}
	checkLine(p, "subject", &h.Subject, MaxLine)
	checkLine(p, "place", &h.Place, MaxLine)
	checkText(p, "parties", &h.Parties, MaxNote)
	checkLine(p, "closed_reason", &h.ClosedReason, MaxLine)
	if h.PetitionID <= 0 && h.CaseID <= 0 {
		p.Add("petition_id", "请指定听证的信访件或信访积案")
	}
	if h.Subject == "" {
		p.Add("subject", "请填写听证事项")
	}
	if h.Place == "" {
		p.Add("place", "请填写听证地点")
	}
	if h.Parties == "" {
		p.Add("parties", "请填写当事人")
	}
	if h.ChairUserID <= 0 {
		p.Add("chair_user_id", "请指定听证主持人")
	}
	if !h.Public && h.ClosedReason == "" {
		p.Add("closed_reason", "不公开听证须说明理由（涉及国家秘密、商业秘密或个人隐私）")
	}
	if h.Public {
		h.ClosedReason = ""
	}
	switch {
	case h.ScheduledOn.IsZero():
		p.Add("scheduled_on", "请填写听证日期")
	case h.ScheduledOn.Before(today):
		p.Add("scheduled_on", "听证日期不能早于今天")
	default:
		checkDueDate(p, "scheduled_on", h.ScheduledOn, today)
	}
	switch {
	case h.NoticeOn.IsZero():
		p.Add("notice_on", "请填写通知送达日期")
	case h.NoticeOn.Before(today.AddDays(-30)):
		p.Add("notice_on", "通知送达日期不能早于 30 日前")
	case !h.ScheduledOn.IsZero() && h.ScheduledOn.Sub(h.NoticeOn) < noticeDays:
		p.Add("notice_on", fmt.Sprintf("听证通知须至少在听证 %d 日前送达（通知 %s，听证 %s，仅提前 %d 日）", noticeDays, h.NoticeOn, h.ScheduledOn, h.ScheduledOn.Sub(h.NoticeOn)))
	}
	officers := 0
	seen := map[string]bool{}
	for i := range h.Participants {
		x := &h.Participants[i]
		checkText(p, "participants", &x.Remarks, MaxNote)
		if x.Role != RoleOfficer && x.Role != RoleAttendee {
			p.Add("participants", "参加人员的身份须为听证员或列席监督")
			continue
		}
		key, problem := x.Kind.person(x.ExpertID, x.ObserverID, x.UserID)
		if key == "" {
			p.Add("participants", "参加人员须来自专家库、律师或监督员名录")
			continue
		}
		if problem != "" {
			p.Add("participants", problem)
		}
		if seen[key] {
			p.Add("participants", "同一人不能重复列入")
		}
		seen[key] = true
		if x.Role == RoleOfficer {
			officers++
		}
	}
	checkCount(p, "participants", len(h.Participants), MaxPeople)
	if officers < MinHearingOfficers {
		p.Add("officers", fmt.Sprintf("听证员不少于 %d 名（现为 %d 名），从专家、律师、两代表一委员中选定", MinHearingOfficers, officers))
	}
	return p.Err()
}

// HearingStart is what starting a hearing records.
type HearingStart struct {
	Version   int           `json:"version"`
	StartedOn calendar.Date `json:"started_on"`
}

// Validate checks the start of hearing h on today.
func (s *HearingStart) Validate(h *Hearing, today calendar.Date) error {
	p := Problems{}
	switch {
	case s.StartedOn.IsZero():
		p.Add("started_on", "请填写听证开始日期")
	case s.StartedOn.After(today):
		p.Add("started_on", "听证开始日期不能晚于今天")
	case s.StartedOn.Before(h.ScheduledOn):
		p.Add("started_on", "听证开始日期不能早于通知的听证日期 "+h.ScheduledOn.String())
	}
	return p.Err()
}

// AttendanceRecord is the attendance and remarks of one participant.
type AttendanceRecord struct {
	ParticipantID int64             `json:"participant_id"`
	Attendance    HearingAttendance `json:"attendance"`
	Remarks       string            `json:"remarks"`
}

// HearingConclusion is what concluding a hearing records.
type HearingConclusion struct {
	Version            int                `json:"version"`
	EndedOn            calendar.Date      `json:"ended_on"`
	Record             string             `json:"record"`
	Conclusion         string             `json:"conclusion"`
	PetitionerAttended bool               `json:"petitioner_attended"`
	Attendance         []AttendanceRecord `json:"attendance"`
}

// Validate checks the conclusion of hearing h on today.
func (c *HearingConclusion) Validate(h *Hearing, today calendar.Date) error {
	p := Problems{}
	checkText(p, "record", &c.Record, MaxText)
	checkText(p, "conclusion", &c.Conclusion, MaxNote)
	switch {
	case c.EndedOn.IsZero():
		p.Add("ended_on", "请填写听证结束日期")
	case c.EndedOn.After(today):
		p.Add("ended_on", "听证结束日期不能晚于今天")
	case c.EndedOn.Before(h.StartedOn):
		p.Add("ended_on", "听证结束日期不能早于开始日期 "+h.StartedOn.String())
	}
	if c.Record == "" {
		p.Add("record", "请填写听证笔录")
	}
	if c.Conclusion == "" {
		p.Add("conclusion", "请填写听证结论")
	}
	ids := map[int64]bool{}
	for _, x := range h.Participants {
		ids[x.ID] = true
	}
	for i := range c.Attendance {
		a := &c.Attendance[i]
		checkText(p, "attendance", &a.Remarks, MaxNote)
		if !ids[a.ParticipantID] {
			p.Add("attendance", "参加人员不属于本次听证")
		}
		if a.Attendance != Attended && a.Attendance != Absent {
			p.Add("attendance", "出席情况须为出席或缺席")
		}
	}
	return p.Err()
}

// HearingFilter selects hearings.
type HearingFilter struct {
	State      HearingState
	PetitionID int64
	CaseID     int64
	Offset     int
	Limit      int
}

// HearingPeople are whom a hearing's form offers: chairs (staff who work
// on items), lawyers with accounts, and the available experts and
// observers.
type HearingPeople struct {
	Chairs    []CaseUser  `json:"chairs"`
	Lawyers   []CaseUser  `json:"lawyers"`
	Experts   []*Expert   `json:"experts"`
	Observers []*Observer `json:"observers"`
}

// person is the key of one chosen from the registers as k — an expert of
// the pool, an observer, a lawyer's account — by which a list finds him
// twice, and the problem when none was chosen; the key is "" for a kind
// that is none of those.
func (k ParticipantKind) person(expertID, observerID, userID int64) (key, problem string) {
	switch k {
	case FromExpert:
		if expertID <= 0 {
			problem = "请从专家库选择专家"
		}
		return fmt.Sprint("e", expertID), problem
	case FromObserver:
		if observerID <= 0 {
			problem = "请从监督员名录选择监督员"
		}
		return fmt.Sprint("o", observerID), problem
	case FromLawyer:
		if userID <= 0 {
			problem = "请选择律师"
		}
		return fmt.Sprint("l", userID), problem
	}
	return "", ""
}
