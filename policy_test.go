package xinfang_test

import (
	"sort"
	"strings"
	"testing"

	"xinfang"
)

// The unit tree of the policy tests:
//
//	city /1/ ─┬─ bureau /1/2/ (信访局)
//	          ├─ joint /1/3/ (联席办)
//	          ├─ discipline /1/4/ (纪委监委)
//	          ├─ department /1/8/ (市直部门)
//	          ├─ town /1/5/ ── village /1/5/6/
//	          └─ other /1/7/ (another town)
var policyUnits = map[string]*xinfang.Unit{
	"city":       {ID: 1, Kind: xinfang.UnitCity, Path: "/1/"},
	"bureau":     {ID: 2, Kind: xinfang.UnitBureau, Path: "/1/2/"},
	"joint":      {ID: 3, Kind: xinfang.UnitJoint, Path: "/1/3/"},
	"discipline": {ID: 4, Kind: xinfang.UnitDiscipline, Path: "/1/4/"},
	"town":       {ID: 5, Kind: xinfang.UnitTown, Path: "/1/5/"},
	"village":    {ID: 6, Kind: xinfang.UnitVillage, Path: "/1/5/6/"},
	"other":      {ID: 7, Kind: xinfang.UnitTown, Path: "/1/7/"},
	"department": {ID: 8, Kind: xinfang.UnitDepartment, Path: "/1/8/"},
}

// actorUnits are the units an actor sits at in the tests of rules that
// depend on the actor's unit only.
var actorUnits = []string{"city", "bureau", "joint", "discipline", "department", "town", "village"}

func policyUser(id int64, unit string, roles ...xinfang.Role) *xinfang.User {
	u := policyUnits[unit]
	return &xinfang.User{ID: id, UnitID: u.ID, Unit: u, Roles: roles}
}

// roleTable is the expectation of a rule for every role: the situations
// (unit names, or situation names) in which it answers true, space
// separated; "all" for every situation, "" for none. A role missing from
// the table fails the test, so that a new role forces a decision.
type roleTable map[xinfang.Role]string

