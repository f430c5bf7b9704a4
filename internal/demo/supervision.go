package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// 三跨三分离 tasks on open petitions, leaders' 批示 on petitions, and the
// 督办单 of the 信访局, the 联席办 and the leaders on overdue petitions and
// lagging cases, each told at its time like the petitions.

// seriousness orders open petitions for supervision: the most overdue first.
func seriousness(w xinfang.Warning) int {
	switch w {
	case xinfang.WarnSevere:
		return 0
	case xinfang.WarnOverdue:
		return 1
	case xinfang.WarnNear:
		return 2
	}
	return 3
}

// openAt returns the petitions still with their handling unit at the end,
// in the states given, the most overdue first.
func (l *loader) openAt(plans []*plan, states ...xinfang.State) []*plan {
	var out []*plan
	for _, p := range plans {
		f := l.final[p.id]
		if f != nil && p.m.purpose != xinfang.PurposeAccusation && slices.Contains(states, f.State) && f.HandlingUnitID == p.unit.ID {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b *plan) int {
		return seriousness(l.final[a.id].Warning) - seriousness(l.final[b.id].Warning)
	})
	return out
}

// within returns a random instant in [a, b], or a when b is not after a.
func within(d dice, a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(d.Int64N(int64(b.Sub(a)))))
}

// petitionTasks splits some petitions being handled under 三跨三分离: some
// tasks done, some released with a reason, some open and late.
func (l *loader) petitionTasks(d dice, plans []*plan, n int) error {
	cands := l.openAt(plans, xinfang.StateHandling)
	d.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	want := max(2, (24*n+400)/800)
	first := true
	for _, p := range cands {
		if want == 0 {
			break
		}
		lo, hi := p.reg.Add(12*day), l.end.Add(-day)
		if lo.After(hi) {
			continue
		}
		want--
		pd := dice{rand.New(rand.NewPCG(d.Uint64(), 0x5441))}
		cp := &cplan{lead: p, unit: p.unit, handler: p.handler, head: p.head}
		txt := newCaseText(&tale{dice: pd, l: l, cp: cp}, cp)
		// Split once accepted: even the latest accepted items were taken
		// on 57 days before the end.
		added := within(pd, maxTime(lo, l.end.Add(-55*day)), hi)
		var evs []event
		for i, t := range txt.tasks() {
			t.Deadline = calendar.DateOf(added).AddDays(pd.between(10, 40))
			evs = append(evs, event{at: added.Add(time.Duration(i) * time.Minute), by: p.handler, run: func(ctx context.Context) error {
				return l.db.Cases.AddPetitionTask(ctx, p.id, t)
			}})
			if first {
				first = false // at least one task stays open
				continue
			}
			n := pd.IntN(100)
			if n < 45 {
				continue
			}
			dl := t.Deadline
			when := within(pd, added.Add(3*day), dl.Time().Add(10*day))
			if when.After(l.end.Add(-6 * time.Hour)) {
				continue
			}
			ch := xinfang.TaskChange{State: xinfang.TaskDone, Note: txt.doneNote(t)}
			if n < 65 {
				ch = xinfang.TaskChange{State: xinfang.TaskReleased, Reason: txt.releaseReason(t)}
			}
			evs = append(evs, event{at: when, by: p.handler, run: func(ctx context.Context) error {
				_, err := l.db.Cases.ChangePetitionTask(ctx, p.id, t.ID, t.Version, ch)
				return err
			}})
		}
		var now time.Time
		if err := l.run(pd, evs, &now); err != nil {
			return fmt.Errorf("demo tasks of petition %d: %w", p.idx, err)
		}
	}
	return nil
}

