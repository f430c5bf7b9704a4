package similar

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize folds full-width ASCII (Ａ１，) to half-width and the ideographic
// space to a space, lower-cases letters, and keeps only letters (CJK
// included) and digits; punctuation, symbols and spaces are dropped. A point
// between two digits (4.2) is kept. Figures are not rewritten here: the
// tokenizer behind Grams reads 四万二 and 4.2万 as the same value.
func Normalize(s string) string {
	rs := fold(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		switch {
		case r == '.':
			if i > 0 && isASCIIDigit(rs[i-1]) && i+1 < len(rs) && isASCIIDigit(rs[i+1]) {
				b.WriteRune(r)
			}
		case keep(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold returns the runes of s with full-width ASCII folded to half-width,
// U+3000 to a space, and letters lower-cased.
func fold(s string) []rune { return foldInto(make([]rune, 0, len(s)/2), s) }

func foldInto(rs []rune, s string) []rune {
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		if r < 0x2C00 { // CJK has no case; skip the table look-up for it
			r = unicode.ToLower(r)
		}
		rs = append(rs, r)
	}
	return rs
}

func isHan(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x2E80 && unicode.Is(unicode.Han, r))
}

func keep(r rune) bool {
	return isHan(r) || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// token is one unit of text: a CJK character, a figure read to its value
// (四万二, 4.2万 and 42000 are all "42000") or a run of Latin letters. Its
// bytes are text.buf[start:end]; the bytes of consecutive tokens are
// consecutive, so a gram is one slice of buf.
type token struct {
	start, end int32
	r          rune  // the character of a one-character token, else 0
	role       uint8 // see tokenRoles
}

// text is a tokenized text. Its slices may be reused for the next text (see
// tokenizeInto), which spares Rank an allocation per candidate.
type text struct {
	runes []rune
	buf   []byte
	toks  []token
	fp    []uint32
}

func (t *text) bytes(i, j int) []byte { return t.buf[t.toks[i].start:t.toks[j-1].end] }

// strings returns the tokens as strings, for tests.
func (t *text) strings() []string {
	out := make([]string, len(t.toks))
	for i := range t.toks {
		out[i] = string(t.bytes(i, i+1))
	}
	return out
}

// tokenize splits s into tokens and gives each its role. Punctuation,
// symbols and spaces are dropped; they still end a figure, so 10、11、12
// stays three figures.
func tokenize(s string) *text {
	t := new(text)
	t.tokenizeInto(s, "")
	return t
}

// tokenizeInto tokenizes a and b as one text, as if joined by a space,
// reusing t's slices.
func (t *text) tokenizeInto(a, b string) {
	t.runes = foldInto(t.runes[:0], foldText(a))
	if b != "" {
		t.runes = foldInto(append(t.runes, ' '), foldText(b))
	}
	t.buf, t.toks = t.buf[:0], t.toks[:0]
	rs := t.runes
	add := func(r rune, b string) {
		start := int32(len(t.buf))
		if r != 0 {
			t.buf = utf8.AppendRune(t.buf, r)
		} else {
			t.buf = append(t.buf, b...)
		}
		t.toks = append(t.toks, token{start: start, end: int32(len(t.buf)), r: r})
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isASCIIDigit(r):
			v, n := readArabicNumber(rs, i)
			add(0, v)
			i += n
		case isChineseNumeralStart(r):
			v, n, ok := readChineseNumber(rs, i)
			if ok {
				add(0, v)
			} else {
				for _, c := range rs[i : i+n] {
					add(c, "")
				}
			}
			i += n
		case isHan(r):
			add(r, "")
			i++
		case unicode.IsLetter(r):
			j := i
			for j < len(rs) && unicode.IsLetter(rs[j]) && !isHan(rs[j]) {
				j++
			}
			if j == i+1 {
				add(r, "")
			} else {
				add(0, string(rs[i:j]))
			}
			i = j
		case unicode.IsDigit(r):
			add(r, "")
			i++
		default:
			i++
		}
	}
	tokenRoles(t)
}

// Grams returns the deduplicated, sorted n-grams (shingles) of the
// normalized text over its tokens: CJK characters, figures and Latin words;
// n=2 gives the character bigrams used everywhere in this package. Figures
// are one token each, read to their value, so 每亩四万二 and 每亩4.2万 have the
// same grams. A text with fewer than n tokens yields itself as its only gram,
// so a one-character text still has something to match.
func Grams(s string, n int) []string {
	if n < 1 {
		n = 1
	}
	t := tokenize(s)
	var out []string
	t.eachGram(n, func(i, j int) { out = append(out, string(t.bytes(i, j))) })
	slices.Sort(out)
	return slices.Compact(out)
}

// eachGram calls fn with the token range [i, j) of every n-gram, or of all
// the tokens when there are fewer than n of them.
func (t *text) eachGram(n int, fn func(i, j int)) {
	if len(t.toks) > 0 && len(t.toks) < n {
		fn(0, len(t.toks))
		return
	}
	for i := 0; i+n <= len(t.toks); i++ {
		fn(i, i+n)
	}
}

// Fingerprint is the compact form of a text for storage: the sorted,
// deduplicated hashes of its bigrams. Each value is FNV-1a 32 of the gram's
// UTF-8 bytes with its top two bits replaced by the gram's weight class (see
// classWeights), so two fingerprints alone are enough for
// FingerprintSimilarity, and an index can skip the low-weight classes
// (boilerplate) when it looks up candidates. Stored fingerprints must be
// recomputed when FingerprintVersion changes.
func Fingerprint(s string) []uint32 {
	return slices.Clip(tokenize(s).fingerprint())
}

// FingerprintVersion changes whenever Fingerprint would give other values
// for the same text, or PetitionIndex other traits (3: the traits stored).
const FingerprintVersion = 3

// fingerprint computes the fingerprint into t's reusable slice.
func (t *text) fingerprint() []uint32 {
	out := t.fp[:0]
	t.eachGram(2, func(i, j int) {
		h := uint32(2166136261)
		for _, b := range t.bytes(i, j) {
			h ^= uint32(b)
			h *= 16777619
		}
		out = append(out, h&hashMask|uint32(t.gramClass(i, j))<<classShift)
	})
	slices.Sort(out)
	t.fp = slices.Compact(out)
	return t.fp
}

const (
	classShift = 30
	hashMask   = 1<<classShift - 1
)

// classWeights gives the weight of each class stored in a fingerprint's top
// two bits (see gramClass): 0 content (张湾, 猪场, 42000元); 1 content next
// to anything else (村的, 映张 in 反映张湾村); 2 touching a topic word that
// names a kind of matter (征地, 工资, 污染); 3 boilerplate (反映, 映问 in
// 反映问题, 村民) and function characters.
var classWeights = [4]float64{1, 0.5, 0.4, 0.05}

// WeightOf returns the weight a fingerprint value carries in
// FingerprintSimilarity.
func WeightOf(h uint32) float64 { return classWeights[h>>classShift] }

// FingerprintSimilarity is TextSimilarity computed from two fingerprints.
func FingerprintSimilarity(a, b []uint32) float64 {
	inter, wa, wb := overlap(a, b)
	return combine(inter, wa, wb)
}

// TextSimilarity returns how alike two texts are, in [0, 1]: 1 for the same
// text up to punctuation, width and the spelling of figures, near 0 for
// unrelated texts, 0 when either has no tokens. It is the mean of the
// weighted Dice coefficient and the weighted overlap coefficient of the two
// bigram sets:
//
//	Dice    = 2·W(A∩B) / (W(A)+W(B))
//	overlap = W(A∩B) / min(W(A), W(B))
//
// Dice alone punishes a short follow-up told against a long first petition;
// overlap alone lets a short text match anything that contains its words.
// W sums the gram weights described in the package comment: boilerplate
// (反映、要求、问题、村民、政府 …) and topic words (征地、工资、污染 …) count
// less than the words that tell one matter from another.
func TextSimilarity(a, b string) float64 {
	return FingerprintSimilarity(Fingerprint(a), Fingerprint(b))
}

// overlap returns the weight of the common values of two sorted fingerprints
// and the weight of each.
func overlap(a, b []uint32) (inter, wa, wb float64) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			w := WeightOf(a[i])
			inter += w
			wa += w
			wb += w
			i++
			j++
		case a[i] < b[j]:
			wa += WeightOf(a[i])
			i++
		default:
			wb += WeightOf(b[j])
			j++
		}
	}
	for ; i < len(a); i++ {
		wa += WeightOf(a[i])
	}
	for ; j < len(b); j++ {
		wb += WeightOf(b[j])
	}
	return inter, wa, wb
}

func combine(inter, wa, wb float64) float64 {
	if wa == 0 || wb == 0 {
		return 0
	}
	dice := 2 * inter / (wa + wb)
	over := inter / min(wa, wb)
	return min(1, (dice+over)/2)
}
