package similar

import (
	"slices"
	"strconv"
	"strings"
)

// Traits are what Rank reads of a petition's text besides its fingerprint:
// the entities it names (places, addresses, bodies, people, amounts,
// areas, years), whether it says it comes back on an earlier item, and the
// months it says it reported in. Storage keeps them beside the
// fingerprint (PetitionIndex), so that ranking a candidate does not read
// and parse its text again; Rank derives them from the text when a
// petition has none.
//
// The encoding is the kinds' keys in entityKindNames' order, each kind's
// keys joined by unit separators and the kinds by record separators, then
// the follow-up mark and the months: "v" + traitsVersion + "\x1e" +
// kind₀ + "\x1e" + … + kind₇ + "\x1e" + "1" or "0" + "\x1e" + "3,11".
const (
	traitsVersion = "1"
	traitSep      = "\x1e"
	traitKeySep   = "\x1f"
)

// PetitionIndex is what storage keeps of a petition for repeat detection:
// its fingerprint (PetitionFingerprint) and its traits, computed with one
// reading of the text.
func PetitionIndex(p Petition) (fp []uint32, traits string) {
	p.Fingerprint = nil
	pr := newProfile(&p, new(text))
	return slices.Clip(pr.fp), encodeTraits(&pr)
}

func encodeTraits(pr *profile) string {
	var b strings.Builder
	b.WriteString("v" + traitsVersion)
	for _, keys := range pr.ents {
		b.WriteString(traitSep)
		b.WriteString(strings.Join(keys, traitKeySep))
	}
	b.WriteString(traitSep)
	if pr.followup {
		b.WriteString("1")
	} else {
		b.WriteString("0")
	}
	b.WriteString(traitSep)
	for i, m := range pr.months {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(strconv.Itoa(m))
	}
	return b.String()
}

// decodeTraits fills pr's traits from s; false when s is not traits of
// this version (Rank then reads the text).
func decodeTraits(s string, pr *profile) bool {
	parts := strings.Split(s, traitSep)
	if len(parts) != 1+int(numEntityKinds)+2 || parts[0] != "v"+traitsVersion {
		return false
	}
	for k := range pr.ents {
		if p := parts[1+k]; p != "" {
			pr.ents[k] = strings.Split(p, traitKeySep)
		}
	}
	pr.followup = parts[1+numEntityKinds] == "1"
	if ms := parts[2+numEntityKinds]; ms != "" {
		for _, m := range strings.Split(ms, ",") {
			n, err := strconv.Atoi(m)
			if err != nil {
				return false
			}
			pr.months = append(pr.months, n)
		}
	}
	return true
}
