package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// There was no limit on logins: an address that fails too often now
// waits, doubling, and is told how long with 429 and Retry-After; its
// checks do not reach storage meanwhile. Other addresses go on.
func TestLoginThrottlePerAddress(t *testing.T) {
	s, dir, clk := loginServer()
	const addr = "192.0.2.1"
	for i := range addrFreeFailures + 1 {
		if w := post(s, addr, "/api/v1/login", wrongLogin, nil); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	checks := dir.checks()
	w := post(s, addr, "/api/v1/login", rightLogin, nil)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" || !strings.Contains(w.Body.String(), `"throttled"`) {
		t.Fatalf("after %d failures: %d Retry-After %q %s", addrFreeFailures+1, w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if dir.checks() != checks {
		t.Error("a throttled login reached storage")
	}
	if w := post(s, "192.0.2.2", "/api/v1/login", rightLogin, nil); w.Code != http.StatusOK {
		t.Fatalf("another address: %d %s", w.Code, w.Body)
	}

	// The wait doubles with each further failure.
	for _, want := range []string{"2", "4", "8"} {
		wait, _ := time.ParseDuration(w.Header().Get("Retry-After") + "s")
		clk.Add(wait)
		if w := post(s, addr, "/api/v1/login", wrongLogin, nil); w.Code != http.StatusUnauthorized {
			t.Fatalf("after the wait: %d %s", w.Code, w.Body)
		}
		w = post(s, addr, "/login", "username=za_handler&password=right", nil)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != want || !strings.Contains(w.Body.String(), "尝试过于频繁") {
			t.Fatalf("the page: %d Retry-After %q, want 429 and %s", w.Code, w.Header().Get("Retry-After"), want)
		}
	}

	// A failure a minute is forgiven: an hour later the address may fail
	// again as a new one.
	clk.Add(time.Hour)
	for i := range addrFreeFailures {
		if w := post(s, addr, "/api/v1/login", wrongLogin, nil); w.Code != http.StatusUnauthorized {
			t.Fatalf("an hour later, failure %d: %d", i+1, w.Code)
		}
	}
	if w := post(s, addr, "/api/v1/login", rightLogin, nil); w.Code != http.StatusOK {
		t.Fatalf("an hour later: %d %s", w.Code, w.Body)
	}
}

// A wrong old password of a password change counts like a failed login,
// on the API and the page.
func TestPasswordChangeThrottled(t *testing.T) {
	s, _, _ := loginServer()
	const addr = "192.0.2.1"
	session := map[string]string{"Cookie": sessionCookie + "=live", "X-CSRF-Token": "tok"}
	for i := range addrFreeFailures + 1 {
		target, body := "/api/v1/password", `{"old_password":"wrong","password":"N3w-password"}`
		if i%2 == 1 {
			target, body = "/password", "old_password=wrong&password=N3w-password&password_confirm=N3w-password"
		}
		if w := post(s, addr, target, body, session); w.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s failure %d: %d %s", target, i+1, w.Code, w.Body)
		}
	}
	w := post(s, addr, "/api/v1/password", `{"old_password":"right","password":"N3w-password"}`, session)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("API: %d %s", w.Code, w.Body)
	}
	w = post(s, addr, "/password", "old_password=right&password=N3w-password&password_confirm=N3w-password", session)
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "尝试过于频繁") {
		t.Fatalf("page: %d", w.Code)
	}
	// Failed password changes hold back logins from the address too.
	if w := post(s, addr, "/api/v1/login", rightLogin, nil); w.Code != http.StatusTooManyRequests {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
}

// An address may have only a few password checks under way at once, so
// that a flood of parallel guesses cannot outrun its count.
func TestLoginChecksAtOnce(t *testing.T) {
	s, dir, _ := loginServer()
	dir.block = make(chan struct{})
	var wg sync.WaitGroup
	for range addrMaxRunning {
		wg.Add(1)
		go func() {
			defer wg.Done()
			post(s, "192.0.2.1", "/api/v1/login", wrongLogin, nil)
		}()
	}
	for dir.checks() < addrMaxRunning {
		time.Sleep(time.Millisecond)
	}
	w := post(s, "192.0.2.1", "/api/v1/login", rightLogin, nil)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" {
		t.Errorf("one check too many: %d %s", w.Code, w.Body)
	}
	close(dir.block)
	wg.Wait()
	if w := post(s, "192.0.2.1", "/api/v1/login", rightLogin, nil); w.Code != http.StatusOK {
		t.Errorf("after the others ended: %d %s", w.Code, w.Body)
	}
}

// Addresses that hold nothing any more are dropped, so that the limit's
// memory follows the clients failing now, not every client ever seen.
func TestAddrLimiterForgets(t *testing.T) {
	clk := &fakeClock{t: readAt}
	l := newAddrLimiter(clk.Now)
	for i := range addrSweepAt {
		addr := fmt.Sprintf("10.%d.%d.1", i/256, i%256)
		l.acquire(addr)
		l.release(addr, true)
	}
	clk.Add(time.Minute)
	l.acquire("192.0.2.1") // one failure each, forgiven a minute later
	l.release("192.0.2.1", false)
	if len(l.addrs) != 1 {
		t.Errorf("%d addresses held, want the new one", len(l.addrs))
	}
}
