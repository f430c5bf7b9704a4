package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"xinfang"
)

// The watch list's rows, kept (migration 0073): grouping every repeat,
// matter and handed-down chain on each request grows with the ledger —
// 0.6 s a page at 1,000,000 petitions — while the rows change only where
// a petitioner's or an original's items change. So each petitioner's
// repeat rows and each original's handed-down row are recomputed, from
// their few items, in the transaction that changes those items, and a
// page reads its rows and counts off watch_rows' indexes.
//
// Who sees an item differs among the list's readers (all of whom see the
// whole city) only for 检举控告 items, so the rows are kept per audience:
// '' for the items every reader sees, and each 纪检监察 body's path for
// its inspectors, who also see the 检举控告 items handled in its subtree.
// A reader who sees more than an audience does (a 检举控告 item the reader
// registered, handled elsewhere) gets the list grouped from the items, as
// does every reader until the rows are complete (watch_state: an upgrade,
// a bulk load) and a body not yet among the audiences.
//
// The rows are the grouping of watchSQL, computed in Go from the items
// (personRows, rootRows); TestWatchIndexAnswersAsTheWalk holds the list
// read from them to the list walked from every chain.

// watchFact is what the kept rows are computed from, of one petition.
type watchFact struct {
	id, repeatOf, root, person, locality int64
	category, channel, purpose           string
	handlingPath, received, escalation   string
	repeatFlag                           bool
}

const watchFactCols = `p.id, COALESCE(p.repeat_of_id, 0), COALESCE(p.repeat_root_id, 0), COALESCE(p.person_id, 0), COALESCE(p.locality_id, 0),
	p.category, p.channel, p.purpose, p.handling_path, p.received_at, p.escalation, p.repeat_flag`

func scanWatchFact(r scanner) (watchFact, error) {
	var f watchFact
	err := r.Scan(&f.id, &f.repeatOf, &f.root, &f.person, &f.locality, &f.category, &f.channel, &f.purpose, &f.handlingPath, &f.received, &f.escalation, &f.repeatFlag)
	return f, err
}

// visibleTo reports whether the readers of audience aud see the item:
// every item but a 检举控告 item, which only the body handling it sees.
func (f *watchFact) visibleTo(aud string) bool {
	return f.purpose != string(xinfang.PurposeAccusation) || aud != "" && strings.HasPrefix(f.handlingPath, aud)
}

// watchedEscalations are the escalations the list watches (赴省、进京), as
// watchedEscalation says in SQL.
var watchedEscalations = map[xinfang.Escalation]bool{xinfang.EscalationProvince: true, xinfang.EscalationBeijing: true}

// keptRow is a row of watch_rows.
type keptRow struct {
	audience     string
	kind         xinfang.WatchKind
	basis        string
	root, person int64
	locality     int64
	category     string
	n, handed    int
	latest       string
	first        int64
}

// sortKey is watchStub.key of the row's stub.
func (r *keptRow) sortKey() string {
	switch {
	case r.basis == xinfang.WatchByLocality:
		return stubKey(0, 0, 0, r.first)
	case r.kind == xinfang.WatchHandedDown:
		return stubKey(r.root, 0, 0, 0)
	}
	return stubKey(r.root, r.person, 0, 0)
}

