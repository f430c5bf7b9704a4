package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The pages of the expert pool (专家库) and the observers' register
// (监督员名录): a list with its filters and the form of a new entry; an
// entry's page with its hearings and its form.

type expertsView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.Expert
	FieldList []xinfang.Label
	Q         url.Values
	Form      url.Values
	CanManage bool
}

func (s *Server) handleExperts(w http.ResponseWriter, r *http.Request) error {
	return s.renderExperts(w, r, http.StatusOK, url.Values{"available": {"1"}}, nil)
}

func (s *Server) renderExperts(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	q := r.URL.Query()
	v := &expertsView{FieldList: xinfang.ExpertFields, Q: url.Values{}, Form: form, CanManage: xinfang.CanManageSociety(u)}
	v.Title, v.Nav = "专家库", "hearings"
	f := xinfang.ExpertFilter{}
	for _, k := range []string{"field", "q", "available"} {
		if val := strings.TrimSpace(q.Get(k)); val != "" {
			v.Q.Set(k, val)
		}
	}
	f.Field, f.Q, f.Available = xinfang.ExpertField(v.Q.Get("field")), v.Q.Get("q"), v.Q.Get("available") != ""
	items, err := s.Society.FindExperts(r.Context(), f)
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	v.Items = items
	s.fillBase(r, &v.base)
	v.Tabs = societyTabs(&v.base, "tab-experts")
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	if q.Get("done") == "save" && ferr == nil {
		v.Notice = "专家信息已保存。"
	}
	if ferr != nil {
		v.Error, v.base.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "society_experts.html", v)
}

type expertView struct {
	base
	Tabs      []societyTab
	E         *xinfang.Expert
	FieldList []xinfang.Label
	Form      url.Values
	CanManage bool
}

func (s *Server) handleExpert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderExpert(w, r, http.StatusOK, id, nil, nil)
}

func (s *Server) renderExpert(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	e, err := s.Society.FindExpertByID(r.Context(), id)
	if err != nil {
		return err
	}
	if form == nil {
		form = url.Values{"name": {e.Name}, "field": {string(e.Field)}, "title": {e.Title}, "employer": {e.Employer}, "phone": {e.Phone}, "note": {e.Note}}
		if e.Available {
			form.Set("available", "1")
		}
		if e.UserID != 0 {
			form.Set("user_id", strconv.FormatInt(e.UserID, 10))
		}
	}
	v := &expertView{E: e, FieldList: xinfang.ExpertFields, Form: form, CanManage: xinfang.CanManageSociety(xinfang.UserFromContext(r.Context()))}
	v.Title, v.Nav = "专家 "+e.Name, "hearings"
	s.fillBase(r, &v.base)
	v.Tabs = societyTabs(&v.base, "tab-experts")
	if r.URL.Query().Get("done") == "save" && ferr == nil {
		v.Notice = "专家信息已保存。"
	}
	if ferr != nil {
		v.Error, v.base.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "society_expert.html", v)
}

// formUserID reads an optional account id of a form.
func formUserID(form url.Values, probs xinfang.Problems) int64 {
	v := strings.TrimSpace(form.Get("user_id"))
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		probs.Add("user_id", "账号编号须为正整数")
	}
	return id
}

// handleSaveExpert serves the form of a new expert (POST /society/experts)
// and of an existing one (POST /society/experts/{id}).
func (s *Server) handleSaveExpert(w http.ResponseWriter, r *http.Request) error {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
		if _, err := s.Society.FindExpertByID(r.Context(), id); err != nil {
			return err
		}
	}
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	e := &xinfang.Expert{ID: id, Name: form.Get("name"), Field: xinfang.ExpertField(form.Get("field")), Title: form.Get("title"), Employer: form.Get("employer"),
		Phone: form.Get("phone"), Available: form.Get("available") != "", Note: form.Get("note"), UserID: formUserID(form, probs)}
	err := probs.Err()
	if err == nil {
		err = s.Society.SaveExpert(r.Context(), e)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		if id != 0 {
			return s.renderExpert(w, r, http.StatusUnprocessableEntity, id, form, err)
		}
		return s.renderExperts(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/society/experts/"+strconv.FormatInt(e.ID, 10)+"?done=save", http.StatusSeeOther)
	return nil
}

type observersView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.Observer
	Kinds     []xinfang.Label
	Q         url.Values
	Form      url.Values
	CanManage bool
}

