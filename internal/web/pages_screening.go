package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The pages of conflict screening (矛盾纠纷排查): the reports with the
// counts of the three-level network, filing a report, a report's page
// where it is settled on the spot or becomes a petition or a case, and
// the rounds with who has reported and who has not.

func screeningTabs(b *base, on string) []societyTab {
	return openTabs(b, on, []tabDef{
		{"/screening", "排查报告", "tab-reports", "/screening"},
		{"/screening?overdue=1", "逾期未化解", "tab-overdue", "/screening"},
		{"/screening-rounds", "排查轮次", "tab-rounds", "/screening-rounds"},
		{"/risks", "稳评", "tab-risks", "/risks"},
	})
}

// scopeUnits keeps the units of list within u's data scope.
func scopeUnits(u *xinfang.User, list []*xinfang.Unit) []*xinfang.Unit {
	sc := xinfang.ScopeOf(u)
	var out []*xinfang.Unit
	for _, x := range list {
		if !sc.None && (sc.All || strings.HasPrefix(x.Path, sc.UnitPath)) && !x.Disabled {
			out = append(out, x)
		}
	}
	return out
}

type screeningView struct {
	base
	Tabs     []societyTab
	Items    []*xinfang.ScreeningReport
	Total    int
	Counts   *xinfang.ScreeningCounts
	States   []xinfang.Label
	Levels   []xinfang.Label
	Q        url.Values
	CanWrite bool
}

func (s *Server) handleScreening(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	v := &screeningView{States: xinfang.ScreeningStates, Levels: xinfang.ScreeningLevels, Q: url.Values{}, CanWrite: xinfang.CanReportScreening(u)}
	v.Title, v.Nav = "矛盾纠纷排查", "screening"
	q := r.URL.Query()
	f := xinfang.ScreeningFilter{Limit: 200, State: xinfang.ScreeningState(q.Get("state")), Level: xinfang.ScreeningLevel(q.Get("level")), Overdue: q.Get("overdue") != ""}
	for _, k := range []string{"state", "level", "overdue", "round"} {
		if val := q.Get(k); val != "" {
			v.Q.Set(k, val)
		}
	}
	probs := xinfang.Problems{}
	f.RoundID = discFormID(v.Q, "round", "round", probs)
	var err error
	if err = probs.Err(); err == nil {
		v.Items, v.Total, err = s.Screening.FindReports(r.Context(), f)
	}
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	if v.Counts, err = s.Screening.CountReports(r.Context(), xinfang.ScreeningFilter{}); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	on := "tab-reports"
	if f.Overdue {
		on = "tab-overdue"
	}
	v.Tabs = screeningTabs(&v.base, on)
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	return s.render(w, r, http.StatusOK, "screening.html", v)
}

type newScreeningView struct {
	base
	Tabs       []societyTab
	Units      []*xinfang.Unit
	Rounds     []*xinfang.ScreeningRound
	Categories []*category
	Sources    []xinfang.Label
	Risks      []xinfang.Label
	Form       url.Values
	Today      string
}

func (s *Server) handleNewScreeningReport(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	form := url.Values{"found_on": {s.today().String()}, "unit_id": {strconv.FormatInt(u.UnitID, 10)}}
	if x := r.URL.Query().Get("round"); x != "" {
		form.Set("round_id", x)
	}
	if x := r.URL.Query().Get("unit"); x != "" {
		form.Set("unit_id", x)
	}
	return s.renderNewScreening(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderNewScreening(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	v := &newScreeningView{Form: form, Today: s.today().String(), Sources: xinfang.ScreeningSources, Risks: xinfang.RiskLevels}
	v.Title, v.Nav = "报送排查情况", "screening"
	units, _, err := s.units(r)
	if err != nil {
		return err
	}
	v.Units = scopeUnits(xinfang.UserFromContext(r.Context()), units)
	if v.Categories, _, err = s.categories(r); err != nil {
		return err
	}
	if v.Rounds, err = s.Screening.RoundsFor(r.Context(), 0); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	v.Tabs = screeningTabs(&v.base, "tab-reports")
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "screening_new.html", v)
}

func (s *Server) handleCreateScreeningReport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	rep := &xinfang.ScreeningReport{RoundID: discFormID(form, "round_id", "round_id", probs), UnitID: discFormID(form, "unit_id", "unit_id", probs),
		Source: xinfang.ScreeningSource(form.Get("source")), FoundOn: formDate(form, "found_on", probs), Summary: form.Get("summary"), Parties: form.Get("parties"),
		Place: form.Get("place"), Category: form.Get("category"), RiskLevel: xinfang.RiskLevel(form.Get("risk_level")), Owner: form.Get("owner"), DueOn: formDate(form, "due_on", probs)}
	err := probs.Err()
	if err == nil {
		err = s.Screening.CreateReport(r.Context(), rep)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderNewScreening(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/screening/"+strconv.FormatInt(rep.ID, 10)+"?done=create", http.StatusSeeOther)
	return nil
}

type screeningReportView struct {
	base
	Tabs     []societyTab
	R        *xinfang.ScreeningReport
	CatLabel string
	CanWrite bool
	// SeesPetition, SeesCase: the reader may open what the report became.
	SeesPetition, SeesCase bool
	Levels                 []xinfang.Label // where it may be settled: its level and above
	Purposes               []xinfang.Label
	Leaders                []xinfang.CaseUser
	Units                  []*xinfang.Unit
	Open                   string // the form that failed
	Form                   url.Values
	Today                  string
}

func (s *Server) handleScreeningReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "排查报告不存在或无权查看")
	if err != nil {
		return err
	}
	return s.renderScreeningReport(w, r, http.StatusOK, id, "", url.Values{}, nil)
}

