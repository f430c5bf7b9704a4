package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// The staff pages are server-rendered html/template pages in Simplified
// Chinese. They work without JavaScript; static/app.js only adds the
// repeat check while typing and small conveniences. The CSP forbids inline
// scripts and styles, so every page loads its CSS and JS from /static/.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// errorPage renders an error for a page request.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, err error) {
	v := &errorView{Status: status, Message: xinfang.ErrorMessage(err)}
	switch status {
	case http.StatusNotFound:
		v.Heading = "未找到"
		if v.Message == "" || v.Message == "记录不存在" {
			v.Message = "信访件不存在或无权查看"
		}
	case http.StatusForbidden:
		v.Heading = "无权操作"
	case http.StatusUnauthorized:
		v.Heading = "请先登录"
	case http.StatusConflict:
		v.Heading = "操作冲突"
	case http.StatusRequestEntityTooLarge:
		v.Heading = "提交内容过大"
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		v.Heading = "输入有误"
	default:
		v.Heading = "系统错误"
	}
	v.Title = v.Heading
	s.fillBase(r, &v.base)
	if err := s.render(w, r, status, "error.html", v); err != nil {
		s.Logger.Error("render", "template", "error.html", "path", r.URL.Path, "err", err)
		http.Error(w, "系统内部错误，请稍后重试", http.StatusInternalServerError)
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// base is what every page shows: the signed-in user (name, unit, 退出),
// the menu entries the user may open, the unread count, and the CSRF token
// that every POST form carries.
type base struct {
	Title  string
	Nav    string
	User   *xinfang.User
	CSRF   string
	Notice string
	// IndexNotice says, on the pages whose results come from the search
	// and repeat index, that the index is still being built.
	IndexNotice string
	Error       string
	Fields      map[string]string
	// Menu are the main menu entries this user may open (menuFor).
	Menu []menuEntry
	// Unread is the number of unread inbox messages (站内消息).
	Unread int

	opens func(pattern string) bool
}

// Opens reports whether the user may open the page of the GET route
// pattern ("/cases/new"): a template shows a link only to who may follow
// it.
func (b *base) Opens(pattern string) bool { return b.opens != nil && b.opens(pattern) }

type errorView struct {
	base
	Status  int
	Heading string
	Message string
}

// fillBase sets the user, the menu, the unread count and the CSRF token
// of the request.
func (s *Server) fillBase(r *http.Request, b *base) {
	b.User = xinfang.UserFromContext(r.Context())
	if sess := sessionFrom(r.Context()); sess != nil {
		b.CSRF = sess.CSRF
	}
	if b.User == nil {
		return
	}
	b.Menu = s.menuFor(b.User)
	u := b.User
	b.opens = func(pattern string) bool { return s.opens(u, pattern) }
	// A failed count must not cost the page: the menu shows none.
	if n, err := s.Notifications.UnreadCount(r.Context()); err == nil {
		b.Unread = n
	} else {
		s.Logger.Error("unread count", "err", err)
	}
}

// Templates: every page is parsed with the layouts and partials into its
// own set, so that each page may define "content" without clashing.
var pageTemplates = mustParseTemplates()

func mustParseTemplates() map[string]*template.Template {
	// The layout and every partials*.html are parsed into each page's set.
	partials, err := fs.Glob(templateFS, "templates/partials*.html")
	if err != nil {
		panic(err)
	}
	shared := append([]string{"templates/layout.html"}, partials...)
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" || strings.HasPrefix(name, "partials") {
			continue
		}
		t := template.New(name).Funcs(templateFuncs)
		t = template.Must(t.ParseFS(templateFS, append(shared, n)...))
		out[name] = t
	}
	return out
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 (returned, for s.fail) rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	entry := "layout"
	// The registers' printed forms (听证通知书, 调解协议书, 司法救助决定书,
	// 法律意见书) on an A4 sheet; the petitions' documents have their own
	// layout (internal/docs, document.html).
	if strings.HasPrefix(name, "print_") {
		entry = "doclayout"
	}
	return s.renderEntry(w, status, name, entry, data)
}

