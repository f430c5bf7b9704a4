package web

import (
	"net/http"

	"xinfang"
)

// PortalDocs renders a document issued to the petitioner
// (xinfang.PortalDocument) as the portal hands it out. The default,
// htmlPortalDocs, shows the content of the staff's printable documents
// (受理告知书, 不予受理告知书, 信访处理意见书) as a printable A4 page; a
// renderer of the official documents as PDF takes its place by being set
// as Server.PortalDocs, with no change to the portal.
type PortalDocs interface {
	Render(w http.ResponseWriter, d *xinfang.PortalDocument) error
}

func (s *Server) portalDocs() PortalDocs {
	if s.PortalDocs != nil {
		return s.PortalDocs
	}
	return htmlPortalDocs{s}
}

// htmlPortalDocs renders a document with the printable page's template,
// in the portal's document layout (no staff links).
type htmlPortalDocs struct{ s *Server }

func (h htmlPortalDocs) Render(w http.ResponseWriter, d *xinfang.PortalDocument) error {
	v := &printView{Doc: d.Doc, DocTitle: d.Title, Addressee: d.Addressee, Issuer: d.Issuer, Superior: d.Superior, HandleDue: d.HandleDue,
		Outcome: xinfang.Outcome(d.Data["outcome"]).Label(), PageBack: "/portal/follow",
		P:     &xinfang.Petition{Number: d.Number, ReceivedAt: d.ReceivedAt, Summary: d.Summary, Request: d.Request},
		Event: &xinfang.Event{At: d.IssuedAt, Data: d.Data}}
	v.Title = d.Title + " " + d.Number
	w.Header().Set("Referrer-Policy", "no-referrer")
	return h.s.renderEntry(w, http.StatusOK, "print_"+d.Doc+".html", "portaldoc", v)
}