func (s *Server) renderScreeningReport(w http.ResponseWriter, r *http.Request, status int, id int64, open string, form url.Values, ferr error) error {
	ctx := r.Context()
	rep, err := s.Screening.FindReportByID(ctx, id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(ctx)
	v := &screeningReportView{R: rep, CanWrite: xinfang.CanReportScreening(u), Purposes: xinfang.Purposes, Open: open, Form: form, Today: s.today().String()}
	v.Title, v.Nav = "排查报告 "+rep.Number, "screening"
	_, cats, err := s.categories(r)
	if err != nil {
		return err
	}
	v.CatLabel = cats[rep.Category]
	if rep.PetitionID != 0 {
		_, err := s.Petitions.FindPetitionByID(ctx, rep.PetitionID)
		v.SeesPetition = err == nil
	}
	if rep.CaseID != 0 {
		_, err := s.Cases.FindCaseByID(ctx, rep.CaseID)
		v.SeesCase = err == nil
	}
	if v.CanWrite && rep.State == xinfang.ScreeningOpen {
		below := true
		for _, l := range xinfang.ScreeningLevels {
			below = below && l.Code != string(rep.Level)
			if !below {
				v.Levels = append(v.Levels, l)
			}
		}
		if _, v.Leaders, err = s.leaders(r); err != nil {
			return err
		}
		units, _, err := s.units(r)
		if err != nil {
			return err
		}
		v.Units = scopeUnits(u, units)
	}
	s.fillBase(r, &v.base)
	v.Tabs = screeningTabs(&v.base, "tab-reports")
	v.formOutcome(r, map[string]string{
		"create":   "排查报告已报送。",
		"settle":   "已记录就地化解。",
		"petition": "已登记为信访件。",
		"case":     "已立为信访积案。",
	}, ferr)
	return s.render(w, r, status, "screening_report.html", v)
}

// handleScreeningAction serves the three ways a report ends: settle,
// petition, case.
func (s *Server) handleScreeningAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "排查报告不存在或无权查看")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	version, _ := strconv.Atoi(form.Get("version"))
	ctx := r.Context()
	action := r.PathValue("action")
	target := "/screening/" + strconv.FormatInt(id, 10) + "?done=" + action
	switch action {
	case "settle":
		in := xinfang.ScreeningSettlement{Version: version, Level: xinfang.ScreeningLevel(form.Get("level")), SettledOn: formDate(form, "settled_on", probs), Note: form.Get("note")}
		if err = probs.Err(); err == nil {
			_, err = s.Screening.SettleReport(ctx, id, in)
		}
	case "petition":
		in := xinfang.ScreeningPetitionInput{Version: version, Purpose: xinfang.Purpose(form.Get("purpose")), Request: form.Get("request"),
			Petitioner: &xinfang.Petitioner{Name: form.Get("petitioner_name"), Phone: form.Get("petitioner_phone"), Address: form.Get("petitioner_address")}}
		var p *xinfang.Petition
		if _, p, err = s.Screening.ReportToPetition(ctx, id, in); err == nil {
			// The 查询码 is shown once, as after a registration (handleCreated).
			target = "/petitions/" + strconv.FormatInt(p.ID, 10) + "/created"
			http.SetCookie(w, &http.Cookie{Name: queryCodeCookie, Value: p.QueryCode, Path: target, HttpOnly: true,
				Secure: s.Secure || s.isHTTPS(r), SameSite: http.SameSiteStrictMode, MaxAge: 600})
		}
	case "case":
		in := xinfang.ScreeningCaseInput{Version: version, LeaderID: discFormID(form, "leader_id", "leader_id", probs),
			ResponsibleUnitID: discFormID(form, "responsible_unit_id", "responsible_unit_id", probs), Deadline: formDate(form, "deadline", probs)}
		if err = probs.Err(); err == nil {
			var c *xinfang.Case
			if _, c, err = s.Screening.ReportToCase(ctx, id, in); err == nil {
				target = "/cases/" + strconv.FormatInt(c.ID, 10)
			}
		}
	default:
		return xinfang.Errorf(xinfang.ENOTFOUND, "页面不存在")
	}
	if err != nil {
		switch xinfang.ErrorCode(err) {
		case xinfang.EINVALID:
			return s.renderScreeningReport(w, r, http.StatusUnprocessableEntity, id, action, form, petitionerFields(err))
		case xinfang.ECONFLICT:
			return s.renderScreeningReport(w, r, http.StatusConflict, id, action, form, err)
		}
		return err
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// petitionerFields names the form's fields in an error of the petition's
// registration ("petitioner.name" is the form's petitioner_name).
func petitionerFields(err error) error {
	fields := xinfang.ErrorFields(err)
	out := &xinfang.Error{Code: xinfang.EINVALID, Message: formMessage(err), Fields: map[string]string{}}
	for k, m := range fields {
		out.Fields[strings.ReplaceAll(k, "petitioner.", "petitioner_")] = m
	}
	return out
}

// screeningOf returns the screening report a petition (or, with isCase,
// a case) came from and the decisions a petition is linked to, as far as
// the reader sees them; nothing when the stores are not there.
func (s *Server) screeningOf(ctx context.Context, id int64, isCase bool) (*xinfang.ScreeningReport, []*xinfang.RiskAssessment, error) {
	u := xinfang.UserFromContext(ctx)
	if s.Screening == nil || !xinfang.CanReadScreening(u) {
		return nil, nil, nil
	}
	rep, err := s.Screening.FindReportOf(ctx, id, isCase)
	if err != nil && xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
		return nil, nil, err
	}
	if isCase || s.Risks == nil {
		return rep, nil, nil
	}
	list, _, err := s.Risks.FindRiskAssessments(ctx, xinfang.RiskAssessmentFilter{PetitionID: id, Limit: 20})
	return rep, list, err
}
