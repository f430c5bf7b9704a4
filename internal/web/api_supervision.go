package web

import (
	"context"
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of 督办单 and of the inbox (站内消息). Storage decides who may
// issue, remind, answer and close, and what each user sees.

// apiSupervisionPage is one page of 督办单.
type apiSupervisionPage struct {
	Items  []*xinfang.Supervision `json:"items"`
	Total  int                    `json:"total"`
	Offset int                    `json:"offset"`
	Limit  int                    `json:"limit"`
}

func (s *Server) apiSupervisions(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.SupervisionFilter{
		TargetUnitID: q.id("target_unit_id"),
		PetitionID:   q.id("petition_id"),
		CaseID:       q.id("case_id"),
		Listed:       q.boolean("listed"),
		Offset:       q.number("offset", 0, 1<<30),
		Limit:        q.number("limit", 1, 500),
	}
	for _, st := range q.list("state") {
		if !xinfang.SupervisionState(st).Valid() {
			q.p.Add("state", "未知的督办状态："+st)
		}
		f.State = append(f.State, xinfang.SupervisionState(st))
	}
	if o := q.boolean("overdue"); o != nil {
		f.Overdue = *o
	}
	if err := q.err(); err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	items, total, err := s.Supervisions.FindSupervisions(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiSupervisionPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
	return nil
}

// apiSupervisionInput is what a client sends to issue a 督办单.
type apiSupervisionInput struct {
	TargetUnitID int64         `json:"target_unit_id"`
	PetitionID   int64         `json:"petition_id"`
	CaseID       int64         `json:"case_id"`
	Requirements string        `json:"requirements"`
	Deadline     calendar.Date `json:"deadline"`
	Listed       bool          `json:"listed"`
}

func (s *Server) apiCreateSupervision(w http.ResponseWriter, r *http.Request) error {
	var in apiSupervisionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	sv := &xinfang.Supervision{TargetUnitID: in.TargetUnitID, PetitionID: in.PetitionID, CaseID: in.CaseID,
		Requirements: in.Requirements, Deadline: in.Deadline, Listed: in.Listed}
	if err := s.Supervisions.CreateSupervision(r.Context(), sv); err != nil {
		return err
	}
	out, err := s.Supervisions.FindSupervisionByID(r.Context(), sv.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) apiSupervision(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Supervisions.FindSupervisionByID)
}

// apiText is the body of a 催办 or a feedback.
type apiText struct {
	Text string `json:"text"`
}

func (s *Server) apiRemindSupervision(w http.ResponseWriter, r *http.Request) error {
	return serveChange(w, r, http.StatusCreated, func(ctx context.Context, id int64, in apiText) (*xinfang.Supervision, error) {
		return s.Supervisions.RemindSupervision(ctx, id, in.Text)
	})
}

func (s *Server) apiFeedbackSupervision(w http.ResponseWriter, r *http.Request) error {
	return serveChange(w, r, http.StatusOK, func(ctx context.Context, id int64, in apiText) (*xinfang.Supervision, error) {
		return s.Supervisions.FeedbackSupervision(ctx, id, in.Text)
	})
}

func (s *Server) apiCloseSupervision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	sv, err := s.Supervisions.CloseSupervision(r.Context(), id, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sv)
	return nil
}

// apiNotificationPage is one page of the user's inbox with the unread count.
type apiNotificationPage struct {
	Items  []*xinfang.Notification `json:"items"`
	Total  int                     `json:"total"`
	Unread int                     `json:"unread"`
	Offset int                     `json:"offset"`
	Limit  int                     `json:"limit"`
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.NotificationFilter{Offset: q.number("offset", 0, 1<<30), Limit: q.number("limit", 1, 500)}
	if u := q.boolean("unread"); u != nil {
		f.Unread = *u
	}
	if err := q.err(); err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	items, total, unread, err := s.Notifications.FindNotifications(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiNotificationPage{Items: items, Total: total, Unread: unread, Offset: f.Offset, Limit: f.Limit})
	return nil
}

func (s *Server) apiUnread(w http.ResponseWriter, r *http.Request) error {
	if err := newAPIQuery(r).err(); err != nil {
		return err
	}
	n, err := s.Notifications.UnreadCount(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"unread": n})
	return nil
}

func (s *Server) apiReadNotification(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Notifications.MarkNotificationRead)
}

func (s *Server) apiReadAllNotifications(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Notifications.MarkAllNotificationsRead(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"marked": n})
	return nil
}
