package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// indexRows returns every row of the petitions' derived indexes as text,
// sorted: the fingerprints, the grams, the gram counts and the search
// documents of petitions.
func indexRows(t *testing.T, db *sqldb.DB) map[string][]string {
	t.Helper()
	// What registrations queued, written first.
	if err := db.FlushIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for table, q := range map[string]string{
		"petition_fingerprints": `SELECT petition_id, version, day, fp FROM petition_fingerprints`,
		"petition_grams":        `SELECT gram, day, petition_id FROM petition_grams`,
		"gram_stats":            `SELECT gram, n FROM gram_stats`,
		"search_docs":           `SELECT kind, ref_id, text FROM search_docs WHERE kind = 'petition'`,
	} {
		rows, err := db.RawSQL().Query(q)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			dst := make([]any, len(cols))
			for i := range vals {
				dst[i] = &vals[i]
			}
			if err := rows.Scan(dst...); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], fmt.Sprint(vals...))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out[table])
	}
	return out
}

// sameIndexRows fails t unless got, the index rows left by what, are
// want's, left by by, and none of want's tables is empty.
func sameIndexRows(t *testing.T, got, want map[string][]string, what, by string) {
	t.Helper()
	for table, rows := range want {
		if len(rows) == 0 {
			t.Errorf("%s: empty after %s", table, by)
		}
		if !slices.Equal(got[table], rows) {
			t.Errorf("%s: %s left %d rows, %s %d, or they differ", table, what, len(got[table]), by, len(rows))
		}
	}
}

// clearIndex removes the petitions' derived indexes, as a database of a
// version before them has none.
func clearIndex(t *testing.T, db *sqldb.DB) {
	t.Helper()
	qs := []string{`DELETE FROM petition_grams`, `DELETE FROM petition_fingerprints`, `DELETE FROM gram_stats`, `DELETE FROM search_docs WHERE kind = 'petition'`}
	if !db.Postgres() {
		qs = append(qs, `DELETE FROM search_bigrams`)
	}
	for _, q := range qs {
		if _, err := db.RawSQL().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestIndexBuildResumes: a database whose petitions have no index (an
// upgrade that adds it) records a build at start without doing it; the
// build, stopped midway and restarted, resumes where it stopped, indexes
// a petition registered meanwhile only once, says how far it is while
// it runs, and ends with exactly the index a full Reindex gives.
func TestIndexBuildResumes(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := newRepeatEnv(t, db)
		db.SetIndexBatchSize(5)
		clearIndex(t, db)
		if st := db.IndexStatus(ctx); st.Building {
			t.Fatalf("status before any build: %+v", st)
		}

		building, err := db.StartIndexBuild(ctx)
		if err != nil || !building {
			t.Fatalf("StartIndexBuild = %v, %v; want a build", building, err)
		}
		if n := count(t, db, "petition_fingerprints"); n != 0 {
			t.Fatalf("the start indexed %d petitions itself", n)
		}
		if st := db.IndexStatus(ctx); !st.Building || st.Percent != 0 {
			t.Fatalf("status at the start of the build: %+v", st)
		}
		// Two batches of five, then the process stops.
		if err := db.IndexBatches(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "petition_fingerprints"); n != 10 {
			t.Fatalf("%d petitions indexed after two batches of 5", n)
		}
		db.Close()

		// The restart: the build is still recorded and resumes past the
		// first ten.
		db2 := sqldb.NewDB(db.DSN, sqldbtest.Keys)
		if err := db2.Open(); err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		db2.Now = e.clock.Now
		db2.SetIndexBatchSize(5)
		e.Fixture.DB = db2
		if building, err := db2.StartIndexBuild(ctx); err != nil || !building {
			t.Fatalf("StartIndexBuild after the restart = %v, %v; want the build resumed", building, err)
		}
		st := db2.IndexStatus(ctx)
		if !st.Building || st.Percent != 21 {
			t.Fatalf("status after the restart: %+v, want 10 of 28 batches' petitions done, 21%%", st)
		}

		// A registration during the build is queued for the indexer and found
		// at once.
		p := e.NewPetition(e.VillageA, 900)
		p.Summary, p.Content = "反映翠湖湾小区电梯停运问题", "翠湖湾小区三号楼电梯停运两个月，物业不修。"
		e.MustRegister(t, e.RegistrarA, p)
		leader := e.Ctx(e.Leader)
		found, _, _, err := db2.Search.SearchPetitions(leader, "翠湖湾", 10, 0)
		if err != nil || len(found) != 1 || found[0].ID != p.ID {
			t.Fatalf("search for the petition registered during the build: %v, %v", ids(found), err)
		}
		// An older petition not yet indexed is not found yet: the pages
		// say why.
		late := e.ByKey[repeatCorpus[len(repeatCorpus)-1].Key]
		if err := db2.BuildIndex(ctx); err != nil {
			t.Fatal(err)
		}
		if st := db2.IndexStatus(ctx); st.Building {
			t.Fatalf("status after the build: %+v", st)
		}
		if building, err := db2.StartIndexBuild(ctx); err != nil || building {
			t.Fatalf("StartIndexBuild after the build = %v, %v; want none", building, err)
		}
		for _, q := range []string{"翠湖湾", late.Number} {
			found, _, _, err := db2.Search.SearchPetitions(leader, q, 10, 0)
			if err != nil || len(found) == 0 {
				t.Errorf("search %q after the build: %v, %v", q, ids(found), err)
			}
		}
		// Two-character words go through the bigram index on SQLite.
		if found, _, _, err := db2.Search.SearchPetitions(leader, "电梯", 10, 0); err != nil || !ids(found)[p.ID] {
			t.Errorf("search 电梯 after the build: %v, %v", ids(found), err)
		}
		if !db2.Postgres() {
			for _, fts := range []string{"search_fts", "search_bigrams"} {
				if _, err := db2.RawSQL().Exec(`INSERT INTO ` + fts + `(` + fts + `) VALUES ('integrity-check')`); err != nil {
					t.Errorf("%s integrity: %v", fts, err)
				}
			}
		}
		got := indexRows(t, db2)
		if err := db2.Reindex(ctx); err != nil {
			t.Fatal(err)
		}
		want := indexRows(t, db2)
		sameIndexRows(t, got, want, "the resumed build", "a full Reindex")
		wantGramCounts(t, db2)
	})
}

// TestIndexBuildSharedByInstances: two instances on one database running
// the build at once index every petition exactly once between them.
func TestIndexBuildSharedByInstances(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		newRepeatEnv(t, db)
		want := indexRows(t, db)
		clearIndex(t, db)
		other := sqldb.NewDB(db.DSN, sqldbtest.Keys)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		for _, d := range []*sqldb.DB{db, other} {
			d.SetIndexBatchSize(3)
			d.SetIndexGramSizes(120, 30)
		}
		if _, err := db.StartIndexBuild(ctx); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for _, d := range []*sqldb.DB{db, other} {
			go func() { errs <- d.BuildIndex(ctx) }()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		got := indexRows(t, db)
		sameIndexRows(t, got, want, "the shared build", "registration")
	})
}

