package docs

import (
	"fmt"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// Source is what a petition's documents are composed from: the item as
// storage returned it for the reader (personal data masked or not, as the
// reader may see it), its events, and the names of units.
type Source struct {
	P      *xinfang.Petition
	Events []*xinfang.Event
	// UnitName names a unit by id; Superior names its parent ("" for
	// the top of the tree).
	UnitName func(id int64) string
	Superior func(id int64) string
	// Category is the label of the item's 内容分类.
	Category string
	// Printed is the day the document is printed (制表日期 of a form).
	Printed time.Time
}

// eventKinds are the documents each event issues.
var eventKinds = map[xinfang.Action][]Kind{
	xinfang.ActTransfer:      {KindTransfer},
	xinfang.ActAssign:        {KindAssign},
	xinfang.ActAccept:        {KindAccept},
	xinfang.ActNotAccept:     {KindReject},
	xinfang.ActExtend:        {KindExtend},
	xinfang.ActReply:         {KindOpinion, KindReceipt},
	xinfang.ActReviewReply:   {KindReview, KindReceipt},
	xinfang.ActRereviewReply: {KindRereview, KindTerminate, KindReceipt},
	xinfang.ActTerminate:     {KindTerminate, KindReceipt},
}

// Available lists the documents the item has, in the order of Titles: the
// 登记表 always, the others once the event that issues them is recorded.
func Available(it *Source) []Kind {
	has := map[Kind]bool{KindRegister: true}
	for _, e := range it.Events {
		for _, k := range eventKinds[e.Action] {
			has[k] = true
		}
	}
	var out []Kind
	for _, t := range Titles {
		if has[Kind(t.Code)] {
			out = append(out, Kind(t.Code))
		}
	}
	return out
}

// Compose composes document k of the item. An item without the event that
// issues the document has none: ENOTFOUND.
func Compose(k Kind, it *Source) (*Document, error) {
	c := &composer{it: it, p: it.P}
	var ok bool
	switch k {
	case KindRegister:
		ok = c.register()
	case KindTransfer:
		ok = c.transfer(xinfang.ActTransfer)
	case KindAssign:
		ok = c.transfer(xinfang.ActAssign)
	case KindAccept:
		ok = c.accept()
	case KindReject:
		ok = c.reject()
	case KindExtend:
		ok = c.extend()
	case KindOpinion:
		ok = c.opinion(xinfang.ActReply)
	case KindReview:
		ok = c.opinion(xinfang.ActReviewReply)
	case KindRereview:
		ok = c.opinion(xinfang.ActRereviewReply)
	case KindTerminate:
		ok = c.terminate()
	case KindReceipt:
		ok = c.receipt()
	default:
		return nil, xinfang.Errorf(xinfang.ENOTFOUND, "没有这种文书")
	}
	if !ok {
		return nil, xinfang.Errorf(xinfang.ENOTFOUND, "该信访件尚无%s", k.Title())
	}
	return &Document{Kind: k, Title: k.Title(), Number: c.p.Number, Pages: paginate(c.blocks)}, nil
}

type composer struct {
	it     *Source
	p      *xinfang.Petition
	blocks []block
}

func (c *composer) add(style Style, text string) {
	c.blocks = append(c.blocks, block{style: style, text: text})
}

// para adds a body paragraph with the two-character indent.
func (c *composer) para(text string) {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	c.add(StyleBody, "　　"+strings.ReplaceAll(text, "\n", "\n　　"))
}

func (c *composer) gap() { c.add(StyleGap, "") }

func (c *composer) row(cells ...cellText) {
	c.blocks = append(c.blocks, block{style: StyleRow, row: cells})
}

// head opens a letter: title, number and addressee.
func (c *composer) head(title, number, to string) {
	c.add(StyleTitle, title)
	c.gap()
	c.add(StyleNumber, number)
	c.gap()
	c.add(StyleBody, to+"：")
}

// sign closes a letter: the issuing unit and the date, kept on the page
// with the last two lines above them. The seal is stamped on paper, so no
// placeholder is printed.
func (c *composer) sign(unit string, at time.Time) {
	c.gap()
	c.gap()
	c.blocks = append(c.blocks, block{style: StyleSign, text: unit, keep: 2})
	c.add(StyleSign, CNDate(calendar.DateOf(at)))
}

// last returns the item's latest event of action a: an item returned and
// accepted again gets the notice of its last acceptance.
func (c *composer) last(a xinfang.Action) *xinfang.Event {
	var ev *xinfang.Event
	for _, e := range c.it.Events {
		if e.Action == a {
			ev = e
		}
	}
	return ev
}

func (c *composer) unit(id int64) string {
	if c.it.UnitName == nil {
		return ""
	}
	return c.it.UnitName(id)
}

func (c *composer) superior(id int64) string {
	if c.it.Superior != nil {
		if s := c.it.Superior(id); s != "" {
			return s
		}
	}
	return "本机关的上一级机关"
}

// You is how a letter addresses the petitioners: 你 to one, 你们 to
// several (联名 or a group).
func You(p *xinfang.Petition) string {
	if len(p.CoPetitioners) > 0 || p.PersonCount > 1 {
		return "你们"
	}
	return "你"
}

// Addressee names the petitioners a letter is sent to.
func Addressee(p *xinfang.Petition) string {
	var names []string
	if p.Petitioner != nil && p.Petitioner.Name != "" && !p.Anonymous {
		names = append(names, p.Petitioner.Name)
	}
	for _, cp := range p.CoPetitioners {
		if cp.Name != "" {
			names = append(names, cp.Name)
		}
	}
	if len(names) == 0 {
		return "信访人"
	}
	if p.PersonCount > len(names) {
		return strings.Join(names, "、") + "等" + itoa(p.PersonCount) + "人"
	}
	return strings.Join(names, "、")
}

// CNDate writes a date as 2026年3月5日.
func CNDate(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

func cnTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return CNDate(calendar.DateOf(t))
}

// sentence trims a structured field's text for use inside a sentence: no
// trailing full stop (the letter adds its own).
func sentence(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), "。.；;，, ")
}

