package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"xinfang"
	"xinfang/internal/similar"
)

// The background build of the petitions' derived indexes: the
// repeat-detection fingerprints and grams and the search documents, for a
// database whose petitions predate them (an upgrade that adds an index, a
// bulk load). It runs while the application serves, in batches written in
// bulk, each in its own transaction with the build's progress
// (index_builds), so that registrations interleave with it and a restart
// resumes where it stopped. Registrations write their fingerprints and go
// through the index queue (index_queue.go), during a build too; the build
// skips a petition that has its fingerprint. Until it ends, IndexStatus
// says how far it is, and the pages that depend on the index say that
// their results may be incomplete.
// Several instances on one PostgreSQL database share the work: a batch
// commits only if the progress it started from is still the stored one.

// petitionIndexBuild is the name of the build in index_builds.
const petitionIndexBuild = "petitions"

// indexBatchSize is how many petitions one batch reads and writes in one
// transaction: large enough that the statements and the commit are paid
// per thousand rows, small enough that a registration waits for the
// writer a fraction of a second at most and the memory stays bounded.
const indexBatchSize = 1000

// indexState caches the build's progress for IndexStatus, which every
// search and ledger request asks.
type indexState struct {
	mu      sync.Mutex
	status  xinfang.IndexStatus
	checked time.Time

	batch int // petitions per batch; indexBatchSize when 0 (tests set it)
	// rows per gram pass and per chunk; gramPassRows and gramChunkRows
	// when 0 (tests set them)
	passRows, chunkRows int
}

func (db *core) indexBatchSize() int {
	if db.index.batch > 0 {
		return db.index.batch
	}
	return indexBatchSize
}

// indexStatusTTL bounds how stale a cached IndexStatus may be: another
// instance's progress shows within it.
const indexStatusTTL = time.Second

// IndexStatus says whether the derived indexes are complete, and how far
// their build is if not. It reads index_builds at most once a second; on
// an error it logs it and answers the last status it knew, so that a
// failing look-up does not cost the page that asks.
func (db *core) IndexStatus(ctx context.Context) xinfang.IndexStatus {
	db.index.mu.Lock()
	defer db.index.mu.Unlock()
	if !db.index.checked.IsZero() && time.Since(db.index.checked) < indexStatusTTL {
		return db.index.status
	}
	st, err := db.readIndexStatus(ctx)
	if err != nil {
		db.Logger.Warn("index status", "err", err)
		return db.index.status
	}
	db.index.status, db.index.checked = st, time.Now()
	return st
}

// setIndexStatus records the derived build's progress st as it goes; the
// count of indexes still to build is read with the rest once
// indexStatusTTL has passed.
func (db *core) setIndexStatus(st xinfang.IndexStatus) {
	db.index.mu.Lock()
	db.index.status.Building, db.index.status.Percent = st.Building, st.Percent
	db.index.mu.Unlock()
}

// indexBuild is a row of index_builds: its batches have indexed the
// petitions from first to after, and then its grams are written below
// gramsFrom (index_grams.go).
type indexBuild struct {
	first, last, after int64
	gramsFrom          int64
	finished           bool
}

// batchesDone says whether the build's batches are done and its grams
// are being written.
func (b indexBuild) batchesDone() bool { return b.after >= b.last }

// status: the batches count for 60% of a build, the grams for the rest
// (at a million petitions they took about 70 of its 190 s).
func (b indexBuild) status() xinfang.IndexStatus {
	if b.finished {
		return xinfang.IndexStatus{}
	}
	pct := 60
	if span := b.last - b.first + 1; span > 0 && !b.batchesDone() {
		pct = int(60 * (b.after - b.first + 1) / span)
	}
	if b.batchesDone() {
		pct += int(40 * b.gramsFrom / (maxGram + 1))
	}
	return xinfang.IndexStatus{Building: true, Percent: min(max(pct, 0), 99)}
}

func (db *core) loadIndexBuild(ctx context.Context, q rowQuerier) (indexBuild, bool, error) {
	var b indexBuild
	var finished string
	err := q.QueryRowContext(ctx, db.dialect.rebind(`SELECT first_id, last_id, after_id, grams_from, finished_at FROM index_builds WHERE name = ?`), petitionIndexBuild).
		Scan(&b.first, &b.last, &b.after, &b.gramsFrom, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return b, false, nil
	}
	b.finished = finished != ""
	return b, err == nil, err
}

