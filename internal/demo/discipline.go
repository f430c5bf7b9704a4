package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// The 纪委监委's part: raised investigations (一案双查) of escalated visits,
// accountability records, and each town's yearly responsibility letter.
// The watch list itself is computed from the petitions.

// caseOf returns the case a petition belongs to, or nil.
func caseOf(cases []*cplan, p *plan) *cplan {
	for _, cp := range cases {
		if slices.Contains(cp.items, p) {
			return cp
		}
	}
	return nil
}

// position names the office of a unit's head, or its handler, in the
// discipline records.
func position(u *xinfang.Unit, head bool) string {
	switch {
	case !head:
		return "信访事项承办人"
	case strings.HasSuffix(u.Name, "街道"):
		return "街道办事处分管信访工作的副主任"
	case u.Kind == xinfang.UnitTown:
		return "分管信访工作的副镇长"
	}
	return "分管信访工作的副职负责人"
}

func (l *loader) discipline(d dice, plans []*plan, cases []*cplan, n int) error {
	if err := l.investigations(d, plans, cases, n); err != nil {
		return err
	}
	if err := l.accountabilities(d, plans, cases); err != nil {
		return err
	}
	return l.letters(d)
}

// investigations opens about four raised investigations (for 800
// petitions) on visits that went up to the province or to Beijing; all
// but the latest are run through both tracks and closed.
func (l *loader) investigations(d dice, plans []*plan, cases []*cplan, n int) error {
	var cands []*plan
	for _, p := range plans {
		if p.escalation != "" && p.m.purpose != xinfang.PurposeAccusation && l.final[p.id] != nil && p.reg.Before(l.end.Add(-12*day)) {
			cands = append(cands, p)
		}
	}
	d.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	cands = cands[:min(len(cands), max(1, (4*n+400)/800))]
	slices.SortStableFunc(cands, func(a, b *plan) int { return a.reg.Compare(b.reg) })
	ins := l.c.inspector
	for i, p := range cands {
		pd := dice{rand.New(rand.NewPCG(d.Uint64(), 0x5943))}
		var iv *xinfang.Investigation
		var now time.Time
		opened := within(pd, p.reg.Add(10*day), minTime(p.reg.Add(40*day), l.end.Add(-day)))
		cause := oneOf(pd, []xinfang.InvestigationCause{xinfang.CauseUnclear, xinfang.CauseInadequate, xinfang.CauseUnrectified})
		where := map[xinfang.Escalation]string{xinfang.EscalationProvince: "赴省", xinfang.EscalationBeijing: "进京"}[p.escalation]
		in := xinfang.InvestigationInput{PetitionID: p.id, UnitID: p.unit.ID, Cause: cause,
			Summary: "信访人" + p.pt.Petitioner.Name + "就" + p.pt.Summary + where + "走访。经初步了解，" + p.unit.Name + "对该事项" +
				cause.Label() + "，决定提级调查，实行一案双查。"}
		if cp := caseOf(cases, p); cp != nil && cp.c != nil && cp.t0.Before(opened) {
			in.CaseID = cp.c.ID // the case it belongs to, once it was filed
		}
		evs := []event{{at: opened, by: ins, run: func(ctx context.Context) (err error) {
			iv, err = l.db.Discipline.CreateInvestigation(ctx, in)
			return err
		}}}
		closing := i < len(cands)-1 || len(cands) == 1 && pd.chance(50)
		tCase := opened.Add(time.Duration(pd.between(20, 50)) * day)
		tResp := tCase.Add(time.Duration(pd.between(5, 20)) * day)
		tClose := tResp.Add(time.Duration(pd.between(3, 10)) * day)
		before := func(t time.Time) bool { return t.Before(l.end.Add(-6 * time.Hour)) }
		// The outcome for the officials is also the measure of their
		// accountability record: the two lists share these codes.
		outcome := oneOf(pd, []xinfang.ResponsibilityOutcome{xinfang.ResponsibilityTalk, xinfang.ResponsibilityTalk, xinfang.ResponsibilityNotice, xinfang.ResponsibilityAccountability})
		if before(tCase) {
			evs = append(evs, event{at: tCase, by: ins, run: func(ctx context.Context) (err error) {
				track := xinfang.MatterTrackInput{Version: iv.Version,
					Findings: clause(p.v.fill(p.variant.facts), 120) + "。" + p.unit.Name + "在办理中未全面核实情况、未及时答复信访人，导致信访人越级走访。",
					Measures: "责令" + p.unit.Name + "限期整改：" + clause(p.v.fill(p.variant.support), 90) + "。",
					Outcome:  map[bool]xinfang.MatterTrackOutcome{true: xinfang.MatterTerminated, false: oneOf(pd, []xinfang.MatterTrackOutcome{xinfang.MatterRectified, xinfang.MatterResolved})}[p.m.legal]}
				if !closing && pd.chance(50) {
					track.Outcome = "" // findings recorded, the outcome still to come
				}
				iv, err = l.db.Discipline.UpdateMatterTrack(ctx, iv.ID, track)
				return err
			}})
		}
		if closing && before(tResp) {
			evs = append(evs, event{at: tResp, by: ins, run: func(ctx context.Context) (err error) {
				iv, err = l.db.Discipline.UpdateResponsibilityTrack(ctx, iv.ID, xinfang.ResponsibilityTrackInput{Version: iv.Version,
					Officials: []xinfang.Official{
						{Name: p.head.Name, UnitID: p.unit.ID, Position: position(p.unit, true)},
						{Name: p.handler.Name, UnitID: p.unit.ID, Position: position(p.unit, false)},
					},
					Findings: p.head.Name + "作为分管负责人，对该信访事项" + cause.Label() + "负有领导责任；承办人" + p.handler.Name + "未按规定核实情况、跟踪落实，负有直接责任。",
					Outcome:  outcome,
				})
				return err
			}})
			evs = append(evs, event{at: tResp.Add(time.Hour), by: ins, run: func(ctx context.Context) error {
				return l.db.Discipline.CreateAccountability(ctx, &xinfang.Accountability{Target: xinfang.TargetOfficial, UnitID: p.unit.ID,
					OfficialName: p.head.Name, OfficialPosition: position(p.unit, true), Measure: xinfang.AccountabilityMeasure(outcome), DecidedOn: calendar.DateOf(now),
					Ground: "一案双查认定其对信访人" + where + "走访负有领导责任。", PetitionIDs: []int64{p.id}, InvestigationID: iv.ID})
			}})
			if before(tClose) {
				evs = append(evs, event{at: tClose, by: ins, run: func(ctx context.Context) (err error) {
					iv, err = l.db.Discipline.CloseInvestigation(ctx, iv.ID, iv.Version, "事和人两条线均已查处到位，办结。")
					return err
				}})
			}
		}
		if err := l.run(pd, evs, &now); err != nil {
			return fmt.Errorf("demo investigation of petition %d: %w", p.idx, err)
		}
	}
	return nil
}

