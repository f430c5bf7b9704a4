package xinfang

// Kinds of search documents.
const (
	SearchPetition = "petition" // 信访件
	SearchCase     = "case"     // 信访积案
)

// SearchHit is one record found.
type SearchHit struct {
	Kind    string `json:"kind"`
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
}
