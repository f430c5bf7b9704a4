// Command gen builds ../pairs.jsonl, the labelled evaluation set of package
// similar, from the hand-written sources beside it:
//
//	places.txt    问题属地 codes and names
//	matters*.txt  matters (事项), each with two or three petitions about it
//	pairs.txt     which petitions to pair, with a kind tag
//
// The label is structural: two petitions are the same matter exactly when
// they are written under the same matter, so a label can never disagree with
// the text it was written for. The generator checks each kind against the
// label and the facts it implies (same_person shares a petitioner key,
// hard_negative shares town and category, and so on).
//
// Run from this directory:
//
//	go run . && go test ..
//
// It lives under testdata/, so ./... patterns (build, vet, test) skip it;
// vet it with `go vet ./internal/similar/testdata/gen`.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
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

	matter string
}

type pair struct {
	Kind       string    `json:"kind"`
	SameMatter bool      `json:"same_matter"`
	A          *petition `json:"a"`
	B          *petition `json:"b"`
}

var positiveKinds = map[string]bool{
	"reworded": true, "dialect": true, "numbers": true, "short": true,
	"followup": true, "other_person": true, "recoded": true,
}

var negativeKinds = map[string]bool{
	"same_village": true, "same_person": true, "hard_negative": true,
	"template": true, "unrelated": true,
}

