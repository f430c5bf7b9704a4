package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// The administrator's pages: the holiday calendar (节假日与调休) and the
// dictionaries. Their routes admit administrators only (mayAdminister);
// storage checks the role again on every change.

type holidaysView struct {
	base
	Years []int
	Year  int
	Days  []calendar.Override
	Form  url.Values
}

func (s *Server) handleHolidays(w http.ResponseWriter, r *http.Request) error {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	return s.renderHolidays(w, r, year, url.Values{}, nil, http.StatusOK)
}

func (s *Server) renderHolidays(w http.ResponseWriter, r *http.Request, year int, form url.Values, err error, status int) error {
	all, lerr := s.Directory.Holidays(r.Context())
	if lerr != nil {
		return lerr
	}
	if year == 0 {
		year = s.today().Year
	}
	v := &holidaysView{Year: year, Form: form}
	v.Title, v.Nav = "节假日维护", "admin"
	s.fillBase(r, &v.base)
	seen := map[int]bool{year: true}
	v.Years = append(v.Years, year)
	for _, o := range all {
		if !seen[o.Date.Year] {
			seen[o.Date.Year] = true
			v.Years = append(v.Years, o.Date.Year)
		}
		if o.Date.Year == year {
			v.Days = append(v.Days, o)
		}
	}
	slices.Sort(v.Years)
	if err != nil {
		v.Error, v.Fields = formMessage(err), xinfang.ErrorFields(err)
	}
	if q := r.URL.Query().Get("saved"); q != "" && err == nil {
		v.Notice = "已保存 " + q
	}
	return s.render(w, r, status, "holidays.html", v)
}

func (s *Server) handleSaveHoliday(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	form := r.PostForm
	d, err := calendar.ParseDate(strings.TrimSpace(form.Get("date")))
	if err != nil {
		return s.renderHolidays(w, r, 0, form, xinfang.FieldError("date", err.Error()), http.StatusUnprocessableEntity)
	}
	o := calendar.Override{Date: d, Kind: calendar.DayKind(form.Get("kind")), Name: form.Get("name")}
	if err := s.Directory.SaveHoliday(r.Context(), o); err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderHolidays(w, r, d.Year, form, err, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/admin/holidays?year="+strconv.Itoa(d.Year)+"&saved="+d.String(), http.StatusSeeOther)
	return nil
}

type dictionaryView struct {
	base
	Kinds   []xinfang.Label
	Kind    xinfang.DictKind
	Entries []xinfang.DictEntry
	Form    url.Values
}

func (s *Server) handleDictionary(w http.ResponseWriter, r *http.Request) error {
	return s.renderDictionary(w, r, xinfang.DictKind(r.URL.Query().Get("kind")), url.Values{}, nil, http.StatusOK)
}

func (s *Server) renderDictionary(w http.ResponseWriter, r *http.Request, kind xinfang.DictKind, form url.Values, err error, status int) error {
	if !kind.Valid() {
		kind = xinfang.DictCategory
	}
	entries, lerr := s.Directory.Dictionary(r.Context(), kind)
	if lerr != nil {
		return lerr
	}
	v := &dictionaryView{Kinds: xinfang.DictKinds, Kind: kind, Entries: entries, Form: form}
	v.Title, v.Nav = "字典维护", "admin"
	s.fillBase(r, &v.base)
	if err != nil {
		v.Error, v.Fields = formMessage(err), xinfang.ErrorFields(err)
	}
	if q := r.URL.Query().Get("saved"); q != "" && err == nil {
		v.Notice = "已保存 " + q
	}
	return s.render(w, r, status, "dictionary.html", v)
}

func (s *Server) handleSaveDictEntry(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	form := r.PostForm
	sortN, ok := formInt(form.Get("sort"))
	if !ok {
		return s.renderDictionary(w, r, xinfang.DictKind(form.Get("kind")), form, xinfang.FieldError("sort", "排序须为整数"), http.StatusUnprocessableEntity)
	}
	e := xinfang.DictEntry{Kind: xinfang.DictKind(form.Get("kind")), Code: form.Get("code"), Parent: strings.TrimSpace(form.Get("parent")), Label: form.Get("label"), Sort: sortN, Active: form.Get("active") != ""}
	if err := s.Directory.SaveDictEntry(r.Context(), e); err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderDictionary(w, r, e.Kind, form, err, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/admin/dictionary?kind="+url.QueryEscape(string(e.Kind))+"&saved="+url.QueryEscape(e.Code), http.StatusSeeOther)
	return nil
}
