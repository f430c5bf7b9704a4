package web

import (
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of conflict screening (矛盾纠纷排查) and of the risk assessments
// of major decisions (稳评), openapi_screening.json.

// apiScreeningPage is one page of reports.
type apiScreeningPage struct {
	Items  []*xinfang.ScreeningReport `json:"items"`
	Total  int                        `json:"total"`
	Offset int                        `json:"offset"`
	Limit  int                        `json:"limit"`
}

// screeningFilter reads the filter of the reports' list and counts.
func screeningFilter(q *apiQuery) xinfang.ScreeningFilter {
	f := xinfang.ScreeningFilter{State: xinfang.ScreeningState(q.str("state")), Level: xinfang.ScreeningLevel(q.str("level")),
		RoundID: q.id("round_id"), UnitID: q.id("unit_id"), PetitionID: q.id("petition_id"), CaseID: q.id("case_id")}
	if b := q.boolean("overdue"); b != nil {
		f.Overdue = *b
	}
	return f
}

func (s *Server) apiScreeningReports(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := screeningFilter(q)
	f.Offset, f.Limit = q.number("offset", 0, 1<<30), q.number("limit", 0, 500)
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.Screening.FindReports(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiScreeningPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

func (s *Server) apiScreeningCounts(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := screeningFilter(q)
	if err := q.err(); err != nil {
		return err
	}
	c, err := s.Screening.CountReports(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// apiScreeningInput is what a client sends to file a report.
type apiScreeningInput struct {
	RoundID   int64         `json:"round_id"`
	UnitID    int64         `json:"unit_id"`
	Source    string        `json:"source"`
	FoundOn   calendar.Date `json:"found_on"`
	Summary   string        `json:"summary"`
	Parties   string        `json:"parties"`
	Place     string        `json:"place"`
	Category  string        `json:"category"`
	RiskLevel string        `json:"risk_level"`
	Owner     string        `json:"owner"`
	DueOn     calendar.Date `json:"due_on"`
}

func (s *Server) apiCreateScreeningReport(w http.ResponseWriter, r *http.Request) error {
	var in apiScreeningInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rep := &xinfang.ScreeningReport{RoundID: in.RoundID, UnitID: in.UnitID, Source: xinfang.ScreeningSource(in.Source), FoundOn: in.FoundOn, Summary: in.Summary,
		Parties: in.Parties, Place: in.Place, Category: in.Category, RiskLevel: xinfang.RiskLevel(in.RiskLevel), Owner: in.Owner, DueOn: in.DueOn}
	if err := s.Screening.CreateReport(r.Context(), rep); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rep)
	return nil
}

func (s *Server) apiScreeningReport(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Screening.FindReportByID)
}

func (s *Server) apiSettleScreeningReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.ScreeningSettlement
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rep, err := s.Screening.SettleReport(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// apiScreeningPetitionAnswer is the report and the petition it became,
// with its 查询码 (shown once).
type apiScreeningPetitionAnswer struct {
	Report   *xinfang.ScreeningReport `json:"report"`
	Petition *xinfang.Petition        `json:"petition"`
}

func (s *Server) apiScreeningToPetition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.ScreeningPetitionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rep, p, err := s.Screening.ReportToPetition(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiScreeningPetitionAnswer{Report: rep, Petition: p})
	return nil
}

// apiScreeningCaseAnswer is the report and the backlog case it became.
type apiScreeningCaseAnswer struct {
	Report *xinfang.ScreeningReport `json:"report"`
	Case   *xinfang.Case            `json:"case"`
}

func (s *Server) apiScreeningToCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.ScreeningCaseInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rep, c, err := s.Screening.ReportToCase(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiScreeningCaseAnswer{Report: rep, Case: c})
	return nil
}

func (s *Server) apiScreeningRounds(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	limit := q.number("limit", 0, 500)
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.Screening.FindRounds(r.Context(), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.ScreeningRound]{Items: items})
	return nil
}

// apiRoundInput is what a client sends to open a round.
type apiRoundInput struct {
	UnitID int64         `json:"unit_id"`
	Period string        `json:"period"`
	DueOn  calendar.Date `json:"due_on"`
	Note   string        `json:"note"`
}

func (s *Server) apiCreateScreeningRound(w http.ResponseWriter, r *http.Request) error {
	var in apiRoundInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	round := &xinfang.ScreeningRound{UnitID: in.UnitID, Period: in.Period, DueOn: in.DueOn, Note: in.Note}
	if err := s.Screening.CreateRound(r.Context(), round); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, round)
	return nil
}

func (s *Server) apiScreeningRound(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Screening.FindRoundByID)
}

func (s *Server) apiScreeningNilReturn(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		UnitID int64 `json:"unit_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	round, err := s.Screening.FileNilReturn(r.Context(), id, in.UnitID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, round)
	return nil
}

// apiRiskPage is one page of assessments.
type apiRiskPage struct {
	Items  []*xinfang.RiskAssessment `json:"items"`
	Total  int                       `json:"total"`
	Offset int                       `json:"offset"`
	Limit  int                       `json:"limit"`
}

func (s *Server) apiRiskAssessments(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.RiskAssessmentFilter{Level: xinfang.RiskLevel(q.str("level")), Conclusion: xinfang.RiskConclusion(q.str("conclusion")),
		PetitionID: q.id("petition_id"), Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 0, 500)}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.Risks.FindRiskAssessments(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiRiskPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// apiRiskInput is what a client sends for an assessment.
type apiRiskInput struct {
	Version    int           `json:"version"`
	Decision   string        `json:"decision"`
	Body       string        `json:"body"`
	UnitID     int64         `json:"unit_id"`
	Risks      string        `json:"risks"`
	Measures   string        `json:"measures"`
	Level      string        `json:"level"`
	Conclusion string        `json:"conclusion"`
	Reviewers  string        `json:"reviewers"`
	AssessedOn calendar.Date `json:"assessed_on"`
	DecidedOn  calendar.Date `json:"decided_on"`
}

func (s *Server) saveRiskAssessment(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	var in apiRiskInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a := &xinfang.RiskAssessment{ID: id, Version: in.Version, Decision: in.Decision, Body: in.Body, UnitID: in.UnitID, Risks: in.Risks, Measures: in.Measures,
		Level: xinfang.RiskLevel(in.Level), Conclusion: xinfang.RiskConclusion(in.Conclusion), Reviewers: in.Reviewers, AssessedOn: in.AssessedOn, DecidedOn: in.DecidedOn}
	if err := s.Risks.SaveRiskAssessment(r.Context(), a); err != nil {
		return err
	}
	writeJSON(w, status, a)
	return nil
}

func (s *Server) apiCreateRiskAssessment(w http.ResponseWriter, r *http.Request) error {
	return s.saveRiskAssessment(w, r, 0, http.StatusCreated)
}

func (s *Server) apiUpdateRiskAssessment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.saveRiskAssessment(w, r, id, http.StatusOK)
}

func (s *Server) apiRiskAssessment(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Risks.FindRiskAssessmentByID)
}

func (s *Server) apiLinkRiskPetition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		PetitionID int64 `json:"petition_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.Risks.LinkPetition(r.Context(), id, in.PetitionID, false)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) apiUnlinkRiskPetition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(r, "petition")
	if err != nil {
		return err
	}
	a, err := s.Risks.LinkPetition(r.Context(), id, pid, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
