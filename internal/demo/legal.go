package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// 涉法涉诉 and the lawyers on duty in the demo: law- and litigation-
// related letters of the last half year (one petition in forty, eighteen
// at most, counted in Options.Petitions), screened by the
// bureau and transferred to the 公安局, 检察院, 法院 or 司法局 — some with a
// case number and an outcome, some waiting past 30 days without one (they
// warn), one screened and waiting for its transfer, one found not
// law-related; and a year of the lawyers' rota at the bureau's hall and
// two towns (four lawyers, two weeks changed), with the reception records
// of the bureau's hall, a few linked to the petitions and the 法律意见书
// of the lawyer who is assigned to them.

// legalLetter is one kind of 涉法涉诉 letter and the body it goes to.
type legalLetter struct {
	body, summary, content, request string
	org                             string // an organisation's kind of name when it writes
}

var legalKinds = []legalLetter{
	{"fy", "不服一审民事判决，要求重新审理", "信访人反映：其与邻居宅基地纠纷一案经市人民法院一审判决，认为判决认定事实错误，要求信访部门督促法院重新审理。", "撤销原判，重新审理", ""},
	{"fy", "胜诉判决长期未执行", "信访单位反映：其与某建材公司买卖合同纠纷胜诉已两年，被执行人拒不履行，申请执行后至今未执行到位。", "尽快执行到位", "商贸有限公司"},
	{"gaj", "报案后公安机关未立案", "信访人反映：其被他人以投资为名骗取 12 万元，向派出所报案后至今未予立案，要求公安机关依法立案侦查。", "依法立案侦查，追回损失", ""},
	{"gaj", "对交通事故责任认定不服", "信访人反映：其子在交通事故中受伤，认为交警部门作出的事故责任认定不公，要求重新认定。", "重新认定事故责任", ""},
	{"jcy", "不服不起诉决定", "信访人反映：其被殴打致轻伤，检察院对犯罪嫌疑人作出不起诉决定，信访人不服，要求追究刑事责任。", "撤销不起诉决定", ""},
	{"sfj", "对行政处罚决定不服", "信访人反映：其经营的小超市被市场监管部门罚款 2 万元，认为处罚过重，要求撤销处罚。", "撤销行政处罚决定", ""},
}

// legalOutcome is how a letter stands at the end of the demo.
type legalOutcome int

const (
	outcomeClosed        legalOutcome = iota // 立案 and 审结
	outcomeFiled                             // 立案
	outcomeNotFiled                          // 不予立案
	outcomeWaitingOld                        // no case number, transferred more than 30 days ago
	outcomeWaitingRecent                     // no case number, transferred lately
	outcomeScreenedOnly                      // screened, not transferred yet
	outcomeNotLegal                          // screened as no legal matter
)

// legalSequence is the outcome of the i-th letter, the most telling first,
// and how many days before the end it is registered (lo, hi).
var legalSequence = []struct {
	o      legalOutcome
	lo, hi int
}{
	{outcomeClosed, 110, 190}, {outcomeWaitingOld, 40, 110}, {outcomeFiled, 50, 150}, {outcomeNotFiled, 40, 120}, {outcomeScreenedOnly, 2, 6},
	{outcomeNotLegal, 1, 5}, {outcomeWaitingOld, 40, 110}, {outcomeClosed, 110, 190}, {outcomeFiled, 50, 150}, {outcomeWaitingRecent, 8, 25},
	{outcomeWaitingOld, 40, 110}, {outcomeClosed, 110, 190}, {outcomeFiled, 50, 150}, {outcomeNotFiled, 40, 120}, {outcomeWaitingOld, 40, 110},
	{outcomeClosed, 110, 190}, {outcomeWaitingRecent, 8, 25}, {outcomeFiled, 50, 150},
}

// legalLetters is how many of n demo petitions are the 涉法涉诉 letters
// of this file (the stories tell the others): one in forty, at most a
// sequence.
func legalLetterCount(n int) int { return min(n/40, len(legalSequence)) }

