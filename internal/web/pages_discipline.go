package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The pages of discipline work (纪检监督): the watch list in tabs, raised
// investigations with their two tracks (一案双查), accountability records
// and responsibility letters. The routes admit whom the policy lets read or
// write (routeTable), storage decides on each record, and the pages hide
// the forms a user could not send.

const watchPageSize = 30

// disciplineTab is one tab of the discipline pages.
type disciplineTab struct {
	Href, Label, ID string
	Count           int
	On              bool
}

// disciplineTabs are the tabs u may open: staff outside the city-wide
// discipline readers see only the accountability records and letters of
// their own units.
func disciplineTabs(u *xinfang.User, page *xinfang.WatchPage, on string) []disciplineTab {
	if !xinfang.CanReadDiscipline(u) {
		return []disciplineTab{
			{Href: "/discipline/accountability", Label: "问责记录", ID: "tab-accountability", On: on == "accountability", Count: -1},
			{Href: "/discipline/letters", Label: "责任书", ID: "tab-letters", On: on == "letters", Count: -1}}
	}
	var tabs []disciplineTab
	for _, k := range xinfang.WatchKinds {
		t := disciplineTab{Href: "/discipline?kind=" + k.Code, Label: k.Label, ID: "tab-" + k.Code, On: on == k.Code, Count: -1}
		if page != nil {
			t.Count = page.Counts[xinfang.WatchKind(k.Code)]
		}
		tabs = append(tabs, t)
	}
	return append(tabs,
		disciplineTab{Href: "/discipline/investigations", Label: "提级调查", ID: "tab-investigations", On: on == "investigations", Count: -1},
		disciplineTab{Href: "/discipline/accountability", Label: "问责记录", ID: "tab-accountability", On: on == "accountability", Count: -1},
		disciplineTab{Href: "/discipline/letters", Label: "责任书", ID: "tab-letters", On: on == "letters", Count: -1})
}

type watchView struct {
	base
	Tabs       []disciplineTab
	Kind       xinfang.WatchKind
	KindLabel  string
	Items      []*xinfang.WatchRow
	Total      int
	Page       int
	Pages      int
	CanInspect bool
}

// PageURL returns the URL of page n of the current tab.
func (v *watchView) PageURL(n int) string {
	return "/discipline?kind=" + url.QueryEscape(string(v.Kind)) + "&page=" + strconv.Itoa(n)
}

// handleWatch is the watch list (关注名单), one kind per tab.
func (s *Server) handleWatch(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	kind := xinfang.WatchKind(r.URL.Query().Get("kind"))
	if kind == "" {
		kind = xinfang.WatchRepeat
	}
	v := &watchView{Kind: kind, KindLabel: kind.Label(), Page: 1, CanInspect: xinfang.CanInspect(u)}
	v.Title, v.Nav = "纪检监督", "discipline"
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	page, err := s.Discipline.FindWatchList(r.Context(), xinfang.WatchFilter{Kind: kind, Offset: (v.Page - 1) * watchPageSize, Limit: watchPageSize})
	if err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	s.noteIndex(r, &v.base)
	v.Tabs = disciplineTabs(u, page, string(kind))
	v.Items, v.Total = page.Items, page.Total
	v.Pages = (v.Total + watchPageSize - 1) / watchPageSize
	return s.render(w, r, http.StatusOK, "discipline_watch.html", v)
}

type investigationsView struct {
	base
	Tabs       []disciplineTab
	Items      []*xinfang.Investigation
	Total      int
	State      xinfang.InvestigationState
	CanInspect bool
	Units      []*xinfang.Unit
	Causes     []xinfang.Label
	Form       url.Values
}

func (s *Server) handleInvestigations(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{}
	if p := r.URL.Query().Get("petition"); p != "" {
		form.Set("petition", p)
	}
	return s.renderInvestigations(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderInvestigations(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &investigationsView{Tabs: disciplineTabs(u, nil, "investigations"), State: xinfang.InvestigationState(r.URL.Query().Get("state")), CanInspect: xinfang.CanInspect(u),
		Causes: xinfang.InvestigationCauses, Form: form}
	v.Title, v.Nav = "提级调查", "discipline"
	var err error
	v.Items, v.Total, err = s.Discipline.FindInvestigations(r.Context(), xinfang.InvestigationFilter{State: v.State, Limit: 200})
	if err != nil {
		return err
	}
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "discipline_investigations.html", v)
}

// discFormID parses an optional id field of a form; a bad value is a problem
// of field.
func discFormID(form url.Values, name, field string, probs xinfang.Problems) int64 {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		probs.Add(field, "请从列表中选择")
		return 0
	}
	return id
}

