package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// The changes of a backlog case, each made by an API route and by a form
// of the case page posted to the page twin of that route (PUT
// /api/v1/cases/{id}/resolution ~ POST /cases/{id}/resolution). Both
// fill the same input — from the JSON body or from the form — and call
// its apply, so that the page and the API make one change through one
// store call, checked by the same rules.

// caseInput is one change of a case as the API receives it.
type caseInput interface {
	// check refuses an input without the version the client read.
	check() error
	// apply makes the change on case id; the record a route names is in
	// r's path values ({step}, {task}, {member}, {action}).
	apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error)
}

// caseFormInput is a change the case page makes too.
type caseFormInput interface {
	caseInput
	// readForm fills the input from the page's form.
	readForm(s *Server, r *http.Request, f url.Values) error
}

// caseAPI serves the API route of a change: the body in, the changed case out.
func caseAPI[T caseInput](newIn func() T) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		in := newIn()
		return s.caseChange(w, r, in, func(id int64) (*xinfang.Case, error) { return in.apply(s, r, id) })
	}
}

// caseForm serves the page route of a change: form names the form on the
// page (its notice, its anchor, the form shown open on a mistake); ""
// names it by the {action} of the route.
func caseForm[T caseFormInput](form string, newIn func() T) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		name := form
		if name == "" {
			if name = r.PathValue("action"); !xinfang.CaseAction(name).Valid() {
				return xinfang.Errorf(xinfang.ENOTFOUND, "未知的积案操作")
			}
		}
		id, err := pathIDOr(r, "id", "积案不存在或无权查看")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		in := newIn()
		err = in.readForm(s, r, r.PostForm)
		if err == nil {
			err = in.check()
		}
		if err == nil {
			_, err = in.apply(s, r, id)
		}
		return s.caseFormDone(w, r, id, name, err)
	}
}

// versioned is the version every change of a case carries.
type versioned struct {
	Version int `json:"version"`
}

func (v versioned) check() error {
	if v.Version <= 0 {
		return xinfang.FieldError("version", "须提供读取时的版本号")
	}
	return nil
}

// readVersion reads the version a form carries; a missing one is check's.
func (v *versioned) readVersion(f url.Values) {
	v.Version, _ = strconv.Atoi(strings.TrimSpace(f.Get("version")))
}

// caseRecord loads case id for a change that the domain makes on the
// case as read (Case.TeamWith, TeamWithout, StepDone) and storage saves
// at the version the client read; with record, it also reads the id of
// that record from r's path, notFound naming what is missing.
func (s *Server) caseRecord(r *http.Request, id int64, record, notFound string) (*xinfang.Case, int64, error) {
	var rid int64
	if record != "" {
		var err error
		if rid, err = pathIDOr(r, record, notFound); err != nil {
			return nil, 0, err
		}
	}
	c, err := s.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return nil, 0, err
	}
	return c, rid, nil
}

// caseUpdate changes the fields of a case (修改案件信息).
type caseUpdate struct {
	versioned
	xinfang.CaseUpdate
}

func newCaseUpdate() *caseUpdate { return &caseUpdate{} }

func (in *caseUpdate) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	str := func(name string) *string { v := f.Get(name); return &v }
	u := &in.CaseUpdate
	probs := xinfang.Problems{}
	deadline := formDate(f, "deadline", probs)
	source := xinfang.CaseSource(f.Get("source"))
	u.Title, u.Source, u.Summary, u.Petitioners, u.StabilityPlan, u.Deadline = str("title"), &source, str("summary"), str("petitioners"), str("stability_plan"), &deadline
	unit, leader := formID(f.Get("responsible_unit_id")), formID(f.Get("leader_id"))
	u.ResponsibleUnitID, u.LeaderID = &unit, &leader
	tags := formCodes[xinfang.CaseTag](f["tags"])
	if tags == nil {
		tags = []xinfang.CaseTag{}
	}
	u.Tags = &tags
	// Staff type the petitions' numbers; the change takes their ids.
	ids := s.petitionRefs(r, f.Get("petitions"), "petitions", probs)
	if ids == nil {
		ids = []int64{}
	}
	u.PetitionIDs = &ids
	return probs.Err()
}

func (in *caseUpdate) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	return s.Cases.UpdateCase(r.Context(), id, in.Version, in.CaseUpdate)
}

// teamInput replaces the whole team (API only).
type teamInput struct {
	versioned
	Team []xinfang.CaseMember `json:"team"`
}

func newTeamInput() *teamInput { return &teamInput{} }

func (in *teamInput) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	return s.Cases.SetCaseTeam(r.Context(), id, in.Version, in.Team)
}

// memberInput adds one member to the team (加入专班成员).
type memberInput struct {
	versioned
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
}

func newMemberInput() *memberInput { return &memberInput{} }

func (in *memberInput) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	in.UserID, in.Name, in.Role = formID(f.Get("user_id")), f.Get("name"), f.Get("role")
	return nil
}

