package sqldb_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// repeatNow is the present of the repeat tests.
var repeatNow = at("2026-03-10")

// repeatItem is one petition of the test corpus. Place is "VA" (甲镇东村),
// "VB" (乙镇西村), "TA" (甲镇) or "TB" (乙镇); items of town A are
// registered by its registrar, those of town B by its handler, so that
// each town sees only its own. Person numbers the petitioner's ID number;
// Days is how long ago it was received.
type repeatItem struct {
	Key      string
	Place    string
	Category string
	Person   int
	Phone    string
	Name     string
	Days     int
	Summary  string
	Content  string
}

// repeatCorpus is written like real registrations: several matters per
// village, the same matter told again by another person and by the same
// one, the same person with another matter, and template-like matters in
// the other town.
var repeatCorpus = []repeatItem{
	{"land1", "VA", "1401", 1, "13907010001", "刘建华", 120, "反映甲镇东村三组征地补偿款未足额发放问题",
		"2025年县道拓宽工程征收我们东村三组耕地共12亩，公示的补偿标准是每亩4.2万元，但实际打到账上的只有每亩3.5万元。地上的桃树补偿也一直没有兑现。多次找村委会和镇征迁办，都说钱已经拨下去了。请求查清补偿款去向，按公示标准补足差额。"},
	{"land2", "VA", "1401", 2, "13907010002", "王秀英", 90, "东村三组村民要求补足县道拓宽征地款差额",
		"我家在三组有两亩多地被县道拓宽工程征走了。公告上写的每亩四万二，到手每亩才三万五，一亩差了七千块。家里种的桃树当时说另算补偿，到现在一分钱没见着。找镇征迁办好几回都推来推去。"},
	{"land3", "VA", "1401", 1, "13907010001", "刘建华", 20, "再次反映东村三组征地补偿款差额问题",
		"上次反映东村三组县道拓宽征地补偿款每亩少发七千元的问题，至今没有解决，桃树补偿也没有兑现，请求尽快答复。"},
	{"wage1", "VA", "0501", 3, "13907010003", "陈卫东", 60, "反映东村光伏项目工地拖欠农民工工资问题",
		"我们十一人在东村光伏电站项目工地干活，承包方宏达建筑公司拖欠工资共8.6万元，项目已经完工半年，老板一直说甲方没付工程款，电话也不接了。"},
	{"wage2", "VA", "0501", 4, "13907010004", "黄海涛", 30, "东村光伏电站工地工人讨要欠薪",
		"宏达建筑公司在东村光伏电站干完活后欠我们十一个人八万六千元工钱，找到镇劳动保障所也没有结果，快过年了希望帮忙要回来。"},
	{"pig1", "VA", "1105", 5, "13907010005", "赵淑珍", 45, "反映东村养猪场粪污直排水塘问题",
		"东村北头周某开的养猪场存栏一千多头，粪水不经处理直接排进村前水塘，夏天臭气熏天，塘里的鱼都死了，村民饮用的井水也有异味。"},
	{"dibao1", "VA", "1202", 6, "13907010006", "吴永明", 200, "反映东村低保评定不公问题",
		"本人患尿毒症多年丧失劳动能力，向村里申请低保两次都没通过，而村干部的亲戚家里开着小超市却吃上了低保，请求重新评定。"},
	{"home1", "VA", "1305", 7, "13907010007", "周丽华", 75, "反映东村宅基地界址纠纷问题",
		"邻居李某翻建房屋时把院墙往我家这边移了一米多，占了我家宅基地，村委会调解两次李某都不认，请求依法确权。"},
	{"road1", "VA", "1001", 8, "13907010008", "徐德华", 150, "建议修缮东村通村公路",
		"东村到镇上的通村公路路面坑洼，路基塌陷好几处，雨天泥泞不堪，学生上学很不安全，建议尽快修缮。"},
	{"chem1", "VA", "1102", 9, "13907010009", "孙春梅", 100, "反映东村化工厂偷排废水问题",
		"东村南边的化工厂夜里偷偷往河里排废水，河水发黑发臭，下游灌溉的稻田减产，环保部门来了几次都没查到。"},
	{"land1old", "VA", "1401", 10, "13907010010", "杨玉兰", 500, "反映东村二组土地流转租金未兑付问题",
		"2023年东村二组的土地流转给合作社种蔬菜，合作社拖欠两年租金未付，涉及农户二十多户。"},
	{"person1b", "VA", "1902", 1, "13907010001", "刘建华", 10, "反映本人优抚待遇未落实问题",
		"本人是退役军人，2012年入伍2017年退役，按政策应享受的优抚待遇至今没有落实，请求有关部门核实。"},
	{"exec1", "TA", "1803", 11, "13907010011", "马志强", 80, "反映民间借贷胜诉判决长期得不到执行问题",
		"本人与甲镇某建材店老板民间借贷纠纷一案，法院2024年判决对方归还借款15万元，判决生效后对方拒不履行，申请强制执行两年多执行款一直没到位。"},
	{"landB1", "VB", "1401", 21, "13907020021", "郑国强", 110, "反映乙镇西村高速公路征地补偿问题",
		"西村一组因高速公路建设被征收耕地30亩，每亩补偿标准比邻村低了八千元，青苗补偿也没有发放，村民多次到镇里反映无果。"},
	{"wageB1", "VB", "0501", 22, "13907020022", "冯丽娟", 50, "反映西村服装厂拖欠工资问题",
		"西村的锦绣服装厂从去年九月起就没发工资，三十多名女工被拖欠工资共计二十多万元，老板说订单少资金周转不开。"},
	{"propB1", "VB", "1502", 23, "13907020023", "何建军", 40, "反映西村碧水湾小区物业违规收费问题",
		"碧水湾小区物业公司服务不到位，电梯经常停运，门禁长期损坏，却擅自把物业费从每平米1.2元涨到1.8元。"},
	{"dibaoB1", "VB", "1202", 24, "13907020024", "高秀兰", 35, "反映西村低保金被克扣问题",
		"本人是西村低保户，每月低保金应为六百元，但村里代发时每月扣下一百元说是管理费，已经扣了一年多。"},
	{"roadB1", "TB", "1001", 25, "13907020025", "罗志华", 25, "反映乙镇集镇道路积水问题",
		"乙镇集镇主街排水不畅，一下雨就积水半米深，沿街商户进水受损，建议改造排水管网。"},
	{"pigB1", "VB", "1105", 26, "13907020026", "梁红梅", 55, "反映西村养猪场污染问题",
		"西村东头的养猪场粪污直排沟渠，臭味很大，苍蝇成群，影响周边几十户村民生活。"},
	{"schoolB1", "VB", "0601", 27, "13907020027", "宋晓东", 65, "反映西村小学撤并后孩子上学远问题",
		"西村小学撤并到镇中心小学后，孩子每天要走五公里上学，没有校车，家长接送很困难，建议开通校车。"},
	{"medB1", "TB", "0701", 28, "13907020028", "唐建平", 15, "反映乙镇卫生院误诊问题",
		"本人父亲在乙镇卫生院被诊断为胃炎，回家后病情加重，转到市医院确诊为胃癌晚期，认为卫生院误诊延误治疗。"},
	{"gasB1", "VB", "1004", 29, "13907020029", "韩雪", 70, "反映西村燃气改造收费过高问题",
		"西村天然气入户改造每户收取安装费3800元，比周边村镇高出一倍多，且没有公示收费依据。"},
	{"wageB2", "VB", "0501", 30, "13907020030", "曹志明", 5, "再次反映锦绣服装厂拖欠女工工资",
		"锦绣服装厂拖欠我们三十多名女工工资的事情上个月已经反映过，到现在一分钱也没发，老板已经找不到人了。"},
	{"noiseA1", "TA", "1103", 31, "13907010031", "邓丽", 12, "反映甲镇广场舞噪音扰民问题",
		"甲镇文化广场每晚广场舞音响声音很大，一直跳到晚上十点以后，附近居民无法休息，多次劝说无效。"},
	{"fraudA1", "VA", "0201", 32, "13907010032", "彭勇", 140, "反映东村有人非法集资问题",
		"东村有人以投资养殖合作社为名，承诺月息3分，向村民集资共计200多万元，现在合作社负责人失联，请求公安立案。"},
	{"houseA1", "TA", "1503", 33, "13907010033", "曾小红", 95, "反映甲镇安置房质量问题",
		"甲镇安置小区Ａ栋302室入住不到两年，墙体开裂、屋顶漏水，开发商拒绝维修，请求住建部门督促整改。"},
	{"veteranA1", "VA", "1901", 34, "13907010034", "潘海", 160, "反映退役后安置就业未落实问题",
		"本人2016年退役，按政策应安排工作，但至今没有落实，多次找退役军人事务局都说没有岗位。"},
	{"elecA1", "VA", "1003", 35, "13907010035", "蒋芳", 8, "反映东村电压不稳问题",
		"东村四组每到晚上电压就低，电饭锅都煮不熟饭，空调开不起来，供电所说要等改造计划。"},
}

