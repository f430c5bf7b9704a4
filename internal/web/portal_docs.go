package web

import (
	"net/http"

	"xinfang"
	"xinfang/internal/docs"
)

// PortalDocs renders a document issued to the petitioner
// (xinfang.PortalDocument) as the portal hands it out: as its A4 pages,
// or as PDF when pdf is set. The default, docsPortal, composes it with
// internal/docs, the same composition and pagination as the staff's
// documents; another renderer may be set as Server.PortalDocs.
type PortalDocs interface {
	Render(w http.ResponseWriter, d *xinfang.PortalDocument, pdf bool) error
}

func (s *Server) portalDocs() PortalDocs {
	if s.PortalDocs != nil {
		return s.PortalDocs
	}
	return docsPortal{s}
}

// docsPortal composes a portal document with internal/docs from the
// portal-safe record alone (number, addressee, the matter, the issuing
// event's letter fields, issuer and superior): nothing else of the item
// reaches the composition.
type docsPortal struct{ s *Server }

// portalActions are the events that issue the documents the portal hands out.
var portalActions = map[docs.Kind]xinfang.Action{docs.KindAccept: xinfang.ActAccept, docs.KindReject: xinfang.ActNotAccept, docs.KindOpinion: xinfang.ActReply,
	docs.KindReview: xinfang.ActReviewReply, docs.KindRereview: xinfang.ActRereviewReply, docs.KindTerminate: xinfang.ActTerminate}

func (h docsPortal) Render(w http.ResponseWriter, d *xinfang.PortalDocument, pdf bool) error {
	kind := docs.Kind(d.Doc)
	action, ok := portalActions[kind]
	if !ok {
		return xinfang.Errorf(xinfang.ENOTFOUND, "没有这种文书")
	}
	p := &xinfang.Petition{Number: d.Number, ReceivedAt: d.ReceivedAt, Summary: d.Summary, Request: d.Request, Petitioner: &xinfang.Petitioner{Name: d.Addressee}}
	if !d.HandleDue.IsZero() {
		p.Clocks = []xinfang.Clock{{Kind: xinfang.ClockHandling, Due: d.HandleDue}}
	}
	ev := &xinfang.Event{Action: action, At: d.IssuedAt, Data: d.Data, ActorUnitID: 1}
	doc, err := docs.Compose(kind, &docs.Source{P: p, Events: []*xinfang.Event{ev}, Printed: d.IssuedAt,
		UnitName: func(int64) string { return d.Issuer }, Superior: func(int64) string { return d.Superior }})
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	if pdf {
		return writePDF(w, doc)
	}
	v := &printView{Doc: doc, PageBack: "/portal/follow", BackText: "返回查询"}
	v.Title = doc.Title + " " + doc.Number
	return h.s.renderEntry(w, http.StatusOK, "document.html", "documentlayout", v)
}
