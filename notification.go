package xinfang

import "time"

// Notification is a message in a user's inbox (站内消息).
type Notification struct {
	ID        int64            `json:"id"`
	UserID    int64            `json:"user_id"`
	Kind      NotificationKind `json:"kind"`
	Subject   string           `json:"subject"`
	Body      string           `json:"body,omitempty"`
	Link      string           `json:"link,omitempty"` // a page of this site
	ItemKind  string           `json:"item_kind,omitempty"`
	ItemID    int64            `json:"item_id,omitempty"`
	Level     Warning          `json:"level,omitempty"`
	CreatedAt time.Time        `json:"created_at"`
	ReadAt    time.Time        `json:"read_at,omitzero"`
	// DedupeKey is unique: writing a message whose key exists does nothing,
	// so a restarted or second scheduler never sends one twice.
	DedupeKey string `json:"-"`
}

// NotificationKind is the kind of a notification.
type NotificationKind string

const (
	NotificationWarning     NotificationKind = "warning"     // 预警: an item the user is responsible for is near or past due
	NotificationEscalation  NotificationKind = "escalation"  // 超期升级: an item is seriously overdue (to supervisors)
	NotificationSupervision NotificationKind = "supervision" // 督办: a 督办单 reached the user's unit
	NotificationReminder    NotificationKind = "reminder"    // 催办
	NotificationFeedback    NotificationKind = "feedback"    // 督办反馈: the target unit answered
	NotificationInstruction NotificationKind = "instruction" // 领导批示: a 批示 names the user or the user's record
	NotificationItem        NotificationKind = "item"        // 信访件: an item reached the user's unit, came back to it, was answered or its review asked for
)

// NotificationKinds lists the kinds with labels.
var NotificationKinds = []Label{
	{string(NotificationWarning), "预警"}, {string(NotificationEscalation), "超期升级"}, {string(NotificationSupervision), "督办"},
	{string(NotificationReminder), "催办"}, {string(NotificationFeedback), "督办反馈"}, {string(NotificationInstruction), "领导批示"},
	{string(NotificationItem), "信访件"},
}

// Label returns the Chinese label of k.
func (k NotificationKind) Label() string { return labelOf(NotificationKinds, k) }

// Unread reports whether the message has not been read.
func (n *Notification) Unread() bool { return n.ReadAt.IsZero() }

// KindLabel returns the Chinese label of the kind.
func (n *Notification) KindLabel() string { return n.Kind.Label() }

// NotificationFilter selects the acting user's messages.
type NotificationFilter struct {
	Unread bool // unread only
	Offset int
	Limit  int
}
