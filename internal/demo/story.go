package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// A scenario is how a story ends: in which state, and how long ago it
// started (back, in days before the end). Stories that end in a closed
// state start long enough ago for every step to fit, with the statutory
// windows respected; stories that stay open start so recently, or so long
// ago, that their clocks show 正常, 临期, 超期 or 严重超期.
type scenario struct {
	name       string
	weight     float64
	back       [2]int
	townOK     bool // a town registrar may register it and handle it directly
	merge      bool // registered as a repeat and merged into the original
	accusation bool
	terminated bool
	filter     func(*matter) bool
	run        func(*story)
}

func general(m *matter) bool    { return m.purpose != xinfang.PurposeAccusation }
func reviewable(m *matter) bool { return general(m) && !m.legal }
func accusation(m *matter) bool { return m.purpose == xinfang.PurposeAccusation }
func legal(m *matter) bool      { return m.legal }
func divertable(m *matter) bool { return general(m) && len(m.routes) > 0 }

// closedBack starts a story between minDays and three years before the end.
func closedBack(minDays int) [2]int { return [2]int{minDays, 3*365 - 5} }

var scenarios = []*scenario{
	{name: "concluded", weight: 33, back: closedBack(200), townOK: true, filter: general, run: (*story).concluded},
	{name: "concluded_review", weight: 4, back: closedBack(300), filter: reviewable, run: (*story).concludedAfterReview},
	{name: "accusation_concluded", weight: 3.5, back: closedBack(200), accusation: true, filter: accusation, run: (*story).accusationConcluded},
	{name: "terminated_rereview", weight: 2, back: closedBack(330), terminated: true, filter: reviewable, run: (*story).terminatedAfterRereview},
	{name: "terminated_legal", weight: 3, back: closedBack(200), terminated: true, filter: legal, run: (*story).terminatedLegal},
	{name: "not_accepted", weight: 4.5, back: closedBack(30), townOK: true, filter: general, run: (*story).notAccepted},
	{name: "diverted", weight: 5, back: closedBack(30), townOK: true, filter: divertable, run: (*story).diverted},
	{name: "merged", weight: 3, merge: true, filter: general, run: (*story).merged},
	{name: "withdrawn", weight: 2, back: closedBack(60), townOK: true, filter: general, run: (*story).withdrawn},
	{name: "registered", weight: 1.6, back: [2]int{0, 5}, filter: general, run: func(*story) {}},
	{name: "registered_overdue", weight: 0.6, back: [2]int{17, 35}, filter: general, run: func(*story) {}},
	{name: "pending_sign", weight: 2.2, back: [2]int{1, 10}, filter: general, run: (*story).send},
	{name: "pending_sign_overdue", weight: 0.8, back: [2]int{20, 45}, filter: general, run: (*story).send},
	{name: "signed", weight: 2, back: [2]int{2, 12}, filter: general, run: func(s *story) { s.send(); s.sign() }},
	{name: "handling", weight: 6, back: [2]int{10, 50}, townOK: true, filter: general, run: (*story).handling},
	{name: "handling_near", weight: 1.2, back: [2]int{62, 75}, townOK: true, filter: general, run: (*story).handlingNear},
	{name: "handling_overdue", weight: 3, back: [2]int{75, 110}, townOK: true, filter: general, run: (*story).handling},
	{name: "handling_severe", weight: 2, back: [2]int{140, 330}, townOK: true, filter: general, run: (*story).handling},
	{name: "handling_extended", weight: 2, back: [2]int{62, 80}, townOK: true, filter: general, run: (*story).handlingExtended},
	{name: "replied", weight: 6, back: [2]int{25, 75}, townOK: true, filter: general, run: (*story).replied},
	{name: "reviewing", weight: 2.2, back: [2]int{90, 170}, filter: reviewable, run: (*story).reviewing},
	{name: "reviewed", weight: 2, back: [2]int{120, 200}, filter: reviewable, run: (*story).reviewed},
	{name: "rereviewing", weight: 1.8, back: [2]int{170, 280}, filter: reviewable, run: (*story).rereviewing},
	{name: "accusation_handling", weight: 1.2, back: [2]int{10, 80}, accusation: true, filter: accusation, run: (*story).handling},
}

