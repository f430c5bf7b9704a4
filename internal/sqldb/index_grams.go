package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"
)

// The grams of a build (index_build.go), written after its batches.
// Written with each batch, the grams of a thousand petitions landed all
// over the (gram, day, petition_id) B-tree, so that at a million
// petitions every batch rewrote pages across the whole table, and the
// grams, their pages written to the WAL and copied back by the
// checkpoints took more than half of the build. Here they are read back
// from the fingerprints the batches wrote, a range of grams at a time,
// sorted and inserted in the order of the key: each page of the table is
// written about once. Until they are all written the build is unfinished,
// and the pages that depend on the index say so, as during its batches.
//
// A petition's grams may be there already: registered meanwhile (its
// grams go through the index queue), indexed before the build, or by a
// build of an older version whose batches wrote them. Those rows are
// kept, and only the rows inserted are counted in gram_stats. A petition
// still in the index queue is left to the indexer, which counts what it
// writes.

const (
	// maxGram is the largest gram: classes 0 and 1 of a fingerprint's
	// values (indexGrams).
	maxGram = 1<<31 - 1
	// gramPassRows bounds the rows one pass holds in memory, 16 bytes
	// each; a pass reads every fingerprint of the build.
	gramPassRows = 8_000_000
	// gramChunkRows is about how many rows one transaction writes; a chunk
	// ends with a gram, so that the progress is a gram.
	gramChunkRows = 50_000
	// gramBucketShift groups grams by their top bits for the histogram
	// that cuts the passes.
	gramBucketShift = 16
)

func (db *core) gramSizes() (passRows, chunkRows int) {
	passRows, chunkRows = gramPassRows, gramChunkRows
	if db.index.passRows > 0 {
		passRows = db.index.passRows
	}
	if db.index.chunkRows > 0 {
		chunkRows = db.index.chunkRows
	}
	return passRows, chunkRows
}

// gramKey is a row of petition_grams as a pass holds it.
type gramKey struct {
	gram uint32
	day  int32
	id   int64
}

// compare orders by the key. Not cmp.Or: it would compare all three
// fields of forty million rows at every step of the sort.
func (a gramKey) compare(b gramKey) int {
	switch {
	case a.gram != b.gram:
		return cmp.Compare(a.gram, b.gram)
	case a.day != b.day:
		return cmp.Compare(a.day, b.day)
	}
	return cmp.Compare(a.id, b.id)
}

// buildGrams writes the grams of build b from gramsFrom, pass by pass,
// and finishes the build with the last. It returns when the build is
// finished, when another instance moved its progress (BuildIndex reads
// it again), or when ctx ends.
func (db *DB) buildGrams(ctx context.Context, b indexBuild) error {
	return db.gramChunks(ctx, b, -1)
}

// gramChunks is buildGrams stopping after limit chunks (none when limit
// is negative), as a build stopped midway.
func (db *DB) gramChunks(ctx context.Context, b indexBuild, limit int) error {
	passes, err := db.gramPasses(ctx, b)
	if err != nil {
		return err
	}
	_, chunkRows := db.gramSizes()
	logged := time.Now()
	for i, pass := range passes {
		keys, err := db.passGrams(ctx, b, pass)
		if err != nil {
			return err
		}
		// Chunks of about gramChunkRows rows, each ending with a gram;
		// the last advances the progress to the end of the pass, and the
		// last of all finishes the build.
		for len(keys) > 0 || b.gramsFrom <= pass.hi {
			if limit == 0 {
				return nil
			}
			limit--
			n := min(chunkRows, len(keys))
			for n < len(keys) && keys[n].gram == keys[n-1].gram {
				n++
			}
			to := pass.hi
			if n < len(keys) {
				to = int64(keys[n-1].gram)
			}
			finished := i == len(passes)-1 && to == pass.hi
			err := db.writeGramChunk(ctx, b, to, finished, keys[:n])
			if errors.Is(err, errIndexMoved) {
				return nil
			}
			if err != nil {
				return err
			}
			b.gramsFrom, b.finished, keys = to+1, finished, keys[n:]
			db.setIndexStatus(b.status())
		}
		if time.Since(logged) > 10*time.Second {
			db.Logger.Info("building the repeat index's grams", "pass", i+1, "of", len(passes))
			logged = time.Now()
		}
	}
	return nil
}

// gramPass is a range of grams [lo, hi] that one pass writes, and how
// many rows it holds.
type gramPass struct {
	lo, hi int64
	rows   int
}

