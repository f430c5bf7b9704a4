package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"xinfang"
)

// fakeLogins is a DirectoryStore whose every account has the password
// "right" and whose one live session is "live" (of fakeUser, CSRF token
// "tok"). It records what the handlers asked of it.
type fakeLogins struct {
	fakeDirectory
	mu      sync.Mutex
	from    []string // the client address of each password check
	logouts []string
	block   chan struct{} // when set, a password check waits for it
}

func (f *fakeLogins) check(from, pw string) bool {
	f.mu.Lock()
	f.from = append(f.from, from)
	block := f.block
	f.mu.Unlock()
	if block != nil {
		<-block
	}
	return pw == "right"
}

func (f *fakeLogins) Login(ctx context.Context, username, password, from string) (*xinfang.User, *xinfang.Session, error) {
	if !f.check(from, password) {
		return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "用户名或密码错误")
	}
	return fakeUser, &xinfang.Session{Token: "new", UserID: fakeUser.ID, CSRF: "tok2"}, nil
}

func (f *fakeLogins) ChangePassword(ctx context.Context, userID int64, oldPW, newPW, from string) error {
	if !f.check(from, oldPW) {
		return xinfang.FieldError("old_password", "原密码错误")
	}
	return nil
}

func (f *fakeLogins) SessionUser(ctx context.Context, token string) (*xinfang.User, *xinfang.Session, error) {
	if token == "live" {
		return fakeUser, &xinfang.Session{UserID: fakeUser.ID, CSRF: "tok"}, nil
	}
	return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "登录已失效")
}

func (f *fakeLogins) Logout(ctx context.Context, token string) error {
	f.mu.Lock()
	f.logouts = append(f.logouts, token)
	f.mu.Unlock()
	return nil
}

func (f *fakeLogins) EndOtherSessions(ctx context.Context, userID int64, keepToken string) error {
	return nil
}

func (f *fakeLogins) checks() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.from)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func loginServer() (*Server, *fakeLogins, *fakeClock) {
	dir := &fakeLogins{}
	clk := &fakeClock{t: readAt}
	return fakeServer(Stores{Directory: dir, Notifications: &fakeInbox{}, Now: clk.Now}), dir, clk
}

// post sends a request through the whole server, middleware included,
// from the client at addr; form bodies for pages, JSON for the API.
func post(s *Server, addr, target, body string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", target, strings.NewReader(body))
	r.RemoteAddr = addr + ":40000"
	if strings.HasPrefix(addr, "[") || strings.Contains(addr, ":") {
		r.RemoteAddr = "[" + strings.Trim(addr, "[]") + "]:40000"
	}
	if strings.HasPrefix(target, "/api/") {
		r.Header.Set("Content-Type", "application/json")
	} else {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

const (
	wrongLogin = `{"username":"za_handler","password":"wrong"}`
	rightLogin = `{"username":"za_handler","password":"right"}`
)
