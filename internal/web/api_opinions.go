package web

import (
	"net/http"

	"xinfang"
)

// The API of legal opinions (法律意见书), openapi_opinions.json.

func (s *Server) apiLegalOpinions(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	petitionID := q.id("petition_id")
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.Opinions.FindLegalOpinions(r.Context(), petitionID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.LegalOpinion]{Items: items})
	return nil
}

// apiOpinionInput is what a lawyer sends for a draft.
type apiOpinionInput struct {
	Version    int    `json:"version"`
	PetitionID int64  `json:"petition_id"`
	CaseID     int64  `json:"case_id"`
	Firm       string `json:"firm"`
	Question   string `json:"question"`
	Analysis   string `json:"analysis"`
	Opinion    string `json:"opinion"`
	Basis      string `json:"basis"`
}

func (in apiOpinionInput) opinion(id int64) *xinfang.LegalOpinion {
	return &xinfang.LegalOpinion{ID: id, Version: in.Version, PetitionID: in.PetitionID, CaseID: in.CaseID, Firm: in.Firm, Question: in.Question,
		Analysis: in.Analysis, Opinion: in.Opinion, Basis: in.Basis}
}

func (s *Server) apiCreateLegalOpinion(w http.ResponseWriter, r *http.Request) error {
	var in apiOpinionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	o := in.opinion(0)
	if err := s.Opinions.SaveLegalOpinion(r.Context(), o); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) apiLegalOpinion(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Opinions.FindLegalOpinionByID)
}

func (s *Server) apiUpdateLegalOpinion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := s.Opinions.FindLegalOpinionByID(r.Context(), id)
	if err != nil {
		return err
	}
	var in apiOpinionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	o := in.opinion(id)
	o.PetitionID, o.CaseID = cur.PetitionID, cur.CaseID
	if err := s.Opinions.SaveLegalOpinion(r.Context(), o); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) apiIssueLegalOpinion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Version int `json:"version"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	o, err := s.Opinions.IssueLegalOpinion(r.Context(), id, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}
