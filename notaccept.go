package xinfang

// NotAcceptGround is why an item is not accepted (不予受理的理由), chosen
// from a list so that the 不予受理告知书 states it in the bureau's words
// and cites the one article that goes with it; the free-text reason stays
// an internal note.
type NotAcceptGround string

// The grounds for not accepting an item.
const (
	GroundNotCompetent NotAcceptGround = "not_competent" // 不属于本机关职权范围
	GroundLegalRoute   NotAcceptGround = "legal_route"   // 依法应当通过法定途径解决
	GroundInHandling   NotAcceptGround = "in_handling"   // 已经受理或者正在办理
	GroundAnswered     NotAcceptGround = "answered"      // 已经处理答复，同一事实和理由再次提出
	GroundConcluded    NotAcceptGround = "concluded"     // 已经复核终结 (不再受理)
)

// NotAcceptGrounds lists the grounds with their labels.
var NotAcceptGrounds = []Label{
	{string(GroundNotCompetent), "不属于本机关职权范围"},
	{string(GroundLegalRoute), "依法应当通过诉讼、仲裁、行政复议等法定途径解决"},
	{string(GroundInHandling), "已经受理或者正在办理"},
	{string(GroundAnswered), "已经处理答复，以同一事实和理由再次提出"},
	{string(GroundConcluded), "已经复核终结，以同一事实和理由再次提出"},
}

// Label returns the Chinese label of g.
func (g NotAcceptGround) Label() string { return labelOf(NotAcceptGrounds, g) }
