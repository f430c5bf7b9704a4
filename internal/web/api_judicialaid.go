package web

import (
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of judicial aid (司法救助), openapi_judicialaid.json.

// apiAidPage is one page of applications.
type apiAidPage struct {
	Items  []*xinfang.JudicialAid `json:"items"`
	Total  int                    `json:"total"`
	Offset int                    `json:"offset"`
	Limit  int                    `json:"limit"`
}

func (s *Server) apiJudicialAids(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.JudicialAidFilter{State: xinfang.JudicialAidState(q.str("state")), Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 0, 500)}
	if b := q.boolean("overdue"); b != nil {
		f.Overdue = *b
	}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.JudicialAid.FindJudicialAids(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiAidPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// apiAidInput is what a client sends to apply.
type apiAidInput struct {
	PetitionID   int64         `json:"petition_id"`
	Applicant    string        `json:"applicant"`
	ByPetitioner bool          `json:"by_petitioner"`
	Grounds      string        `json:"grounds"`
	Documents    string        `json:"documents"`
	AppliedOn    calendar.Date `json:"applied_on"`
	Requested    int64         `json:"requested"`
}

func (s *Server) apiCreateJudicialAid(w http.ResponseWriter, r *http.Request) error {
	var in apiAidInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a := &xinfang.JudicialAid{PetitionID: in.PetitionID, Applicant: in.Applicant, ByPetitioner: in.ByPetitioner, Grounds: in.Grounds, Documents: in.Documents,
		AppliedOn: in.AppliedOn, Requested: in.Requested}
	if err := s.JudicialAid.CreateJudicialAid(r.Context(), a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) apiJudicialAid(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.JudicialAid.FindJudicialAidByID)
}

func (s *Server) apiJudicialAidStep(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.AidDecision
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Action = xinfang.JudicialAidAction(r.PathValue("action"))
	a, err := s.JudicialAid.StepJudicialAid(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
