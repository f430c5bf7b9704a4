package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"xinfang"
)

// Place is what the registration mix draws its localities and categories
// from: the server's own units and content categories, so that every
// registration is valid there.
type Place struct {
	Localities []int64  // active towns and villages (any active unit if none)
	Categories []string // active content categories, second level where there is one
}

// LoadPlace reads the units and categories c may register with.
func LoadPlace(ctx context.Context, c *Client) (*Place, error) {
	type node struct {
		xinfang.Unit
		Children []*node `json:"children"`
	}
	var units struct{ Items []*node }
	if _, _, err := c.Do(ctx, "GET", "/api/v1/units", nil, &units); err != nil {
		return nil, err
	}
	p := &Place{}
	var all []int64
	var walk func([]*node)
	walk = func(ns []*node) {
		for _, n := range ns {
			if !n.Disabled {
				all = append(all, n.ID)
				if n.Kind == xinfang.UnitTown || n.Kind == xinfang.UnitVillage {
					p.Localities = append(p.Localities, n.ID)
				}
			}
			walk(n.Children)
		}
	}
	walk(units.Items)
	if len(p.Localities) == 0 {
		p.Localities = all
	}
	var dict struct{ Items []xinfang.DictEntry }
	if _, _, err := c.Do(ctx, "GET", "/api/v1/dictionary?kind=category", nil, &dict); err != nil {
		return nil, err
	}
	var top []string
	for _, e := range dict.Items {
		switch {
		case !e.Active:
		case e.Parent != "":
			p.Categories = append(p.Categories, e.Code)
		default:
			top = append(top, e.Code)
		}
	}
	if len(p.Categories) == 0 {
		p.Categories = top
	}
	if len(p.Localities) == 0 || len(p.Categories) == 0 {
		return nil, errors.New("the server has no active unit or no content category to register petitions with")
	}
	return p, nil
}

// person is a petitioner the generator has used, kept so that some later
// registrations come from the same person about the same matter: repeat
// detection then has real candidates to weigh.
type person struct {
	name, id, phone string
	topic           int
	locality        int64
	category        string
}

// Generator makes realistic registrations: a valid 身份证号 (region, birth
// date, sequence, check digit), a mobile number, a ~120-character content
// built from a topic with its own names, sums and dates, a category and a
// locality of the server. About one in five comes again from an earlier
// petitioner about the same matter, in other words.
type Generator struct {
	rnd    *rand.Rand
	place  *Place
	seen   []person
	serial int
}

// NewGenerator returns a generator drawing from place; seed makes it
// repeatable, and differs per client so that clients do not collide.
func NewGenerator(place *Place, seed uint64) *Generator {
	return &Generator{rnd: rand.New(rand.NewPCG(seed, 0x78696e66616e67)), place: place}
}

var (
	regions  = []string{"110101", "310104", "320106", "330102", "370102", "410105", "420106", "440305", "500103", "510107", "610113", "350203"}
	surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
	given    = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰春梅海燕建华国庆志红玉珍文斌凤琴德福宏亮永生云飞")
	firms    = []string{"恒达建筑", "宏远物业", "鑫源置业", "华盛建材", "永安运输", "金桥劳务", "天成房地产", "远大化工", "顺发餐饮", "东方纺织"}
	estates  = []string{"阳光花园", "翠湖小区", "锦绣家园", "幸福里", "滨江新城", "和平新村", "春晖苑", "紫荆园", "东湖名邸", "书香门第"}
	roads    = []string{"建设路", "人民大道", "解放路", "中山路", "和平街", "滨河路", "新华路", "工业大道"}
	channels = []xinfang.Channel{xinfang.ChannelLetter, xinfang.ChannelLetter, xinfang.ChannelOnline, xinfang.ChannelOnline, xinfang.ChannelCall, xinfang.ChannelVisit}
)

