package xinfang

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xinfang/internal/calendar"
)

// The public portal (网上信访): what a petitioner submits, what the follow
// page shows, and the words it says them in. Nothing here names staff,
// notes, 批示, tasks or repeat links: the portal's views are built from
// these types only, so that an internal field cannot reach a petitioner by
// accident.

// PortalRules is the statement of the rules the petitioner accepts before
// submitting (《信访工作条例》第二十六条 on the petitioner's obligations).
const PortalRules = "信访人提出信访事项，应当客观真实，对其所提供材料内容的真实性负责，不得捏造、歪曲事实，不得诬告、陷害他人（《信访工作条例》第二十六条）；" +
	"不得损害国家、社会、集体的利益和其他公民的合法权利，自觉维护社会公共秩序和信访秩序（第二十六条）。" +
	"已经或者依法应当通过诉讼、仲裁、行政复议等法定途径解决的，将告知依法定途径提出（第三十一条）。"

// PortalSubmission is what a petitioner submits online: who, the matter,
// the files, and the acceptance of the rules.
type PortalSubmission struct {
	Name       string   `json:"name"`
	IDNumber   string   `json:"id_number"`
	Phone      string   `json:"phone"`
	Email      string   `json:"email,omitempty"`
	Address    string   `json:"address,omitempty"`
	Summary    string   `json:"summary"`
	Content    string   `json:"content"`
	Request    string   `json:"request"`
	Category   string   `json:"category"`
	LocalityID int64    `json:"locality_id"`
	Accepted   bool     `json:"rules_accepted"` // 已阅读并承诺遵守信访人义务
	Files      []Upload `json:"-"`
}