// matter is the opening every letter shares: when the petitioners raised
// what.
func (c *composer) matter() string {
	return You(c.p) + "于" + cnTime(c.p.ReceivedAt) + "反映的“" + sentence(c.p.Summary) + "”问题"
}

func (c *composer) accept() bool {
	ev := c.last(xinfang.ActAccept)
	if ev == nil {
		return false
	}
	y := You(c.p)
	c.head("受理告知书", "编号："+c.p.Number, Addressee(c.p))
	c.para(c.matter() + "，本机关已于" + cnTime(ev.At) + "受理。")
	due := ""
	for _, ck := range c.p.Clocks {
		if ck.Kind == xinfang.ClockHandling && !ck.Due.IsZero() {
			due = "（即" + CNDate(ck.Due) + "前）"
		}
	}
	c.para("根据《信访工作条例》第三十四条的规定，本机关将于受理之日起60日内" + due + "办结；情况复杂的，经本机关负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知" + y + "延期理由。")
	c.para("办理期间，" + y + "可凭登记时告知的查询码查询办理进展。")
	c.para("特此告知。")
	c.sign(c.unit(ev.ActorUnitID), ev.At)
	return true
}

// rejectGrounds say each ground in a letter's words, with the one article
// the letter cites for it ("" where the ground rests on the regulation as
// a whole) and what the petitioner may do instead.
var rejectGrounds = map[xinfang.NotAcceptGround]struct{ finding, article, advice string }{
	xinfang.GroundNotCompetent: {"不属于本机关职权范围", "第二十三条", "请向有权处理的机关、单位提出。"},
	xinfang.GroundLegalRoute:   {"依法应当通过诉讼、仲裁、行政复议等法定途径解决", "第三十二条", "请依照有关法律、行政法规规定的程序向有关机关提出。"},
	xinfang.GroundInHandling:   {"已经受理或者正在办理", "", "有关机关将依法办理并书面答复，请耐心等候。"},
	xinfang.GroundAnswered:     {"已经有权处理的机关办理并答复，现以同一事实和理由再次提出", "", "对答复意见不服的，可以依法请求复查、复核。"},
	xinfang.GroundConcluded:    {"已经复核终结，现以同一事实和理由再次提出", "第三十六条", ""},
}

