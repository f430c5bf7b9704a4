package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// Society's part in the demo: an expert pool of about fifty, observers of
// every kind (两代表一委员、行业协会、媒体), and the hearings of the 复核
// stories held through the hearings' register, so that each pauses its
// petition's 复核 clock by its own days. The demo accounts "expert" and
// "observer" are in the registers; they and "lawyer" see the hearings they
// sit in.

// societyPool is the registers the stories draw hearing officers from.
type societyPool struct {
	experts   []*xinfang.Expert
	observers []*xinfang.Observer
}

// expertProfiles gives each field the titles and employers of its experts.
var expertProfiles = []struct {
	field     xinfang.ExpertField
	titles    []string
	employers []string
}{
	{"education", []string{"教授", "中学高级教师", "副教授"}, []string{"示范市师范学院", "示范市第一中学", "市教育科学研究院"}},
	{"judicial", []string{"律师", "法学教授", "退休法官"}, []string{"示范律师事务所", "示范市委党校", "市中级人民法院（退休）"}},
	{"environment", []string{"高级工程师", "研究员"}, []string{"市环境科学研究所", "省环境监测中心站"}},
	{"health", []string{"主任医师", "副主任医师"}, []string{"示范市人民医院", "市中医院", "市疾病预防控制中心"}},
	{"land", []string{"高级工程师", "注册土地估价师"}, []string{"市国土空间规划研究中心", "示范土地评估事务所"}},
	{"labor", []string{"劳动争议仲裁员", "高级人力资源管理师"}, []string{"市劳动人事争议仲裁院", "市总工会"}},
	{"construction", []string{"高级工程师", "注册造价工程师"}, []string{"市建筑设计研究院", "市建设工程质量监督站"}},
	{"finance", []string{"高级会计师", "注册会计师"}, []string{"示范会计师事务所", "市财政局（退休）"}},
	{"agriculture", []string{"农业技术推广研究员", "高级农艺师"}, []string{"市农业科学研究院", "市农村经营管理站"}},
	{"psychology", []string{"国家二级心理咨询师", "副主任医师"}, []string{"市精神卫生中心", "市心理健康服务中心"}},
}

var observerSpecs = []struct {
	kind        xinfang.ObserverKind
	affiliation string
}{
	{"party_rep", "市党代表（社区党委书记）"}, {"party_rep", "市党代表（企业职工）"},
	{"deputy", "市人大代表（青山镇）"}, {"deputy", "市人大代表（城东街道）"}, {"deputy", "市人大代表（农民工）"},
	{"cppcc", "市政协委员（法律界）"}, {"cppcc", "市政协委员（医疗卫生界）"},
	{"association", "市律师协会"}, {"association", "市物业管理协会"}, {"association", "市消费者协会"},
	{"media", "示范日报社"}, {"media", "示范广播电视台"},
}

// societyRegisters fills the expert pool and the observers' register, as
// the 联席办, with dice of their own so that the stories draw as before.
func (l *loader) societyRegisters() error {
	d := dice{rand.New(rand.NewPCG(2026, 0x5348_4548))}
	ctx := l.asUser(l.c.jointHead)
	pool := &societyPool{}
	phone := func() string { return fmt.Sprintf("139%08d", d.IntN(100000000)) }
	for i := 0; i < 50; i++ {
		pr := expertProfiles[i%len(expertProfiles)]
		name := d.pick(surnames) + d.pick(append(maleNames[:20:20], femaleNames[:15]...))
		e := &xinfang.Expert{Name: name, Field: pr.field, Title: oneOf(d, pr.titles), Employer: oneOf(d, pr.employers), Phone: phone(), Available: !d.chance(10)}
		if i == 0 {
			// The demo account "expert" is in the pool.
			u := l.c.users["expert"]
			e.Name, e.Field, e.Title, e.Employer, e.UserID, e.Available = u.Name, "labor", "高级人力资源管理师", "市总工会", u.ID, true
		}
		if !e.Available {
			e.Note = "近期外出学习，暂不安排"
		}
		if err := l.db.Society.SaveExpert(ctx, e); err != nil {
			return fmt.Errorf("expert %s: %w", e.Name, err)
		}
		pool.experts = append(pool.experts, e)
	}
	for i, sp := range observerSpecs {
		o := &xinfang.Observer{Name: d.pick(surnames) + d.pick(append(maleNames[:20:20], femaleNames[:15]...)), Kind: sp.kind, Affiliation: sp.affiliation, Phone: phone(), Available: true}
		if i == 3 {
			u := l.c.users["observer"]
			o.Name, o.UserID = u.Name, u.ID
		}
		if err := l.db.Society.SaveObserver(ctx, o); err != nil {
			return fmt.Errorf("observer %s: %w", o.Name, err)
		}
		pool.observers = append(pool.observers, o)
	}
	l.soc = pool
	return nil
}