// discFormPetition resolves a petition given by number or id in a form.
func (s *Server) discFormPetition(r *http.Request, v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	p, err := s.Petitions.FindPetitionByNumber(r.Context(), v)
	if err != nil {
		return 0, xinfang.FieldError("petition_id", "信访件不存在或无权查看")
	}
	return p.ID, nil
}

func (s *Server) handleCreateInvestigation(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	in := xinfang.InvestigationInput{Cause: xinfang.InvestigationCause(form.Get("cause")), Summary: form.Get("summary"),
		UnitID: discFormID(form, "unit_id", "unit_id", probs)}
	if id, err := s.caseRef(r, form.Get("case_id")); err != nil {
		probs.Add("case_id", "积案 "+strings.TrimSpace(form.Get("case_id"))+" 不存在或无权查看")
	} else {
		in.CaseID = id
	}
	err := probs.Err()
	if err == nil {
		in.PetitionID, err = s.discFormPetition(r, form.Get("petition"))
	}
	var iv *xinfang.Investigation
	if err == nil {
		iv, err = s.Discipline.CreateInvestigation(r.Context(), in)
	}
	if err != nil {
		if code := xinfang.ErrorCode(err); code != xinfang.EINVALID && code != xinfang.ECONFLICT {
			return err
		}
		return s.renderInvestigations(w, r, statusOf(xinfang.ErrorCode(err)), form, err)
	}
	http.Redirect(w, r, "/discipline/investigations/"+strconv.FormatInt(iv.ID, 10)+"?done=open", http.StatusSeeOther)
	return nil
}

type investigationView struct {
	base
	Tabs       []disciplineTab
	I          *xinfang.Investigation
	CanInspect bool
	Units      []*xinfang.Unit
	// Officials are the rows of the responsibility form: the recorded
	// officials and two blank rows.
	Officials    []xinfang.Official
	CaseOutcomes []xinfang.Label
	RespOutcomes []xinfang.Label
	Causes       []xinfang.Label
	// Step is the form a mistake came back to, Form its values.
	Step string
	Form url.Values
}

// OfficialField names the form field of official i.
func (v *investigationView) OfficialField(i int, name string) string {
	return "officials." + strconv.Itoa(i) + "." + name
}

var investigationNotices = map[string]string{
	"open": "提级调查已立项。", "case-track": "“事”的调查记录已保存。", "responsibility-track": "“人”的调查记录已保存。",
	"close": "提级调查已办结。", "edit": "立项信息已修改。",
}

func (s *Server) handleInvestigation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderInvestigation(w, r, http.StatusOK, id, "", nil, nil)
}

func (s *Server) renderInvestigation(w http.ResponseWriter, r *http.Request, status int, id int64, step string, form url.Values, ferr error) error {
	iv, err := s.Discipline.FindInvestigationByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	// The forms show while the domain would take a change of the record
	// (an inspector, an investigation not closed); close shows too, and
	// its refusal names the track that is missing.
	_, changeErr := xinfang.CheckInvestigationAction(iv, xinfang.InvestigationActUpdate, u, 0)
	v := &investigationView{Tabs: disciplineTabs(u, nil, "investigations"), I: iv, CanInspect: changeErr == nil,
		CaseOutcomes: xinfang.MatterTrackOutcomes, RespOutcomes: xinfang.ResponsibilityOutcomes, Causes: xinfang.InvestigationCauses, Step: step, Form: form}
	v.Title, v.Nav = "提级调查", "discipline"
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	v.Officials = append(append([]xinfang.Official{}, iv.ResponsibilityTrack.Officials...), xinfang.Official{}, xinfang.Official{})
	if step == "responsibility-track" && form != nil {
		v.Officials = discFormOfficials(form, true)
		v.Officials = append(v.Officials, xinfang.Official{})
	}
	s.fillBase(r, &v.base)
	if msg, ok := investigationNotices[r.URL.Query().Get("done")]; ok && ferr == nil {
		v.Notice = msg
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "discipline_investigation.html", v)
}

