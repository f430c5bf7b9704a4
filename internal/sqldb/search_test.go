package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode"

	"xinfang"
	"xinfang/internal/similar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// searchQueries cover what staff type: two-character words (no trigram),
// three characters, longer phrases, figures and numbers, several terms,
// full-width input, and nothing found.
var searchQueries = []string{
	"低保", "工资", "征地", "李某", "东村 工资",
	"补偿款", "养猪场", "低保金", "碧水湾",
	"县道拓宽工程", "锦绣服装厂拖欠",
	"8.6万", "８.６万", "2024年", "a栋302",
	"jz-2026", "YZ-2026-000002", "刘建华",
	"不存在的事情", "东村 宏达 8.6",
}

// searchFoldForTest is the documented normal form: full-width ASCII to
// half-width, lower case, whitespace runs to one space.
func searchFoldForTest(s string) string {
	s = similar.Simplify(s)
	var b strings.Builder
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if r == 0x3000 {
			r = ' '
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestSearchParity registers the same corpus on SQLite and PostgreSQL and
// expects every query to find the same petitions on both, and exactly
// those whose text contains every term.
func TestSearchParity(t *testing.T) {
	dialects := sqldbtest.Dialects(t)
	results := map[string]map[string][]string{} // dialect → query → numbers
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) {
			db := sqldbtest.Open(t, d)
			e := newRepeatEnv(t, db)
			if ok, err := db.Search.SearchTrigramsCJK(context.Background()); err != nil || !ok {
				// The results must not change, only the speed.
				t.Logf("%s: the trigram index does not see CJK characters (%v)", d, err)
			}
			ctx := e.Ctx(e.Leader)
			results[d] = map[string][]string{}
			for _, q := range searchQueries {
				got, total, _, err := db.Search.SearchPetitions(ctx, q, 100, 0)
				if err != nil {
					t.Fatalf("%q: %v", q, err)
				}
				if total != len(got) {
					t.Errorf("%q: total %d, %d items", q, total, len(got))
				}
				var numbers []string
				for _, p := range got {
					numbers = append(numbers, p.Number)
				}
				slices.Sort(numbers)
				results[d][q] = numbers
				// What it must find: every term in the folded text.
				var want []string
				for _, p := range e.ByKey {
					text := searchFoldForTest(strings.Join([]string{p.Number, p.Petitioner.Name, p.Summary, p.Content}, " "))
					all := true
					for _, term := range strings.Fields(searchFoldForTest(q)) {
						all = all && strings.Contains(text, term)
					}
					if all {
						want = append(want, p.Number)
					}
				}
				slices.Sort(want)
				if !slices.Equal(numbers, want) {
					t.Errorf("%s %q: found %v, want %v", d, q, numbers, want)
				}
			}
			if len(results[d]["不存在的事情"]) != 0 || len(results[d]["低保"]) < 2 || len(results[d]["8.6万"]) == 0 {
				t.Errorf("corpus does not exercise the queries: %v", results[d])
			}
			if !slices.Equal(results[d]["8.6万"], results[d]["８.６万"]) {
				t.Errorf("full-width query differs")
			}
		})
	}
	if len(results) == 2 {
		for _, q := range searchQueries {
			if !slices.Equal(results["sqlite"][q], results["postgres"][q]) {
				t.Errorf("%q: sqlite %v, postgres %v", q, results["sqlite"][q], results["postgres"][q])
			}
		}
	}
}

