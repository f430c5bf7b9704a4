// Package web serves Xinfang over HTTP: the JSON API under /api/v1, the
// staff pages in Simplified Chinese and their embedded assets. Handlers
// parse input, call the stores of stores.go (interfaces declared here,
// which apply the data scope and the procedure) and render; who may do
// what is asked of the domain's policies. It imports no storage, and must
// never be imported by the domain, the procedure or storage.
package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// Server is the HTTP application.
type Server struct {
	Stores
	Logger *slog.Logger
	// Secure marks the session cookie Secure on every answer; without it,
	// only answers to requests that came over HTTPS (isHTTPS) mark it.
	Secure bool
	// TrustedProxies are the reverse proxies in front of the server: only
	// from them are X-Forwarded-For, -Proto and -Host believed (client.go).
	TrustedProxies []netip.Prefix
	// SessionLifetime is the session cookie's Max-Age: as long as the
	// session lives on the server (cmd/xinfang sets the configured one).
	SessionLifetime time.Duration
	// AttachmentLimit is the largest file an upload takes, in bytes;
	// xinfang.DefaultAttachmentLimit when zero (cmd/xinfang sets the
	// configured one, as it does storage's).
	AttachmentLimit int64
	// PortalDocs renders the documents the portal hands to petitioners;
	// the printable pages' content as HTML (htmlPortalDocs) when nil.
	PortalDocs PortalDocs
	// PrintMax is the most rows the ledger's printed list holds
	// (printMax when zero); tests lower it.
	PrintMax int

	mux     *http.ServeMux
	menu    []menuEntry
	pages   map[string]access // the access of every GET route, by pattern
	limiter *addrLimiter      // password checks per client address (throttle.go)
	// portalGuess counts the portal's refused 查询码 and captcha answers
	// per client address, portalSubmit its submissions (portal_guard.go).
	portalGuess, portalSubmit *addrLimiter
}

// NewServer returns a server over the stores with every route registered.
func NewServer(st Stores, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.Default()
	}
	if st.Now == nil {
		st.Now = time.Now
	}
	s := &Server{Stores: st, Logger: logger, SessionLifetime: 12 * time.Hour, mux: http.NewServeMux(), limiter: newAddrLimiter(st.Now),
		portalGuess: newAddrLimiter(st.Now), portalSubmit: newAddrLimiter(st.Now)}
	s.routes()
	return s
}

// ServeHTTP applies the common middleware around the routes. The body is
// capped before anything reads it: the CSRF check reads a page's form.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.transportSecurity(securityHeaders(s.limitBody(s.authenticate(s.mux)))).ServeHTTP(w, r)
}

const sessionCookie = "xf_session"

type ctxKey int

const sessionKey ctxKey = 1

// sessionFrom returns the session of the request, or nil.
func sessionFrom(ctx context.Context) *xinfang.Session {
	s, _ := ctx.Value(sessionKey).(*xinfang.Session)
	return s
}