// TestIndexBuildGramsInPasses: the build writes the grams after its
// batches, a range of grams at a time; stopped midway and resumed on
// another handle, it ends with exactly the rows and counts registration
// gives, leaving a petition still in the index queue to the indexer, and
// says until then that it is building. The resumed build, though it ran
// no batch, folds the other search documents at its end.
func TestIndexBuildGramsInPasses(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := newRepeatEnv(t, db)
		want := indexRows(t, db)
		clearIndex(t, db)
		if _, err := db.RawSQL().Exec(`INSERT INTO search_docs (kind, ref_id, text) VALUES ('case', 999998, '錦程小區電梯 案件')`); err != nil {
			t.Fatal(err)
		}
		db.SetIndexBatchSize(7)
		db.SetIndexGramSizes(150, 40)
		if _, err := db.StartIndexBuild(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.IndexBatches(ctx, 100); err != nil {
			t.Fatal(err)
		}
		if n, m := count(t, db, "petition_fingerprints"), len(want["petition_fingerprints"]); n != m || count(t, db, "petition_grams") != 0 {
			t.Fatalf("after the batches: %d fingerprints of %d, %d grams; want every fingerprint and no grams yet", n, m, count(t, db, "petition_grams"))
		}
		if st := db.IndexStatus(ctx); !st.Building || st.Percent != 60 {
			t.Fatalf("status after the batches: %+v, want building, 60%%", st)
		}
		// A petition of the build queued for the indexer (left by an older
		// version): the grams leave it to the indexer.
		queued := e.ByKey[repeatCorpus[0].Key]
		if _, err := db.RawSQL().Exec(`INSERT INTO index_queue (petition_id, text) SELECT ref_id, text FROM search_docs WHERE kind = 'petition' AND ref_id = ` + itoa(queued.ID)); err != nil {
			t.Fatal(err)
		}
		if err := db.IndexGramChunks(ctx, 5); err != nil {
			t.Fatal(err)
		}
		var from int64
		if err := db.RawSQL().QueryRow(`SELECT grams_from FROM index_builds`).Scan(&from); err != nil || from <= 0 || from >= 1<<31 {
			t.Fatalf("progress after five chunks: %d, %v; want within the grams", from, err)
		}
		grams := count(t, db, "petition_grams")
		if grams == 0 || grams >= len(want["petition_grams"]) {
			t.Fatalf("%d grams after five chunks of 40, want some of %d", grams, len(want["petition_grams"]))
		}
		if n := count(t, db, "petition_grams WHERE petition_id = "+itoa(queued.ID)); n != 0 {
			t.Fatalf("the queued petition got %d grams from the build", n)
		}
		if st := db.IndexStatus(ctx); !st.Building {
			t.Fatalf("status while the grams are written: %+v", st)
		}
		db.Close()

		db2 := sqldb.NewDB(db.DSN, sqldbtest.Keys)
		if err := db2.Open(); err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		db2.SetIndexGramSizes(150, 40)
		if building, err := db2.StartIndexBuild(ctx); err != nil || !building {
			t.Fatalf("StartIndexBuild after the restart = %v, %v; want the build resumed", building, err)
		}
		if err := db2.BuildIndex(ctx); err != nil {
			t.Fatal(err)
		}
		if st := db2.IndexStatus(ctx); st.Building {
			t.Fatalf("status after the build: %+v", st)
		}
		got := indexRows(t, db2)
		sameIndexRows(t, got, want, "the build in passes", "registration")
		wantGramCounts(t, db2)
		var caseText string
		if err := db2.RawSQL().QueryRow(`SELECT text FROM search_docs WHERE kind = 'case' AND ref_id = 999998`).Scan(&caseText); err != nil || caseText != "锦程小区电梯 案件" {
			t.Errorf("a case's search document after the resumed build: %q, %v; want it folded", caseText, err)
		}
	})
}

