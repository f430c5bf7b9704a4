package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The pages of the risk assessments of major decisions (稳评): the list
// with the form for a new one, and an assessment's page with its edit
// form and the petitions linked to the decision.

type risksView struct {
	base
	Tabs        []societyTab
	Items       []*xinfang.RiskAssessment
	Total       int
	Levels      []xinfang.Label
	Conclusions []xinfang.Label
	Units       []*xinfang.Unit
	Q           url.Values
	Form        url.Values
	CanWrite    bool
	Today       string
}

func (s *Server) handleRiskAssessments(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	return s.renderRisks(w, r, http.StatusOK, url.Values{"unit_id": {strconv.FormatInt(u.UnitID, 10)}, "assessed_on": {s.today().String()}}, nil)
}

func (s *Server) renderRisks(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &risksView{Levels: xinfang.RiskLevels, Conclusions: xinfang.RiskConclusions, Q: url.Values{}, Form: form, CanWrite: xinfang.CanReportScreening(u), Today: s.today().String()}
	v.Title, v.Nav = "重大决策社会稳定风险评估", "risks"
	q := r.URL.Query()
	f := xinfang.RiskAssessmentFilter{Limit: 200, Level: xinfang.RiskLevel(q.Get("level")), Conclusion: xinfang.RiskConclusion(q.Get("conclusion"))}
	for _, k := range []string{"level", "conclusion"} {
		if val := q.Get(k); val != "" {
			v.Q.Set(k, val)
		}
	}
	var err error
	v.Items, v.Total, err = s.Risks.FindRiskAssessments(r.Context(), f)
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	if v.CanWrite {
		units, _, uerr := s.units(r)
		if uerr != nil {
			return uerr
		}
		v.Units = scopeUnits(u, units)
	}
	s.fillBase(r, &v.base)
	v.Tabs = screeningTabs(&v.base, "tab-risks")
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "risks.html", v)
}

type riskView struct {
	base
	Tabs        []societyTab
	A           *xinfang.RiskAssessment
	Levels      []xinfang.Label
	Conclusions []xinfang.Label
	Units       []*xinfang.Unit
	CanWrite    bool
	Open        string
	Form        url.Values
	Today       string
}

func (s *Server) handleRiskAssessment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "稳评不存在或无权查看")
	if err != nil {
		return err
	}
	return s.renderRisk(w, r, http.StatusOK, id, "", nil, nil)
}

func (s *Server) renderRisk(w http.ResponseWriter, r *http.Request, status int, id int64, open string, form url.Values, ferr error) error {
	a, err := s.Risks.FindRiskAssessmentByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	v := &riskView{A: a, Levels: xinfang.RiskLevels, Conclusions: xinfang.RiskConclusions, CanWrite: xinfang.CanReportScreening(u), Open: open, Form: form, Today: s.today().String()}
	if form == nil || open == "link" {
		v.Form = url.Values{"petition": {form.Get("petition")}, "decision": {a.Decision}, "body": {a.Body}, "unit_id": {strconv.FormatInt(a.UnitID, 10)}, "risks": {a.Risks}, "measures": {a.Measures},
			"level": {string(a.Level)}, "conclusion": {string(a.Conclusion)}, "reviewers": {a.Reviewers}, "assessed_on": {a.AssessedOn.String()}}
		if !a.DecidedOn.IsZero() {
			v.Form.Set("decided_on", a.DecidedOn.String())
		}
	}
	if v.CanWrite {
		units, _, err := s.units(r)
		if err != nil {
			return err
		}
		v.Units = scopeUnits(u, units)
	}
	v.Title, v.Nav = "稳评 "+a.Number, "risks"
	s.fillBase(r, &v.base)
	v.Tabs = screeningTabs(&v.base, "tab-risks")
	v.formOutcome(r, map[string]string{
		"create": "稳评已登记。",
		"edit":   "稳评已修改。",
		"link":   "已关联信访件。",
		"unlink": "已取消关联。",
	}, ferr)
	return s.render(w, r, status, "risk.html", v)
}

// handleSaveRiskAssessment records a new assessment (POST /risks) or
// changes one (POST /risks/{id}).
func (s *Server) handleSaveRiskAssessment(w http.ResponseWriter, r *http.Request) error {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathIDOr(r, "id", "稳评不存在或无权查看"); err != nil {
			return err
		}
	}
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	version, _ := strconv.Atoi(form.Get("version"))
	a := &xinfang.RiskAssessment{ID: id, Version: version, Decision: form.Get("decision"), Body: form.Get("body"), UnitID: discFormID(form, "unit_id", "unit_id", probs),
		Risks: form.Get("risks"), Measures: form.Get("measures"), Level: xinfang.RiskLevel(form.Get("level")), Conclusion: xinfang.RiskConclusion(form.Get("conclusion")),
		Reviewers: form.Get("reviewers"), AssessedOn: formDate(form, "assessed_on", probs), DecidedOn: formDate(form, "decided_on", probs)}
	err := probs.Err()
	if err == nil {
		err = s.Risks.SaveRiskAssessment(r.Context(), a)
	}
	if err != nil {
		code := xinfang.ErrorCode(err)
		if code != xinfang.EINVALID && code != xinfang.ECONFLICT {
			return err
		}
		status := http.StatusUnprocessableEntity
		if code == xinfang.ECONFLICT {
			status = http.StatusConflict
		}
		if id == 0 {
			return s.renderRisks(w, r, status, form, err)
		}
		return s.renderRisk(w, r, status, id, "edit", form, err)
	}
	done := "edit"
	if id == 0 {
		done = "create"
	}
	http.Redirect(w, r, "/risks/"+strconv.FormatInt(a.ID, 10)+"?done="+done, http.StatusSeeOther)
	return nil
}

// handleLinkRiskPetition links a petition (by number or id) to the
// decision, or unlinks one (action=unlink).
func (s *Server) handleLinkRiskPetition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "稳评不存在或无权查看")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	ref := strings.TrimSpace(form.Get("petition"))
	unlink := form.Get("action") == "unlink"
	var pid int64
	if ref == "" {
		err = xinfang.FieldError("petition_id", "请填写信访件编号")
	} else if pid, err = s.discFormPetition(r, ref); err != nil || pid == 0 {
		err = xinfang.FieldError("petition_id", "信访件 "+ref+" 不存在或无权查看")
	}
	if err == nil {
		_, err = s.Risks.LinkPetition(r.Context(), id, pid, unlink)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderRisk(w, r, http.StatusUnprocessableEntity, id, "link", form, err)
	}
	done := "link"
	if unlink {
		done = "unlink"
	}
	http.Redirect(w, r, "/risks/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
	return nil
}
