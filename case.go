package xinfang

import (
	"slices"
	"strings"
	"time"

	"xinfang/internal/calendar"
)

// CaseState is the state of a backlog case (信访积案).
type CaseState string

const (
	CaseUnresolved CaseState = "unresolved" // 未化解
	CaseResolving  CaseState = "resolving"  // 化解中
	CaseResolved   CaseState = "resolved"   // 已化解
	CaseClosed     CaseState = "closed"     // 销号
)

// CaseStates lists the states in order with their labels.
var CaseStates = []Label{
	{string(CaseUnresolved), "未化解"}, {string(CaseResolving), "化解中"}, {string(CaseResolved), "已化解"}, {string(CaseClosed), "销号"},
}

// Label returns the Chinese label of s.
func (s CaseState) Label() string { return labelOf(CaseStates, s) }

// Valid reports whether s is a known state.
func (s CaseState) Valid() bool { return hasCode(CaseStates, s) }

// RunningCaseStates are the states in which a case still runs against its
// 化解时限: 未化解 and 化解中. Done reads them, and storage names them in
// SQL (the ledger's overdue filter, the scheduler's plan steps) through
// SQLInList.
var RunningCaseStates = []CaseState{CaseUnresolved, CaseResolving}

// Done reports whether the case no longer runs against its 化解时限
// (已化解 or 销号).
func (s CaseState) Done() bool { return s.Valid() && !slices.Contains(RunningCaseStates, s) }

// CaseSource is where a backlog case comes from (积案来源).
type CaseSource string

const (
	CaseSourceCentral  CaseSource = "central"  // 中央交办
	CaseSourceProvince CaseSource = "province" // 省交办
	CaseSourceCity     CaseSource = "city"     // 市排查
	CaseSourceSelf     CaseSource = "self"     // 自行梳理
	CaseSourceRepeat   CaseSource = "repeat"   // 重复信访
)

// CaseSources lists the sources with their labels.
var CaseSources = []Label{
	{string(CaseSourceCentral), "中央交办"}, {string(CaseSourceProvince), "省交办"}, {string(CaseSourceCity), "市排查"},
	{string(CaseSourceSelf), "自行梳理"}, {string(CaseSourceRepeat), "重复信访"},
}

// Label returns the Chinese label of s.
func (s CaseSource) Label() string { return labelOf(CaseSources, s) }

// Valid reports whether s is a known source.
func (s CaseSource) Valid() bool { return hasCode(CaseSources, s) }

// CaseTag is one of the five-in-one methods (五位一体) applied to a case.
type CaseTag string

const (
	CaseTagTrace   CaseTag = "trace"   // 溯源
	CaseTagBase    CaseTag = "base"    // 强基
	CaseTagConsult CaseTag = "consult" // 会诊
	CaseTagSpecial CaseTag = "special" // 处特
	CaseTagDuty    CaseTag = "duty"    // 确责
)

// CaseTags lists the methods with their labels, in canonical order.
var CaseTags = []Label{
	{string(CaseTagTrace), "溯源"}, {string(CaseTagBase), "强基"}, {string(CaseTagConsult), "会诊"}, {string(CaseTagSpecial), "处特"}, {string(CaseTagDuty), "确责"},
}

// Label returns the Chinese label of t.
func (t CaseTag) Label() string { return labelOf(CaseTags, t) }

// Valid reports whether t is a known method.
func (t CaseTag) Valid() bool { return hasCode(CaseTags, t) }

// AttendeeKind is who sits in a consultation (会诊).
type AttendeeKind string

const (
	AttendeePetitioner AttendeeKind = "petitioner" // 信访人
	AttendeeUnit       AttendeeKind = "unit"       // 单位
	AttendeeExpert     AttendeeKind = "expert"     // 专家
	AttendeeLawyer     AttendeeKind = "lawyer"     // 律师
)

