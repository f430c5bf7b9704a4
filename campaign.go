package xinfang

import (
	"fmt"
	"slices"
	"time"

	"xinfang/internal/calendar"
)

// Campaign (专项行动, e.g. 信访积案清零) is a drive over a period on a set
// of backlog cases, with targets: a 化解率 in percent, and 销号 counts by
// dates (60 by 2024-06-30, 119 by 2024-12-31). Its progress is computed
// from the cases' own states and events (CampaignProgress), never typed
// in. The cases come in by filter (those open on the start day in a unit's
// subtree) or one by one, and leave with a reason.
type Campaign struct {
	ID            int64            `json:"id"`
	Name          string           `json:"name"`
	UnitID        int64            `json:"unit_id"` // the organising unit: the campaign is of its subtree
	UnitName      string           `json:"unit_name"`
	StartOn       calendar.Date    `json:"start_on"`
	EndOn         calendar.Date    `json:"end_on"`
	ResolveTarget int              `json:"resolve_target"` // 化解率 target, percent (0: none)
	Targets       []CampaignTarget `json:"targets"`        // 销号 counts by dates, by date
	Note          string           `json:"note"`
	Version       int              `json:"version"`
	Cases         int              `json:"cases"` // cases in it now (removed ones not counted)
	CreatedByID   int64            `json:"created_by"`
	CreatedByName string           `json:"created_by_name"`
	CreatedAt     time.Time        `json:"created_at"`
}

// CampaignTarget is "Closed cases struck off (销号) by By".
type CampaignTarget struct {
	By     calendar.Date `json:"by"`
	Closed int           `json:"closed"`
}

// maxCampaignTargets bounds the dated targets of one campaign.
const maxCampaignTargets = 24

// Validate checks a campaign's fields; today bounds its dates.
func (g *Campaign) Validate(today calendar.Date) error {
	p := Problems{}
	checkLine(p, "name", &g.Name, MaxLine)
	checkText(p, "note", &g.Note, MaxNote)
	if g.Name == "" {
		p.Add("name", "请填写专项行动名称")
	}
	if g.UnitID <= 0 {
		p.Add("unit_id", "请选择组织单位")
	}
	switch {
	case g.StartOn.IsZero():
		p.Add("start_on", "请填写开始日期")
	default:
		checkDueDate(p, "start_on", g.StartOn, today)
	}
	switch {
	case g.EndOn.IsZero():
		p.Add("end_on", "请填写结束日期")
	case !g.StartOn.IsZero() && g.EndOn.Before(g.StartOn):
		p.Add("end_on", "结束日期不能早于开始日期")
	default:
		checkDueDate(p, "end_on", g.EndOn, today)
	}
	if g.ResolveTarget < 0 || g.ResolveTarget > 100 {
		p.Add("resolve_target", "化解率目标须在 0–100 之间")
	}
	checkCount(p, "targets", len(g.Targets), maxCampaignTargets)
	seen := map[calendar.Date]bool{}
	for _, t := range g.Targets {
		switch {
		case t.By.IsZero():
			p.Add("targets", "每个销号目标须有日期")
		case !g.StartOn.IsZero() && t.By.Before(g.StartOn), !g.EndOn.IsZero() && t.By.After(g.EndOn):
			p.Add("targets", "销号目标日期 "+t.By.String()+" 不在行动期间内")
		case seen[t.By]:
			p.Add("targets", "销号目标日期 "+t.By.String()+" 重复")
		case t.Closed <= 0:
			p.Add("targets", "销号目标件数须为正整数")
		}
		seen[t.By] = true
	}
	slices.SortFunc(g.Targets, func(a, b CampaignTarget) int { return a.By.Compare(b.By) })
	for i := 1; i < len(g.Targets); i++ {
		if g.Targets[i].Closed < g.Targets[i-1].Closed {
			p.Add("targets", "销号目标件数须随日期递增（累计件数）")
		}
	}
	return p.Err()
}