func (tab roleTable) want(t *testing.T, r xinfang.Role, situation string, all []string) bool {
	t.Helper()
	w, ok := tab[r]
	if !ok {
		t.Fatalf("the table has no row for role %s", r)
	}
	if w == "all" {
		return true
	}
	for _, s := range strings.Fields(w) {
		if !contains(all, s) {
			t.Fatalf("role %s: unknown situation %q", r, s)
		}
		if s == situation {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// everyRole runs check for every role of xinfang.Roles in every
// situation and compares with tab.
func everyRole(t *testing.T, tab roleTable, situations []string, check func(r xinfang.Role, situation string) bool) {
	t.Helper()
	if len(tab) != len(xinfang.Roles) {
		t.Errorf("the table has %d rows for %d roles", len(tab), len(xinfang.Roles))
	}
	for _, l := range xinfang.Roles {
		r := xinfang.Role(l.Code)
		for _, s := range situations {
			t.Run(string(r)+"/"+s, func(t *testing.T) {
				if got, want := check(r, s), tab.want(t, r, s, situations); got != want {
					t.Errorf("%s at %s: %v, want %v", r, s, got, want)
				}
			})
		}
	}
}

// Rules on the actor alone: role × the unit the actor sits at.
func TestPolicyByRoleAndUnit(t *testing.T) {
	const cityBodies = "city bureau joint discipline"
	tests := []struct {
		name string
		rule func(*xinfang.User) bool
		tab  roleTable
	}{
		// README: registrars, and handlers and heads of a body that receives an item directly.
		{"CanRegister", xinfang.CanRegister, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "all", xinfang.RoleHandler: "all", xinfang.RoleUnitHead: "all",
			xinfang.RoleSupervisor: "", xinfang.RoleLeader: "", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		{"CanAdminister", xinfang.CanAdminister, roleTable{
			xinfang.RoleAdmin: "all", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "",
			xinfang.RoleSupervisor: "", xinfang.RoleLeader: "", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		// The staff with a data scope have the case ledger.
		{"CanReadCases", xinfang.CanReadCases, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "all", xinfang.RoleHandler: "all", xinfang.RoleUnitHead: "all",
			xinfang.RoleSupervisor: "all", xinfang.RoleLeader: "all", xinfang.RoleInspector: "all", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		// Filing a case and splitting a petition: the five working roles, not inspectors.
		{"CanWorkOnCase(nil)", func(u *xinfang.User) bool { return xinfang.CanWorkOnCase(u, nil) }, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "all", xinfang.RoleHandler: "all", xinfang.RoleUnitHead: "all",
			xinfang.RoleSupervisor: "all", xinfang.RoleLeader: "all", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		{"CanWriteInstructions", xinfang.CanWriteInstructions, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "",
			xinfang.RoleSupervisor: "", xinfang.RoleLeader: "all", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		{"CanLeadCase", xinfang.CanLeadCase, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "",
			xinfang.RoleSupervisor: "", xinfang.RoleLeader: "all", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		// 督查员 and 领导 anywhere; the 单位负责人 of the 信访局 or 联席办.
		{"CanIssueSupervision(nil)", func(u *xinfang.User) bool { return xinfang.CanIssueSupervision(u, nil) }, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "bureau joint",
			xinfang.RoleSupervisor: "all", xinfang.RoleLeader: "all", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		// An inspector of a 纪委监委 unit, nobody else — not an inspector placed elsewhere.
		{"CanInspect", xinfang.CanInspect, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "",
			xinfang.RoleSupervisor: "", xinfang.RoleLeader: "", xinfang.RoleInspector: "discipline", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		// Inspectors, and supervisors and leaders who see the whole city.
		{"CanReadDiscipline", xinfang.CanReadDiscipline, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "",
			xinfang.RoleSupervisor: cityBodies, xinfang.RoleLeader: cityBodies, xinfang.RoleInspector: "discipline", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		// Inspectors and city-wide supervisors; leaders read only.
		{"CanWriteLetters", xinfang.CanWriteLetters, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "",
			xinfang.RoleSupervisor: cityBodies, xinfang.RoleLeader: "", xinfang.RoleInspector: "discipline", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		// Import: the 信访局's registrars and head, nobody else (README "Import").
		{"CanImport", xinfang.CanImport, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "bureau", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "bureau",
			xinfang.RoleSupervisor: "", xinfang.RoleLeader: "", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
		// Any accountability record at all: staff with a data scope.
		{"CanReadAccountability(nil)", func(u *xinfang.User) bool { return xinfang.CanReadAccountability(u, nil) }, roleTable{
			xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "all", xinfang.RoleHandler: "all", xinfang.RoleUnitHead: "all",
			xinfang.RoleSupervisor: "all", xinfang.RoleLeader: "all", xinfang.RoleInspector: "all", xinfang.RoleLawyer: "",
			xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			everyRole(t, tc.tab, actorUnits, func(r xinfang.Role, unit string) bool {
				return tc.rule(policyUser(100, unit, r))
			})
			if tc.rule(nil) {
				t.Error("nil user allowed")
			}
		})
	}
}

// A user without a loaded unit is refused by the rules that look at the
// unit, and by the rules on roles only as far as the roles say.
func TestPolicyUserWithoutUnit(t *testing.T) {
	u := &xinfang.User{ID: 1, UnitID: 2, Roles: []xinfang.Role{xinfang.RoleSupervisor, xinfang.RoleLeader, xinfang.RoleUnitHead, xinfang.RoleInspector}}
	for name, got := range map[string]bool{
		"CanIssueSupervision":   xinfang.CanIssueSupervision(u, nil),
		"CanInspect":            xinfang.CanInspect(u),
		"CanReadDiscipline":     xinfang.CanReadDiscipline(u),
		"CanWriteLetters":       xinfang.CanWriteLetters(u),
		"CanReadAccountability": xinfang.CanReadAccountability(u, nil),
		"CanImport":             xinfang.CanImport(&xinfang.User{ID: 1, UnitID: 2, Roles: []xinfang.Role{xinfang.RoleRegistrar}}),
	} {
		if got {
			t.Errorf("%s without a unit: true", name)
		}
	}
	if err := xinfang.CheckIssueSupervision(u, nil); xinfang.ErrorCode(err) != xinfang.EUNAUTHORIZED {
		t.Errorf("CheckIssueSupervision without a unit: %v", err)
	}
}

// The case's own people work on it whatever their role; the others by role.
func TestCanWorkOnCase(t *testing.T) {
	const me = 100
	people := map[string]*xinfang.Case{
		"stranger": {LeaderID: 1, Team: []xinfang.CaseMember{{UserID: 2}, {Name: "刘律师"}}, Plan: []*xinfang.PlanStep{{OwnerID: 3}}, Tasks: []*xinfang.Task{{OwnerUserID: 4}}},
		"leader":   {LeaderID: me},
		"team":     {LeaderID: 1, Team: []xinfang.CaseMember{{UserID: 2}, {UserID: me}}},
		"step":     {LeaderID: 1, Plan: []*xinfang.PlanStep{{OwnerID: 3}, {OwnerID: me}}},
		"task":     {LeaderID: 1, Tasks: []*xinfang.Task{{OwnerUserID: me}}},
	}
	situations := []string{"stranger", "leader", "team", "step", "task"}
	const own = "leader team step task"
	tab := roleTable{
		xinfang.RoleAdmin: own, xinfang.RoleRegistrar: "all", xinfang.RoleHandler: "all", xinfang.RoleUnitHead: "all",
		xinfang.RoleSupervisor: "all", xinfang.RoleLeader: "all", xinfang.RoleInspector: own, xinfang.RoleLawyer: own,
		xinfang.RoleExpert: own, xinfang.RoleMediator: own, xinfang.RoleObserver: own, xinfang.RoleAuditor: own, xinfang.RoleSecurityAdmin: own,
	}
	everyRole(t, tab, situations, func(r xinfang.Role, s string) bool {
		return xinfang.CanWorkOnCase(policyUser(me, "town", r), people[s])
	})
	if xinfang.CanWorkOnCase(nil, people["stranger"]) {
		t.Error("nil user may work on a case")
	}
	// A user without an id (not loaded) is nobody's own person.
	if xinfang.CanWorkOnCase(&xinfang.User{Roles: []xinfang.Role{xinfang.RoleLawyer}}, &xinfang.Case{}) {
		t.Error("user 0 is the own person of a case without a leader")
	}
}

// 督办单 targets: an actor at a unit and a target unit.
var supervisionTargets = map[string][2]string{
	"own":          {"town", "town"},
	"sub":          {"town", "village"},
	"other":        {"town", "other"},
	"above":        {"village", "town"},
	"city":         {"city", "town"},
	"bureau":       {"bureau", "town"},
	"joint":        {"joint", "town"},
	"discipline":   {"discipline", "town"},
	"department":   {"department", "town"},
	"city-to-city": {"city", "city"},
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Outside the city-wide bodies one supervises one's own unit and the units
// below it; the city-wide bodies supervise every unit.
func TestCanIssueSupervisionTo(t *testing.T) {
	const reach = "own sub city bureau joint discipline city-to-city"
	tab := roleTable{
		xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "bureau joint",
		xinfang.RoleSupervisor: reach, xinfang.RoleLeader: reach, xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
		xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: "",
	}
	everyRole(t, tab, keys(supervisionTargets), func(r xinfang.Role, s string) bool {
		at := supervisionTargets[s]
		u := policyUser(100, at[0], r)
		got := xinfang.CanIssueSupervision(u, policyUnits[at[1]])
		// The checked form agrees: nil, or 403 before the target, or 422 on the target.
		err := xinfang.CheckIssueSupervision(u, policyUnits[at[1]])
		switch {
		case got && err != nil:
			t.Errorf("allowed but CheckIssueSupervision: %v", err)
		case !got && !xinfang.CanIssueSupervision(u, nil):
			if xinfang.ErrorCode(err) != xinfang.EFORBIDDEN || xinfang.ErrorMessage(err) != "仅督查员、领导及信访局、联席办负责人可以发出督办单" {
				t.Errorf("may not issue: %v", err)
			}
		case !got:
			if xinfang.ErrorFields(err)["target_unit_id"] != "只能督办本单位及下级单位" {
				t.Errorf("out of reach: %v", err)
			}
		}
		return got
	})
}

// The issuing side of a 督办单 issued by a leader (id 1) of the town to
// its village: who reminds and closes.
func TestCanRemindAndClose(t *testing.T) {
	s := &xinfang.Supervision{IssuerID: 1, IssuerUnitID: 5, IssuerPath: "/1/5/", TargetUnitID: 6, TargetPath: "/1/5/6/"}
	situations := []string{"city", "bureau", "joint", "discipline", "department", "town", "village", "other"}
	// At or above the issuing unit (town, city), or city-wide (the
	// 信访局's head sees the whole city; the 联席办's head may issue but
	// does not see the whole city, so he is not the side of a town's order).
	const side = "city bureau joint discipline town"
	tab := roleTable{
		xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "bureau",
		xinfang.RoleSupervisor: side, xinfang.RoleLeader: side, xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
		xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: "",
	}
	for name, rule := range map[string]func(*xinfang.User, *xinfang.Supervision) bool{
		"CanRemind": xinfang.CanRemind, "CanCloseSupervision": xinfang.CanCloseSupervision,
	} {
		t.Run(name, func(t *testing.T) {
			everyRole(t, tab, situations, func(r xinfang.Role, unit string) bool {
				return rule(policyUser(100, unit, r), s)
			})
		})
	}
	// The issuer himself, moved to another town, is still the issuing
	// side — as long as he may issue.
	if !xinfang.CanRemind(policyUser(1, "other", xinfang.RoleSupervisor), s) {
		t.Error("the issuer at another unit may not remind")
	}
	if xinfang.CanRemind(policyUser(1, "other", xinfang.RoleHandler), s) {
		t.Error("the issuer who may no longer issue may remind")
	}
	if xinfang.CanRemind(nil, s) {
		t.Error("nil user may remind")
	}
}

// The feedback on a 督办单 to the town comes from the town itself: its
// handlers and head, not the units above or below it.
func TestCanAnswerSupervision(t *testing.T) {
	s := &xinfang.Supervision{IssuerID: 1, IssuerUnitID: 1, IssuerPath: "/1/", TargetUnitID: 5, TargetPath: "/1/5/"}
	tab := roleTable{
		xinfang.RoleAdmin: "", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "town", xinfang.RoleUnitHead: "town",
		xinfang.RoleSupervisor: "", xinfang.RoleLeader: "", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
		xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: "",
	}
	situations := append([]string{"other"}, actorUnits...)
	for name, rule := range map[string]func(*xinfang.User, *xinfang.Supervision) bool{
		"CanAnswerSupervision": xinfang.CanAnswerSupervision,
	} {
		t.Run(name, func(t *testing.T) {
			everyRole(t, tab, situations, func(r xinfang.Role, unit string) bool {
				return rule(policyUser(100, unit, r), s)
			})
		})
	}
	if xinfang.CanAnswerSupervision(nil, s) {
		t.Error("nil user may answer")
	}
}

// Accountability records and letters of the town: the discipline readers
// read all; other staff their own subtree, or all with a city-wide scope.
func TestCanReadAccountability(t *testing.T) {
	records := map[string][2]string{ // actor unit, record unit
		"own":        {"town", "town"},
		"sub":        {"town", "village"},
		"other":      {"town", "other"},
		"above":      {"village", "town"},
		"city":       {"city", "town"},
		"bureau":     {"bureau", "town"},
		"joint":      {"joint", "town"},
		"discipline": {"discipline", "town"},
		"department": {"department", "town"},
	}
	// A city-wide petition scope is no reason to read every unit's 问责:
	// the 信访局's registrars and head read their own unit's only.
	const subtree = "own sub city"
	const cityWide = "own sub city bureau joint discipline"
	tab := roleTable{
		xinfang.RoleAdmin: "", xinfang.RoleRegistrar: subtree, xinfang.RoleHandler: subtree, xinfang.RoleUnitHead: subtree,
		xinfang.RoleSupervisor: cityWide, xinfang.RoleLeader: cityWide, xinfang.RoleInspector: subtree + " discipline", xinfang.RoleLawyer: "",
		xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: "",
	}
	everyRole(t, tab, keys(records), func(r xinfang.Role, s string) bool {
		at := records[s]
		return xinfang.CanReadAccountability(policyUser(100, at[0], r), policyUnits[at[1]])
	})
}

// A 督办单 on a petition goes only to a unit whose staff see the item; a
// 检举控告 only to the 纪委监委 handling it.
func TestCanTargetSupervision(t *testing.T) {
	u := policyUnits
	item := func(reg, handling string, purpose xinfang.Purpose) *xinfang.Petition {
		p := &xinfang.Petition{RegUnit: u[reg], Purpose: purpose}
		if handling != "" {
			p.HandlingUnit = u[handling]
		}
		return p
	}
	tests := []struct {
		target string
		p      *xinfang.Petition
		want   bool
	}{
		{"town", item("bureau", "village", xinfang.PurposeClaim), true},
		{"village", item("bureau", "village", xinfang.PurposeClaim), true},
		{"other", item("bureau", "village", xinfang.PurposeClaim), false},
		{"town", item("town", "", xinfang.PurposeClaim), true},
		{"town", item("bureau", "", xinfang.PurposeClaim), false},
		{"bureau", item("bureau", "town", xinfang.PurposeClaim), true},
		{"department", item("bureau", "town", xinfang.PurposeClaim), false},
		{"town", item("bureau", "town", xinfang.PurposeAccusation), false},
		{"town", item("town", "discipline", xinfang.PurposeAccusation), false},
		{"discipline", item("bureau", "discipline", xinfang.PurposeAccusation), true},
		{"discipline", item("bureau", "", xinfang.PurposeAccusation), false},
	}
	for _, tt := range tests {
		if got := xinfang.CanTargetSupervision(u[tt.target], tt.p); got != tt.want {
			t.Errorf("target %s, item registered at %s handled at %v (%s): %v, want %v", tt.target, tt.p.RegUnit.Kind, tt.p.HandlingUnit, tt.p.Purpose, got, tt.want)
		}
	}
	if xinfang.CanTargetSupervision(nil, item("town", "", xinfang.PurposeClaim)) || xinfang.CanTargetSupervision(u["town"], nil) {
		t.Error("a nil target or item is accepted")
	}
}

// 三员分立: who administers, who grants roles, who reads the accounts, and
// that none of the three administrators has a data scope.
func TestAdministratorsByRole(t *testing.T) {
	const none = ""
	content := func(v string) roleTable {
		return roleTable{
			xinfang.RoleRegistrar: v, xinfang.RoleHandler: v, xinfang.RoleUnitHead: v, xinfang.RoleSupervisor: v, xinfang.RoleLeader: v,
			xinfang.RoleInspector: v, xinfang.RoleLawyer: none, xinfang.RoleExpert: none, xinfang.RoleMediator: none, xinfang.RoleObserver: none,
		}
	}
	with := func(tab roleTable, admin, security, auditor string) roleTable {
		tab[xinfang.RoleAdmin], tab[xinfang.RoleSecurityAdmin], tab[xinfang.RoleAuditor] = admin, security, auditor
		return tab
	}
	tests := []struct {
		name string
		rule func(*xinfang.User) bool
		tab  roleTable
	}{
		{"CanAdminister", xinfang.CanAdminister, with(content(none), "all", none, none)},
		{"CanManageRoles", xinfang.CanManageRoles, with(content(none), none, "all", none)},
		{"CanReadAccounts", xinfang.CanReadAccounts, with(content(none), "all", "all", none)},
		// The staff with a data scope; none of the three administrators.
		{"has a data scope", func(u *xinfang.User) bool { return !xinfang.ScopeOf(u).None }, with(content("all"), none, none, none)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			everyRole(t, tc.tab, actorUnits, func(r xinfang.Role, unit string) bool {
				return tc.rule(policyUser(100, unit, r))
			})
			if tc.rule(nil) {
				t.Error("nil user allowed")
			}
		})
	}
}

// One administrator role alone, or content roles in any combination: every
// pair of roles.
func TestCheckRoleSet(t *testing.T) {
	admin := map[xinfang.Role]bool{xinfang.RoleAdmin: true, xinfang.RoleSecurityAdmin: true, xinfang.RoleAuditor: true}
	for _, a := range xinfang.Roles {
		ra := xinfang.Role(a.Code)
		if err := xinfang.CheckRoleSet([]xinfang.Role{ra}); err != nil {
			t.Errorf("%s alone: %v", ra, err)
		}
		for _, b := range xinfang.Roles {
			rb := xinfang.Role(b.Code)
			err := xinfang.CheckRoleSet([]xinfang.Role{ra, rb})
			want := ra != rb && !admin[ra] && !admin[rb]
			if (err == nil) != want {
				t.Errorf("%s + %s: %v, want allowed %v", ra, rb, err, want)
			}
			if err != nil && xinfang.ErrorFields(err)["roles"] == "" {
				t.Errorf("%s + %s: %v does not name roles", ra, rb, err)
			}
		}
	}
	if err := xinfang.CheckRoleSet(nil); err != nil {
		t.Errorf("no roles: %v", err)
	}
	err := xinfang.CheckRoleSet([]xinfang.Role{xinfang.RoleAdmin, xinfang.RoleRegistrar, xinfang.RoleHandler})
	if got := xinfang.ErrorFields(err)["roles"]; got != "系统管理员不能兼任业务角色（三员分立）" {
		t.Errorf("admin + content: %q", got)
	}
	// Validate applies the rule to every account it checks.
	u := &xinfang.User{Username: "mixed", Name: "兼任", UnitID: 1, Roles: []xinfang.Role{xinfang.RoleHandler, xinfang.RoleAuditor}}
	if xinfang.ErrorFields(u.Validate())["roles"] == "" {
		t.Error("Validate accepts an auditor who handles items")
	}
	u.Roles = nil
	if err := u.Validate(); err != nil {
		t.Errorf("an account without roles: %v", err)
	}
}

// Who takes which action on whose account: the system admin edits,
// deactivates and activates; the security admin changes roles, resets
// passwords and unlocks; nobody but the editor acts on his own account.
func TestCanChangeAccount(t *testing.T) {
	var situations []string
	for _, a := range xinfang.AccountActions {
		situations = append(situations, a.Code+"/self", a.Code+"/other")
	}
	tab := roleTable{
		xinfang.RoleAdmin: "edit/self edit/other deactivate/other activate/other", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "",
		xinfang.RoleUnitHead: "", xinfang.RoleSupervisor: "", xinfang.RoleLeader: "", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
		xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "",
		xinfang.RoleSecurityAdmin: "roles/other reset_password/other unlock/other",
	}
	everyRole(t, tab, situations, func(r xinfang.Role, s string) bool {
		action, whose, _ := strings.Cut(s, "/")
		actor := policyUser(100, "city", r)
		target := policyUser(200, "town", xinfang.RoleHandler)
		if whose == "self" {
			target = actor
		}
		got := xinfang.CanChangeAccount(actor, xinfang.AccountAction(action), target)
		// The checked form agrees, and says why it refuses.
		err := xinfang.CheckAccountAction(actor, xinfang.AccountAction(action), target)
		if got != (err == nil) {
			t.Errorf("CanChangeAccount %v, CheckAccountAction %v", got, err)
		}
		if err != nil && xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			t.Errorf("refused with %v, want forbidden", err)
		}
		return got
	})
	handler := policyUser(200, "town", xinfang.RoleHandler)
	if xinfang.CanChangeAccount(nil, xinfang.AccountEdit, handler) || xinfang.ErrorCode(xinfang.CheckAccountAction(nil, xinfang.AccountEdit, handler)) != xinfang.EUNAUTHORIZED {
		t.Error("nil actor")
	}
	if xinfang.CanChangeAccount(policyUser(100, "city", xinfang.RoleAdmin), "rename", handler) {
		t.Error("an unknown action is allowed")
	}
}

// An account of an older database holding an administrator role beside
// content roles takes no change but its new roles and its deactivation.
func TestMixedAccountIsCorrectedFirst(t *testing.T) {
	admin := policyUser(1, "city", xinfang.RoleAdmin)
	security := policyUser(2, "city", xinfang.RoleSecurityAdmin)
	mixed := policyUser(3, "bureau", xinfang.RoleAdmin, xinfang.RoleRegistrar)
	tests := []struct {
		actor  *xinfang.User
		action xinfang.AccountAction
		ok     bool
	}{
		{admin, xinfang.AccountEdit, false},
		{admin, xinfang.AccountActivate, false},
		{admin, xinfang.AccountDeactivate, true},
		{security, xinfang.AccountResetPassword, false},
		{security, xinfang.AccountUnlock, false},
		{security, xinfang.AccountRoles, true},
	}
	for _, tt := range tests {
		err := xinfang.CheckAccountAction(tt.actor, tt.action, mixed)
		if tt.ok && err != nil {
			t.Errorf("%s: %v", tt.action, err)
		}
		if !tt.ok && xinfang.ErrorFields(err)["roles"] == "" {
			t.Errorf("%s: %v, want 422 on roles", tt.action, err)
		}
	}
	// The correction itself must follow the rule.
	if xinfang.ErrorFields(xinfang.CheckRoles(security, mixed, mixed.Roles))["roles"] == "" {
		t.Error("the security admin may keep admin + registrar")
	}
	if err := xinfang.CheckRoles(security, mixed, []xinfang.Role{xinfang.RoleRegistrar}); err != nil {
		t.Errorf("the correction to registrar: %v", err)
	}
}

// What the security admin may grant: admin and content roles within the
// rule, to others; security admin and auditor neither granted nor taken.
func TestCheckRoles(t *testing.T) {
	security := policyUser(1, "city", xinfang.RoleSecurityAdmin)
	handler := policyUser(2, "town", xinfang.RoleHandler)
	auditor := policyUser(3, "city", xinfang.RoleAuditor)
	other := policyUser(4, "city", xinfang.RoleSecurityAdmin)
	fresh := policyUser(5, "town")
	r := func(rs ...xinfang.Role) []xinfang.Role { return rs }
	tests := []struct {
		name   string
		actor  *xinfang.User
		target *xinfang.User
		roles  []xinfang.Role
		code   string // "" allowed
		field  string
	}{
		{"content roles to a new account", security, fresh, r(xinfang.RoleRegistrar, xinfang.RoleHandler), "", ""},
		{"another content role", security, handler, r(xinfang.RoleHandler, xinfang.RoleUnitHead), "", ""},
		{"revoke every role", security, handler, nil, "", ""},
		{"make a system admin", security, fresh, r(xinfang.RoleAdmin), "", ""},
		{"admin and content", security, fresh, r(xinfang.RoleAdmin, xinfang.RoleHandler), xinfang.EINVALID, "roles"},
		{"auditor and content", security, fresh, r(xinfang.RoleAuditor, xinfang.RoleLeader), xinfang.EINVALID, "roles"},
		{"two admin roles", security, fresh, r(xinfang.RoleAdmin, xinfang.RoleSecurityAdmin), xinfang.EINVALID, "roles"},
		{"grant security admin", security, fresh, r(xinfang.RoleSecurityAdmin), xinfang.EINVALID, "roles"},
		{"grant auditor", security, fresh, r(xinfang.RoleAuditor), xinfang.EINVALID, "roles"},
		{"revoke auditor", security, auditor, r(xinfang.RoleHandler), xinfang.EINVALID, "roles"},
		{"revoke another security admin", security, other, nil, xinfang.EINVALID, "roles"},
		{"unknown role", security, fresh, r("king"), xinfang.EINVALID, "roles"},
		{"to itself", security, security, r(xinfang.RoleSecurityAdmin), xinfang.EFORBIDDEN, ""},
		{"itself a leader", security, security, r(xinfang.RoleLeader), xinfang.EFORBIDDEN, ""},
		{"the system admin grants", policyUser(6, "city", xinfang.RoleAdmin), fresh, r(xinfang.RoleHandler), xinfang.EFORBIDDEN, ""},
		{"the system admin makes itself a leader", policyUser(6, "city", xinfang.RoleAdmin), policyUser(6, "city", xinfang.RoleAdmin), r(xinfang.RoleLeader), xinfang.EFORBIDDEN, ""},
		{"a leader grants", policyUser(7, "city", xinfang.RoleLeader), fresh, r(xinfang.RoleHandler), xinfang.EFORBIDDEN, ""},
		{"nobody signed in", nil, fresh, r(xinfang.RoleHandler), xinfang.EUNAUTHORIZED, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := xinfang.CheckRoles(tt.actor, tt.target, tt.roles)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if xinfang.ErrorCode(err) != tt.code || (tt.field != "" && xinfang.ErrorFields(err)[tt.field] == "") {
				t.Fatalf("err = %v, want %s naming %q", err, tt.code, tt.field)
			}
		})
	}
}

// Accounts are opened by the system admin without roles, or by the
// command line (no actor) with at least one.
func TestCheckNewAccount(t *testing.T) {
	bare := &xinfang.User{Username: "new.one", Name: "新人", UnitID: 5}
	withRole := &xinfang.User{Username: "new.one", Name: "新人", UnitID: 5, Roles: []xinfang.Role{xinfang.RoleHandler}}
	tab := roleTable{
		xinfang.RoleAdmin: "all", xinfang.RoleRegistrar: "", xinfang.RoleHandler: "", xinfang.RoleUnitHead: "",
		xinfang.RoleSupervisor: "", xinfang.RoleLeader: "", xinfang.RoleInspector: "", xinfang.RoleLawyer: "",
		xinfang.RoleExpert: "", xinfang.RoleMediator: "", xinfang.RoleObserver: "", xinfang.RoleAuditor: "", xinfang.RoleSecurityAdmin: "",
	}
	everyRole(t, tab, actorUnits, func(r xinfang.Role, unit string) bool {
		actor := policyUser(100, unit, r)
		err := xinfang.CheckNewAccount(actor, bare)
		if err != nil && xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			t.Errorf("refused with %v", err)
		}
		// Nobody opens an account with a role in the browser.
		if xinfang.CheckNewAccount(actor, withRole) == nil {
			t.Error("opened an account with a role")
		}
		return err == nil
	})
	if xinfang.ErrorFields(xinfang.CheckNewAccount(policyUser(1, "city", xinfang.RoleAdmin), withRole))["roles"] == "" {
		t.Error("the system admin's account with a role is not 422 on roles")
	}
	if err := xinfang.CheckNewAccount(nil, withRole); err != nil {
		t.Errorf("the command line: %v", err)
	}
	if xinfang.ErrorFields(xinfang.CheckNewAccount(nil, bare))["roles"] == "" {
		t.Error("the command line opens an account without roles")
	}
}
