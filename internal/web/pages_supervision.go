package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/docs"
)

// The pages of 督办 (supervision orders) and of the inbox (站内消息).

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

func (s *Server) handleSupervisions(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{}
	// A petition page's 督办此件 links here with the item filled in, and
	// the unit that has it (or registered it) as the one supervised.
	if ref := r.URL.Query().Get("petition"); ref != "" {
		form.Set("petition", ref)
		if id, err := s.petitionRef(r, ref); err == nil {
			if p, err := s.Petitions.FindPetitionByID(r.Context(), id); err == nil {
				unit := p.HandlingUnitID
				if unit == 0 {
					unit = p.RegUnitID
				}
				form.Set("target_unit_id", strconv.FormatInt(unit, 10))
			}
		}
	}
	return s.renderSupervisions(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderSupervisions(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	q := r.URL.Query()
	v := &supervisionsView{Q: url.Values{}, Form: form, Page: 1, States: xinfang.SupervisionStates, CanIssue: xinfang.CanIssueSupervision(u, nil), MinDate: s.today().String()}
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
		return err
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
			return err
		}
		v.Error = "查询条件有误：" + formMessage(err)
	}
	v.Pages = (v.Total + supervisionPageSize - 1) / supervisionPageSize
	if ferr != nil {
		v.Error, v.Fields, v.ShowForm, v.FormError = formMessage(ferr), xinfang.ErrorFields(ferr), true, true
	}
	return s.render(w, r, status, "supervision_list.html", v)
}

func (s *Server) handleCreateSupervision(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	sv := &xinfang.Supervision{Requirements: form.Get("requirements"), Deadline: formDate(form, "deadline", probs), Listed: form.Get("listed") != ""}
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
	if id, err := s.caseRef(r, form.Get("case")); err != nil {
		probs.Add("case_id", "积案 "+strings.TrimSpace(form.Get("case"))+" 不存在或无权查看")
	} else {
		sv.CaseID = id
	}
	err := probs.Err()
	if err == nil {
		err = s.Supervisions.CreateSupervision(r.Context(), sv)
	}
	if err == nil {
		http.Redirect(w, r, "/supervisions/"+strconv.FormatInt(sv.ID, 10)+"?done=create", http.StatusSeeOther)
		return nil
	}
	if !formError(err) {
		return err
	}
	return s.renderSupervisions(w, r, statusOf(xinfang.ErrorCode(err)), form, err)
}

type supervisionView struct {
	base
	S         *xinfang.Supervision
	Form      url.Values
	CanRemind bool
	CanAnswer bool
	CanClose  bool
	Open      string // the form to show open after an error
	Docs      []docLink
	// Attachments are the files of the feedback (on the record the 督办单
	// is about, as part "supervision").
	Attachments *attachmentsView
}

var supervisionDone = map[string]string{
	"create":    "督办单已发出，被督办单位已收到消息。",
	"reminders": "已催办，被督办单位已收到消息。",
	"feedback":  "已反馈，督办方已收到消息。",
	"close":     "督办单已办结。",
}

func (s *Server) handleSupervision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "督办单不存在或无权查看")
	if err != nil {
		return err
	}
	return s.renderSupervision(w, r, http.StatusOK, id, "", url.Values{}, nil)
}

func (s *Server) renderSupervision(w http.ResponseWriter, r *http.Request, status int, id int64, step string, form url.Values, ferr error) error {
	sv, err := s.Supervisions.FindSupervisionByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	// A form shows when the domain would take its action now.
	may := func(a xinfang.SupervisionAction) bool {
		_, err := xinfang.CheckSupervisionAction(sv, a, u)
		return err == nil
	}
	v := &supervisionView{S: sv, Form: form, Open: step,
		CanRemind: may(xinfang.SupervisionActRemind), CanAnswer: may(xinfang.SupervisionActFeedback), CanClose: may(xinfang.SupervisionActClose)}
	for _, k := range docs.SupervisionKinds(sv) {
		v.Docs = append(v.Docs, docLink{Doc: string(k), Label: k.Title(), Href: "/supervisions/" + strconv.FormatInt(sv.ID, 10) + "/print/" + string(k)})
	}
	v.Title, v.Nav = "督办单 "+sv.Number, "supervision"
	s.fillBase(r, &v.base)
	if v.Attachments, err = s.feedbackAttachments(r, sv, v.CSRF); err != nil {
		return err
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	} else if msg, ok := supervisionDone[r.URL.Query().Get("done")]; ok {
		v.Notice = msg
	}
	return s.render(w, r, status, "supervision_detail.html", v)
}