// CampaignCase is a backlog case in a campaign as the campaign sees it:
// its state now and the days it was resolved and struck off, read from
// its history.
type CampaignCase struct {
	CaseID              int64         `json:"case_id"`
	Number              string        `json:"number"`
	Title               string        `json:"title"`
	State               CaseState     `json:"state"`
	ResponsibleUnitID   int64         `json:"responsible_unit_id"`
	ResponsibleUnitName string        `json:"responsible_unit_name"`
	LeaderID            int64         `json:"leader_id,omitempty"`
	LeaderName          string        `json:"leader_name,omitempty"`
	Deadline            calendar.Date `json:"deadline,omitzero"`    // 化解时限
	ResolvedOn          calendar.Date `json:"resolved_on,omitzero"` // 化解 (认定已化解, or 销号 without it), while still so
	ClosedOn            calendar.Date `json:"closed_on,omitzero"`   // 销号, while still so
	AddedOn             calendar.Date `json:"added_on"`
	RemovedOn           calendar.Date `json:"removed_on,omitzero"`
	RemoveReason        string        `json:"remove_reason,omitempty"`
	Late                bool          `json:"late,omitempty"` // not resolved and past its 化解时限 or the campaign's end
}

// StateLabel is the Chinese label of the case's state.
func (c *CampaignCase) StateLabel() string { return c.State.Label() }

// ResolvedBy reports whether the case counts as resolved (化解) on day d.
func (c *CampaignCase) ResolvedBy(d calendar.Date) bool {
	return !c.ResolvedOn.IsZero() && !c.ResolvedOn.After(d)
}

// ClosedBy reports whether the case was struck off (销号) on or before d.
func (c *CampaignCase) ClosedBy(d calendar.Date) bool {
	return !c.ClosedOn.IsZero() && !c.ClosedOn.After(d)
}

// CampaignAdd adds cases to a campaign: by filter — the cases open on the
// campaign's start day whose responsible unit lies in UnitID's subtree —
// or the cases named by number, one by one.
type CampaignAdd struct {
	Version     int      `json:"version"`
	ByFilter    bool     `json:"by_filter"`
	UnitID      int64    `json:"unit_id,omitempty"`
	CaseNumbers []string `json:"case_numbers,omitempty"`
}

// Validate checks the request.
func (a *CampaignAdd) Validate() error {
	p := Problems{}
	if a.ByFilter {
		if a.UnitID <= 0 {
			p.Add("unit_id", "请选择责任单位范围")
		}
		if len(a.CaseNumbers) > 0 {
			p.Add("case_numbers", "按条件纳入时不能同时列出案件编号")
		}
	} else if len(a.CaseNumbers) == 0 {
		p.Add("case_numbers", "请填写要纳入的积案编号")
	}
	checkCount(p, "case_numbers", len(a.CaseNumbers), MaxItems)
	return p.Err()
}

// CheckRemoveReason checks the reason a case leaves a campaign.
func CheckRemoveReason(reason string) (string, error) {
	p := Problems{}
	checkText(p, "reason", &reason, MaxNote)
	if reason == "" {
		p.Add("reason", "移出专项行动须写明理由")
	}
	return reason, p.Err()
}

// CampaignPeriod is one bucket of a campaign's progress.
type CampaignPeriod struct {
	Label          string        `json:"label"`
	From           calendar.Date `json:"from"`
	To             calendar.Date `json:"to"`
	Resolved       int           `json:"resolved"`         // resolved in the bucket
	Closed         int           `json:"closed"`           // struck off in the bucket
	ResolvedToDate int           `json:"resolved_to_date"` // since the start, to the bucket's end
	ClosedToDate   int           `json:"closed_to_date"`
}

// CampaignTargetStatus is where a 销号 target stands.
type CampaignTargetStatus struct {
	CampaignTarget
	Actual int  `json:"actual"` // struck off from the start to By
	Met    bool `json:"met"`
	Past   bool `json:"past"` // By is before today
}

// Missing is how many more cases must be struck off to meet the target.
func (t CampaignTargetStatus) Missing() int { return max(t.Closed-t.Actual, 0) }

