package web

import (
	"net/http"

	"xinfang"
)

type loginView struct {
	base
	Username string
	Next     string
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if u := xinfang.UserFromContext(r.Context()); u != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	v := &loginView{Next: next}
	if r.URL.Query().Get("expired") == "1" {
		v.Notice = "登录已失效，刚才提交的内容没有处理。请重新登录：将回到原来的页面，登记表中未提交的内容会自动恢复（附件需重新选择）。"
	}
	v.Title = "登录"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "login.html", v)
}

// handleLogin checks the password and opens a session (s.login). No CSRF
// token exists before a session; a form posted from another site is
// refused by its origin instead, and a new token is issued on every login.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	u, _, err := s.login(w, r, username, password)
	if err != nil {
		code := xinfang.ErrorCode(err)
		if code != xinfang.EUNAUTHORIZED && code != xinfang.ETHROTTLED {
			return err
		}
		v := &loginView{Username: username, Next: next}
		v.Title, v.Error = "登录", xinfang.ErrorMessage(err)
		s.fillBase(r, &v.base)
		return s.render(w, r, statusOf(code), "login.html", v)
	}
	if u.MustChangePassword {
		http.Redirect(w, r, "/password?next="+urlQueryEscape(next), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.Directory.Logout(r.Context(), c.Value); err != nil {
			s.Logger.Error("logout", "err", err)
		}
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

type passwordView struct {
	base
	Next   string
	Forced bool
}

func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	v := &passwordView{Next: localPath(r.URL.Query().Get("next")), Forced: u.MustChangePassword}
	v.Title, v.Nav = "修改密码", "password"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "password.html", v)
}

func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	next := localPath(r.PostFormValue("next"))
	oldPW, newPW, confirm := r.PostFormValue("old_password"), r.PostFormValue("password"), r.PostFormValue("password_confirm")
	var err error
	if newPW != confirm {
		err = xinfang.FieldError("password_confirm", "两次输入的新密码不一致")
	} else {
		err = s.throttled(w, r, func(from string) error {
			return s.Directory.ChangePassword(r.Context(), u.ID, oldPW, newPW, from)
		})
	}
	if err != nil {
		code := xinfang.ErrorCode(err)
		if code != xinfang.EINVALID && code != xinfang.ETHROTTLED {
			return err
		}
		v := &passwordView{Next: next, Forced: u.MustChangePassword}
		v.Title, v.Nav = "修改密码", "password"
		v.Error, v.Fields = "密码未修改，请按提示更正。", xinfang.ErrorFields(err)
		if code == xinfang.ETHROTTLED {
			v.Error = xinfang.ErrorMessage(err)
		}
		s.fillBase(r, &v.base)
		return s.render(w, r, statusOf(code), "password.html", v)
	}
	// Whoever signed in with the old password is signed out everywhere else.
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Directory.EndOtherSessions(r.Context(), u.ID, c.Value); err != nil {
			return err
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
