package sqldb

import (
	"context"
	"encoding/binary"
	"strconv"
	"time"

	"xinfang"
	"xinfang/internal/similar"
)

// The repeat-detection index: each petition's fingerprint and its rarer character pairs, written in the registering transaction, and the rebuild of the whole index.

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
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

// indexGrams returns the values of fp that go into petition_grams: classes
// 0 and 1, at most gramsPerPetition of them (fp is sorted, so the content
// grams come first).
func indexGrams(fp []uint32) []uint32 {
	var out []uint32
	for _, v := range fp {
		if v>>30 > 1 || len(out) == gramsPerPetition {
			break
		}
		out = append(out, v)
	}
	return out
}

// indexPetition writes what repeat detection and search need of a new
// petition, inside the registering transaction. It is also what Reindex
// does for every petition; it may run again for the same petition.
func (db *core) indexPetition(ctx context.Context, tx *Tx, p *xinfang.Petition) error {
	fp := similar.PetitionFingerprint(similar.Petition{Summary: p.Summary, Content: p.Content})
	day := fpDay(p.ReceivedAt)
	if err := db.unindexGrams(ctx, tx, p.ID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO petition_fingerprints (petition_id, version, day, fp) VALUES (?, ?, ?, ?)
		ON CONFLICT (petition_id) DO UPDATE SET version = excluded.version, day = excluded.day, fp = excluded.fp`,
		p.ID, similar.FingerprintVersion, day, encodeFP(fp)); err != nil {
		return err
	}
	grams := indexGrams(fp)
	if err := insertGrams(ctx, tx, grams, day, p.ID); err != nil {
		return err
	}
	// The gram counts are rows every registration shares, and the search
	// text holds the number, which a registration takes at the end.
	tx.atEnd(endShared, func() error { return bumpGramStats(ctx, tx, grams, 1) })
	tx.atEnd(endText, func() error {
		return db.writeSearchDoc(ctx, tx, xinfang.SearchPetition, p.ID, petitionSearchText(p))
	})
	return nil
}

// unindexGrams removes the grams of a petition indexed before, found
// through its stored fingerprint, so that petition_grams needs no second
// index on petition_id.
func (db *core) unindexGrams(ctx context.Context, tx *Tx, id int64) error {
	var day int64
	var raw []byte
	err := tx.queryRow(ctx, `SELECT day, fp FROM petition_fingerprints WHERE petition_id = ?`, id).Scan(&day, &raw)
	if err != nil {
		if xinfang.ErrorCode(db.wrap(err)) == xinfang.ENOTFOUND {
			return nil
		}
		return err
	}
	grams := indexGrams(decodeFP(raw))
	for len(grams) > 0 {
		n := min(len(grams), 200)
		args := []any{id, day}
		for _, g := range grams[:n] {
			args = append(args, int64(g))
		}
		if _, err := tx.exec(ctx, `DELETE FROM petition_grams WHERE petition_id = ? AND day = ? AND gram IN (`+placeholders(n)+`)`, args...); err != nil {
			return err
		}
		gone := grams[:n]
		tx.atEnd(endShared, func() error { return bumpGramStats(ctx, tx, gone, -1) })
		grams = grams[n:]
	}
	return nil
}

func insertGrams(ctx context.Context, tx *Tx, grams []uint32, day, id int64) error {
	for len(grams) > 0 {
		n := min(len(grams), 200)
		args := make([]any, 0, 3*n)
		for _, g := range grams[:n] {
			args = append(args, int64(g), day, id)
		}
		if _, err := tx.exec(ctx, `INSERT INTO petition_grams (gram, day, petition_id) VALUES `+valueRows(n, 3)+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return err
		}
		grams = grams[n:]
	}
	return nil
}

// bumpGramStats adds delta to the count of each gram. The grams are sorted,
// so concurrent registrations on PostgreSQL lock the rows in one order and
// cannot deadlock on them.
func bumpGramStats(ctx context.Context, tx *Tx, grams []uint32, delta int) error {
	for len(grams) > 0 {
		n := min(len(grams), 200)
		args := make([]any, 0, 2*n)
		for _, g := range grams[:n] {
			args = append(args, int64(g), max(delta, 0))
		}
		if _, err := tx.exec(ctx, `INSERT INTO gram_stats (gram, n) VALUES `+valueRows(n, 2)+
			` ON CONFLICT (gram) DO UPDATE SET n = gram_stats.n + `+strconv.Itoa(delta), args...); err != nil {
			return err
		}
		grams = grams[n:]
	}
	return nil
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
		for _, q := range []string{`DELETE FROM petition_grams`, `DELETE FROM petition_fingerprints`, `DELETE FROM gram_stats`} {
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
