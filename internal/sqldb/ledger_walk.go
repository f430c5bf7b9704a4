package sqldb

import (
	"context"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// walkBatch is how many petitions EachPetition reads at a time: enough
// that the per-query cost vanishes, few enough that a batch is small.
const walkBatch = 500

// EachPetition calls fn with every petition in scope matching f, in the
// order of FindPetitions' list for f (its Offset and Limit ignored), each
// with its warning level as of today — the ledger without pages, for an
// export. The list is read in batches, each a short read of its own that
// starts after the last row of the one before (keyset on the list's
// order, off the same indexes as the ledger's pages), so memory stays at
// one batch however long the list, and no read stays open while fn
// writes. An item that changes its place in the order while the walk
// runs (its 办理期限, in the order by due date) may be missed or met
// twice; the rows of one batch are one view. An error of fn stops the
// walk and is returned.
func (db *PetitionStore) EachPetition(ctx context.Context, f xinfang.PetitionFilter, fn func(*xinfang.Petition) error) error {
	pq, err := db.petitionQuery(ctx, f)
	if err != nil {
		return err
	}
	l := pq.list
	pr := db.Procedure(ctx)
	size := walkBatch
	if db.WalkBatch > 0 {
		size = db.WalkBatch
	}
	for _, s := range l.segs {
		var after []any // the keys of the last row read, nil before the first
		for {
			var batch []*xinfang.Petition
			var last []any
			err := db.read(ctx, func(q rowQuerier) error {
				r := cq{db.core, q}
				branches, bargs := []string{"(1 = 1)"}, [][]any{nil}
				if !pq.text {
					var err error
					if branches, bargs, err = db.listBranches(ctx, r, l); err != nil || len(branches) == 0 {
						return err
					}
				}
				ids, keys, err := db.keysetBranches(ctx, r, branches, bargs, l, s, after, size)
				if err != nil || len(ids) == 0 {
					return err
				}
				last = keys
				batch, err = db.petitionRows(ctx, r, ids)
				return err
			})
			if err != nil {
				return err
			}
			today := calendar.DateOf(db.Now())
			for _, p := range batch {
				p.Warning = pr.WarningOf(p.DueDate, p.SevereDate, today)
				if err := fn(p); err != nil {
					return err
				}
			}
			if len(batch) < size {
				break
			}
			after = last
		}
	}
	return nil
}

// keysetBranches returns the ids of the first limit rows of segment s
// after the row whose keys are after (from the start when nil), and the
// keys of the last of them: each branch gives its first rows off its
// index, and the outer query merges them.
func (db *core) keysetBranches(ctx context.Context, r cq, branches []string, bargs [][]any, l petitionList, s segment, after []any, limit int) ([]int64, []any, error) {
	cols, inner, outer := make([]string, len(s.keys)), make([]string, len(s.keys)), make([]string, len(s.keys))
	for i, k := range s.keys {
		name := "k" + strconv.Itoa(i)
		dir := ""
		if k.desc {
			dir = " DESC"
		}
		cols[i], inner[i], outer[i] = "p."+k.col+" AS "+name, "p."+k.col+dir, name+dir
	}
	if after != nil {
		c, a := keysetAfter(s.keys, after)
		l.where, l.args = l.where+" AND "+c, append(append([]any(nil), l.args...), a...)
	}
	var parts []string
	var args []any
	for i := range branches {
		w, a := armWhere(branches[i], bargs[i], l, s)
		parts = append(parts, "SELECT * FROM (SELECT p.id AS id_, "+strings.Join(cols, ", ")+" FROM petitions p WHERE "+w+
			" ORDER BY "+strings.Join(inner, ", ")+" LIMIT ?) b"+strconv.Itoa(i))
		args = append(append(args, a...), limit)
	}
	rows, err := r.rows(ctx, `SELECT * FROM (`+strings.Join(parts, " UNION ALL ")+`) u ORDER BY `+strings.Join(outer, ", ")+` LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ids []int64
	keys := make([]any, len(s.keys))
	for rows.Next() {
		var id int64
		dest := []any{&id}
		vals := make([]any, len(s.keys))
		for i, k := range s.keys {
			if k.col == "id" {
				vals[i] = new(int64)
			} else {
				vals[i] = new(string)
			}
			dest = append(dest, vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		for i, v := range vals {
			switch v := v.(type) {
			case *int64:
				keys[i] = *v
			case *string:
				keys[i] = *v
			}
		}
	}
	return ids, keys, rows.Err()
}

// keysetAfter is the condition "after the row with keys vals" in the
// order of keys: k0 >= v0 AND ((k0 > v0) OR (k0 = v0 AND k1 > v1) …),
// with < for the descending keys.
func keysetAfter(keys []orderKey, vals []any) (string, []any) {
	var ors []string
	var args []any
	for i, k := range keys {
		var ands []string
		for j := range i {
			ands = append(ands, "p."+keys[j].col+" = ?")
			args = append(args, vals[j])
		}
		op := " > ?"
		if k.desc {
			op = " < ?"
		}
		ands = append(ands, "p."+k.col+op)
		args = append(args, vals[i])
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	// The first key's bound, said alone as well, is a range the order's
	// index seeks to; the OR alone would be read from the list's start.
	op := " >= ?"
	if keys[0].desc {
		op = " <= ?"
	}
	return "(p." + keys[0].col + op + " AND (" + strings.Join(ors, " OR ") + "))", append([]any{vals[0]}, args...)
}
