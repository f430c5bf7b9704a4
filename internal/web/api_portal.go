package web

import (
	"context"
	"net/http"
	"strconv"

	"xinfang"
)

// The portal's JSON API under /api/v1/portal (openapi_portal.json): the
// same requests as the portal's pages, for a petitioner's app; and the
// registrar's intake under /api/v1/intake.

func (s *Server) apiPortalChallenge(w http.ResponseWriter, r *http.Request) error {
	c, err := s.newChallenge(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type portalCaptcha struct {
	CaptchaID     string `json:"captcha_id"`
	CaptchaAnswer string `json:"captcha_answer"`
}

type portalKey struct {
	Number    string `json:"number"`
	QueryCode string `json:"query_code"`
}

func (s *Server) apiPortalSubmit(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		xinfang.PortalSubmission
		portalCaptcha
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ctx := s.portalContext(r)
	p, err := s.submitGuarded(ctx, w, r, func() *xinfang.PortalSubmission { return &in.PortalSubmission }, in.CaptchaID, in.CaptchaAnswer)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"number": p.Number, "query_code": p.QueryCode, "received_at": p.ReceivedAt})
	return nil
}

func (s *Server) apiPortalFollow(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		portalKey
		portalCaptcha
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ctx := s.portalContext(r)
	if err := s.checkCaptcha(ctx, w, r, in.CaptchaID, in.CaptchaAnswer); err != nil {
		return err
	}
	return s.apiPortalItem(ctx, w, r, in.portalKey, nil)
}

// apiPortalItem runs act, if any, on the item of k, then answers the item.
func (s *Server) apiPortalItem(ctx context.Context, w http.ResponseWriter, r *http.Request, k portalKey, act func(number, code string) error) error {
	var it *xinfang.PortalItem
	err := s.portalGuarded(ctx, w, r, func() error {
		if act != nil {
			if err := act(k.Number, k.QueryCode); err != nil {
				return err
			}
		}
		var err error
		it, err = s.Portal.Follow(ctx, k.Number, k.QueryCode)
		return err
	})
	if err != nil {
		if act != nil && xinfang.ErrorCode(err) == xinfang.EINVALID && xinfang.ErrorFields(err)["query_code"] == "" {
			s.Portal.AuditRefusal(ctx, "网上办理被拒绝："+xinfang.ErrorMessage(err))
		}
		return err
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}

func (s *Server) apiPortalEvaluate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		portalKey
		xinfang.PortalEvaluation
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ctx := s.portalContext(r)
	return s.apiPortalItem(ctx, w, r, in.portalKey, func(number, code string) error {
		return s.Portal.Evaluate(ctx, number, code, in.PortalEvaluation)
	})
}

func (s *Server) apiPortalReview(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		portalKey
		Reasons string `json:"reasons"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ctx := s.portalContext(r)
	return s.apiPortalItem(ctx, w, r, in.portalKey, func(number, code string) error {
		_, err := s.Portal.RequestReview(ctx, number, code, xinfang.PortalReview{Reasons: in.Reasons})
		return err
	})
}

func (s *Server) apiPortalDocument(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		portalKey
		Doc    string `json:"doc"`
		Format string `json:"format"` // "pdf": the document as PDF, else its data as JSON
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ctx := s.portalContext(r)
	var d *xinfang.PortalDocument
	err := s.portalGuarded(ctx, w, r, func() (err error) {
		d, err = s.Portal.Document(ctx, in.Number, in.QueryCode, in.Doc)
		return err
	})
	if err != nil {
		return err
	}
	if in.Format == "pdf" {
		return s.portalDocs().Render(w, d, true)
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// apiIntake lists the items submitted online that wait for the registrar,
// the petitioners' data masked.
func (s *Server) apiIntake(w http.ResponseWriter, r *http.Request) error {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	items, total, err := s.Portal.FindIntake(r.Context(), max(offset, 0), 50)
	if err != nil {
		return err
	}
	for _, p := range items {
		xinfang.MaskPetitioner(p.Petitioner)
	}
	if items == nil {
		items = []*xinfang.Petition{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
	return nil
}

func (s *Server) apiConfirmIntake(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.Portal.ConfirmIntake(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

func (s *Server) apiPortalOptOut(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		portalKey
		OptOut bool `json:"opt_out"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ctx := s.portalContext(r)
	return s.apiPortalItem(ctx, w, r, in.portalKey, func(number, code string) error {
		return s.Portal.OptOut(ctx, number, code, in.OptOut)
	})
}

// apiPetitionMessages lists the messages to the petitioner of an item.
func (s *Server) apiPetitionMessages(w http.ResponseWriter, r *http.Request) error {
	return serveListByID(w, r, s.Outbox.FindMessages)
}

func (s *Server) apiMessageTemplates(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Outbox.FindTemplates(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ts})
	return nil
}

func (s *Server) apiSaveMessageTemplate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Body  string `json:"body"`
		Reset bool   `json:"reset"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Outbox.SaveTemplate(r.Context(), xinfang.MessageKind(r.PathValue("kind")), in.Body, in.Reset); err != nil {
		return err
	}
	return s.apiMessageTemplates(w, r)
}
