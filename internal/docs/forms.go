package docs

import (
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// The forms (登记表, 转送单/交办单, 送达回证) are tables of four columns:
// label, value, label, value.

func h(text string) cellText    { return cellText{text: text, head: true, span: 1} }
func v(text string) cellText    { return cellText{text: text, span: 1} }
func wide(text string) cellText { return cellText{text: text, span: 3} }
func yesNo(b bool) string       { return map[bool]string{true: "是", false: "否"}[b] }

// signHere is a cell left blank for a signature by hand: room for it.
func signHere(s string) string {
	if strings.TrimSpace(s) == "" {
		return "\n\n"
	}
	return s
}

func orDash(s string) string {
	return map[bool]string{true: "—", false: s}[strings.TrimSpace(s) == ""]
}
func (c *composer) printed() string { return "制表日期：" + cnTime(c.it.Printed) }
func (c *composer) formHead(t string) {
	c.add(StyleTitle, t)
	c.gap()
	c.add(StyleNumber, "编号："+c.p.Number)
}

// petitioners lists the petitioners with the identity data the reader may
// see (storage masks what the reader may not).
func petitioners(p *xinfang.Petition) string {
	if p.Anonymous {
		return "匿名"
	}
	var out []string
	all := append([]*xinfang.Petitioner{p.Petitioner}, p.CoPetitioners...)
	for _, pt := range all {
		if pt == nil || pt.Name == "" {
			continue
		}
		s := pt.Name
		var extra []string
		if pt.Org && pt.OrgCode != "" {
			extra = append(extra, pt.OrgCode)
		} else if pt.IDNumber != "" {
			extra = append(extra, pt.IDNumber)
		}
		if pt.Phone != "" {
			extra = append(extra, pt.Phone)
		}
		if len(extra) > 0 {
			s += "（" + strings.Join(extra, "，") + "）"
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, "；")
}

func address(p *xinfang.Petition) string {
	if p.Anonymous || p.Petitioner == nil {
		return "—"
	}
	for _, a := range []string{p.Petitioner.Address, p.Petitioner.Residence, p.Petitioner.HukouAddress} {
		if strings.TrimSpace(a) != "" {
			return a
		}
	}
	return "—"
}

// register is the 信访事项登记表: the item as registered.
func (c *composer) register() bool {
	p := c.p
	reg := c.last(xinfang.ActRegister)
	c.formHead("信访事项登记表")
	regUnit := ""
	if p.RegUnit != nil {
		regUnit = p.RegUnit.Name
	} else {
		regUnit = c.unit(p.RegUnitID)
	}
	locality := ""
	if p.Locality != nil {
		locality = p.Locality.Name
	} else {
		locality = c.unit(p.LocalityID)
	}
	regAt := p.CreatedAt
	if reg != nil {
		regAt = reg.At
	}
	c.row(h("信访形式"), v(p.Channel.Label()), h("收到日期"), v(cnTime(p.ReceivedAt)))
	c.row(h("登记单位"), v(regUnit), h("登记日期"), v(cnTime(regAt)))
	c.row(h("信访人"), wide(petitioners(p)))
	c.row(h("通讯地址"), wide(address(p)))
	c.row(h("信访人数"), v(strconv.Itoa(p.PersonCount)), h("涉及人数"), v(strconv.Itoa(p.InvolvedCount)))
	c.row(h("集体访"), v(yesNo(p.Group)), h("越级"), v(orDash(p.Escalation.Label())))
	c.row(h("问题属地"), v(orDash(locality)), h("内容分类"), v(orDash(c.it.Category)))
	c.row(h("信访目的"), v(orDash(p.Purpose.Label())), h("涉法涉诉"), v(yesNo(p.LegalCase)))
	c.row(h("被反映人"), wide(orDash(p.Accused)))
	c.row(h("概况"), wide(p.Summary))
	c.row(h("投诉内容"), wide(p.Content))
	c.row(h("诉求"), wide(orDash(p.Request)))
	if p.ParentNumber != "" || p.Repeat {
		c.row(h("上级交办号"), v(orDash(p.ParentNumber)), h("重复件"), v(yesNo(p.Repeat)))
	}
	c.row(h("登记人"), v(orDash(p.RegUserName)), h("办理状态"), v(p.State.Label()))
	c.gap()
	c.add(StyleSmall, c.printed())
	return true
}

// transfer is the 转送单 or 交办单 of the item's last 转送 or 交办: to
// whom, by whom, and what the receiving unit must do by when.
func (c *composer) transfer(a xinfang.Action) bool {
	ev := c.last(a)
	if ev == nil {
		return false
	}
	p := c.p
	title, verb := "信访事项转送单", "转送"
	if a == xinfang.ActAssign {
		title, verb = "信访事项交办单", "交办"
	}
	to := ""
	if id, err := strconv.ParseInt(ev.Data["unit_id"], 10, 64); err == nil {
		to = c.unit(id)
	}
	c.formHead(title)
	c.row(h("承办单位"), wide(to))
	c.row(h(verb+"机关"), v(c.unit(ev.ActorUnitID)), h(verb+"日期"), v(cnTime(ev.At)))
	c.row(h("信访人"), v(Addressee(p)), h("信访人数"), v(strconv.Itoa(p.PersonCount)))
	c.row(h("收到日期"), v(cnTime(p.ReceivedAt)), h("信访形式"), v(p.Channel.Label()))
	c.row(h("内容分类"), v(orDash(c.it.Category)), h("问题属地"), v(orDash(c.unit(p.LocalityID))))
	c.row(h("概况"), wide(p.Summary))
	c.row(h("诉求"), wide(orDash(p.Request)))
	var req string
	if a == xinfang.ActAssign {
		due := ev.Data["result_due"]
		if d, err := calendar.ParseDate(due); err == nil {
			due = CNDate(d)
		}
		req = "请依法办理，自收到之日起15日内书面告知信访人是否受理，并于" + due + "前将办理结果报送" + c.unit(ev.ActorUnitID) + "。对交办事项有异议的，应当自收到之日起5个工作日内说明理由并退回（《信访工作条例》第二十三条）。"
	} else {
		req = "请依法办理，自收到之日起15日内书面告知信访人是否受理。对转送事项有异议的，应当自收到之日起5个工作日内说明理由并退回（《信访工作条例》第二十三条）。"
	}
	c.row(h(verb+"要求"), wide(req))
	c.row(h("签收人"), v(signHere("")), h("签收日期"), v(""))
	c.gap()
	c.add(StyleSmall, c.printed())
	return true
}

// receiptFor is the document a 送达回证 delivers: the last written reply.
func (c *composer) receiptFor() (*xinfang.Event, string) {
	var ev *xinfang.Event
	title := ""
	for _, e := range c.it.Events {
		switch e.Action {
		case xinfang.ActReply:
			ev, title = e, "信访处理意见书"
		case xinfang.ActReviewReply:
			ev, title = e, "复查意见书"
		case xinfang.ActRereviewReply:
			ev, title = e, "复核意见书"
		case xinfang.ActTerminate:
			ev, title = e, "终结告知书"
		}
	}
	return ev, title
}

// receipt is the 送达回证 of the last written reply: filled from the 送达
// record when there is one, else blank for the petitioner to sign.
func (c *composer) receipt() bool {
	doc, title := c.receiptFor()
	if doc == nil {
		return false
	}
	var del *xinfang.Event
	for _, e := range c.it.Events {
		if e.Action == xinfang.ActDeliver && e.Seq > doc.Seq {
			del = e
		}
	}
	p := c.p
	c.formHead("送达回证")
	c.row(h("送达文书"), wide(title+"（编号："+p.Number+"）"))
	c.row(h("受送达人"), wide(Addressee(p)))
	c.row(h("送达地址"), wide(address(p)))
	c.row(h("送达机关"), wide(c.unit(doc.ActorUnitID)))
	method, on, sig, opinion, by := "", "", "", "", ""
	if del != nil {
		method = xinfang.DeliveryMethod(del.Data["method"]).Label()
		if d, err := calendar.ParseDate(del.Data["delivered_on"]); err == nil {
			on = CNDate(d)
		}
		switch del.Data["receipt"] {
		case "signed":
			sig = "已签收"
		case "refused":
			sig = "拒收（送达人注明情况）"
		}
		opinion = xinfang.PetitionerOpinion(del.Data["petitioner_opinion"]).Label()
		by = del.ActorName
	}
	c.row(h("送达方式"), v(method), h("送达日期"), v(on))
	c.row(h("受送达人签收"), v(signHere(sig)), h("签收日期"), v(""))
	c.row(h("信访人意见"), wide(opinion))
	c.row(h("送达人"), v(signHere(by)), h("见证人"), v(signHere("")))
	c.row(h("备注"), wide("受送达人拒绝签收的，送达人应当在备注栏注明拒收事由和日期，由送达人、见证人签名。"))
	c.gap()
	c.add(StyleSmall, c.printed())
	return true
}
