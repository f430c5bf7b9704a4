package docs_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/docs"
)

var shanghai = calendar.Location()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

var units = map[int64]string{1: "滨江市信访局", 2: "滨江市人民政府", 5: "东湖镇人民政府", 9: "滨江市住房和城乡建设局"}
var parents = map[int64]int64{1: 2, 5: 2, 9: 2}

// item is a hand-built petition through its whole procedure: registered
// at the 信访局, transferred to the town, accepted, extended, answered,
// reviewed, re-reviewed and delivered.
func item(copetitioners bool) *docs.Source {
	p := &xinfang.Petition{
		ID: 7, Number: "XFJ-2026-000042", Channel: xinfang.Channel("letter"),
		ReceivedAt: at("2026-03-02 09:30"), RegUnitID: 1, RegUserName: "王登记",
		Petitioner:  &xinfang.Petitioner{Name: "张三", IDNumber: "3301**********1234", Phone: "138****0000", Address: "东湖镇幸福村3组"},
		PersonCount: 1, InvolvedCount: 1,
		Summary:    "反映宅基地确权纠纷",
		Content:    "信访人称其宅基地与邻居存在界址争议。",
		Request:    "请求重新测量并确权。",
		LocalityID: 5, State: xinfang.StateTerminated,
		Clocks: []xinfang.Clock{{Kind: xinfang.ClockHandling, Due: calendar.MustParseDate("2026-05-20")}},
	}
	if copetitioners {
		p.CoPetitioners = []*xinfang.Petitioner{{Name: "李四"}}
		p.PersonCount = 2
	}
	ev := func(seq int, a xinfang.Action, unit int64, when string, data map[string]string) *xinfang.Event {
		return &xinfang.Event{Seq: seq, Action: a, ActorUnitID: unit, ActorName: "经办人", At: at(when), Data: data,
			Note: "已书面告知信访人。。根据内部意见办理"}
	}
	events := []*xinfang.Event{
		ev(1, xinfang.ActRegister, 1, "2026-03-02 10:00", nil),
		ev(2, xinfang.ActTransfer, 1, "2026-03-03 10:00", map[string]string{"unit_id": "5"}),
		ev(3, xinfang.ActSign, 5, "2026-03-04 10:00", nil),
		ev(4, xinfang.ActAccept, 5, "2026-03-05 10:00", nil),
		ev(5, xinfang.ActExtend, 5, "2026-04-28 10:00", map[string]string{"days": "20", "reason": "需要委托第三方重新测量。"}),
		ev(6, xinfang.ActReply, 5, "2026-05-15 10:00", map[string]string{"outcome": "explain", "facts": "经现场测量，界址与1998年确权图一致。", "opinion": "维持原确权结果", "basis": "《土地管理法》第十四条"}),
		ev(7, xinfang.ActDeliver, 5, "2026-05-16 10:00", map[string]string{"method": "in_person", "delivered_on": "2026-05-16", "receipt": "signed", "petitioner_opinion": "disagree"}),
		ev(8, xinfang.ActRequestReview, 2, "2026-05-25 10:00", map[string]string{"received_on": "2026-05-24", "request": "请求撤销处理意见"}),
		ev(9, xinfang.ActReviewReply, 2, "2026-06-20 10:00", map[string]string{"outcome": "explain", "facts": "原处理意见认定事实清楚。", "opinion": "维持原处理意见。"}),
		ev(10, xinfang.ActRequestRereview, 2, "2026-06-30 10:00", map[string]string{"request": "请求复核"}),
		ev(11, xinfang.ActRereviewReply, 2, "2026-07-20 10:00", map[string]string{"outcome": "explain", "facts": "复查意见认定事实清楚。", "opinion": "维持复查意见。"}),
	}
	return &docs.Source{P: p, Events: events,
		UnitName: func(id int64) string { return units[id] },
		Superior: func(id int64) string { return units[parents[id]] },
		Category: "土地确权", Printed: at("2026-07-21 09:00")}
}

// text is every line of the document, joined.
func text(d *docs.Document) string {
	var b strings.Builder
	for _, p := range d.Pages {
		for _, it := range p.Items {
			if it.Row != nil {
				for _, c := range it.Row.Cells {
					b.WriteString(strings.Join(c.Lines, ""))
					b.WriteString("|")
				}
				continue
			}
			b.WriteString(it.Text)
		}
	}
	return b.String()
}