func (s *Server) handleObservers(w http.ResponseWriter, r *http.Request) error {
	return s.renderObservers(w, r, http.StatusOK, url.Values{"available": {"1"}}, nil)
}

func (s *Server) renderObservers(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	q := r.URL.Query()
	v := &observersView{Kinds: xinfang.ObserverKinds, Q: url.Values{}, Form: form, CanManage: xinfang.CanManageSociety(u)}
	v.Title, v.Nav = "监督员名录", "hearings"
	for _, k := range []string{"kind", "q", "available"} {
		if val := strings.TrimSpace(q.Get(k)); val != "" {
			v.Q.Set(k, val)
		}
	}
	f := xinfang.ObserverFilter{Kind: xinfang.ObserverKind(v.Q.Get("kind")), Q: v.Q.Get("q"), Available: v.Q.Get("available") != ""}
	items, err := s.Society.FindObservers(r.Context(), f)
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	v.Items = items
	s.fillBase(r, &v.base)
	v.Tabs = societyTabs(&v.base, "tab-observers")
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	if ferr != nil {
		v.Error, v.base.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "society_observers.html", v)
}

type observerView struct {
	base
	Tabs      []societyTab
	O         *xinfang.Observer
	Kinds     []xinfang.Label
	Form      url.Values
	CanManage bool
}

func (s *Server) handleObserver(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderObserver(w, r, http.StatusOK, id, nil, nil)
}

func (s *Server) renderObserver(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	o, err := s.Society.FindObserverByID(r.Context(), id)
	if err != nil {
		return err
	}
	if form == nil {
		form = url.Values{"name": {o.Name}, "kind": {string(o.Kind)}, "affiliation": {o.Affiliation}, "phone": {o.Phone}, "note": {o.Note}}
		if o.Available {
			form.Set("available", "1")
		}
		if o.UserID != 0 {
			form.Set("user_id", strconv.FormatInt(o.UserID, 10))
		}
	}
	v := &observerView{O: o, Kinds: xinfang.ObserverKinds, Form: form, CanManage: xinfang.CanManageSociety(xinfang.UserFromContext(r.Context()))}
	v.Title, v.Nav = "监督员 "+o.Name, "hearings"
	s.fillBase(r, &v.base)
	v.Tabs = societyTabs(&v.base, "tab-observers")
	if r.URL.Query().Get("done") == "save" && ferr == nil {
		v.Notice = "监督员信息已保存。"
	}
	if ferr != nil {
		v.Error, v.base.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "society_observer.html", v)
}

// handleSaveObserver serves the form of a new observer and of an
// existing one.
func (s *Server) handleSaveObserver(w http.ResponseWriter, r *http.Request) error {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
		if _, err := s.Society.FindObserverByID(r.Context(), id); err != nil {
			return err
		}
	}
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	o := &xinfang.Observer{ID: id, Name: form.Get("name"), Kind: xinfang.ObserverKind(form.Get("kind")), Affiliation: form.Get("affiliation"),
		Phone: form.Get("phone"), Available: form.Get("available") != "", Note: form.Get("note"), UserID: formUserID(form, probs)}
	err := probs.Err()
	if err == nil {
		err = s.Society.SaveObserver(r.Context(), o)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		if id != 0 {
			return s.renderObserver(w, r, http.StatusUnprocessableEntity, id, form, err)
		}
		return s.renderObservers(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/society/observers/"+strconv.FormatInt(o.ID, 10)+"?done=save", http.StatusSeeOther)
	return nil
}
