package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The 涉法涉诉 pages: the register (with the items waiting for a case
// number too long, and a 政法机关's own list), the screening form, and an
// item's page with its transfer and its judicial case.

func legalTabs(b *base, on string) []societyTab {
	return openTabs(b, on, []tabDef{
		{"/legal", "涉法涉诉", "tab-legal", "/legal"},
		{"/legal?overdue=1", "超期未立案", "tab-legal-overdue", "/legal"},
		{"/lawyer-duty", "律师值班", "tab-duty", "/lawyer-duty"},
		{"/lawyer-receptions", "律师接访记录", "tab-receptions", "/lawyer-receptions"},
	})
}

type legalListView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.LegalReferral
	Total     int
	Stages    []xinfang.Label
	Findings  []xinfang.Label
	Q         url.Values
	Form      url.Values
	CanScreen bool
	WaitDays  int
}

func (s *Server) handleLegalReferrals(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{}
	q := r.URL.Query()
	if p := q.Get("petition"); p != "" {
		form.Set("petition", p)
		form.Set("version", q.Get("version"))
	}
	return s.renderLegalReferrals(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderLegalReferrals(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &legalListView{Stages: xinfang.LegalStages, Findings: xinfang.LegalFindings, Q: url.Values{}, Form: form,
		CanScreen: xinfang.CanScreenLegal(u), WaitDays: xinfang.JudicialWaitDays}
	v.Title, v.Nav = "涉法涉诉", "legal"
	q := r.URL.Query()
	f := xinfang.LegalReferralFilter{Limit: 200, Stage: q.Get("stage"), Overdue: q.Get("overdue") != ""}
	for _, k := range []string{"stage", "overdue", "mine"} {
		if val := q.Get(k); val != "" {
			v.Q.Set(k, val)
		}
	}
	// A 政法机关's staff see the items transferred to their body.
	if q.Get("mine") != "" && u.Unit != nil {
		f.UnitID = u.UnitID
	}
	var err error
	v.Items, v.Total, err = s.Legal.FindLegalReferrals(r.Context(), f)
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	s.fillBase(r, &v.base)
	on := "tab-legal"
	if f.Overdue {
		on = "tab-legal-overdue"
	}
	v.Tabs = legalTabs(&v.base, on)
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "legal.html", v)
}

func (s *Server) handleScreenLegal(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	in := xinfang.LegalScreening{Finding: xinfang.LegalFinding(form.Get("finding")), Reason: form.Get("reason")}
	if ref := strings.TrimSpace(form.Get("petition")); ref != "" {
		id, err := s.discFormPetition(r, ref)
		if err != nil {
			probs.Add("petition_id", "信访件 "+ref+" 不存在或无权查看")
		} else {
			in.PetitionID = id
			// The version the screener saw, or the current one when the
			// form was opened without an item.
			if in.Version, err = strconv.Atoi(form.Get("version")); err != nil {
				p, err := s.Petitions.FindPetitionByID(r.Context(), id)
				if err != nil {
					return err
				}
				in.Version = p.Version
			}
		}
	}
	var out *xinfang.LegalReferral
	err := probs.Err()
	if err == nil {
		out, err = s.Legal.ScreenLegal(r.Context(), in)
	}
	if err != nil {
		switch xinfang.ErrorCode(err) {
		case xinfang.EINVALID:
			return s.renderLegalReferrals(w, r, http.StatusUnprocessableEntity, form, err)
		case xinfang.ECONFLICT:
			return s.renderLegalReferrals(w, r, http.StatusConflict, form, err)
		}
		return err
	}
	http.Redirect(w, r, "/legal/"+strconv.FormatInt(out.ID, 10)+"?done=screen", http.StatusSeeOther)
	return nil
}

type legalView struct {
	base
	Tabs         []societyTab
	R            *xinfang.LegalReferral
	Bodies       []*xinfang.Unit // the 政法机关 a transfer may go to
	Statuses     []xinfang.Label
	CanTransfer  bool
	CanRecord    bool
	SeesPetition bool
	Form         url.Values
	Today        string
}

func (s *Server) handleLegalReferral(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderLegalReferral(w, r, http.StatusOK, id, url.Values{}, nil)
}

func (s *Server) renderLegalReferral(w http.ResponseWriter, r *http.Request, status int, id int64, form url.Values, ferr error) error {
	ref, err := s.Legal.FindLegalReferralByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	v := &legalView{R: ref, Form: form, Today: s.today().String(),
		Statuses: []xinfang.Label{{Code: string(xinfang.JudicialFiled), Label: "立案"}, {Code: string(xinfang.JudicialNotFiled), Label: "不予立案"}, {Code: string(xinfang.JudicialClosed), Label: "审结"}}}
	v.Title, v.Nav = "涉法涉诉 "+ref.PetitionNumber, "legal"
	if _, err := s.Petitions.FindPetitionByID(r.Context(), ref.PetitionID); err == nil {
		v.SeesPetition = true
	}
	units, idx, err := s.units(r)
	if err != nil {
		return err
	}
	v.CanTransfer = xinfang.CanScreenLegal(u) && !ref.Transferred() && ref.Finding == xinfang.FindingLegal &&
		(ref.PetitionState == xinfang.StateRegistered || ref.PetitionState == xinfang.StateSigned)
	if v.CanTransfer {
		for _, x := range units {
			if xinfang.LegalBodyOf(x) != "" && !x.Disabled {
				v.Bodies = append(v.Bodies, x)
			}
		}
	}
	if ref.Transferred() && (ref.Status == xinfang.JudicialPending || ref.Status == xinfang.JudicialFiled) {
		v.CanRecord = xinfang.CanRecordJudicial(u, idx[ref.UnitID])
	}
	s.fillBase(r, &v.base)
	v.Tabs = legalTabs(&v.base, "tab-legal")
	v.formOutcome(r, map[string]string{
		"screen":   "甄别已记录。",
		"transfer": "已转送政法机关，信访件导入法定途径。",
		"judicial": "案件情况已登记。",
	}, ferr)
	return s.render(w, r, status, "legal_detail.html", v)
}

// legalForm serves the transfer and the judicial forms of an item's page.
func legalForm(step string) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, form, version, err := recordForm(r)
		if err != nil {
			return err
		}
		probs := xinfang.Problems{}
		switch step {
		case "transfer":
			t := xinfang.LegalTransfer{Version: version, UnitID: discFormID(form, "unit_id", "unit_id", probs), Note: form.Get("note")}
			if err = probs.Err(); err == nil {
				_, err = s.Legal.TransferLegal(r.Context(), id, t)
			}
		case "judicial":
			j := xinfang.JudicialRecord{Version: version, Status: xinfang.JudicialStatus(form.Get("status")), CaseNumber: form.Get("case_number"),
				On: formDate(form, "on", probs), Result: form.Get("result")}
			if err = probs.Err(); err == nil {
				_, err = s.Legal.RecordJudicial(r.Context(), id, j)
			}
		}
		if err != nil {
			switch xinfang.ErrorCode(err) {
			case xinfang.EINVALID:
				return s.renderLegalReferral(w, r, http.StatusUnprocessableEntity, id, form, err)
			case xinfang.ECONFLICT:
				return s.renderLegalReferral(w, r, http.StatusConflict, id, form, err)
			}
			return err
		}
		http.Redirect(w, r, "/legal/"+strconv.FormatInt(id, 10)+"?done="+step, http.StatusSeeOther)
		return nil
	}
}
