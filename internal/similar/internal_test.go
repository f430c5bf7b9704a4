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

func TestPlaceNames(t *testing.T) {
	tests := []struct {
		in   string
		want []string // names of villages, communities and estates
	}{
		{"河口镇张湾村三组村民反映", []string{"张湾"}},
		{"石桥镇黄土岭村征用耕地", []string{"黄土岭"}},
		{"我们村里的村民找村委会", nil},
		{"本村、邻村和全村", nil},
		{"湖滨社区碧水湾小区6栋", []string{"湖滨", "碧水湾"}},
	}
	for _, tt := range tests {
		var got []string
		for _, names := range placeNames(tt.in) {
			got = append(got, names...)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("placeNames(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}

	a := placeNames("周庄村征地补偿每亩三万八")
	b := placeNames("石桥镇黄土岭村征地补偿每亩三万八")
	if x, y, ok := placeConflict(&a, &b); !ok || x != "周庄村" || y != "黄土岭村" {
		t.Errorf("placeConflict = %s, %s, %v; want 周庄村, 黄土岭村, true", x, y, ok)
	}
	c := placeNames("我们大王庄村的校车")
	d := placeNames("王庄村校车太挤")
	if _, _, ok := placeConflict(&c, &d); ok {
		t.Error("大王庄村 and 王庄村 should not conflict")
	}
	e := placeNames("村里没人管")
	if _, _, ok := placeConflict(&a, &e); ok {
		t.Error("a text naming no village should not conflict")
	}
}