// personRows are the rows of one petitioner, from all of its items, for
// each audience: per original of a repeat chain, the petitioner's repeats
// in it, WatchRepeatThreshold or more; then, for the matters (问题属地 and
// 内容分类) not covered so, the busiest year of one matter, of
// WatchRepeatThreshold+1 items or more; and the petitioner's escalated
// visits.
func personRows(facts []watchFact, audiences []string) []keptRow {
	facts = slices.Clone(facts)
	slices.SortFunc(facts, func(a, b watchFact) int { return cmp.Or(cmp.Compare(a.received, b.received), cmp.Compare(a.id, b.id)) })
	need := xinfang.WatchRepeatThreshold + 1
	// The matters of need items or more, whoever sees them.
	total := map[matter]int{}
	for _, f := range facts {
		total[matter{f.person, f.locality, f.category}]++
	}
	var out []keptRow
	for _, aud := range audiences {
		esc := keptRow{audience: aud, kind: xinfang.WatchEscalation, person: facts[0].person}
		for _, f := range facts {
			if watchedEscalations[xinfang.Escalation(f.escalation)] && f.visibleTo(aud) {
				esc.n++
				esc.latest = max(esc.latest, f.received)
			}
		}
		if esc.n > 0 {
			out = append(out, esc)
		}
		type group struct {
			n        int
			latest   string
			locality int64
			category string
		}
		groups := map[int64]*group{}
		var roots []int64
		for _, f := range facts {
			if f.root == 0 || !f.visibleTo(aud) {
				continue
			}
			g := groups[f.root]
			if g == nil {
				g = &group{locality: f.locality, category: f.category}
				groups[f.root] = g
				roots = append(roots, f.root)
			}
			g.n++
			g.latest = max(g.latest, f.received)
			g.locality, g.category = min(g.locality, f.locality), min(g.category, f.category)
		}
		covered := map[matter]bool{}
		for _, root := range roots {
			g := groups[root]
			if g.n < xinfang.WatchRepeatThreshold {
				continue
			}
			covered[matter{facts[0].person, g.locality, g.category}] = true
			out = append(out, keptRow{audience: aud, kind: xinfang.WatchRepeat, basis: xinfang.WatchByChain, root: root, person: facts[0].person,
				n: g.n, latest: g.latest})
		}
		byMatter := map[matter][]*watchItem{}
		received := map[int64]string{}
		var order []matter
		for _, f := range facts {
			m := matter{f.person, f.locality, f.category}
			if total[m] < need || covered[m] || !f.visibleTo(aud) {
				continue
			}
			if _, ok := byMatter[m]; !ok {
				order = append(order, m)
			}
			it := &watchItem{}
			it.ID, it.ReceivedAt = f.id, parseTime(f.received)
			received[f.id] = f.received
			byMatter[m] = append(byMatter[m], it)
		}
		for _, m := range order {
			win := busiestYear(byMatter[m])
			if len(win) < need {
				continue
			}
			out = append(out, keptRow{audience: aud, kind: xinfang.WatchRepeat, basis: xinfang.WatchByLocality, person: m.petitioner,
				locality: m.locality, category: m.category, n: len(win) - 1, latest: received[win[len(win)-1].ID], first: win[0].ID})
		}
	}
	return out
}

// rootRows is the handed-down row of the chain of original root, from its
// items (root and those whose repeat_root_id is root), for each audience:
// listed when the chain holds a handed-down item the audience sees that
// is a repeat or was repeated, with the repeats and handed-down items the
// audience sees in the chain.
func rootRows(root int64, chain []watchFact, audiences []string) []keptRow {
	repeated := map[int64]bool{}
	for _, f := range chain {
		if f.repeatOf != 0 {
			repeated[f.repeatOf] = true
		}
	}
	handedDown := func(f *watchFact) bool { return f.channel == string(xinfang.ChannelHandedDown) }
	var out []keptRow
	for _, aud := range audiences {
		listed := false
		for i := range chain {
			f := &chain[i]
			first := f.root
			if f.repeatOf == 0 {
				first = f.id
			}
			if first == root && f.visibleTo(aud) && handedDown(f) && (f.repeatFlag || repeated[f.id]) {
				listed = true
				break
			}
		}
		if !listed {
			continue
		}
		r := keptRow{audience: aud, kind: xinfang.WatchHandedDown, basis: xinfang.WatchByChain, root: root}
		for i := range chain {
			f := &chain[i]
			member := f.root == root || f.id == root && f.repeatOf == 0
			if !member || !f.visibleTo(aud) {
				continue
			}
			if f.root == root || f.repeatFlag {
				r.n++
			}
			if handedDown(f) {
				r.handed++
			}
			r.latest = max(r.latest, f.received)
		}
		if r.n > 0 && r.handed > 0 {
			out = append(out, r)
		}
	}
	return out
}

