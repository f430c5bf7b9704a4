package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// Judicial aid in the demo: about ten applications on 涉法涉诉 and
// terminated items in every state — just applied (one past its decision
// day), reviewed, granted, refused and paid — handled by the 联席办.
func (l *loader) judicialAid(plans []*plan) error {
	d := dice{rand.New(rand.NewPCG(2026, 0x534a_4a5a))}
	ctx := l.asUser(l.c.jointHead)
	var cands []*plan
	for _, p := range plans {
		if f := l.final[p.id]; f != nil && (p.m.legal || f.State == xinfang.StateTerminated) && p.m.purpose != xinfang.PurposeAccusation {
			cands = append(cands, p)
		}
	}
	// The last state each is taken to, in order: two of each.
	stops := []xinfang.JudicialAidState{xinfang.AidApplied, xinfang.AidApplied, xinfang.AidReviewed, xinfang.AidReviewed, xinfang.AidGranted, xinfang.AidGranted,
		xinfang.AidRefused, xinfang.AidRefused, xinfang.AidPaid, xinfang.AidPaid}
	for i, p := range cands {
		if i >= len(stops) {
			break
		}
		stop := stops[i]
		// The first applied one is past its decision day; the others run.
		back := d.between(30, 200)
		if stop == xinfang.AidApplied || stop == xinfang.AidReviewed {
			back = d.between(2, 6)
			if i == 0 {
				back = 25
			}
		}
		at := l.daysBeforeEnd(d, back)
		if at.Before(p.reg) {
			continue
		}
		step := func(t time.Time) { l.db.Now = func() time.Time { return t } }
		step(at)
		a := &xinfang.JudicialAid{PetitionID: p.id, Applicant: petitionerName(l.final[p.id]), ByPetitioner: d.chance(70),
			Grounds: "申请人因案件未获赔偿，家庭主要劳动力丧失，生活陷入困难。", Documents: "司法救助申请书\n身份证明\n村（居）委会出具的困难证明\n相关法律文书",
			AppliedOn: calendar.DateOf(at), Requested: int64(d.between(2, 8)) * 10000}
		if err := l.db.JudicialAid.CreateJudicialAid(ctx, a); err != nil {
			return fmt.Errorf("judicial aid on %d: %w", p.id, err)
		}
		if stop == xinfang.AidApplied {
			continue
		}
		t := at.Add(time.Duration(d.between(1, 3)) * day)
		step(t)
		var err error
		if a, err = l.db.JudicialAid.StepJudicialAid(ctx, a.ID, xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActReview,
			ReviewOpinion: "申请人系刑事案件被害人，未获有效赔偿，生活困难，符合司法救助条件。"}); err != nil {
			return err
		}
		if stop == xinfang.AidReviewed {
			continue
		}
		t = t.Add(time.Duration(d.between(2, 6)) * day)
		step(t)
		dec := xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActGrant, DecidedOn: calendar.DateOf(t), Amount: min(a.Requested, int64(d.between(1, 5))*10000)}
		if stop == xinfang.AidRefused {
			dec = xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActRefuse, DecidedOn: calendar.DateOf(t), RefusalReason: "申请人已通过其他途径获得足额赔偿，不符合司法救助条件。"}
		}
		if a, err = l.db.JudicialAid.StepJudicialAid(ctx, a.ID, dec); err != nil {
			return err
		}
		if stop != xinfang.AidPaid {
			continue
		}
		t = t.Add(time.Duration(d.between(3, 10)) * day)
		step(t)
		if _, err = l.db.JudicialAid.StepJudicialAid(ctx, a.ID, xinfang.AidDecision{Version: a.Version, Action: xinfang.AidActPay, PaidOn: calendar.DateOf(t),
			PaymentRef: fmt.Sprintf("银行转账，凭证号 SJ%s%03d", calendar.DateOf(t).String()[:4], i+1)}); err != nil {
			return err
		}
	}
	return nil
}
