package sqldb_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// kpiWorld is a hand-built city whose every numerator and denominator is
// known (the comments on each item say what it adds to May 2026).
type kpiWorld struct {
	*sqldbtest.Fixture
	clk     *clock
	village *xinfang.User // handler of 甲镇东村
	p       map[string]*xinfang.Petition
}

func (w *kpiWorld) act(t *testing.T, u *xinfang.User, name, day string, a xinfang.Action, data map[string]string) {
	t.Helper()
	w.clk.Set(at(day))
	p := w.p[name]
	w.p[name] = w.MustAct(t, u, p.ID, xinfang.ActionInput{Action: a, Version: p.Version, Data: data})
}

func (w *kpiWorld) register(t *testing.T, name, day string, locality *xinfang.Unit, edit func(p *xinfang.Petition)) {
	t.Helper()
	w.clk.Set(at(day))
	p := w.NewPetition(locality, len(w.p)+1)
	if edit != nil {
		edit(p)
	}
	w.p[name] = w.MustRegister(t, w.RegistrarA, p)
}

var replyData = map[string]string{"outcome": "support", "facts": "经查属实", "opinion": "予以支持"}

func deliverData(day string) map[string]string {
	return map[string]string{"method": "in_person", "delivered_on": day, "receipt": "signed", "petitioner_opinion": "agree"}
}

const time37h = 37 * time.Hour

