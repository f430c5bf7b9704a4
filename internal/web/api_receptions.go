package web

import (
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of leaders' receptions (领导接访、下访、约访) and special
// meetings (专题会、协调会、调度会), openapi_receptions.json. A meeting's
// decisions are tasks of the items discussed: they are finished or
// released through the items' task endpoints.

// apiReceptionPage is one page of receptions.
type apiReceptionPage struct {
	Items  []*xinfang.Reception `json:"items"`
	Total  int                  `json:"total"`
	Offset int                  `json:"offset"`
	Limit  int                  `json:"limit"`
}

func (s *Server) apiReceptions(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.ReceptionFilter{Kind: xinfang.ReceptionKind(q.str("kind")), State: xinfang.ReceptionState(q.str("state")), LeaderID: q.id("leader_id"),
		From: q.date("from"), To: q.date("to"), Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 0, 500)}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.Receptions.FindReceptions(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiReceptionPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// scheduleWindow is the schedule's days: from (today by default) to
// (60 days on by default).
func (s *Server) scheduleWindow(from, to calendar.Date) (calendar.Date, calendar.Date) {
	if from.IsZero() {
		from = s.today()
	}
	if to.IsZero() {
		to = from.AddDays(60)
	}
	return from, to
}

func (s *Server) apiReceptionSchedule(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	from, to := q.date("from"), q.date("to")
	if err := q.err(); err != nil {
		return err
	}
	from, to = s.scheduleWindow(from, to)
	items, err := s.Receptions.ReceptionSchedule(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[xinfang.ScheduledReception]{Items: items})
	return nil
}

// apiReceptionInput is what a client sends to schedule a reception.
type apiReceptionInput struct {
	Kind        string        `json:"kind"`
	LeaderID    int64         `json:"leader_id"`
	On          calendar.Date `json:"on"`
	Place       string        `json:"place"`
	PlaceUnitID int64         `json:"place_unit_id"`
	Topic       string        `json:"topic"`
	LawyerIDs   []int64       `json:"lawyer_ids"`
	ObserverIDs []int64       `json:"observer_ids"`
}

func (in apiReceptionInput) reception() *xinfang.Reception {
	rc := &xinfang.Reception{Kind: xinfang.ReceptionKind(in.Kind), LeaderID: in.LeaderID, On: in.On, Place: in.Place, PlaceUnitID: in.PlaceUnitID, Topic: in.Topic}
	for _, id := range in.LawyerIDs {
		rc.Participants = append(rc.Participants, xinfang.ReceptionParticipant{Kind: xinfang.FromLawyer, UserID: id})
	}
	for _, id := range in.ObserverIDs {
		rc.Participants = append(rc.Participants, xinfang.ReceptionParticipant{Kind: xinfang.FromObserver, ObserverID: id})
	}
	return rc
}

func (s *Server) apiScheduleReception(w http.ResponseWriter, r *http.Request) error {
	var in apiReceptionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rc := in.reception()
	if err := s.Receptions.ScheduleReception(r.Context(), rc); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rc)
	return nil
}

func (s *Server) apiReception(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Receptions.FindReceptionByID)
}

// recordStep decodes the body into in, applies fn to record {id} and
// answers with the record fn returns (a reception, a meeting).
func recordStep[T, R any](fn func(s *Server, r *http.Request, id int64, in T) (R, error)) func(*Server, http.ResponseWriter, *http.Request) error {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var in T
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		rec, err := fn(s, r, id, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}

var (
	apiReceptionMatter = recordStep(func(s *Server, r *http.Request, id int64, in xinfang.ReceptionMatterInput) (*xinfang.Reception, error) {
		return s.Receptions.AddReceptionMatter(r.Context(), id, in)
	})
	apiRecordReception = recordStep(func(s *Server, r *http.Request, id int64, in xinfang.ReceptionRecord) (*xinfang.Reception, error) {
		return s.Receptions.RecordReception(r.Context(), id, in)
	})
	apiCancelReception = recordStep(func(s *Server, r *http.Request, id int64, in struct {
		Version int    `json:"version"`
		Reason  string `json:"cancel_reason"`
	}) (*xinfang.Reception, error) {
		return s.Receptions.CancelReception(r.Context(), id, in.Version, in.Reason)
	})
)

func (s *Server) apiPetitionReceptions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	items, err := s.Receptions.FindPetitionReceptions(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[xinfang.ReceptionMatter]{Items: items})
	return nil
}

// apiMeetingPage is one page of meetings.
type apiMeetingPage struct {
	Items  []*xinfang.Meeting `json:"items"`
	Total  int                `json:"total"`
	Offset int                `json:"offset"`
	Limit  int                `json:"limit"`
}

func (s *Server) apiMeetings(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.MeetingFilter{Kind: xinfang.MeetingKind(q.str("kind")), CaseID: q.id("case_id"), Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 0, 500)}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.Meetings.FindMeetings(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiMeetingPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

func (s *Server) apiRecordMeeting(w http.ResponseWriter, r *http.Request) error {
	var in xinfang.MeetingInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.Meetings.RecordMeeting(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) apiMeeting(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Meetings.FindMeetingByID)
}

var (
	apiMeetingMinutes = recordStep(func(s *Server, r *http.Request, id int64, in xinfang.MeetingMinutes) (*xinfang.Meeting, error) {
		return s.Meetings.SaveMeetingMinutes(r.Context(), id, in)
	})
	apiMeetingDecision = recordStep(func(s *Server, r *http.Request, id int64, in xinfang.MeetingDecision) (*xinfang.Meeting, error) {
		return s.Meetings.AddMeetingDecision(r.Context(), id, in)
	})
)

func (s *Server) apiMeetingDecisions(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	var f xinfang.DecisionFilter
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"mine", &f.Mine}, {"late", &f.Late}, {"open", &f.Open}} {
		if v := q.boolean(b.name); v != nil {
			*b.dst = *v
		}
	}
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.Meetings.FindDecisions(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.DecisionTask]{Items: items})
	return nil
}
