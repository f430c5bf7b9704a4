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

// Backlog cases (信访积案): about 119 over the demo's three years (the seed
// city's number), each grouping related demo petitions — the repeats of
// one matter, a handed-down item, a group visit, a village's shared
// grievance — or handed down with no petition of the city at all. Each is
// told through the storage methods the pages use, at the time of each
// step, so that the closure rule, versions and histories are the real ones.

const day = 24 * time.Hour

// caseStateWeights: the seed city resolved all its cases; the demo keeps a
// share still being resolved and a few just filed.
var caseStateWeights = []struct {
	state  xinfang.CaseState
	weight float64
}{
	{xinfang.CaseClosed, 58}, {xinfang.CaseResolved, 20}, {xinfang.CaseResolving, 18}, {xinfang.CaseUnresolved, 4},
}

// caseCount scales the seed city's 119 cases to the number of petitions,
// with at least one case in every state.
func caseCount(petitions int) int {
	return max(len(caseStateWeights), (petitions*119+400)/800)
}

// cplan is one case before it is told.
type cplan struct {
	state   xinfang.CaseState
	source  xinfang.CaseSource
	items   []*plan // linked petitions, in order of registration
	lead    *plan   // whose matter and people the case is about; made up when items is empty
	unit    *xinfang.Unit
	handler *xinfang.User
	head    *xinfang.User
	leader  *xinfang.User
	creator *xinfang.User
	latest  time.Time // latest registration of the items
	t0      time.Time // filed
	tR      time.Time // resolved (已化解), for the states that reach it
	period  int       // days from filing to the 化解时限
	slow    bool      // a running case whose plan falls behind
	seed    uint64
	c       *xinfang.Case
	// outcome of the matter: support, explain or terminate.
	outcome string
}

// group is a set of related petitions that may become one case.
type group struct {
	items  []*plan
	source xinfang.CaseSource
	class  int // preference: 0 the typical backlog matters first
	latest time.Time
}

// backlog plans and tells the cases, then the tasks, instructions and
// supervision that rest on them and on the petitions.
func (l *loader) backlog(plans []*plan, opt Options) error {
	if err := l.loadFinal(); err != nil {
		return err
	}
	d := dice{rand.New(rand.NewPCG(uint64(opt.Seed), 0x4a41_4341_5345))}
	cases := l.planCases(d, plans, caseCount(opt.Petitions))
	for _, cp := range cases {
		if err := l.tellCase(cp); err != nil {
			return fmt.Errorf("demo case %s (%s, %s): %w", cp.state, cp.source, cp.lead.m.key, err)
		}
	}
	if err := l.petitionTasks(d, plans, opt.Petitions); err != nil {
		return err
	}
	if err := l.petitionInstructions(d, plans, opt.Petitions); err != nil {
		return err
	}
	if err := l.supervise(d, plans, cases, opt.Petitions); err != nil {
		return err
	}
	return l.discipline(d, plans, cases, opt.Petitions)
}

// loadFinal reads every petition as stored at the end, for the states and
// numbers the stories left.
func (l *loader) loadFinal() error {
	end := l.end
	l.db.Now = func() time.Time { return end }
	ctx := l.asUser(l.c.inspector)
	l.final = map[int64]*xinfang.Petition{}
	f := xinfang.PetitionFilter{Limit: 500, Sort: "number"}
	for {
		page, total, err := l.db.Petitions.FindPetitions(ctx, f)
		if err != nil {
			return fmt.Errorf("demo: read petitions: %w", err)
		}
		for _, p := range page {
			l.final[p.ID] = p
		}
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			return nil
		}
	}
}

// caseable reports whether a petition may become part of a backlog case:
// a claim by a named petitioner (a proposal is no grievance, an
// accusation is the 纪委's).
func caseable(p *plan) bool {
	return p.m.purpose == xinfang.PurposeClaim && !p.pt.Anonymous && p.id != 0
}

// longStory reports whether a petition's story ran long: reviews, a
// termination, or handling far past its time.
func longStory(p *plan) bool {
	switch p.sc.name {
	case "concluded_review", "terminated_rereview", "terminated_legal", "reviewing", "reviewed", "rereviewing", "handling_severe", "handling_extended":
		return true
	}
	return false
}

