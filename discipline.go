package xinfang

import (
	"strconv"
	"strings"
	"time"

	"xinfang/internal/calendar"
)

// Discipline (纪委监委) work on petitions: the watch list of the inspectors,
// raised investigations with 一案双查, accountability records (问责) and the
// yearly responsibility letters (责任书) of the units.

// WatchKind is a kind of entry of the watch list (关注名单).
type WatchKind string

const (
	WatchRepeat     WatchKind = "repeat"      // 重复信访三次以上: the same matter three times or more
	WatchHandedDown WatchKind = "handed_down" // 交办件重复信访: a matter handed down by 中央、省 came back
	WatchEscalation WatchKind = "escalation"  // 赴省进京越级访
)

// WatchKinds lists the kinds of the watch list, in tab order.
var WatchKinds = []Label{
	{string(WatchRepeat), "重复信访三次以上"}, {string(WatchHandedDown), "交办件重复信访"}, {string(WatchEscalation), "赴省进京越级访"},
}

// Label returns the Chinese label of k.
func (k WatchKind) Label() string { return labelOf(WatchKinds, k) }

// Valid reports whether k is a known kind.
func (k WatchKind) Valid() bool { return hasCode(WatchKinds, k) }

// WatchRepeatThreshold is the number of repeat items on one matter that puts
// a petitioner on the watch list (procedure.md: "three or more").
const WatchRepeatThreshold = 3

// Watch row bases: how the repeats of a row were found.
const (
	WatchByChain    = "chain"    // linked as repeats (重复件) of one original
	WatchByLocality = "locality" // same petitioner, 问题属地 and 内容分类 within a year
)

// WatchPetition is one item a watch-list row links to.
type WatchPetition struct {
	ID           int64      `json:"id"`
	Number       string     `json:"number"`
	ReceivedAt   time.Time  `json:"received_at"`
	Channel      Channel    `json:"channel"`
	Summary      string     `json:"summary"`
	State        State      `json:"state"`
	StateLabel   string     `json:"state_label"`
	Repeat       bool       `json:"repeat"`
	RepeatOfID   int64      `json:"repeat_of_id,omitempty"`
	Escalation   Escalation `json:"escalation,omitempty"`
	HandlingUnit *UnitRef   `json:"handling_unit,omitempty"`
}

// UnitRef names a unit in lists.
type UnitRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// PetitionRef names a petition in discipline records.
type PetitionRef struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
}

// CaseRef names a backlog case (信访积案) in discipline records.
type CaseRef struct {
	ID          int64      `json:"id"`
	Number      string     `json:"number,omitempty"`
	Title       string     `json:"title,omitempty"`
	Source      CaseSource `json:"source,omitempty"`
	SourceLabel string     `json:"source_label,omitempty"`
	State       CaseState  `json:"state,omitempty"`
}

// WatchRow is one entry of the watch list: a petitioner's repeated matter,
// a handed-down matter that came back, or an escalated visit. It links to
// its items with their count, the responsible unit and the latest state.
type WatchRow struct {
	Kind      WatchKind `json:"kind"`
	KindLabel string    `json:"kind_label"`
	Basis     string    `json:"basis,omitempty"`
	Reason    string    `json:"reason"`

	PetitionerID   int64  `json:"petitioner_id,omitempty"`
	PetitionerName string `json:"petitioner_name,omitempty"`
	// Matter is the original item (the root of the repeat chain), or the
	// escalated item itself.
	Matter *WatchPetition `json:"matter,omitempty"`
	Case   *CaseRef       `json:"case,omitempty"`
	// Count is the number of repeat items (repeat kinds) or of the
	// petitioner's escalated visits (escalation).
	Count      int              `json:"count"`
	Items      []*WatchPetition `json:"items"`
	Unit       *UnitRef         `json:"unit,omitempty"` // responsible (handling) unit of the latest item
	LatestID   int64            `json:"latest_id,omitempty"`
	LatestAt   time.Time        `json:"latest_at"`
	State      State            `json:"latest_state,omitempty"`
	StateLabel string           `json:"latest_state_label,omitempty"`
	Escalation Escalation       `json:"escalation,omitempty"`
	// InvestigationID is the raised investigation opened on the row's
	// escalated item, if any.
	InvestigationID int64 `json:"investigation_id,omitempty"`
}

