package similar

import (
	"slices"
	"strings"
	"testing"
)

func TestTokenizeFigures(t *testing.T) {
	tests := []struct {
		in   string
		want string // tokens joined by "|"
	}{
		{"4.2万元", "42000|元"},
		{"四万二", "42000"},
		{"42000元", "42000|元"},
		{"12.6万", "126000"},
		{"十二万六千多块", "126000|多|块"},
		{"三亿五千万", "350000000"},
		{"一百五", "150"},
		{"一千六百元", "1600|元"},
		{"二十多年", "20|多|年"},
		{"3.6亩", "3.6|亩"},
		{"三点六亩", "3.6|亩"},
		{"2019年", "2019|年"},
		{"二〇一九年", "2019|年"},
		{"三万零五", "30005"},
		{"一百零五", "105"},
		{"二十万零十", "200010"},
		{"一百一十", "110"},
		{"三间房", "3|间|房"},
		{"０３．５０", "3.5"},
		// Words, not figures.
		{"一直", "一|直"},
		{"万一", "万|一"},
		{"村两委", "村|两|委"},
		{"七八里", "七|八|里"},
		{"十分", "十|分"},
		// Punctuation goes, but still separates figures.
		{"10、11、12月", "10|11|12|月"},
		{"甲，乙", "甲|乙"},
		{"S22高速", "s|22|高|速"},
	}
	for _, tt := range tests {
		if got := strings.Join(tokenize(tt.in).strings(), "|"); got != tt.want {
			t.Errorf("tokenize(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestGramClass(t *testing.T) {
	// Classes of the bigrams of 反映张湾村的征地补偿问题, in order.
	text := tokenize("反映张湾村的征地补偿问题")
	toks := text.strings()
	want := map[string]int{
		"反映": 3, // boilerplate
		"映张": 1, // boilerplate next to content
		"张湾": 0, // content
		"湾村": 0,
		"村的": 1, // content next to a function character
		"的征": 2, // touches a topic word
		"征地": 2,
		"地补": 2, // between two topic words
		"补偿": 2,
		"偿问": 2,
		"问题": 3,
	}
	for i := 0; i+2 <= len(toks); i++ {
		g := toks[i] + toks[i+1]
		if got := text.gramClass(i, i+2); got != want[g] {
			t.Errorf("gramClass(%s) = %d, want %d", g, got, want[g])
		}
	}
}

func TestRelateLocalities(t *testing.T) {
	tests := []struct {
		a, b string
		want locRelation
	}{
		{"361199101202", "361199101202", locSame},
		{"361199101000", "361199101202", locWithin},
		{"361199101202", "361199000000", locWithin},
		{"361199101202", "361199101203", locSameTown},
		{"361199101202", "361199102202", locSameCounty},
		{"361199101202", "361188101202", locDifferent},
		{"", "361199101202", locUnknown},
		{"unit-7", "unit-7/3", locWithin},
		{"unit-7", "unit-8", locDifferent},
	}
	for _, tt := range tests {
		if got := relateLocalities(tt.a, tt.b); got != tt.want {
			t.Errorf("relateLocalities(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := relateLocalities(tt.b, tt.a); got != tt.want {
			t.Errorf("relateLocalities(%s, %s) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestExtractPlaces: names of villages, communities and estates whose
// characters are also common words (和平, 老街, 新华, 小河) are kept; words
// that end in 村 without naming one (撥給村裡, 申请建房村支书) make none.
func TestExtractPlaces(t *testing.T) {
	tests := []struct {
		in            string
		village, town []string
	}{
		{"河口镇张湾村三组村民反映", []string{"张湾"}, []string{"河口"}},
		{"我们村里的村民找村委会", nil, nil},
		{"本村、邻村和全村", nil, nil},
		{"湖滨社区碧水湾小区6栋", []string{"水湾", "湖滨"}, nil},
		{"城南街道和平社区锦程小区3号楼", []string{"和平", "锦程"}, []string{"城南"}},
		{"老街社区改造工程噪音扰民", []string{"老街"}, nil},
		{"柳林镇新华村和小河村", []string{"小河", "新华"}, []string{"柳林"}},
		{"前年上面撥給村裡五十萬元", nil, nil},
		{"申请建房村支书不签字", nil, nil},
		{"镇里说找村里", nil, nil},
	}
	for _, tt := range tests {
		folded := foldText(tt.in)
		e := extractEntities(folded, tokenize(folded))
		if !slices.Equal(e[entVillage], tt.village) || !slices.Equal(e[entTown], tt.town) {
			t.Errorf("%s: villages %v towns %v, want %v and %v", tt.in, e[entVillage], e[entTown], tt.village, tt.town)
		}
	}
}

// TestExtractFigures: amounts and areas told in words are the same figures
// as in digits.
func TestExtractFigures(t *testing.T) {
	tests := []struct {
		in           string
		amount, area []string
	}{
		{"拖欠工资共计8.4万元", []string{"84000"}, nil},
		{"工钱八万四千元一直没给", []string{"84000"}, nil},
		{"十二万八千元", []string{"128000"}, nil},
		{"被征了一亩四分多", nil, []string{"1.4~"}},
		{"欠了八万多元", []string{"80000~"}, nil},
		{"我家三分五的地", nil, []string{"0.35"}},
		{"征收耕地63亩", nil, []string{"63"}},
		{"建筑面积90平方米", nil, []string{"90m2"}},
	}
	for _, tt := range tests {
		folded := foldText(tt.in)
		e := extractEntities(folded, tokenize(folded))
		if !slices.Equal(e[entAmount], tt.amount) || !slices.Equal(e[entArea], tt.area) {
			t.Errorf("%s: amounts %v areas %v, want %v and %v", tt.in, e[entAmount], e[entArea], tt.amount, tt.area)
		}
	}
}

func TestExtractOrgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"宏达化工有限公司夜间排放废气", []string{"宏达"}},
		{"宏达化工厂半夜排臭气", []string{"宏达"}},
		{"母亲在县人民医院做手术", []string{"县"}},
		{"伤口感染化脓，医院只是换药", nil},
		{"邻居翻建房屋占我家宅基地", nil},
		{"到河西派出所报案", []string{"河西"}},
	}
	for _, tt := range tests {
		folded := foldText(tt.in)
		e := extractEntities(folded, tokenize(folded))
		if !slices.Equal(e[entOrg], tt.want) {
			t.Errorf("%s: organisations %v, want %v", tt.in, e[entOrg], tt.want)
		}
	}
}

func TestFollowup(t *testing.T) {
	tests := []struct {
		in     string
		follow bool
		months []int
	}{
		{"三月份反映的新田村光伏电站劳务费问题仍未解决", true, []int{3}},
		{"一月份我就反映过新华村大棚项目欠薪的事", true, []int{1}},
		{"此前反映的问题至今未处理，请求催办", true, nil},
		{"再次反映：4月份已反映宅基地被占", true, []int{4}},
		{"反映小河村宅基地被邻居侵占", false, nil},
	}
	for _, tt := range tests {
		folded := foldText(tt.in)
		if got := saysFollowup(folded); got != tt.follow {
			t.Errorf("%s: follow-up %v, want %v", tt.in, got, tt.follow)
		}
		if got := followupMonths(folded); !slices.Equal(got, tt.months) {
			t.Errorf("%s: months %v, want %v", tt.in, got, tt.months)
		}
	}
}

func TestSimplify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"金雞嶺村扶貧資金去向不明", "金鸡岭村扶贫资金去向不明"},
		{"錦程小區", "锦程小区"},
		{"锦程小区", "锦程小区"},
		{"撥給村裡五十萬元", "拨给村里五十万元"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Simplify(tt.in); got != tt.want {
			t.Errorf("Simplify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