// accountabilities records the measures the 纪委 took beside the
// investigations: a talk with the town of the longest repeat chain, a
// notice on a lagging case, 挂牌督办 of a case handed down from Beijing,
// and rectification of a unit with items seriously overdue.
func (l *loader) accountabilities(d dice, plans []*plan, cases []*cplan) error {
	ins := l.c.inspector
	var evs []event
	var now time.Time
	add := func(at time.Time, a *xinfang.Accountability) {
		evs = append(evs, event{at: at, by: ins, run: func(ctx context.Context) error {
			a.DecidedOn = calendar.DateOf(now)
			return l.db.Discipline.CreateAccountability(ctx, a)
		}})
	}
	// The longest chain of repeats.
	var root *plan
	for _, p := range plans {
		if p.repeatOf == nil && p.repeats >= 2 && caseable(p) && (root == nil || p.repeats > root.repeats) {
			root = p
		}
	}
	if root != nil {
		ids, last := []int64{root.id}, root.reg
		for _, p := range plans {
			if p.repeatOf == root && p.id != 0 {
				ids = append(ids, p.id)
				last = maxTime(last, p.reg)
			}
		}
		if t := within(d, last.Add(10*day), last.Add(60*day)); t.Before(l.end.Add(-day)) {
			add(t, &xinfang.Accountability{Target: xinfang.TargetUnit, UnitID: root.unit.ID, Measure: xinfang.MeasureTalk,
				Ground:      "辖区内" + root.pt.Summary + "，同一事项重复信访 " + itoa(len(ids)) + " 次，问题长期得不到解决，对" + root.unit.Name + "主要负责人进行约谈。",
				PetitionIDs: ids})
		}
	}
	var slow, central *cplan
	for _, cp := range cases {
		if cp.c == nil {
			continue
		}
		if cp.slow && slow == nil {
			slow = cp
		}
		if cp.source == xinfang.CaseSourceCentral && !cp.state.Done() && central == nil {
			central = cp
		}
	}
	if slow != nil {
		add(l.end.Add(-time.Duration(d.between(3, 10))*day), &xinfang.Accountability{Target: xinfang.TargetUnit, UnitID: slow.unit.ID, Measure: xinfang.MeasureNotice,
			Ground: "信访积案 " + slow.c.Number + " 化解进度严重滞后，化解方案步骤逾期未完成，予以通报。", CaseIDs: []int64{slow.c.ID}})
	}
	if central != nil {
		add(within(d, central.t0.Add(day), l.end.Add(-day)), &xinfang.Accountability{Target: xinfang.TargetUnit, UnitID: central.unit.ID, Measure: xinfang.MeasureListed,
			Ground: "国家信访局交办的信访积案，由市纪委监委挂牌督办，责任单位须按期化解。", CaseIDs: []int64{central.c.ID}})
	}
	// A unit with items seriously overdue.
	byUnit := map[int64][]*plan{}
	var worst *xinfang.Unit
	for _, p := range l.openAt(plans, xinfang.StateHandling) {
		if l.final[p.id].Warning != xinfang.WarnSevere {
			continue
		}
		byUnit[p.unit.ID] = append(byUnit[p.unit.ID], p)
		if worst == nil || len(byUnit[p.unit.ID]) > len(byUnit[worst.ID]) {
			worst = p.unit
		}
	}
	if worst != nil {
		var ids []int64
		for _, p := range byUnit[worst.ID][:min(3, len(byUnit[worst.ID]))] {
			ids = append(ids, p.id)
		}
		add(l.end.Add(-time.Duration(d.between(1, 6))*day), &xinfang.Accountability{Target: xinfang.TargetUnit, UnitID: worst.ID, Measure: xinfang.MeasureRectify,
			Ground: worst.Name + "承办的信访件严重超期未办结，责令限期整改，整改情况报市纪委监委。", PetitionIDs: ids})
	}
	return l.run(d, evs, &now)
}

