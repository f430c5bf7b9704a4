package docs

import (
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
)

// Order is what a 督办单's documents are composed from.
type Order struct {
	S *xinfang.Supervision
	// Issuer and Target name the issuing and the supervised unit.
	Issuer, Target string
	// Subject says what is supervised: the petition's or case's number
	// and summary or title.
	Subject string
	// Today is the day the document is printed.
	Today calendar.Date
}

// SupervisionKinds lists the documents a 督办单 has: the 督办通知书
// always, the 催办函 once it has been pressed (催办) without feedback.
func SupervisionKinds(s *xinfang.Supervision) []Kind {
	out := []Kind{KindSupervise}
	if len(s.Reminders) > 0 {
		out = append(out, KindUrge)
	}
	return out
}

// ComposeSupervision composes the 督办通知书 or the 催办函 of a 督办单.
func ComposeSupervision(k Kind, o *Order) (*Document, error) {
	s := o.S
	c := &composer{it: &Source{}, p: &xinfang.Petition{}}
	switch k {
	case KindSupervise:
		title := "督办通知书"
		if s.Listed {
			title = "挂牌督办通知书"
		}
		c.head(title, "编号："+s.Number, o.Target)
		c.para("根据《信访工作条例》第三十九条的规定，现将" + o.Subject + "交你单位督办。")
		c.add(StyleHeading, "　　督办要求")
		c.para(sentence(s.Requirements) + "。")
		c.para("请于" + CNDate(s.Deadline) + "前将办理情况书面反馈" + o.Issuer + "。逾期未反馈的，将予以催办并通报。")
		c.sign(o.Issuer, s.CreatedAt)
	case KindUrge:
		if len(s.Reminders) == 0 {
			return nil, xinfang.Errorf(xinfang.ENOTFOUND, "该督办单尚无催办")
		}
		r := s.Reminders[len(s.Reminders)-1]
		c.head("催办函", "编号："+s.Number+"-"+strconv.Itoa(len(s.Reminders)), o.Target)
		c.para(o.Issuer + "于" + cnTime(s.CreatedAt) + "将" + o.Subject + "交你单位督办（督办单" + s.Number + "），要求于" + CNDate(s.Deadline) + "前书面反馈办理情况。")
		at := calendar.DateOf(r.At)
		status := "截至" + CNDate(at) + "，尚未收到你单位的反馈"
		if late := at.Sub(s.Deadline); late > 0 {
			status += "，已超过反馈期限" + strconv.Itoa(late) + "日"
		}
		c.para(status + "。")
		nth := ""
		if len(s.Reminders) > 1 {
			nth = "（第" + strconv.Itoa(len(s.Reminders)) + "次）"
		}
		c.para("现予催办" + nth + "，请抓紧办理，并尽快将办理情况书面反馈" + o.Issuer + "。")
		c.sign(o.Issuer, r.At)
	default:
		return nil, xinfang.Errorf(xinfang.ENOTFOUND, "没有这种文书")
	}
	return &Document{Kind: k, Title: k.Title(), Number: s.Number, Pages: paginate(c.blocks)}, nil
}
