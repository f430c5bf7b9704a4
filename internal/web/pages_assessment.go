package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The assessment pages (年度考核): a year's ranking with the export, the
// assessor's forms (weights and thresholds, entries, 责任书 targets, the
// closing of the year), and each unit's breakdown with the evidence behind
// every line.

type assessmentView struct {
	base
	Year      int
	A         *xinfang.Assessment
	Rates     []xinfang.IndicatorDef
	Units     []*xinfang.Unit
	Letters   []*xinfang.ResponsibilityLetter
	Kinds     []xinfang.Label
	CanAssess bool
	Form      url.Values
}

// Weight is the year's weight of kind, "" for none.
func (v *assessmentView) Weight(kind xinfang.IndicatorKind) string {
	if w, ok := v.A.Rules.Weights[kind]; ok {
		return strconv.FormatFloat(w, 'f', -1, 64)
	}
	return ""
}

func (s *Server) assessmentYear(r *http.Request) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	return s.today().Year
}

func (s *Server) handleAssessment(w http.ResponseWriter, r *http.Request) error {
	return s.renderAssessment(w, r, http.StatusOK, s.assessmentYear(r), nil, nil)
}

func (s *Server) renderAssessment(w http.ResponseWriter, r *http.Request, status, year int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &assessmentView{Year: year, Kinds: xinfang.AssessmentEntryKinds, CanAssess: xinfang.CanAssess(u), Form: form}
	v.Title, v.Nav = strconv.Itoa(year)+" 年度考核", "assessment"
	s.fillBase(r, &v.base)
	var err error
	if v.A, err = s.Assessment.Assess(r.Context(), year); err != nil {
		return err
	}
	for _, d := range xinfang.IndicatorDefs {
		if d.Rate {
			v.Rates = append(v.Rates, d)
		}
	}
	if v.CanAssess {
		if v.Units, _, err = s.units(r); err != nil {
			return err
		}
		if v.Letters, err = s.Discipline.FindResponsibilityLetters(r.Context(), 0, year); err != nil {
			return err
		}
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	} else if done := r.URL.Query().Get("done"); done != "" {
		v.Notice = map[string]string{"rules": "考核规则已保存。", "entries": "加减分已登记。", "letter-targets": "责任书目标已关联指标。", "freeze": "本年度考核已结束并冻结。"}[done]
	}
	if v.Form == nil {
		v.Form = url.Values{}
	}
	return s.render(w, r, status, "assessment.html", v)
}

// handleAssessmentForm takes one of the assessor's forms.
func (s *Server) handleAssessmentForm(w http.ResponseWriter, r *http.Request) error {
	year, err := pathYear(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	probs := xinfang.Problems{}
	num := func(name string) float64 {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			return 0
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			probs.Add(name, "须为数字")
		}
		return n
	}
	version := int(num("version"))
	ctx := r.Context()
	form := r.PathValue("form")
	switch form {
	case "rules":
		rules := xinfang.AssessmentRules{Year: year, Weights: map[xinfang.IndicatorKind]float64{}, RepeatPenalty: num("repeat_penalty"), RepeatCap: num("repeat_cap"),
			LeaderThreshold: num("leader_threshold") / 100, LeaderPenalty: num("leader_penalty"), Version: version}
		for _, d := range xinfang.IndicatorDefs {
			if d.Rate && strings.TrimSpace(f.Get("weight_"+string(d.Kind))) != "" {
				rules.Weights[d.Kind] = num("weight_" + string(d.Kind))
			}
		}
		if err = probs.Err(); err == nil {
			_, err = s.Assessment.SaveAssessmentRules(ctx, rules)
		}
	case "entries":
		unit, _ := strconv.ParseInt(f.Get("unit_id"), 10, 64)
		e := &xinfang.AssessmentEntry{Year: year, UnitID: unit, Kind: xinfang.AssessmentEntryKind(f.Get("kind")), Points: num("points"), Reason: f.Get("reason")}
		if err = probs.Err(); err == nil {
			err = s.Assessment.AddAssessmentEntry(ctx, e)
		}
	case "letter-targets":
		letter, _ := strconv.ParseInt(f.Get("letter_id"), 10, 64)
		t := &xinfang.LetterTarget{LetterID: letter, Indicator: xinfang.IndicatorKind(f.Get("indicator")), MinRate: num("min_rate") / 100, Points: num("points")}
		if err = probs.Err(); err == nil {
			err = s.Assessment.SetLetterTarget(ctx, t)
		}
	case "freeze":
		if err = probs.Err(); err == nil {
			_, err = s.Assessment.FreezeAssessment(ctx, year, version)
		}
	default:
		return xinfang.Errorf(xinfang.ENOTFOUND, "页面不存在")
	}
	if err != nil {
		if code := xinfang.ErrorCode(err); code != xinfang.EINVALID && code != xinfang.ECONFLICT {
			return err
		}
		return s.renderAssessment(w, r, http.StatusUnprocessableEntity, year, f, err)
	}
	http.Redirect(w, r, "/assessment?year="+strconv.Itoa(year)+"&done="+form, http.StatusSeeOther)
	return nil
}

type assessmentUnitView struct {
	base
	Year  int
	Rules xinfang.AssessmentRules
	Score *xinfang.UnitScore
}

// Evidence is the link to the items behind a line's indicator.
func (v *assessmentUnitView) Evidence(kind xinfang.IndicatorKind, part string) string {
	y := strconv.Itoa(v.Year)
	return link("/indicators/"+string(kind)+"/items", "unit_id", strconv.FormatInt(v.Score.UnitID, 10), "from", y+"-01-01", "to", y+"-12-31", "part", part)
}

// HasDenominator reports whether kind has a denominator to list.
func (v *assessmentUnitView) HasDenominator(kind xinfang.IndicatorKind) bool {
	d, _ := kind.Def()
	return d.Denominator != ""
}

func (s *Server) handleAssessmentUnit(w http.ResponseWriter, r *http.Request) error {
	year, err := pathYear(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Assessment.Assess(r.Context(), year)
	if err != nil {
		return err
	}
	v := &assessmentUnitView{Year: year, Rules: a.Rules}
	for _, u := range a.Units {
		if u.UnitID == id {
			v.Score = u
		}
	}
	if v.Score == nil {
		return xinfang.Errorf(xinfang.ENOTFOUND, "该单位不在本年度考核之列")
	}
	v.Title, v.Nav = v.Score.UnitName+" "+strconv.Itoa(year)+" 年度考核", "assessment"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "assessment_unit.html", v)
}
