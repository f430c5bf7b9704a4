package web

import (
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of the 涉法涉诉 register (screening, transfer to a 政法机关, the
// judicial case) and of the lawyers on duty (rota, reception records),
// openapi_legal.json.

type apiReferralPage struct {
	Items  []*xinfang.LegalReferral `json:"items"`
	Total  int                      `json:"total"`
	Offset int                      `json:"offset"`
	Limit  int                      `json:"limit"`
}

func (s *Server) apiLegalReferrals(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.LegalReferralFilter{UnitID: q.id("unit_id"), PetitionID: q.id("petition_id"), Stage: q.str("stage"),
		Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 0, 500)}
	if b := q.boolean("overdue"); b != nil {
		f.Overdue = *b
	}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.Legal.FindLegalReferrals(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiReferralPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

func (s *Server) apiLegalReferral(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Legal.FindLegalReferralByID)
}

func (s *Server) apiScreenLegal(w http.ResponseWriter, r *http.Request) error {
	var in xinfang.LegalScreening
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.Legal.ScreenLegal(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) apiTransferLegal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.LegalTransfer
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.Legal.TransferLegal(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiRecordJudicial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.JudicialRecord
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.Legal.RecordJudicial(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiLawyer is a lawyer a rota is planned over.
type apiLawyer struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func (s *Server) apiLawyers(w http.ResponseWriter, r *http.Request) error {
	list, err := s.LawyerDuty.Lawyers(r.Context())
	if err != nil {
		return err
	}
	out := make([]apiLawyer, len(list))
	for i, u := range list {
		out[i] = apiLawyer{ID: u.ID, Name: u.Name}
	}
	writeJSON(w, http.StatusOK, apiList[apiLawyer]{Items: out})
	return nil
}

type apiDutyPage struct {
	Items  []*xinfang.DutyWeek `json:"items"`
	Total  int                 `json:"total"`
	Offset int                 `json:"offset"`
	Limit  int                 `json:"limit"`
}

func (s *Server) apiDutyWeeks(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.DutyFilter{PointID: q.id("point_id"), LawyerID: q.id("lawyer_id"), From: q.date("from"), To: q.date("to"),
		Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 0, 500)}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.LawyerDuty.FindDutyWeeks(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiDutyPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// apiRotaGenerated is the answer of a generation.
type apiRotaGenerated struct {
	Created int `json:"created"`
}

func (s *Server) apiGenerateRota(w http.ResponseWriter, r *http.Request) error {
	var in xinfang.RotaRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.LawyerDuty.GenerateRota(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiRotaGenerated{Created: n})
	return nil
}

func (s *Server) apiDutyWeek(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.LawyerDuty.FindDutyWeekByID)
}

func (s *Server) apiSwapDuty(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.DutySwap
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.LawyerDuty.SwapDuty(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiDutyReceptionPage struct {
	Items  []*xinfang.DutyReception `json:"items"`
	Total  int                      `json:"total"`
	Offset int                      `json:"offset"`
	Limit  int                      `json:"limit"`
}

func (s *Server) apiDutyReceptions(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.DutyReceptionFilter{LawyerID: q.id("lawyer_id"), PointID: q.id("point_id"), Diverted: q.boolean("diverted"),
		Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 0, 500)}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.LawyerDuty.FindReceptions(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiDutyReceptionPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// apiDutyReceptionInput is what a lawyer sends for a reception record.
type apiDutyReceptionInput struct {
	Version    int                `json:"version"`
	PointID    int64              `json:"point_id"`
	ReceivedOn calendar.Date      `json:"received_on"`
	Visitors   string             `json:"visitors"`
	Matter     string             `json:"matter"`
	Advice     string             `json:"advice"`
	Diverted   bool               `json:"diverted"`
	Route      xinfang.LegalRoute `json:"route"`
	PetitionID int64              `json:"petition_id"`
	OpinionID  int64              `json:"opinion_id"`
}

func (in *apiDutyReceptionInput) record(id int64) *xinfang.DutyReception {
	return &xinfang.DutyReception{ID: id, Version: in.Version, PointID: in.PointID, ReceivedOn: in.ReceivedOn, Visitors: in.Visitors, Matter: in.Matter,
		Advice: in.Advice, Diverted: in.Diverted, Route: in.Route, PetitionID: in.PetitionID, OpinionID: in.OpinionID}
}

func (s *Server) apiCreateDutyReception(w http.ResponseWriter, r *http.Request) error {
	var in apiDutyReceptionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rec := in.record(0)
	if err := s.LawyerDuty.CreateReception(r.Context(), rec); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

func (s *Server) apiDutyReception(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.LawyerDuty.FindReceptionByID)
}

func (s *Server) apiUpdateDutyReception(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in apiDutyReceptionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rec := in.record(id)
	if err := s.LawyerDuty.UpdateReception(r.Context(), rec); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// The code lists of the two registers join the labels the API lists
// (GET /api/v1/labels).
func init() {
	apiLabelLists["legal_findings"] = xinfang.LegalFindings
	apiLabelLists["legal_bodies"] = xinfang.LegalBodies
	apiLabelLists["judicial_statuses"] = xinfang.JudicialStatuses
	apiLabelLists["legal_stages"] = xinfang.LegalStages
}
