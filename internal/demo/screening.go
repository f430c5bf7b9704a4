package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// Conflict screening in the demo (矛盾纠纷排查): a city-wide round every
// month of the three years, returns due on the 25th, in which every town
// and village reports or files a nil return (零报告) — except a few towns
// in the last months, which the round pages list as not reported; a few
// reports a month, most settled at the village or town (小事不出村、大事
// 不出镇), some open past their deadline; and the demo's petitions of
// channel 排查发现 registered from a report of their month. Then about
// fifteen risk assessments of major decisions (稳评), a few with the
// petitions that followed the decision linked.

const screeningMonths = 36

// screeningRounds opens the monthly rounds before the stories are told,
// so that the reports behind the 排查发现 petitions fall in their round.
func (l *loader) screeningRounds() error {
	l.rounds = map[string]*xinfang.ScreeningRound{}
	ctx := l.asUser(l.c.registrars[0])
	last := calendar.DateOf(l.end)
	for i := screeningMonths - 1; i >= 0; i-- {
		first := calendar.MakeDate(last.Year, last.Month-time.Month(i), 1)
		l.db.Now = func() time.Time { return first.Time().Add(9 * time.Hour) }
		r := &xinfang.ScreeningRound{UnitID: l.c.root.ID, Period: fmt.Sprintf("%04d-%02d", first.Year, first.Month), DueOn: calendar.MakeDate(first.Year, first.Month, 25),
			Note: "请各镇（街道）、村（社区）于 25 日前报送本月矛盾纠纷排查情况，无矛盾纠纷的报送零报告。"}
		if err := l.db.Screening.CreateRound(ctx, r); err != nil {
			return fmt.Errorf("screening round %s: %w", r.Period, err)
		}
		l.rounds[r.Period] = r
	}
	return nil
}

// registerStory registers a story's petition: one found by screening
// (排查发现) through the report of its month, the others directly.
func (l *loader) registerStory(p *plan) error {
	ctx := l.asUser(p.registrar)
	unit := p.place
	if unit == nil && p.town != nil {
		unit = p.town.unit
	}
	if p.channel != xinfang.ChannelScreening || unit == nil || !sees(p.registrar, unit) {
		return l.db.Petitions.RegisterPetition(ctx, p.pt)
	}
	d := dice{rand.New(rand.NewPCG(p.seed, 0x5343_5245))}
	found := calendar.DateOf(p.pt.ReceivedAt)
	r := l.report(d, p.town, unit, found)
	r.Summary, r.Category, r.Parties = p.pt.Summary, p.pt.Category, petitionerName(p.pt)+"等"
	if p.pt.RiskLevel != "" {
		r.RiskLevel = p.pt.RiskLevel
	}
	if err := l.db.Screening.CreateReport(ctx, r); err != nil {
		return fmt.Errorf("screening report: %w", err)
	}
	_, err := l.db.Screening.RegisterFromReport(ctx, r.ID, r.Version, p.pt)
	return err
}

// sees reports whether u's data scope holds unit.
func sees(u *xinfang.User, unit *xinfang.Unit) bool {
	s := xinfang.ScopeOf(u)
	return !s.None && (s.All || strings.HasPrefix(unit.Path, s.UnitPath))
}

var screeningMatters = []struct{ summary, parties string }{
	{"两户村民因宅基地边界发生争执，多次争吵", "村民甲、村民乙"},
	{"土地承包经营权流转合同到期，租金标准有分歧", "承包户、流转合作社"},
	{"邻里因排水沟渠堵塞产生纠纷", "相邻两户"},
	{"家庭成员因赡养老人费用分担产生矛盾", "兄弟三人"},
	{"小区物业服务收费与业主意见不一", "业主代表、物业公司"},
	{"工程完工后班组工资结算有争议", "务工人员、施工班组长"},
	{"养殖场异味影响周边住户", "周边住户、养殖户"},
	{"山林权属界线不清，两组村民各执一词", "一组、三组村民"},
	{"婚姻家庭纠纷，一方扬言过激行为", "夫妻双方"},
	{"征地青苗补偿分配有异议", "部分村民、村委会"},
}

var settleNotes = map[xinfang.ScreeningLevel]string{
	xinfang.LevelVillage: "村调委会、网格员上门调解，双方达成一致，矛盾就地化解。",
	xinfang.LevelTown:    "镇综治中心组织司法所、派出所联合调处，双方签订调解协议。",
	xinfang.LevelCity:    "市级相关部门会同镇村现场协调，依法依政策予以解决。",
}

