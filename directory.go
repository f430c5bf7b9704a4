package xinfang

import "time"

// DictEntry is one entry of an editable dictionary (内容分类, 信访原因 …).
type DictEntry struct {
	Kind   DictKind `json:"kind"`
	Code   string   `json:"code"`
	Parent string   `json:"parent,omitempty"`
	Label  string   `json:"label"`
	Sort   int      `json:"sort"`
	Active bool     `json:"active"`
}

// DictKind names an editable dictionary.
type DictKind string

const (
	DictCategory      DictKind = "category"       // 内容分类
	DictReason        DictKind = "reason"         // 信访原因
	DictPurposeDetail DictKind = "purpose_detail" // 信访目的细类
	DictEthnicity     DictKind = "ethnicity"      // 民族
	DictOccupation    DictKind = "occupation"     // 职业
	DictSystem        DictKind = "system"         // 所属系统
	DictExpertField   DictKind = "expert_field"   // 专家领域
	DictMediatorKind  DictKind = "mediator_kind"  // 调解员类别
	DictObserverKind  DictKind = "observer_kind"  // 监督员类别
)

// DictKinds are the dictionaries an administrator may edit.
var DictKinds = []Label{
	{string(DictCategory), "内容分类"}, {string(DictReason), "信访原因"}, {string(DictPurposeDetail), "信访目的细类"},
	{string(DictEthnicity), "民族"}, {string(DictOccupation), "职业"}, {string(DictSystem), "所属系统"},
	{string(DictExpertField), "专家领域"}, {string(DictMediatorKind), "调解员类别"}, {string(DictObserverKind), "监督员类别"},
}

// Label returns the Chinese label of k.
func (k DictKind) Label() string { return labelOf(DictKinds, k) }

// Valid reports whether k is a known dictionary.
func (k DictKind) Valid() bool { return hasCode(DictKinds, k) }

// Session is a server-side session; the cookie holds a random token whose
// SHA-256 is the key, so a database read does not reveal live tokens.
type Session struct {
	Token     string // only set when created
	UserID    int64
	CSRF      string
	ExpiresAt time.Time
}