// AttendeeKinds lists the kinds with their labels.
var AttendeeKinds = []Label{
	{string(AttendeePetitioner), "信访人"}, {string(AttendeeUnit), "单位"}, {string(AttendeeExpert), "专家"}, {string(AttendeeLawyer), "律师"},
}

// Label returns the Chinese label of k.
func (k AttendeeKind) Label() string { return labelOf(AttendeeKinds, k) }

// Valid reports whether k is a known kind.
func (k AttendeeKind) Valid() bool { return hasCode(AttendeeKinds, k) }

// Solution says how the problem of a case ended: solved, or lawfully
// terminated (依法终结) when the claim has no basis.
type Solution string

const (
	SolutionSolved     Solution = "solved"     // 问题已解决
	SolutionTerminated Solution = "terminated" // 依法终结
)

// Solutions lists the solutions with their labels.
var Solutions = []Label{{string(SolutionSolved), "问题已解决"}, {string(SolutionTerminated), "依法终结"}}

// Label returns the Chinese label of s.
func (s Solution) Label() string { return labelOf(Solutions, s) }

// Valid reports whether s is a known solution.
func (s Solution) Valid() bool { return hasCode(Solutions, s) }

// CaseMember is one member of the 工作专班: a staff user or a person named
// by text (an expert, a village cadre without an account).
type CaseMember struct {
	ID     int64  `json:"id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
	Name   string `json:"name"`
	Role   string `json:"role"` // role in the team: 组长, 成员, 法律顾问 …
}

// PlanStep is one step of the 化解方案.
type PlanStep struct {
	ID       int64         `json:"id"`
	Content  string        `json:"content"`
	OwnerID  int64         `json:"owner_id,omitempty"` // a user, or
	Owner    string        `json:"owner"`              // the owner's name (always set for display)
	Deadline calendar.Date `json:"deadline"`
	DoneOn   calendar.Date `json:"done_on,omitzero"`
	Evidence string        `json:"evidence,omitempty"` // what shows it is done
}

// Late reports whether the step is past its deadline and not done.
func (s *PlanStep) Late(today calendar.Date) bool {
	return s.DoneOn.IsZero() && !s.Deadline.IsZero() && s.Deadline.Before(today)
}

// Attendee is one participant of a consultation.
type Attendee struct {
	Kind AttendeeKind `json:"kind"`
	Name string       `json:"name"`
}

// Consultation is a 会诊 meeting.
type Consultation struct {
	ID        int64         `json:"id"`
	Date      calendar.Date `json:"date"`
	Attendees []Attendee    `json:"attendees"`
	Findings  string        `json:"findings"`
	Decisions string        `json:"decisions"`
}

// ProgressReport is a 进展报告.
type ProgressReport struct {
	ID         int64         `json:"id"`
	Date       calendar.Date `json:"date"`
	AuthorID   int64         `json:"author_id"`
	AuthorName string        `json:"author_name"`
	Text       string        `json:"text"`
}

// FollowupVisit is the 回访 after the problem was dealt with.
type FollowupVisit struct {
	Date    calendar.Date `json:"date"`
	By      string        `json:"by"`
	How     string        `json:"how"`  // 当面、电话 …
	Mood    string        `json:"mood"` // the petitioner's state of mind
	Settled bool          `json:"settled"`
}

// Resolution is the record that verifies a case as resolved:
// "问题不查清不结案、问题不解决不销案".
type Resolution struct {
	Facts              string        `json:"facts"`         // 事实查清
	Solution           Solution      `json:"solution"`      // solved | terminated
	SolutionText       string        `json:"solution_text"` // how
	PetitionerPosition string        `json:"petitioner_position"`
	Followup           FollowupVisit `json:"followup"`
}

// SignOff is the 包案领导's signature on the resolution.
type SignOff struct {
	ByID   int64     `json:"by_id"`
	ByName string    `json:"by_name"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// CasePetition is a petition linked to a case, as far as the reader may
// see it.
type CasePetition struct {
	ID      int64  `json:"id"`
	Number  string `json:"number,omitempty"`
	Summary string `json:"summary,omitempty"`
	State   State  `json:"state,omitempty"`
	Hidden  bool   `json:"hidden,omitempty"` // outside the reader's scope
}

// Case is a backlog case (信访积案) under the "五包一" method: one subject
// (the petitioners), one 包案领导, one team, one plan, followed to the end.
type Case struct {
	ID      int64  `json:"id"`
	Number  string `json:"number"` // {unit code}-JA-{year}-{seq}
	Version int    `json:"version"`

	Title               string            `json:"title"`
	Source              CaseSource        `json:"source"`
	Summary             string            `json:"summary"`
	Petitioners         string            `json:"petitioners"` // the subject: names of the petitioners
	ResponsibleUnitID   int64             `json:"responsible_unit_id"`
	ResponsibleUnitName string            `json:"responsible_unit_name,omitempty"`
	LeaderID            int64             `json:"leader_id,omitempty"`
	LeaderName          string            `json:"leader_name,omitempty"`
	PetitionIDs         []int64           `json:"petition_ids"`
	Petitions           []*CasePetition   `json:"petitions,omitempty"`
	Team                []CaseMember      `json:"team"`
	Plan                []*PlanStep       `json:"plan"`
	StabilityPlan       string            `json:"stability_plan"` // 稳控方案
	Deadline            calendar.Date     `json:"deadline"`       // 化解时限
	Tags                []CaseTag         `json:"tags"`
	Consultations       []*Consultation   `json:"consultations"`
	Progress            []*ProgressReport `json:"progress"`
	Tasks               []*Task           `json:"tasks"`
	Instructions        []*Instruction    `json:"instructions"`
	State               CaseState         `json:"state"`
	Resolution          Resolution        `json:"resolution"`
	SignOff             *SignOff          `json:"sign_off,omitempty"`
	Overdue             bool              `json:"overdue"` // 化解时限 passed, not resolved
	Stats               CaseStats         `json:"stats"`

	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CaseStats count the plan and tasks of a case, for ledgers.
type CaseStats struct {
	Steps     int `json:"steps"`
	StepsDone int `json:"steps_done"`
	StepsLate int `json:"steps_late"`
	OpenTasks int `json:"open_tasks"`
}

// CaseEvent is one entry of a case's history (append-only): who did what
// when, with the data in plain words.
type CaseEvent struct {
	ID        int64             `json:"id"`
	CaseID    int64             `json:"case_id"`
	ActorID   int64             `json:"actor_id"`
	ActorName string            `json:"actor_name"`
	At        time.Time         `json:"at"`
	What      CaseEventKind     `json:"what"`
	Data      map[string]string `json:"data,omitempty"`
}

// CaseEventKind is the kind of an entry of a case's history. A state
// change is recorded under the code of its CaseAction.
type CaseEventKind string

const (
	CaseEventCreate       CaseEventKind = "create"       // 立案
	CaseEventUpdate       CaseEventKind = "update"       // 修改案件信息
	CaseEventTeam         CaseEventKind = "team"         // 调整工作专班
	CaseEventStepAdd      CaseEventKind = "step_add"     // 新增方案步骤
	CaseEventStepEdit     CaseEventKind = "step_edit"    // 更新方案步骤
	CaseEventConsultation CaseEventKind = "consultation" // 会诊
	CaseEventProgress     CaseEventKind = "progress"     // 进展报告
	CaseEventTaskAdd      CaseEventKind = "task_add"     // 拆分任务
	CaseEventTaskEdit     CaseEventKind = "task_edit"    // 更新任务
	CaseEventResolution   CaseEventKind = "resolution"   // 记录化解情况
	CaseEventSignOff      CaseEventKind = "sign_off"     // 包案领导签字
	CaseEventStart        CaseEventKind = "start"        // 开始化解 (CaseActStart)
	CaseEventResolve      CaseEventKind = "resolve"      // 认定已化解 (CaseActResolve)
	CaseEventClose        CaseEventKind = "close"        // 销号 (CaseActClose)
	CaseEventReopen       CaseEventKind = "reopen"       // 退回化解中 (CaseActReopen)
	CaseEventInstruction  CaseEventKind = "instruction"  // 领导批示
	CaseEventImport       CaseEventKind = "import"       // 导入 (from the bureau's earlier ledger)
)

// CaseEventKinds label the entries of a case's history.
var CaseEventKinds = []Label{
	{string(CaseEventCreate), "立案"}, {string(CaseEventUpdate), "修改案件信息"}, {string(CaseEventTeam), "调整工作专班"},
	{string(CaseEventStepAdd), "新增方案步骤"}, {string(CaseEventStepEdit), "更新方案步骤"}, {string(CaseEventConsultation), "会诊"},
	{string(CaseEventProgress), "进展报告"}, {string(CaseEventTaskAdd), "拆分任务"}, {string(CaseEventTaskEdit), "更新任务"},
	{string(CaseEventResolution), "记录化解情况"}, {string(CaseEventSignOff), "包案领导签字"}, {string(CaseEventStart), "开始化解"},
	{string(CaseEventResolve), "认定已化解"}, {string(CaseEventClose), "销号"}, {string(CaseEventReopen), "退回化解中"},
	{string(CaseEventInstruction), "领导批示"}, {string(CaseEventImport), "导入"},
}

// Label returns the Chinese label of k.
func (k CaseEventKind) Label() string { return labelOf(CaseEventKinds, k) }

// Label returns the Chinese label of the event.
func (e *CaseEvent) Label() string { return e.What.Label() }

// IsOverdue reports whether the 化解时限 passed before today and the case
// is neither 已化解 nor 销号.
func (c *Case) IsOverdue(today calendar.Date) bool {
	return !c.State.Done() && !c.Deadline.IsZero() && c.Deadline.Before(today)
}

// HasTag reports whether the case carries the tag with this code. It
// takes the code as a string, as the pages hand it from CaseTags.
func (c *Case) HasTag(code string) bool { return slices.Contains(c.Tags, CaseTag(code)) }

// TagLabels returns the labels of the case's tags.
func (c *Case) TagLabels() string {
	out := make([]string, 0, len(c.Tags))
	for _, t := range c.Tags {
		out = append(out, t.Label())
	}
	return strings.Join(out, "、")
}

// Involves reports whether user id is the leader, a team member or the
// owner of a plan step or task: the people responsible for the case.
func (c *Case) Involves(id int64) bool {
	if id == 0 {
		return false
	}
	if c.LeaderID == id {
		return true
	}
	for _, m := range c.Team {
		if m.UserID == id {
			return true
		}
	}
	for _, s := range c.Plan {
		if s.OwnerID == id {
			return true
		}
	}
	for _, t := range c.Tasks {
		if t.OwnerUserID == id {
			return true
		}
	}
	return false
}

// Validate checks the fields of a case a user edits (not its records);
// today bounds the 化解时限 (checkDueDate). It normalises whitespace and
// tags in place.
func (c *Case) Validate(today calendar.Date) error {
	p := Problems{}
	checkLine(p, "title", &c.Title, MaxLine)
	checkText(p, "summary", &c.Summary, MaxText)
	checkLine(p, "petitioners", &c.Petitioners, MaxNote)
	checkText(p, "stability_plan", &c.StabilityPlan, MaxText)
	checkDueDate(p, "deadline", c.Deadline, today)
	checkCount(p, "petition_ids", len(c.PetitionIDs), MaxItems)
	checkCount(p, "tags", len(c.Tags), 2*len(CaseTags))
	if c.Title == "" {
		p.Add("title", "请填写案件名称")
	}
	if !c.Source.Valid() {
		p.Add("source", "请选择积案来源（中央交办、省交办、市排查、自行梳理、重复信访）")
	}
	if c.ResponsibleUnitID <= 0 {
		p.Add("responsible_unit_id", "请选择责任单位")
	}
	if c.Petitioners == "" {
		p.Add("petitioners", "请填写信访人（包案对象）")
	}
	seen := map[CaseTag]bool{}
	for _, t := range c.Tags {
		t = CaseTag(strings.TrimSpace(string(t)))
		if t == "" || seen[t] {
			continue
		}
		if !t.Valid() {
			p.Add("tags", "未知的化解方法："+string(t)+"（应为溯源、强基、会诊、处特、确责）")
			continue
		}
		seen[t] = true
	}
	// Keep the tags in their canonical order.
	c.Tags = c.Tags[:0:0]
	for _, l := range CaseTags {
		if t := CaseTag(l.Code); seen[t] {
			c.Tags = append(c.Tags, t)
		}
	}
	return p.Err()
}

// Validate checks a plan step; today bounds its dates.
func (s *PlanStep) Validate(today calendar.Date) error {
	p := Problems{}
	checkText(p, "content", &s.Content, MaxNote)
	checkLine(p, "owner", &s.Owner, MaxName)
	checkText(p, "evidence", &s.Evidence, MaxNote)
	checkDueDate(p, "deadline", s.Deadline, today)
	checkPastDate(p, "done_on", s.DoneOn, today)
	if s.Content == "" {
		p.Add("content", "请填写方案步骤内容")
	}
	if s.OwnerID == 0 && s.Owner == "" {
		p.Add("owner", "请指定责任人")
	}
	if s.Deadline.IsZero() {
		p.Add("deadline", "请填写完成时限")
	}
	if !s.DoneOn.IsZero() && s.Evidence == "" {
		p.Add("evidence", "已完成的步骤须写明佐证材料")
	}
	return p.Err()
}

// ValidateTeam checks a whole 工作专班 as it is saved: at most MaxPeople
// members, each valid (team.0.name …).
func ValidateTeam(team []CaseMember, p Problems) {
	checkCount(p, "team", len(team), MaxPeople)
	for i := range team {
		team[i].Validate("team."+itoa(i)+".", p)
	}
}

// Validate checks a team member.
func (m *CaseMember) Validate(prefix string, p Problems) {
	checkLine(p, prefix+"name", &m.Name, MaxName)
	checkLine(p, prefix+"role", &m.Role, MaxName)
	if m.UserID == 0 && m.Name == "" {
		p.Add(prefix+"name", "请选择人员或填写姓名")
	}
	if m.Role == "" {
		p.Add(prefix+"role", "请填写在专班中的职责")
	}
}

// Validate checks a consultation; today bounds its date.
func (c *Consultation) Validate(today calendar.Date) error {
	p := Problems{}
	checkText(p, "findings", &c.Findings, MaxText)
	checkText(p, "decisions", &c.Decisions, MaxText)
	if c.Date.IsZero() {
		p.Add("date", "请填写会诊日期")
	}
	checkPastDate(p, "date", c.Date, today)
	checkCount(p, "attendees", len(c.Attendees), MaxPeople)
	att := c.Attendees[:0:0]
	for _, a := range c.Attendees {
		checkLine(p, "attendees", &a.Name, MaxName)
		if a.Name == "" {
			continue
		}
		if !a.Kind.Valid() {
			p.Add("attendees", "参加人类别须为信访人、单位、专家或律师")
		}
		att = append(att, a)
	}
	c.Attendees = att
	if len(c.Attendees) == 0 {
		p.Add("attendees", "请填写参加人")
	}
	if c.Findings == "" {
		p.Add("findings", "请填写会诊意见（查明的情况）")
	}
	if c.Decisions == "" {
		p.Add("decisions", "请填写会诊决定")
	}
	return p.Err()
}

// Validate checks a progress report; today bounds its date.
func (r *ProgressReport) Validate(today calendar.Date) error {
	p := Problems{}
	checkText(p, "text", &r.Text, MaxText)
	checkPastDate(p, "date", r.Date, today)
	if r.Text == "" {
		p.Add("text", "请填写进展情况")
	}
	return p.Err()
}

// Validate checks the resolution record for what it contains; what is
// missing is the business of the closure rules (ResolveProblems). today
// bounds the date of the follow-up visit.
func (r *Resolution) Validate(today calendar.Date) error {
	p := Problems{}
	checkText(p, "facts", &r.Facts, MaxText)
	checkText(p, "solution_text", &r.SolutionText, MaxText)
	checkText(p, "petitioner_position", &r.PetitionerPosition, MaxNote)
	f := &r.Followup
	checkLine(p, "followup.by", &f.By, MaxName)
	checkLine(p, "followup.how", &f.How, MaxName)
	checkText(p, "followup.mood", &f.Mood, MaxNote)
	checkPastDate(p, "followup.date", f.Date, today)
	if r.Solution != "" && !r.Solution.Valid() {
		p.Add("solution", "解决方式须为问题已解决或依法终结")
	}
	if r.Solution != "" && r.SolutionText == "" {
		p.Add("solution_text", "请写明解决或依法终结的情况")
	}
	return p.Err()
}

// Requirement is one record the closure rule asks for before a case may
// move to a state. Field names the record in errors; Message says, in
// Chinese, what is missing.
type Requirement struct {
	Field   string
	Message string
	Met     func(c *Case) bool
}

// ResolveRequirements are what 已化解 needs: "问题不查清不结案". Each missing
// one refuses the step with its own message. The order is the order the
// messages are shown in.
var ResolveRequirements = []Requirement{
	{"resolution.facts", "未记录查清的事实：问题不查清不结案", func(c *Case) bool { return c.Resolution.Facts != "" }},
	{"resolution.solution", "未记录问题已解决或已依法终结的情况：问题不解决不销案", func(c *Case) bool {
		return c.Resolution.Solution.Valid() && c.Resolution.SolutionText != ""
	}},
	{"resolution.petitioner_position", "未记录信访人对处理结果的意见（态度）", func(c *Case) bool { return c.Resolution.PetitionerPosition != "" }},
	{"resolution.followup", "未记录回访（回访日期、回访人、回访方式）", func(c *Case) bool {
		f := c.Resolution.Followup
		return !f.Date.IsZero() && f.By != "" && f.How != ""
	}},
	{"tasks", "尚有未办结的三跨三分离任务：每项任务须办结或写明理由解除，整体方可化解", func(c *Case) bool {
		for _, t := range c.Tasks {
			if t.Open() {
				return false
			}
		}
		return true
	}},
}

// CloseRequirements are what 销号 needs beyond 已化解.
var CloseRequirements = []Requirement{
	{"state", "案件尚未认定为已化解，不能销号", func(c *Case) bool { return c.State == CaseResolved }},
	{"sign_off", "未经包案领导签字确认：须由本案包案领导审核签字后方可销号", func(c *Case) bool { return c.SignOff != nil }},
}

// unmet returns the requirements of list that c does not meet.
func unmet(c *Case, list []Requirement) Problems {
	p := Problems{}
	for _, r := range list {
		if !r.Met(c) {
			p.Add(r.Field, r.Message)
		}
	}
	return p
}

// CaseAction is a transition of a backlog case a user may ask for.
type CaseAction string

const (
	CaseActStart   CaseAction = "start"   // 开始化解
	CaseActResolve CaseAction = "resolve" // 认定已化解
	CaseActClose   CaseAction = "close"   // 销号
	CaseActReopen  CaseAction = "reopen"  // 退回化解中
)

// CaseActions lists the transitions with their labels.
var CaseActions = []Label{
	{string(CaseActStart), "开始化解"}, {string(CaseActResolve), "认定已化解"}, {string(CaseActClose), "销号"}, {string(CaseActReopen), "退回化解中"},
}

// Label returns the Chinese label of a.
func (a CaseAction) Label() string { return labelOf(CaseActions, a) }

// Valid reports whether a is a known transition.
func (a CaseAction) Valid() bool { return hasCode(CaseActions, a) }

// caseTransitions: action → (from states, to state).
var caseTransitions = map[CaseAction]struct {
	from []CaseState
	to   CaseState
}{
	CaseActStart:   {[]CaseState{CaseUnresolved}, CaseResolving},
	CaseActResolve: {[]CaseState{CaseUnresolved, CaseResolving}, CaseResolved},
	CaseActClose:   {[]CaseState{CaseUnresolved, CaseResolving, CaseResolved}, CaseClosed},
	CaseActReopen:  {[]CaseState{CaseResolved}, CaseResolving},
}

// CheckTransition is the closure rule as a pure function: it returns the
// state action leads c to, or the error that refuses it. A missing record
// is EINVALID with one field per record, each with its own message; a
// state from which the action cannot be taken is ECONFLICT.
//
// 销号 asked for before 已化解 names every record still missing for 已化解
// as well, so that the user sees the whole list at once.
func CheckTransition(c *Case, action CaseAction) (CaseState, error) {
	t, ok := caseTransitions[action]
	if !ok {
		return "", Errorf(ENOTFOUND, "未知的积案操作")
	}
	allowed := false
	for _, s := range t.from {
		allowed = allowed || s == c.State
	}
	if !allowed {
		return "", &Error{Code: ECONFLICT, Message: "案件当前为「" + c.State.Label() + "」，不能" + action.Label(),
			Fields: map[string]string{"action": "当前状态不允许此操作"}}
	}
	var p Problems
	switch action {
	case CaseActResolve:
		p = unmet(c, ResolveRequirements)
	case CaseActClose:
		p = Problems{}
		if c.State != CaseResolved {
			for k, v := range unmet(c, ResolveRequirements) {
				p.Add(k, v)
			}
		}
		for k, v := range unmet(c, CloseRequirements) {
			p.Add(k, v)
		}
	}
	if len(p) > 0 {
		err := p.Err().(*Error)
		err.Message = "不能" + action.Label() + "：" + joinMessages(p)
		return "", err
	}
	return t.to, nil
}

// CheckSignOff says whether actor may sign off c: only the case's own
// 包案领导, and only a case verified as 已化解.
func CheckSignOff(c *Case, actor *User) error {
	if actor == nil || c.LeaderID == 0 || actor.ID != c.LeaderID {
		return &Error{Code: EFORBIDDEN, Message: "只有本案的包案领导可以签字确认销号", Fields: map[string]string{"sign_off": "须由本案包案领导签字"}}
	}
	if c.State != CaseResolved {
		return &Error{Code: ECONFLICT, Message: "案件认定为已化解后，包案领导方可签字确认", Fields: map[string]string{"state": "尚未认定为已化解"}}
	}
	return nil
}

// joinMessages lists the messages of p in the order of the requirement
// tables, so that the page reads in the order of the rule.
func joinMessages(p Problems) string {
	var out []string
	for _, list := range [][]Requirement{ResolveRequirements, CloseRequirements} {
		for _, r := range list {
			if m, ok := p[r.Field]; ok {
				out = append(out, m)
			}
		}
	}
	return strings.Join(out, "；")
}

// CaseFilter selects cases for the ledger and its export.
type CaseFilter struct {
	LeaderID int64       `json:"leader_id,omitempty"`
	UnitID   int64       `json:"unit_id,omitempty"` // responsible unit within this subtree
	Source   CaseSource  `json:"source,omitempty"`
	State    []CaseState `json:"state,omitempty"`
	Overdue  *bool       `json:"overdue,omitempty"`
	Text     string      `json:"q,omitempty"`
	Offset   int         `json:"offset,omitempty"`
	Limit    int         `json:"limit,omitempty"` // 1–500; -1 means all (exports)
	// Dated: filed (立案), resolved (认定已化解, still so) or struck off
	// (销号, still so) within the dates (inclusive), Shanghai days.
	Dated CaseDates `json:"dated,omitempty"`
}

// CaseDates filters cases by the days they were filed, resolved and struck
// off; a zero bound is open.
type CaseDates struct {
	OpenedFrom, OpenedTo     calendar.Date
	ResolvedFrom, ResolvedTo calendar.Date
	ClosedFrom, ClosedTo     calendar.Date
}

// CaseUpdate changes the fields of a case; nil leaves a field as it is.
type CaseUpdate struct {
	Title             *string        `json:"title,omitempty"`
	Source            *CaseSource    `json:"source,omitempty"`
	Summary           *string        `json:"summary,omitempty"`
	Petitioners       *string        `json:"petitioners,omitempty"`
	ResponsibleUnitID *int64         `json:"responsible_unit_id,omitempty"`
	LeaderID          *int64         `json:"leader_id,omitempty"`
	StabilityPlan     *string        `json:"stability_plan,omitempty"`
	Deadline          *calendar.Date `json:"deadline,omitempty"`
	Tags              *[]CaseTag     `json:"tags,omitempty"`
	PetitionIDs       *[]int64       `json:"petition_ids,omitempty"`
}

// Apply sets the given fields on c and names them.
func (u *CaseUpdate) Apply(c *Case) []string {
	var changed []string
	set := func(name string, dst *string, v *string) {
		if v != nil && *dst != *v {
			*dst = *v
			changed = append(changed, name)
		}
	}
	set("title", &c.Title, u.Title)
	if u.Source != nil && c.Source != *u.Source {
		c.Source = *u.Source
		changed = append(changed, "source")
	}
	set("summary", &c.Summary, u.Summary)
	set("petitioners", &c.Petitioners, u.Petitioners)
	set("stability_plan", &c.StabilityPlan, u.StabilityPlan)
	if u.Deadline != nil && c.Deadline != *u.Deadline {
		c.Deadline = *u.Deadline
		changed = append(changed, "deadline")
	}
	if u.ResponsibleUnitID != nil && *u.ResponsibleUnitID != c.ResponsibleUnitID {
		c.ResponsibleUnitID = *u.ResponsibleUnitID
		changed = append(changed, "responsible_unit_id")
	}
	if u.LeaderID != nil && *u.LeaderID != c.LeaderID {
		c.LeaderID = *u.LeaderID
		changed = append(changed, "leader_id")
	}
	if u.Tags != nil {
		c.Tags = append([]CaseTag(nil), (*u.Tags)...)
		changed = append(changed, "tags")
	}
	if u.PetitionIDs != nil {
		c.PetitionIDs = append([]int64(nil), (*u.PetitionIDs)...)
		changed = append(changed, "petition_ids")
	}
	return changed
}

// LeaderCase is one case of "我包的案": the case with its plan, what is
// late and what comes next.
type LeaderCase struct {
	Case *Case           `json:"case"`
	Late []LeaderItem    `json:"late"`
	Next []LeaderItem    `json:"next"`
	Open []*Task         `json:"open_tasks"`
	Last *ProgressReport `json:"last_progress,omitempty"`
}

// LeaderItem is a plan step or task of a leader's case with its deadline.
type LeaderItem struct {
	Kind     string        `json:"kind"` // step | task | case
	ID       int64         `json:"id"`
	Text     string        `json:"text"`
	Owner    string        `json:"owner"`
	Deadline calendar.Date `json:"deadline"`
}

// CaseUser is a user to choose as 包案领导, team member or owner.
type CaseUser struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	UnitName string `json:"unit_name"`
	Leader   bool   `json:"leader"`
}
