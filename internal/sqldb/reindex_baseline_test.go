package sqldb

import (
	"context"

	"xinfang"
	"xinfang/internal/similar"
)

// ReindexBaseline runs reindexBaseline, for the benchmarks.
func (db *DB) ReindexBaseline(ctx context.Context) error { return db.reindexBaseline(ctx) }

// reindexBaseline is Reindex as it was before the bulk build of
// index_build.go, kept as the baseline of BenchmarkIndexBuild: it rebuilds the fingerprints, the gram index and the petitions'
// search documents from the petitions, a thousand at a time, then the gram
// counts in one transaction. It is for data that predates the index
// (migrations of old data, bulk loads); registrations keep the index up to
// date themselves. Registrations running meanwhile are indexed twice at
// worst, which the final count rebuild absorbs.
func (db *DB) reindexBaseline(ctx context.Context) error {
	// Start from nothing: petition_grams has no index on petition_id to
	// delete by, on purpose.
	err := db.write(ctx, func(tx *Tx) error {
		for _, q := range []string{`DELETE FROM petition_grams`, `DELETE FROM petition_fingerprints`, `DELETE FROM gram_stats`} {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	const batch = 1000
	var after int64
	for {
		type row struct {
			id                       int64
			received                 string
			summary, content, number string
		}
		rs, err := db.query(ctx, `SELECT p.id, p.received_at, p.summary, p.content, p.number FROM petitions p WHERE p.id > ? ORDER BY p.id LIMIT ?`, after, batch)
		rows, err := scanAll(rs, err, func(s scanner) (row, error) {
			var r row
			err := s.Scan(&r.id, &r.received, &r.summary, &r.content, &r.number)
			return r, err
		})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		names, err := db.petitionerNames(ctx, rows[0].id, rows[len(rows)-1].id)
		if err != nil {
			return err
		}
		err = db.write(ctx, func(tx *Tx) error {
			var fps, grams []any
			var fpN, gramN int
			flush := func() error {
				if fpN > 0 {
					if _, err := tx.exec(ctx, `INSERT INTO petition_fingerprints (petition_id, version, day, fp) VALUES `+
						valueRows(fpN, 4)+` ON CONFLICT DO NOTHING`, fps...); err != nil {
						return err
					}
				}
				if gramN > 0 {
					if _, err := tx.exec(ctx, `INSERT INTO petition_grams (gram, day, petition_id) VALUES `+
						valueRows(gramN, 3)+` ON CONFLICT DO NOTHING`, grams...); err != nil {
						return err
					}
				}
				fps, grams, fpN, gramN = fps[:0], grams[:0], 0, 0
				return nil
			}
			for _, r := range rows {
				p := &xinfang.Petition{ID: r.id, Number: r.number, Summary: r.summary, Content: r.content, ReceivedAt: parseTime(r.received)}
				fp := similar.PetitionFingerprint(similar.Petition{Summary: r.summary, Content: r.content})
				day := fpDay(p.ReceivedAt)
				fps = append(fps, r.id, similar.FingerprintVersion, day, encodeFP(fp))
				fpN++
				for _, g := range indexGrams(fp) {
					grams = append(grams, int64(g), day, r.id)
					gramN++
					if gramN == 300 {
						if err := flush(); err != nil {
							return err
						}
					}
				}
				if fpN == 100 {
					if err := flush(); err != nil {
						return err
					}
				}
				if err := db.indexSearchDoc(ctx, tx, xinfang.SearchPetition, r.id, searchText(p.Number, names[r.id], p.Summary, p.Content)); err != nil {
					return err
				}
			}
			return flush()
		})
		if err != nil {
			return err
		}
		after = rows[len(rows)-1].id
	}
	return db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM gram_stats`); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO gram_stats (gram, n) SELECT gram, COUNT(*) FROM petition_grams GROUP BY gram`)
		return err
	})
}
