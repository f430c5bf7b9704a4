package xinfang

// 三跨三分离 tasks (a petition or a case split by person, matter or unit)
// and leaders' instructions (批示).

import (
	"time"

	"xinfang/internal/calendar"
)

// TaskKind is how an item is split under 三跨三分离.
type TaskKind string

const (
	TaskPerson TaskKind = "person" // 属人
	TaskMatter TaskKind = "matter" // 属事
	TaskUnit   TaskKind = "unit"   // 单位
)

// TaskKinds lists the kinds with their labels.
var TaskKinds = []Label{{string(TaskPerson), "属人"}, {string(TaskMatter), "属事"}, {string(TaskUnit), "单位"}}

// Label returns the Chinese label of k.
func (k TaskKind) Label() string { return labelOf(TaskKinds, k) }

// Valid reports whether k is a known kind.
func (k TaskKind) Valid() bool { return hasCode(TaskKinds, k) }

// TaskState is the state of a split task.
type TaskState string

const (
	TaskOpen     TaskState = "open"     // 办理中
	TaskDone     TaskState = "done"     // 已办结
	TaskReleased TaskState = "released" // 已解除
)

// TaskStates lists the states with their labels.
var TaskStates = []Label{{string(TaskOpen), "办理中"}, {string(TaskDone), "已办结"}, {string(TaskReleased), "已解除"}}

// Label returns the Chinese label of s.
func (s TaskState) Label() string { return labelOf(TaskStates, s) }

// Task is one part of a petition or a case split under 三跨三分离, with its
// own owner and deadline. The whole concludes only when every task is done
// or released with a reason.
type Task struct {
	ID         int64 `json:"id"`
	CaseID     int64 `json:"case_id,omitempty"`
	PetitionID int64 `json:"petition_id,omitempty"`
	// MeetingID is the special meeting that decided the task (会议决定事项).
	MeetingID int64 `json:"meeting_id,omitempty"`
	// PetitionNumber is filled by the unit's task list only.
	PetitionNumber string        `json:"petition_number,omitempty"`
	Version        int           `json:"version"`
	Kind           TaskKind      `json:"kind"`
	Title          string        `json:"title"`
	OwnerUnitID    int64         `json:"owner_unit_id,omitempty"`
	OwnerUnitName  string        `json:"owner_unit_name,omitempty"`
	OwnerUserID    int64         `json:"owner_user_id,omitempty"`
	OwnerUserName  string        `json:"owner_user_name,omitempty"`
	Deadline       calendar.Date `json:"deadline,omitzero"`
	State          TaskState     `json:"state"`
	ReleaseReason  string        `json:"release_reason,omitempty"`
	DoneNote       string        `json:"done_note,omitempty"`
	Origin         TaskOrigin    `json:"origin,omitempty"` // what made it: by hand, aftercare, follow-up
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// Open reports whether the task still holds its whole back.
func (t *Task) Open() bool { return t.State == TaskOpen }

// Late reports whether an open task is past its deadline.
func (t *Task) Late(today calendar.Date) bool {
	return t.Open() && !t.Deadline.IsZero() && t.Deadline.Before(today)
}

// Validate checks a new task; today bounds its deadline.
func (t *Task) Validate(today calendar.Date) error {
	p := Problems{}
	if !t.Kind.Valid() {
		p.Add("kind", "请选择拆分方式（属人、属事、单位）")
	}
	checkText(p, "title", &t.Title, 500)
	if t.Title == "" {
		p.Add("title", "请填写任务内容")
	}
	checkDueDate(p, "deadline", t.Deadline, today)
	if t.OwnerUnitID == 0 && t.OwnerUserID == 0 {
		p.Add("owner_unit_id", "请指定责任单位或责任人")
	}
	return p.Err()
}

// TaskChange finishes or releases a task.
type TaskChange struct {
	State  TaskState `json:"state"` // done | released | open (reopen)
	Note   string    `json:"note"`  // done note or release reason
	Reason string    `json:"release_reason"`
}

// Apply applies a change to t, refusing what the rule forbids: a task is
// released only with a reason.
func (t *Task) Apply(c TaskChange) error {
	note, err := CheckNote("note", c.Note)
	if err != nil {
		return err
	}
	reason, err := CheckNote("release_reason", c.Reason)
	if err != nil {
		return err
	}
	switch c.State {
	case TaskDone:
		t.State, t.DoneNote, t.ReleaseReason = TaskDone, note, ""
	case TaskReleased:
		if reason == "" {
			reason = note
		}
		if reason == "" {
			return FieldError("release_reason", "解除任务须写明理由")
		}
		t.State, t.ReleaseReason = TaskReleased, reason
	case TaskOpen:
		t.State, t.DoneNote, t.ReleaseReason = TaskOpen, "", ""
	default:
		return FieldError("state", "任务状态须为 done、released 或 open")
	}
	return nil
}

// Instruction is a leader's 批示 on a case or a petition. It reaches the
// responsible people (InstructionRecipients in storage) and the users and
// units named in To.
type Instruction struct {
	ID         int64     `json:"id"`
	CaseID     int64     `json:"case_id,omitempty"`
	PetitionID int64     `json:"petition_id,omitempty"`
	AuthorID   int64     `json:"author_id"`
	AuthorName string    `json:"author_name"`
	Text       string    `json:"text"`
	At         time.Time `json:"at"`
	ToUsers    []int64   `json:"to_users"`
	ToUnits    []int64   `json:"to_units"`
}

// Validate checks an instruction's text and whom it is sent to.
func (in *Instruction) Validate() error {
	p := Problems{}
	checkText(p, "text", &in.Text, MaxNote)
	if in.Text == "" {
		p.Add("text", "批示内容不能为空")
	}
	checkCount(p, "to_users", len(in.ToUsers), MaxItems)
	checkCount(p, "to_units", len(in.ToUnits), MaxItems)
	return p.Err()
}
