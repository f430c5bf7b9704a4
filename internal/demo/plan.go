package demo

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"xinfang"
	"xinfang/internal/calendar"
)

// plan is one petition's story before it is told: what it is about, who
// brings it, where it goes and how it ends.
type plan struct {
	idx        int
	sc         *scenario
	m          *matter
	variant    *variant
	town       *town
	place      *xinfang.Unit
	placeName  string // the village or community without the town
	reg        time.Time
	channel    xinfang.Channel
	registrar  *xinfang.User
	unit       *xinfang.Unit // the unit that handles it
	handler    *xinfang.User
	head       *xinfang.User
	superior   *xinfang.Unit // the body that handed it down
	escalation xinfang.Escalation
	repeatOf   *plan
	repeats    int    // later petitions that repeat this one
	seed       uint64 // of the story's dice
	v          vars
	pt         *xinfang.Petition
	id         int64 // once registered
}

// direct reports whether the handling unit registered the item itself, so
// that nothing is transferred.
func (p *plan) direct() bool { return p.registrar.UnitID == p.unit.ID }

var channelWeights = []struct {
	code   xinfang.Channel
	weight float64
}{
	{xinfang.ChannelOnline, 36}, {xinfang.ChannelLetter, 16}, {xinfang.ChannelCall, 10}, {xinfang.ChannelFax, 2},
	{xinfang.ChannelVisit, 22}, {xinfang.ChannelHandedDown, 8}, {xinfang.ChannelScreening, 6},
}

// allocate splits n over weights by the largest remainder, giving every
// weight at least one when n allows, so that a small demo still shows every
// state and channel.
func allocate(weights []float64, n int) []int {
	counts := make([]int, len(weights))
	if n >= len(weights) {
		for i := range counts {
			counts[i] = 1
		}
		n -= len(weights)
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	rem := make([]float64, len(weights))
	left := n
	for i, w := range weights {
		exact := w / total * float64(n)
		whole := int(math.Floor(exact))
		counts[i] += whole
		left -= whole
		rem[i] = exact - float64(whole)
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rem[a] > rem[b]:
			return -1
		case rem[a] < rem[b]:
			return 1
		}
		return 0
	})
	for k := 0; k < left; k++ {
		counts[order[k%len(order)]]++
	}
	return counts
}

// plan draws n stories, sorted by registration time.
func (l *loader) plan(n int) []*plan {
	weights := make([]float64, len(scenarios))
	for i, s := range scenarios {
		weights[i] = s.weight
	}
	var scs []*scenario
	for i, k := range allocate(weights, n) {
		for j := 0; j < k; j++ {
			scs = append(scs, scenarios[i])
		}
	}
	cw := make([]float64, len(channelWeights))
	for i, c := range channelWeights {
		cw[i] = c.weight
	}
	var chans []xinfang.Channel
	for i, k := range allocate(cw, n) {
		for j := 0; j < k; j++ {
			chans = append(chans, channelWeights[i].code)
		}
	}
	l.Shuffle(len(scs), func(i, j int) { scs[i], scs[j] = scs[j], scs[i] })
	l.Shuffle(len(chans), func(i, j int) { chans[i], chans[j] = chans[j], chans[i] })

	plans := make([]*plan, n)
	for i := range plans {
		p := &plan{idx: i, sc: scs[i], channel: chans[i], seed: l.Uint64()}
		p.m = pickMatter(l.Rand, p.sc.filter)
		l.placeFor(p)
		l.unitFor(p)
		if !p.sc.merge {
			p.reg = l.registration(l.between(p.sc.back[0], p.sc.back[1]))
		}
		l.registrarFor(p)
		plans[i] = p
	}
	l.linkMerges(plans)
	l.linkRepeats(plans)
	slices.SortStableFunc(plans, func(a, b *plan) int { return a.reg.Compare(b.reg) })
	for _, p := range plans {
		l.petition(p)
	}
	return plans
}

