package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// CheckTarget parses a server's base URL and refuses one whose host does
// not resolve to loopback addresses only: a load generator must not be
// pointed at another machine by mistake.
func CheckTarget(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("-url: %q is not a URL such as http://127.0.0.1:8080", raw)
	}
	host := u.Hostname()
	var addrs []net.IP
	if ip := net.ParseIP(host); ip != nil {
		addrs = []net.IP{ip}
	} else {
		ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("-url: host %q: %v", host, err)
		}
		for _, a := range ips {
			addrs = append(addrs, a.IP)
		}
	}
	for _, ip := range addrs {
		if !ip.IsLoopback() {
			return nil, fmt.Errorf("-url: host %q is %s, not a loopback address: the load generator only loads a server on this machine", host, ip)
		}
	}
	u.Path, u.RawQuery, u.Fragment = strings.TrimSuffix(u.Path, "/"), "", ""
	return u, nil
}

// loopbackDialer refuses, at connect time, any address that is not
// loopback, whatever a name resolved to after CheckTarget looked.
var loopbackDialer = &net.Dialer{
	Timeout: 10 * time.Second,
	Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("refusing to connect to %s: not a loopback address", address)
		}
		return nil
	},
}

// Client is one signed-in staff session on one server, on its own
// keep-alive connection: one desk.
type Client struct {
	base string
	http *http.Client
	csrf string
}

// Login signs in as username at base (checked by CheckTarget) and returns
// the session.
func Login(ctx context.Context, base *url.URL, username, password string) (*Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{
		DialContext:         loopbackDialer.DialContext,
		MaxIdleConns:        4,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	c := &Client{base: base.String(), http: &http.Client{
		Jar: jar, Transport: tr, Timeout: 2 * time.Minute,
		// The target is checked; where it sends us is not.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	var out struct {
		User struct {
			MustChangePassword bool `json:"must_change_password"`
		} `json:"user"`
		CSRFToken string `json:"csrf_token"`
	}
	status, body, err := c.Do(ctx, "POST", "/api/v1/login", map[string]string{"username": username, "password": password}, &out)
	switch {
	case err != nil && status == 0:
		return nil, fmt.Errorf("log in at %s: %v", c.base, err)
	case status == http.StatusUnauthorized:
		return nil, fmt.Errorf("log in at %s as %q: refused (401): wrong -user or -password, or no such account in this database", c.base, username)
	case err != nil || out.CSRFToken == "":
		return nil, fmt.Errorf("log in at %s as %q: status %d: %s", c.base, username, status, brief(body))
	case out.User.MustChangePassword:
		return nil, fmt.Errorf("log in at %s as %q: the account must change its initial password first (POST /api/v1/password)", c.base, username)
	}
	c.csrf = out.CSRFToken
	return c, nil
}

// Do sends one request with a JSON body (nil: none), reads the whole
// answer so that the connection is reused, and decodes it into out when it
// is a success and out is not nil. A status that is not 2xx is an error
// carrying the answer.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) (int, []byte, error) {
	var body io.Reader
	if in != nil {
		buf, err := json.Marshal(in)
		if err != nil {
			return 0, nil, err
		}
		body = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, b, fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, brief(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, b, fmt.Errorf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode, b, nil
}

// Close drops the client's idle connection.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// brief shortens an answer for an error message.
func brief(b []byte) string {
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// Wait returns once base answers GET /api/v1/health, or fails after timeout.
func Wait(ctx context.Context, base *url.URL, timeout time.Duration) error {
	hc := &http.Client{Transport: &http.Transport{DialContext: loopbackDialer.DialContext}, Timeout: 2 * time.Second}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, "GET", base.String()+"/api/v1/health", nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("health: status %d", resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.Join(fmt.Errorf("%s did not answer within %s", base, timeout), last)
}
