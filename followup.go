package xinfang

import (
	"time"

	"xinfang/internal/calendar"
)

// Follow-up visits (跟踪回访) after a petition was replied (答复) or
// concluded (办结): a petition in the reader's scope appears on the due
// list once FollowupDays have passed since its reply without a visit
// since; the visit records how the petitioner stands, in the shape of a
// backlog case's 回访 (FollowupVisit). A visit that finds the matter not
// settled reopens work in the same transaction: a task on the petition for
// its handling unit, or a backlog case filed from it.

// VisitHows list the ways a visit is made (回访方式).
var VisitHows = []Label{{"phone", "电话"}, {"home", "上门"}, {"interview", "约谈"}, {"letter", "书面"}, {"online", "网络"}}

// VisitMoods list the petitioner's states of mind seen at a visit.
var VisitMoods = []Label{{"stable", "情绪稳定"}, {"mostly", "基本稳定"}, {"unhappy", "仍有不满"}, {"agitated", "情绪激动"}}

// FollowupReopen is what a visit that finds the matter not settled opens.
type FollowupReopen string

const (
	ReopenTask FollowupReopen = "task" // 交办任务 to the handling unit
	ReopenCase FollowupReopen = "case" // 纳入信访积案
)

// FollowupReopens lists them with their labels.
var FollowupReopens = []Label{{string(ReopenTask), "交办任务（承办单位）"}, {string(ReopenCase), "纳入信访积案"}}

// Followup is one follow-up visit of a petition.
type Followup struct {
	ID             int64          `json:"id"`
	PetitionID     int64          `json:"petition_id"`
	PetitionNumber string         `json:"petition_number,omitempty"`
	VisitedOn      calendar.Date  `json:"visited_on"`
	By             string         `json:"by"`  // who visited
	How            string         `json:"how"` // VisitHows
	Mood           string         `json:"mood"`
	Settled        bool           `json:"settled"`
	Note           string         `json:"note"`
	Reopen         FollowupReopen `json:"reopen,omitempty"` // when not settled
	TaskDeadline   calendar.Date  `json:"task_deadline,omitzero"`
	LeaderID       int64          `json:"leader_id,omitempty"` // the 包案领导 of a case opened from it
	TaskID         int64          `json:"task_id,omitempty"`
	CaseID         int64          `json:"case_id,omitempty"`
	CaseNumber     string         `json:"case_number,omitempty"`
	CreatedByID    int64          `json:"created_by"`
	CreatedByName  string         `json:"created_by_name"`
	CreatedAt      time.Time      `json:"created_at"`
}

// HowLabel and MoodLabel are the Chinese labels of the visit's way and mood.
func (f *Followup) HowLabel() string  { return labelOf(VisitHows, f.How) }
func (f *Followup) MoodLabel() string { return labelOf(VisitMoods, f.Mood) }

// Validate checks a visit on today of a petition replied on replied.
func (f *Followup) Validate(replied, today calendar.Date) error {
	p := Problems{}
	checkLine(p, "by", &f.By, MaxName)
	checkText(p, "note", &f.Note, MaxNote)
	switch {
	case f.VisitedOn.IsZero():
		p.Add("visited_on", "请填写回访日期")
	case !replied.IsZero() && f.VisitedOn.Before(replied):
		p.Add("visited_on", "回访日期不能早于答复日期 "+replied.String())
	default:
		checkPastDate(p, "visited_on", f.VisitedOn, today)
	}
	if f.By == "" {
		p.Add("by", "请填写回访人")
	}
	if !hasCode(VisitHows, f.How) {
		p.Add("how", "请选择回访方式")
	}
	if !hasCode(VisitMoods, f.Mood) {
		p.Add("mood", "请选择信访人思想状态")
	}
	if f.Settled {
		f.Reopen, f.TaskDeadline, f.LeaderID = "", calendar.Date{}, 0
		return p.Err()
	}
	if f.Note == "" {
		p.Add("note", "未息诉罢访的，请写明仍存在的问题")
	}
	switch f.Reopen {
	case ReopenTask:
		f.LeaderID = 0
		switch {
		case f.TaskDeadline.IsZero():
			p.Add("task_deadline", "请填写任务完成时限")
		case f.TaskDeadline.Before(today):
			p.Add("task_deadline", "完成时限不能早于今天")
		default:
			checkDueDate(p, "task_deadline", f.TaskDeadline, today)
		}
	case ReopenCase:
		f.TaskDeadline = calendar.Date{}
		if f.LeaderID <= 0 {
			p.Add("leader_id", "纳入积案须指定包案领导")
		}
	default:
		p.Add("reopen", "未息诉罢访的，请选择交办任务或纳入信访积案")
	}
	return p.Err()
}

// FollowupDue is a petition due for a follow-up visit.
type FollowupDue struct {
	PetitionID     int64         `json:"petition_id"`
	Number         string        `json:"number"`
	Summary        string        `json:"summary"`
	State          State         `json:"state"`
	HandlingUnitID int64         `json:"handling_unit_id,omitempty"`
	HandlingUnit   string        `json:"handling_unit,omitempty"`
	RepliedOn      calendar.Date `json:"replied_on"`
	DueOn          calendar.Date `json:"due_on"` // RepliedOn + FollowupDays
	DaysPastDue    int           `json:"days_past_due"`
	EarlierVisits  int           `json:"earlier_visits"` // visits before the last reply
	LastVisitedOn  calendar.Date `json:"last_visited_on,omitzero"`
}

// FollowupStates are the states after which a petition is followed up:
// replied (答复, 复查/复核意见 included) or concluded (办结).
var FollowupStates = []State{StateReplied, StateReviewed, StateConcluded}

// FollowupReplyActions are the events that start the follow-up's clock:
// the last of them is the reply the visit follows.
var FollowupReplyActions = []Action{ActReply, ActReviewReply, ActRereviewReply, ActConclude, ActMediationConclude}

// CanReadFollowups reports whether u has the follow-up due list: the
// staff with a data scope, within it.
func CanReadFollowups(u *User) bool { return CanReadCases(u) }

// CanRecordFollowup reports whether u may record a visit: those who work
// on petitions and cases (handlers, heads, registrars, supervisors,
// leaders), on a petition in their scope.
func CanRecordFollowup(u *User) bool { return CanWorkOnCase(u, nil) }
