package sqldb

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"xinfang"
	"xinfang/internal/similar"
)

// Full-text search in Chinese. Every searchable record has one row in
// search_docs (kind, ref_id, text) with its text folded (searchFold). A
// query is split at spaces into terms, and a record matches when its text
// contains every term: plain substring matching, the same on both
// databases, which only differ in how they find the rows fast:
//
//   - SQLite: an FTS5 table with the trigram tokenizer over search_docs. A
//     term of three or more characters is a phrase of trigrams, which
//     matches exactly the texts containing it. Two-character terms (低保,
//     拆迁) have no trigram: a second FTS5 table holds each document's
//     bigrams of letters and digits as tokens, which narrows the rows, and
//     instr() checks them. A single character is checked with instr() on
//     the rows left, or on every row of the kind.
//   - PostgreSQL: pg_trgm's GIN index over search_docs.text answers
//     LIKE '%term%' for terms of three or more characters; LIKE checks
//     every match again, so shorter terms are correct too, only slower.
//
// Folding turns traditional characters to simplified ones (similar.Simplify),
// lower-cases and turns full-width letters, digits and spaces to
// half-width, so 錦程 finds 锦程 and back, "JZ-2026" finds jz-2026 and Ａ栋
// finds A栋. When the folding changes, the stored documents are folded
// again by the index build (index_build.go, foldVersion).

// searchKind says how hits of one kind are kept within the user's data
// scope, titled and ordered. join joins the kind's table to search_docs d;
// scope returns the data-scope clause over that join; title and order are
// SQL over it.
type searchKind struct {
	join, title, order string
	scope              scopeFunc
}

// searchKinds are the kinds SearchDocs knows. A feature with records of
// its own adds its kind from init with registerSearchKind and writes its
// documents with IndexSearchDoc.
var searchKinds = map[xinfang.SearchKind]searchKind{}

// registerSearchKind makes kind searchable by SearchDocs.
func registerSearchKind(kind xinfang.SearchKind, join, title, order string, scope scopeFunc) {
	searchKinds[kind] = searchKind{join: join, title: title, order: order, scope: scope}
}

func init() {
	registerSearchKind(xinfang.SearchPetition, "JOIN petitions p ON p.id = d.ref_id", "p.number || ' ' || p.summary", "p.received_at DESC, p.id DESC", petitionScope)
}

