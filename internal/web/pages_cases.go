package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// The pages of backlog cases: the ledger (积案台账), filing a case from a
// petition, the case with all its records and forms, the printable
// 一案一表, "我包的案" for leaders, and the 三跨三分离 tasks and 批示 of a
// petition. Each form posts to its own route, the twin of the API route
// that makes the same change (case_changes.go).

// caseLabelSet carries the code lists of cases to the templates (the
// shared template functions are fixed before feature files load).
type caseLabelSet struct {
	States, Sources, Tags, TaskKinds, TaskStates, Solutions, AttendeeKinds []xinfang.Label
}

var caseLabels = &caseLabelSet{States: xinfang.CaseStates, Sources: xinfang.CaseSources, Tags: xinfang.CaseTags, TaskKinds: xinfang.TaskKinds,
	TaskStates: xinfang.TaskStates, Solutions: xinfang.Solutions, AttendeeKinds: xinfang.AttendeeKinds}

// Has reports whether list holds code (checkboxes of tags).
func (*caseLabelSet) Has(list []string, code string) bool {
	for _, x := range list {
		if x == code {
			return true
		}
	}
	return false
}

const casePageSize = 50

// caseFilterKeys are the ledger's query parameters, the same as the API's.
var caseFilterKeys = []string{"leader_id", "unit_id", "source", "state", "overdue", "q",
	"opened_from", "opened_to", "resolved_from", "resolved_to", "closed_from", "closed_to"}

type caseLedgerView struct {
	base
	L         *caseLabelSet
	Q         url.Values
	Units     []*xinfang.Unit
	Leaders   []xinfang.CaseUser
	Items     []*xinfang.Case
	Total     int
	Page      int
	Pages     int
	ExportURL string
	Today     calendar.Date
}

// PageURL returns the ledger URL of page n with the current filters.
func (v *caseLedgerView) PageURL(n int) string {
	return pageURL("/cases", v.Q, n)
}

