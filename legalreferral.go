package xinfang

import (
	"strings"
	"time"

	"xinfang/internal/calendar"
)

// 涉法涉诉 screening and transfer (甄别、转送政法机关; procedure.md
// "Disposal", 第二十二条): the bureau screens an item with a reason and
// finds it law- or litigation-related or not; one found so is transferred
// to the competent 政法机关 (公安、检察院、法院、司法局), which takes it
// out of the petition procedure into the legal route (导入法定途径: the
// item's state becomes diverted, its handling unit the 政法机关). The 政法
// unit or the bureau then links the judicial case number (案号) and its
// outcome: 立案, 不予立案, 审结 with the result (有案必立、有立必办、有办必果).
// Both steps are events of the petition (legal_screen, legal_transfer),
// taken only through this register so that its row and the event are one
// change.

// LegalFinding is the conclusion of a screening (甄别结论).
type LegalFinding string

const (
	FindingLegal    LegalFinding = "legal"     // 属于涉法涉诉
	FindingNotLegal LegalFinding = "not_legal" // 不属于涉法涉诉
)

// LegalFindings lists the findings with their labels.
var LegalFindings = []Label{{string(FindingLegal), "属于涉法涉诉"}, {string(FindingNotLegal), "不属于涉法涉诉"}}

// Label returns the Chinese label of f.
func (f LegalFinding) Label() string { return labelOf(LegalFindings, f) }

// LegalBody is the kind of a 政法机关. Units have the one kind 政法机关
// (UnitLegal); which body a unit is follows from its name (LegalBodyOf),
// as the procedure already tells a court or a procuratorate.
type LegalBody string

const (
	BodyPolice        LegalBody = "police"        // 公安
	BodyProcuratorate LegalBody = "procuratorate" // 检察院
	BodyCourt         LegalBody = "court"         // 法院
	BodyJustice       LegalBody = "justice"       // 司法局
)

// LegalBodies lists the kinds of 政法机关 with their labels.
var LegalBodies = []Label{{string(BodyPolice), "公安"}, {string(BodyProcuratorate), "检察院"}, {string(BodyCourt), "法院"}, {string(BodyJustice), "司法局"}}

// Label returns the Chinese label of b.
func (b LegalBody) Label() string { return labelOf(LegalBodies, b) }

// LegalBodyOf returns the kind of 政法机关 u is, or "" for a unit that is
// none (not of kind UnitLegal, or a name that says no body).
func LegalBodyOf(u *Unit) LegalBody {
	if u == nil || u.Kind != UnitLegal {
		return ""
	}
	switch {
	case strings.Contains(u.Name, "公安"):
		return BodyPolice
	case strings.Contains(u.Name, "检察"):
		return BodyProcuratorate
	case strings.Contains(u.Name, "法院"):
		return BodyCourt
	case strings.Contains(u.Name, "司法"):
		return BodyJustice
	}
	return ""
}

// RouteOf is the legal route an item transferred to a body of kind b
// enters: 公安程序, 检察程序, 诉讼; a 司法局 takes it into 行政复议 (the
// 复议机构 of the city government since the 2020 reform).
func RouteOf(b LegalBody) LegalRoute {
	switch b {
	case BodyPolice:
		return RoutePolice
	case BodyProcuratorate:
		return RouteProcuratorate
	case BodyCourt:
		return RouteLitigation
	case BodyJustice:
		return RouteReconsideration
	}
	return ""
}

// JudicialStatus is where the judicial case of a transferred item stands.
type JudicialStatus string

const (
	JudicialPending  JudicialStatus = "pending"   // 待立案 (no case number yet)
	JudicialFiled    JudicialStatus = "filed"     // 立案
	JudicialNotFiled JudicialStatus = "not_filed" // 不予立案
	JudicialClosed   JudicialStatus = "closed"    // 审结
)

// JudicialStatuses lists the statuses with their labels.
var JudicialStatuses = []Label{{string(JudicialPending), "待立案"}, {string(JudicialFiled), "已立案"}, {string(JudicialNotFiled), "不予立案"}, {string(JudicialClosed), "已审结"}}

// Label returns the Chinese label of s.
func (s JudicialStatus) Label() string { return labelOf(JudicialStatuses, s) }

// JudicialWaitDays is N of "transferred without a case number for more
// than N days" (有案必立): such an item warns in the register.
const JudicialWaitDays = 30

