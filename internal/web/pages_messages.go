package web

import (
	"context"
	"net/http"
	"strings"

	"xinfang"
)

// The administrator's page of the texts of messages to petitioners
// (消息模板): each kind's text, editable, with the placeholders it may use;
// a reset gives the built-in text back.

type messagesView struct {
	base
	Templates []*xinfang.MessageTemplate
	Kind      string // the form that failed
	Body      string
}

func (s *Server) handleMessageTemplates(w http.ResponseWriter, r *http.Request) error {
	return s.messageTemplatesPage(w, r, http.StatusOK, nil)
}

func (s *Server) messageTemplatesPage(w http.ResponseWriter, r *http.Request, status int, failed error) error {
	ts, err := s.Outbox.FindTemplates(r.Context())
	if err != nil {
		return err
	}
	v := &messagesView{Templates: ts}
	v.Title, v.Nav = "消息模板", "admin"
	s.fillBase(r, &v.base)
	if failed != nil {
		v.Error, v.Fields = formMessage(failed), xinfang.ErrorFields(failed)
		v.Kind, v.Body = r.PostFormValue("kind"), r.PostFormValue("body")
	} else if r.URL.Query().Get("saved") != "" {
		v.Notice = "已保存。"
	}
	return s.render(w, r, status, "messages.html", v)
}

func (s *Server) handleSaveMessageTemplate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	kind := xinfang.MessageKind(strings.TrimSpace(r.PostFormValue("kind")))
	err := s.Outbox.SaveTemplate(r.Context(), kind, r.PostFormValue("body"), r.PostFormValue("reset") == "1")
	if err != nil {
		if formError(err) {
			return s.messageTemplatesPage(w, r, http.StatusUnprocessableEntity, err)
		}
		return err
	}
	http.Redirect(w, r, "/admin/messages?saved="+string(kind), http.StatusSeeOther)
	return nil
}

func (s *Server) handlePortalOptOut(w http.ResponseWriter, r *http.Request) error {
	out := pf(r, "opt_out") == "1"
	return s.portalAct(w, r, func(ctx context.Context, number, code string) (string, error) {
		if out {
			return "已退订：今后不再向您的手机发送办理进展短信。", s.Portal.OptOut(ctx, number, code, true)
		}
		return "已恢复接收办理进展短信。", s.Portal.OptOut(ctx, number, code, false)
	})
}
