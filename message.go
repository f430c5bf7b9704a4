package xinfang

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Messages to petitioners (短信、电子邮件): what the petitioner is told
// when the item moves, in texts the administrator may edit. Storage writes
// a message with the event it tells of; a worker sends it.

// MessageKind is what a message tells.
type MessageKind string

const (
	MsgSubmitted   MessageKind = "submitted"    // 网上信访已收到（编号、查询码）
	MsgAccepted    MessageKind = "accepted"     // 已受理
	MsgNotAccepted MessageKind = "not_accepted" // 不予受理
	MsgDeclined    MessageKind = "declined"     // 网上信访不予登记
	MsgTransferred MessageKind = "transferred"  // 已转送/交办
	MsgReplied     MessageKind = "replied"      // 出具意见书
	MsgEvaluation  MessageKind = "evaluation"   // 评价期开始
)

// MessageKinds lists the kinds with their labels.
var MessageKinds = []Label{
	{string(MsgSubmitted), "网上信访已收到"}, {string(MsgAccepted), "已受理"}, {string(MsgNotAccepted), "不予受理"},
	{string(MsgDeclined), "不予登记"}, {string(MsgTransferred), "已转交"}, {string(MsgReplied), "已出具意见书"},
	{string(MsgEvaluation), "请评价"},
}

// Label returns the Chinese label of k.
func (k MessageKind) Label() string { return labelOf(MessageKinds, k) }

// DefaultTemplates are the built-in texts. Placeholders: {number} 编号,
// {code} 查询码, {unit} 单位, {due} 期限, {reason} 理由, {doc} 文书.
var DefaultTemplates = map[MessageKind]string{
	MsgSubmitted:   "【网上信访】您的信访事项已收到，编号{number}，查询码{code}。请妥善保管查询码，凭编号和查询码可在网上查询进展、评价办理结果。",
	MsgAccepted:    "【信访】您的信访事项{number}已由{unit}受理，将于{due}前办结并书面答复。",
	MsgNotAccepted: "【信访】您的信访事项{number}不予受理，理由：{reason}。可凭查询码在网上查看。",
	MsgDeclined:    "【网上信访】您网上提交的事项{number}不予登记，理由：{reason}。",
	MsgTransferred: "【信访】您的信访事项{number}已转交{unit}办理。",
	MsgReplied:     "【信访】您的信访事项{number}已出具{doc}，可凭查询码在网上查看。",
	MsgEvaluation:  "【信访】您的信访事项{number}的处理意见已送达，请于{due}前凭查询码在网上评价；如不服，可在期限内申请复查。",
}

// templateVars are the placeholders a text may use.
var templateVars = map[string]bool{"number": true, "code": true, "unit": true, "due": true, "reason": true, "doc": true}

var placeholder = regexp.MustCompile(`\{([a-z_]*)\}`)

// MaxTemplate is the longest text: a few SMS segments.
const MaxTemplate = 300

// ValidateTemplate checks an edited text: not empty, not too long, and
// only known placeholders.
func ValidateTemplate(kind MessageKind, body string) error {
	p := Problems{}
	if !hasCode(MessageKinds, kind) {
		p.Add("kind", "未知的消息类型")
	}
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		p.Add("body", "请填写消息内容")
	case utf8.RuneCountInString(body) > MaxTemplate:
		p.Add("body", "消息内容不超过 300 字")
	}
	for _, m := range placeholder.FindAllStringSubmatch(body, -1) {
		if !templateVars[m[1]] {
			p.Add("body", "不认识的占位符 {"+m[1]+"}；可用 {number} {code} {unit} {due} {reason} {doc}")
		}
	}
	if kind != MsgSubmitted && strings.Contains(body, "{code}") {
		p.Add("body", "查询码只在“网上信访已收到”的消息中发送")
	}
	return p.Err()
}

