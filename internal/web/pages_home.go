package web

import (
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

type homeView struct {
	base
	// Lists are the workbench lists that are the user's business.
	Lists    []*workQueue
	CanEnter bool
	// Desk is what the user's other roles act on (workbench_roles.go).
	Desk *roleDesk
	// Decisions are the open decisions of special meetings the user or
	// the user's unit owns (会议决定事项).
	Decisions []*xinfang.DecisionTask
	Today     calendar.Date
}

// handleHome is the 工作台 (s.workbench): the lists that are the user's
// business, each with its count, first items and link to the ledger.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	wb, err := s.workbench(r)
	if err != nil {
		return err
	}
	desk, err := s.roleDesk(r)
	if err != nil {
		return err
	}
	v := &homeView{CanEnter: xinfang.CanRegister(xinfang.UserFromContext(r.Context())), Desk: desk}
	for _, q := range wb {
		if q.Applies {
			v.Lists = append(v.Lists, q)
		}
	}
	if u := xinfang.UserFromContext(r.Context()); s.Meetings != nil && xinfang.CanReadMeetings(u) {
		if v.Decisions, err = s.Meetings.FindDecisions(r.Context(), xinfang.DecisionFilter{Mine: true, Open: true}); err != nil {
			return err
		}
		v.Today = s.today()
	}
	v.Title, v.Nav = "工作台", "home"
	s.fillBase(r, &v.base)
	s.noteSlowIndexes(r, &v.base)
	return s.render(w, r, http.StatusOK, "home.html", v)
}
