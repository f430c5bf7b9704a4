package xinfang

import (
	"fmt"
	"time"

	"xinfang/internal/calendar"
)

// Conflict screening (矛盾纠纷排查, data.md "Conflict screening"; product.md
// 力度): the three-level network of the city, its towns and their villages
// reports the conflicts it finds, each with its source, parties, place,
// category, risk level, the person responsible and a deadline. A report
// ends in one of three ways: settled on the spot at the village, town or
// city level (小事不出村、大事不出镇), registered as a petition (channel
// 排查发现), or filed as a backlog case (source 市排查). Screening rounds
// (排查轮次, monthly by default) name the units expected to report; a unit
// has reported when it filed a report in the round or a nil return (零报告).

// ScreeningNumberFormat numbers the reports: PC-<year>-<seq>.
const ScreeningNumberFormat = "PC-%d-%04d"

// ScreeningSource is how a conflict was found.
type ScreeningSource string

// ScreeningSources lists the sources (data.md).
var ScreeningSources = []Label{
	{"online", "网络信息捕捉"}, {"feedback", "群众监测反馈"}, {"visit", "入户走访"}, {"analysis", "分析研判"},
}

// Label returns the Chinese label of the source.
func (s ScreeningSource) Label() string { return labelOf(ScreeningSources, s) }

// Valid reports whether s is a known source.
func (s ScreeningSource) Valid() bool { return hasCode(ScreeningSources, s) }

// ScreeningLevel is a level of the three-level network: where a report was
// filed, and where a conflict was settled.
type ScreeningLevel string

const (
	LevelVillage ScreeningLevel = "village" // 村（社区）
	LevelTown    ScreeningLevel = "town"    // 镇（街道）
	LevelCity    ScreeningLevel = "city"    // 市
)

// ScreeningLevels lists the levels, lowest first.
var ScreeningLevels = []Label{{string(LevelVillage), "村级"}, {string(LevelTown), "镇级"}, {string(LevelCity), "市级"}}

// Label returns the Chinese label of the level.
func (l ScreeningLevel) Label() string { return labelOf(ScreeningLevels, l) }

// Valid reports whether l is a known level.
func (l ScreeningLevel) Valid() bool { return hasCode(ScreeningLevels, l) }

// rank orders the levels: village 0, town 1, city 2.
func (l ScreeningLevel) rank() int {
	for i, x := range ScreeningLevels {
		if x.Code == string(l) {
			return i
		}
	}
	return -1
}

// LevelOf is the network level of a unit: its villages and towns, and
// the city for every other unit (the city, its bureau and departments).
func LevelOf(k UnitKind) ScreeningLevel {
	switch k {
	case UnitVillage:
		return LevelVillage
	case UnitTown:
		return LevelTown
	}
	return LevelCity
}

// ScreeningState is where a report stands.
type ScreeningState string

const (
	ScreeningOpen     ScreeningState = "open"     // 待化解
	ScreeningSettled  ScreeningState = "settled"  // 就地化解
	ScreeningPetition ScreeningState = "petition" // 转信访件
	ScreeningCase     ScreeningState = "case"     // 转积案
)

// ScreeningStates lists the states.
var ScreeningStates = []Label{{string(ScreeningOpen), "待化解"}, {string(ScreeningSettled), "就地化解"}, {string(ScreeningPetition), "转信访件"}, {string(ScreeningCase), "转积案"}}

// Label returns the Chinese label of the state.
func (s ScreeningState) Label() string { return labelOf(ScreeningStates, s) }

// Valid reports whether s is a known state.
func (s ScreeningState) Valid() bool { return hasCode(ScreeningStates, s) }

// ScreeningReport is one conflict found by the network (排查报告).
type ScreeningReport struct {
	ID             int64           `json:"id"`
	Number         string          `json:"number"`
	RoundID        int64           `json:"round_id,omitempty"`
	RoundPeriod    string          `json:"round_period,omitempty"`
	UnitID         int64           `json:"unit_id"` // the reporting village, town or city unit
	UnitName       string          `json:"unit_name"`
	Level          ScreeningLevel  `json:"level"` // of the reporting unit
	Source         ScreeningSource `json:"source"`
	FoundOn        calendar.Date   `json:"found_on"`
	Summary        string          `json:"summary"` // 矛盾纠纷概况
	Parties        string          `json:"parties"`
	Place          string          `json:"place"`
	Category       string          `json:"category"` // 内容分类 code
	RiskLevel      RiskLevel       `json:"risk_level"`
	Owner          string          `json:"owner"` // 责任人
	DueOn          calendar.Date   `json:"due_on"`
	State          ScreeningState  `json:"state"`
	SettledLevel   ScreeningLevel  `json:"settled_level,omitempty"`
	SettledOn      calendar.Date   `json:"settled_on,omitzero"`
	SettleNote     string          `json:"settle_note,omitempty"`
	PetitionID     int64           `json:"petition_id,omitempty"`
	PetitionNumber string          `json:"petition_number,omitempty"`
	CaseID         int64           `json:"case_id,omitempty"`
	CaseNumber     string          `json:"case_number,omitempty"`
	Overdue        bool            `json:"overdue"` // open past its deadline
	Version        int             `json:"version"`
	CreatedByID    int64           `json:"created_by"`
	CreatedByName  string          `json:"created_by_name"`
	CreatedAt      time.Time       `json:"created_at"`
}

