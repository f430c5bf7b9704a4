package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"xinfang"
)

// The hearings' pages (听证): the list, scheduling a hearing, a hearing's
// page with its start, conclusion and cancellation, and the printable
// 听证通知书. The tabs lead to the expert pool and the observers'
// register for those who may open them.

// societyTab is one tab of the hearings' pages.
type societyTab struct {
	Href, Label, ID string
	On              bool
}

// tabDef is a tab of a register's pages: where it goes, its words, its
// id, and the route that must admit the user for it to show.
type tabDef struct{ href, label, id, pattern string }

// openTabs are the tabs of defs the user's routes admit, on marking one.
func openTabs(b *base, on string, defs []tabDef) []societyTab {
	var out []societyTab
	for _, t := range defs {
		if b.Opens(t.pattern) {
			out = append(out, societyTab{Href: t.href, Label: t.label, ID: t.id, On: t.id == on})
		}
	}
	return out
}

func societyTabs(b *base, on string) []societyTab {
	return openTabs(b, on, []tabDef{
		{"/hearings", "听证", "tab-hearings", "/hearings"},
		{"/society/experts", "专家库", "tab-experts", "/society/experts"},
		{"/society/observers", "监督员名录", "tab-observers", "/society/observers"},
	})
}

type hearingsView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.Hearing
	Total     int
	States    []xinfang.Label
	Q         url.Values
	CanManage bool
}

func (s *Server) handleHearings(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	v := &hearingsView{States: xinfang.HearingStates, Q: url.Values{}, CanManage: xinfang.CanManageSociety(u)}
	v.Title, v.Nav = "听证", "hearings"
	f := xinfang.HearingFilter{Limit: 200}
	if st := r.URL.Query().Get("state"); st != "" {
		v.Q.Set("state", st)
		f.State = xinfang.HearingState(st)
	}
	var err error
	v.Items, v.Total, err = s.Hearings.FindHearings(r.Context(), f)
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	s.fillBase(r, &v.base)
	v.Tabs = societyTabs(&v.base, "tab-hearings")
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	return s.render(w, r, http.StatusOK, "hearings.html", v)
}

type newHearingView struct {
	base
	Tabs        []societyTab
	People      *xinfang.HearingPeople
	Form        url.Values
	NoticeDays  int
	Today       string
	FieldLabels []xinfang.Label
}

// Picked reports whether value v of the form's list name was chosen.
func (v *newHearingView) Picked(name string, id int64) bool {
	return slices.Contains(v.Form[name], strconv.FormatInt(id, 10))
}

func (s *Server) handleNewHearing(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{}
	q := r.URL.Query()
	for _, k := range []string{"petition", "case"} {
		if val := q.Get(k); val != "" {
			form.Set(k, val)
		}
	}
	form.Set("notice_on", s.today().String())
	form.Set("scheduled_on", s.today().AddDays(s.Procedure(r.Context()).Cfg.HearingNoticeDays).String())
	form.Set("public", "1")
	return s.renderNewHearing(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderNewHearing(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	people, err := s.Hearings.HearingPeople(r.Context())
	if err != nil {
		return err
	}
	v := &newHearingView{People: people, Form: form, NoticeDays: s.Procedure(r.Context()).Cfg.HearingNoticeDays, Today: s.today().String()}
	v.Title, v.Nav = "安排听证", "hearings"
	s.fillBase(r, &v.base)
	v.Tabs = societyTabs(&v.base, "tab-hearings")
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "hearing_new.html", v)
}

// formIDs reads the ids of a repeated form field; a bad one is a problem
// on field.
func formIDs(form url.Values, name, field string, probs xinfang.Problems) []int64 {
	var out []int64
	for _, v := range form[name] {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			probs.Add(field, "请从列表中选择")
			continue
		}
		out = append(out, id)
	}
	return out
}

