package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"xinfang/internal/app"
	"xinfang/internal/demo"
	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
	"xinfang/internal/web"
)

// crawlHrefRE finds the links of a page.
var crawlHrefRE = regexp.MustCompile(`href="(/[^"#]*)`)

// TestCrawlDemoAsEveryRole signs every demo account in and follows the
// links its pages offer (breadth first, a bounded number per account):
// every page a link leads to answers 200, or 303 on to another page —
// never an error, a 403 for something the page itself offered, or a
// 404 for a link the product wrote. The whole staff side, on demo data,
// as each role sees it.
func TestCrawlDemoAsEveryRole(t *testing.T) {
	db := sqldb.NewDB(filepath.Join(t.TempDir(), "crawl.db"), keyring.Generate())
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	accounts, err := demo.Load(context.Background(), db, demo.Options{Petitions: 120, Online: 6})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.NewServer(app.WebStores(db), slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)

	const perAccount = 250
	for _, acc := range accounts {
		t.Run(acc.Username, func(t *testing.T) {
			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := hc.PostForm(srv.URL+"/login", url.Values{"username": {acc.Username}, "password": {acc.Password}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			seen := map[string]bool{}
			queue := []string{"/"}
			from := map[string]string{}
			var bad []string
			for len(queue) > 0 && len(seen) < perAccount {
				path := queue[0]
				queue = queue[1:]
				if seen[path] || skipCrawl(path) {
					continue
				}
				seen[path] = true
				resp, err := hc.Get(srv.URL + path)
				if err != nil {
					t.Fatalf("GET %s: %v", path, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound:
					if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "/login") {
						bad = append(bad, path+" → "+loc+" (signed out; linked from "+from[path]+")")
					} else if strings.HasPrefix(loc, "/") {
						queue = append(queue, loc)
						from[loc] = path
					}
					continue
				case resp.StatusCode != http.StatusOK:
					bad = append(bad, path+" "+resp.Status+" (linked from "+from[path]+")")
					continue
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					continue
				}
				for _, m := range crawlHrefRE.FindAllStringSubmatch(string(body), -1) {
					link := strings.ReplaceAll(m[1], "&amp;", "&")
					if !seen[link] {
						if _, ok := from[link]; !ok {
							from[link] = path
						}
						queue = append(queue, link)
					}
				}
			}
			sort.Strings(bad)
			for _, b := range bad {
				t.Errorf("%s (%s): %s", acc.Username, acc.Roles, b)
			}
			if len(seen) < 5 {
				t.Errorf("%s reached only %d pages", acc.Username, len(seen))
			}
		})
	}
}

// skipCrawl leaves out what a crawl must not follow: downloads and
// documents (their own tests check them), and the assets.
func skipCrawl(path string) bool {
	for _, p := range []string{"/static/", "/attachments/", "/api/", "/portal/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return strings.HasSuffix(strings.SplitN(path, "?", 2)[0], ".xlsx") || strings.Contains(path, "/print") || strings.Contains(path, "/export") ||
		strings.HasSuffix(path, "/notice") || strings.HasSuffix(path, "/agreement") || strings.HasSuffix(path, "/decision") || path == "/logout"
}
