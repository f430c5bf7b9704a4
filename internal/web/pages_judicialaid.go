package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The pages of judicial aid (司法救助): the list with the decisions past
// their day, the application form, an application's page with its review,
// decision and payment, and the printable 司法救助决定书.

type aidListView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.JudicialAid
	Total     int
	States    []xinfang.Label
	Q         url.Values
	CanManage bool
	Form      url.Values
	Today     string
	Cap       int64
}

func (s *Server) handleJudicialAids(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{"applied_on": {s.today().String()}, "by_petitioner": {"1"}}
	if p := r.URL.Query().Get("petition"); p != "" {
		form.Set("petition", p)
	}
	return s.renderJudicialAids(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderJudicialAids(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &aidListView{States: xinfang.JudicialAidStates, Q: url.Values{}, CanManage: xinfang.CanManageSociety(u), Form: form, Today: s.today().String(),
		Cap: s.Procedure(r.Context()).Cfg.JudicialAidCap}
	v.Title, v.Nav = "司法救助", "judicialaid"
	q := r.URL.Query()
	f := xinfang.JudicialAidFilter{Limit: 500, State: xinfang.JudicialAidState(q.Get("state")), Overdue: q.Get("overdue") != ""}
	for _, k := range []string{"state", "overdue"} {
		if val := q.Get(k); val != "" {
			v.Q.Set(k, val)
		}
	}
	var err error
	v.Items, v.Total, err = s.JudicialAid.FindJudicialAids(r.Context(), f)
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	s.fillBase(r, &v.base)
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "judicialaid_list.html", v)
}

func (s *Server) handleCreateJudicialAid(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	a := &xinfang.JudicialAid{Applicant: form.Get("applicant"), ByPetitioner: form.Get("by_petitioner") != "", Grounds: form.Get("grounds"),
		Documents: form.Get("documents"), AppliedOn: formDate(form, "applied_on", probs)}
	if v := strings.TrimSpace(form.Get("requested")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			probs.Add("requested", "申请金额须为整数（元）")
		}
		a.Requested = n
	}
	if ref := strings.TrimSpace(form.Get("petition")); ref != "" {
		id, err := s.discFormPetition(r, ref)
		if err != nil {
			probs.Add("petition_id", "信访件 "+ref+" 不存在或无权查看")
		}
		a.PetitionID = id
	}
	err := probs.Err()
	if err == nil {
		err = s.JudicialAid.CreateJudicialAid(r.Context(), a)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderJudicialAids(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/judicial-aid/"+strconv.FormatInt(a.ID, 10)+"?done=create", http.StatusSeeOther)
	return nil
}

type aidView struct {
	base
	A         *xinfang.JudicialAid
	CanManage bool
	Form      url.Values
	Today     string
	Cap       int64
	// SeesPetition: the reader may open the application's petition.
	SeesPetition bool
}

func (s *Server) handleJudicialAid(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderJudicialAid(w, r, http.StatusOK, id, url.Values{}, nil)
}

func (s *Server) renderJudicialAid(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	a, err := s.JudicialAid.FindJudicialAidByID(r.Context(), id)
	if err != nil {
		return err
	}
	v := &aidView{A: a, CanManage: xinfang.CanManageSociety(xinfang.UserFromContext(r.Context())), Form: form, Today: s.today().String(),
		Cap: s.Procedure(r.Context()).Cfg.JudicialAidCap}
	v.Title, v.Nav = "司法救助 "+a.Number, "judicialaid"
	if _, err := s.Petitions.FindPetitionByID(r.Context(), a.PetitionID); err == nil {
		v.SeesPetition = true
	}
	s.fillBase(r, &v.base)
	if d := r.URL.Query().Get("done"); d != "" && ferr == nil {
		v.Notice = "已保存。"
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "judicialaid.html", v)
}

// handleJudicialAidStep serves the review, decision and payment forms.
func (s *Server) handleJudicialAidStep(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	d := xinfang.AidDecision{Action: xinfang.JudicialAidAction(r.PathValue("action")), ReviewOpinion: form.Get("review_opinion"),
		DecidedOn: formDate(form, "decided_on", probs), RefusalReason: form.Get("refusal_reason"), PaidOn: formDate(form, "paid_on", probs), PaymentRef: form.Get("payment_ref")}
	d.Version, _ = strconv.Atoi(form.Get("version"))
	if v := strings.TrimSpace(form.Get("amount")); v != "" {
		if d.Amount, err = strconv.ParseInt(v, 10, 64); err != nil {
			probs.Add("amount", "救助金额须为整数（元）")
		}
	}
	err = probs.Err()
	if err == nil {
		_, err = s.JudicialAid.StepJudicialAid(r.Context(), id, d)
	}
	if err != nil {
		switch xinfang.ErrorCode(err) {
		case xinfang.EINVALID:
			return s.renderJudicialAid(w, r, http.StatusUnprocessableEntity, id, form, err)
		case xinfang.ECONFLICT:
			return s.renderJudicialAid(w, r, http.StatusConflict, id, form, err)
		}
		return err
	}
	http.Redirect(w, r, "/judicial-aid/"+strconv.FormatInt(id, 10)+"?done="+string(d.Action), http.StatusSeeOther)
	return nil
}

type aidDecisionView struct {
	base
	A        *xinfang.JudicialAid
	PageBack string
}

// handleJudicialAidDecision prints the 司法救助决定书 of a decided
// application; an undecided one has none.
func (s *Server) handleJudicialAidDecision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.JudicialAid.FindJudicialAidByID(r.Context(), id)
	if err != nil {
		return err
	}
	if !a.State.Decided() {
		return xinfang.Errorf(xinfang.ENOTFOUND, "尚未作出司法救助决定")
	}
	v := &aidDecisionView{A: a, PageBack: "/judicial-aid/" + strconv.FormatInt(id, 10)}
	v.Title = "司法救助决定书 " + a.Number
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "print_judicialaid_decision.html", v)
}
