package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The pages of legal opinions (法律意见书): the list with the lawyer's
// form of a new draft, an opinion's page with its edit and issue forms,
// and the printed 法律意见书 with the lawyer's name and firm.

type opinionsView struct {
	base
	Items    []*xinfang.LegalOpinion
	Form     url.Values
	CanDraft bool
}

func (s *Server) handleLegalOpinions(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{}
	if p := r.URL.Query().Get("petition"); p != "" {
		form.Set("petition", p)
	}
	return s.renderLegalOpinions(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderLegalOpinions(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	v := &opinionsView{Form: form, CanDraft: xinfang.CanDraftLegalOpinion(xinfang.UserFromContext(r.Context()))}
	v.Title, v.Nav = "法律意见书", "opinions"
	var err error
	if v.Items, err = s.Opinions.FindLegalOpinions(r.Context(), 0); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "opinions.html", v)
}

func opinionFromForm(form url.Values) *xinfang.LegalOpinion {
	o := &xinfang.LegalOpinion{Firm: form.Get("firm"), Question: form.Get("question"), Analysis: form.Get("analysis"), Opinion: form.Get("opinion"), Basis: form.Get("basis")}
	o.Version, _ = strconv.Atoi(form.Get("version"))
	return o
}

func (s *Server) handleCreateLegalOpinion(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	o := opinionFromForm(form)
	if ref := strings.TrimSpace(form.Get("petition")); ref != "" {
		id, err := s.discFormPetition(r, ref)
		if err != nil {
			probs.Add("petition_id", "信访件 "+ref+" 不存在或未指派给您")
		}
		o.PetitionID = id
	}
	if ref := strings.TrimSpace(form.Get("case")); ref != "" {
		id, err := s.caseRef(r, ref)
		if err != nil {
			probs.Add("case_id", "积案 "+ref+" 不存在或未指派给您")
		}
		o.CaseID = id
	}
	err := probs.Err()
	if err == nil {
		err = s.Opinions.SaveLegalOpinion(r.Context(), o)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderLegalOpinions(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/legal-opinions/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
	return nil
}

type opinionView struct {
	base
	O       *xinfang.LegalOpinion
	CanEdit bool
	Form    url.Values
}

func (s *Server) handleLegalOpinion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderLegalOpinion(w, r, http.StatusOK, id, nil, nil)
}

func (s *Server) renderLegalOpinion(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	o, err := s.Opinions.FindLegalOpinionByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	if form == nil {
		form = url.Values{"firm": {o.Firm}, "question": {o.Question}, "analysis": {o.Analysis}, "opinion": {o.Opinion}, "basis": {o.Basis}}
	}
	v := &opinionView{O: o, CanEdit: !o.Issued && o.LawyerID == u.ID, Form: form}
	v.Title, v.Nav = "法律意见书 "+o.Number, "opinions"
	s.fillBase(r, &v.base)
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "opinion.html", v)
}

// opinionForm serves the edit and issue forms of an opinion.
func opinionForm(step string) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		form := r.PostForm
		cur, err := s.Opinions.FindLegalOpinionByID(r.Context(), id)
		if err != nil {
			return err
		}
		if step == "issue" {
			version, _ := strconv.Atoi(form.Get("version"))
			_, err = s.Opinions.IssueLegalOpinion(r.Context(), id, version)
		} else {
			o := opinionFromForm(form)
			o.ID, o.PetitionID, o.CaseID = id, cur.PetitionID, cur.CaseID
			err = s.Opinions.SaveLegalOpinion(r.Context(), o)
		}
		if err != nil {
			switch xinfang.ErrorCode(err) {
			case xinfang.EINVALID:
				return s.renderLegalOpinion(w, r, http.StatusUnprocessableEntity, id, form, err)
			case xinfang.ECONFLICT:
				return s.renderLegalOpinion(w, r, http.StatusConflict, id, form, err)
			}
			return err
		}
		http.Redirect(w, r, "/legal-opinions/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
}

type opinionPrintView struct {
	base
	O        *xinfang.LegalOpinion
	PageBack string
}

// handleLegalOpinionPrint prints an issued 法律意见书; a draft has none.
func (s *Server) handleLegalOpinionPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.Opinions.FindLegalOpinionByID(r.Context(), id)
	if err != nil {
		return err
	}
	if !o.Issued {
		return xinfang.Errorf(xinfang.ENOTFOUND, "法律意见书尚未出具")
	}
	v := &opinionPrintView{O: o, PageBack: "/legal-opinions/" + strconv.FormatInt(id, 10)}
	v.Title = "法律意见书 " + o.Number
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "print_legal_opinion.html", v)
}
