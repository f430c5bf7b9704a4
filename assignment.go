package xinfang

import (
	"strings"
	"time"
)

// Assignments (指派): the people from outside the offices — a lawyer on
// a petition or case, a 信访协理员 (a coordinator: often a lawyer or a
// retired official), an expert, a mediator, an observer — are given the
// items and cases they work on, by name and until the assignment ends.
// The assignment is their data scope: they see exactly those items and
// cases, through every list, detail, search and export (README "Who sees
// what"), and record their work on it. Giving and ending an assignment
// are changes of the audit log.

// AssignmentRole is what the assigned person does on the item.
type AssignmentRole string

const (
	AssignLawyer      AssignmentRole = "lawyer"      // 律师
	AssignCoordinator AssignmentRole = "coordinator" // 信访协理员
	AssignExpert      AssignmentRole = "expert"      // 专家
	AssignMediator    AssignmentRole = "mediator"    // 调解员
	AssignObserver    AssignmentRole = "observer"    // 监督员
)

// AssignmentRoles lists the roles with their labels.
var AssignmentRoles = []Label{
	{string(AssignLawyer), "律师"}, {string(AssignCoordinator), "信访协理员"}, {string(AssignExpert), "专家"},
	{string(AssignMediator), "调解员"}, {string(AssignObserver), "监督员"},
}

// Label returns the Chinese label of the role.
func (r AssignmentRole) Label() string { return labelOf(AssignmentRoles, r) }

// Valid reports whether r is a known role.
func (r AssignmentRole) Valid() bool { return hasCode(AssignmentRoles, r) }

// CanBeAssigned reports whether account u may take an assignment as r: a
// lawyer, expert, mediator or observer as such; a coordinator holds any
// of those outside roles. Staff with a data scope need no assignment.
func CanBeAssigned(u *User, r AssignmentRole) bool {
	if u == nil || u.Disabled || u.HasAny(scopedRoles...) {
		return false
	}
	switch r {
	case AssignLawyer:
		return u.Has(RoleLawyer)
	case AssignExpert:
		return u.Has(RoleExpert)
	case AssignMediator:
		return u.Has(RoleMediator)
	case AssignObserver:
		return u.Has(RoleObserver)
	case AssignCoordinator:
		return u.HasAny(outsideRoles...)
	}
	return false
}

// Assignment is one person given one petition or case.
type Assignment struct {
	ID             int64          `json:"id"`
	UserID         int64          `json:"user_id"`
	UserName       string         `json:"user_name"`
	Role           AssignmentRole `json:"role"`
	PetitionID     int64          `json:"petition_id,omitempty"`
	PetitionNumber string         `json:"petition_number,omitempty"`
	CaseID         int64          `json:"case_id,omitempty"`
	CaseNumber     string         `json:"case_number,omitempty"`
	Task           string         `json:"task"` // what he is to do
	AssignedByID   int64          `json:"assigned_by"`
	AssignedByName string         `json:"assigned_by_name"`
	AssignedAt     time.Time      `json:"assigned_at"`
	EndedAt        time.Time      `json:"ended_at,omitzero"`
	EndedByName    string         `json:"ended_by_name,omitempty"`
	EndNote        string         `json:"end_note,omitempty"`
	Notes          []WorkNote     `json:"notes"`
}

// Active reports whether the assignment has not ended.
func (a *Assignment) Active() bool { return a.EndedAt.IsZero() }

// RoleLabel is the Chinese label of the assignment's role.
func (a *Assignment) RoleLabel() string { return a.Role.Label() }

// WorkNote is one record of an assigned person's work (工作记录).
type WorkNote struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	ByID   int64     `json:"by"`
	ByName string    `json:"by_name"`
	Text   string    `json:"text"`
}

// Validate checks a new assignment.
func (a *Assignment) Validate() error {
	p := Problems{}
	checkText(p, "task", &a.Task, MaxNote)
	if !a.Role.Valid() {
		p.Add("role", "请选择指派身份：律师、信访协理员、专家、调解员或监督员")
	}
	if a.UserID <= 0 {
		p.Add("user_id", "请选择被指派人")
	}
	if (a.PetitionID > 0) == (a.CaseID > 0) {
		p.Add("petition_id", "指派须针对一件信访件或一件信访积案")
	}
	if a.Task == "" {
		p.Add("task", "请写明指派的工作")
	}
	return p.Err()
}

// AssignmentFilter selects assignments.
type AssignmentFilter struct {
	PetitionID int64
	CaseID     int64
	Mine       bool // the acting user's own
	Active     bool // only those not ended
}

// CanAssign reports whether u gives and ends assignments on the items and
// cases u sees: the staff who work on items (caseWorkerRoles).
func CanAssign(u *User) bool { return u.HasAny(caseWorkerRoles...) }

// CanReadAssignments reports whether u has the assignments' page: those
// who assign, and the outside roles, who see their own.
func CanReadAssignments(u *User) bool { return CanAssign(u) || u.HasAny(outsideRoles...) }

// What the outside roles read of an item (security.md "only the fields
// their role needs"): a lawyer, a mediator and a coordinator meet, call
// and write to the petitioner, and read who he is as the staff do (the
// ID number, phone and address masked; CanUnmask). An expert judges the
// matter and an observer watches the work done on it: neither needs who
// the petitioner is, and both read him by surname only, with no ID
// number, phone or address at all.

// ReadsIdentity reports whether one assigned to an item as r reads who
// its petitioners are.
func (r AssignmentRole) ReadsIdentity() bool {
	return r == AssignLawyer || r == AssignMediator || r == AssignCoordinator
}

// OutsideReader reports whether u reads items only through assignments
// (no data scope of an office), so that what u reads of an item depends
// on the role of u's assignment to it.
func OutsideReader(u *User) bool { return u != nil && !u.HasAny(scopedRoles...) }

// StripIdentity leaves of a petitioner what an expert or an observer
// reads: an organisation's name and code, or a person's surname with the
// rest starred; no ID number, phone, addresses or the reason of a key
// person.
func StripIdentity(p *Petitioner) {
	if p == nil {
		return
	}
	if !p.Org {
		p.Name = MaskName(p.Name)
	}
	p.IDNumber, p.Phone = "", ""
	p.Address, p.Residence, p.HukouAddress = "", "", ""
	p.KeyReason = ""
}

// StripIdentities applies StripIdentity to every petitioner of p.
func StripIdentities(p *Petition) {
	StripIdentity(p.Petitioner)
	for _, c := range p.CoPetitioners {
		StripIdentity(c)
	}
}

// StripCase leaves of a case what an expert or an observer reads: its
// petitioners by surname only, and no 稳控方案 (who keeps watch on whom is
// the staff's).
func StripCase(c *Case) {
	names := strings.FieldsFunc(c.Petitioners, func(r rune) bool { return strings.ContainsRune("、,，;； ", r) })
	for i, n := range names {
		names[i] = MaskName(n)
	}
	c.Petitioners = strings.Join(names, "、")
	c.StabilityPlan = ""
}

// MaskName keeps the first character of a name and stars the rest:
// "张**".
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 1 {
		return string(r)
	}
	return string(r[:1]) + strings.Repeat("*", len(r)-1)
}
