package sqldb

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/similar"
)

// Repeat detection (重复信访) in storage: each petition's fingerprint is
// written when it is registered and an inverted index of its telling
// bigrams soon after, by the indexer (index_queue.go); FindRepeatCandidates gathers candidates from
// three cheap sources and lets similar.Rank score and explain them.
//
//	(a) the same petitioner: ID number, phone or credit code of any of the
//	    petitioners, at any time;
//	(b) the same 问题属地 (or one containing the other) and 内容分类 within
//	    RepeatWindow;
//	(c) petitions sharing the rarer bigrams of the text within RepeatWindow,
//	    read from petition_grams and the index queue.

// RepeatWindow is how far apart in time two petitions of the same place
// and kind, or of similar text, are still shown as candidates.
const RepeatWindow = 365 * 24 * time.Hour

// Limits of the candidate sources: enough for Rank to choose from, few
// enough to stay within milliseconds at 100,000 petitions.
const (
	repeatByPerson   = 30
	repeatByLocality = 50
	repeatByText     = 60
	// gramsPerPetition caps the grams indexed for one petition. A
	// fingerprint is sorted and its class lives in the top bits, so the
	// first values are the content grams (class 0), then class 1.
	gramsPerPetition = 256
	// A lookup reads grams rarest first until their postings would pass
	// gramBudget, and never a gram carried by more than gramMaxDF
	// petitions: such a gram says little and costs much.
	gramBudget = 4000
	gramMaxDF  = 2500
	gramMaxUse = 96
)

// localityCode is what similar compares as 问题属地: the unit's 行政区划代码
// when it has one, else its path, whose prefixes still say "contains".
func localityCode(u *xinfang.Unit) string {
	if u == nil {
		return ""
	}
	if u.RegionCode != "" {
		return u.RegionCode
	}
	return u.Path
}

// FindRepeatCandidatesOf returns the candidates for an existing petition
// in scope: itself left out, candidates dismissed for it left out, the
// one it is linked to marked.
func (db *RepeatStore) FindRepeatCandidatesOf(ctx context.Context, id int64, limit int) ([]xinfang.RepeatCandidate, error) {
	p, err := db.findPetition(ctx, db.pool(), id)
	if err != nil {
		return nil, err
	}
	if p.CoPetitioners, err = db.coPetitioners(ctx, db.pool(), p); err != nil {
		return nil, err
	}
	return db.FindRepeatCandidates(ctx, p, limit)
}

