package similar

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Petition is what repeat detection needs to know of a petition.
type Petition struct {
	ID int64
	// PetitionerKeys identify the petitioners: ID number, phone, organisation
	// code — in practice their keyed hashes. Write a key as "kind:value"
	// (KeyIDNumber, KeyPhone, KeyOrgCode, KeyNameAddress) so that a reason
	// can say which one matched; keys of different kinds never match.
	PetitionerKeys []string
	LocalityCode   string // 问题属地, GB/T 2260 code (12 digits for a village)
	Category       string // 内容分类; a prefix (top-level code) matches its children
	ReceivedAt     time.Time
	Summary        string // 概况
	Content        string // 投诉内容
	// Fingerprint is PetitionFingerprint(p) as stored, computed from
	// Summary and Content when nil. Storage keeps it to index candidates
	// and to spare Rank the tokenizing of each one.
	Fingerprint []uint32
	// Traits are PetitionIndex's traits as stored; with Fingerprint they
	// spare Rank the reading of the text. "" when not known.
	Traits string
}

// Key kinds for PetitionerKeys.
const (
	KeyIDNumber    = "id"   // 身份证号
	KeyPhone       = "tel"  // 联系电话
	KeyOrgCode     = "org"  // 统一社会信用代码
	KeyNameAddress = "name" // 姓名+住址
)

var keyLabels = map[string]string{
	KeyIDNumber:    "身份证号",
	KeyPhone:       "联系电话",
	KeyOrgCode:     "统一社会信用代码",
	KeyNameAddress: "姓名和住址",
}

// Candidate is an earlier petition shown as a possible repeat.
type Candidate struct {
	ID      int64
	Score   float64  // in [0, 1], two decimals; see Rank
	Reasons []string // in Chinese, strongest first
}

// IsRepeat is the decision used for evaluation: the candidate is the same
// matter (同一事项) as the new petition.
func (c Candidate) IsRepeat() bool { return c.Score >= RepeatThreshold }

// Options tune Rank. The zero value means the defaults.
type Options struct {
	Window    time.Duration // how far apart the same locality and category count; ≤ 0 means 365 days
	Threshold float64       // lowest score shown; ≤ 0 means DisplayThreshold
	Limit     int           // most candidates returned; 0 means 20, negative no limit
	Corpus    *Corpus       // counts of the new petition's bigrams in the stored corpus; nil for none
}

// The thresholds are on the score as shown, rounded to two decimals
// (Candidate.Score), so that a score shown as 0.45 is marked the same
// matter exactly when 0.45 is: RepeatThreshold is fitted with the weights
// (weights.go), on the development part.
const (
	// DisplayThreshold is Rank's default cut: it lets through the same
	// petitioner (IdentityFloor) and the same locality and category within
	// the window (LocalityFloor) even when the texts differ.
	DisplayThreshold = 0.30
	// IdentityFloor is the least score of a candidate from the same
	// petitioner; LocalityFloor of one with the same locality and category
	// within the window. Both are below RepeatThreshold: neither makes a
	// repeat on its own.
	IdentityFloor = RepeatThreshold - 0.01
	LocalityFloor = RepeatThreshold - 0.02

	defaultWindow = 365 * 24 * time.Hour
	defaultLimit  = 20
)

// profile is a petition prepared for comparison.
type profile struct {
	p        *Petition
	fp       []uint32
	ents     entities
	followup bool  // says it comes back on an earlier item
	months   []int // months it says it reported in before
}

// newProfile prepares p, using t for the text work; fp may share t's
// storage, so a profile made with a reused t lasts until t's next use.
func newProfile(p *Petition, t *text) profile {
	if p.Traits != "" && p.Fingerprint != nil {
		pr := profile{p: p, fp: p.Fingerprint}
		if decodeTraits(p.Traits, &pr) {
			return pr
		}
	}
	t.tokenizeInto(p.Summary, p.Content)
	fp := p.Fingerprint
	if fp == nil {
		fp = t.fingerprint()
	}
	folded := foldText(p.Summary + "。" + p.Content)
	return profile{p: p, fp: fp, ents: extractEntities(folded, t),
		followup: saysFollowup(folded), months: followupMonths(folded)}
}

// PetitionFingerprint is the fingerprint of a petition's 概况 and 投诉内容
// together, the value to store in Petition.Fingerprint.
func PetitionFingerprint(p Petition) []uint32 {
	t := new(text)
	t.tokenizeInto(p.Summary, p.Content)
	return slices.Clip(t.fingerprint())
}

// evidence is what two petitions have in common.
type evidence struct {
	text         float64
	textIDF      float64 // share of a's telling grams b has, weighted by corpus rarity
	agree        [numEntityKinds]int
	loc          locRelation
	sameCat      bool
	samePerson   bool          // a petitioner key in common
	followup     bool          // one of them says it comes back on an earlier item
	keyLabel     string        // what kind of key, in Chinese, if known
	gap          time.Duration // between the two ReceivedAt, if both are known
	knownGap     bool
	withinWindow bool
}