// topics are the matters: a summary and a content of about 120 characters,
// with slots {企业} {小区} {道路} {人数} {金额} {月} {月2} {年}.
var topics = []struct{ summary, content, request string }{
	{"反映{企业}拖欠农民工工资问题",
		"信访人反映：{年}年{月}月至{月2}月，本人与{人数}名工友在{企业}承建的{小区}项目工地从事钢筋、木工等工作，累计被拖欠工资{金额}万元。项目负责人以开发商未付工程款为由一再拖延，春节前承诺的还款至今没有兑现，工人们生活难以为继，多次找劳动监察部门未果。",
		"要求{企业}尽快结清所欠工资。"},
	{"反映{小区}拆迁安置房逾期未交付问题",
		"信访人反映：{年}年{月}月因{道路}拓宽工程，其房屋被征收，协议约定安置房于次年{月2}月交付，但{小区}安置房至今未能交付，过渡安置费也已停发{人数}个月，一家老小只能租房居住，每月租金{金额}千元，负担很重，多次到街道询问均无明确答复。",
		"要求尽快交付安置房并补发过渡安置费。"},
	{"反映{小区}物业服务不到位问题",
		"信访人反映：{小区}物业公司{宏远}自{年}年{月}月起服务质量明显下降，电梯经常停运，地下车库积水无人处理，垃圾清运不及时，小区{人数}栋楼道照明长期损坏，业主多次向物业和社区反映未果，物业费却从每平方米{金额}元上涨，业主意见很大。",
		"要求督促物业整改或依法更换物业公司。"},
	{"反映{道路}沿线施工噪音扰民问题",
		"信访人反映：{道路}{企业}施工工地自{年}年{月}月开工以来，经常在夜间十点后仍进行打桩、混凝土浇筑等高噪音作业，周边{小区}等{人数}个小区居民夜不能寐，老人和学生深受其害，多次拨打热线投诉后只停工一两天，随后又恢复夜间施工。",
		"要求依法查处夜间违规施工行为。"},
	{"反映{企业}排放废气污染环境问题",
		"信访人反映：位于{道路}附近的{企业}厂区自{年}年{月}月以来经常在夜间排放刺鼻废气，周边{小区}居民闻到异味后出现头晕、咳嗽等症状，附近农田作物也有枯黄现象，涉及住户约{人数}百户，曾向环保部门反映，检测后情况仍无改善。",
		"要求对该企业进行检查并督促整改。"},
	{"反映在{企业}工伤待遇未落实问题",
		"信访人反映：其于{年}年{月}月在{企业}车间作业时右手被机器压伤，经鉴定为十级伤残，但单位至今未为其办理工伤认定后续手续，一次性伤残补助金和停工留薪期工资共计{金额}万元未支付，单位还以岗位调整为由停发其{人数}个月工资。",
		"要求单位依法支付工伤待遇。"},
	{"反映{小区}违建占用公共绿地问题",
		"信访人反映：{小区}{人数}号楼一楼住户自{年}年{月}月起在楼前公共绿地上搭建彩钢板房约{金额}十平方米，并圈占消防通道堆放杂物，严重影响其他业主通行和消防安全，业主向社区和城管部门多次反映，对方答复已立案，但违建至今未拆除。",
		"要求依法拆除违法建筑，恢复公共绿地。"},
	{"反映{道路}路段农村土地征收补偿问题",
		"信访人反映：{年}年{月}月，因{道路}延伸工程征收其所在村组土地约{人数}十亩，村委会公示的补偿标准为每亩{金额}万元，但部分补偿款至今未发放到户，村组账目也未公开，村民怀疑补偿款被截留挪用，多次到镇政府反映没有结果。",
		"要求公开补偿款发放情况并足额发放。"},
}

// Registration returns the next registration as the API takes it.
func (g *Generator) Registration(now time.Time) map[string]any {
	g.serial++
	r := g.rnd
	var p person
	if len(g.seen) > 0 && r.IntN(5) == 0 {
		p = g.seen[r.IntN(len(g.seen))] // the same person, the same matter
	} else {
		p = person{name: g.name(), id: g.idNumber(), phone: g.phone(), topic: r.IntN(len(topics)),
			locality: g.place.Localities[r.IntN(len(g.place.Localities))], category: g.place.Categories[r.IntN(len(g.place.Categories))]}
		if len(g.seen) < 500 {
			g.seen = append(g.seen, p)
		} else {
			g.seen[r.IntN(len(g.seen))] = p
		}
	}
	t := topics[p.topic]
	year := now.Year() - r.IntN(2)
	m1 := 1 + r.IntN(11)
	fill := strings.NewReplacer(
		"{企业}", firms[r.IntN(len(firms))]+"有限公司", "{宏远}", firms[r.IntN(len(firms))], "{小区}", estates[r.IntN(len(estates))],
		"{道路}", roads[r.IntN(len(roads))], "{人数}", fmt.Sprint(2+r.IntN(40)), "{金额}", fmt.Sprint(1+r.IntN(90)),
		"{年}", fmt.Sprint(year), "{月}", fmt.Sprint(m1), "{月2}", fmt.Sprint(m1+1+r.IntN(12-m1)),
	)
	return map[string]any{
		"channel":     channels[r.IntN(len(channels))],
		"received_at": now.Add(-time.Duration(1+r.IntN(600)) * time.Minute).Format(time.RFC3339),
		"petitioner":  map[string]string{"name": p.name, "id_number": p.id, "phone": p.phone},
		"summary":     fill.Replace(t.summary),
		"content":     fill.Replace(t.content),
		"request":     fill.Replace(t.request),
		"category":    p.category,
		"purpose":     xinfang.PurposeClaim,
		"locality_id": p.locality,
	}
}

func (g *Generator) name() string {
	n := string(surnames[g.rnd.IntN(len(surnames))]) + string(given[g.rnd.IntN(len(given))])
	if g.rnd.IntN(2) == 0 {
		n += string(given[g.rnd.IntN(len(given))])
	}
	return n
}

// idNumber is a valid 18-digit 身份证号: region, birth date, sequence and
// the ISO 7064 check character.
func (g *Generator) idNumber() string {
	birth := time.Date(1945+g.rnd.IntN(60), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rnd.IntN(365))
	first := regions[g.rnd.IntN(len(regions))] + birth.Format("20060102") + fmt.Sprintf("%03d", g.rnd.IntN(1000))
	return first + string(xinfang.IDNumberCheckChar(first))
}

func (g *Generator) phone() string {
	return fmt.Sprintf("1%c%09d", "35789"[g.rnd.IntN(5)], g.rnd.IntN(1_000_000_000))
}
