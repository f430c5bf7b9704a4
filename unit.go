package xinfang

import (
	"slices"
	"strconv"
	"strings"
)

// UnitKind is the kind of an organisation unit (单位类型).
type UnitKind string

const (
	UnitCity       UnitKind = "city"       // 市
	UnitTown       UnitKind = "town"       // 镇/街道
	UnitVillage    UnitKind = "village"    // 村/社区
	UnitDepartment UnitKind = "department" // 市直部门
	UnitLegal      UnitKind = "legal"      // 政法机关: 公安、检察院、法院、司法局
	UnitBureau     UnitKind = "bureau"     // 信访局
	UnitDiscipline UnitKind = "discipline" // 纪委监委
	UnitJoint      UnitKind = "joint"      // 联席办
	UnitSuperior   UnitKind = "superior"   // 上级机关 (province/central)
)

// UnitKinds lists every kind with its Chinese label, in display order.
var UnitKinds = []Label{
	{string(UnitCity), "市"}, {string(UnitTown), "镇/街道"}, {string(UnitVillage), "村/社区"},
	{string(UnitDepartment), "市直部门"}, {string(UnitLegal), "政法机关"}, {string(UnitBureau), "信访局"},
	{string(UnitDiscipline), "纪委监委"}, {string(UnitJoint), "联席办"}, {string(UnitSuperior), "上级机关"},
}

// Label returns the Chinese label of k.
func (k UnitKind) Label() string { return labelOf(UnitKinds, k) }

// Label pairs a stored code with its Chinese label.
type Label struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// LabelOf returns the label for code in list, or code itself.
func LabelOf(list []Label, code string) string {
	for _, l := range list {
		if l.Code == code {
			return l.Label
		}
	}
	return code
}

// labelCodes returns the codes of list.
func labelCodes(list []Label) []string {
	out := make([]string, len(list))
	for i, l := range list {
		out[i] = l.Code
	}
	return out
}

// labelOf is LabelOf for a typed code: the body of the codes' Label methods.
func labelOf[T ~string](list []Label, c T) string { return LabelOf(list, string(c)) }

// hasCode reports whether code is one of list: the body of the codes'
// Valid methods.
func hasCode[T ~string](list []Label, code T) bool {
	for _, l := range list {
		if l.Code == string(code) {
			return true
		}
	}
	return false
}

// Unit is an organisation unit (单位) in the tree.
type Unit struct {
	ID         int64    `json:"id"`
	ParentID   int64    `json:"parent_id,omitempty"` // 0 for the root
	Code       string   `json:"code"`                // short code used in petition numbers, unique
	Name       string   `json:"name"`
	Kind       UnitKind `json:"kind"`
	RegionCode string   `json:"region_code,omitempty"` // 行政区划代码 (GB/T 2260) for territorial units
	// Path is the materialised path of IDs from the root, "/1/4/17/", so
	// that a subtree is one prefix match.
	Path string `json:"path"`
	// Disabled units (停用) keep their records but take no new accounts,
	// sub-units or items (README "Units").
	Disabled bool `json:"disabled,omitempty"`
}

// UnitChange is what the system admin changes on a unit: its name, and
// its place in the tree (ParentID; 0 makes it a top-level unit). Nil
// fields stay as they are.
type UnitChange struct {
	Name     *string `json:"name"`
	ParentID *int64  `json:"parent_id"`
}

// Contains reports whether o is u or lies below u in the tree.
func (u *Unit) Contains(o *Unit) bool {
	return u != nil && o != nil && strings.HasPrefix(o.Path, u.Path)
}

// ChildPath returns the path of a child with the given id.
func (u *Unit) ChildPath(id int64) string {
	if u == nil {
		return "/" + strconv.FormatInt(id, 10) + "/"
	}
	return u.Path + strconv.FormatInt(id, 10) + "/"
}

// Validate checks a unit before it is stored.
func (u *Unit) Validate() error {
	p := Problems{}
	checkLine(p, "name", &u.Name, MaxName)
	if u.Name == "" {
		p.Add("name", "单位名称不能为空")
	}
	if !validUnitCode(u.Code) {
		p.Add("code", "单位代码须为 2–16 位字母、数字或短横线")
	}
	if !hasCode(UnitKinds, u.Kind) {
		p.Add("kind", "未知的单位类型")
	}
	if u.RegionCode != "" {
		if len(u.RegionCode) != 6 && len(u.RegionCode) != 9 && len(u.RegionCode) != 12 {
			p.Add("region_code", "行政区划代码须为 6、9 或 12 位数字")
		} else if _, err := strconv.ParseUint(u.RegionCode, 10, 64); err != nil {
			p.Add("region_code", "行政区划代码须为数字")
		}
	}
	return p.Err()
}

func validUnitCode(s string) bool {
	if len(s) < 2 || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// codes converts a list of typed codes to strings.
func codes[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = string(c)
	}
	return out
}

// unitKindOrder is where each kind stands among its siblings in a picker:
// the petition bureau, the towns (each with its villages below it), then
// the departments and the other bodies.
var unitKindOrder = map[UnitKind]int{UnitCity: 0, UnitBureau: 1, UnitTown: 2, UnitVillage: 3, UnitDepartment: 4,
	UnitLegal: 5, UnitDiscipline: 6, UnitJoint: 7, UnitSuperior: 8}

// SortUnitTree puts units in the order of the tree, as a picker lists
// them: each unit followed by its sub-units, siblings by kind
// (unitKindOrder), then code. A unit whose parent is not among them
// starts a tree of its own.
func SortUnitTree(units []*Unit) {
	children := map[int64][]*Unit{}
	present := make(map[int64]bool, len(units))
	for _, u := range units {
		present[u.ID] = true
	}
	var roots []*Unit
	for _, u := range units {
		if u.ParentID == 0 || !present[u.ParentID] {
			roots = append(roots, u)
		} else {
			children[u.ParentID] = append(children[u.ParentID], u)
		}
	}
	sibling := func(a, b *Unit) int {
		if d := unitKindOrder[a.Kind] - unitKindOrder[b.Kind]; d != 0 {
			return d
		}
		return strings.Compare(a.Code, b.Code)
	}
	out := units[:0:0]
	var walk func(list []*Unit)
	walk = func(list []*Unit) {
		slices.SortFunc(list, sibling)
		for _, u := range list {
			out = append(out, u)
			walk(children[u.ID])
		}
	}
	walk(roots)
	copy(units, out)
}
