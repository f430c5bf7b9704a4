package xinfang

import "fmt"

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

// IndexStatus says whether the derived indexes of the petitions — the
// search documents and the repeat-detection fingerprints — cover every
// petition. After an upgrade that adds one they are built in the
// background while the application serves; until then search, the
// ledger's text filter, the repeat check and the watch list may miss
// older petitions, and say so.
//
// Indexes counts the database indexes an upgrade added that are still
// being built after the start (the online parts of migrations): until
// they are, the lists they serve are complete but may be slow.
type IndexStatus struct {
	Building bool `json:"building"`
	Percent  int  `json:"percent"` // how much of the build is done, 0–100
	Indexes  int  `json:"indexes,omitempty"`
}

// Notice is the sentence a page shows while the index is incomplete, ""
// when it is complete.
func (s IndexStatus) Notice() string {
	if !s.Building {
		return ""
	}
	return fmt.Sprintf("检索索引正在建立（已完成 %d%%），结果可能不全", s.Percent)
}

// SlowNotice is the sentence a list shows while database indexes are
// still being built after an upgrade, "" when none is.
func (s IndexStatus) SlowNotice() string {
	if s.Indexes == 0 {
		return ""
	}
	return fmt.Sprintf("系统升级后正在建立数据库索引（还有 %d 个），列表查询可能较慢，结果完整", s.Indexes)
}