func superiorSource(l *loader, p *plan) xinfang.CaseSource {
	if p.superior == l.c.nation {
		return xinfang.CaseSourceCentral
	}
	return xinfang.CaseSourceProvince
}

// groups collects the candidate groups in the order of the plans.
func (l *loader) groups(plans []*plan) []*group {
	used := map[*plan]bool{}
	var out []*group
	add := func(g *group) {
		for _, p := range g.items {
			used[p] = true
			if p.reg.After(g.latest) {
				g.latest = p.reg
			}
		}
		out = append(out, g)
	}
	// A matter brought again and again: the original and its repeats.
	for _, o := range plans {
		if o.repeats == 0 || o.repeatOf != nil || !caseable(o) {
			continue
		}
		g := &group{items: []*plan{o}}
		for _, p := range plans {
			if p.repeatOf == o && p.id != 0 {
				g.items = append(g.items, p)
			}
		}
		switch {
		case len(g.items) >= 3:
			g.source = xinfang.CaseSourceRepeat
		case o.superior != nil:
			g.source = superiorSource(l, o)
		default:
			g.source = xinfang.CaseSourceSelf
		}
		add(g)
	}
	// Handed down from above.
	for _, p := range plans {
		if !used[p] && caseable(p) && p.superior != nil {
			add(&group{items: []*plan{p}, source: superiorSource(l, p)})
		}
	}
	// One village's shared grievance, brought by several people.
	type key struct {
		matter string
		place  int64
	}
	byKey := map[key][]*plan{}
	var keys []key
	for _, p := range plans {
		if used[p] || !caseable(p) || p.repeatOf != nil {
			continue
		}
		k := key{p.m.key, p.place.ID}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], p)
	}
	for _, k := range keys {
		if ps := byKey[k]; len(ps) >= 2 {
			add(&group{items: ps[:min(len(ps), 4)], source: xinfang.CaseSourceCity})
		}
	}
	// Group visits and what the towns' screening found.
	for _, p := range plans {
		if !used[p] && caseable(p) && (p.pt.PersonCount >= 5 || p.channel == xinfang.ChannelScreening) {
			add(&group{items: []*plan{p}, source: xinfang.CaseSourceCity})
		}
	}
	for _, p := range plans {
		if !used[p] && caseable(p) && longStory(p) {
			add(&group{items: []*plan{p}, source: xinfang.CaseSourceSelf, class: 1})
		}
	}
	for _, p := range plans {
		if !used[p] && caseable(p) && p.repeatOf == nil {
			add(&group{items: []*plan{p}, source: xinfang.CaseSourceSelf, class: 2})
		}
	}
	return out
}

// settled reports whether the petitions of g are where a resolved case
// may leave them: answered or closed.
func (l *loader) settled(g *group) bool {
	for _, p := range g.items {
		f := l.final[p.id]
		if f == nil || !(f.State.Closed() || f.State == xinfang.StateReplied || f.State == xinfang.StateReviewed) {
			return false
		}
	}
	return true
}

// earliest is the first day a case may be filed on: a week after its
// latest petition, and not before the demo's first month.
func (l *loader) earliest(latest time.Time) time.Time {
	first := l.end.AddDate(-3, 0, 40)
	if t := latest.Add(7 * day); t.After(first) {
		return t
	}
	return first
}

// feasible reports whether g can become a case in state st in the time
// the demo has.
// A slow case is filed at least 70 days before the end, so that its plan
// has steps due.
func (l *loader) feasible(g *group, st xinfang.CaseState, slow bool) bool {
	lo := l.earliest(g.latest)
	if slow {
		return !lo.After(l.end.Add(-70 * day))
	}
	switch st {
	case xinfang.CaseClosed:
		return !lo.After(l.end.Add(-85*day)) && l.settled(g)
	case xinfang.CaseResolved:
		return !lo.After(l.end.Add(-66*day)) && l.settled(g)
	case xinfang.CaseResolving:
		return !lo.After(l.end.Add(-25 * day))
	}
	return !g.latest.After(l.end.Add(-5 * day))
}