// report is a report of unit in town found on day, due within a month,
// in the round of its month.
func (l *loader) report(d dice, t *town, unit *xinfang.Unit, found calendar.Date) *xinfang.ScreeningReport {
	m := oneOf(d, screeningMatters)
	owner := "网格员"
	if t != nil && t.handler != nil {
		owner = t.handler.Name
	}
	r := &xinfang.ScreeningReport{UnitID: unit.ID, Source: xinfang.ScreeningSource(oneOf(d, xinfang.ScreeningSources).Code), FoundOn: found,
		Summary: m.summary, Parties: m.parties, Place: unit.Name, Category: oneOf(d, []string{"0501", "1301", "1501", "1204"}),
		RiskLevel: oneOf(d, []xinfang.RiskLevel{xinfang.RiskLow, xinfang.RiskLow, xinfang.RiskMedium, xinfang.RiskHigh}), Owner: owner, DueOn: found.AddDays(d.between(10, 30))}
	if round := l.rounds[fmt.Sprintf("%04d-%02d", found.Year, found.Month)]; round != nil && (unit.Kind == xinfang.UnitVillage || unit.Kind == xinfang.UnitTown) {
		r.RoundID = round.ID
	}
	return r
}

// screening files the month's reports of the towns and villages, settles
// most of them, and the nil returns of the rest.
func (l *loader) screening() error {
	d := dice{rand.New(rand.NewPCG(2026, 0x5343_524e))}
	last := calendar.DateOf(l.end)
	for i := screeningMonths - 1; i >= 0; i-- {
		first := calendar.MakeDate(last.Year, last.Month-time.Month(i), 1)
		for k := d.between(2, 4); k > 0; k-- {
			t := oneOf(d, l.c.towns)
			unit := t.unit
			if len(t.places) > 0 && d.chance(75) {
				unit = oneOf(d, t.places)
			}
			found := first.AddDays(d.IntN(24))
			if found.After(last) {
				continue
			}
			l.db.Now = func() time.Time { return found.Time().Add(10 * time.Hour) }
			ctx := l.asUser(t.handler)
			r := l.report(d, t, unit, found)
			if err := l.db.Screening.CreateReport(ctx, r); err != nil {
				return fmt.Errorf("screening report: %w", err)
			}
			if i < 2 && d.chance(50) {
				continue // still open; some past their deadline
			}
			level := xinfang.LevelVillage
			switch x := d.IntN(100); {
			case r.Level == xinfang.LevelTown && x < 85, r.Level == xinfang.LevelVillage && x >= 70 && x < 95:
				level = xinfang.LevelTown
			case r.Level == xinfang.LevelTown, x >= 95:
				level = xinfang.LevelCity
			}
			on := found.AddDays(d.between(1, 20))
			if on.After(last) {
				on = last
			}
			l.db.Now = func() time.Time { return on.Time().Add(15 * time.Hour) }
			if _, err := l.db.Screening.SettleReport(ctx, r.ID, xinfang.ScreeningSettlement{Version: r.Version, Level: level, SettledOn: on, Note: settleNotes[level]}); err != nil {
				return fmt.Errorf("settle %s: %w", r.Number, err)
			}
		}
	}
	return l.nilReturns(d)
}