// WatchFilter selects watch-list rows.
type WatchFilter struct {
	Kind   WatchKind
	Offset int
	Limit  int
}

// Validate checks the filter and applies the default page size.
func (f *WatchFilter) Validate() error {
	p := Problems{}
	if f.Kind != "" && !f.Kind.Valid() {
		p.Add("kind", "未知的关注类型，应为 repeat、handed_down 或 escalation")
	}
	if f.Offset < 0 {
		p.Add("offset", "offset 不能为负数")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	return p.Err()
}

// WatchPage is one page of the watch list with the count of every kind.
type WatchPage struct {
	Items  []*WatchRow       `json:"items"`
	Total  int               `json:"total"`
	Counts map[WatchKind]int `json:"counts"`
	Offset int               `json:"offset"`
	Limit  int               `json:"limit"`
}

// InvestigationCause is the cause of an escalated visit that opens a
// raised investigation (提级调查).
type InvestigationCause string

const (
	CauseUnclear     InvestigationCause = "unclear"     // 问题查不清
	CauseInadequate  InvestigationCause = "inadequate"  // 处理不到位
	CauseUnrectified InvestigationCause = "unrectified" // 整改不落实
)

// InvestigationCauses lists the causes with their labels.
var InvestigationCauses = []Label{
	{string(CauseUnclear), "问题查不清"}, {string(CauseInadequate), "处理不到位"}, {string(CauseUnrectified), "整改不落实"},
}

// Label returns the Chinese label of c.
func (c InvestigationCause) Label() string { return labelOf(InvestigationCauses, c) }

// Valid reports whether c is a known cause.
func (c InvestigationCause) Valid() bool { return hasCode(InvestigationCauses, c) }

// InvestigationState is the state of a raised investigation.
type InvestigationState string

const (
	InvestigationOpen   InvestigationState = "open"   // 调查中
	InvestigationClosed InvestigationState = "closed" // 已办结
)

// InvestigationStates lists the states with labels.
var InvestigationStates = []Label{{string(InvestigationOpen), "调查中"}, {string(InvestigationClosed), "已办结"}}

// Label returns the Chinese label of s.
func (s InvestigationState) Label() string { return labelOf(InvestigationStates, s) }

// Valid reports whether s is a known state.
func (s InvestigationState) Valid() bool { return hasCode(InvestigationStates, s) }

// MatterTrackOutcome concludes the track of the matter (事).
type MatterTrackOutcome string

const (
	MatterResolved   MatterTrackOutcome = "resolved"   // 问题已查清并解决
	MatterRectified  MatterTrackOutcome = "rectified"  // 已责令整改并落实
	MatterTerminated MatterTrackOutcome = "terminated" // 依法终结
	MatterUnfounded  MatterTrackOutcome = "unfounded"  // 反映问题不属实
)

// MatterTrackOutcomes lists the outcomes with their labels.
var MatterTrackOutcomes = []Label{
	{string(MatterResolved), "问题已查清并解决"}, {string(MatterRectified), "已责令整改并落实"}, {string(MatterTerminated), "依法终结"}, {string(MatterUnfounded), "反映问题不属实"},
}

// Label returns the Chinese label of o.
func (o MatterTrackOutcome) Label() string { return labelOf(MatterTrackOutcomes, o) }

// Valid reports whether o is a known outcome.
func (o MatterTrackOutcome) Valid() bool { return hasCode(MatterTrackOutcomes, o) }

// ResponsibilityOutcome concludes the track of the officials (人).
type ResponsibilityOutcome string

const (
	ResponsibilityTalk           ResponsibilityOutcome = "talk"           // 约谈
	ResponsibilityNotice         ResponsibilityOutcome = "notice"         // 通报
	ResponsibilityAccountability ResponsibilityOutcome = "accountability" // 问责
	ResponsibilityNone           ResponsibilityOutcome = "none"           // 不予追究
)

// ResponsibilityOutcomes lists the outcomes with their labels.
var ResponsibilityOutcomes = []Label{
	{string(ResponsibilityTalk), "约谈"}, {string(ResponsibilityNotice), "通报"}, {string(ResponsibilityAccountability), "问责"}, {string(ResponsibilityNone), "不予追究"},
}

// Label returns the Chinese label of o.
func (o ResponsibilityOutcome) Label() string { return labelOf(ResponsibilityOutcomes, o) }

// Valid reports whether o is a known outcome.
func (o ResponsibilityOutcome) Valid() bool { return hasCode(ResponsibilityOutcomes, o) }

// Official is a person whose responsibility is examined.
type Official struct {
	Name     string `json:"name"`
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name,omitempty"`
	Position string `json:"position"`
}

// MatterTrack is the 事 of 一案双查: what went wrong in the matter, and what
// was done about it.
type MatterTrack struct {
	Findings     string             `json:"findings"`
	Measures     string             `json:"measures"`
	Outcome      MatterTrackOutcome `json:"outcome,omitempty"`
	OutcomeLabel string             `json:"outcome_label,omitempty"`
	ConcludedAt  time.Time          `json:"concluded_at,omitempty"`
}

// Concluded reports whether the track has its outcome.
func (t *MatterTrack) Concluded() bool { return t.Outcome != "" }

// ResponsibilityTrack is the 人 of 一案双查: the officials whose failure led
// to the escalation, the findings and the outcome for them.
type ResponsibilityTrack struct {
	Officials    []Official            `json:"officials"`
	Findings     string                `json:"findings"`
	Outcome      ResponsibilityOutcome `json:"outcome,omitempty"`
	OutcomeLabel string                `json:"outcome_label,omitempty"`
	ConcludedAt  time.Time             `json:"concluded_at,omitempty"`
}

// Concluded reports whether the track has its outcome.
func (t *ResponsibilityTrack) Concluded() bool { return t.Outcome != "" }

// Investigation is a raised investigation (提级调查) of an escalated visit
// caused by a unit's failure, run as 一案双查: the matter and the officials,
// each track with its own record and outcome.
// InvestigationNumberFormat formats the number of a raised investigation
// (提级调查) from its year and sequence.
const InvestigationNumberFormat = "TJ-%d-%04d"

type Investigation struct {
	ID             int64              `json:"id"`
	Number         string             `json:"number"` // TJ-2026-0001
	Version        int                `json:"version"`
	PetitionID     int64              `json:"petition_id,omitempty"`
	PetitionNumber string             `json:"petition_number,omitempty"`
	Escalation     Escalation         `json:"escalation,omitempty"`
	Case           *CaseRef           `json:"case,omitempty"`
	CaseID         int64              `json:"case_id,omitempty"`
	UnitID         int64              `json:"unit_id"` // the unit whose failure caused the escalation
	Unit           *UnitRef           `json:"unit,omitempty"`
	Cause          InvestigationCause `json:"cause"`
	CauseLabel     string             `json:"cause_label,omitempty"`
	Summary        string             `json:"summary"`
	State          InvestigationState `json:"state"`
	StateLabel     string             `json:"state_label,omitempty"`

	MatterTrack         MatterTrack         `json:"case_track"`
	ResponsibilityTrack ResponsibilityTrack `json:"responsibility_track"`

	OpenedByID   int64     `json:"opened_by_id"`
	OpenedByName string    `json:"opened_by_name"`
	OpenedAt     time.Time `json:"opened_at"`
	ClosedAt     time.Time `json:"closed_at,omitempty"`
	ClosingNote  string    `json:"closing_note,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Fill sets the labels from the codes.
func (iv *Investigation) Fill() {
	iv.CauseLabel = iv.Cause.Label()
	iv.StateLabel = iv.State.Label()
	iv.MatterTrack.OutcomeLabel = ""
	if iv.MatterTrack.Outcome != "" {
		iv.MatterTrack.OutcomeLabel = iv.MatterTrack.Outcome.Label()
	}
	iv.ResponsibilityTrack.OutcomeLabel = ""
	if iv.ResponsibilityTrack.Outcome != "" {
		iv.ResponsibilityTrack.OutcomeLabel = iv.ResponsibilityTrack.Outcome.Label()
	}
	if iv.ResponsibilityTrack.Officials == nil {
		iv.ResponsibilityTrack.Officials = []Official{}
	}
}

// InvestigationInput opens a raised investigation.
type InvestigationInput struct {
	PetitionID int64              `json:"petition_id,omitempty"`
	CaseID     int64              `json:"case_id,omitempty"`
	UnitID     int64              `json:"unit_id,omitempty"` // default: the handling unit of the petition
	Cause      InvestigationCause `json:"cause"`
	Summary    string             `json:"summary"`
}

// Validate checks what can be checked without storage.
func (in *InvestigationInput) Validate() error {
	p := Problems{}
	checkText(p, "summary", &in.Summary, MaxNote)
	if in.PetitionID == 0 && in.CaseID == 0 {
		p.Add("petition_id", "请指定越级访的信访件或信访积案")
	}
	if in.PetitionID < 0 {
		p.Add("petition_id", "信访件编号无效")
	}
	if in.CaseID < 0 {
		p.Add("case_id", "信访积案编号无效")
	}
	if !in.Cause.Valid() {
		p.Add("cause", "请选择越级访的原因：问题查不清、处理不到位或整改不落实")
	}
	if in.Summary == "" {
		p.Add("summary", "请写明提级调查的事由")
	}
	return p.Err()
}

// InvestigationUpdate changes the opening record of a running
// investigation; a zero UnitID keeps the unit.
type InvestigationUpdate struct {
	Version int                `json:"version"`
	UnitID  int64              `json:"unit_id,omitempty"`
	Cause   InvestigationCause `json:"cause"`
	Summary string             `json:"summary"`
}

// MatterTrackInput records the 事 track; a non-empty outcome concludes it.
type MatterTrackInput struct {
	Version  int                `json:"version"`
	Findings string             `json:"findings"`
	Measures string             `json:"measures"`
	Outcome  MatterTrackOutcome `json:"outcome"`
}

// Validate checks a case-track record: an outcome needs findings and
// measures, since a matter is not concluded before it is established.
func (in *MatterTrackInput) Validate() error {
	p := Problems{}
	checkText(p, "findings", &in.Findings, MaxText)
	checkText(p, "measures", &in.Measures, MaxText)
	if in.Outcome != "" && !in.Outcome.Valid() {
		p.Add("outcome", "未知的调查结论")
	}
	if in.Outcome != "" && in.Findings == "" {
		p.Add("findings", "作出结论前须写明查明的事实")
	}
	if in.Outcome != "" && in.Measures == "" {
		p.Add("measures", "作出结论前须写明采取的措施")
	}
	return p.Err()
}

// ResponsibilityTrackInput records the 人 track; a non-empty outcome
// concludes it.
type ResponsibilityTrackInput struct {
	Version   int                   `json:"version"`
	Officials []Official            `json:"officials"`
	Findings  string                `json:"findings"`
	Outcome   ResponsibilityOutcome `json:"outcome"`
}

// Validate checks a responsibility-track record: every official has a
// name, a unit and a position; an outcome needs findings, and any outcome
// but 不予追究 names at least one official.
func (in *ResponsibilityTrackInput) Validate() error {
	p := Problems{}
	checkText(p, "findings", &in.Findings, MaxText)
	if in.Outcome != "" && !in.Outcome.Valid() {
		p.Add("outcome", "未知的处理结果")
	}
	if len(in.Officials) > MaxPeople {
		p.Add("officials", "责任人不超过 50 人")
	}
	for i := range in.Officials {
		o := &in.Officials[i]
		pre := "officials." + strconv.Itoa(i) + "."
		checkLine(p, pre+"name", &o.Name, MaxName)
		checkLine(p, pre+"position", &o.Position, MaxName)
		if o.Name == "" {
			p.Add(pre+"name", "请填写责任人姓名")
		}
		if o.UnitID <= 0 {
			p.Add(pre+"unit_id", "请选择责任人所在单位")
		}
		if o.Position == "" {
			p.Add(pre+"position", "请填写责任人职务")
		}
	}
	if in.Outcome != "" && in.Findings == "" {
		p.Add("findings", "作出处理前须写明责任认定")
	}
	if in.Outcome != "" && in.Outcome != ResponsibilityNone && len(in.Officials) == 0 {
		p.Add("officials", "约谈、通报或问责须列明责任人")
	}
	return p.Err()
}

// CloseRefusal lists, per track, why an investigation cannot be closed
// yet; nil when both tracks are concluded (问题不查清不结案).
func (iv *Investigation) CloseRefusal() error {
	p := Problems{}
	if !iv.MatterTrack.Concluded() {
		p.Add("case_track", "“事”的调查（案件查处）尚未作出结论")
	}
	if !iv.ResponsibilityTrack.Concluded() {
		p.Add("responsibility_track", "“人”的调查（责任追究）尚未作出处理结果")
	}
	if len(p) == 0 {
		return nil
	}
	msgs := []string{}
	for _, k := range []string{"case_track", "responsibility_track"} {
		if m, ok := p[k]; ok {
			msgs = append(msgs, m)
		}
	}
	return &Error{Code: ECONFLICT, Message: "一案双查未完成，不能办结：" + strings.Join(msgs, "；"), Fields: map[string]string(p)}
}

// Recorded reports whether anything is recorded on either track: findings,
// measures, officials or an outcome. An investigation with a record is
// not deleted; it is closed.
func (iv *Investigation) Recorded() bool {
	t, r := iv.MatterTrack, iv.ResponsibilityTrack
	return t.Findings != "" || t.Measures != "" || t.Outcome != "" || r.Findings != "" || r.Outcome != "" || len(r.Officials) > 0
}

// InvestigationAction is a step in the life of a raised investigation
// after it is opened.
type InvestigationAction string

const (
	InvestigationActUpdate              InvestigationAction = "update"               // change unit, cause, summary
	InvestigationActMatterTrack         InvestigationAction = "case_track"           // record the 事 track
	InvestigationActResponsibilityTrack InvestigationAction = "responsibility_track" // record the 人 track
	InvestigationActClose               InvestigationAction = "close"                // 办结
	InvestigationActDelete              InvestigationAction = "delete"               // opened by mistake
)

// InvestigationTransition is one row of the life of an investigation: the
// state the action is taken from, the state it leads to ("" for delete:
// the investigation goes), the message of the 409 on fields.state when it
// is not in From, and the further condition it needs.
type InvestigationTransition struct {
	Action        InvestigationAction
	From          InvestigationState
	To            InvestigationState
	Conflict      string
	ConflictField string // the value of fields.state
	// Guard refuses what the state alone does not: closing before both
	// tracks are concluded, deleting what has records. linked is the number
	// of accountability records resting on the investigation.
	Guard func(iv *Investigation, linked int) error
}

func (t *InvestigationTransition) conflict() error {
	return &Error{Code: ECONFLICT, Message: t.Conflict, Fields: map[string]string{"state": t.ConflictField}}
}

const (
	investigationClosedMsg   = "提级调查已办结，不能再修改"
	investigationRecordedMsg = "提级调查已有调查记录或问责记录，不能删除"
)

// InvestigationTransitions are the life of a raised investigation (README
// "Raised investigation"): 调查中 → 已办结, closing only with both tracks of
// 一案双查 concluded ("问题不查清不结案"); nothing changes once closed; one
// opened by mistake is deleted only while nothing is recorded on it and no
// accountability record rests on it.
var InvestigationTransitions = []InvestigationTransition{
	{Action: InvestigationActUpdate, From: InvestigationOpen, To: InvestigationOpen, Conflict: investigationClosedMsg, ConflictField: "已办结"},
	{Action: InvestigationActMatterTrack, From: InvestigationOpen, To: InvestigationOpen, Conflict: investigationClosedMsg, ConflictField: "已办结"},
	{Action: InvestigationActResponsibilityTrack, From: InvestigationOpen, To: InvestigationOpen, Conflict: investigationClosedMsg, ConflictField: "已办结"},
	{Action: InvestigationActClose, From: InvestigationOpen, To: InvestigationClosed, Conflict: investigationClosedMsg, ConflictField: "已办结",
		Guard: func(iv *Investigation, _ int) error { return iv.CloseRefusal() }},
	// A closed investigation has both tracks concluded, so it is refused
	// with the same words as one with records.
	{Action: InvestigationActDelete, From: InvestigationOpen, To: "", Conflict: investigationRecordedMsg, ConflictField: "已有记录",
		Guard: func(iv *Investigation, linked int) error {
			if iv.Recorded() || linked > 0 {
				return &Error{Code: ECONFLICT, Message: investigationRecordedMsg, Fields: map[string]string{"state": "已有记录"}}
			}
			return nil
		}},
}

// FindInvestigationTransition returns the row of action.
func FindInvestigationTransition(action InvestigationAction) (*InvestigationTransition, bool) {
	for i := range InvestigationTransitions {
		if InvestigationTransitions[i].Action == action {
			return &InvestigationTransitions[i], true
		}
	}
	return nil, false
}

// CheckInvestigationAction says whether actor may take action on iv now and
// returns the state it leads to ("" for delete), or the error the API
// returns: 401 without a user, 403 for anybody but an inspector of a
// 纪委监委 unit (CanInspect), 409 on fields.state for a closed
// investigation or, for delete, one with records, 409 naming each
// unconcluded track for close, 404 for an unknown action. linked is the
// number of accountability records resting on iv; only delete reads it.
//
// The version the client read is storage's to compare, before this check
// (a stale version is 409 on fields.version whatever the state).
func CheckInvestigationAction(iv *Investigation, action InvestigationAction, actor *User, linked int) (InvestigationState, error) {
	t, ok := FindInvestigationTransition(action)
	if !ok {
		return "", Errorf(ENOTFOUND, "未知的提级调查操作")
	}
	if actor == nil {
		return "", Errorf(EUNAUTHORIZED, "请先登录")
	}
	if !CanInspect(actor) {
		return "", Errorf(EFORBIDDEN, "只有纪委监委的纪检监察员可以进行此操作")
	}
	if iv.State != t.From {
		return "", t.conflict()
	}
	if t.Guard != nil {
		if err := t.Guard(iv, linked); err != nil {
			return "", err
		}
	}
	return t.To, nil
}

// InvestigationFilter selects investigations.
type InvestigationFilter struct {
	State      InvestigationState
	PetitionID int64
	Offset     int
	Limit      int
}

// AccountabilityTarget is who an accountability record is against (问责对象).
type AccountabilityTarget string

const (
	TargetUnit     AccountabilityTarget = "unit"     // 单位
	TargetOfficial AccountabilityTarget = "official" // 个人
)

// AccountabilityTargets lists the targets with labels.
var AccountabilityTargets = []Label{{string(TargetUnit), "单位"}, {string(TargetOfficial), "个人"}}

// Label returns the Chinese label of t.
func (t AccountabilityTarget) Label() string { return labelOf(AccountabilityTargets, t) }

// Valid reports whether t is a known target.
func (t AccountabilityTarget) Valid() bool { return hasCode(AccountabilityTargets, t) }

// AccountabilityMeasure is the measure of an accountability record (问责方式).
type AccountabilityMeasure string

const (
	MeasureTalk           AccountabilityMeasure = "talk"           // 约谈
	MeasureNotice         AccountabilityMeasure = "notice"         // 通报
	MeasureListed         AccountabilityMeasure = "listed"         // 挂牌督办
	MeasureRectify        AccountabilityMeasure = "rectify"        // 责令整改
	MeasureAccountability AccountabilityMeasure = "accountability" // 问责追究
)

// AccountabilityMeasures lists the measures with their labels.
var AccountabilityMeasures = []Label{
	{string(MeasureTalk), "约谈"}, {string(MeasureNotice), "通报"}, {string(MeasureListed), "挂牌督办"}, {string(MeasureRectify), "责令整改"}, {string(MeasureAccountability), "问责追究"},
}

// Label returns the Chinese label of m.
func (m AccountabilityMeasure) Label() string { return labelOf(AccountabilityMeasures, m) }

// Valid reports whether m is a known measure.
func (m AccountabilityMeasure) Valid() bool { return hasCode(AccountabilityMeasures, m) }

// Accountability is an accountability record (问责): a measure taken
// against a unit or an official on the ground of items, cases or an
// investigation.
type Accountability struct {
	ID               int64                 `json:"id"`
	Target           AccountabilityTarget  `json:"target"`
	TargetLabel      string                `json:"target_label,omitempty"`
	UnitID           int64                 `json:"unit_id"` // the unit, or the official's unit
	Unit             *UnitRef              `json:"unit,omitempty"`
	OfficialName     string                `json:"official_name,omitempty"`
	OfficialPosition string                `json:"official_position,omitempty"`
	Measure          AccountabilityMeasure `json:"measure"`
	MeasureLabel     string                `json:"measure_label,omitempty"`
	DecidedOn        calendar.Date         `json:"decided_on"`
	DecidedBy        string                `json:"decided_by"`
	Ground           string                `json:"ground"`
	Note             string                `json:"note,omitempty"`
	PetitionIDs      []int64               `json:"petition_ids"`
	Petitions        []PetitionRef         `json:"petitions,omitempty"` // the linked items the reader may see
	CaseIDs          []int64               `json:"case_ids"`
	Cases            []CaseRef             `json:"cases,omitempty"` // the linked cases the reader may see, with their numbers
	InvestigationID  int64                 `json:"investigation_id,omitempty"`
	// InvestigationNumber is the linked investigation's number (TJ-2026-0001).
	InvestigationNumber string    `json:"investigation_number,omitempty"`
	CreatedByID         int64     `json:"created_by_id"`
	CreatedByName       string    `json:"created_by_name"`
	CreatedAt           time.Time `json:"created_at"`
}

// Fill sets the labels from the codes.
func (a *Accountability) Fill() {
	a.TargetLabel = a.Target.Label()
	a.MeasureLabel = a.Measure.Label()
	if a.PetitionIDs == nil {
		a.PetitionIDs = []int64{}
	}
	if a.CaseIDs == nil {
		a.CaseIDs = []int64{}
	}
}

// Validate checks an accountability record before it is stored; today
// bounds the date of the decision.
func (a *Accountability) Validate(today calendar.Date) error {
	p := Problems{}
	checkLine(p, "official_name", &a.OfficialName, MaxName)
	checkLine(p, "official_position", &a.OfficialPosition, MaxName)
	checkLine(p, "decided_by", &a.DecidedBy, MaxLine)
	checkText(p, "ground", &a.Ground, 5000)
	checkText(p, "note", &a.Note, 5000)
	checkPastDate(p, "decided_on", a.DecidedOn, today)
	if !a.Target.Valid() {
		p.Add("target", "请选择问责对象：单位或个人")
	}
	if a.UnitID <= 0 {
		p.Add("unit_id", "请选择被问责单位（个人问责为其所在单位）")
	}
	if a.Target == TargetOfficial {
		if a.OfficialName == "" {
			p.Add("official_name", "请填写被问责人姓名")
		}
		if a.OfficialPosition == "" {
			p.Add("official_position", "请填写被问责人职务")
		}
	} else if a.Target == TargetUnit {
		a.OfficialName, a.OfficialPosition = "", ""
	}
	if !a.Measure.Valid() {
		p.Add("measure", "请选择问责方式：约谈、通报、挂牌督办、责令整改或问责追究")
	}
	if a.DecidedOn.IsZero() {
		p.Add("decided_on", "请填写决定日期")
	}
	if a.Ground == "" && len(a.PetitionIDs) == 0 && len(a.CaseIDs) == 0 && a.InvestigationID == 0 {
		p.Add("ground", "请写明问责依据，或关联信访件、信访积案或提级调查")
	}
	checkCount(p, "petition_ids", len(a.PetitionIDs), MaxItems)
	checkCount(p, "case_ids", len(a.CaseIDs), MaxItems)
	return p.Err()
}

// AccountabilityFilter selects accountability records.
type AccountabilityFilter struct {
	UnitID  int64 // records of this unit and the units below it
	Measure AccountabilityMeasure
	Year    int
	Offset  int
	Limit   int
}

// ResponsibilityLetter is a unit's yearly 信访工作责任书: signed at a date,
// with its targets, one per unit and year.
type ResponsibilityLetter struct {
	ID            int64         `json:"id"`
	UnitID        int64         `json:"unit_id"`
	Unit          *UnitRef      `json:"unit,omitempty"`
	Year          int           `json:"year"`
	SignedOn      calendar.Date `json:"signed_on"`
	Targets       []string      `json:"targets"`
	Note          string        `json:"note,omitempty"`
	CreatedByID   int64         `json:"created_by_id"`
	CreatedByName string        `json:"created_by_name"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// Validate checks a letter; empty target lines are dropped. today bounds
// the date it was signed.
func (l *ResponsibilityLetter) Validate(today calendar.Date) error {
	p := Problems{}
	if l.UnitID <= 0 {
		p.Add("unit_id", "请选择签订单位")
	}
	if l.Year < 2000 || l.Year > 2100 {
		p.Add("year", "年度应为 2000–2100 之间的年份")
	}
	if l.SignedOn.IsZero() {
		p.Add("signed_on", "请填写签订日期")
	}
	checkPastDate(p, "signed_on", l.SignedOn, today)
	var targets []string
	for _, t := range l.Targets {
		checkText(p, "targets", &t, 500)
		if t != "" {
			targets = append(targets, t)
		}
	}
	l.Targets = targets
	if len(l.Targets) == 0 {
		p.Add("targets", "请至少填写一项目标任务")
	} else if len(l.Targets) > 100 {
		p.Add("targets", "目标任务不超过 100 项")
	}
	checkText(p, "note", &l.Note, 5000)
	return p.Err()
}