// authenticate loads the session named by the cookie, puts its user in the
// context, and checks the CSRF token on every state-changing request that
// carries a session: in the X-CSRF-Token header (API, scripts) or the
// csrf_token form field (pages).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err == nil && c.Value != "" {
			u, sess, err := s.Directory.SessionUser(r.Context(), c.Value)
			if err == nil {
				ctx := xinfang.NewContextWithUser(r.Context(), u)
				ctx = context.WithValue(ctx, sessionKey, sess)
				r = r.WithContext(ctx)
			} else if xinfang.ErrorCode(err) != xinfang.EUNAUTHORIZED {
				s.Logger.Error("session", "err", err)
			}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			if sess := sessionFrom(r.Context()); sess != nil {
				tok := r.Header.Get("X-CSRF-Token")
				if tok == "" {
					tok = r.PostFormValue("csrf_token")
				}
				if subtle.ConstantTimeCompare([]byte(tok), []byte(sess.CSRF)) != 1 {
					s.fail(w, r, &xinfang.Error{Code: xinfang.EFORBIDDEN, Message: "安全校验失败（CSRF），请刷新页面后重试"})
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// isAPI reports whether r is an API request (JSON errors) rather than a page.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// statusOf maps error codes to HTTP status codes; this is the only place.
func statusOf(code string) int {
	switch code {
	case xinfang.EINVALID:
		return http.StatusUnprocessableEntity
	case xinfang.ENOTFOUND:
		return http.StatusNotFound
	case xinfang.ECONFLICT:
		return http.StatusConflict
	case xinfang.EFORBIDDEN:
		return http.StatusForbidden
	case xinfang.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case xinfang.ETHROTTLED:
		return http.StatusTooManyRequests
	case xinfang.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// ErrorBody is the one JSON shape of every API error.
type ErrorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// fail writes err, for every route: JSON for the API; for pages, the
// login page for a request without a session, the password page for a
// user who must change an initial password, else an error page. Internal
// errors are logged with their detail and shown as a generic message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := xinfang.ErrorCode(err)
	if code == xinfang.EINTERNAL {
		s.Logger.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status := statusOf(code)
	if !isAPI(r) {
		switch {
		case code == xinfang.EUNAUTHORIZED && r.Method != http.MethodGet && r.Method != http.MethodHead:
			// A form sent after the session ended: back to the form's
			// page after login (its draft is kept by the page), saying so.
			http.Redirect(w, r, "/login?expired=1&next="+urlQueryEscape(formPage(r)), http.StatusSeeOther)
		case code == xinfang.EUNAUTHORIZED:
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case err == errInitialPassword:
			http.Redirect(w, r, "/password?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		default:
			s.errorPage(w, r, status, err)
		}
		return
	}
	var body ErrorBody
	body.Error.Code, body.Error.Message, body.Error.Fields = code, xinfang.ErrorMessage(err), xinfang.ErrorFields(err)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decodeJSON reads a JSON body into v, with a size limit (the route's,
// set by limitBody, or else the default); unknown fields are refused so
// that a misspelt field is not silently ignored.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, defaultBodyLimit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if big := tooLargeOf(err); big != nil {
			return big
		}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field == "":
			// The body itself is not an object.
			return xinfang.FieldError("body", "请求体须为 JSON 对象")
		case errors.As(err, &te) && te.Type == reflect.TypeFor[calendar.Date]():
			// calendar.Date puts the reason in Value (日期 … 不存在).
			return xinfang.FieldError(te.Field, te.Value)
		case errors.As(err, &te):
			return xinfang.FieldError(te.Field, "类型错误，应为 "+te.Type.String())
		case errors.As(err, &se):
			return xinfang.FieldError("body", "JSON 格式错误")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return xinfang.FieldError(fieldName(f), "不认识的字段")
		case err.Error() == "EOF":
			return xinfang.FieldError("body", "请求体为空")
		}
		var te2 *time.ParseError
		if errors.As(err, &te2) {
			return xinfang.FieldError("body", "时间格式错误，应为 RFC 3339")
		}
		return xinfang.FieldError("body", "请求体无法解析："+err.Error())
	}
	return nil
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, xinfang.Errorf(xinfang.ENOTFOUND, "记录不存在")
	}
	return id, nil
}

// pathIDOr is pathID with msg, the page's words, for an id that is not one.
func pathIDOr(r *http.Request, name, msg string) (int64, error) {
	id, err := pathID(r, name)
	if err != nil {
		return 0, xinfang.Errorf(xinfang.ENOTFOUND, "%s", msg)
	}
	return id, nil
}

// petitionPathID is the {id} of a petition's page.
func petitionPathID(r *http.Request) (int64, error) {
	return pathIDOr(r, "id", "信访件不存在或无权查看")
}

// today is the Asia/Shanghai date of the server's clock.
func (s *Server) today() calendar.Date { return calendar.DateOf(s.Now()) }

// formPage is the page a form posted in r came from: the Referer's path
// when it is this site's (Referrer-Policy same-origin sends it only
// then), else the ledger.
func formPage(r *http.Request) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.Path == "" {
		return "/"
	}
	return localPath(ref.RequestURI())
}