func TestCompose(t *testing.T) {
	tests := []struct {
		kind  docs.Kind
		want  []string
		avoid []string
	}{
		{docs.KindRegister, []string{"信访事项登记表", "编号：XFJ-2026-000042", "张三（3301**********1234，138****0000）", "土地确权", "请求重新测量并确权。", "制表日期：2026年7月21日"}, nil},
		{docs.KindTransfer, []string{"信访事项转送单", "承办单位|东湖镇人民政府", "转送机关|滨江市信访局", "15日内书面告知信访人是否受理"}, []string{"交办"}},
		{docs.KindAccept, []string{"张三：", "你于2026年3月2日反映的“反映宅基地确权纠纷”问题，本机关已于2026年3月5日受理。", "（即2026年5月20日前）", "第三十四条", "东湖镇人民政府2026年3月5日"}, []string{"你们", "（印章）", "已书面告知"}},
		{docs.KindExtend, []string{"因需要委托第三方重新测量，经本机关负责人批准", "延长20日，至2026年5月20日前办结。"}, []string{"测量。，"}},
		{docs.KindOpinion, []string{"信访处理意见书", "一、信访请求　　请求重新测量并确权。", "维持原确权结果。", "处理结果：解释说明。", "《土地管理法》第十四条。", "向滨江市人民政府请求复查（《信访工作条例》第三十五条）"}, []string{"（印章）", "内部意见"}},
		{docs.KindReview, []string{"复查意见书", "你对东湖镇人民政府作出的信访处理意见不服，于2026年5月24日请求复查。", "请求撤销处理意见。", "第三十六条"}, []string{"第三十五条"}},
		{docs.KindRereview, []string{"复核意见书", "于2026年6月30日请求复核", "不再受理（《信访工作条例》第三十六条）"}, nil},
		{docs.KindTerminate, []string{"终结告知书", "信访程序已经终结", "根据《信访工作条例》第三十六条的规定", "不再受理"}, nil},
		{docs.KindReceipt, []string{"送达回证", "送达文书|复核意见书（编号：XFJ-2026-000042）", "受送达人|张三|", "送达机关|滨江市人民政府"}, []string{"已签收"}},
	}
	src := item(false)
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			d, err := docs.Compose(tt.kind, src)
			if err != nil {
				t.Fatal(err)
			}
			got := text(d)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, w := range tt.avoid {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in\n%s", w, got)
				}
			}
			if len(d.Pages) != 1 {
				t.Errorf("%d pages, want 1", len(d.Pages))
			}
		})
	}
}

func TestYouFollowsPetitioners(t *testing.T) {
	d, err := docs.Compose(docs.KindAccept, item(true))
	if err != nil {
		t.Fatal(err)
	}
	got := text(d)
	if !strings.Contains(got, "张三、李四：") || !strings.Contains(got, "你们于2026年3月2日") || strings.Contains(got, "你（你们）") {
		t.Errorf("two petitioners are 你们:\n%s", got)
	}
}

func TestRejectFromGround(t *testing.T) {
	src := item(false)
	src.Events = append(src.Events[:3], &xinfang.Event{Seq: 4, Action: xinfang.ActNotAccept, ActorUnitID: 5, At: at("2026-03-06 10:00"),
		Data: map[string]string{"ground": "legal_route", "reason": "已书面告知信访人。。根据《信访工作条例》第二十一条"}})
	d, err := docs.Compose(docs.KindReject, src)
	if err != nil {
		t.Fatal(err)
	}
	got := text(d)
	if !strings.Contains(got, "经审查，该事项依法应当通过诉讼、仲裁、行政复议等法定途径解决。根据《信访工作条例》第三十二条的规定，本机关决定不予受理。") {
		t.Errorf("ground not stated:\n%s", got)
	}
	if strings.Contains(got, "已书面告知") || strings.Contains(got, "第二十一条") || strings.Count(got, "第") != 1 {
		t.Errorf("the staff reason is pasted or a second article cited:\n%s", got)
	}
	if _, err := docs.Compose(docs.KindOpinion, src); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
		t.Errorf("opinion of an item not answered: %v", err)
	}
	if got := docs.Available(src); len(got) != 3 || got[0] != docs.KindRegister || got[1] != docs.KindTransfer || got[2] != docs.KindReject {
		t.Errorf("available %v", got)
	}
}

