package similar_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"xinfang/internal/similar"
	"xinfang/internal/similar/internal/pairs"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"反映，张湾村！", "反映张湾村"},
		{"ＡＢＣ１２３：ｘｙｚ", "abc123xyz"},
		{"Hello World", "helloworld"},
		{"　全角空格　", "全角空格"},
		{"每亩4.2万元。", "每亩4.2万元"},
		{"第3.条", "第3条"},
		{"“土地整理”（2023年）", "土地整理2023年"},
		{"二〇一九年", "二〇一九年"},
		{"电话：139-0793-1104", "电话13907931104"},
	}
	for _, tt := range tests {
		if got := similar.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGrams(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want []string
	}{
		{"张湾村", 2, []string{"张湾", "湾村"}},
		{"哈哈哈哈", 2, []string{"哈哈"}},
		{"拆", 2, []string{"拆"}},
		{"", 2, nil},
		{"。！", 2, nil},
		{"甲乙，丙丁", 2, []string{"丙丁", "乙丙", "甲乙"}},
		{"10、11、12月", 2, []string{"1011", "1112", "12月"}},
		{"每亩四万二", 2, []string{"亩42000", "每亩"}},
		{"每亩4.2万", 2, []string{"亩42000", "每亩"}},
		{"张湾村三组", 3, []string{"张湾村", "村3组", "湾村3"}},
		{"低保", 1, []string{"低", "保"}},
	}
	for _, tt := range tests {
		if got := similar.Grams(tt.in, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("Grams(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	a := similar.Fingerprint("张湾村三组被征土地86亩，每亩补偿4.2万元。")
	b := similar.Fingerprint("张湾村三组被征土地８６亩 每亩补偿四万二元")
	if !slices.Equal(a, b) {
		t.Errorf("fingerprints differ for texts differing only in punctuation, width and figures:\n%v\n%v", a, b)
	}
	if !slices.IsSorted(a) || len(slices.Compact(slices.Clone(a))) != len(a) {
		t.Errorf("fingerprint not sorted and deduplicated: %v", a)
	}
	if len(similar.Fingerprint("")) != 0 {
		t.Error("empty text has a fingerprint")
	}
	x, y := "前进村自来水经常停水，水质发黄。", "前进村的自来水三天两头断，放出来的水发黄。"
	if got, want := similar.FingerprintSimilarity(similar.Fingerprint(x), similar.Fingerprint(y)), similar.TextSimilarity(x, y); got != want {
		t.Errorf("FingerprintSimilarity = %v, TextSimilarity = %v", got, want)
	}
}

const (
	landA = "2023年县经济开发区二期项目征收我们张湾村三组耕地共86亩，当时公示的补偿标准是每亩4.2万元，但实际打到我们账上的只有每亩3.5万元左右。地上的青苗和果树补偿也一直没有兑现。请求上级查清补偿款去向，按公示标准补足差额。"
	landB = "我家在三组有五亩多地去年被开发区二期征走了。征地公告上写的每亩四万二，到手每亩才三万五，一亩差了七千块。家里种的梨树当时说另算补偿，到现在一分钱没见着。希望领导帮我们把差的钱要回来。"
	noise = "幸福路社区北段每天晚上六点到凌晨两点摆满了烧烤摊，油烟直接往楼上飘，喝酒划拳的吵闹声一直持续到后半夜。打过12345也找过城管，管两天又恢复原样。"
	// What every petition says, about nothing in particular.
	boiler = "我们多次向村里和镇里反映问题，至今没有解决，希望领导重视，督促有关部门尽快依法处理，给予答复。"
)

func TestTextSimilarity(t *testing.T) {
	if got := similar.TextSimilarity(landA, landA); got != 1 {
		t.Errorf("identical texts: %v, want 1", got)
	}
	if got := similar.TextSimilarity("张湾村，三组！", "张湾村三组"); got != 1 {
		t.Errorf("texts equal up to punctuation: %v, want 1", got)
	}
	if got := similar.TextSimilarity("", ""); got != 0 {
		t.Errorf("empty texts: %v, want 0", got)
	}
	unrelated := similar.TextSimilarity(landA, noise)
	if unrelated > 0.05 {
		t.Errorf("unrelated texts: %v, want ≈ 0", unrelated)
	}
	reworded := similar.TextSimilarity(landA, landB)
	if reworded <= 5*unrelated || reworded < 0.1 {
		t.Errorf("reworded %v not well above unrelated %v", reworded, unrelated)
	}
	if ab, ba := similar.TextSimilarity(landA, landB), similar.TextSimilarity(landB, landA); ab != ba {
		t.Errorf("not symmetric: %v and %v", ab, ba)
	}
	// The same closing words must not make two matters alike.
	if got := similar.TextSimilarity(landA+boiler, noise+boiler); got >= reworded/2 {
		t.Errorf("different matters with the same boilerplate: %v, want well below a reworded pair's %v", got, reworded)
	}
}

var day0 = time.Date(2024, 3, 12, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func days(n int) time.Time { return day0.AddDate(0, 0, n) }

const (
	zhangwan = "361199101202" // 河口镇张湾村
	hekou    = "361199101201" // 河口镇河口村
	heTown   = "361199101000" // 河口镇
)

func TestSameMatter(t *testing.T) {
	first := similar.Petition{ID: 1, PetitionerKeys: []string{"id:p001"}, LocalityCode: zhangwan,
		Category: "自然资源", ReceivedAt: days(0), Summary: "反映张湾村三组被征土地补偿款未足额发放问题", Content: landA}
	tests := []struct {
		name string
		p    similar.Petition
		want bool
	}{
		{"family member, same matter", similar.Petition{ID: 2, PetitionerKeys: []string{"id:p002"},
			LocalityCode: zhangwan, Category: "自然资源", ReceivedAt: days(69),
			Summary: "张湾村三组村民要求补足开发区征地款差额", Content: landB}, true},
		{"same person, follow-up registered at town level", similar.Petition{ID: 3, PetitionerKeys: []string{"id:p001"},
			LocalityCode: heTown, Category: "自然资源", ReceivedAt: days(175),
			Summary: "征地款差额问题再次来访",
			Content: "今年三月我就反映过开发区二期征地的事，镇里答复说会核查，可半年过去了还是没有结果。三组被征的86亩地，每亩少给了七千元，果树青苗补偿也没落实。"}, true},
		{"same person, different matter", similar.Petition{ID: 4, PetitionerKeys: []string{"id:p001"},
			LocalityCode: zhangwan, Category: "纪检监察", ReceivedAt: days(125),
			Summary: "要求公开张湾村集体土地租金账目",
			Content: "我们村两百多亩集体地租给苗木公司好几年了，租金到底收了多少、花到哪儿去了，村民一概不知道。我们怀疑钱被个别干部占了，要求把近几年的账目张榜公布。"}, false},
		{"same text, another village", similar.Petition{ID: 5, PetitionerKeys: []string{"id:p009"},
			LocalityCode: hekou, Category: "自然资源", ReceivedAt: days(30),
			Summary: "反映河口村被征土地补偿款未足额发放问题",
			Content: strings.ReplaceAll(landA, "张湾村", "河口村")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			score, same := similar.SameMatter(first, tt.p, nil)
			if same != tt.want {
				t.Errorf("SameMatter = %.3f, %v; want %v", score, same, tt.want)
			}
			back, _ := similar.SameMatter(tt.p, first, nil)
			if back != score {
				t.Errorf("not symmetric: %v and %v", score, back)
			}
		})
	}
}

func TestRank(t *testing.T) {
	newP := similar.Petition{ID: 100, PetitionerKeys: []string{"id:p001", "tel:13900000001"},
		LocalityCode: zhangwan, Category: "自然资源", ReceivedAt: days(69),
		Summary: "张湾村三组村民要求补足开发区征地款差额", Content: landB}
	earlier := []similar.Petition{
		{ID: 1, PetitionerKeys: []string{"id:p777"}, LocalityCode: hekou, Category: "生态环境",
			ReceivedAt: days(-30), Summary: "幸福路夜市烧烤摊油烟噪声扰民", Content: noise},
		{ID: 2, PetitionerKeys: []string{"tel:13900000001"}, LocalityCode: "361199103202", Category: "卫生健康",
			ReceivedAt: days(-400), Summary: "周庄村卫生室关停村民看病难",
			Content: "周庄村卫生室去年底因为村医退休关了门，到现在也没有新的医生来。请求卫健部门尽快配备村医。"},
		{ID: 3, PetitionerKeys: []string{"id:p002"}, LocalityCode: zhangwan, Category: "自然资源",
			ReceivedAt: days(57), Summary: "反映张湾村三组被征土地补偿款未足额发放问题", Content: landA},
		{ID: 4, PetitionerKeys: []string{"id:p005"}, LocalityCode: zhangwan, Category: "自然资源",
			ReceivedAt: days(40), Summary: "张湾村村民王某建房占用邻居宅基地",
			Content: "张湾村四组村民王某去年拆旧房建新房，把地基往邻居家扩了将近一米。村调解过两次，对方继续施工。请求镇国土所到现场测量。"},
		{ID: 5, PetitionerKeys: []string{"id:p006"}, LocalityCode: zhangwan, Category: "自然资源",
			ReceivedAt: days(-500), Summary: "张湾村集体林地被砍伐",
			Content: "张湾村后山集体林地被外地老板承包后成片砍伐，拉出去卖钱。请求林业部门制止。"},
	}
	got := similar.Rank(newP, earlier, similar.Options{})
	ids := make([]int64, len(got))
	for i, c := range got {
		ids[i] = c.ID
	}
	// 3: the same matter; 2: the same petitioner (phone), another matter;
	// 4: same locality and category within the window. 1 is unrelated and 5
	// is outside the window.
	if want := []int64{3, 2, 4}; !slices.Equal(ids, want) {
		t.Fatalf("Rank IDs = %v, want %v\n%v", ids, want, got)
	}
	if !got[0].IsRepeat() || got[1].IsRepeat() || got[2].IsRepeat() {
		t.Errorf("IsRepeat: want only the first: %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Score > got[i-1].Score {
			t.Errorf("not sorted by score: %v", got)
		}
	}
	wantReasons := [][]string{
		{"疑似同一事项", "同一问题属地和内容分类(相隔 12 天)", "内容相似度 "},
		{"同一信访人(联系电话)"},
		{"同一问题属地和内容分类(相隔 29 天)"},
	}
	for i, want := range wantReasons {
		for _, w := range want {
			if !slices.ContainsFunc(got[i].Reasons, func(r string) bool { return strings.HasPrefix(r, w) }) {
				t.Errorf("candidate %d reasons %q lack %q", got[i].ID, got[i].Reasons, w)
			}
		}
	}
	if slices.Contains(got[1].Reasons, "疑似同一事项") {
		t.Errorf("identity alone flagged as the same matter: %q", got[1].Reasons)
	}

	t.Run("limit", func(t *testing.T) {
		if got := similar.Rank(newP, earlier, similar.Options{Limit: 1}); len(got) != 1 || got[0].ID != 3 {
			t.Errorf("Limit 1: %v", got)
		}
	})
	t.Run("threshold", func(t *testing.T) {
		got := similar.Rank(newP, earlier, similar.Options{Threshold: similar.RepeatThreshold})
		if len(got) != 1 || got[0].ID != 3 {
			t.Errorf("Threshold at RepeatThreshold keeps only repeats: %v", got)
		}
	})
	t.Run("window", func(t *testing.T) {
		got := similar.Rank(newP, earlier, similar.Options{Window: 1000 * 24 * time.Hour})
		if !slices.ContainsFunc(got, func(c similar.Candidate) bool { return c.ID == 5 }) {
			t.Errorf("a 1000-day window should bring in petition 5: %v", got)
		}
	})
	t.Run("stored fingerprints", func(t *testing.T) {
		stored := slices.Clone(earlier)
		for i := range stored {
			stored[i].Fingerprint = similar.PetitionFingerprint(stored[i])
		}
		again := similar.Rank(newP, stored, similar.Options{})
		if fmt.Sprint(again) != fmt.Sprint(got) {
			t.Errorf("with stored fingerprints:\n%v\nwithout:\n%v", again, got)
		}
	})
	t.Run("self and empty", func(t *testing.T) {
		if got := similar.Rank(newP, []similar.Petition{newP}, similar.Options{}); len(got) != 0 {
			t.Errorf("the petition itself is a candidate: %v", got)
		}
		if got := similar.Rank(newP, nil, similar.Options{}); len(got) != 0 {
			t.Errorf("no earlier petitions: %v", got)
		}
	})
}

// prefetched returns n petitions cycled from the labelled set, as storage
// would hand them to Rank.
func prefetched(tb testing.TB, n int) (similar.Petition, []similar.Petition) {
	tb.Helper()
	var pool []similar.Petition
	seen := map[int64]bool{}
	for _, p := range loadPairs(tb) {
		for _, j := range []pairs.Petition{p.A, p.B} {
			if !seen[j.ID] {
				seen[j.ID] = true
				pool = append(pool, j.Petition(true))
			}
		}
	}
	newP := pool[0]
	out := make([]similar.Petition, n)
	for i := range out {
		out[i] = pool[1+i%(len(pool)-1)]
		out[i].ID = int64(1000 + i)
	}
	return newP, out
}

func BenchmarkRank1000(b *testing.B) {
	newP, earlier := prefetched(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		similar.Rank(newP, earlier, similar.Options{})
	}
}

// BenchmarkRank1000Stored is BenchmarkRank1000 with the candidates'
// fingerprints read from storage, as Petition.Fingerprint.
func BenchmarkRank1000Stored(b *testing.B) {
	newP, earlier := prefetched(b, 1000)
	for i := range earlier {
		earlier[i].Fingerprint = similar.PetitionFingerprint(earlier[i])
	}
	b.ReportAllocs()
	for b.Loop() {
		similar.Rank(newP, earlier, similar.Options{})
	}
}

// BenchmarkPetitionIndex is what registration and the index build compute
// of each petition's text: its fingerprint and traits.
func BenchmarkPetitionIndex(b *testing.B) {
	_, ps := prefetched(b, 200)
	var bytes int
	for _, p := range ps {
		bytes += len(p.Summary) + len(p.Content)
	}
	b.SetBytes(int64(bytes / len(ps)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		fp, traits := similar.PetitionIndex(ps[i%len(ps)])
		if len(fp) == 0 || traits == "" {
			b.Fatal("nothing indexed")
		}
		i++
	}
}

func BenchmarkTextSimilarity(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		similar.TextSimilarity(landA, landB)
	}
}

func BenchmarkFingerprintSimilarity(b *testing.B) {
	fa, fb := similar.Fingerprint(landA), similar.Fingerprint(landB)
	b.ReportAllocs()
	for b.Loop() {
		similar.FingerprintSimilarity(fa, fb)
	}
}

func ExampleRank() {
	newP := similar.Petition{ID: 2, PetitionerKeys: []string{"id:p002"}, LocalityCode: zhangwan,
		Category: "自然资源", ReceivedAt: days(12), Summary: "张湾村三组村民要求补足开发区征地款差额", Content: landB}
	earlier := []similar.Petition{{ID: 1, PetitionerKeys: []string{"id:p001"}, LocalityCode: zhangwan,
		Category: "自然资源", ReceivedAt: days(0), Summary: "反映张湾村三组被征土地补偿款未足额发放问题", Content: landA}}
	for _, c := range similar.Rank(newP, earlier, similar.Options{}) {
		fmt.Println(c.ID, c.IsRepeat(), strings.Join(c.Reasons, "；"))
	}
	// Output:
	// 1 true 疑似同一事项；同一问题属地和内容分类(相隔 12 天)；内容相似度 0.22；所涉村社区相同
}
