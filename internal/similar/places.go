package similar

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Locality codes follow GB/T 2260 with the 12-digit village extension:
// province 2, city 2, county 2, town (镇/乡/街道) 3, village (村/社区) 3.
var codeLevels = [...]int{2, 4, 6, 9, 12}

// locRelation says how the 问题属地 of two petitions relate.
type locRelation int

const (
	locUnknown    locRelation = iota // one of them has no locality
	locSame                          // the same code
	locWithin                        // one code contains the other (a town and one of its villages)
	locSameTown                      // two villages of one town
	locSameCounty                    // two towns of one county
	locDifferent                     // further apart
)

// significant returns how many leading digits of a 12-digit code carry
// meaning: 9 for a town (361199103000), 12 for a village.
func significant(code string) int {
	for _, l := range codeLevels {
		if strings.Trim(code[l:], "0") == "" {
			return l
		}
	}
	return len(code)
}

func isCode(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func relateLocalities(a, b string) locRelation {
	switch {
	case a == "" || b == "":
		return locUnknown
	case a == b:
		return locSame
	case !isCode(a) || !isCode(b):
		// Not GB/T 2260: a prefix still means "contains".
		if strings.HasPrefix(a, b) || strings.HasPrefix(b, a) {
			return locWithin
		}
		return locDifferent
	}
	sa, sb := significant(a), significant(b)
	if s := min(sa, sb); a[:s] == b[:s] {
		return locWithin
	}
	switch {
	case a[:9] == b[:9]:
		return locSameTown
	case a[:6] == b[:6]:
		return locSameCounty
	}
	return locDifferent
}

// Place names in the text. A petition names its village (张湾村), community
// (湖滨社区) or housing estate (碧水湾小区); when both texts name places of
// one kind and none agree, they are about different places whatever their
// locality codes say (a town-level code covers every village in the town).
// The name is approximated by the two characters before the suffix; names
// made of pronouns and the like (我们村, 本村, 这个小区) are ignored.
var placeSuffixes = []string{"村", "社区", "小区"}

// villageWordStarts are characters that, after 村, make a word (村民, 村委会,
// 村里, 村部, 村口, 村道, 村干部, 村务, 村医, 村集体 …) rather than end a name.
const villageWordStarts = "民委里部口中旁道干务医集头内外级规容貌庄镇组"

var villageWordSet = newHanSet(villageWordStarts)

// notNameChars make a stem that is not a name: pronouns and determiners
// (我们村, 本村, 这个小区), prepositions and verbs before a place (到村, 找村),
// administrative words (镇, 县, 区).
const notNameChars = "我你他们本全同邻该各每此这那个的在到从进出回整乡农外一两几多了和与及是有给把被找问去说让跟向对由据请叫过穿老新大小后边置干镇县市区道"

// places holds, per suffix, the sorted set of place names in a text.
type places [3][]string

// placeNames returns the place names in the texts.
func placeNames(texts ...string) places {
	var out places
	for _, s := range texts {
		out.add(s)
	}
	for k := range out {
		slices.Sort(out[k])
		out[k] = slices.Compact(out[k])
	}
	return out
}

func (out *places) add(s string) {
	for k, suf := range placeSuffixes {
		rest := s
		for {
			i := strings.Index(rest, suf)
			if i < 0 {
				break
			}
			before := rest[:i]
			rest = rest[i+len(suf):]
			if suf == "村" {
				// 村民, 村委会, 村里, 村口: the word starts here; no name precedes it.
				if r, _ := utf8.DecodeRuneInString(rest); villageWordSet.has(r) {
					continue
				}
			}
			r2, n2 := utf8.DecodeLastRuneInString(before)
			r1, n1 := utf8.DecodeLastRuneInString(before[:len(before)-n2])
			if !isNameRune(r1) || !isNameRune(r2) {
				continue
			}
			start := len(before) - n2 - n1
			// Show a third character when it starts the name (镇黄土岭村, 在黄土岭村),
			// not when it ends a word before it (反映张湾村).
			r0, n0 := utf8.DecodeLastRuneInString(before[:start])
			if rp, _ := utf8.DecodeLastRuneInString(before[:start-n0]); isNameRune(r0) && !isNameRune(rp) {
				start -= n0
			}
			name := before[start:]
			out[k] = append(out[k], name)
		}
	}
}

var notNameSet = newHanSet(notNameChars + "村社区小")

func isNameRune(r rune) bool { return isHan(r) && !notNameSet.has(r) }

// placeConflict reports the first kind of place both texts name with no name
// in common, as the two names to show. Names match on their last two
// characters, so 大王庄村 and 王庄村 agree.
func placeConflict(a, b *places) (string, string, bool) {
	for k := range a {
		if len(a[k]) == 0 || len(b[k]) == 0 {
			continue
		}
		shared := false
		for _, x := range a[k] {
			for _, y := range b[k] {
				shared = shared || lastTwo(x) == lastTwo(y)
			}
		}
		if !shared {
			return a[k][0] + placeSuffixes[k], b[k][0] + placeSuffixes[k], true
		}
	}
	return "", "", false
}

func lastTwo(s string) string {
	_, n2 := utf8.DecodeLastRuneInString(s)
	_, n1 := utf8.DecodeLastRuneInString(s[:len(s)-n2])
	return s[len(s)-n2-n1:]
}
