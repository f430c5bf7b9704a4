package procedure

import (
	"fmt"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

func invalid(field, msg string) error { return xinfang.FieldError(field, msg) }

func guardTransfer(g *GuardContext) error {
	u, _ := g.Resolved["unit_id"].(*xinfang.Unit)
	p := g.Req.Petition
	if u == nil {
		// A Lookup that answers (nil, nil) must not crash the server.
		return invalid("unit_id", "承办单位不存在")
	}
	if u.Kind == xinfang.UnitSuperior {
		return invalid("unit_id", "不能转送至上级机关")
	}
	if u.ID == p.HandlingUnitID || (p.HandlingUnitID == 0 && u.ID == p.RegUnitID) {
		return invalid("unit_id", "承办单位与当前单位相同")
	}
	if p.Purpose == xinfang.PurposeAccusation && u.Kind != xinfang.UnitDiscipline {
		return invalid("unit_id", "检举控告类事项须转送有权处理的纪检监察机关（第二十二条）")
	}
	if s := g.Data["result_due"]; s != "" {
		d, _ := calendar.ParseDate(s)
		if !d.After(g.Today) {
			return invalid("result_due", "办结报告期限须晚于今天")
		}
	}
	return nil
}

func guardObjection(g *GuardContext) error {
	c, ok := g.Status.Clock(xinfang.ClockObjection)
	if !ok || !c.Running {
		return invalid("reason", "没有可提出异议的转送、交办")
	}
	if g.Today.After(c.Due) {
		return invalid("reason", "异议期已于 "+c.Due.String()+" 届满（收到之日起 5 个工作日，第二十三条第三款），不能退回")
	}
	return nil
}

func guardExtend(g *GuardContext) error {
	if g.Status.Extended {
		return invalid("days", "办理期限只能延长一次（第三十四条）")
	}
	if c, ok := g.Status.Clock(xinfang.ClockHandling); ok && g.Today.After(c.Due) {
		return invalid("days", "办理期限已于 "+c.Due.String()+" 届满，不能再申请延期")
	}
	return nil
}

func guardDeliver(g *GuardContext) error {
	if g.Status.Undelivered <= 0 {
		return invalid("delivered_on", "没有待送达的书面答复")
	}
	on, _ := calendar.ParseDate(g.Data["delivered_on"])
	if on.After(g.Today) {
		return invalid("delivered_on", "送达日期不能晚于今天")
	}
	// The reply being delivered is the latest written one; Undelivered > 0
	// says there is one, but a history handed in out of step with its
	// projection must give an error, not an index panic.
	if reply := lastReply(g.Req.Events); reply != nil {
		if replied := calendar.DateOf(reply.At); on.Before(replied) {
			return invalid("delivered_on", "送达日期不能早于答复日期 "+replied.String())
		}
	}
	return nil
}

// lastReply returns the latest event that issued a written reply, or nil.
func lastReply(events []*xinfang.Event) *xinfang.Event {
	for i := len(events) - 1; i >= 0; i-- {
		switch events[i].Action {
		case xinfang.ActReply, xinfang.ActReviewReply, xinfang.ActRereviewReply, xinfang.ActTerminate:
			return events[i]
		}
	}
	return nil
}

// guardMerge checks that an item is merged as the repeat of another, earlier
// item (procedure.md "Intake": a repeat of an earlier item), never into itself
// or into a later one, which would make the earlier item the repeat, and
// never into an item that is itself merged: the repeat goes to the original,
// so that a matter has one original.
func guardMerge(g *GuardContext) error {
	into, _ := g.Resolved["into"].(*xinfang.Petition)
	p := g.Req.Petition
	switch {
	case into == nil:
		return invalid("into", "合并至的信访件不存在")
	case into.ID == p.ID:
		return invalid("into", "不能合并至本件")
	case into.State == xinfang.StateMerged:
		return invalid("into", "合并至的信访件已是重复件，请合并至其原件")
	case !into.ReceivedAt.IsZero() && !p.ReceivedAt.IsZero() && into.ReceivedAt.After(p.ReceivedAt):
		return invalid("into", "只能合并至较早的信访件")
	}
	return nil
}

// EvaluationExcluded says why p is not evaluated by the petitioner, or "".
func EvaluationExcluded(p *xinfang.Petition) string {
	if p.LegalCase {
		return "涉法涉诉事项不纳入群众评价"
	}
	// An item a court received and handled itself has no handling unit of
	// its own: the registering unit handles it, as in sideAllows.
	h := p.HandlingUnit
	if h == nil && p.HandlingUnitID == 0 {
		h = p.RegUnit
	}
	if h != nil && h.Kind == xinfang.UnitLegal && (containsAny(h.Name, "法院", "检察院")) {
		return "法院、检察院办理的事项不纳入群众评价"
	}
	// procedure.md excludes items handled by 人大 as well; a 人大 is no
	// 政法机关, so it is known by its name whatever its unit kind.
	if h != nil && containsAny(h.Name, "人大", "人民代表大会") {
		return "人大办理的事项不纳入群众评价"
	}
	return ""
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func guardEvaluate(g *GuardContext) error {
	if why := EvaluationExcluded(g.Req.Petition); why != "" {
		return invalid("rating_unit", why)
	}
	if !g.Status.Delivered {
		return invalid("rating_unit", "书面答复送达后方可评价")
	}
	if g.Status.Evaluated {
		return invalid("rating_unit", "已评价，不能重复评价")
	}
	// The petitioner evaluates an item submitted online on the portal;
	// staff record only the evaluation of items received on paper or in
	// person, so that 满意率 is the petitioners' own word where it can be.
	if !g.Req.Petitioner && g.Req.Petition.Channel == xinfang.ChannelOnline {
		return invalid("rating_unit", "网上信访事项由信访人在网上评价，工作人员不能代为录入")
	}
	if g.Req.Petitioner {
		c, ok := g.Status.Clock(xinfang.ClockEvaluation)
		if !ok || g.Today.After(c.Due) {
			due := ""
			if ok {
				due = "已于 " + c.Due.String() + " 届满"
			}
			return invalid("rating_unit", "评价期限"+due+"，不能再评价")
		}
	}
	return nil
}

// guardDecline admits declining an item submitted online only while
// nothing has happened to it since (Applies keeps it to those items).
func guardDecline(g *GuardContext) error {
	if len(g.Req.Events) != 1 {
		return invalid("reason", "该事项已开始办理，不能再不予登记")
	}
	return nil
}

func guardWindow(kind xinfang.ClockKind, what string) func(*GuardContext) error {
	return func(g *GuardContext) error {
		c, ok := g.Status.Clock(kind)
		if !ok || !c.Running {
			return invalid("received_on", "答复尚未送达，不能申请"+what)
		}
		on := g.Today
		if s := g.Data["received_on"]; s != "" {
			on, _ = calendar.ParseDate(s)
			if on.After(g.Today) {
				return invalid("received_on", "收到申请日期不能晚于今天")
			}
			if on.Before(c.Start) {
				return invalid("received_on", "收到申请日期不能早于送达日期 "+c.Start.String())
			}
		}
		if on.After(c.Due) {
			return invalid("received_on", "申请"+what+"期限已于 "+c.Due.String()+" 届满")
		}
		return nil
	}
}

func guardHearing(end bool) func(*GuardContext) error {
	return func(g *GuardContext) error {
		if end && !g.Status.Paused {
			return invalid("action", "没有进行中的听证")
		}
		if !end && g.Status.Paused {
			return invalid("action", "听证进行中，须先结束听证")
		}
		// The hearing's own days bound the pause: none after the day of
		// the record, the start not before the 复核 began, the end not
		// before the start.
		key := "started_on"
		if end {
			key = "ended_on"
		}
		s := g.Data[key]
		if s == "" || g.Req.Input.Action == xinfang.ActRereviewReply {
			return nil
		}
		on, _ := calendar.ParseDate(s)
		if on.After(g.Today) {
			return invalid(key, "听证日期不能晚于今天")
		}
		if end && on.Before(g.Status.PausedSince) {
			return invalid(key, "听证结束日期不能早于开始日期 "+g.Status.PausedSince.String())
		}
		if c, ok := g.Status.Clock(xinfang.ClockRereview); !end && ok && on.Before(c.Start) {
			return invalid(key, "听证开始日期不能早于复核起算日 "+c.Start.String())
		}
		return nil
	}
}

func guardConclude(g *GuardContext) error {
	kind := xinfang.ClockReviewRequest
	what := "复查"
	if g.Req.Petition.State == xinfang.StateReviewed {
		kind, what = xinfang.ClockRereviewRequest, "复核"
	}
	c, ok := g.Status.Clock(kind)
	if !ok {
		return invalid("action", "答复尚未送达，不能办结")
	}
	if !g.Today.After(c.Due) {
		return invalid("action", "申请"+what+"期限至 "+c.Due.String()+" 届满，期满后方可办结")
	}
	return guardOpenTasks(g)
}

// guardOpenTasks: 三跨三分离 (README): the whole concludes only when every
// task is done or released with a reason.
func guardOpenTasks(g *GuardContext) error {
	n, err := g.Lookup.OpenTasks(g.Req.Petition.ID)
	if err != nil {
		return err
	}
	if n > 0 {
		msg := fmt.Sprintf("尚有 %d 项三跨三分离任务未办结：每项任务须办结或写明理由解除，信访件方可办结", n)
		return &xinfang.Error{Code: xinfang.EINVALID, Message: "不能办结：" + msg, Fields: map[string]string{"tasks": msg}}
	}
	return nil
}

func guardTerminate(g *GuardContext) error {
	if !g.Req.Petition.LegalCase {
		return invalid("reason", "只有涉法涉诉事项可由政法机关依法终结")
	}
	if g.Req.Actor.Unit.Kind != xinfang.UnitLegal {
		return xinfang.Errorf(xinfang.EFORBIDDEN, "依法终结须由政法机关办理")
	}
	return nil
}

// guardLegalTransfer: only an item whose last screening found it
// law-related goes to a 政法机关 (the legal_case flag alone does not send
// it), to a unit that is one, into the route of that body.
func guardLegalTransfer(g *GuardContext) error {
	finding := ""
	for _, e := range g.Req.Events {
		if e.Action == xinfang.ActLegalScreen {
			finding = e.Data["finding"]
		}
	}
	if finding != string(xinfang.FindingLegal) {
		return invalid("finding", "须先甄别为涉法涉诉事项，方可转送政法机关")
	}
	u, _ := g.Resolved["unit_id"].(*xinfang.Unit)
	body := xinfang.LegalBodyOf(u)
	if body == "" {
		return invalid("unit_id", "须为公安、检察院、法院或司法局")
	}
	if want := xinfang.RouteOf(body); g.Data["route"] != string(want) {
		return invalid("route", "转送"+body.Label()+"的事项导入"+want.Label())
	}
	return nil
}
