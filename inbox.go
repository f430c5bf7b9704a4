package xinfang

// from cases.go
// NoteInstruction is the kind of the inbox messages that carry a 批示.
const NoteInstruction = "instruction"

// from notify.go
// NotificationFilter selects the acting user's messages.
type NotificationFilter struct {
	Unread bool // unread only
	Offset int
	Limit  int
}
