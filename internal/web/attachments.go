package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"xinfang"
)

// Attachments (附件) of petitions and backlog cases: uploaded through a
// form or the API as multipart/form-data (field "file"), listed on the
// record's page, served only through storage's access check, always as a
// download (Content-Disposition: attachment) except images, which the
// viewer shows inline; never sniffed by the browser (nosniff). Storage
// reads the kind from the content and refuses what it does not know.

// AttachmentStore keeps the files of records.
type AttachmentStore interface {
	AddAttachment(ctx context.Context, owner xinfang.AttachmentOwner, ownerID int64, name string, r io.ReaderAt, size int64) (*xinfang.Attachment, error)
	AddPartAttachment(ctx context.Context, owner xinfang.AttachmentOwner, ownerID int64, part xinfang.AttachmentPart, partID int64, name string, r io.ReaderAt, size int64) (*xinfang.Attachment, error)
	FindAttachments(ctx context.Context, owner xinfang.AttachmentOwner, ownerID int64) ([]*xinfang.Attachment, error)
	OpenAttachment(ctx context.Context, id int64) (*xinfang.Attachment, io.Reader, error)
	AttachmentThumb(ctx context.Context, id int64) ([]byte, error)
}

// uploadRoutes take a file: their body may be the attachment limit and a
// little form around it, and their form's files are kept (on disk past
// uploadMemory) for the handler.
var uploadRoutes = map[string]bool{
	"POST /petitions":                         true,
	"POST /api/v1/petitions/{id}/attachments": true,
	"POST /api/v1/cases/{id}/attachments":     true,
	"POST /petitions/{id}/attachments":        true,
	"POST /cases/{id}/attachments":            true,
	"POST /portal/submit":                     true,
	"POST /portal/review":                     true,
}

// uploadMemory is how much of an upload's form is held in memory; the
// rest of a file goes to a temporary file, removed after the request.
// uploadSlack is what the form around the file may add to the body.
const (
	uploadMemory = 1 << 20
	uploadSlack  = 64 << 10
)

// attachmentLimit is the largest file the server takes.
func (s *Server) attachmentLimit() int64 {
	if s.AttachmentLimit > 0 {
		return s.AttachmentLimit
	}
	return xinfang.DefaultAttachmentLimit
}

// uploadedFile returns the file of r's form field "file", its form parsed
// already (pages) or parsed here (API).
func uploadedFile(r *http.Request) (multipart.File, *multipart.FileHeader, error) {
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(uploadMemory); err != nil {
			if big := tooLargeOf(err); big != nil {
				return nil, nil, big
			}
			return nil, nil, xinfang.FieldError("file", "请以 multipart/form-data 上传文件（字段 file）")
		}
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		return nil, nil, xinfang.FieldError("file", "请选择要上传的文件")
	}
	return f, h, nil
}

// formFile is a file of a posted form, open.
type formFile struct {
	xinfang.Upload
	f multipart.File
}

// formFiles opens the files of r's form field; a form without any is none.
func formFiles(r *http.Request, field string) ([]formFile, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []formFile
	for _, h := range r.MultipartForm.File[field] {
		if h.Size == 0 && h.Filename == "" {
			continue // the empty part a browser sends when nothing is chosen
		}
		f, err := h.Open()
		if err != nil {
			closeAll(out)
			return nil, err
		}
		out = append(out, formFile{Upload: xinfang.Upload{Name: h.Filename, Content: f, Size: h.Size}, f: f})
	}
	return out, nil
}

func closeAll(files []formFile) {
	for _, f := range files {
		f.f.Close()
	}
}

// addAttachment stores the uploaded file of r with the record owner {id},
// or with the entry of it the form's part names: "part" and "part_id"
// (the API), or "part" as kind:id (the pages' picker).
func (s *Server) addAttachment(r *http.Request, owner xinfang.AttachmentOwner) (*xinfang.Attachment, int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, 0, err
	}
	f, h, err := uploadedFile(r)
	if err != nil {
		return nil, id, err
	}
	defer f.Close()
	part, partID, err := attachmentPart(r.FormValue("part"), r.FormValue("part_id"))
	if err != nil {
		return nil, id, err
	}
	a, err := s.Attachments.AddPartAttachment(r.Context(), owner, id, part, partID, h.Filename, f, h.Size)
	return a, id, err
}

// attachmentPart reads the entry a file is for: kind and id, or kind:id
// in one value; both empty is the record itself.
func attachmentPart(kind, id string) (xinfang.AttachmentPart, int64, error) {
	if k, i, ok := strings.Cut(kind, ":"); ok && id == "" {
		kind, id = k, i
	}
	if kind == "" && id == "" {
		return "", 0, nil
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return "", 0, xinfang.FieldError("part_id", "请选择附件所属的记录")
	}
	return xinfang.AttachmentPart(kind), n, nil
}

func apiAddAttachment(owner xinfang.AttachmentOwner) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		a, _, err := s.addAttachment(r, owner)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, a)
		return nil
	}
}

func apiAttachments(owner xinfang.AttachmentOwner) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		return serveListByID(w, r, func(ctx context.Context, id int64) ([]*xinfang.Attachment, error) {
			return s.Attachments.FindAttachments(ctx, owner, id)
		})
	}
}

