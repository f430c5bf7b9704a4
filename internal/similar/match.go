package similar

import (
	"strings"
	"unicode/utf8"
)

// The patterns of the entities and the follow-up marks are matched by hand
// rather than by package regexp, which took two thirds of the time of
// indexing a petition (registration, the index build). Each matcher finds
// exactly what the regular expression in its comment finds: the leftmost
// match, its alternatives tried in order and its lazy counts shortest
// first, then the next match from where that one ended; the results are
// the submatch indexes regexp's FindAllStringSubmatchIndex gives, -1 for a
// group that took no part. \p{Han} is isHan. match_test.go holds the
// regular expressions and checks the two against each other.

// findAll applies at at every character of s from the left, skipping past
// each match: the successive non-overlapping matches of FindAll.
func findAll(s string, at func(s string, i int) []int) [][]int {
	var out [][]int
	for i := 0; i < len(s); {
		if m := at(s, i); m != nil {
			out = append(out, m)
			i = m[1]
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return out
}

// hans returns the end of k Han characters at s[i:], or -1.
func hans(s string, i, k int) int {
	for ; k > 0; k-- {
		if i < 0 || i >= len(s) {
			return -1
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isHan(r) {
			return -1
		}
		i += n
	}
	return i
}

// words is an alternation of words, tried in order, with the set of the
// characters they begin with: most places begin none.
type words struct {
	list   []string
	firsts *hanSet
}

func newWords(list ...string) *words {
	var b strings.Builder
	for _, w := range list {
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(r)
	}
	return &words{list, newHanSet(b.String())}
}

// wordAt returns the end of the first of ws s[i:] begins with, or -1.
func wordAt(s string, i int, ws *words) int {
	if i < 0 || i >= len(s) {
		return -1
	}
	if r, _ := utf8.DecodeRuneInString(s[i:]); !ws.firsts.has(r) {
		return -1
	}
	for _, w := range ws.list {
		if strings.HasPrefix(s[i:], w) {
			return i + len(w)
		}
	}
	return -1
}

var (
	placeWords = newWords("村", "社区", "小区")
	townWords  = newWords("镇", "乡", "街道")
	roadWords  = newWords("路", "街", "巷", "大道")
	orgWords   = newWords("医院", "卫生院", "卫生服务中心", "派出所", "法院", "小学", "中学", "幼儿园", "学校", "公司", "厂",
		"砂石场", "养猪场", "养鸭场", "养殖场", "基地", "门市部", "超市", "楼盘", "电站")
	titleWords  = newWords("某", "老板", "师傅", "经理", "老师", "医生")
	unitWords   = newWords("村", "区", "组")
	followWords = []string{"再次反映", "重复反映", "再次来访", "又来反映", "多次反映", "此前反映", "之前反映", "上次反映", "催办", "反映过", "反映的", "仍未", "仍然没有", "还是没有", "至今未", "第二次反映", "第三次反映", "第四次反映", "第五次反映"}
)

// placeAt: (\p{Han}{2,3}?)(村|社区|小区).
func placeAt(s string, i int) []int {
	for k := 2; k <= 3; k++ {
		e := hans(s, i, k)
		if e < 0 {
			return nil
		}
		if w := wordAt(s, e, placeWords); w >= 0 {
			return []int{i, w, i, e, e, w}
		}
	}
	return nil
}

// townAt: (\p{Han}{2})(镇|乡|街道).
func townAt(s string, i int) []int {
	e := hans(s, i, 2)
	if w := wordAt(s, e, townWords); w >= 0 {
		return []int{i, w, i, e, e, w}
	}
	return nil
}

// addressAt: (\p{Han}{2})(路|街|巷|大道)(\d+)号.
func addressAt(s string, i int) []int {
	e := hans(s, i, 2)
	w := wordAt(s, e, roadWords)
	if w < 0 {
		return nil
	}
	d := w
	for d < len(s) && isASCIIDigit(rune(s[d])) {
		d++
	}
	if d == w || !strings.HasPrefix(s[d:], "号") {
		return nil
	}
	return []int{i, d + len("号"), i, e, e, w, w, d}
}

// orgAt: (医院|卫生院|…|电站), orgWords in order.
func orgAt(s string, i int) []int {
	if w := wordAt(s, i, orgWords); w >= 0 {
		return []int{i, w, i, w}
	}
	return nil
}

// personAt: (\p{Han})(某|老板|师傅|经理|老师|医生)|(?:我叫|名叫|我是\p{Han}{2,4}?[村区组])(\p{Han}{3}).
func personAt(s string, i int) []int {
	if e := hans(s, i, 1); e >= 0 {
		if w := wordAt(s, e, titleWords); w >= 0 {
			return []int{i, w, i, e, e, w, -1, -1}
		}
	}
	for _, called := range []string{"我叫", "名叫"} {
		if strings.HasPrefix(s[i:], called) {
			if e := hans(s, i+len(called), 3); e >= 0 {
				return []int{i, e, -1, -1, -1, -1, i + len(called), e}
			}
			return nil
		}
	}
	if !strings.HasPrefix(s[i:], "我是") {
		return nil
	}
	for k := 2; k <= 4; k++ {
		e := hans(s, i+len("我是"), k)
		if e < 0 {
			return nil
		}
		if u := wordAt(s, e, unitWords); u >= 0 {
			if n := hans(s, u, 3); n >= 0 {
				return []int{i, n, -1, -1, -1, -1, u, n}
			}
		}
	}
	return nil
}

// saysFollowup: 再次反映|重复反映|…|第[二三四五]次反映 anywhere in s.
func saysFollowup(s string) bool {
	for _, w := range followWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// group returns the text of submatch g of m, "" when it took no part.
func group(s string, m []int, g int) string {
	if m[2*g] < 0 {
		return ""
	}
	return s[m[2*g]:m[2*g+1]]
}