func (s *Server) leaders(r *http.Request) ([]xinfang.CaseUser, []xinfang.CaseUser, error) {
	all, err := s.Cases.CaseUsers(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var leaders []xinfang.CaseUser
	for _, u := range all {
		if u.Leader {
			leaders = append(leaders, u)
		}
	}
	return all, leaders, nil
}

// handleCases is the 积案台账: the cases in the user's scope with the
// filters of the API, and the link that exports the same list to Excel.
func (s *Server) handleCases(w http.ResponseWriter, r *http.Request) error {
	v := &caseLedgerView{L: caseLabels, Q: url.Values{}, Page: 1, Today: s.today()}
	v.Title, v.Nav = "积案台账", "cases"
	s.fillBase(r, &v.base)
	for _, k := range caseFilterKeys {
		if val := strings.TrimSpace(r.URL.Query().Get(k)); val != "" {
			v.Q.Set(k, val)
		}
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	var err error
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	if _, v.Leaders, err = s.leaders(r); err != nil {
		return err
	}
	v.ExportURL = "/api/v1/cases.xlsx"
	if len(v.Q) > 0 {
		v.ExportURL += "?" + v.Q.Encode()
	}
	f, err := caseFilterFrom(v.Q, false)
	if err == nil {
		f.Limit, f.Offset = casePageSize, (v.Page-1)*casePageSize
		v.Items, v.Total, err = s.Cases.FindCases(r.Context(), f)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		v.Error, v.Fields = "查询条件有误："+formMessage(err), xinfang.ErrorFields(err)
	}
	v.Pages = (v.Total + casePageSize - 1) / casePageSize
	return s.render(w, r, http.StatusOK, "case_ledger.html", v)
}

type caseNewView struct {
	base
	L        *caseLabelSet
	F        url.Values
	Units    []*xinfang.Unit
	Leaders  []xinfang.CaseUser
	Petition *xinfang.Petition
}

// handleNewCase shows the form that files a case; ?petition=ID fills it
// from that petition (title, petitioner, responsible unit, the link).
func (s *Server) handleNewCase(w http.ResponseWriter, r *http.Request) error {
	v := &caseNewView{L: caseLabels, F: url.Values{"source": {string(xinfang.CaseSourceRepeat)}}}
	if pid, err := strconv.ParseInt(r.URL.Query().Get("petition"), 10, 64); err == nil && pid > 0 {
		p, err := s.Petitions.FindPetitionByID(r.Context(), pid)
		if err != nil {
			return err
		}
		v.Petition = p
		v.F.Set("title", p.Summary)
		v.F.Set("summary", p.Content)
		v.F.Set("petitions", p.Number)
		names := []string{}
		if p.Petitioner != nil && !p.Anonymous {
			names = append(names, p.Petitioner.Name)
		}
		for _, c := range p.CoPetitioners {
			names = append(names, c.Name)
		}
		v.F.Set("petitioners", strings.Join(names, "、"))
		unit := p.LocalityID
		if p.HandlingUnitID != 0 {
			unit = p.HandlingUnitID
		}
		v.F.Set("responsible_unit_id", strconv.FormatInt(unit, 10))
		if p.Repeat || p.RepeatCount > 0 {
			v.F.Set("source", string(xinfang.CaseSourceRepeat))
		}
	}
	return s.renderNewCase(w, r, http.StatusOK, v)
}

func (s *Server) renderNewCase(w http.ResponseWriter, r *http.Request, status int, v *caseNewView) error {
	v.Title, v.Nav = "积案立案", "cases"
	s.fillBase(r, &v.base)
	var err error
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	if _, v.Leaders, err = s.leaders(r); err != nil {
		return err
	}
	return s.render(w, r, status, "case_new.html", v)
}

// petitionRefs turns typed petition numbers or ids (separated by commas,
// spaces or 、) into ids the user may see.
func (s *Server) petitionRefs(r *http.Request, text, field string, p xinfang.Problems) []int64 {
	var ids []int64
	for _, ref := range strings.FieldsFunc(text, func(c rune) bool { return c == ',' || c == '，' || c == '、' || c == ' ' || c == '\n' || c == '\r' }) {
		id, err := s.petitionRef(r, ref)
		if err != nil {
			p.Add(field, "信访件 "+ref+" 不存在或无权查看")
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

func (s *Server) handleCreateCase(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	probs := xinfang.Problems{}
	c := &xinfang.Case{Title: f.Get("title"), Source: xinfang.CaseSource(f.Get("source")), Summary: f.Get("summary"), Petitioners: f.Get("petitioners"),
		ResponsibleUnitID: formID(f.Get("responsible_unit_id")), LeaderID: formID(f.Get("leader_id")), StabilityPlan: f.Get("stability_plan"),
		Deadline: formDate(f, "deadline", probs), Tags: formCodes[xinfang.CaseTag](f["tags"])}
	c.PetitionIDs = s.petitionRefs(r, f.Get("petitions"), "petitions", probs)
	if len(probs) > 0 {
		// Show every mistake at once, not the numbers first.
		for k, m := range xinfang.ErrorFields(c.Validate(s.today())) {
			probs.Add(k, m)
		}
		if c.LeaderID == 0 {
			probs.Add("leader_id", "请指定包案领导")
		}
	}
	err := probs.Err()
	if err == nil {
		err = s.Cases.CreateCase(r.Context(), c)
	}
	if err != nil {
		switch xinfang.ErrorCode(err) {
		case xinfang.EINVALID, xinfang.ECONFLICT:
		default:
			return err
		}
		v := &caseNewView{L: caseLabels, F: f}
		v.Error, v.Fields = "立案未完成："+formMessage(err), xinfang.ErrorFields(err)
		if v.Fields != nil && v.Fields["petition_ids"] != "" {
			v.Fields["petitions"] = v.Fields["petition_ids"]
		}
		return s.renderNewCase(w, r, statusOf(xinfang.ErrorCode(err)), v)
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10)+"?done=create", http.StatusSeeOther)
	return nil
}

// caseView is the page of one case.
type caseView struct {
	base
	L           *caseLabelSet
	C           *xinfang.Case
	Events      []*xinfang.CaseEvent
	Units       []*xinfang.Unit
	Users       []xinfang.CaseUser
	Leaders     []xinfang.CaseUser
	Today       calendar.Date
	Open        string     // the form shown open: the one that failed
	F           url.Values // its values
	IsLeader    bool       // the user is this case's 包案领导
	CanInstr    bool       // the user may write a 批示
	Actions     []xinfang.Label
	TaskTable   *taskTable
	TaskForm    *taskFormView
	Requires    []xinfang.Requirement
	CloseReqs   []xinfang.Requirement
	Attachments *attachmentsView
	// ReadOnly: a case struck off (销号) is a record; its page offers no form.
	ReadOnly   bool
	AllTasksOK bool
	// SeesSeats: the reader opens the experts and observers of a
	// consultation (the society registers are the staff's).
	SeesSeats bool
	// Screening is the screening report the case came from (市排查).
	Screening *xinfang.ScreeningReport
}

// taskTable is the list of 三跨三分离 tasks with their forms, on the case
// page and on the petition's task page.
type taskTable struct {
	Tasks         []*xinfang.Task
	Today         calendar.Date
	CSRF          string
	Action        string // the tasks route; a task's change form posts to Action/{task}
	Version       int    // the case's version; 0: each task's own
	Kinds, States []xinfang.Label
}

// taskFormView is the form that adds a task.
type taskFormView struct {
	V interface {
		FV(form, name, def string) string
	}
	Fields map[string]string
	Kinds  []xinfang.Label
	Units  []*xinfang.Unit
	Users  []xinfang.CaseUser
}

// PetitionNumbers lists the numbers of the linked petitions the user sees.
func (v *caseView) PetitionNumbers() string {
	var out []string
	for _, p := range v.C.Petitions {
		if !p.Hidden {
			out = append(out, p.Number)
		}
	}
	return strings.Join(out, ", ")
}

// caseDataLabels name the data of case events.
var caseDataLabels = map[string]string{
	"number": "编号", "title": "名称", "petitions": "关联信访件", "fields": "修改的字段", "deadline": "时限", "leader": "包案领导",
	"team": "专班", "content": "内容", "owner": "责任人", "done_on": "完成日期", "evidence": "佐证材料", "state": "状态", "step": "步骤",
	"date": "日期", "attendees": "参加人", "findings": "会诊意见", "decisions": "决定", "text": "内容", "task": "任务", "kind": "类别",
	"owner_unit": "责任单位", "owner_user": "责任人", "release_reason": "解除理由", "done_note": "办结情况", "facts": "查清的事实",
	"solution": "解决方式", "solution_text": "解决情况", "petitioner_position": "信访人意见", "followup_date": "回访日期",
	"followup_by": "回访人", "followup_how": "回访方式", "followup_mood": "思想状况", "followup_settled": "息诉罢访", "by": "签字/批示人",
	"note": "意见", "from": "原状态", "to": "新状态",
}

// DataLabel names one datum of a case event.
// Internal reports whether an event's data key is an internal id (of a
// step or a task), which the history does not show: the step's or task's
// content is in the same event.
func (v *caseView) Internal(k string) bool { return k == "step" || k == "task" }

// SolutionLabel names a resolution's way of solving.
func (v *caseView) SolutionLabel(code xinfang.Solution) string {
	return xinfang.LabelOf(v.L.Solutions, string(code))
}

func (v *caseView) DataLabel(k string) string {
	if l, ok := caseDataLabels[k]; ok {
		return l
	}
	return k
}

// caseReqLabels name the records of the closure rule in the checklist.
var caseReqLabels = map[string]string{
	"resolution.facts": "事实查清", "resolution.solution": "问题解决或依法终结", "resolution.petitioner_position": "信访人意见",
	"resolution.followup": "回访记录", "tasks": "三跨三分离任务全部办结或解除", "state": "认定为已化解", "sign_off": "包案领导签字",
}

// ReqLabel names a requirement of the closure rule.
func (v *caseView) ReqLabel(field string) string { return caseReqLabels[field] }

// Met reports whether the case meets a requirement, for the checklist.
func (v *caseView) Met(r xinfang.Requirement) bool { return r.Met(v.C) }

// FE returns the message for a field of form when that form failed.
func (v *caseView) FE(form, name string) string {
	if v.Open != form {
		return ""
	}
	return v.Fields[name]
}

// FV returns the value of a field of form when that form failed, or def.
func (v *caseView) FV(form, name, def string) string {
	if v.F != nil && v.Open == form {
		if _, ok := v.F[name]; ok {
			return v.F.Get(name)
		}
	}
	return def
}

// caseDone are the notices after a form succeeded.
var caseDone = map[string]string{
	"create": "已立案", "fields": "已保存案件信息", "member": "已调整工作专班", "remove_member": "已调整工作专班", "step": "已新增方案步骤",
	"step_done": "已更新方案步骤", "consultation": "已记录会诊", "progress": "已记录进展", "task": "已拆分任务", "task_change": "已更新任务",
	"resolution": "已记录化解情况", "sign_off": "包案领导已签字", "start": "已开始化解", "resolve": "已认定为已化解", "close": "已销号",
	"reopen": "已退回化解中", "instruction": "已批示",
}

var caseFormLabels = map[string]string{
	"fields": "修改案件信息", "member": "调整工作专班", "remove_member": "调整工作专班", "step": "新增方案步骤", "step_done": "更新方案步骤",
	"consultation": "记录会诊", "progress": "进展报告", "task": "拆分任务", "task_change": "更新任务", "resolution": "记录化解情况",
	"sign_off": "包案领导签字", "start": "开始化解", "resolve": "认定已化解", "close": "销号", "reopen": "退回化解中", "instruction": "领导批示",
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "积案不存在或无权查看")
	if err != nil {
		return err
	}
	v, err := s.casePage(r, id)
	if err != nil {
		return err
	}
	if msg, ok := caseDone[r.URL.Query().Get("done")]; ok {
		v.Notice = msg
	}
	return s.render(w, r, http.StatusOK, "case_detail.html", v)
}

func (s *Server) casePage(r *http.Request, id int64) (*caseView, error) {
	ctx := r.Context()
	u := xinfang.UserFromContext(ctx)
	c, err := s.Cases.FindCaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	events, err := s.Cases.FindCaseEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	units, _, err := s.units(r)
	if err != nil {
		return nil, err
	}
	users, leaders, err := s.leaders(r)
	if err != nil {
		return nil, err
	}
	v := &caseView{L: caseLabels, C: c, Events: events, Units: units, Users: users, Leaders: leaders, Today: s.today(),
		IsLeader: u.ID == c.LeaderID, CanInstr: xinfang.CanWriteInstructions(u), SeesSeats: xinfang.CanReadSociety(u), Requires: xinfang.ResolveRequirements, CloseReqs: xinfang.CloseRequirements,
		ReadOnly: c.State == xinfang.CaseClosed}
	v.TaskTable = &taskTable{Tasks: c.Tasks, Today: v.Today, CSRF: "", Action: "/cases/" + strconv.FormatInt(id, 10) + "/tasks",
		Version: c.Version, Kinds: xinfang.TaskKinds, States: xinfang.TaskStates}
	v.TaskForm = &taskFormView{V: v, Kinds: xinfang.TaskKinds, Units: units, Users: users}
	// Newest first, as a history is read.
	sort.SliceStable(v.Events, func(i, j int) bool { return v.Events[i].ID > v.Events[j].ID })
	for _, a := range xinfang.CaseActions {
		if _, err := xinfang.CheckTransition(c, xinfang.CaseAction(a.Code)); xinfang.ErrorCode(err) != xinfang.ECONFLICT && xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			// Offered when the state allows it, even with records missing:
			// the refusal names them.
			v.Actions = append(v.Actions, a)
		}
	}
	if v.Screening, _, err = s.screeningOf(ctx, id, true); err != nil {
		return nil, err
	}
	v.Title, v.Nav = "积案 "+c.Number, "cases"
	s.fillBase(r, &v.base)
	v.TaskTable.CSRF = v.CSRF
	var parts []partOption
	for i, st := range c.Plan {
		parts = append(parts, partOption{partValue(xinfang.PartStep, st.ID), fmt.Sprintf("方案步骤 %d：%s", i+1, cutText(st.Content, 24, "…"))})
	}
	for _, k := range c.Consultations {
		parts = append(parts, partOption{partValue(xinfang.PartConsultation, k.ID), "会商记录 " + k.Date.String()})
	}
	parts = append(parts, s.supervisionParts(r.Context(), xinfang.SupervisionFilter{CaseID: id})...)
	if v.Attachments, err = s.attachmentsOf(r, xinfang.AttachCase, id, "/cases", xinfang.CanWorkOnCase(u, c) && !v.ReadOnly, v.CSRF, parts...); err != nil {
		return nil, err
	}
	return v, nil
}

// caseFormAnchors are where the page goes back to after a form.
var caseFormAnchors = map[string]string{"step": "plan", "step_done": "plan", "member": "team", "remove_member": "team", "consultation": "consultations",
	"progress": "progress", "task": "tasks", "task_change": "tasks", "resolution": "resolution", "instruction": "instructions"}

// caseFormDone ends a form of the case page: back to the page with its
// notice (303) when err is nil; the page again, with the form open and
// its messages, on bad input, a conflict or a refusal.
func (s *Server) caseFormDone(w http.ResponseWriter, r *http.Request, id int64, form string, err error) error {
	if err == nil {
		anchor := caseFormAnchors[form]
		if anchor == "" {
			anchor = "state"
		}
		http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10)+"?done="+form+"#"+anchor, http.StatusSeeOther)
		return nil
	}
	if !formError(err) {
		return err
	}
	v, perr := s.casePage(r, id)
	if perr != nil {
		return perr
	}
	label := caseFormLabels[form]
	v.Open, v.F = form, r.PostForm
	v.Error, v.Fields = "「"+label+"」未完成："+formMessage(err), xinfang.ErrorFields(err)
	if xinfang.CaseAction(form).Valid() {
		// The closure rule's own message lists the missing records in the
		// order of the rule.
		v.Error = "「" + label + "」未完成：" + xinfang.ErrorMessage(err)
	}
	if form == "task" {
		v.TaskForm.Fields = v.Fields
	}
	return s.render(w, r, statusOf(xinfang.ErrorCode(err)), "case_detail.html", v)
}

