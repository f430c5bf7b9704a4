package demo

import (
	"context"
	"fmt"
	"time"

	"xinfang"
)

// The portal's part of the demo city: the evaluations of items received
// online, given by their petitioners on the portal, and a batch of items
// submitted online (网上信访) in the last days, waiting for the registrar,
// some declined; each with the messages it sent.

// portalEvaluate records the petitioner's evaluation on the portal.
func (s *story) portalEvaluate(data map[string]string) {
	if s.done || s.err != nil {
		return
	}
	t := s.t
	s.l.db.Now = func() time.Time { return t }
	pt := s.p.pt
	err := s.l.db.Portal.Evaluate(context.Background(), pt.Number, pt.QueryCode, xinfang.PortalEvaluation{
		RatingBureau: xinfang.Rating(data["rating_bureau"]), RatingUnit: xinfang.Rating(data["rating_unit"])})
	if err != nil {
		s.err = fmt.Errorf("portal evaluation of %s on %s: %w", pt.Number, s.date(), err)
		return
	}
	s.ver++
}

// portalSubmissions are the matters petitioners submit online in the demo.
var portalSubmissions = []struct{ summary, content, request string }{
	{"反映小区供暖温度不达标", "入冬以来室内温度长期低于 16 度，多次向物业和供热公司反映未解决。", "督促供热公司达标供暖"},
	{"反映村道路面破损", "村口至镇上的道路坑洼严重，雨天无法通行，已持续半年。", "尽快修复道路"},
	{"反映工地夜间施工噪音扰民", "附近工地每晚十点后仍在施工，影响居民休息。", "依法查处夜间违规施工"},
	{"反映拖欠农民工工资", "在某建筑工地务工四个月，工程结束后工资至今未结清。", "督促支付拖欠工资"},
	{"反映低保申请未获答复", "三个月前递交低保申请材料，至今没有任何答复。", "尽快审核并答复低保申请"},
	{"反映小区违章搭建", "楼下住户在公共绿地违章搭建板房，影响通行和消防。", "依法拆除违章建筑"},
	{"咨询征地补偿标准", "承包地被征收，补偿标准与邻村不一致，希望了解依据。", "公开补偿标准和依据"},
	{"反映学校周边交通安全隐患", "学校门口上下学时段车辆乱停，学生过马路危险。", "增设交通设施和疏导"},
}

// submitOnline submits n items on the portal in the days before now,
// spread over the city's towns; one in eight is declined, one in four
// taken in by the bureau's registrar.
func (l *loader) submitOnline(n int, now time.Time, registrar *xinfang.User, towns []*xinfang.Unit) error {
	if len(towns) == 0 || registrar == nil {
		return nil
	}
	for i := 0; i < n; i++ {
		at := now.Add(-time.Duration(n-i) * 97 * time.Minute)
		l.db.Now = func() time.Time { return at }
		m := portalSubmissions[i%len(portalSubmissions)]
		sub := &xinfang.PortalSubmission{Name: portalNames[i%len(portalNames)], IDNumber: demoIDNumber(900000 + i), Phone: fmt.Sprintf("139%08d", 20000000+i*7919%9999999),
			Summary: m.summary, Content: m.content, Request: m.request, Category: "0501", LocalityID: towns[i%len(towns)].ID, Accepted: true}
		if i%5 == 0 {
			sub.Email = fmt.Sprintf("petitioner%d@example.cn", i)
		}
		p, err := l.db.Portal.Submit(context.Background(), sub)
		if err != nil {
			return fmt.Errorf("online submission %d: %w", i, err)
		}
		ctx := l.asUser(registrar)
		switch i % 8 {
		case 1, 5:
			if _, err := l.db.Portal.ConfirmIntake(ctx, p.ID); err != nil {
				return err
			}
		case 3:
			_, err := l.db.Petitions.Act(ctx, p.ID, xinfang.ActionInput{Action: xinfang.ActDecline, Version: p.Version,
				Data: map[string]string{"reason": "所反映内容不属于信访事项，请通过 12345 热线咨询"}})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

var portalNames = []string{"刘桂兰", "陈志强", "杨秀珍", "黄建华", "赵丽娟", "吴国庆", "周玉梅", "徐德明", "孙海燕", "马文斌"}

// demoIDNumber is a valid 居民身份证号 distinct for n.
func demoIDNumber(n int) string {
	first := fmt.Sprintf("3301061975%02d%02d%03d", 1+n%12, 1+n%28, n%1000)
	return first + string(xinfang.IDNumberCheckChar(first))
}

// portal adds n items submitted online in the last days before the end of
// the demo, for the bureau's registrar to take in.
func (l *loader) portal(n int) error {
	var towns []*xinfang.Unit
	for _, t := range l.c.towns {
		towns = append(towns, t.unit)
	}
	var reg *xinfang.User
	if len(l.c.registrars) > 0 {
		reg = l.c.registrars[0]
	}
	return l.submitOnline(n, l.end.Add(-time.Hour), reg, towns)
}