func (in *memberInput) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	c, _, err := s.caseRecord(r, id, "", "")
	if err != nil {
		return nil, err
	}
	team := c.TeamWith(xinfang.CaseMember{UserID: in.UserID, Name: in.Name, Role: in.Role})
	out, err := s.Cases.SetCaseTeam(r.Context(), id, in.Version, team)
	// The new member is the last of the team: name its fields as sent.
	if fe := xinfang.ErrorFields(err); fe != nil {
		n := strconv.Itoa(len(team) - 1)
		for _, k := range []string{"name", "role", "user_id"} {
			if m, ok := fe["team."+n+"."+k]; ok {
				fe[k] = m
			}
		}
	}
	return out, err
}

// memberRemoval takes member {member} off the team (移出).
type memberRemoval struct {
	versioned
}

func newMemberRemoval() *memberRemoval { return &memberRemoval{} }

func (in *memberRemoval) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	return nil
}

func (in *memberRemoval) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	c, mid, err := s.caseRecord(r, id, "member", "专班成员不存在")
	if err != nil {
		return nil, err
	}
	team, err := c.TeamWithout(mid)
	if err != nil {
		return nil, err
	}
	return s.Cases.SetCaseTeam(r.Context(), id, in.Version, team)
}

// stepInput adds a step to the 化解方案.
type stepInput struct {
	versioned
	Content  string        `json:"content"`
	OwnerID  int64         `json:"owner_id"`
	Owner    string        `json:"owner"`
	Deadline calendar.Date `json:"deadline"`
	DoneOn   calendar.Date `json:"done_on"`
	Evidence string        `json:"evidence"`
}

func newStepInput() *stepInput { return &stepInput{} }

func (in *stepInput) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	in.Content, in.OwnerID, in.Owner = f.Get("content"), formID(f.Get("owner_id")), f.Get("owner")
	in.Evidence = f.Get("evidence")
	p := xinfang.Problems{}
	in.Deadline, in.DoneOn = formDate(f, "deadline", p), formDate(f, "done_on", p)
	return p.Err()
}

func (in *stepInput) step(id int64) *xinfang.PlanStep {
	return &xinfang.PlanStep{ID: id, Content: in.Content, OwnerID: in.OwnerID, Owner: in.Owner, Deadline: in.Deadline, DoneOn: in.DoneOn, Evidence: in.Evidence}
}

func (in *stepInput) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	return s.Cases.SaveCaseStep(r.Context(), id, in.Version, in.step(0))
}

// stepEdit replaces step {step} whole (API only).
type stepEdit struct {
	stepInput
}

func newStepEdit() *stepEdit { return &stepEdit{} }

func (in *stepEdit) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	sid, err := pathID(r, "step")
	if err != nil {
		return nil, err
	}
	return s.Cases.SaveCaseStep(r.Context(), id, in.Version, in.step(sid))
}

// stepDone records step {step} as done (记录完成): the date and the
// evidence, the rest of the step kept (Case.StepDone).
type stepDone struct {
	versioned
	DoneOn   calendar.Date `json:"done_on"`
	Evidence string        `json:"evidence"`
}

func newStepDone() *stepDone { return &stepDone{} }

func (in *stepDone) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	p := xinfang.Problems{}
	in.DoneOn, in.Evidence = formDate(f, "done_on", p), f.Get("evidence")
	return p.Err()
}

func (in *stepDone) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	c, sid, err := s.caseRecord(r, id, "step", "方案步骤不存在")
	if err != nil {
		return nil, err
	}
	st, err := c.StepDone(sid, in.DoneOn, in.Evidence)
	if err != nil {
		return nil, err
	}
	return s.Cases.SaveCaseStep(r.Context(), id, in.Version, st)
}

// consultationInput records a 会诊.
type consultationInput struct {
	versioned
	Date      calendar.Date      `json:"date"`
	Attendees []xinfang.Attendee `json:"attendees"`
	Findings  string             `json:"findings"`
	Decisions string             `json:"decisions"`
}

func newConsultationInput() *consultationInput { return &consultationInput{} }

// readForm reads the attendees from one field per kind (att_leader …),
// names separated as typed.
func (in *consultationInput) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	p := xinfang.Problems{}
	in.Date, in.Findings, in.Decisions = formDate(f, "date", p), f.Get("findings"), f.Get("decisions")
	for _, kind := range xinfang.AttendeeKinds {
		for _, n := range splitNames(f.Get("att_" + kind.Code)) {
			in.Attendees = append(in.Attendees, xinfang.Attendee{Kind: xinfang.AttendeeKind(kind.Code), Name: n})
		}
	}
	return p.Err()
}

func (in *consultationInput) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	return s.Cases.AddConsultation(r.Context(), id, in.Version, &xinfang.Consultation{Date: in.Date, Attendees: in.Attendees, Findings: in.Findings, Decisions: in.Decisions})
}

