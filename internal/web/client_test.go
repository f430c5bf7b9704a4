package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// The address checks are counted under: the peer, unless a trusted proxy
// says otherwise; an IPv6 client as its /64.
func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"no proxy", nil, "192.0.2.1:5000", nil, "192.0.2.1"},
		{"a forged header without a trusted proxy", nil, "192.0.2.1:5000", []string{"203.0.113.9"}, "192.0.2.1"},
		{"a forged header from an untrusted peer", proxies, "192.0.2.1:5000", []string{"203.0.113.9"}, "192.0.2.1"},
		{"behind the proxy", proxies, "10.0.0.2:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"the client's own header is skipped", proxies, "10.0.0.2:5000", []string{"198.51.100.1, 203.0.113.9"}, "203.0.113.9"},
		{"two proxies", proxies, "10.0.0.2:5000", []string{"203.0.113.9", "10.0.0.3"}, "203.0.113.9"},
		{"only proxies", proxies, "10.0.0.2:5000", []string{"10.0.0.3"}, "10.0.0.3"},
		{"an unreadable hop", proxies, "10.0.0.2:5000", []string{"203.0.113.9, junk"}, "10.0.0.2"},
		{"without a header", proxies, "10.0.0.2:5000", nil, "10.0.0.2"},
		{"IPv6 as its /64", nil, "[2001:db8:1:2:3:4:5:6]:5000", nil, "2001:db8:1:2::/64"},
		{"IPv6 behind the proxy", proxies, "[fd00::1]:5000", []string{"2001:db8:9::1"}, "2001:db8:9::/64"},
		{"IPv4 in IPv6", nil, "[::ffff:192.0.2.1]:5000", nil, "192.0.2.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{TrustedProxies: tt.trusted}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientAddr(r); got != tt.want {
				t.Errorf("clientAddr = %q, want %q", got, tt.want)
			}
		})
	}

	// Storage is told the same address.
	s, dir, _ := loginServer()
	s.TrustedProxies = proxies
	post(s, "10.0.0.2", "/api/v1/login", wrongLogin, map[string]string{"X-Forwarded-For": "203.0.113.9"})
	if len(dir.from) != 1 || dir.from[0] != "203.0.113.9" {
		t.Errorf("storage was told %q", dir.from)
	}
}

// POST /login and POST /api/v1/login accepted a form from any site (login
// CSRF): a browser's request from another site is now refused with 403
// before any password is checked.
func TestLoginRefusesCrossSite(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		cross  bool
	}{
		{"not a browser", nil, false},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"}, false},
		{"typed by the user", map[string]string{"Sec-Fetch-Site": "none"}, false},
		{"another site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, true},
		{"a sibling site", map[string]string{"Sec-Fetch-Site": "same-site"}, true},
		{"Origin only, ours", map[string]string{"Origin": "http://example.com"}, false},
		{"Origin only, another", map[string]string{"Origin": "https://evil.example"}, true},
		{"Origin null", map[string]string{"Origin": "null"}, true},
		{"Referer only, ours", map[string]string{"Referer": "http://example.com/login?next=%2F"}, false},
		{"Referer only, another", map[string]string{"Referer": "https://evil.example/page"}, true},
	}
	for _, tt := range tests {
		for _, target := range []string{"/login", "/api/v1/login"} {
			t.Run(tt.name+" "+target, func(t *testing.T) {
				s, dir, _ := loginServer()
				body := rightLogin
				if target == "/login" {
					body = "username=za_handler&password=right"
				}
				w := post(s, "192.0.2.1", target, body, tt.header)
				switch {
				case tt.cross && (w.Code != http.StatusForbidden || dir.checks() != 0 || w.Header().Get("Set-Cookie") != ""):
					t.Errorf("cross-site: %d, %d checks, cookie %q", w.Code, dir.checks(), w.Header().Get("Set-Cookie"))
				case !tt.cross && w.Code != http.StatusOK && w.Code != http.StatusSeeOther:
					t.Errorf("same site: %d %s", w.Code, w.Body)
				}
			})
		}
	}

	// Behind a proxy that rewrites Host, its X-Forwarded-Host is the host.
	s, _, _ := loginServer()
	s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	h := map[string]string{"Origin": "https://xf.example.gov.cn", "X-Forwarded-Host": "xf.example.gov.cn"}
	if w := post(s, "10.0.0.2", "/api/v1/login", rightLogin, h); w.Code != http.StatusOK {
		t.Errorf("behind a proxy: %d %s", w.Code, w.Body)
	}
	if w := post(s, "192.0.2.1", "/api/v1/login", rightLogin, h); w.Code != http.StatusForbidden {
		t.Errorf("X-Forwarded-Host from an untrusted peer: %d", w.Code)
	}
}