// petitionInstructions has the leaders write 批示 on open petitions that
// went up or came down, or bring many people.
func (l *loader) petitionInstructions(d dice, plans []*plan, n int) error {
	var cands []*plan
	for _, p := range l.openAt(plans, xinfang.StateSigned, xinfang.StateHandling, xinfang.StateReplied, xinfang.StateReviewing) {
		if p.escalation != "" || p.superior != nil || p.pt.PersonCount >= 5 || l.final[p.id].Warning == xinfang.WarnSevere {
			cands = append(cands, p)
		}
	}
	want := max(1, (12*n+400)/800)
	for i, p := range cands {
		if i == want {
			break
		}
		leader := l.c.leaders[0]
		if d.chance(40) {
			leader = l.c.leaders[d.IntN(len(l.c.leaders))]
		}
		text := d.pick([]string{
			"请" + p.unit.Name + "高度重视，主要负责人亲自过问，依法依规解决信访人的合理诉求，并将办理结果报我。",
			"此事涉及群众切身利益，请" + p.unit.Name + "抓紧核查，做好解释疏导，防止矛盾激化、越级上访。",
			"请市信访局跟踪督办，" + p.unit.Name + "要在规定期限内办结，确保事要解决。",
		})
		ev := event{at: within(d, p.reg.Add(2*day), l.end.Add(-time.Hour)), by: leader, run: func(ctx context.Context) error {
			_, err := l.db.Cases.AddInstruction(ctx, &xinfang.Instruction{PetitionID: p.id, Text: text, ToUnits: []int64{p.unit.ID}})
			return err
		}}
		var now time.Time
		if err := l.run(d, []event{ev}, &now); err != nil {
			return fmt.Errorf("demo instruction on petition %d: %w", p.idx, err)
		}
	}
	return nil
}

// supPlan is one 督办单 before it is issued.
type supPlan struct {
	p       *plan  // the petition supervised, or
	cp      *cplan // the case
	state   xinfang.SupervisionState
	overdue bool // open past its feedback deadline
	listed  bool
	issuer  *xinfang.User
	answer  *xinfang.User // who writes the feedback
	target  *xinfang.Unit
	from    time.Time // the earliest day it may be issued
	issued  time.Time
	seed    uint64
}

var supStateWeights = []float64{45, 25, 30} // closed, fed back, open

// supervise issues about 30 督办单 (for 800 petitions): on the most overdue
// petitions and on running cases, some 挂牌; with 催办, feedback in time
// or late, and a few still open past their feedback deadline.
func (l *loader) supervise(d dice, plans []*plan, cases []*cplan, n int) error {
	total := max(3, (30*n+400)/800)
	var pets []*sup
	for _, p := range l.openAt(plans, xinfang.StateSigned, xinfang.StateHandling, xinfang.StateReplied) {
		pets = append(pets, &sup{p: p, target: p.unit, answer: p.handler, from: p.reg.Add(20 * day)})
	}
	pets = pets[:min(len(pets), 3*total)]
	d.Shuffle(len(pets), func(i, j int) { pets[i], pets[j] = pets[j], pets[i] })
	var css []*sup
	for _, cp := range cases {
		if !cp.state.Done() && cp.c != nil {
			css = append(css, &sup{cp: cp, target: cp.unit, answer: cp.handler, from: cp.t0.Add(10 * day)})
		}
	}
	// Lagging cases first.
	slices.SortStableFunc(css, func(a, b *sup) int {
		if a.cp.slow != b.cp.slow {
			if a.cp.slow {
				return -1
			}
			return 1
		}
		return 0
	})

	states := []xinfang.SupervisionState{xinfang.SupervisionClosed, xinfang.SupervisionFedBack, xinfang.SupervisionOpen}
	var out []*supPlan
	overdue := true
	for i, k := range allocate(supStateWeights, total) {
		for j := 0; j < k; j++ {
			sp := &supPlan{state: states[i], seed: d.Uint64()}
			if sp.state == xinfang.SupervisionOpen {
				sp.overdue, overdue = overdue, !overdue
			}
			latest := l.end.Add(-map[xinfang.SupervisionState]time.Duration{
				xinfang.SupervisionClosed: 25 * day, xinfang.SupervisionFedBack: 8 * day, xinfang.SupervisionOpen: 2 * day}[sp.state])
			if sp.overdue {
				latest = l.end.Add(-12 * day)
			}
			pools := [][]*sup{pets, css}
			if len(out)%3 == 2 {
				pools = [][]*sup{css, pets}
			}
			var it *sup
			for _, pool := range pools {
				for _, c := range pool {
					if !c.used && !c.from.After(latest) {
						it = c
						break
					}
				}
				if it != nil {
					break
				}
			}
			if it == nil {
				continue // a demo too small for this one
			}
			it.used = true
			sp.p, sp.cp, sp.target, sp.answer, sp.from = it.p, it.cp, it.target, it.answer, it.from
			sp.issued = l.office(d, l.issueTime(d, sp, latest))
			if sp.issued.After(l.end) {
				sp.issued = l.end.Add(-time.Duration(d.between(10, 120)) * time.Minute)
			}
			sp.listed = d.chance(20) || it.p != nil && l.final[it.p.id].Warning == xinfang.WarnSevere && d.chance(30)
			switch {
			case sp.listed && d.chance(50):
				sp.issuer = l.c.leader
			case sp.listed || d.chance(30):
				sp.issuer = l.c.jointHead
			default:
				sp.issuer = l.c.supervisor
			}
			out = append(out, sp)
		}
	}
	// Numbers are per year in order of issue.
	slices.SortStableFunc(out, func(a, b *supPlan) int { return a.issued.Compare(b.issued) })
	for _, sp := range out {
		if err := l.tellSupervision(sp); err != nil {
			return fmt.Errorf("demo 督办单 (%s): %w", sp.state, err)
		}
	}
	return nil
}

