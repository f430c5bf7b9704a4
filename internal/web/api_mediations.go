package web

import (
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of mediators and mediations (调解), openapi_mediations.json.

func (s *Server) apiMediators(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	unitID := q.id("unit_id")
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.Mediations.FindMediators(r.Context(), unitID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.Mediator]{Items: items})
	return nil
}

// apiMediatorInput is what a client sends for a mediator.
type apiMediatorInput struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	UnitID    int64  `json:"unit_id"`
	Phone     string `json:"phone"`
	UserID    int64  `json:"user_id"`
	Available bool   `json:"available"`
	Note      string `json:"note"`
}

func (s *Server) saveMediator(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	var in apiMediatorInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m := &xinfang.Mediator{ID: id, Name: in.Name, Kind: xinfang.MediatorKind(in.Kind), UnitID: in.UnitID, Phone: in.Phone, UserID: in.UserID, Available: in.Available, Note: in.Note}
	if err := s.Mediations.SaveMediator(r.Context(), m); err != nil {
		return err
	}
	writeJSON(w, status, m)
	return nil
}

func (s *Server) apiCreateMediator(w http.ResponseWriter, r *http.Request) error {
	return s.saveMediator(w, r, 0, http.StatusCreated)
}

func (s *Server) apiUpdateMediator(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.saveMediator(w, r, id, http.StatusOK)
}

// apiMediationPage is one page of mediations.
type apiMediationPage struct {
	Items  []*xinfang.Mediation `json:"items"`
	Total  int                  `json:"total"`
	Offset int                  `json:"offset"`
	Limit  int                  `json:"limit"`
}

func (s *Server) apiMediations(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.MediationFilter{State: xinfang.MediationState(q.str("state")), PetitionID: q.id("petition_id"),
		Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 0, 500)}
	if b := q.boolean("overdue"); b != nil {
		f.Overdue = *b
	}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.Mediations.FindMediations(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiMediationPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// apiMediationInput is what a client sends to open a mediation.
type apiMediationInput struct {
	PetitionID  int64         `json:"petition_id"`
	CaseID      int64         `json:"case_id"`
	UnitID      int64         `json:"unit_id"`
	Dispute     string        `json:"dispute"`
	Parties     string        `json:"parties"`
	StartedOn   calendar.Date `json:"started_on"`
	MediatorIDs []int64       `json:"mediator_ids"`
}

func (s *Server) apiCreateMediation(w http.ResponseWriter, r *http.Request) error {
	var in apiMediationInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m := &xinfang.Mediation{PetitionID: in.PetitionID, CaseID: in.CaseID, UnitID: in.UnitID, Dispute: in.Dispute, Parties: in.Parties, StartedOn: in.StartedOn}
	for _, id := range in.MediatorIDs {
		m.Mediators = append(m.Mediators, xinfang.MediationMediator{MediatorID: id})
	}
	if err := s.Mediations.CreateMediation(r.Context(), m); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) apiMediation(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Mediations.FindMediationByID)
}

func (s *Server) apiMediationSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Version int           `json:"version"`
		HeldOn  calendar.Date `json:"held_on"`
		Place   string        `json:"place"`
		Summary string        `json:"summary"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.Mediations.AddMediationSession(r.Context(), id, in.Version, xinfang.MediationSession{HeldOn: in.HeldOn, Place: in.Place, Summary: in.Summary})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) apiMediationOutcome(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.MediationOutcome
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.Mediations.RecordMediationOutcome(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) apiMediationFulfilment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Version     int           `json:"version"`
		FulfilledOn calendar.Date `json:"fulfilled_on"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.Mediations.RecordFulfilment(r.Context(), id, in.Version, in.FulfilledOn)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}