// story tells one plan: registration, then each step as the acting user at
// the step's time. A step that would fall after the end is not taken, and
// neither is anything after it: the item stays where it is.
type story struct {
	dice
	l       *loader
	p       *plan
	t       time.Time
	ver     int
	routed  bool
	outcome xinfang.Outcome
	done    bool
	err     error
}

// tell registers p at its time and runs its scenario. Stories are told
// one after another in the order of registration, so that the numbers of a
// unit and year follow the dates. Each has its own dice, so that a change
// in one story does not change the others.
func (l *loader) tell(p *plan) error {
	if p.repeatOf != nil {
		p.pt.RepeatOfID = p.repeatOf.id
	}
	l.db.Now = func() time.Time { return p.reg }
	if err := l.registerStory(p); err != nil {
		return fmt.Errorf("register by %s: %w", p.registrar.Username, err)
	}
	p.id = p.pt.ID
	s := &story{dice: dice{rand.New(rand.NewPCG(p.seed, uint64(p.idx)))}, l: l, p: p, t: p.reg, ver: p.pt.Version}
	p.sc.run(s)
	return s.err
}

// later moves the story on by lo to hi days (0: later the same day) into
// office hours.
func (s *story) later(lo, hi int) {
	if s.done || s.err != nil {
		return
	}
	t := s.t.Add(time.Duration(s.between(20, 180)) * time.Minute)
	if days := s.between(lo, hi); days > 0 {
		d := calendar.DateOf(s.t).AddDays(days)
		t = time.Date(d.Year, d.Month, d.Day, 8, 30, 0, 0, calendar.Location()).Add(time.Duration(s.IntN(540)) * time.Minute)
	}
	s.at(s.l.office(s.dice, t))
}

// until moves the story to a day lo to hi days before the end, or to the
// next day when that has passed already.
func (s *story) until(lo, hi int) {
	if s.done || s.err != nil {
		return
	}
	t := s.l.daysBeforeEnd(s.dice, s.between(lo, hi))
	if t.After(s.l.end) {
		t = s.l.end.Add(-time.Duration(s.between(5, 60)) * time.Minute)
	}
	if !t.After(s.t) {
		s.later(1, 1)
		return
	}
	s.at(t)
}

func (s *story) at(t time.Time) {
	if t.After(s.l.end) {
		s.done = true
		return
	}
	s.t = t
}

func (s *story) date() string { return calendar.DateOf(s.t).String() }

// act takes one step of the procedure as u.
func (s *story) act(u *xinfang.User, a xinfang.Action, data map[string]string) {
	if s.done || s.err != nil {
		return
	}
	t := s.t
	s.l.db.Now = func() time.Time { return t }
	p, err := s.l.db.Petitions.Act(s.l.asUser(u), s.p.id, xinfang.ActionInput{Action: a, Version: s.ver, Data: data})
	if err != nil {
		s.err = fmt.Errorf("%s by %s on %s: %w", a, u.Username, s.date(), err)
		return
	}
	s.ver = p.Version
}

// send transfers the item from the registering unit to the handling unit,
// or assigns it (交办) when it came from above or is urgent. One in twenty
// goes to the wrong unit first, which objects within its five working days.
func (s *story) send() {
	p := s.p
	if p.direct() {
		return
	}
	if p.m.purpose != xinfang.PurposeAccusation && s.chance(5) {
		wrong, handler := s.l.wrongUnit(s.dice, p)
		s.later(0, 1)
		s.act(p.registrar, xinfang.ActTransfer, map[string]string{"unit_id": id(wrong)})
		s.later(1, 3)
		s.act(handler, xinfang.ActReturn, map[string]string{"reason": "经核实，该事项问题属地及职权不在本单位，请予重新转送有权处理的机关。"})
	}
	s.later(0, 2)
	if p.superior != nil || p.pt.Urgent {
		due := calendar.DateOf(s.t).AddDays(30)
		s.act(p.registrar, xinfang.ActAssign, map[string]string{"unit_id": id(p.unit), "result_due": due.String()})
	} else {
		s.act(p.registrar, xinfang.ActTransfer, map[string]string{"unit_id": id(p.unit)})
	}
	s.routed = true
}

