package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The mediation pages (调解): the list (with the agreements past their
// fulfilment day), opening a mediation, a mediation's page with its
// sessions, outcome and fulfilment, the printable 调解协议书, and the
// mediators of each village and town.

func mediationTabs(b *base, on string) []societyTab {
	return openTabs(b, on, []tabDef{
		{"/mediations", "调解", "tab-mediations", "/mediations"},
		{"/mediations?overdue=1", "逾期未履行", "tab-overdue", "/mediations"},
		{"/society/mediators", "调解员", "tab-mediators", "/society/mediators"},
	})
}

type mediationsView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.Mediation
	Total     int
	States    []xinfang.Label
	Q         url.Values
	CanManage bool
}

func (s *Server) handleMediations(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	v := &mediationsView{States: xinfang.MediationStates, Q: url.Values{}, CanManage: xinfang.CanManageSociety(u)}
	v.Title, v.Nav = "调解", "mediations"
	q := r.URL.Query()
	f := xinfang.MediationFilter{Limit: 200, State: xinfang.MediationState(q.Get("state")), Overdue: q.Get("overdue") != ""}
	for _, k := range []string{"state", "overdue"} {
		if val := q.Get(k); val != "" {
			v.Q.Set(k, val)
		}
	}
	var err error
	v.Items, v.Total, err = s.Mediations.FindMediations(r.Context(), f)
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	s.fillBase(r, &v.base)
	on := "tab-mediations"
	if f.Overdue {
		on = "tab-overdue"
	}
	v.Tabs = mediationTabs(&v.base, on)
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	return s.render(w, r, http.StatusOK, "mediations.html", v)
}

type newMediationView struct {
	base
	Tabs      []societyTab
	Units     []*xinfang.Unit
	Mediators []*xinfang.Mediator
	Form      url.Values
	Today     string
}

