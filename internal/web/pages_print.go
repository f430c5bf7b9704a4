package web

import (
	"net/http"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// printDocs are the documents (文书) printable from a petition page, each
// issued by the event it records.
var printDocs = []struct {
	doc    string
	action xinfang.Action
	title  string
}{
	{"accept", xinfang.ActAccept, "受理告知书"},
	{"reject", xinfang.ActNotAccept, "不予受理告知书"},
	{"opinion", xinfang.ActReply, "信访处理意见书"},
}

type printView struct {
	base
	Doc       string
	DocTitle  string
	P         *xinfang.Petition
	Event     *xinfang.Event
	Addressee string
	Issuer    string        // the unit that issues the document: the actor's unit
	Superior  string        // the unit a review is asked from
	HandleDue calendar.Date // due date of the handling clock, for 受理告知书
	Outcome   string
	PageBack  string
}

// handlePrint renders one document of a petition as an A4 page in the
// official layout. An item without the event that issues the document has
// no such document: 404.
func (s *Server) handlePrint(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	doc := r.PathValue("doc")
	var action xinfang.Action
	var title string
	for _, d := range printDocs {
		if d.doc == doc {
			action, title = d.action, d.title
		}
	}
	if action == "" {
		return xinfang.Errorf(xinfang.ENOTFOUND, "没有这种文书")
	}
	ctx := r.Context()
	p, err := s.Petitions.FindPetitionByID(ctx, id)
	if err != nil {
		return err
	}
	events, err := s.Petitions.FindEvents(ctx, id)
	if err != nil {
		return err
	}
	// The latest event counts: an item returned and accepted again gets
	// the notice of its last acceptance.
	var ev *xinfang.Event
	for _, e := range events {
		if e.Action == action {
			ev = e
		}
	}
	if ev == nil {
		return xinfang.Errorf(xinfang.ENOTFOUND, "该信访件尚无%s", title)
	}
	_, idx, err := s.units(r)
	if err != nil {
		return err
	}
	v := &printView{Doc: doc, DocTitle: title, P: p, Event: ev, Issuer: idx.Name(ev.ActorUnitID), PageBack: "/petitions/" + r.PathValue("id")}
	v.Title = title + " " + p.Number
	s.fillBase(r, &v.base)
	v.Addressee = addressee(p)
	if u, ok := idx[ev.ActorUnitID]; ok {
		if parent, ok := idx[u.ParentID]; ok {
			v.Superior = parent.Name
		}
	}
	if v.Superior == "" {
		v.Superior = "本机关的上一级行政机关"
	}
	for _, c := range p.Clocks {
		if c.Kind == xinfang.ClockHandling {
			v.HandleDue = c.Due
		}
	}
	v.Outcome = xinfang.Outcome(ev.Data["outcome"]).Label()
	return s.render(w, r, http.StatusOK, "print_"+doc+".html", v)
}

// addressee names the petitioners a document is sent to: the main
// petitioner and any co-petitioners (联名).
func addressee(p *xinfang.Petition) string {
	var names []string
	if p.Petitioner != nil && p.Petitioner.Name != "" && !p.Anonymous {
		names = append(names, p.Petitioner.Name)
	}
	for _, c := range p.CoPetitioners {
		if c.Name != "" {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		return "信访人"
	}
	return strings.Join(names, "、")
}