// planCases picks n groups over the states and sources, times each case
// and names its people.
func (l *loader) planCases(d dice, plans []*plan, n int) []*cplan {
	groups := l.groups(plans)
	taken := make([]bool, len(groups))
	picked := map[xinfang.CaseSource]int{}
	w := make([]float64, len(caseStateWeights))
	for i, s := range caseStateWeights {
		w[i] = s.weight
	}
	counts := allocate(w, n)
	var out []*cplan
	// The running cases choose first, among petitions of any age, so that
	// some of them have run long; the resolved ones then take the older
	// matters that are settled.
	for _, i := range []int{2, 3, 0, 1} {
		st := caseStateWeights[i].state
		for j := 0; j < counts[i]; j++ {
			cp := &cplan{state: st, seed: d.Uint64()}
			// The first running case is behind its plan, so that there is
			// always something late.
			cp.slow = st == xinfang.CaseResolving && j == 0
			if gi := l.pickGroup(d, groups, taken, picked, st, cp.slow); gi >= 0 {
				g := groups[gi]
				taken[gi] = true
				cp.items, cp.source, cp.lead, cp.latest = g.items, g.source, g.items[0], g.latest
			} else {
				l.madeUp(d, cp)
			}
			picked[cp.source]++
			out = append(out, cp)
		}
	}
	for _, cp := range out {
		l.timeCase(d, cp)
	}
	slices.SortStableFunc(out, func(a, b *cplan) int { return a.t0.Compare(b.t0) })
	// The leaders take cases in turn; the city's "leader" account, the
	// one printed at start, takes one in four, so that 我包的案 shows well.
	order := slices.Clone(l.c.leaders)
	order = slices.Insert(order, len(order)/2+1, l.c.leaders[0])
	for i, cp := range out {
		cp.leader = order[i%len(order)]
		if cp.state == xinfang.CaseResolving && l.end.Sub(cp.t0) > 60*day && d.chance(40) {
			cp.slow = true // others fall behind too
		}
		l.castCase(d, cp)
	}
	return out
}

// pickGroup returns a free group feasible for st: of the most typical
// class available, from the source picked least so far; -1 if none.
func (l *loader) pickGroup(d dice, groups []*group, taken []bool, picked map[xinfang.CaseSource]int, st xinfang.CaseState, slow bool) int {
	best := 3
	for i, g := range groups {
		if !taken[i] && g.class < best && l.feasible(g, st, slow) {
			best = g.class
		}
	}
	if best == 3 {
		return -1
	}
	var src xinfang.CaseSource
	for _, s := range xinfang.CaseSources {
		for i, g := range groups {
			if code := xinfang.CaseSource(s.Code); !taken[i] && g.class == best && g.source == code && l.feasible(g, st, slow) {
				if src == "" || picked[code] < picked[src] {
					src = code
				}
				break
			}
		}
	}
	var cands []int
	for i, g := range groups {
		if !taken[i] && g.class == best && g.source == src && l.feasible(g, st, slow) {
			cands = append(cands, i)
		}
	}
	return cands[d.IntN(len(cands))]
}

// madeUp gives cp a matter handed down from above with no petition of the
// demo: its people and story are drawn as for a petition.
func (l *loader) madeUp(d dice, cp *cplan) {
	sub := *l
	sub.dice = d
	p := &plan{sc: scenarios[0], channel: xinfang.ChannelHandedDown}
	p.m = pickMatter(d.Rand, func(m *matter) bool { return m.purpose == xinfang.PurposeClaim && !m.legal })
	sub.placeFor(p)
	sub.unitFor(p)
	p.reg = l.end.AddDate(0, 0, -d.between(60, 3*365-60))
	pt := &xinfang.Petition{PersonCount: 1}
	for {
		sub.petitioners(p, pt)
		if !pt.Anonymous {
			break
		}
		pt.Petitioner, pt.CoPetitioners, pt.PersonCount = nil, nil, 1
	}
	pt.Summary = clip(p.v.fill(d.pick(p.variant.summaries)), 200)
	pt.Content = p.v.fill(p.variant.content)
	p.pt = pt
	cp.lead = p
	cp.source = xinfang.CaseSourceProvince
	if d.chance(35) {
		cp.source = xinfang.CaseSourceCentral
	}
}

