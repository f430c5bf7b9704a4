package scheduler

import "xinfang/internal/sqldb"

// Plan steps of backlog cases and 三跨三分离 tasks have deadlines of their
// own, watched like the statutory clocks.
func init() {
	Register(func(db *sqldb.DB) Source { return SourceFunc{"case_steps", db.CaseStepsDue} })
	Register(func(db *sqldb.DB) Source { return SourceFunc{"tasks", db.TasksDue} })
}