// CampaignProgress is a campaign's progress as of a day, computed from its
// cases (CampaignProgressOf).
type CampaignProgress struct {
	AsOf        calendar.Date          `json:"as_of"`
	By          string                 `json:"by"` // week | month
	Total       int                    `json:"total"`
	Resolved    int                    `json:"resolved"` // in the period up to AsOf
	Closed      int                    `json:"closed"`
	ResolveRate float64                `json:"resolve_rate"` // percent
	ResolveMet  bool                   `json:"resolve_met"`
	Periods     []CampaignPeriod       `json:"periods"`
	Targets     []CampaignTargetStatus `json:"targets"`
	ByUnit      []BehindGroup          `json:"behind_by_unit"`
	ByLeader    []BehindGroup          `json:"behind_by_leader"`
	BehindTotal int                    `json:"behind_total"`
	BehindLate  int                    `json:"behind_late"`
}

// BehindGroup is one responsible unit or 包案领导 with its cases not yet
// resolved (谁在拖后腿), the late among them flagged.
type BehindGroup struct {
	ID    int64           `json:"id"`
	Name  string          `json:"name"`
	Cases []*CampaignCase `json:"cases"`
	Late  int             `json:"late"`
}

// ProgressBuckets are the ways progress is bucketed.
var ProgressBuckets = []Label{{"week", "按周"}, {"month", "按月"}}

// inPeriod reports whether d lies in the campaign's period up to asOf.
func (g *Campaign) inPeriod(d, asOf calendar.Date) bool {
	return !d.IsZero() && !d.Before(g.StartOn) && !d.After(g.EndOn) && !d.After(asOf)
}

// CampaignProgressOf computes the progress of campaign g on asOf from its
// cases (removed ones left out): a case counts as resolved in the bucket
// of its ResolvedOn and as struck off in the bucket of its ClosedOn, only
// within the period (a case resolved after the end is not counted); a 销号
// target counts the cases struck off from the start to its date. by is
// "week" (Monday to Sunday) or "month".
func CampaignProgressOf(g *Campaign, cases []*CampaignCase, asOf calendar.Date, by string) *CampaignProgress {
	if by != "week" {
		by = "month"
	}
	pr := &CampaignProgress{AsOf: asOf, By: by, Periods: []CampaignPeriod{}, Targets: []CampaignTargetStatus{}, ByUnit: []BehindGroup{}, ByLeader: []BehindGroup{}}
	live := make([]*CampaignCase, 0, len(cases))
	for _, c := range cases {
		if c.RemovedOn.IsZero() {
			live = append(live, c)
		}
	}
	pr.Total = len(live)
	for _, c := range live {
		if g.inPeriod(c.ResolvedOn, asOf) {
			pr.Resolved++
		}
		if g.inPeriod(c.ClosedOn, asOf) {
			pr.Closed++
		}
	}
	if pr.Total > 0 {
		pr.ResolveRate = float64(pr.Resolved*1000/pr.Total) / 10
	}
	pr.ResolveMet = g.ResolveTarget > 0 && pr.Resolved*100 >= g.ResolveTarget*pr.Total
	last := g.EndOn
	if asOf.Before(last) {
		last = asOf
	}
	for from := g.StartOn; !from.After(last); {
		to := bucketEnd(from, by)
		if to.After(g.EndOn) {
			to = g.EndOn
		}
		per := CampaignPeriod{From: from, To: to, Label: bucketLabel(from, to, by)}
		for _, c := range live {
			if g.inPeriod(c.ResolvedOn, asOf) {
				if !c.ResolvedOn.Before(from) && !c.ResolvedOn.After(to) {
					per.Resolved++
				}
				if !c.ResolvedOn.After(to) {
					per.ResolvedToDate++
				}
			}
			if g.inPeriod(c.ClosedOn, asOf) {
				if !c.ClosedOn.Before(from) && !c.ClosedOn.After(to) {
					per.Closed++
				}
				if !c.ClosedOn.After(to) {
					per.ClosedToDate++
				}
			}
		}
		pr.Periods = append(pr.Periods, per)
		from = to.AddDays(1)
	}
	for _, t := range g.Targets {
		st := CampaignTargetStatus{CampaignTarget: t, Past: t.By.Before(asOf)}
		for _, c := range live {
			if g.inPeriod(c.ClosedOn, asOf) && !c.ClosedOn.After(t.By) {
				st.Actual++
			}
		}
		st.Met = st.Actual >= t.Closed
		pr.Targets = append(pr.Targets, st)
	}
	units, leaders := map[int64]int{}, map[int64]int{}
	for _, c := range live {
		if c.State.Done() {
			continue
		}
		c.Late = (!c.Deadline.IsZero() && c.Deadline.Before(asOf)) || g.EndOn.Before(asOf)
		pr.BehindTotal++
		if c.Late {
			pr.BehindLate++
		}
		pr.ByUnit = addBehind(pr.ByUnit, units, c.ResponsibleUnitID, c.ResponsibleUnitName, c)
		name := c.LeaderName
		if c.LeaderID == 0 {
			name = "（未明确包案领导）"
		}
		pr.ByLeader = addBehind(pr.ByLeader, leaders, c.LeaderID, name, c)
	}
	// The groups with the most cases first, then by name.
	for _, list := range [][]BehindGroup{pr.ByUnit, pr.ByLeader} {
		slices.SortStableFunc(list, func(a, b BehindGroup) int {
			if len(a.Cases) != len(b.Cases) {
				return len(b.Cases) - len(a.Cases)
			}
			if a.Late != b.Late {
				return b.Late - a.Late
			}
			return compareStrings(a.Name, b.Name)
		})
	}
	return pr
}

