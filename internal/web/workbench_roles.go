package web

import (
	"context"
	"net/http"
	"sort"
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
)

// The 工作台 of the roles that do not handle petitions: each sees only
// what it can act on. A leader (领导) his 包案 cases with their late and
// next steps, the 督办单 he issued and his 批示 still without a report; a
// supervisor (督查员) the 督办单 he may press that are due or overdue, and
// the units he may supervise with items 严重超期; an inspector (纪检) the
// watch list's new entries and the open investigations; the system admin
// the holiday calendar still to be entered, the security admin the
// accounts waiting for roles or locked. Handlers, registrars and unit
// heads keep the petition lists of workbench.go.

// roleDesk is the role part of a user's workbench; a nil list is not the
// user's business and is not shown.
type roleDesk struct {
	Cases        []*xinfang.LeaderCase
	Issued       []*xinfang.Supervision
	IssuedTotal  int
	Instructions []pendingInstruction

	SupervisionsDue []*xinfang.Supervision
	OverdueTotal    int
	SevereByUnit    []unitCount

	WatchNew       []*xinfang.WatchRow
	Investigations []*xinfang.Investigation
	InvTotal       int

	HolidayYears []int
	Unassigned   []*xinfang.User
	Locked       []*xinfang.User
}

// pendingInstruction is a leader's 批示 on one of his cases with no
// progress report (进展报告) since: the case's report is the feedback.
type pendingInstruction struct {
	Case *xinfang.Case
	*xinfang.Instruction
	Days int // days since the 批示
}

// unitCount is a unit with its number of items 严重超期.
type unitCount struct {
	Unit  *xinfang.Unit
	Count int
	Href  string
}

// watchNewDays is how recent a watch list entry is "new": its latest
// item arrived within this many days.
const watchNewDays = 7

// Whose business each part of the desk is.
func deskLeader(u *xinfang.User) bool     { return xinfang.CanLeadCase(u) }
func deskSupervisor(u *xinfang.User) bool { return u.Has(xinfang.RoleSupervisor) }

