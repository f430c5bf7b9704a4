package xinfang

import (
	"slices"
	"strings"
)

// Who may do what: every rule that decides on a user's roles and unit, as
// a pure function over *User (and the target where the rule depends on
// it), so that storage, API and pages ask one question and get one answer
// (security.md "Roles"; README "Who sees a case", "督办单", "Who may do
// what"). What a user sees at all is the data scope (ScopeOf, applied by
// storage); these rules decide what it may do with what it sees. The
// procedure of a petition has its own table (internal/procedure).
//
// Every function answers false for a nil user.

// scopedRoles are the staff roles that carry a data scope (ScopeOf): the
// roles that work on or oversee petitions. The three administrators and
// the outside roles (lawyer, expert, mediator, observer) see no petition
// content, only what they are assigned to.
var scopedRoles = []Role{RoleRegistrar, RoleHandler, RoleUnitHead, RoleSupervisor, RoleLeader, RoleInspector}

// registerRoles take an item in: the registrar of a petition bureau, and the
// handlers and head of any other body that receives one directly (第二十三条).
var registerRoles = []Role{RoleRegistrar, RoleHandler, RoleUnitHead}

// caseWorkerRoles work on the backlog cases they see (README "Who sees a
// case"). Inspectors read cases city-wide but do not work on them.
var caseWorkerRoles = []Role{RoleRegistrar, RoleHandler, RoleUnitHead, RoleSupervisor, RoleLeader}

// CanAdminister reports whether u maintains units, accounts (without their
// roles), dictionaries and the holiday calendar: the 系统管理员
// (security.md "Roles": admin; 三员分立, CheckAccountAction).
func CanAdminister(u *User) bool { return u.Has(RoleAdmin) }

// CanRegister reports whether u may register a petition (登记) and decide
// whether it repeats an earlier one (重复件): a registrar, and the handlers
// and head of a body that receives an item directly (security.md "Roles":
// registrar "register, check repeats"; 第二十三条: any body that receives an
// item registers it).
func CanRegister(u *User) bool { return u.HasAny(registerRoles...) }

// CanImport reports whether u may bring petitions and backlog cases in
// from the bureau's earlier ledger (导入): the registrars and the head of
// the petition bureau. An import registers items for any unit of the city
// under their original numbers, which is the bureau's registration work
// (they alone register for the whole city, ScopeOf), and reads the
// petitioners' personal data of the file, which the system administrator
// may not see (三员分立: admin sees no petition content).
func CanImport(u *User) bool {
	return u != nil && u.Unit != nil && u.Unit.Kind == UnitBureau && u.HasAny(RoleRegistrar, RoleUnitHead)
}

// CanReadCases reports whether u has the case ledger (积案台账) in its
// menu: the staff with a data scope. The case's own people outside those
// roles (a lawyer in the team …) reach their cases by link; what a user
// sees in the ledger is the case scope's business.
func CanReadCases(u *User) bool { return u.HasAny(scopedRoles...) }

// CanWorkOnCase reports whether u may change backlog case c — its fields,
// team, plan, records and transitions — once storage found it in u's
// scope: "Registrars, handlers, unit heads, supervisors and leaders (and
// the case's own people) may work on a case they see" (README "Who sees a
// case"). The case's own people are its 包案领导, team members and the
// owners of its steps and tasks (Case.Involves), whatever their role.
//
// With c nil it answers before there is a case: filing one, and splitting
// a petition into 三跨三分离 tasks, where only the roles count.
func CanWorkOnCase(u *User, c *Case) bool {
	if u == nil {
		return false
	}
	return u.HasAny(caseWorkerRoles...) || (c != nil && c.Involves(u.ID))
}

// CanWriteInstructions reports whether u may write a 批示 on a case or a
// petition: leaders only (security.md "Roles": leader "instructions
// (批示)"; README "only leaders write 批示").
func CanWriteInstructions(u *User) bool { return u.Has(RoleLeader) }

// CanLeadCase reports whether u may be a case's 包案领导 and has 我包的案:
// a leader (security.md "Roles": leader "包案 its cases").
func CanLeadCase(u *User) bool { return u.Has(RoleLeader) }

