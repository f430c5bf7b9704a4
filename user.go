package xinfang

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// Role is what a user may do (security.md).
type Role string

const (
	RoleAdmin      Role = "admin"      // 系统管理员
	RoleRegistrar  Role = "registrar"  // 登记员
	RoleHandler    Role = "handler"    // 承办人
	RoleUnitHead   Role = "unit_head"  // 单位负责人
	RoleSupervisor Role = "supervisor" // 督查员
	RoleLeader     Role = "leader"     // 领导
	RoleInspector  Role = "inspector"  // 纪检
	RoleLawyer     Role = "lawyer"     // 律师
	RoleExpert     Role = "expert"     // 专家
	RoleMediator   Role = "mediator"   // 调解员
	RoleObserver   Role = "observer"   // 监督员
	RoleAuditor    Role = "auditor"    // 审计管理员
	// RoleSecurityAdmin grants and revokes roles, unlocks accounts and
	// resets passwords (安全管理员; 三员分立, policy.go).
	RoleSecurityAdmin Role = "security_admin"
)

// Roles lists every role with its Chinese label.
var Roles = []Label{
	{string(RoleAdmin), "系统管理员"}, {string(RoleRegistrar), "登记员"}, {string(RoleHandler), "承办人"},
	{string(RoleUnitHead), "单位负责人"}, {string(RoleSupervisor), "督查员"}, {string(RoleLeader), "领导"},
	{string(RoleInspector), "纪检监察员"}, {string(RoleLawyer), "律师"}, {string(RoleExpert), "专家"},
	{string(RoleMediator), "调解员"}, {string(RoleObserver), "监督员"}, {string(RoleAuditor), "审计管理员"},
	{string(RoleSecurityAdmin), "安全管理员"},
}

// User is a staff account. It belongs to one unit.
type User struct {
	ID                 int64     `json:"id"`
	Username           string    `json:"username"`
	Name               string    `json:"name"`
	UnitID             int64     `json:"unit_id"`
	Unit               *Unit     `json:"unit,omitempty"`
	Roles              []Role    `json:"roles"`
	Phone              string    `json:"phone,omitempty"`
	PasswordHash       string    `json:"-"`
	MustChangePassword bool      `json:"must_change_password"`
	FailedLogins       int       `json:"-"` // LoginAccount.Failures
	LockedUntil        time.Time `json:"-"` // LoginAccount.LockedUntil: unfamiliar addresses wait
	Disabled           bool      `json:"disabled"`
	CreatedAt          time.Time `json:"created_at"`
}

// Has reports whether the user holds role r.
func (u *User) Has(r Role) bool {
	if u == nil {
		return false
	}
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// HasAny reports whether the user holds any of rs.
func (u *User) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if u.Has(r) {
			return true
		}
	}
	return false
}

// RoleLabels returns the Chinese labels of the user's roles.
func (u *User) RoleLabels() string {
	out := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		out[i] = labelOf(Roles, r)
	}
	return strings.Join(out, "、")
}

// Validate checks a user before it is stored (not the password), its
// roles included: known codes that one account may hold together
// (CheckRoleSet). An account may hold no role yet: the system admin opens
// accounts, the security admin grants their roles (CheckNewAccount).
func (u *User) Validate() error {
	p := Problems{}
	if !validUsername(u.Username) {
		p.Add("username", "用户名须为 3–32 位字母、数字、下划线或点")
	}
	checkLine(p, "name", &u.Name, MaxName)
	if u.Name == "" {
		p.Add("name", "姓名不能为空")
	}
	if u.UnitID <= 0 {
		p.Add("unit_id", "须指定所属单位")
	}
	for _, r := range u.Roles {
		if !hasCode(Roles, r) {
			p.Add("roles", "未知角色："+string(r))
		}
	}
	if p["roles"] == "" {
		if err := CheckRoleSet(u.Roles); err != nil {
			p.Add("roles", ErrorFields(err)["roles"])
		}
	}
	return p.Err()
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// CheckPasswordRule enforces the complexity rule of security.md: at least 8
// characters with letters, digits and at least one other class.
func CheckPasswordRule(pw string) error {
	if len([]rune(pw)) < 8 {
		return FieldError("password", "密码至少 8 位")
	}
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 || !digit {
		return FieldError("password", "密码须包含数字，且包含大写字母、小写字母、符号中的至少两类")
	}
	return nil
}

// Scope is the data scope of a user: the subtree it sees, or the whole city.
// It is computed in one place (ScopeOf) and applied by storage to every list,
// detail and action.
type Scope struct {
	All      bool   // city-wide roles see every petition (except 检举控告 rules)
	UnitPath string // otherwise: items whose registering, handling or co-handling unit lies under this path
	UserID   int64
	// Discipline is true for users of a 纪委监委 unit: they may see 检举控告
	// items handled under their path.
	Discipline bool
	// None is true for roles that see no petition content at all (the
	// three administrators) or only what they are assigned to (lawyer,
	// expert …).
	None bool
}

// ScopeOf returns the data scope of u. Roles that read across the city
// (supervisor, leader, inspector) at a unit of kind city, bureau, joint or
// discipline see all; everybody else sees their unit's subtree.
func ScopeOf(u *User) Scope {
	if u == nil || u.Unit == nil {
		return Scope{None: true}
	}
	s := Scope{UnitPath: u.Unit.Path, UserID: u.ID, Discipline: u.Unit.Kind == UnitDiscipline}
	if !u.HasAny(scopedRoles...) {
		s.None = true
		return s
	}
	cityWide := u.Unit.Kind == UnitCity || u.Unit.Kind == UnitBureau || u.Unit.Kind == UnitJoint || u.Unit.Kind == UnitDiscipline
	if cityWide && u.HasAny(RoleSupervisor, RoleLeader, RoleInspector) {
		s.All = true
	}
	// The petition bureau's registrars register for the whole city and
	// route items everywhere, so they see what they route.
	if u.Unit.Kind == UnitBureau && u.HasAny(RoleRegistrar, RoleUnitHead) {
		s.All = true
	}
	return s
}

type userKey struct{}

// NewContextWithUser returns a context carrying the acting user.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFromContext returns the acting user, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}
