package web

import (
	"net/http"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// apiDeadline is the deadline calculator's answer: the clock's rule, the
// due date and, line by line, how it was reached.
type apiDeadline struct {
	Clock     string               `json:"clock"`
	Label     string               `json:"label"`
	Article   string               `json:"article"`
	Rule      string               `json:"rule"`
	Length    int                  `json:"length"`
	Workdays  bool                 `json:"workdays"`
	Start     string               `json:"start"`
	Due       string               `json:"due"`
	ExtraDays int                  `json:"extra_days"`
	Warning   xinfang.Warning      `json:"warning"`
	Why       []string             `json:"why"`
	Detail    calendar.Explanation `json:"detail"`
}

func (s *Server) apiDeadline(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	kind := xinfang.ClockKind(q.str("clock"))
	if kind == "" {
		q.p.Add("clock", "请指定期限种类")
	} else if _, ok := procedure.Def(kind); !ok {
		q.p.Add("clock", "未知的期限种类："+string(kind))
	}
	// An unencoded "+08:00" in a query string arrives as " 08:00".
	start, err := apiInstant("start", strings.ReplaceAll(q.str("start"), " ", "+"))
	if err != nil {
		q.p.Add("start", xinfang.ErrorFields(err)["start"])
	} else if start.IsZero() {
		start = s.Now()
	}
	extra := q.number("extra", 0, 366)
	if err := q.err(); err != nil {
		return err
	}
	c, err := s.Procedure(r.Context()).Calculate(kind, start, extra, s.today())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiDeadline{
		Clock: string(c.Clock.Kind), Label: c.Clock.Label, Article: c.Clock.Article, Rule: c.Clock.Rule, Length: c.Clock.Length,
		Workdays: c.Clock.Workdays, Start: c.Start.String(), Due: c.Due.String(), ExtraDays: c.Extra, Warning: c.Warning, Why: c.Why, Detail: c.Detail,
	})
	return nil
}

// apiQueue is one list of the workbench: how many, and the first few.
type apiQueue struct {
	Label string              `json:"label"`
	Count int                 `json:"count"`
	Items []*xinfang.Petition `json:"items"`
}

// apiWorkbenchBody is the workbench (工作台) of the signed-in user.
type apiWorkbenchBody struct {
	ToSign   apiQueue `json:"to_sign"`
	ToAccept apiQueue `json:"to_accept"`
	ToReply  apiQueue `json:"to_reply"`
	DueSoon  apiQueue `json:"due_soon"`
	Overdue  apiQueue `json:"overdue"`
}

// apiWorkbenchSize is how many items each list of the workbench shows.
const apiWorkbenchSize = 10

// apiTodo fills a worklist of the user's unit, left empty for a user whose
// roles may not take its action: a registrar has nothing to sign for.
func (s *Server) apiTodo(r *http.Request, q *apiQueue, kind string, action xinfang.Action) error {
	q.Items = []*xinfang.Petition{}
	if t, ok := procedure.Find(action); ok && !xinfang.UserFromContext(r.Context()).HasAny(t.Roles...) {
		return nil
	}
	items, n, err := s.Petitions.FindTodo(r.Context(), kind, 0, apiWorkbenchSize)
	if err != nil {
		return err
	}
	q.Items, q.Count = items, n
	return nil
}

func (s *Server) apiWorkbench(w http.ResponseWriter, r *http.Request) error {
	wb := apiWorkbenchBody{
		ToSign: apiQueue{Label: "待签收"}, ToAccept: apiQueue{Label: "待受理"}, ToReply: apiQueue{Label: "待答复"},
		DueSoon: apiQueue{Label: "临期"}, Overdue: apiQueue{Label: "超期"},
	}
	if err := s.apiTodo(r, &wb.ToSign, xinfang.TodoSign, xinfang.ActSign); err != nil {
		return err
	}
	if err := s.apiTodo(r, &wb.ToAccept, xinfang.TodoAccept, xinfang.ActAccept); err != nil {
		return err
	}
	if err := s.apiTodo(r, &wb.ToReply, xinfang.TodoReply, xinfang.ActReply); err != nil {
		return err
	}
	soon, n, err := s.Petitions.FindPetitions(r.Context(), xinfang.PetitionFilter{Warning: xinfang.WarnNear, Open: true, Sort: "due", Limit: apiWorkbenchSize})
	if err != nil {
		return err
	}
	wb.DueSoon.Items, wb.DueSoon.Count = soon, n
	late, n, err := s.Petitions.FindOverdue(r.Context(), 0, apiWorkbenchSize)
	if err != nil {
		return err
	}
	wb.Overdue.Items, wb.Overdue.Count = late, n
	for _, q := range []*apiQueue{&wb.ToSign, &wb.ToAccept, &wb.ToReply, &wb.DueSoon, &wb.Overdue} {
		apiMask(q.Items)
	}
	writeJSON(w, http.StatusOK, wb)
	return nil
}
