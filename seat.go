package xinfang

import (
	"time"

	"xinfang/internal/calendar"
)

// Seats (列席, seed 二; data.md "Hearing"): beyond the hearings, which keep
// their officers and attendees (hearing.go), an expert of the pool is
// chosen for a backlog case's consultation (会诊) or goes with a 督办单 on
// a special supervision (专项督查), and an observer of the register
// (两代表一委员、行业协会、媒体) is invited to either, to watch the work. Each
// seat records whether the person came and what he said; the expert's and
// the observer's pages list their seats beside their hearings.

// SeatOn is the record a seat is on.
type SeatOn string

const (
	SeatConsultation SeatOn = "consultation" // 会诊
	SeatSupervision  SeatOn = "supervision"  // 督办（专项督查）
)

// SeatOns lists the records with their labels.
var SeatOns = []Label{{string(SeatConsultation), "会诊"}, {string(SeatSupervision), "督办"}}

// Label returns the Chinese label of the record kind.
func (o SeatOn) Label() string { return labelOf(SeatOns, o) }

// Valid reports whether o is a known record kind.
func (o SeatOn) Valid() bool { return hasCode(SeatOns, o) }

// Seat is one expert or observer on one consultation or 督办单.
type Seat struct {
	ID       int64  `json:"id"`
	Version  int    `json:"version"`
	On       SeatOn `json:"on"`
	RecordID int64  `json:"record_id"` // the consultation's or the 督办单's id
	// What the record is about, for the lists: the case of a
	// consultation, the 督办单's number and its item.
	CaseID      int64             `json:"case_id,omitempty"`
	CaseNumber  string            `json:"case_number,omitempty"`
	Number      string            `json:"number,omitempty"` // the 督办单's number
	Date        calendar.Date     `json:"date"`             // the consultation's, or the 督办单's deadline
	ExpertID    int64             `json:"expert_id,omitempty"`
	ObserverID  int64             `json:"observer_id,omitempty"`
	Name        string            `json:"name"`
	Affiliation string            `json:"affiliation"` // the expert's field and employer, the observer's kind and affiliation
	Attendance  HearingAttendance `json:"attendance"`
	Remarks     string            `json:"remarks"`
	InvitedAt   time.Time         `json:"invited_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Kind is 专家 or 监督员.
func (s *Seat) Kind() string {
	if s.ExpertID != 0 {
		return "专家"
	}
	return "监督员"
}

// OnLabel is the Chinese label of the record the seat is on.
func (s *Seat) OnLabel() string { return s.On.Label() }

// AttendanceLabel is the Chinese label of the attendance.
func (s *Seat) AttendanceLabel() string { return s.Attendance.Label() }

// SeatHolder is the record seats are on, as its seats' page names it: a
// consultation of a case, or a 督办单 (on a petition or a case).
type SeatHolder struct {
	On         SeatOn        `json:"on"`
	RecordID   int64         `json:"record_id"`
	CaseID     int64         `json:"case_id,omitempty"`
	CaseNumber string        `json:"case_number,omitempty"`
	Number     string        `json:"number,omitempty"` // the 督办单's
	Date       calendar.Date `json:"date"`             // the consultation's, or the 督办单's deadline
}

// SeatInvitation chooses experts and observers for one record.
type SeatInvitation struct {
	On          SeatOn  `json:"on"`
	RecordID    int64   `json:"record_id"`
	ExpertIDs   []int64 `json:"expert_ids"`
	ObserverIDs []int64 `json:"observer_ids"`
}

// Validate checks an invitation before the people are looked up.
func (in *SeatInvitation) Validate() error {
	p := Problems{}
	if !in.On.Valid() {
		p.Add("on", "请选择会诊或督办")
	}
	if in.RecordID <= 0 {
		p.Add("record_id", "请指明会诊或督办单")
	}
	if len(in.ExpertIDs)+len(in.ObserverIDs) == 0 {
		p.Add("expert_ids", "请至少选择一名专家或监督员")
	}
	checkCount(p, "expert_ids", len(in.ExpertIDs), MaxPeople)
	checkCount(p, "observer_ids", len(in.ObserverIDs), MaxPeople)
	return p.Err()
}

// SeatRecord is what is recorded of a seat after the meeting.
type SeatRecord struct {
	Attendance HearingAttendance `json:"attendance"`
	Remarks    string            `json:"remarks"`
}

// Validate checks the record: the attendance told, remarks only of one
// who came.
func (r *SeatRecord) Validate() error {
	p := Problems{}
	checkText(p, "remarks", &r.Remarks, MaxText)
	if r.Attendance != Attended && r.Attendance != Absent {
		p.Add("attendance", "请选择出席或缺席")
	}
	if r.Attendance == Absent && r.Remarks != "" {
		p.Add("remarks", "缺席者没有发言意见")
	}
	return p.Err()
}
