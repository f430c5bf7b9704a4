package xinfang

import "strconv"

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
func CountLabel(total int) string {
	if total > MaxCount {
		if MaxCount%10000 == 0 {
			return strconv.Itoa(MaxCount/10000) + "万+"
		}
		return strconv.Itoa(MaxCount) + "+"
	}
	return strconv.Itoa(total)
}
