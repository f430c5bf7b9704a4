package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"xinfang"
	"xinfang/internal/xlsx"
)

// The API of backlog cases (信访积案), their 三跨三分离 tasks, leaders'
// instructions (批示) and the Excel exports. Storage applies the case
// scope and the closure rule; these handlers only read input and write
// replies.

// casePage is one page of the case ledger.
type casePage struct {
	Items  []*xinfang.Case `json:"items"`
	Total  int             `json:"total"`
	Offset int             `json:"offset"`
	Limit  int             `json:"limit"`
}

// caseFilterFrom reads the ledger filters shared by the list, the export
// and the ledger page: leader_id, unit_id, source, state, overdue, q; and,
// when paged, offset and limit.
func caseFilterFrom(v url.Values, paged bool) (xinfang.CaseFilter, error) {
	q := newQuery(v)
	var f xinfang.CaseFilter
	f.LeaderID = q.id("leader_id")
	f.UnitID = q.id("unit_id")
	if f.Source = q.str("source"); f.Source != "" && !apiHasCode(xinfang.CaseSources, f.Source) {
		q.p.Add("source", "未知的积案来源")
	}
	for _, st := range q.list("state") {
		if !xinfang.CaseState(st).Valid() {
			q.p.Add("state", "未知的积案状态："+st)
			continue
		}
		f.State = append(f.State, xinfang.CaseState(st))
	}
	f.Overdue = q.boolean("overdue")
	f.Text = q.str("q")
	if paged {
		f.Offset = q.number("offset", 0, 1<<30)
		if f.Limit = q.number("limit", 1, 500); f.Limit == 0 {
			f.Limit = apiDefaultLimit
		}
	} else {
		f.Limit = -1
	}
	return f, q.err()
}

func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) error {
	f, err := caseFilterFrom(r.URL.Query(), true)
	if err != nil {
		return err
	}
	items, total, err := s.Cases.FindCases(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, casePage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// apiCaseInput is what a client sends to file a case.
type apiCaseInput struct {
	Title             string               `json:"title"`
	Source            string               `json:"source"`
	Summary           string               `json:"summary"`
	Petitioners       string               `json:"petitioners"`
	ResponsibleUnitID int64                `json:"responsible_unit_id"`
	LeaderID          int64                `json:"leader_id"`
	PetitionIDs       []int64              `json:"petition_ids"`
	StabilityPlan     string               `json:"stability_plan"`
	Deadline          string               `json:"deadline"`
	Tags              []string             `json:"tags"`
	Team              []xinfang.CaseMember `json:"team"`
}

func (s *Server) apiCreateCase(w http.ResponseWriter, r *http.Request) error {
	var in apiCaseInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := &xinfang.Case{Title: in.Title, Source: in.Source, Summary: in.Summary, Petitioners: in.Petitioners, ResponsibleUnitID: in.ResponsibleUnitID,
		LeaderID: in.LeaderID, PetitionIDs: in.PetitionIDs, StabilityPlan: in.StabilityPlan, Deadline: in.Deadline, Tags: in.Tags}
	if err := s.Cases.CreateCase(r.Context(), c); err != nil {
		return err
	}
	out, err := s.Cases.FindCaseByID(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if len(in.Team) > 0 {
		if out, err = s.Cases.SetCaseTeam(r.Context(), c.ID, out.Version, in.Team); err != nil {
			return err
		}
	}
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiCaseEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	events, err := s.Cases.FindCaseEvents(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.CaseEvent]{Items: events})
	return nil
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

// caseChange reads the body into in (which embeds versioned), runs fn
// with the case id and writes the changed case.
func (s *Server) caseChange(w http.ResponseWriter, r *http.Request, in interface{ check() error }, fn func(id int64) (*xinfang.Case, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := decodeJSON(r, in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	c, err := fn(id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiUpdateCase(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		versioned
		xinfang.CaseUpdate
	}
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.UpdateCase(r.Context(), id, in.Version, in.CaseUpdate)
	})
}

func (s *Server) apiCaseTeam(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		versioned
		Team []xinfang.CaseMember `json:"team"`
	}
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.SetCaseTeam(r.Context(), id, in.Version, in.Team)
	})
}

// apiStepInput is a plan step as a client sends it.
type apiStepInput struct {
	versioned
	Content  string `json:"content"`
	OwnerID  int64  `json:"owner_id"`
	Owner    string `json:"owner"`
	Deadline string `json:"deadline"`
	DoneOn   string `json:"done_on"`
	Evidence string `json:"evidence"`
}

func (in *apiStepInput) step(id int64) *xinfang.PlanStep {
	return &xinfang.PlanStep{ID: id, Content: in.Content, OwnerID: in.OwnerID, Owner: in.Owner, Deadline: in.Deadline, DoneOn: in.DoneOn, Evidence: in.Evidence}
}

func (s *Server) apiCaseAddStep(w http.ResponseWriter, r *http.Request) error {
	var in apiStepInput
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.SaveCaseStep(r.Context(), id, in.Version, in.step(0))
	})
}

func (s *Server) apiCaseEditStep(w http.ResponseWriter, r *http.Request) error {
	sid, err := pathID(r, "step")
	if err != nil {
		return err
	}
	var in apiStepInput
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.SaveCaseStep(r.Context(), id, in.Version, in.step(sid))
	})
}

func (s *Server) apiCaseConsultation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		versioned
		Date      string             `json:"date"`
		Attendees []xinfang.Attendee `json:"attendees"`
		Findings  string             `json:"findings"`
		Decisions string             `json:"decisions"`
	}
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.AddConsultation(r.Context(), id, in.Version, &xinfang.Consultation{Date: in.Date, Attendees: in.Attendees, Findings: in.Findings, Decisions: in.Decisions})
	})
}

