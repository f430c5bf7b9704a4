package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAttachment drives the 附件 section in headless Chromium: the
// town's handler uploads a photo of the letter from the petition page,
// sees it listed with its thumbnail, and its download comes back whole as
// an attachment; town B's staff, signed in, get 404 for the file as for
// the petition.
func TestBrowserAttachment(t *testing.T) {
	ctx, blog := newBrowser(t)
	a := newPageApp(t)
	p := a.seedPetition(t, "a_staff", "张建国", validIDNumber("11010519800101123"), "反映拖欠工资问题")
	base := a.Server.URL
	photo := testPNG(t)
	file := filepath.Join(t.TempDir(), "来信照片.png")
	if err := os.WriteFile(file, photo, 0o600); err != nil {
		t.Fatal(err)
	}
	page := base + "/petitions/" + strconv.FormatInt(p.ID, 10)

	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(page)}, caseLogin("a_staff")...)
	steps = append(steps,
		chromedp.WaitVisible(chromedp.ID("attachment-file")),
		chromedp.SetUploadFiles(chromedp.ID("attachment-file"), []string{file}),
		chromedp.Click(chromedp.ID("attachment-submit")),
		chromedp.WaitVisible(chromedp.ID("upload-done")),
		chromedp.WaitVisible(chromedp.CSS("#attachments img.thumb")),
		screenshot("attachment-01-uploaded"),
	)
	do(t, ctx, "upload a photo of the letter", steps...)
	if got := read(t, ctx, "listed name", chromedp.Text(chromedp.CSS("#attachments a.attachment"))); got != "来信照片.png" {
		t.Errorf("listed %q", got)
	}
	href := read(t, ctx, "download link", chromedp.AttributeValue(chromedp.CSS("#attachments a.attachment"), "href"))
	if !href.Exists || !strings.HasPrefix(href.Value, "/attachments/") {
		t.Fatalf("download link %+v", href)
	}
	loaded := read(t, ctx, "thumbnail", chromedp.Evaluate[int](`document.querySelector("#attachments img.thumb").naturalWidth`))
	if loaded != 240 {
		t.Errorf("the thumbnail is %d pixels wide, want 240", loaded)
	}
	got := read(t, ctx, "download", chromedp.Evaluate[string](`fetch("`+href.Value+`").then(async r => r.status + " " + r.headers.get("content-disposition").split(";")[0] + " " + (await r.arrayBuffer()).byteLength)`, chromedp.EvalAwaitPromise))
	if want := "200 attachment " + strconv.Itoa(len(photo)); got != want {
		t.Errorf("download: %q, want %q", got, want)
	}

	steps = []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")), chromedp.Navigate(base + href.Value)}
	steps = append(steps, caseLogin("b_staff")...)
	steps = append(steps, chromedp.WaitVisible(chromedp.CSS(".error-page")), screenshot("attachment-02-other-town"))
	do(t, ctx, "town B asks for the file", steps...)
	if st := read(t, ctx, "status", chromedp.Text(chromedp.CSS(".error-page .status"))); st != "404" {
		t.Errorf("town B got %q for the file, want 404", st)
	}
	if lines := blog.all(); len(lines) > 0 {
		t.Errorf("the pages logged script errors or CSP violations:\n%s", strings.Join(lines, "\n"))
	}
}