// Picked reports whether mediator id was chosen.
func (v *newMediationView) Picked(id int64) bool {
	for _, x := range v.Form["mediator_ids"] {
		if x == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}

func (s *Server) handleNewMediation(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{"started_on": {s.today().String()}}
	if p := r.URL.Query().Get("petition"); p != "" {
		form.Set("petition", p)
	}
	return s.renderNewMediation(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderNewMediation(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	v := &newMediationView{Form: form, Today: s.today().String()}
	v.Title, v.Nav = "开始调解", "mediations"
	var err error
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	all, err := s.Mediations.FindMediators(r.Context(), 0)
	if err != nil {
		return err
	}
	for _, m := range all {
		if m.Available {
			v.Mediators = append(v.Mediators, m)
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = mediationTabs(&v.base, "tab-mediations")
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "mediation_new.html", v)
}

func (s *Server) handleCreateMediation(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	m := &xinfang.Mediation{Dispute: form.Get("dispute"), Parties: form.Get("parties"), StartedOn: formDate(form, "started_on", probs),
		UnitID: discFormID(form, "unit_id", "unit_id", probs)}
	if ref := strings.TrimSpace(form.Get("petition")); ref != "" {
		id, err := s.discFormPetition(r, ref)
		if err != nil {
			probs.Add("petition_id", "信访件 "+ref+" 不存在或无权查看")
		}
		m.PetitionID = id
	}
	if ref := strings.TrimSpace(form.Get("case")); ref != "" {
		id, err := s.caseRef(r, ref)
		if err != nil {
			probs.Add("case_id", "积案 "+ref+" 不存在或无权查看")
		}
		m.CaseID = id
	}
	for _, id := range formIDs(form, "mediator_ids", "mediators", probs) {
		m.Mediators = append(m.Mediators, xinfang.MediationMediator{MediatorID: id})
	}
	err := probs.Err()
	if err == nil {
		err = s.Mediations.CreateMediation(r.Context(), m)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderNewMediation(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/mediations/"+strconv.FormatInt(m.ID, 10)+"?done=create", http.StatusSeeOther)
	return nil
}

type mediationView struct {
	base
	Tabs      []societyTab
	M         *xinfang.Mediation
	CanManage bool
	// CanConclude: the agreement may conclude the petition, which the
	// reader sees being handled.
	CanConclude bool
	// SeesPetition: the reader may open the mediation's petition (a
	// mediation of the town may be on an item handled elsewhere).
	SeesPetition bool
	Form         url.Values
	Today        string
}

func (s *Server) handleMediation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderMediation(w, r, http.StatusOK, id, url.Values{}, nil)
}

func (s *Server) renderMediation(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	m, err := s.Mediations.FindMediationByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	v := &mediationView{M: m, CanManage: xinfang.CanManageSociety(u), Form: form, Today: s.today().String()}
	v.Title, v.Nav = "调解 "+m.Number, "mediations"
	if m.PetitionID != 0 {
		if p, err := s.Petitions.FindPetitionByID(r.Context(), m.PetitionID); err == nil {
			v.SeesPetition = true
			v.CanConclude = m.State == xinfang.MediationOpen && v.CanManage && p.State == xinfang.StateHandling
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = mediationTabs(&v.base, "tab-mediations")
	v.formOutcome(r, map[string]string{
		"create":     "调解已登记。",
		"sessions":   "调解记录已保存。",
		"outcome":    "调解结果已记录。",
		"fulfilment": "已记录履行。",
	}, ferr)
	return s.render(w, r, status, "mediation.html", v)
}

// mediationForm serves the forms of a mediation's page.
func mediationForm(step string) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, form, version, err := recordForm(r)
		if err != nil {
			return err
		}
		probs := xinfang.Problems{}
		ctx := r.Context()
		switch step {
		case "sessions":
			sess := xinfang.MediationSession{HeldOn: formDate(form, "held_on", probs), Place: form.Get("place"), Summary: form.Get("summary")}
			if err = probs.Err(); err == nil {
				_, err = s.Mediations.AddMediationSession(ctx, id, version, sess)
			}
		case "outcome":
			o := xinfang.MediationOutcome{Version: version, Result: xinfang.MediationState(form.Get("result")), Agreement: form.Get("agreement"),
				AgreedOn: formDate(form, "agreed_on", probs), FulfilBy: formDate(form, "fulfil_by", probs), FailReason: form.Get("fail_reason"),
				Conclude: form.Get("conclude_petition") != ""}
			if err = probs.Err(); err == nil {
				_, err = s.Mediations.RecordMediationOutcome(ctx, id, o)
			}
		case "fulfilment":
			on := formDate(form, "fulfilled_on", probs)
			if err = probs.Err(); err == nil {
				_, err = s.Mediations.RecordFulfilment(ctx, id, version, on)
			}
		}
		if err != nil {
			switch xinfang.ErrorCode(err) {
			case xinfang.EINVALID:
				return s.renderMediation(w, r, http.StatusUnprocessableEntity, id, form, err)
			case xinfang.ECONFLICT:
				return s.renderMediation(w, r, http.StatusConflict, id, form, err)
			}
			return err
		}
		http.Redirect(w, r, "/mediations/"+strconv.FormatInt(id, 10)+"?done="+step, http.StatusSeeOther)
		return nil
	}
}

type mediationAgreementView struct {
	base
	M        *xinfang.Mediation
	PageBack string
}

// handleMediationAgreement prints the 调解协议书 of a mediation that
// reached one; any other has none.
func (s *Server) handleMediationAgreement(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.Mediations.FindMediationByID(r.Context(), id)
	if err != nil {
		return err
	}
	if m.State != xinfang.MediationAgreed {
		return xinfang.Errorf(xinfang.ENOTFOUND, "该调解未达成协议，没有调解协议书")
	}
	v := &mediationAgreementView{M: m, PageBack: "/mediations/" + strconv.FormatInt(id, 10)}
	v.Title = "调解协议书 " + m.Number
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "print_mediation_agreement.html", v)
}

type mediatorsView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.Mediator
	Units     []*xinfang.Unit
	Kinds     []xinfang.Label
	Q         url.Values
	Form      url.Values
	CanManage bool
}

func (s *Server) handleMediators(w http.ResponseWriter, r *http.Request) error {
	return s.renderMediators(w, r, http.StatusOK, url.Values{"available": {"1"}}, nil)
}

func (s *Server) renderMediators(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &mediatorsView{Kinds: xinfang.MediatorKinds, Q: url.Values{}, Form: form, CanManage: xinfang.CanManageSociety(u)}
	v.Title, v.Nav = "调解员", "mediations"
	var err error
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	probs := xinfang.Problems{}
	if val := r.URL.Query().Get("unit"); val != "" {
		v.Q.Set("unit", val)
	}
	unitID := discFormID(v.Q, "unit", "unit", probs)
	v.Items, err = s.Mediations.FindMediators(r.Context(), unitID)
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	s.fillBase(r, &v.base)
	v.Tabs = mediationTabs(&v.base, "tab-mediators")
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "society_mediators.html", v)
}

func (s *Server) handleSaveMediator(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	m := &xinfang.Mediator{Name: form.Get("name"), Kind: xinfang.MediatorKind(form.Get("kind")), UnitID: discFormID(form, "unit_id", "unit_id", probs),
		Phone: form.Get("phone"), Available: form.Get("available") != "", Note: form.Get("note"), UserID: formUserID(form, probs)}
	err := probs.Err()
	if err == nil {
		err = s.Mediations.SaveMediator(r.Context(), m)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderMediators(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/society/mediators?unit="+strconv.FormatInt(m.UnitID, 10), http.StatusSeeOther)
	return nil
}