// watchAudiences returns the audiences of the kept rows, and whether the
// rows are complete, read once for all the writes of tx's transaction
// (group commit puts several in one). On PostgreSQL a write that keeps
// rows holds a shared lock until it commits, and a build an exclusive one
// (buildWatchRows), so that no write's rows are overwritten by a build
// that read its items before it committed.
func (db *core) watchAudiences(ctx context.Context, tx *Tx) ([]string, bool, error) {
	w := &tx.sh.watch
	if w.loaded {
		return w.audiences, w.built, nil
	}
	if _, ok := db.dialect.(postgres); ok {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock_shared(?)`, lockWatchRows); err != nil {
			return nil, false, err
		}
	}
	var built int
	var auds string
	if err := tx.queryRow(ctx, `SELECT built, audiences FROM watch_state WHERE id = 1`).Scan(&built, &auds); err != nil {
		return nil, false, err
	}
	w.loaded, w.built, w.audiences = true, built == 1, audienceList(auds)
	return w.audiences, w.built, nil
}

// audienceList splits watch_state.audiences: ” first, then the bodies'
// paths.
func audienceList(s string) []string {
	out := []string{""}
	for _, a := range strings.Split(s, ",") {
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

// refreshWatch recomputes in tx the kept rows of petitioners persons and
// of originals roots, whose items tx has changed; fresh is an item tx
// registered (0 for none): a petitioner whose other items make no row has
// none to take away.
func (db *core) refreshWatch(ctx context.Context, tx *Tx, persons, roots []int64, fresh int64) error {
	auds, built, err := db.watchAudiences(ctx, tx)
	if err != nil || !built {
		return err
	}
	persons, roots = distinctIDs(persons), distinctIDs(roots)
	rows, stale, err := db.keptOf(ctx, tx, persons, roots, auds, fresh)
	if err != nil {
		return err
	}
	if len(stale) > 0 {
		if _, err := tx.exec(ctx, `DELETE FROM watch_rows WHERE kind IN ('repeat', 'escalation') AND person_id IN (`+placeholders(len(stale))+`)`, idArgs(stale)...); err != nil {
			return err
		}
	}
	if len(roots) > 0 {
		if _, err := tx.exec(ctx, `DELETE FROM watch_rows WHERE audience IN (`+placeholders(len(auds))+`) AND kind = 'handed_down' AND root_id IN (`+placeholders(len(roots))+`)`,
			append(anyArgs(auds), idArgs(roots)...)...); err != nil {
			return err
		}
	}
	return insertKeptRows(ctx, tx, rows)
}

// keptOf computes the kept rows of petitioners persons and of originals
// roots for audiences auds, from their items, and returns them with the
// petitioners whose items other than fresh could have made rows
// (mayHaveRows).
func (db *core) keptOf(ctx context.Context, tx *Tx, persons, roots []int64, auds []string, fresh int64) (rows []keptRow, stale []int64, err error) {
	if len(persons) > 0 {
		facts, err := db.personFacts(ctx, tx, persons)
		if err != nil {
			return nil, nil, err
		}
		for _, group := range byPerson(facts) {
			rows = append(rows, personRows(group, auds)...)
			if mayHaveRows(group, fresh) {
				stale = append(stale, group[0].person)
			}
		}
	}
	if len(roots) > 0 {
		chains, err := db.chainFacts(ctx, tx, roots)
		if err != nil {
			return nil, nil, err
		}
		for _, root := range roots {
			rows = append(rows, rootRows(root, chains[root], auds)...)
		}
	}
	return rows, stale, nil
}

// mayHaveRows reports whether a petitioner's items other than fresh could
// have made a row: an escalated visit, WatchRepeatThreshold repeats, or a
// matter of WatchRepeatThreshold+1 items.
func mayHaveRows(facts []watchFact, fresh int64) bool {
	repeats := 0
	matters := map[matter]int{}
	for _, f := range facts {
		if f.id == fresh {
			continue
		}
		m := matter{f.person, f.locality, f.category}
		matters[m]++
		if f.root != 0 {
			repeats++
		}
		if f.escalation != "" || repeats >= xinfang.WatchRepeatThreshold || matters[m] > xinfang.WatchRepeatThreshold {
			return true
		}
	}
	return false
}

// personFacts returns the items of petitioners persons.
func (db *core) personFacts(ctx context.Context, q rowQuerier, persons []int64) ([]watchFact, error) {
	rows, err := q.QueryContext(ctx, db.dialect.rebind(`SELECT `+watchFactCols+` FROM petitions p WHERE p.person_id IN (`+placeholders(len(persons))+`)`), idArgs(persons)...)
	return scanAll(rows, err, scanWatchFact)
}

// chainFacts returns the items of the chains of originals roots, by
// original: the original and the items whose repeat_root_id it is.
func (db *core) chainFacts(ctx context.Context, q rowQuerier, roots []int64) (map[int64][]watchFact, error) {
	args := append(idArgs(roots), idArgs(roots)...)
	rows, err := q.QueryContext(ctx, db.dialect.rebind(`SELECT `+watchFactCols+` FROM petitions p WHERE p.id IN (`+placeholders(len(roots))+`)
		UNION ALL SELECT `+watchFactCols+` FROM petitions p WHERE p.repeat_root_id IN (`+placeholders(len(roots))+`)`), args...)
	facts, err := scanAll(rows, err, scanWatchFact)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, r := range roots {
		want[r] = true
	}
	out := map[int64][]watchFact{}
	seen := map[int64]bool{}
	for _, f := range facts {
		if seen[f.id] {
			continue // read by both halves
		}
		seen[f.id] = true
		if want[f.id] {
			out[f.id] = append(out[f.id], f)
		}
		if f.root != 0 && want[f.root] && f.id != f.root {
			out[f.root] = append(out[f.root], f)
		}
	}
	return out, nil
}

// insertKeptRows writes rows, many to a statement.
func insertKeptRows(ctx context.Context, tx *Tx, rows []keptRow) error {
	const cols = 12
	for len(rows) > 0 {
		part := rows[:min(len(rows), 400)]
		rows = rows[len(part):]
		values := make([]string, len(part))
		args := make([]any, 0, cols*len(part))
		for i, r := range part {
			values[i] = "(" + placeholders(cols) + ")"
			args = append(args, r.audience, string(r.kind), r.basis, r.root, r.person, r.locality, r.category, r.n, r.handed, r.latest, r.first, r.sortKey())
		}
		if _, err := tx.exec(ctx, `INSERT INTO watch_rows (audience, kind, basis, root_id, person_id, locality_id, category, n, handed, latest, first_id, sort_key) VALUES `+
			strings.Join(values, ", "), args...); err != nil {
			return err
		}
	}
	return nil
}

// byPerson groups facts by petitioner, in the order petitioners first
// appear.
func byPerson(facts []watchFact) [][]watchFact {
	at := map[int64]int{}
	var out [][]watchFact
	for _, f := range facts {
		i, ok := at[f.person]
		if !ok {
			i = len(out)
			at[f.person] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], f)
	}
	return out
}

// distinctIDs are ids sorted, once each, without 0.
func distinctIDs(ids []int64) []int64 {
	out := slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(out) > 0 && out[0] == 0 {
		out = out[1:]
	}
	return out
}

// buildWatchRows recomputes every kept row, for every 纪检监察 body, and
// marks the rows complete: after an upgrade, a bulk load, or a change of
// the unit tree (a body added or a unit moved). At 1,000,000 petitions it
// reads the items of every petitioner with repeats or a busy matter and of
// every chain with a handed-down item.
func (db *core) buildWatchRows(ctx context.Context, tx *Tx) error {
	if _, ok := db.dialect.(postgres); ok {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, lockWatchRows); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, db.dialect.rebind(`SELECT path FROM units WHERE kind = ? ORDER BY path`), string(xinfang.UnitDiscipline))
	bodies, err := scanAll(rows, err, func(r scanner) (string, error) {
		var p string
		return p, r.Scan(&p)
	})
	if err != nil {
		return err
	}
	auds := append([]string{""}, bodies...)
	if _, err := tx.exec(ctx, `DELETE FROM watch_rows`); err != nil {
		return err
	}
	matters, margs, err := db.busyMatters(ctx, cq{db, tx}, xinfang.WatchRepeatThreshold+1, false)
	if err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, db.dialect.rebind(`SELECT person_id FROM petitions WHERE repeat_root_id IS NOT NULL AND person_id IS NOT NULL
		UNION SELECT m.person_id FROM (`+matters+`) m
		UNION SELECT p.person_id FROM petitions p WHERE `+escalatedClause+` AND p.person_id IS NOT NULL`), margs...)
	persons, err := scanAll(rows, err, scanID)
	if err != nil {
		return err
	}
	// The originals of the handed-down items that are repeats or were
	// repeated.
	rows, err = tx.QueryContext(ctx, db.dialect.rebind(`SELECT DISTINCT CASE WHEN p.repeat_of_id IS NULL THEN p.id ELSE p.repeat_root_id END FROM petitions p
		WHERE p.channel = ? AND (p.repeat_flag = 1 OR EXISTS (SELECT 1 FROM petitions x WHERE x.repeat_of_id = p.id))
		  AND (p.repeat_of_id IS NULL OR p.repeat_root_id IS NOT NULL)`), string(xinfang.ChannelHandedDown))
	roots, err := scanAll(rows, err, scanID)
	if err != nil {
		return err
	}
	if err := db.buildKept(ctx, tx, persons, roots, auds); err != nil {
		return err
	}
	if _, err = tx.exec(ctx, `UPDATE watch_state SET built = 1, audiences = ? WHERE id = 1`, strings.Join(bodies, ",")); err != nil {
		return err
	}
	w := &tx.sh.watch
	w.loaded, w.built, w.audiences = true, true, auds
	return nil
}

// buildKept writes the kept rows of petitioners persons and of originals
// roots, 500 of each at a time.
func (db *core) buildKept(ctx context.Context, tx *Tx, persons, roots []int64, auds []string) error {
	slices.Sort(persons)
	slices.Sort(roots)
	for len(persons) > 0 || len(roots) > 0 {
		p, r := persons[:min(len(persons), 500)], roots[:min(len(roots), 500)]
		persons, roots = persons[len(p):], roots[len(r):]
		rows, _, err := db.keptOf(ctx, tx, p, r, auds, 0)
		if err == nil {
			err = insertKeptRows(ctx, tx, rows)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stubKey is the order of watch-list rows of the same count and date.
func stubKey(root, petitioner, caseID, first int64) string {
	return fmt.Sprintf("%020d %020d %020d %020d", root, petitioner, caseID, first)
}

// startWatchRows builds the kept rows when they are not complete (an
// upgrade), in one transaction; until then the list is grouped from the
// items.
func (db *core) startWatchRows(ctx context.Context, stop chan struct{}) error {
	var built int
	if err := db.queryRow(ctx, `SELECT built FROM watch_state WHERE id = 1`).Scan(&built); err != nil || built == 1 {
		return err
	}
	select {
	case <-stop:
		return nil
	default:
	}
	return db.write(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT built FROM watch_state WHERE id = 1`).Scan(&built); err != nil || built == 1 {
			return err // another instance built them
		}
		return db.buildWatchRows(ctx, tx)
	})
}