// handleAddAttachment is the upload form of a record's page: back to the
// page, with the outcome in words.
func handleAddAttachment(owner xinfang.AttachmentOwner, page string) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		a, id, err := s.addAttachment(r, owner)
		if id == 0 {
			return err
		}
		q := url.Values{}
		if err != nil {
			if xinfang.ErrorCode(err) != xinfang.EINVALID && xinfang.ErrorCode(err) != xinfang.ETOOLARGE {
				return err
			}
			q.Set("upload_error", formMessage(err))
		} else {
			q.Set("uploaded", a.Name)
		}
		back := fmt.Sprintf("%s/%d", page, id)
		// A 督办单's page uploads its feedback's files to the record and
		// is where the user comes back to.
		if b := r.FormValue("back"); supervisionPage.MatchString(b) {
			back = b
		}
		http.Redirect(w, r, back+"?"+q.Encode()+"#attachments", http.StatusSeeOther)
		return nil
	}
}

// serveAttachment sends a file: as a download, or inline when it is an
// image and ?inline=1 asks for the viewer. The headers go out before the
// content is read; a file whose content fails its check ends the answer
// short, and the browser reports the download failed.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "附件不存在或无权查看")
	if err != nil {
		return err
	}
	a, content, err := s.Attachments.OpenAttachment(r.Context(), id)
	if err != nil {
		return err
	}
	disposition := "attachment"
	if a.Image && r.URL.Query().Get("inline") == "1" {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", a.Type)
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, content); err != nil && !errors.Is(err, context.Canceled) {
		s.Logger.Error("attachment", "id", id, "err", err)
		panic(http.ErrAbortHandler) // the client sees a cut answer, not a complete wrong one
	}
	return nil
}

func (s *Server) serveAttachmentThumb(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "附件不存在或无权查看")
	if err != nil {
		return err
	}
	thumb, err := s.Attachments.AttachmentThumb(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, err = w.Write(thumb)
	return err
}

// supervisionPage is the path of a 督办单's page, where an upload may
// send the user back to.
var supervisionPage = regexp.MustCompile(`^/supervisions/[0-9]+$`)

// attachmentsView is the 附件 section of a record's page.
type attachmentsView struct {
	Items []attachmentItem
	// Parts are the entries of the record a file may be attached to (the
	// upload form's picker); Part, when set, is the one entry the section
	// shows and adds to (a 督办单's page), Back the page to come back to.
	Parts    []partOption
	Part     string
	Back     string
	Action   string // the upload form's target; "" when the user may not add
	CSRF     string
	Uploaded string // the name of the file just added
	Error    string // why the last upload was refused
	Limit    string
}

// attachmentItem is a file as a record's page lists it: with the entry
// it belongs to in words.
type attachmentItem struct {
	*xinfang.Attachment
	Where string
}

// partOption is an entry of a record a file may be attached to.
type partOption struct {
	Value string // kind:id
	Label string
}

func partValue(kind xinfang.AttachmentPart, id int64) string {
	return string(kind) + ":" + strconv.FormatInt(id, 10)
}

// supervisionParts are the 督办单 of f the user sees, as entries a file
// (their feedback's) may be attached to; none when the user sees none.
func (s *Server) supervisionParts(ctx context.Context, f xinfang.SupervisionFilter) []partOption {
	if s.Supervisions == nil {
		return nil
	}
	f.Limit = 100
	list, _, err := s.Supervisions.FindSupervisions(ctx, f)
	if err != nil {
		// A user who may not read 督办单 attaches to the record alone.
		if xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			s.Logger.Error("supervisions of a record", "err", err)
		}
		return nil
	}
	out := make([]partOption, 0, len(list))
	for _, sup := range list {
		out = append(out, partOption{partValue(xinfang.PartSupervision, sup.ID), "督办反馈：" + sup.Number})
	}
	return out
}

// cutText shortens s to at most n characters, tail marking the cut.
func cutText(s string, n int, tail string) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + tail
}

// attachmentsOf builds the 附件 section of record owner/id for r; may
// says whether the user may add files (storage checks it again); parts
// are the record's entries a file may be attached to.
func (s *Server) attachmentsOf(r *http.Request, owner xinfang.AttachmentOwner, id int64, page string, may bool, csrf string, parts ...partOption) (*attachmentsView, error) {
	if s.Attachments == nil {
		return nil, nil
	}
	items, err := s.Attachments.FindAttachments(r.Context(), owner, id)
	if err != nil {
		return nil, err
	}
	where := map[string]string{}
	for _, p := range parts {
		where[p.Value] = p.Label
	}
	v := &attachmentsView{Parts: parts, CSRF: csrf, Uploaded: r.URL.Query().Get("uploaded"), Error: r.URL.Query().Get("upload_error"),
		Limit: strconv.FormatInt(s.attachmentLimit()>>20, 10) + " MB"}
	for _, a := range items {
		it := attachmentItem{Attachment: a}
		if a.Part != "" {
			if it.Where = where[partValue(a.Part, a.PartID)]; it.Where == "" {
				it.Where = a.Part.Label()
			}
		}
		v.Items = append(v.Items, it)
	}
	if may {
		v.Action = fmt.Sprintf("%s/%d/attachments", page, id)
	}
	return v, nil
}

// fileSize says a size in words: KB below a megabyte, MB with one decimal above.
func fileSize(n int64) string {
	if n < 1<<20 {
		return strconv.FormatInt(max(1, (n+1023)>>10), 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}
