package xinfang_test

import (
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// limitPetition is a petition that passes Validate.
func limitPetition(now time.Time) *xinfang.Petition {
	return &xinfang.Petition{Channel: "visit", ReceivedAt: now.Add(-time.Hour), Summary: "拖欠工资", Content: "工资未结清。",
		Category: "0501", Purpose: "claim", LocalityID: 4,
		Petitioner: &xinfang.Petitioner{Name: "张三", Phone: "13812345678"}}
}

// Every free-text field of a registration has a length limit, in
// characters, and names itself when over it: at the limit it passes, one
// character more is refused on that field alone. 900,000 characters of
// 诉求 were stored before.
func TestPetitionTextLimits(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		field string
		max   int
		set   func(p *xinfang.Petition, v string)
	}{
		{"summary", 200, func(p *xinfang.Petition, v string) { p.Summary = v }},
		{"content", 20000, func(p *xinfang.Petition, v string) { p.Content = v }},
		{"request", xinfang.MaxNote, func(p *xinfang.Petition, v string) { p.Request = v }},
		{"accused", xinfang.MaxLine, func(p *xinfang.Petition, v string) { p.Accused = v }},
		{"risk_reason", xinfang.MaxNote, func(p *xinfang.Petition, v string) { p.RiskReason = v }},
		{"category", 32, func(p *xinfang.Petition, v string) { p.Category = v }},
		{"reason", 32, func(p *xinfang.Petition, v string) { p.Reason = v }},
		{"system", 32, func(p *xinfang.Petition, v string) { p.System = v }},
		{"petitioner.name", xinfang.MaxName, func(p *xinfang.Petition, v string) { p.Petitioner.Name = v }},
		{"petitioner.address", xinfang.MaxLine, func(p *xinfang.Petition, v string) { p.Petitioner.Address = v }},
		{"petitioner.hukou_address", xinfang.MaxLine, func(p *xinfang.Petition, v string) { p.Petitioner.HukouAddress = v }},
		{"petitioner.residence", xinfang.MaxLine, func(p *xinfang.Petition, v string) { p.Petitioner.Residence = v }},
		{"petitioner.occupation", xinfang.MaxName, func(p *xinfang.Petition, v string) { p.Petitioner.Occupation = v }},
		{"petitioner.ethnicity", 50, func(p *xinfang.Petition, v string) { p.Petitioner.Ethnicity = v }},
		{"petitioner.gender", 10, func(p *xinfang.Petition, v string) { p.Petitioner.Gender = v }},
		{"petitioner.key_reason", xinfang.MaxNote, func(p *xinfang.Petition, v string) { p.Petitioner.KeyReason = v }},
		{"petitioner.id_number", 50, func(p *xinfang.Petition, v string) {
			p.Petitioner.IDType, p.Petitioner.IDNumber = xinfang.IDPassport, v
		}},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			p := limitPetition(now)
			tc.set(p, strings.Repeat("长", tc.max))
			if err := p.Validate(now); xinfang.ErrorFields(err)[tc.field] != "" {
				t.Errorf("%d characters refused: %v", tc.max, err)
			}
			p = limitPetition(now)
			tc.set(p, strings.Repeat("长", tc.max+1))
			wantFields(t, p.Validate(now), xinfang.EINVALID, tc.field)
		})
	}

	p := limitPetition(now)
	p.Request = strings.Repeat("诉", 900000)
	wantFields(t, p.Validate(now), xinfang.EINVALID, "request")

	// One-line fields refuse line breaks; text fields keep them.
	p = limitPetition(now)
	p.Petitioner.Address, p.Request = "甲镇\n幸福村", "一、结清工资\n二、赔偿损失"
	wantFields(t, p.Validate(now), xinfang.EINVALID, "petitioner.address")
	// And nothing holds a NUL, whoever calls Validate.
	p = limitPetition(now)
	p.Content = "工资\x00未结清"
	wantFields(t, p.Validate(now), xinfang.EINVALID, "content")

	// Lists and counts.
	p = limitPetition(now)
	for i := 0; i <= xinfang.MaxPeople; i++ {
		p.CoPetitioners = append(p.CoPetitioners, &xinfang.Petitioner{Name: "联名人", Phone: "13812345678"})
	}
	wantFields(t, p.Validate(now), xinfang.EINVALID, "co_petitioners")
	p = limitPetition(now)
	p.PersonCount, p.InvolvedCount = 1<<40, 1<<41
	wantFields(t, p.Validate(now), xinfang.EINVALID, "person_count", "involved_count")
	p = limitPetition(now)
	p.ReceivedAt = time.Date(1900, 1, 1, 9, 0, 0, 0, time.UTC)
	wantFields(t, p.Validate(now), xinfang.EINVALID, "received_at")
}