// wrongUnit is a plausible but wrong addressee: another town, or another
// department.
func (l *loader) wrongUnit(d dice, p *plan) (*xinfang.Unit, *xinfang.User) {
	if p.unit.Kind == xinfang.UnitTown {
		for {
			t := l.c.towns[d.IntN(len(l.c.towns))]
			if t.unit.ID != p.unit.ID {
				return t.unit, t.handler
			}
		}
	}
	for {
		spec := deptSpecs[d.IntN(len(deptSpecs))]
		if spec.staffed() && spec.kind == xinfang.UnitDepartment && l.c.units[spec.key].ID != p.unit.ID {
			return l.c.units[spec.key], l.c.handlers[spec.key]
		}
	}
}

func id(u *xinfang.Unit) string { return strconv.FormatInt(u.ID, 10) }

func (s *story) sign() {
	if !s.routed {
		return
	}
	s.later(0, 2)
	s.act(s.p.handler, xinfang.ActSign, nil)
}

func (s *story) accept() {
	s.later(0, 4)
	s.act(s.p.handler, xinfang.ActAccept, nil)
}

// take is send, sign and accept.
func (s *story) take() {
	s.send()
	s.sign()
	s.accept()
}

func (s *story) pickOutcome(firstOfMany bool) xinfang.Outcome {
	n := s.IntN(100)
	switch {
	case firstOfMany && n < 60:
		return xinfang.OutcomeExplain
	case firstOfMany:
		return xinfang.OutcomeReject
	case n < 45:
		return xinfang.OutcomeSupport
	case n < 85:
		return xinfang.OutcomeExplain
	}
	return xinfang.OutcomeReject
}

// reply issues the 信访处理意见书 (or, with action, the 复查/复核意见书).
func (s *story) reply(u *xinfang.User, action xinfang.Action, outcome xinfang.Outcome) {
	vr, v := s.p.variant, s.p.v
	opinion := map[xinfang.Outcome]string{xinfang.OutcomeSupport: vr.support, xinfang.OutcomeExplain: vr.explain, xinfang.OutcomeReject: vr.reject}[outcome]
	s.outcome = outcome
	s.act(u, action, map[string]string{
		"outcome": string(outcome),
		"facts":   v.fill(vr.facts),
		"opinion": v.fill(opinion),
		"basis":   s.p.m.basis,
	})
}

// deliver records the delivery of the latest written reply, made today.
func (s *story) deliver(u *xinfang.User) {
	data := map[string]string{"delivered_on": s.date(), "receipt": "signed"}
	method := xinfang.DeliveryOther
	switch n := s.IntN(100); {
	case n < 50:
		method = xinfang.DeliveryInPerson
	case n < 75:
		method = xinfang.DeliveryPost
	case n < 95:
		method = xinfang.DeliveryElectronic
	}
	data["method"] = string(method)
	if s.chance(7) {
		data["receipt"] = "refused"
	}
	data["petitioner_opinion"] = string(weighted(s, map[xinfang.Outcome][3]int{
		xinfang.OutcomeSupport: {80, 15, 5}, xinfang.OutcomeExplain: {40, 35, 25}, xinfang.OutcomeReject: {15, 25, 60},
	}[s.outcome], xinfang.OpinionAgree, xinfang.OpinionNone, xinfang.OpinionDisagree))
	if s.p.pt.Anonymous {
		// An anonymous letter has nobody to deliver to: the result is
		// published where the accusation was about.
		data["method"], data["petitioner_opinion"] = string(xinfang.DeliveryOther), string(xinfang.OpinionNone)
	}
	s.act(u, xinfang.ActDeliver, data)
}