// repeatEnv is a fixture city with the corpus registered and indexed.
type repeatEnv struct {
	*sqldbtest.Fixture
	ByKey map[string]*xinfang.Petition
	clock *clock
}

func (e *repeatEnv) place(p string) *xinfang.Unit {
	switch p {
	case "VA":
		return e.VillageA
	case "VB":
		return e.VillageB
	case "TA":
		return e.TownA
	case "TB":
		return e.TownB
	}
	panic("unknown place " + p)
}

// registrarOf registers items of town A as its registrar, of town B as its handler.
func (e *repeatEnv) registrarOf(place string) *xinfang.User {
	if strings.HasSuffix(place, "B") {
		return e.HandlerB
	}
	return e.RegistrarA
}

func (e *repeatEnv) petition(it repeatItem) *xinfang.Petition {
	return &xinfang.Petition{
		Channel:    "visit",
		ReceivedAt: repeatNow.Add(-time.Duration(it.Days) * 24 * time.Hour),
		Petitioner: &xinfang.Petitioner{Name: it.Name, IDNumber: sqldbtest.IDNumber(it.Person), Phone: it.Phone, Address: e.place(it.Place).Name},
		Summary:    it.Summary, Content: it.Content, Request: "请求依法处理",
		Category: it.Category, Purpose: "claim", LocalityID: e.place(it.Place).ID,
	}
}

