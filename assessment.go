package xinfang

import (
	"time"
)

// Annual assessment (年度考核, kpi.md): a score per unit and year from its
// indicators under the year's weights and thresholds (data, defaults from
// kpi.md), the 责任书 targets linked to indicators (fulfilment computed),
// and the assessor's bonus and penalty entries with their reasons. A year
// closed by the assessor is frozen: its scores are kept as computed then
// and never change.

// AssessmentRules are the weights and thresholds of one year.
type AssessmentRules struct {
	Year int `json:"year"`
	// Weights: points for a rate of 100%, scaled by the rate (a rate with
	// nothing in its denominator scores full).
	Weights map[IndicatorKind]float64 `json:"weights"`
	// RepeatPenalty is deducted for each repeat item registered in the
	// year (重复信访 −1 for each extra repeat item), at most RepeatCap
	// in all (0: no cap).
	RepeatPenalty float64 `json:"repeat_penalty"`
	RepeatCap     float64 `json:"repeat_cap"`
	// LeaderThreshold: a 领导包案化解率 below it deducts LeaderPenalty.
	LeaderThreshold float64   `json:"leader_threshold"`
	LeaderPenalty   float64   `json:"leader_penalty"`
	Frozen          bool      `json:"frozen"`
	FrozenAt        time.Time `json:"frozen_at,omitempty"`
	FrozenBy        string    `json:"frozen_by,omitempty"`
	Version         int       `json:"version"`
}

// DefaultAssessmentRules are kpi.md's default weights (a district's rules
// built on 国信发〔2022〕11号).
func DefaultAssessmentRules(year int) AssessmentRules {
	return AssessmentRules{Year: year, Weights: map[IndicatorKind]float64{
		IndTimelyAccept: 5, IndOnTime: 10, IndSatisfaction: 10, IndParticipation: 5,
	}, RepeatPenalty: 1, RepeatCap: 10, LeaderThreshold: 0.85, LeaderPenalty: 5, Version: 1}
}

// Validate checks the rules.
func (r *AssessmentRules) Validate() error {
	p := Problems{}
	if r.Year < 2000 || r.Year > 2100 {
		p.Add("year", "年度须在 2000–2100 之间")
	}
	for k, w := range r.Weights {
		d, ok := k.Def()
		if !ok || !d.Rate {
			p.Add("weights."+string(k), "只有比率类指标可以计分")
		} else if w < 0 || w > 100 {
			p.Add("weights."+string(k), "分值须在 0–100 之间")
		}
	}
	if r.RepeatPenalty < 0 || r.RepeatPenalty > 100 {
		p.Add("repeat_penalty", "扣分须在 0–100 之间")
	}
	if r.RepeatCap < 0 || r.RepeatCap > 100 {
		p.Add("repeat_cap", "扣分上限须在 0–100 之间")
	}
	if r.LeaderThreshold < 0 || r.LeaderThreshold > 1 {
		p.Add("leader_threshold", "须在 0–1 之间")
	}
	if r.LeaderPenalty < 0 || r.LeaderPenalty > 100 {
		p.Add("leader_penalty", "扣分须在 0–100 之间")
	}
	return p.Err()
}

// AssessmentEntryKind is why an assessor adds or deducts points.
type AssessmentEntryKind string

const (
	EntryLetter         AssessmentEntryKind = "letter"         // 责任书
	EntryEscalation     AssessmentEntryKind = "escalation"     // 越级访
	EntryAccountability AssessmentEntryKind = "accountability" // 问责
	EntryTalk           AssessmentEntryKind = "talk"           // 约谈
	EntryOther          AssessmentEntryKind = "other"          // 其他
)

// AssessmentEntryKinds lists the kinds with their labels.
var AssessmentEntryKinds = []Label{{string(EntryLetter), "责任书"}, {string(EntryEscalation), "越级访"},
	{string(EntryAccountability), "问责"}, {string(EntryTalk), "约谈"}, {string(EntryOther), "其他"}}