func (c *composer) reject() bool {
	ev := c.last(xinfang.ActNotAccept)
	if ev == nil {
		return false
	}
	g := xinfang.NotAcceptGround(ev.Data["ground"])
	if ev.Data["no_further"] == "1" {
		g = xinfang.GroundConcluded
	}
	gr, ok := rejectGrounds[g]
	if !ok {
		// Recorded before grounds were chosen from the list: the letter
		// says only that the matter is outside the bureau's remit.
		gr = rejectGrounds[xinfang.GroundNotCompetent]
	}
	c.head("不予受理告知书", "编号："+c.p.Number, Addressee(c.p))
	c.para(c.matter() + "，本机关已收悉。")
	basis := "根据《信访工作条例》的有关规定"
	if gr.article != "" {
		basis = "根据《信访工作条例》" + gr.article + "的规定"
	}
	c.para("经审查，该事项" + gr.finding + "。" + basis + "，本机关决定不予受理。")
	if gr.advice != "" {
		c.para(gr.advice)
	}
	c.para("特此告知。")
	c.sign(c.unit(ev.ActorUnitID), ev.At)
	return true
}

func (c *composer) extend() bool {
	ev := c.last(xinfang.ActExtend)
	if ev == nil {
		return false
	}
	y := You(c.p)
	c.head("延期告知书", "编号："+c.p.Number, Addressee(c.p))
	accepted := ""
	if a := c.last(xinfang.ActAccept); a != nil {
		accepted = "，本机关已于" + cnTime(a.At) + "受理"
	}
	c.para(c.matter() + accepted + "。")
	due := ""
	for _, ck := range c.p.Clocks {
		if ck.Kind == xinfang.ClockHandling && !ck.Due.IsZero() {
			due = "，至" + CNDate(ck.Due) + "前办结"
		}
	}
	c.para("因" + sentence(ev.Data["reason"]) + "，经本机关负责人批准，根据《信访工作条例》第三十四条的规定，办理期限延长" + ev.Data["days"] + "日" + due + "。")
	c.para("特此告知" + y + "。")
	c.sign(c.unit(ev.ActorUnitID), ev.At)
	return true
}

