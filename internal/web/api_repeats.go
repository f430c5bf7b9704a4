package web

import (
	"net/http"
	"strconv"
	"strings"

	"xinfang"
)

// Repeat detection (重复信访) and full-text search over the API.

// maskCandidates hides ID numbers and phones: candidates are a list.
func maskCandidates(cs []xinfang.RepeatCandidate) {
	for _, c := range cs {
		apiMask([]*xinfang.Petition{c.Petition})
	}
}

// repeatsReply is the repeat picture of one petition.
type repeatsReply struct {
	Items     []xinfang.RepeatCandidate `json:"items"`
	Counts    *xinfang.RepeatCounts     `json:"counts"`
	Decisions []xinfang.RepeatDecision  `json:"decisions"`
	// Index is there while the repeat index is built: candidates among
	// older petitions may be missing.
	Index *xinfang.IndexStatus `json:"index,omitempty"`
}

func (s *Server) apiRepeats(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newAPIQuery(r)
	limit := q.number("limit", 1, 50)
	if err := q.err(); err != nil {
		return err
	}
	ctx := r.Context()
	var out repeatsReply
	if out.Items, err = s.Repeats.FindRepeatCandidatesOf(ctx, id, limit); err != nil {
		return err
	}
	if out.Counts, err = s.Repeats.FindRepeatCounts(ctx, id); err != nil {
		return err
	}
	if out.Decisions, err = s.Repeats.FindRepeatDecisions(ctx, id); err != nil {
		return err
	}
	maskCandidates(out.Items)
	out.Index = s.indexIncomplete(ctx)
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiRepeatDecision(w http.ResponseWriter, r *http.Request) error {
	return serveChange(w, r, http.StatusCreated, s.Repeats.DecideRepeat)
}

// repeatDraft is the part of a registration the check reads: who, where,
// what kind, what text and when.
type repeatDraft struct {
	Petitioner    *repeatPerson  `json:"petitioner"`
	CoPetitioners []repeatPerson `json:"co_petitioners"`
	LocalityID    int64          `json:"locality_id"`
	Category      string         `json:"category"`
	Summary       string         `json:"summary"`
	Content       string         `json:"content"`
	ReceivedAt    string         `json:"received_at"`
	Limit         int            `json:"limit"`
}

type repeatPerson struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	OrgCode  string `json:"org_code"`
}

// petition turns the draft into a petition for FindRepeatCandidates. A
// malformed identity is reported against its field, like the person check.
func (d *repeatDraft) petition(s *Server) (*xinfang.Petition, error) {
	probs := xinfang.Problems{}
	p := &xinfang.Petition{LocalityID: d.LocalityID, Category: strings.TrimSpace(d.Category), Summary: strings.TrimSpace(d.Summary), Content: strings.TrimSpace(d.Content)}
	person := func(prefix string, in repeatPerson) *xinfang.Petitioner {
		pt := &xinfang.Petitioner{Name: strings.TrimSpace(in.Name), IDNumber: xinfang.NormalizeIDNumber(in.IDNumber), Phone: strings.TrimSpace(in.Phone), OrgCode: strings.ToUpper(strings.TrimSpace(in.OrgCode))}
		if pt.IDNumber != "" {
			if err := xinfang.ValidateIDNumber(pt.IDNumber, s.Now()); err != nil {
				probs.Add(prefix+"id_number", err.Error())
			}
		}
		if pt.Phone != "" {
			if err := xinfang.ValidatePhone(pt.Phone); err != nil {
				probs.Add(prefix+"phone", err.Error())
			}
		}
		if pt.OrgCode != "" {
			if err := xinfang.ValidateUSCC(pt.OrgCode); err != nil {
				probs.Add(prefix+"org_code", err.Error())
			}
		}
		return pt
	}
	if d.Petitioner != nil {
		p.Petitioner = person("petitioner.", *d.Petitioner)
	}
	for i, c := range d.CoPetitioners {
		p.CoPetitioners = append(p.CoPetitioners, person("co_petitioners."+strconv.Itoa(i)+".", c))
	}
	if d.ReceivedAt != "" {
		at, err := apiInstant("received_at", d.ReceivedAt)
		if err != nil {
			return nil, err
		}
		p.ReceivedAt = at
	}
	if d.Limit < 0 || d.Limit > 50 {
		probs.Add("limit", "须在 1 到 50 之间")
	}
	hasPerson := p.Petitioner != nil && (p.Petitioner.IDNumber != "" || p.Petitioner.Phone != "" || p.Petitioner.OrgCode != "")
	if !hasPerson && len(p.CoPetitioners) == 0 && p.LocalityID == 0 && p.Summary == "" && p.Content == "" {
		probs.Add("body", "请至少填写信访人证件号码、电话、问题属地或内容之一")
	}
	return p, probs.Err()
}

func (s *Server) apiRepeatCheck(w http.ResponseWriter, r *http.Request) error {
	var d repeatDraft
	if err := decodeJSON(r, &d); err != nil {
		return err
	}
	p, err := d.petition(s)
	if err != nil {
		return err
	}
	items, err := s.Repeats.FindRepeatCandidates(r.Context(), p, d.Limit)
	if err != nil {
		return err
	}
	maskCandidates(items)
	writeJSON(w, http.StatusOK, repeatCheckReply{Items: items, Index: s.indexIncomplete(r.Context())})
	return nil
}

// repeatCheckReply is the candidates of a draft.
type repeatCheckReply struct {
	Items []xinfang.RepeatCandidate `json:"items"`
	Index *xinfang.IndexStatus      `json:"index,omitempty"` // while the repeat index is built
}

// searchReply is one page of search hits.
type searchReply struct {
	Items []xinfang.SearchHit `json:"items"`
	Total int                 `json:"total"`
	// TotalCapped says the search stopped: more records match than Total.
	TotalCapped bool                 `json:"total_capped"`
	Offset      int                  `json:"offset"`
	Limit       int                  `json:"limit"`
	Index       *xinfang.IndexStatus `json:"index,omitempty"` // while the search index is built
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	text := q.str("q")
	kind := xinfang.SearchKind(q.str("kind"))
	if kind == "" {
		kind = xinfang.SearchPetition
	}
	offset := q.number("offset", 0, 1<<30)
	limit := q.number("limit", 1, 500)
	if limit == 0 {
		limit = apiDefaultLimit
	}
	if text == "" {
		q.p.Add("q", "请输入检索词")
	}
	if err := q.err(); err != nil {
		return err
	}
	hits, total, capped, err := s.Search.SearchDocs(r.Context(), kind, text, limit, offset)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, searchReply{Items: hits, Total: total, TotalCapped: capped, Offset: offset, Limit: limit, Index: s.indexIncomplete(r.Context())})
	return nil
}
