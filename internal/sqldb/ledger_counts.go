package sqldb

import (
	"context"
	"slices"
	"strings"

	"xinfang"
)

// The count of a subtree's list filtered by channel, by category or by
// state (or open), from the 态势 page's counts (dash_counts): the subtree's
// path indexes hold neither channel nor category, so counting such a list
// to the count limit reads every row of the subtree until the limit, most
// of which the filter drops (50–60 ms for a town at 1,000,000 petitions),
// where the counts sum a few thousand rows. A town's open items, which
// are recent, came after 78,000 closed ones in the path index's order at
// ten million (33 ms to count 10,001). The 检举控告 items, which the counts
// leave out, are counted from the items the reader sees, as on the 态势
// page.

// dashListCount returns the count of the list of f over the subtree at
// tree for the reader of scope s, and whether the counts serve it: a
// subtree in the reader's scope, a filter of a channel alone, of a
// category code of at most two digits alone, or of states (or open) alone,
// and the counts complete.
func (db *core) dashListCount(ctx context.Context, r cq, s *dataScope, tree string, f xinfang.PetitionFilter) (int, bool, error) {
	if db.CountFromFacts || tree == "" || s.None || !s.All && !strings.HasPrefix(tree, s.UnitPath) {
		return 0, false, nil
	}
	if strings.TrimSpace(f.Text) != "" || f.Petitioner != 0 || f.LegalCase != nil || f.Repeat != nil || f.Warning != "" ||
		!f.From.IsZero() || !f.To.IsZero() {
		return 0, false, nil
	}
	states := len(f.State) > 0 || f.Open
	var dim string
	var match func(*dashItem) bool
	var value func(v string) bool
	switch {
	case states && f.Channel == "" && f.Category == "":
		dim = "state"
		value = func(v string) bool {
			s := xinfang.State(v)
			return (len(f.State) == 0 || slices.Contains(f.State, s)) && (!f.Open || !s.Closed())
		}
		match = func(it *dashItem) bool { return value(it.state) }
	case states:
		return 0, false, nil
	case f.Channel != "" && f.Category == "":
		dim = "channel"
		value = func(v string) bool { return v == string(f.Channel) }
		match = func(it *dashItem) bool { return it.channel == string(f.Channel) }
	case f.Category != "" && f.Channel == "" && len(f.Category) <= 2:
		// The counts keep a code's top level; a prefix of it matches the
		// top levels it begins.
		dim = "category"
		value = func(v string) bool { return strings.HasPrefix(v, f.Category) }
		match = func(it *dashItem) bool { return strings.HasPrefix(it.category, f.Category) }
	default:
		return 0, false, nil
	}
	if built, err := db.dash.complete(ctx, r); err != nil || !built {
		return 0, false, err
	}
	in, args := pathRange("unit_path", tree)
	rows, err := r.rows(ctx, `SELECT value, SUM(n) FROM dash_counts WHERE dim = ? AND grain = 'm' AND `+in+` GROUP BY value`, append([]any{dim}, args...)...)
	total := 0
	err = eachRow(rows, err, func(sc scanner) error {
		var v string
		var n int
		if err := sc.Scan(&v, &n); err != nil {
			return err
		}
		if value(v) {
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	err = db.visibleAccusations(ctx, r, s, tree, "1 = 1", nil, func(it *dashItem) {
		if match(it) {
			total++
		}
	})
	return total, err == nil, err
}
