package similar

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

//go:generate go run ./internal/fit

// The same-matter decision is a logistic model over features of a pair,
// fitted on the development part of the labelled set (testdata/hard_dev.jsonl)
// by `go generate`, which writes weights.go. Each feature is a number in
// [0, 1] or an indicator; a feature that cannot be told (no locality code,
// no entity of a kind on one side) is 0.
var featureNames = []string{
	"text",          // class-weighted similarity of the bigrams (TextSimilarity)
	"text_idf",      // share of the new petition's telling bigrams (by corpus rarity) the other has
	"text_sq",       // text squared: a near-copy says more than twice half a copy
	"village_agree", // a village, community or estate named by both
	"village_conflict",
	"town_agree",
	"town_conflict",
	"address_agree",
	"address_conflict",
	"org_agree", // hospital, police station, school, company, works
	"org_conflict",
	"person_agree",
	"person_conflict",
	"amount_agree",
	"amount_conflict",
	"area_agree",
	"area_conflict",
	"year_agree",
	"year_conflict",
	"followup",        // one of them says it comes back on an earlier item (再次反映, 三月份反映过)
	"followup_ref",    // the later one names the month of the earlier
	"same_petitioner", // a petitioner key in common
	"other_petitioner",
	"loc_same", "loc_within", "loc_same_town", "loc_far",
	"cat_same", "cat_other",
	// A near-copy about another village or another 问题属地 is a template
	// sent for two places; a conflict says more the more the rest agrees.
	"place_conflict_text",
	// The same goes for every specific: two different figures, companies or
	// people in a letter otherwise the same (text times the share of kinds
	// in conflict, up to three).
	"conflicts_text",
}

const numFeatures = 31

var reMonthRef = regexp.MustCompile(`(\d{1,2}|[一二三四五六七八九十]{1,2})月份?(?:我就|就|我|曾)?(?:已)?反映`)

// followupMonths returns the months a text says it reported in before.
func followupMonths(s string) []int {
	var out []int
	if !strings.Contains(s, "反映") {
		return nil // reMonthRef matches nothing without it
	}
	for _, m := range reMonthRef.FindAllStringSubmatch(s, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil {
			out = append(out, n)
			continue
		}
		rs := []rune(m[1])
		n := chineseValue(rs)
		if n > 0 && n <= 12 {
			out = append(out, int(n))
		}
	}
	return out
}

// features computes the feature vector of two prepared petitions.
func features(a, b *profile, e *evidence) [numFeatures]float64 {
	var x [numFeatures]float64
	x[0] = e.text
	x[1] = e.textIDF
	x[2] = e.text * e.text
	ag := agreement(&a.ents, &b.ents)
	for k, v := range ag {
		switch v {
		case 1:
			x[3+2*k] = 1
		case -1:
			x[4+2*k] = 1
		}
	}
	if a.followup || b.followup {
		x[19] = 1
	}
	later, earlier := b, a
	if a.p.ReceivedAt.After(b.p.ReceivedAt) {
		later, earlier = a, b
	}
	if !earlier.p.ReceivedAt.IsZero() {
		m := int(earlier.p.ReceivedAt.In(shanghai).Month())
		for _, n := range later.months {
			if n == m {
				x[20] = 1
			}
		}
	}
	if e.samePerson {
		x[21] = 1
	} else if len(a.p.PetitionerKeys) > 0 && len(b.p.PetitionerKeys) > 0 {
		x[22] = 1
	}
	// The same place and kind of matter say something only within the
	// window (Options.Window); further apart they count as unknown.
	near := !e.knownGap || e.withinWindow
	switch e.loc {
	case locSame:
		x[23] = b2f(near)
	case locWithin:
		x[24] = b2f(near)
	case locSameTown:
		x[25] = 1
	case locSameCounty, locDifferent:
		x[26] = 1
	}
	if x[4] == 1 || x[25] == 1 || x[26] == 1 {
		x[29] = e.text
	}
	n := 0
	for k := range ag {
		if ag[k] == -1 && k != entYear {
			n++
		}
	}
	x[30] = e.text * float64(min(n, 3)) / 3
	switch {
	case e.sameCat:
		x[27] = b2f(near)
	case a.p.Category != "" && b.p.Category != "":
		x[28] = 1
	}
	return x
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

var shanghai = time.FixedZone("CST", 8*3600)

// probability is the fitted model's probability that the pair is the same
// matter.
func probability(x *[numFeatures]float64) float64 {
	z := fitted.bias
	for i, v := range x {
		z += fitted.weights[i] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// Features returns the names and values of the model's features for a and
// b, with corpus statistics df (nil when there are none). The fitting step
// uses it; it is also a way to see why a pair scored as it did.
func Features(a, b Petition, df *Corpus) ([]string, []float64) {
	pa, pb := newProfile(&a, new(text)), newProfile(&b, new(text))
	e := compare(&pa, &pb, defaultWindow, df)
	x := features(&pa, &pb, &e)
	return featureNames, x[:]
}

// Corpus is what the stored petitions say of the bigrams of a new
// petition: in how many of Docs petitions each of its indexed values
// (fingerprint values of classes 0 and 1) occurs. Storage reads it from its
// gram counts, which grow with the corpus; a value it has no count for is
// taken as rare.
type Corpus struct {
	Docs int
	DF   map[uint32]int
}

// idf is the weight of fingerprint value v: log(N/df) for a counted value,
// the class weight times the rarest weight for an uncounted one.
func (c *Corpus) idf(v uint32) float64 {
	if c == nil || c.Docs <= 0 {
		return WeightOf(v)
	}
	top := math.Log(float64(c.Docs) + 1)
	if n, ok := c.DF[v]; ok && n > 0 {
		return WeightOf(v) * math.Log((float64(c.Docs)+1)/float64(n)) / top
	}
	return WeightOf(v)
}

// idfCoverage is the share of a's weight, by corpus rarity, that b has too.
func idfCoverage(a, b []uint32, c *Corpus) float64 {
	var inter, wa float64
	j := 0
	for _, v := range a {
		w := c.idf(v)
		wa += w
		for j < len(b) && b[j] < v {
			j++
		}
		if j < len(b) && b[j] == v {
			inter += w
		}
	}
	if wa == 0 {
		return 0
	}
	return inter / wa
}

// CountCorpus returns the corpus statistics of the fingerprints fps, as
// storage keeps them: each petition counts once for each of its indexed
// values (classes 0 and 1).
func CountCorpus(fps [][]uint32) *Corpus {
	c := &Corpus{Docs: len(fps), DF: map[uint32]int{}}
	for _, fp := range fps {
		for _, v := range fp {
			if v>>classShift <= 1 {
				c.DF[v]++
			}
		}
	}
	return c
}
