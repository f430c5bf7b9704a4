package web

import (
	"net/http/httptest"
	"net/netip"
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
