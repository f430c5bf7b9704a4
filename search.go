package xinfang

// SearchKind is a kind of search document.
type SearchKind string

const (
	SearchPetition SearchKind = "petition" // 信访件
	SearchCase     SearchKind = "case"     // 信访积案
)

// SearchKinds lists the kinds with their labels.
var SearchKinds = []Label{{string(SearchPetition), "信访件"}, {string(SearchCase), "信访积案"}}

// Label returns the Chinese label of k.
func (k SearchKind) Label() string { return labelOf(SearchKinds, k) }

// SearchHit is one record found.
type SearchHit struct {
	Kind    SearchKind `json:"kind"`
	ID      int64      `json:"id"`
	Title   string     `json:"title"`
	Snippet string     `json:"snippet"`
}
