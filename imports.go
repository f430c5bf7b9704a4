package xinfang

import (
	"time"
)

// ImportKind is what a file brought in from the bureau's earlier ledger
// (导入) holds: petitions or backlog cases.
type ImportKind string

const (
	ImportPetitions ImportKind = "petitions" // 信访件
	ImportCases     ImportKind = "cases"     // 信访积案
)

// ImportKinds lists the kinds with their labels.
var ImportKinds = []Label{{string(ImportPetitions), "信访件"}, {string(ImportCases), "信访积案"}}

// Label returns the Chinese label of k.
func (k ImportKind) Label() string { return labelOf(ImportKinds, k) }

// Valid reports whether k is a known kind.
func (k ImportKind) Valid() bool { return hasCode(ImportKinds, k) }

// ImportState is where an import stands: its file checked row by row,
// then, when every row is good, brought in as a whole.
type ImportState string

const (
	ImportChecking   ImportState = "checking"   // 正在校验
	ImportInvalid    ImportState = "invalid"    // 有错误，未导入
	ImportReady      ImportState = "ready"      // 校验通过，待确认导入
	ImportCommitting ImportState = "committing" // 正在导入
	ImportDone       ImportState = "done"       // 已导入
	ImportFailed     ImportState = "failed"     // 导入失败（未导入任何数据）
)

// ImportStates lists the states with their labels.
var ImportStates = []Label{
	{string(ImportChecking), "正在校验"}, {string(ImportInvalid), "有错误，未导入"}, {string(ImportReady), "校验通过，待确认导入"},
	{string(ImportCommitting), "正在导入"}, {string(ImportDone), "已导入"}, {string(ImportFailed), "导入失败，未导入任何数据"},
}

// Label returns the Chinese label of s.
func (s ImportState) Label() string { return labelOf(ImportStates, s) }

// Running reports whether work on the import is under way.
func (s ImportState) Running() bool { return s == ImportChecking || s == ImportCommitting }

// Import is one file brought in (导入批次): its rows are checked, shown with
// every error by row and column, and committed all or nothing.
type Import struct {
	ID        int64       `json:"id"`
	Kind      ImportKind  `json:"kind"`
	FileName  string      `json:"file_name"`
	Size      int64       `json:"size"`
	SHA256    string      `json:"sha256"`
	State     ImportState `json:"state"`
	Rows      int         `json:"rows"`      // data rows of the file (known once checked)
	Done      int         `json:"done"`      // rows checked or committed so far
	Errors    int         `json:"errors"`    // problems found, each a row and a column
	New       int         `json:"new"`       // rows that are new items (checked) or were brought in (done)
	Unchanged int         `json:"unchanged"` // rows already imported with the same content
	Message   string      `json:"message,omitempty"`
	UserID    int64       `json:"user_id"`
	UserName  string      `json:"user_name"`
	UnitID    int64       `json:"unit_id"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// ImportProblem is one error of a file: its row as the spreadsheet
// numbers it (the header is row 1) and its column by the template's head.
type ImportProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// MaxImportProblems is how many problems an import keeps; a file with
// more is reported as having more (Import.Errors counts them all).
const MaxImportProblems = 10000

// MaxImportRows bounds the data rows of one file.
const MaxImportRows = 200000

// MaxImportSize bounds the size of one file, in bytes.
const MaxImportSize = 100 << 20

// ImportableStates are the states an imported petition may enter: those
// an earlier ledger records with what their clocks need (the date it was
// sent, accepted, replied or closed). The review stages are not among
// them: their clocks hang on deliveries the ledger does not record.
var ImportableStates = []State{StateRegistered, StatePendingSign, StateSigned, StateHandling,
	StateReplied, StateConcluded, StateNotAccepted, StateDiverted, StateWithdrawn, StateTerminated}

// ImportableStateLabels lists ImportableStates with their labels.
func ImportableStateLabels() []Label {
	out := make([]Label, len(ImportableStates))
	for i, s := range ImportableStates {
		out[i] = Label{Code: string(s), Label: s.Label()}
	}
	return out
}
