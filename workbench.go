package xinfang

import (
	"context"
	"strconv"
)

// TodoKind is a worklist of the staff home page (工作台): what waits for
// the acting user's own unit, as opposed to everything the user may read.
type TodoKind string

const (
	TodoSign   TodoKind = "sign"   // 待签收: sent to the unit, not signed for yet
	TodoAccept TodoKind = "accept" // 待受理: signed for, or registered by the unit itself and not routed
	TodoReply  TodoKind = "reply"  // 待答复: accepted and being handled by the unit
)

// TodoLabels names the worklists.
var TodoLabels = []Label{{string(TodoSign), "待签收"}, {string(TodoAccept), "待受理"}, {string(TodoReply), "待答复"}}

// Label returns the Chinese label of k.
func (k TodoKind) Label() string { return labelOf(TodoLabels, k) }

// MaxCount is the largest exact total a list reports; a larger result
// reports MaxCount+1, shown as "1万+" (CountLabel): counting every match
// of a list of a million items would cost more than reading its page.
const MaxCount = 10000

// CountLabel is a list's total as the pages show it: the number, or
// "1万+" for more than MaxCount.
func CountLabel(total int) string { return CountLabelTo(total, MaxCount) }

// CountLabelTo is a total counted up to limit as the pages show it: the
// number, or "1000+" ("1万+" for ten thousand) for more than limit.
func CountLabelTo(total, limit int) string {
	if total > limit {
		if limit%10000 == 0 {
			return strconv.Itoa(limit/10000) + "万+"
		}
		return strconv.Itoa(limit) + "+"
	}
	return strconv.Itoa(total)
}

// WorkbenchMaxCount is the largest exact count a list of the 工作台 shows:
// the page is read at every visit to the home page and counts six lists,
// and a count of 10,000 items of one town's list took longer than the rest
// of the page at a million items. A badge of "1000+" tells as much.
const WorkbenchMaxCount = 1000

// WorkbenchReadsAtOnce is how many of the 工作台's lists are read at the
// same time, each on a connection of the read pool. More at once gains
// nothing on a database of two cores, and each list is planned on every
// connection it comes to: at a million items on PostgreSQL, reading all
// six at once put the first runs after a start at 25–45 ms, against 15–22
// with two at once, and the same 10 ms after them. Two leave the rest of
// the pool to the other users' pages.
const WorkbenchReadsAtOnce = 2

type countLimitKey struct{}

// NewContextWithCountLimit returns a context in which the lists count up
// to n items at most, and report n+1 for more (below MaxCount only).
func NewContextWithCountLimit(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, countLimitKey{}, n)
}

// CountLimitFrom returns the count limit of ctx, or 0 for none.
func CountLimitFrom(ctx context.Context) int {
	n, _ := ctx.Value(countLimitKey{}).(int)
	return n
}