// newRepeatEnv registers the corpus in order of receipt (oldest first, as
// it would have come in) and indexes it.
func newRepeatEnv(t *testing.T, db *sqldb.DB) *repeatEnv {
	t.Helper()
	e := &repeatEnv{ByKey: map[string]*xinfang.Petition{}}
	e.clock = fixClock(db, repeatNow)
	e.Fixture = sqldbtest.NewFixture(t, db)
	items := slices.Clone(repeatCorpus)
	slices.SortStableFunc(items, func(a, b repeatItem) int { return b.Days - a.Days })
	for _, it := range items {
		e.ByKey[it.Key] = e.MustRegister(t, e.registrarOf(it.Place), e.petition(it))
	}
	if err := db.Reindex(context.Background()); err != nil {
		t.Fatalf("reindex: %v", err)
	}
	return e
}

func candidateKeys(e *repeatEnv, cs []xinfang.RepeatCandidate) []string {
	byID := map[int64]string{}
	for k, p := range e.ByKey {
		byID[p.ID] = k
	}
	var out []string
	for _, c := range cs {
		out = append(out, byID[c.Petition.ID])
	}
	return out
}

func findCandidate(cs []xinfang.RepeatCandidate, id int64) *xinfang.RepeatCandidate {
	for i := range cs {
		if cs[i].Petition.ID == id {
			return &cs[i]
		}
	}
	return nil
}

func hasReason(c *xinfang.RepeatCandidate, prefix string) bool {
	for _, r := range c.Reasons {
		if strings.HasPrefix(r, prefix) {
			return true
		}
	}
	return false
}

