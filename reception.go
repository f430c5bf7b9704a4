package xinfang

import (
	"time"

	"xinfang/internal/calendar"
)

// Leaders' receptions (领导接访、下访、约访, 《信访工作条例》第十九条): the
// schedule of the days a leader receives petitioners at a reception point,
// goes down to a village (下访) or meets them by appointment (约访),
// published to the staff; the record of each reception — the petitioners
// who came, what they raised, what the leader decided — and the lawyers
// and observers invited, with their attendance and remarks. Each matter
// received either becomes a petition of the channel 领导接访, registered
// in the same write, or is joined to a petition the recorder sees.

// ReceptionKind is how a leader receives petitioners.
type ReceptionKind string

const (
	ReceptionVisit       ReceptionKind = "visit"       // 领导接访: at a reception point, on a published day
	ReceptionDown        ReceptionKind = "down"        // 领导下访: the leader goes down to a village or town
	ReceptionAppointment ReceptionKind = "appointment" // 领导约访: by appointment
)

// ReceptionKinds lists the kinds with their labels.
var ReceptionKinds = []Label{{string(ReceptionVisit), "接访"}, {string(ReceptionDown), "下访"}, {string(ReceptionAppointment), "约访"}}

// Label returns the Chinese label of the kind.
func (k ReceptionKind) Label() string { return labelOf(ReceptionKinds, k) }

// Valid reports whether k is a known kind.
func (k ReceptionKind) Valid() bool { return hasCode(ReceptionKinds, k) }

// ReceptionState is where a reception day stands.
type ReceptionState string

const (
	ReceptionScheduled ReceptionState = "scheduled" // 已排期
	ReceptionHeld      ReceptionState = "held"      // 已接待
	ReceptionCancelled ReceptionState = "cancelled" // 已取消
)

// ReceptionStates lists the states with their labels.
var ReceptionStates = []Label{{string(ReceptionScheduled), "已排期"}, {string(ReceptionHeld), "已接待"}, {string(ReceptionCancelled), "已取消"}}

// Label returns the Chinese label of the state.
func (s ReceptionState) Label() string { return labelOf(ReceptionStates, s) }

// Valid reports whether s is a known state.
func (s ReceptionState) Valid() bool { return hasCode(ReceptionStates, s) }

// ReceptionParticipant is a lawyer or an observer invited to a reception,
// with attendance and remarks recorded as a hearing's are.
type ReceptionParticipant struct {
	ID          int64             `json:"id"`
	Kind        ParticipantKind   `json:"kind"` // lawyer or observer
	ObserverID  int64             `json:"observer_id,omitempty"`
	UserID      int64             `json:"user_id,omitempty"`
	Name        string            `json:"name"`
	Affiliation string            `json:"affiliation"`
	Attendance  HearingAttendance `json:"attendance"`
	Remarks     string            `json:"remarks"`
}

