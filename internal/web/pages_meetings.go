package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// The pages of special meetings (专题会、协调会、调度会): the list, the
// decisions (会议决定事项) with the reader's own and the late ones,
// recording a meeting, and a meeting's page with its minutes and its
// decisions — each a task of an item discussed, finished or released
// here through the item's own task action.

func meetingTabs(b *base, on string) []societyTab {
	return openTabs(b, on, []tabDef{
		{"/meetings", "会议", "tab-meetings", "/meetings"},
		{"/meetings/decisions?mine=1", "我负责的决定事项", "tab-mine", "/meetings/decisions"},
		{"/meetings/decisions?late=1", "逾期事项", "tab-late", "/meetings/decisions"},
		{"/meetings/new", "记录会议", "tab-new-meeting", "/meetings/new"},
	})
}

type meetingsView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.Meeting
	Total     int
	Kinds     []xinfang.Label
	Q         url.Values
	CanManage bool
	Today     calendar.Date
}

func (s *Server) handleMeetings(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	v := &meetingsView{Kinds: xinfang.MeetingKinds, Q: url.Values{}, CanManage: xinfang.CanManageMeetings(u), Today: s.today()}
	v.Title, v.Nav = "专题会议", "meetings"
	if k := r.URL.Query().Get("kind"); k != "" {
		v.Q.Set("kind", k)
	}
	var err error
	v.Items, v.Total, err = s.Meetings.FindMeetings(r.Context(), xinfang.MeetingFilter{Kind: xinfang.MeetingKind(v.Q.Get("kind")), Limit: 200})
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	s.fillBase(r, &v.base)
	v.Tabs = meetingTabs(&v.base, "tab-meetings")
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	return s.render(w, r, http.StatusOK, "meetings.html", v)
}

type decisionsView struct {
	base
	Tabs  []societyTab
	Items []*xinfang.DecisionTask
	Today calendar.Date
}

func (s *Server) handleMeetingDecisions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := xinfang.DecisionFilter{Mine: q.Get("mine") != "", Late: q.Get("late") != ""}
	items, err := s.Meetings.FindDecisions(r.Context(), f)
	if err != nil {
		return err
	}
	v := &decisionsView{Items: items, Today: s.today()}
	v.Title, v.Nav = "会议决定事项", "meetings"
	s.fillBase(r, &v.base)
	on := "tab-mine"
	if f.Late {
		on = "tab-late"
	}
	v.Tabs = meetingTabs(&v.base, on)
	return s.render(w, r, http.StatusOK, "meeting_decisions.html", v)
}

type newMeetingView struct {
	base
	Tabs  []societyTab
	Users []xinfang.CaseUser
	Kinds []xinfang.Label
	Form  url.Values
}

// Picked reports whether user id was chosen as an attendee.
func (v *newMeetingView) Picked(id int64) bool {
	for _, x := range v.Form["attendee_ids"] {
		if x == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}

func (s *Server) handleNewMeeting(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{"kind": {"special"}, "held_on": {s.today().String()}}
	if c := r.URL.Query().Get("case"); c != "" {
		form.Set("cases", c)
	}
	return s.renderNewMeeting(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderNewMeeting(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	v := &newMeetingView{Form: form, Kinds: xinfang.MeetingKinds}
	v.Title, v.Nav = "记录专题会议", "meetings"
	var err error
	if v.Users, err = s.Cases.CaseUsers(r.Context()); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	v.Tabs = meetingTabs(&v.base, "tab-new-meeting")
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "meeting_new.html", v)
}

// refs splits a form's list of numbers (one a line, or separated by
// commas or spaces) and resolves each through find; an unknown one adds a
// problem on field.
func refs(r *http.Request, v, field, what string, probs xinfang.Problems, find func(*http.Request, string) (int64, error)) []int64 {
	var out []int64
	for _, ref := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == '，' || c == '、' || c == ' ' || c == '\n' || c == '\r' }) {
		id, err := find(r, ref)
		if err != nil || id == 0 {
			probs.Add(field, what+" "+ref+" 不存在或无权查看")
			continue
		}
		out = append(out, id)
	}
	return out
}

