package xinfang

import "time"

// DictEntry is one entry of an editable dictionary (内容分类, 信访原因 …).
type DictEntry struct {
	Kind   string `json:"kind"`
	Code   string `json:"code"`
	Parent string `json:"parent,omitempty"`
	Label  string `json:"label"`
	Sort   int    `json:"sort"`
	Active bool   `json:"active"`
}

// DictKinds are the dictionaries an administrator may edit.
var DictKinds = []Label{
	{Code: "category", Label: "内容分类"}, {Code: "reason", Label: "信访原因"}, {Code: "purpose_detail", Label: "信访目的细类"},
	{Code: "ethnicity", Label: "民族"}, {Code: "occupation", Label: "职业"}, {Code: "system", Label: "所属系统"},
	{Code: "expert_field", Label: "专家领域"}, {Code: "mediator_kind", Label: "调解员类别"}, {Code: "observer_kind", Label: "监督员类别"},
}

// Session is a server-side session; the cookie holds a random token whose
// SHA-256 is the key, so a database read does not reveal live tokens.
type Session struct {
	Token     string // only set when created
	UserID    int64
	CSRF      string
	ExpiresAt time.Time
}