var letterTargets = []string{
	"信访事项及时受理率达到 100%",
	"信访事项按期办结率不低于 95%",
	"群众满意率不低于 90%",
	"不发生进京非访、赴省集体访和重大群体性事件",
	"信访积案化解率不低于 90%，重复信访率较上年下降",
	"每月开展一次矛盾纠纷排查，做到小事不出村、大事不出镇、矛盾不上交",
}

// letters signs each town's 信访工作责任书 with the city for last year and
// this one, after the Spring Festival.
func (l *loader) letters(d dice) error {
	today := calendar.DateOf(l.end)
	var evs []event
	var now time.Time
	for _, year := range []int{today.Year - 1, today.Year} {
		on := l.cal.NextWorkday(calendar.MakeDate(year, time.February, 19))
		if on.After(today) {
			on = l.cal.NextWorkday(calendar.MakeDate(year, time.January, 4))
		}
		if on.After(today) {
			continue
		}
		for _, t := range l.c.towns {
			targets := append([]string(nil), letterTargets[:4]...)
			targets = append(targets, letterTargets[4+d.IntN(2)])
			letter := &xinfang.ResponsibilityLetter{UnitID: t.unit.ID, Year: year, SignedOn: on, Targets: targets,
				Note: t.spec.name + "党（工）委书记为第一责任人，分管领导为直接责任人。"}
			at := time.Date(on.Year, on.Month, on.Day, 9, 0, 0, 0, calendar.Location())
			evs = append(evs, event{at: at, by: l.c.supervisor, run: func(ctx context.Context) error {
				return l.db.Discipline.SaveResponsibilityLetter(ctx, letter)
			}})
		}
	}
	return l.run(d, evs, &now)
}