// handleCaseInstruction writes a 批示 on the case (领导批示).
func (s *Server) handleCaseInstruction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "积案不存在或无权查看")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	_, err = s.addInstruction(r, apiInstructionInput{Text: r.PostForm.Get("text")}, id, 0)
	return s.caseFormDone(w, r, id, "instruction", err)
}

// caseDocView is the printable 一案一表.
type caseDocView struct {
	base
	L        *caseLabelSet
	C        *xinfang.Case
	PageBack string
	Printed  string
	// More counts the records the sheet leaves out to stay on one A4
	// sheet (the oldest progress reports, consultations and
	// instructions); the sheet says how many and where they are.
	More map[string]int
}

// Limits of the 一案一表, so that it fits one A4 sheet: the latest records
// of each list and the first characters of each long text.
const (
	sheetRecords = 3
	sheetText    = 240
)

// sheetCase is the case as its one-sheet 一案一表 shows it.
func sheetCase(c *xinfang.Case) (*xinfang.Case, map[string]int) {
	cc := *c
	more := map[string]int{}
	if n := len(c.Progress) - sheetRecords; n > 0 {
		cc.Progress, more["progress"] = c.Progress[n:], n
	}
	if n := len(c.Consultations) - 2; n > 0 {
		cc.Consultations, more["consultations"] = c.Consultations[n:], n
	}
	if n := len(c.Instructions) - sheetRecords; n > 0 {
		cc.Instructions, more["instructions"] = c.Instructions[n:], n
	}
	if n := len(c.Plan) - 6; n > 0 {
		cc.Plan, more["plan"] = c.Plan[:6], n
	}
	if n := len(c.Tasks) - 4; n > 0 {
		cc.Tasks, more["tasks"] = c.Tasks[:4], n
	}
	cc.Summary = clip(c.Summary, sheetText)
	cc.StabilityPlan = clip(c.StabilityPlan, sheetText/2)
	cc.Resolution.Facts = clip(c.Resolution.Facts, sheetText)
	return &cc, more
}

