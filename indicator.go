package xinfang

import (
	"xinfang/internal/calendar"
)

// Indicators (指标) of kpi.md: computed for a unit (with its sub-units or
// alone) and a period from the items' events, never typed in. Each figure
// opens the list of the items behind its numerator and its denominator.

// IndicatorKind names an indicator.
type IndicatorKind string

const (
	IndTimelyAccept  IndicatorKind = "timely_accept"  // 及时受理率
	IndOnTime        IndicatorKind = "on_time"        // 按期办结率
	IndParticipation IndicatorKind = "participation"  // 群众参评率
	IndSatisfaction  IndicatorKind = "satisfaction"   // 群众满意率
	IndRepeat        IndicatorKind = "repeat"         // 重复信访率
	IndBacklog       IndicatorKind = "backlog"        // 积案化解率
	IndLeaderCases   IndicatorKind = "leader_cases"   // 领导包案化解率
	IndProvince      IndicatorKind = "province"       // 赴省越级访量
	IndBeijing       IndicatorKind = "beijing"        // 进京越级访量
	IndOverdue       IndicatorKind = "overdue"        // 超期件数 (now)
	IndSevere        IndicatorKind = "severe"         // 严重超期件数 (now)
	IndSupervisions  IndicatorKind = "supervisions"   // 督办件数
	IndFeedback      IndicatorKind = "feedback"       // 督办按期反馈率
	IndSanwuBeijing  IndicatorKind = "sanwu_beijing"  // 三无: 进京非正常上访
	IndSanwuProvince IndicatorKind = "sanwu_province" // 三无: 赴省集体访
	IndSanwuMass     IndicatorKind = "sanwu_mass"     // 三无: 规模性群体事件
)

// IndicatorDef says what an indicator counts, in words shown to users.
type IndicatorDef struct {
	Kind        IndicatorKind `json:"kind"`
	Label       string        `json:"label"`
	Numerator   string        `json:"numerator"`
	Denominator string        `json:"denominator,omitempty"` // "" for a count
	Rate        bool          `json:"rate"`                  // a ratio (numerator / denominator), else a count
	Target      float64       `json:"target,omitempty"`      // the rate a unit should reach (0: none)
}

// IndicatorDefs lists the indicators in the order of kpi.md.
var IndicatorDefs = []IndicatorDef{
	{IndTimelyAccept, "及时受理率", "15 日内完成处理（转送、交办、受理、告知等）的件数", "15 日期限在本期届满的件数（按期完成的以完成日计，未按期的以届满日计）", true, 0.95},
	{IndOnTime, "按期办结率", "在办理期限（含批准的延期）内答复的件数", "办理期限在本期届满或在本期答复的件数", true, 0.90},
	{IndParticipation, "群众参评率", "已评价的件数", "应参评且在本期答复的件数", true, 0.80},
	{IndSatisfaction, "群众满意率", "评价为满意或基本满意的件数", "已评价的件数", true, 0.90},
	{IndRepeat, "重复信访率", "本期登记的重复件", "本期登记的全部件数", true, 0},
	{IndBacklog, "积案化解率", "本期化解（已化解或销号）的积案", "期初未化解及本期立案的积案", true, 0.85},
	{IndLeaderCases, "领导包案化解率", "本期化解的市领导包案积案", "期初未化解及本期立案的市领导包案积案", true, 0.85},
	{IndProvince, "赴省越级访量", "本期赴省越级访件数（按问题属地）", "", false, 0},
	{IndBeijing, "进京越级访量", "本期进京越级访件数（按问题属地）", "", false, 0},
	{IndOverdue, "超期件数", "当前已超期的在办件", "", false, 0},
	{IndSevere, "严重超期件数", "当前超期超过期限本身长度的在办件", "", false, 0},
	{IndSupervisions, "督办件数", "本期下发的督办单", "", false, 0},
	{IndFeedback, "督办按期反馈率", "按期反馈的督办单", "反馈期限在本期届满的督办单", true, 0.95},
	{IndSanwuBeijing, "进京非正常上访", "本期进京走访件数（按问题属地）", "", false, 0},
	{IndSanwuProvince, "赴省集体访", "本期赴省集体访件数（人数达到定义下限）", "", false, 0},
	{IndSanwuMass, "规模性群体事件", "本期涉及人数达到定义下限的群体访件数", "", false, 0},
}

