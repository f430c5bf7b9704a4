package xinfang_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"xinfang"
)

// fuzzNow is the day the fuzz targets judge birth dates on.
var fuzzNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// FuzzValidateIDNumber: ValidateIDNumber never panics; a number it
// accepts normalizes to 18 characters that it accepts again, whose check
// character, birth date and sex read back, and whose mask hides the middle.
func FuzzValidateIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ",
		"110105194912310021", "11010549123100", "110105491231002", "99010519491231002X", "11010519490231002X",
		"11010518991231002X", "11010520991231002X", "", "X", "\u3000", "ß",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := xinfang.NormalizeIDNumber(s)
		if xinfang.NormalizeIDNumber(n) != n {
			t.Fatalf("normalizing %q twice: %q, then %q", s, n, xinfang.NormalizeIDNumber(n))
		}
		err := xinfang.ValidateIDNumber(s, fuzzNow)
		if (err == nil) != (xinfang.ValidateIDNumber(n, fuzzNow) == nil) {
			t.Fatalf("%q and its normal form %q judged apart: %v", s, n, err)
		}
		masked := xinfang.MaskIDNumber(s)
		if utf8.RuneCountInString(masked) != utf8.RuneCountInString(n) {
			t.Fatalf("mask %q of %q changes the length", masked, n)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q refused without a message", s)
			}
			return
		}
		if len(n) != 18 || xinfang.IDNumberCheckChar(n[:17]) != n[17] {
			t.Fatalf("accepted %q (%q): not 17 digits and their check character", s, n)
		}
		birth, ok := xinfang.BirthDateFromID(n)
		if !ok || birth.Format("20060102") != n[6:14] || birth.Year() < 1900 || birth.After(fuzzNow) {
			t.Fatalf("accepted %q: birth date %v %v", n, birth, ok)
		}
		if g := xinfang.GenderFromID(n); g != "男" && g != "女" {
			t.Fatalf("accepted %q: sex %q", n, g)
		}
		if masked != n[:6]+"********"+n[14:] {
			t.Fatalf("mask of %q: %q", n, masked)
		}
	})
}

// FuzzValidateUSCC: ValidateUSCC never panics; a code it accepts is 18
// characters of the alphabet ending in their check character once trimmed
// and upper-cased, and that form is accepted again.
func FuzzValidateUSCC(f *testing.F) {
	for _, s := range []string{
		"91350100M000100Y43", "91350100m000100y43", " 91350100M000100Y43 ", "91350100M000100Y4", "91350100M000100Y44",
		"9135010OM000100Y43", "", "ＡＢ", "ı", "ſ",
	} {
		f.Add(s)
	}
	f.Add("91350100M000100Y4" + string(xinfang.USCCCheckChar("91350100M000100Y4")))
	f.Fuzz(func(t *testing.T, s string) {
		err := xinfang.ValidateUSCC(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q refused without a message", s)
			}
			return
		}
		u := strings.ToUpper(strings.TrimSpace(s))
		if len(u) != 18 || xinfang.USCCCheckChar(u[:17]) != u[17] {
			t.Fatalf("accepted %q as %q: not 17 characters and their check character", s, u)
		}
		if err := xinfang.ValidateUSCC(u); err != nil {
			t.Fatalf("accepted %q, refused its stored form %q: %v", s, u, err)
		}
	})
}
