package similar

import (
	"strings"
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