// registration returns an office-hours instant days before the end, never
// after it.
func (l *loader) registration(days int) time.Time {
	t := l.daysBeforeEnd(l.dice, days)
	if t.After(l.end) {
		t = l.end.Add(-time.Duration(l.between(10, 120)) * time.Minute)
	}
	return t
}

func (l *loader) placeFor(p *plan) {
	for {
		t := l.c.towns[l.IntN(len(l.c.towns))]
		i := l.IntN(len(t.places))
		community := isCommunity(t.spec.places[i])
		if p.m.where == placeRural && (community || t.street()) || p.m.where == placeUrban && !community {
			continue
		}
		p.town, p.place, p.placeName = t, t.places[i], t.spec.places[i]
		return
	}
}

func (l *loader) unitFor(p *plan) {
	key := l.pick(p.m.units)
	if key == "town" {
		p.unit, p.handler, p.head = p.town.unit, p.town.handler, p.town.head
		return
	}
	p.unit, p.handler, p.head = l.c.units[key], l.c.handlers[key], l.c.heads[key]
}

func (l *loader) bureauRegistrar() *xinfang.User {
	if l.chance(70) {
		return l.c.registrars[0]
	}
	return l.c.registrars[1]
}

func (l *loader) registrarFor(p *plan) {
	switch {
	case p.channel == xinfang.ChannelHandedDown:
		p.registrar = l.bureauRegistrar()
		p.superior = l.c.province
		if l.chance(25) {
			p.superior = l.c.nation
		}
		if l.chance(45) {
			p.escalation = xinfang.EscalationProvince
			if p.superior == l.c.nation {
				p.escalation = xinfang.EscalationBeijing
			}
		}
	case p.sc.townOK && p.unit == p.town.unit && p.town.registrar != nil && (p.channel == xinfang.ChannelScreening || l.chance(45)):
		p.registrar = p.town.registrar
	default:
		p.registrar = l.bureauRegistrar()
	}
}

// linkMerges makes each merged story the repeat of an earlier one, brought
// again within days and merged into it.
func (l *loader) linkMerges(plans []*plan) {
	for _, p := range plans {
		if !p.sc.merge {
			continue
		}
		orig := l.original(plans, p, func(o *plan) bool { return o.reg.Before(l.end.AddDate(0, 0, -3)) })
		if orig == nil {
			// A demo too small to have an earlier item: tell an
			// ordinary story instead.
			p.sc = scenarios[0]
			p.reg = l.registration(l.between(p.sc.back[0], p.sc.back[1]))
			continue
		}
		l.copyMatter(p, orig)
		p.reg = l.office(l.dice, orig.reg.AddDate(0, 0, l.between(1, 20)))
		if p.reg.After(l.end) {
			p.reg = l.end.Add(-time.Duration(l.between(10, 120)) * time.Minute)
		}
		if p.channel == xinfang.ChannelHandedDown || p.channel == xinfang.ChannelScreening {
			p.channel = xinfang.ChannelVisit
		}
		p.superior, p.escalation = nil, xinfang.EscalationNone
	}
}

// linkRepeats makes about one in fourteen stories the repeat of an earlier
// one by the same person on the same matter; a few people come back again
// and again.
func (l *loader) linkRepeats(plans []*plan) {
	var favoured []*plan
	for _, p := range plans {
		if p.sc.merge || p.sc.accusation || !l.chance(7) {
			continue
		}
		ok := func(o *plan) bool {
			return o.reg.Before(p.reg.AddDate(0, 0, -20)) && p.sc.filter(o.m)
		}
		var orig *plan
		if len(favoured) > 0 && l.chance(45) {
			o := favoured[l.IntN(len(favoured))]
			if ok(o) && l.eligible(o) {
				orig = o
			}
		}
		if orig == nil {
			orig = l.original(plans, p, ok)
		}
		if orig == nil {
			continue
		}
		l.copyMatter(p, orig)
		if len(favoured) < 4 && !slices.Contains(favoured, orig) {
			favoured = append(favoured, orig)
		}
	}
}