// HSTS and the Secure cookie go with HTTPS: TLS here, or a trusted proxy's
// X-Forwarded-Proto; --secure-cookies marks the cookie Secure always.
func TestTransportSecurity(t *testing.T) {
	proxy := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name    string
		https   bool
		trusted []netip.Prefix
		forced  bool
		peer    string
		header  map[string]string
		hsts    bool
		secure  bool
	}{
		{"plain HTTP", false, nil, false, "192.0.2.1", nil, false, false},
		{"TLS", true, nil, false, "192.0.2.1", nil, true, true},
		{"a trusted proxy over HTTPS", false, proxy, false, "10.0.0.2", map[string]string{"X-Forwarded-Proto": "https"}, true, true},
		{"a trusted proxy over HTTP", false, proxy, false, "10.0.0.2", map[string]string{"X-Forwarded-Proto": "http"}, false, false},
		{"the header from anyone else", false, proxy, false, "192.0.2.1", map[string]string{"X-Forwarded-Proto": "https"}, false, false},
		{"--secure-cookies", false, nil, true, "192.0.2.1", nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := loginServer()
			s.TrustedProxies, s.Secure = tt.trusted, tt.forced
			target := "/api/v1/login"
			if tt.https {
				target = "https://example.com/api/v1/login"
			}
			w := post(s, tt.peer, target, rightLogin, tt.header)
			if w.Code != http.StatusOK {
				t.Fatalf("login: %d %s", w.Code, w.Body)
			}
			if got := w.Header().Get("Strict-Transport-Security") != ""; got != tt.hsts {
				t.Errorf("HSTS %q, want it %v", w.Header().Get("Strict-Transport-Security"), tt.hsts)
			}
			cookies := (&http.Response{Header: w.Header()}).Cookies()
			if len(cookies) != 1 || cookies[0].Secure != tt.secure {
				t.Errorf("cookies %v, want one with Secure %v", w.Header().Values("Set-Cookie"), tt.secure)
			}
		})
	}
}

// A login that carries a session ends it, on the API as on the page,
// whether or not it is still live.
func TestLoginEndsCarriedSession(t *testing.T) {
	s, dir, _ := loginServer()
	live := map[string]string{"Cookie": sessionCookie + "=live", "X-CSRF-Token": "tok"}
	if w := post(s, "192.0.2.1", "/api/v1/login", rightLogin, live); w.Code != http.StatusOK {
		t.Fatalf("API: %d %s", w.Code, w.Body)
	}
	stale := map[string]string{"Cookie": sessionCookie + "=stale"}
	if w := post(s, "192.0.2.1", "/login", url.Values{"username": {"za_handler"}, "password": {"right"}}.Encode(), stale); w.Code != http.StatusSeeOther {
		t.Fatalf("page: %d %s", w.Code, w.Body)
	}
	// A failed login ends nothing.
	post(s, "192.0.2.1", "/api/v1/login", wrongLogin, live)
	if strings.Join(dir.logouts, " ") != "live stale" {
		t.Errorf("sessions ended: %q, want live and stale", dir.logouts)
	}
}