func main() {
	src := flag.String("src", ".", "directory holding the source files")
	out := flag.String("out", "../pairs.jsonl", "output file")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	places, err := readPlaces(filepath.Join(src, "places.txt"))
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(src, "matters*.txt"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	byRef := map[string]*petition{}
	var order []*petition
	for _, f := range files {
		ps, err := readMatters(f, places)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if byRef[p.Ref] != nil {
				return fmt.Errorf("%s: petition %s defined twice", f, p.Ref)
			}
			p.ID = int64(len(order) + 1)
			byRef[p.Ref] = p
			order = append(order, p)
		}
	}
	pairs, err := readPairs(filepath.Join(src, "pairs.txt"), byRef)
	if err != nil {
		return err
	}

	used := map[string]bool{}
	kinds := map[string]int{}
	for _, pr := range pairs {
		used[pr.A.Ref], used[pr.B.Ref] = true, true
		kinds[pr.Kind]++
	}
	for _, p := range order {
		if !used[p.Ref] {
			fmt.Fprintf(os.Stderr, "gen: warning: petition %s is in no pair\n", p.Ref)
		}
	}

	var buf strings.Builder
	for _, pr := range pairs {
		b, err := json.Marshal(pr)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(out, []byte(buf.String()), 0o644); err != nil {
		return err
	}

	pos := 0
	for _, pr := range pairs {
		if pr.SameMatter {
			pos++
		}
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Printf("%d petitions, %d pairs (%d same matter, %d different) -> %s\n",
		len(order), len(pairs), pos, len(pairs)-pos, out)
	for _, k := range names {
		fmt.Printf("  %-14s %3d\n", k, kinds[k])
	}
	return nil
}

func readPlaces(name string) (map[string]string, error) {
	places := map[string]string{}
	err := eachLine(name, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "place" || len(f[1]) != 12 {
			return fmt.Errorf("%s:%d: want: place <12-digit code> <name>", name, n)
		}
		places[f[1]] = f[2]
		return nil
	})
	return places, err
}

func readMatters(name string, places map[string]string) ([]*petition, error) {
	var (
		out                []*petition
		matter, mloc, mcat string
		cur                *petition
		shanghai           = time.FixedZone("CST", 8*3600)
		errf               = func(n int, format string, a ...any) error {
			return fmt.Errorf("%s:%d: %s", name, n, fmt.Sprintf(format, a...))
		}
		finish                 func(n int) error
		sentenceEnds, maxRunes = "。！？", 200
	)
	finish = func(n int) error {
		if cur == nil {
			return nil
		}
		if cur.Summary == "" || cur.Content == "" {
			return errf(n, "petition %s lacks S or C", cur.Ref)
		}
		if utf8.RuneCountInString(cur.Summary) > 40 {
			return errf(n, "petition %s: 概况 longer than 40 characters", cur.Ref)
		}
		s := 0
		for _, r := range cur.Content {
			if strings.ContainsRune(sentenceEnds, r) {
				s++
			}
		}
		if s < 2 || s > 5 || utf8.RuneCountInString(cur.Content) > maxRunes {
			return errf(n, "petition %s: content has %d sentences, %d characters", cur.Ref, s, utf8.RuneCountInString(cur.Content))
		}
		out = append(out, cur)
		cur = nil
		return nil
	}
	err := eachLine(name, func(n int, line string) error {
		switch {
		case strings.HasPrefix(line, "matter "):
			if err := finish(n); err != nil {
				return err
			}
			f := strings.Fields(line)
			if len(f) != 4 {
				return errf(n, "want: matter <id> <locality> <category>")
			}
			matter, mloc, mcat = f[1], f[2], f[3]
			if places[mloc] == "" {
				return errf(n, "unknown locality %s", mloc)
			}
		case strings.HasPrefix(line, "v "):
			if err := finish(n); err != nil {
				return err
			}
			if matter == "" {
				return errf(n, "petition before any matter")
			}
			f := strings.Fields(line)
			if len(f) < 4 {
				return errf(n, "want: v <suffix> <keys|-> <date> [loc=] [cat=]")
			}
			at, err := time.ParseInLocation("2006-01-02", f[3], shanghai)
			if err != nil {
				return errf(n, "%v", err)
			}
			cur = &petition{Ref: matter + f[1], matter: matter, Locality: mloc, Category: mcat,
				ReceivedAt: at.Format(time.RFC3339)}
			if f[2] != "-" {
				cur.PetitionerKeys = strings.Split(f[2], ",")
			}
			for _, opt := range f[4:] {
				k, v, _ := strings.Cut(opt, "=")
				switch k {
				case "loc":
					cur.Locality = v
				case "cat":
					cur.Category = v
				default:
					return errf(n, "unknown option %q", opt)
				}
			}
			cur.LocalityName = places[cur.Locality]
			if cur.LocalityName == "" {
				return errf(n, "unknown locality %s", cur.Locality)
			}
		case strings.HasPrefix(line, "S "), strings.HasPrefix(line, "C "):
			if cur == nil {
				return errf(n, "text before any petition")
			}
			text := strings.TrimSpace(line[2:])
			if line[0] == 'S' {
				cur.Summary = text
			} else {
				cur.Content = text
			}
		default:
			return errf(n, "cannot read %q", line)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, finish(0)
}

func readPairs(name string, byRef map[string]*petition) ([]pair, error) {
	var out []pair
	seen := map[[2]string]bool{}
	err := eachLine(name, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) != 4 || f[0] != "pair" {
			return fmt.Errorf("%s:%d: want: pair <ref> <ref> <kind>", name, n)
		}
		a, b, kind := byRef[f[1]], byRef[f[2]], f[3]
		if a == nil || b == nil {
			return fmt.Errorf("%s:%d: unknown petition", name, n)
		}
		key := [2]string{a.Ref, b.Ref}
		if key[0] > key[1] {
			key[0], key[1] = key[1], key[0]
		}
		if a == b || seen[key] {
			return fmt.Errorf("%s:%d: pair repeated or self-paired", name, n)
		}
		seen[key] = true
		same := a.matter == b.matter
		if !positiveKinds[kind] && !negativeKinds[kind] {
			return fmt.Errorf("%s:%d: unknown kind %s", name, n, kind)
		}
		if positiveKinds[kind] != same {
			return fmt.Errorf("%s:%d: kind %s disagrees with the label (same matter: %v)", name, n, kind, same)
		}
		if err := checkKind(kind, a, b); err != nil {
			return fmt.Errorf("%s:%d: %v", name, n, err)
		}
		out = append(out, pair{Kind: kind, SameMatter: same, A: a, B: b})
		return nil
	})
	return out, err
}

// checkKind verifies the facts a kind promises, so a tag cannot drift from
// the petitions it is attached to.
func checkKind(kind string, a, b *petition) error {
	shareKey := false
	for _, x := range a.PetitionerKeys {
		for _, y := range b.PetitionerKeys {
			shareKey = shareKey || x == y
		}
	}
	town := func(code string) string { return code[:9] }
	switch kind {
	case "same_person", "followup":
		if !shareKey {
			return fmt.Errorf("%s: %s and %s share no petitioner key", kind, a.Ref, b.Ref)
		}
	case "other_person":
		if shareKey {
			return fmt.Errorf("%s: %s and %s share a petitioner key", kind, a.Ref, b.Ref)
		}
	case "same_village":
		if town(a.Locality) != town(b.Locality) {
			return fmt.Errorf("%s: %s and %s are in different towns", kind, a.Ref, b.Ref)
		}
	case "hard_negative":
		if town(a.Locality) != town(b.Locality) || a.Category != b.Category {
			return fmt.Errorf("%s: %s and %s differ in town or category", kind, a.Ref, b.Ref)
		}
	case "template":
		if a.Locality == b.Locality {
			return fmt.Errorf("%s: %s and %s have the same locality", kind, a.Ref, b.Ref)
		}
	}
	if kind == "same_village" || kind == "hard_negative" || kind == "unrelated" || kind == "template" {
		if shareKey {
			return fmt.Errorf("%s: %s and %s share a petitioner key", kind, a.Ref, b.Ref)
		}
	}
	return nil
}

// eachLine calls fn for each non-blank, non-comment line of the file.
func eachLine(name string, fn func(n int, line string) error) error {
	f, err := os.Open(name)
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
		if err := fn(n, line); err != nil {
			return err
		}
	}
	return sc.Err()
}
