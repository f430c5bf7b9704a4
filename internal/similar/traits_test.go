package similar_test

import (
	"slices"
	"strings"
	"testing"

	"xinfang/internal/similar"
	"xinfang/internal/similar/internal/pairs"
)

// The stored index of a petition (PetitionIndex) ranks exactly as its
// text: over every labelled pair, with and without codes, the score from
// the stored fingerprints and traits equals the score from the texts, and
// the fingerprint is PetitionFingerprint's.
func TestPetitionIndexRanksAsText(t *testing.T) {
	var all []pairs.Pair
	for _, f := range []string{"testdata/hard_dev.jsonl", "testdata/hard_test.jsonl", "testdata/pairs.jsonl"} {
		set, err := pairs.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, set...)
	}
	stored := func(p similar.Petition) similar.Petition {
		fp, traits := similar.PetitionIndex(p)
		if got := similar.PetitionFingerprint(p); !slices.Equal(fp, got) {
			t.Fatalf("fingerprint of %q differs from PetitionFingerprint", p.Summary)
		}
		p.Fingerprint, p.Traits = fp, traits
		return p
	}
	withEntities := 0
	for _, codes := range []bool{false, true} {
		for _, pair := range all {
			a, b := pair.Ordered(codes)
			want, _ := similar.SameMatter(a, b, nil)
			sa, sb := stored(a), stored(b)
			// Garbling the text shows that the stored index is what is read.
			sa.Summary, sa.Content, sb.Summary, sb.Content = "", "", "", ""
			if got, _ := similar.SameMatter(sa, sb, nil); got != want {
				t.Fatalf("%s: score %.2f from the stored index, %.2f from the texts", pair.Kind, got, want)
			}
			if len(sa.Traits) > 20 {
				withEntities++
			}
		}
	}
	if len(all) < 800 || withEntities < len(all) {
		t.Fatalf("%d pairs, %d petitions with entities in their traits", len(all), withEntities)
	}
	// Traits of another version are not read: the text is. Read as traits
	// of nothing, they would change the score of many pairs.
	fewer := 0
	for _, pair := range all {
		a, b := pair.Ordered(false)
		want, _ := similar.SameMatter(a, b, nil)
		fp, _ := similar.PetitionIndex(b)
		bad, none := b, b
		bad.Fingerprint, bad.Traits = fp, "v0"+strings.Repeat("\x1e", 10)
		none.Fingerprint, none.Traits = fp, "v1"+strings.Repeat("\x1e", 9)+"0\x1e"
		if got, _ := similar.SameMatter(a, bad, nil); got != want {
			t.Fatalf("%s: score %.2f with traits of another version, %.2f from the text", pair.Kind, got, want)
		}
		if blind, _ := similar.SameMatter(a, none, nil); blind != want {
			fewer++
		}
	}
	if fewer < len(all)/10 {
		t.Fatalf("traits of nothing change %d of %d scores: the traits are not what the score reads", fewer, len(all))
	}
}
