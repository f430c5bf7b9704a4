package sqldb

import (
	"context"

	"xinfang"
)

// refoldBatch is how many search documents refoldDocs reads at a time.
const refoldBatch = 500

// refoldDocs folds again the search documents of kinds other than
// petitions (cases), whose text the petitions' build does not write: when
// searchFold changes (FingerprintVersion with it), a case stored in the
// old form would no longer match a query folded in the new one. Folding
// twice changes nothing, so only the documents whose folded form differs
// are written; a build runs it once, after the petitions.
func (db *DB) refoldDocs(ctx context.Context) (int, error) {
	written := 0
	after := int64(0)
	for {
		type doc struct {
			id   int64
			kind xinfang.SearchKind
			ref  int64
			text string
		}
		rs, err := db.query(ctx, `SELECT id, kind, ref_id, text FROM search_docs WHERE kind <> ? AND id > ? ORDER BY id LIMIT ?`,
			xinfang.SearchPetition, after, refoldBatch)
		docs, err := scanAll(rs, err, func(s scanner) (doc, error) {
			var d doc
			err := s.Scan(&d.id, &d.kind, &d.ref, &d.text)
			return d, err
		})
		if err != nil || len(docs) == 0 {
			return written, err
		}
		after = docs[len(docs)-1].id
		var changed []doc
		for _, d := range docs {
			if f := searchFold(d.text); f != d.text {
				d.text = f
				changed = append(changed, d)
			}
		}
		if len(changed) > 0 {
			err := db.write(ctx, func(tx *Tx) error {
				for _, d := range changed {
					if err := db.writeSearchDoc(ctx, tx, d.kind, d.ref, d.text); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return written, err
			}
			written += len(changed)
		}
	}
}