// supervisionForm takes the 催办, feedback or 办结 form, posted to the
// page twin of the API route (…/reminders, …/feedback, …/close).
func supervisionForm(act xinfang.SupervisionAction) handler {
	step := map[xinfang.SupervisionAction]string{xinfang.SupervisionActRemind: "reminders", xinfang.SupervisionActFeedback: "feedback",
		xinfang.SupervisionActClose: "close"}[act]
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathIDOr(r, "id", "督办单不存在或无权查看")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		form, ctx := r.PostForm, r.Context()
		switch act {
		case xinfang.SupervisionActRemind:
			_, err = s.Supervisions.RemindSupervision(ctx, id, form.Get("text"))
		case xinfang.SupervisionActFeedback:
			_, err = s.Supervisions.FeedbackSupervision(ctx, id, form.Get("text"))
		case xinfang.SupervisionActClose:
			_, err = s.Supervisions.CloseSupervision(ctx, id, form.Get("note"))
		}
		if err == nil {
			http.Redirect(w, r, "/supervisions/"+strconv.FormatInt(id, 10)+"?done="+step, http.StatusSeeOther)
			return nil
		}
		if !formError(err) {
			return err
		}
		return s.renderSupervision(w, r, statusOf(xinfang.ErrorCode(err)), id, step, form, err)
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

func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := &inboxView{UnreadOnly: q.Get("unread") != "", Page: 1}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	var err error
	v.Items, v.Total, _, err = s.Notifications.FindNotifications(r.Context(), xinfang.NotificationFilter{Unread: v.UnreadOnly, Offset: (v.Page - 1) * inboxPageSize, Limit: inboxPageSize})
	if err != nil {
		return err
	}
	v.Pages = (v.Total + inboxPageSize - 1) / inboxPageSize
	v.Title, v.Nav = "消息", "inbox"
	// fillBase after the list, so that the count in the frame and the
	// list agree.
	s.fillBase(r, &v.base)
	if q.Get("done") == "all" {
		v.Notice = "已全部标为已读。"
	}
	return s.render(w, r, http.StatusOK, "inbox.html", v)
}

// handleInboxRead marks a message read and opens what it is about.
func (s *Server) handleInboxRead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "消息不存在")
	if err != nil {
		return err
	}
	m, err := s.Notifications.MarkNotificationRead(r.Context(), id)
	if err != nil {
		return err
	}
	next := "/inbox"
	if r.PostFormValue("open") != "" && m.Link != "" {
		next = localPath(m.Link)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) handleInboxReadAll(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Notifications.MarkAllNotificationsRead(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox?done=all", http.StatusSeeOther)
	return nil
}

// feedbackAttachments is the 附件 section of a 督办单's page: the files
// attached to its feedback, kept with the petition or case it is about;
// the target unit adds them until the 督办单 is closed.
func (s *Server) feedbackAttachments(r *http.Request, sv *xinfang.Supervision, csrf string) (*attachmentsView, error) {
	owner, ownerID, page := xinfang.AttachPetition, sv.PetitionID, "/petitions"
	if sv.CaseID != 0 {
		owner, ownerID, page = xinfang.AttachCase, sv.CaseID, "/cases"
	}
	t, _ := xinfang.FindSupervisionTransition(xinfang.SupervisionActFeedback)
	may := sv.State != xinfang.SupervisionClosed && t.May(xinfang.UserFromContext(r.Context()), sv)
	v, err := s.attachmentsOf(r, owner, ownerID, page, may, csrf)
	if v == nil || err != nil {
		// The record out of the user's sight: the 督办单 shows no files.
		if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
			return nil, nil
		}
		return nil, err
	}
	part := partValue(xinfang.PartSupervision, sv.ID)
	mine := v.Items[:0]
	for _, it := range v.Items {
		if partValue(it.Part, it.PartID) == part {
			it.Where = ""
			mine = append(mine, it)
		}
	}
	v.Items, v.Part, v.Back = mine, part, "/supervisions/"+strconv.FormatInt(sv.ID, 10)
	return v, nil
}