// ReceptionMatter is one matter a leader received: who raised it, what
// it is, what the leader decided, and the petition it became or joined.
type ReceptionMatter struct {
	ID          int64  `json:"id"`
	ReceptionID int64  `json:"reception_id"`
	Petitioners string `json:"petitioners"` // names of who came, one a line or 、-separated
	Raised      string `json:"raised"`      // 反映的问题
	Instruction string `json:"instruction"` // 领导意见、交办要求
	PetitionID  int64  `json:"petition_id"`
	// PetitionNumber is empty to a reader who may not see the petition.
	PetitionNumber string `json:"petition_number,omitempty"`
	// Registered: the matter became a new petition (领导接访); otherwise
	// it was joined to an existing one.
	Registered    bool      `json:"registered"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
	// Reception details, filled when matters are listed by petition.
	ReceptionOn   calendar.Date `json:"reception_on,omitzero"`
	ReceptionKind ReceptionKind `json:"reception_kind,omitempty"`
	LeaderName    string        `json:"leader_name,omitempty"`
}

// Reception is one reception day of a leader (领导接访日) and its record.
type Reception struct {
	ID         int64         `json:"id"`
	Kind       ReceptionKind `json:"kind"`
	LeaderID   int64         `json:"leader_id"`
	LeaderName string        `json:"leader_name"`
	On         calendar.Date `json:"on"`
	Place      string        `json:"place"` // 接访点 or the village's meeting place
	// PlaceUnitID is the village or town a 下访 goes to (and optionally
	// the unit of the reception point).
	PlaceUnitID   int64  `json:"place_unit_id,omitempty"`
	PlaceUnitName string `json:"place_unit_name,omitempty"`
	Topic         string `json:"topic"` // 接访主题 or the appointment's purpose
	// UnitID is the organizing unit (the scheduler's).
	UnitID       int64                  `json:"unit_id"`
	UnitName     string                 `json:"unit_name"`
	State        ReceptionState         `json:"state"`
	Summary      string                 `json:"summary,omitempty"` // 接访情况
	CancelReason string                 `json:"cancel_reason,omitempty"`
	Participants []ReceptionParticipant `json:"participants"`
	Matters      []ReceptionMatter      `json:"matters"`

	Version       int       `json:"version"`
	CreatedByID   int64     `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// KindLabel is the Chinese label of the reception's kind.
func (r *Reception) KindLabel() string { return r.Kind.Label() }

// StateLabel is the Chinese label of the reception's state.
func (r *Reception) StateLabel() string { return r.State.Label() }

// Validate checks a reception day as it is scheduled on today: a year
// back (a reception recorded afterwards) to a year ahead.
func (r *Reception) Validate(today calendar.Date) error {
	p := Problems{}
	checkLine(p, "place", &r.Place, MaxLine)
	checkText(p, "topic", &r.Topic, MaxNote)
	if !r.Kind.Valid() {
		p.Add("kind", "请选择接访方式（接访、下访、约访）")
	}
	if r.LeaderID <= 0 {
		p.Add("leader_id", "请选择接访领导")
	}
	switch {
	case r.On.IsZero():
		p.Add("on", "请填写接访日期")
	case r.On.Before(today.AddDays(-366)):
		p.Add("on", "接访日期不能早于一年前")
	case r.On.After(today.AddDays(366)):
		p.Add("on", "接访日期不能晚于一年后")
	}
	if r.Place == "" {
		p.Add("place", "请填写接访地点")
	}
	if r.Kind == ReceptionDown && r.PlaceUnitID <= 0 {
		p.Add("place_unit_id", "下访须选择所到的村（社区）或镇（街道）")
	}
	seen := map[string]bool{}
	for i := range r.Participants {
		x := &r.Participants[i]
		key, problem := x.Kind.person(0, x.ObserverID, x.UserID)
		if key == "" || x.Kind == FromExpert {
			p.Add("participants", "受邀人员须为律师或监督员")
			continue
		}
		if problem != "" {
			p.Add("participants", problem)
		}
		if seen[key] {
			p.Add("participants", "同一人不能重复邀请")
		}
		seen[key] = true
	}
	checkCount(p, "participants", len(r.Participants), MaxPeople)
	return p.Err()
}

// ReceptionRecord is what recording a held reception writes: the summary
// and the attendance and remarks of the invited.
type ReceptionRecord struct {
	Version    int                `json:"version"`
	Summary    string             `json:"summary"`
	Attendance []AttendanceRecord `json:"attendance"`
}

// Validate checks the record of reception r on today.
func (c *ReceptionRecord) Validate(r *Reception, today calendar.Date) error {
	p := Problems{}
	checkText(p, "summary", &c.Summary, MaxText)
	if c.Summary == "" {
		p.Add("summary", "请填写接访情况")
	}
	if r.On.After(today) {
		p.Add("on", "接访日期 "+r.On.String()+" 尚未到，不能记录接访情况")
	}
	ids := map[int64]bool{}
	for _, x := range r.Participants {
		ids[x.ID] = true
	}
	for i := range c.Attendance {
		a := &c.Attendance[i]
		checkText(p, "attendance", &a.Remarks, MaxNote)
		if !ids[a.ParticipantID] {
			p.Add("attendance", "受邀人员不属于本次接访")
		}
		if a.Attendance != Attended && a.Attendance != Absent {
			p.Add("attendance", "出席情况须为出席或缺席")
		}
	}
	return p.Err()
}

// ReceptionMatterInput is one matter received: either a new petition to
// register (Petition) or an existing one to join (PetitionID).
type ReceptionMatterInput struct {
	Version     int       `json:"version"`
	Petitioners string    `json:"petitioners"`
	Raised      string    `json:"raised"`
	Instruction string    `json:"instruction"`
	PetitionID  int64     `json:"petition_id"`
	Petition    *Petition `json:"petition,omitempty"`
}

// Validate checks a matter of reception r on today (the petition to
// register is checked by the registration itself).
func (m *ReceptionMatterInput) Validate(r *Reception, today calendar.Date) error {
	p := Problems{}
	checkText(p, "petitioners", &m.Petitioners, MaxNote)
	checkText(p, "raised", &m.Raised, MaxText)
	checkText(p, "instruction", &m.Instruction, MaxNote)
	if m.Petitioners == "" {
		p.Add("petitioners", "请填写来访人姓名")
	}
	if m.Raised == "" {
		p.Add("raised", "请填写反映的问题")
	}
	if m.Instruction == "" {
		p.Add("instruction", "请填写领导意见")
	}
	if (m.PetitionID > 0) == (m.Petition != nil) {
		p.Add("petition_id", "请选择登记为新信访件，或关联一件已有的信访件")
	}
	if r.State == ReceptionCancelled {
		p.Add("state", "接访已取消，不能记录事项")
	}
	if r.On.After(today) {
		p.Add("on", "接访日期 "+r.On.String()+" 尚未到，不能记录事项")
	}
	return p.Err()
}

// ReceptionAttendance is one reception a person of the registers was
// invited to, with attendance and remarks.
type ReceptionAttendance struct {
	ReceptionID int64             `json:"reception_id"`
	On          calendar.Date     `json:"on"`
	Kind        ReceptionKind     `json:"kind"`
	LeaderName  string            `json:"leader_name"`
	Attendance  HearingAttendance `json:"attendance"`
	Remarks     string            `json:"remarks"`
}

// ReceptionFilter selects receptions.
type ReceptionFilter struct {
	Kind     ReceptionKind
	State    ReceptionState
	LeaderID int64
	From     calendar.Date // on or after
	To       calendar.Date // on or before
	Offset   int
	Limit    int
}

// ScheduledReception is one line of the published schedule (接访日程):
// what every staff member may read, without the record.
type ScheduledReception struct {
	ID            int64          `json:"id"`
	Kind          ReceptionKind  `json:"kind"`
	LeaderName    string         `json:"leader_name"`
	On            calendar.Date  `json:"on"`
	Place         string         `json:"place"`
	PlaceUnitName string         `json:"place_unit_name,omitempty"`
	Topic         string         `json:"topic"`
	State         ReceptionState `json:"state"`
}

// ReceptionPeople are whom a reception's form offers: the leaders,
// lawyers with accounts and available observers.
type ReceptionPeople struct {
	Leaders   []CaseUser  `json:"leaders"`
	Lawyers   []CaseUser  `json:"lawyers"`
	Observers []*Observer `json:"observers"`
}

// staffRoles are the roles of the staff: everybody but the outside roles.
var staffRoles = []Role{RoleAdmin, RoleRegistrar, RoleHandler, RoleUnitHead, RoleSupervisor, RoleLeader, RoleInspector, RoleAuditor, RoleSecurityAdmin}

// CanReadReceptionSchedule reports whether u reads the published schedule
// of leaders' reception days: all the staff, and the lawyers and observers
// who are invited to receptions (the schedule is what is published).
func CanReadReceptionSchedule(u *User) bool {
	return u.HasAny(staffRoles...) || u.HasAny(RoleLawyer, RoleObserver)
}

// CanReadReceptions reports whether u has the receptions' records: the
// staff with a data scope, and the lawyers and observers invited, who see
// the receptions they are invited to (storage's scope).
func CanReadReceptions(u *User) bool {
	return u.HasAny(scopedRoles...) || u.HasAny(RoleLawyer, RoleObserver)
}

// CanManageReceptions reports whether u schedules receptions and records
// them: the staff who work on items and cases (the leader's office is
// one of them). Registering a matter as a new petition also asks
// CanRegister.
func CanManageReceptions(u *User) bool { return u.HasAny(caseWorkerRoles...) }
