package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/app"
	"xinfang/internal/calendar"
	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
	"xinfang/internal/web"
)

// testPassword satisfies the password rule; every test account uses it.
const testPassword = "Passw0rd!x"

// apiEnv is a server over a fresh SQLite database with a fake clock and a
// small unit tree:
//
//	XC 市 ── XFJ 信访局
//	     ├── JW  纪委监委
//	     ├── ZA  甲镇
//	     └── ZB  乙镇
type apiEnv struct {
	DB    *sqldb.DB
	Web   *web.Server // to configure before the first request
	URL   string
	Units map[string]*xinfang.Unit

	mu    sync.Mutex
	now   time.Time
	epoch int // bumped when the clock jumps past the idle timeout
}

func newAPIEnv(t *testing.T, start string) *apiEnv {
	t.Helper()
	return newAPIEnvOn(t, openTestDB(t), start)
}

// openTestDB opens a fresh SQLite database, closed when the test ends.
func openTestDB(t *testing.T) *sqldb.DB {
	t.Helper()
	db := sqldb.NewDB(filepath.Join(t.TempDir(), "xinfang.db"), keyring.Generate())
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newAPIEnvOn serves db, whose clock reads the environment's, with the
// units every API test starts from.
func newAPIEnvOn(t *testing.T, db *sqldb.DB, start string) *apiEnv {
	t.Helper()
	return newAPIEnvWith(t, db, start, nil)
}

// newAPIEnvWith is newAPIEnvOn with the server's stores changed by wrap
// (nil leaves them), for a test that watches how the server uses them.
func newAPIEnvWith(t *testing.T, db *sqldb.DB, start string, wrap func(*web.Stores)) *apiEnv {
	t.Helper()
	e := &apiEnv{DB: db, Units: map[string]*xinfang.Unit{}, now: shanghai(t, start)}
	db.Now = func() time.Time {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.now
	}
	stores := app.WebStores(db)
	if wrap != nil {
		wrap(&stores)
	}
	e.Web = web.NewServer(stores, nil)
	srv := httptest.NewServer(e.Web)
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	city := e.unit(t, "XC", "某市", xinfang.UnitCity, nil)
	e.unit(t, "XFJ", "市信访局", xinfang.UnitBureau, city)
	e.unit(t, "JW", "市纪委监委", xinfang.UnitDiscipline, city)
	e.unit(t, "ZA", "甲镇", xinfang.UnitTown, city)
	e.unit(t, "ZB", "乙镇", xinfang.UnitTown, city)
	return e
}

func (e *apiEnv) unit(t *testing.T, code, name string, kind xinfang.UnitKind, parent *xinfang.Unit) *xinfang.Unit {
	t.Helper()
	u := &xinfang.Unit{Code: code, Name: name, Kind: kind}
	if parent != nil {
		u.ParentID = parent.ID
	}
	if err := e.DB.Directory.CreateUnit(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	e.Units[code] = u
	return u
}

// shanghai parses "2006-01-02T15:04" as Beijing time.
func shanghai(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.Location())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// setNow moves the fake clock. A jump longer than the idle timeout ends
// every session, so clients sign in again on their next call.
func (e *apiEnv) setNow(t *testing.T, s string) {
	t.Helper()
	v := shanghai(t, s)
	e.mu.Lock()
	defer e.mu.Unlock()
	if v.Before(e.now) {
		t.Fatalf("clock moved back from %s to %s", e.now, v)
	}
	if v.Sub(e.now) >= sqldb.IdleTimeout {
		e.epoch++
	}
	e.now = v
}

func (e *apiEnv) currentEpoch() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.epoch
}

// user creates an account at the unit with code and returns a client for
// it, not yet signed in.
func (e *apiEnv) user(t *testing.T, username, unit string, roles ...xinfang.Role) *apiClient {
	t.Helper()
	u := &xinfang.User{Username: username, Name: username, UnitID: e.Units[unit].ID, Roles: roles}
	if err := e.DB.Directory.CreateUser(context.Background(), u, testPassword); err != nil {
		t.Fatal(err)
	}
	return &apiClient{env: e, Username: username, Password: testPassword, ID: u.ID, epoch: -1}
}

// apiClient is one API user with its own session.
type apiClient struct {
	env      *apiEnv
	Username string
	Password string
	ID       int64

	token string // session cookie
	CSRF  string
	epoch int
	// noFollow returns redirects instead of following them, to see where
	// a page sends the browser.
	noFollow bool
}

var noFollowClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// apiResp is a reply read in full.
type apiResp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *apiResp) String() string { return strconv.Itoa(r.Status) + " " + string(r.Body) }