func (l *loader) legal(k int) error {
	d := dice{rand.New(rand.NewPCG(2026, 0x4c45_4741))}
	defer func(now func() time.Time) { l.db.Now = now }(l.db.Now)
	registrar := l.c.registrars[0]
	rctx := l.asUser(registrar)
	for i := 0; i < k; i++ {
		seq := legalSequence[i]
		letter := legalKinds[i%len(legalKinds)]
		t := l.towns(i)
		place := t.places[d.IntN(len(t.places))]
		// Older items first: the later ones wait for a case number lately.
		reg := l.daysBeforeEnd(d, d.between(seq.lo, seq.hi))
		l.db.Now = func() time.Time { return reg }
		pt := &xinfang.Petition{Channel: xinfang.ChannelLetter, Category: "1801", Purpose: xinfang.PurposeClaim, System: "03", Reason: "03",
			LocalityID: place.ID, PersonCount: 1, ReceivedAt: reg.Add(-time.Duration(d.between(20, 60)) * time.Hour),
			Summary: letter.summary, Content: letter.content, Request: letter.request}
		address := place.Name + itoa(d.between(1, 9)) + "组" + itoa(d.between(1, 60)) + "号"
		if letter.org != "" {
			// A company that won its case and cannot have it executed.
			pt.Petitioner = l.pp.organisation("示范市"+d.pick(companyWords)+letter.org, "91", address)
		} else {
			pt.Petitioner = l.pp.person(reg, address, false)
		}
		if err := l.db.Petitions.RegisterPetition(rctx, pt); err != nil {
			return fmt.Errorf("legal petition: %w", err)
		}
		screenAt := reg.Add(time.Duration(d.between(60, 300)) * time.Minute)
		l.db.Now = func() time.Time { return screenAt }
		s := xinfang.LegalScreening{PetitionID: pt.ID, Version: pt.Version, Finding: xinfang.FindingLegal,
			Reason: "信访人反映的问题已进入或应当通过" + map[string]string{"fy": "诉讼、执行程序", "gaj": "公安机关立案、侦查程序", "jcy": "检察程序", "sfj": "行政复议程序"}[letter.body] + "解决，属涉法涉诉事项"}
		if seq.o == outcomeNotLegal {
			s.Finding, s.Reason = xinfang.FindingNotLegal, "信访人反映的是行政机关履职问题，不涉及诉讼，按一般信访事项办理"
		}
		ref, err := l.db.Legal.ScreenLegal(rctx, s)
		if err != nil {
			return fmt.Errorf("legal screening: %w", err)
		}
		if seq.o == outcomeScreenedOnly || seq.o == outcomeNotLegal {
			continue
		}
		transferAt := l.office(d, screenAt.Add(time.Duration(d.between(1, 3))*24*time.Hour))
		l.db.Now = func() time.Time { return transferAt }
		body := l.c.units[letter.body]
		if ref, err = l.db.Legal.TransferLegal(rctx, ref.ID, xinfang.LegalTransfer{Version: ref.Version, UnitID: body.ID, Note: "请依法处理并反馈立案、办理情况"}); err != nil {
			return fmt.Errorf("legal transfer: %w", err)
		}
		recorder := l.c.handlers[letter.body]
		if d.chance(30) {
			recorder = l.c.bureauHead // the bureau links what the body reported by phone
		}
		rec := func(st xinfang.JudicialStatus, after int, number, result string) error {
			on := calendar.DateOf(transferAt).AddDays(after)
			at := l.office(d, on.Time().Add(9*time.Hour))
			if at.After(l.end) {
				at = l.end
			}
			l.db.Now = func() time.Time { return at }
			var err error
			ref, err = l.db.Legal.RecordJudicial(l.asUser(recorder), ref.ID, xinfang.JudicialRecord{Version: ref.Version, Status: st, CaseNumber: number, On: calendar.DateOf(at), Result: result})
			return err
		}
		number := fmt.Sprintf("（%d）示%s第 %d 号", calendar.DateOf(transferAt).Year,
			map[string]string{"fy": "民初", "gaj": "公刑立字", "jcy": "检刑不诉", "sfj": "复字"}[letter.body], 100+i*7)
		switch seq.o {
		case outcomeClosed:
			if err = rec(xinfang.JudicialFiled, d.between(5, 20), number, ""); err == nil {
				err = rec(xinfang.JudicialClosed, d.between(40, 70), "", map[string]string{"fy": "判决已生效，被执行人履行完毕", "gaj": "侦查终结，移送审查起诉",
					"jcy": "经复查维持不起诉决定，已向信访人释法说理", "sfj": "复议决定变更罚款为 5000 元"}[letter.body])
			}
		case outcomeFiled:
			err = rec(xinfang.JudicialFiled, d.between(5, 25), number, "")
		case outcomeNotFiled:
			err = rec(xinfang.JudicialNotFiled, d.between(10, 28), "", "经审查不符合立案条件，已书面告知信访人并释明其他救济途径")
		}
		if err != nil {
			return fmt.Errorf("judicial record: %w", err)
		}
	}
	return l.lawyerDuty(d)
}

// towns returns the i-th town, round the list.
func (l *loader) towns(i int) *town { return l.c.towns[i%len(l.c.towns)] }