// eligible reports whether o may be the original of a repeat: not a
// repeat or merged item itself, not an accusation (hidden from the
// registrar who registers the repeat), not terminated (不再受理).
func (l *loader) eligible(o *plan) bool {
	return !o.sc.merge && !o.sc.accusation && o.repeatOf == nil && !o.sc.terminated && !o.m.legal
}

// original returns a random plan o that may be repeated by p, or nil.
func (l *loader) original(plans []*plan, p *plan, ok func(*plan) bool) *plan {
	var cands []*plan
	for _, o := range plans {
		if o != p && l.eligible(o) && !o.sc.merge && ok(o) && !o.reg.IsZero() {
			cands = append(cands, o)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return cands[l.IntN(len(cands))]
}

func (l *loader) copyMatter(p, orig *plan) {
	p.repeatOf = orig
	orig.repeats++
	p.m, p.town, p.place, p.placeName = orig.m, orig.town, orig.place, orig.placeName
	p.unit, p.handler, p.head = orig.unit, orig.handler, orig.head
	p.registrar = l.bureauRegistrar()
}

// petition writes the registration of p: its petitioner, texts and flags.
func (l *loader) petition(p *plan) {
	m := p.m
	pt := &xinfang.Petition{
		Channel: p.channel, Category: m.category, Purpose: m.purpose, Reason: m.reason, System: m.system,
		LocalityID: p.place.ID, LegalCase: m.legal, PersonCount: 1, Escalation: p.escalation,
	}
	if p.superior != nil {
		pt.FirstUnitID = p.superior.ID
	}
	if p.repeatOf != nil {
		o := p.repeatOf
		main := *o.pt.Petitioner
		main.ID = 0
		pt.Petitioner = &main
		pt.PersonCount, pt.InvolvedCount = o.pt.PersonCount, o.pt.InvolvedCount
		for _, c := range o.pt.CoPetitioners {
			cc := *c
			cc.ID = 0
			pt.CoPetitioners = append(pt.CoPetitioners, &cc)
		}
		p.v, p.variant = o.v, o.variant
	} else {
		l.petitioners(p, pt)
	}
	v, vr := p.v, p.variant
	pt.Summary = clip(v.fill(l.pick(vr.summaries)), 200)
	content := vr.content
	if pt.PersonCount >= 5 {
		how := "联名"
		if p.channel == xinfang.ChannelVisit {
			how = "集体来访"
		}
		together := "信访人{姓名}等 " + itoa(pt.PersonCount) + " 人" + how + "反映："
		content = strings.Replace(strings.Replace(content, "信访人{姓名}等反映：", together, 1), "信访人{姓名}反映：", together, 1)
	}
	content = v.fill(content)
	pt.Request = v.fill(vr.request)
	pt.Accused = v.fill(m.accused)
	switch p.channel {
	case xinfang.ChannelScreening:
		content = v.fill("{镇}在矛盾纠纷排查中发现：") + content
	case xinfang.ChannelHandedDown:
		content = "上级信访部门交办：" + content
		if p.escalation != "" {
			content += "信访人已就此事到" + p.superior.Name + "走访反映。"
		}
	}
	if p.repeatOf != nil {
		pt.Summary = clip("再次"+pt.Summary, 200)
		content = "信访人曾于" + calendar.DateOf(p.repeatOf.reg).String() + "就同一问题反映，认为至今未得到解决，现再次反映。" + content
	}
	if l.chance(2) {
		pt.Threat = true
		content += "信访人情绪激动，扬言如问题得不到解决将到省进京上访。"
	}
	pt.Content = content
	pt.Urgent = p.escalation != "" || l.chance(2)
	pt.Hot = pt.PersonCount >= 5 && l.chance(40)
	pt.Public = m.purpose == xinfang.PurposeProposal && l.chance(60)
	switch {
	case p.escalation != "" || pt.Threat:
		pt.RiskLevel, pt.RiskReason = xinfang.RiskHigh, "信访人有越级走访、极端言行倾向，需落实稳控措施"
	case pt.PersonCount >= 5:
		pt.RiskLevel, pt.RiskReason = xinfang.RiskMedium, "群体性诉求，存在聚集风险"
	case l.chance(30):
		pt.RiskLevel = xinfang.RiskLow
	}
	// The petition arrived before it was registered: a letter days before,
	// an online petition overnight, a visit or call minutes before.
	var ahead time.Duration
	switch p.channel {
	case xinfang.ChannelLetter, xinfang.ChannelHandedDown:
		ahead = time.Duration(l.between(2, 60)) * time.Hour
	case xinfang.ChannelOnline, xinfang.ChannelScreening:
		ahead = time.Duration(l.between(10, 900)) * time.Minute
	default:
		ahead = time.Duration(l.between(5, 60)) * time.Minute
	}
	pt.ReceivedAt = p.reg.Add(-ahead)
	if o := p.repeatOf; o != nil && pt.ReceivedAt.Before(o.pt.ReceivedAt) {
		pt.ReceivedAt = p.reg // a repeat is never older than what it repeats
	}
	p.pt = pt
}

// petitioners fills the petitioners, head-counts and story details of an
// original petition.
func (l *loader) petitioners(p *plan, pt *xinfang.Petition) {
	m := p.m
	address := p.town.spec.name + p.placeName
	if isCommunity(p.placeName) {
		address += l.pick(compounds) + itoa(l.between(1, 18)) + "栋" + itoa(l.between(1, 4)) + "单元" + itoa(l.between(1, 18)) + "0" + itoa(l.between(1, 4)) + "室"
	} else {
		address += itoa(l.between(1, 9)) + "组" + itoa(l.between(1, 60)) + "号"
	}
	switch {
	case m.purpose == xinfang.PurposeAccusation && l.chance(35):
		pt.Anonymous = true
		pt.Petitioner = &xinfang.Petitioner{Name: "匿名"}
	case l.chance(m.org):
		name := strings.ReplaceAll(m.orgName, "{字号}", l.pick(companyWords))
		name = strings.ReplaceAll(name, "{镇}", p.town.spec.name)
		pt.Petitioner = l.pp.organisation(name, m.orgKind, address)
	default:
		pt.Petitioner = l.pp.person(p.reg, address, l.chance(m.migrant))
	}
	p.variant = &m.variants[l.IntN(len(m.variants))]
	if pt.Petitioner.Org {
		p.variant = &m.orgVariant
	}
	involved := 1
	if l.chance(m.group) {
		pt.PersonCount = 5 + l.IntN(6)
		if l.chance(30) {
			pt.PersonCount += l.IntN(30)
		}
		for k := l.between(2, 4); k > 0; k-- {
			pt.CoPetitioners = append(pt.CoPetitioners, l.pp.person(p.reg, address, l.chance(m.migrant)))
		}
		involved = pt.PersonCount * l.between(1, 4)
	} else if !pt.Anonymous && !pt.Petitioner.Org && l.chance(8) {
		pt.PersonCount = 2
		pt.CoPetitioners = append(pt.CoPetitioners, l.pp.person(p.reg, address, false))
		involved = 2
	}
	if strings.Contains(p.variant.content, "{人数}") {
		// The story speaks of many people concerned (涉及人数).
		involved = max(involved, l.between(6, 60))
	}
	pt.InvolvedCount = involved
	p.v = newVars(l.Rand, l.pp, p.town, p.placeName, pt.Petitioner.Name, p.reg, involved)
	if p.repeats >= 2 && !pt.Petitioner.Org && !pt.Anonymous {
		pt.Petitioner.KeyPerson, pt.Petitioner.KeyReason = true, "同一事项多次重复信访"
	}
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}