// hearing holds a 复核 hearing through the register: scheduled by the
// 联席办 with the notice served today, held seven to ten days later, and,
// when end, concluded one to three days after. The petition's events (and
// so its clock) follow from the register; a hearing that would start after
// the demo's present stays scheduled, and the story stops there.
func (s *story) hearing(end bool) {
	if s.done || s.err != nil {
		return
	}
	l, chair := s.l, s.reReviewer()
	notice := s.t
	start := l.office(s.dice, notice.Add(time.Duration(s.between(7, 10))*day))
	summary := []rune(s.p.pt.Summary)
	if len(summary) > 60 {
		summary = append(summary[:60], '…')
	}
	parties := "信访人"
	if pt := s.p.pt.Petitioner; pt != nil && pt.Name != "" {
		parties += "：" + pt.Name
	}
	if s.p.handler != nil && s.p.handler.Unit != nil {
		parties += "\n原办理单位：" + s.p.handler.Unit.Name
	}
	h := &xinfang.Hearing{PetitionID: s.p.id, Subject: "关于“" + string(summary) + "”的复核听证", Place: "示范市信访局听证室",
		ScheduledOn: calendar.DateOf(start), NoticeOn: calendar.DateOf(notice), Public: !s.chance(15), ChairUserID: chair.ID, Parties: parties}
	if !h.Public {
		h.ClosedReason = "涉及个人隐私"
	}
	picked := map[int]bool{}
	officers := 3
	if s.chance(50) {
		officers = 2 // and the lawyer on duty
		h.Participants = append(h.Participants, xinfang.HearingParticipant{Role: xinfang.RoleOfficer, Kind: xinfang.FromLawyer, UserID: l.c.users["lawyer"].ID})
	}
	for len(picked) < officers {
		i := s.IntN(len(l.soc.experts))
		if e := l.soc.experts[i]; e.Available && !picked[i] {
			picked[i] = true
			h.Participants = append(h.Participants, xinfang.HearingParticipant{Role: xinfang.RoleOfficer, Kind: xinfang.FromExpert, ExpertID: e.ID})
		}
	}
	h.Participants = append(h.Participants, xinfang.HearingParticipant{Role: xinfang.RoleAttendee, Kind: xinfang.FromObserver, ObserverID: oneOf(s.dice, l.soc.observers).ID})
	l.db.Now = func() time.Time { return notice }
	ctx := l.asUser(chair)
	if err := l.db.Hearings.CreateHearing(ctx, h); err != nil {
		s.err = fmt.Errorf("hearing on %s: %w", s.date(), err)
		return
	}
	s.at(start)
	if s.done {
		return
	}
	l.db.Now = func() time.Time { return start }
	var err error
	if h, err = l.db.Hearings.StartHearing(ctx, h.ID, xinfang.HearingStart{Version: h.Version, StartedOn: calendar.DateOf(start)}); err != nil {
		s.err = fmt.Errorf("hearing start on %s: %w", s.date(), err)
		return
	}
	s.ver++ // the petition's hearing_start
	if !end {
		return
	}
	s.later(1, 3)
	if s.done {
		return
	}
	t := s.t
	l.db.Now = func() time.Time { return t }
	var att []xinfang.AttendanceRecord
	for _, x := range h.Participants {
		a := xinfang.AttendanceRecord{ParticipantID: x.ID, Attendance: xinfang.Attended, Remarks: "同意听证结论"}
		if x.Role == xinfang.RoleAttendee {
			a.Remarks = "听证程序公开规范，建议做好信访人的释法明理和思想疏导工作"
		}
		att = append(att, a)
	}
	if _, err = l.db.Hearings.ConcludeHearing(ctx, h.ID, xinfang.HearingConclusion{Version: h.Version, EndedOn: calendar.DateOf(t),
		Record:     "主持人宣布听证纪律和听证员名单；信访人陈述诉求及理由；原办理单位说明办理情况及依据；听证员就有关事实询问双方；双方作最后陈述。",
		Conclusion: "听证员经评议一致认为，原处理意见和复查意见认定事实清楚、适用依据正确，信访人的诉求缺乏政策依据，建议维持。", PetitionerAttended: !s.chance(10),
		Attendance: att}); err != nil {
		s.err = fmt.Errorf("hearing conclusion on %s: %w", s.date(), err)
		return
	}
	s.ver++ // the petition's hearing_end
}

