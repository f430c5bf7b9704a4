package web

import (
	"net/http"
	"net/url"
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
)

// The follow-up pages (跟踪回访): the due list of the reader's scope, a
// petition's visits with the form that records one (and, when the matter
// is not settled, opens a task or a backlog case), and the unit's task
// list (本单位任务) where the 联席办 finds its aftercare tasks.

func followupTabs(b *base, on string) []societyTab {
	return openTabs(b, on, []tabDef{
		{"/followups", "待回访", "tab-followups", "/followups"},
		{"/tasks", "本单位任务", "tab-tasks", "/tasks"},
		{"/tasks?origin=aftercare", "善后帮扶任务", "tab-aftercare", "/tasks"},
	})
}

type followupsView struct {
	base
	Tabs  []societyTab
	Items []*xinfang.FollowupDue
	Total int
	Days  int
}

func (s *Server) handleFollowupsDue(w http.ResponseWriter, r *http.Request) error {
	v := &followupsView{Days: s.Procedure(r.Context()).Cfg.FollowupDays}
	v.Title, v.Nav = "跟踪回访", "followups"
	var err error
	if v.Items, v.Total, err = s.Followups.FindFollowupsDue(r.Context(), 500, 0); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	v.Tabs = followupTabs(&v.base, "tab-followups")
	return s.render(w, r, http.StatusOK, "followups.html", v)
}

type petitionFollowupsView struct {
	base
	Tabs      []societyTab
	P         *xinfang.Petition
	Items     []*xinfang.Followup
	RepliedOn calendar.Date
	CanRecord bool
	Hows      []xinfang.Label
	Moods     []xinfang.Label
	Reopens   []xinfang.Label
	Leaders   []xinfang.CaseUser
	Form      url.Values
	Today     string
}

func (s *Server) handlePetitionFollowups(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	form := url.Values{"visited_on": {s.today().String()}, "by": {u.Name}, "settled": {"1"}}
	return s.renderPetitionFollowups(w, r, http.StatusOK, id, form, nil)
}

func (s *Server) renderPetitionFollowups(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	p, err := s.Petitions.FindPetitionByID(r.Context(), id)
	if err != nil {
		return err
	}
	items, replied, err := s.Followups.FindFollowups(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	v := &petitionFollowupsView{P: p, Items: items, RepliedOn: replied, Hows: xinfang.VisitHows, Moods: xinfang.VisitMoods, Reopens: xinfang.FollowupReopens,
		Form: form, Today: s.today().String()}
	for _, st := range xinfang.FollowupStates {
		v.CanRecord = v.CanRecord || p.State == st
	}
	v.CanRecord = v.CanRecord && !replied.IsZero() && xinfang.CanRecordFollowup(u)
	if v.CanRecord {
		if _, v.Leaders, err = s.leaders(r); err != nil {
			return err
		}
	}
	v.Title, v.Nav = "回访 "+p.Number, "followups"
	s.fillBase(r, &v.base)
	v.Tabs = followupTabs(&v.base, "")
	if r.URL.Query().Get("done") == "1" {
		v.Notice = "回访已记录。"
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "followup_petition.html", v)
}

func (s *Server) handleRecordFollowup(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	seen, serr := strconv.Atoi(form.Get("seen"))
	if serr != nil {
		probs.Add("version", "版本号缺失，请刷新页面后重试")
	}
	f := &xinfang.Followup{VisitedOn: formDate(form, "visited_on", probs), By: form.Get("by"), How: form.Get("how"), Mood: form.Get("mood"),
		Settled: form.Get("settled") == "1", Note: form.Get("note"), Reopen: xinfang.FollowupReopen(form.Get("reopen"))}
	if !f.Settled {
		if f.Reopen == xinfang.ReopenTask {
			f.TaskDeadline = formDate(form, "task_deadline", probs)
		}
		f.LeaderID = discFormID(form, "leader_id", "leader_id", probs)
	}
	err = probs.Err()
	if err == nil {
		err = s.Followups.RecordFollowup(r.Context(), id, seen, f)
	}
	if err != nil {
		switch xinfang.ErrorCode(err) {
		case xinfang.EINVALID:
			return s.renderPetitionFollowups(w, r, http.StatusUnprocessableEntity, id, form, err)
		case xinfang.ECONFLICT:
			return s.renderPetitionFollowups(w, r, http.StatusConflict, id, form, err)
		}
		return err
	}
	http.Redirect(w, r, "/petitions/"+strconv.FormatInt(id, 10)+"/followups?done=1", http.StatusSeeOther)
	return nil
}

type unitTasksView struct {
	base
	Tabs   []societyTab
	Items  []*xinfang.Task
	Origin string
	Today  calendar.Date
}

func (s *Server) handleUnitTasks(w http.ResponseWriter, r *http.Request) error {
	origin := xinfang.TaskOrigin(r.URL.Query().Get("origin"))
	if origin != "" && origin != xinfang.TaskOriginAftercare && origin != xinfang.TaskOriginFollowup {
		return xinfang.FieldError("origin", "未知的任务来源")
	}
	v := &unitTasksView{Origin: string(origin), Today: s.today()}
	v.Title, v.Nav = "本单位任务", "tasks"
	var err error
	if v.Items, err = s.Followups.FindUnitTasks(r.Context(), origin); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	on := "tab-tasks"
	if origin == xinfang.TaskOriginAftercare {
		on = "tab-aftercare"
		v.Title = "善后帮扶任务"
	}
	v.Tabs = followupTabs(&v.base, on)
	return s.render(w, r, http.StatusOK, "unit_tasks.html", v)
}
