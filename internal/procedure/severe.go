package procedure

import (
	"time"

	"xinfang/internal/calendar"
)

// SevereAfter is the one rule of 严重超期 (procedure.md "Clocks": "overdue
// by more than the clock's own length again"): it returns the last day a
// clock due on due is merely 超期; from the day after, it is 严重超期.
//
// The length is counted the way the clock counts: calendar days for a
// clock in days, working days on cal for a clock in working days (the
// objection clock: 5 working days after its due day). Unlike a due day,
// the day found by calendar days is not rolled forward over rest days.
// It is the clock's own length — an extension or a paused hearing moves
// the due day but does not lengthen what counts as "again". A length
// under one day counts as one. cal may be nil for calendar-day clocks.
func SevereAfter(cal *calendar.Calendar, due calendar.Date, length int, workdays bool) calendar.Date {
	if length < 1 {
		length = 1
	}
	if workdays {
		return cal.DueAfterWorkdays(due, length).Due
	}
	return due.AddDays(length)
}

// DeadlineSevereAfter is SevereAfter for a deadline set by hand — the
// feedback deadline of a 督办单, a plan step, a 三跨三分离 task: its own
// length is the number of calendar days from the day it was set to the
// deadline, at least one. Issued on the 2nd, due the 4th: 超期 on the 5th
// and 6th, 严重超期 from the 7th (README "督办单").
func DeadlineSevereAfter(set, due calendar.Date) calendar.Date {
	return SevereAfter(nil, due, due.Sub(set), false)
}

// DeadlineSevereDay is DeadlineSevereAfter for storage, which holds the
// instant a deadline was set: the zero Date when there is no deadline
// (nothing is then 严重超期; DueItem.Severe).
func DeadlineSevereDay(set time.Time, due calendar.Date) calendar.Date {
	if due.IsZero() {
		return calendar.Date{}
	}
	return DeadlineSevereAfter(calendar.DateOf(set), due)
}