// clip cuts text to n characters, saying where the rest is.
func clip(text string, n int) string { return cutText(text, n, "……（全文见积案页面）") }

// handleCasePrint renders the 一案一表 of a case as an A4 page.
func (s *Server) handleCasePrint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "积案不存在或无权查看")
	if err != nil {
		return err
	}
	c, err := s.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	sheet, more := sheetCase(c)
	v := &caseDocView{L: caseLabels, C: sheet, More: more, PageBack: "/cases/" + strconv.FormatInt(id, 10), Printed: s.today().String()}
	v.Title = "一案一表 " + c.Number
	s.fillBase(r, &v.base)
	// The sheet has its own frame (caselayout): the toolbar goes back to
	// the case, not to a petition.
	return s.renderEntry(w, http.StatusOK, "case_print.html", "caselayout", v)
}

type myCasesView struct {
	base
	L     *caseLabelSet
	Items []*xinfang.LeaderCase
	Today calendar.Date
	// The summary over all the leader's cases, whatever the filter: by
	// state, overdue, and those waiting for the leader's signature.
	All, Overdue, ToSign int
	ByState              map[xinfang.CaseState]int
	// The filter: State is a state's code, "" for every case not struck
	// off (the default), or "all"; OnlyOverdue keeps the overdue ones.
	State       string
	OnlyOverdue bool
}