// gramPasses cuts the grams from b.gramsFrom into ranges of at most
// about gramPassRows rows, from a count of the build's grams by their top
// bits. The last range ends with maxGram.
func (db *DB) gramPasses(ctx context.Context, b indexBuild) ([]gramPass, error) {
	hist := make([]int, (maxGram>>gramBucketShift)+1)
	err := db.eachBuildGrams(ctx, b, func(_, _ int64, grams []uint32) {
		for _, g := range grams {
			if int64(g) >= b.gramsFrom {
				hist[g>>gramBucketShift]++
			}
		}
	})
	if err != nil {
		return nil, err
	}
	passRows, _ := db.gramSizes()
	var passes []gramPass
	lo, rows := b.gramsFrom, 0
	for bucket := lo >> gramBucketShift; bucket < int64(len(hist)); bucket++ {
		if n := hist[bucket]; rows > 0 && rows+n > passRows {
			passes = append(passes, gramPass{lo, bucket<<gramBucketShift - 1, rows})
			lo, rows = bucket<<gramBucketShift, 0
		}
		rows += hist[bucket]
	}
	if lo <= maxGram {
		passes = append(passes, gramPass{lo, maxGram, rows})
	}
	return passes, nil
}

// passGrams reads the rows of the build's grams in pass's range, in the
// order of the key.
func (db *DB) passGrams(ctx context.Context, b indexBuild, pass gramPass) ([]gramKey, error) {
	keys := make([]gramKey, 0, pass.rows)
	err := db.eachBuildGrams(ctx, b, func(id, day int64, grams []uint32) {
		for _, g := range grams {
			if int64(g) >= pass.lo && int64(g) <= pass.hi {
				keys = append(keys, gramKey{g, int32(day), id})
			}
		}
	})
	slices.SortFunc(keys, gramKey.compare)
	return keys, err
}

// eachBuildGrams calls fn with the grams of every fingerprint of build b's
// petitions, read from the read pool without copying them.
func (db *DB) eachBuildGrams(ctx context.Context, b indexBuild, fn func(id, day int64, grams []uint32)) error {
	rows, err := db.query(ctx, `SELECT petition_id, day, fp FROM petition_fingerprints WHERE petition_id >= ? AND petition_id <= ?`, b.first, b.last)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		id, day int64
		fp      sql.RawBytes
		buf     []uint32
	)
	for rows.Next() {
		if err := rows.Scan(&id, &day, &fp); err != nil {
			return err
		}
		buf = decodeFPInto(buf, fp)
		fn(id, day, indexGrams(buf))
	}
	return rows.Err()
}

// writeGramChunk writes keys, the rows of the grams from b.gramsFrom up
// to to, and advances the progress past to in one transaction — and
// finishes the build when finished. It returns errIndexMoved, writing
// nothing, when the progress is no longer b's.
func (db *DB) writeGramChunk(ctx context.Context, b indexBuild, to int64, finished bool, keys []gramKey) error {
	return db.write(ctx, func(tx *Tx) error {
		finishedAt := ""
		if finished {
			finishedAt = fmtTime(tx.now)
		}
		n, err := tx.change(ctx, `UPDATE index_builds SET grams_from = ?, finished_at = ? WHERE name = ? AND grams_from = ? AND after_id >= last_id AND finished_at = ''`,
			to+1, finishedAt, petitionIndexBuild, b.gramsFrom)
		if err != nil {
			return err
		}
		if n == 0 {
			return errIndexMoved
		}
		if len(keys) == 0 {
			return nil
		}
		rs, err := tx.QueryContext(ctx, db.dialect.rebind(`SELECT petition_id FROM index_queue WHERE petition_id >= ? AND petition_id <= ?`), b.first, b.last)
		queued := map[int64]bool{}
		err = eachRow(rs, err, func(r scanner) error {
			id, err := scanID(r)
			queued[id] = true
			return err
		})
		if err != nil {
			return err
		}
		rows := make([]gramRow, 0, len(keys))
		for _, k := range keys {
			if !queued[k.id] {
				rows = append(rows, gramRow{int64(k.gram), int64(k.day), k.id})
			}
		}
		ps := &prepared{ctx: ctx, tx: tx, m: map[string]*sql.Stmt{}}
		defer ps.close()
		inserted := map[int64]int{}
		if err := db.insertGrams(ps, rows, inserted); err != nil {
			return err
		}
		return db.addGramCounts(ps, inserted)
	})
}