// searchFold is the one normal form of searched text and of queries.
func searchFold(s string) string {
	s = similar.Simplify(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0 // full-width ASCII
		case r == 0x3000:
			r = ' '
		}
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// searchText joins the parts of a record's searchable text, folded.
func searchText(parts ...string) string {
	return searchFold(strings.Join(parts, " "))
}

// petitionSearchText is the searchable text of a petition: its number,
// the names of its petitioners, 概况 and 投诉内容.
func petitionSearchText(p *xinfang.Petition) string {
	parts := []string{p.Number}
	if p.Petitioner != nil {
		parts = append(parts, p.Petitioner.Name)
	}
	for _, c := range p.CoPetitioners {
		parts = append(parts, c.Name)
	}
	return searchText(append(parts, p.Summary, p.Content)...)
}

// IndexSearchDoc writes (or replaces) the searchable text of a record of
// kind inside tx. The text is folded here, so callers pass it as shown.
// It is written at the end of the write — of the batch, under group
// commit (Tx.atEnd) — so that the full-text tables take the documents of
// a batch in one run and flush them once, at the commit.
func (db *core) indexSearchDoc(ctx context.Context, tx *Tx, kind xinfang.SearchKind, id int64, text string) error {
	tx.atEnd(endText, func() error { return db.writeSearchDoc(ctx, tx, kind, id, text) })
	return nil
}

func (db *core) writeSearchDoc(ctx context.Context, tx *Tx, kind xinfang.SearchKind, id int64, text string) error {
	text = searchFold(text)
	var docID int64
	err := tx.queryRow(ctx, `INSERT INTO search_docs (kind, ref_id, text) VALUES (?, ?, ?)
		ON CONFLICT (kind, ref_id) DO UPDATE SET text = excluded.text RETURNING id`, kind, id, text).Scan(&docID)
	if err != nil || db.Postgres() {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM search_bigrams WHERE rowid = ?`, docID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO search_bigrams (rowid, grams) VALUES (?, ?)`, docID, bigramText(text))
	return err
}

// wordRune reports whether r goes into bigrams: letters and digits.
func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// bigramText returns the distinct bigrams of letters and digits of a
// folded text, space-separated: the tokens of search_bigrams.
func bigramText(text string) string {
	rs := []rune(text)
	seen := map[[2]rune]bool{}
	var b strings.Builder
	for i := 0; i+1 < len(rs); i++ {
		k := [2]rune{rs[i], rs[i+1]}
		if !wordRune(k[0]) || !wordRune(k[1]) || seen[k] {
			continue
		}
		seen[k] = true
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(k[0])
		b.WriteRune(k[1])
	}
	return b.String()
}

// searchTerms splits a query into its distinct folded terms.
func searchTerms(q string) ([]string, error) {
	var out []string
	for _, t := range strings.Fields(searchFold(q)) {
		dup := false
		for _, o := range out {
			dup = dup || o == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	switch {
	case len(out) == 0:
		return nil, xinfang.FieldError("q", "请输入检索词")
	case len(out) > 8:
		return nil, xinfang.FieldError("q", "检索词不超过 8 个")
	}
	for _, t := range out {
		if utf8.RuneCountInString(t) > 100 {
			return nil, xinfang.FieldError("q", "检索词过长")
		}
	}
	return out, nil
}

// ftsTerms splits the terms of a search for SQLite's full-text tables:
// the quoted terms of three or more characters for the trigram table, the
// quoted two-character words for the bigram table, and the terms neither
// table holds whole, which the caller checks on the document with instr().
func ftsTerms(terms []string) (tri, bi []string, checks []any) {
	for _, t := range terms {
		rs := []rune(t)
		switch {
		case len(rs) >= 3:
			tri = append(tri, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
			continue
		case len(rs) == 2 && wordRune(rs[0]) && wordRune(rs[1]):
			bi = append(bi, `"`+t+`"`)
		}
		checks = append(checks, t)
	}
	return tri, bi, checks
}

// searchMatch returns the condition on search_docs d that its text
// contains every term, and the expression to filter d by kind with: on
// SQLite "+d.kind" when an FTS table drives the search, so that the
// planner reads the matches by rowid instead of every document of the kind.
func (db *core) searchMatch(terms []string) (cond string, args []any, kind string) {
	if db.Postgres() {
		cond, args := db.containsTerms("d.text", terms)
		return cond, args, "d.kind"
	}
	var conds []string
	tri, bi, checks := ftsTerms(terms)
	for range checks {
		conds = append(conds, `instr(d.text, ?) > 0`)
	}
	var fts []string
	if len(tri) > 0 {
		fts = append(fts, `d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)`)
		args = append(args, strings.Join(tri, " "))
	}
	if len(bi) > 0 {
		fts = append(fts, `d.id IN (SELECT rowid FROM search_bigrams WHERE search_bigrams MATCH ?)`)
		args = append(args, strings.Join(bi, " "))
	}
	kind = "d.kind"
	if len(fts) > 0 {
		kind = "+d.kind"
	}
	return strings.Join(append(fts, conds...), " AND "), append(args, checks...), kind
}

// SearchCandidates bounds the work of a search of petitions and of the
// ledger's text filter: they read the newest SearchCandidates documents
// that contain every term, not every match. A common word matches a tenth
// of a large ledger; reading, scoping and sorting all of its matches cost
// seconds, and nobody reads past the first pages. A search that stops
// there says so (capped).
const SearchCandidates = 1000

// candidateLimit is SearchCandidates, or the lower bound a test set.
func (db *core) candidateLimit() int {
	if db.searchCandidates > 0 {
		return db.searchCandidates
	}
	return SearchCandidates
}

// petitionCandidates returns the ids of the petitions whose search
// documents contain every term: the newest SearchCandidates documents, in
// no particular order, and whether more match (capped). The full-text
// index drives the query in the order of the documents' ids, newest first,
// so that it stops after SearchCandidates+1 matches however common the
// terms are; the data scope is applied by the caller.
func (db *core) petitionCandidates(ctx context.Context, terms []string) (ids []int64, capped bool, err error) {
	// A term that is an item's number (编号) finds it by the numbers'
	// index: its trigrams ("-20", "202", digits) are in every document,
	// and intersecting their lists would cost more than any other search.
	for _, t := range terms {
		if !numberLike.MatchString(t) {
			continue
		}
		var id int64
		err := db.queryRow(ctx, `SELECT id FROM petitions WHERE number IN (?, ?)`, t, strings.ToUpper(t)).Scan(&id)
		if err != nil {
			if xinfang.ErrorCode(db.wrap(err)) == xinfang.ENOTFOUND {
				return nil, false, nil
			}
			return nil, false, err
		}
		// The other terms must be in its document too: checked on the
		// one document, not through the full-text index.
		cond, args := db.containsTerms("d.text", terms)
		ids, err := db.ids(ctx, `SELECT d.ref_id FROM `+petitionSearchDocs+` d WHERE d.ref_id = ? AND `+cond, append([]any{id}, args...)...)
		return ids, false, err
	}
	// The queued petitions first, then the index: a petition the indexer
	// moves from one to the other in between is found in the second.
	ids, err = db.pendingSearch(ctx, terms)
	if err != nil {
		return nil, false, err
	}
	q, args := db.candidateSQL(terms)
	limit := db.candidateLimit()
	indexed, err := db.ids(ctx, q, append(args, limit+1)...)
	if err != nil {
		return nil, false, err
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		seen[id] = true
	}
	for _, id := range indexed {
		if !seen[id] {
			ids = append(ids, id)
		}
	}
	if len(ids) > limit {
		return ids[:limit], true, nil
	}
	return ids, false, nil
}

// petitionSearchDocs is the petitions' search documents, indexed or queued
// (index_queue.go), as a table of search_docs' columns: one statement
// reads both in one snapshot, and the indexer moves a document from the
// queue to search_docs in one transaction, so it is there exactly once.
const petitionSearchDocs = `(SELECT kind, ref_id, text FROM search_docs WHERE kind = 'petition'
	UNION ALL SELECT 'petition', petition_id, text FROM index_queue)`

// containsTerms is the condition that the folded text of column col
// contains every term: instr() on SQLite, LIKE on PostgreSQL.
func (db *core) containsTerms(col string, terms []string) (string, []any) {
	conds := make([]string, len(terms))
	args := make([]any, len(terms))
	for i, t := range terms {
		if db.Postgres() {
			conds[i], args[i] = col+` LIKE ? ESCAPE '\'`, "%"+escapeLike(t)+"%"
		} else {
			conds[i], args[i] = `instr(`+col+`, ?) > 0`, t
		}
	}
	return strings.Join(conds, " AND "), args
}

// numberLike matches a folded item number: the unit's code, the year and
// the sequence, as RegisterPetition writes it.
var numberLike = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*-[0-9]{4}-[0-9]{6,}$`)

// candidateSQL is the query of petitionCandidates, its LIMIT left as the
// last argument.
func (db *core) candidateSQL(terms []string) (string, []any) {
	kind := string(xinfang.SearchPetition)
	if db.Postgres() {
		// pg_trgm's index finds the rows of a rare term; for a common
		// one the planner walks the primary key backwards and stops
		// at the limit.
		cond, args, _ := db.searchMatch(terms)
		return `SELECT d.ref_id FROM search_docs d WHERE d.kind = ? AND ` + cond + ` ORDER BY d.id DESC LIMIT ?`, append([]any{kind}, args...)
	}
	// One FTS table drives (the trigrams of the terms of three or more
	// characters, else the bigrams of the two-character words); every
	// term is checked again with instr() on the document, which also
	// covers the terms the driving table does not hold. CROSS JOIN keeps
	// the FTS table outermost, and FTS5 returns its rows by rowid
	// descending without sorting them.
	tri, bi, checks := ftsTerms(terms)
	check := strings.Repeat(` AND instr(d.text, ?) > 0`, len(checks))
	switch {
	case len(tri) > 0:
		return `SELECT d.ref_id FROM search_fts f CROSS JOIN search_docs d WHERE f.search_fts MATCH ? AND d.id = f.rowid AND d.kind = ?` + check +
			` ORDER BY f.rowid DESC LIMIT ?`, append([]any{strings.Join(tri, " "), kind}, checks...)
	case len(bi) > 0:
		return `SELECT d.ref_id FROM search_bigrams f CROSS JOIN search_docs d WHERE f.search_bigrams MATCH ? AND d.id = f.rowid AND d.kind = ?` + check +
			` ORDER BY f.rowid DESC LIMIT ?`, append([]any{strings.Join(bi, " "), kind}, checks...)
	}
	// Single characters only: no index helps; the newest documents are
	// read until enough contain them.
	return `SELECT d.ref_id FROM search_docs d WHERE d.kind = ?` + check + ` ORDER BY d.id DESC LIMIT ?`, append([]any{kind}, checks...)
}

// petitionTextClause is the condition on petitions p that their search
// document contains every term of q: the text filter of the ledger. It
// holds the candidates of petitionCandidates; capped says that more
// petitions match than it holds.
func (db *core) petitionTextClause(ctx context.Context, q string) (clause string, args []any, capped bool, err error) {
	terms, err := searchTerms(q)
	if err != nil {
		return "", nil, false, err
	}
	ids, capped, err := db.petitionCandidates(ctx, terms)
	if err != nil {
		return "", nil, false, err
	}
	if len(ids) == 0 {
		return none, nil, false, nil
	}
	return `p.id IN (` + placeholders(len(ids)) + `)`, idArgs(ids), capped, nil
}

// SearchPetitions returns the petitions in scope whose number, petitioner
// names, 概况 or 投诉内容 contain every term of q, newest first, and their
// count. When the terms match more than SearchCandidates documents, only
// the newest of them are read, and capped says that there are more.
func (db *SearchStore) SearchPetitions(ctx context.Context, q string, limit, offset int) ([]*xinfang.Petition, int, bool, error) {
	ids, total, capped, err := db.searchPetitionIDs(ctx, q, limit, offset)
	if err != nil || len(ids) == 0 {
		return []*xinfang.Petition{}, total, capped, err
	}
	byID, err := db.petitionsByID(ctx, ids, "1 = 1", nil)
	if err != nil {
		return nil, 0, false, err
	}
	return inOrder(ids, byID), total, capped, nil
}

// searchPetitionIDs returns one page of the ids of the petitions in scope
// matching q, newest first, with their count and whether it is capped.
func (db *SearchStore) searchPetitionIDs(ctx context.Context, q string, limit, offset int) ([]int64, int, bool, error) {
	scope, args, err := petitionScope(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	terms, err := searchTerms(q)
	if err != nil {
		return nil, 0, false, err
	}
	if limit, err = pageLimit(limit, offset); err != nil {
		return nil, 0, false, err
	}
	cands, capped, err := db.petitionCandidates(ctx, terms)
	if err != nil || len(cands) == 0 {
		return nil, 0, false, err
	}
	// The candidates in scope, in the order of the list: few enough to
	// count and sort them all, and page in Go.
	inScope, err := db.ids(ctx, `SELECT p.id FROM petitions p WHERE p.id IN (`+placeholders(len(cands))+`) AND `+scope+
		` ORDER BY p.received_at DESC, p.id DESC`, append(idArgs(cands), args...)...)
	if err != nil {
		return nil, 0, false, err
	}
	if xinfang.OutsideReader(xinfang.UserFromContext(ctx)) && len(inScope) > 0 {
		// An expert or an observer finds an item by what he reads of it,
		// not by the names he does not see.
		texts, err := db.outsideTexts(ctx, inScope)
		if err != nil {
			return nil, 0, false, err
		}
		inScope = slices.DeleteFunc(inScope, func(id int64) bool {
			t, stripped := texts[id]
			return stripped && !containsAll(t, terms)
		})
	}
	if offset >= len(inScope) {
		return nil, len(inScope), capped, nil
	}
	return inScope[offset:min(offset+limit, len(inScope))], len(inScope), capped, nil
}

// SearchDocs returns the records of kind in the user's scope whose text
// contains every term of q, in the kind's order, with a snippet around the
// first term, and their count. Petitions are searched as SearchPetitions
// does; the count of other kinds stops at MaxCount+1. capped says that more
// records match than were counted.
func (db *SearchStore) SearchDocs(ctx context.Context, kind xinfang.SearchKind, q string, limit, offset int) ([]xinfang.SearchHit, int, bool, error) {
	k, ok := searchKinds[kind]
	if !ok {
		return nil, 0, false, xinfang.FieldError("kind", "未知的检索类型")
	}
	terms, err := searchTerms(q)
	if err != nil {
		return nil, 0, false, err
	}
	scope, sargs, err := k.scope(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	if limit, err = pageLimit(limit, offset); err != nil {
		return nil, 0, false, err
	}
	scan := func(rows *sqlRows, err error) ([]xinfang.SearchHit, error) {
		return scanAll(rows, err, func(r scanner) (xinfang.SearchHit, error) {
			h := xinfang.SearchHit{Kind: kind}
			var text string
			err := r.Scan(&h.ID, &h.Title, &text)
			h.Snippet = snippet(text, terms[0])
			return h, err
		})
	}
	if kind == xinfang.SearchPetition {
		ids, total, capped, err := db.searchPetitionIDs(ctx, q, limit, offset)
		if err != nil || len(ids) == 0 {
			return []xinfang.SearchHit{}, total, capped, err
		}
		rows, err := db.query(ctx, `SELECT d.ref_id, `+k.title+`, d.text FROM `+petitionSearchDocs+` d `+k.join+` WHERE d.ref_id IN (`+placeholders(len(ids))+`)`,
			idArgs(ids)...)
		hits, err := scan(rows, err)
		if err != nil {
			return nil, 0, false, err
		}
		var texts map[int64]string
		if xinfang.OutsideReader(xinfang.UserFromContext(ctx)) {
			if texts, err = db.outsideTexts(ctx, ids); err != nil {
				return nil, 0, false, err
			}
		}
		byID := map[int64]xinfang.SearchHit{}
		for _, h := range hits {
			if t, stripped := texts[h.ID]; stripped {
				h.Snippet = snippet(t, terms[0])
			}
			byID[h.ID] = h
		}
		out := make([]xinfang.SearchHit, 0, len(ids))
		for _, id := range ids {
			if h, ok := byID[id]; ok {
				out = append(out, h)
			}
		}
		return out, total, capped, nil
	}
	cond, args, kexpr := db.searchMatch(terms)
	from := ` FROM search_docs d ` + k.join + ` WHERE ` + kexpr + ` = ? AND ` + cond + ` AND ` + scope
	args = append(append([]any{kind}, args...), sargs...)
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+from+` LIMIT ?) c`, append(append([]any(nil), args...), xinfang.MaxCount+1)...).Scan(&total); err != nil {
		return nil, 0, false, err
	}
	capped := total > xinfang.MaxCount
	if capped {
		total = xinfang.MaxCount
	}
	rows, err := db.query(ctx, `SELECT d.ref_id, `+k.title+`, d.text`+from+` ORDER BY `+k.order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	out, err := scan(rows, err)
	if err != nil {
		return nil, 0, false, err
	}
	return out, total, capped, nil
}

// outsideTexts returns, of the petitions ids in the acting outside
// reader's scope, the searchable text of those he reads without their
// petitioners' identity (stripForReader), as he reads them.
func (db *SearchStore) outsideTexts(ctx context.Context, ids []int64) (map[int64]string, error) {
	identity, err := db.identityRead(ctx, db.pool(), ids)
	if err != nil {
		return nil, err
	}
	var stripped []int64
	for _, id := range ids {
		if !identity[id] {
			stripped = append(stripped, id)
		}
	}
	out := map[int64]string{}
	if len(stripped) == 0 {
		return out, nil
	}
	byID, err := db.petitionsByID(ctx, stripped, "1 = 1", nil)
	if err != nil {
		return nil, err
	}
	for id, p := range byID {
		out[id] = petitionSearchText(p)
	}
	return out, nil
}

// containsAll reports whether the folded text holds every term.
func containsAll(text string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

// snippet returns the text around the first occurrence of term.
func snippet(text, term string) string {
	const before, after = 20, 60
	i := strings.Index(text, term)
	if i < 0 {
		i = 0
	}
	start := i
	for n := 0; n < before && start > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:start])
		start -= size
	}
	end := i + len(term)
	for n := 0; n < after && end < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	s := text[start:end]
	if start > 0 {
		s = "…" + s
	}
	if end < len(text) {
		s += "…"
	}
	return s
}

// SearchTrigramsCJK reports whether the database's full-text index sees
// Chinese characters: always on SQLite (FTS5's trigram tokenizer takes
// every character); on PostgreSQL only when pg_trgm counts CJK as word
// characters under the database's ctype (C.UTF-8 or a zh_CN locale do;
// C does not, and then a search still finds the same rows, by reading
// every document).
func (db *SearchStore) SearchTrigramsCJK(ctx context.Context) (bool, error) {
	if !db.Postgres() {
		return true, nil
	}
	var n int
	err := db.queryRow(ctx, `SELECT COALESCE(array_length(show_trgm('征地拆迁补偿'), 1), 0)`).Scan(&n)
	return n > 0, err
}

// SearchKinds lists the kinds SearchDocs knows, with their Chinese labels.
func (db *SearchStore) Kinds() []xinfang.Label {
	var out []xinfang.Label
	for _, l := range xinfang.SearchKinds {
		if _, ok := searchKinds[xinfang.SearchKind(l.Code)]; ok {
			out = append(out, l)
		}
	}
	return out
}