// decode reads the JSON body into v.
func (r *apiResp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

// apiError is the error body of every API error.
type apiError = web.ErrorBody

// send makes one request with the client's session, if any; body is sent
// as is when it is a string, else as JSON. csrf sends the X-CSRF-Token.
func (c *apiClient) send(t *testing.T, method, path string, body any, csrf bool) *apiResp {
	t.Helper()
	r, err := c.sendE(method, path, body, csrf)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sendE is send for goroutines, which may not end the test.
func (c *apiClient) sendE(method, path string, body any, csrf bool) (*apiResp, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.env.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.AddCookie(&http.Cookie{Name: "xf_session", Value: c.token})
	}
	if csrf && c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	hc := http.DefaultClient
	if c.noFollow {
		hc = noFollowClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	buf, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &apiResp{Status: res.StatusCode, Header: res.Header, Body: buf}, nil
}

// tryLogin posts the credentials and keeps the session on success.
func (c *apiClient) tryLogin(t *testing.T, password string) *apiResp {
	t.Helper()
	c.token, c.CSRF = "", ""
	r := c.send(t, "POST", "/api/v1/login", map[string]string{"username": c.Username, "password": password}, false)
	if r.Status == http.StatusOK {
		var s struct {
			User      xinfang.User `json:"user"`
			CSRFToken string       `json:"csrf_token"`
		}
		r.decode(t, &s)
		for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
			if ck.Name == "xf_session" {
				c.token = ck.Value
			}
		}
		if c.token == "" || s.CSRFToken == "" || s.User.Username != c.Username {
			t.Fatalf("login %s: no session in %s", c.Username, r)
		}
		c.CSRF, c.epoch = s.CSRFToken, c.env.currentEpoch()
	}
	return r
}

// do makes a request as the signed-in user, signing in first when the
// client has no live session.
func (c *apiClient) do(t *testing.T, method, path string, body any) *apiResp {
	t.Helper()
	if c.token == "" || c.epoch != c.env.currentEpoch() {
		if r := c.tryLogin(t, c.Password); r.Status != http.StatusOK {
			t.Fatalf("login %s: %s", c.Username, r)
		}
	}
	return c.send(t, method, path, body, true)
}

// ok makes a request that must answer want, and decodes the reply into out.
func (c *apiClient) ok(t *testing.T, want int, method, path string, body, out any) {
	t.Helper()
	r := c.do(t, method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s: want %d, got %s", method, path, want, r)
	}
	if out != nil {
		r.decode(t, out)
	}
}

// wantError asserts an error reply: status, the one JSON shape, and, when
// field is not empty, a message for that field.
func wantError(t *testing.T, r *apiResp, status int, field string) apiError {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want %d, got %s", status, r)
	}
	var e apiError
	r.decode(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error without code or message: %s", r)
	}
	if field != "" && e.Error.Fields[field] == "" {
		t.Fatalf("want a message for field %q, got %s", field, r)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error content type %q", ct)
	}
	return e
}

// petitionView is a petition as the API shows it.
type petitionView struct {
	xinfang.Petition
	AllowedActions []struct {
		Code   string `json:"code"`
		Label  string `json:"label"`
		Fields []struct {
			Name     string `json:"name"`
			Kind     string `json:"kind"`
			Required bool   `json:"required"`
		} `json:"fields"`
	} `json:"allowed_actions"`
}

func (p petitionView) path() string { return "/api/v1/petitions/" + strconv.FormatInt(p.ID, 10) }

// allows reports whether action is among the allowed actions.
func (p petitionView) allows(action xinfang.Action) bool {
	for _, a := range p.AllowedActions {
		if a.Code == string(action) {
			return true
		}
	}
	return false
}

// clock returns the clock of kind, failing the test when there is none.
func (p petitionView) clock(t *testing.T, kind xinfang.ClockKind) xinfang.Clock {
	t.Helper()
	for _, c := range p.Clocks {
		if c.Kind == kind {
			return c
		}
	}
	t.Fatalf("%s: no clock %s in %+v", p.Number, kind, p.Clocks)
	return xinfang.Clock{}
}

