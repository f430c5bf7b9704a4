package similar_test

import (
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
		if got := similar.PetitionFingerprint(p); !equal(fp, got) {
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
	// Traits of another version are not read: the text is.
	p := similar.Petition{Summary: "张湾村修路款被挪用", Content: "张湾村2023年修路款十二万八被村干部挪用。"}
	fp, _ := similar.PetitionIndex(p)
	q := p
	q.Fingerprint, q.Traits = fp, "v0\x1e"
	if s1, _ := similar.SameMatter(p, q, nil); s1 < similar.RepeatThreshold {
		t.Fatalf("the same text scores %.2f with unreadable traits", s1)
	}
}

func equal(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
