package web

import (
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of the expert pool, the observers' register and the hearings
// (openapi_hearings.json).

func (s *Server) apiExperts(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.ExpertFilter{Field: xinfang.ExpertField(q.str("field")), Q: q.str("q")}
	if b := q.boolean("available"); b != nil {
		f.Available = *b
	}
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.Society.FindExperts(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.Expert]{Items: items})
	return nil
}

// apiExpertInput is what a client sends for an expert.
type apiExpertInput struct {
	Name      string `json:"name"`
	Field     string `json:"field"`
	Title     string `json:"title"`
	Employer  string `json:"employer"`
	Phone     string `json:"phone"`
	Available bool   `json:"available"`
	UserID    int64  `json:"user_id"`
	Note      string `json:"note"`
}

func (in apiExpertInput) expert(id int64) *xinfang.Expert {
	return &xinfang.Expert{ID: id, Name: in.Name, Field: xinfang.ExpertField(in.Field), Title: in.Title, Employer: in.Employer, Phone: in.Phone,
		Available: in.Available, UserID: in.UserID, Note: in.Note}
}

func (s *Server) apiCreateExpert(w http.ResponseWriter, r *http.Request) error {
	var in apiExpertInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	e := in.expert(0)
	if err := s.Society.SaveExpert(r.Context(), e); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) apiExpert(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Society.FindExpertByID)
}

func (s *Server) apiUpdateExpert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Society.FindExpertByID(r.Context(), id); err != nil {
		return err
	}
	var in apiExpertInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	e := in.expert(id)
	if err := s.Society.SaveExpert(r.Context(), e); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) apiObservers(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.ObserverFilter{Kind: xinfang.ObserverKind(q.str("kind")), Q: q.str("q")}
	if b := q.boolean("available"); b != nil {
		f.Available = *b
	}
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.Society.FindObservers(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.Observer]{Items: items})
	return nil
}

// apiObserverInput is what a client sends for an observer.
type apiObserverInput struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Affiliation string `json:"affiliation"`
	Phone       string `json:"phone"`
	Available   bool   `json:"available"`
	UserID      int64  `json:"user_id"`
	Note        string `json:"note"`
}

func (in apiObserverInput) observer(id int64) *xinfang.Observer {
	return &xinfang.Observer{ID: id, Name: in.Name, Kind: xinfang.ObserverKind(in.Kind), Affiliation: in.Affiliation, Phone: in.Phone,
		Available: in.Available, UserID: in.UserID, Note: in.Note}
}

func (s *Server) apiCreateObserver(w http.ResponseWriter, r *http.Request) error {
	var in apiObserverInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	o := in.observer(0)
	if err := s.Society.SaveObserver(r.Context(), o); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) apiObserver(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Society.FindObserverByID)
}

func (s *Server) apiUpdateObserver(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Society.FindObserverByID(r.Context(), id); err != nil {
		return err
	}
	var in apiObserverInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	o := in.observer(id)
	if err := s.Society.SaveObserver(r.Context(), o); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// apiHearingPage is one page of hearings.
type apiHearingPage struct {
	Items  []*xinfang.Hearing `json:"items"`
	Total  int                `json:"total"`
	Offset int                `json:"offset"`
	Limit  int                `json:"limit"`
}

func (s *Server) apiHearings(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.HearingFilter{State: xinfang.HearingState(q.str("state")), PetitionID: q.id("petition_id"), CaseID: q.id("case_id"),
		Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 0, 500)}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.Hearings.FindHearings(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiHearingPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// apiHearingInput is what a client sends to schedule a hearing.
type apiHearingInput struct {
	PetitionID   int64                        `json:"petition_id"`
	CaseID       int64                        `json:"case_id"`
	Subject      string                       `json:"subject"`
	Place        string                       `json:"place"`
	ScheduledOn  calendar.Date                `json:"scheduled_on"`
	NoticeOn     calendar.Date                `json:"notice_on"`
	Public       bool                         `json:"public"`
	ClosedReason string                       `json:"closed_reason"`
	ChairUserID  int64                        `json:"chair_user_id"`
	Parties      string                       `json:"parties"`
	Participants []xinfang.HearingParticipant `json:"participants"`
}

func (s *Server) apiCreateHearing(w http.ResponseWriter, r *http.Request) error {
	var in apiHearingInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	h := &xinfang.Hearing{PetitionID: in.PetitionID, CaseID: in.CaseID, Subject: in.Subject, Place: in.Place, ScheduledOn: in.ScheduledOn,
		NoticeOn: in.NoticeOn, Public: in.Public, ClosedReason: in.ClosedReason, ChairUserID: in.ChairUserID, Parties: in.Parties, Participants: in.Participants}
	if err := s.Hearings.CreateHearing(r.Context(), h); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, h)
	return nil
}

func (s *Server) apiHearing(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Hearings.FindHearingByID)
}

func (s *Server) apiHearingPeople(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Hearings.HearingPeople(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiStartHearing(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.HearingStart
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	h, err := s.Hearings.StartHearing(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) apiConcludeHearing(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.HearingConclusion
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	h, err := s.Hearings.ConcludeHearing(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

// apiCancelInput is what a client sends to cancel a hearing.
type apiCancelInput struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

func (s *Server) apiCancelHearing(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in apiCancelInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	h, err := s.Hearings.CancelHearing(r.Context(), id, in.Version, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}