func (db *core) readIndexStatus(ctx context.Context) (xinfang.IndexStatus, error) {
	var st xinfang.IndexStatus
	b, ok, err := db.loadIndexBuild(ctx, db.pool())
	if err != nil {
		return st, err
	}
	if ok {
		st = b.status()
	}
	st.Indexes, err = db.pendingIndexes(ctx)
	return st, err
}

// StartIndexBuild records a build of the petitions' derived indexes when
// the database has petitions and none is indexed (a database of a version
// before the index, or a bulk load), and reports whether a build is to
// run: that one, or one a previous start left unfinished. It reads a few
// rows whatever the size of the database, so that a start never waits
// for the index; BuildIndex does the work.
func (db *DB) StartIndexBuild(ctx context.Context) (bool, error) {
	var building bool
	err := db.write(ctx, func(tx *Tx) error {
		b, ok, err := db.loadIndexBuild(ctx, tx)
		if err != nil {
			return err
		}
		if ok && !b.finished {
			building = true
			db.setIndexStatus(b.status())
			return nil
		}
		// EXISTS, not COUNT: this runs at every start, on up to millions of
		// rows. Fingerprints of another version (the comparison or the
		// folding of texts changed) are computed again, and the search
		// documents folded again with them. Whether any is of another
		// version is read off the first and the last petition's, two probes
		// of the key rather than a scan: registrations write the running
		// version, a build left unfinished is resumed above and a finished
		// one leaves none behind, so after an upgrade the oldest petitions
		// carry the old version until a build has run.
		var missing int
		if err := tx.queryRow(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM petitions) AND NOT EXISTS (SELECT 1 FROM petition_fingerprints) THEN 1
			WHEN (SELECT version FROM petition_fingerprints ORDER BY petition_id LIMIT 1) <> ? THEN 1
			WHEN (SELECT version FROM petition_fingerprints ORDER BY petition_id DESC LIMIT 1) <> ? THEN 1 ELSE 0 END`,
			similar.FingerprintVersion, similar.FingerprintVersion).Scan(&missing); err != nil {
			return err
		}
		if missing == 0 {
			db.setIndexStatus(xinfang.IndexStatus{})
			return nil
		}
		b, err = db.recordIndexBuild(ctx, tx)
		building = err == nil
		db.setIndexStatus(b.status())
		return err
	})
	return building, err
}

// recordIndexBuild writes a new build over every petition there is now,
// replacing a finished one. MIN and MAX of the key are one index probe each.
func (db *core) recordIndexBuild(ctx context.Context, tx *Tx) (indexBuild, error) {
	var b indexBuild
	if err := tx.queryRow(ctx, `SELECT COALESCE(MIN(id), 1), COALESCE(MAX(id), 0) FROM petitions`).Scan(&b.first, &b.last); err != nil {
		return b, err
	}
	b.after = b.first - 1
	_, err := tx.exec(ctx, `INSERT INTO index_builds (name, first_id, last_id, after_id, grams_from, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, '')
		ON CONFLICT (name) DO UPDATE SET first_id = excluded.first_id, last_id = excluded.last_id, after_id = excluded.after_id,
		grams_from = excluded.grams_from, started_at = excluded.started_at, finished_at = ''`, petitionIndexBuild, b.first, b.last, b.after, b.gramsFrom, fmtTime(tx.now))
	return b, err
}

// BuildIndex runs the recorded build to its end, batch by batch, and
// returns when it is finished (at once if there is none) or ctx ends; a
// build stopped midway resumes at the next call, on this instance or
// another.
func (db *DB) BuildIndex(ctx context.Context) error {
	// What was queued before the build (by an older version, perhaps) is
	// indexed first, so that the build replaces its grams rather than the
	// indexer adding them again after it.
	if err := db.FlushIndex(ctx); err != nil {
		return err
	}
	started := time.Now()
	logged := time.Now()
	indexed := 0
	worked := false // this call ran batches or grams: it refolds the other documents at the end
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, ok, err := db.loadIndexBuild(ctx, db.pool())
		if err != nil {
			return err
		}
		if !ok || b.finished {
			if worked {
				if _, err := db.refoldDocs(ctx); err != nil {
					return err
				}
			}
			db.setIndexStatus(xinfang.IndexStatus{})
			if time.Since(started) > 10*time.Second {
				db.Logger.Info("index built", "petitions", indexed, "took", time.Since(started).Round(time.Millisecond))
			}
			return nil
		}
		db.setIndexStatus(b.status())
		worked = true
		if b.batchesDone() {
			if err := db.buildGrams(ctx, b); err != nil {
				return err
			}
			continue
		}
		err = db.indexRun(ctx, b, func(b indexBuild, n int) {
			db.setIndexStatus(b.status())
			indexed += n
			if time.Since(logged) > 10*time.Second {
				db.Logger.Info("building the search and repeat index", "percent", b.status().Percent, "petitions", indexed)
				logged = time.Now()
			}
		})
		if err != nil {
			return err
		}
	}
}

// errIndexMoved is a batch that found the build's progress changed by
// another instance: its work is dropped and the next batch starts from
// the new progress.
var errIndexMoved = errors.New("index build moved on")

// builtBatch is a batch of the build read and fingerprinted, to write:
// the progress it starts from and the one it ends at (b.last for the
// build's last batch), and its petitions' index.
type builtBatch struct {
	from, upTo int64
	docs       []indexDoc
}

// readBatch reads the batch of build b that follows the petition after
// and fingerprints it, outside any transaction, so that the writer is
// held only for the inserts.
func (db *DB) readBatch(ctx context.Context, b indexBuild, after int64) (builtBatch, error) {
	rs, err := db.query(ctx, `SELECT p.id, p.received_at, p.number, p.summary, p.content, f.day, f.fp FROM petitions p
		LEFT JOIN petition_fingerprints f ON f.petition_id = p.id
		WHERE p.id > ? AND p.id <= ? AND (f.petition_id IS NULL OR f.version <> ?)
		ORDER BY p.id LIMIT ?`, after, b.last, similar.FingerprintVersion, db.indexBatchSize())
	rows, err := scanAll(rs, err, func(s scanner) (indexRow, error) {
		var r indexRow
		var received string
		var oldDay *int64
		err := s.Scan(&r.id, &received, &r.number, &r.summary, &r.content, &oldDay, &r.oldFP)
		if oldDay != nil {
			r.oldDay = *oldDay
		}
		r.received = parseTime(received)
		return r, err
	})
	if err != nil {
		return builtBatch{}, err
	}
	// The batch ends at its last petition, or at the end of the build's
	// petitions when the rest is indexed already; the grams follow.
	bb := builtBatch{from: after, upTo: b.last}
	if len(rows) == db.indexBatchSize() {
		bb.upTo = rows[len(rows)-1].id
	}
	if len(rows) > 0 {
		names, err := db.petitionerNames(ctx, rows[0].id, rows[len(rows)-1].id)
		if err != nil {
			return builtBatch{}, err
		}
		bb.docs = makeIndexDocs(rows, names)
	}
	return bb, nil
}

// writeBatch writes bb and advances the build's progress from bb.from to
// bb.upTo in one transaction; it returns how many petitions it indexed,
// or errIndexMoved, writing nothing, when the progress is no longer
// bb.from (another instance wrote that batch).
func (db *DB) writeBatch(ctx context.Context, bb builtBatch) (int, error) {
	err := db.write(ctx, func(tx *Tx) error {
		n, err := tx.change(ctx, `UPDATE index_builds SET after_id = ? WHERE name = ? AND after_id = ? AND finished_at = ''`,
			bb.upTo, petitionIndexBuild, bb.from)
		if err != nil {
			return err
		}
		if n == 0 {
			return errIndexMoved
		}
		return db.writeIndexDocs(ctx, tx, bb.docs)
	})
	if err != nil {
		return 0, err
	}
	return len(bb.docs), nil
}

// indexRun writes the batches of build b one after another until its
// petitions are done, another instance moves its progress (it returns,
// and BuildIndex reads the progress again) or ctx ends. The next batch
// is read and fingerprinted while one is written: at a million petitions
// this and a faster sort of the grams took the build from 222 s to 203 s
// (each batch had been read and fingerprinted on two goroutines before
// its write). done is told of every batch written, with the progress
// after it.
func (db *DB) indexRun(ctx context.Context, b indexBuild, done func(b indexBuild, n int)) error {
	ctx, cancel := context.WithCancel(ctx)
	ready := make(chan builtBatch, 1)
	readErr := make(chan error, 1)
	defer func() {
		cancel()
		for range ready { // the reader stops at ctx
		}
	}()
	go func(b indexBuild) { // its own copy: the writer below advances b
		defer close(ready)
		after := b.after
		for {
			bb, err := db.readBatch(ctx, b, after)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case ready <- bb:
			case <-ctx.Done():
				return
			}
			if bb.upTo >= b.last {
				return
			}
			after = bb.upTo
		}
	}(b)
	for bb := range ready {
		n, err := db.writeBatch(ctx, bb)
		if errors.Is(err, errIndexMoved) {
			return nil
		}
		if err != nil {
			return err
		}
		b.after = bb.upTo
		done(b, n)
	}
	select {
	case err := <-readErr:
		return err
	default:
		return nil
	}
}

// indexRow is what the index is made of: a petition's number and texts.
type indexRow struct {
	id                       int64
	received                 time.Time
	number, summary, content string
	oldFP                    []byte // a fingerprint of another version, to replace
	oldDay                   int64
}

// indexDoc is the index of one petition, computed outside any transaction.
type indexDoc struct {
	id, day int64
	fp      []byte
	traits  string // similar.PetitionIndex's
	grams   []uint32
	text    string   // the folded search text
	old     []uint32 // the grams of a fingerprint of another version, to remove
	oldDay  int64
}

// makeIndexDocs fingerprints the petitions of a batch, the CPU-heavy part
// of the build; indexRun runs it beside the writer.
func makeIndexDocs(rows []indexRow, names map[int64]string) []indexDoc {
	docs := make([]indexDoc, len(rows))
	for i, r := range rows {
		fp, traits := similar.PetitionIndex(similar.Petition{Summary: r.summary, Content: r.content})
		docs[i] = indexDoc{id: r.id, day: fpDay(r.received), fp: encodeFP(fp), traits: traits,
			text: searchText(r.number, names[r.id], r.summary, r.content), old: indexGrams(decodeFP(r.oldFP)), oldDay: r.oldDay}
	}
	return docs
}

// writeIndexDocs writes the index of docs in tx with multi-row
// statements: the fingerprints, the search documents and (SQLite) their
// bigrams; the grams follow the build's batches (index_grams.go), and
// those of fingerprints of another version go now. A petition whose
// fingerprint is there already — registered meanwhile, indexed by its
// registration — is left as it is.
func (db *core) writeIndexDocs(ctx context.Context, tx *Tx, docs []indexDoc) error {
	if len(docs) == 0 {
		return nil
	}
	ps := &prepared{ctx: ctx, tx: tx, m: map[string]*sql.Stmt{}}
	defer ps.close()
	if err := db.removeOldGrams(ps, docs); err != nil {
		return err
	}
	fresh := map[int64]bool{}
	for c := range slices.Chunk(docs, 250) {
		args := make([]any, 0, 5*len(c))
		for _, d := range c {
			args = append(args, d.id, similar.FingerprintVersion, d.day, d.fp, d.traits)
		}
		// A fingerprint of another version is replaced; one of this
		// version, written by a registration meanwhile, stays.
		rows, err := ps.query(`INSERT INTO petition_fingerprints (petition_id, version, day, fp, traits) VALUES `+
			valueRows(len(c), 5)+` ON CONFLICT (petition_id) DO UPDATE SET version = excluded.version, day = excluded.day, fp = excluded.fp, traits = excluded.traits
			WHERE petition_fingerprints.version <> excluded.version RETURNING petition_id`, args...)
		err = eachRow(rows, err, func(r scanner) error {
			id, err := scanID(r)
			fresh[id] = true
			return err
		})
		if err != nil {
			return err
		}
	}
	return db.writeSearchDocs(ps, slices.DeleteFunc(slices.Clone(docs), func(d indexDoc) bool { return !fresh[d.id] }))
}

// removeOldGrams removes the grams of the fingerprints of another version
// that docs replace, by their keys, and takes them off the gram counts.
func (db *core) removeOldGrams(ps *prepared, docs []indexDoc) error {
	counts := map[int64]int{}
	var keys []any
	for _, d := range docs {
		for _, g := range d.old {
			keys = append(keys, int64(g), d.oldDay, d.id)
			counts[int64(g)]++
		}
	}
	for c := range slices.Chunk(keys, 3*300) {
		cond := strings.TrimSuffix(strings.Repeat("(gram = ? AND day = ? AND petition_id = ?) OR ", len(c)/3), " OR ")
		if err := ps.exec(`DELETE FROM petition_grams WHERE `+cond, c...); err != nil {
			return err
		}
	}
	grams := make([]int64, 0, len(counts))
	for g := range counts {
		grams = append(grams, g)
	}
	slices.Sort(grams)
	for _, g := range grams {
		if err := ps.exec(`UPDATE gram_stats SET n = n - ? WHERE gram = ?`, counts[g], g); err != nil {
			return err
		}
	}
	return nil
}

// writeDerived writes the grams of docs in key order, one increment of the
// count of each gram, and their search documents: the part of a
// petition's index that follows from its fingerprint and text.
func (db *core) writeDerived(ps *prepared, docs []indexDoc) error {
	var grams []gramRow
	counts := map[int64]int{}
	for _, d := range docs {
		for _, g := range d.grams {
			grams = append(grams, gramRow{int64(g), d.day, d.id})
			counts[int64(g)]++
		}
	}
	// In key order, the inserts walk the B-tree forwards.
	slices.SortFunc(grams, gramRow.compare)
	if err := db.insertGrams(ps, grams, nil); err != nil {
		return err
	}
	if err := db.addGramCounts(ps, counts); err != nil {
		return err
	}
	return db.writeSearchDocs(ps, docs)
}

// gramRow is a row of petition_grams.
type gramRow struct{ gram, day, id int64 }

func (a gramRow) compare(b gramRow) int {
	return cmp.Or(cmp.Compare(a.gram, b.gram), cmp.Compare(a.day, b.day), cmp.Compare(a.id, b.id))
}

// insertGrams inserts grams, keeping the rows there already; when
// inserted is not nil, it counts there the rows it inserted, by gram.
// On SQLite a statement takes a thousand rows; on PostgreSQL each column
// is one array (unnest), in one statement prepared once, instead of rows
// of parameters to bind at every statement.
func (db *core) insertGrams(ps *prepared, grams []gramRow, inserted map[int64]int) error {
	returning := ""
	if inserted != nil {
		returning = " RETURNING gram"
	}
	run := func(q string, args ...any) error {
		if inserted == nil {
			return ps.exec(q, args...)
		}
		rows, err := ps.query(q, args...)
		return eachRow(rows, err, func(r scanner) error {
			g, err := scanID(r)
			inserted[g]++
			return err
		})
	}
	if db.Postgres() {
		cols := [3][]int64{make([]int64, len(grams)), make([]int64, len(grams)), make([]int64, len(grams))}
		for i, g := range grams {
			cols[0][i], cols[1][i], cols[2][i] = g.gram, g.day, g.id
		}
		return run(`INSERT INTO petition_grams (gram, day, petition_id) SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) ON CONFLICT DO NOTHING`+returning,
			cols[0], cols[1], cols[2])
	}
	for c := range slices.Chunk(grams, 1000) {
		args := make([]any, 0, 3*len(c))
		for _, g := range c {
			args = append(args, g.gram, g.day, g.id)
		}
		if err := run(`INSERT INTO petition_grams (gram, day, petition_id) VALUES `+valueRows(len(c), 3)+` ON CONFLICT DO NOTHING`+returning, args...); err != nil {
			return err
		}
	}
	return nil
}

// addGramCounts adds counts to gram_stats, in the order of the grams, so
// that concurrent writers on PostgreSQL lock the rows in one order (as
// bumpGramStats does).
func (db *core) addGramCounts(ps *prepared, counts map[int64]int) error {
	keys := slices.Sorted(maps.Keys(counts))
	ns := make([]int64, len(keys))
	for i, g := range keys {
		ns[i] = int64(counts[g])
	}
	if db.Postgres() {
		return ps.exec(`INSERT INTO gram_stats (gram, n) SELECT * FROM unnest(?::bigint[], ?::bigint[]) ON CONFLICT (gram) DO UPDATE SET n = gram_stats.n + excluded.n`,
			keys, ns)
	}
	for i := 0; i < len(keys); i += 1000 {
		end := min(i+1000, len(keys))
		args := make([]any, 0, 2*(end-i))
		for j := i; j < end; j++ {
			args = append(args, keys[j], ns[j])
		}
		if err := ps.exec(`INSERT INTO gram_stats (gram, n) VALUES `+valueRows(end-i, 2)+
			` ON CONFLICT (gram) DO UPDATE SET n = gram_stats.n + excluded.n`, args...); err != nil {
			return err
		}
	}
	return nil
}

// writeSearchDocs writes the search documents of docs, replacing any there
// are, and on SQLite their bigrams.
func (db *core) writeSearchDocs(ps *prepared, docs []indexDoc) error {
	// Whole batches: FTS5 writes its pending terms out at every
	// statement, and each write is a segment to merge later.
	for c := range slices.Chunk(docs, indexBatchSize) {
		args := make([]any, 0, 3*len(c))
		for _, d := range c {
			args = append(args, xinfang.SearchPetition, d.id, d.text)
		}
		if db.Postgres() {
			if err := ps.exec(`INSERT INTO search_docs (kind, ref_id, text) VALUES `+valueRows(len(c), 3)+
				` ON CONFLICT (kind, ref_id) DO UPDATE SET text = excluded.text`, args...); err != nil {
				return err
			}
			continue
		}
		// A document there already (indexed before the fingerprints were
		// lost) has bigrams to remove first.
		refs := make([]any, len(c))
		for i, d := range c {
			refs[i] = d.id
		}
		if err := ps.exec(`DELETE FROM search_bigrams WHERE rowid IN (SELECT id FROM search_docs WHERE kind = ? AND ref_id IN (`+
			placeholders(len(c))+`))`, append([]any{xinfang.SearchPetition}, refs...)...); err != nil {
			return err
		}
		rows, err := ps.query(`INSERT INTO search_docs (kind, ref_id, text) VALUES `+valueRows(len(c), 3)+
			` ON CONFLICT (kind, ref_id) DO UPDATE SET text = excluded.text RETURNING id, ref_id`, args...)
		docID := map[int64]int64{}
		err = eachRow(rows, err, func(r scanner) error {
			var id, ref int64
			err := r.Scan(&id, &ref)
			docID[ref] = id
			return err
		})
		if err != nil {
			return err
		}
		bargs := make([]any, 0, 2*len(c))
		for _, d := range c {
			bargs = append(bargs, docID[d.id], bigramText(d.text))
		}
		if err := ps.exec(`INSERT INTO search_bigrams (rowid, grams) VALUES `+valueRows(len(c), 2), bargs...); err != nil {
			return err
		}
	}
	return nil
}

// prepared compiles each statement text once in a transaction: a batch
// runs its multi-row statements again and again with the same text, and
// compiling one of a thousand rows costs about as much as running it.
type prepared struct {
	ctx context.Context
	tx  *Tx
	m   map[string]*sql.Stmt
}

func (p *prepared) stmt(q string) (*sql.Stmt, error) {
	if st, ok := p.m[q]; ok {
		return st, nil
	}
	st, err := p.tx.PrepareContext(p.ctx, p.tx.db.dialect.rebind(q))
	if err != nil {
		return nil, err
	}
	p.m[q] = st
	return st, nil
}

func (p *prepared) exec(q string, args ...any) error {
	st, err := p.stmt(q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(p.ctx, args...)
	return err
}

func (p *prepared) query(q string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(p.ctx, args...)
}

func (p *prepared) close() {
	for _, st := range p.m {
		st.Close()
	}
}