// Label returns the Chinese label of k.
func (k AssessmentEntryKind) Label() string { return labelOf(AssessmentEntryKinds, k) }

// AssessmentEntry is a bonus (positive) or penalty (negative) typed by the
// assessor, with its reason.
type AssessmentEntry struct {
	ID            int64               `json:"id"`
	Year          int                 `json:"year"`
	UnitID        int64               `json:"unit_id"`
	Kind          AssessmentEntryKind `json:"kind"`
	Points        float64             `json:"points"`
	Reason        string              `json:"reason"`
	CreatedByName string              `json:"created_by_name,omitempty"`
	CreatedAt     time.Time           `json:"created_at"`
}

// Validate checks an entry.
func (e *AssessmentEntry) Validate() error {
	p := Problems{}
	if e.UnitID <= 0 {
		p.Add("unit_id", "请选择单位")
	}
	if labelOf(AssessmentEntryKinds, e.Kind) == "" {
		p.Add("kind", "未知的加减分类型")
	}
	if e.Points == 0 || e.Points < -100 || e.Points > 100 {
		p.Add("points", "分值须为 −100 到 100 之间的非零数")
	}
	if r, err := CheckNote("reason", e.Reason); err != nil || r == "" {
		p.Add("reason", "请写明加减分理由")
	} else {
		e.Reason = r
	}
	return p.Err()
}

// LetterTarget links a target of a unit's 责任书 to an indicator: met when
// the unit's rate for the year reaches MinRate; otherwise Points are
// deducted. Fulfilment is computed, never typed.
type LetterTarget struct {
	LetterID  int64         `json:"letter_id"`
	UnitID    int64         `json:"unit_id,omitempty"`
	Year      int           `json:"year,omitempty"`
	Indicator IndicatorKind `json:"indicator"`
	MinRate   float64       `json:"min_rate"`
	Points    float64       `json:"points"`
}

// Validate checks a link.
func (t *LetterTarget) Validate() error {
	p := Problems{}
	if t.LetterID <= 0 {
		p.Add("letter_id", "请选择责任书")
	}
	if d, ok := t.Indicator.Def(); !ok || !d.Rate {
		p.Add("indicator", "请选择比率类指标")
	}
	if t.MinRate <= 0 || t.MinRate > 1 {
		p.Add("min_rate", "目标值须在 0–1 之间")
	}
	if t.Points < 0 || t.Points > 100 {
		p.Add("points", "未完成扣分须在 0–100 之间")
	}
	return p.Err()
}

// ScoreLine is one line of a unit's breakdown.
type ScoreLine struct {
	Item      string        `json:"item"` // what is scored
	Indicator IndicatorKind `json:"indicator,omitempty"`
	Figure    string        `json:"figure,omitempty"` // 45/50 = 90.0%
	Points    float64       `json:"points"`
	Max       float64       `json:"max,omitempty"`
	Note      string        `json:"note,omitempty"`
}

// UnitScore is a unit's score for a year with its breakdown.
type UnitScore struct {
	UnitID   int64             `json:"unit_id"`
	UnitName string            `json:"unit_name"`
	Rank     int               `json:"rank"`
	Score    float64           `json:"score"`
	Lines    []ScoreLine       `json:"lines"`
	Entries  []AssessmentEntry `json:"entries"`
}

// Assessment is a year's ranking.
type Assessment struct {
	Rules AssessmentRules `json:"rules"`
	Units []*UnitScore    `json:"units"`
}

// CanAssess reports whether u may set a year's rules, type entries, link
// 责任书 targets and freeze the year: supervisors and leaders of the city.
func CanAssess(u *User) bool { return CanConfigureIndicators(u) }

// CanReadAssessment reports whether u may read the ranking: readers of
// the whole city.
func CanReadAssessment(u *User) bool { return u != nil && ScopeOf(u).All }
