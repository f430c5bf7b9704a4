package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The pages of 督办 (supervision orders) and of the inbox (站内消息), and
// the unread count every page shows.

func init() {
	pageGroups = append(pageGroups, func(s *Server) {
		s.mux.HandleFunc("GET /supervisions", s.handleSupervisions)
		s.mux.HandleFunc("POST /supervisions", s.handleCreateSupervision)
		s.mux.HandleFunc("GET /supervisions/{id}", s.handleSupervision)
		s.mux.HandleFunc("POST /supervisions/{id}/{step}", s.handleSupervisionStep)
		s.mux.HandleFunc("GET /inbox", s.handleInbox)
		s.mux.HandleFunc("POST /inbox/read-all", s.handleInboxReadAll)
		s.mux.HandleFunc("POST /inbox/{id}/read", s.handleInboxRead)
	})
	navLinks = append(navLinks,
		NavLink{Nav: "supervision", Href: "/supervisions", Label: "督办", Show: func(u *xinfang.User) bool { return !xinfang.ScopeOf(u).None }},
		NavLink{Nav: "inbox", Href: "/inbox", Label: "消息"},
	)
	baseHooks = append(baseHooks, func(s *Server, r *http.Request, b *base) {
		// A failed count must not cost the page: the menu shows none.
		if n, err := s.Inbox.UnreadCount(r.Context()); err == nil {
			b.Unread = n
		} else {
			s.Logger.Error("unread count", "err", err)
		}
	})
}

const supervisionPageSize = 50

type supervisionsView struct {
	base
	Q         url.Values
	Form      url.Values
	Units     []*xinfang.Unit
	Items     []*xinfang.Supervision
	Total     int
	Page      int
	Pages     int
	States    []xinfang.Label
	CanIssue  bool
	MinDate   string
	ShowForm  bool
	FormError bool
}

// PageURL returns the list URL of page n with the current filters.
func (v *supervisionsView) PageURL(n int) string {
	return pageURL("/supervisions", v.Q, n)
}

func (s *Server) handleSupervisions(w http.ResponseWriter, r *http.Request) {
	if s.pageUser(w, r) == nil {
		return
	}
	form := url.Values{}
	// A petition page may link here with the item filled in.
	if p := r.URL.Query().Get("petition"); p != "" {
		form.Set("petition", p)
	}
	s.renderSupervisions(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderSupervisions(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) {
	u := xinfang.UserFromContext(r.Context())
	q := r.URL.Query()
	v := &supervisionsView{Q: url.Values{}, Form: form, Page: 1, States: xinfang.SupervisionStates, CanIssue: xinfang.MayIssueSupervision(u), MinDate: s.today().String()}
	v.Title, v.Nav = "督办", "supervision"
	s.fillBase(r, &v.base)
	for _, k := range []string{"state", "listed", "overdue", "unit"} {
		if val := strings.TrimSpace(q.Get(k)); val != "" {
			v.Q.Set(k, val)
		}
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	var err error
	if v.Units, _, err = s.units(r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := xinfang.SupervisionFilter{Overdue: v.Q.Get("overdue") != "", Offset: (v.Page - 1) * supervisionPageSize, Limit: supervisionPageSize}
	if st := v.Q.Get("state"); st != "" {
		f.State = []xinfang.SupervisionState{xinfang.SupervisionState(st)}
	}
	if v.Q.Get("listed") != "" {
		t := true
		f.Listed = &t
	}
	if id, err := strconv.ParseInt(v.Q.Get("unit"), 10, 64); err == nil && id > 0 {
		f.TargetUnitID = id
	}
	v.Items, v.Total, err = s.Supervisions.FindSupervisions(r.Context(), f)
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			s.fail(w, r, err)
			return
		}
		v.Error = "查询条件有误：" + formMessage(err)
	}
	v.Pages = (v.Total + supervisionPageSize - 1) / supervisionPageSize
	if ferr != nil {
		v.Error, v.Fields, v.ShowForm, v.FormError = formMessage(ferr), xinfang.ErrorFields(ferr), true, true
	}
	s.render(w, r, status, "supervision_list.html", v)
}

func (s *Server) handleCreateSupervision(w http.ResponseWriter, r *http.Request) {
	if s.pageUser(w, r) == nil {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, xinfang.FieldError("body", "表单无法解析"))
		return
	}
	form := r.PostForm
	sv := &xinfang.Supervision{Requirements: form.Get("requirements"), Deadline: strings.TrimSpace(form.Get("deadline")), Listed: form.Get("listed") != ""}
	probs := xinfang.Problems{}
	if v := strings.TrimSpace(form.Get("target_unit_id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			probs.Add("target_unit_id", "请从列表中选择单位")
		}
		sv.TargetUnitID = id
	}
	if ref := strings.TrimSpace(form.Get("petition")); ref != "" {
		// Staff type an item's number; storage takes its id.
		id, err := s.petitionRef(r, ref)
		if err != nil {
			probs.Add("petition_id", "信访件不存在或无权查看")
		}
		sv.PetitionID = id
	}
	if v := strings.TrimSpace(form.Get("case_id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			probs.Add("case_id", "积案编号须为数字")
		}
		sv.CaseID = id
	}
	err := probs.Err()
	if err == nil {
		err = s.Supervisions.CreateSupervision(r.Context(), sv)
	}
	if err == nil {
		http.Redirect(w, r, "/supervisions/"+strconv.FormatInt(sv.ID, 10)+"?done=create", http.StatusSeeOther)
		return
	}
	switch xinfang.ErrorCode(err) {
	case xinfang.EINVALID, xinfang.EFORBIDDEN:
		s.renderSupervisions(w, r, statusOf(xinfang.ErrorCode(err)), form, err)
	default:
		s.fail(w, r, err)
	}
}

type supervisionView struct {
	base
	S         *xinfang.Supervision
	Form      url.Values
	CanRemind bool
	CanAnswer bool
	CanClose  bool
	Open      string // the form to show open after an error
}

var supervisionDone = map[string]string{
	"create":    "督办单已发出，被督办单位已收到消息。",
	"reminders": "已催办，被督办单位已收到消息。",
	"feedback":  "已反馈，督办方已收到消息。",
	"close":     "督办单已办结。",
}

func (s *Server) handleSupervision(w http.ResponseWriter, r *http.Request) {
	if s.pageUser(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, xinfang.Errorf(xinfang.ENOTFOUND, "督办单不存在或无权查看"))
		return
	}
	s.renderSupervision(w, r, http.StatusOK, id, "", url.Values{}, nil)
}