// RenderTemplate fills a text's placeholders from vars.
func RenderTemplate(body string, vars map[string]string) string {
	return placeholder.ReplaceAllStringFunc(body, func(m string) string {
		return vars[m[1:len(m)-1]]
	})
}

// MessageTemplate is a text as the administrator sees it.
type MessageTemplate struct {
	Kind      MessageKind `json:"kind"`
	Label     string      `json:"label"`
	Body      string      `json:"body"`
	Default   bool        `json:"default"` // the built-in text, not edited
	UpdatedBy string      `json:"updated_by,omitempty"`
	UpdatedAt time.Time   `json:"updated_at,omitzero"`
}

// MessageChannel is how a message goes: SMS or e-mail.
type MessageChannel string

const (
	ChannelSMS   MessageChannel = "sms"
	ChannelEmail MessageChannel = "email"
)

// Message states.
const (
	MessagePending = "pending" // waiting to be sent (again)
	MessageSent    = "sent"
	MessageFailed  = "failed"  // given up after the last attempt
	MessageSkipped = "skipped" // the petitioner opted out
)

// MessageStates lists the states with labels.
var MessageStates = []Label{{MessagePending, "待发送"}, {MessageSent, "已发送"}, {MessageFailed, "发送失败"}, {MessageSkipped, "未发送（信访人已退订）"}}

// OutMessage is one message of the outbox.
type OutMessage struct {
	ID         int64          `json:"id"`
	PetitionID int64          `json:"petition_id"`
	Kind       MessageKind    `json:"kind"`
	Channel    MessageChannel `json:"channel"`
	To         string         `json:"-"`    // the phone or address, for the sender only
	Hint       string         `json:"to"`   // masked
	Body       string         `json:"-"`    // the text, for the sender only
	Summary    string         `json:"text"` // the text without the 查询码
	Key        string         `json:"key"`  // the idempotency key the gateway sees
	State      string         `json:"state"`
	Attempts   int            `json:"attempts"`
	NextAt     time.Time      `json:"next_at,omitzero"`
	SentAt     time.Time      `json:"sent_at,omitzero"`
	LastError  string         `json:"last_error,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
}

// StateLabel says the message's state in words.
func (m *OutMessage) StateLabel() string { return LabelOf(MessageStates, m.State) }

// MessageFor says which message an event of the procedure sends, with its
// placeholders' values; "" for none. p is the item after the event (its
// clocks derived), unit names the unit the event concerns.
func MessageFor(ev *Event, p *Petition, unit string) (MessageKind, map[string]string) {
	vars := map[string]string{"number": p.Number, "unit": unit, "reason": ev.Data["reason"]}
	due := func(kind ClockKind) string {
		for _, c := range p.Clocks {
			if c.Kind == kind {
				return c.Due.String()
			}
		}
		return ""
	}
	switch ev.Action {
	case ActAccept:
		vars["due"] = due(ClockHandling)
		return MsgAccepted, vars
	case ActNotAccept:
		return MsgNotAccepted, vars
	case ActDecline:
		return MsgDeclined, vars
	case ActTransfer, ActAssign, ActLegalTransfer:
		return MsgTransferred, vars
	case ActReply:
		vars["doc"] = "信访处理意见书"
		return MsgReplied, vars
	case ActReviewReply:
		vars["doc"] = "复查意见书"
		return MsgReplied, vars
	case ActRereviewReply:
		vars["doc"] = "复核意见书"
		return MsgReplied, vars
	case ActDeliver:
		if ev.From == StateReplied && p.Evaluation == "pending" {
			vars["due"] = due(ClockEvaluation)
			return MsgEvaluation, vars
		}
	}
	return "", nil
}

// ValidEmail says whether s is an address an e-mail can be sent to as a
// plain addr-spec: one @ with text on both sides, no spaces, line breaks,
// quotes, angle brackets or list separators (so that it can go into a
// mail header as it is).
func ValidEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " \t\r\n<>,;\"")
}