// splitNames splits a list of names typed in one field.
func splitNames(s string) []string {
	return strings.FieldsFunc(s, func(c rune) bool {
		return c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c == '\n' || c == '\r'
	})
}

// progressInput records a 进展报告.
type progressInput struct {
	versioned
	Date calendar.Date `json:"date"`
	Text string        `json:"text"`
}

func newProgressInput() *progressInput { return &progressInput{} }

func (in *progressInput) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	p := xinfang.Problems{}
	in.Date, in.Text = formDate(f, "date", p), f.Get("text")
	return p.Err()
}

func (in *progressInput) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	return s.Cases.AddProgress(r.Context(), id, in.Version, &xinfang.ProgressReport{Date: in.Date, Text: in.Text})
}

// taskInput is a new 三跨三分离 task, of a case or of a petition.
type taskInput struct {
	Kind        xinfang.TaskKind `json:"kind"`
	Title       string           `json:"title"`
	OwnerUnitID int64            `json:"owner_unit_id"`
	OwnerUserID int64            `json:"owner_user_id"`
	Deadline    calendar.Date    `json:"deadline"`
}

func (in *taskInput) readForm(s *Server, r *http.Request, f url.Values) error {
	in.Kind, in.Title, in.OwnerUnitID = xinfang.TaskKind(f.Get("kind")), f.Get("title"), formID(f.Get("owner_unit_id"))
	p := xinfang.Problems{}
	in.OwnerUserID, in.Deadline = formID(f.Get("owner_user_id")), formDate(f, "deadline", p)
	return p.Err()
}

func (in *taskInput) task() *xinfang.Task {
	return &xinfang.Task{Kind: in.Kind, Title: in.Title, OwnerUnitID: in.OwnerUnitID, OwnerUserID: in.OwnerUserID, Deadline: in.Deadline}
}

// caseTaskInput splits a task off a case (拆分任务).
type caseTaskInput struct {
	versioned
	taskInput
}

func newCaseTaskInput() *caseTaskInput { return &caseTaskInput{} }

func (in *caseTaskInput) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	return in.taskInput.readForm(s, r, f)
}

func (in *caseTaskInput) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	return s.Cases.AddCaseTask(r.Context(), id, in.Version, in.task())
}

// taskChange concludes or releases task {task} (办结/解除), of a case or of
// a petition.
type taskChange struct {
	versioned
	xinfang.TaskChange
}

func newCaseTaskChange() *taskChange { return &taskChange{} }

func (in *taskChange) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	in.State, in.Note, in.Reason = xinfang.TaskState(f.Get("state")), f.Get("note"), f.Get("release_reason")
	return nil
}

// apply changes a task of case id.
func (in *taskChange) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	tid, err := pathID(r, "task")
	if err != nil {
		return nil, err
	}
	return s.Cases.ChangeCaseTask(r.Context(), id, in.Version, tid, in.TaskChange)
}

// resolutionInput records the 化解情况.
type resolutionInput struct {
	versioned
	xinfang.Resolution
}

func newResolutionInput() *resolutionInput { return &resolutionInput{} }

func (in *resolutionInput) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	p := xinfang.Problems{}
	in.Resolution = xinfang.Resolution{Facts: f.Get("facts"), Solution: xinfang.Solution(f.Get("solution")), SolutionText: f.Get("solution_text"),
		PetitionerPosition: f.Get("petitioner_position"), Followup: xinfang.FollowupVisit{Date: formDateAs(f, "followup_date", "followup.date", p),
			By: f.Get("followup_by"), How: f.Get("followup_how"), Mood: f.Get("followup_mood"), Settled: f.Get("followup_settled") != ""}}
	return p.Err()
}

func (in *resolutionInput) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	return s.Cases.SetResolution(r.Context(), id, in.Version, in.Resolution)
}

// noteInput is a change that carries a note only: the 包案领导's
// signature, and the transitions.
type noteInput struct {
	versioned
	Note string `json:"note"`
}

func (in *noteInput) readForm(s *Server, r *http.Request, f url.Values) error {
	in.readVersion(f)
	in.Note = f.Get("note")
	return nil
}

// signOffInput is the 包案领导's signature (签字).
type signOffInput struct{ noteInput }

func newSignOffInput() *signOffInput { return &signOffInput{} }

func (in *signOffInput) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	return s.Cases.SignOffCase(r.Context(), id, in.Version, in.Note)
}

// caseActInput takes transition {action}: start, resolve, close, reopen.
type caseActInput struct{ noteInput }

func newCaseActInput() *caseActInput { return &caseActInput{} }

func (in *caseActInput) apply(s *Server, r *http.Request, id int64) (*xinfang.Case, error) {
	action := xinfang.CaseAction(r.PathValue("action"))
	if !action.Valid() {
		return nil, xinfang.Errorf(xinfang.ENOTFOUND, "未知的积案操作")
	}
	return s.Cases.ActCase(r.Context(), id, in.Version, action, in.Note)
}