// A case's team has at most 50 members, its other lists their caps too;
// its texts have limits; its dates lie between 1990 and ten years ahead,
// and a day something happened is not after today.
func TestCaseLimits(t *testing.T) {
	today := calendar.MustParseDate("2026-06-15")
	valid := func() *xinfang.Case {
		return &xinfang.Case{Title: "欠薪积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: 4}
	}
	tests := []struct {
		name   string
		change func(c *xinfang.Case)
		field  string
	}{
		{"deadline in 1900", func(c *xinfang.Case) { c.Deadline = calendar.MustParseDate("1900-01-01") }, "deadline"},
		{"deadline in 9999", func(c *xinfang.Case) { c.Deadline = calendar.MustParseDate("9999-12-31") }, "deadline"},
		{"title", func(c *xinfang.Case) { c.Title = strings.Repeat("长", xinfang.MaxLine+1) }, "title"},
		{"summary", func(c *xinfang.Case) { c.Summary = strings.Repeat("长", xinfang.MaxText+1) }, "summary"},
		{"stability plan", func(c *xinfang.Case) { c.StabilityPlan = strings.Repeat("长", xinfang.MaxText+1) }, "stability_plan"},
		{"petitioners", func(c *xinfang.Case) { c.Petitioners = strings.Repeat("长", xinfang.MaxNote+1) }, "petitioners"},
		{"petitions", func(c *xinfang.Case) { c.PetitionIDs = make([]int64, xinfang.MaxItems+1) }, "petition_ids"},
		{"tags", func(c *xinfang.Case) { c.Tags = make([]xinfang.CaseTag, 1000) }, "tags"},
	}
	if err := valid().Validate(today); err != nil {
		t.Fatal(err)
	}
	c := valid()
	c.Deadline = calendar.MustParseDate("2036-06-15")
	if err := c.Validate(today); err != nil {
		t.Errorf("a deadline ten years ahead: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.change(c)
			if err := c.Validate(today); xinfang.ErrorFields(err)[tc.field] == "" {
				t.Errorf("want a message on %s, got %v", tc.field, err)
			}
		})
	}

	p := xinfang.Problems{}
	team := make([]xinfang.CaseMember, 5000)
	for i := range team {
		team[i] = xinfang.CaseMember{Name: "成员", Role: "成员"}
	}
	xinfang.ValidateTeam(team, p)
	wantFields(t, p.Err(), xinfang.EINVALID, "team")
	p = xinfang.Problems{}
	xinfang.ValidateTeam(team[:xinfang.MaxPeople], p)
	wantFields(t, p.Err(), "")
	p = xinfang.Problems{}
	xinfang.ValidateTeam([]xinfang.CaseMember{{Name: "王五", Role: strings.Repeat("长", xinfang.MaxName+1)}}, p)
	wantFields(t, p.Err(), xinfang.EINVALID, "team.0.role")

	day := func(s string) calendar.Date { return calendar.MustParseDate(s) }
	records := []struct {
		name  string
		err   error
		field string
	}{
		{"step deadline", (&xinfang.PlanStep{Content: "走访", Owner: "李", Deadline: day("1900-01-01")}).Validate(today), "deadline"},
		{"step done tomorrow", (&xinfang.PlanStep{Content: "走访", Owner: "李", Deadline: day("2026-07-01"), DoneOn: day("2026-06-16"), Evidence: "笔录"}).Validate(today), "done_on"},
		{"step content", (&xinfang.PlanStep{Content: strings.Repeat("长", xinfang.MaxNote+1), Owner: "李", Deadline: day("2026-07-01")}).Validate(today), "content"},
		{"consultation in 1900", (&xinfang.Consultation{Date: day("1900-01-01"), Attendees: []xinfang.Attendee{{Kind: "lawyer", Name: "刘"}}, Findings: "x", Decisions: "y"}).Validate(today), "date"},
		{"consultation attendees", (&xinfang.Consultation{Date: today, Attendees: make([]xinfang.Attendee, 51), Findings: "x", Decisions: "y"}).Validate(today), "attendees"},
		{"progress text", (&xinfang.ProgressReport{Date: today, Text: strings.Repeat("长", xinfang.MaxText+1)}).Validate(today), "text"},
		{"follow-up next year", (&xinfang.Resolution{Followup: xinfang.FollowupVisit{Date: day("2027-01-01")}}).Validate(today), "followup.date"},
		{"follow-up by", (&xinfang.Resolution{Followup: xinfang.FollowupVisit{By: strings.Repeat("长", xinfang.MaxName+1)}}).Validate(today), "followup.by"},
		{"facts", (&xinfang.Resolution{Facts: strings.Repeat("长", xinfang.MaxText+1)}).Validate(today), "facts"},
		{"task deadline", (&xinfang.Task{Kind: "unit", Title: "核查", OwnerUnitID: 3, Deadline: day("1900-01-01")}).Validate(today), "deadline"},
		{"instruction recipients", (&xinfang.Instruction{Text: "抓紧", ToUsers: make([]int64, xinfang.MaxItems+1)}).Validate(), "to_users"},
		{"accountability in 1900", (&xinfang.Accountability{Target: "unit", UnitID: 3, Measure: "talk", DecidedOn: day("1900-01-01"), Ground: "x"}).Validate(today), "decided_on"},
		{"accountability decided by", (&xinfang.Accountability{Target: "unit", UnitID: 3, Measure: "talk", DecidedOn: today, Ground: "x", DecidedBy: strings.Repeat("长", xinfang.MaxLine+1)}).Validate(today), "decided_by"},
		{"letter note", (&xinfang.ResponsibilityLetter{UnitID: 3, Year: 2026, SignedOn: today, Targets: []string{"x"}, Note: strings.Repeat("长", 5001)}).Validate(today), "note"},
		{"official position", (&xinfang.ResponsibilityTrackInput{Officials: []xinfang.Official{{Name: "王", UnitID: 3, Position: strings.Repeat("长", xinfang.MaxName+1)}}}).Validate(), "officials.0.position"},
		{"investigation summary", (&xinfang.InvestigationInput{PetitionID: 1, Cause: "unclear", Summary: strings.Repeat("长", xinfang.MaxNote+1)}).Validate(), "summary"},
		{"supervision deadline", (&xinfang.Supervision{TargetUnitID: 3, PetitionID: 1, Requirements: "x", Deadline: day("2099-01-01")}).Validate(today), "deadline"},
	}
	for _, tc := range records {
		if xinfang.ErrorFields(tc.err)[tc.field] == "" {
			t.Errorf("%s: want a message on %s, got %v", tc.name, tc.field, tc.err)
		}
	}
	task := &xinfang.Task{State: xinfang.TaskOpen}
	wantFields(t, task.Apply(xinfang.TaskChange{State: xinfang.TaskReleased, Reason: strings.Repeat("长", xinfang.MaxNote+1)}), xinfang.EINVALID, "release_reason")
	if _, err := xinfang.CheckNote("note", strings.Repeat("长", xinfang.MaxNote)); err != nil {
		t.Errorf("a note at the limit: %v", err)
	}
	if err := xinfang.CheckDate("date", day("1989-12-31"), today); xinfang.ErrorFields(err)["date"] == "" {
		t.Errorf("1989-12-31 passed: %v", err)
	}
}