// timeCase sets when the case is filed and, for those that get there,
// resolved.
func (l *loader) timeCase(d dice, cp *cplan) {
	lo := l.earliest(cp.latest)
	end := l.end
	between := func(a, b time.Time) time.Time {
		if !b.After(a) {
			return a
		}
		return a.Add(time.Duration(d.Int64N(int64(b.Sub(a)))))
	}
	cp.period = []int{90, 120, 120, 180, 180, 365}[d.IntN(6)]
	switch cp.state {
	case xinfang.CaseClosed:
		cp.t0 = between(lo, end.Add(-85*day))
		most := min(end.Add(-25*day).Sub(cp.t0)/day, 360)
		cp.tR = cp.t0.Add(time.Duration(d.between(60, int(most))) * day)
	case xinfang.CaseResolved:
		cp.tR = between(maxTime(end.Add(-50*day), lo.Add(60*day)), end.Add(-4*day))
		most := min(cp.tR.Sub(lo)/day, 300)
		cp.t0 = cp.tR.Add(-time.Duration(d.between(60, int(most))) * day)
	case xinfang.CaseResolving:
		last := end.Add(-25 * day)
		if cp.slow {
			last = end.Add(-70 * day)
		}
		cp.t0 = between(maxTime(lo, end.Add(-420*day)), last)
	default:
		cp.t0 = between(maxTime(cp.latest.Add(3*day), end.Add(-40*day)), end.Add(-2*day))
	}
	if !cp.state.Done() && end.Sub(cp.t0) > time.Duration(cp.period)*day && d.chance(30) {
		// A hard case still open after so long was often given a year.
		cp.period = 365
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// castCase names the responsible unit and the people of a case, and how
// its matter ends.
func (l *loader) castCase(d dice, cp *cplan) {
	p := cp.lead
	cp.unit, cp.handler, cp.head = p.unit, p.handler, p.head
	cp.creator = cp.head
	switch {
	case cp.source != xinfang.CaseSourceSelf && cp.source != xinfang.CaseSourceRepeat:
		// The 联席办 files what came from above or from the city's screening.
		cp.creator = l.c.jointHead
	default:
		for _, it := range cp.items {
			f := l.final[it.id]
			if f == nil || (f.HandlingUnitID != cp.unit.ID && f.RegUnitID != cp.unit.ID) {
				cp.creator = l.c.jointHead
			}
		}
	}
	switch n := d.IntN(100); {
	case p.m.legal && n < 60, !p.m.legal && n < 18:
		cp.outcome = "terminate"
	case n < 75:
		cp.outcome = "support"
	default:
		cp.outcome = "explain"
	}
}

// event is one step of a case's story, taken as by at its time.
type event struct {
	at  time.Time
	by  *xinfang.User
	run func(ctx context.Context) error
}

// tale is the story of one case.
type tale struct {
	dice
	l   *loader
	cp  *cplan
	evs []event
	now time.Time // the time of the event being taken
}

func (s *tale) add(at time.Time, by *xinfang.User, run func(ctx context.Context) error) {
	s.evs = append(s.evs, event{at: at, by: by, run: run})
}

// change adds a step that changes the case at the version it has then.
func (s *tale) change(at time.Time, by *xinfang.User, fn func(ctx context.Context, id int64, version int) (*xinfang.Case, error)) {
	s.add(at, by, func(ctx context.Context) error {
		c, err := fn(ctx, s.cp.c.ID, s.cp.c.Version)
		if err == nil {
			s.cp.c = c
		}
		return err
	})
}

// today is the date of the event being taken.
func (s *tale) today() calendar.Date { return calendar.DateOf(s.now) }

// at is the instant frac of the way from the filing over days.
func (s *tale) at(frac float64, days float64) time.Time {
	return s.cp.t0.Add(time.Duration(frac * days * float64(day)))
}

// run takes the events in order of time, each in office hours, never
// after the end: a step moved past the end is taken just before it.
func (l *loader) run(d dice, evs []event, now *time.Time) error {
	slices.SortStableFunc(evs, func(a, b event) int { return a.at.Compare(b.at) })
	var prev time.Time
	for _, e := range evs {
		t := l.office(d, e.at)
		if !t.After(prev) {
			t = l.office(d, prev.Add(time.Duration(d.between(5, 40))*time.Minute))
		}
		if t.After(l.end) {
			t = l.officeBefore(d, l.end.Add(-time.Duration(d.between(10, 120))*time.Minute))
			if !t.After(prev) {
				t = prev.Add(l.end.Sub(prev) / 2)
			}
		}
		prev = t
		*now = t
		l.db.Now = func() time.Time { return t }
		if err := e.run(l.asUser(e.by)); err != nil {
			return fmt.Errorf("by %s on %s: %w", e.by.Username, calendar.DateOf(t), err)
		}
	}
	return nil
}

// officeBefore returns the last office-hours instant at or before t.
func (l *loader) officeBefore(d dice, t time.Time) time.Time {
	loc := calendar.Location()
	t = t.In(loc)
	day := calendar.DateOf(t)
	open := time.Date(t.Year(), t.Month(), t.Day(), 8, 30, 0, 0, loc)
	closing := time.Date(t.Year(), t.Month(), t.Day(), 17, 30, 0, 0, loc)
	if l.cal.IsWorkday(day) && !t.Before(open) && t.Before(closing) {
		return t
	}
	if !l.cal.IsWorkday(day) || t.Before(open) {
		day = day.AddDays(-1)
		for !l.cal.IsWorkday(day) {
			day = day.AddDays(-1)
		}
	}
	return time.Date(day.Year, day.Month, day.Day, 17, 30, 0, 0, loc).Add(-time.Duration(d.between(5, 180)) * time.Minute)
}

func (l *loader) tellCase(cp *cplan) error {
	s := &tale{dice: dice{rand.New(rand.NewPCG(cp.seed, 0x4341))}, l: l, cp: cp}
	s.plot()
	return l.run(s.dice, s.evs, &s.now)
}

// plot lays out the events of the case.
func (s *tale) plot() {
	cp, l := s.cp, s.l
	txt := newCaseText(s, cp)
	ids := make([]int64, len(cp.items))
	for i, p := range cp.items {
		ids[i] = p.id
	}
	deadline := calendar.DateOf(cp.t0).AddDays(cp.period)
	consult := cp.state != xinfang.CaseUnresolved && s.chance(85) || cp.state == xinfang.CaseUnresolved && s.chance(30)
	tags := []xinfang.CaseTag{xinfang.CaseTagTrace}
	if consult {
		tags = append(tags, xinfang.CaseTagConsult)
	}
	if s.chance(50) {
		tags = append(tags, xinfang.CaseTagBase)
	}
	if cp.lead.m.legal || cp.lead.pt.RiskLevel == xinfang.RiskHigh || s.chance(25) {
		tags = append(tags, xinfang.CaseTagSpecial)
	}
	if s.chance(40) {
		tags = append(tags, xinfang.CaseTagDuty)
	}
	s.add(cp.t0, cp.creator, func(ctx context.Context) error {
		c := &xinfang.Case{
			Title: txt.title(), Source: cp.source, Summary: txt.summary(), Petitioners: txt.petitioners(),
			ResponsibleUnitID: cp.unit.ID, LeaderID: cp.leader.ID, PetitionIDs: ids,
			StabilityPlan: txt.stability(), Deadline: deadline, Tags: tags,
		}
		if err := l.db.Cases.CreateCase(ctx, c); err != nil {
			return err
		}
		cp.c = c
		return nil
	})
	team := txt.team()
	worker := cp.head // who keeps the records: the head of a case filed by his unit
	if cp.creator != cp.head {
		worker = cp.handler
	}
	teamAt := s.at(1+s.Float64()*3, 1)
	s.change(teamAt, cp.creator, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
		return l.db.Cases.SetCaseTeam(ctx, id, v, team)
	})
	if s.chance(40) {
		s.add(s.at(2+s.Float64()*8, 1), cp.leader, func(ctx context.Context) error {
			_, err := l.db.Cases.AddInstruction(ctx, &xinfang.Instruction{CaseID: cp.c.ID, Text: txt.instruction(false), ToUnits: []int64{cp.unit.ID}})
			return err
		})
	}

	// The reference length of the story: until resolved, or the plan's
	// period for a case still running.
	span := float64(cp.period)
	if cp.state.Done() {
		span = cp.tR.Sub(cp.t0).Hours() / 24
	}
	left := s.l.end.Sub(cp.t0).Hours() / 24 // days from filing to the end
	before := func(t time.Time) bool { return t.Before(s.l.end.Add(-6 * time.Hour)) }

	if consult && (cp.state.Done() || before(s.at(0.05, span))) {
		s.change(s.at(0.05, span), cp.handler, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
			return l.db.Cases.AddConsultation(ctx, id, v, txt.consultation(s.today(), false))
		})
	}
	if cp.state == xinfang.CaseUnresolved {
		if s.chance(60) {
			s.change(maxTime(s.at(min(3+s.Float64()*10, left*0.8), 1), teamAt.Add(time.Hour)), worker, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
				return l.db.Cases.AddProgress(ctx, id, v, &xinfang.ProgressReport{Text: txt.progress(0)})
			})
		}
		return
	}

	// The plan: its steps drawn up after the first consultation.
	steps := txt.steps(consult)
	k := len(steps)
	for i, st := range steps {
		frac := 0.12 + 0.83*float64(i)/float64(k-1)
		st.Deadline = calendar.DateOf(cp.t0).AddDays(int(frac * float64(cp.period)))
		s.change(s.at(0.08, span).Add(time.Duration(i)*time.Minute), worker, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
			return l.db.Cases.SaveCaseStep(ctx, id, v, st)
		})
	}
	// Each step is done in turn: spread until the resolution, or at its
	// deadline give or take for a running case; a slow case leaves the
	// steps from its first one due before the end undone, so they are late.
	added := s.at(0.08, span)
	stop := k - 1 // the follow-up visit of a running case waits
	if cp.slow {
		for i, st := range steps[:k-1] {
			if st.Deadline.Before(calendar.DateOf(s.l.end).AddDays(-1)) {
				stop = i
			}
		}
	}
	for i, st := range steps {
		var t time.Time
		if cp.state.Done() {
			t = s.at((0.1+0.85*float64(i+1)/float64(k))*(0.97+s.Float64()*0.03), span)
		} else {
			if i >= stop {
				break
			}
			dl := st.Deadline
			t = cp.t0.Add(time.Duration(float64(dl.Time().Sub(cp.t0)) * (0.55 + s.Float64()*0.5)))
			t = maxTime(t, added.Add(time.Duration(s.between(1, 5))*day))
			if !before(t) {
				break // the rest waits
			}
		}
		by := cp.handler
		if st.OwnerID == cp.head.ID {
			by = cp.head
		}
		s.change(t, by, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
			done := *st
			done.DoneOn = s.today()
			return l.db.Cases.SaveCaseStep(ctx, id, v, &done)
		})
	}
	if consult && s.chance(35) && (cp.state.Done() || before(s.at(0.5, span))) {
		s.change(s.at(0.5, span), cp.handler, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
			return l.db.Cases.AddConsultation(ctx, id, v, txt.consultation(s.today(), true))
		})
	}
	for i, frac := range []float64{0.3, 0.7} {
		if t := s.at(frac+s.Float64()*0.05, span); cp.state.Done() || before(t) {
			s.change(t, worker, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
				return l.db.Cases.AddProgress(ctx, id, v, &xinfang.ProgressReport{Text: txt.progress(i + 1)})
			})
		}
	}
	if !cp.state.Done() {
		t := s.l.end.Add(-time.Duration(s.between(3, 15)) * day)
		if t.After(s.at(0.75, span)) {
			s.change(t, worker, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
				return l.db.Cases.AddProgress(ctx, id, v, &xinfang.ProgressReport{Text: txt.progress(3)})
			})
		}
		if cp.slow || s.chance(25) {
			t := s.l.end.Add(-time.Duration(s.between(2, 20)) * day)
			if t.After(cp.t0.Add(5 * day)) {
				s.add(t, cp.leader, func(ctx context.Context) error {
					_, err := l.db.Cases.AddInstruction(ctx, &xinfang.Instruction{CaseID: cp.c.ID, Text: txt.instruction(true), ToUnits: []int64{cp.unit.ID}})
					return err
				})
			}
		}
	}
	if s.chance(40) || cp.slow {
		s.tasks(txt, span, before)
	}
	if !cp.state.Done() {
		return
	}

	// 已化解: the resolution record with its follow-up visit, then the
	// verification; 销号 after the leader's signature.
	s.change(cp.tR.Add(-time.Duration(s.between(20, 40))*time.Hour), cp.handler, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
		return l.db.Cases.SetResolution(ctx, id, v, txt.resolution(s.today()))
	})
	s.change(cp.tR, worker, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
		return l.db.Cases.ActCase(ctx, id, v, xinfang.CaseActResolve, "经工作专班核查，案件已达到化解标准，申请认定已化解。")
	})
	sign := cp.tR.Add(time.Duration(s.between(2, 8)) * day)
	if cp.state == xinfang.CaseResolved && (!s.chance(40) || !before(sign)) {
		return
	}
	s.change(sign, cp.leader, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
		return l.db.Cases.SignOffCase(ctx, id, v, txt.signNote())
	})
	if cp.state == xinfang.CaseClosed {
		s.change(sign.Add(time.Duration(s.between(1, 5))*day), l.c.jointHead, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
			return l.db.Cases.ActCase(ctx, id, v, xinfang.CaseActClose, "经联席办审核，化解材料齐全，包案领导已签字确认，予以销号。")
		})
	}
}

