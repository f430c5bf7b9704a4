package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// The 信访积案清零 campaign over the backlog cases, and follow-up visits
// (跟踪回访) of replied items. The campaign runs for a year from the first
// of the month eight months ago, organised by the 联席办 for the whole
// city: every case open on its first day comes in by filter, those filed
// since one by one, one leaves with a reason; its targets are half the
// cases struck off by mid-term and all by the end. Its progress is the
// cases' own, told by cases.go. The aftercare of terminated items becomes
// the 联席办's tasks in the terminations themselves (story.go).

func (l *loader) campaigns() error {
	ctx := l.asUser(l.c.jointHead)
	l.db.Now = func() time.Time { return l.end }
	today := calendar.DateOf(l.end)
	start := calendar.MakeDate(today.Year, today.Month-8, 1)
	end := calendar.MakeDate(start.Year+1, start.Month, 1).AddDays(-1)
	all, total, err := l.db.Cases.FindCases(ctx, xinfang.CaseFilter{Limit: -1})
	if err != nil {
		return fmt.Errorf("campaign: cases: %w", err)
	}
	mid := calendar.MakeDate(start.Year, start.Month+6, 1).AddDays(-1)
	g := &xinfang.Campaign{Name: "信访积案清零", UnitID: l.c.root.ID, StartOn: start, EndOn: end, ResolveTarget: 90,
		Targets: []xinfang.CampaignTarget{{By: mid, Closed: max(1, total/2)}, {By: end, Closed: max(1, total)}},
		Note:    "对全市信访积案逐案过堂、挂图作战，实行“五包一”责任制，确保年底前全部化解销号。"}
	if err := l.db.Campaigns.CreateCampaign(ctx, g); err != nil {
		return fmt.Errorf("campaign: %w", err)
	}
	g, _, err = l.db.Campaigns.AddCampaignCases(ctx, g.ID, xinfang.CampaignAdd{Version: g.Version, ByFilter: true, UnitID: l.c.root.ID})
	if err != nil {
		return fmt.Errorf("campaign: by filter: %w", err)
	}
	var later []string
	for _, c := range all {
		if !calendar.DateOf(c.CreatedAt).Before(start.AddDays(1)) {
			later = append(later, c.Number)
		}
	}
	if len(later) > 0 {
		if g, _, err = l.db.Campaigns.AddCampaignCases(ctx, g.ID, xinfang.CampaignAdd{Version: g.Version, CaseNumbers: later}); err != nil {
			return fmt.Errorf("campaign: by number: %w", err)
		}
	}
	_, _, list, err := l.db.Campaigns.CampaignProgress(ctx, g.ID, "month")
	if err != nil {
		return err
	}
	for _, c := range list {
		if c.RemovedOn.IsZero() && !c.State.Done() {
			_, err = l.db.Campaigns.RemoveCampaignCase(ctx, g.ID, g.Version, c.CaseID, "信访人已进入诉讼程序，依法移交司法机关处理，不再列入本次专项行动。")
			break
		}
	}
	return err
}

// followups records visits on some of the items replied or concluded more
// than 30 days before the end — at most 40, to keep the demo quick; the
// rest stay on the due list. Most are settled; some not, with a task for
// the handling unit (the backlog cases stay those of cases.go).
func (l *loader) followups(plans []*plan) error {
	d := dice{rand.New(rand.NewPCG(2026, 0x4855_4946))}
	ctx := l.asUser(l.c.jointHead)
	l.db.Now = func() time.Time { return l.end }
	today := calendar.DateOf(l.end)
	days := l.db.Cfg.FollowupDays
	if days <= 0 {
		days = 30
	}
	visits := 0
	for _, p := range plans {
		f := l.final[p.id]
		if visits >= 40 {
			break
		}
		if f == nil || p.m.purpose == xinfang.PurposeAccusation || !d.chance(15) {
			continue
		}
		ok := false
		for _, s := range xinfang.FollowupStates {
			ok = ok || f.State == s
		}
		if !ok {
			continue
		}
		_, replied, err := l.db.Followups.FindFollowups(ctx, f.ID)
		if err != nil {
			return err
		}
		if replied.IsZero() || today.Sub(replied) < days {
			continue
		}
		v := &xinfang.Followup{VisitedOn: replied.AddDays(d.between(days-5, days+10)), By: d.pick(surnames) + d.pick(maleNames[:20]),
			How: oneOf(d, xinfang.VisitHows).Code, Mood: "stable", Settled: true, Note: "信访人对处理结果表示认可，已息诉罢访。"}
		if v.VisitedOn.After(today) {
			v.VisitedOn = today
		}
		if d.chance(20) {
			v.Settled, v.Mood = false, d.pick([]string{"unhappy", "agitated"})
			v.Note = d.pick([]string{"信访人反映答复意见尚未落实到位，补偿款仍未发放。", "信访人认为处理不公，表示将继续上访。", "相关整改措施未落实，问题反复。"})
			v.Reopen, v.TaskDeadline = xinfang.ReopenTask, today.AddDays(d.between(-5, 20))
			if v.TaskDeadline.Before(today) {
				v.TaskDeadline = today
			}
		}
		if err := l.db.Followups.RecordFollowup(ctx, f.ID, 0, v); err != nil {
			return fmt.Errorf("follow-up of %s: %w", f.Number, err)
		}
		visits++
	}
	return nil
}