// weighted returns one of three choices by percent weights.
func weighted[T any](s *story, w [3]int, a, b, c T) T {
	n := s.IntN(w[0] + w[1] + w[2])
	switch {
	case n < w[0]:
		return a
	case n < w[0]+w[1]:
		return b
	}
	return c
}

// evaluate records the petitioner's evaluation (评价) with percent chance,
// where the rules allow one.
func (s *story) evaluate(percent int) {
	p := s.p
	if p.pt.Anonymous || procedure.EvaluationExcluded(&xinfang.Petition{LegalCase: p.pt.LegalCase, HandlingUnit: p.unit}) != "" || !s.chance(percent) {
		return
	}
	s.later(0, 8)
	w := map[xinfang.Outcome][3]int{xinfang.OutcomeSupport: {70, 25, 5}, xinfang.OutcomeExplain: {35, 45, 20}, xinfang.OutcomeReject: {10, 30, 60}}[s.outcome]
	data := map[string]string{
		"rating_bureau": string(weighted(s, [3]int{w[0] + 10, w[1], max(w[2]-10, 2)}, xinfang.RatingSatisfied, xinfang.RatingBasic, xinfang.RatingUnsatisfied)),
		"rating_unit":   string(weighted(s, w, xinfang.RatingSatisfied, xinfang.RatingBasic, xinfang.RatingUnsatisfied)),
	}
	if p.channel == xinfang.ChannelOnline {
		// An item submitted online is evaluated by its petitioner on the
		// portal, with the number and 查询码.
		s.portalEvaluate(data)
		return
	}
	s.act(p.handler, xinfang.ActEvaluate, data)
}

// conclude closes the item once the petitioner's window for the next
// request (30 days, rolled past holidays) has run out unused.
func (s *story) conclude(u *xinfang.User) {
	s.later(41, 50)
	s.act(u, xinfang.ActConclude, nil)
}

func (s *story) extend() {
	s.act(s.p.head, xinfang.ActExtend, map[string]string{
		"days":   strconv.Itoa(s.weightedDays()),
		"reason": "案情复杂，涉及多个部门和历史遗留问题，需进一步调查核实，经单位负责人批准延长办理期限。",
	})
}

func (s *story) weightedDays() int {
	if s.chance(70) {
		return 30
	}
	return s.between(10, 29)
}

func (s *story) requestReview() {
	s.act(s.p.registrar, xinfang.ActRequestReview, map[string]string{
		"received_on": s.date(),
		"request":     "信访人对" + s.p.unit.Name + "作出的处理意见不服，认为调查不全面、处理不到位，请求复查。",
	})
}

func (s *story) requestRereview() {
	s.act(s.p.registrar, xinfang.ActRequestRereview, map[string]string{
		"received_on": s.date(),
		"request":     "信访人对复查意见仍不服，请求复核，并申请召开听证会。",
	})
}

// reviewer is who answers a 复查: the 信访局 on behalf of the city
// government, the handling unit's superior.
func (s *story) reviewer() *xinfang.User { return s.l.c.bureauHead }

// reReviewer is who answers a 复核 and holds its hearing: the 联席办.
func (s *story) reReviewer() *xinfang.User { return s.l.c.jointHead }

// The scenarios.

func (s *story) concluded() {
	s.take()
	switch n := s.IntN(100); {
	case n < 12:
		s.later(35, 50)
		s.extend()
		s.later(10, 25)
	case n < 17:
		s.later(62, 75) // replied late: 超期办结
	default:
		s.later(12, 50)
	}
	s.reply(s.p.handler, xinfang.ActReply, s.pickOutcome(false))
	s.later(1, 5)
	s.deliver(s.p.handler)
	s.evaluate(85)
	s.conclude(s.p.handler)
}

