package xinfang

import "xinfang/internal/calendar"

// One record of a case's team or plan changed at a time, as the case
// page's forms and the API's member and step routes change it, while
// storage saves the whole team (SetCaseTeam) or a whole step
// (SaveCaseStep). The rules live here so that page and API apply the same.

// TeamWith returns c's team with m added, to be saved in its place.
func (c *Case) TeamWith(m CaseMember) []CaseMember {
	m.ID = 0
	return append(c.teamCopy(), m)
}

// TeamWithout returns c's team without the member memberID, to be saved
// in its place; ENOTFOUND when the team has no such member.
func (c *Case) TeamWithout(memberID int64) ([]CaseMember, error) {
	team := c.teamCopy()
	for i, m := range c.Team {
		if m.ID == memberID {
			return append(team[:i], team[i+1:]...), nil
		}
	}
	return nil, Errorf(ENOTFOUND, "专班成员不存在")
}

// teamCopy is the team as it is saved anew: without the ids of the rows
// it replaces.
func (c *Case) teamCopy() []CaseMember {
	team := make([]CaseMember, len(c.Team), len(c.Team)+1)
	copy(team, c.Team)
	for i := range team {
		team[i].ID = 0
	}
	return team
}

// StepDone returns step stepID of c recorded as done on doneOn with its
// evidence, the rest of the step as it was: ENOTFOUND for a step c does
// not have, EINVALID on done_on without a date.
func (c *Case) StepDone(stepID int64, doneOn calendar.Date, evidence string) (*PlanStep, error) {
	for _, st := range c.Plan {
		if st.ID != stepID {
			continue
		}
		if doneOn.IsZero() {
			return nil, FieldError("done_on", "请填写完成日期")
		}
		done := *st
		done.DoneOn, done.Evidence = doneOn, evidence
		return &done, nil
	}
	return nil, Errorf(ENOTFOUND, "方案步骤不存在")
}