// opinion is the 信访处理意见书, 复查意见书 or 复核意见书: the request,
// the facts found, the opinion and its basis, and the petitioner's next
// remedy with its one article.
func (c *composer) opinion(a xinfang.Action) bool {
	ev := c.last(a)
	if ev == nil {
		return false
	}
	y := You(c.p)
	issuer := c.unit(ev.ActorUnitID)
	request := c.p.Request
	var title, intro, remedy string
	switch a {
	case xinfang.ActReply:
		title = "信访处理意见书"
		intro = c.matter() + "，本机关已依法办理。现将处理意见告知如下："
		remedy = "如" + y + "对本处理意见不服，可以自收到本意见书之日起30日内向" + c.superior(ev.ActorUnitID) + "请求复查（《信访工作条例》第三十五条）。"
	case xinfang.ActReviewReply:
		title = "复查意见书"
		req := c.last(xinfang.ActRequestReview)
		intro = y + "对" + c.opinionIssuer(xinfang.ActReply) + "作出的信访处理意见不服，"
		if req != nil {
			intro += "于" + receivedOn(req) + "请求复查。"
			request = req.Data["request"]
		} else {
			intro += "请求复查。"
		}
		intro += "本机关已依法复查，现将复查意见告知如下："
		remedy = "如" + y + "对本复查意见不服，可以自收到本意见书之日起30日内向" + c.superior(ev.ActorUnitID) + "请求复核（《信访工作条例》第三十六条）。"
	case xinfang.ActRereviewReply:
		title = "复核意见书"
		req := c.last(xinfang.ActRequestRereview)
		intro = y + "对" + c.opinionIssuer(xinfang.ActReviewReply) + "作出的复查意见不服，"
		if req != nil {
			intro += "于" + receivedOn(req) + "请求复核。"
			request = req.Data["request"]
		} else {
			intro += "请求复核。"
		}
		intro += "本机关已依法复核，现将复核意见告知如下："
		remedy = "本复核意见为信访程序的最终意见。" + y + "对本复核意见不服，仍然以同一事实和理由提出信访请求的，各级党委和政府信访部门和其他机关、单位不再受理（《信访工作条例》第三十六条）。"
	}
	if strings.TrimSpace(request) == "" {
		request = c.p.Summary
	}
	c.head(title, "编号："+c.p.Number, Addressee(c.p))
	c.para(intro)
	c.add(StyleHeading, "　　一、信访请求")
	c.para(sentence(request) + "。")
	c.add(StyleHeading, "　　二、查明事实")
	c.para(sentence(ev.Data["facts"]) + "。")
	c.add(StyleHeading, "　　三、处理意见")
	c.para(sentence(ev.Data["opinion"]) + "。")
	if o := xinfang.Outcome(ev.Data["outcome"]).Label(); o != "" {
		c.para("处理结果：" + o + "。")
	}
	if b := sentence(ev.Data["basis"]); b != "" {
		c.add(StyleHeading, "　　四、依据")
		c.para(b + "。")
	}
	c.para(remedy)
	c.sign(issuer, ev.At)
	return true
}

func (c *composer) opinionIssuer(a xinfang.Action) string {
	if ev := c.last(a); ev != nil {
		if n := c.unit(ev.ActorUnitID); n != "" {
			return n
		}
	}
	return "原办理机关"
}

// receivedOn is the day a request was received: the date recorded with it,
// else the day it was entered.
func receivedOn(e *xinfang.Event) string {
	if d, err := calendar.ParseDate(e.Data["received_on"]); err == nil {
		return CNDate(d)
	}
	return cnTime(e.At)
}

// terminate is the 终结告知书: after a 复核意见 (复核终结) or an 依法终结
// of a matter in the legal system, the procedure is closed and the same
// request is not taken again (不再受理).
func (c *composer) terminate() bool {
	rr, tm := c.last(xinfang.ActRereviewReply), c.last(xinfang.ActTerminate)
	ev := rr
	if tm != nil && (rr == nil || tm.Seq > rr.Seq) {
		ev = tm
	}
	if ev == nil {
		return false
	}
	y := You(c.p)
	c.head("终结告知书", "编号："+c.p.Number, Addressee(c.p))
	if ev.Action == xinfang.ActRereviewReply {
		c.para(c.matter() + "，经办理、复查，" + c.unit(ev.ActorUnitID) + "已于" + cnTime(ev.At) + "作出复核意见，该信访事项的信访程序已经终结。")
		c.para("根据《信访工作条例》第三十六条的规定，" + y + "对复核意见不服，仍然以同一事实和理由提出信访请求的，各级党委和政府信访部门和其他机关、单位不再受理。")
	} else {
		c.para(c.matter() + "，属于涉法涉诉事项，已由政法机关依法终结，该信访事项的信访程序已经终结。")
		c.para(y + "以同一事实和理由再次提出信访请求的，各级党委和政府信访部门和其他机关、单位不再受理。")
		if a := sentence(ev.Data["aftercare"]); a != "" {
			c.para("对" + y + "的实际困难，有关单位将采取以下帮扶措施：" + a + "。")
		}
	}
	c.para("特此告知。")
	c.sign(c.unit(ev.ActorUnitID), ev.At)
	return true
}
