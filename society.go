package xinfang

import (
	"time"

	"xinfang/internal/calendar"
)

// Society's part in the work (seed 二、四; data.md "Hearing"): the expert
// pool (专家库) and the register of observers (两代表一委员、行业协会、
// 媒体), who sit as hearing officers or attend hearings. Neither needs an
// account: one may take part without signing in; one who has an account
// sees what he is assigned to (HearingScope).

// ExpertField is an expert's field (专家领域).
type ExpertField string

// ExpertFields lists the fields of the expert pool (data.md dictionaries:
// expert fields).
var ExpertFields = []Label{
	{"education", "教育"}, {"judicial", "司法"}, {"environment", "环保"}, {"health", "医疗卫生"},
	{"land", "土地"}, {"labor", "劳动社保"}, {"construction", "城乡建设"}, {"finance", "财政金融"},
	{"agriculture", "农业农村"}, {"psychology", "心理疏导"}, {"other", "其他"},
}

// Label returns the Chinese label of the field.
func (f ExpertField) Label() string { return labelOf(ExpertFields, f) }

// Valid reports whether f is a known field.
func (f ExpertField) Valid() bool { return hasCode(ExpertFields, f) }

// Expert is one member of the expert pool (专家库).
type Expert struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	Field     ExpertField `json:"field"`
	Title     string      `json:"title"`    // 职称 (教授、主任医师、律师…)
	Employer  string      `json:"employer"` // 工作单位
	Phone     string      `json:"phone"`    // 联系方式
	Available bool        `json:"available"`
	// UserID is the expert's account, 0 for one who takes part without
	// signing in.
	UserID    int64     `json:"user_id,omitempty"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Participations are the hearings the expert sat in (read only).
	Participations []Participation `json:"participations,omitempty"`
	// Seats are the consultations and 督办单 the expert was chosen for
	// (read only).
	Seats []*Seat `json:"seats,omitempty"`
}

// FieldLabel is the Chinese label of the expert's field.
func (e *Expert) FieldLabel() string { return e.Field.Label() }

// Validate checks an expert before it is stored.
func (e *Expert) Validate() error {
	p := Problems{}
	checkLine(p, "name", &e.Name, MaxName)
	checkLine(p, "title", &e.Title, MaxName)
	checkLine(p, "employer", &e.Employer, MaxLine)
	checkLine(p, "phone", &e.Phone, 40)
	checkText(p, "note", &e.Note, MaxNote)
	if e.Name == "" {
		p.Add("name", "请填写专家姓名")
	}
	if !e.Field.Valid() {
		p.Add("field", "请选择专业领域")
	}
	if e.Phone == "" {
		p.Add("phone", "请填写联系方式")
	}
	if e.UserID < 0 {
		p.Add("user_id", "账号无效")
	}
	return p.Err()
}

// ExpertFilter selects experts.
type ExpertFilter struct {
	Field     ExpertField
	Available bool   // only the available ones
	Q         string // part of name, employer or title
}

// ObserverKind is what an observer represents.
type ObserverKind string

// ObserverKinds lists the kinds of observers (data.md dictionaries:
// observer kinds; seed 二: 两代表一委员, 行业协会, 媒体).
var ObserverKinds = []Label{
	{"party_rep", "党代表"}, {"deputy", "人大代表"}, {"cppcc", "政协委员"},
	{"association", "行业协会"}, {"media", "媒体"}, {"other", "其他"},
}

// Label returns the Chinese label of the kind.
func (k ObserverKind) Label() string { return labelOf(ObserverKinds, k) }

// Valid reports whether k is a known kind.
func (k ObserverKind) Valid() bool { return hasCode(ObserverKinds, k) }

// Observer is one member of the register of observers (监督员).
type Observer struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	Kind        ObserverKind `json:"kind"`
	Affiliation string       `json:"affiliation"` // 所在单位、界别或媒体
	Phone       string       `json:"phone"`
	Available   bool         `json:"available"`
	UserID      int64        `json:"user_id,omitempty"`
	Note        string       `json:"note"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	// Attendances are the hearings the observer was invited to, with
	// attendance and remarks (read only).
	Attendances []Participation `json:"attendances,omitempty"`
	// Seats are the consultations and 督办单 the observer was invited to
	// (read only).
	Seats []*Seat `json:"seats,omitempty"`
	// Receptions are the leaders' receptions the observer was invited
	// to, in the reader's scope (read only).
	Receptions []ReceptionAttendance `json:"receptions,omitempty"`
}

// KindLabel is the Chinese label of the observer's kind.
func (o *Observer) KindLabel() string { return o.Kind.Label() }

// Validate checks an observer before it is stored.
func (o *Observer) Validate() error {
	p := Problems{}
	checkLine(p, "name", &o.Name, MaxName)
	checkLine(p, "affiliation", &o.Affiliation, MaxLine)
	checkLine(p, "phone", &o.Phone, 40)
	checkText(p, "note", &o.Note, MaxNote)
	if o.Name == "" {
		p.Add("name", "请填写姓名")
	}
	if !o.Kind.Valid() {
		p.Add("kind", "请选择类别")
	}
	if o.UserID < 0 {
		p.Add("user_id", "账号无效")
	}
	return p.Err()
}

// ObserverFilter selects observers.
type ObserverFilter struct {
	Kind      ObserverKind
	Available bool
	Q         string
}

// Participation is one hearing a person of the registers took part in.
type Participation struct {
	HearingID     int64             `json:"hearing_id"`
	HearingNumber string            `json:"hearing_number"`
	Subject       string            `json:"subject"`
	ScheduledOn   calendar.Date     `json:"scheduled_on"`
	State         HearingState      `json:"state"`
	Role          ParticipantRole   `json:"role"`
	Attendance    HearingAttendance `json:"attendance"`
	Remarks       string            `json:"remarks"`
}

// CanManageSociety reports whether u keeps the expert pool and the
// observers' register and schedules and runs hearings: the staff who work
// on items and cases (caseWorkerRoles).
func CanManageSociety(u *User) bool { return u.HasAny(caseWorkerRoles...) }

// CanReadSociety reports whether u reads the expert pool and the
// observers' register: the staff with a data scope.
func CanReadSociety(u *User) bool { return u.HasAny(scopedRoles...) }

// outsideRoles take part in the work by assignment only (security.md:
// lawyer, expert, mediator, observer): they see the hearings they sit in.
var outsideRoles = []Role{RoleLawyer, RoleExpert, RoleMediator, RoleObserver}

// CanReadHearings reports whether u has the hearings' list: the staff with
// a data scope, and the outside roles, who see the hearings they are
// assigned to (storage's scope).
func CanReadHearings(u *User) bool { return u.HasAny(scopedRoles...) || u.HasAny(outsideRoles...) }
