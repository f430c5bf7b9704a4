package xinfang

import (
	"time"

	"xinfang/internal/calendar"
)

// Risk assessment of a major decision (重大决策社会稳定风险评估, 稳评;
// data.md "Risk assessment"): before a body decides on a major matter
// (征地拆迁、重大项目、政策调整 …) the responsible unit assesses the risks to
// social stability, the measures against them, a level and a conclusion;
// reviewers sign it. Petitions that later arise from the decision are
// linked to it, so that the decision's page lists them and each
// petition's page names the decision.

// RiskAssessmentNumberFormat numbers assessments: WP-<year>-<seq>.
const RiskAssessmentNumberFormat = "WP-%d-%04d"

// RiskConclusion is an assessment's conclusion.
type RiskConclusion string

// RiskConclusions lists the conclusions.
var RiskConclusions = []Label{
	{"proceed", "实施"}, {"with_measures", "采取措施后实施"}, {"postpone", "暂缓实施"}, {"reject", "不实施"},
}

// Label returns the Chinese label of the conclusion.
func (c RiskConclusion) Label() string { return labelOf(RiskConclusions, c) }

// Valid reports whether c is a known conclusion.
func (c RiskConclusion) Valid() bool { return hasCode(RiskConclusions, c) }

// RiskAssessment is one 稳评 of a major decision.
type RiskAssessment struct {
	ID         int64              `json:"id"`
	Number     string             `json:"number"`
	Decision   string             `json:"decision"` // the decision assessed
	Body       string             `json:"body"`     // the deciding body
	UnitID     int64              `json:"unit_id"`  // the unit responsible for the assessment
	UnitName   string             `json:"unit_name"`
	Risks      string             `json:"risks"`
	Measures   string             `json:"measures"`
	Level      RiskLevel          `json:"level"`
	Conclusion RiskConclusion     `json:"conclusion"`
	Reviewers  string             `json:"reviewers"`
	AssessedOn calendar.Date      `json:"assessed_on"`
	DecidedOn  calendar.Date      `json:"decided_on,omitzero"`
	Petitions  []RiskPetitionLink `json:"petitions"`
	Version    int                `json:"version"`
	CreatedBy  int64              `json:"created_by"`
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
}

// RiskPetitionLink is a petition linked to a decision.
type RiskPetitionLink struct {
	PetitionID int64     `json:"petition_id"`
	Number     string    `json:"number"`
	Summary    string    `json:"summary"`
	LinkedBy   string    `json:"linked_by"`
	LinkedAt   time.Time `json:"linked_at"`
}

// ConclusionLabel is the Chinese label of the conclusion.
func (a *RiskAssessment) ConclusionLabel() string { return a.Conclusion.Label() }

// Validate checks an assessment on today.
func (a *RiskAssessment) Validate(today calendar.Date) error {
	p := Problems{}
	checkLine(p, "decision", &a.Decision, MaxLine)
	checkLine(p, "body", &a.Body, MaxLine)
	checkText(p, "risks", &a.Risks, MaxText)
	checkText(p, "measures", &a.Measures, MaxText)
	checkLine(p, "reviewers", &a.Reviewers, MaxNote)
	if a.Decision == "" {
		p.Add("decision", "请填写决策事项")
	}
	if a.Body == "" {
		p.Add("body", "请填写决策机关")
	}
	if a.UnitID <= 0 {
		p.Add("unit_id", "请选择评估责任单位")
	}
	if a.Risks == "" {
		p.Add("risks", "请写明评估发现的风险")
	}
	if !a.Level.Valid() {
		p.Add("level", "请选择风险等级（高、中、低）")
	}
	if !a.Conclusion.Valid() {
		p.Add("conclusion", "请选择评估结论（实施、采取措施后实施、暂缓实施、不实施）")
	}
	if a.Conclusion == "with_measures" && a.Measures == "" {
		p.Add("measures", "结论为采取措施后实施的，须写明防范化解措施")
	}
	if a.Level == RiskHigh && a.Conclusion == "proceed" {
		p.Add("conclusion", "高风险事项不能直接实施")
	}
	if a.Reviewers == "" {
		p.Add("reviewers", "请填写评审人员")
	}
	if a.AssessedOn.IsZero() {
		p.Add("assessed_on", "请填写评估日期")
	}
	checkPastDate(p, "assessed_on", a.AssessedOn, today)
	if !a.DecidedOn.IsZero() && !a.AssessedOn.IsZero() && a.DecidedOn.Before(a.AssessedOn) {
		p.Add("decided_on", "决策日期不能早于评估日期")
	} else {
		checkPastDate(p, "decided_on", a.DecidedOn, today)
	}
	return p.Err()
}

// RiskAssessmentFilter selects assessments.
type RiskAssessmentFilter struct {
	Level      RiskLevel
	Conclusion RiskConclusion
	PetitionID int64
	Limit      int
	Offset     int
}
