package web

import (
	"context"
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of discipline work (纪委监委): the watch list, raised
// investigations with 一案双查, accountability records and responsibility
// letters. Storage decides who may read and write what.

func (s *Server) apiWatchList(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.WatchFilter{Kind: xinfang.WatchKind(q.str("kind")), Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 1, 500)}
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.Discipline.FindWatchList(r.Context(), f)
	if err != nil {
		return err
	}
	// Index is there while the repeat index is built: the list may be incomplete.
	writeJSON(w, http.StatusOK, struct {
		*xinfang.WatchPage
		Index *xinfang.IndexStatus `json:"index,omitempty"`
	}{page, s.indexIncomplete(r.Context())})
	return nil
}

// apiInvestigationPage is one page of investigations.
type apiInvestigationPage struct {
	Items  []*xinfang.Investigation `json:"items"`
	Total  int                      `json:"total"`
	Offset int                      `json:"offset"`
	Limit  int                      `json:"limit"`
}

func (s *Server) apiInvestigations(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.InvestigationFilter{State: xinfang.InvestigationState(q.str("state")), PetitionID: q.id("petition_id"), Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 1, 500)}
	if err := q.err(); err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	items, total, err := s.Discipline.FindInvestigations(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiInvestigationPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

func (s *Server) apiCreateInvestigation(w http.ResponseWriter, r *http.Request) error {
	var in xinfang.InvestigationInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	iv, err := s.Discipline.CreateInvestigation(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, iv)
	return nil
}

func (s *Server) apiInvestigation(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Discipline.FindInvestigationByID)
}

func (s *Server) apiUpdateInvestigation(w http.ResponseWriter, r *http.Request) error {
	return serveChange(w, r, http.StatusOK, s.Discipline.UpdateInvestigation)
}

func (s *Server) apiDeleteInvestigation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newAPIQuery(r)
	version := q.number("version", 1, 1<<30)
	if version == 0 {
		q.p.Add("version", "请提供读取时的版本号 version")
	}
	if err := q.err(); err != nil {
		return err
	}
	if err := s.Discipline.DeleteInvestigation(r.Context(), id, version); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiOK{OK: true})
	return nil
}

func (s *Server) apiMatterTrack(w http.ResponseWriter, r *http.Request) error {
	return serveChange(w, r, http.StatusOK, s.Discipline.UpdateMatterTrack)
}

func (s *Server) apiResponsibilityTrack(w http.ResponseWriter, r *http.Request) error {
	return serveChange(w, r, http.StatusOK, s.Discipline.UpdateResponsibilityTrack)
}

// apiCloseInput closes an investigation.
type apiCloseInput struct {
	Version int    `json:"version"`
	Note    string `json:"note"`
}

func (s *Server) apiCloseInvestigation(w http.ResponseWriter, r *http.Request) error {
	return serveChange(w, r, http.StatusOK, func(ctx context.Context, id int64, in apiCloseInput) (*xinfang.Investigation, error) {
		return s.Discipline.CloseInvestigation(ctx, id, in.Version, in.Note)
	})
}

// apiAccountabilityPage is one page of accountability records.
type apiAccountabilityPage struct {
	Items  []*xinfang.Accountability `json:"items"`
	Total  int                       `json:"total"`
	Offset int                       `json:"offset"`
	Limit  int                       `json:"limit"`
}

func (s *Server) apiAccountabilities(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.AccountabilityFilter{UnitID: q.id("unit_id"), Measure: xinfang.AccountabilityMeasure(q.str("measure")), Year: q.number("year", 2000, 2100),
		Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 1, 500)}
	if err := q.err(); err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	items, total, err := s.Discipline.FindAccountabilities(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiAccountabilityPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// apiAccountabilityInput is what a client sends to record 问责.
type apiAccountabilityInput struct {
	Target           string        `json:"target"`
	UnitID           int64         `json:"unit_id"`
	OfficialName     string        `json:"official_name"`
	OfficialPosition string        `json:"official_position"`
	Measure          string        `json:"measure"`
	DecidedOn        calendar.Date `json:"decided_on"`
	DecidedBy        string        `json:"decided_by"`
	Ground           string        `json:"ground"`
	Note             string        `json:"note"`
	PetitionIDs      []int64       `json:"petition_ids"`
	CaseIDs          []int64       `json:"case_ids"`
	InvestigationID  int64         `json:"investigation_id"`
}

func (s *Server) apiCreateAccountability(w http.ResponseWriter, r *http.Request) error {
	var in apiAccountabilityInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a := &xinfang.Accountability{Target: xinfang.AccountabilityTarget(in.Target), UnitID: in.UnitID, OfficialName: in.OfficialName, OfficialPosition: in.OfficialPosition,
		Measure: xinfang.AccountabilityMeasure(in.Measure), DecidedOn: in.DecidedOn, DecidedBy: in.DecidedBy, Ground: in.Ground, Note: in.Note,
		PetitionIDs: in.PetitionIDs, CaseIDs: in.CaseIDs, InvestigationID: in.InvestigationID}
	if err := s.Discipline.CreateAccountability(r.Context(), a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) apiAccountability(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Discipline.FindAccountabilityByID)
}

func (s *Server) apiLetters(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	unitID, year := q.id("unit_id"), q.number("year", 2000, 2100)
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.Discipline.FindResponsibilityLetters(r.Context(), unitID, year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.ResponsibilityLetter]{Items: items})
	return nil
}

// apiLetterInput is what a client sends for a 责任书.
type apiLetterInput struct {
	UnitID   int64         `json:"unit_id"`
	Year     int           `json:"year"`
	SignedOn calendar.Date `json:"signed_on"`
	Targets  []string      `json:"targets"`
	Note     string        `json:"note"`
}

func (in apiLetterInput) letter(id int64) *xinfang.ResponsibilityLetter {
	return &xinfang.ResponsibilityLetter{ID: id, UnitID: in.UnitID, Year: in.Year, SignedOn: in.SignedOn, Targets: in.Targets, Note: in.Note}
}

func (s *Server) apiCreateLetter(w http.ResponseWriter, r *http.Request) error {
	var in apiLetterInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	l := in.letter(0)
	if err := s.Discipline.SaveResponsibilityLetter(r.Context(), l); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (s *Server) apiLetter(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Discipline.FindResponsibilityLetterByID)
}

func (s *Server) apiUpdateLetter(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// The letter must be readable first, so that another subtree's letter
	// is not found rather than overwritten.
	if _, err := s.Discipline.FindResponsibilityLetterByID(r.Context(), id); err != nil {
		return err
	}
	var in apiLetterInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	l := in.letter(id)
	if err := s.Discipline.SaveResponsibilityLetter(r.Context(), l); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}