// registration returns a valid registration body; change fills in or
// replaces fields.
func registration(received string, locality int64, change map[string]any) map[string]any {
	b := map[string]any{
		"channel":     "visit",
		"received_at": received,
		"petitioner": map[string]any{
			"name": "张三", "id_number": "11010519491231002X", "phone": "13812345678", "address": "甲镇幸福村 3 组",
		},
		"summary":     "反映拖欠工资问题",
		"content":     "本人在甲镇某工地务工，工程完工后工资一直未结清。",
		"request":     "要求结清工资",
		"category":    "0501",
		"purpose":     "claim",
		"locality_id": locality,
	}
	for k, v := range change {
		b[k] = v
	}
	return b
}

// register posts a registration that must succeed.
func (c *apiClient) register(t *testing.T, body map[string]any) petitionView {
	t.Helper()
	var p petitionView
	c.ok(t, http.StatusCreated, "POST", "/api/v1/petitions", body, &p)
	return p
}

// act applies an action that must succeed, at the version of p.
func (c *apiClient) act(t *testing.T, p petitionView, action xinfang.Action, data map[string]any) petitionView {
	t.Helper()
	var out petitionView
	c.ok(t, http.StatusOK, "POST", p.path()+"/actions/"+string(action), map[string]any{"version": p.Version, "data": data}, &out)
	if out.Version != p.Version+1 {
		t.Fatalf("%s: version %d after %d", action, out.Version, p.Version)
	}
	return out
}

// get reads a petition that must be visible.
func (c *apiClient) get(t *testing.T, p petitionView) petitionView {
	t.Helper()
	var out petitionView
	c.ok(t, http.StatusOK, "GET", p.path(), nil, &out)
	return out
}

// eventCount returns the number of events of p as c sees them.
func (c *apiClient) eventCount(t *testing.T, p petitionView) int {
	t.Helper()
	var l struct{ Items []xinfang.Event }
	c.ok(t, http.StatusOK, "GET", p.path()+"/events", nil, &l)
	return len(l.Items)
}

// total returns the number of petitions c sees.
func (c *apiClient) total(t *testing.T) int {
	t.Helper()
	var pg struct{ Total int }
	c.ok(t, http.StatusOK, "GET", "/api/v1/petitions", nil, &pg)
	return pg.Total
}

// dues is the due date of every clock a petition reports.
type dues map[xinfang.ClockKind]string

// wantState asserts the state, the due date of the item and the due date
// of every clock it reports — no more, no fewer clocks.
func wantState(t *testing.T, p petitionView, state xinfang.State, due string, want dues) {
	t.Helper()
	if p.State != state {
		t.Errorf("%s: state %s, want %s", p.Number, p.State, state)
	}
	if p.DueDate.String() != due {
		t.Errorf("%s (%s): due_date %q, want %q", p.Number, state, p.DueDate, due)
	}
	got := dues{}
	for _, c := range p.Clocks {
		got[c.Kind] = c.Due.String()
	}
	if len(got) != len(want) {
		t.Errorf("%s (%s): clocks %v, want %v", p.Number, state, got, want)
	}
	for k, d := range want {
		if got[k] != d {
			t.Errorf("%s (%s): clock %s due %q, want %q", p.Number, state, k, got[k], d)
		}
	}
}

// queueCount returns the count of one workbench list and whether id is
// among its items.
func (c *apiClient) queue(t *testing.T, name string, id int64) (int, bool) {
	t.Helper()
	var wb map[string]struct {
		Count int
		Items []xinfang.Petition
	}
	c.ok(t, http.StatusOK, "GET", "/api/v1/workbench", nil, &wb)
	q, ok := wb[name]
	if !ok {
		t.Fatalf("workbench has no list %q", name)
	}
	for _, p := range q.Items {
		if p.ID == id {
			return q.Count, true
		}
	}
	return q.Count, false
}

// page requests a page with c's session (signing in first if needed) and
// does not follow redirects; a form is posted as the browser would, with
// the CSRF token in it. It returns the status, the Location and the body.
func (c *apiClient) page(t *testing.T, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	if c.token == "" {
		if r := c.tryLogin(t, c.Password); r.Status != http.StatusOK {
			t.Fatalf("login %s: %s", c.Username, r)
		}
	}
	var body io.Reader
	if form != nil {
		form.Set("csrf_token", c.CSRF)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.env.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "xf_session", Value: c.token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Location"), string(b)
}
