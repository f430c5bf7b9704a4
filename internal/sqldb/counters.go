package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Counters. The indicators' daily counts (kpi_daily) and the 态势 page's
// (dash_counts) are rows that many writes add to: every registration of a
// day at a unit adds to the same few. A row a transaction has added to is
// locked until its commit, so on PostgreSQL a batch that added to it first
// held every other committer's and instance's batch at that row for the
// rest of its run — whole batches went one after another. So a write's
// additions are not written where the write makes them: they are summed
// in its transaction (txShared.counts) and written in the end phase
// (finish), where the rows every write shares are written, behind the
// advisory lock and just before the commit. A batch then holds its counter
// rows only from its end phase to its commit, and its many writes' changes
// to one row are one change.

// pendingCounts are the additions of one transaction to one table of
// counters, summed by key.
type pendingCounts struct {
	keys, counts []string
	rows         map[string][]any // by the key's values; key values, then sums
}

// addCounts adds rows to the counters of table: each row holds the values
// of the key columns (strings or int64), then of the count columns (int
// or int64), and is added, at the end of the transaction, to the row of
// the same key or inserted.
func addCounts(ctx context.Context, tx *Tx, table string, keys, counts []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if tx.sh == nil {
		return writeCounts(ctx, tx, table, keys, counts, rows)
	}
	if tx.sh.counts == nil {
		tx.sh.counts = map[string]*pendingCounts{}
	}
	p := tx.sh.counts[table]
	if p == nil {
		p = &pendingCounts{keys: keys, counts: counts, rows: map[string][]any{}}
		tx.sh.counts[table] = p
	}
	var key strings.Builder
	for _, r := range rows {
		key.Reset()
		for _, v := range r[:len(keys)] {
			switch x := v.(type) {
			case string:
				key.WriteString(x)
			case int64:
				key.WriteString(strconv.FormatInt(x, 10))
			default:
				panic(fmt.Sprintf("counter key of type %T", v))
			}
			key.WriteByte(0)
		}
		sum := p.rows[key.String()]
		if sum == nil {
			sum = make([]any, len(r))
			copy(sum, r[:len(keys)])
			for i := len(keys); i < len(r); i++ {
				sum[i] = int64(0)
			}
			p.rows[key.String()] = sum
		}
		for i := len(keys); i < len(r); i++ {
			sum[i] = sum[i].(int64) + asInt64(r[i])
		}
	}
	return nil
}

// flushCounts writes the counters the writes of sh added to, with tx, and
// forgets them.
func flushCounts(ctx context.Context, tx *Tx, sh *txShared) error {
	tables := make([]string, 0, len(sh.counts))
	for t := range sh.counts {
		tables = append(tables, t)
	}
	slices.Sort(tables) // one order for every writer
	for _, t := range tables {
		p := sh.counts[t]
		rows := make([][]any, 0, len(p.rows))
		for _, r := range p.rows {
			if slices.ContainsFunc(r[len(p.keys):], func(v any) bool { return v.(int64) != 0 }) {
				rows = append(rows, r)
			}
		}
		if err := writeCounts(ctx, tx, t, p.keys, p.counts, rows); err != nil {
			return err
		}
	}
	sh.counts = nil
	return nil
}

// writeCounts inserts rows into the counters of table or adds them to the
// rows of the same key. Many rows go in one statement; rows hold distinct
// keys (PostgreSQL refuses to change one row twice in a statement).
func writeCounts(ctx context.Context, tx *Tx, table string, keys, counts []string, rows [][]any) error {
	// One order for every writer (the keys' values, column by column), so
	// that two transactions never wait on each other's rows.
	slices.SortFunc(rows, func(a, b []any) int {
		for i := range keys {
			if c := compareValues(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	cols := append(append([]string{}, keys...), counts...)
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	set := make([]string, len(counts))
	for i, c := range counts {
		set[i] = c + " = " + table + "." + c + " + excluded." + c
	}
	tail := " ON CONFLICT (" + strings.Join(keys, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), countRowsPerStatement)]
		rows = rows[len(chunk):]
		args := make([]any, 0, len(cols)*len(chunk))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := tx.exec(ctx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES "+
			strings.TrimSuffix(strings.Repeat(row+", ", len(chunk)), ", ")+tail, args...); err != nil {
			return err
		}
	}
	return nil
}

// countRowsPerStatement bounds the rows of one INSERT of writeCounts.
const countRowsPerStatement = 50

// compareValues orders two key values of one column: strings or int64.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case string:
		return cmp.Compare(x, b.(string))
	case int64:
		return cmp.Compare(x, b.(int64))
	}
	panic(fmt.Sprintf("counter key of type %T", a))
}

// asInt64 is a count's value, given as int or int64.
func asInt64(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	}
	panic(fmt.Sprintf("count of type %T", v))
}