// LegalReferral is the register's row of one petition: its screening, its
// transfer and its judicial case.
type LegalReferral struct {
	ID              int64        `json:"id"`
	PetitionID      int64        `json:"petition_id"`
	PetitionNumber  string       `json:"petition_number"`
	PetitionSummary string       `json:"petition_summary"`
	PetitionState   State        `json:"petition_state"`
	Finding         LegalFinding `json:"finding"`
	Reason          string       `json:"reason"`
	ScreenedByID    int64        `json:"screened_by_id"`
	ScreenedByName  string       `json:"screened_by_name"`
	ScreenedAt      time.Time    `json:"screened_at"`
	// The transfer; zero until the item is transferred.
	UnitID            int64      `json:"unit_id,omitempty"`
	UnitName          string     `json:"unit_name,omitempty"`
	Body              LegalBody  `json:"body,omitempty"`
	Route             LegalRoute `json:"route,omitempty"`
	TransferNote      string     `json:"transfer_note,omitempty"`
	TransferredByName string     `json:"transferred_by_name,omitempty"`
	TransferredAt     time.Time  `json:"transferred_at,omitzero"`
	// The judicial case, linked later by the 政法 unit or the bureau.
	Status         JudicialStatus `json:"status,omitempty"`
	CaseNumber     string         `json:"case_number,omitempty"`
	FiledOn        calendar.Date  `json:"filed_on,omitzero"`
	DecidedOn      calendar.Date  `json:"decided_on,omitzero"` // 不予立案 or 审结
	Result         string         `json:"result,omitempty"`
	RecordedByName string         `json:"recorded_by_name,omitempty"`
	Version        int            `json:"version"`
	// WaitingDays counts the days since the transfer while no case number
	// is linked; Overdue is WaitingDays > JudicialWaitDays.
	WaitingDays int  `json:"waiting_days,omitempty"`
	Overdue     bool `json:"overdue,omitempty"`
}

// Transferred reports whether the item went to a 政法机关.
func (r *LegalReferral) Transferred() bool { return r.UnitID != 0 }

// Wait sets WaitingDays and Overdue for today.
func (r *LegalReferral) Wait(today calendar.Date) {
	r.WaitingDays, r.Overdue = 0, false
	if !r.Transferred() || r.Status != JudicialPending {
		return
	}
	r.WaitingDays = today.Sub(calendar.DateOf(r.TransferredAt))
	r.Overdue = r.WaitingDays > JudicialWaitDays
}

// LegalScreening is a screening as a client sends it: the petition, at
// the version the screener saw, the finding and its reason.
type LegalScreening struct {
	PetitionID int64        `json:"petition_id"`
	Version    int          `json:"version"`
	Finding    LegalFinding `json:"finding"`
	Reason     string       `json:"reason"`
}

// Validate checks a screening.
func (s *LegalScreening) Validate() error {
	p := Problems{}
	if s.PetitionID <= 0 {
		p.Add("petition_id", "请选择信访件")
	}
	if !hasCode(LegalFindings, s.Finding) {
		p.Add("finding", "请选择甄别结论")
	}
	checkText(p, "reason", &s.Reason, MaxNote)
	if s.Reason == "" {
		p.Add("reason", "请写明甄别理由")
	}
	return p.Err()
}

// LegalTransfer is the transfer of a screened item to a 政法机关: the
// referral at its version, the unit, a note.
type LegalTransfer struct {
	Version int    `json:"version"`
	UnitID  int64  `json:"unit_id"`
	Note    string `json:"note"`
}

// Validate checks a transfer before the unit is looked up.
func (t *LegalTransfer) Validate() error {
	p := Problems{}
	if t.UnitID <= 0 {
		p.Add("unit_id", "请选择政法机关")
	}
	checkText(p, "note", &t.Note, MaxNote)
	return p.Err()
}

// CheckTransfer checks what only the referral and the unit tell: a
// screening that found the item law-related, not transferred yet, and a
// unit that is a 政法机关 of a known kind.
func CheckTransfer(r *LegalReferral, unit *Unit) error {
	if r.Finding != FindingLegal {
		return FieldError("finding", "甄别结论为不属于涉法涉诉，不能转送政法机关")
	}
	if r.Transferred() {
		return &Error{Code: ECONFLICT, Message: "该信访件已转送" + r.UnitName, Fields: map[string]string{"unit_id": "已转送"}}
	}
	if LegalBodyOf(unit) == "" {
		return FieldError("unit_id", "须为公安、检察院、法院或司法局")
	}
	if unit.Disabled {
		return FieldError("unit_id", "该单位已停用")
	}
	return nil
}