func (s *Server) handleCreateHearing(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	h := &xinfang.Hearing{Subject: form.Get("subject"), Place: form.Get("place"), ScheduledOn: formDate(form, "scheduled_on", probs),
		NoticeOn: formDate(form, "notice_on", probs), Public: form.Get("public") != "", ClosedReason: form.Get("closed_reason"), Parties: form.Get("parties")}
	if ref := strings.TrimSpace(form.Get("petition")); ref != "" {
		id, err := s.discFormPetition(r, ref)
		if err != nil {
			probs.Add("petition_id", "信访件 "+ref+" 不存在或无权查看")
		}
		h.PetitionID = id
	}
	if ref := strings.TrimSpace(form.Get("case")); ref != "" {
		id, err := s.caseRef(r, ref)
		if err != nil {
			probs.Add("case_id", "积案 "+ref+" 不存在或无权查看")
		}
		h.CaseID = id
	}
	if c := strings.TrimSpace(form.Get("chair_user_id")); c != "" {
		h.ChairUserID, _ = strconv.ParseInt(c, 10, 64)
	}
	add := func(name string, role xinfang.ParticipantRole, kind xinfang.ParticipantKind) {
		for _, id := range formIDs(form, name, "participants", probs) {
			x := xinfang.HearingParticipant{Role: role, Kind: kind}
			switch kind {
			case xinfang.FromExpert:
				x.ExpertID = id
			case xinfang.FromObserver:
				x.ObserverID = id
			default:
				x.UserID = id
			}
			h.Participants = append(h.Participants, x)
		}
	}
	add("officer_expert", xinfang.RoleOfficer, xinfang.FromExpert)
	add("officer_lawyer", xinfang.RoleOfficer, xinfang.FromLawyer)
	add("officer_observer", xinfang.RoleOfficer, xinfang.FromObserver)
	add("attend_observer", xinfang.RoleAttendee, xinfang.FromObserver)
	err := probs.Err()
	if err == nil {
		err = s.Hearings.CreateHearing(r.Context(), h)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderNewHearing(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/hearings/"+strconv.FormatInt(h.ID, 10)+"?done=create", http.StatusSeeOther)
	return nil
}

type hearingView struct {
	base
	Tabs      []societyTab
	H         *xinfang.Hearing
	CanManage bool
	// Clock is the petition's 复核 clock, when the reader sees the petition.
	Clock    *xinfang.Clock
	Petition *xinfang.Petition
	Form     url.Values
	Today    string
}

// Attendance returns the attendance a form kept for participant id.
func (v *hearingView) Attendance(id int64) string {
	return v.Form.Get("attendance_" + strconv.FormatInt(id, 10))
}

// Remarks returns the remarks a form kept for participant id.
func (v *hearingView) Remarks(id int64) string {
	return v.Form.Get("remarks_" + strconv.FormatInt(id, 10))
}

func (s *Server) handleHearing(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderHearing(w, r, http.StatusOK, id, url.Values{}, nil)
}

func (s *Server) renderHearing(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	h, err := s.Hearings.FindHearingByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	v := &hearingView{H: h, CanManage: xinfang.CanManageSociety(u), Form: form, Today: s.today().String()}
	v.Title, v.Nav = "听证 "+h.Number, "hearings"
	// The petition and its 复核 clock for those who see the petition; the
	// hearing's outside people do not.
	if h.PetitionID != 0 && xinfang.CanReadCases(u) {
		if p, err := s.Petitions.FindPetitionByID(r.Context(), h.PetitionID); err == nil {
			v.Petition = p
			for i := range p.Clocks {
				if p.Clocks[i].Kind == xinfang.ClockRereview {
					v.Clock = &p.Clocks[i]
				}
			}
		} else if xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			return err
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = societyTabs(&v.base, "tab-hearings")
	v.formOutcome(r, map[string]string{
		"create":   "听证已安排，请打印并送达听证通知书。",
		"start":    "已记录听证开始。",
		"conclude": "听证已结束，笔录和结论已记录。",
		"cancel":   "听证已取消。",
	}, ferr)
	return s.render(w, r, status, "hearing.html", v)
}

// hearingForm serves the forms of a hearing's page: start, conclude and
// cancel; a refused form shows the page again with its input and errors.
func hearingForm(action xinfang.HearingAction) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, form, version, err := recordForm(r)
		if err != nil {
			return err
		}
		probs := xinfang.Problems{}
		switch action {
		case xinfang.HearingActStart:
			in := xinfang.HearingStart{Version: version, StartedOn: formDate(form, "started_on", probs)}
			if err = probs.Err(); err == nil {
				_, err = s.Hearings.StartHearing(r.Context(), id, in)
			}
		case xinfang.HearingActConclude:
			in := xinfang.HearingConclusion{Version: version, EndedOn: formDate(form, "ended_on", probs), Record: form.Get("record"),
				Conclusion: form.Get("conclusion"), PetitionerAttended: form.Get("petitioner_attended") != ""}
			for _, pid := range formIDs(form, "participant", "attendance", probs) {
				key := strconv.FormatInt(pid, 10)
				in.Attendance = append(in.Attendance, xinfang.AttendanceRecord{ParticipantID: pid,
					Attendance: xinfang.HearingAttendance(form.Get("attendance_" + key)), Remarks: form.Get("remarks_" + key)})
			}
			if err = probs.Err(); err == nil {
				_, err = s.Hearings.ConcludeHearing(r.Context(), id, in)
			}
		case xinfang.HearingActCancel:
			_, err = s.Hearings.CancelHearing(r.Context(), id, version, form.Get("reason"))
		}
		if err != nil {
			switch xinfang.ErrorCode(err) {
			case xinfang.EINVALID:
				return s.renderHearing(w, r, http.StatusUnprocessableEntity, id, form, err)
			case xinfang.ECONFLICT:
				return s.renderHearing(w, r, http.StatusConflict, id, form, err)
			}
			return err
		}
		http.Redirect(w, r, "/hearings/"+strconv.FormatInt(id, 10)+"?done="+string(action), http.StatusSeeOther)
		return nil
	}
}

type hearingNoticeView struct {
	base
	H          *xinfang.Hearing
	PageBack   string
	NoticeDays int
}

// handleHearingNotice renders the 听证通知书 of a hearing as an A4 page:
// to the parties, with the time, place, chair, officers and whether it is
// public. A cancelled hearing has none.
func (s *Server) handleHearingNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := s.Hearings.FindHearingByID(r.Context(), id)
	if err != nil {
		return err
	}
	if h.State == xinfang.HearingCancelled {
		return xinfang.Errorf(xinfang.ENOTFOUND, "听证已取消，没有听证通知书")
	}
	v := &hearingNoticeView{H: h, PageBack: "/hearings/" + strconv.FormatInt(id, 10), NoticeDays: s.Procedure(r.Context()).Cfg.HearingNoticeDays}
	v.Title = "听证通知书 " + h.Number
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "print_hearing_notice.html", v)
}

// PartyLines are the parties the notice is addressed to, one a line,
// without the label before a colon ("信访人：张三" → "张三").
func (v *hearingNoticeView) PartyLines() []string {
	var out []string
	for _, l := range strings.Split(v.H.Parties, "\n") {
		l = strings.TrimSpace(l)
		if i := strings.IndexAny(l, "：:"); i >= 0 {
			l = strings.TrimSpace(l[i+len(string([]rune(l[i:])[0])):])
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
