package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The pages of the screening rounds (排查轮次): the rounds with their
// returns, opening one, and a round's page listing who has reported and
// who has not, with the nil return (零报告) of a unit that found nothing.

type screeningRoundsView struct {
	base
	Tabs     []societyTab
	Items    []*xinfang.ScreeningRound
	Units    []*xinfang.Unit
	CanWrite bool
	Form     url.Values
}

func (s *Server) handleScreeningRounds(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	form := url.Values{"period": {s.today().String()[:7]}, "due_on": {s.today().AddDays(10).String()}, "unit_id": {strconv.FormatInt(u.UnitID, 10)}}
	return s.renderScreeningRounds(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderScreeningRounds(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &screeningRoundsView{CanWrite: xinfang.CanReportScreening(u), Form: form}
	v.Title, v.Nav = "排查轮次", "screening"
	var err error
	if v.Items, err = s.Screening.FindRounds(r.Context(), 60); err != nil {
		return err
	}
	if v.CanWrite {
		units, _, err := s.units(r)
		if err != nil {
			return err
		}
		for _, x := range scopeUnits(u, units) {
			if x.Kind == xinfang.UnitCity || x.Kind == xinfang.UnitTown {
				v.Units = append(v.Units, x)
			}
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = screeningTabs(&v.base, "tab-rounds")
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "screening_rounds.html", v)
}

func (s *Server) handleCreateScreeningRound(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	round := &xinfang.ScreeningRound{UnitID: discFormID(form, "unit_id", "unit_id", probs), Period: strings.TrimSpace(form.Get("period")),
		DueOn: formDate(form, "due_on", probs), Note: form.Get("note")}
	err := probs.Err()
	if err == nil {
		err = s.Screening.CreateRound(r.Context(), round)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderScreeningRounds(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/screening-rounds/"+strconv.FormatInt(round.ID, 10), http.StatusSeeOther)
	return nil
}

type screeningRoundView struct {
	base
	Tabs     []societyTab
	R        *xinfang.ScreeningRound
	Missing  []xinfang.ScreeningRoundUnit
	Reported []xinfang.ScreeningRoundUnit
	CanWrite bool
}

func (s *Server) handleScreeningRound(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "排查轮次不存在或无权查看")
	if err != nil {
		return err
	}
	return s.renderScreeningRound(w, r, http.StatusOK, id, nil)
}

func (s *Server) renderScreeningRound(w http.ResponseWriter, r *http.Request, status int, id int64, ferr error) error {
	round, err := s.Screening.FindRoundByID(r.Context(), id)
	if err != nil {
		return err
	}
	v := &screeningRoundView{R: round, Missing: round.Missing(), CanWrite: xinfang.CanReportScreening(xinfang.UserFromContext(r.Context()))}
	for _, x := range round.Units {
		if x.Reported() {
			v.Reported = append(v.Reported, x)
		}
	}
	v.Title, v.Nav = round.Period+" 排查轮次 · "+round.UnitName, "screening"
	s.fillBase(r, &v.base)
	v.Tabs = screeningTabs(&v.base, "tab-rounds")
	if r.URL.Query().Get("done") == "nil" {
		v.Notice = "零报告已记录。"
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "screening_round.html", v)
}

func (s *Server) handleScreeningNilReturn(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "排查轮次不存在或无权查看")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	probs := xinfang.Problems{}
	unitID := discFormID(r.PostForm, "unit_id", "unit_id", probs)
	err = probs.Err()
	if err == nil {
		_, err = s.Screening.FileNilReturn(r.Context(), id, unitID)
	}
	if err != nil {
		switch xinfang.ErrorCode(err) {
		case xinfang.EINVALID:
			return s.renderScreeningRound(w, r, http.StatusUnprocessableEntity, id, err)
		case xinfang.ECONFLICT:
			return s.renderScreeningRound(w, r, http.StatusConflict, id, err)
		}
		return err
	}
	http.Redirect(w, r, "/screening-rounds/"+strconv.FormatInt(id, 10)+"?done=nil", http.StatusSeeOther)
	return nil
}