// roleDesk computes the role part of the signed-in user's workbench.
func (s *Server) roleDesk(r *http.Request) (*roleDesk, error) {
	ctx := r.Context()
	u := xinfang.UserFromContext(ctx)
	d := &roleDesk{}
	today := s.today()
	if deskLeader(u) {
		if err := s.leaderDesk(ctx, u, today, d); err != nil {
			return nil, err
		}
	}
	if deskSupervisor(u) {
		if err := s.supervisorDesk(r, u, d); err != nil {
			return nil, err
		}
	}
	if xinfang.CanInspect(u) {
		page, err := s.Discipline.FindWatchList(ctx, xinfang.WatchFilter{Limit: 500})
		if err != nil {
			return nil, err
		}
		since := today.AddDays(-watchNewDays)
		d.WatchNew = []*xinfang.WatchRow{}
		for _, row := range page.Items {
			if !calendar.DateOf(row.LatestAt).Before(since) {
				d.WatchNew = append(d.WatchNew, row)
			}
		}
		sort.SliceStable(d.WatchNew, func(i, j int) bool { return d.WatchNew[i].LatestAt.After(d.WatchNew[j].LatestAt) })
		invs, n, err := s.Discipline.FindInvestigations(ctx, xinfang.InvestigationFilter{State: xinfang.InvestigationOpen, Limit: workbenchSize})
		if err != nil {
			return nil, err
		}
		d.Investigations, d.InvTotal = invs, n
	}
	if xinfang.CanAdminister(u) {
		// The holiday calendar of this year, and of next year from
		// November (when the State Council publishes it), must be entered.
		have := map[int]bool{}
		list, err := s.Directory.Holidays(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			have[o.Date.Year] = true
		}
		d.HolidayYears = []int{}
		years := []int{today.Year}
		if today.Month >= 11 {
			years = append(years, today.Year+1)
		}
		for _, y := range years {
			if !have[y] {
				d.HolidayYears = append(d.HolidayYears, y)
			}
		}
	}
	if xinfang.CanManageRoles(u) {
		var err error
		if d.Unassigned, err = s.Directory.FindUsers(ctx, xinfang.UserFilter{State: xinfang.AccountUnassigned}); err != nil {
			return nil, err
		}
		if d.Locked, err = s.Directory.FindUsers(ctx, xinfang.UserFilter{State: xinfang.AccountLocked}); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s *Server) leaderDesk(ctx context.Context, u *xinfang.User, today calendar.Date, d *roleDesk) error {
	cases, err := s.Cases.LeaderCases(ctx)
	if err != nil {
		return err
	}
	d.Cases = []*xinfang.LeaderCase{}
	d.Instructions = []pendingInstruction{}
	for _, lc := range cases {
		c := lc.Case
		if c.State.Done() {
			continue
		}
		d.Cases = append(d.Cases, lc)
		var lastReport calendar.Date
		if lc.Last != nil {
			lastReport = lc.Last.Date
		}
		for _, in := range c.Instructions {
			day := calendar.DateOf(in.At)
			if in.AuthorID == u.ID && lastReport.Before(day) {
				d.Instructions = append(d.Instructions, pendingInstruction{Case: c, Instruction: in, Days: today.Sub(day)})
			}
		}
	}
	sort.SliceStable(d.Instructions, func(i, j int) bool { return d.Instructions[i].Days > d.Instructions[j].Days })
	if !xinfang.CanIssueSupervision(u, nil) {
		return nil
	}
	issued, n, err := s.Supervisions.FindSupervisions(ctx, xinfang.SupervisionFilter{IssuerID: u.ID,
		State: []xinfang.SupervisionState{xinfang.SupervisionOpen, xinfang.SupervisionFedBack}, Limit: workbenchSize})
	if err != nil {
		return err
	}
	d.Issued, d.IssuedTotal = issued, n
	return nil
}

func (s *Server) supervisorDesk(r *http.Request, u *xinfang.User, d *roleDesk) error {
	ctx := r.Context()
	open, _, err := s.Supervisions.FindSupervisions(ctx, xinfang.SupervisionFilter{State: []xinfang.SupervisionState{xinfang.SupervisionOpen}, Limit: 200})
	if err != nil {
		return err
	}
	d.SupervisionsDue = []*xinfang.Supervision{}
	for _, sv := range open {
		if sv.Warning == "" || sv.Warning == xinfang.WarnNormal || !xinfang.CanRemind(u, sv) {
			continue
		}
		if sv.Warning != xinfang.WarnNear {
			d.OverdueTotal++
		}
		if len(d.SupervisionsDue) < workbenchSize {
			d.SupervisionsDue = append(d.SupervisionsDue, sv)
		}
	}
	_, idx, err := s.units(r)
	if err != nil {
		return err
	}
	counts := map[int64]int{}
	err = s.Petitions.EachPetition(ctx, xinfang.PetitionFilter{Warning: xinfang.WarnSevere, Open: true}, func(p *xinfang.Petition) error {
		unit := p.HandlingUnitID
		if unit == 0 {
			unit = p.RegUnitID
		}
		counts[unit]++
		return nil
	})
	if err != nil {
		return err
	}
	d.SevereByUnit = []unitCount{}
	for id, n := range counts {
		unit, ok := idx[id]
		if !ok || !xinfang.CanIssueSupervision(u, unit) {
			continue
		}
		d.SevereByUnit = append(d.SevereByUnit, unitCount{Unit: unit, Count: n,
			Href: "/petitions?warning=severe&unit_id=" + strconv.FormatInt(id, 10)})
	}
	sort.Slice(d.SevereByUnit, func(i, j int) bool {
		a, b := d.SevereByUnit[i], d.SevereByUnit[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Unit.ID < b.Unit.ID
	})
	return nil
}

// Any reports whether the desk has a part for the user.
func (d *roleDesk) Any() bool {
	return d.Cases != nil || d.SupervisionsDue != nil || d.WatchNew != nil || d.HolidayYears != nil || d.Unassigned != nil
}