func (s *story) concludedAfterReview() {
	s.take()
	s.later(12, 50)
	s.reply(s.p.handler, xinfang.ActReply, s.pickOutcome(true))
	s.later(1, 5)
	s.deliver(s.p.handler)
	s.evaluate(50)
	s.later(3, 18)
	s.requestReview()
	s.later(10, 27)
	s.reply(s.reviewer(), xinfang.ActReviewReply, s.pickOutcome(false))
	s.later(1, 5)
	s.deliver(s.reviewer())
	s.conclude(s.p.handler)
}

func (s *story) accusationConcluded() {
	s.take()
	s.later(15, 50)
	s.reply(s.p.handler, xinfang.ActReply, s.pickOutcome(false))
	s.later(1, 5)
	s.deliver(s.p.handler)
	s.evaluate(40)
	s.conclude(s.p.handler)
}

func (s *story) terminatedAfterRereview() {
	s.take()
	s.later(12, 50)
	s.reply(s.p.handler, xinfang.ActReply, s.pickOutcome(true))
	s.later(1, 5)
	s.deliver(s.p.handler)
	s.later(3, 18)
	s.requestReview()
	s.later(10, 27)
	s.reply(s.reviewer(), xinfang.ActReviewReply, s.pickOutcome(true))
	s.later(1, 5)
	s.deliver(s.reviewer())
	s.later(3, 18)
	s.requestRereview()
	s.hearing(true)
	s.later(5, 20)
	s.reply(s.reReviewer(), xinfang.ActRereviewReply, s.pickOutcome(true))
	s.later(1, 5)
	s.deliver(s.reReviewer())
}

// terminatedLegal: a 涉法涉诉 item that the 政法机关 ends by law (依法终结)
// once legal procedures are exhausted, with aftercare.
func (s *story) terminatedLegal() {
	s.take()
	if s.chance(50) {
		s.later(12, 50)
		s.reply(s.p.handler, xinfang.ActReply, s.pickOutcome(true))
		s.later(1, 5)
		s.deliver(s.p.handler)
	}
	s.later(10, 60)
	s.outcome = xinfang.OutcomeReject
	// Each text with its measures, handed to the 联席办 as tasks.
	i := s.IntN(len(aftercareTexts))
	s.act(s.p.handler, xinfang.ActTerminate, map[string]string{
		"reason":               "该事项已经法定程序处理完毕，信访人的诉求已依法得到处理，依法终结，不再作为信访事项受理。",
		"aftercare":            aftercareTexts[i],
		xinfang.AftercareField: aftercareMeasures[i],
	})
	s.later(1, 5)
	s.deliver(s.p.handler)
}

var (
	aftercareTexts    = []string{"由属地镇（街道）落实专人开展心理疏导和帮扶。", "为信访人申请司法救助金 2 万元，并协调纳入临时救助。", "安排律师为信访人提供法律援助，引导其依法维权。"}
	aftercareMeasures = []string{"psychological,relief", "judicial_aid,relief", "legal_aid,education"}
)

var notAcceptReasons = []string{
	"信访人反映的事项已经或者依法应当通过诉讼、仲裁、行政复议等法定途径解决，依据《信访工作条例》第三十一条不予受理，已书面告知信访人。",
	"该事项已经有权机关处理并答复，信访人以同一事实和理由再次提出，不予受理。",
	"信访人提出的诉求超出本机关职权范围，且已告知其向有权机关提出，不予受理。",
}

// notAcceptGrounds are the grounds of notAcceptReasons, in their order:
// the 不予受理告知书 states the ground, the reason stays a note.
var notAcceptGrounds = []xinfang.NotAcceptGround{xinfang.GroundLegalRoute, xinfang.GroundAnswered, xinfang.GroundNotCompetent}