// tasks splits the case under 三跨三分离: each task done or released before
// a case is resolved; in a running case some stay open, some late.
func (s *tale) tasks(txt *caseText, span float64, before func(time.Time) bool) {
	cp, l := s.cp, s.l
	list := txt.tasks()
	added := s.at(0.15+s.Float64()*0.05, span)
	if !before(added) {
		return
	}
	for i, t := range list {
		t.Deadline = calendar.DateOf(added).AddDays(s.between(20, 60))
		s.change(added.Add(time.Duration(i)*time.Minute), cp.handler, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
			return l.db.Cases.AddCaseTask(ctx, id, v, t)
		})
		var when time.Time
		release := s.chance(22)
		switch {
		case cp.state.Done():
			when = s.at(0.4+s.Float64()*0.45, span)
		case cp.slow && i == 0, s.chance(45):
			continue // still open
		default:
			dl := t.Deadline
			when = added.Add(time.Duration(float64(dl.Time().Sub(added)) * (0.5 + s.Float64()*0.6)))
			if !before(when) {
				continue
			}
		}
		ch := xinfang.TaskChange{State: xinfang.TaskDone, Note: txt.doneNote(t)}
		if release {
			ch = xinfang.TaskChange{State: xinfang.TaskReleased, Reason: txt.releaseReason(t)}
		}
		s.change(when, cp.handler, func(ctx context.Context, id int64, v int) (*xinfang.Case, error) {
			return l.db.Cases.ChangeCaseTask(ctx, id, v, t.ID, ch)
		})
	}
}

// personName draws a name for a person without an account.
func personName(d dice) string {
	if d.chance(70) {
		return d.pick(surnames) + d.pick(maleNames)
	}
	return d.pick(surnames) + d.pick(femaleNames)
}

// leaderTitle is the office of a leader, for the texts.
func (l *loader) leaderTitle(u *xinfang.User) string {
	switch u.Username {
	case "leader":
		return "市委常委、常务副市长"
	case "leader2":
		return "市信访工作联席会议办公室主任"
	}
	for _, c := range caseLeaders {
		if c.username == u.Username {
			return c.title
		}
	}
	return "市领导"
}

// clause returns the first clause of s (up to the first full stop or
// semicolon), at most n characters.
func clause(s string, n int) string {
	if i := strings.IndexAny(s, "。；"); i > 0 {
		s = s[:i]
	}
	return clip(s, n)
}
