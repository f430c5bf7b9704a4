package xinfang

// Worklists of the staff home page (工作台): what waits for the acting
// user's own unit, as opposed to everything the user may read.
const (
	TodoSign   = "sign"   // 待签收: sent to the unit, not signed for yet
	TodoAccept = "accept" // 待受理: signed for, or registered by the unit itself and not routed
	TodoReply  = "reply"  // 待答复: accepted and being handled by the unit
)

// TodoLabels names the worklists.
var TodoLabels = []Label{{Code: TodoSign, Label: "待签收"}, {Code: TodoAccept, Label: "待受理"}, {Code: TodoReply, Label: "待答复"}}

// TodoLabel returns the label of a worklist kind, or "".
func TodoLabel(kind string) string {
	for _, l := range TodoLabels {
		if l.Code == kind {
			return l.Label
		}
	}
	return ""
}

// MaxCount is the largest exact total a list reports; a larger result
// reports MaxCount+1, shown as "10000+".
const MaxCount = 10000