// JudicialRecord links the judicial case of a transferred item: 立案 with
// its case number and day, 不予立案 with the day and the reason, 审结 with
// the day and the result.
type JudicialRecord struct {
	Version    int            `json:"version"`
	Status     JudicialStatus `json:"status"`
	CaseNumber string         `json:"case_number"`
	On         calendar.Date  `json:"on"`
	Result     string         `json:"result"`
}

// Validate checks a record against the referral it changes, on today.
// The case moves 待立案 → 立案 → 审结 or 待立案 → 不予立案; a case number
// may be corrected while the case is filed.
func (j *JudicialRecord) Validate(r *LegalReferral, today calendar.Date) error {
	if !r.Transferred() {
		return &Error{Code: ECONFLICT, Message: "该信访件尚未转送政法机关", Fields: map[string]string{"status": "尚未转送"}}
	}
	p := Problems{}
	checkLine(p, "case_number", &j.CaseNumber, 60)
	checkText(p, "result", &j.Result, MaxNote)
	allowed := map[JudicialStatus][]JudicialStatus{
		JudicialPending: {JudicialFiled, JudicialNotFiled},
		JudicialFiled:   {JudicialFiled, JudicialClosed},
	}[r.Status]
	ok := false
	for _, s := range allowed {
		ok = ok || s == j.Status
	}
	switch {
	case !hasCode(JudicialStatuses, j.Status) || j.Status == JudicialPending:
		p.Add("status", "请选择立案、不予立案或审结")
	case !ok:
		p.Add("status", "案件当前为「"+r.Status.Label()+"」，不能改为「"+j.Status.Label()+"」")
	}
	if j.Status == JudicialFiled && j.CaseNumber == "" {
		p.Add("case_number", "立案须填写案号")
	}
	if j.Status == JudicialClosed && j.CaseNumber != "" && j.CaseNumber != r.CaseNumber {
		p.Add("case_number", "审结时案号须与立案时一致")
	}
	if (j.Status == JudicialNotFiled || j.Status == JudicialClosed) && j.Result == "" {
		p.Add("result", map[JudicialStatus]string{JudicialNotFiled: "请写明不予立案的理由", JudicialClosed: "请写明审结结果"}[j.Status])
	}
	switch {
	case j.On.IsZero():
		p.Add("on", "请填写日期")
	case j.On.After(today):
		p.Add("on", "日期不能晚于今天")
	case !r.TransferredAt.IsZero() && j.On.Before(calendar.DateOf(r.TransferredAt)):
		p.Add("on", "日期不能早于转送日期")
	case j.Status == JudicialClosed && j.On.Before(r.FiledOn):
		p.Add("on", "审结日期不能早于立案日期")
	}
	return p.Err()
}

// LegalReferralFilter selects the register's rows. Stage: "screened"
// (not transferred), "transferred", or a JudicialStatus; Overdue keeps
// the items past JudicialWaitDays without a case number.
type LegalReferralFilter struct {
	UnitID     int64  `json:"unit_id,omitempty"`
	PetitionID int64  `json:"petition_id,omitempty"`
	Stage      string `json:"stage,omitempty"`
	Overdue    bool   `json:"overdue,omitempty"`
	Offset     int    `json:"offset,omitempty"`
	Limit      int    `json:"limit,omitempty"`
}

// LegalStages are the stages the register filters by.
var LegalStages = []Label{{"screened", "已甄别未转送"}, {"transferred", "已转送"}, {string(JudicialPending), "待立案"},
	{string(JudicialFiled), "已立案"}, {string(JudicialNotFiled), "不予立案"}, {string(JudicialClosed), "已审结"}}

// CanScreenLegal reports whether u screens and transfers 涉法涉诉 items:
// the registrars and unit heads who route items (the procedure checks
// the side and the state).
func CanScreenLegal(u *User) bool { return u.HasAny(RoleRegistrar, RoleUnitHead) }

// CanReadLegalReferrals reports whether u has the register: the staff
// with a data scope (storage's scope).
func CanReadLegalReferrals(u *User) bool { return u.HasAny(scopedRoles...) }

// CanRecordJudicial reports whether u links the judicial case of an item
// transferred to unit: the staff of that 政法机关 (or above it), and the
// bureau's registrars and heads, who follow every transfer up.
func CanRecordJudicial(u *User, unit *Unit) bool {
	if u == nil || u.Unit == nil || !u.HasAny(RoleRegistrar, RoleHandler, RoleUnitHead) {
		return false
	}
	if u.Unit.Kind == UnitBureau && u.HasAny(RoleRegistrar, RoleUnitHead) {
		return true
	}
	return unit == nil && u.Unit.Kind == UnitLegal || unit != nil && u.Unit.Contains(unit)
}
