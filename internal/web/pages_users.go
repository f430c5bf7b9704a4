package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The account pages (用户管理) of 三员分立: the list with its filter, read by
// the system admin and the security admin; the system admin opens accounts
// (without roles), edits, deactivates and activates them; the security
// admin grants and revokes roles, resets passwords and unlocks. Each form
// posts to the page twin of an API route and makes the same store call;
// each shows only to whom the policy lets use it (xinfang.CheckAccountAction).

type usersView struct {
	base
	Users     []apiAccount
	Units     []*xinfang.Unit
	Q         url.Values // the filter as given
	Roles     []xinfang.Label
	States    []xinfang.Label
	CanCreate bool
	Form      url.Values
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, url.Values{}, nil, http.StatusOK)
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, form url.Values, err error, status int) error {
	q := newQuery(r.URL.Query())
	f := userFilter(q)
	if qerr := q.err(); qerr != nil {
		return qerr
	}
	users, lerr := s.Directory.FindUsers(r.Context(), f)
	if lerr != nil {
		return lerr
	}
	units, lerr := s.Directory.FindUnits(r.Context())
	if lerr != nil {
		return lerr
	}
	v := &usersView{Units: units, Q: r.URL.Query(), Roles: xinfang.Roles, States: xinfang.AccountStates, Form: form,
		CanCreate: xinfang.CanAdminister(xinfang.UserFromContext(r.Context()))}
	for _, u := range users {
		v.Users = append(v.Users, s.account(u))
	}
	v.Title, v.Nav = "用户管理", "users"
	s.fillBase(r, &v.base)
	if err != nil {
		v.Error, v.Fields = formMessage(err), xinfang.ErrorFields(err)
	}
	return s.render(w, r, status, "admin_users.html", v)
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	u := &xinfang.User{Username: strings.TrimSpace(f.Get("username")), Name: strings.TrimSpace(f.Get("name")), UnitID: formID(f.Get("unit_id")),
		Phone: strings.TrimSpace(f.Get("phone")), MustChangePassword: true}
	if err := s.Directory.CreateUser(r.Context(), u, f.Get("password")); err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderUsers(w, r, f, err, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"?saved=created", http.StatusSeeOther)
	return nil
}

type userView struct {
	base
	Account apiAccount
	Units   []*xinfang.Unit
	// Grantable are the roles the security admin ticks: the system admin
	// and the content roles; the command line gives the others.
	Grantable []xinfang.Label
	Checked   map[string]bool
	Form      url.Values
	Which     string // the form an error belongs to
	// The forms the acting user may use on this account.
	CanEdit, CanDeactivate, CanActivate, CanRoles, CanReset, CanUnlock bool
	// CommandLineRoles is set when the account holds a role only the
	// command line gives, so that its roles are not changed here.
	CommandLineRoles bool
}

// accountSaved are the notices after each form of an account's page.
var accountSaved = map[string]string{"created": "账号已开设，角色须由安全管理员授予", string(xinfang.AccountEdit): "已保存",
	string(xinfang.AccountDeactivate): "账号已停用，其登录已全部失效", string(xinfang.AccountActivate): "账号已启用",
	string(xinfang.AccountRoles): "角色已更新", string(xinfang.AccountResetPassword): "密码已重置，该用户下次登录时须修改密码",
	string(xinfang.AccountUnlock): "已解除锁定"}

func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "用户不存在")
	if err != nil {
		return err
	}
	return s.renderUser(w, r, id, "", url.Values{}, nil, http.StatusOK)
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, id int64, which string, form url.Values, err error, status int) error {
	ctx := r.Context()
	u, lerr := s.Directory.FindAccount(ctx, id)
	if lerr != nil {
		return lerr
	}
	units, lerr := s.Directory.FindUnits(ctx)
	if lerr != nil {
		return lerr
	}
	actor := xinfang.UserFromContext(ctx)
	may := func(a xinfang.AccountAction) bool { return xinfang.CheckAccountAction(actor, a, u) == nil }
	v := &userView{Account: s.account(u), Units: units, Form: form, Which: which, Checked: map[string]bool{},
		CanEdit: may(xinfang.AccountEdit), CanDeactivate: !u.Disabled && may(xinfang.AccountDeactivate),
		CanActivate: u.Disabled && may(xinfang.AccountActivate), CanReset: may(xinfang.AccountResetPassword),
		CanUnlock: u.Locked(s.Now()) && may(xinfang.AccountUnlock)}
	for _, l := range xinfang.Roles {
		r := xinfang.Role(l.Code)
		if r.CommandLineOnly() {
			v.CommandLineRoles = v.CommandLineRoles || u.Has(r)
			continue
		}
		v.Grantable = append(v.Grantable, l)
	}
	v.CanRoles = !v.CommandLineRoles && xinfang.CanChangeAccount(actor, xinfang.AccountRoles, u)
	roles := u.Roles
	if which == string(xinfang.AccountRoles) {
		roles = formCodes[xinfang.Role](form["roles"])
	}
	for _, r := range roles {
		v.Checked[string(r)] = true
	}
	v.Title, v.Nav = u.Name+"（"+u.Username+"）", "users"
	s.fillBase(r, &v.base)
	if err != nil {
		v.Error, v.Fields = formMessage(err), xinfang.ErrorFields(err)
	} else {
		v.Notice = accountSaved[r.URL.Query().Get("saved")]
	}
	return s.render(w, r, status, "admin_user.html", v)
}

// accountForm handles a form of an account's page. A refusal on the
// input or the state comes back on the page with its message; anything
// else is the error page.
func accountForm(a xinfang.AccountAction) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathIDOr(r, "id", "用户不存在")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		f, ctx := r.PostForm, r.Context()
		switch a {
		case xinfang.AccountEdit:
			name, phone, unit := f.Get("name"), f.Get("phone"), formID(f.Get("unit_id"))
			_, err = s.Directory.UpdateUser(ctx, id, xinfang.UserChange{Name: &name, UnitID: &unit, Phone: &phone})
		case xinfang.AccountDeactivate:
			_, err = s.Directory.DeactivateUser(ctx, id)
		case xinfang.AccountActivate:
			_, err = s.Directory.ActivateUser(ctx, id)
		case xinfang.AccountRoles:
			_, err = s.Directory.SetUserRoles(ctx, id, formCodes[xinfang.Role](f["roles"]))
		case xinfang.AccountResetPassword:
			_, err = s.Directory.ResetPassword(ctx, id, f.Get("password"))
			f.Del("password") // never written back into the page
		case xinfang.AccountUnlock:
			_, err = s.Directory.UnlockUser(ctx, id)
		}
		if err != nil {
			if code := xinfang.ErrorCode(err); code != xinfang.EINVALID && code != xinfang.ECONFLICT {
				return err
			}
			return s.renderUser(w, r, id, string(a), f, err, statusOf(xinfang.ErrorCode(err)))
		}
		http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?saved="+string(a), http.StatusSeeOther)
		return nil
	}
}