// CanIssueSupervision reports whether u may issue a 督办单 to unit target
// (README "督办单", who issues): 督查员 and 领导, and the 单位负责人 of the
// 信访局 or the 联席办. Outside the city-wide bodies — users who see the
// whole city, and the 信访局 and 联席办 themselves — one supervises only
// one's own unit and the units below it.
//
// With target nil it answers whether u may issue at all (the form, the
// 403 before the target is known).
func CanIssueSupervision(u *User, target *Unit) bool {
	if u == nil || u.Unit == nil {
		return false
	}
	if !u.HasAny(RoleSupervisor, RoleLeader) && !(u.Has(RoleUnitHead) && supervisionBody(u.Unit)) {
		return false
	}
	return target == nil || supervisesCity(u) || u.Unit.Contains(target)
}

// supervisionBody reports whether unit is one of the bodies whose head
// issues 督办单: the 信访局 and the 联席办.
func supervisionBody(unit *Unit) bool { return unit.Kind == UnitBureau || unit.Kind == UnitJoint }

// supervisesCity reports whether u may supervise any unit of the city.
func supervisesCity(u *User) bool { return ScopeOf(u).All || supervisionBody(u.Unit) }

// CheckIssueSupervision is CanIssueSupervision with the errors the API
// returns: 401 without a user or unit, 403 for a user who may not issue
// at all, 422 on target_unit_id for a target outside u's reach (target
// nil skips that check).
func CheckIssueSupervision(u *User, target *Unit) error {
	if u == nil || u.Unit == nil {
		return Errorf(EUNAUTHORIZED, "请先登录")
	}
	if !CanIssueSupervision(u, nil) {
		return Errorf(EFORBIDDEN, "仅督查员、领导及信访局、联席办负责人可以发出督办单")
	}
	if target != nil && !CanIssueSupervision(u, target) {
		return FieldError("target_unit_id", "只能督办本单位及下级单位")
	}
	return nil
}

// issuingSide reports whether u acts for the side that issued s (README
// "督办单", 催办): u may issue 督办单 and is the issuer, sees the whole
// city, or sits at or above the issuing unit.
func issuingSide(u *User, s *Supervision) bool {
	if !CanIssueSupervision(u, nil) {
		return false
	}
	return u.ID == s.IssuerID || ScopeOf(u).All || strings.HasPrefix(s.IssuerPath, u.Unit.Path)
}

// CanTargetSupervision reports whether a 督办单 on petition p may be
// addressed to unit target: the target's staff must see the item (its
// registering or handling unit lies in the target's subtree), and a 检举控告
// goes only to the 纪委监委 body handling it — never to the unit it accuses.
func CanTargetSupervision(target *Unit, p *Petition) bool {
	if target == nil || p == nil {
		return false
	}
	handled := p.HandlingUnit != nil && target.Contains(p.HandlingUnit)
	if p.Purpose == PurposeAccusation {
		return handled && target.Kind == UnitDiscipline
	}
	return handled || (p.RegUnit != nil && target.Contains(p.RegUnit))
}

// CanRemind reports whether u may press the target unit of s with a 催办:
// the issuing side — the issuer, anyone who may issue at or above the
// issuing unit, and those who may issue and see the whole city (README
// "督办单"). Whether s still takes a 催办 is CheckSupervisionAction's.
func CanRemind(u *User, s *Supervision) bool { return issuingSide(u, s) }

// CanCloseSupervision reports whether u may accept the feedback of s and
// close it (办结): the issuing side, as for CanRemind.
func CanCloseSupervision(u *User, s *Supervision) bool { return issuingSide(u, s) }

// CanAnswerSupervision reports whether u may give the written feedback on
// s: a 承办人 or 单位负责人 of the target unit itself, not of a unit above
// or below it (README "督办单", feedback).
func CanAnswerSupervision(u *User, s *Supervision) bool {
	return u != nil && u.UnitID == s.TargetUnitID && u.HasAny(RoleHandler, RoleUnitHead)
}

// CanInspect reports whether u may open and change investigations and
// accountability records: an inspector (纪检) of a 纪委监委 unit (README
// "Who may do what": "read and write").
func CanInspect(u *User) bool {
	return u != nil && u.Unit != nil && u.Has(RoleInspector) && u.Unit.Kind == UnitDiscipline
}

// CanReadDiscipline reports whether u reads the watch list and the
// investigations, and every accountability record and letter: inspectors
// of a 纪委监委 unit, and supervisors and leaders with a city-wide scope
// (README "Who may do what").
func CanReadDiscipline(u *User) bool {
	if CanInspect(u) {
		return true
	}
	return u != nil && u.HasAny(RoleSupervisor, RoleLeader) && ScopeOf(u).All
}