func newKPIWorld(t *testing.T, db *sqldb.DB) *kpiWorld {
	t.Helper()
	w := &kpiWorld{clk: fixClock(db, at("2026-01-05")), p: map[string]*xinfang.Petition{}}
	w.Fixture = sqldbtest.NewFixture(t, db)
	u := &xinfang.User{Username: "jz01.handler", Name: "东村承办", UnitID: w.VillageA.ID, Roles: []xinfang.Role{xinfang.RoleHandler}}
	if err := db.Directory.CreateUser(context.Background(), u, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.village, err = db.Directory.FindUserByID(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	h := w.HandlerA
	// P8: a re-review whose hearing (03-10 … 03-29, 20 days) moves its due
	// date from 03-23 to 04-13: the reply of 04-08 is on time (April).
	w.register(t, "P8", "2026-01-05", w.TownA, nil)
	w.act(t, h, "P8", "2026-01-06", xinfang.ActAccept, nil)
	w.act(t, h, "P8", "2026-01-20", xinfang.ActReply, replyData)
	w.act(t, h, "P8", "2026-01-21", xinfang.ActDeliver, deliverData("2026-01-21"))
	w.act(t, h, "P8", "2026-01-25", xinfang.ActRequestReview, map[string]string{"request": "不服"})
	w.act(t, h, "P8", "2026-02-10", xinfang.ActReviewReply, replyData)
	w.act(t, h, "P8", "2026-02-11", xinfang.ActDeliver, deliverData("2026-02-11"))
	w.act(t, h, "P8", "2026-02-20", xinfang.ActRequestRereview, map[string]string{"request": "仍不服"})
	w.act(t, h, "P8", "2026-03-10", xinfang.ActHearingStart, map[string]string{"place": "镇会议室"})
	w.act(t, h, "P8", "2026-03-29", xinfang.ActHearingEnd, map[string]string{"conclusion": "维持"})
	w.act(t, h, "P8", "2026-04-08", xinfang.ActRereviewReply, replyData)
	// P7: handling due 04-07, replied late on 05-12: in May's 按期办结
	// denominator (replied in it), not its numerator; evaluated 不满意.
	w.register(t, "P7", "2026-02-02", w.TownA, nil)
	w.act(t, h, "P7", "2026-02-05", xinfang.ActAccept, nil)
	w.act(t, h, "P7", "2026-05-12", xinfang.ActReply, replyData)
	w.act(t, h, "P7", "2026-05-13", xinfang.ActDeliver, deliverData("2026-05-13"))
	w.act(t, h, "P7", "2026-05-14", xinfang.ActEvaluate, map[string]string{"rating_bureau": "satisfied", "rating_unit": "unsatisfied"})
	// P2: due 05-15, extended by 20 days to 06-04, replied 06-02: in
	// June's 按期办结 (on time), not in May's.
	w.register(t, "P2", "2026-03-10", w.TownA, nil)
	w.act(t, h, "P2", "2026-03-16", xinfang.ActAccept, nil)
	w.act(t, w.HeadA, "P2", "2026-05-10", xinfang.ActExtend, map[string]string{"days": "20", "reason": "情况复杂"})
	w.act(t, h, "P2", "2026-06-02", xinfang.ActReply, replyData)
	// P12: 15 days from 04-10 end 04-27; accepted 05-06, late: April's.
	w.register(t, "P12", "2026-04-10", w.TownA, nil)
	w.act(t, h, "P12", "2026-05-06", xinfang.ActAccept, nil)
	// P1: accepted on time 05-08, replied 05-20 (due 07-07), rated 基本满意.
	w.register(t, "P1", "2026-05-06", w.TownA, nil)
	w.act(t, h, "P1", "2026-05-08", xinfang.ActAccept, nil)
	w.act(t, h, "P1", "2026-05-20", xinfang.ActReply, replyData)
	w.act(t, h, "P1", "2026-05-21", xinfang.ActDeliver, deliverData("2026-05-21"))
	w.act(t, h, "P1", "2026-05-22", xinfang.ActEvaluate, map[string]string{"rating_bureau": "satisfied", "rating_unit": "basic"})
	// P9: on time, replied in May, never evaluated.
	w.register(t, "P9", "2026-05-04", w.TownA, nil)
	w.act(t, h, "P9", "2026-05-06", xinfang.ActAccept, nil)
	w.act(t, h, "P9", "2026-05-25", xinfang.ActReply, replyData)
	// P10: a 涉法涉诉 item involving 60 people: no evaluation, and a
	// 规模性群体事件 under the default definition (50).
	w.register(t, "P10", "2026-05-04", w.TownA, func(p *xinfang.Petition) { p.LegalCase = true; p.InvolvedCount = 60 })
	w.act(t, h, "P10", "2026-05-06", xinfang.ActAccept, nil)
	w.act(t, h, "P10", "2026-05-25", xinfang.ActReply, replyData)
	// P3: 15 days end 05-26, accepted 06-05: May's, late.
	w.register(t, "P3", "2026-05-11", w.TownA, nil)
	w.act(t, h, "P3", "2026-06-05", xinfang.ActAccept, nil)
	// P5: the town transfers it to its village on time; the village accepts
	// on time (05-15) and replies in June (due 07-14).
	w.register(t, "P5", "2026-05-12", w.TownA, nil)
	w.act(t, w.RegistrarA, "P5", "2026-05-13", xinfang.ActTransfer, map[string]string{"unit_id": itoa(w.VillageA.ID)})
	w.act(t, w.village, "P5", "2026-05-15", xinfang.ActSign, nil)
	w.act(t, w.village, "P5", "2026-05-15", xinfang.ActAccept, nil)
	w.act(t, w.village, "P5", "2026-06-10", xinfang.ActReply, replyData)
	// P4: a 进京 visit about the village, never accepted: its 15 days end
	// 06-02 (June's denominator), overdue and severely so on 07-15.
	w.register(t, "P4", "2026-05-18", w.VillageA, func(p *xinfang.Petition) { p.Channel = "visit"; p.Escalation = "beijing" })
	// P6: withdrawn: no clock counts.
	w.register(t, "P6", "2026-05-20", w.TownA, nil)
	w.act(t, h, "P6", "2026-05-21", xinfang.ActWithdraw, map[string]string{"reason": "信访人撤回"})
	// P11: a repeat of P1 and a 赴省集体访 of 5 people, never accepted: 15
	// days end 06-10, overdue and severely so on 07-15.
	w.register(t, "P11", "2026-05-26", w.TownA, func(p *xinfang.Petition) {
		p.RepeatOfID, p.Escalation, p.PersonCount, p.Channel = w.p["P1"].ID, "province", 5, "visit"
	})

	// 督办单 to 甲镇: one fed back on time, one never.
	sup := supUser(t, db, "xfj.sup", w.Bureau, xinfang.RoleSupervisor)
	w.clk.Set(at("2026-05-12"))
	s1 := &xinfang.Supervision{TargetUnitID: w.TownA.ID, PetitionID: w.p["P3"].ID, Requirements: "请按期反馈", Deadline: calendar.MustParseDate("2026-05-20")}
	s2 := &xinfang.Supervision{TargetUnitID: w.TownA.ID, PetitionID: w.p["P9"].ID, Requirements: "请按期反馈", Deadline: calendar.MustParseDate("2026-05-25")}
	for _, s := range []*xinfang.Supervision{s1, s2} {
		if err := db.Supervisions.CreateSupervision(w.Ctx(sup), s); err != nil {
			t.Fatal(err)
		}
	}
	w.clk.Set(at("2026-05-18"))
	if _, err := db.Supervisions.FeedbackSupervision(w.Ctx(h), s1.ID, "已查清"); err != nil {
		t.Fatal(err)
	}

	// Cases: C1 (led by the city's leader) filed in April, resolved 05-20;
	// C2 (led by the town's own leader, not a 市领导) filed in May, still
	// open.
	w.clk.Set(at("2026-04-01"))
	c1 := &xinfang.Case{Title: "工资积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: w.TownA.ID, LeaderID: w.Leader.ID,
		PetitionIDs: []int64{w.p["P8"].ID}, Deadline: calendar.MustParseDate("2026-12-31")}
	if err := db.Cases.CreateCase(w.Ctx(h), c1); err != nil {
		t.Fatal(err)
	}
	w.clk.Set(at("2026-05-10"))
	tl := &xinfang.User{Username: "jz.leader", Name: "甲镇书记", UnitID: w.TownA.ID, Roles: []xinfang.Role{xinfang.RoleLeader}}
	if err := db.Directory.CreateUser(context.Background(), tl, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	c2 := &xinfang.Case{Title: "土地积案", Source: "self", Petitioners: "李四", ResponsibleUnitID: w.TownA.ID, LeaderID: tl.ID,
		PetitionIDs: []int64{w.p["P7"].ID}, Deadline: calendar.MustParseDate("2026-12-31")}
	if err := db.Cases.CreateCase(w.Ctx(h), c2); err != nil {
		t.Fatal(err)
	}
	w.clk.Set(at("2026-05-20"))
	ctx := w.Ctx(h)
	c, err := db.Cases.SetResolution(ctx, c1.ID, c1.Version, xinfang.Resolution{Facts: "属实", Solution: "solved", SolutionText: "已结清", PetitionerPosition: "认可",
		Followup: xinfang.FollowupVisit{Date: calendar.MustParseDate("2026-05-19"), By: "钱承办", How: "当面", Mood: "平稳", Settled: true}})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = db.Cases.ActCase(ctx, c1.ID, c.Version, "start", ""); err != nil {
		t.Fatal(err)
	}
	if _, err = db.Cases.ActCase(ctx, c1.ID, c.Version, "resolve", ""); err != nil {
		t.Fatal(err)
	}
	w.clk.Set(at("2026-07-15"))
	return w
}

type fig struct{ num, den int }

func wantFigures(t *testing.T, db *sqldb.DB, ctx context.Context, q xinfang.IndicatorQuery, want map[xinfang.IndicatorKind]fig) *xinfang.Indicators {
	t.Helper()
	got, err := db.Indicators.Indicators(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for kind, w := range want {
		in := got.Find(kind)
		if in == nil {
			t.Fatalf("no indicator %s", kind)
		}
		if in.Numerator != w.num || in.Denominator != w.den {
			t.Errorf("%s %s–%s unit %d alone=%v: %s = %d/%d, want %d/%d", kind, q.From, q.To, q.UnitID, q.Alone, in.Label, in.Numerator, in.Denominator, w.num, w.den)
		}
		// The drill-down lists equal the counts.
		parts := []xinfang.IndicatorPart{xinfang.PartNumerator}
		if in.IndicatorDef.Denominator != "" {
			parts = append(parts, xinfang.PartDenominator)
		}
		for _, part := range parts {
			items, total, err := db.Indicators.IndicatorItems(ctx, xinfang.IndicatorItemsQuery{IndicatorQuery: q, Kind: kind, Part: part, Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			n := in.Numerator
			if part == xinfang.PartDenominator {
				n = in.Denominator
			}
			if len(items) != n || total != n {
				t.Errorf("%s %s: %d items (total %d), figure %d", kind, part, len(items), total, n)
			}
		}
	}
	return got
}

func TestIndicatorsHandBuilt(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newKPIWorld(t, db)
		leader := w.Ctx(w.Leader)
		may := xinfang.IndicatorQuery{UnitID: w.TownA.ID, From: calendar.MustParseDate("2026-05-01"), To: calendar.MustParseDate("2026-05-31")}
		mayAlone := may
		mayAlone.Alone = true
		// 及时受理率, May: P1, P9, P10 and P5's disposal on time; P3 late
		// (end 05-26); the village's notice clock of P5 on time.
		// 按期办结率, May: P1, P9, P10 on time; P7 replied late (due 04-07).
		// 群众参评率: P1, P7, P9 replied in May (P10 excluded), 2 rated.
		// 重复信访率: 9 registered in May (P1 P3 P4 P5 P6 P9 P10 P11), 1 repeat.
		wantFigures(t, db, leader, may, map[xinfang.IndicatorKind]fig{
			xinfang.IndTimelyAccept:  {5, 6},
			xinfang.IndOnTime:        {3, 4},
			xinfang.IndParticipation: {2, 3},
			xinfang.IndSatisfaction:  {1, 2},
			xinfang.IndRepeat:        {1, 8},
			xinfang.IndProvince:      {1, 0},
			xinfang.IndBeijing:       {1, 0},
			xinfang.IndSanwuBeijing:  {1, 0},
			xinfang.IndSanwuProvince: {1, 0},
			xinfang.IndSanwuMass:     {1, 0},
			xinfang.IndSupervisions:  {2, 0},
			xinfang.IndFeedback:      {1, 2},
			xinfang.IndBacklog:       {1, 2},
			xinfang.IndLeaderCases:   {1, 1},
			xinfang.IndOverdue:       {3, 0}, // P4, P11 and P12 (handling due 07-06)
			xinfang.IndSevere:        {2, 0}, // P4, P11
		})
		// The town alone: without its village's notice clock, and without
		// the 进京 visit about the village; P4, handled nowhere yet, is the
		// town's (its registering unit).
		got := wantFigures(t, db, leader, mayAlone, map[xinfang.IndicatorKind]fig{
			xinfang.IndTimelyAccept: {4, 5},
			xinfang.IndOnTime:       {3, 4},
			xinfang.IndBeijing:      {0, 0},
			xinfang.IndSanwuBeijing: {0, 0},
			xinfang.IndOverdue:      {3, 0},
		})
		if got.Sanwu {
			t.Error("三无 although a 赴省集体访 and a mass incident fell in May")
		}
		village := may
		village.UnitID = w.VillageA.ID
		wantFigures(t, db, leader, village, map[xinfang.IndicatorKind]fig{
			xinfang.IndTimelyAccept: {1, 1},
			xinfang.IndOnTime:       {0, 0},
			xinfang.IndRepeat:       {0, 0},
			xinfang.IndBeijing:      {1, 0},
		})
		// June: P2 (extended) and P5 (the village) on time; P4 and P11's
		// 15 days ended unmet; P3's did in May.
		june := xinfang.IndicatorQuery{UnitID: w.TownA.ID, From: calendar.MustParseDate("2026-06-01"), To: calendar.MustParseDate("2026-06-30")}
		got = wantFigures(t, db, leader, june, map[xinfang.IndicatorKind]fig{
			xinfang.IndOnTime:       {2, 2},
			xinfang.IndTimelyAccept: {0, 2},
			xinfang.IndBacklog:      {0, 1},
		})
		if !got.Sanwu {
			t.Error("June has no escalation: 三无 expected")
		}
		juneAlone := june
		juneAlone.Alone = true
		wantFigures(t, db, leader, juneAlone, map[xinfang.IndicatorKind]fig{xinfang.IndOnTime: {1, 1}})
		// April: P8's re-review on time thanks to the hearing; P7 due and
		// unmet; P12's 15 days ended 04-27 unmet.
		april := xinfang.IndicatorQuery{UnitID: w.TownA.ID, From: calendar.MustParseDate("2026-04-01"), To: calendar.MustParseDate("2026-04-30")}
		wantFigures(t, db, leader, april, map[xinfang.IndicatorKind]fig{
			xinfang.IndOnTime:       {1, 2},
			xinfang.IndTimelyAccept: {0, 1},
		})
		// Configurable: 满意 only; 三无's group visit from 6 people.
		cfg, err := db.Indicators.IndicatorConfig(leader)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Indicators.SetIndicatorConfig(w.Ctx(w.HandlerA), cfg)
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		bad := cfg
		bad.MassMin = 1
		_, err = db.Indicators.SetIndicatorConfig(leader, bad)
		wantErr(t, err, xinfang.EINVALID, "mass_min")
		cfg.BasicCounts, cfg.ProvinceGroupMin = false, 6
		if _, err := db.Indicators.SetIndicatorConfig(leader, cfg); err != nil {
			t.Fatal(err)
		}
		_, err = db.Indicators.SetIndicatorConfig(leader, cfg)
		wantErr(t, err, xinfang.ECONFLICT, "version")
		wantFigures(t, db, leader, may, map[xinfang.IndicatorKind]fig{
			xinfang.IndSatisfaction:  {0, 2},
			xinfang.IndSanwuProvince: {0, 0},
		})

		// Scope: the town's handler reads the town and its village, not
		// the other town nor the city; the auditor nothing.
		town := w.Ctx(w.HandlerA)
		if _, err := db.Indicators.Indicators(town, may); err != nil {
			t.Fatal(err)
		}
		other := may
		other.UnitID = w.TownB.ID
		_, err = db.Indicators.Indicators(town, other)
		wantErr(t, err, xinfang.EINVALID, "unit_id")
		_, err = db.Indicators.Indicators(w.Ctx(w.Auditor), may)
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		def := may
		def.UnitID = 0
		got, err = db.Indicators.Indicators(leader, def)
		if err != nil || got.Unit.ID != w.City.ID {
			t.Fatalf("a city leader's default unit: %v %v", got, err)
		}
		bad2 := may
		bad2.To = calendar.MustParseDate("2026-04-01")
		_, err = db.Indicators.Indicators(leader, bad2)
		wantErr(t, err, xinfang.EINVALID, "to")
		_, _, err = db.Indicators.IndicatorItems(leader, xinfang.IndicatorItemsQuery{IndicatorQuery: may, Kind: xinfang.IndBeijing, Part: xinfang.PartDenominator})
		wantErr(t, err, xinfang.EINVALID, "part")

		// The case ledger by the days cases were filed, resolved, closed.
		for _, tc := range []struct {
			d    xinfang.CaseDates
			want []string
		}{
			{xinfang.CaseDates{OpenedFrom: calendar.MustParseDate("2026-05-01")}, []string{"土地积案"}},
			{xinfang.CaseDates{OpenedTo: calendar.MustParseDate("2026-04-01")}, []string{"工资积案"}},
			{xinfang.CaseDates{ResolvedFrom: calendar.MustParseDate("2026-05-20"), ResolvedTo: calendar.MustParseDate("2026-05-20")}, []string{"工资积案"}},
			{xinfang.CaseDates{ResolvedTo: calendar.MustParseDate("2026-05-19")}, nil},
			{xinfang.CaseDates{ClosedFrom: calendar.MustParseDate("2026-01-01")}, nil},
		} {
			cs, _, err := db.Cases.FindCases(leader, xinfang.CaseFilter{Dated: tc.d, Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, c := range cs {
				titles = append(titles, c.Title)
			}
			if !reflect.DeepEqual(titles, tc.want) {
				t.Errorf("cases dated %+v: %v, want %v", tc.d, titles, tc.want)
			}
		}

		// 越级访 by month: May has one of each.
		got = wantFigures(t, db, leader, xinfang.IndicatorQuery{UnitID: w.TownA.ID, From: calendar.MustParseDate("2026-04-01"), To: calendar.MustParseDate("2026-06-30")}, nil)
		if len(got.Escalated) != 3 || got.Escalated[1] != (xinfang.MonthCount{Month: "2026-05", Province: 1, Beijing: 1}) || got.Escalated[0].Province+got.Escalated[0].Beijing != 0 {
			t.Errorf("by month: %+v", got.Escalated)
		}
	})
}

// TestIndicatorFactsEqualRecomputation: after a random sequence of actions
// on random items, the stored facts of every item equal those derived from
// its events from scratch, and a rebuild changes nothing. The detail's
// state and clocks, derived from the columns of the events it reads,
// equal those derived from the events in full.
func TestIndicatorFactsEqualRecomputation(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := &kpiWorld{clk: fixClock(db, at("2026-03-02")), p: map[string]*xinfang.Petition{}}
		w.Fixture = sqldbtest.NewFixture(t, db)
		rng := rand.New(rand.NewPCG(11, 2026))
		var names []string
		steps := []struct {
			a    xinfang.Action
			u    func() *xinfang.User
			data func() map[string]string
		}{
			{xinfang.ActAccept, func() *xinfang.User { return w.HandlerA }, nil},
			{xinfang.ActTransfer, func() *xinfang.User { return w.RegistrarA }, func() map[string]string { return map[string]string{"unit_id": itoa(w.TownA.ID)} }},
			{xinfang.ActSign, func() *xinfang.User { return w.HandlerA }, nil},
			{xinfang.ActExtend, func() *xinfang.User { return w.HeadA }, func() map[string]string { return map[string]string{"days": "10", "reason": "复杂"} }},
			{xinfang.ActReply, func() *xinfang.User { return w.HandlerA }, func() map[string]string { return replyData }},
			{xinfang.ActDeliver, func() *xinfang.User { return w.HandlerA }, func() map[string]string { return deliverData(calendar.DateOf(w.clk.Now()).String()) }},
			{xinfang.ActEvaluate, func() *xinfang.User { return w.HandlerA }, func() map[string]string {
				return map[string]string{"rating_bureau": "satisfied", "rating_unit": []string{"satisfied", "basic", "unsatisfied"}[rng.IntN(3)]}
			}},
			{xinfang.ActRequestReview, func() *xinfang.User { return w.HandlerA }, func() map[string]string { return map[string]string{"request": "不服"} }},
			{xinfang.ActReviewReply, func() *xinfang.User { return w.HandlerA }, func() map[string]string { return replyData }},
			{xinfang.ActWithdraw, func() *xinfang.User { return w.HandlerA }, func() map[string]string { return map[string]string{"reason": "撤回"} }},
			{xinfang.ActNotAccept, func() *xinfang.User { return w.HandlerA }, func() map[string]string { return map[string]string{"reason": "不属实"} }},
		}
		for i := 0; i < 150; i++ {
			w.clk.Add(time37h)
			if len(names) < 3 || rng.IntN(4) == 0 {
				name := itoa(int64(len(names)))
				w.register(t, name, calendar.DateOf(w.clk.Now()).String(), w.VillageA, nil)
				names = append(names, name)
				continue
			}
			name := names[rng.IntN(len(names))]
			s := steps[rng.IntN(len(steps))]
			var data map[string]string
			if s.data != nil {
				data = s.data()
			}
			p := w.p[name]
			// Refused actions (wrong state, guard) write nothing: tried
			// as they come, like staff do.
			if got, err := db.Petitions.Act(w.Ctx(s.u()), p.ID, xinfang.ActionInput{Action: s.a, Version: p.Version, Data: data}); err == nil {
				w.p[name] = got
			}
		}
		check := func() {
			for _, name := range names {
				id := w.p[name].ID
				stored, err := db.Indicators.Facts(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				again, err := db.Indicators.RecomputeFacts(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				if len(stored)+len(again) > 0 && !reflect.DeepEqual(stored, again) {
					t.Fatalf("petition %s: stored facts %+v, recomputed %+v", name, stored, again)
				}
			}
		}
		check()
		pr := db.Procedure(context.Background())
		for _, name := range names {
			ctx := w.Ctx(w.Leader)
			got, err := db.Petitions.FindPetitionByID(ctx, w.p[name].ID)
			if err != nil {
				t.Fatal(err)
			}
			events, err := db.Petitions.FindEvents(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := *got
			pr.Project(&want, pr.Derive(events, w.clk.Now()))
			if got.State != want.State || got.HandlingUnitID != want.HandlingUnitID || got.Outcome != want.Outcome ||
				got.Evaluation != want.Evaluation || !reflect.DeepEqual(got.Clocks, want.Clocks) {
				t.Fatalf("petition %s read as %s %+v, derived from its events in full as %s %+v", name, got.State, got.Clocks, want.State, want.Clocks)
			}
		}
		if n := count(t, db, "kpi_facts"); n < len(names) {
			t.Fatalf("%d facts for %d petitions", n, len(names))
		}
		if err := db.Indicators.RebuildFacts(w.Ctx(w.Leader)); err != nil {
			t.Fatal(err)
		}
		check()
		wantErr(t, db.Indicators.RebuildFacts(w.Ctx(w.HandlerA)), xinfang.EFORBIDDEN, "")
	})
}

// The counts of the facts (kpi_daily) after random actions: every row
// equals a count of kpi_facts grouped by measure, day and unit, the bounds
// of kpi_state hold every handling fact, and every indicator read from the
// counts equals the indicator counted from the facts, for periods and
// units drawn at random (the unit with its subtree and alone).
func TestIndicatorCountsEqualFacts(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := &kpiWorld{clk: fixClock(db, at("2026-03-02")), p: map[string]*xinfang.Petition{}}
		w.Fixture = sqldbtest.NewFixture(t, db)
		rng := rand.New(rand.NewPCG(17, 2026))
		var names []string
		places := []*xinfang.Unit{w.VillageA, w.VillageB, w.TownA}
		// Midway, the registrations are forgotten as a database from
		// before migration 0070 holds them, and counted again a batch of
		// three petitions at a time while the actions go on (prior_counts.go):
		// the repeats linked meanwhile, counted or not yet, are counted
		// once, and until the count is done the repeat rate counts from the
		// petitions.
		building, steps := false, 0
		leaderCtx := w.Ctx(w.Leader)
		repeatRate := func(countFromFacts bool) *xinfang.Indicator {
			t.Helper()
			db.CountFromFacts = countFromFacts
			defer func() { db.CountFromFacts = false }()
			got, err := db.Indicators.Indicators(leaderCtx, xinfang.IndicatorQuery{UnitID: w.City.ID, From: calendar.MustParseDate("2026-01-01"), To: calendar.MustParseDate("2026-12-31")})
			if err != nil {
				t.Fatal(err)
			}
			return got.Find(xinfang.IndRepeat)
		}
		for i := 0; i < 220; i++ {
			w.clk.Add(time37h)
			if i == 100 {
				if err := db.RecountRegistrations(context.Background(), 3, false); err != nil {
					t.Fatal(err)
				}
				building = true
				// A repeat linked on a petition the count has not reached.
				linked := false
				for j := len(names) - 1; j > 0 && !linked; j-- {
					p := w.p[names[j]]
					if p.Repeat || p.ID <= w.p[names[0]].ID {
						continue
					}
					if _, err := db.Repeats.DecideRepeat(w.Ctx(w.RegistrarA), p.ID, xinfang.RepeatDecisionInput{CandidateID: w.p[names[0]].ID, Decision: xinfang.RepeatLink, Version: p.Version}); err != nil {
						continue
					}
					got, err := db.Petitions.FindPetitionByID(w.Ctx(w.RegistrarA), p.ID)
					if err != nil {
						t.Fatal(err)
					}
					w.p[names[j]], linked = got, got.Repeat
				}
				if !linked {
					t.Fatal("no petition could be linked as a repeat while its registration was not counted")
				}
			}
			if building && i%12 == 0 {
				done, err := db.StepRegistrations(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				steps++
				counted, recount := repeatRate(false), repeatRate(true)
				if counted.Numerator != recount.Numerator || counted.Denominator != recount.Denominator || recount.Denominator == 0 {
					t.Fatalf("while the registrations are counted: the repeat rate %d/%d, from the petitions %d/%d", counted.Numerator, counted.Denominator, recount.Numerator, recount.Denominator)
				}
				building = !done
			}
			if len(names) < 3 || rng.IntN(6) == 0 {
				name := itoa(int64(len(names)))
				w.register(t, name, calendar.DateOf(w.clk.Now()).String(), places[rng.IntN(len(places))], nil)
				names = append(names, name)
				continue
			}
			name := names[rng.IntN(len(names))]
			p := w.p[name]
			if i%9 == 0 && p.ID > w.p[names[0]].ID {
				// A repeat linked after registration: counted on its day.
				got, err := db.Repeats.DecideRepeat(w.Ctx(w.RegistrarA), p.ID, xinfang.RepeatDecisionInput{CandidateID: w.p[names[0]].ID, Decision: xinfang.RepeatLink, Version: p.Version})
				if err == nil && got != nil {
					if w.p[name], err = db.Petitions.FindPetitionByID(w.Ctx(w.RegistrarA), p.ID); err != nil {
						t.Fatal(err)
					}
					continue
				}
			}
			town, handler, head := w.TownA, w.HandlerA, w.HeadA
			if p.LocalityID == w.VillageB.ID {
				town, handler, head = w.TownB, w.HandlerB, w.HeadA
			}
			steps := []xinfang.ActionInput{
				{Action: xinfang.ActTransfer, Data: map[string]string{"unit_id": itoa(town.ID)}},
				{Action: xinfang.ActAccept}, {Action: xinfang.ActSign}, {Action: xinfang.ActSign},
				{Action: xinfang.ActExtend, Data: map[string]string{"days": "10", "reason": "复杂"}},
				{Action: xinfang.ActReply, Data: replyData}, {Action: xinfang.ActReply, Data: replyData},
				{Action: xinfang.ActDeliver, Data: deliverData(calendar.DateOf(w.clk.Now()).String())},
				{Action: xinfang.ActEvaluate, Data: map[string]string{"rating_bureau": "satisfied", "rating_unit": []string{"satisfied", "basic", "unsatisfied"}[rng.IntN(3)]}},
				{Action: xinfang.ActRequestReview, Data: map[string]string{"request": "不服"}},
				{Action: xinfang.ActReviewReply, Data: replyData},
				{Action: xinfang.ActNotAccept, Data: map[string]string{"reason": "不属实"}},
			}
			// The steps in a random order, each tried by whoever may, until
			// one is taken: refused ones write nothing.
		next:
			for _, k := range rng.Perm(len(steps)) {
				in := steps[k]
				in.Version = p.Version
				for _, u := range []*xinfang.User{w.RegistrarA, handler, head} {
					if got, err := db.Petitions.Act(w.Ctx(u), p.ID, in); err == nil {
						w.p[name] = got
						break next
					}
				}
			}
		}

		if steps < 4 {
			t.Fatalf("the registrations were counted again in %d batches: the actions went on beside too few", steps)
		}
		if err := db.BuildCounts(context.Background()); err != nil {
			t.Fatal(err)
		}

		raw := db.RawSQL()
		type row struct {
			measure, day, path                 string
			unit, n, onTime, rated, sat, basic int64
		}
		read := func(q string) map[string]row {
			rows, err := raw.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]row{}
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.measure, &r.day, &r.path, &r.unit, &r.n, &r.onTime, &r.rated, &r.sat, &r.basic); err != nil {
					t.Fatal(err)
				}
				out[r.measure+" "+r.day+" "+r.path] = r
			}
			return out
		}
		var want map[string]row
		for _, g := range []struct{ grain, day string }{{"d", "d"}, {"m", "substr(d, 1, 7)"}} {
			stored := read(`SELECT measure, day, unit_path, unit_id, n, on_time, rated, satisfied, basic FROM kpi_daily
				WHERE grain = '` + g.grain + `' AND measure NOT IN ('registered', 'repeat') AND (n <> 0 OR on_time <> 0 OR rated <> 0 OR satisfied <> 0 OR basic <> 0)`)
			want = read(`SELECT m, ` + g.day + `, unit_path, unit_id, COUNT(*), SUM(on_time), SUM(CASE WHEN rating <> '' THEN 1 ELSE 0 END),
				SUM(CASE WHEN rating = 'satisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 'basic' THEN 1 ELSE 0 END) FROM (
				SELECT 'accept' AS m, end_on AS d, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'accept' AND end_on <> ''
				UNION ALL SELECT 'evaluate', end_on, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'evaluate' AND end_on <> ''
				UNION ALL SELECT 'handle_due', due_on, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'handle' AND due_on <> ''
				UNION ALL SELECT 'handle_done', done_on, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'handle' AND done_on <> ''
				UNION ALL SELECT 'handle_open', due_on, unit_path, unit_id, on_time, rating FROM kpi_facts WHERE kind = 'handle' AND done_on = '' AND due_on <> '') f
				GROUP BY m, ` + g.day + `, unit_path, unit_id`)
			if len(want) < 10 || !reflect.DeepEqual(stored, want) {
				t.Fatalf("kpi_daily of grain %s (%d rows) differs from a count of the facts (%d rows)", g.grain, len(stored), len(want))
			}
		}
		// The registrations and the repeats among them, by the Shanghai day
		// of receipt and the registering unit, counted here from the items.
		regs := map[string]row{}
		items, err := raw.Query(`SELECT p.received_at, p.reg_path, p.reg_unit_id, p.repeat_flag FROM petitions p`)
		if err != nil {
			t.Fatal(err)
		}
		repeats := 0
		for items.Next() {
			var received, path string
			var unit int64
			var repeat int
			if err := items.Scan(&received, &path, &unit, &repeat); err != nil {
				t.Fatal(err)
			}
			at, err := time.Parse(time.RFC3339Nano, received)
			if err != nil {
				t.Fatal(err)
			}
			day := calendar.DateOf(at).String()
			for _, g := range []struct{ grain, day string }{{"d", day}, {"m", day[:7]}} {
				for _, m := range []string{"registered", "repeat"} {
					if m == "repeat" && repeat == 0 {
						continue
					}
					k := g.grain + " " + m + " " + g.day + " " + path
					r := regs[k]
					r.measure, r.day, r.path, r.unit, r.n = m, g.day, path, unit, r.n+1
					regs[k] = r
				}
			}
			repeats += repeat
		}
		items.Close()
		storedRegs := map[string]row{}
		for _, g := range []string{"d", "m"} {
			for k, r := range read(`SELECT measure, day, unit_path, unit_id, n, on_time, rated, satisfied, basic FROM kpi_daily
				WHERE grain = '` + g + `' AND measure IN ('registered', 'repeat') AND n <> 0`) {
				storedRegs[g+" "+k] = r
			}
		}
		if repeats == 0 || !reflect.DeepEqual(storedRegs, regs) {
			t.Fatalf("the counts of registrations (%d rows) differ from the items' (%d rows, %d repeats)", len(storedRegs), len(regs), repeats)
		}
		measures := map[string]bool{}
		for _, r := range want {
			measures[r.measure] = true
		}
		if len(measures) != 5 {
			t.Fatalf("the actions reached only the measures %v", measures)
		}
		var early, late, maxEarly, maxLate int
		if err := raw.QueryRow(`SELECT early_days, late_days FROM kpi_state WHERE id = 1`).Scan(&early, &late); err != nil {
			t.Fatal(err)
		}
		facts, err := raw.Query(`SELECT due_on, done_on FROM kpi_facts WHERE kind = 'handle' AND due_on <> '' AND done_on <> ''`)
		if err != nil {
			t.Fatal(err)
		}
		for facts.Next() {
			var due, done string
			if err := facts.Scan(&due, &done); err != nil {
				t.Fatal(err)
			}
			d := calendar.MustParseDate(due).Sub(calendar.MustParseDate(done))
			maxEarly, maxLate = max(maxEarly, d), max(maxLate, -d)
		}
		facts.Close()
		if early < maxEarly || late < maxLate {
			t.Errorf("bounds early %d, late %d below the facts' %d, %d", early, late, maxEarly, maxLate)
		}

		first, last := calendar.MustParseDate("2026-03-02"), calendar.DateOf(w.clk.Now()).AddDays(30)
		span := last.Sub(first)
		leader := w.Ctx(w.Leader)
		// Whole months and the edges of months, then periods at random.
		d := calendar.MustParseDate
		fixed := [][2]calendar.Date{{d("2026-04-01"), d("2026-04-30")}, {d("2026-01-01"), d("2026-12-31")}, {d("2026-05-01"), d("2026-06-15")},
			{d("2026-05-16"), d("2026-07-31")}, {d("2026-03-31"), d("2026-04-01")}, {d("2026-06-10"), d("2026-06-20")}}
		for i := 0; i < 40+len(fixed); i++ {
			from := first.AddDays(rng.IntN(span))
			to := from.AddDays(rng.IntN(span - from.Sub(first) + 1))
			if i < len(fixed) {
				from, to = fixed[i][0], fixed[i][1]
			}
			q := xinfang.IndicatorQuery{UnitID: []int64{w.City.ID, w.TownA.ID, w.VillageA.ID, w.TownB.ID}[rng.IntN(4)], Alone: rng.IntN(3) == 0, From: from, To: to}
			db.CountFromFacts = false
			counted, err := db.Indicators.Indicators(leader, q)
			if err != nil {
				t.Fatal(err)
			}
			db.CountFromFacts = true
			recount, err := db.Indicators.Indicators(leader, q)
			db.CountFromFacts = false
			if err != nil {
				t.Fatal(err)
			}
			for j, in := range counted.Items {
				again := recount.Items[j]
				if in.Numerator != again.Numerator || in.Denominator != again.Denominator {
					t.Errorf("%s %+v: from the counts %d/%d, from the facts %d/%d", in.Kind, q, in.Numerator, in.Denominator, again.Numerator, again.Denominator)
				}
			}
		}

		// 超期件数 and 严重超期件数 of each unit alone: the items whose due
		// date (severe date) has passed, of the unit that handles them or,
		// handled nowhere yet, that registered them — counted here by the
		// units' ids, which the figure does not read. Two items more, made
		// late 90 days on: one sent to 乙镇 and accepted there, one left
		// with its registering unit.
		day := calendar.DateOf(w.clk.Now()).AddDays(1).String()
		w.register(t, "sent", day, w.VillageB, nil)
		w.act(t, w.RegistrarA, "sent", day, xinfang.ActTransfer, map[string]string{"unit_id": itoa(w.TownB.ID)})
		w.act(t, w.HandlerB, "sent", day, xinfang.ActSign, nil)
		w.act(t, w.HandlerB, "sent", day, xinfang.ActAccept, nil)
		w.register(t, "kept", day, w.VillageA, nil)
		w.clk.Add(90 * 24 * time.Hour)
		last = calendar.DateOf(w.clk.Now())
		today := last.String()
		overdue, severe := map[int64]int{}, map[int64]int{}
		rows, err := raw.Query(`SELECT COALESCE(handling_unit_id, reg_unit_id), due_date, severe_date FROM petitions WHERE due_date <> ''`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var unit int64
			var due, sev string
			if err := rows.Scan(&unit, &due, &sev); err != nil {
				t.Fatal(err)
			}
			if due < today {
				overdue[unit]++
			}
			if sev != "" && sev < today {
				severe[unit]++
			}
		}
		rows.Close()
		for _, u := range []*xinfang.Unit{w.City, w.Bureau, w.TownA, w.VillageA, w.TownB, w.VillageB} {
			got, err := db.Indicators.Indicators(leader, xinfang.IndicatorQuery{UnitID: u.ID, Alone: true, From: first, To: last})
			if err != nil {
				t.Fatal(err)
			}
			if n := got.Find(xinfang.IndOverdue).Numerator; n != overdue[u.ID] {
				t.Errorf("%s alone: 超期件数 %d, the items say %d", u.Name, n, overdue[u.ID])
			}
			if n := got.Find(xinfang.IndSevere).Numerator; n != severe[u.ID] {
				t.Errorf("%s alone: 严重超期件数 %d, the items say %d", u.Name, n, severe[u.ID])
			}
		}
		if h, r := w.p["sent"].HandlingUnitID, w.p["sent"].RegUnitID; overdue[h] == 0 || h == r {
			t.Fatalf("the item sent to 乙镇 is not overdue there (%v): the check above checked nothing", overdue)
		}
	})
}
