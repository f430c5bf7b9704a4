package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"xinfang"
)

// upload posts data as the form field "file" named name to path, with
// the client's session and CSRF header, and for a page's form (api false)
// the form's csrf_token too.
func (c *apiClient) upload(t *testing.T, path, name string, data []byte, api bool) *apiResp {
	t.Helper()
	return c.uploadWith(t, path, name, data, api, nil)
}

// uploadWith is upload with more form fields.
func (c *apiClient) uploadWith(t *testing.T, path, name string, data []byte, api bool, fields map[string]string) *apiResp {
	t.Helper()
	if c.token == "" {
		if r := c.tryLogin(t, c.Password); r.Status != http.StatusOK {
			t.Fatalf("login %s: %s", c.Username, r)
		}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if !api {
		mw.WriteField("csrf_token", c.CSRF)
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return c.sendRaw(t, "POST", path, mw.FormDataContentType(), body.String())
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 640, 480))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAttachmentsAPI: a registrar adds a scan and a photo to a petition
// through the API and through the page's form; they download as
// attachments with their names, never sniffed, the photo with a
// thumbnail; another town gets 404 for all of it; a refused file names
// itself; a file over the limit is refused before it is read; every
// download is in the audit log.
func TestAttachmentsAPI(t *testing.T) {
	e := newAPIEnv(t, "2026-03-02T09:00")
	reg := e.user(t, "za.reg", "ZA", xinfang.RoleRegistrar)
	other := e.user(t, "zb.handler", "ZB", xinfang.RoleHandler)
	auditor := e.user(t, "auditor", "XC", xinfang.RoleAuditor)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", e.Units["ZA"].ID, nil))
	base := p.path() + "/attachments"

	scan := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("扫描件"), 50_000)...)
	r := reg.upload(t, base, "来信 扫描.pdf", scan, true)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %s", r)
	}
	var a xinfang.Attachment
	r.decode(t, &a)
	if a.Name != "来信 扫描.pdf" || a.Type != "application/pdf" || a.Size != int64(len(scan)) {
		t.Errorf("uploaded %+v", a)
	}
	dl := reg.do(t, "GET", "/api/v1/attachments/"+strconv.FormatInt(a.ID, 10), nil)
	disp, params, _ := mime.ParseMediaType(dl.Header.Get("Content-Disposition"))
	if dl.Status != http.StatusOK || !bytes.Equal(dl.Body, scan) || disp != "attachment" || params["filename"] != a.Name ||
		dl.Header.Get("X-Content-Type-Options") != "nosniff" || dl.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download: %d, %d bytes, %v", dl.Status, len(dl.Body), dl.Header)
	}

	// The page's form: CSRF in the form, back to the page, which lists
	// the photo with its thumbnail.
	r = reg.upload(t, "/petitions/"+strconv.FormatInt(p.ID, 10)+"/attachments", "现场.png", testPNG(t), false)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "uploaded=") {
		t.Fatalf("page upload: %s %v", r, r.Header)
	}
	var list struct{ Items []xinfang.Attachment }
	reg.ok(t, http.StatusOK, "GET", base, nil, &list)
	if len(list.Items) != 2 || !list.Items[1].Image {
		t.Fatalf("list: %+v", list.Items)
	}
	photo := strconv.FormatInt(list.Items[1].ID, 10)
	page := reg.do(t, "GET", "/petitions/"+strconv.FormatInt(p.ID, 10), nil)
	for _, want := range []string{"来信 扫描.pdf", "/attachments/" + photo + "/thumb", `enctype="multipart/form-data"`} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("the petition page lacks %q", want)
		}
	}
	if th := reg.do(t, "GET", "/attachments/"+photo+"/thumb", nil); th.Status != http.StatusOK || th.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("thumbnail: %s", th.Header)
	}
	if in := reg.do(t, "GET", "/attachments/"+photo+"?inline=1", nil); !strings.HasPrefix(in.Header.Get("Content-Disposition"), "inline") {
		t.Errorf("an image asked inline: %s", in.Header.Get("Content-Disposition"))
	}
	if in := reg.do(t, "GET", "/attachments/"+strconv.FormatInt(a.ID, 10)+"?inline=1", nil); !strings.HasPrefix(in.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("a PDF asked inline: %s", in.Header.Get("Content-Disposition"))
	}
	// Without the form's CSRF token nothing is kept.
	noCSRF := *reg
	noCSRF.CSRF = "wrong"
	if r := noCSRF.upload(t, "/petitions/"+strconv.FormatInt(p.ID, 10)+"/attachments", "x.png", testPNG(t), false); r.Status != http.StatusForbidden {
		t.Errorf("upload without CSRF: %d", r.Status)
	}

	// Another town: every route answers 404, as for the petition.
	for _, path := range []string{base, "/api/v1/attachments/" + photo, "/api/v1/attachments/" + photo + "/thumb", "/attachments/" + photo} {
		if r := other.do(t, "GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("town B GET %s: %d", path, r.Status)
		}
	}
	if r := other.upload(t, base, "x.pdf", scan[:100], true); r.Status != http.StatusNotFound {
		t.Errorf("town B upload: %s", r)
	}

	// Refused: an executable, named in the message; a file over the limit,
	// before it is read.
	r = reg.upload(t, base, "setup.exe", []byte("MZ\x90\x00\x03\x00"), true)
	if er := wantError(t, r, http.StatusUnprocessableEntity, "file"); !strings.Contains(er.Error.Fields["file"], "setup.exe") {
		t.Errorf("refusal: %+v", er)
	}
	e.Web.AttachmentLimit = 64 << 10
	if r := reg.upload(t, base, "大.pdf", scan, true); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("a file over the limit: %s", r)
	}
	reg.ok(t, http.StatusOK, "GET", base, nil, &list)
	if len(list.Items) != 2 {
		t.Errorf("refused uploads left %d attachments", len(list.Items))
	}

	au, err := e.DB.Directory.FindUserByID(context.Background(), auditor.ID)
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := e.DB.Audit.FindAudit(xinfang.NewContextWithUser(context.Background(), au), xinfang.AuditFilter{Kind: xinfang.AuditExport, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	downloads := 0
	for _, en := range entries {
		if strings.Contains(en.Route, "attachments/{id}") {
			downloads++
		}
	}
	if downloads != 3 {
		t.Errorf("%d downloads in the audit log, want 3", downloads)
	}
}