// discFormOfficials reads the official rows of the responsibility form; blank
// rows are dropped unless keepBlank (to show the form again as typed).
func discFormOfficials(form url.Values, keepBlank bool) []xinfang.Official {
	var out []xinfang.Official
	for i := 0; i < 50; i++ {
		pre := "officials." + strconv.Itoa(i) + "."
		name, unit, pos := strings.TrimSpace(form.Get(pre+"name")), strings.TrimSpace(form.Get(pre+"unit_id")), strings.TrimSpace(form.Get(pre+"position"))
		if _, ok := form[pre+"name"]; !ok {
			break
		}
		if name == "" && unit == "" && pos == "" && !keepBlank {
			continue
		}
		o := xinfang.Official{Name: name, Position: pos}
		o.UnitID, _ = strconv.ParseInt(unit, 10, 64)
		out = append(out, o)
	}
	return out
}

// investigationForm takes one form of the investigation page: the two
// tracks, 办结 and the change of what was opened.
func investigationForm(step string) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, form, version, err := recordForm(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		switch step {
		case "case-track":
			_, err = s.Discipline.UpdateMatterTrack(ctx, id, xinfang.MatterTrackInput{Version: version, Findings: form.Get("findings"), Measures: form.Get("measures"), Outcome: xinfang.MatterTrackOutcome(form.Get("outcome"))})
		case "responsibility-track":
			_, err = s.Discipline.UpdateResponsibilityTrack(ctx, id, xinfang.ResponsibilityTrackInput{Version: version, Officials: discFormOfficials(form, false), Findings: form.Get("findings"), Outcome: xinfang.ResponsibilityOutcome(form.Get("outcome"))})
		case "close":
			_, err = s.Discipline.CloseInvestigation(ctx, id, version, form.Get("note"))
		case "edit":
			probs := xinfang.Problems{}
			up := xinfang.InvestigationUpdate{Version: version, Cause: xinfang.InvestigationCause(form.Get("cause")), Summary: form.Get("summary"), UnitID: discFormID(form, "unit_id", "unit_id", probs)}
			if err = probs.Err(); err == nil {
				_, err = s.Discipline.UpdateInvestigation(ctx, id, up)
			}
		}
		if err != nil {
			if code := xinfang.ErrorCode(err); code != xinfang.EINVALID && code != xinfang.ECONFLICT {
				return err
			}
			return s.renderInvestigation(w, r, statusOf(xinfang.ErrorCode(err)), id, step, form, err)
		}
		http.Redirect(w, r, "/discipline/investigations/"+strconv.FormatInt(id, 10)+"?done="+step, http.StatusSeeOther)
		return nil
	}
}

type accountabilityView struct {
	base
	Tabs       []disciplineTab
	Items      []*xinfang.Accountability
	Total      int
	Q          url.Values
	CanInspect bool
	Units      []*xinfang.Unit
	Measures   []xinfang.Label
	Targets    []xinfang.Label
	Form       url.Values
	Today      string
}

