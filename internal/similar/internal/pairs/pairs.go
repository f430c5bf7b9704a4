// Package pairs reads the labelled sets of package similar (testdata/*.jsonl)
// for its evaluation test and its fitting step.
package pairs

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"xinfang/internal/similar"
)

// Pair is one line of a labelled set.
type Pair struct {
	Kind       string   `json:"kind"`
	SameMatter bool     `json:"same_matter"`
	A          Petition `json:"a"`
	B          Petition `json:"b"`
}

// Petition is a petition of a labelled pair.
type Petition struct {
	Ref            string    `json:"ref"`
	ID             int64     `json:"id"`
	PetitionerKeys []string  `json:"petitioner_keys"`
	Locality       string    `json:"locality"`
	Category       string    `json:"category"`
	ReceivedAt     time.Time `json:"received_at"`
	Summary        string    `json:"summary"`
	Content        string    `json:"content"`
}

// Petition returns p as similar sees it: with its codes (petitioner keys,
// 问题属地, 内容分类) when codes is true, its text and date only otherwise.
func (p Petition) Petition(codes bool) similar.Petition {
	sp := similar.Petition{ID: p.ID, ReceivedAt: p.ReceivedAt, Summary: p.Summary, Content: p.Content}
	if codes {
		sp.PetitionerKeys, sp.LocalityCode, sp.Category = p.PetitionerKeys, p.Locality, p.Category
	}
	return sp
}

// Ordered returns the pair's petitions earlier first.
func (p Pair) Ordered(codes bool) (earlier, later similar.Petition) {
	a, b := p.A.Petition(codes), p.B.Petition(codes)
	if a.ReceivedAt.After(b.ReceivedAt) {
		return b, a
	}
	return a, b
}

// Load reads a labelled set.
func Load(path string) ([]Pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Pair
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		var p Pair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("%s line %d: %v", path, len(out)+1, err)
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

// Corpus counts the bigrams of every distinct petition of the sets, texts
// only, as storage counts those of the petitions it holds.
func Corpus(sets ...[]Pair) *similar.Corpus {
	seen := map[string]bool{}
	var fps [][]uint32
	for _, set := range sets {
		for _, p := range set {
			for _, x := range []Petition{p.A, p.B} {
				k := x.Summary + "\x00" + x.Content
				if !seen[k] {
					seen[k] = true
					fps = append(fps, similar.PetitionFingerprint(x.Petition(false)))
				}
			}
		}
	}
	return similar.CountCorpus(fps)
}
