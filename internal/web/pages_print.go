package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"xinfang"
	"xinfang/internal/docs"
)

// The documents (文书) of petitions and 督办单 are composed and paginated by
// internal/docs; here they are shown as A4 pages (the preview prints the
// pages it shows) and handed out as PDF. Each is an export of personal
// data and audited as such.

type printView struct {
	base
	Doc      *docs.Document
	PageBack string
	BackText string
	PDF      string
	Others   []docLink // the other documents of the same item
}

// petitionDocument composes document kind of petition id as the reader
// may see it: personal data masked unless ?unmask=1 by one who may.
func (s *Server) petitionDocument(r *http.Request, id int64, kind docs.Kind) (*docs.Document, *docs.Source, error) {
	ctx := r.Context()
	p, err := s.Petitions.FindPetitionByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	events, err := s.Petitions.FindEvents(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	_, idx, err := s.units(r)
	if err != nil {
		return nil, nil, err
	}
	_, cats, err := s.categories(r)
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := protectPersonal(r, p); err != nil {
		return nil, nil, err
	}
	src := &docs.Source{P: p, Events: events, UnitName: idx.Name, Category: cats[p.Category], Printed: s.Now(),
		Superior: func(id int64) string {
			if u, ok := idx[id]; ok {
				return idx.Name(u.ParentID)
			}
			return ""
		}}
	d, err := docs.Compose(kind, src)
	return d, src, err
}

// handlePrint shows one document of a petition as its A4 pages.
func (s *Server) handlePrint(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	d, src, err := s.petitionDocument(r, id, docs.Kind(r.PathValue("doc")))
	if err != nil {
		return err
	}
	base := "/petitions/" + r.PathValue("id")
	v := &printView{Doc: d, PageBack: base, BackText: "返回信访件",
		PDF: "/api/v1/petitions/" + r.PathValue("id") + "/documents/" + string(d.Kind) + ".pdf" + unmaskQuery(r)}
	for _, k := range docs.Available(src) {
		if k != d.Kind {
			v.Others = append(v.Others, docLink{Doc: string(k), Label: k.Title(), Href: base + "/print/" + string(k) + unmaskQuery(r)})
		}
	}
	return s.renderDocument(w, r, v)
}

func unmaskQuery(r *http.Request) string {
	if r.URL.Query().Get("unmask") == "1" {
		return "?unmask=1"
	}
	return ""
}

func (s *Server) renderDocument(w http.ResponseWriter, r *http.Request, v *printView) error {
	v.Title = v.Doc.Title + " " + v.Doc.Number
	s.fillBase(r, &v.base)
	return s.renderEntry(w, http.StatusOK, "document.html", "documentlayout", v)
}

// supervisionOrder reads a 督办单 with what its documents name: the units
// and the item supervised, as far as the reader may see it.
func (s *Server) supervisionOrder(r *http.Request, id int64) (*docs.Order, error) {
	ctx := r.Context()
	sv, err := s.Supervisions.FindSupervisionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	_, idx, err := s.units(r)
	if err != nil {
		return nil, err
	}
	o := &docs.Order{S: sv, Issuer: idx.Name(sv.IssuerUnitID), Target: idx.Name(sv.TargetUnitID), Today: s.today()}
	if sv.PetitionID != 0 {
		o.Subject = "信访件" + sv.PetitionNumber
		// A unit supervised may not see the petition itself (another
		// unit handles it): the notice then names it by number only.
		if p, err := s.Petitions.FindPetitionByID(ctx, sv.PetitionID); err == nil {
			o.Subject += "（" + strings.TrimRight(p.Summary, "。") + "）"
		}
	} else {
		o.Subject = "信访积案" + sv.CaseNumber
		if c, err := s.Cases.FindCaseByID(ctx, sv.CaseID); err == nil {
			o.Subject += "（" + c.Title + "）"
		}
	}
	return o, nil
}

// handleSupervisionPrint shows the 督办通知书 or 催办函 of a 督办单.
func (s *Server) handleSupervisionPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "督办单不存在或无权查看")
	if err != nil {
		return err
	}
	o, err := s.supervisionOrder(r, id)
	if err != nil {
		return err
	}
	d, err := docs.ComposeSupervision(docs.Kind(r.PathValue("doc")), o)
	if err != nil {
		return err
	}
	base := "/supervisions/" + r.PathValue("id")
	v := &printView{Doc: d, PageBack: base, BackText: "返回督办单",
		PDF: "/api/v1/supervisions/" + r.PathValue("id") + "/documents/" + string(d.Kind) + ".pdf"}
	for _, k := range docs.SupervisionKinds(o.S) {
		if k != d.Kind {
			v.Others = append(v.Others, docLink{Doc: string(k), Label: k.Title(), Href: base + "/print/" + string(k)})
		}
	}
	return s.renderDocument(w, r, v)
}

// documentFile is the kind named by a PDF file name ("accept.pdf").
func documentFile(r *http.Request) (docs.Kind, error) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".pdf")
	if !ok || docs.Kind(name).Title() == "" {
		return "", xinfang.Errorf(xinfang.ENOTFOUND, "没有这种文书")
	}
	return docs.Kind(name), nil
}

func writePDF(w http.ResponseWriter, d *docs.Document) error {
	var buf bytes.Buffer
	if err := d.WritePDF(&buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", "attachment; filename=\"document.pdf\"; filename*=UTF-8''"+url.PathEscape(d.Title+"-"+d.Number+".pdf"))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

// documentList is the API's list of an item's documents.
type documentList struct {
	Documents []documentRef `json:"documents"`
}

type documentRef struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	PDF   string `json:"pdf"`
}

func (s *Server) apiPetitionDocuments(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
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
	out := documentList{Documents: []documentRef{}}
	for _, k := range docs.Available(&docs.Source{P: p, Events: events}) {
		out.Documents = append(out.Documents, documentRef{Kind: string(k), Title: k.Title(), PDF: "/api/v1/petitions/" + r.PathValue("id") + "/documents/" + string(k) + ".pdf"})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiPetitionDocumentPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	kind, err := documentFile(r)
	if err != nil {
		return err
	}
	d, _, err := s.petitionDocument(r, id, kind)
	if err != nil {
		return err
	}
	return writePDF(w, d)
}

func (s *Server) apiSupervisionDocumentPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "督办单不存在或无权查看")
	if err != nil {
		return err
	}
	kind, err := documentFile(r)
	if err != nil {
		return err
	}
	o, err := s.supervisionOrder(r, id)
	if err != nil {
		return err
	}
	d, err := docs.ComposeSupervision(kind, o)
	if err != nil {
		return err
	}
	return writePDF(w, d)
}
