package xinfang

import (
	"time"

	"xinfang/internal/calendar"
)

// Lawyers on duty (律师值班接访, data.md "Lawyer duty rota"): every
// reception point — the petition bureau's hall and each town's (units of
// kind 信访局 and 镇/街道) — has one lawyer a week (每周一名律师接访). The
// lawyers are the active users with the lawyer role: the rota names who
// signs in to record what he did, so an expert of field 司法 is on it
// only once he has a lawyer's account. The bureau generates the rota for
// a period (round-robin, PlanRota) and may change a week's lawyer (调班),
// each change kept with its reason. A lawyer records each reception (接访
// 记录): who came, about what, the legal advice given, whether the matter
// was diverted to a legal route and which, the petition it concerns and
// the 法律意见书 that followed.

// IsReceptionPoint reports whether u receives visits and so has a rota.
func IsReceptionPoint(u *Unit) bool {
	return u != nil && !u.Disabled && (u.Kind == UnitBureau || u.Kind == UnitTown)
}

// MondayOf returns the Monday of d's week: a rota week starts on Monday.
func MondayOf(d calendar.Date) calendar.Date {
	back := (int(d.Weekday()) + 6) % 7
	return d.AddDays(-back)
}

// MaxRotaWeeks bounds one generation: two years of weeks.
const MaxRotaWeeks = 106

// DutyWeek is one week of a point's rota.
type DutyWeek struct {
	ID         int64         `json:"id"`
	PointID    int64         `json:"point_id"`
	PointName  string        `json:"point_name"`
	WeekStart  calendar.Date `json:"week_start"`
	LawyerID   int64         `json:"lawyer_id"`
	LawyerName string        `json:"lawyer_name"`
	Version    int           `json:"version"`
	Changes    []DutyChange  `json:"changes"`
}

// WeekEnd is the Sunday of the week.
func (w *DutyWeek) WeekEnd() calendar.Date { return w.WeekStart.AddDays(6) }

// DutyChange is a change of a week's lawyer (调班).
type DutyChange struct {
	FromName string    `json:"from_name"`
	ToName   string    `json:"to_name"`
	Reason   string    `json:"reason"`
	ByName   string    `json:"by_name"`
	At       time.Time `json:"at"`
}

// RotaRequest asks for the rota of points over the weeks whose Monday
// lies in [From, To]; weeks already planned are kept.
type RotaRequest struct {
	PointIDs []int64       `json:"point_ids"`
	From     calendar.Date `json:"from"`
	To       calendar.Date `json:"to"`
}

// Weeks returns the Mondays of the request.
func (r *RotaRequest) Weeks() []calendar.Date {
	var out []calendar.Date
	for d := MondayOf(r.From); !d.After(r.To); d = d.AddDays(7) {
		if !d.Before(r.From) {
			out = append(out, d)
		}
	}
	return out
}

// Validate checks the request.
func (r *RotaRequest) Validate() error {
	p := Problems{}
	if len(r.PointIDs) == 0 {
		p.Add("point_ids", "请选择接访点")
	}
	checkCount(p, "point_ids", len(r.PointIDs), MaxItems)
	switch {
	case r.From.IsZero():
		p.Add("from", "请填写开始日期")
	case r.To.IsZero():
		p.Add("to", "请填写结束日期")
	case r.To.Before(r.From):
		p.Add("to", "结束日期不能早于开始日期")
	case len(r.Weeks()) == 0:
		p.Add("to", "期间内没有以周一开始的一周")
	case len(r.Weeks()) > MaxRotaWeeks:
		p.Add("to", "一次最多排两年")
	}
	return p.Err()
}

// RotaSlot is one week of one point; LawyerID 0 is a week to fill.
type RotaSlot struct {
	PointID   int64
	WeekStart calendar.Date
	LawyerID  int64
}

// PlanRota fills the empty slots, week by week and point by point: each
// takes, among the lawyers not yet on duty that week, the one with the
// fewest weeks in the slots so far, then the one whose last week is the
// longest ago, then the first in the list — a round-robin that keeps every
// lawyer's count within one week of the others' (when the slots planned
// before were so). Slots must be sorted by week, then point. A week with
// more points than lawyers cannot be filled: ErrInvalid on lawyers.
func PlanRota(slots []RotaSlot, lawyers []int64) error {
	if len(lawyers) == 0 {
		return FieldError("lawyers", "没有可排班的律师（须为启用的律师账号）")
	}
	count := map[int64]int{}
	last := map[int64]int{}
	for _, s := range slots {
		if s.LawyerID != 0 {
			count[s.LawyerID]++
		}
	}
	week := -1
	var prev calendar.Date
	onDuty := map[int64]bool{}
	for i := range slots {
		s := &slots[i]
		if week < 0 || !s.WeekStart.Equal(prev) {
			week++
			prev = s.WeekStart
			onDuty = map[int64]bool{}
			for _, o := range slots[i:] {
				if !o.WeekStart.Equal(prev) {
					break
				}
				if o.LawyerID != 0 {
					onDuty[o.LawyerID] = true
					last[o.LawyerID] = week + 1
				}
			}
		}
		if s.LawyerID != 0 {
			continue
		}
		best := int64(0)
		for _, l := range lawyers {
			if onDuty[l] {
				continue
			}
			if best == 0 || count[l] < count[best] || count[l] == count[best] && last[l] < last[best] {
				best = l
			}
		}
		if best == 0 {
			return FieldError("lawyers", "律师人数少于接访点数，"+s.WeekStart.String()+" 一周无法排满")
		}
		s.LawyerID = best
		count[best]++
		last[best] = week + 1
		onDuty[best] = true
	}
	return nil
}