// nilReturns files the nil returns of the units that found nothing: all
// of them in the older rounds, but for two towns in the last three closed
// rounds, and about half in the running month's.
func (l *loader) nilReturns(d dice) error {
	ctx := l.asUser(l.c.registrars[0])
	last := calendar.DateOf(l.end)
	missing := map[int64]bool{l.c.towns[5].unit.ID: true, l.c.towns[8].unit.ID: true}
	for i := screeningMonths - 1; i >= 0; i-- {
		first := calendar.MakeDate(last.Year, last.Month-time.Month(i), 1)
		r := l.rounds[fmt.Sprintf("%04d-%02d", first.Year, first.Month)]
		on := r.DueOn.AddDays(-2)
		if on.After(last) {
			on = last
		}
		l.db.Now = func() time.Time { return on.Time().Add(11 * time.Hour) }
		got, err := l.db.Screening.FindRoundByID(ctx, r.ID)
		if err != nil {
			return err
		}
		var ids []int64
		for _, u := range got.Missing() {
			switch {
			case r.DueOn.After(last) && d.chance(50):
			case !r.DueOn.After(last) && i <= 3 && missing[u.UnitID]:
			default:
				ids = append(ids, u.UnitID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		if _, err := l.db.Screening.FileNilReturns(ctx, r.ID, ids); err != nil {
			return fmt.Errorf("nil returns %s: %w", r.Period, err)
		}
	}
	return nil
}

var decisions = []struct {
	decision, body, unit string // unit: a town's key or a department's
	level                xinfang.RiskLevel
	conclusion           xinfang.RiskConclusion
	risks, measures      string
}{
	{"城东街道老旧小区改造（东门片区）", "城东街道办事处", "cd", xinfang.RiskMedium, "with_measures", "施工期间出行不便；加装电梯费用分摊争议", "分楼栋召开居民议事会；公示费用分摊方案；设立临时停车点"},
	{"青山镇李家湾村土地征收", "示范市人民政府", "qs", xinfang.RiskHigh, "with_measures", "补偿标准低于周边项目引发攀比；部分农户安置意愿不一", "按区片综合地价补偿并公开；一户一策安置；律师驻点答疑"},
	{"河口镇渔场村养殖水面退养", "河口镇人民政府", "hk", xinfang.RiskHigh, "postpone", "养殖户转产无着；补助资金未落实", "补助资金落实前暂缓实施，先行开展转产培训"},
	{"城区公交线路优化调整", "示范市交通运输局", "jtj", xinfang.RiskLow, "proceed", "个别站点撤并影响老年人出行", "保留主要站点，开通社区微循环线路"},
	{"中小学学区划分调整", "示范市教育局", "jyj", xinfang.RiskMedium, "with_measures", "部分家长对划片不满；房价预期影响", "提前一年公布；设置过渡期；开通咨询热线"},
	{"柳林镇垃圾中转站选址建设", "柳林镇人民政府", "ll", xinfang.RiskHigh, "reject", "选址距居民点过近；群众反对强烈", "另行选址并重新评估"},
	{"城镇职工医保门诊统筹政策调整", "示范市人民政府", "wjw", xinfang.RiskMedium, "with_measures", "个人账户划入减少引发退休人员不满", "加强政策解读；门诊报销比例同步提高"},
	{"石桥镇老街村集体经营性建设用地入市", "石桥镇人民政府", "sq", xinfang.RiskMedium, "with_measures", "收益分配方案争议", "村民代表大会表决分配方案并公示"},
	{"白鹤镇工业园区扩区", "示范市人民政府", "bh", xinfang.RiskHigh, "postpone", "环境影响担忧；拆迁户诉求集中", "完成环评公众参与后再行决策"},
	{"城南街道农贸市场搬迁", "城南街道办事处", "cn", xinfang.RiskMedium, "with_measures", "摊主经营损失；新市场租金", "新市场前两年租金减半；保留原址过渡摊位"},
	{"双河镇河道采砂整治", "双河镇人民政府", "sh", xinfang.RiskLow, "proceed", "少数采砂户收入减少", "引导转产，提供公益性岗位"},
	{"最低生活保障标准调整", "示范市民政局", "mzj", xinfang.RiskLow, "proceed", "个别家庭认定变化", "复核认定并告知救济途径"},
	{"新集镇撤并村小学", "示范市教育局", "xj", xinfang.RiskMedium, "with_measures", "学生上学路途变远；家长担心安全", "开通校车；保留教学点一年"},
	{"城西街道背街小巷停车收费", "城西街道办事处", "cx", xinfang.RiskLow, "with_measures", "居民停车成本增加", "居民包月优惠；夜间免费时段"},
	{"退役军人安置政策落实方案", "示范市退役军人事务局", "tyjr", xinfang.RiskMedium, "with_measures", "历史遗留问题诉求集中", "逐人建档，一人一策；定期走访"},
}

// riskAssessments records the demo's 稳评, spread over the three years,
// and links to a few of them later petitions of the same town.
func (l *loader) riskAssessments(plans []*plan) error {
	d := dice{rand.New(rand.NewPCG(2026, 0x5750_4747))}
	towns := map[string]*town{}
	for _, t := range l.c.towns {
		towns[t.spec.key] = t
	}
	linked := 0
	for i, x := range decisions {
		unit, user := l.c.units[x.unit], l.c.heads[x.unit]
		if t := towns[x.unit]; t != nil {
			unit, user = t.unit, t.head
		}
		if unit == nil || user == nil {
			continue
		}
		assessed := calendar.DateOf(l.end).AddDays(-(30 + i*70 + d.IntN(20)))
		decided := assessed.AddDays(d.between(7, 30))
		if x.conclusion == "postpone" || x.conclusion == "reject" || decided.After(calendar.DateOf(l.end)) {
			decided = calendar.Date{}
		}
		l.db.Now = func() time.Time { return assessed.AddDays(40).Time().Add(10 * time.Hour) }
		if l.db.Now().After(l.end) {
			l.db.Now = func() time.Time { return l.end }
		}
		a := &xinfang.RiskAssessment{Decision: x.decision, Body: x.body, UnitID: unit.ID, Risks: x.risks, Measures: x.measures, Level: x.level,
			Conclusion: x.conclusion, Reviewers: user.Name + "、司法局法律顾问、相关部门负责人、群众代表", AssessedOn: assessed, DecidedOn: decided}
		if err := l.db.Risks.SaveRiskAssessment(l.asUser(user), a); err != nil {
			return fmt.Errorf("risk assessment %q: %w", x.decision, err)
		}
		if towns[x.unit] == nil || linked >= 5 {
			continue
		}
		// Petitions of the town after the decision follow it.
		n, most := 0, 1+d.IntN(3)
		for _, p := range plans {
			if p.id == 0 || p.town != towns[x.unit] || p.m.purpose == xinfang.PurposeAccusation || calendar.DateOf(p.reg).Before(assessed) || n >= most {
				continue
			}
			l.db.Now = func() time.Time { return l.end }
			if _, err := l.db.Risks.LinkPetition(l.asUser(l.c.registrars[0]), a.ID, p.id, false); err != nil {
				return fmt.Errorf("link petition to %s: %w", a.Number, err)
			}
			n++
		}
		if n > 0 {
			linked++
		}
	}
	return nil
}
