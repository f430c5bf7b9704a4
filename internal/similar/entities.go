package similar

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Entities are the specifics that tell one matter from another of the
// same kind: where (village, community or estate; town or street; street
// address), against whom (hospital, police station, school, company,
// works, project), who (surname with a title: 吴老板, 孙某; a name the
// petitioner gives: 我叫周德贵), how much (amounts in 元), how large
// (areas in 亩 and 平方米, 一亩四分 and 三分五 read as 1.4 and 0.35 亩) and
// when (years). Two petitions agree on a kind when both name one in
// common and conflict when both name some and none in common; the
// features of the model (model.go) count agreements and conflicts.

// Entity kinds.
const (
	entVillage = iota // 新华村, 和平社区, 锦程小区
	entTown           // 柳林镇, 城南街道, 白沙乡
	entAddress        // 和平路36号
	entOrg            // 人民医院, 河西派出所, 宏达公司, 砂石场
	entPerson         // 吴某, 韩老板, 周德贵
	entAmount         // 84000元
	entArea           // 63亩, 90平方米
	entYear           // 2023年
	numEntityKinds
)

var entityKindNames = [numEntityKinds]string{"村社区", "乡镇街道", "门牌地址", "单位企业", "人名", "金额", "面积", "年份"}

// entities holds, per kind, the sorted distinct keys found in a text.
type entities [numEntityKinds][]string

// stemEnd are characters that end a phrase before a place or organisation
// name rather than belong to it: 在/到/给 + 村, 我们村, 这个小区, 本村.
const stemEnd = "我你他她们本全同邻该各每此这那个的在到从进出回和与及是有给把被找问去说让跟向对由请叫过里上下了就都也还又"

var stemEndSet = newHanSet(stemEnd)

// surnames are the common family names (百家姓, the most frequent first):
// 吴某 and 韩老板 name someone, 外地老板 and 该某 do not.
var surnames = newHanSet("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")

// villageWordAfter are characters after 村/社区/小区 that make a word of it
// (村民, 村委, 村里, 村支书, 社区里), so that what precedes is no name.
var villageWordAfter = newHanSet("民委里部口中旁道干务医集头内外级规容貌庄镇组支长书会")

// townWordAfter: 镇里, 镇上, 镇政府, 乡里, 乡亲, 街道办.
var townWordAfter = newHanSet("里上政长干府亲下村镇办")

// orgKindWords tell what an organisation does or what form it has, not
// which one it is: 宏达化工有限公司 and 宏达化工厂 are both 宏达, 县人民医院
// is the county's hospital.
var orgKindWords = []string{"有限责任", "股份", "有限", "集团", "责任", "化工", "工程", "建筑", "建设",
	"置业", "房地产", "地产", "开发", "物业", "农业", "新能源", "能源", "光伏", "人民", "中医", "妇幼",
	"保健", "中心", "实业", "科技", "发展", "投资", "服务", "管理", "环保", "材料", "食品", "服装",
	"养殖", "蔬菜", "产业", "种植", "油茶", "制衣", "石材", "砂石", "分", "总"}

// orgLevels name a body by the level it belongs to: 县医院, 市中学, 镇卫生院.
var orgLevels = newHanSet("省市县区镇乡村")

// orgName returns the name of the organisation whose kind word ends at
// s[:end]: the two characters before it once the words of orgKindWords
// are taken off, or its level (县, 镇) alone; "" when what precedes names
// none (这个厂, 在工地).
func orgName(s string, end int) string {
	rs := []rune(s[:end])
	if len(rs) > 10 {
		rs = rs[len(rs)-10:]
	}
	for again := true; again; {
		again = false
		for _, w := range orgKindWords {
			if strings.HasSuffix(string(rs), w) {
				rs = rs[:len(rs)-len([]rune(w))]
				again = true
			}
		}
	}
	if len(rs) == 0 || !unicode.Is(unicode.Han, rs[len(rs)-1]) {
		return ""
	}
	if i := slices.IndexFunc(rs, func(r rune) bool { return !unicode.Is(unicode.Han, r) }); i >= 0 {
		rs = rs[lastNonHan(rs)+1:]
	}
	if len(rs) == 0 {
		return ""
	}
	last := rs[len(rs)-1]
	if orgLevels.has(last) {
		return string(last)
	}
	if len(rs) < 2 || stemEndSet.has(last) || stemEndSet.has(rs[len(rs)-2]) ||
		isChineseNumeral(rs[len(rs)-2]) || isChineseNumeral(last) || orgNotName[string(rs[len(rs)-2:])] {
		return ""
	}
	return string(rs[len(rs)-2:])
}

func lastNonHan(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if !unicode.Is(unicode.Han, rs[i]) {
			return i
		}
	}
	return -1
}

// orgNotName are words before an organisation's kind that are no name:
// the petition's verbs (反映宏达化工 is taken apart above, 反映医院 not).
var orgNotName = map[string]bool{"反映": true, "督促": true, "启动": true, "通知": true, "认为": true,
	"多次": true, "至今": true, "用于": true, "请求": true, "查处": true, "发现": true, "举报": true, "投诉": true}

