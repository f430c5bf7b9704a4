package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The public portal's pages (网上信访) under /portal/: no staff session,
// mobile-first, every form a plain HTML form that works without script,
// printable. The pages never show what storage does not put in
// xinfang.PortalItem: no staff, notes, 批示, tasks or repeat links.

type portalView struct {
	Title      string
	CSRF       string // a staff session's token, when the browser has one
	Error      string
	Notice     string
	Fields     map[string]string
	Form       url.Values
	Challenge  *challenge
	Units      []*xinfang.Unit
	Categories []*category
	Rules      string
	Created    *xinfang.Petition // the number and 查询码, shown once
	Item       *xinfang.PortalItem
	Number     string
	Code       string
	Ratings    []xinfang.Label
	code       string // the error code of the refusal shown
}

func (s *Server) portalView(r *http.Request, title string) *portalView {
	v := &portalView{Title: title, Fields: map[string]string{}, Form: url.Values{}, Rules: xinfang.PortalRules, Ratings: xinfang.Ratings}
	if sess := sessionFrom(r.Context()); sess != nil {
		v.CSRF = sess.CSRF
	}
	return v
}

func (s *Server) renderPortal(w http.ResponseWriter, status int, name string, v any) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.renderEntry(w, status, name, "portal", v)
}

// withChallenge asks a new captcha question for v.
func (s *Server) withChallenge(ctx context.Context, v *portalView) error {
	c, err := s.newChallenge(ctx)
	v.Challenge = c
	return err
}

// fillError puts a refusal beside the form, or returns what is no refusal.
func fillError(v *portalView, err error) error {
	switch xinfang.ErrorCode(err) {
	case xinfang.EINVALID, xinfang.ECONFLICT, xinfang.ETHROTTLED, xinfang.ETOOLARGE, xinfang.ENOTFOUND:
		v.code = xinfang.ErrorCode(err)
		v.Error = xinfang.ErrorMessage(err)
		if len(xinfang.ErrorFields(err)) > 0 {
			v.Error = formMessage(err)
		}
		for k, m := range xinfang.ErrorFields(err) {
			v.Fields[k] = m
		}
		return nil
	}
	return err
}

func (s *Server) handlePortalHome(w http.ResponseWriter, r *http.Request) error {
	return s.renderPortal(w, http.StatusOK, "portal_home.html", s.portalView(r, "网上信访"))
}

// portalForm fills the submit form's choices and a new question.
func (s *Server) portalForm(r *http.Request, v *portalView) error {
	units, err := s.Directory.FindUnits(r.Context())
	if err != nil {
		return err
	}
	for _, u := range units {
		if !u.Disabled && (u.Kind == xinfang.UnitCity || u.Kind == xinfang.UnitTown || u.Kind == xinfang.UnitVillage) {
			v.Units = append(v.Units, u)
		}
	}
	if v.Categories, _, err = s.categories(r); err != nil {
		return err
	}
	return s.withChallenge(r.Context(), v)
}

func (s *Server) handlePortalSubmitForm(w http.ResponseWriter, r *http.Request) error {
	v := s.portalView(r, "网上提交信访事项")
	if err := s.portalForm(r, v); err != nil {
		return err
	}
	return s.renderPortal(w, http.StatusOK, "portal_submit.html", v)
}

func (s *Server) handlePortalSubmit(w http.ResponseWriter, r *http.Request) error {
	ctx := s.portalContext(r)
	v := s.portalView(r, "网上提交信访事项")
	v.Form = r.PostForm
	files, err := formFiles(r, "files")
	if err != nil {
		return err
	}
	defer closeAll(files)
	p, err := s.submitGuarded(ctx, w, r, func() *xinfang.PortalSubmission {
		f := r.PostForm
		sub := portalSubmission(f)
		for _, file := range files {
			sub.Files = append(sub.Files, file.Upload)
		}
		return sub
	}, pf(r, "captcha_id"), pf(r, "captcha"))
	if err != nil {
		if err := fillError(v, err); err != nil {
			return err
		}
		if len(files) > 0 {
			v.Notice = "出于安全原因，已选择的附件需要重新选择。"
		}
		if err := s.portalForm(r, v); err != nil {
			return err
		}
		return s.renderPortal(w, http.StatusUnprocessableEntity, "portal_submit.html", v)
	}
	v.Title, v.Created = "提交成功", p
	return s.renderPortal(w, http.StatusOK, "portal_submitted.html", v)
}