// StateLabel is the Chinese label of the report's state.
func (r *ScreeningReport) StateLabel() string { return r.State.Label() }

// IsOverdue reports whether the report is still open past its deadline on today.
func (r *ScreeningReport) IsOverdue(today calendar.Date) bool {
	return r.State == ScreeningOpen && !r.DueOn.IsZero() && today.After(r.DueOn)
}

// Validate checks a new report on today.
func (r *ScreeningReport) Validate(today calendar.Date) error {
	p := Problems{}
	checkText(p, "summary", &r.Summary, MaxNote)
	checkText(p, "parties", &r.Parties, MaxNote)
	checkLine(p, "place", &r.Place, MaxLine)
	checkLine(p, "owner", &r.Owner, MaxName)
	checkLine(p, "category", &r.Category, 32)
	if r.UnitID <= 0 {
		p.Add("unit_id", "请选择报告单位")
	}
	if !r.Source.Valid() {
		p.Add("source", "请选择排查来源（网络信息捕捉、群众监测反馈、入户走访、分析研判）")
	}
	if r.Summary == "" {
		p.Add("summary", "请填写矛盾纠纷概况")
	}
	if r.Parties == "" {
		p.Add("parties", "请填写当事人")
	}
	if r.Place == "" {
		p.Add("place", "请填写发生地点")
	}
	if r.Category == "" {
		p.Add("category", "请选择内容分类")
	}
	if !r.RiskLevel.Valid() {
		p.Add("risk_level", "请选择风险等级（高、中、低）")
	}
	if r.Owner == "" {
		p.Add("owner", "请填写责任人")
	}
	if r.FoundOn.IsZero() {
		p.Add("found_on", "请填写发现日期")
	}
	checkPastDate(p, "found_on", r.FoundOn, today)
	switch {
	case r.DueOn.IsZero():
		p.Add("due_on", "请填写化解期限")
	case !r.FoundOn.IsZero() && r.DueOn.Before(r.FoundOn):
		p.Add("due_on", "化解期限不能早于发现日期")
	default:
		checkDueDate(p, "due_on", r.DueOn, today)
	}
	return p.Err()
}

// ScreeningSettlement settles a report on the spot (就地化解).
type ScreeningSettlement struct {
	Version   int            `json:"version"`
	Level     ScreeningLevel `json:"level"`
	SettledOn calendar.Date  `json:"settled_on"`
	Note      string         `json:"note"`
}

// Validate checks the settlement of report r on today: a conflict is
// settled at the level it was reported or above, never below it (a
// town's report is not settled by a village).
func (s *ScreeningSettlement) Validate(r *ScreeningReport, today calendar.Date) error {
	if err := r.CheckOpen(); err != nil {
		return err
	}
	p := Problems{}
	checkText(p, "note", &s.Note, MaxNote)
	switch {
	case !s.Level.Valid():
		p.Add("level", "请选择化解层级（村级、镇级、市级）")
	case s.Level.rank() < r.Level.rank():
		p.Add("level", "化解层级不能低于报告单位的层级（"+r.Level.Label()+"）")
	}
	if s.Note == "" {
		p.Add("note", "请写明化解情况")
	}
	switch {
	case s.SettledOn.IsZero():
		p.Add("settled_on", "请填写化解日期")
	case s.SettledOn.Before(r.FoundOn):
		p.Add("settled_on", "不能早于发现日期 "+r.FoundOn.String())
	default:
		checkPastDate(p, "settled_on", s.SettledOn, today)
	}
	return p.Err()
}

// CheckOpen refuses a change of a report that is no longer open.
func (r *ScreeningReport) CheckOpen() error {
	if r.State != ScreeningOpen {
		return &Error{Code: ECONFLICT, Message: "该排查报告已" + r.State.Label() + "，不能再处置", Fields: map[string]string{"action": "当前状态不允许此操作"}}
	}
	return nil
}

// ScreeningPetitionInput is what turning a report into a petition needs
// beyond the report: the petitioner and the purpose.
type ScreeningPetitionInput struct {
	Version    int         `json:"version"`
	Petitioner *Petitioner `json:"petitioner"`
	Purpose    Purpose     `json:"purpose"`
	Request    string      `json:"request"`
}

// Petition is the petition the report becomes (排查发现): its content,
// category, place and risk from the report, received now.
func (in *ScreeningPetitionInput) Petition(r *ScreeningReport, now time.Time) *Petition {
	summary := []rune(r.Summary)
	if len(summary) > 200 {
		summary = summary[:200]
	}
	return &Petition{
		Channel: ChannelScreening, ReceivedAt: now, Petitioner: in.Petitioner, Purpose: in.Purpose, Request: in.Request,
		Summary: string(summary), Content: fmt.Sprintf("%s\n\n当事人：%s\n地点：%s\n（排查报告 %s）", r.Summary, r.Parties, r.Place, r.Number),
		Category: r.Category, LocalityID: r.UnitID, RiskLevel: r.RiskLevel, RiskReason: "矛盾纠纷排查：" + r.Number,
	}
}

