package web

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// What the server believes about where a request came from: the client's
// address, whether it came over HTTPS and which host it was sent to. The
// peer's own word (RemoteAddr, TLS) is believed always; the X-Forwarded-*
// headers only when the peer is one of s.TrustedProxies, since anyone can
// send them.

// hstsHeader asks browsers to use HTTPS only, for a year. Not for
// subdomains: other services of the same domain may still serve HTTP.
const hstsHeader = "max-age=31536000"

// clientAddr is the address a request's password checks are counted
// under: the client's IP address, an IPv6 address as its /64 network,
// which a single client usually holds whole.
func (s *Server) clientAddr(r *http.Request) string {
	ip := s.clientIP(r)
	if !ip.IsValid() {
		return r.RemoteAddr
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// clientIP is the peer's address, or, when the peer is a trusted proxy,
// the first address of X-Forwarded-For, read from the right (the hop the
// proxy added last), that is not itself a trusted proxy.
func (s *Server) clientIP(r *http.Request) netip.Addr {
	ip := peerIP(r)
	if !s.trusted(ip) {
		return ip
	}
	hops := headerList(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(hops[i])
		if err != nil {
			if ap, err2 := netip.ParseAddrPort(hops[i]); err2 == nil {
				h, err = ap.Addr(), nil
			}
		}
		if err != nil {
			// A hop a proxy wrote and nobody can read: the last one read
			// is as far as the chain can be followed.
			return ip
		}
		ip = h.Unmap()
		if !s.trusted(ip) {
			return ip
		}
	}
	return ip
}

// peerIP is the address of the TCP peer; invalid if RemoteAddr is not one
// (a test request made without a connection).
func peerIP(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// trusted reports whether ip is one of the configured proxies.
func (s *Server) trusted(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	for _, p := range s.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forwarded returns the value a trusted peer set in header: the last one,
// which the nearest proxy wrote; "" when the peer is not trusted.
func (s *Server) forwarded(r *http.Request, header string) string {
	if !s.trusted(peerIP(r)) {
		return ""
	}
	vs := headerList(r.Header.Values(header))
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// headerList splits the comma-separated values of a header sent once or
// several times.
func headerList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// isHTTPS reports whether the client reached the server over HTTPS: TLS
// here, or a trusted proxy that says so in X-Forwarded-Proto.
func (s *Server) isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(s.forwarded(r, "X-Forwarded-Proto"), "https")
}

// publicHost is the host the client sent the request to: Host, or the
// X-Forwarded-Host of a trusted proxy that rewrites Host.
func (s *Server) publicHost(r *http.Request) string {
	if h := s.forwarded(r, "X-Forwarded-Host"); h != "" {
		return h
	}
	return r.Host
}

// transportSecurity sends Strict-Transport-Security on every answer to a
// request that came over HTTPS (browsers ignore it over HTTP).
func (s *Server) transportSecurity(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.isHTTPS(r) {
			w.Header().Set("Strict-Transport-Security", hstsHeader)
		}
		next.ServeHTTP(w, r)
	})
}

// crossSite reports whether a browser sent r from a page of another site:
// what a login must refuse, since a form elsewhere could otherwise sign the
// user in to an account of the attacker's (login CSRF), before any session
// or CSRF token exists. It asks, in order, Sec-Fetch-Site (browsers since
// 2020), Origin, then Referer; a request with none of them is no browser's
// (curl, scripts) and is let through.
func (s *Server) crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none": // "none": typed or bookmarked by the user
		return false
	case "":
	default: // same-site, cross-site
		return true
	}
	for _, h := range []string{"Origin", "Referer"} {
		if v := r.Header.Get(h); v != "" {
			u, err := url.Parse(v)
			return err != nil || u.Host == "" || !strings.EqualFold(u.Host, s.publicHost(r))
		}
	}
	return false
}

// setSessionCookie writes the session cookie (HttpOnly, SameSite=Lax;
// Secure when configured or when the request came over HTTPS). Its
// lifetime is relative (Max-Age), so the browser's clock and the
// database's clock need not agree; the server decides expiry and idle
// timeout anyway.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.Secure || s.isHTTPS(r), SameSite: http.SameSiteLaxMode, MaxAge: int(s.SessionLifetime.Seconds())})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.Secure || s.isHTTPS(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