// DutySwap changes a week's lawyer, with the reason.
type DutySwap struct {
	Version  int    `json:"version"`
	LawyerID int64  `json:"lawyer_id"`
	Reason   string `json:"reason"`
}

// Validate checks a change against the week it changes.
func (s *DutySwap) Validate(w *DutyWeek) error {
	p := Problems{}
	checkText(p, "reason", &s.Reason, MaxNote)
	if s.Reason == "" {
		p.Add("reason", "请写明调班原因")
	}
	switch {
	case s.LawyerID <= 0:
		p.Add("lawyer_id", "请选择律师")
	case s.LawyerID == w.LawyerID:
		p.Add("lawyer_id", "与原值班律师相同")
	}
	return p.Err()
}

// DutyFilter selects rota weeks: a point, a lawyer, weeks starting in
// [From, To].
type DutyFilter struct {
	PointID  int64         `json:"point_id,omitempty"`
	LawyerID int64         `json:"lawyer_id,omitempty"`
	From     calendar.Date `json:"from,omitzero"`
	To       calendar.Date `json:"to,omitzero"`
	Limit    int           `json:"limit,omitempty"`
	Offset   int           `json:"offset,omitempty"`
}

// DutyReception is a lawyer's reception record (接访记录).
type DutyReception struct {
	ID             int64         `json:"id"`
	LawyerID       int64         `json:"lawyer_id"`
	LawyerName     string        `json:"lawyer_name"`
	PointID        int64         `json:"point_id"`
	PointName      string        `json:"point_name"`
	ReceivedOn     calendar.Date `json:"received_on"`
	Visitors       string        `json:"visitors"` // 来访人
	Matter         string        `json:"matter"`   // 反映事项
	Advice         string        `json:"advice"`   // 法律意见或建议
	Diverted       bool          `json:"diverted"` // 导入法律途径
	Route          LegalRoute    `json:"route,omitempty"`
	PetitionID     int64         `json:"petition_id,omitempty"`
	PetitionNumber string        `json:"petition_number,omitempty"`
	OpinionID      int64         `json:"opinion_id,omitempty"`
	OpinionNumber  string        `json:"opinion_number,omitempty"`
	Version        int           `json:"version"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// Validate checks a record on today.
func (r *DutyReception) Validate(today calendar.Date) error {
	p := Problems{}
	checkLine(p, "visitors", &r.Visitors, MaxLine)
	checkText(p, "matter", &r.Matter, MaxNote)
	checkText(p, "advice", &r.Advice, MaxText)
	if r.PointID <= 0 {
		p.Add("point_id", "请选择接访点")
	}
	switch {
	case r.ReceivedOn.IsZero():
		p.Add("received_on", "请填写接访日期")
	case r.ReceivedOn.After(today):
		p.Add("received_on", "接访日期不能晚于今天")
	default:
		if err := CheckDate("received_on", r.ReceivedOn, today); err != nil {
			p.Add("received_on", ErrorFields(err)["received_on"])
		}
	}
	if r.Visitors == "" {
		p.Add("visitors", "请填写来访人")
	}
	if r.Matter == "" {
		p.Add("matter", "请填写反映事项")
	}
	if r.Advice == "" {
		p.Add("advice", "请填写给出的法律意见")
	}
	switch {
	case r.Diverted && !hasCode(LegalRoutes, r.Route):
		p.Add("route", "请选择导入的法律途径")
	case !r.Diverted && r.Route != "":
		p.Add("route", "未导入法律途径时不填途径")
	}
	return p.Err()
}

// DutyReceptionFilter selects the lawyers' reception records.
type DutyReceptionFilter struct {
	LawyerID int64 `json:"lawyer_id,omitempty"`
	PointID  int64 `json:"point_id,omitempty"`
	Diverted *bool `json:"diverted,omitempty"`
	Limit    int   `json:"limit,omitempty"`
	Offset   int   `json:"offset,omitempty"`
}

// CanPlanRota reports whether u generates and changes the rota: the
// petition bureau's registrars and head.
func CanPlanRota(u *User) bool {
	return u != nil && u.Unit != nil && u.Unit.Kind == UnitBureau && u.HasAny(RoleRegistrar, RoleUnitHead)
}

// CanReadLawyerDuty reports whether u has the rota and the records:
// lawyers (their own weeks and records) and the staff with a data scope
// (the points in it; the bureau all).
func CanReadLawyerDuty(u *User) bool { return u.Has(RoleLawyer) || u.HasAny(scopedRoles...) }

// CanRecordReception reports whether u records receptions: a lawyer, his
// own.
func CanRecordReception(u *User) bool { return u.Has(RoleLawyer) }
