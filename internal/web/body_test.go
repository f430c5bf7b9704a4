package web_test

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/web"
)

// stream is a request body of n bytes made while it is read, so that a
// 200 MB upload costs no 200 MB of memory: head, then filler. It counts
// what the server read, and looks into tmp as it goes, to see whether the
// server spools the body to disk.
type stream struct {
	head    string
	n, read int64
	tmp     string
	spooled bool
}

func (s *stream) Read(p []byte) (int, error) {
	if s.read >= s.n {
		return 0, io.EOF
	}
	if s.read%(4<<20) < int64(len(p)) && s.tmp != "" {
		if es, _ := os.ReadDir(s.tmp); len(es) > 0 {
			s.spooled = true
		}
	}
	k := int64(len(p))
	if left := s.n - s.read; k > left {
		k = left
	}
	for i := int64(0); i < k; i++ {
		if off := s.read + i; off < int64(len(s.head)) {
			p[i] = s.head[off]
		} else {
			p[i] = 'a'
		}
	}
	s.read += k
	return int(k), nil
}

const hugeBody = 200 << 20

// A 200 MB body, streamed without a length, to the sign-in page (as a
// multipart file), to the API's sign-in and to registration is answered
// 413 after the route's cap is read: nothing is spooled to disk, nothing
// stored, and the server stops reading long before the end.
func TestHugeBodiesAre413(t *testing.T) {
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "big_reg", "ZA", xinfang.RoleRegistrar)
	reg.tryLogin(t, testPassword)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where ParseMultipartForm would spool a file

	const boundary = "xfboundary"
	cases := []struct {
		name, method, path, ctype, head string
		session                         bool
		api                             bool
	}{
		{"page sign-in, multipart file", "POST", "/login", "multipart/form-data; boundary=" + boundary,
			"--" + boundary + "\r\nContent-Disposition: form-data; name=\"username\"; filename=\"u.txt\"\r\nContent-Type: text/plain\r\n\r\n", false, false},
		{"page sign-in, form", "POST", "/login", "application/x-www-form-urlencoded", "username=", false, false},
		{"API sign-in", "POST", "/api/v1/login", "application/json", `{"username":"`, false, true},
		{"API registration", "POST", "/api/v1/petitions", "application/json", `{"summary":"`, true, true},
		{"page registration", "POST", "/petitions", "application/x-www-form-urlencoded", "summary=", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := &stream{head: tc.head, n: hugeBody, tmp: tmp}
			req, err := http.NewRequest(tc.method, env.URL+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = -1 // streamed: the server learns the size only by reading
			req.Header.Set("Content-Type", tc.ctype)
			if tc.session {
				req.AddCookie(&http.Cookie{Name: "xf_session", Value: reg.token})
				req.Header.Set("X-CSRF-Token", reg.CSRF)
			}
			start := time.Now()
			res, err := noFollowClient.Do(req)
			if err != nil {
				t.Fatalf("no answer: %v (server read %d bytes)", err, body.read)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("status %d, want 413: %.100s", res.StatusCode, b)
			}
			if tc.api && !strings.Contains(string(b), `"code":"too_large"`) {
				t.Errorf("API body: %s", b)
			}
			if !tc.api && !strings.Contains(string(b), "提交的内容过大") {
				t.Errorf("page body: %.500s", b)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("answered after %v", d)
			}
			// The client may have written ahead into socket buffers; the
			// server itself read only its cap.
			if body.read > 32<<20 {
				t.Errorf("%d bytes sent before the answer", body.read)
			}
			if es, _ := os.ReadDir(tmp); body.spooled || len(es) > 0 {
				t.Errorf("the body was spooled to disk (%d files left)", len(es))
			}
		})
	}
	if n := reg.total(t); n != 0 {
		t.Errorf("%d petitions stored", n)
	}

	// A declared length over the cap is refused before a byte is read.
	body := &stream{n: hugeBody}
	req, _ := http.NewRequest("POST", env.URL+"/api/v1/login", body)
	req.ContentLength = hugeBody
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("declared length: status %d", res.StatusCode)
	}
}

// The caps: 64 KiB for the routes anyone may call with a password, the
// default of 1 MiB for the rest; a body just under its cap is read.
func TestBodyLimits(t *testing.T) {
	t.Parallel()
	for _, rt := range web.Routes() {
		want := int64(1 << 20)
		switch rt.Method + " " + rt.Path {
		case "POST /login", "POST /logout", "POST /password", "POST /api/v1/login", "POST /api/v1/logout", "POST /api/v1/password":
			want = 64 << 10
		}
		if rt.BodyLimit != want {
			t.Errorf("%s %s: limit %d, want %d", rt.Method, rt.Path, rt.BodyLimit, want)
		}
	}

	env := newAPIEnv(t, "2026-03-02T09:00")
	anon := &apiClient{env: env, epoch: -1}
	pad := strings.Repeat(" ", 64<<10-100)
	r := anon.send(t, "POST", "/api/v1/login", `{"username":"nobody","password":"x"}`+pad, false)
	wantError(t, r, http.StatusUnauthorized, "")
	r = anon.send(t, "POST", "/api/v1/login", `{"username":"nobody","password":"x"}`+pad+strings.Repeat(" ", 200), false)
	wantError(t, r, http.StatusRequestEntityTooLarge, "")
}