func TestSearchScopeAndDocs(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		e := newRepeatEnv(t, db)
		// 工资 is in both towns; each handler finds only his own.
		for _, c := range []struct {
			user *xinfang.User
			want []string
		}{
			{e.HandlerA, []string{"wage1"}}, // wage2 says 工钱
			{e.HandlerB, []string{"wageB1", "wageB2"}},
			{e.Leader, []string{"wage1", "wageB1", "wageB2"}},
		} {
			got, total, _, err := db.Search.SearchPetitions(e.Ctx(c.user), "工资", 100, 0)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, k := range c.want {
				want = append(want, e.ByKey[k].ID)
			}
			gotIDs := make([]int64, 0, len(got))
			for _, p := range got {
				gotIDs = append(gotIDs, p.ID)
			}
			slices.Sort(gotIDs)
			slices.Sort(want)
			if !slices.Equal(gotIDs, want) || total != len(want) {
				t.Errorf("%s: %v (total %d), want %v", c.user.Username, gotIDs, total, want)
			}
			hits, htotal, _, err := db.Search.SearchDocs(e.Ctx(c.user), xinfang.SearchPetition, "工资", 100, 0)
			if err != nil {
				t.Fatal(err)
			}
			if htotal != total || len(hits) != len(got) {
				t.Errorf("%s: SearchDocs %d hits, SearchPetitions %d", c.user.Username, htotal, total)
			}
			for _, h := range hits {
				if !strings.Contains(h.Snippet, "工资") || h.Title == "" {
					t.Errorf("hit %+v", h)
				}
			}
		}
		// Paging and newest first.
		page1, total, _, err := db.Search.SearchPetitions(e.Ctx(e.Leader), "东村", 3, 0)
		if err != nil {
			t.Fatal(err)
		}
		page2, _, _, err := db.Search.SearchPetitions(e.Ctx(e.Leader), "东村", 3, 3)
		if err != nil {
			t.Fatal(err)
		}
		if total < 6 || len(page1) != 3 || len(page2) != 3 || page1[2].ReceivedAt.Before(page2[0].ReceivedAt) {
			t.Errorf("paging: total %d, pages %v %v", total, ids(page1), ids(page2))
		}
		// Bad input.
		_, _, _, err = db.Search.SearchPetitions(e.Ctx(e.Leader), "  ", 10, 0)
		wantErr(t, err, xinfang.EINVALID, "q")
		_, _, _, err = db.Search.SearchDocs(e.Ctx(e.Leader), "nothing", "工资", 10, 0)
		wantErr(t, err, xinfang.EINVALID, "kind")
		// Quotes and LIKE wildcards are text.
		for _, q := range []string{`"东村"`, "100%", "a_b", `\`} {
			if _, _, _, err := db.Search.SearchPetitions(e.Ctx(e.Leader), q, 10, 0); err != nil {
				t.Errorf("%q: %v", q, err)
			}
		}
	})
}

// TestSearchCapped lowers the number of matches a search reads below the
// matches of 东村, and expects the count to stop there and say so, the
// newest matches in scope to be listed, and the ledger's text filter to
// report its count as capped; a search within the bound stays exact.
func TestSearchCapped(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		e := newRepeatEnv(t, db)
		ctx := e.Ctx(e.Leader)
		all, exact, capped, err := db.Search.SearchPetitions(ctx, "东村", 100, 0)
		if err != nil || capped || exact < 4 {
			t.Fatalf("uncapped: %d matches, capped %v, %v", exact, capped, err)
		}
		db.SetSearchCandidates(3)
		got, total, capped, err := db.Search.SearchPetitions(ctx, "东村", 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !capped || total != 3 || len(got) != 3 {
			t.Fatalf("capped search: %d listed, total %d, capped %v; want 3, 3, true", len(got), total, capped)
		}
		// The three read are the newest registered, listed newest first.
		byID := petitionIDs(all)
		slices.Sort(byID)
		newest := byID[len(byID)-3:]
		gotIDs := petitionIDs(got)
		for _, id := range gotIDs {
			if !slices.Contains(newest, id) {
				t.Errorf("capped search listed %d, not among the newest %v", id, newest)
			}
		}
		for i := 1; i < len(got); i++ {
			if got[i].ReceivedAt.After(got[i-1].ReceivedAt) {
				t.Errorf("not newest first: %v", gotIDs)
			}
		}
		hits, htotal, hcapped, err := db.Search.SearchDocs(ctx, xinfang.SearchPetition, "东村", 100, 0)
		if err != nil || !hcapped || htotal != 3 || len(hits) != 3 {
			t.Errorf("SearchDocs capped: %d hits, total %d, capped %v, %v", len(hits), htotal, hcapped, err)
		}
		page, ltotal, err := db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Text: "东村", Limit: 50})
		if err != nil || len(page) != 3 || ltotal != xinfang.MaxCount+1 {
			t.Errorf("ledger text filter capped: %d listed, total %d (want %d, shown 10000+), %v", len(page), ltotal, xinfang.MaxCount+1, err)
		}
		// Within the bound the count is exact and not capped.
		if _, n, capped, err := db.Search.SearchPetitions(ctx, "碧水湾", 100, 0); err != nil || capped || n == 0 || n > 3 {
			t.Errorf("rare word under the cap: total %d, capped %v, %v", n, capped, err)
		}
		// A town's handler is capped too and still sees only his town.
		got, total, _, err = db.Search.SearchPetitions(e.Ctx(e.HandlerA), "东村", 100, 0)
		if err != nil || total != len(got) {
			t.Fatalf("town A: %d listed, total %d, %v", len(got), total, err)
		}
		for _, p := range got {
			if !ids(all)[p.ID] {
				t.Errorf("town A found %d, which the leader's search did not", p.ID)
			}
			if _, err := db.Petitions.FindPetitionByID(e.Ctx(e.HandlerA), p.ID); err != nil {
				t.Errorf("town A found %d outside its scope: %v", p.ID, err)
			}
		}
	})
}

func petitionIDs(ps []*xinfang.Petition) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}
