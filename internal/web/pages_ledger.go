package web

import (
	"net/http"
	"net/url"
	"strings"

	"xinfang"
)

const (
	ledgerPageSize = 50
	// ledgerMaxPage keeps the offset within what the API allows.
	ledgerMaxPage = 1 << 20
)

type ledgerView struct {
	base
	Q          url.Values
	Units      []*xinfang.Unit
	Categories []*category
	CatLabels  map[string]string
	Items      []*xinfang.Petition
	Total      int
	Capped     bool // more than Total items match
	Page       int
	Pages      int
	First      int // 1-based index of the first row shown
	Last       int
	Todo       string
	TodoLabel  string
}

// PageURL returns the ledger URL of page n with the current filters.
func (v *ledgerView) PageURL(n int) string {
	return pageURL("/petitions", v.Q, n)
}

// handleLedger is the 台账: every item in the user's scope, filtered (by
// petitionFilter, as the API), sorted and paged; or, with ?todo=, one list
// of the 工作台 (workLists) in full. A parameter the API refuses is refused
// here too: 422, the page with the message naming each parameter.
func (s *Server) handleLedger(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query()
	// Links of old used unit= for what the API calls unit_id.
	if u := raw.Get("unit"); u != "" && raw.Get("unit_id") == "" {
		raw.Set("unit_id", u)
	}
	raw.Del("unit")
	q := newQuery(raw)
	v := &ledgerView{Page: 1}
	if n := q.number("page", 1, ledgerMaxPage); n > 0 {
		v.Page = n
	}
	todo := q.str("todo")
	f := petitionFilter(q)
	v.Q = q.kept("page")
	v.Title, v.Nav = "信访台账", "ledger"
	s.fillBase(r, &v.base)
	if f.Text != "" {
		s.noteIndex(r, &v.base)
	}
	s.noteSlowIndexes(r, &v.base)
	var err error
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	if v.Categories, v.CatLabels, err = s.categories(r); err != nil {
		return err
	}
	offset := (v.Page - 1) * ledgerPageSize
	switch err = q.err(); {
	case err != nil:
	case todo != "":
		v.Todo = todo
		if l, ok := findWorkList(todo); !ok {
			err = xinfang.FieldError("todo", "未知的待办类型")
		} else {
			v.TodoLabel = l.Label
			if l.applies(v.User) {
				v.Items, v.Total, err = l.find(s, r.Context(), offset, ledgerPageSize)
			}
		}
	default:
		f.Offset, f.Limit = offset, ledgerPageSize
		v.Items, v.Total, err = s.Petitions.FindPetitions(r.Context(), f)
	}
	status := http.StatusOK
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		v.Error = "查询条件有误：" + strings.TrimPrefix(xinfang.ErrorMessage(err), "输入有误：")
		v.Fields = xinfang.ErrorFields(err)
		v.Items, v.Total, status = nil, 0, http.StatusUnprocessableEntity
	}
	if v.Total > xinfang.MaxCount {
		v.Total, v.Capped = xinfang.MaxCount, true
	}
	v.Pages = (v.Total + ledgerPageSize - 1) / ledgerPageSize
	if len(v.Items) > 0 {
		v.First, v.Last = offset+1, offset+len(v.Items)
	}
	return s.render(w, r, status, "ledger.html", v)
}
