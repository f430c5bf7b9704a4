package sqldb

import (
	"time"

	"xinfang/internal/similar"
)

// SearchDocText is the search document of a petition with number, the
// names of its petitioners (space-separated), 概况 and 投诉内容, as
// indexPetition writes it; SearchBigrams is its row of search_bigrams.
// They let the benchmarks' bulk loaders fill the search index in bulk.
func SearchDocText(number, names, summary, content string) string {
	return searchText(number, names, summary, content)
}

// SearchBigrams is the search_bigrams row of a search document's text.
func SearchBigrams(text string) string { return bigramText(text) }

// RepeatIndexOf returns the petition_fingerprints row (version, day, fp)
// and the petition_grams of a petition, as indexPetition writes them.
func RepeatIndexOf(summary, content string, received time.Time) (version int, day int64, fp []byte, grams []int64) {
	f := similar.PetitionFingerprint(similar.Petition{Summary: summary, Content: content})
	for _, g := range indexGrams(f) {
		grams = append(grams, int64(g))
	}
	return similar.FingerprintVersion, fpDay(received), encodeFP(f), grams
}

// SetSearchCandidates lowers the number of matches a search reads, so that
// a test reaches the cap with a few petitions.
func (db *DB) SetSearchCandidates(n int) { db.searchCandidates = n }