// Petition returns the submission as a petition received online at now,
// validated as every registration is, with the portal's own requirements
// (an ID card number, a phone and the rules accepted) added: the message
// of each problem names its field.
func (s *PortalSubmission) Petition(now time.Time) (*Petition, error) {
	probs := Problems{}
	checkLine(probs, "email", &s.Email, MaxLine)
	if s.Email != "" && !ValidEmail(s.Email) {
		probs.Add("email", "电子邮箱格式不正确")
	}
	if strings.TrimSpace(s.Name) == "" {
		probs.Add("name", "请填写姓名")
	}
	if strings.TrimSpace(s.IDNumber) == "" {
		probs.Add("id_number", "请填写身份证号码")
	}
	if strings.TrimSpace(s.Phone) == "" {
		probs.Add("phone", "请填写联系电话")
	}
	if strings.TrimSpace(s.Request) == "" {
		probs.Add("request", "请填写诉求")
	}
	if !s.Accepted {
		probs.Add("rules_accepted", "请阅读并承诺遵守信访人的义务")
	}
	p := &Petition{
		Channel: ChannelOnline, ReceivedAt: now, Purpose: PurposeClaim,
		Petitioner: &Petitioner{Name: s.Name, IDType: IDCard, IDNumber: s.IDNumber, Phone: s.Phone, Address: s.Address},
		Summary:    s.Summary, Content: s.Content, Request: s.Request, Category: s.Category, LocalityID: s.LocalityID,
		PersonCount: 1, Files: s.Files,
	}
	if err := p.Validate(now); err != nil {
		for k, m := range ErrorFields(err) {
			// The portal's form names the petitioner's fields without
			// the prefix.
			probs.Add(strings.TrimPrefix(k, "petitioner."), m)
		}
		if ErrorCode(err) != EINVALID {
			return nil, err
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	s.Name, s.Summary, s.Content, s.Request = p.Petitioner.Name, p.Summary, p.Content, p.Request
	return p, nil
}

// PortalEvaluation is the petitioner's evaluation (评价) given online.
type PortalEvaluation struct {
	RatingBureau Rating `json:"rating_bureau"`
	RatingUnit   Rating `json:"rating_unit"`
	Comment      string `json:"comment,omitempty"`
}

// Validate checks the two ratings and the comment.
func (e *PortalEvaluation) Validate() error {
	p := Problems{}
	if !hasCode(Ratings, e.RatingBureau) {
		p.Add("rating_bureau", "请选择对信访部门的评价")
	}
	if !hasCode(Ratings, e.RatingUnit) {
		p.Add("rating_unit", "请选择对责任单位的评价")
	}
	checkText(p, "comment", &e.Comment, 500)
	return p.Err()
}

// PortalReview is the petitioner's request for 复查 or 复核 given online.
type PortalReview struct {
	Reasons string   `json:"reasons"`
	Files   []Upload `json:"-"`
}

// Validate checks the reasons.
func (r *PortalReview) Validate() error {
	p := Problems{}
	checkText(p, "reasons", &r.Reasons, 5000)
	if r.Reasons == "" {
		p.Add("reasons", "请写明申请的事实和理由")
	}
	return p.Err()
}

// PortalItem is the follow page (查询) of one item: only what concerns the
// petitioner, in plain words.
type PortalItem struct {
	Number       string        `json:"number"`
	Summary      string        `json:"summary"`
	ReceivedOn   calendar.Date `json:"received_on"`
	Channel      string        `json:"channel"`
	State        string        `json:"state"`      // the state in plain words
	StateCode    State         `json:"state_code"` // the procedure's state
	Explanation  string        `json:"explanation"`
	HandlingUnit string        `json:"handling_unit"`
	// Reason is a decision's reason the petitioner is told: 不予受理,
	// 不予登记, 导入法定途径.
	Reason    string          `json:"reason,omitempty"`
	Dates     []PortalDate    `json:"dates"`
	Steps     []PortalStep    `json:"steps"`
	Documents []PortalDocLink `json:"documents"`
	// Evaluation: "" (not yet open), pending, done, expired, excluded.
	Evaluation    string        `json:"evaluation"`
	EvaluationDue calendar.Date `json:"evaluation_due,omitzero"`
	MayEvaluate   bool          `json:"may_evaluate"`
	// Review is the request the petitioner may make now: "" (none),
	// request_review (复查) or request_rereview (复核), until ReviewDue.
	Review    Action        `json:"review,omitempty"`
	ReviewDue calendar.Date `json:"review_due,omitzero"`
	// HasPhone: messages go to a phone; OptedOut: the petitioner asked
	// for none (退订).
	HasPhone bool `json:"has_phone"`
	OptedOut bool `json:"opted_out"`
}

// PortalDate is a date that concerns the petitioner.
type PortalDate struct {
	Label string        `json:"label"`
	Date  calendar.Date `json:"date"`
	Done  bool          `json:"done"`
}

// PortalStep is one step of the item as the petitioner is told it.
type PortalStep struct {
	On   calendar.Date `json:"on"`
	Text string        `json:"text"`
}

// PortalDocLink is a document issued to the petitioner.
type PortalDocLink struct {
	Doc   string        `json:"doc"` // accept, reject, opinion
	Title string        `json:"title"`
	On    calendar.Date `json:"on"`
}

// PlainState says a state in the petitioner's words, with what happens next.
func PlainState(s State) (string, string) {
	switch s {
	case StateRegistered:
		return "已收到，正在登记审核", "信访部门将在收到之日起 15 日内决定是否受理或转交有权处理的机关，并告知您。"
	case StatePendingSign, StateSigned:
		return "已转交有权处理的单位", "承办单位将在收到之日起 15 日内告知您是否受理。"
	case StateHandling:
		return "已受理，正在办理", "承办单位将在受理之日起 60 日内办结并书面答复您。"
	case StateReplied:
		return "已出具处理意见", "如对处理意见不服，可在收到之日起 30 日内申请复查。"
	case StateReviewing:
		return "复查中", "复查机关将在收到申请之日起 30 日内提出复查意见。"
	case StateReviewed:
		return "已出具复查意见", "如对复查意见不服，可在收到之日起 30 日内申请复核。"
	case StateRereviewing:
		return "复核中", "复核机关将在收到申请之日起 30 日内提出复核意见。"
	case StateConcluded:
		return "已办结", "本事项已办理完毕。"
	case StateTerminated:
		return "已终结", "本事项已终结，同一事实和理由不再受理。"
	case StateNotAccepted:
		return "不予受理", "不予受理的理由见下方说明。"
	case StateDiverted:
		return "请通过法定途径解决", "本事项应通过下列法定途径解决。"
	case StateMerged:
		return "已并入此前的信访事项一并办理", "请关注此前信访事项的办理进展。"
	case StateWithdrawn:
		return "已撤回", "本事项已按您的要求撤回。"
	}
	return s.Label(), ""
}

// PlainStep says an event in the petitioner's words, or "" for one the
// petitioner is not told of (signing for, hearings' internals …).
func PlainStep(a Action, unit string) string {
	switch a {
	case ActRegister:
		return "信访事项已登记"
	case ActTransfer, ActAssign:
		if unit != "" {
			return "已转交" + unit + "办理"
		}
		return "已转交有权处理的单位办理"
	case ActAccept:
		return "已受理"
	case ActNotAccept:
		return "不予受理"
	case ActDecline:
		return "网上信访不予登记"
	case ActDivert:
		return "告知通过法定途径解决"
	case ActMerge:
		return "并入此前的信访事项一并办理"
	case ActExtend:
		return "办理期限延长"
	case ActReply:
		return "出具信访处理意见书"
	case ActDeliver:
		return "书面答复已送达"
	case ActEvaluate:
		return "已评价"
	case ActRequestReview:
		return "收到复查申请"
	case ActReviewReply:
		return "出具复查意见"
	case ActRequestRereview:
		return "收到复核申请"
	case ActRereviewReply:
		return "出具复核意见"
	case ActConclude:
		return "办结"
	case ActTerminate:
		return "依法终结"
	case ActWithdraw:
		return "撤回"
	}
	return ""
}

// NormalizeNumber reads a petition number as a petitioner may type it.
func NormalizeNumber(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if utf8.RuneCountInString(s) > 64 {
		return s[:64]
	}
	return s
}

// portalClocks are the clocks whose due dates concern the petitioner, with
// the petitioner's words for them. The objection clock is between units.
var portalClocks = []struct {
	kind  ClockKind
	label string
}{
	{ClockDisposal, "告知是否受理的期限"},
	{ClockNotice, "承办单位告知是否受理的期限"},
	{ClockHandling, "办理期限"},
	{ClockReviewRequest, "申请复查的截止日期"},
	{ClockReview, "复查意见期限"},
	{ClockRereviewRequest, "申请复核的截止日期"},
	{ClockRereview, "复核意见期限"},
	{ClockEvaluation, "评价截止日期"},
}

// portalDocs are the documents issued to the petitioner that the portal
// hands out, each by the event that issues it.
var portalDocs = []struct {
	doc    string
	action Action
	title  string
}{
	{"accept", ActAccept, "受理告知书"},
	{"reject", ActNotAccept, "不予受理告知书"},
	{"opinion", ActReply, "信访处理意见书"},
	{"review", ActReviewReply, "复查意见书"},
	{"rereview", ActRereviewReply, "复核意见书"},
	{"terminate", ActTerminate, "终结告知书"},
}

// PortalDocEvent returns the latest event of p's history that issued doc,
// and the document's title; nil when the item has no such document.
func PortalDocEvent(events []*Event, doc string) (*Event, string) {
	for _, d := range portalDocs {
		if d.doc != doc {
			continue
		}
		for i := len(events) - 1; i >= 0; i-- {
			if events[i].Action == d.action {
				return events[i], d.title
			}
		}
	}
	return nil, ""
}

// NewPortalItem builds the follow page of p from its projection (with its
// clocks derived) and its history, on today. unitName names the units the
// item was sent to. It copies only what the petitioner is told: no staff,
// no notes, no instructions, no tasks, no repeat links.
func NewPortalItem(p *Petition, events []*Event, unitName func(int64) string, today calendar.Date) *PortalItem {
	it := &PortalItem{Number: p.Number, Summary: p.Summary, ReceivedOn: calendar.DateOf(p.ReceivedAt), Channel: p.Channel.Label(), StateCode: p.State,
		Dates: []PortalDate{}, Steps: []PortalStep{}, Documents: []PortalDocLink{}}
	it.State, it.Explanation = PlainState(p.State)
	switch {
	case p.HandlingUnit != nil:
		it.HandlingUnit = p.HandlingUnit.Name
	case p.RegUnit != nil:
		it.HandlingUnit = p.RegUnit.Name
	}
	it.Dates = append(it.Dates, PortalDate{Label: "收到日期", Date: it.ReceivedOn, Done: true})
	for _, pc := range portalClocks {
		for _, c := range p.Clocks {
			if c.Kind == pc.kind && c.Running {
				it.Dates = append(it.Dates, PortalDate{Label: pc.label, Date: c.Due})
			}
		}
	}
	for _, e := range events {
		var unit string
		if id, err := strconv.ParseInt(e.Data["unit_id"], 10, 64); err == nil && unitName != nil {
			unit = unitName(id)
		}
		text := PlainStep(e.Action, unit)
		if text == "" {
			continue
		}
		on := calendar.DateOf(e.At)
		if s := e.Data["received_on"]; s != "" {
			if d, err := calendar.ParseDate(s); err == nil {
				on = d
			}
		}
		if e.Action == ActDeliver {
			if d, err := calendar.ParseDate(e.Data["delivered_on"]); err == nil {
				on = d
			}
		}
		it.Steps = append(it.Steps, PortalStep{On: on, Text: text})
		switch e.Action {
		case ActNotAccept, ActDecline:
			it.Reason = e.Data["reason"]
		case ActDivert:
			it.Reason = LabelOf(LegalRoutes, e.Data["route"])
			if r := e.Data["reason"]; r != "" {
				it.Reason += "：" + r
			}
		}
	}
	for _, d := range portalDocs {
		if ev, _ := PortalDocEvent(events, d.doc); ev != nil {
			it.Documents = append(it.Documents, PortalDocLink{Doc: d.doc, Title: d.title, On: calendar.DateOf(ev.At)})
		}
	}
	it.Evaluation = p.Evaluation
	for _, c := range p.Clocks {
		switch {
		case c.Kind == ClockEvaluation:
			it.EvaluationDue = c.Due
			it.MayEvaluate = p.Evaluation == "pending" && !today.After(c.Due)
		case c.Kind == ClockReviewRequest && c.Running && p.State == StateReplied && !today.After(c.Due):
			it.Review, it.ReviewDue = ActRequestReview, c.Due
		case c.Kind == ClockRereviewRequest && c.Running && p.State == StateReviewed && !today.After(c.Due):
			it.Review, it.ReviewDue = ActRequestRereview, c.Due
		}
	}
	return it
}

// PortalDocument is a document issued to the petitioner as the portal
// hands it out: the content of the printed document, with the issuing
// unit and nothing of the staff. A renderer (HTML now, the documents
// package's PDF later) turns it into the page.
type PortalDocument struct {
	Doc        string            `json:"doc"`
	Title      string            `json:"title"`
	Number     string            `json:"number"`
	Addressee  string            `json:"addressee"`
	ReceivedAt time.Time         `json:"received_at"`
	Summary    string            `json:"summary"`
	Request    string            `json:"request"`
	IssuedAt   time.Time         `json:"issued_at"`
	Data       map[string]string `json:"data"` // facts, opinion, basis, outcome, reason
	Issuer     string            `json:"issuer"`
	Superior   string            `json:"superior"`            // the body a review is asked from
	HandleDue  calendar.Date     `json:"handle_due,omitzero"` // 受理告知书: the handling due date
}

// portalDocFields are the fields of an event a document states.
var portalDocFields = []string{"facts", "opinion", "basis", "outcome", "reason", "ground", "received_on", "request", "no_further", "aftercare", "days"}

// NewPortalDocument builds document doc of p from the event that issued
// it; issuer and superior name the issuing unit and the one above it.
func NewPortalDocument(p *Petition, ev *Event, doc, title, issuer, superior string) *PortalDocument {
	d := &PortalDocument{Doc: doc, Title: title, Number: p.Number, Addressee: "信访人", ReceivedAt: p.ReceivedAt, Summary: p.Summary, Request: p.Request,
		IssuedAt: ev.At, Data: map[string]string{}, Issuer: issuer, Superior: superior}
	if p.Petitioner != nil && p.Petitioner.Name != "" && !p.Anonymous {
		d.Addressee = p.Petitioner.Name
	}
	for _, k := range portalDocFields {
		if v := ev.Data[k]; v != "" {
			d.Data[k] = v
		}
	}
	for _, c := range p.Clocks {
		if c.Kind == ClockHandling {
			d.HandleDue = c.Due
		}
	}
	return d
}

// Intake is the registrar's record of an item submitted online: when it
// came, and who took it in (确认登记) and when.
type Intake struct {
	PetitionID      int64     `json:"petition_id"`
	SubmittedAt     time.Time `json:"submitted_at"`
	ConfirmedAt     time.Time `json:"confirmed_at,omitzero"`
	ConfirmedByName string    `json:"confirmed_by_name,omitempty"`
}