// handleMyCases is 我包的案: the cases the leader leads, with what is late
// and what comes next.
func (s *Server) handleMyCases(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Cases.LeaderCases(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := &myCasesView{L: caseLabels, Today: s.today(), ByState: map[xinfang.CaseState]int{}, State: q.Get("state"), OnlyOverdue: q.Get("overdue") == "1"}
	if v.State != "" && v.State != "all" && xinfang.LabelOf(xinfang.CaseStates, v.State) == v.State {
		return xinfang.FieldError("state", "未知的积案状态")
	}
	for _, it := range items {
		c := it.Case
		v.All++
		v.ByState[c.State]++
		if c.Overdue {
			v.Overdue++
		}
		if c.State == xinfang.CaseResolved && c.SignOff == nil {
			v.ToSign++
		}
		switch {
		case v.State == "" && c.State == xinfang.CaseClosed,
			v.State != "" && v.State != "all" && string(c.State) != v.State,
			v.OnlyOverdue && !c.Overdue:
			continue
		}
		v.Items = append(v.Items, it)
	}
	v.Title, v.Nav = "我包的案", "mycases"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "case_mine.html", v)
}

// petitionTasksView is the 三跨三分离 and 批示 page of a petition.
type petitionTasksView struct {
	base
	L            *caseLabelSet
	P            *xinfang.Petition
	Tasks        []*xinfang.Task
	Instructions []*xinfang.Instruction
	Units        []*xinfang.Unit
	Users        []xinfang.CaseUser
	CanInstr     bool
	Open         string
	F            url.Values
	Today        calendar.Date
	TaskTable    *taskTable
	TaskForm     *taskFormView
}

