package xinfang

import "time"

// Account administration: what the system admin and the security admin do
// to other users' accounts (三员分立; who may do what is policy.go's
// CheckAccountAction and CheckRoles).

// AccountAction is a change an administrator makes to an account.
type AccountAction string

const (
	AccountEdit          AccountAction = "edit"           // 修改姓名、单位、电话: the system admin
	AccountDeactivate    AccountAction = "deactivate"     // 停用: the system admin; its sessions end
	AccountActivate      AccountAction = "activate"       // 启用: the system admin
	AccountRoles         AccountAction = "roles"          // 授予、收回角色: the security admin
	AccountResetPassword AccountAction = "reset_password" // 重置密码: the security admin; changed at next login
	AccountUnlock        AccountAction = "unlock"         // 解除锁定: the security admin
)

// AccountActions lists every account action with its Chinese label.
var AccountActions = []Label{
	{string(AccountEdit), "修改账号信息"}, {string(AccountDeactivate), "停用账号"}, {string(AccountActivate), "启用账号"},
	{string(AccountRoles), "授予或收回角色"}, {string(AccountResetPassword), "重置密码"}, {string(AccountUnlock), "解除锁定"},
}

// Label returns the Chinese label of a.
func (a AccountAction) Label() string { return labelOf(AccountActions, a) }

// AccountState is a filter of the account list.
type AccountState string

const (
	AccountActive     AccountState = "active"     // 在用
	AccountDisabled   AccountState = "disabled"   // 已停用
	AccountLocked     AccountState = "locked"     // 锁定中 (failed logins)
	AccountUnassigned AccountState = "unassigned" // 在用、尚无角色: waiting for the security admin
)

// AccountStates lists every account state with its Chinese label.
var AccountStates = []Label{
	{string(AccountActive), "在用"}, {string(AccountDisabled), "已停用"},
	{string(AccountLocked), "锁定中"}, {string(AccountUnassigned), "待授予角色"},
}

// Valid reports whether s is a known state.
func (s AccountState) Valid() bool { return hasCode(AccountStates, s) }

// UserFilter selects accounts for the administrators' list.
type UserFilter struct {
	Text   string       // part of the username or the name
	UnitID int64        // the unit and the units below it
	Role   Role         // holds this role
	State  AccountState // "" for every account
}

// Validate checks the filter's codes.
func (f UserFilter) Validate() error {
	p := Problems{}
	if f.Role != "" && !hasCode(Roles, f.Role) {
		p.Add("role", "未知角色")
	}
	if f.State != "" && !f.State.Valid() {
		p.Add("state", "未知的账号状态")
	}
	return p.Err()
}

// UserChange is what the system admin changes on an account: its name,
// unit and phone. Nil fields stay as they are.
type UserChange struct {
	Name   *string `json:"name"`
	UnitID *int64  `json:"unit_id"`
	Phone  *string `json:"phone"`
}

// Apply returns u with the change made.
func (c UserChange) Apply(u User) User {
	if c.Name != nil {
		u.Name = *c.Name
	}
	if c.UnitID != nil {
		u.UnitID = *c.UnitID
	}
	if c.Phone != nil {
		u.Phone = *c.Phone
	}
	return u
}

// Locked reports whether u is locked out by failed logins at now.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }
