package similar

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The regular expressions the matchers of match.go stand for.
var (
	rePlace    = regexp.MustCompile(`(\p{Han}{2,3}?)(村|社区|小区)`)
	reTown     = regexp.MustCompile(`(\p{Han}{2})(镇|乡|街道)`)
	reAddr     = regexp.MustCompile(`(\p{Han}{2})(路|街|巷|大道)(\d+)号`)
	reOrg      = regexp.MustCompile(`(医院|卫生院|卫生服务中心|派出所|法院|小学|中学|幼儿园|学校|公司|厂|砂石场|养猪场|养鸭场|养殖场|基地|门市部|超市|楼盘|电站)`)
	rePerson   = regexp.MustCompile(`(\p{Han})(某|老板|师傅|经理|老师|医生)|(?:我叫|名叫|我是\p{Han}{2,4}?[村区组])(\p{Han}{3})`)
	reFollowup = regexp.MustCompile(`再次反映|重复反映|再次来访|又来反映|多次反映|此前反映|之前反映|上次反映|催办|反映过|反映的|仍未|仍然没有|还是没有|至今未|第[二三四五]次反映`)
)

var matchers = []struct {
	name string
	re   *regexp.Regexp
	at   func(string, int) []int
}{
	{"place", rePlace, placeAt},
	{"town", reTown, townAt},
	{"address", reAddr, addressAt},
	{"org", reOrg, orgAt},
	{"person", rePerson, personAt},
}

// sameMatches fails t when a matcher and its regular expression find
// different matches in s, or disagree on a follow-up mark.
func sameMatches(t *testing.T, s string) {
	t.Helper()
	for _, m := range matchers {
		want := m.re.FindAllStringSubmatchIndex(s, -1)
		got := findAll(s, m.at)
		if !slices.EqualFunc(got, want, slices.Equal[[]int]) {
			t.Fatalf("%s in %q: got %v, the regexp %v", m.name, s, got, want)
		}
	}
	if got, want := saysFollowup(s), reFollowup.MatchString(s); got != want {
		t.Fatalf("follow-up in %q: got %v, the regexp %v", s, got, want)
	}
	if !strings.Contains(s, "反映") && reMonthRef.MatchString(s) {
		t.Fatalf("a month's report without 反映 in %q", s)
	}
}

// TestMatchersAgreeWithRegexps runs the matchers and their regular
// expressions over every text of the labelled sets, as the entities read
// them (folded and normalised), and over random strings of the characters
// the patterns turn on.
func TestMatchersAgreeWithRegexps(t *testing.T) {
	files, err := filepath.Glob("testdata/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no labelled sets: %v", err)
	}
	texts := 0
	for _, f := range files {
		buf, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(buf)) {
			folded := foldText(line)
			sameMatches(t, string(fold(folded)))
			sameMatches(t, Normalize(folded))
			texts++
		}
	}
	if texts < 100 {
		t.Fatalf("only %d texts read", texts)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		sameMatches(t, randomPatternText(rng))
	}
}

// patternPieces are what random texts are made of: the patterns' words
// and parts of words, Han characters of other kinds, digits, Latin,
// punctuation and a byte that is no UTF-8.
var patternPieces = append(strings.Fields(`村 社区 社 区 小区 小 镇 乡 街道 街 道 路 巷 大道 大 号 1 23 0 医院 卫生院 卫生 卫生服务中心 `+
	`派出所 法院 小学 中学 幼儿园 学校 公司 厂 砂石场 养猪场 养鸭场 养殖场 基地 门市部 超市 楼盘 电站 某 老板 老 板 `+
	`师傅 经理 老师 医生 我叫 名叫 我是 我 是 叫 组 张 王 湾 新 华 的 在 反映 再次反映 第三次反映 第 次 仍未 催办 `+
	`月 三月份 反映过 a Z ， 。 ⺀ 〇`), "\xff")

func randomPatternText(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(14) {
		b.WriteString(patternPieces[rng.IntN(len(patternPieces))])
	}
	return b.String()
}

// FuzzMatchersAgreeWithRegexps is the random half of the test above with
// the fuzzer's inputs.
func FuzzMatchersAgreeWithRegexps(f *testing.F) {
	for _, s := range []string{"我是张湾村三组周德贵", "在新华村和平社区", "和平路36号", "县人民医院", "吴老板", "第三次反映"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameMatches(t, s)
	})
}