func extractEntities(folded string, t *text) entities {
	var e entities
	s := Normalize(folded)
	addStem := func(k int, stem, suffix string) {
		rs := []rune(stem)
		for len(rs) > 0 && stemEndSet.has(rs[0]) {
			rs = rs[1:]
		}
		if len(rs) < 2 || stemEndSet.has(rs[len(rs)-1]) {
			return
		}
		// Two characters name a place or a body; more would take in the
		// word before it (反映张湾村).
		if len(rs) > 2 {
			rs = rs[len(rs)-2:]
		}
		e[k] = append(e[k], string(rs))
	}
	// Places and organisations are read clause by clause: what precedes
	// 村 or 医院 across a stop (工钱。东村, 感染化脓，医院) names none.
	clauses := string(fold(folded))
	for _, m := range findAll(clauses, placeAt) {
		if r := firstRune(clauses[m[1]:]); villageWordAfter.has(r) {
			continue
		}
		addStem(entVillage, clauses[m[2]:m[3]], clauses[m[4]:m[5]])
	}
	for _, m := range findAll(clauses, townAt) {
		if r := firstRune(clauses[m[1]:]); clauses[m[4]:m[5]] != "街道" && townWordAfter.has(r) && r != '镇' {
			// 镇里 after a name is still the town: 柳林镇里.
			if r != '里' && r != '上' {
				continue
			}
		}
		addStem(entTown, clauses[m[2]:m[3]], clauses[m[4]:m[5]])
	}
	for _, m := range findAll(s, addressAt) {
		e[entAddress] = append(e[entAddress], s[m[2]:m[7]])
	}
	for _, m := range findAll(clauses, orgAt) {
		if clauses[m[0]:m[1]] == "基地" && strings.HasSuffix(clauses[:m[0]], "宅") {
			continue // 宅基地
		}
		if n := orgName(clauses, m[0]); n != "" {
			e[entOrg] = append(e[entOrg], n)
		}
	}
	for _, m := range findAll(s, personAt) {
		switch title, name := group(s, m, 1), group(s, m, 3); {
		case title != "" && surnames.has(firstRune(title)):
			e[entPerson] = append(e[entPerson], title)
		case name != "":
			e[entPerson] = append(e[entPerson], string([]rune(name)[:1]), name)
		}
	}
	figures(t, &e)
	for k := range e {
		slices.Sort(e[k])
		e[k] = slices.Compact(e[k])
	}
	return e
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

// figures reads amounts, areas and years from the tokens: a figure before
// 元 (or 万 … 元), before 亩 or 平方米, a four-digit figure before 年.
// Land told in words, 一亩四分 and 三分五 (of a 亩), is read as 1.4 and 0.35.
func figures(t *text, e *entities) {
	toks := t.toks
	isFig := func(i int) bool { return i < len(toks) && toks[i].r == 0 && isASCIIDigit(rune(t.buf[toks[i].start])) }
	is := func(i int, r rune) bool { return i >= 0 && i < len(toks) && toks[i].r == r }
	digit := func(i int) (int, bool) {
		if i >= len(toks) {
			return 0, false
		}
		if isFig(i) {
			v, err := strconv.Atoi(string(t.bytes(i, i+1)))
			return v, err == nil && v < 10
		}
		return chineseDigit(toks[i].r)
	}
	approx := func(i int) bool { return i < len(toks) && approxSet.has(toks[i].r) }
	for i := range toks {
		if !isFig(i) {
			// 三分五 (的地): 0.35 亩.
			if d, ok := digit(i); ok && !is(i-1, '亩') && is(i+1, '分') {
				if d2, ok := digit(i + 2); ok && (is(i+3, '的') || is(i+3, '地') || is(i+3, '田')) {
					e[entArea] = append(e[entArea], strconv.FormatFloat(float64(d)/10+float64(d2)/100, 'f', -1, 64))
				}
			}
			continue
		}
		v := string(t.bytes(i, i+1))
		switch {
		case is(i+1, '元'):
			e[entAmount] = append(e[entAmount], v)
		case approx(i+1) && is(i+2, '元'):
			e[entAmount] = append(e[entAmount], v+approxMark) // 八万多元
		case is(i+1, '亩'):
			f, _ := strconv.ParseFloat(v, 64)
			next := i + 2
			if d, ok := digit(i + 2); ok && is(i+3, '分') {
				f += float64(d) / 10
				next = i + 4
			}
			area := strconv.FormatFloat(f, 'f', -1, 64)
			// 五亩多, 一亩四分多 are approximate; 一亩 alone is most often the
			// unit of a rate (一亩四万八, 一亩差了七千块), not a holding.
			if approx(next) || f == 1 {
				area += approxMark
			}
			e[entArea] = append(e[entArea], area)
		case is(i+1, '平') && (is(i+2, '方') || is(i+2, '米')):
			e[entArea] = append(e[entArea], v+"m2")
		case is(i+1, '年') && len(v) == 4 && strings.HasPrefix(v, "20"):
			e[entYear] = append(e[entYear], v)
		}
	}
}

// approxMark ends a figure told as approximate (五亩多, 八万多元): it agrees
// with the same figure but contradicts none, since "five mu and more" or
// the household's share beside the group's total says nothing against
// another figure.
const approxMark = "~"

// agreement says whether two texts agree (+1), conflict (−1) or cannot
// tell (0) on each kind of entity: they agree when they name one in
// common, conflict when both name some and none agree — counting only
// exact figures for the conflict.
func agreement(a, b *entities) (out [numEntityKinds]int) {
	for k := range a {
		if len(a[k]) == 0 || len(b[k]) == 0 {
			continue
		}
		exactA, exactB := false, false
		for _, x := range a[k] {
			exactA = exactA || !strings.HasSuffix(x, approxMark)
			for _, y := range b[k] {
				if strings.TrimSuffix(x, approxMark) == strings.TrimSuffix(y, approxMark) {
					out[k] = 1
				}
			}
		}
		for _, y := range b[k] {
			exactB = exactB || !strings.HasSuffix(y, approxMark)
		}
		if out[k] == 0 && exactA && exactB {
			out[k] = -1
		}
	}
	return out
}