// FV returns the value of a field of form when that form failed, or def.
func (v *petitionTasksView) FV(form, name, def string) string {
	if v.F != nil && v.Open == form {
		if _, ok := v.F[name]; ok {
			return v.F.Get(name)
		}
	}
	return def
}

func (s *Server) petitionTasksPage(r *http.Request, id int64) (*petitionTasksView, error) {
	ctx := r.Context()
	p, err := s.Petitions.FindPetitionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	tasks, err := s.Cases.FindPetitionTasks(ctx, id)
	if err != nil {
		return nil, err
	}
	ins, err := s.Cases.FindPetitionInstructions(ctx, id)
	if err != nil {
		return nil, err
	}
	units, _, err := s.units(r)
	if err != nil {
		return nil, err
	}
	users, _, err := s.leaders(r)
	if err != nil {
		return nil, err
	}
	v := &petitionTasksView{L: caseLabels, P: p, Tasks: tasks, Instructions: ins, Units: units, Users: users, Today: s.today(),
		CanInstr: xinfang.CanWriteInstructions(xinfang.UserFromContext(ctx))}
	v.Title, v.Nav = "三跨三分离与批示 "+p.Number, "ledger"
	s.fillBase(r, &v.base)
	v.TaskTable = &taskTable{Tasks: tasks, Today: v.Today, CSRF: v.CSRF, Action: "/petitions/" + strconv.FormatInt(id, 10) + "/tasks",
		Kinds: xinfang.TaskKinds, States: xinfang.TaskStates}
	v.TaskForm = &taskFormView{V: v, Kinds: xinfang.TaskKinds, Units: units, Users: users}
	return v, nil
}