// DefOf returns the definition of kind.
func (k IndicatorKind) Def() (IndicatorDef, bool) {
	for _, d := range IndicatorDefs {
		if d.Kind == k {
			return d, true
		}
	}
	return IndicatorDef{}, false
}

// FactKind is one kind of indicator fact kept per petition.
type FactKind string

const (
	FactAccept   FactKind = "accept"   // a 15-day disposal or notice clock (及时受理率)
	FactHandle   FactKind = "handle"   // a handling, review or re-review clock (按期办结率)
	FactEvaluate FactKind = "evaluate" // a first reply eligible for evaluation (群众参评率, 群众满意率)
)

// Fact is what an item's events say for one indicator: the clock, the unit
// whose duty it was, its due date and the day it was done. Facts are
// derived from the events (procedure.Facts) and kept beside the item, so
// that an indicator is an indexed count, not a replay of every history.
type Fact struct {
	PetitionID int64         `json:"petition_id"`
	Seq        int           `json:"seq"`
	Kind       FactKind      `json:"kind"`
	Clock      ClockKind     `json:"clock,omitempty"`
	UnitID     int64         `json:"unit_id"`
	Due        calendar.Date `json:"due"`  // zero: none (evaluate) or not known yet (a hearing running)
	Done       calendar.Date `json:"done"` // zero while the clock runs; for evaluate the reply's date
	End        calendar.Date `json:"end"`  // accept: the day its outcome was decided; evaluate: the reply's date
	OnTime     bool          `json:"on_time"`
	Rating     Rating        `json:"rating,omitempty"` // evaluate: the petitioner's rating of the unit
}

// IndicatorQuery asks for indicators of a unit over a period.
type IndicatorQuery struct {
	UnitID int64         `json:"unit_id"` // 0: the viewer's own unit
	Alone  bool          `json:"alone"`   // the unit itself, without its sub-units
	From   calendar.Date `json:"from"`
	To     calendar.Date `json:"to"` // inclusive
}

// Validate checks the period.
func (q *IndicatorQuery) Validate() error {
	p := Problems{}
	if q.From.IsZero() {
		p.Add("from", "请填写开始日期")
	}
	if q.To.IsZero() {
		p.Add("to", "请填写结束日期")
	}
	if !q.From.IsZero() && !q.To.IsZero() {
		if q.To.Before(q.From) {
			p.Add("to", "结束日期不能早于开始日期")
		} else if q.To.Sub(q.From) > 3660 {
			p.Add("to", "统计期间不能超过十年")
		}
	}
	if q.UnitID < 0 {
		p.Add("unit_id", "单位无效")
	}
	return p.Err()
}

// Indicator is one computed figure.
type Indicator struct {
	IndicatorDef
	Numerator   int      `json:"numerator_count"`
	Denominator int      `json:"denominator_count,omitempty"`
	Value       *float64 `json:"value,omitempty"` // the rate, nil without a denominator
	Below       bool     `json:"below_target"`    // a rate under its target
}

// SetValue computes the rate and compares it with the target.
func (in *Indicator) SetValue() {
	in.Value, in.Below = nil, false
	if !in.Rate || in.Denominator == 0 {
		return
	}
	v := float64(in.Numerator) / float64(in.Denominator)
	in.Value = &v
	in.Below = in.Target > 0 && v < in.Target
}

