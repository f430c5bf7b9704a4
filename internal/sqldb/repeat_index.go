package sqldb

import (
	"context"
	"encoding/binary"
	"slices"
	"time"
)

// The repeat-detection index: each petition's fingerprint (written by its
// registration) and its rarer character pairs (written by the indexer,
// index_queue.go), and the rebuild of the whole index.

// fpDay is the day key of petition_grams: the Shanghai date of t in days
// since 1970.
func fpDay(t time.Time) int64 {
	return (t.Unix() + 8*3600) / 86400
}

func encodeFP(fp []uint32) []byte {
	b := make([]byte, 4*len(fp))
	for i, v := range fp {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

func decodeFP(b []byte) []uint32 {
	return decodeFPInto(nil, b)
}

// decodeFPInto decodes b into buf's memory when it is large enough.
func decodeFPInto(buf []uint32, b []byte) []uint32 {
	out := slices.Grow(buf[:0], len(b)/4)[:len(b)/4]
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

// indexGrams returns the values of fp that go into petition_grams: classes
// 0 and 1, at most gramsPerPetition of them. fp is sorted, so they are its
// first values: the result is a prefix of fp.
func indexGrams(fp []uint32) []uint32 {
	n := 0
	for n < len(fp) && n < gramsPerPetition && fp[n]>>30 <= 1 {
		n++
	}
	return fp[:n:n]
}

// Reindex rebuilds the fingerprints, the gram index, the gram counts and
// the petitions' search documents from the petitions, then the watch
// list's derived data, and returns when they are complete. It is for data
// that predates the index (migrations of old data, bulk loads): it clears
// them and records a build over every petition, which BuildIndex runs in
// bulk batches (index_build.go). Registrations running meanwhile index
// themselves, and the build skips them.
func (db *DB) Reindex(ctx context.Context) error {
	// Start from nothing: petition_grams has no index on petition_id to
	// delete by, on purpose.
	err := db.write(ctx, func(tx *Tx) error {
		// The queue too: the build indexes every petition, queued or not.
		for _, q := range []string{`DELETE FROM index_queue`, `DELETE FROM petition_grams`, `DELETE FROM petition_fingerprints`, `DELETE FROM gram_stats`} {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		_, err := db.recordIndexBuild(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	if err := db.BuildIndex(ctx); err != nil {
		return err
	}
	return db.rebuildWatchIndex(ctx)
}

// petitionerNames returns the names of the petitioners of the petitions
// with ids in [first, last], space-separated, main petitioner first.
func (db *core) petitionerNames(ctx context.Context, first, last int64) (map[int64]string, error) {
	rows, err := db.query(ctx, `SELECT pp.petition_id, x.name FROM petition_petitioners pp JOIN petitions p ON p.id = pp.petition_id
		JOIN petitioners x ON x.id = pp.petitioner_id
		WHERE pp.petition_id BETWEEN ? AND ? ORDER BY pp.petition_id, CASE WHEN x.id = p.petitioner_id THEN 0 ELSE 1 END, x.id`, first, last)
	out := map[int64]string{}
	err = eachRow(rows, err, func(r scanner) error {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		if out[id] != "" {
			out[id] += " "
		}
		out[id] += name
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