// assignments gives the open 涉法涉诉 items to the lawyer on duty (the
// account "lawyer") and some open village items to the mediator, as the
// 联席办 did in the last weeks, with the lawyer's first work notes; the
// two accounts see exactly those items.
func (l *loader) assignments(plans []*plan) error {
	d := dice{rand.New(rand.NewPCG(2026, 0x4153_5347))}
	lawyer, mediator := l.c.users["lawyer"], l.c.users["mediator"]
	var legal, village []*plan
	for _, p := range plans {
		f := l.final[p.id]
		if f == nil || f.State.Closed() || p.m.purpose == xinfang.PurposeAccusation {
			continue
		}
		if p.m.legal {
			legal = append(legal, p)
		} else if p.place.Kind == xinfang.UnitVillage {
			village = append(village, p)
		}
	}
	give := func(list []*plan, n int, u *xinfang.User, role xinfang.AssignmentRole, task, note string) error {
		for i, p := range list {
			if i >= n {
				break
			}
			at := l.daysBeforeEnd(d, d.between(3, 20))
			l.db.Now = func() time.Time { return at }
			a := &xinfang.Assignment{UserID: u.ID, Role: role, PetitionID: p.id, Task: task}
			if err := l.db.Assignments.Assign(l.asUser(l.c.jointHead), a); err != nil {
				return fmt.Errorf("assign %s to petition %d: %w", u.Username, p.id, err)
			}
			if note == "" || !d.chance(70) {
				continue
			}
			later := at.Add(time.Duration(d.between(20, 50)) * time.Hour)
			if later.After(l.end) {
				continue
			}
			l.db.Now = func() time.Time { return later }
			if _, err := l.db.Assignments.AddWorkNote(l.asUser(u), a.ID, note); err != nil {
				return err
			}
		}
		return nil
	}
	if err := give(legal, 12, lawyer, xinfang.AssignLawyer, "值班律师：审查案件材料，向信访人释法明理，引导通过诉讼、复议、仲裁等法定途径解决", "已约见信访人，释明申请执行和再审的法定程序及时限"); err != nil {
		return err
	}
	// His legal opinions on the first eight, six of them issued.
	l.db.Now = func() time.Time { return l.end.Add(-2 * time.Hour) }
	lctx := l.asUser(lawyer)
	for i, p := range legal {
		if i >= 8 {
			break
		}
		o := &xinfang.LegalOpinion{PetitionID: p.id, Firm: "示范律师事务所", Question: p.pt.Summary,
			Analysis: "本事项已经人民法院作出生效裁判（或正在司法程序中），属于涉法涉诉事项，应当依法通过司法途径解决。",
			Opinion:  "建议信访人依照法律规定申请强制执行或申请再审；办理单位依法导入司法程序，并做好释法明理和帮扶工作。",
			Basis:    "《信访工作条例》第三十一条；《中华人民共和国民事诉讼法》第二百一十条、第二百四十七条"}
		if err := l.db.Opinions.SaveLegalOpinion(lctx, o); err != nil {
			return fmt.Errorf("legal opinion on %d: %w", p.id, err)
		}
		if i < 6 {
			if _, err := l.db.Opinions.IssueLegalOpinion(lctx, o.ID, o.Version); err != nil {
				return err
			}
		}
	}
	return give(village, 6, mediator, xinfang.AssignMediator, "会同村调解委员会组织双方调解", "")
}
