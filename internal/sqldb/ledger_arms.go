package sqldb

import (
	"strconv"
	"strings"
)

// On PostgreSQL a list's branches of the same form — one per path of a
// subtree, "p.reg_path = ?" for each path registered in it, say — are read
// as one arm: the branch's select, LATERAL, once per row of the arrays of
// their arguments (unnest). A UNION ALL of a dozen selects over a table of
// some thirty indexes took 10–45 ms to plan at a million items, on every
// connection of the pool and for every count of branches, while running
// it took 1–3 ms; the town's 工作台 reads six such lists, and its first
// twenty runs after a start spent five times as long planning as running.
// An arm over an array plans as one select, and its statement is the same
// for every subtree whose branches have the same forms, so each connection
// plans it once for them all. SQLite plans a statement in microseconds and
// keeps the union.

// branchArm is one arm of a list's union: a branch of its own, or the
// branches of one form over the arrays of their arguments.
type branchArm struct {
	where string // the branch's condition; over arrays its arguments are b.a0, b.a1, …
	args  []any  // the branch's arguments, or one array per placeholder
	over  int    // the placeholders a branch over arrays had; 0 for a branch of its own
}

// armsOf groups branches (with their arguments bargs) into arms: on
// PostgreSQL those of the same condition whose arguments are all strings
// are one arm over arrays; every other branch is an arm of its own, in
// the order of branches.
func (db *core) armsOf(branches []string, bargs [][]any) []branchArm {
	arms := make([]branchArm, 0, len(branches))
	if !db.Postgres() || len(branches) < 2 {
		for i, b := range branches {
			arms = append(arms, branchArm{where: b, args: bargs[i]})
		}
		return arms
	}
	at := map[string]int{} // condition → its arm over arrays
	for i, b := range branches {
		n := strings.Count(b, "?")
		if n == 0 || n != len(bargs[i]) || !allStrings(bargs[i]) {
			arms = append(arms, branchArm{where: b, args: bargs[i]})
			continue
		}
		k, ok := at[b]
		if !ok {
			k = len(arms)
			at[b] = k
			cols := make([]any, n)
			for j := range cols {
				cols[j] = []string{}
			}
			arms = append(arms, branchArm{where: b, args: cols, over: n})
		}
		for j, v := range bargs[i] {
			arms[k].args[j] = append(arms[k].args[j].([]string), v.(string))
		}
	}
	return arms
}

func allStrings(args []any) bool {
	for _, a := range args {
		if _, ok := a.(string); !ok {
			return false
		}
	}
	return true
}

// from is what the arm selects from, its condition for the branch's rows,
// and the arguments of both in the order they come (armWhere adds the
// list's after them): a branch of its own reads petitions p; an arm over
// arrays reads the rows of unnest, each giving b.a0, b.a1, … to the
// select that follows it LATERAL.
func (a branchArm) from() (from, where string, args []any) {
	if a.over == 0 {
		return "", a.where, a.args
	}
	arrays := make([]string, a.over)
	cols := make([]string, a.over)
	for j := range a.over {
		arrays[j], cols[j] = "?::text[]", "a"+strconv.Itoa(j)
	}
	from = "unnest(" + strings.Join(arrays, ", ") + ") AS b(" + strings.Join(cols, ", ") + ") CROSS JOIN LATERAL "
	var w strings.Builder
	j := 0
	for _, c := range a.where {
		if c == '?' {
			w.WriteString("b.a" + strconv.Itoa(j))
			j++
			continue
		}
		w.WriteRune(c)
	}
	return from, w.String(), a.args
}

// armWhere is the WHERE clause of a branch's or an arm's condition where
// within segment s — the condition, the list's scope and filters, and the
// segment's condition — and args followed by the list's arguments.
func armWhere(where string, args []any, l petitionList, s segment) (string, []any) {
	where += " AND " + l.where
	args = append(append([]any(nil), args...), l.args...)
	if s.cond != "" {
		where += " AND " + s.cond
	}
	return where, args
}