// ScreeningCaseInput is what filing a report as a backlog case needs
// beyond the report: the 包案领导, the deadline and the responsible unit
// (the reporting unit when not given).
type ScreeningCaseInput struct {
	Version           int           `json:"version"`
	LeaderID          int64         `json:"leader_id"`
	ResponsibleUnitID int64         `json:"responsible_unit_id"`
	Deadline          calendar.Date `json:"deadline"`
}

// Case is the backlog case the report becomes (source 市排查).
func (in *ScreeningCaseInput) Case(r *ScreeningReport) *Case {
	unit := in.ResponsibleUnitID
	if unit == 0 {
		unit = r.UnitID
	}
	title := []rune(r.Summary)
	if len(title) > 60 {
		title = title[:60]
	}
	return &Case{Title: string(title), Source: CaseSourceCity, Summary: r.Summary + "\n\n地点：" + r.Place + "（排查报告 " + r.Number + "）",
		Petitioners: r.Parties, ResponsibleUnitID: unit, LeaderID: in.LeaderID, Deadline: in.Deadline}
}

// ScreeningRound is one periodic screening (排查轮次) of a unit's subtree.
type ScreeningRound struct {
	ID        int64                 `json:"id"`
	UnitID    int64                 `json:"unit_id"` // the unit that runs the round
	UnitName  string                `json:"unit_name"`
	Period    string                `json:"period"` // YYYY-MM
	DueOn     calendar.Date         `json:"due_on"` // returns are due
	Note      string                `json:"note"`
	Units     []ScreeningRoundUnit  `json:"units"` // the units expected to report
	Version   int                   `json:"version"`
	CreatedAt time.Time             `json:"created_at"`
	Counts    ScreeningRoundSummary `json:"summary"`
}

// ScreeningRoundUnit is one unit expected to report in a round, and its return.
type ScreeningRoundUnit struct {
	UnitID    int64          `json:"unit_id"`
	UnitName  string         `json:"unit_name"`
	Level     ScreeningLevel `json:"level"`
	Reports   int            `json:"reports"`
	NilReturn calendar.Date  `json:"nil_return_on,omitzero"` // 零报告
	Late      bool           `json:"late"`                   // not reported, past the round's due day
}

// Reported reports whether the unit made its return: a report or a nil return.
func (u ScreeningRoundUnit) Reported() bool { return u.Reports > 0 || !u.NilReturn.IsZero() }

// ScreeningRoundSummary counts a round's returns.
type ScreeningRoundSummary struct {
	Expected   int `json:"expected"`
	Reported   int `json:"reported"`
	NilReturns int `json:"nil_returns"`
	Missing    int `json:"missing"`
}

// Missing is the units of the round that have not reported.
func (r *ScreeningRound) Missing() []ScreeningRoundUnit {
	var out []ScreeningRoundUnit
	for _, u := range r.Units {
		if !u.Reported() {
			out = append(out, u)
		}
	}
	return out
}

// Validate checks a new round.
func (r *ScreeningRound) Validate() error {
	p := Problems{}
	checkText(p, "note", &r.Note, MaxNote)
	if r.UnitID <= 0 {
		p.Add("unit_id", "请选择组织排查的单位")
	}
	if t, err := time.Parse("2006-01", r.Period); err != nil || len(r.Period) != 7 || t.Year() < EarliestDate.Year {
		p.Add("period", "请按 YYYY-MM 填写排查月份")
	}
	if r.DueOn.IsZero() {
		p.Add("due_on", "请填写报送截止日期")
	}
	return p.Err()
}

// ScreeningFilter selects reports.
type ScreeningFilter struct {
	State      ScreeningState
	Level      ScreeningLevel // of the reporting unit
	RoundID    int64
	UnitID     int64 // the unit with its sub-units
	Overdue    bool
	PetitionID int64
	CaseID     int64
	Limit      int
	Offset     int
}

// ScreeningCounts counts the reports a reader sees: by state, and the
// settled ones by the level where they were settled (小事不出村、大事不出镇).
type ScreeningCounts struct {
	Total    int                    `json:"total"`
	Open     int                    `json:"open"`
	Overdue  int                    `json:"overdue"`
	Petition int                    `json:"petition"`
	Case     int                    `json:"case"`
	Settled  map[ScreeningLevel]int `json:"settled"`
}

// CanReadScreening reports whether u reads the screening reports, rounds
// and risk assessments: the staff with a data scope, each within it.
func CanReadScreening(u *User) bool { return u.HasAny(scopedRoles...) }

// CanReportScreening reports whether u files and handles screening
// reports, nil returns and rounds, and records risk assessments: the
// registrars, handlers and heads of the units (leaders read).
func CanReportScreening(u *User) bool { return u.HasAny(registerRoles...) }

// SettledAt is the number of reports settled at level (a level's code).
func (c *ScreeningCounts) SettledAt(level string) int { return c.Settled[ScreeningLevel(level)] }