func addBehind(list []BehindGroup, at map[int64]int, id int64, name string, c *CampaignCase) []BehindGroup {
	i, ok := at[id]
	if !ok {
		i = len(list)
		at[id] = i
		list = append(list, BehindGroup{ID: id, Name: name, Cases: []*CampaignCase{}})
	}
	list[i].Cases = append(list[i].Cases, c)
	if c.Late {
		list[i].Late++
	}
	return list
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// bucketEnd is the last day of the week (Sunday) or month holding d.
func bucketEnd(d calendar.Date, by string) calendar.Date {
	if by == "week" {
		wd := int(d.Weekday()) // Sunday 0
		return d.AddDays((7 - wd) % 7)
	}
	return calendar.MakeDate(d.Year, d.Month+1, 1).AddDays(-1)
}

func bucketLabel(from, to calendar.Date, by string) string {
	if by == "week" {
		return fmt.Sprintf("%02d-%02d～%02d-%02d", from.Month, from.Day, to.Month, to.Day)
	}
	return fmt.Sprintf("%d年%d月", from.Year, from.Month)
}

// CampaignCaseFilter picks the cases behind a figure of the progress:
// What is "resolved" or "closed" within From–To (inclusive), "behind"
// (not resolved), or "" for all.
type CampaignCaseFilter struct {
	What     string        `json:"what,omitempty"`
	From     calendar.Date `json:"from,omitzero"`
	To       calendar.Date `json:"to,omitzero"`
	UnitID   int64         `json:"unit_id,omitempty"`
	LeaderID int64         `json:"leader_id,omitempty"`
}

// Pick returns the cases of list (removed ones left out) that f selects in
// campaign g on asOf.
func (f CampaignCaseFilter) Pick(g *Campaign, list []*CampaignCase, asOf calendar.Date) []*CampaignCase {
	out := []*CampaignCase{}
	within := func(d calendar.Date) bool {
		return g.inPeriod(d, asOf) && (f.From.IsZero() || !d.Before(f.From)) && (f.To.IsZero() || !d.After(f.To))
	}
	for _, c := range list {
		if !c.RemovedOn.IsZero() || f.UnitID != 0 && c.ResponsibleUnitID != f.UnitID {
			continue
		}
		ok := true
		switch f.What {
		case "resolved":
			ok = within(c.ResolvedOn)
		case "closed":
			ok = within(c.ClosedOn)
		case "behind":
			ok = !c.State.Done() && (f.LeaderID == 0 || c.LeaderID == f.LeaderID)
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// CanReadCampaigns reports whether u has the campaigns' pages: the staff
// with a data scope (the cases in them are read within the case scope).
func CanReadCampaigns(u *User) bool { return CanReadCases(u) }

// CanManageCampaigns reports whether u may open a campaign, set its
// targets and add or remove its cases: the unit heads, supervisors and
// leaders, who organise such drives.
func CanManageCampaigns(u *User) bool { return u.HasAny(RoleUnitHead, RoleSupervisor, RoleLeader) }