func (s *Server) handleAccountability(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{}
	if iv := r.URL.Query().Get("investigation"); iv != "" {
		form.Set("investigation_id", iv)
	}
	return s.renderAccountability(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderAccountability(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	q := r.URL.Query()
	v := &accountabilityView{Tabs: disciplineTabs(u, nil, "accountability"), Q: url.Values{}, CanInspect: xinfang.CanInspect(u),
		Measures: xinfang.AccountabilityMeasures, Targets: xinfang.AccountabilityTargets, Form: form, Today: s.today().String()}
	v.Title, v.Nav = "问责记录", "discipline"
	if !xinfang.CanReadDiscipline(u) {
		v.Nav = ""
	}
	f := xinfang.AccountabilityFilter{Limit: 200}
	probs := xinfang.Problems{}
	for _, k := range []string{"unit", "measure", "year"} {
		if val := strings.TrimSpace(q.Get(k)); val != "" {
			v.Q.Set(k, val)
		}
	}
	f.UnitID = discFormID(v.Q, "unit", "unit", probs)
	f.Measure = xinfang.AccountabilityMeasure(v.Q.Get("measure"))
	if y := v.Q.Get("year"); y != "" {
		f.Year, _ = strconv.Atoi(y)
	}
	var err error
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	if err = probs.Err(); err == nil {
		v.Items, v.Total, err = s.Discipline.FindAccountabilities(r.Context(), f)
	}
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	s.fillBase(r, &v.base)
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	if q.Get("done") == "create" && ferr == nil {
		v.Notice = "问责记录已登记。"
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "discipline_accountability.html", v)
}

// formRefs resolves a form's list of records named by their numbers;
// one that is not found, or not in the user's scope, is a problem on
// field that names it.
func formRefs(list, field, what string, probs xinfang.Problems, resolve func(string) (int64, error)) []int64 {
	var out []int64
	for _, ref := range strings.FieldsFunc(list, listSep) {
		id, err := resolve(ref)
		if err != nil {
			probs.Add(field, what+" "+ref+" 不存在或无权查看")
			continue
		}
		out = append(out, id)
	}
	return out
}

// listSep splits a form's list of numbers: commas (either width), 、,
// spaces and line breaks.
func listSep(r rune) bool {
	return r == ',' || r == '，' || r == '、' || r == ' ' || r == '\n' || r == '\r'
}

func (s *Server) handleCreateAccountability(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	a := &xinfang.Accountability{Target: xinfang.AccountabilityTarget(form.Get("target")), UnitID: discFormID(form, "unit_id", "unit_id", probs), OfficialName: form.Get("official_name"),
		OfficialPosition: form.Get("official_position"), Measure: xinfang.AccountabilityMeasure(form.Get("measure")), DecidedOn: formDate(form, "decided_on", probs),
		DecidedBy: form.Get("decided_by"), Ground: form.Get("ground"), Note: form.Get("note"),
	}
	if v := strings.TrimSpace(form.Get("investigation_id")); v != "" {
		id, err := s.Discipline.FindInvestigationByNumber(r.Context(), v)
		if err != nil {
			probs.Add("investigation_id", "提级调查 "+v+" 不存在或无权查看")
		}
		a.InvestigationID = id
	}
	a.CaseIDs = formRefs(form.Get("case_ids"), "case_ids", "积案", probs, func(ref string) (int64, error) { return s.caseRef(r, ref) })
	a.PetitionIDs = formRefs(form.Get("petitions"), "petition_ids", "信访件", probs, func(ref string) (int64, error) { return s.discFormPetition(r, ref) })
	err := probs.Err()
	if err == nil {
		err = s.Discipline.CreateAccountability(r.Context(), a)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderAccountability(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/discipline/accountability?done=create#acc-"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
	return nil
}

type lettersView struct {
	base
	Tabs     []disciplineTab
	Items    []*xinfang.ResponsibilityLetter
	Year     string
	CanWrite bool
	Units    []*xinfang.Unit
	Form     url.Values
}

func (s *Server) handleLetters(w http.ResponseWriter, r *http.Request) error {
	return s.renderLetters(w, r, http.StatusOK, url.Values{}, nil)
}

func (s *Server) renderLetters(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &lettersView{Tabs: disciplineTabs(u, nil, "letters"), Year: strings.TrimSpace(r.URL.Query().Get("year")), Form: form,
		CanWrite: xinfang.CanWriteLetters(u)}
	v.Title, v.Nav = "信访工作责任书", "discipline"
	if !xinfang.CanReadDiscipline(u) {
		v.Nav = ""
	}
	if form.Get("year") == "" {
		form.Set("year", strconv.Itoa(s.today().Year))
	}
	year, _ := strconv.Atoi(v.Year)
	var err error
	if v.Items, err = s.Discipline.FindResponsibilityLetters(r.Context(), 0, year); err != nil {
		return err
	}
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	if r.URL.Query().Get("done") == "create" && ferr == nil {
		v.Notice = "责任书已登记。"
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "discipline_letters.html", v)
}

func (s *Server) handleCreateLetter(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	l := &xinfang.ResponsibilityLetter{UnitID: discFormID(form, "unit_id", "unit_id", probs), SignedOn: formDate(form, "signed_on", probs),
		Targets: strings.Split(form.Get("targets"), "\n"), Note: form.Get("note")}
	if y := strings.TrimSpace(form.Get("year")); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			probs.Add("year", "年度须为数字")
		}
		l.Year = n
	}
	err := probs.Err()
	if err == nil {
		err = s.Discipline.SaveResponsibilityLetter(r.Context(), l)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderLetters(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/discipline/letters?done=create#letter-"+strconv.FormatInt(l.ID, 10), http.StatusSeeOther)
	return nil
}