// A long opinion runs onto a second page: every page is numbered, and the
// signature never stands alone on the last one.
func TestPagination(t *testing.T) {
	src := item(false)
	long := strings.Repeat("经调查核实，相关部门对该地块的权属来源、历史用地情况进行了全面梳理。", 30)
	src.Events[5].Data["facts"] = long
	d, err := docs.Compose(docs.KindOpinion, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Pages) < 2 {
		t.Fatalf("%d pages for a long opinion", len(d.Pages))
	}
	for i, p := range d.Pages {
		if p.Number != i+1 || p.Of != len(d.Pages) || p.Footer() == "" {
			t.Errorf("page %d numbered %d of %d (%q)", i+1, p.Number, p.Of, p.Footer())
		}
		h := 0.0
		for _, it := range p.Items {
			h += it.Height()
			if it.Row == nil && docs.Units(it.Text) > 58 {
				t.Errorf("line too wide: %q", it.Text)
			}
		}
		if h > docs.BodyH {
			t.Errorf("page %d holds %.1f pt, more than the type area's %.1f", i+1, h, docs.BodyH)
		}
	}
	last := d.Pages[len(d.Pages)-1]
	body := 0
	for _, it := range last.Items {
		if it.Style == docs.StyleBody {
			body++
		}
	}
	if body < 2 {
		t.Errorf("the last page holds %d body lines with the signature", body)
	}
	// A long 登记表 breaks its content row and marks the rest （续）.
	src.P.Content = strings.Repeat("信访人反映的情况较为复杂，涉及多个部门。", 120)
	reg, err := docs.Compose(docs.KindRegister, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Pages) < 2 || !strings.Contains(text(reg), "投诉内容（续）") {
		t.Errorf("long register: %d pages", len(reg.Pages))
	}
}

func TestSupervisionDocuments(t *testing.T) {
	s := &xinfang.Supervision{Number: "DB-2026-0007", Requirements: "请于期限内查明情况并书面反馈。", Deadline: calendar.MustParseDate("2026-04-10"),
		CreatedAt: at("2026-03-20 10:00"), Listed: true}
	o := &docs.Order{S: s, Issuer: "滨江市信访局", Target: "东湖镇人民政府", Subject: "信访件XFJ-2026-000042（反映宅基地确权纠纷）"}
	if k := docs.SupervisionKinds(s); len(k) != 1 {
		t.Errorf("kinds without reminders: %v", k)
	}
	d, err := docs.ComposeSupervision(docs.KindSupervise, o)
	if err != nil {
		t.Fatal(err)
	}
	got := text(d)
	for _, w := range []string{"挂牌督办通知书", "东湖镇人民政府：", "第三十九条", "请于期限内查明情况并书面反馈。", "请于2026年4月10日前将办理情况书面反馈滨江市信访局"} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if _, err := docs.ComposeSupervision(docs.KindUrge, o); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
		t.Errorf("urge without reminder: %v", err)
	}
	s.Reminders = []*xinfang.Reminder{{At: at("2026-04-13 09:00"), Text: "快点"}, {At: at("2026-04-15 09:00"), Text: "快点反馈！！"}}
	d, err = docs.ComposeSupervision(docs.KindUrge, o)
	if err != nil {
		t.Fatal(err)
	}
	got = text(d)
	for _, w := range []string{"催办函", "编号：DB-2026-0007-2", "截至2026年4月15日，尚未收到你单位的反馈，已超过反馈期限5日。", "现予催办（第2次）"} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if strings.Contains(got, "快点") {
		t.Errorf("the reminder's note is pasted:\n%s", got)
	}
}

func TestPDF(t *testing.T) {
	src := item(false)
	src.Events[5].Data["facts"] = strings.Repeat("经调查核实，相关部门对该地块的权属来源进行了梳理。", 40)
	for _, k := range []docs.Kind{docs.KindAccept, docs.KindOpinion, docs.KindRegister} {
		d, err := docs.Compose(k, src)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := d.WritePDF(&buf); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if !bytes.HasPrefix(b, []byte("%PDF-1.4")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
			t.Errorf("%s: not a PDF", k)
		}
		if n := bytes.Count(b, []byte("/Type /Page ")); n != len(d.Pages) {
			t.Errorf("%s: %d pages in the PDF, %d in the document", k, n, len(d.Pages))
		}
		// 信 is U+4FE1 in UCS-2.
		if !bytes.Contains(b, []byte("4FE1")) {
			t.Errorf("%s: no Chinese text", k)
		}
	}
}
