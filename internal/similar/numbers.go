package similar

import (
	"strconv"
	"strings"
)

// Petitions write the same figure in many ways: 4.2万元, 四万二, 42000元;
// 3.6亩, 三点六亩; 2019年, 二〇一九年. The tokenizer reads a figure as one
// token holding its value, so those spellings share grams. Chinese numerals
// are read only where they are clearly a figure (a multiplier such as 十/万
// with another numeral, a following measure word, or three digits or more),
// so that 一直, 万一, 两委 or 七八里 stay words.

// chineseDigit returns the value of a numeral character; multipliers are
// chineseUnit's.
func chineseDigit(r rune) (int, bool) {
	switch r {
	case '〇', '零':
		return 0, true
	case '一':
		return 1, true
	case '二', '两':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

func chineseUnit(r rune) (int, bool) {
	switch r {
	case '十':
		return 10, true
	case '百':
		return 100, true
	case '千':
		return 1000, true
	case '万':
		return 1e4, true
	case '亿':
		return 1e8, true
	}
	return 0, false
}

// measureWords are the characters that, right after a numeral, show it is a
// figure (一块, 三亩, 五年), not part of a word.
const measureWords = "元块角亩平米里公户人名个口间栋幢层套年月日号天周次岁头辆台条家处组级倍项所座份位斤吨只棵株趟届期批班节把张本"

// approxWords may sit between a numeral and its measure word (二十多年, 十余户).
const approxWords = "多余来几"

var (
	measureSet = newHanSet(measureWords)
	approxSet  = newHanSet(approxWords)
)

// hanSet is a set of characters of the CJK Unified Ideographs block, as a
// bitmap: a look-up is an index, which matters on every character of every
// candidate.
type hanSet [(0x9FFF - 0x4E00 + 64) / 64]uint64

func newHanSet(chars string) *hanSet {
	var s hanSet
	for _, r := range chars {
		if r < 0x4E00 || r > 0x9FFF {
			panic("similar: not a CJK unified ideograph: " + string(r))
		}
		s[(r-0x4E00)/64] |= 1 << ((r - 0x4E00) % 64)
	}
	return &s
}

func (s *hanSet) has(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF && s[(r-0x4E00)/64]&(1<<((r-0x4E00)%64)) != 0
}

func isChineseNumeralStart(r rune) bool {
	_, ok := chineseDigit(r)
	return ok || r == '十'
}

func isChineseNumeral(r rune) bool {
	_, d := chineseDigit(r)
	_, u := chineseUnit(r)
	return d || u
}

// readChineseNumber tries to read a Chinese figure at rs[i]. It returns the
// canonical value and the number of runes used, or ok=false and the length of
// the numeral run when the run is better left as characters (七八里 is not
// 七 and 8里).
func readChineseNumber(rs []rune, i int) (value string, n int, ok bool) {
	j := i
	hasUnit := false
	for j < len(rs) && isChineseNumeral(rs[j]) {
		if _, u := chineseUnit(rs[j]); u {
			hasUnit = true
		}
		j++
	}
	intPart := rs[i:j]
	var frac []rune
	if j+1 < len(rs) && rs[j] == '点' {
		if _, d := chineseDigit(rs[j+1]); d {
			k := j + 1
			for k < len(rs) {
				if _, d := chineseDigit(rs[k]); !d {
					break
				}
				k++
			}
			frac = rs[j+1 : k]
			j = k
		}
	}
	next := func(k int) rune {
		if k < len(rs) {
			return rs[k]
		}
		return 0
	}
	measured := measureSet.has(next(j)) || (approxSet.has(next(j)) && measureSet.has(next(j+1)))
	switch {
	case hasUnit && (len(intPart) >= 2 || measured):
	case !hasUnit && len(intPart) >= 3:
		// A year or code read digit by digit: 二〇一九.
		var b strings.Builder
		for _, r := range intPart {
			d, _ := chineseDigit(r)
			b.WriteByte(byte('0' + d))
		}
		return canonicalDigits(b.String(), frac), j - i, true
	case !hasUnit && len(intPart) == 1 && measured:
	default:
		return "", len(intPart), false
	}
	v := chineseValue(intPart)
	return canonicalDigits(strconv.FormatInt(v, 10), frac), j - i, true
}

// chineseValue evaluates 十二万六千, 四万二 (42000, the colloquial dropped
// unit), 一百五 (150), 二十 and the like.
func chineseValue(rs []rune) int64 {
	var total, section, num, lastUnit int64
	afterUnit, hadDigit := false, false
	for _, r := range rs {
		if d, ok := chineseDigit(r); ok {
			num = int64(d)
			hadDigit = d != 0
			afterUnit = afterUnit && d != 0
			if d == 0 {
				lastUnit = 0
			}
			continue
		}
		uv, _ := chineseUnit(r)
		u := int64(uv)
		switch u {
		case 1e8:
			total = (total + section + num) * u
			section, num = 0, 0
		case 1e4:
			total += (section + num) * u
			section, num = 0, 0
		default:
			if !hadDigit {
				num = 1 // 十二 = 12, 零十 = 10
			}
			section += num * u
			num = 0
		}
		lastUnit, afterUnit, hadDigit = u, true, false
	}
	if num != 0 && afterUnit && lastUnit >= 100 {
		num *= lastUnit / 10 // 四万二 = 42000, 一百五 = 150
	}
	return total + section + num
}

// readArabicNumber reads digits with an optional decimal point and an
// optional Chinese multiplier (4.2万, 3千).
func readArabicNumber(rs []rune, i int) (value string, n int) {
	j := i
	for j < len(rs) && (isASCIIDigit(rs[j]) || (rs[j] == '.' && j+1 < len(rs) && isASCIIDigit(rs[j+1]) && j > i)) {
		j++
	}
	digits := string(rs[i:j])
	mult := 1.0
	for j < len(rs) {
		u, ok := chineseUnit(rs[j])
		if !ok || u == 10 {
			break
		}
		mult *= float64(u)
		j++
	}
	if mult == 1 {
		intPart, frac, _ := strings.Cut(digits, ".")
		return canonicalDigits(intPart, []rune(frac)), j - i
	}
	f, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return digits, j - i
	}
	return strconv.FormatFloat(f*mult, 'f', -1, 64), j - i
}

// canonicalDigits drops leading zeros of the integer part and trailing zeros
// of the fraction, so 3.60 and 三点六 read the same.
func canonicalDigits(intPart string, frac []rune) string {
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	var f strings.Builder
	for _, r := range frac {
		if d, ok := chineseDigit(r); ok {
			f.WriteByte(byte('0' + d))
		} else {
			f.WriteRune(r)
		}
	}
	fs := strings.TrimRight(f.String(), "0")
	if fs == "" {
		return intPart
	}
	return intPart + "." + fs
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }
