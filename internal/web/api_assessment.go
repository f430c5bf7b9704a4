package web

import (
	"bytes"
	"net/http"
	"strconv"

	"xinfang"
	"xinfang/internal/xlsx"
)

// The API of the annual assessment (年度考核): a year's ranking with each
// unit's breakdown, its rules (weights and thresholds), the assessor's
// entries, the 责任书 targets linked to indicators, the freezing of the
// year and its Excel export. Storage decides who may do what.

// pathYear reads the {year} of a route.
func pathYear(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, xinfang.FieldError("year", "年度须在 2000–2100 之间")
	}
	return y, nil
}

func (s *Server) apiAssessment(w http.ResponseWriter, r *http.Request) error {
	year, err := pathYear(r)
	if err != nil {
		return err
	}
	a, err := s.Assessment.Assess(r.Context(), year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) apiAssessmentRules(w http.ResponseWriter, r *http.Request) error {
	year, err := pathYear(r)
	if err != nil {
		return err
	}
	rules, err := s.Assessment.AssessmentRules(r.Context(), year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rules)
	return nil
}

func (s *Server) apiSaveAssessmentRules(w http.ResponseWriter, r *http.Request) error {
	year, err := pathYear(r)
	if err != nil {
		return err
	}
	var in xinfang.AssessmentRules
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Year = year
	out, err := s.Assessment.SaveAssessmentRules(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiAddAssessmentEntry(w http.ResponseWriter, r *http.Request) error {
	year, err := pathYear(r)
	if err != nil {
		return err
	}
	var e xinfang.AssessmentEntry
	if err := decodeJSON(r, &e); err != nil {
		return err
	}
	e.Year = year
	if err := s.Assessment.AddAssessmentEntry(r.Context(), &e); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) apiSetLetterTarget(w http.ResponseWriter, r *http.Request) error {
	if _, err := pathYear(r); err != nil {
		return err
	}
	var t xinfang.LetterTarget
	if err := decodeJSON(r, &t); err != nil {
		return err
	}
	if err := s.Assessment.SetLetterTarget(r.Context(), &t); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) apiFreezeAssessment(w http.ResponseWriter, r *http.Request) error {
	year, err := pathYear(r)
	if err != nil {
		return err
	}
	var in struct {
		Version int `json:"version"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.Assessment.FreezeAssessment(r.Context(), year, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) apiAssessmentXLSX(w http.ResponseWriter, r *http.Request) error {
	year, err := pathYear(r)
	if err != nil {
		return err
	}
	a, err := s.Assessment.Assess(r.Context(), year)
	if err != nil {
		return err
	}
	return writeXLSX(w, strconv.Itoa(year)+"年度考核.xlsx", func(buf *bytes.Buffer) error { return xlsx.AssessmentSheet(buf, a) })
}