// TestIndexBuildUpgradesVersion: fingerprints of an older version (an
// upgrade changed the comparison or the folding) are computed again by the
// build the start records, and the search documents folded again with
// them (those of cases too), so that a traditional-character petition
// stored unfolded is found by its simplified words; once done, the start
// finds nothing to do.
func TestIndexBuildUpgradesVersion(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := newRepeatEnv(t, db)
		p := e.NewPetition(e.VillageA, 901)
		p.Summary, p.Content = "金雞嶺村扶貧資金去向不明", "前年上面撥給金雞嶺村五十萬元扶貧產業資金。"
		e.MustRegister(t, e.RegistrarA, p)
		want := indexRows(t, db)
		if building, err := db.StartIndexBuild(ctx); err != nil || building {
			t.Fatalf("StartIndexBuild with every fingerprint current = %v, %v; want none", building, err)
		}
		// What the previous version left: its version number, and the
		// petition's search document as typed.
		for _, q := range []string{`UPDATE petition_fingerprints SET version = version - 1`,
			`INSERT INTO search_docs (kind, ref_id, text) VALUES ('case', 999999, '錦程小區電梯 案件')`,
			`UPDATE search_docs SET text = '` + p.Summary + ` ` + p.Content + `' WHERE kind = 'petition' AND ref_id = ` + itoa(p.ID)} {
			if _, err := db.RawSQL().Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		building, err := db.StartIndexBuild(ctx)
		if err != nil || !building {
			t.Fatalf("StartIndexBuild with older fingerprints = %v, %v; want a build", building, err)
		}
		if err := db.BuildIndex(ctx); err != nil {
			t.Fatal(err)
		}
		got := indexRows(t, db)
		sameIndexRows(t, got, want, "the upgrade", "registration")
		var caseText string
		if err := db.RawSQL().QueryRow(`SELECT text FROM search_docs WHERE kind = 'case' AND ref_id = 999999`).Scan(&caseText); err != nil || caseText != "锦程小区电梯 案件" {
			t.Errorf("a case's search document after the upgrade: %q, %v; want it folded", caseText, err)
		}
		found, _, _, err := db.Search.SearchPetitions(e.Ctx(e.Leader), "金鸡岭", 10, 0)
		if err != nil || !ids(found)[p.ID] {
			t.Errorf("search 金鸡岭 after the upgrade: %v, %v", ids(found), err)
		}
		if building, err := db.StartIndexBuild(ctx); err != nil || building {
			t.Fatalf("StartIndexBuild after the upgrade = %v, %v; want none", building, err)
		}
	})
}
