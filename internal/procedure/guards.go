package procedure

import (
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

func invalid(field, msg string) error { return xinfang.FieldError(field, msg) }

func guardTransfer(g *GuardContext) error {
	u := g.Resolved["unit_id"].(*xinfang.Unit)
	p := g.Req.Petition
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
	if g.Today.String() > c.Due {
		return invalid("reason", "异议期已于 "+c.Due+" 届满（收到之日起 5 个工作日，第二十三条第三款），不能退回")
	}
	return nil
}

func guardExtend(g *GuardContext) error {
	if g.Status.Extended {
		return invalid("days", "办理期限只能延长一次（第三十四条）")
	}
	if c, ok := g.Status.Clock(xinfang.ClockHandling); ok && g.Today.String() > c.Due {
		return invalid("days", "办理期限已于 "+c.Due+" 届满，不能再申请延期")
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
	last := g.Req.Events[len(g.Req.Events)-1]
	for i := len(g.Req.Events) - 1; i >= 0; i-- {
		switch g.Req.Events[i].Action {
		case xinfang.ActReply, xinfang.ActReviewReply, xinfang.ActReReviewReply, xinfang.ActTerminate:
			last = g.Req.Events[i]
			i = 0
		}
	}
	if on.Before(calendar.DateOf(last.At)) {
		return invalid("delivered_on", "送达日期不能早于答复日期 "+calendar.DateOf(last.At).String())
	}
	return nil
}

// EvaluationExcluded says why p is not evaluated by the petitioner, or "".
func EvaluationExcluded(p *xinfang.Petition) string {
	if p.LegalCase {
		return "涉法涉诉事项不纳入群众评价"
	}
	if p.HandlingUnit != nil && p.HandlingUnit.Kind == xinfang.UnitLegal && (containsAny(p.HandlingUnit.Name, "法院", "检察院")) {
		return "法院、检察院办理的事项不纳入群众评价"
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
			if on.String() < c.Start {
				return invalid("received_on", "收到申请日期不能早于送达日期 "+c.Start)
			}
		}
		if on.String() > c.Due {
			return invalid("received_on", "申请"+what+"期限已于 "+c.Due+" 届满")
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
		return nil
	}
}

func guardConclude(g *GuardContext) error {
	kind := xinfang.ClockReviewRequest
	what := "复查"
	if g.Req.Petition.State == xinfang.StateReviewed {
		kind, what = xinfang.ClockReReviewRequest, "复核"
	}
	c, ok := g.Status.Clock(kind)
	if !ok {
		return invalid("action", "答复尚未送达，不能办结")
	}
	if g.Today.String() <= c.Due {
		return invalid("action", "申请"+what+"期限至 "+c.Due+" 届满，期满后方可办结")
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