func TestRepeatCandidates(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		e := newRepeatEnv(t, db)
		ctx := e.Ctx(e.RegistrarA)

		t.Run("same matter told again, ranked first with reasons", func(t *testing.T) {
			// A new person tells land1's matter in other words.
			draft := e.petition(repeatItem{Place: "VA", Category: "1401", Person: 90, Name: "李桂兰", Days: 0,
				Summary: "东村三组县道拓宽征地补偿款少发问题", Content: "县道拓宽征了我们三组的地，说好每亩4.2万元，实际只给了3.5万元，桃树的补偿也没给。"})
			cs, err := db.Repeats.FindRepeatCandidates(ctx, draft, 10)
			if err != nil {
				t.Fatal(err)
			}
			keys := candidateKeys(e, cs)
			if len(cs) < 3 {
				t.Fatalf("candidates %v, want land1, land2, land3 first", keys)
			}
			for _, k := range keys[:3] {
				if k != "land1" && k != "land2" && k != "land3" {
					t.Errorf("top candidates %v, want land1-3 first", keys)
				}
			}
			c := cs[0]
			if !c.Repeat || c.Score < 0.23 || c.Reasons[0] != "疑似同一事项" || !hasReason(&c, "内容相似度") {
				t.Errorf("first candidate %s: score %.2f repeat %v reasons %v", keys[0], c.Score, c.Repeat, c.Reasons)
			}
			for i := 1; i < len(cs); i++ {
				if cs[i].Score > cs[i-1].Score {
					t.Errorf("not ranked by score: %v", keys)
				}
			}
			// land1old is the same place and kind, but 500 days ago.
			if slices.Contains(keys, "land1old") {
				t.Errorf("land1old outside the window shown: %v", keys)
			}
		})

		t.Run("same petitioner", func(t *testing.T) {
			draft := e.petition(repeatItem{Place: "TA", Category: "0601", Person: 1, Name: "刘建华", Phone: "", Days: 0,
				Summary: "反映孩子入学问题", Content: "孩子今年上小学，学区划分后要到十公里外的学校就读，请求就近入学。"})
			cs, err := db.Repeats.FindRepeatCandidates(ctx, draft, 20)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"land1", "land3", "person1b"} {
				c := findCandidate(cs, e.ByKey[k].ID)
				if c == nil {
					t.Fatalf("%s of the same ID number not among %v", k, candidateKeys(e, cs))
				}
				if !hasReason(c, "同一信访人(身份证号)") || c.Repeat {
					t.Errorf("%s: repeat %v reasons %v", k, c.Repeat, c.Reasons)
				}
			}
			// By phone only: another ID number, land2's phone.
			draft.Petitioner = &xinfang.Petitioner{Name: "王某", Phone: "13907010002"}
			cs, err = db.Repeats.FindRepeatCandidates(ctx, draft, 20)
			if err != nil {
				t.Fatal(err)
			}
			if c := findCandidate(cs, e.ByKey["land2"].ID); c == nil || !hasReason(c, "同一信访人(联系电话)") {
				t.Errorf("land2 by phone: %+v in %v", c, candidateKeys(e, cs))
			}
		})

		t.Run("the shared keys read with each candidate past their cap", func(t *testing.T) {
			// Past the cap, every candidate's petitioners are read with it:
			// the candidates, scores and reasons are the same.
			draft := e.petition(repeatItem{Place: "VA", Category: "1401", Person: 1, Name: "刘建华", Phone: "13907010002", Days: 0,
				Summary: "再次反映县道拓宽征地补偿款问题", Content: "县道拓宽征了三组的地，补偿款至今没有发足。"})
			want, err := db.Repeats.FindRepeatCandidates(ctx, draft, 20)
			if err != nil {
				t.Fatal(err)
			}
			db.SetSharedKeysCap(1)
			defer db.SetSharedKeysCap(0)
			got, err := db.Repeats.FindRepeatCandidates(ctx, draft, 20)
			if err != nil {
				t.Fatal(err)
			}
			persons := 0
			for _, c := range want {
				if hasReason(&c, "同一信访人(身份证号)") || hasReason(&c, "同一信访人(联系电话)") {
					persons++
				}
			}
			if persons < 3 {
				t.Fatalf("%d candidates of the same petitioner, want at least 3 (by ID number and by phone): %v", persons, candidateKeys(e, want))
			}
			if len(got) != len(want) {
				t.Fatalf("past the cap %v, within it %v", candidateKeys(e, got), candidateKeys(e, want))
			}
			for i := range want {
				if got[i].Petition.ID != want[i].Petition.ID || got[i].Score != want[i].Score || !slices.Equal(got[i].Reasons, want[i].Reasons) {
					t.Errorf("candidate %d: past the cap %d %.2f %v, within it %d %.2f %v", i, got[i].Petition.ID, got[i].Score, got[i].Reasons,
						want[i].Petition.ID, want[i].Score, want[i].Reasons)
				}
			}
		})

		t.Run("same locality and category within the window", func(t *testing.T) {
			draft := e.petition(repeatItem{Place: "VA", Category: "1202", Person: 91, Name: "某某", Days: 0,
				Summary: "反映家庭困难申请救助", Content: "家里老人常年卧床，孩子上学开销大，收入微薄，生活十分困难，请求给予帮扶。"})
			cs, err := db.Repeats.FindRepeatCandidates(ctx, draft, 20)
			if err != nil {
				t.Fatal(err)
			}
			c := findCandidate(cs, e.ByKey["dibao1"].ID)
			if c == nil || !hasReason(c, "同一问题属地和内容分类(相隔 200 天)") || c.Repeat {
				t.Fatalf("dibao1: %+v among %v", c, candidateKeys(e, cs))
			}
			// Town B's 低保 items lie outside the registrar's scope.
			for _, k := range []string{"dibaoB1"} {
				if findCandidate(cs, e.ByKey[k].ID) != nil {
					t.Errorf("%s of another town shown", k)
				}
			}
		})

		t.Run("similar text under another category and the town's code", func(t *testing.T) {
			// Registered under the town and another category: only the
			// text index can bring the wage claim up.
			draft := e.petition(repeatItem{Place: "TA", Category: "1506", Person: 92, Name: "某甲", Days: 0,
				Summary: "宏达建筑公司欠光伏电站工人工钱", Content: "东村光伏电站的活干完半年了，宏达建筑公司还欠我们十一个人8.6万元工钱。"})
			cs, err := db.Repeats.FindRepeatCandidates(ctx, draft, 10)
			if err != nil {
				t.Fatal(err)
			}
			keys := candidateKeys(e, cs)
			if len(keys) < 2 || !slices.Contains(keys[:2], "wage1") || !slices.Contains(keys[:2], "wage2") {
				t.Fatalf("candidates %v, want wage1 and wage2 first", keys)
			}
			if !cs[0].Repeat {
				t.Errorf("wage claim not judged the same matter: %+v", cs[0])
			}
		})

		t.Run("scope: a town handler sees no candidates of another town", func(t *testing.T) {
			draft := e.petition(repeatItem{Place: "VB", Category: "0501", Person: 22, Name: "冯丽娟", Phone: "13907020022", Days: 0,
				Summary: "锦绣服装厂拖欠女工工资", Content: "西村锦绣服装厂拖欠三十多名女工工资二十多万元。"})
			cs, err := db.Repeats.FindRepeatCandidates(e.Ctx(e.HandlerA), draft, 20)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if c.Petition.LocalityID == e.VillageB.ID || c.Petition.LocalityID == e.TownB.ID {
					t.Errorf("town A handler sees %s of town B", c.Petition.Number)
				}
			}
			cs, err = db.Repeats.FindRepeatCandidates(e.Ctx(e.HandlerB), draft, 20)
			if err != nil {
				t.Fatal(err)
			}
			keys := candidateKeys(e, cs)
			if !slices.Contains(keys, "wageB1") || !slices.Contains(keys, "wageB2") {
				t.Errorf("town B handler: %v, want wageB1 and wageB2", keys)
			}
			for _, k := range keys {
				if strings.HasSuffix(repeatItemByKey(k).Place, "A") {
					t.Errorf("town B handler sees %s of town A", k)
				}
			}
			// The leader sees both towns.
			cs, err = db.Repeats.FindRepeatCandidates(e.Ctx(e.Leader), draft, 20)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(candidateKeys(e, cs), "wageB1") {
				t.Errorf("leader: %v", candidateKeys(e, cs))
			}
		})

		t.Run("existing petition leaves itself out", func(t *testing.T) {
			cs, err := db.Repeats.FindRepeatCandidatesOf(ctx, e.ByKey["land2"].ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			keys := candidateKeys(e, cs)
			if slices.Contains(keys, "land2") || !slices.Contains(keys, "land1") || !slices.Contains(keys, "land3") {
				t.Errorf("candidates of land2: %v", keys)
			}
			if _, err := db.Repeats.FindRepeatCandidatesOf(e.Ctx(e.HandlerB), e.ByKey["land2"].ID, 10); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
				t.Errorf("town B handler on a town A petition: %v", err)
			}
		})
	})
}

