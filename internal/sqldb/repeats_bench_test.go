package sqldb_test

// Benchmarks of repeat detection and search over 100,000 petitions on
// SQLite. REPEATS.md says how to run them and what they showed.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// repeatsBenchToday is the present of the benchmark data.
var repeatsBenchToday = time.Date(2026, time.June, 15, 10, 0, 0, 0, calendar.Location())

// repeatsDataVersion changes whenever the generator changes.
const repeatsDataVersion = 1

// A matter is what petitions are about; several petitions may tell one
// matter, in other words. The generator draws matters from kinds, each
// with a few wordings, and fills in places, firms, projects, people and
// figures, so that the texts share boilerplate and topic words as real
// ones do, while the names that tell matters apart vary.
type benchMatter struct {
	kind                            int
	village                         int
	group, firm, project, person    string
	amount, area, count, year, when int
}

var (
	benchSurnames   = []rune("张王李刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
	benchGiven      = []string{"建国", "秀英", "志刚", "桂英", "卫东", "玉兰", "海涛", "淑珍", "永明", "丽华", "德华", "春梅", "国强", "红梅", "小军", "文军", "金凤", "春生", "明亮", "翠花", "家福", "雪梅", "长林", "新民"}
	benchPlaceHead  = []rune("张李王刘陈杨黄赵周吴徐孙马朱胡郭何高林罗石柳枣龙桃杏槐松竹梅新老东西南北上下前后大小")
	benchPlaceTail  = []rune("湾庄集店营寨岗坪桥塘河坡沟岭园湖")
	benchFirmHead   = []string{"宏达", "鑫源", "恒通", "金鼎", "华丰", "盛世", "瑞祥", "永泰", "锦绣", "天宇", "东方", "利民", "福源", "兴旺", "四海", "顺发", "长城", "银河", "绿洲", "神州"}
	benchFirmTail   = []string{"建筑公司", "建设工程公司", "劳务公司", "服装厂", "砖厂", "石材厂", "化工厂", "养殖场", "物业公司", "房地产开发公司", "农业合作社", "木业公司"}
	benchProjects   = []string{"县道拓宽工程", "高速公路连接线", "开发区二期", "棚户区改造项目", "光伏电站", "污水处理厂", "高标准农田项目", "物流园", "工业园区", "新农村安置点", "水库除险加固工程", "铁路货场"}
	benchGroups     = []string{"一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组"}
	benchComplaints = []string{"多次找村委会反映无果。", "镇里一直推来推去。", "找过有关部门好几次都没有结果。", "家里生活十分困难。", "请求上级领导重视。", "希望尽快调查处理。", "村民意见很大。", "至今没有任何答复。", "已经严重影响正常生活。", "请求依法维护我们的合法权益。"}
)

// benchKinds are the kinds of matter with their category and wordings.
// In the wordings: V village, G group, F firm, P project, N person,
// A amount (元), R area (亩), C count of people, Y year, M months.
var benchKinds = []struct {
	category string
	summary  []string
	content  []string
}{
	{"1401", []string{"反映V征地补偿款未足额发放问题", "V村民要求补足P征地补偿款"},
		[]string{"Y年P征收V G耕地共R亩，公示的补偿标准每亩A元，实际发放不足，地上附着物补偿也没有兑现。", "我家在G的地被P征走了，说好的补偿款到现在还差一大截，青苗和果树补偿一分没见着。"}},
	{"0501", []string{"反映F拖欠农民工工资问题", "V附近F工地工人讨要欠薪"},
		[]string{"我们C人在P工地干活，承包方F拖欠工资共A元，工程完工M个月了老板一直说没拿到工程款。", "F欠我们C个人A元工钱，活干完M个月了，老板电话也不接，快过年了希望帮忙要回来。"}},
	{"1305", []string{"反映V宅基地界址纠纷问题", "V G宅基地被邻居N占用"},
		[]string{"邻居N翻建房屋时把院墙往我家这边移了一米多，占了我家宅基地，村委会调解M次都没有结果。", "我家宅基地在V G，N家盖房多占了两米，还把排水沟堵了，请求依法确权。"}},
	{"1105", []string{"反映V F粪污污染问题", "V养殖场臭气扰民"},
		[]string{"V的F存栏C百多头，粪水不经处理直接排进水塘，夏天臭气熏天，井水也有异味。", "F的粪污往沟里排，臭得开不了窗，苍蝇成群，周边C户人家受影响。"}},
	{"1202", []string{"反映V低保评定不公问题", "V困难户申请低保未通过"},
		[]string{"本人N患病丧失劳动能力，向V申请低保两次都没通过，而村干部的亲戚却吃上了低保。", "我家N常年卧床，家里没有收入，申请低保M次都说名额不够，有的家庭条件好的却享受低保。"}},
	{"1502", []string{"反映V F违规收费问题", "业主反映F服务差乱涨价"},
		[]string{"F服务不到位，电梯经常停运，门禁长期损坏，却擅自把物业费上调，公共收益去向不明。", "小区F收费涨了一倍，监控坏了M个月没人修，业主C多户联名要求公开账目。"}},
	{"1803", []string{"反映与N借贷纠纷判决得不到执行问题", "申请执行N欠款A元长期未果"},
		[]string{"本人与N民间借贷纠纷一案，法院Y年判决对方归还借款A元，判决生效后对方拒不履行，申请强制执行M个月仍未到位。", "N欠我A元，官司赢了Y年就判了，到现在一分钱没执行回来，N还在外面买车买房。"}},
	{"0402", []string{"检举V干部侵占集体资产问题", "反映V村干部N私自出租集体土地"},
		[]string{"V党支部书记N将集体机动地R亩以个人名义出租，租金A元未入村集体账户，村务财务长期不公开。", "村干部N把村里R亩集体地租给F，租金去向不明，村民要求查账。"}},
	{"1001", []string{"建议修缮V通村公路", "V道路损坏出行困难"},
		[]string{"V到集镇的道路路面坑洼，路基塌陷好几处，雨天泥泞不堪，C多名学生上学很不安全。", "通往V G的路M个月前被P的工程车压坏了，一直没人修。"}},
	{"1102", []string{"反映V F偷排废水问题", "F污染河道影响灌溉"},
		[]string{"V的F夜里偷偷往河里排废水，河水发黑发臭，下游R亩稻田减产。", "F排的污水把河里的鱼都毒死了，用河水浇的菜也死了，环保部门来了M次都没查到。"}},
	{"1301", []string{"反映V承包地被收回另行发包问题", "V G土地流转租金未兑付"},
		[]string{"我家在V G承包的R亩耕地在外出务工期间被组里收回发包给F，回村后要求返还被拒。", "Y年V G的土地流转给F，拖欠M个月租金A元未付，涉及农户C户。"}},
	{"1901", []string{"反映退役军人N安置待遇未落实问题", "退役军人N要求落实安置政策"},
		[]string{"本人N，Y年退役，按政策应安排工作，M个月来找了退役军人事务局多次都说没有岗位。", "我是Y年退役的，按规定应享受的待遇一直没有落实，家里C口人生活困难。"}},
}

func (g *benchGen) name() string {
	return string(benchSurnames[g.rng.IntN(len(benchSurnames))]) + benchGiven[g.rng.IntN(len(benchGiven))]
}

type benchGen struct {
	rng      *rand.Rand
	villages []*xinfang.Unit
	matters  []benchMatter
}

func (g *benchGen) newMatter() benchMatter {
	r := g.rng
	return benchMatter{
		kind: r.IntN(len(benchKinds)), village: r.IntN(len(g.villages)),
		group:   benchGroups[r.IntN(len(benchGroups))],
		firm:    benchFirmHead[r.IntN(len(benchFirmHead))] + benchFirmTail[r.IntN(len(benchFirmTail))],
		project: benchProjects[r.IntN(len(benchProjects))], person: g.name(),
		amount: (1 + r.IntN(400)) * 500, area: 1 + r.IntN(60), count: 2 + r.IntN(40), year: 2018 + r.IntN(8), when: 1 + r.IntN(18),
	}
}

// text renders a matter in wording w.
func (g *benchGen) text(m benchMatter) (category, summary, content string) {
	k := benchKinds[m.kind]
	v := g.villages[m.village].Name
	fill := func(s string) string {
		return strings.NewReplacer("V", v, "G", m.group, "F", m.firm, "P", m.project, "N", m.person,
			"A", fmt.Sprint(m.amount), "R", fmt.Sprint(m.area), "C", fmt.Sprint(m.count), "Y", fmt.Sprint(m.year), "M", fmt.Sprint(m.when)).Replace(s)
	}
	var b strings.Builder
	b.WriteString(fill(k.content[g.rng.IntN(len(k.content))]))
	for n := g.rng.IntN(3); n > 0; n-- {
		b.WriteString(benchComplaints[g.rng.IntN(len(benchComplaints))])
	}
	return k.category, fill(k.summary[g.rng.IntN(len(k.summary))]), b.String()
}

// next returns a petition's matter: a new one, or one told before (about
// one petition in six is a repeat, as in the demo city).
func (g *benchGen) next() benchMatter {
	if len(g.matters) > 0 && g.rng.IntN(6) == 0 {
		return g.matters[len(g.matters)-1-g.rng.IntN(min(len(g.matters), 3000))]
	}
	m := g.newMatter()
	g.matters = append(g.matters, m)
	return m
}

// repeatsDB opens the benchmark database of n petitions, building it the
// first time (in os.TempDir(), keyed by the schema and generator version).
func repeatsDB(b *testing.B, n int) (*sqldb.DB, *benchGen) {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("xinfang-bench-repeats-%d-%s-v%d.db", n, schemaKey(b), repeatsDataVersion))
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		buildRepeats(b, path, n)
		b.Logf("built and indexed %d petitions in %s: %s", n, time.Since(start).Round(time.Millisecond), path)
	}
	db := sqldb.NewDB(path, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	// A database of an older index version is brought up to date before
	// it is measured.
	if building, err := db.StartIndexBuild(context.Background()); err != nil {
		b.Fatal(err)
	} else if building {
		start := time.Now()
		if err := db.BuildIndex(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.Logf("brought the index of %d petitions up to date in %s", n, time.Since(start).Round(time.Millisecond))
	}
	db.Now = func() time.Time { return repeatsBenchToday }
	units, err := db.Directory.FindUnits(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	g := &benchGen{rng: rand.New(rand.NewPCG(7, uint64(n)))}
	for _, u := range units {
		if u.Kind == xinfang.UnitVillage {
			g.villages = append(g.villages, u)
		}
	}
	return db, g
}

func buildRepeats(b *testing.B, path string, n int) {
	b.Helper()
	tmp := path + ".building"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	buildUnindexed(b, tmp, n)
	ctx := context.Background()
	db := sqldb.NewDB(tmp, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := db.Reindex(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("Reindex of %d petitions: %s", n, time.Since(start).Round(time.Millisecond))
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
}

// buildUnindexed writes the city and n petitions of the repeats benchmarks
// into a new database at path, without their search and repeat index.
func buildUnindexed(b *testing.B, tmp string, n int) {
	b.Helper()
	db := sqldb.NewDB(tmp, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	unit := func(parent *xinfang.Unit, code, name string, kind xinfang.UnitKind) *xinfang.Unit {
		u := &xinfang.Unit{Code: code, Name: name, Kind: kind}
		if parent != nil {
			u.ParentID = parent.ID
		}
		if err := db.Directory.CreateUnit(ctx, u); err != nil {
			b.Fatal(err)
		}
		return u
	}
	city := unit(nil, "RCITY", "基准市", xinfang.UnitCity)
	bureau := unit(city, "RXFJ", "基准市信访局", xinfang.UnitBureau)
	g := &benchGen{rng: rand.New(rand.NewPCG(2026, uint64(n)))}
	used := map[string]bool{}
	for t := 1; t <= 10; t++ {
		town := unit(city, fmt.Sprintf("RT%02d", t), fmt.Sprintf("第%d镇", t), xinfang.UnitTown)
		for v := 1; v <= 10; v++ {
			var name string
			for name == "" || used[name] {
				name = string(benchPlaceHead[g.rng.IntN(len(benchPlaceHead))]) + string(benchPlaceTail[g.rng.IntN(len(benchPlaceTail))]) + "村"
			}
			used[name] = true
			g.villages = append(g.villages, unit(town, fmt.Sprintf("RT%02d-%02d", t, v), name, xinfang.UnitVillage))
		}
	}
	for _, u := range []*xinfang.User{
		{Username: "leader", Name: "领导", UnitID: city.ID, Roles: []xinfang.Role{xinfang.RoleLeader}},
		{Username: "registrar", Name: "登记员", UnitID: bureau.ID, Roles: []xinfang.Role{xinfang.RoleRegistrar}},
	} {
		if err := db.Directory.CreateUser(ctx, u, sqldbtest.Password); err != nil {
			b.Fatal(err)
		}
	}
	registrar, err := db.Directory.FindUserByUsername(ctx, "registrar")
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	raw := openBulk(b, tmp)
	today := calendar.DateOf(repeatsBenchToday)
	const batch = 20_000
	for done := 0; done < n; done += batch {
		tx, err := raw.Begin()
		if err != nil {
			b.Fatal(err)
		}
		insPetitioner, _ := tx.Prepare(`INSERT INTO petitioners (name, id_type, id_number, id_index, phone, phone_index, address, created_at) VALUES (?, 'id_card', ?, ?, ?, ?, ?, ?) RETURNING id`)
		insPetition, err := tx.Prepare(`INSERT INTO petitions (number, query_hash, version, channel, received_at, reg_unit_id, reg_user_id, first_unit_id, petitioner_id,
			person_count, involved_count, summary, content, request, category, purpose, locality_id, state, reg_path, handling_path, created_at, updated_at)
			VALUES (?, ?, 1, 'visit', ?, ?, ?, ?, ?, 1, 1, ?, ?, '请求依法处理', ?, ?, ?, 'concluded', ?, '', ?, ?) RETURNING id`)
		if err != nil {
			b.Fatal(err)
		}
		insLink, _ := tx.Prepare(`INSERT INTO petition_petitioners (petition_id, petitioner_id) VALUES (?, ?)`)
		for i := done; i < min(done+batch, n); i++ {
			m := g.next()
			category, summary, content := g.text(m)
			// Received over three years, in order.
			received := today.AddDays(-3*365 + 3*365*i/n).Time().Add(time.Duration(8*60+g.rng.IntN(9*60)) * time.Minute)
			ts := received.UTC().Format("2006-01-02T15:04:05.000000Z")
			village := g.villages[m.village]
			var pid, id int64
			if err := insPetitioner.QueryRow(append(append([]any{g.name()}, db.PersonArgs(benchIDNumber(i), fmt.Sprintf("13%09d", i), village.Name)...), ts)...).Scan(&pid); err != nil {
				b.Fatal(err)
			}
			purpose := "claim"
			if category == "0402" {
				purpose = "accusation"
			}
			if err := insPetition.QueryRow(fmt.Sprintf("RXFJ-%d-%07d", received.Year(), i+1), fmt.Sprintf("bench-%d", i), ts, bureau.ID, registrar.ID, bureau.ID, pid,
				summary, content, category, purpose, village.ID, bureau.Path, ts, ts).Scan(&id); err != nil {
				b.Fatal(err)
			}
			if _, err := insLink.Exec(id, pid); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range sqldb.PersonIDsSQL {
		if _, err := raw.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	if err := raw.Close(); err != nil {
		b.Fatal(err)
	}
}

// latencies runs fn b.N times and reports the p50 and p95 latency.
func latencies(b *testing.B, fn func(i int) int) {
	durs := make([]time.Duration, 0, b.N)
	found := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		found += fn(i)
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durs)
	b.ReportMetric(ms(percentile(durs, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(durs, 95)), "p95-ms")
	b.ReportMetric(float64(found)/float64(b.N), "found/op")
}

// BenchmarkRepeatCandidates100k: the check at registration (a draft: a new
// telling of a matter, as the registrar would type it) and on demand (an
// existing petition), as the city's registrar (whole-city scope at the
// 信访局) and as the leader.
func BenchmarkRepeatCandidates100k(b *testing.B) { benchRepeatCandidates(b, benchSize(100_000)) }

// BenchmarkRepeatCandidates1M: the same at 1,000,000 petitions, the size
// the goal (p95 ≤ 10 ms) is set at. The data set is built and indexed once
// and kept in the temporary directory (repeatsDB).
func BenchmarkRepeatCandidates1M(b *testing.B) { benchRepeatCandidates(b, benchSize(1_000_000)) }

func benchRepeatCandidates(b *testing.B, n int) {
	db, g := repeatsDB(b, n)
	ctx := context.Background()
	registrar, err := db.Directory.FindUserByUsername(ctx, "registrar")
	if err != nil {
		b.Fatal(err)
	}
	rctx := xinfang.NewContextWithUser(ctx, registrar)
	// Half the drafts are follow-ups of a stored petition (its first
	// sentence and "not solved since"), half new matters.
	drafts := make([]*xinfang.Petition, 0, 500)
	for i := 0; i < 250; i++ {
		var d xinfang.Petition
		var content string
		err := db.RawSQL().QueryRow(`SELECT locality_id, category, summary, content FROM petitions WHERE id = ?`, 1+(i*397)%n).
			Scan(&d.LocalityID, &d.Category, &d.Summary, &content)
		if err != nil {
			b.Fatal(err)
		}
		first, _, _ := strings.Cut(content, "。")
		d.Summary, d.Content = "再次"+d.Summary, first+"。上次反映后至今没有解决。"
		d.Petitioner, d.ReceivedAt = &xinfang.Petitioner{Name: "某", Phone: fmt.Sprintf("139%08d", i)}, repeatsBenchToday.Add(-time.Hour)
		drafts = append(drafts, &d)
	}
	for len(drafts) < 500 {
		m := g.newMatter()
		category, summary, content := g.text(m)
		drafts = append(drafts, &xinfang.Petition{Petitioner: &xinfang.Petitioner{Name: "某", IDNumber: benchIDNumber(g.rng.IntN(n))},
			LocalityID: g.villages[m.village].ID, Category: category, Summary: summary, Content: content, ReceivedAt: repeatsBenchToday.Add(-time.Hour)})
	}
	g.rng.Shuffle(len(drafts), func(i, j int) { drafts[i], drafts[j] = drafts[j], drafts[i] })
	// "from_text" is the baseline: each candidate's text read and parsed
	// again for the ranking, as before the traits were stored.
	for _, fromText := range []bool{false, true} {
		suffix := ""
		if fromText {
			suffix = "/from_text"
		}
		db.SetRankFromText(fromText)
		b.Run("draft"+suffix, func(b *testing.B) {
			latencies(b, func(i int) int {
				cs, err := db.Repeats.FindRepeatCandidates(rctx, drafts[i%len(drafts)], 20)
				if err != nil {
					b.Fatal(err)
				}
				return len(cs)
			})
		})
		b.Run("existing"+suffix, func(b *testing.B) {
			latencies(b, func(i int) int {
				cs, err := db.Repeats.FindRepeatCandidatesOf(rctx, int64(1+(i*7919)%n), 20)
				if err != nil {
					b.Fatal(err)
				}
				return len(cs)
			})
		})
	}
	db.SetRankFromText(false)
}

// BenchmarkSearch100k: one page (50) and the count of SearchPetitions over
// the repeat-detection corpus. Every query but "none" (the cost of a miss)
// must match something.
func BenchmarkSearch100k(b *testing.B) {
	db, _ := repeatsDB(b, benchSize(100_000))
	// The number of a stored item, lower-cased as staff type it.
	var number string
	if err := db.RawSQL().QueryRow(`SELECT number FROM petitions ORDER BY id LIMIT 1 OFFSET 59`).Scan(&number); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	leader, err := db.Directory.FindUserByUsername(ctx, "leader")
	if err != nil {
		b.Fatal(err)
	}
	lctx := xinfang.NewContextWithUser(ctx, leader)
	for _, c := range []struct{ name, q string }{
		{"2char_common", "低保"}, {"2char_name", "宏达"}, {"3char", "养殖场"}, {"long", "县道拓宽工程"},
		{"firm", "锦绣服装厂"}, {"two_terms", "光伏电站 工资"}, {"number", strings.ToLower(number)}, {"none", "不存在的事情"},
	} {
		b.Run(c.name, func(b *testing.B) {
			latencies(b, func(int) int {
				_, total, _, err := db.Search.SearchPetitions(lctx, c.q, 50, 0)
				if err != nil {
					b.Fatal(err)
				}
				if total == 0 && c.name != "none" {
					b.Fatalf("%q matched nothing: the benchmark would measure nothing", c.q)
				}
				return total
			})
		})
	}
}
