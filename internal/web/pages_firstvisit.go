package web

import (
	"net/http"

	"xinfang"
)

// 首访责任制: the figures of each first unit for a year, and the items a
// unit passed on (?unit=); the API serves the same.

type firstVisitView struct {
	base
	Year     int
	Years    []int
	Rows     []xinfang.FirstVisitRow
	UnitID   int64
	UnitName string
	Items    []xinfang.PassedOnItem
}

// firstVisitQuery reads year (this year by default) and unit of a query.
func (s *Server) firstVisitQuery(r *http.Request) (int, int64, error) {
	q := newAPIQuery(r)
	year, unit := q.number("year", 2000, 2100), q.id("unit")
	if year == 0 {
		year = s.today().Year
	}
	return year, unit, q.err()
}

func (s *Server) handleFirstVisit(w http.ResponseWriter, r *http.Request) error {
	year, unit, err := s.firstVisitQuery(r)
	if err != nil {
		return err
	}
	v := &firstVisitView{Year: year, UnitID: unit}
	v.Title, v.Nav = "首访责任制", "firstvisit"
	for y := s.today().Year; y >= s.today().Year-3; y-- {
		v.Years = append(v.Years, y)
	}
	if v.Rows, err = s.FirstVisit.FirstVisitFigures(r.Context(), year); err != nil {
		return err
	}
	if unit != 0 {
		for _, row := range v.Rows {
			if row.UnitID == unit {
				v.UnitName = row.UnitName
			}
		}
		if v.Items, err = s.FirstVisit.FirstVisitPassedOn(r.Context(), unit, year); err != nil {
			return err
		}
	}
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "firstvisit.html", v)
}

// apiFirstVisitRow is a row with its rate.
type apiFirstVisitRow struct {
	xinfang.FirstVisitRow
	ConcludeRate float64 `json:"conclude_rate"`
}

func (s *Server) apiFirstVisit(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	year := q.number("year", 2000, 2100)
	if err := q.err(); err != nil {
		return err
	}
	if year == 0 {
		year = s.today().Year
	}
	rows, err := s.FirstVisit.FirstVisitFigures(r.Context(), year)
	if err != nil {
		return err
	}
	out := make([]apiFirstVisitRow, len(rows))
	for i, row := range rows {
		out[i] = apiFirstVisitRow{row, row.ConcludeRate()}
	}
	writeJSON(w, http.StatusOK, apiList[apiFirstVisitRow]{Items: out})
	return nil
}

func (s *Server) apiFirstVisitPassedOn(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newAPIQuery(r)
	year := q.number("year", 2000, 2100)
	if err := q.err(); err != nil {
		return err
	}
	if year == 0 {
		year = s.today().Year
	}
	items, err := s.FirstVisit.FirstVisitPassedOn(r.Context(), id, year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[xinfang.PassedOnItem]{Items: items})
	return nil
}