func (s *Server) apiCaseProgress(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		versioned
		Date string `json:"date"`
		Text string `json:"text"`
	}
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.AddProgress(r.Context(), id, in.Version, &xinfang.ProgressReport{Date: in.Date, Text: in.Text})
	})
}

// apiTaskInput is a new 三跨三分离 task.
type apiTaskInput struct {
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	OwnerUnitID int64  `json:"owner_unit_id"`
	OwnerUserID int64  `json:"owner_user_id"`
	Deadline    string `json:"deadline"`
}

func (in *apiTaskInput) task() *xinfang.Task {
	return &xinfang.Task{Kind: in.Kind, Title: in.Title, OwnerUnitID: in.OwnerUnitID, OwnerUserID: in.OwnerUserID, Deadline: in.Deadline}
}

func (s *Server) apiCaseAddTask(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		versioned
		apiTaskInput
	}
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.AddCaseTask(r.Context(), id, in.Version, in.task())
	})
}

func (s *Server) apiCaseChangeTask(w http.ResponseWriter, r *http.Request) error {
	tid, err := pathID(r, "task")
	if err != nil {
		return err
	}
	var in struct {
		versioned
		xinfang.TaskChange
	}
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.ChangeCaseTask(r.Context(), id, in.Version, tid, in.TaskChange)
	})
}

func (s *Server) apiCaseResolution(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		versioned
		xinfang.Resolution
	}
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.SetResolution(r.Context(), id, in.Version, in.Resolution)
	})
}

func (s *Server) apiCaseSignOff(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		versioned
		Note string `json:"note"`
	}
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.SignOffCase(r.Context(), id, in.Version, in.Note)
	})
}

func (s *Server) apiCaseAct(w http.ResponseWriter, r *http.Request) error {
	action := r.PathValue("action")
	if !apiHasCode(xinfang.CaseActions, action) {
		return xinfang.Errorf(xinfang.ENOTFOUND, "未知的积案操作")
	}
	var in struct {
		versioned
		Note string `json:"note"`
	}
	return s.caseChange(w, r, &in, func(id int64) (*xinfang.Case, error) {
		return s.Cases.ActCase(r.Context(), id, in.Version, action, in.Note)
	})
}

// apiInstructionInput is a 批示.
type apiInstructionInput struct {
	Text    string  `json:"text"`
	ToUsers []int64 `json:"to_users"`
	ToUnits []int64 `json:"to_units"`
}

// apiInstructionReply is a recorded 批示 and the users it reaches.
type apiInstructionReply struct {
	Instruction *xinfang.Instruction `json:"instruction"`
	Recipients  []int64              `json:"recipients"`
}

func (s *Server) instruct(w http.ResponseWriter, r *http.Request, caseID, petitionID int64) error {
	var in apiInstructionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ins := &xinfang.Instruction{CaseID: caseID, PetitionID: petitionID, Text: in.Text, ToUsers: in.ToUsers, ToUnits: in.ToUnits}
	if ins.ToUsers == nil {
		ins.ToUsers = []int64{}
	}
	if ins.ToUnits == nil {
		ins.ToUnits = []int64{}
	}
	rcpt, err := s.Cases.AddInstruction(r.Context(), ins)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiInstructionReply{Instruction: ins, Recipients: rcpt})
	return nil
}

func (s *Server) apiCaseInstruction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.instruct(w, r, id, 0)
}

func (s *Server) apiPetitionInstruction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.instruct(w, r, 0, id)
}

func (s *Server) apiPetitionInstructions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.Cases.FindPetitionInstructions(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.Instruction]{Items: list})
	return nil
}

func (s *Server) apiPetitionTasks(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.Cases.FindPetitionTasks(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.Task]{Items: list})
	return nil
}

func (s *Server) apiPetitionAddTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in apiTaskInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t := in.task()
	if err := s.Cases.AddPetitionTask(r.Context(), id, t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) apiPetitionChangeTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tid, err := pathID(r, "task")
	if err != nil {
		return err
	}
	var in struct {
		versioned
		xinfang.TaskChange
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	t, err := s.Cases.ChangePetitionTask(r.Context(), id, tid, in.Version, in.TaskChange)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) apiLeaderCases(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Cases.LeaderCases(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) apiCaseUsers(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Cases.CaseUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

// writeXLSX sends a workbook built in memory, so that an error while
// writing becomes a clean error reply rather than half a file.
func writeXLSX(w http.ResponseWriter, filename string, build func(buf *bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := build(&buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", xlsx.ContentType)
	h.Set("Content-Disposition", "attachment; filename=\"cases.xlsx\"; filename*=UTF-8''"+url.PathEscape(filename))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

func (s *Server) apiCaseSheetXLSX(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeXLSX(w, "一案一表-"+c.Number+".xlsx", func(buf *bytes.Buffer) error { return xlsx.CaseSheet(buf, c) })
}

func (s *Server) apiCaseLedgerXLSX(w http.ResponseWriter, r *http.Request) error {
	f, err := caseFilterFrom(r.URL.Query(), false)
	if err != nil {
		return err
	}
	items, _, err := s.Cases.FindCases(r.Context(), f)
	if err != nil {
		return err
	}
	today := s.today().String()
	return writeXLSX(w, "积案台账-"+today+".xlsx", func(buf *bytes.Buffer) error { return xlsx.CaseLedger(buf, items, today) })
}
