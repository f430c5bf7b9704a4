package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The repeats panel of a petition (疑似重复件) and the full-text search
// page (全文检索).

type repeatsView struct {
	base
	P          *xinfang.Petition
	Candidates []xinfang.RepeatCandidate
	Counts     *xinfang.RepeatCounts
	Chain      []*xinfang.Petition
	Decisions  []xinfang.RepeatDecision
	CanDecide  bool
	// Numbers names the petitions the decisions refer to.
	Numbers map[int64]string
}

// DecisionLabel names a decision in Chinese.
func (v *repeatsView) DecisionLabel(d string) string {
	if d == xinfang.RepeatLink {
		return "关联为重复件"
	}
	return "不是重复件"
}

// Number returns the number of petition id, or #id when it is not known.
func (v *repeatsView) Number(id int64) string {
	if n, ok := v.Numbers[id]; ok {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

// repeatsPage loads the panel of petition id.
func (s *Server) repeatsPage(r *http.Request, id int64) (*repeatsView, error) {
	ctx := r.Context()
	v := &repeatsView{Numbers: map[int64]string{}}
	var err error
	if v.P, err = s.Petitions.FindPetitionByID(ctx, id); err != nil {
		return nil, err
	}
	v.Title, v.Nav = "疑似重复件 "+v.P.Number, "ledger"
	s.fillBase(r, &v.base)
	s.noteIndex(r, &v.base)
	if v.Candidates, err = s.Repeats.FindRepeatCandidatesOf(ctx, id, 20); err != nil {
		return nil, err
	}
	if v.Counts, err = s.Repeats.FindRepeatCounts(ctx, id); err != nil {
		return nil, err
	}
	if v.Chain, err = s.Repeats.FindRepeatChain(ctx, id); err != nil {
		return nil, err
	}
	if v.Decisions, err = s.Repeats.FindRepeatDecisions(ctx, id); err != nil {
		return nil, err
	}
	for _, c := range v.Candidates {
		v.Numbers[c.Petition.ID] = c.Petition.Number
	}
	for _, p := range v.Chain {
		v.Numbers[p.ID] = p.Number
	}
	v.CanDecide = xinfang.CanRegister(v.User)
	return v, nil
}

func (s *Server) handleRepeats(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	v, err := s.repeatsPage(r, id)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case xinfang.RepeatLink:
		v.Notice = "已关联为重复件"
	case xinfang.RepeatDismiss:
		v.Notice = "已标为不是重复件，该候选不再提示"
	}
	return s.render(w, r, http.StatusOK, "repeats_panel.html", v)
}

func (s *Server) handleRepeatDecision(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	in := xinfang.RepeatDecisionInput{Decision: r.PostForm.Get("decision")}
	in.CandidateID, _ = strconv.ParseInt(r.PostForm.Get("candidate_id"), 10, 64)
	if in.Version, err = strconv.Atoi(r.PostForm.Get("version")); err != nil {
		err = xinfang.FieldError("version", "版本号缺失，请刷新页面后重试")
	} else {
		_, err = s.Repeats.DecideRepeat(r.Context(), id, in)
	}
	if err == nil {
		http.Redirect(w, r, "/petitions/"+strconv.FormatInt(id, 10)+"/repeats?done="+url.QueryEscape(in.Decision), http.StatusSeeOther)
		return nil
	}
	if !formError(err) {
		return err
	}
	// Show the panel again, as it is now, with what went wrong on top.
	v, perr := s.repeatsPage(r, id)
	if perr != nil {
		return perr
	}
	v.Error = formMessage(err)
	return s.render(w, r, statusOf(xinfang.ErrorCode(err)), "repeats_panel.html", v)
}

const searchPageSize = 50

type searchView struct {
	base
	Q         string
	Kind      xinfang.SearchKind
	Kinds     []xinfang.Label
	Searched  bool
	Petitions []*xinfang.Petition
	Hits      []xinfang.SearchHit
	Total     int
	Capped    bool // more records match than were read
	Page      int
	Pages     int
}

// PageURL returns the URL of page n of the same search.
func (v *searchView) PageURL(n int) string {
	q := url.Values{"q": {v.Q}, "kind": {string(v.Kind)}, "page": {strconv.Itoa(n)}}
	return "/search?" + q.Encode()
}

// HitURL is the page of a hit.
func (v *searchView) HitURL(h xinfang.SearchHit) string {
	return "/" + string(h.Kind) + "s/" + strconv.FormatInt(h.ID, 10)
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := &searchView{Q: strings.TrimSpace(q.Get("q")), Kind: xinfang.SearchKind(q.Get("kind")), Kinds: s.Search.Kinds(), Page: 1}
	v.Title, v.Nav = "全文检索", "search"
	s.fillBase(r, &v.base)
	s.noteIndex(r, &v.base)
	if v.Kind == "" {
		v.Kind = xinfang.SearchPetition
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	if v.Q != "" {
		v.Searched = true
		offset := (v.Page - 1) * searchPageSize
		var err error
		if v.Kind == xinfang.SearchPetition {
			v.Petitions, v.Total, v.Capped, err = s.Search.SearchPetitions(r.Context(), v.Q, searchPageSize, offset)
		} else {
			v.Hits, v.Total, v.Capped, err = s.Search.SearchDocs(r.Context(), v.Kind, v.Q, searchPageSize, offset)
		}
		if err != nil {
			if xinfang.ErrorCode(err) != xinfang.EINVALID {
				return err
			}
			v.Error, v.Fields = "检索条件有误："+formMessage(err), xinfang.ErrorFields(err)
		}
		v.Pages = (v.Total + searchPageSize - 1) / searchPageSize
	}
	return s.render(w, r, http.StatusOK, "repeats_search.html", v)
}
