package demo

import (
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// caseText writes the records of one case from the story of its lead
// petition: the same people, places, facts and answers, so that the case
// reads as the continuation of its petitions.
type caseText struct {
	s     *tale
	cp    *cplan
	v     vars
	vr    *variant
	m     *matter
	town  *town
	cadre string // the village or community party secretary
}

func newCaseText(s *tale, cp *cplan) *caseText {
	p := cp.lead
	return &caseText{s: s, cp: cp, v: p.v, vr: p.variant, m: p.m, town: p.town, cadre: personName(s.dice)}
}

// matterText is the matter as a phrase: "李家湾村征地补偿款未足额发放".
func (t *caseText) matterText() string {
	sum := strings.TrimPrefix(t.cp.lead.pt.Summary, "再次")
	sum = strings.TrimPrefix(sum, "反映")
	return strings.TrimSuffix(sum, "问题")
}

// names lists the distinct petitioners of the case's items, the lead first.
func (t *caseText) names() (names []string, people int) {
	seen := map[string]bool{}
	pts := []*xinfang.Petition{t.cp.lead.pt}
	for _, p := range t.cp.items {
		pts = append(pts, p.pt)
	}
	for _, pt := range pts {
		if pt.Petitioner == nil {
			continue
		}
		for _, who := range append([]*xinfang.Petitioner{pt.Petitioner}, pt.CoPetitioners...) {
			if !seen[who.Name] {
				seen[who.Name] = true
				names = append(names, who.Name)
			}
		}
		people = max(people, pt.PersonCount)
	}
	return names, max(people, len(names))
}

// petitioners is the subject of the case (包案对象).
func (t *caseText) petitioners() string {
	names, people := t.names()
	if len(names) > 3 || people > len(names) {
		return strings.Join(names[:min(3, len(names))], "、") + "等 " + itoa(people) + " 人"
	}
	return strings.Join(names, "、")
}

func (t *caseText) title() string {
	names, people := t.names()
	who := names[0]
	if people > 1 {
		who += "等 " + itoa(people) + " 人"
	}
	place := t.town.spec.name
	if t.cp.lead.pt.Petitioner.Org {
		place = ""
	}
	return clip(place+who+"反映"+t.matterText()+"问题", 200)
}

var sourceLines = map[xinfang.CaseSource]string{
	xinfang.CaseSourceCentral:  "国家信访局交办件。",
	xinfang.CaseSourceProvince: "省信访局交办件。",
	xinfang.CaseSourceCity:     "市信访工作联席会议组织矛盾纠纷集中排查时列为积案。",
	xinfang.CaseSourceSelf:     "责任单位自行梳理的信访积案。",
	xinfang.CaseSourceRepeat:   "同一事项重复信访三次以上，列为信访积案。",
}

// summary is the 基本案情: where the case comes from, what the petitioner
// says, and its petitions.
func (t *caseText) summary() string {
	var b strings.Builder
	b.WriteString(sourceLines[t.cp.source])
	b.WriteString(t.cp.lead.pt.Content)
	if items := t.cp.items; len(items) > 1 {
		var nums []string
		for _, p := range items {
			if f := t.s.l.final[p.id]; f != nil {
				nums = append(nums, f.Number)
			}
		}
		b.WriteString("自" + calendar.DateOf(items[0].reg).String() + "以来，就此事共信访 " + itoa(len(items)) + " 次（" + strings.Join(nums, "、") + "）。")
	}
	if e := t.cp.lead.escalation; e != "" {
		b.WriteString(map[xinfang.Escalation]string{xinfang.EscalationProvince: "信访人曾赴省走访。", xinfang.EscalationBeijing: "信访人曾进京走访。"}[e])
	}
	return b.String()
}

func (t *caseText) stability() string {
	town, handler := t.town.spec.name, t.cp.handler.Name
	names, people := t.names()
	if people >= 5 {
		return "针对群体性诉求，由" + town + "牵头组建稳控小组，分片包保到人，逐户做好思想工作，重点做好牵头人" + names[0] +
			"的教育引导；提前研判聚集风险，制定应急处置预案，确保不发生群体性事件和越级集体访。"
	}
	return t.s.pick([]string{
		"由" + town + "明确专人对信访人实行“一对一”包保，承办人" + handler + "每周至少联系一次，掌握思想动态；重要节点和敏感时期前当面走访，发现赴省进京苗头立即报告并就地化解；同时协调解决信访人家庭实际困难，防止矛盾激化。",
		town + "会同" + t.v["{村}"] + "“两委”落实稳控责任人（" + t.cadre + "），建立“日联系、周走访、月研判”机制；对信访人开展心理疏导，必要时邀请律师释法明理；信访人如有越级走访动向，由属地第一时间劝返，不得采取限制人身自由等违法措施。",
		"落实“一名领导、一个专班、一套方案、一抓到底”的稳控责任：包案领导每月听取一次汇报，工作专班每半月走访一次信访人；及时回应信访人的合理关切，对其提出的新问题当场登记、限时答复，避免引发新的信访。",
	})
}

// team is the 工作专班: the responsible unit's head and handler, the
// village's party secretary, the town where the unit is a department, and
// for some cases the city's lawyer and expert.
func (t *caseText) team() []xinfang.CaseMember {
	cp, c := t.cp, t.s.l.c
	team := []xinfang.CaseMember{
		{UserID: cp.head.ID, Role: "组长"},
		{UserID: cp.handler.ID, Role: "副组长、具体承办"},
	}
	if cp.unit.ID != t.town.unit.ID {
		team = append(team, xinfang.CaseMember{UserID: t.town.handler.ID, Role: "成员（属地稳控）"})
	}
	team = append(team, xinfang.CaseMember{Name: t.cadre, Role: "成员（" + t.v["{村}"] + "党支部书记）"})
	for _, key := range t.m.units {
		if u := c.units[key]; key != "town" && u.ID != cp.unit.ID {
			team = append(team, xinfang.CaseMember{UserID: c.handlers[key].ID, Role: "成员（" + u.Name + "）"})
			break
		}
	}
	if t.s.chance(55) || t.m.legal {
		team = append(team, xinfang.CaseMember{UserID: c.users["lawyer"].ID, Role: "法律顾问"})
	}
	if t.s.chance(30) {
		team = append(team, xinfang.CaseMember{UserID: c.users["expert"].ID, Role: "政策咨询专家"})
	}
	return team
}

func (t *caseText) instruction(late bool) string {
	unit := t.cp.unit.Name
	if late {
		return t.s.pick([]string{
			"此案化解进度滞后，方案中的步骤未按期完成。请" + unit + "主要负责人亲自过问，逐项倒排时间，一周内报告整改情况。",
			"请市信访局加强督办。" + unit + "要正视问题，查找原因，确保在化解时限内案结事了，不得以稳代解。",
		})
	}
	return t.s.pick([]string{
		"此案群众反映强烈，请" + unit + "高度重视，工作专班要逐项对照方案抓落实，每月报告一次进展。",
		"要坚持问题导向，查清事实、依法依规解决群众合理诉求，做到案结事了、息诉罢访。请" + unit + "抓紧研究。",
		"请" + unit + t.with() + "认真核查，对合理诉求要解决到位，对不合理诉求要做好解释疏导，同时落实帮扶救助措施。",
	})
}

// with names the town beside a department: "会同青山镇".
func (t *caseText) with() string {
	if t.cp.unit.ID == t.town.unit.ID {
		return ""
	}
	return "会同" + t.town.spec.name
}

// consultation is a 会诊 on the date; the second one brings in lawyers and
// experts again on what the first left open.
func (t *caseText) consultation(on calendar.Date, second bool) *xinfang.Consultation {
	c := t.s.l.c
	names, _ := t.names()
	att := []xinfang.Attendee{
		{Kind: xinfang.AttendeePetitioner, Name: names[0]},
		{Kind: xinfang.AttendeeUnit, Name: t.cp.unit.Name},
		{Kind: xinfang.AttendeeUnit, Name: "示范市信访局"},
	}
	if t.cp.unit.ID != t.town.unit.ID {
		att = append(att, xinfang.Attendee{Kind: xinfang.AttendeeUnit, Name: t.town.spec.name})
	}
	att = append(att, xinfang.Attendee{Kind: xinfang.AttendeeLawyer, Name: c.users["lawyer"].Name + "（示范市法律援助中心）"})
	if t.s.chance(50) || second {
		att = append(att, xinfang.Attendee{Kind: xinfang.AttendeeLawyer, Name: personName(t.s.dice) + "（" + t.s.pick([]string{"楚天", "汉江", "明正", "信诚"}) + "律师事务所）"})
	}
	att = append(att, xinfang.Attendee{Kind: xinfang.AttendeeExpert, Name: c.users["expert"].Name + "（市信访事项评议专家）"})
	if second {
		att = append(att, xinfang.Attendee{Kind: xinfang.AttendeeExpert, Name: personName(t.s.dice) + "（省信访专家库专家）"})
	}
	k := &xinfang.Consultation{Date: on, Attendees: att}
	if !second {
		k.Findings = "经会诊，" + strings.TrimPrefix(t.v.fill(t.vr.facts), "经调查，")
		k.Decisions = "依据" + t.m.basis + "，会诊认为：" + t.decision() + "由工作专班据此制定化解方案，明确责任人和完成时限。"
		return k
	}
	k.Findings = "化解方案已落实" + itoa(t.s.between(2, 3)) + "项措施，信访人仍对" + t.matterText() + "的处理有顾虑，主要是担心承诺不能兑现。"
	k.Decisions = "一是由律师向信访人当面释法明理，出具法律意见书；二是" + t.s.pick([]string{"处理结果书面送达并在村务公开栏公示", "责任单位出具书面承诺并明确兑现时间", "邀请人大代表、政协委员参与见证"}) + "；三是属地落实帮扶措施，巩固化解成果。"
	return k
}

// decision is what the case comes to, in the words of the petitions'
// answers.
func (t *caseText) decision() string {
	switch t.cp.outcome {
	case "support":
		return "信访人的诉求有事实和政策依据，应予支持。" + t.v.fill(t.vr.support)
	case "explain":
		return t.v.fill(t.vr.explain)
	}
	return t.v.fill(t.vr.reject) + "应依法终结，同时落实帮扶救助，做好教育疏导。"
}

func (t *caseText) progress(stage int) string {
	town := t.town.spec.name
	switch stage {
	case 0:
		return "工作专班已成立，包案领导" + t.s.l.leaderTitle(t.cp.leader) + t.cp.leader.Name + "已听取专题汇报；目前正在调阅档案、约谈信访人，逐项核实反映的问题。信访人情绪总体稳定。"
	case 1:
		return "已完成事实核查，形成调查报告；工作专班入户走访信访人 " + itoa(t.s.between(2, 5)) + " 次，信访人" + t.s.pick([]string{"对调查结论基本认可", "对调查结论仍有异议", "表示等待处理结果"}) + "。下一步按方案落实处理措施。"
	case 2:
		return "化解方案各项措施正在落实：" + clause(t.v.fill(t.vr.explain), 60) + "。" + town + "已落实包保责任人，信访人未再到市以上走访。"
	}
	if t.cp.slow {
		return "化解进度滞后于方案：部分步骤未按期完成，主要原因是" + t.s.pick([]string{"涉及历史遗留问题，相关档案缺失，需进一步调查取证", "需协调多个部门共同研究，政策口径尚未统一", "信访人诉求较高，与政策规定差距较大，思想工作难度大"}) + "。已报请包案领导协调推进。"
	}
	return "各项措施按计划推进，" + t.s.pick([]string{"拟于近期组织回访", "待剩余步骤完成后申请认定已化解", "信访人表示认可，近期未再信访"}) + "。"
}

// steps are the plan (化解方案), owned by the team.
func (t *caseText) steps(consult bool) []*xinfang.PlanStep {
	cp, c := t.cp, t.s.l.c
	matter := t.matterText()
	steps := []*xinfang.PlanStep{{
		Content: "调阅" + matter + "相关档案和政策文件，逐项核实信访人反映的问题，形成事实调查报告",
		OwnerID: cp.handler.ID, Evidence: "事实调查报告 1 份、询问笔录 " + itoa(t.s.between(2, 8)) + " 份",
	}}
	if t.s.chance(70) {
		steps = append(steps, &xinfang.PlanStep{Content: "包案领导带领工作专班入户走访信访人，当面听取诉求，摸清家庭实际困难",
			OwnerID: cp.head.ID, Evidence: "走访记录及照片"})
	}
	if consult {
		steps = append(steps, &xinfang.PlanStep{Content: "组织律师、专家对诉求的合理性、合法性进行分析论证，出具法律意见书",
			OwnerID: c.users["lawyer"].ID, Evidence: "法律意见书 1 份"})
	}
	switch cp.outcome {
	case "support":
		steps = append(steps, &xinfang.PlanStep{Content: "落实处理意见：" + clause(t.v.fill(t.vr.support), 90), OwnerID: cp.head.ID, Evidence: "兑现凭证、书面协议及公示照片"})
	case "explain":
		steps = append(steps, &xinfang.PlanStep{Content: "向信访人当面解释政策并送达书面答复：" + clause(t.v.fill(t.vr.explain), 80), OwnerID: cp.handler.ID, Evidence: "答复意见书及送达回证"})
	default:
		steps = append(steps, &xinfang.PlanStep{Content: "依法出具终结意见并送达信访人，引导其通过法定途径解决", OwnerID: cp.head.ID, Evidence: "终结意见书及送达回证"})
	}
	if t.s.chance(50) || cp.outcome == "terminate" {
		steps = append(steps, &xinfang.PlanStep{Content: "协调落实信访人家庭困难帮扶，将其纳入" + t.town.spec.name + "重点关爱对象",
			Owner: t.cadre, Evidence: "临时救助审批表、帮扶台账"})
	}
	steps = append(steps, &xinfang.PlanStep{Content: "化解后回访信访人，巩固化解成果，防止问题反弹", OwnerID: cp.handler.ID, Evidence: "回访记录"})
	return steps
}

// tasks split the case under 三跨三分离: the person to the place he lives,
// the matter to the unit that has the power, a part to another unit.
func (t *caseText) tasks() []*xinfang.Task {
	cp, c := t.cp, t.s.l.c
	names, _ := t.names()
	list := []*xinfang.Task{
		{Kind: xinfang.TaskPerson, Title: "做好信访人" + names[0] + "的思想疏导和日常稳控，落实家庭困难帮扶", OwnerUnitID: t.town.unit.ID, OwnerUserID: t.town.handler.ID},
		{Kind: xinfang.TaskMatter, Title: "核查" + t.matterText() + "涉及的政策依据和事实，提出处理意见", OwnerUnitID: cp.unit.ID, OwnerUserID: cp.handler.ID},
	}
	if t.s.chance(60) {
		// Another department's part: one the matter concerns, or relief
		// and legal aid, which every case may need.
		keys := []string{"mzj", "sfj"}
		for _, k := range t.m.units {
			if k != "town" && c.units[k].ID != cp.unit.ID {
				keys = append(keys, k, k)
			}
		}
		key := t.s.pick(keys)
		if u := c.units[key]; u.ID != cp.unit.ID {
			what := map[string]string{
				"mzj": "审核信访人家庭临时救助和低保申请", "sfj": "为信访人提供法律援助，引导依法维权",
			}[key]
			if what == "" {
				what = "核查" + t.matterText() + "中涉及本单位职责的事项，书面反馈工作专班"
			}
			list = append(list, &xinfang.Task{Kind: xinfang.TaskUnit, Title: what, OwnerUnitID: u.ID, OwnerUserID: c.handlers[key].ID})
		}
	}
	return list
}

func (t *caseText) releaseReason(task *xinfang.Task) string {
	switch task.Kind {
	case xinfang.TaskPerson:
		return "信访人已迁居外地并书面承诺不再信访，属人稳控工作移交其现居住地，本任务解除。"
	case xinfang.TaskUnit:
		return "经核查，该事项不涉及本单位职责，相关内容已并入化解方案统一办理，本任务解除。"
	}
	return "该事项已并入化解方案的处理步骤统一办理，本任务解除。"
}

func (t *caseText) doneNote(task *xinfang.Task) string {
	switch task.Kind {
	case xinfang.TaskPerson:
		return "已落实包保责任人，每周联系一次；已为信访人家庭申请临时救助。"
	case xinfang.TaskUnit:
		return "已核查完毕并书面回复工作专班。"
	}
	return "已形成核查报告并提出处理意见，报工作专班。"
}

// resolution is the record that verifies the case: the facts, how it
// ended, the petitioner's position and the follow-up visit of the day.
func (t *caseText) resolution(on calendar.Date) xinfang.Resolution {
	r := xinfang.Resolution{Facts: t.v.fill(t.vr.facts), Solution: xinfang.SolutionSolved}
	f := xinfang.FollowupVisit{Date: on, By: t.cp.handler.Name + "、" + t.cadre, How: t.s.pick([]string{"入户回访", "当面回访", "当面回访", "电话回访"}), Settled: true}
	switch t.cp.outcome {
	case "support":
		r.SolutionText = t.v.fill(t.vr.support) + "上述措施已全部落实到位。"
		r.PetitionerPosition = t.s.pick([]string{"信访人对处理结果表示满意，已签订息诉罢访承诺书。", "信访人认可处理结果，表示不再信访。"})
		f.Mood = t.s.pick([]string{"情绪稳定，对工作专班表示感谢", "生活正常，心态平和"})
	case "explain":
		r.SolutionText = t.v.fill(t.vr.explain) + "相关事项已办理完毕。"
		r.PetitionerPosition = "信访人表示理解，认可处理意见，承诺不再重复信访。"
		f.Mood = "情绪稳定"
	default:
		r.Solution = xinfang.SolutionTerminated
		r.SolutionText = t.v.fill(t.vr.reject) + "该事项已依法终结，同时为信访人落实了临时救助和心理疏导。"
		r.PetitionerPosition = "信访人对终结意见仍有保留，但表示今后通过法定途径反映诉求，不再越级走访。"
		f.Mood = "仍有一定情绪，但表示服从处理"
		f.Settled = t.s.chance(60)
	}
	r.Followup = f
	return r
}

func (t *caseText) signNote() string {
	return t.s.pick([]string{
		"经审核，该案事实已查清，问题已解决，信访人息诉罢访，同意销号。",
		"化解材料齐全，回访情况属实，同意销号。请属地继续做好跟踪回访。",
		"同意销号。",
	})
}
