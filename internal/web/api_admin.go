package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// apiUnitNode is a unit with the units directly below it.
type apiUnitNode struct {
	*xinfang.Unit
	Children []*apiUnitNode `json:"children"`
}

// apiUnitTree nests units (ordered by path, parents first) under their parents.
func apiUnitTree(units []*xinfang.Unit) []*apiUnitNode {
	byID := map[int64]*apiUnitNode{}
	roots := []*apiUnitNode{}
	for _, u := range units {
		n := &apiUnitNode{Unit: u, Children: []*apiUnitNode{}}
		byID[u.ID] = n
		if parent, ok := byID[u.ParentID]; ok {
			parent.Children = append(parent.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return roots
}

func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) error {
	units, err := s.Directory.FindUnits(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*apiUnitNode]{Items: apiUnitTree(units)})
	return nil
}

func (s *Server) apiCreateUnit(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ParentID   int64            `json:"parent_id"`
		Code       string           `json:"code"`
		Name       string           `json:"name"`
		Kind       xinfang.UnitKind `json:"kind"`
		RegionCode string           `json:"region_code"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u := &xinfang.Unit{ParentID: in.ParentID, Code: strings.TrimSpace(in.Code), Name: in.Name, Kind: in.Kind, RegionCode: strings.TrimSpace(in.RegionCode)}
	if err := s.Directory.CreateUnit(r.Context(), u); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

// apiAccount is an account as the administrators see it: the user, whether
// failed logins lock it now and until when, and what is wrong with roles
// that break 三员分立 (accounts of older databases, until corrected).
type apiAccount struct {
	*xinfang.User
	Locked      bool       `json:"locked"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	RoleProblem string     `json:"role_problem,omitempty"`
}

func (s *Server) account(u *xinfang.User) apiAccount {
	a := apiAccount{User: u, Locked: u.Locked(s.Now())}
	if a.Locked {
		a.LockedUntil = &u.LockedUntil
	}
	if err := xinfang.CheckRoleSet(u.Roles); err != nil {
		a.RoleProblem = xinfang.ErrorFields(err)["roles"]
	}
	return a
}

// userFilter reads the filter of the account list: the API's query and the
// page's alike.
func userFilter(q *apiQuery) xinfang.UserFilter {
	return xinfang.UserFilter{Text: q.str("q"), UnitID: q.id("unit_id"), Role: xinfang.Role(q.str("role")), State: xinfang.AccountState(q.str("state"))}
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := userFilter(q)
	if err := q.err(); err != nil {
		return err
	}
	users, err := s.Directory.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]apiAccount, len(users))
	for i, u := range users {
		out[i] = s.account(u)
	}
	writeJSON(w, http.StatusOK, apiList[apiAccount]{Items: out})
	return nil
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string         `json:"username"`
		Name     string         `json:"name"`
		UnitID   int64          `json:"unit_id"`
		Roles    []xinfang.Role `json:"roles"`
		Phone    string         `json:"phone"`
		Password string         `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	// An account an administrator opens gets a password somebody else
	// knows: it must be changed at first login (security.md). It carries
	// no roles: the security admin grants them (roles given are refused).
	u := &xinfang.User{Username: strings.TrimSpace(in.Username), Name: strings.TrimSpace(in.Name), UnitID: in.UnitID, Roles: in.Roles,
		Phone: strings.TrimSpace(in.Phone), MustChangePassword: true}
	if err := s.Directory.CreateUser(r.Context(), u, in.Password); err != nil {
		return err
	}
	if full, err := s.Directory.FindAccount(r.Context(), u.ID); err == nil {
		u = full
	}
	writeJSON(w, http.StatusCreated, s.account(u))
	return nil
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, func(ctx context.Context, id int64) (apiAccount, error) {
		return s.accountOr(s.Directory.FindAccount(ctx, id))
	})
}

// accountOr is the account as the administrators see it, or err.
func (s *Server) accountOr(u *xinfang.User, err error) (apiAccount, error) {
	if err != nil {
		return apiAccount{}, err
	}
	return s.account(u), nil
}

// accountAction answers a POST on account {id} without a body: deactivate,
// activate, unlock (a method of DirectoryStore).
func accountAction(change func(DirectoryStore, context.Context, int64) (*xinfang.User, error)) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		return serveByID(w, r, func(ctx context.Context, id int64) (apiAccount, error) {
			return s.accountOr(change(s.Directory, ctx, id))
		})
	}
}

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) error {
	return serveChange(w, r, http.StatusOK, func(ctx context.Context, id int64, ch xinfang.UserChange) (apiAccount, error) {
		return s.accountOr(s.Directory.UpdateUser(ctx, id, ch))
	})
}

func (s *Server) apiSetUserRoles(w http.ResponseWriter, r *http.Request) error {
	type rolesInput struct {
		Roles []xinfang.Role `json:"roles"`
	}
	return serveChange(w, r, http.StatusOK, func(ctx context.Context, id int64, in rolesInput) (apiAccount, error) {
		return s.accountOr(s.Directory.SetUserRoles(ctx, id, in.Roles))
	})
}

func (s *Server) apiResetPassword(w http.ResponseWriter, r *http.Request) error {
	type resetInput struct {
		Password string `json:"password"`
	}
	return serveChange(w, r, http.StatusOK, func(ctx context.Context, id int64, in resetInput) (apiAccount, error) {
		return s.accountOr(s.Directory.ResetPassword(ctx, id, in.Password))
	})
}

func (s *Server) apiUpdateUnit(w http.ResponseWriter, r *http.Request) error {
	return serveChange(w, r, http.StatusOK, s.Directory.UpdateUnit)
}

// unitAction answers a POST on unit {id} without a body: deactivate,
// activate (a method of DirectoryStore).
func unitAction(change func(DirectoryStore, context.Context, int64) (*xinfang.Unit, error)) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		return serveByID(w, r, func(ctx context.Context, id int64) (*xinfang.Unit, error) { return change(s.Directory, ctx, id) })
	}
}

func (s *Server) apiDictionary(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	kind := xinfang.DictKind(q.str("kind"))
	if kind != "" && !kind.Valid() {
		q.p.Add("kind", "未知的字典")
	}
	if err := q.err(); err != nil {
		return err
	}
	entries, err := s.Directory.Dictionary(r.Context(), kind)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []xinfang.DictEntry{}
	}
	writeJSON(w, http.StatusOK, apiList[xinfang.DictEntry]{Items: entries})
	return nil
}

func (s *Server) apiSaveDictEntry(w http.ResponseWriter, r *http.Request) error {
	var e xinfang.DictEntry
	if err := decodeJSON(r, &e); err != nil {
		return err
	}
	if err := s.Directory.SaveDictEntry(r.Context(), e); err != nil {
		return err
	}
	e.Code, e.Label = strings.TrimSpace(e.Code), strings.TrimSpace(e.Label)
	writeJSON(w, http.StatusOK, e)
	return nil
}

// apiLabelLists are the fixed code lists of the domain with their Chinese labels,
// so that a client shows what the pages show.
var apiLabelLists = func() map[string][]xinfang.Label {
	clocks := make([]xinfang.Label, len(procedure.ClockDefs))
	for i, d := range procedure.ClockDefs {
		clocks[i] = xinfang.Label{Code: string(d.Kind), Label: d.Label}
	}
	return map[string][]xinfang.Label{
		"states": xinfang.States, "actions": xinfang.Actions, "channels": xinfang.Channels, "purposes": xinfang.Purposes,
		"outcomes": xinfang.Outcomes, "warnings": xinfang.Warnings, "delivery_methods": xinfang.DeliveryMethods,
		"petitioner_opinions": xinfang.PetitionerOpinions, "ratings": xinfang.Ratings, "legal_routes": xinfang.LegalRoutes,
		"roles": xinfang.Roles, "unit_kinds": xinfang.UnitKinds, "id_types": xinfang.IDTypes,
		"escalation_levels": xinfang.EscalationLevels, "risk_levels": xinfang.RiskLevels, "clocks": clocks,
		"dictionary_kinds": xinfang.DictKinds, "cross_flags": xinfang.CrossFlags,
	}
}()

func (s *Server) apiLabels(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, apiLabelLists)
	return nil
}

func (s *Server) apiHolidays(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Directory.Holidays(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []calendar.Override{}
	}
	writeJSON(w, http.StatusOK, apiList[calendar.Override]{Items: list})
	return nil
}

func (s *Server) apiSaveHoliday(w http.ResponseWriter, r *http.Request) error {
	d, err := calendar.ParseDate(r.PathValue("date"))
	if err != nil {
		return xinfang.FieldError("date", err.Error())
	}
	var in struct {
		Kind calendar.DayKind `json:"kind"`
		Name string           `json:"name"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	o := calendar.Override{Date: d, Kind: in.Kind, Name: strings.TrimSpace(in.Name)}
	if err := s.Directory.SaveHoliday(r.Context(), o); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}