// FindRepeatCandidates returns the petitions in the user's data scope that
// may be repeats of p, best first, at most limit (1–50, default 20). p is a
// registered petition (ID set: itself and its dismissed candidates are left
// out) or a draft being registered (ID 0), of which it reads the
// petitioners, LocalityID, Category, Summary, Content and ReceivedAt (zero
// means now).
func (db *RepeatStore) FindRepeatCandidates(ctx context.Context, p *xinfang.Petition, limit int) ([]xinfang.RepeatCandidate, error) {
	scope, sargs, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	received := p.ReceivedAt
	if received.IsZero() {
		received = db.Now()
	}
	var loc *xinfang.Unit
	if p.LocalityID != 0 {
		if loc, err = db.findUnit(ctx, p.LocalityID); err != nil {
			return nil, db.notFoundField(err, "locality_id", "问题属地单位不存在")
		}
	}
	petitioners := append([]*xinfang.Petitioner{p.Petitioner}, p.CoPetitioners...)
	newP := similar.Petition{
		ID:             p.ID,
		PetitionerKeys: db.personKeys(petitioners),
		LocalityCode:   localityCode(loc),
		Category:       p.Category,
		ReceivedAt:     received,
		Summary:        p.Summary,
		Content:        p.Content,
	}
	newP.Fingerprint = similar.PetitionFingerprint(newP)

	ids := map[int64]bool{}
	add := func(list []int64) {
		for _, id := range list {
			if id != p.ID {
				ids[id] = true
			}
		}
	}
	// (a) the same petitioner.
	byPerson, err := db.candidatesByPerson(ctx, petitioners, scope, sargs)
	if err != nil {
		return nil, err
	}
	add(byPerson)
	from, to := received.Add(-RepeatWindow), received.Add(RepeatWindow)
	// (b) the same place and kind of matter.
	if loc != nil && p.Category != "" {
		byPlace, err := db.candidatesByLocality(ctx, loc, p.Category, from, to, scope, sargs)
		if err != nil {
			return nil, err
		}
		add(byPlace)
	}
	// (c) similar text.
	corpus := &similar.Corpus{DF: map[uint32]int{}}
	byText, err := db.candidatesByText(ctx, newP.Fingerprint, fpDay(from), fpDay(to), p.ID, corpus)
	if err != nil {
		return nil, err
	}
	add(byText)

	var dismissed map[int64]bool
	if p.ID != 0 {
		if dismissed, err = db.dismissed(ctx, p.ID); err != nil {
			return nil, err
		}
		for id := range dismissed {
			delete(ids, id)
		}
	}
	if len(ids) == 0 {
		return []xinfang.RepeatCandidate{}, nil
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	slices.Sort(list)
	// A candidate's petitioners matter to Rank only by the keys it shares
	// with p, which sharedKeys reads once for all; past its cap they are
	// read with each candidate.
	shared, whole, err := db.sharedKeys(ctx, petitioners)
	if err != nil {
		return nil, err
	}
	if !whole {
		shared = nil
	}
	earlier, err := db.similarPetitions(ctx, list, scope, sargs, shared)
	if err != nil {
		return nil, err
	}
	ranked := similar.Rank(newP, earlier, similar.Options{Window: RepeatWindow, Limit: limit, Corpus: corpus})
	if len(ranked) == 0 {
		return []xinfang.RepeatCandidate{}, nil
	}
	show := make([]int64, len(ranked))
	for i, c := range ranked {
		show[i] = c.ID
	}
	byID, err := db.petitionsByID(ctx, show, scope, sargs)
	if err != nil {
		return nil, err
	}
	out := make([]xinfang.RepeatCandidate, 0, len(ranked))
	for _, c := range ranked {
		cp := byID[c.ID]
		if cp == nil {
			continue
		}
		out = append(out, xinfang.RepeatCandidate{Petition: cp, Score: c.Score, Repeat: c.IsRepeat(), Reasons: c.Reasons,
			Linked: p.ID != 0 && p.RepeatOfID == c.ID})
	}
	return out, nil
}

// sharedKeysCap bounds the petitions read for sharing a petitioner key
// with the one checked: past it (a petitioner of thousands of items), the
// candidates' keys are read with each candidate instead.
const sharedKeysCap = 2000

// sharedKeys returns the petitions, in any scope, of which a petitioner has
// the same ID number, phone or credit code as one of ps, each with the keys
// in common (as similar.Petition's PetitionerKeys), and whether the list is
// whole (false past sharedKeysCap). One query per kind of key, so that each
// uses its partial index.
func (db *RepeatStore) sharedKeys(ctx context.Context, ps []*xinfang.Petitioner) (map[int64][]string, bool, error) {
	mine := db.identities(ps)
	limit := sharedKeysCap
	if db.sharedKeysLimit > 0 {
		limit = db.sharedKeysLimit
	}
	out := map[int64][]string{}
	rows := 0
	for _, k := range identityKinds {
		vals := identityValues(mine, k.col)
		if len(vals) == 0 {
			continue
		}
		rs, err := db.query(ctx, `SELECT pp.petition_id, x.`+k.col+` FROM petitioners x JOIN petition_petitioners pp ON pp.petitioner_id = x.id
			WHERE x.`+k.col+` <> '' AND x.`+k.col+` IN (`+placeholders(len(vals))+`) LIMIT ?`, append(vals, limit+1)...)
		err = eachRow(rs, err, func(r scanner) error {
			var id int64
			var v string
			if err := r.Scan(&id, &v); err != nil {
				return err
			}
			rows++
			if key := k.kind + ":" + v; !slices.Contains(out[id], key) {
				out[id] = append(out[id], key)
			}
			return nil
		})
		if err != nil {
			return nil, false, err
		}
	}
	return out, rows <= limit, nil
}

// candidatesByPerson returns recent petitions in scope of any petitioner
// with the same ID number, phone or credit code. One query per kind of
// key, so that each uses its partial index.
func (db *RepeatStore) candidatesByPerson(ctx context.Context, ps []*xinfang.Petitioner, scope string, sargs []any) ([]int64, error) {
	var parts []string
	var args []any
	for _, k := range identityKinds {
		vals := identityValues(db.identities(ps), k.col)
		if len(vals) == 0 {
			continue
		}
		parts = append(parts, `SELECT pp.petition_id FROM petition_petitioners pp JOIN petitioners x ON x.id = pp.petitioner_id
			WHERE x.`+k.col+` <> '' AND x.`+k.col+` IN (`+placeholders(len(vals))+`)`)
		args = append(args, vals...)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	args = append(args, sargs...)
	args = append(args, repeatByPerson)
	return db.ids(ctx, `SELECT p.id FROM petitions p WHERE p.id IN (`+strings.Join(parts, " UNION ")+`) AND `+scope+
		` ORDER BY p.received_at DESC, p.id DESC LIMIT ?`, args...)
}

// identityKinds are the kinds of petitioner key, with their column in
// petitioners and their kind in similar.Petition's PetitionerKeys.
var identityKinds = []struct{ col, kind string }{{"id_index", similar.KeyIDNumber}, {"phone_index", similar.KeyPhone}, {"org_code", similar.KeyOrgCode}}

// identities are the identities of petitioners ps, nil ones left out.
func (db *core) identities(ps []*xinfang.Petitioner) []identity {
	var out []identity
	for _, p := range ps {
		if p != nil {
			out = append(out, db.identityOf(p))
		}
	}
	return out
}

// identityValues are the distinct values of column col of identities.
func identityValues(ids []identity, col string) []any {
	var vals []any
	for _, i := range ids {
		if v := map[string]string{"id_index": i.id, "phone_index": i.phone, "org_code": i.org}[col]; v != "" && !slices.Contains(vals, any(v)) {
			vals = append(vals, v)
		}
	}
	return vals
}

// candidatesByLocality returns recent petitions in scope within the window
// whose 问题属地 is loc, below it or above it (not the root: a city-wide
// locality says nothing), and whose 内容分类 is category or a prefix of it.
func (db *RepeatStore) candidatesByLocality(ctx context.Context, loc *xinfang.Unit, category string, from, to time.Time, scope string, sargs []any) ([]int64, error) {
	// The units are resolved first, so that the petitions are read
	// through petitions_locality (locality_id, category, received_at).
	below, bargs := subtree(loc.Path, "path")
	units, err := db.ids(ctx, `SELECT id FROM units WHERE `+below, bargs...)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(strings.Trim(loc.Path, "/"), "/")
	for i, s := range parts {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && i > 0 && i < len(parts)-1 {
			units = append(units, id)
		}
	}
	if len(units) > 200 {
		// A locality high up the tree (a county with its villages) says
		// little about the matter; its own items and the nearest do.
		units = units[:200]
	}
	var args []any
	for _, id := range units {
		args = append(args, id)
	}
	catClause := "p.category IN (?, ?)"
	args = append(args, category, category[:min(2, len(category))])
	if len(category) <= 2 {
		// A top-level code matches every code below it.
		catClause = `(p.category = ? OR p.category LIKE ? ESCAPE '\')`
		args[len(args)-1] = escapeLike(category) + "%"
	}
	args = append(args, fmtTime(from), fmtTime(to))
	args = append(args, sargs...)
	args = append(args, repeatByLocality)
	return db.ids(ctx, `SELECT p.id FROM petitions p WHERE p.locality_id IN (`+placeholders(len(units))+`) AND `+catClause+`
		AND p.received_at >= ? AND p.received_at <= ? AND `+scope+` ORDER BY p.received_at DESC, p.id DESC LIMIT ?`, args...)
}

// candidatesByText returns the petitions within the days [from, to] that
// share the most telling grams with fp. Grams are read rarest first and
// within a budget of postings (gram_stats), so a lookup costs about the
// same however large the table grows. The petitions still in the index
// queue are scored the same way in Go, their grams counted with the
// others. The data scope is applied when the candidates are read.
func (db *RepeatStore) candidatesByText(ctx context.Context, fp []uint32, from, to, self int64, corpus *similar.Corpus) ([]int64, error) {
	grams := indexGrams(fp)
	if len(grams) == 0 {
		return nil, nil
	}
	// The queue first, then the index (petitionCandidates says why).
	pending, err := db.pendingGrams(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[int64]int{}
	for _, d := range pending {
		for _, g := range d.grams {
			counts[int64(g)]++
		}
	}
	args := make([]any, len(grams))
	for i, g := range grams {
		args[i] = int64(g)
	}
	rows, err := db.query(ctx, `SELECT gram, n FROM gram_stats WHERE gram IN (`+placeholders(len(grams))+`)`, args...)
	err = eachRow(rows, err, func(r scanner) error {
		var g int64
		var n int
		err := r.Scan(&g, &n)
		counts[g] += n
		return err
	})
	if err != nil {
		return nil, err
	}
	// The counts are also the corpus statistics Rank weighs the grams by.
	// A registration writes its fingerprint before it is indexed, so the
	// fingerprints count the queued petitions already.
	if err := db.pool().QueryRowContext(ctx, `SELECT COALESCE(MAX(petition_id), 0) FROM petition_fingerprints`).Scan(&corpus.Docs); err != nil {
		return nil, err
	}
	for g, n := range counts {
		corpus.DF[uint32(g)] = n
	}
	type df struct {
		gram int64
		n    int
	}
	var dfs []df
	for _, g := range grams {
		if n := counts[int64(g)]; n > 0 && n <= gramMaxDF {
			dfs = append(dfs, df{int64(g), n})
		}
	}
	slices.SortFunc(dfs, func(a, b df) int { return a.n - b.n })
	use := map[int64]bool{}
	var useArgs []any
	total := 0
	for _, d := range dfs {
		if len(useArgs) == gramMaxUse || (total+d.n > gramBudget && len(useArgs) > 0) {
			break
		}
		use[d.gram] = true
		useArgs = append(useArgs, d.gram)
		total += d.n
	}
	if len(useArgs) == 0 {
		return nil, nil
	}
	// Content grams (class 0, below 1<<30) weigh twice the others.
	weight := func(g int64) int {
		if g < 1<<30 {
			return 2
		}
		return 1
	}
	type hit struct {
		id    int64
		score int
	}
	var hits []hit
	seen := map[int64]bool{}
	for _, d := range pending {
		if d.id == self || d.day < from || d.day > to {
			continue
		}
		score := 0
		for _, g := range d.grams {
			if use[int64(g)] {
				score += weight(int64(g))
			}
		}
		if score > 0 {
			hits, seen[d.id] = append(hits, hit{d.id, score}), true
		}
	}
	rows, err = db.query(ctx, `SELECT petition_id, SUM(CASE WHEN gram < 1073741824 THEN 2 ELSE 1 END) FROM petition_grams
		WHERE gram IN (`+placeholders(len(useArgs))+`) AND day >= ? AND day <= ? AND petition_id <> ?
		GROUP BY petition_id ORDER BY 2 DESC, petition_id DESC LIMIT ?`, append(useArgs, from, to, self, repeatByText)...)
	err = eachRow(rows, err, func(r scanner) error {
		var h hit
		err := r.Scan(&h.id, &h.score)
		if !seen[h.id] {
			hits = append(hits, h)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.score != b.score {
			return b.score - a.score
		}
		return cmp.Compare(b.id, a.id)
	})
	out := make([]int64, 0, min(len(hits), repeatByText))
	for _, h := range hits[:min(len(hits), repeatByText)] {
		out = append(out, h.id)
	}
	return out, nil
}

// ids runs a query of one column of ids.
func (db *core) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := db.query(ctx, q, args...)
	return scanAll(rows, err, scanID)
}

// dismissed returns the candidates whose latest decision for petition id
// is a dismissal.
func (db *RepeatStore) dismissed(ctx context.Context, id int64) (map[int64]bool, error) {
	rows, err := db.query(ctx, `SELECT candidate_id, decision FROM repeat_decisions WHERE petition_id = ? ORDER BY id`, id)
	out := map[int64]bool{}
	err = eachRow(rows, err, func(r scanner) error {
		var c int64
		var d string
		err := r.Scan(&c, &d)
		out[c] = d == xinfang.RepeatDismiss
		return err
	})
	if err != nil {
		return nil, err
	}
	for c, d := range out {
		if !d {
			delete(out, c)
		}
	}
	return out, nil
}

// similarPetitions reads what similar.Rank needs of the petitions ids that
// lie in scope, with their stored fingerprints. The petitioner keys of a
// petition are shared[id] when shared is not nil (the keys it has in common
// with the petition it is compared with), else all of its petitioners'.
func (db *RepeatStore) similarPetitions(ctx context.Context, ids []int64, scope string, sargs []any, shared map[int64][]string) ([]similar.Petition, error) {
	// The text only of a petition whose stored index is of another
	// version: Rank reads the stored one's fingerprint and traits instead.
	text := func(col string) string {
		if db.rankFromText {
			return col
		}
		return "CASE WHEN f.version = " + strconv.Itoa(similar.FingerprintVersion) + " AND f.traits <> '' THEN '' ELSE " + col + " END"
	}
	rows, err := db.query(ctx, `SELECT p.id, p.category, p.received_at, `+text("p.summary")+`, `+text("p.content")+`,
		lu.region_code, lu.path, f.version, f.fp, COALESCE(f.traits, '')
		FROM petitions p JOIN units lu ON lu.id = p.locality_id
		LEFT JOIN petition_fingerprints f ON f.petition_id = p.id
		WHERE p.id IN (`+placeholders(len(ids))+`) AND `+scope, append(idArgs(ids), sargs...)...)
	out, err := scanAll(rows, err, func(r scanner) (similar.Petition, error) {
		var sp similar.Petition
		var received, region, path string
		var version *int64
		var raw []byte
		var traits string
		if err := r.Scan(&sp.ID, &sp.Category, &received, &sp.Summary, &sp.Content, &region, &path, &version, &raw, &traits); err != nil {
			return sp, err
		}
		sp.ReceivedAt = parseTime(received)
		sp.LocalityCode = localityCode(&xinfang.Unit{RegionCode: region, Path: path})
		// A fingerprint of another version, and its traits, are
		// recomputed by Rank.
		if version != nil && *version == similar.FingerprintVersion {
			sp.Fingerprint, sp.Traits = decodeFP(raw), traits
		}
		if db.rankFromText {
			sp.Traits = ""
		}
		sp.PetitionerKeys = shared[sp.ID]
		return sp, nil
	})
	if err != nil || len(out) == 0 || shared != nil {
		return out, err
	}
	found := make([]int64, len(out))
	for i, sp := range out {
		found[i] = sp.ID
	}
	keys, err := db.petitionerKeys(ctx, found)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].PetitionerKeys = keys[out[i].ID]
	}
	return out, nil
}

// petitionerKeys returns the identity keys of every petitioner (联名信访人
// too) of petitions ids.
func (db *RepeatStore) petitionerKeys(ctx context.Context, ids []int64) (map[int64][]string, error) {
	rows, err := db.query(ctx, `SELECT pp.petition_id, x.id_index, x.phone_index, x.org_code FROM petition_petitioners pp
		JOIN petitioners x ON x.id = pp.petitioner_id WHERE pp.petition_id IN (`+placeholders(len(ids))+`) ORDER BY pp.petition_id, x.id`, idArgs(ids)...)
	out := map[int64][]string{}
	err = eachRow(rows, err, func(r scanner) error {
		var pid int64
		var x identity
		if err := r.Scan(&pid, &x.id, &x.phone, &x.org); err != nil {
			return err
		}
		out[pid] = append(out[pid], x.keys()...)
		return nil
	})
	return out, err
}

// petitionsByID returns the petitions ids in scope, as lists show them.
func (db *core) petitionsByID(ctx context.Context, ids []int64, scope string, sargs []any) (map[int64]*xinfang.Petition, error) {
	page, _, err := db.petitionPage(ctx, `p.id IN (`+placeholders(len(ids))+`) AND `+scope, append(idArgs(ids), sargs...), "p.id", len(ids), 0)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*xinfang.Petition, len(page))
	for _, p := range page {
		out[p.ID] = p
	}
	return out, nil
}

