package web

import (
	"net/http"

	"xinfang"
)

// apiSession is the reply of login and me: the user and the token every
// state-changing call must send in the X-CSRF-Token header.
type apiSession struct {
	User      *xinfang.User `json:"user"`
	CSRFToken string        `json:"csrf_token"`
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := xinfang.Problems{}
	if in.Username == "" {
		p.Add("username", "请填写用户名")
	}
	if in.Password == "" {
		p.Add("password", "请填写密码")
	}
	if err := p.Err(); err != nil {
		return err
	}
	u, sess, err := s.login(w, r, in.Username, in.Password)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiSession{User: u, CSRFToken: sess.CSRF})
	return nil
}

// login signs in for the page and the API alike. A login sent from a page
// of another site is refused (login CSRF); the client's limit applies
// (throttled); and a session the request still carries ends, so that a
// browser signed in anew holds only the new session.
func (s *Server) login(w http.ResponseWriter, r *http.Request, username, password string) (*xinfang.User, *xinfang.Session, error) {
	if s.crossSite(r) {
		return nil, nil, xinfang.Errorf(xinfang.EFORBIDDEN, "登录请求须从本系统的登录页发出")
	}
	var u *xinfang.User
	var sess *xinfang.Session
	err := s.throttled(w, r, func(from string) (err error) {
		u, sess, err = s.Directory.Login(r.Context(), username, password, from)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.Directory.Logout(r.Context(), c.Value); err != nil {
			return nil, nil, err
		}
	}
	// The cookie's lifetime is the session's, counted on the browser's clock
	// (the database clock may be set apart, as in tests and demos).
	s.setSessionCookie(w, r, sess.Token)
	return u, sess, nil
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.Directory.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w, r)
	writeJSON(w, http.StatusOK, apiOK{OK: true})
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	body := apiSession{User: xinfang.UserFromContext(r.Context())}
	if sess := sessionFrom(r.Context()); sess != nil {
		body.CSRFToken = sess.CSRF
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) apiPassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OldPassword string `json:"old_password"`
		Password    string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	err := s.throttled(w, r, func(from string) error {
		return s.Directory.ChangePassword(r.Context(), u.ID, in.OldPassword, in.Password, from)
	})
	if err != nil {
		return err
	}
	// Whoever signed in with the old password is signed out; this session stays.
	keep := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		keep = c.Value
	}
	if err := s.Directory.EndOtherSessions(r.Context(), u.ID, keep); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiOK{OK: true})
	return nil
}