// Indicators is the answer for one unit and period.
type Indicators struct {
	Unit      *Unit           `json:"unit"`
	Alone     bool            `json:"alone"`
	From      calendar.Date   `json:"from"`
	To        calendar.Date   `json:"to"`
	Items     []*Indicator    `json:"items"`
	Sanwu     bool            `json:"sanwu"` // 三无: none of the three counted in the period
	Rule      IndicatorConfig `json:"rule"`
	Escalated []MonthCount    `json:"escalated_by_month"` // 越级访 by month of the period
	// Incomplete: the facts of the petitions registered before the
	// indicators existed are still being derived in the background (after
	// an upgrade), so the figures leave those petitions out until then.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Find returns the indicator of kind.
func (s *Indicators) Find(kind IndicatorKind) *Indicator {
	for _, in := range s.Items {
		if in.Kind == kind {
			return in
		}
	}
	return nil
}

// MonthCount is 越级访 of one month.
type MonthCount struct {
	Month    string `json:"month"` // 2026-03
	Province int    `json:"province"`
	Beijing  int    `json:"beijing"`
}

// IndicatorConfig is the local part of the definitions (kpi.md: 三无 is a
// local definition; 满意率 may count 满意 only).
type IndicatorConfig struct {
	// BasicCounts: 基本满意 counts as satisfied (default true).
	BasicCounts bool `json:"basic_counts"`
	// BeijingVisitsOnly: only 进京 visits in person (走访) break 三无; else
	// every 进京 item does.
	BeijingVisitsOnly bool `json:"beijing_visits_only"`
	// ProvinceGroupMin: a 赴省 item with at least this many people is a
	// 赴省集体访 (default 5, 第二十条's group visit).
	ProvinceGroupMin int `json:"province_group_min"`
	// MassMin: an item involving at least this many people is counted as a
	// large-scale mass incident caused by petitions (default 50).
	MassMin int `json:"mass_min"`
	Version int `json:"version"`
}

// DefaultIndicatorConfig is the configuration before any change.
func DefaultIndicatorConfig() IndicatorConfig {
	return IndicatorConfig{BasicCounts: true, BeijingVisitsOnly: true, ProvinceGroupMin: 5, MassMin: 50, Version: 1}
}

// Validate checks the configuration.
func (c *IndicatorConfig) Validate() error {
	p := Problems{}
	if c.ProvinceGroupMin < 2 || c.ProvinceGroupMin > 1000 {
		p.Add("province_group_min", "集体访人数下限须在 2–1000 之间")
	}
	if c.MassMin < 2 || c.MassMin > 100000 {
		p.Add("mass_min", "群体事件人数下限须在 2–100000 之间")
	}
	return p.Err()
}

// IndicatorPart is the side of a figure whose items are listed.
type IndicatorPart string

const (
	PartNumerator   IndicatorPart = "numerator"
	PartDenominator IndicatorPart = "denominator"
)

// IndicatorItem is one item behind a figure: a petition, a backlog case or
// a 督办单. An item the reader may not open (a 检举控告 item of another
// body) is listed without number, summary or link (Hidden), so that the
// list still equals the count.
type IndicatorItem struct {
	Kind    string        `json:"kind"` // petition, case, supervision
	ID      int64         `json:"id,omitempty"`
	Number  string        `json:"number,omitempty"`
	Summary string        `json:"summary,omitempty"`
	UnitID  int64         `json:"unit_id"`
	Unit    string        `json:"unit"`
	Due     calendar.Date `json:"due,omitempty"`
	Done    calendar.Date `json:"done,omitempty"`
	Date    calendar.Date `json:"date,omitempty"` // registration, reply, issue or resolution date
	Note    string        `json:"note,omitempty"` // on time, rating, state …
	Hidden  bool          `json:"hidden,omitempty"`
}

// IndicatorItemsQuery asks for the items of one side of one figure.
type IndicatorItemsQuery struct {
	IndicatorQuery
	Kind   IndicatorKind `json:"kind"`
	Part   IndicatorPart `json:"part"`
	Offset int           `json:"offset"`
	Limit  int           `json:"limit"` // 1–500; -1 all
}

// Validate checks the kind and the part.
func (q *IndicatorItemsQuery) Validate() error {
	p := Problems{}
	if err := q.IndicatorQuery.Validate(); err != nil {
		for k, m := range ErrorFields(err) {
			p.Add(k, m)
		}
	}
	d, ok := q.Kind.Def()
	if !ok {
		p.Add("kind", "未知的指标")
	}
	switch q.Part {
	case PartNumerator:
	case PartDenominator:
		if ok && d.Denominator == "" {
			p.Add("part", "该指标没有分母")
		}
	default:
		p.Add("part", "须为 numerator 或 denominator")
	}
	if q.Offset < 0 {
		p.Add("offset", "不能为负数")
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit != -1 && (q.Limit < 1 || q.Limit > 500) {
		p.Add("limit", "须在 1–500 之间")
	}
	return p.Err()
}

// CanReadIndicators reports whether u may read the indicators of unit: any
// unit for readers of the whole city, their own subtree for other staff
// with a data scope; nothing for the administrators.
func CanReadIndicators(u *User, unit *Unit) bool {
	if u == nil || u.Unit == nil {
		return false
	}
	s := ScopeOf(u)
	switch {
	case s.None:
		return false
	case s.All || unit == nil:
		return true
	}
	return u.Unit.Contains(unit)
}

// CanConfigureIndicators reports whether u may change the local
// definitions (三无, 满意率): supervisors and leaders of the whole city.
func CanConfigureIndicators(u *User) bool {
	return u != nil && ScopeOf(u).All && u.HasAny(RoleSupervisor, RoleLeader)
}