// DecideRepeat records the registrar's decision about a candidate of
// petition id: link (the petition becomes a repeat of the candidate:
// repeat_flag and repeat_of_id set, version bumped) or dismiss (the
// candidate is not shown again for it). Both petitions must lie in scope;
// the candidate must have been received no later than the petition, and a
// link may not close a circle of repeats.
func (db *RepeatStore) DecideRepeat(ctx context.Context, id int64, in xinfang.RepeatDecisionInput) (*xinfang.RepeatDecision, error) {
	actor, err := allow(ctx, xinfang.CanRegister)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.CandidateID == id {
		return nil, xinfang.FieldError("candidate_id", "不能关联到自身")
	}
	scope, sargs, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	// The score and reasons recorded are those the registrar saw.
	pair, err := db.similarPetitions(ctx, []int64{id, in.CandidateID}, scope, sargs, nil)
	if err != nil {
		return nil, err
	}
	var self, cand *similar.Petition
	for i := range pair {
		switch pair[i].ID {
		case id:
			self = &pair[i]
		case in.CandidateID:
			cand = &pair[i]
		}
	}
	if self == nil {
		return nil, xinfang.Errorf(xinfang.ENOTFOUND, "信访件不存在或无权查看")
	}
	if cand == nil {
		return nil, xinfang.FieldError("candidate_id", "候选信访件不存在或无权查看")
	}
	d := &xinfang.RepeatDecision{PetitionID: id, CandidateID: in.CandidateID, Decision: in.Decision, UserID: actor.ID, UserName: actor.Name, Reasons: []string{}}
	if r := similar.Rank(*self, []similar.Petition{*cand}, similar.Options{Window: RepeatWindow, Threshold: 1e-9, Limit: 1}); len(r) == 1 {
		d.Score, d.Reasons = r[0].Score, r[0].Reasons
	}
	err = db.write(ctx, func(tx *Tx) error {
		p, err := db.findPetition(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && p.Version != in.Version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		c, err := db.findPetition(ctx, tx, in.CandidateID)
		if err != nil {
			return db.notFoundField(err, "candidate_id", "候选信访件不存在或无权查看")
		}
		d.At, d.Version = tx.now, p.Version
		switch in.Decision {
		case xinfang.RepeatLink:
			if c.ReceivedAt.After(p.ReceivedAt) {
				return xinfang.FieldError("candidate_id", "只能关联为更早收到的信访件的重复件")
			}
			if p.RepeatOfID == c.ID {
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "已关联为该信访件的重复件", Fields: map[string]string{"candidate_id": "已关联"}}
			}
			// Walk up from the candidate: reaching the petition would
			// make a circle, and the repeat tree must stay a tree.
			seen := map[int64]bool{}
			for up := c.RepeatOfID; up != 0 && !seen[up]; {
				if up == id {
					return xinfang.FieldError("candidate_id", "该候选件本身是本件的重复件，不能反向关联")
				}
				seen[up] = true
				var next *int64
				if err := tx.queryRow(ctx, `SELECT repeat_of_id FROM petitions WHERE id = ?`, up).Scan(&next); err != nil {
					return err
				}
				up = 0
				if next != nil {
					up = *next
				}
			}
			n, err := tx.change(ctx, `UPDATE petitions SET repeat_flag = 1, repeat_of_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
				c.ID, fmtTime(tx.now), id, p.Version)
			if err != nil {
				return err
			}
			if n != 1 {
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
			}
			d.Version = p.Version + 1
			if err := db.setRepeatRoot(ctx, tx, id); err != nil {
				return err
			}
			if !p.Repeat {
				if err := db.countRegistration(ctx, tx, p, 0, 1); err != nil {
					return err
				}
			}
		case xinfang.RepeatDismiss:
			if p.RepeatOfID == c.ID {
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "本件已关联为该信访件的重复件，不能再标为非重复", Fields: map[string]string{"candidate_id": "已关联"}}
			}
		}
		d.ID, err = tx.insert(ctx, `INSERT INTO repeat_decisions (petition_id, candidate_id, decision, user_id, user_name, at, score, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, c.ID, in.Decision, actor.ID, actor.Name, fmtTime(tx.now), d.Score, strings.Join(d.Reasons, "；"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// FindRepeatDecisions returns the decisions recorded for a petition in
// scope, newest first.
func (db *RepeatStore) FindRepeatDecisions(ctx context.Context, id int64) ([]xinfang.RepeatDecision, error) {
	if _, err := db.findPetition(ctx, db.pool(), id); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, petition_id, candidate_id, decision, user_id, user_name, at, score, reasons FROM repeat_decisions WHERE petition_id = ? ORDER BY id DESC`, id)
	return scanAll(rows, err, func(r scanner) (xinfang.RepeatDecision, error) {
		var d xinfang.RepeatDecision
		var at, reasons string
		err := r.Scan(&d.ID, &d.PetitionID, &d.CandidateID, &d.Decision, &d.UserID, &d.UserName, &at, &d.Score, &reasons)
		d.At = parseTime(at)
		d.Reasons = []string{}
		if reasons != "" {
			d.Reasons = strings.Split(reasons, "；")
		}
		return d, err
	})
}

// repeatTree is the SQL of the ids in the repeat tree under root ?: the
// root and every petition recorded as a repeat of one in the tree. UNION
// (not UNION ALL) stops on a circle, should one ever be written by hand.
const repeatTree = `WITH RECURSIVE tree(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT r.id FROM petitions r JOIN tree ON r.repeat_of_id = tree.id) SELECT id FROM tree`

// repeatRoot follows repeat_of_id up from id to the first petition of the
// matter.
func (db *RepeatStore) repeatRoot(ctx context.Context, id int64) (int64, error) {
	seen := map[int64]bool{}
	for cur := id; ; {
		seen[cur] = true
		var up *int64
		if err := db.queryRow(ctx, `SELECT repeat_of_id FROM petitions WHERE id = ?`, cur).Scan(&up); err != nil {
			return 0, db.notFound(err, "信访件不存在或无权查看")
		}
		if up == nil || seen[*up] {
			return cur, nil
		}
		cur = *up
	}
}

// matterOf returns a petition in scope, the root of its repeat tree (the
// first petition of its matter) and the petition scope to read the tree in.
func (db *RepeatStore) matterOf(ctx context.Context, id int64) (p *xinfang.Petition, root int64, scope string, sargs []any, err error) {
	if p, err = db.findPetition(ctx, db.pool(), id); err != nil {
		return nil, 0, "", nil, err
	}
	if scope, sargs, err = petitionScope(ctx); err != nil {
		return nil, 0, "", nil, err
	}
	if root, err = db.repeatRoot(ctx, id); err != nil {
		return nil, 0, "", nil, err
	}
	return p, root, scope, sargs, nil
}

// FindRepeatCounts returns the repeat figures of a petition in scope: the
// petitions of its matter and of its main petitioner, counted within scope.
func (db *RepeatStore) FindRepeatCounts(ctx context.Context, id int64) (*xinfang.RepeatCounts, error) {
	p, root, scope, sargs, err := db.matterOf(ctx, id)
	if err != nil {
		return nil, err
	}
	c := &xinfang.RepeatCounts{RootID: root}
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM petitions p WHERE p.id IN (`+repeatTree+`) AND `+scope, append([]any{root}, sargs...)...).Scan(&c.Matter); err != nil {
		return nil, err
	}
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM petitions p WHERE p.id IN (`+personPetitions+`) AND `+scope,
		append([]any{p.Petitioner.ID}, sargs...)...).Scan(&c.Petitioner); err != nil {
		return nil, err
	}
	return c, nil
}

// FindRepeatChain lists the petitions in scope of the matter of petition
// id (its repeat tree), earliest first.
func (db *RepeatStore) FindRepeatChain(ctx context.Context, id int64) ([]*xinfang.Petition, error) {
	_, root, scope, sargs, err := db.matterOf(ctx, id)
	if err != nil {
		return nil, err
	}
	page, _, err := db.petitionPage(ctx, `p.id IN (`+repeatTree+`) AND `+scope, append([]any{root}, sargs...), "p.received_at, p.id", 500, 0)
	return page, err
}
