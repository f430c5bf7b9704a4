package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// Mediation in the demo: a team of mediators in every town (五老人员、社区
// 干部、网格员、志愿者; the account "mediator" in 城东街道's), and about
// forty mediations of the last year on village and community items:
// agreements fulfilled, agreements whose fulfilment day has passed (they
// warn), agreements still running, failures and open ones; a few
// agreements conclude an item still being handled (调解结案).

var mediatorKinds = []xinfang.MediatorKind{"elder", "cadre", "grid", "volunteer"}

func (l *loader) mediations(plans []*plan, petitions int) error {
	d := dice{rand.New(rand.NewPCG(2026, 0x4d45_4449))}
	ctx := l.asUser(l.c.jointHead)
	l.db.Now = func() time.Time { return l.end.AddDate(-1, 0, 0) }
	teams := map[int64][]*xinfang.Mediator{}
	for _, t := range l.c.towns {
		for i := 0; i < 3; i++ {
			m := &xinfang.Mediator{Name: d.pick(surnames) + d.pick(maleNames[:20]), Kind: mediatorKinds[i%len(mediatorKinds)], UnitID: t.unit.ID,
				Phone: fmt.Sprintf("137%08d", d.IntN(100000000)), Available: true}
			if len(t.places) > 0 && i > 0 {
				m.UnitID = oneOf(d, t.places).ID
			}
			if t.spec.key == "cd" && i == 0 {
				u := l.c.users["mediator"]
				m.Name, m.UserID = u.Name, u.ID
			}
			if err := l.db.Mediations.SaveMediator(ctx, m); err != nil {
				return fmt.Errorf("mediator: %w", err)
			}
			teams[t.unit.ID] = append(teams[t.unit.ID], m)
		}
	}
	var cands []*plan
	for _, p := range plans {
		if f := l.final[p.id]; f != nil && p.place.Kind == xinfang.UnitVillage && p.m.purpose != xinfang.PurposeAccusation && !p.m.legal {
			cands = append(cands, p)
		}
	}
	want := max(5, 40*petitions/800)
	concluded := 0
	for i, p := range cands {
		if i >= want {
			break
		}
		f := l.final[p.id]
		team := teams[p.town.unit.ID]
		start := l.daysBeforeEnd(d, d.between(5, 330))
		if reg := p.reg.Add(day); start.Before(reg) {
			start = l.office(d, reg)
		}
		if start.After(l.end) {
			continue
		}
		l.db.Now = func() time.Time { return start }
		m := &xinfang.Mediation{PetitionID: p.id, UnitID: p.place.ID, Dispute: p.pt.Summary, StartedOn: calendar.DateOf(start),
			Parties: "信访人：" + petitionerName(f) + "\n对方当事人：相关单位或个人", Mediators: []xinfang.MediationMediator{{MediatorID: team[0].ID}, {MediatorID: oneOf(d, team[1:]).ID}}}
		if err := l.db.Mediations.CreateMediation(ctx, m); err != nil {
			return fmt.Errorf("mediation on %d: %w", p.id, err)
		}
		held := start.Add(time.Duration(d.between(1, 6)) * day)
		if held.After(l.end) {
			continue
		}
		l.db.Now = func() time.Time { return held }
		var err error
		if m, err = l.db.Mediations.AddMediationSession(ctx, m.ID, m.Version, xinfang.MediationSession{HeldOn: calendar.DateOf(held), Place: p.place.Name + "调解室",
			Summary: "调解员分别听取双方陈述，宣讲有关政策法规，双方就解决方案交换意见。"}); err != nil {
			return err
		}
		r := d.IntN(100)
		if r < 15 {
			continue // still being mediated
		}
		o := xinfang.MediationOutcome{Version: m.Version, Result: xinfang.MediationAgreed, AgreedOn: calendar.DateOf(held),
			Agreement: "经调解，双方自愿达成如下协议：一、对方当事人于履行期限内解决信访人反映的问题；二、信访人不再就同一事项信访；三、双方互不追究其他责任。",
			FulfilBy:  calendar.DateOf(held).AddDays(d.between(10, 45))}
		if r < 30 {
			o = xinfang.MediationOutcome{Version: m.Version, Result: xinfang.MediationFailed, FailReason: "双方分歧较大，信访人坚持原诉求，调解不成，告知其通过法定途径解决。"}
		} else if f.State == xinfang.StateHandling && concluded < 3 && f.UpdatedAt.Before(held) {
			o.Conclude = true
		}
		act := l.asUser(l.c.jointHead)
		if o.Conclude {
			act = l.asUser(p.handler)
		}
		got, err := l.db.Mediations.RecordMediationOutcome(act, m.ID, o)
		if err != nil && o.Conclude {
			// The item's handler may have moved on; record the agreement alone.
			o.Conclude = false
			got, err = l.db.Mediations.RecordMediationOutcome(ctx, m.ID, o)
		}
		if err != nil {
			return fmt.Errorf("mediation outcome on %d: %w", p.id, err)
		}
		m = got
		if o.Conclude {
			concluded++
		}
		if o.Result == xinfang.MediationAgreed && d.chance(60) {
			on := o.FulfilBy.AddDays(-d.between(0, 8))
			if t := on.Time(); t.Before(l.end) && !on.Before(o.AgreedOn) {
				l.db.Now = func() time.Time { return l.end }
				if _, err := l.db.Mediations.RecordFulfilment(ctx, m.ID, m.Version, on); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func petitionerName(p *xinfang.Petition) string {
	if p.Petitioner != nil && p.Petitioner.Name != "" {
		return p.Petitioner.Name
	}
	return "（匿名）"
}