// sup is an item that may be supervised.
type sup struct {
	p      *plan
	cp     *cplan
	target *xinfang.Unit
	answer *xinfang.User
	from   time.Time
	used   bool
}

// issueTime is when sp is issued: late enough in the item's life, early
// enough for what happens to it before the end.
func (l *loader) issueTime(d dice, sp *supPlan, latest time.Time) time.Time {
	lo := sp.from
	switch {
	case sp.state == xinfang.SupervisionFedBack:
		lo = maxTime(lo, l.end.Add(-25*day))
	case sp.overdue:
		lo = maxTime(lo, l.end.Add(-40*day))
	case sp.state == xinfang.SupervisionOpen:
		lo = maxTime(lo, l.end.Add(-6*day))
	}
	return within(d, lo, latest)
}

// tellSupervision issues the 督办单 and takes it where its plan says.
func (l *loader) tellSupervision(sp *supPlan) error {
	d := dice{rand.New(rand.NewPCG(sp.seed, 0x4442))}
	var s *xinfang.Supervision
	var now time.Time
	issued := sp.issued
	days := d.between(7, 15)
	if sp.overdue {
		days = d.between(5, 9)
	}
	dl := calendar.DateOf(issued).AddDays(days)
	deadline := dl.Time()
	before := func(t time.Time) bool { return t.Before(l.end.Add(-6 * time.Hour)) }
	evs := []event{{at: issued, by: sp.issuer, run: func(ctx context.Context) error {
		s = &xinfang.Supervision{TargetUnitID: sp.target.ID, Requirements: l.requirements(d, sp, dl), Deadline: dl, Listed: sp.listed}
		if sp.p != nil {
			s.PetitionID = sp.p.id
		} else {
			s.CaseID = sp.cp.c.ID
		}
		return l.db.Supervisions.CreateSupervision(ctx, s)
	}}}
	remind := func(at time.Time) {
		evs = append(evs, event{at: at, by: sp.issuer, run: func(ctx context.Context) error {
			text := "督办单反馈期限将至，请抓紧办理并按时书面反馈。"
			if calendar.DateOf(now).After(dl) {
				text = "该督办单已超过反馈期限，请立即书面反馈办理情况，逾期未反馈将予以通报。"
			}
			_, err := l.db.Supervisions.RemindSupervision(ctx, s.ID, text)
			return err
		}})
	}
	var fed time.Time
	switch sp.state {
	case xinfang.SupervisionOpen:
		if sp.overdue {
			remind(deadline.Add(-time.Duration(d.between(1, 2)) * day))
			if t := deadline.Add(time.Duration(d.between(2, 4)) * day); before(t) {
				remind(t)
			}
		}
	default:
		fed = deadline.Add(time.Duration(d.between(-5, 3))*day + 9*time.Hour)
		fed = maxTime(fed, issued.Add(time.Duration(d.between(1, 3))*day))
		if !before(fed) {
			fed = within(d, issued.Add(2*time.Hour), l.end.Add(-6*time.Hour))
		}
		if d.chance(40) {
			if t := minTime(deadline.Add(-day), fed.Add(-day)); t.After(issued) {
				remind(t)
			}
		}
		evs = append(evs, event{at: fed, by: sp.answer, run: func(ctx context.Context) error {
			_, err := l.db.Supervisions.FeedbackSupervision(ctx, s.ID, l.feedback(d, sp, calendar.DateOf(now)))
			return err
		}})
	}
	if sp.state == xinfang.SupervisionClosed {
		evs = append(evs, event{at: fed.Add(time.Duration(d.between(1, 4)) * day), by: sp.issuer, run: func(ctx context.Context) error {
			_, err := l.db.Supervisions.CloseSupervision(ctx, s.ID, d.pick([]string{"反馈内容属实，措施可行，同意办结。", "经电话回访信访人核实，办理情况属实，办结。", "同意办结，请继续跟踪落实。"}))
			return err
		}})
	}
	return l.run(d, evs, &now)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (l *loader) requirements(d dice, sp *supPlan, dl calendar.Date) string {
	var what string
	if sp.p != nil {
		f := l.final[sp.p.id]
		how := "办理进度缓慢，信访人多次来电催问"
		switch f.Warning {
		case xinfang.WarnSevere:
			how = "已严重超过办理期限"
		case xinfang.WarnOverdue:
			how = "已超过办理期限"
		}
		what = "你单位承办的信访件 " + f.Number + "（" + f.Summary + "）" + how + "。"
	} else {
		what = "信访积案 " + sp.cp.c.Number + "（" + sp.cp.c.Title + "）化解进度滞后，化解方案中有步骤未按期完成。"
	}
	if sp.listed {
		return what + "根据《信访工作条例》第三十九条，对该事项实行挂牌督办。请你单位主要负责人亲自负责，查清事实、依法处理，于 " + dl.String() + " 前书面反馈办理结果。"
	}
	return what + d.pick([]string{
		"请于 " + dl.String() + " 前将办理情况和下一步措施书面反馈。",
		"请抓紧办理，于 " + dl.String() + " 前书面反馈，并做好信访人的解释疏导工作。",
	})
}

func (l *loader) feedback(d dice, sp *supPlan, on calendar.Date) string {
	if sp.cp != nil {
		return "收到督办单后，工作专班已于" + on.String() + "召开专题会议，对滞后步骤逐项倒排时间、压实责任，并报请包案领导" + sp.cp.leader.Name +
			"协调相关部门。目前" + clause(sp.cp.lead.v.fill(sp.cp.lead.variant.explain), 60) + "，预计在化解时限内完成。"
	}
	p := sp.p
	return "收到督办单后，我单位立即组织核查。经查，" + clause(p.v.fill(p.variant.facts), 90) + "。已于" + on.String() + "约见信访人当面沟通，" +
		d.pick([]string{"拟于近期出具书面答复意见", "已出具书面答复意见并送达", "正会同相关部门研究处理办法，将在期限内答复"}) + "。"
}