func (s *Server) renderSupervision(w http.ResponseWriter, r *http.Request, status int, id int64, step string, form url.Values, ferr error) {
	sv, err := s.Supervisions.FindSupervisionByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u := xinfang.UserFromContext(r.Context())
	v := &supervisionView{S: sv, Form: form, Open: step,
		CanRemind: sv.State == xinfang.SupervisionOpen && sv.IssuingSide(u),
		CanAnswer: sv.State == xinfang.SupervisionOpen && sv.MayAnswer(u),
		CanClose:  sv.State == xinfang.SupervisionFedBack && sv.IssuingSide(u)}
	v.Title, v.Nav = "督办单 "+sv.Number, "supervision"
	s.fillBase(r, &v.base)
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	} else if msg, ok := supervisionDone[r.URL.Query().Get("done")]; ok {
		v.Notice = msg
	}
	s.render(w, r, status, "supervision_detail.html", v)
}

// handleSupervisionStep takes the 催办, feedback and 办结 forms.
func (s *Server) handleSupervisionStep(w http.ResponseWriter, r *http.Request) {
	if s.pageUser(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, xinfang.Errorf(xinfang.ENOTFOUND, "督办单不存在或无权查看"))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, xinfang.FieldError("body", "表单无法解析"))
		return
	}
	step, form := r.PathValue("step"), r.PostForm
	ctx := r.Context()
	switch step {
	case "reminders":
		_, err = s.Supervisions.RemindSupervision(ctx, id, form.Get("text"))
	case "feedback":
		_, err = s.Supervisions.FeedbackSupervision(ctx, id, form.Get("text"))
	case "close":
		_, err = s.Supervisions.CloseSupervision(ctx, id, form.Get("note"))
	default:
		s.fail(w, r, xinfang.Errorf(xinfang.ENOTFOUND, "页面不存在"))
		return
	}
	if err == nil {
		http.Redirect(w, r, "/supervisions/"+strconv.FormatInt(id, 10)+"?done="+step, http.StatusSeeOther)
		return
	}
	switch xinfang.ErrorCode(err) {
	case xinfang.EINVALID, xinfang.ECONFLICT, xinfang.EFORBIDDEN:
		s.renderSupervision(w, r, statusOf(xinfang.ErrorCode(err)), id, step, form, err)
	default:
		s.fail(w, r, err)
	}
}

const inboxPageSize = 50

type inboxView struct {
	base
	Items      []*xinfang.Notification
	Total      int
	UnreadOnly bool
	Page       int
	Pages      int
}

// PageURL returns the inbox URL of page n.
func (v *inboxView) PageURL(n int) string {
	q := url.Values{}
	if v.UnreadOnly {
		q.Set("unread", "1")
	}
	q.Set("page", strconv.Itoa(n))
	return "/inbox?" + q.Encode()
}

func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request) {
	if s.pageUser(w, r) == nil {
		return
	}
	q := r.URL.Query()
	v := &inboxView{UnreadOnly: q.Get("unread") != "", Page: 1}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	var err error
	v.Items, v.Total, _, err = s.Inbox.FindNotifications(r.Context(), xinfang.NotificationFilter{Unread: v.UnreadOnly, Offset: (v.Page - 1) * inboxPageSize, Limit: inboxPageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Pages = (v.Total + inboxPageSize - 1) / inboxPageSize
	v.Title, v.Nav = "消息", "inbox"
	// fillBase after the list, so that the count in the frame and the
	// list agree.
	s.fillBase(r, &v.base)
	if q.Get("done") == "all" {
		v.Notice = "已全部标为已读。"
	}
	s.render(w, r, http.StatusOK, "inbox.html", v)
}

// handleInboxRead marks a message read and opens what it is about.
func (s *Server) handleInboxRead(w http.ResponseWriter, r *http.Request) {
	if s.pageUser(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, xinfang.Errorf(xinfang.ENOTFOUND, "消息不存在"))
		return
	}
	m, err := s.Inbox.MarkNotificationRead(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := "/inbox"
	if r.PostFormValue("open") != "" && m.Link != "" {
		next = localPath(m.Link)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleInboxReadAll(w http.ResponseWriter, r *http.Request) {
	if s.pageUser(w, r) == nil {
		return
	}
	if _, err := s.Inbox.MarkAllNotificationsRead(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox?done=all", http.StatusSeeOther)
}
