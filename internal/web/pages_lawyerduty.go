package web

import (
	"net/http"
	"net/url"
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
)

// The lawyers on duty (律师值班): the rota (a lawyer sees his own weeks,
// the bureau every point's) with the bureau's generation form, a week's
// page with its changes and the change form, and the reception records
// with the lawyer's form.

type dutyWeeksView struct {
	base
	Tabs    []societyTab
	Items   []*xinfang.DutyWeek
	Total   int
	Points  []*xinfang.Unit
	Lawyers []*xinfang.User
	Count   map[int64]int // weeks per lawyer in the list
	Q       url.Values
	Form    url.Values
	CanPlan bool
	Today   calendar.Date
}

// Weeks returns the number of weeks lawyer id has in the list.
func (v *dutyWeeksView) Weeks(id int64) int { return v.Count[id] }

func (s *Server) handleDutyWeeks(w http.ResponseWriter, r *http.Request) error {
	y := s.today().Year
	form := url.Values{"from": {calendar.MakeDate(y, 1, 1).String()}, "to": {calendar.MakeDate(y, 12, 31).String()}}
	return s.renderDutyWeeks(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderDutyWeeks(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &dutyWeeksView{Q: url.Values{}, Form: form, CanPlan: xinfang.CanPlanRota(u), Today: s.today(), Count: map[int64]int{}}
	v.Title, v.Nav = "律师值班", "lawyerduty"
	q := r.URL.Query()
	probs := xinfang.Problems{}
	for _, k := range []string{"point", "from", "to"} {
		if val := q.Get(k); val != "" {
			v.Q.Set(k, val)
		}
	}
	f := xinfang.DutyFilter{PointID: discFormID(v.Q, "point", "point", probs), From: formDate(v.Q, "from", probs), To: formDate(v.Q, "to", probs), Limit: 500}
	if f.From.IsZero() && f.To.IsZero() {
		// This quarter onwards, so that the current week is on the page.
		f.From = xinfang.MondayOf(v.Today).AddDays(-28)
		f.To = f.From.AddDays(7 * 20)
	}
	var err error
	if err = probs.Err(); err == nil {
		v.Items, v.Total, err = s.LawyerDuty.FindDutyWeeks(r.Context(), f)
	}
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	for _, x := range v.Items {
		v.Count[x.LawyerID]++
	}
	if v.Points, err = s.LawyerDuty.ReceptionPoints(r.Context()); err != nil {
		return err
	}
	if v.CanPlan {
		if v.Lawyers, err = s.LawyerDuty.Lawyers(r.Context()); err != nil {
			return err
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = legalTabs(&v.base, "tab-duty")
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "lawyer_duty.html", v)
}

func (s *Server) handleGenerateRota(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	req := xinfang.RotaRequest{PointIDs: formIDs(form, "point_ids", "point_ids", probs), From: formDate(form, "from", probs), To: formDate(form, "to", probs)}
	err := probs.Err()
	n := 0
	if err == nil {
		n, err = s.LawyerDuty.GenerateRota(r.Context(), req)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderDutyWeeks(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/lawyer-duty?from="+req.From.String()+"&to="+req.To.String()+"&created="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}

type dutyWeekView struct {
	base
	Tabs    []societyTab
	W       *xinfang.DutyWeek
	Lawyers []*xinfang.User
	CanPlan bool
	Form    url.Values
}

func (s *Server) handleDutyWeek(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderDutyWeek(w, r, http.StatusOK, id, url.Values{}, nil)
}

func (s *Server) renderDutyWeek(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	wk, err := s.LawyerDuty.FindDutyWeekByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	v := &dutyWeekView{W: wk, CanPlan: xinfang.CanPlanRota(u), Form: form}
	v.Title, v.Nav = "律师值班 "+wk.PointName+" "+wk.WeekStart.String(), "lawyerduty"
	if v.CanPlan {
		if v.Lawyers, err = s.LawyerDuty.Lawyers(r.Context()); err != nil {
			return err
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = legalTabs(&v.base, "tab-duty")
	if r.URL.Query().Get("done") == "swap" {
		v.Notice = "已调班。"
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "lawyer_week.html", v)
}

func (s *Server) handleSwapDuty(w http.ResponseWriter, r *http.Request) error {
	id, form, version, err := recordForm(r)
	if err != nil {
		return err
	}
	probs := xinfang.Problems{}
	in := xinfang.DutySwap{Version: version, LawyerID: discFormID(form, "lawyer_id", "lawyer_id", probs), Reason: form.Get("reason")}
	if err = probs.Err(); err == nil {
		_, err = s.LawyerDuty.SwapDuty(r.Context(), id, in)
	}
	if err != nil {
		switch xinfang.ErrorCode(err) {
		case xinfang.EINVALID:
			return s.renderDutyWeek(w, r, http.StatusUnprocessableEntity, id, form, err)
		case xinfang.ECONFLICT:
			return s.renderDutyWeek(w, r, http.StatusConflict, id, form, err)
		}
		return err
	}
	http.Redirect(w, r, "/lawyer-duty/"+strconv.FormatInt(id, 10)+"?done=swap", http.StatusSeeOther)
	return nil
}

type dutyReceptionsView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.DutyReception
	Total     int
	CanRecord bool
	Q         url.Values
}

func (s *Server) handleDutyReceptions(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	v := &dutyReceptionsView{CanRecord: xinfang.CanRecordReception(u), Q: url.Values{}}
	v.Title, v.Nav = "律师接访记录", "lawyerduty"
	q := r.URL.Query()
	f := xinfang.DutyReceptionFilter{Limit: 200}
	if q.Get("diverted") != "" {
		yes := true
		f.Diverted = &yes
		v.Q.Set("diverted", "1")
	}
	var err error
	if v.Items, v.Total, err = s.LawyerDuty.FindReceptions(r.Context(), f); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	v.Tabs = legalTabs(&v.base, "tab-receptions")
	return s.render(w, r, http.StatusOK, "lawyer_receptions.html", v)
}

type dutyReceptionView struct {
	base
	Tabs   []societyTab
	R      *xinfang.DutyReception // nil: a new record
	Points []*xinfang.Unit
	Routes []xinfang.Label
	// Opinions are the lawyer's own 法律意见书, to link the one that followed.
	Opinions []*xinfang.LegalOpinion
	// CanEdit: the reader is its lawyer; SeesPetition, SeesOpinion: the
	// reader may open the linked petition and opinion.
	CanEdit, SeesPetition, SeesOpinion bool
	Form                               url.Values
	Today                              string
}

func (s *Server) handleNewDutyReception(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{"received_on": {s.today().String()}}
	// The point where the lawyer is on duty this week, if any.
	u := xinfang.UserFromContext(r.Context())
	if weeks, _, err := s.LawyerDuty.FindDutyWeeks(r.Context(), xinfang.DutyFilter{LawyerID: u.ID, From: s.today(), To: s.today(), Limit: 1}); err == nil && len(weeks) == 1 {
		form.Set("point_id", strconv.FormatInt(weeks[0].PointID, 10))
	}
	return s.renderDutyReception(w, r, http.StatusOK, nil, form, nil)
}

func (s *Server) renderDutyReception(w http.ResponseWriter, r *http.Request, status int, rec *xinfang.DutyReception, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &dutyReceptionView{R: rec, Routes: xinfang.LegalRoutes, Form: form, Today: s.today().String()}
	v.Title, v.Nav = "新增接访记录", "lawyerduty"
	v.CanEdit = xinfang.CanRecordReception(u) && (rec == nil || rec.LawyerID == u.ID)
	if rec != nil {
		v.Title = "接访记录 " + rec.ReceivedOn.String() + " " + rec.PointName
		if rec.PetitionID != 0 {
			_, err := s.Petitions.FindPetitionByID(r.Context(), rec.PetitionID)
			v.SeesPetition = err == nil
		}
		if rec.OpinionID != 0 && s.Opinions != nil {
			_, err := s.Opinions.FindLegalOpinionByID(r.Context(), rec.OpinionID)
			v.SeesOpinion = err == nil
		}
	}
	var err error
	if v.Points, err = s.LawyerDuty.ReceptionPoints(r.Context()); err != nil {
		return err
	}
	if v.CanEdit && s.Opinions != nil {
		if v.Opinions, err = s.Opinions.FindLegalOpinions(r.Context(), 0); err != nil {
			return err
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = legalTabs(&v.base, "tab-receptions")
	if r.URL.Query().Get("done") != "" {
		v.Notice = "接访记录已保存。"
	}
	if ferr != nil {
		v.Notice = ""
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "lawyer_reception.html", v)
}

func (s *Server) handleDutyReception(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rec, err := s.LawyerDuty.FindReceptionByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderDutyReception(w, r, http.StatusOK, rec, dutyReceptionForm(rec), nil)
}

// dutyReceptionForm is a record as its edit form shows it.
func dutyReceptionForm(rec *xinfang.DutyReception) url.Values {
	f := url.Values{"version": {strconv.Itoa(rec.Version)}, "point_id": {strconv.FormatInt(rec.PointID, 10)}, "received_on": {rec.ReceivedOn.String()},
		"visitors": {rec.Visitors}, "matter": {rec.Matter}, "advice": {rec.Advice}, "route": {string(rec.Route)}}
	if rec.Diverted {
		f.Set("diverted", "1")
	}
	if rec.PetitionNumber != "" {
		f.Set("petition", rec.PetitionNumber)
	}
	if rec.OpinionID != 0 {
		f.Set("opinion_id", strconv.FormatInt(rec.OpinionID, 10))
	}
	return f
}

// receptionFromForm reads the form of a record.
func (s *Server) receptionFromForm(r *http.Request, form url.Values, probs xinfang.Problems) *xinfang.DutyReception {
	rec := &xinfang.DutyReception{PointID: discFormID(form, "point_id", "point_id", probs), ReceivedOn: formDate(form, "received_on", probs),
		Visitors: form.Get("visitors"), Matter: form.Get("matter"), Advice: form.Get("advice"), Diverted: form.Get("diverted") != "",
		Route: xinfang.LegalRoute(form.Get("route")), OpinionID: discFormID(form, "opinion_id", "opinion_id", probs)}
	rec.Version, _ = strconv.Atoi(form.Get("version"))
	if !rec.Diverted {
		rec.Route = ""
	}
	if ref := form.Get("petition"); ref != "" {
		id, err := s.discFormPetition(r, ref)
		if err != nil {
			probs.Add("petition_id", "信访件 "+ref+" 不存在或未指派给您")
		}
		rec.PetitionID = id
	}
	return rec
}

func (s *Server) handleCreateDutyReception(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	rec := s.receptionFromForm(r, form, probs)
	err := probs.Err()
	if err == nil {
		err = s.LawyerDuty.CreateReception(r.Context(), rec)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderDutyReception(w, r, http.StatusUnprocessableEntity, nil, form, err)
	}
	http.Redirect(w, r, "/lawyer-receptions/"+strconv.FormatInt(rec.ID, 10)+"?done=1", http.StatusSeeOther)
	return nil
}

func (s *Server) handleUpdateDutyReception(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	cur, err := s.LawyerDuty.FindReceptionByID(r.Context(), id)
	if err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	rec := s.receptionFromForm(r, form, probs)
	rec.ID = id
	if err = probs.Err(); err == nil {
		err = s.LawyerDuty.UpdateReception(r.Context(), rec)
	}
	if err != nil {
		switch xinfang.ErrorCode(err) {
		case xinfang.EINVALID:
			return s.renderDutyReception(w, r, http.StatusUnprocessableEntity, cur, form, err)
		case xinfang.ECONFLICT:
			return s.renderDutyReception(w, r, http.StatusConflict, cur, form, err)
		}
		return err
	}
	http.Redirect(w, r, "/lawyer-receptions/"+strconv.FormatInt(id, 10)+"?done=1", http.StatusSeeOther)
	return nil
}