// CanWriteLetters reports whether u may register and change the yearly
// responsibility letters (责任书), signed between the city and its units:
// inspectors of a 纪委监委 unit and city-wide supervisors (README "Who may
// do what": "a city-wide supervisor also writes"); not leaders.
func CanWriteLetters(u *User) bool {
	return CanInspect(u) || (u != nil && u.Has(RoleSupervisor) && ScopeOf(u).All)
}

// CanReadAccountability reports whether u may read the accountability
// records (问责) and responsibility letters of unit (README "Who may do
// what"): the discipline readers read all; other staff with a data scope
// read those of their own unit and the units below it — also when they see
// the whole city's petitions (the 信访局's registrars and head): routing
// every item is no reason to read every unit's 问责; admin, auditor and the
// outside roles none (403).
//
// With unit nil it answers whether u may read any at all (the 403).
func CanReadAccountability(u *User, unit *Unit) bool {
	if u == nil || u.Unit == nil {
		return false
	}
	if CanReadDiscipline(u) {
		return true
	}
	if ScopeOf(u).None {
		return false
	}
	return unit == nil || u.Unit.Contains(unit)
}

// CanUnmask reports whether u may see the full ID number, phone and
// address of p's petitioners (security.md "Personal data": the full value
// only to roles whose work needs it): the registrar who registered it, and
// the registrars, handlers and unit heads of the unit that has it — the
// handling unit, or the registering unit while it has none — and of the
// units above it, who call and write to the petitioner. Leaders,
// supervisors and inspectors read the item masked.
func CanUnmask(u *User, p *Petition) bool {
	if u == nil || u.Unit == nil || p == nil {
		return false
	}
	if u.ID == p.RegUserID {
		return true
	}
	if !u.HasAny(RoleRegistrar, RoleHandler, RoleUnitHead) {
		return false
	}
	if p.HandlingUnit != nil {
		return u.Unit.Contains(p.HandlingUnit)
	}
	return u.Unit.Contains(p.RegUnit)
}

// 三员分立 (security.md "Roles"): three administrators, each a separate
// account holding no other role, none of them reading petition content
// (no data scope: ScopeOf):
//
//   - the 系统管理员 (admin) keeps units, accounts, dictionaries and the
//     calendar; the accounts it opens carry no role;
//   - the 安全管理员 (security_admin) grants and revokes roles, unlocks
//     accounts and resets passwords — never its own;
//   - the 审计管理员 (auditor) reads the audit log.
//
// The security admin and auditor roles are given and taken only by the
// command line (xinfang user add), which also opens the first accounts of
// an empty database: in the browser the security admin grants the
// system admin role and the content roles, so that nobody appoints
// those who watch him.

// adminRoles are the three administrator roles.
var adminRoles = []Role{RoleAdmin, RoleSecurityAdmin, RoleAuditor}

// cliOnlyRoles are granted and revoked by the command line only.
var cliOnlyRoles = []Role{RoleSecurityAdmin, RoleAuditor}

// Administrative reports whether r is one of the three administrator roles.
func (r Role) Administrative() bool { return slices.Contains(adminRoles, r) }

// CommandLineOnly reports whether r is granted and revoked by the command
// line only: the security admin and the auditor.
func (r Role) CommandLineOnly() bool { return slices.Contains(cliOnlyRoles, r) }

// CheckRoleSet checks the roles one account holds together: one
// administrator role and nothing else, or any content roles (registrar,
// handler …, which combine freely), each once. EINVALID on roles.
func CheckRoleSet(roles []Role) error {
	var admin []Role
	content := 0
	for i, r := range roles {
		if slices.Contains(roles[:i], r) {
			return FieldError("roles", "角色重复："+labelOf(Roles, r))
		}
		if r.Administrative() {
			admin = append(admin, r)
		} else {
			content++
		}
	}
	switch {
	case len(admin) > 1:
		return FieldError("roles", "系统管理员、安全管理员、审计管理员须由不同账号担任（三员分立）")
	case len(admin) == 1 && content > 0:
		return FieldError("roles", labelOf(Roles, admin[0])+"不能兼任业务角色（三员分立）")
	}
	return nil
}

