// Command gen builds ../../hard_dev.jsonl and ../../hard_test.jsonl, the
// hard labelled set of package similar, from the hand-written sources
// beside it (../places.txt, ../families*.txt).
//
// A family groups matters that are easy to confuse: the same stock
// template about other employers, the same place, the same person, the same
// company. Pairs are structural:
//
//   - same matter: every two petitions of one matter, of the kind of the
//     later one's first tag (retold, phone, online, later, angry, proxy,
//     trad, words);
//   - different matters: every two petitions of two matters of one family,
//     of the family's kind; and the petitions of two matters of
//     different families of the same part that share 内容分类 (kind
//     same_category) or town (same_town).
//
// Families alternate between the development part (odd) and the test
// part (even), so no petition and no matter is in both.
//
// Run from this directory: go run .
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type petition struct {
	Ref            string   `json:"ref"`
	ID             int64    `json:"id"`
	PetitionerKeys []string `json:"petitioner_keys,omitempty"`
	Locality       string   `json:"locality"`
	LocalityName   string   `json:"locality_name"`
	Category       string   `json:"category"`
	ReceivedAt     string   `json:"received_at"`
	Summary        string   `json:"summary"`
	Content        string   `json:"content"`

	tags   []string
	matter *matter
}

type matter struct {
	id, loc, cat string
	family       *family
	ps           []*petition
}

type family struct {
	id, kind string
	index    int
	matters  []*matter
}

type pair struct {
	Kind       string    `json:"kind"`
	SameMatter bool      `json:"same_matter"`
	A          *petition `json:"a"`
	B          *petition `json:"b"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	names := map[string]string{}
	if err := eachLine("../places.txt", func(f []string, _ string) error {
		if len(f) == 3 && f[0] == "place" {
			names[f[1]] = f[2]
		}
		return nil
	}); err != nil {
		return err
	}
	files, _ := filepath.Glob("../families*.txt")
	sort.Strings(files)
	var fams []*family
	matters := map[string]*matter{}
	var fam *family
	var m *matter
	id := int64(0)
	for _, file := range files {
		err := eachLine(file, func(f []string, line string) error {
			switch f[0] {
			case "family":
				fam = &family{id: f[1], kind: f[2], index: len(fams) + 1}
				fams = append(fams, fam)
			case "in":
				fam = nil
				for _, g := range fams {
					if g.id == f[1] {
						fam = g
					}
				}
				if fam == nil {
					return fmt.Errorf("unknown family %s", f[1])
				}
			case "more":
				m = matters[f[1]]
				if m == nil {
					return fmt.Errorf("unknown matter %s", f[1])
				}
			case "matter":
				if names[f[2]] == "" {
					return fmt.Errorf("unknown place %s", f[2])
				}
				m = &matter{id: f[1], loc: f[2], cat: f[3], family: fam}
				fam.matters = append(fam.matters, m)
				matters[m.id] = m
			case "p":
				parts := strings.Split(line, "|")
				if len(parts) != 3 {
					return fmt.Errorf("%s: want 3 parts: %s", m.id, line)
				}
				head := strings.Fields(parts[0])
				id++
				p := &petition{Ref: m.id + head[1], ID: id, Locality: m.loc, Category: m.cat,
					ReceivedAt: head[3] + "T09:00:00+08:00", Summary: strings.TrimSpace(parts[1]), Content: strings.TrimSpace(parts[2]), matter: m}
				if head[2] != "-" {
					p.PetitionerKeys = strings.Split(head[2], ",")
				}
				p.tags = strings.Split(head[4], ",")
				for _, o := range head[5:] {
					k, v, _ := strings.Cut(o, "=")
					switch k {
					case "loc":
						p.Locality = v
					case "cat":
						p.Category = v
					default:
						return fmt.Errorf("%s: unknown option %s", p.Ref, o)
					}
				}
				p.LocalityName = names[p.Locality]
				m.ps = append(m.ps, p)
			default:
				return fmt.Errorf("unknown line %q", line)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	parts := map[string][]pair{}
	part := func(f *family) string {
		if f.index%2 == 1 {
			return "dev"
		}
		return "test"
	}
	for _, f := range fams {
		var out []pair
		for i, m := range f.matters {
			for x := range m.ps {
				for y := x + 1; y < len(m.ps); y++ {
					out = append(out, pair{Kind: m.ps[y].tags[0], SameMatter: true, A: m.ps[x], B: m.ps[y]})
				}
			}
			for _, o := range f.matters[i+1:] {
				for _, a := range m.ps {
					for _, b := range o.ps {
						out = append(out, pair{Kind: f.kind, A: a, B: b})
					}
				}
			}
		}
		parts[part(f)] = append(parts[part(f)], out...)
	}
	// Across families of one part: first petitions of matters of the same
	// category or the same town.
	for i, f := range fams {
		for _, g := range fams[i+1:] {
			if part(f) != part(g) {
				continue
			}
			for _, m := range f.matters {
				for _, o := range g.matters {
					kind := ""
					switch {
					case m.cat == o.cat:
						kind = "same_category"
					case m.loc[:9] == o.loc[:9]:
						kind = "same_town"
					default:
						continue
					}
					for _, a := range m.ps {
						for _, b := range o.ps {
							parts[part(f)] = append(parts[part(f)], pair{Kind: kind, A: a, B: b})
						}
					}
				}
			}
		}
	}
	for _, name := range []string{"dev", "test"} {
		ps := parts[name]
		var b strings.Builder
		kinds := map[string]int{}
		same := 0
		for _, p := range ps {
			j, err := json.Marshal(p)
			if err != nil {
				return err
			}
			b.Write(j)
			b.WriteByte('\n')
			kinds[p.Kind]++
			if p.SameMatter {
				same++
			}
		}
		if err := os.WriteFile("../../hard_"+name+".jsonl", []byte(b.String()), 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d pairs, %d same matter; %v\n", name, len(ps), same, kinds)
	}
	return nil
}

func eachLine(path string, fn func(fields []string, line string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(strings.Fields(line), line); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	return sc.Err()
}