// renderEntry executes template entry of page name.
func (s *Server) renderEntry(w http.ResponseWriter, status int, name, entry string, data any) error {
	t, ok := pageTemplates[name]
	if !ok {
		return fmt.Errorf("unknown template %s", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, entry, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages carry personal data and CSRF tokens: never cache them.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// Static assets are served with content-hashed URLs, so that they can be
// cached for a year and still change on the next release.
var assetHashes = mustHashAssets()

func mustHashAssets() map[string]string {
	out := map[string]string{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(staticFS, "static/"+e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(sum[:])[:16]
	}
	return out
}

// assetURL returns the versioned URL of a static file.
func assetURL(name string) string {
	h, ok := assetHashes[name]
	if !ok {
		panic("unknown asset " + name)
	}
	return "/static/" + name + "?v=" + h
}

func serveStatic(s *Server, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	h, ok := assetHashes[name]
	if !ok {
		http.NotFound(w, r)
		return nil
	}
	b, err := fs.ReadFile(staticFS, "static/"+name)
	if err != nil {
		http.NotFound(w, r)
		return nil
	}
	if r.URL.Query().Get("v") == h {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", `"`+h+`"`)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	return nil
}

var templateFuncs = template.FuncMap{
	"asset":     assetURL,
	"filesize":  fileSize,
	"caseState": func(code string) xinfang.CaseState { return xinfang.CaseState(code) },
	"channels":  func() []xinfang.Label { return xinfang.Channels },
	// regChannels are the channels the registration form offers (not 领导接访).
	"regChannels": xinfang.RegistrableChannels,
	"purposes":    func() []xinfang.Label { return xinfang.Purposes },
	"states":      func() []xinfang.Label { return xinfang.States },
	"warnings":    func() []xinfang.Label { return xinfang.Warnings },
	"idTypes":     func() []xinfang.Label { return xinfang.IDTypes },
	"risks":       func() []xinfang.Label { return xinfang.RiskLevels },
	"escalation":  func() []xinfang.Label { return xinfang.EscalationLevels },
	"outcomes":    func() []xinfang.Label { return xinfang.Outcomes },
	"unitKinds":   func() []xinfang.Label { return xinfang.UnitKinds },
	"roles":       func(u *xinfang.User) string { return u.RoleLabels() },
	"maskID":      xinfang.MaskIDNumber,
	"maskPhone":   xinfang.MaskPhone,
	"date":        fmtDate,
	"datetime":    fmtDateTime,
	"cnDate":      cnDate,
	"indent":      indentUnit,
	"warnClass": func(w xinfang.Warning) string {
		if w == "" {
			return "w-none"
		}
		return "w-" + string(w)
	},
	"add":        func(a, b int) int { return a + b },
	"pct100":     func(f float64) string { return strconv.FormatFloat(f*100, 'g', 6, 64) },
	"countLabel": xinfang.CountLabel,
	// observerForm gives the observers' form its action and its page.
	"observerForm": func(action string, v any) map[string]any { return map[string]any{"Action": action, "V": v} },
	"unitOpts": func(units []*xinfang.Unit, sel any, blank ...string) unitOptions {
		o := unitOptions{Units: units, Sel: fmt.Sprint(sel), Blank: "请选择"}
		if len(blank) > 0 {
			o.Blank = blank[0]
		}
		return o
	},
	"weekday": func(d calendar.Date) string { return weekdays[d.Weekday()] },
	"sel": func(a, b any) template.HTMLAttr {
		if fmt.Sprint(a) == fmt.Sprint(b) {
			return "selected"
		}
		return ""
	},
	"checked": func(v string) template.HTMLAttr {
		if v != "" {
			return "checked"
		}
		return ""
	},
	"statesJSON": func() string {
		var b strings.Builder
		b.WriteString("{")
		for i, l := range xinfang.States {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:%q", l.Code, l.Label)
		}
		b.WriteString("}")
		return b.String()
	},
}

var weekdays = [...]string{"日", "一", "二", "三", "四", "五", "六"}

// unitOptions is the argument of the "unitopts" template: the units of a
// select and the selected id.
type unitOptions struct {
	Units []*xinfang.Unit
	Sel   string
	Blank string // the label of the empty choice
}

// fmtDate formats an instant as its Shanghai date.
func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Location()).Format("2006-01-02")
}

// fmtDateTime formats an instant in Shanghai time.
func fmtDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Location()).Format("2006-01-02 15:04")
}

// cnDate writes a date the way official documents do: 2026年3月10日. It
// takes an instant or a "YYYY-MM-DD" string.
func cnDate(v any) string {
	var d calendar.Date
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		d = calendar.DateOf(x)
	case string:
		p, err := calendar.ParseDate(x)
		if err != nil {
			return x
		}
		d = p
	case calendar.Date:
		d = x
	default:
		return fmt.Sprint(v)
	}
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// indentUnit returns a unit's name indented by its depth in the tree, for
// selects; a deactivated unit says so (storage refuses it for new records).
func indentUnit(u *xinfang.Unit) string {
	depth := strings.Count(u.Path, "/") - 2
	if depth < 0 {
		depth = 0
	}
	name := strings.Repeat("　", depth) + u.Name
	if u.Disabled {
		name += "（已停用）"
	}
	return name
}

// localPath returns next if it is a path on this site, else "/". It keeps
// the login redirect from sending users to another site.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// unitIndex maps unit ids to units, for names in pages.
type unitIndex map[int64]*xinfang.Unit

func (s *Server) units(r *http.Request) ([]*xinfang.Unit, unitIndex, error) {
	list, err := s.Directory.FindUnits(r.Context())
	if err != nil {
		return nil, nil, err
	}
	idx := unitIndex{}
	for _, u := range list {
		idx[u.ID] = u
	}
	return list, idx, nil
}

// Name returns the name of unit id, or "".
func (ix unitIndex) Name(id int64) string {
	if u, ok := ix[id]; ok {
		return u.Name
	}
	return ""
}

// category is one top-level entry of 内容分类 with its second level.
type category struct {
	Code, Label string
	Children    []xinfang.DictEntry
}

// categories returns the two-level 内容分类 dictionary and a label map
// ("劳动社保 / 拖欠工资").
func (s *Server) categories(r *http.Request) ([]*category, map[string]string, error) {
	entries, err := s.Directory.Dictionary(r.Context(), xinfang.DictCategory)
	if err != nil {
		return nil, nil, err
	}
	var out []*category
	byCode := map[string]*category{}
	labels := map[string]string{}
	for _, e := range entries {
		if e.Parent == "" {
			c := &category{Code: e.Code, Label: e.Label}
			byCode[e.Code] = c
			labels[e.Code] = e.Label
			if e.Active {
				out = append(out, c)
			}
		}
	}
	for _, e := range entries {
		if e.Parent == "" {
			continue
		}
		if c, ok := byCode[e.Parent]; ok {
			labels[e.Code] = c.Label + " / " + e.Label
			if e.Active {
				c.Children = append(c.Children, e)
			}
		} else {
			labels[e.Code] = e.Label
		}
	}
	return out, labels, nil
}

// dict returns the active entries of a dictionary kind.
func (s *Server) dict(r *http.Request, kind xinfang.DictKind) ([]xinfang.DictEntry, error) {
	all, err := s.Directory.Dictionary(r.Context(), kind)
	if err != nil {
		return nil, err
	}
	out := all[:0:0]
	for _, e := range all {
		if e.Active {
			out = append(out, e)
		}
	}
	return out, nil
}

// formInt parses a form number; empty is 0.
func formInt(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// parseLocal parses a datetime-local ("2006-01-02T15:04") or a date as
// Shanghai time, whatever the server's zone.
func parseLocal(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, calendar.Location()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// pageURL is path with the list's filters q and page n, for pagination
// links; q is not changed.
func pageURL(path string, q url.Values, n int) string {
	out := url.Values{}
	for k, vs := range q {
		out[k] = vs
	}
	out.Set("page", strconv.Itoa(n))
	return path + "?" + out.Encode()
}

// formOutcome shows on a record's page the outcome of the form posted to
// it: the notice of the step it redirected after (?done=, by step), or
// the error of a form refused, with its fields.
func (b *base) formOutcome(r *http.Request, done map[string]string, ferr error) {
	b.Notice = done[r.URL.Query().Get("done")]
	if ferr != nil {
		b.Notice = ""
		b.Error, b.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
}
