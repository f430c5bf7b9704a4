package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/xlsx"
)

// The API of backlog cases (信访积案), their 三跨三分离 tasks, leaders'
// instructions (批示) and the Excel exports. Storage applies the case
// scope and the closure rule; these handlers only read input and write
// replies. The changes of a case are in case_changes.go, shared with the
// case page.

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
	if f.Source = xinfang.CaseSource(q.str("source")); f.Source != "" && !f.Source.Valid() {
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
	f.Dated = xinfang.CaseDates{OpenedFrom: q.date("opened_from"), OpenedTo: q.date("opened_to"),
		ResolvedFrom: q.date("resolved_from"), ResolvedTo: q.date("resolved_to"), ClosedFrom: q.date("closed_from"), ClosedTo: q.date("closed_to")}
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
	Source            xinfang.CaseSource   `json:"source"`
	Summary           string               `json:"summary"`
	Petitioners       string               `json:"petitioners"`
	ResponsibleUnitID int64                `json:"responsible_unit_id"`
	LeaderID          int64                `json:"leader_id"`
	PetitionIDs       []int64              `json:"petition_ids"`
	StabilityPlan     string               `json:"stability_plan"`
	Deadline          calendar.Date        `json:"deadline"`
	Tags              []xinfang.CaseTag    `json:"tags"`
	Team              []xinfang.CaseMember `json:"team"`
}

func (s *Server) apiCreateCase(w http.ResponseWriter, r *http.Request) error {
	var in apiCaseInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	// The team is saved after the case: its own rules are checked first,
	// so that a team refused does not leave a case filed without it.
	team := xinfang.Problems{}
	xinfang.ValidateTeam(in.Team, team)
	if err := team.Err(); err != nil {
		return err
	}
	c := &xinfang.Case{Title: in.Title, Source: in.Source, Summary: in.Summary, Petitioners: in.Petitioners, ResponsibleUnitID: in.ResponsibleUnitID,
		LeaderID: in.LeaderID, PetitionIDs: in.PetitionIDs, StabilityPlan: in.StabilityPlan, Deadline: in.Deadline, Tags: in.Tags, Team: in.Team}
	if err := s.Cases.CreateCase(r.Context(), c); err != nil {
		return err
	}
	out, err := s.Cases.FindCaseByID(r.Context(), c.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Cases.FindCaseByID)
}

func (s *Server) apiCaseEvents(w http.ResponseWriter, r *http.Request) error {
	return serveListByID(w, r, s.Cases.FindCaseEvents)
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

// apiCaseRemoveMember takes a member off the team: DELETE, with the
// version the client read in the query.
func (s *Server) apiCaseRemoveMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newAPIQuery(r)
	in := newMemberRemoval()
	in.Version = q.number("version", 1, 1<<30)
	if err := q.err(); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	c, err := in.apply(s, r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
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

// addInstruction records a 批示 on a case or a petition, for the API and
// the pages.
func (s *Server) addInstruction(r *http.Request, in apiInstructionInput, caseID, petitionID int64) (*apiInstructionReply, error) {
	ins := &xinfang.Instruction{CaseID: caseID, PetitionID: petitionID, Text: in.Text, ToUsers: in.ToUsers, ToUnits: in.ToUnits}
	if ins.ToUsers == nil {
		ins.ToUsers = []int64{}
	}
	if ins.ToUnits == nil {
		ins.ToUnits = []int64{}
	}
	rcpt, err := s.Cases.AddInstruction(r.Context(), ins)
	if err != nil {
		return nil, err
	}
	return &apiInstructionReply{Instruction: ins, Recipients: rcpt}, nil
}

func (s *Server) instruct(w http.ResponseWriter, r *http.Request, caseID, petitionID int64) error {
	var in apiInstructionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.addInstruction(r, in, caseID, petitionID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
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
	return serveListByID(w, r, s.Cases.FindPetitionInstructions)
}

func (s *Server) apiPetitionTasks(w http.ResponseWriter, r *http.Request) error {
	return serveListByID(w, r, s.Cases.FindPetitionTasks)
}

func (s *Server) apiPetitionAddTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in taskInput
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
	var in taskChange
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
	today := s.today()
	return writeXLSX(w, "积案台账-"+today.String()+".xlsx", func(buf *bytes.Buffer) error { return xlsx.CaseLedger(buf, items, today) })
}
