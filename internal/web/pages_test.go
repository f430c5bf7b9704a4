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
	"strconv"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/app"
	"xinfang/internal/calendar"
	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
	"xinfang/internal/web"
)

// pageNow is the fixed clock of the page tests: a Tuesday, Shanghai time.
var pageNow = time.Date(2026, 3, 10, 10, 0, 0, 0, calendar.Location())

const pagePassword = "Xinfang#2026"

// pageApp is a server over a fresh SQLite database with a small city: a
// petition bureau and two towns, each with staff.
type pageApp struct {
	DB     *sqldb.DB
	Server *httptest.Server
	Units  map[string]*xinfang.Unit
	Users  map[string]*xinfang.User
}

func newPageApp(t testing.TB) *pageApp {
	t.Helper()
	db := sqldb.NewDB(filepath.Join(t.TempDir(), "xinfang.db"), keyring.Generate())
	db.Now = func() time.Time { return pageNow }
	if err := db.Open(); err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	a := &pageApp{DB: db, Units: map[string]*xinfang.Unit{}, Users: map[string]*xinfang.User{}}
	ctx := context.Background()
	city := &xinfang.Unit{Code: "CITY", Name: "示范市", Kind: xinfang.UnitCity}
	pageUnit(t, db, city)
	a.Units["city"] = city
	for _, u := range []struct {
		key, code, name string
		kind            xinfang.UnitKind
	}{
		{"bureau", "XFJ", "示范市信访局", xinfang.UnitBureau},
		{"townA", "TA", "东城镇", xinfang.UnitTown},
		{"townB", "TB", "西城镇", xinfang.UnitTown},
	} {
		unit := &xinfang.Unit{Code: u.code, Name: u.name, Kind: u.kind, ParentID: city.ID}
		pageUnit(t, db, unit)
		a.Units[u.key] = unit
	}
	for _, u := range []struct {
		username, name, unit string
		roles                []xinfang.Role
		mustChange           bool
	}{
		{"bureau_reg", "王登记", "bureau", []xinfang.Role{xinfang.RoleRegistrar}, false},
		{"a_staff", "李承办", "townA", []xinfang.Role{xinfang.RoleRegistrar, xinfang.RoleHandler}, false},
		{"b_staff", "赵承办", "townB", []xinfang.Role{xinfang.RoleRegistrar, xinfang.RoleHandler}, false},
		{"a_new", "钱新人", "townA", []xinfang.Role{xinfang.RoleHandler}, true},
		{"admin", "孙管理", "city", []xinfang.Role{xinfang.RoleAdmin}, false},
	} {
		user := &xinfang.User{Username: u.username, Name: u.name, UnitID: a.Units[u.unit].ID, Roles: u.roles, MustChangePassword: u.mustChange}
		if err := db.Directory.CreateUser(ctx, user, pagePassword); err != nil {
			t.Fatalf("create user %s: %v", u.username, err)
		}
		full, err := db.Directory.FindUserByID(ctx, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.Users[u.username] = full
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a.Server = httptest.NewServer(web.NewServer(app.WebStores(db), logger))
	t.Cleanup(a.Server.Close)
	return a
}

func pageUnit(t testing.TB, db *sqldb.DB, u *xinfang.Unit) {
	t.Helper()
	if err := db.Directory.CreateUnit(context.Background(), u); err != nil {
		t.Fatalf("create unit %s: %v", u.Code, err)
	}
}

// validIDNumber returns a valid 居民身份证号码 for the 17 first digits.
func validIDNumber(first17 string) string {
	return first17 + string(xinfang.IDNumberCheckChar(first17))
}

// seedPetition registers a petition directly in storage as username.
func (a *pageApp) seedPetition(t testing.TB, username, name, id, summary string) *xinfang.Petition {
	t.Helper()
	u := a.Users[username]
	ctx := xinfang.NewContextWithUser(context.Background(), u)
	p := &xinfang.Petition{
		Channel: "visit", ReceivedAt: pageNow.Add(-48 * time.Hour), Summary: summary, Content: summary + "，请求处理。",
		Category: "0501", Purpose: "claim", LocalityID: u.UnitID,
		Petitioner: &xinfang.Petitioner{Name: name, IDType: "id_card", IDNumber: id, Phone: "13800138000"},
	}
	if err := a.DB.Petitions.RegisterPetition(ctx, p); err != nil {
		t.Fatalf("seed petition: %v", err)
	}
	return p
}

// client is a browser without JavaScript: a cookie jar and no automatic
// redirects, so that tests see every 303.
type pageClient struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func (a *pageApp) client(t testing.TB) *pageClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &pageClient{t: t, base: a.Server.URL, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type pageResp struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (c *pageClient) do(req *http.Request) pageResp {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return pageResp{Status: resp.StatusCode, Body: string(b), Location: resp.Header.Get("Location"), Header: resp.Header}
}

func (c *pageClient) get(path string) pageResp {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

func (c *pageClient) post(path string, form url.Values) pageResp {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var pageCSRFRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf reads the CSRF token from a page, as a form would carry it.
func (c *pageClient) csrf() string {
	c.t.Helper()
	p := c.get("/")
	m := pageCSRFRE.FindStringSubmatch(p.Body)
	if m == nil {
		c.t.Fatalf("no csrf token on the home page (status %d)", p.Status)
	}
	return m[1]
}

func (c *pageClient) login(username string) {
	c.t.Helper()
	p := c.post("/login", url.Values{"username": {username}, "password": {pagePassword}})
	if p.Status != http.StatusSeeOther || p.Location != "/" {
		c.t.Fatalf("login %s: status %d location %q, want 303 to /", username, p.Status, p.Location)
	}
}

func wantPageStatus(t testing.TB, p pageResp, status int, what string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d; body:\n%s", what, p.Status, status, pageExcerpt(p.Body))
	}
}

func wantPageContains(t testing.TB, p pageResp, what string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s: page lacks %q; body:\n%s", what, s, pageExcerpt(p.Body))
		}
	}
}

func pageExcerpt(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

// registrationForm is a complete registration as a registrar types it.
func registrationForm(csrf, id string, locality int64) url.Values {
	return url.Values{
		"csrf_token": {csrf}, "channel": {"visit"}, "received_at": {"2026-03-10T09:30"},
		"petitioner.name": {"张建国"}, "petitioner.id_type": {"id_card"}, "petitioner.id_number": {id},
		"petitioner.phone": {"13912345678"}, "petitioner.address": {"东城镇幸福村 3 组 12 号"},
		"person_count": {"1"}, "summary": {"反映拖欠工资问题"}, "content": {"某建筑公司拖欠本人 2025 年工资 3 万元。"},
		"request": {"要求支付工资"}, "category": {"0501"}, "purpose": {"claim"}, "reason": {"05"},
		"urgent": {"1"}, "escalation": {""}, "risk_level": {"low"}, "locality_id": {strconv.FormatInt(locality, 10)},
	}
}

func TestUnauthenticatedPagesRedirectToLogin(t *testing.T) {
	a := newPageApp(t)
	c := a.client(t)
	for _, path := range []string{"/", "/petitions", "/petitions/new", "/petitions/1", "/petitions/1/print/accept", "/deadline", "/admin/holidays"} {
		t.Run(path, func(t *testing.T) {
			p := c.get(path)
			want := "/login?next=" + url.QueryEscape(path)
			if p.Status != http.StatusSeeOther || p.Location != want {
				t.Fatalf("GET %s: status %d location %q, want 303 to %q", path, p.Status, p.Location, want)
			}
		})
	}
	t.Run("login page", func(t *testing.T) {
		p := c.get("/login?next=%2Fpetitions")
		wantPageStatus(t, p, http.StatusOK, "login page")
		wantPageContains(t, p, "login page", `name="next" value="/petitions"`, `name="username"`)
	})
}

func TestLoginPage(t *testing.T) {
	a := newPageApp(t)
	tests := []struct {
		name     string
		username string
		password string
		next     string
		status   int
		location string
		message  string
	}{
		{"wrong password", "a_staff", "wrong-Passw0rd", "", http.StatusUnauthorized, "", "用户名或密码错误"},
		{"unknown user", "nobody", pagePassword, "", http.StatusUnauthorized, "", "用户名或密码错误"},
		{"local next", "a_staff", pagePassword, "/petitions?state=handling", http.StatusSeeOther, "/petitions?state=handling", ""},
		{"foreign next", "a_staff", pagePassword, "//evil.example/x", http.StatusSeeOther, "/", ""},
		{"absolute next", "a_staff", pagePassword, "https://evil.example/", http.StatusSeeOther, "/", ""},
		{"must change password", "a_new", pagePassword, "/petitions", http.StatusSeeOther, "/password?next=%2Fpetitions", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.client(t)
			p := c.post("/login", url.Values{"username": {tt.username}, "password": {tt.password}, "next": {tt.next}})
			if p.Status != tt.status || p.Location != tt.location {
				t.Fatalf("status %d location %q, want %d %q", p.Status, p.Location, tt.status, tt.location)
			}
			if tt.message != "" {
				wantPageContains(t, p, "login form", tt.message, `value="`+tt.username+`"`)
			}
		})
	}
}

func TestForcedPasswordChange(t *testing.T) {
	a := newPageApp(t)
	c := a.client(t)
	c.post("/login", url.Values{"username": {"a_new"}, "password": {pagePassword}})
	p := c.get("/petitions")
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/password") {
		t.Fatalf("a user who must change the password got %d %q, want a redirect to /password", p.Status, p.Location)
	}
	form := c.get("/password")
	wantPageContains(t, form, "password page", "须先修改密码")
	token := pageCSRFRE.FindStringSubmatch(form.Body)[1]

	bad := c.post("/password", url.Values{"csrf_token": {token}, "old_password": {pagePassword}, "password": {"short"}, "password_confirm": {"short"}})
	wantPageStatus(t, bad, http.StatusUnprocessableEntity, "weak password")
	wantPageContains(t, bad, "weak password", "密码至少 8 位")

	mismatch := c.post("/password", url.Values{"csrf_token": {token}, "old_password": {pagePassword}, "password": {"Neu#Passw0rd"}, "password_confirm": {"Other#Passw0rd"}})
	wantPageStatus(t, mismatch, http.StatusUnprocessableEntity, "mismatch")
	wantPageContains(t, mismatch, "mismatch", "两次输入的新密码不一致")

	ok := c.post("/password", url.Values{"csrf_token": {token}, "old_password": {pagePassword}, "password": {"Neu#Passw0rd"}, "password_confirm": {"Neu#Passw0rd"}, "next": {"/petitions"}})
	if ok.Status != http.StatusSeeOther || ok.Location != "/petitions" {
		t.Fatalf("change password: %d %q", ok.Status, ok.Location)
	}
	wantPageStatus(t, c.get("/petitions"), http.StatusOK, "ledger after the change")
}

// TestRegisterAcceptPrint walks the whole staff path through the forms:
// register (first with a bad 身份证号), find in the ledger, open, accept,
// print the 受理告知书.
func TestRegisterAcceptPrint(t *testing.T) {
	a := newPageApp(t)
	c := a.client(t)
	c.login("a_staff")
	token := c.csrf()
	townA := a.Units["townA"].ID
	good := validIDNumber("11010519800101123")
	badID := good[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", good[17])+1)%11])

	form := c.get("/petitions/new")
	wantPageStatus(t, form, http.StatusOK, "registration form")
	wantPageContains(t, form, "registration form", `name="petitioner.id_number"`, `<optgroup label="劳动社保">`, `value="`+strconv.FormatInt(a.Units["townA"].ID, 10)+`" selected`)

	t.Run("bad ID number re-renders the form", func(t *testing.T) {
		p := c.post("/petitions", registrationForm(token, badID, townA))
		wantPageStatus(t, p, http.StatusUnprocessableEntity, "bad id")
		wantPageContains(t, p, "bad id",
			`<label class="f wide bad"><span>证件号码</span>`, // the field is marked
			"请核对身份证号",                                     // and named
			`value="`+badID+`"`, `value="反映拖欠工资问题"`,       // values kept
			`<option value="0501" selected>`)
		if n := strings.Count(p.Body, `class="ferr"`); n != 1 {
			t.Errorf("%d field messages, want 1 (only the ID number): %q", n, regexp.MustCompile(`class="ferr">[^<]*`).FindAllString(p.Body, -1))
		}
	})

	t.Run("missing fields are each named", func(t *testing.T) {
		f := registrationForm(token, good, townA)
		f.Del("summary")
		f.Set("category", "")
		f.Set("person_count", "x")
		p := c.post("/petitions", f)
		wantPageStatus(t, p, http.StatusUnprocessableEntity, "missing fields")
		wantPageContains(t, p, "missing fields", "概况不能为空", "请选择内容分类", "须为非负整数")
	})

	t.Run("without the CSRF token", func(t *testing.T) {
		f := registrationForm("", good, townA)
		f.Del("csrf_token")
		wantPageStatus(t, c.post("/petitions", f), http.StatusForbidden, "no csrf")
	})

	// Post/Redirect/Get: the post sends the browser on to the page that
	// shows the number and, the first time only, the 查询码; the form's
	// idempotency key makes a second post of it (F5 on the post, a double
	// click) land on the same item.
	regForm := registrationForm(token, good, townA)
	regForm.Set("idempotency_key", "form-key-1")
	posted := c.post("/petitions", regForm)
	if posted.Status != http.StatusSeeOther || !regexp.MustCompile(`^/petitions/\d+/created$`).MatchString(posted.Location) {
		t.Fatalf("register: %d to %q, want 303 to the created page", posted.Status, posted.Location)
	}
	p := c.get(posted.Location)
	wantPageStatus(t, p, http.StatusOK, "register")
	if again := c.post("/petitions", regForm); again.Status != http.StatusSeeOther || again.Location != posted.Location {
		t.Errorf("the same form posted again: %d to %q, want the first item's page %q", again.Status, again.Location, posted.Location)
	}
	if reload := c.get(posted.Location); !strings.Contains(reload.Body, `id="query-code-shown"`) || strings.Contains(reload.Body, "查询码只在此显示一次") {
		t.Errorf("the created page shows the 查询码 again when reloaded:\n%s", pageExcerpt(reload.Body))
	}
	number := regexp.MustCompile(`id="created-number">([^<]+)<`).FindStringSubmatch(p.Body)
	code := regexp.MustCompile(`id="query-code">([^<]+)<`).FindStringSubmatch(p.Body)
	link := regexp.MustCompile(`href="/petitions/(\d+)" id="open-created"`).FindStringSubmatch(p.Body)
	if number == nil || code == nil || link == nil {
		t.Fatalf("success page lacks number, 查询码 or link:\n%s", pageExcerpt(p.Body))
	}
	if !strings.HasPrefix(number[1], "TA-2026-") || len(code[1]) != 19 {
		t.Errorf("number %q, 查询码 %q", number[1], code[1])
	}
	id := link[1]

	t.Run("home lists it as 待受理", func(t *testing.T) {
		home := c.get("/")
		wantPageStatus(t, home, http.StatusOK, "home")
		if n := homeCardCount(t, home, "accept"); n != 1 {
			t.Errorf("待受理 %d, want 1", n)
		}
		wantPageContains(t, home, "home", "李承办", "东城镇", ">退出<", number[1])
	})

	t.Run("ledger finds it by number", func(t *testing.T) {
		l := c.get("/petitions?q=" + url.QueryEscape(number[1]))
		wantPageStatus(t, l, http.StatusOK, "ledger")
		wantPageContains(t, l, "ledger", `<strong id="ledger-total">1</strong>`, `href="/petitions/`+id+`">`+number[1]+`<`, "张建国", "东城镇", "登记")
		none := c.get("/petitions?q=" + url.QueryEscape("不存在的内容"))
		wantPageContains(t, none, "ledger", `<strong id="ledger-total">0</strong>`)
		bad := c.get("/petitions?from=2026-13-01")
		wantPageContains(t, bad, "bad date filter", "不存在")
	})

	t.Run("petition page masks personal data", func(t *testing.T) {
		d := c.get("/petitions/" + id)
		wantPageStatus(t, d, http.StatusOK, "petition page")
		wantPageContains(t, d, "petition page", number[1], xinfang.MaskIDNumber(good), xinfang.MaskPhone("13912345678"),
			`action="/petitions/`+id+`/actions/accept"`, `name="version" value="1"`, "重大紧急", "劳动社保 / 拖欠工资")
		if strings.Contains(d.Body, good) || strings.Contains(d.Body, "13912345678") {
			t.Error("petition page shows the full ID number or phone")
		}
	})

	t.Run("an action without its data comes back with the message", func(t *testing.T) {
		r := c.post("/petitions/"+id+"/actions/not_accept", url.Values{"csrf_token": {token}, "version": {"1"}})
		wantPageStatus(t, r, http.StatusUnprocessableEntity, "not_accept without reason")
		wantPageContains(t, r, "not_accept without reason", "请填写理由", `id="act-not_accept" open`)
	})

	t.Run("a stale version is a conflict", func(t *testing.T) {
		r := c.post("/petitions/"+id+"/actions/accept", url.Values{"csrf_token": {token}, "version": {"0"}})
		wantPageStatus(t, r, http.StatusConflict, "stale accept")
		wantPageContains(t, r, "stale accept", "已被他人修改")
	})

	t.Run("no document before its event", func(t *testing.T) {
		wantPageStatus(t, c.get("/petitions/"+id+"/print/accept"), http.StatusNotFound, "accept notice before acceptance")
	})

	r := c.post("/petitions/"+id+"/actions/accept", url.Values{"csrf_token": {token}, "version": {"1"}, "note": {"当场受理"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/petitions/"+id+"?done=accept") {
		t.Fatalf("accept: %d %q\n%s", r.Status, r.Location, pageExcerpt(r.Body))
	}
	d := c.get(r.Location)
	wantPageContains(t, d, "accepted petition", `<span class="state st-handling">办理中</span>`, "已办理：受理", "当场受理", "办理期限", `id="print-accept"`)

	t.Run("home lists it as 待答复", func(t *testing.T) {
		home := c.get("/")
		if n := homeCardCount(t, home, "reply"); n != 1 {
			t.Errorf("待答复 %d, want 1", n)
		}
		if n := homeCardCount(t, home, "accept"); n != 0 {
			t.Errorf("待受理 %d, want 0", n)
		}
	})

	t.Run("受理告知书", func(t *testing.T) {
		doc := c.get("/petitions/" + id + "/print/accept")
		wantPageStatus(t, doc, http.StatusOK, "accept notice")
		due := ""
		for _, cl := range loadPetition(t, a, "a_staff", id).Clocks {
			if cl.Kind == xinfang.ClockHandling {
				due = cl.Due.String()
			}
		}
		dd := calendar.MustParseDate(due)
		wantPageContains(t, doc, "accept notice", `<div class="ln title">受理告知书</div>`, "编号："+number[1], "张建国：", "document.css", `id="page-1"`)
		wantDocText(t, doc, "accept notice", "你于2026年3月10日反映的“反映拖欠工资问题”问题，本机关已于2026年3月10日受理",
			"60日内（即"+strconv.Itoa(dd.Year)+"年"+strconv.Itoa(int(dd.Month))+"月"+strconv.Itoa(dd.Day)+"日前）", "东城镇")
		wantPageStatus(t, c.get("/petitions/"+id+"/print/opinion"), http.StatusNotFound, "opinion before reply")
		wantPageStatus(t, c.get("/petitions/"+id+"/print/other"), http.StatusNotFound, "unknown document")
	})

	t.Run("another town cannot see it", func(t *testing.T) {
		b := a.client(t)
		b.login("b_staff")
		for _, path := range []string{"/petitions/" + id, "/petitions/" + id + "/print/accept"} {
			p := b.get(path)
			wantPageStatus(t, p, http.StatusNotFound, "town B on "+path)
			wantPageContains(t, p, "town B", "信访件不存在或无权查看")
		}
		l := b.get("/petitions?q=" + url.QueryEscape(number[1]))
		wantPageContains(t, l, "town B ledger", `<strong id="ledger-total">0</strong>`)
		btoken := b.csrf()
		wantPageStatus(t, b.post("/petitions/"+id+"/actions/reply", url.Values{"csrf_token": {btoken}, "version": {"2"}}), http.StatusNotFound, "town B acting")
	})
	t.Run("信访处理意见书", func(t *testing.T) {
		r := c.post("/petitions/"+id+"/actions/reply", url.Values{"csrf_token": {token}, "version": {"2"},
			"outcome": {"support"}, "facts": {"经查，该公司确欠工资 3 万元。"}, "opinion": {"责令该公司于 30 日内支付。"}, "basis": {"《保障农民工工资支付条例》"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("reply: %d\n%s", r.Status, pageExcerpt(r.Body))
		}
		wantPageContains(t, c.get("/petitions/"+id), "replied", "已答复", `id="print-opinion"`, "经查，该公司确欠工资 3 万元。", "处理结果", "支持")
		doc := c.get("/petitions/" + id + "/print/opinion")
		wantPageStatus(t, doc, http.StatusOK, "opinion")
		wantDocText(t, doc, "opinion", "信访处理意见书", "一、信访请求", "要求支付工资", "二、查明事实", "经查，该公司确欠工资 3 万元。",
			"三、处理意见", "责令该公司于 30 日内支付。", "处理结果：支持", "四、依据", "《保障农民工工资支付条例》",
			"如你对本处理意见不服，可以自收到本意见书之日起30日内向示范市请求复查")
	})
}

func loadPetition(t testing.TB, a *pageApp, username, id string) *xinfang.Petition {
	t.Helper()
	n, _ := strconv.ParseInt(id, 10, 64)
	p, err := a.DB.Petitions.FindPetitionByID(xinfang.NewContextWithUser(context.Background(), a.Users[username]), n)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var homeCardRE = regexp.MustCompile(`id="card-(\w+)">\s*<span class="card-label">[^<]*</span>\s*<span class="card-count">(\d+)</span>`)

func homeCardCount(t testing.TB, p pageResp, key string) int {
	t.Helper()
	n, ok := homeCards(p)[key]
	if !ok {
		t.Fatalf("no card %q on the home page:\n%s", key, pageExcerpt(p.Body))
	}
	return n
}

// homeCards returns the count of every card on the home page by its key.
func homeCards(p pageResp) map[string]int {
	out := map[string]int{}
	for _, m := range homeCardRE.FindAllStringSubmatch(p.Body, -1) {
		out[m[1]], _ = strconv.Atoi(m[2])
	}
	return out
}

// TestTransferAndSign: the bureau transfers an item to town A, which sees
// it as 待签收, signs for it and then has it as 待受理.
func TestTransferAndSign(t *testing.T) {
	a := newPageApp(t)
	p := a.seedPetition(t, "bureau_reg", "陈某", validIDNumber("32010219700505333"), "反映征地补偿问题")
	id := strconv.FormatInt(p.ID, 10)
	bureau := a.client(t)
	bureau.login("bureau_reg")
	tok := bureau.csrf()
	page := bureau.get("/petitions/" + id)
	wantPageContains(t, page, "bureau petition page", `action="/petitions/`+id+`/actions/transfer"`, "承办单位 *")
	r := bureau.post("/petitions/"+id+"/actions/transfer", url.Values{"csrf_token": {tok}, "version": {"1"}, "unit_id": {strconv.FormatInt(a.Units["townA"].ID, 10)}})
	wantPageStatus(t, r, http.StatusSeeOther, "transfer")
	after := bureau.get("/petitions/" + id)
	wantPageContains(t, after, "transferred", "待签收", "承办单位", "东城镇", "转送")

	town := a.client(t)
	town.login("a_staff")
	if n := homeCardCount(t, town.get("/"), "sign"); n != 1 {
		t.Fatalf("待签收 %d, want 1", n)
	}
	list := town.get("/petitions?todo=sign")
	wantPageContains(t, list, "todo list", "待签收", `href="/petitions/`+id+`"`)
	ttok := town.csrf()
	wantPageStatus(t, town.post("/petitions/"+id+"/actions/sign", url.Values{"csrf_token": {ttok}, "version": {"2"}}), http.StatusSeeOther, "sign")
	home := town.get("/")
	if n := homeCardCount(t, home, "sign"); n != 0 {
		t.Errorf("待签收 after signing %d, want 0", n)
	}
	if n := homeCardCount(t, home, "accept"); n != 1 {
		t.Errorf("待受理 after signing %d, want 1", n)
	}
	// A registrar does not accept (the procedure gives that to handlers
	// and unit heads): the bureau's registrar has no 待受理 at all, and
	// the bureau's head does not find there an item the bureau sent away.
	if _, ok := homeCards(bureau.get("/"))["accept"]; ok {
		t.Error("a registrar has a 待受理 list")
	}
	head := &xinfang.User{Username: "bureau_head", Name: "周局长", UnitID: a.Units["bureau"].ID, Roles: []xinfang.Role{xinfang.RoleUnitHead}}
	if err := a.DB.Directory.CreateUser(context.Background(), head, pagePassword); err != nil {
		t.Fatal(err)
	}
	hc := a.client(t)
	hc.login("bureau_head")
	if n := homeCardCount(t, hc.get("/"), "accept"); n != 0 {
		t.Errorf("bureau 待受理 %d, want 0", n)
	}
}

func TestNotAcceptNotice(t *testing.T) {
	a := newPageApp(t)
	p := a.seedPetition(t, "a_staff", "周某", validIDNumber("44030419850707456"), "要求撤销已生效判决")
	id := strconv.FormatInt(p.ID, 10)
	c := a.client(t)
	c.login("a_staff")
	tok := c.csrf()
	r := c.post("/petitions/"+id+"/actions/not_accept", url.Values{"csrf_token": {tok}, "version": {"1"}, "ground": {"legal_route"}, "reason": {"该诉求属于人民法院生效裁判，应通过再审程序解决"}})
	wantPageStatus(t, r, http.StatusSeeOther, "not_accept")
	page := c.get("/petitions/" + id)
	wantPageContains(t, page, "not accepted", "不予受理", `id="print-reject"`, "该诉求属于人民法院生效裁判")
	doc := c.get("/petitions/" + id + "/print/reject")
	wantPageStatus(t, doc, http.StatusOK, "reject notice")
	// The letter states the chosen ground with its one article; the
	// staff's reason stays an internal note.
	wantDocText(t, doc, "reject notice", "不予受理告知书", "周某：", "要求撤销已生效判决", "经审查，该事项依法应当通过诉讼、仲裁、行政复议等法定途径解决。根据《信访工作条例》第三十二条的规定，本机关决定不予受理。", "东城镇")
	if strings.Contains(doc.Body, "人民法院生效裁判") {
		t.Error("the staff reason is pasted into the 不予受理告知书")
	}
	wantPageStatus(t, c.get("/petitions/"+id+"/print/accept"), http.StatusNotFound, "accept notice of a rejected item")
}

func TestDeadlinePage(t *testing.T) {
	a := newPageApp(t)
	c := a.client(t)
	c.login("a_staff")
	start, _ := time.ParseInLocation("2006-01-02T15:04", "2026-09-25T10:00", calendar.Location())
	want, err := a.DB.Procedure(context.Background()).Calculate(xinfang.ClockDisposal, start, 0, calendar.DateOf(a.DB.Now()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, query string
		status      int
		contains    []string
	}{
		{"form", "", http.StatusOK, []string{`id="deadline-form"`, `value="handling" selected`}},
		{"disposal over National Day", "?clock=disposal&start=2026-09-25T10:00&extra=", http.StatusOK, []string{`id="due">` + want.Due.String() + `<`, want.Why[len(want.Why)-1]}},
		{"date only", "?clock=handling&start=2026-03-10", http.StatusOK, []string{`id="deadline-result"`, "办理期限"}},
		{"bad start", "?clock=handling&start=tomorrow", http.StatusUnprocessableEntity, []string{"起算时间格式错误"}},
		{"bad clock", "?clock=nope&start=2026-03-10", http.StatusUnprocessableEntity, []string{"未知的期限种类"}},
		{"bad extra", "?clock=handling&start=2026-03-10&extra=400", http.StatusUnprocessableEntity, []string{"附加天数须在 0–366 之间"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := c.get("/deadline" + tt.query)
			wantPageStatus(t, p, tt.status, tt.name)
			wantPageContains(t, p, tt.name, tt.contains...)
		})
	}
}

func TestStaticAssetsAndHeaders(t *testing.T) {
	a := newPageApp(t)
	c := a.client(t)
	login := c.get("/login")
	m := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(login.Body)
	if m == nil {
		t.Fatalf("no hashed stylesheet link:\n%s", login.Body)
	}
	css := c.get(m[1])
	wantPageStatus(t, css, http.StatusOK, "css")
	if cc := css.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Errorf("hashed asset Cache-Control %q", cc)
	}
	if ct := css.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("css Content-Type %q", ct)
	}
	if cc := c.get("/static/app.css?v=old").Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("an outdated version is cached for a year: %q", cc)
	}
	wantPageStatus(t, c.get("/static/nothing.js"), http.StatusNotFound, "unknown asset")
	c.login("a_staff")
	for _, path := range []string{"/", "/petitions", "/petitions/new", "/deadline", "/nowhere", "/dashboard", "/indicators"} {
		p := c.get(path)
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(p.Body) || strings.Contains(p.Body, " style=") || strings.Contains(p.Body, "<style") {
			t.Errorf("%s has inline script or style", path)
		}
		if strings.Contains(p.Body, "ZgotmplZ") {
			t.Errorf("%s: html/template refused a value (ZgotmplZ)", path)
		}
		if p.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, p.Header.Get("Cache-Control"))
		}
	}
	nf := c.get("/nowhere")
	wantPageStatus(t, nf, http.StatusNotFound, "unknown page")
	wantPageContains(t, nf, "unknown page", "页面不存在", "李承办")
}

func TestLogout(t *testing.T) {
	a := newPageApp(t)
	c := a.client(t)
	c.login("a_staff")
	tok := c.csrf()
	wantPageStatus(t, c.post("/logout", url.Values{}), http.StatusForbidden, "logout without csrf")
	r := c.post("/logout", url.Values{"csrf_token": {tok}})
	if r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("logout: %d %q", r.Status, r.Location)
	}
	if p := c.get("/"); p.Status != http.StatusSeeOther {
		t.Fatalf("after logout GET / = %d, want a redirect to login", p.Status)
	}
}

func TestAdminHolidays(t *testing.T) {
	a := newPageApp(t)
	staff := a.client(t)
	staff.login("a_staff")
	wantPageStatus(t, staff.get("/admin/holidays"), http.StatusForbidden, "staff on admin page")

	c := a.client(t)
	c.login("admin")
	p := c.get("/admin/holidays?year=2026")
	wantPageStatus(t, p, http.StatusOK, "holidays")
	wantPageContains(t, p, "holidays", "国庆节")
	tok := c.csrf()
	bad := c.post("/admin/holidays", url.Values{"csrf_token": {tok}, "date": {"2026-02-30"}, "kind": {"holiday"}, "name": {"x"}})
	wantPageStatus(t, bad, http.StatusUnprocessableEntity, "bad date")
	r := c.post("/admin/holidays", url.Values{"csrf_token": {tok}, "date": {"2026-06-01"}, "kind": {"holiday"}, "name": {"儿童节（示例）"}})
	wantPageStatus(t, r, http.StatusSeeOther, "save holiday")
	wantPageContains(t, c.get(r.Location), "saved holiday", "2026-06-01", "儿童节（示例）")

	d := c.post("/admin/dictionary", url.Values{"csrf_token": {tok}, "kind": {"reason"}, "code": {"09"}, "label": {"新的原因"}, "sort": {"9"}, "active": {"1"}})
	wantPageStatus(t, d, http.StatusSeeOther, "save dictionary entry")
	wantPageContains(t, c.get(d.Location), "dictionary", "新的原因")
}

// TestRegisterFormLocality: the form's 问题属地 starts at a town
// registrar's own town, and at nothing for the bureau's registrar, who
// takes in matters of every place.
func TestRegisterFormLocality(t *testing.T) {
	a := newPageApp(t)
	for user, want := range map[string]string{"a_staff": strconv.FormatInt(a.Units["townA"].ID, 10), "bureau_reg": ""} {
		c := a.client(t)
		c.login(user)
		form := c.get("/petitions/new")
		sel := regexp.MustCompile(`(?s)<select name="locality_id".*?</select>`).FindString(form.Body)
		got := regexp.MustCompile(`<option value="(\d*)" selected`).FindStringSubmatch(sel)
		switch {
		case want == "" && got != nil:
			t.Errorf("%s: 问题属地 preselected %s, want none", user, got[1])
		case want != "" && (got == nil || got[1] != want):
			t.Errorf("%s: 问题属地 preselected %v, want %s", user, got, want)
		}
	}
}
