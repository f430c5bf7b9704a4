package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"xinfang"
)

var (
	surnames = []string{
		"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
		"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
		"余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
		"石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙",
	}
	maleNames = []string{
		"建国", "建军", "国强", "志刚", "卫东", "海涛", "永明", "德华", "立新", "文斌", "春生", "长青", "振华", "红军", "学军",
		"明亮", "伟", "强", "军", "磊", "勇", "杰", "涛", "斌", "浩然", "宇航", "子豪", "家豪", "俊杰", "福生", "有才", "金贵",
		"保国", "四清", "新民", "光荣", "大海", "德胜", "庆丰", "兴旺", "国平", "小龙", "文军", "发财", "正义", "世军",
	}
	femaleNames = []string{
		"秀英", "桂英", "玉兰", "秀兰", "凤英", "淑珍", "丽华", "春梅", "红梅", "美玲", "晓燕", "丽娟", "静", "敏", "婷",
		"芳", "娜", "霞", "燕", "雪梅", "海燕", "小红", "翠花", "金凤", "月娥", "桂香", "兰英", "素芬", "秋菊", "丽萍",
	}
	// otherRegions are 户籍 counties of migrant workers: 四川邻水、河南固始、
	// 湖南桃源、江西鄱阳、安徽临泉 (province prefixes only are checked).
	otherRegions   = []string{"511623", "411525", "430725", "361128", "341221"}
	mobilePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
		"153", "155", "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188", "189", "198", "199"}
	occupations = []string{"01", "01", "01", "02", "03", "04", "05", "05", "09", "13"} // dictionary codes, farmers first
)

// people makes petitioners with valid, distinct identity numbers.
type people struct {
	rng    *rand.Rand
	ids    map[string]bool
	phones map[string]bool
	codes  map[string]bool
}

func newPeople(rng *rand.Rand) *people {
	return &people{rng: rng, ids: map[string]bool{}, phones: map[string]bool{}, codes: map[string]bool{}}
}

func (pp *people) pick(list []string) string { return list[pp.rng.IntN(len(list))] }

// name returns a person's name; male decides the given name.
func (pp *people) name(male bool) string {
	if male {
		return pp.pick(surnames) + pp.pick(maleNames)
	}
	return pp.pick(surnames) + pp.pick(femaleNames)
}

// idNumber returns a 居民身份证号 (GB 11643) of region born on birth; the
// sequence code's parity is the sex (odd for men).
func (pp *people) idNumber(region string, birth time.Time, male bool) string {
	for {
		seq := pp.rng.IntN(500) * 2
		if male {
			seq++
		}
		first := region + birth.Format("20060102") + fmt.Sprintf("%03d", seq)
		id := first + string(xinfang.IDNumberCheckChar(first))
		if !pp.ids[id] {
			pp.ids[id] = true
			return id
		}
	}
}

func (pp *people) phone() string {
	for {
		p := pp.pick(mobilePrefixes) + fmt.Sprintf("%08d", pp.rng.IntN(100000000))
		if !pp.phones[p] {
			pp.phones[p] = true
			return p
		}
	}
}

// person returns a petitioner living at address, aged 22–80 on now; migrant
// ones were born elsewhere.
func (pp *people) person(now time.Time, address string, migrant bool) *xinfang.Petitioner {
	male := pp.rng.IntN(100) < 62
	age := 22 + pp.rng.IntN(59)
	if pp.rng.IntN(3) == 0 {
		age = 45 + pp.rng.IntN(30) // petitioners are older than the population
	}
	birth := time.Date(now.Year()-age, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, pp.rng.IntN(365))
	region := cityRegion
	if migrant {
		region = pp.pick(otherRegions)
	}
	ethnicity := "01"
	if pp.rng.IntN(20) == 0 {
		ethnicity = pp.pick([]string{"02", "05", "06", "09"})
	}
	p := &xinfang.Petitioner{
		Name:       pp.name(male),
		IDType:     xinfang.IDCard,
		IDNumber:   pp.idNumber(region, birth, male),
		Phone:      pp.phone(),
		Ethnicity:  ethnicity,
		Occupation: pp.pick(occupations),
		Address:    address,
		Residence:  address,
	}
	if migrant {
		p.Occupation = "02"
		p.HukouAddress = "外省"
	} else {
		p.HukouAddress = address
	}
	if p.Occupation == "05" && age < 55 {
		p.Occupation = "01"
	}
	return p
}

// gb11714Check is the check character of a 9-character organisation code
// (GB 11714) for its first 8 characters.
func gb11714Check(body string) byte {
	w := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + r)
	}
}

// uscc returns a 统一社会信用代码 (GB 32100): registration authority and
// kind ("91" company, "93" farmers' cooperative), the city's region, the
// organisation code with its own check character, and the check character.
func (pp *people) uscc(kind string) string {
	const body = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	for {
		var b strings.Builder
		b.WriteString("MA")
		for i := 0; i < 6; i++ {
			b.WriteByte(body[pp.rng.IntN(10+pp.rng.IntN(2)*21)]) // mostly digits
		}
		org := b.String()
		first := kind + cityRegion + org + string(gb11714Check(org))
		code := first + string(xinfang.USCCCheckChar(first))
		if len(code) == 18 && !pp.codes[code] {
			pp.codes[code] = true
			return code
		}
	}
}

// organisation returns an organisation petitioner.
func (pp *people) organisation(name, kind, address string) *xinfang.Petitioner {
	return &xinfang.Petitioner{Org: true, Name: name, OrgCode: pp.uscc(kind), Phone: pp.phone(), Address: address}
}

var (
	companyWords = []string{"宏达", "鑫源", "恒泰", "华盛", "顺发", "金鼎", "永安", "泰和", "兴业", "中诚", "广厦", "天成", "瑞丰", "长江", "锦程"}
	companyTrade = []string{"建筑工程", "房地产开发", "劳务", "建材", "置业", "农业开发", "纺织", "机械制造", "市政工程", "装饰工程"}
)

func (pp *people) company() string {
	return "示范市" + pp.pick(companyWords) + pp.pick(companyTrade) + "有限公司"
}