func (s *Server) handleRecordMeeting(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	in := xinfang.MeetingInput{Kind: xinfang.MeetingKind(form.Get("kind")), Title: form.Get("title"), HeldOn: formDate(form, "held_on", probs), Place: form.Get("place"),
		ChairID: discFormID(form, "chair_id", "chair_id", probs), AttendeeIDs: formIDs(form, "attendee_ids", "attendee_ids", probs), Guests: form.Get("guests"),
		Minutes: form.Get("minutes")}
	in.CaseIDs = refs(r, form.Get("cases"), "case_ids", "积案", probs, s.caseRef)
	in.PetitionIDs = refs(r, form.Get("petitions"), "petition_ids", "信访件", probs, s.discFormPetition)
	err := probs.Err()
	var m *xinfang.Meeting
	if err == nil {
		m, err = s.Meetings.RecordMeeting(r.Context(), in)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderNewMeeting(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/meetings/"+strconv.FormatInt(m.ID, 10)+"?done=create", http.StatusSeeOther)
	return nil
}

type meetingView struct {
	base
	Tabs      []societyTab
	M         *xinfang.Meeting
	CanManage bool
	Users     []xinfang.CaseUser
	Units     []*xinfang.Unit
	Form      url.Values
	Today     calendar.Date
	// Visible maps "c<id>" and "p<id>" to whether the reader opens the item.
	Visible map[string]bool
}

// ItemOpens reports whether the reader may open the item of task t.
func (v *meetingView) ItemOpens(t *xinfang.Task) bool {
	if t.CaseID != 0 {
		return v.Visible["c"+strconv.FormatInt(t.CaseID, 10)]
	}
	return v.Visible["p"+strconv.FormatInt(t.PetitionID, 10)]
}

// ItemNumber is the number of the item of task t.
func (v *meetingView) ItemNumber(t *xinfang.Task) string {
	for _, c := range v.M.Cases {
		if t.CaseID == c.ID {
			return c.Number
		}
	}
	for _, p := range v.M.Petitions {
		if t.PetitionID == p.ID {
			return p.Number
		}
	}
	return ""
}

func (s *Server) handleMeeting(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderMeeting(w, r, http.StatusOK, id, url.Values{}, nil)
}

func (s *Server) renderMeeting(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	m, err := s.Meetings.FindMeetingByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	v := &meetingView{M: m, CanManage: xinfang.CanManageMeetings(u), Form: form, Today: s.today(), Visible: map[string]bool{}}
	for _, c := range m.Cases {
		v.Visible["c"+strconv.FormatInt(c.ID, 10)] = c.Visible
	}
	for _, p := range m.Petitions {
		v.Visible["p"+strconv.FormatInt(p.ID, 10)] = p.Visible
	}
	v.Title, v.Nav = m.KindLabel()+"："+m.Title, "meetings"
	if v.CanManage {
		if v.Users, err = s.Cases.CaseUsers(r.Context()); err != nil {
			return err
		}
		if v.Units, _, err = s.units(r); err != nil {
			return err
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = meetingTabs(&v.base, "tab-meetings")
	switch r.URL.Query().Get("done") {
	case "create":
		v.Notice = "会议已记录。"
	case "minutes":
		v.Notice = "会议纪要已保存。"
	case "decisions":
		v.Notice = "决定事项已交办。"
	case "task":
		v.Notice = "决定事项已更新。"
	}
	if ferr != nil {
		v.Notice = ""
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "meeting.html", v)
}

// meetingForm serves a form of a meeting's page.
func meetingForm(step string, fn func(s *Server, r *http.Request, id int64, form url.Values) error) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		if err := fn(s, r, id, r.PostForm); err != nil {
			switch xinfang.ErrorCode(err) {
			case xinfang.EINVALID:
				return s.renderMeeting(w, r, http.StatusUnprocessableEntity, id, r.PostForm, err)
			case xinfang.ECONFLICT:
				return s.renderMeeting(w, r, http.StatusConflict, id, r.PostForm, err)
			}
			return err
		}
		http.Redirect(w, r, "/meetings/"+strconv.FormatInt(id, 10)+"?done="+step+"#decisions", http.StatusSeeOther)
		return nil
	}
}

func (s *Server) handleMeetingMinutes(w http.ResponseWriter, r *http.Request) error {
	return meetingForm("minutes", func(s *Server, r *http.Request, id int64, f url.Values) error {
		version, _ := strconv.Atoi(f.Get("version"))
		_, err := s.Meetings.SaveMeetingMinutes(r.Context(), id, xinfang.MeetingMinutes{Version: version, Minutes: f.Get("minutes")})
		return err
	})(s, w, r)
}

func (s *Server) handleMeetingDecision(w http.ResponseWriter, r *http.Request) error {
	return meetingForm("decisions", func(s *Server, r *http.Request, id int64, f url.Values) error {
		probs := xinfang.Problems{}
		version, _ := strconv.Atoi(f.Get("version"))
		d := xinfang.MeetingDecision{Version: version, Title: f.Get("title"), OwnerUnitID: discFormID(f, "owner_unit_id", "owner_unit_id", probs),
			OwnerUserID: discFormID(f, "owner_user_id", "owner_user_id", probs), Deadline: formDate(f, "deadline", probs)}
		// The item: "c<id>" or "p<id>".
		if item := f.Get("item"); len(item) > 1 {
			n, _ := strconv.ParseInt(item[1:], 10, 64)
			if item[0] == 'c' {
				d.CaseID = n
			} else {
				d.PetitionID = n
			}
		}
		if err := probs.Err(); err != nil {
			return err
		}
		_, err := s.Meetings.AddMeetingDecision(r.Context(), id, d)
		return err
	})(s, w, r)
}

// handleMeetingTaskChange finishes, releases or reopens a decision through
// its item's own task action (the case's, at the case's version; the
// petition's, at the task's).
func (s *Server) handleMeetingTaskChange(w http.ResponseWriter, r *http.Request) error {
	return meetingForm("task", func(s *Server, r *http.Request, id int64, f url.Values) error {
		taskID, err := pathID(r, "task")
		if err != nil {
			return err
		}
		m, err := s.Meetings.FindMeetingByID(r.Context(), id)
		if err != nil {
			return err
		}
		var t *xinfang.Task
		for _, x := range m.Decisions {
			if x.ID == taskID {
				t = x
			}
		}
		if t == nil {
			return xinfang.Errorf(xinfang.ENOTFOUND, "决定事项不存在")
		}
		version, _ := strconv.Atoi(f.Get("version"))
		if version != t.Version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该事项已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		ch := xinfang.TaskChange{State: xinfang.TaskState(f.Get("state")), Note: f.Get("note")}
		if t.CaseID != 0 {
			c, err := s.Cases.FindCaseByID(r.Context(), t.CaseID)
			if err != nil {
				return err
			}
			_, err = s.Cases.ChangeCaseTask(r.Context(), c.ID, c.Version, t.ID, ch)
			return err
		}
		_, err = s.Cases.ChangePetitionTask(r.Context(), t.PetitionID, t.ID, t.Version, ch)
		return err
	})(s, w, r)
}
