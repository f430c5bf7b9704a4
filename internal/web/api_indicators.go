package web

import (
	"net/http"
	"net/url"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of the indicators (指标, kpi.md): every figure of a unit and a
// period, the items behind each side of a figure, and the local part of
// the definitions (三无, 满意率). Storage decides which units a reader may
// ask for.

// indicatorQueryFrom reads unit_id, alone, from and to; the period is the
// current year up to today when both dates are absent.
func indicatorQueryFrom(q *apiQuery, today calendar.Date) xinfang.IndicatorQuery {
	iq := xinfang.IndicatorQuery{UnitID: q.id("unit_id"), From: q.date("from"), To: q.date("to")}
	if a := q.boolean("alone"); a != nil {
		iq.Alone = *a
	}
	if iq.From.IsZero() && iq.To.IsZero() {
		iq.From, iq.To = calendar.MakeDate(today.Year, 1, 1), today
	}
	return iq
}

// indicatorItemsFrom reads the query of one side of one figure.
func indicatorItemsFrom(v url.Values, kind string, today calendar.Date, paged bool) (xinfang.IndicatorItemsQuery, error) {
	q := newQuery(v)
	iq := xinfang.IndicatorItemsQuery{IndicatorQuery: indicatorQueryFrom(q, today), Kind: xinfang.IndicatorKind(kind), Part: xinfang.IndicatorPart(q.str("part"))}
	if iq.Part == "" {
		iq.Part = xinfang.PartNumerator
	}
	if paged {
		iq.Offset = q.number("offset", 0, 1<<30)
		iq.Limit = q.number("limit", 1, 500)
	}
	return iq, q.err()
}

func (s *Server) apiIndicators(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	iq := indicatorQueryFrom(q, s.today())
	if err := q.err(); err != nil {
		return err
	}
	out, err := s.Indicators.Indicators(r.Context(), iq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiIndicatorItemPage is one page of the items behind a figure.
type apiIndicatorItemPage struct {
	Items  []xinfang.IndicatorItem `json:"items"`
	Total  int                     `json:"total"`
	Offset int                     `json:"offset"`
	Limit  int                     `json:"limit"`
}

func (s *Server) apiIndicatorItems(w http.ResponseWriter, r *http.Request) error {
	iq, err := indicatorItemsFrom(r.URL.Query(), r.PathValue("kind"), s.today(), true)
	if err != nil {
		return err
	}
	if iq.Limit == 0 {
		iq.Limit = apiDefaultLimit
	}
	items, total, err := s.Indicators.IndicatorItems(r.Context(), iq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiIndicatorItemPage{Items: items, Total: total, Offset: iq.Offset, Limit: iq.Limit})
	return nil
}

func (s *Server) apiIndicatorConfig(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Indicators.IndicatorConfig(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiSetIndicatorConfig(w http.ResponseWriter, r *http.Request) error {
	var c xinfang.IndicatorConfig
	if err := decodeJSON(r, &c); err != nil {
		return err
	}
	out, err := s.Indicators.SetIndicatorConfig(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiRebuildIndicators(w http.ResponseWriter, r *http.Request) error {
	if err := s.Indicators.RebuildFacts(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiOK{OK: true})
	return nil
}