func (s *story) notAccepted() {
	p := s.p
	if !p.direct() && s.chance(25) {
		// At the 信访局: the same matter is being handled already.
		s.later(0, 3)
		s.act(s.l.c.bureauHead, xinfang.ActNotAccept, map[string]string{"ground": string(xinfang.GroundInHandling), "reason": "信访人就同一事项已向有权机关提出且正在办理中，依据《信访工作条例》第十九条第三款不予受理。"})
		return
	}
	s.send()
	s.sign()
	s.later(0, 4)
	i := s.IntN(len(notAcceptReasons))
	s.act(p.handler, xinfang.ActNotAccept, map[string]string{"ground": string(notAcceptGrounds[i]), "reason": notAcceptReasons[i]})
}

func (s *story) diverted() {
	s.send()
	s.sign()
	s.later(0, 5)
	s.act(s.p.handler, xinfang.ActDivert, map[string]string{"route": s.pick(s.p.m.routes), "reason": s.p.m.divertWhy})
}

func (s *story) merged() {
	s.later(0, 1)
	s.act(s.p.registrar, xinfang.ActMerge, map[string]string{"into": strconv.FormatInt(s.p.repeatOf.id, 10)})
}

func (s *story) withdrawn() {
	s.send()
	s.sign()
	if s.chance(70) {
		s.accept()
	}
	s.later(5, 30)
	s.act(s.p.handler, xinfang.ActWithdraw, map[string]string{"reason": s.pick([]string{
		"经调解，双方达成和解协议，信访人书面申请撤回信访事项。",
		"信访人反映的问题已自行协商解决，申请撤回。",
	})})
}

func (s *story) handling() {
	s.take()
}

// handlingNear is accepted 57–58 days before the end, so that its 60 days
// run out within the 临期 window.
func (s *story) handlingNear() {
	s.send()
	s.sign()
	s.until(57, 58)
	s.act(s.p.handler, xinfang.ActAccept, nil)
}

func (s *story) handlingExtended() {
	s.take()
	s.later(35, 50)
	s.extend()
}

func (s *story) replied() {
	s.take()
	s.until(3, 28)
	s.reply(s.p.handler, xinfang.ActReply, s.pickOutcome(false))
	if s.chance(65) {
		s.later(1, 3)
		s.deliver(s.p.handler)
		s.evaluate(50)
	}
}

// reviewing asks for a 复查 rb days before the end: the 30-day review
// clock runs, overdue when rb > 30.
func (s *story) reviewing() {
	rb := s.between(2, 45)
	s.take()
	s.until(rb+8, rb+18)
	s.reply(s.p.handler, xinfang.ActReply, s.pickOutcome(true))
	s.later(1, 3)
	s.deliver(s.p.handler)
	s.until(rb, rb)
	s.requestReview()
}

func (s *story) reviewed() {
	rb := s.between(1, 25)
	s.take()
	s.until(rb+40, rb+60)
	s.reply(s.p.handler, xinfang.ActReply, s.pickOutcome(true))
	s.later(1, 3)
	s.deliver(s.p.handler)
	s.later(3, 15)
	s.requestReview()
	s.until(rb, rb)
	s.reply(s.reviewer(), xinfang.ActReviewReply, s.pickOutcome(true))
	if s.chance(50) {
		s.later(1, 3)
		s.deliver(s.reviewer())
	}
}

// rereviewing asks for a 复核 rb days before the end; most have a hearing,
// some still running (the 复核 clock is paused meanwhile).
func (s *story) rereviewing() {
	rb := s.between(2, 40)
	s.take()
	s.until(rb+45, rb+55)
	s.reply(s.p.handler, xinfang.ActReply, s.pickOutcome(true))
	s.later(1, 3)
	s.deliver(s.p.handler)
	s.later(3, 10)
	s.requestReview()
	s.until(rb+8, rb+18)
	s.reply(s.reviewer(), xinfang.ActReviewReply, s.pickOutcome(true))
	s.later(1, 3)
	s.deliver(s.reviewer())
	s.until(rb, rb)
	s.requestRereview()
	if s.chance(60) {
		s.hearing(s.chance(50))
	}
}