func (s *Server) handlePetitionTasks(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	v, err := s.petitionTasksPage(r, id)
	if err != nil {
		return err
	}
	if msg, ok := caseDone[r.URL.Query().Get("done")]; ok {
		v.Notice = msg
	}
	return s.render(w, r, http.StatusOK, "case_petition_tasks.html", v)
}

// petitionTaskForm serves a form of the petition's task page, posted to
// the page twin of the API route: change makes the change on petition id
// from r.PostForm.
func petitionTaskForm(form string, change func(s *Server, r *http.Request, id int64) error) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := petitionPathID(r)
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		return s.petitionTaskFormDone(w, r, id, form, change(s, r, id))
	}
}

// addPetitionTask splits a task off the petition, as POST
// /api/v1/petitions/{id}/tasks.
func addPetitionTask(s *Server, r *http.Request, id int64) error {
	var in taskInput
	if err := in.readForm(s, r, r.PostForm); err != nil {
		return err
	}
	return s.Cases.AddPetitionTask(r.Context(), id, in.task())
}

// changePetitionTask concludes or releases task {task} of the petition,
// as PUT /api/v1/petitions/{id}/tasks/{task}.
func changePetitionTask(s *Server, r *http.Request, id int64) error {
	tid, err := pathID(r, "task")
	if err != nil {
		return err
	}
	var in taskChange
	if err = in.readForm(s, r, r.PostForm); err == nil {
		err = in.check()
	}
	if err == nil {
		_, err = s.Cases.ChangePetitionTask(r.Context(), id, tid, in.Version, in.TaskChange)
	}
	return err
}

// addPetitionInstruction writes a 批示 on the petition.
func addPetitionInstruction(s *Server, r *http.Request, id int64) error {
	_, err := s.addInstruction(r, apiInstructionInput{Text: r.PostForm.Get("text")}, 0, id)
	return err
}

// petitionTaskFormDone ends a form of the petition's task page, as
// caseFormDone does on the case page.
func (s *Server) petitionTaskFormDone(w http.ResponseWriter, r *http.Request, id int64, form string, err error) error {
	if err == nil {
		http.Redirect(w, r, "/petitions/"+strconv.FormatInt(id, 10)+"/tasks?done="+form, http.StatusSeeOther)
		return nil
	}
	if !formError(err) {
		return err
	}
	v, perr := s.petitionTasksPage(r, id)
	if perr != nil {
		return perr
	}
	v.Open, v.F = form, r.PostForm
	v.Error, v.Fields = "「"+caseFormLabels[form]+"」未完成："+formMessage(err), xinfang.ErrorFields(err)
	if form == "task" {
		v.TaskForm.Fields = v.Fields
	}
	return s.render(w, r, statusOf(xinfang.ErrorCode(err)), "case_petition_tasks.html", v)
}