// CanManageRoles reports whether u grants and revokes roles, unlocks
// accounts and resets passwords: the 安全管理员.
func CanManageRoles(u *User) bool { return u.Has(RoleSecurityAdmin) }

// CanReadAccounts reports whether u reads the list of accounts: the system
// admin, who keeps them, and the security admin, who grants their roles.
func CanReadAccounts(u *User) bool { return CanAdminister(u) || CanManageRoles(u) }

// accountRules says who takes each account action and whether on one's
// own account.
var accountRules = map[AccountAction]struct {
	may    func(*User) bool
	onSelf bool
	denied string
}{
	AccountEdit:          {CanAdminister, true, "仅系统管理员可以修改账号信息"},
	AccountDeactivate:    {CanAdminister, false, "仅系统管理员可以停用账号"},
	AccountActivate:      {CanAdminister, false, "仅系统管理员可以启用账号"},
	AccountRoles:         {CanManageRoles, false, "仅安全管理员可以授予或收回角色"},
	AccountResetPassword: {CanManageRoles, false, "仅安全管理员可以重置密码"},
	AccountUnlock:        {CanManageRoles, false, "仅安全管理员可以解除锁定"},
}

// CanChangeAccount reports whether actor may take action a on target's
// account, as far as the actor decides it: the system admin edits,
// deactivates and activates accounts, the security admin changes roles,
// resets passwords and unlocks; nobody deactivates, re-roles, resets or
// unlocks his own account (one's own password is changed at /password).
func CanChangeAccount(actor *User, a AccountAction, target *User) bool {
	rule, ok := accountRules[a]
	if !ok || actor == nil || target == nil || !rule.may(actor) {
		return false
	}
	return rule.onSelf || actor.ID != target.ID
}

// CheckAccountAction is CanChangeAccount with the errors the API returns
// — 401 without an actor, 403 for an actor who may not — and the rule for
// accounts of older databases that hold an administrator role beside
// content roles: they stay as they are until changed, and every change
// but their new roles and their deactivation is refused (422 on roles)
// until the security admin has corrected the roles.
func CheckAccountAction(actor *User, a AccountAction, target *User) error {
	if actor == nil {
		return Errorf(EUNAUTHORIZED, "请先登录")
	}
	rule, ok := accountRules[a]
	if !ok || target == nil {
		return Errorf(EINVALID, "未知的账号操作")
	}
	if !rule.may(actor) {
		return Errorf(EFORBIDDEN, "%s", rule.denied)
	}
	if !CanChangeAccount(actor, a, target) {
		return Errorf(EFORBIDDEN, "不能对自己的账号%s", a.Label())
	}
	if a != AccountRoles && a != AccountDeactivate {
		if err := CheckRoleSet(target.Roles); err != nil {
			return FieldError("roles", "该账号的角色不符合三员分立（"+ErrorFields(err)["roles"]+"），须先由安全管理员调整角色")
		}
	}
	return nil
}

// CheckRoles checks that actor may give target exactly roles: the security
// admin, on another account, with a set CheckRoleSet allows, neither
// granting nor revoking a role only the command line gives (security
// admin, auditor).
func CheckRoles(actor, target *User, roles []Role) error {
	if err := CheckAccountAction(actor, AccountRoles, target); err != nil {
		return err
	}
	for _, r := range cliOnlyRoles {
		if target.Has(r) != slices.Contains(roles, r) {
			return FieldError("roles", labelOf(Roles, r)+"只能由命令行 xinfang user add 开设，不能在此授予或收回")
		}
	}
	for _, r := range roles {
		if !hasCode(Roles, r) {
			return FieldError("roles", "未知角色："+string(r))
		}
	}
	return CheckRoleSet(roles)
}

// CheckNewAccount checks who opens account u with the roles it carries:
// without an actor, the command line, with at least one role; the system
// admin without any — the security admin grants them.
func CheckNewAccount(actor, u *User) error {
	if actor == nil {
		if len(u.Roles) == 0 {
			return FieldError("roles", "至少需要一个角色")
		}
		return nil
	}
	if !CanAdminister(actor) {
		return Errorf(EFORBIDDEN, "仅系统管理员可以开设账号")
	}
	if len(u.Roles) > 0 {
		return FieldError("roles", "系统管理员开设的账号不带角色，角色由安全管理员授予")
	}
	return nil
}