func repeatItemByKey(k string) repeatItem {
	for _, it := range repeatCorpus {
		if it.Key == k {
			return it
		}
	}
	panic("no item " + k)
}

func TestRepeatDecisions(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		e := newRepeatEnv(t, db)
		ctx := e.Ctx(e.RegistrarA)
		land1, land2, land3 := e.ByKey["land1"], e.ByKey["land2"], e.ByKey["land3"]

		t.Run("dismiss hides the candidate", func(t *testing.T) {
			cs, err := db.Repeats.FindRepeatCandidatesOf(ctx, land3.ID, 20)
			if err != nil {
				t.Fatal(err)
			}
			if findCandidate(cs, land2.ID) == nil {
				t.Fatalf("land2 not a candidate of land3: %v", candidateKeys(e, cs))
			}
			d, err := db.Repeats.DecideRepeat(ctx, land3.ID, xinfang.RepeatDecisionInput{CandidateID: land2.ID, Decision: xinfang.RepeatDismiss})
			if err != nil {
				t.Fatal(err)
			}
			if d.Score < 0.23 || len(d.Reasons) == 0 || d.UserName != e.RegistrarA.Name {
				t.Errorf("decision record %+v", d)
			}
			cs, err = db.Repeats.FindRepeatCandidatesOf(ctx, land3.ID, 20)
			if err != nil {
				t.Fatal(err)
			}
			if findCandidate(cs, land2.ID) != nil {
				t.Errorf("dismissed land2 still shown: %v", candidateKeys(e, cs))
			}
			if findCandidate(cs, land1.ID) == nil {
				t.Errorf("land1 gone too: %v", candidateKeys(e, cs))
			}
		})

		t.Run("link sets the repeat and the counts", func(t *testing.T) {
			before, err := db.Petitions.FindPetitionByID(ctx, land3.ID)
			if err != nil {
				t.Fatal(err)
			}
			// A stale version is refused and writes nothing.
			_, err = db.Repeats.DecideRepeat(ctx, land3.ID, xinfang.RepeatDecisionInput{CandidateID: land1.ID, Decision: xinfang.RepeatLink, Version: before.Version + 1})
			wantErr(t, err, xinfang.ECONFLICT, "version")
			d, err := db.Repeats.DecideRepeat(ctx, land3.ID, xinfang.RepeatDecisionInput{CandidateID: land1.ID, Decision: xinfang.RepeatLink, Version: before.Version})
			if err != nil {
				t.Fatal(err)
			}
			after, err := db.Petitions.FindPetitionByID(ctx, land3.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !after.Repeat || after.RepeatOfID != land1.ID || after.Version != before.Version+1 || d.Version != after.Version {
				t.Errorf("after link: repeat %v of %d version %d (decision %d), want of %d version %d", after.Repeat, after.RepeatOfID, after.Version, d.Version, land1.ID, before.Version+1)
			}
			// Linking again is a conflict; so is linking the earlier one
			// to the later.
			_, err = db.Repeats.DecideRepeat(ctx, land3.ID, xinfang.RepeatDecisionInput{CandidateID: land1.ID, Decision: xinfang.RepeatLink})
			wantErr(t, err, xinfang.ECONFLICT, "candidate_id")
			_, err = db.Repeats.DecideRepeat(ctx, land1.ID, xinfang.RepeatDecisionInput{CandidateID: land3.ID, Decision: xinfang.RepeatLink})
			wantErr(t, err, xinfang.EINVALID, "candidate_id")

			cs, err := db.Repeats.FindRepeatCandidatesOf(ctx, land3.ID, 20)
			if err != nil {
				t.Fatal(err)
			}
			if c := findCandidate(cs, land1.ID); c == nil || !c.Linked {
				t.Errorf("land1 not shown as linked: %+v", c)
			}

			// land2 as a repeat of land1 too: the matter has three.
			if _, err := db.Repeats.DecideRepeat(ctx, land2.ID, xinfang.RepeatDecisionInput{CandidateID: land1.ID, Decision: xinfang.RepeatLink}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []*xinfang.Petition{land1, land2, land3} {
				c, err := db.Repeats.FindRepeatCounts(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				if c.RootID != land1.ID || c.Matter != 3 {
					t.Errorf("%s: counts %+v, want root %d and 3 in the matter", p.Number, c, land1.ID)
				}
			}
			c, err := db.Repeats.FindRepeatCounts(ctx, land1.ID)
			if err != nil {
				t.Fatal(err)
			}
			// land1, land3 and person1b come from the same person.
			if c.Petitioner != 3 {
				t.Errorf("petitioner count %d, want 3", c.Petitioner)
			}
			chain, err := db.Repeats.FindRepeatChain(ctx, land3.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(chain) != 3 || chain[0].ID != land1.ID {
				t.Errorf("chain %v", ids(chain))
			}
			p1, err := db.Petitions.FindPetitionByID(ctx, land1.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p1.RepeatCount != 2 {
				t.Errorf("land1 repeat_count %d, want 2", p1.RepeatCount)
			}
			decisions, err := db.Repeats.FindRepeatDecisions(ctx, land3.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(decisions) != 2 || decisions[0].Decision != xinfang.RepeatLink || decisions[1].Decision != xinfang.RepeatDismiss {
				t.Errorf("decisions of land3: %+v", decisions)
			}
		})

		t.Run("a link may not close a circle", func(t *testing.T) {
			// Same day: land4 links to land5, then land5 may not link to land4.
			a := e.MustRegister(t, e.RegistrarA, e.petition(repeatItem{Place: "VA", Category: "1103", Person: 80, Name: "甲", Summary: "反映东村砖厂噪音", Content: "东村砖厂夜间生产噪音很大。"}))
			b := e.MustRegister(t, e.RegistrarA, e.petition(repeatItem{Place: "VA", Category: "1103", Person: 81, Name: "乙", Summary: "东村砖厂夜里噪音扰民", Content: "砖厂晚上机器轰鸣吵得睡不着。"}))
			if _, err := db.Repeats.DecideRepeat(ctx, a.ID, xinfang.RepeatDecisionInput{CandidateID: b.ID, Decision: xinfang.RepeatLink}); err != nil {
				t.Fatal(err)
			}
			_, err := db.Repeats.DecideRepeat(ctx, b.ID, xinfang.RepeatDecisionInput{CandidateID: a.ID, Decision: xinfang.RepeatLink})
			wantErr(t, err, xinfang.EINVALID, "candidate_id")
		})

		t.Run("access", func(t *testing.T) {
			// Another town's handler: the petition does not exist for him.
			_, err := db.Repeats.DecideRepeat(e.Ctx(e.HandlerB), land2.ID, xinfang.RepeatDecisionInput{CandidateID: land1.ID, Decision: xinfang.RepeatDismiss})
			wantErr(t, err, xinfang.ENOTFOUND, "")
			// A candidate out of scope is bad input, not found.
			_, err = db.Repeats.DecideRepeat(ctx, land2.ID, xinfang.RepeatDecisionInput{CandidateID: e.ByKey["wageB1"].ID, Decision: xinfang.RepeatDismiss})
			wantErr(t, err, xinfang.EINVALID, "candidate_id")
			// The leader reads but does not register.
			_, err = db.Repeats.DecideRepeat(e.Ctx(e.Leader), land2.ID, xinfang.RepeatDecisionInput{CandidateID: land1.ID, Decision: xinfang.RepeatDismiss})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			_, err = db.Repeats.DecideRepeat(ctx, land2.ID, xinfang.RepeatDecisionInput{CandidateID: land1.ID, Decision: "maybe"})
			wantErr(t, err, xinfang.EINVALID, "decision")
		})
	})
}

// TestRegisterIndexes checks the path every registration takes: the
// petition is indexed inside RegisterPetition, with no Reindex.
func TestRegisterIndexes(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, repeatNow)
		f := sqldbtest.NewFixture(t, db)
		p := f.NewPetition(f.VillageA, 1)
		p.Summary, p.Content = "反映东村光伏电站工地拖欠工资", "宏达建筑公司拖欠十一名工人工资8.6万元。"
		f.MustRegister(t, f.RegistrarA, p)
		if count(t, db, "petition_fingerprints") == 0 {
			t.Fatal("RegisterPetition did not index the petition")
		}
		q := f.NewPetition(f.VillageA, 2)
		q.Summary, q.Content = "光伏电站工地宏达建筑公司欠薪", "光伏电站工地干完活，宏达建筑公司欠我们8.6万元工资。"
		q.Category = "1506"
		cs, err := db.Repeats.FindRepeatCandidates(f.Ctx(f.RegistrarA), q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 || cs[0].Petition.ID != p.ID || !cs[0].Repeat {
			t.Errorf("candidates %+v", cs)
		}
		got, _, _, err := db.Search.SearchPetitions(f.Ctx(f.RegistrarA), "宏达建筑", 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != p.ID {
			t.Errorf("search after registration: %v", ids(got))
		}
	})
}

// TestReindexIdempotent: a second Reindex gives the same index.
func TestReindexIdempotent(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		e := newRepeatEnv(t, db)
		n := map[string]int{}
		for _, table := range []string{"petition_fingerprints", "petition_grams", "gram_stats", "search_docs"} {
			n[table] = count(t, db, table)
		}
		if n["petition_fingerprints"] != len(repeatCorpus) || n["search_docs"] != len(repeatCorpus) || n["petition_grams"] < 10*len(repeatCorpus) {
			t.Fatalf("index sizes %v", n)
		}
		if err := db.Reindex(context.Background()); err != nil {
			t.Fatal(err)
		}
		for table, want := range n {
			if got := count(t, db, table); got != want {
				t.Errorf("%s: %d rows after a second reindex, %d before", table, got, want)
			}
		}
		wantGramCounts(t, db)
		_ = e
	})
}

// A database with petitions but no repeat or search index (made before
// they existed) is indexed by IndexMissing, which the commands run after
// opening.
func TestOpenIndexesOldData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db := sqldb.NewDB(path, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	fixClock(db, repeatNow)
	f := sqldbtest.NewFixture(t, db)
	p := f.NewPetition(f.VillageA, 1)
	p.Summary, p.Content = "反映东村光伏电站工地拖欠工资", "宏达建筑公司拖欠十一名工人工资8.6万元。"
	f.MustRegister(t, f.RegistrarA, p)
	for _, table := range []string{"petition_grams", "petition_fingerprints", "gram_stats"} {
		if _, err := db.RawSQL().Exec(`DELETE FROM ` + table); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db = sqldb.NewDB(path, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := count(t, db, "petition_fingerprints"); n != 0 {
		t.Fatalf("Open indexed on its own: %d fingerprints", n)
	}
	if err := db.IndexMissing(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "petition_fingerprints"); n != 1 {
		t.Fatalf("fingerprints after reopening: %d, want 1", n)
	}
}