// lawyerDuty plans a year of the rota and writes the bureau hall's
// reception records.
func (l *loader) lawyerDuty(d dice) error {
	head := l.asUser(l.c.bureauHead)
	hall := l.c.units["xfj"]
	points := []int64{hall.ID, l.towns(0).unit.ID, l.towns(1).unit.ID}
	today := calendar.DateOf(l.end)
	req := xinfang.RotaRequest{PointIDs: points, From: today.AddDays(-364), To: today.AddDays(8 * 7)}
	if _, err := l.db.LawyerDuty.GenerateRota(head, req); err != nil {
		return fmt.Errorf("rota: %w", err)
	}
	weeks, _, err := l.db.LawyerDuty.FindDutyWeeks(head, xinfang.DutyFilter{PointID: hall.ID, Limit: 500})
	if err != nil {
		return err
	}
	lawyers, err := l.db.LawyerDuty.Lawyers(head)
	if err != nil {
		return err
	}
	byID := map[int64]*xinfang.User{}
	for _, u := range lawyers {
		byID[u.ID] = u
	}
	// Two weeks change hands (调班), a few months ago.
	for _, i := range []int{20, 33} {
		w := weeks[i]
		all, _, err := l.db.LawyerDuty.FindDutyWeeks(head, xinfang.DutyFilter{From: w.WeekStart, To: w.WeekStart})
		if err != nil {
			return err
		}
		busy := map[int64]bool{}
		for _, x := range all {
			busy[x.LawyerID] = true
		}
		for _, u := range lawyers {
			if !busy[u.ID] {
				at := l.office(d, w.WeekStart.AddDays(-3).Time())
				l.db.Now = func() time.Time { return at }
				if weeks[i], err = l.db.LawyerDuty.SwapDuty(head, w.ID, xinfang.DutySwap{Version: w.Version, LawyerID: u.ID, Reason: "原值班律师当周出庭，与" + u.Name + "调换"}); err != nil {
					return fmt.Errorf("swap: %w", err)
				}
				break
			}
		}
	}
	// The hall's records: one or two receptions in each week gone by.
	main := l.c.users["lawyer"]
	var assigned []int64
	if as, err := l.db.Assignments.FindAssignments(l.asUser(main), xinfang.AssignmentFilter{Mine: true, Active: true}); err == nil {
		for _, a := range as {
			if a.PetitionID != 0 {
				assigned = append(assigned, a.PetitionID)
			}
		}
	}
	opinions, _ := l.db.Opinions.FindLegalOpinions(l.asUser(main), 0)
	linked := 0
	for _, w := range weeks {
		if !w.WeekStart.AddDays(4).Before(today) {
			break
		}
		lawyer := byID[w.LawyerID]
		for k := 0; k < 1+d.IntN(4)/3; k++ {
			m := receptionMatters[d.IntN(len(receptionMatters))]
			on := w.WeekStart.AddDays(d.IntN(5))
			at := l.office(d, on.Time().Add(time.Duration(9*60+d.IntN(420))*time.Minute))
			l.db.Now = func() time.Time { return at }
			r := &xinfang.DutyReception{PointID: hall.ID, ReceivedOn: calendar.DateOf(at), Visitors: l.pp.person(at, "", false).Name + map[bool]string{true: "等 3 人", false: ""}[d.chance(15)],
				Matter: m.matter, Advice: m.advice, Diverted: m.route != "", Route: m.route}
			if lawyer.ID == main.ID && linked < len(assigned) && linked < 4 {
				r.PetitionID = assigned[linked]
				for _, o := range opinions {
					if o.PetitionID == r.PetitionID {
						r.OpinionID = o.ID
					}
				}
				linked++
			}
			if err := l.db.LawyerDuty.CreateReception(l.asUser(lawyer), r); err != nil {
				return fmt.Errorf("reception: %w", err)
			}
		}
	}
	return nil
}

var receptionMatters = []struct {
	matter, advice string
	route          xinfang.LegalRoute
}{
	{"拖欠工资，用工单位拒不支付", "属劳动争议，建议向劳动人事争议仲裁委员会申请仲裁，并告知仲裁时效为一年", xinfang.RouteArbitration},
	{"邻里宅基地界址纠纷", "建议先由村委会调解；调解不成可向镇政府申请确权或向法院起诉", xinfang.RouteLitigation},
	{"对征收补偿决定不服", "可在知道决定之日起六十日内申请行政复议，或六个月内提起行政诉讼", xinfang.RouteReconsideration},
	{"被他人借款不还", "属民间借贷纠纷，建议收集借条、转账记录后向法院起诉，诉讼时效三年", xinfang.RouteLitigation},
	{"咨询离婚后子女抚养费", "讲解抚养费的确定标准及变更程序，建议协商不成向法院起诉", xinfang.RouteLitigation},
	{"反映遭受诈骗", "建议携带证据向公安机关报案，并告知不予立案时可申请复议或请求检察监督", xinfang.RoutePolice},
	{"工伤认定后赔偿未落实", "讲解工伤保险待遇项目，建议申请劳动仲裁", xinfang.RouteArbitration},
	{"物业费争议", "讲解物业服务合同的权利义务，建议与物业公司协商，已当场释明", ""},
	{"咨询土地承包经营权流转", "讲解《农村土地承包法》有关规定，信访人表示理解", ""},
	{"对判决不服又超过上诉期", "释明可向上级法院申请再审的条件和期限，引导通过审判监督程序解决", xinfang.RouteLitigation},
}