// pf is a trimmed form value.
func pf(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

func portalSubmission(form url.Values) *xinfang.PortalSubmission {
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	loc, _ := strconv.ParseInt(get("locality_id"), 10, 64)
	return &xinfang.PortalSubmission{Name: get("name"), IDNumber: get("id_number"), Phone: get("phone"), Email: get("email"), Address: get("address"),
		Summary: get("summary"), Content: get("content"), Request: get("request"), Category: get("category"), LocalityID: loc,
		Accepted: get("rules_accepted") == "1"}
}

// portalSubmit checks the client's submission limit and the captcha, then
// submits what build gives.
func (s *Server) submitGuarded(ctx context.Context, w http.ResponseWriter, r *http.Request, build func() *xinfang.PortalSubmission, captchaID, answer string) (*xinfang.Petition, error) {
	from := s.clientAddr(r)
	if wait := s.portalSubmit.acquire(from); wait > 0 {
		return nil, s.portalWait(ctx, w, wait, "提交过于频繁")
	}
	// Every submission counts toward the client's limit.
	defer s.portalSubmit.release(from, true)
	if err := s.checkCaptcha(ctx, w, r, captchaID, answer); err != nil {
		return nil, err
	}
	p, err := s.Portal.Submit(ctx, build())
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINTERNAL {
		s.Portal.AuditRefusal(ctx, "网上提交被拒绝："+xinfang.ErrorMessage(err))
	}
	return p, err
}

func (s *Server) handlePortalFollowForm(w http.ResponseWriter, r *http.Request) error {
	v := s.portalView(r, "查询办理进展")
	if err := s.withChallenge(r.Context(), v); err != nil {
		return err
	}
	return s.renderPortal(w, http.StatusOK, "portal_follow.html", v)
}

func (s *Server) handlePortalFollow(w http.ResponseWriter, r *http.Request) error {
	ctx := s.portalContext(r)
	v := s.portalView(r, "查询办理进展")
	v.Number, v.Code = xinfang.NormalizeNumber(pf(r, "number")), pf(r, "query_code")
	err := s.checkCaptcha(ctx, w, r, pf(r, "captcha_id"), pf(r, "captcha"))
	if err == nil {
		err = s.portalGuarded(ctx, w, r, func() (err error) {
			v.Item, err = s.Portal.Follow(ctx, v.Number, v.Code)
			return err
		})
	}
	if err != nil {
		return s.portalFollowAgain(w, r, v, err)
	}
	return s.renderPortal(w, http.StatusOK, "portal_item.html", v)
}

// portalFollowAgain shows the follow form again with the refusal, the
// number kept and the 查询码 not.
func (s *Server) portalFollowAgain(w http.ResponseWriter, r *http.Request, v *portalView, err error) error {
	if err := fillError(v, err); err != nil {
		return err
	}
	v.Code, v.Item = "", nil
	if err := s.withChallenge(r.Context(), v); err != nil {
		return err
	}
	return s.renderPortal(w, statusOf(v.code), "portal_follow.html", v)
}

// portalAct runs an action of the petitioner on the item named by the
// form's number and 查询码, then shows the item again with the notice or
// the refusal beside its form.
func (s *Server) portalAct(w http.ResponseWriter, r *http.Request, act func(ctx context.Context, number, code string) (string, error)) error {
	ctx := s.portalContext(r)
	v := s.portalView(r, "查询办理进展")
	v.Number, v.Code = xinfang.NormalizeNumber(pf(r, "number")), pf(r, "query_code")
	v.Form = r.PostForm
	var notice string
	err := s.portalGuarded(ctx, w, r, func() (err error) {
		notice, err = act(ctx, v.Number, v.Code)
		return err
	})
	status := http.StatusOK
	if err != nil {
		if xinfang.ErrorFields(err)["query_code"] != "" || xinfang.ErrorCode(err) == xinfang.ETHROTTLED {
			return s.portalFollowAgain(w, r, v, err)
		}
		if err := fillError(v, err); err != nil {
			return err
		}
		s.Portal.AuditRefusal(ctx, "网上办理被拒绝："+v.Error)
		status = http.StatusUnprocessableEntity
	}
	v.Notice = notice
	if v.Item, err = s.Portal.Follow(ctx, v.Number, v.Code); err != nil {
		return s.portalFollowAgain(w, r, v, err)
	}
	return s.renderPortal(w, status, "portal_item.html", v)
}

func (s *Server) handlePortalEvaluate(w http.ResponseWriter, r *http.Request) error {
	return s.portalAct(w, r, func(ctx context.Context, number, code string) (string, error) {
		e := xinfang.PortalEvaluation{RatingBureau: xinfang.Rating(pf(r, "rating_bureau")), RatingUnit: xinfang.Rating(pf(r, "rating_unit")), Comment: pf(r, "comment")}
		return "感谢您的评价，评价已记录。", s.Portal.Evaluate(ctx, number, code, e)
	})
}

func (s *Server) handlePortalReview(w http.ResponseWriter, r *http.Request) error {
	files, err := formFiles(r, "files")
	if err != nil {
		return err
	}
	defer closeAll(files)
	return s.portalAct(w, r, func(ctx context.Context, number, code string) (string, error) {
		in := xinfang.PortalReview{Reasons: pf(r, "reasons")}
		for _, file := range files {
			in.Files = append(in.Files, file.Upload)
		}
		a, err := s.Portal.RequestReview(ctx, number, code, in)
		return "您的" + a.Label() + "已收到，收到日期为今天。", err
	})
}

func (s *Server) handlePortalDocument(w http.ResponseWriter, r *http.Request) error {
	ctx := s.portalContext(r)
	var d *xinfang.PortalDocument
	number, code := xinfang.NormalizeNumber(pf(r, "number")), pf(r, "query_code")
	err := s.portalGuarded(ctx, w, r, func() (err error) {
		d, err = s.Portal.Document(ctx, number, code, pf(r, "doc"))
		return err
	})
	if err != nil {
		v := s.portalView(r, "查询办理进展")
		v.Number = number
		return s.portalFollowAgain(w, r, v, err)
	}
	return s.portalDocs().Render(w, d, pf(r, "format") == "pdf")
}
