package xinfang

import "strings"

// Aftercare (善后帮扶) after lawful termination (依法终结, ActTerminate):
// the measures the terminating body chooses from AftercareMeasures become
// tasks on the petition owned by the 联席办 (the unit of kind UnitJoint),
// each with a deadline, written with the terminate event; the text of the
// action's "aftercare" field keeps the detail.

// AftercareMeasures is the dictionary of aftercare measures.
var AftercareMeasures = []Label{
	{"relief", "帮扶救助"}, {"education", "教育疏导"}, {"psychological", "心理疏导"},
	{"judicial_aid", "司法救助"}, {"legal_aid", "法律援助"}, {"stability", "稳控化解"},
}

// AftercareField is the terminate action's field of chosen measures, its
// codes joined by commas.
const AftercareField = "aftercare_measures"

// AftercareTaskTitle is the title of the task of one measure, with the
// action's detail when there is one.
func AftercareTaskTitle(code, detail string) string {
	t := "善后帮扶：" + LabelOf(AftercareMeasures, code)
	if d := strings.TrimSpace(detail); d != "" {
		t += "（" + truncateRunes(d, 300) + "）"
	}
	return t
}

// SplitCodes reads a comma-joined list of codes.
func SplitCodes(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// TaskOrigin is what made a task: split by hand (""), an aftercare measure
// of a termination, or a follow-up visit that found the matter unsettled.
type TaskOrigin string

const (
	TaskOriginAftercare TaskOrigin = "aftercare" // 善后帮扶
	TaskOriginFollowup  TaskOrigin = "followup"  // 回访未息诉
)

// TaskOrigins lists the origins with their labels.
var TaskOrigins = []Label{{"", "拆分任务"}, {string(TaskOriginAftercare), "善后帮扶"}, {string(TaskOriginFollowup), "回访未息诉"}}

// Label returns the Chinese label of o.
func (o TaskOrigin) Label() string { return labelOf(TaskOrigins, o) }

// CanReadUnitTasks reports whether u has the task list of its unit (本单位
// 任务): the staff with a data scope.
func CanReadUnitTasks(u *User) bool { return CanReadCases(u) }
