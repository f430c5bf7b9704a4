package xinfang

import (
	"context"
	"time"
)

// The audit log (security.md "Audit"): who did what, when, from where —
// every sign-in (and every failed one), every read of a record's detail,
// every unmasking of personal data, every export, and every change. An
// entry of a change is written in the transaction of the change, so that
// a change without its entry, or an entry of a change that failed, cannot
// be. Entries are numbered without gaps and chained with a keyed hash;
// no role can edit them, and the auditor reads them.

// AuditKind is what an audit entry records.
type AuditKind string

const (
	AuditLogin       AuditKind = "login"        // 登录
	AuditLoginFailed AuditKind = "login_failed" // 登录失败
	AuditLogout      AuditKind = "logout"       // 退出
	AuditRead        AuditKind = "read"         // 查看详情
	AuditUnmask      AuditKind = "unmask"       // 查看完整个人信息
	AuditExport      AuditKind = "export"       // 导出、打印
	AuditChange      AuditKind = "change"       // 变更（办理、登记、编辑、系统维护）
	AuditPortal      AuditKind = "portal"       // 网上信访：信访人的提交、查询、评价、申请及被拒绝的尝试
)

// AuditKinds lists the kinds with their Chinese labels.
var AuditKinds = []Label{
	{string(AuditLogin), "登录"}, {string(AuditLoginFailed), "登录失败"}, {string(AuditLogout), "退出"},
	{string(AuditRead), "查看详情"}, {string(AuditUnmask), "查看完整个人信息"}, {string(AuditExport), "导出打印"},
	{string(AuditChange), "变更"}, {string(AuditPortal), "网上信访"},
}

// Label returns the Chinese label of the kind.
func (k AuditKind) Label() string { return labelOf(AuditKinds, k) }

// Valid reports whether k is a known kind.
func (k AuditKind) Valid() bool { return hasCode(AuditKinds, k) }

// AuditEntry is one entry of the audit log.
type AuditEntry struct {
	ID       int64     `json:"id"` // 1, 2, 3 … without gaps
	At       time.Time `json:"at"`
	UserID   int64     `json:"user_id,omitempty"`
	Username string    `json:"username"` // as typed, for a failed sign-in
	UnitID   int64     `json:"unit_id,omitempty"`
	Kind     AuditKind `json:"kind"`
	// Route is the route of the request, "POST /api/v1/petitions/{id}/actions/{action}".
	Route string `json:"route,omitempty"`
	// Object is what it concerned: the request's path, or the record a
	// change created ("petition 12").
	Object   string `json:"object,omitempty"`
	Detail   string `json:"detail,omitempty"`
	IP       string `json:"ip,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// AuditFilter selects audit entries: by user (id or user name), kind,
// text in the route or object, and time.
type AuditFilter struct {
	UserID   int64
	Username string
	Kind     AuditKind
	Object   string
	From, To time.Time
	Offset   int
	Limit    int
}

// CanReadAudit reports whether u reads the audit log: the audit
// administrator (审计管理员) only.
func CanReadAudit(u *User) bool { return u != nil && u.Has(RoleAuditor) }

// Auditing is what the request being served will record in the audit log
// with each change it commits: the web layer puts it in the context,
// storage writes it in the transaction of the change.
type Auditing struct {
	Kind   AuditKind
	Route  string
	Object string
	IP     string
}

type auditKey struct{}

// WithAuditing returns a context whose changes are recorded as a.
func WithAuditing(ctx context.Context, a *Auditing) context.Context {
	return context.WithValue(ctx, auditKey{}, a)
}

// AuditingFrom returns what the changes of ctx are recorded as, or nil.
func AuditingFrom(ctx context.Context) *Auditing {
	a, _ := ctx.Value(auditKey{}).(*Auditing)
	return a
}