func compare(a, b *profile, window time.Duration, c *Corpus) evidence {
	e := evidence{
		text:    FingerprintSimilarity(a.fp, b.fp),
		textIDF: idfCoverage(a.fp, b.fp, c),
		agree:   agreement(&a.ents, &b.ents),
		loc:     relateLocalities(a.p.LocalityCode, b.p.LocalityCode),
		sameCat: sameCategory(a.p.Category, b.p.Category),
	}
	e.followup = a.followup || b.followup
	e.samePerson, e.keyLabel = sharedKey(a.p.PetitionerKeys, b.p.PetitionerKeys)
	if !a.p.ReceivedAt.IsZero() && !b.p.ReceivedAt.IsZero() {
		e.gap = a.p.ReceivedAt.Sub(b.p.ReceivedAt).Abs()
		e.knownGap = true
		e.withinWindow = e.gap <= window
	}
	return e
}

// SameMatter scores whether a and b are the same matter (同一事项) and
// decides it at RepeatThreshold; b is the newer petition, whose bigrams the
// corpus statistics c (nil for none) count. The score is the fitted
// model's probability rounded to two decimals. The same petitioner alone
// never makes two petitions the same matter: one person may bring several
// matters.
func SameMatter(a, b Petition, c *Corpus) (score float64, same bool) {
	// The decision is the pair's, not the order of the arguments': the
	// later petition is the new one.
	if a.ReceivedAt.After(b.ReceivedAt) || a.ReceivedAt.Equal(b.ReceivedAt) && a.ID > b.ID {
		a, b = b, a
	}
	pa, pb := newProfile(&a, new(text)), newProfile(&b, new(text))
	e := compare(&pb, &pa, defaultWindow, c)
	x := features(&pb, &pa, &e)
	s := round2(probability(&x))
	return s, s >= RepeatThreshold
}

// round2 rounds a score to the two decimals it is shown with.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Rank scores the earlier petitions as possible repeats of newP and returns
// those scoring at least opt.Threshold, best first, each with its reasons.
// The score is the SameMatter score, raised to IdentityFloor for the same
// petitioner and to LocalityFloor for the same locality and category within
// opt.Window, so the registrar also sees those; only candidates with
// IsRepeat are taken to be the same matter. earlier is not modified.
func Rank(newP Petition, earlier []Petition, opt Options) []Candidate {
	if opt.Window <= 0 {
		opt.Window = defaultWindow
	}
	if opt.Threshold <= 0 {
		opt.Threshold = DisplayThreshold
	}
	if opt.Limit == 0 {
		opt.Limit = defaultLimit
	}
	np := newProfile(&newP, new(text))
	scratch := new(text)
	var out []Candidate
	for i := range earlier {
		p := &earlier[i]
		if p.ID == newP.ID && p.ID != 0 {
			continue
		}
		cp := newProfile(p, scratch)
		e := compare(&np, &cp, opt.Window, opt.Corpus)
		x := features(&np, &cp, &e)
		score := round2(probability(&x))
		if e.samePerson {
			score = max(score, IdentityFloor)
		}
		if e.sameCat && e.withinWindow && (e.loc == locSame || e.loc == locWithin) {
			score = max(score, LocalityFloor)
		}
		if score < opt.Threshold {
			continue
		}
		out = append(out, Candidate{ID: p.ID, Score: score, Reasons: e.reasons(score)})
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	if opt.Limit > 0 && len(out) > opt.Limit {
		out = out[:opt.Limit]
	}
	return out
}

func (e evidence) reasons(score float64) []string {
	var r []string
	if score >= RepeatThreshold {
		r = append(r, "疑似同一事项")
	}
	switch {
	case e.samePerson && e.keyLabel != "":
		r = append(r, "同一信访人("+e.keyLabel+")")
	case e.samePerson:
		r = append(r, "同一信访人")
	}
	switch {
	case e.sameCat && (e.loc == locSame || e.loc == locWithin) && e.knownGap:
		days := int(math.Round(e.gap.Hours() / 24))
		r = append(r, fmt.Sprintf("同一问题属地和内容分类(相隔 %d 天)", days))
	case e.sameCat && (e.loc == locSame || e.loc == locWithin):
		r = append(r, "同一问题属地和内容分类")
	case e.loc == locSame || e.loc == locWithin:
		r = append(r, "同一问题属地")
	case e.sameCat:
		r = append(r, "同一内容分类")
	}
	if e.text >= 0.05 {
		r = append(r, fmt.Sprintf("内容相似度 %.2f", e.text))
	}
	if e.followup {
		r = append(r, "提及此前反映")
	}
	switch e.loc {
	case locSameTown:
		r = append(r, "问题属地不同(同一乡镇街道的不同村社区)")
	case locSameCounty, locDifferent:
		r = append(r, "问题属地不同")
	}
	var same, differ []string
	for k, v := range e.agree {
		switch v {
		case 1:
			same = append(same, entityKindNames[k])
		case -1:
			differ = append(differ, entityKindNames[k])
		}
	}
	if len(same) > 0 {
		r = append(r, "所涉"+strings.Join(same, "、")+"相同")
	}
	if len(differ) > 0 {
		r = append(r, "所涉"+strings.Join(differ, "、")+"不同")
	}
	return r
}

func sameCategory(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// sharedKey reports whether the two lists share a key, and the Chinese name
// of its kind when the key says it.
func sharedKey(a, b []string) (shared bool, label string) {
	for _, x := range a {
		if x == "" || !slices.Contains(b, x) {
			continue
		}
		if kind, _, ok := strings.Cut(x, ":"); ok {
			return true, keyLabels[kind]
		}
		return true, ""
	}
	return false, ""
}
