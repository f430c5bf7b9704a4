package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

const ledgerPageSize = 50

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

// Handler names the unit that has the item now: the handling unit, or
// the registering unit while the item has not been sent anywhere.
func handlerName(p *xinfang.Petition) string {
	if p.HandlingUnit != nil {
		return p.HandlingUnit.Name
	}
	if p.RegUnit != nil {
		return p.RegUnit.Name
	}
	return ""
}

// handleLedger is the 台账: every item in the user's scope, filtered,
// sorted and paged; or, with ?todo=, one worklist of the 工作台.
func (s *Server) handleLedger(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := &ledgerView{Q: url.Values{}, Page: 1}
	v.Title, v.Nav = "信访台账", "ledger"
	s.fillBase(r, &v.base)
	// Keep only the known parameters, so that page links stay clean.
	for _, k := range []string{"state", "unit", "channel", "category", "warning", "from", "to", "q", "sort", "open", "todo"} {
		if val := strings.TrimSpace(q.Get(k)); val != "" {
			v.Q.Set(k, val)
		}
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	var err error
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	if v.Categories, v.CatLabels, err = s.categories(r); err != nil {
		return err
	}
	offset := (v.Page - 1) * ledgerPageSize
	if todo := v.Q.Get("todo"); todo != "" {
		v.Todo, v.TodoLabel = todo, xinfang.TodoLabel(todo)
		v.Items, v.Total, err = s.Petitions.FindTodo(r.Context(), todo, offset, ledgerPageSize)
	} else {
		f, probs := ledgerFilter(v.Q)
		if err = probs.Err(); err == nil {
			f.Offset, f.Limit = offset, ledgerPageSize
			v.Items, v.Total, err = s.Petitions.FindPetitions(r.Context(), f)
		}
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		v.Error, v.Fields = "查询条件有误："+formMessage(err), xinfang.ErrorFields(err)
		v.Items, v.Total = nil, 0
	}
	if v.Total > xinfang.MaxCount {
		v.Total, v.Capped = xinfang.MaxCount, true
	}
	v.Pages = (v.Total + ledgerPageSize - 1) / ledgerPageSize
	if len(v.Items) > 0 {
		v.First, v.Last = offset+1, offset+len(v.Items)
	}
	return s.render(w, r, http.StatusOK, "ledger.html", v)
}

// ledgerFilter turns the ledger's query parameters into a filter.
func ledgerFilter(q url.Values) (xinfang.PetitionFilter, xinfang.Problems) {
	probs := xinfang.Problems{}
	f := xinfang.PetitionFilter{Channel: q.Get("channel"), Category: q.Get("category"), Text: q.Get("q"), Sort: q.Get("sort"), Open: q.Get("open") != ""}
	if st := q.Get("state"); st != "" {
		if !xinfang.State(st).Valid() {
			probs.Add("state", "未知的状态")
		}
		f.State = []xinfang.State{xinfang.State(st)}
	}
	if w := q.Get("warning"); w != "" {
		f.Warning = xinfang.Warning(w)
	}
	if u := q.Get("unit"); u != "" {
		id, err := strconv.ParseInt(u, 10, 64)
		if err != nil || id <= 0 {
			probs.Add("unit", "请从列表中选择单位")
		}
		f.UnitID = id
	}
	if from := q.Get("from"); from != "" {
		d, err := calendar.ParseDate(from)
		if err != nil {
			probs.Add("from", err.Error())
		}
		f.From = d.Time()
	}
	if to := q.Get("to"); to != "" {
		d, err := calendar.ParseDate(to)
		if err != nil {
			probs.Add("to", err.Error())
		}
		// The form's "to" date is inclusive; the filter's bound is not.
		f.To = d.AddDays(1).Time()
	}
	return f, probs
}
