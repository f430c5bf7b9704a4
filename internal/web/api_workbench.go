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
	Label string `json:"label"`
	Count int    `json:"count"`
	// CountCapped says the count stopped: more than Count items wait.
	CountCapped bool                `json:"count_capped"`
	Items       []*xinfang.Petition `json:"items"`
}

// apiWorkbench is the workbench (工作台) of the signed-in user (s.workbench),
// each list by its JSON name: to_sign, to_accept, to_reply, due_soon,
// overdue, severe. A list that is not the user's business is empty.
func (s *Server) apiWorkbench(w http.ResponseWriter, r *http.Request) error {
	wb, err := s.workbench(r)
	if err != nil {
		return err
	}
	out := map[string]apiQueue{}
	for _, q := range wb {
		apiMask(q.Items)
		n, capped := q.Count, q.Count > xinfang.WorkbenchMaxCount
		if capped {
			n = xinfang.WorkbenchMaxCount
		}
		out[q.JSON] = apiQueue{Label: q.Label, Count: n, CountCapped: capped, Items: q.Items}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
