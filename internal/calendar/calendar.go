package calendar

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// DayKind says how an override changes a day.
type DayKind string

const (
	// Holiday is a day off: 法定节假日, or a weekday made a rest day (调休休息).
	Holiday DayKind = "holiday"
	// Workday is a weekend day that is worked (调休上班).
	Workday DayKind = "workday"
)

// Valid reports whether k is a known kind.
func (k DayKind) Valid() bool { return k == Holiday || k == Workday }

// Override is one day whose status differs from the Mon–Fri rule, as set by
// the State Council's yearly notice (or by an administrator).
type Override struct {
	Date Date    `json:"date"`
	Kind DayKind `json:"kind"`
	Name string  `json:"name"` // e.g. "国庆节", "国庆节调休上班"
}

// Calendar knows which days are working days: Monday to Friday unless
// overridden as a holiday; Saturday and Sunday are rest days unless
// overridden as a workday (调休上班).
//
// A Calendar is immutable once built and safe for concurrent use.
type Calendar struct {
	days  map[Date]Override
	years []int
}

// New returns a calendar with the given overrides. Overrides with a zero
// date or an unknown kind are ignored; for a date given twice the last one
// wins.
func New(overrides []Override) *Calendar {
	c := &Calendar{days: make(map[Date]Override, len(overrides))}
	for _, o := range overrides {
		if o.Date.IsZero() || !o.Kind.Valid() {
			continue
		}
		o.Date = MakeDate(o.Date.Year, o.Date.Month, o.Date.Day)
		c.days[o.Date] = o
	}
	for d := range c.days {
		if !slices.Contains(c.years, d.Year) {
			c.years = append(c.years, d.Year)
		}
	}
	slices.Sort(c.years)
	return c
}

//go:embed holidays.txt
var defaultSchedules string

var defaultCalendar = sync.OnceValue(func() *Calendar {
	return New(DefaultOverrides())
})

// Default returns the calendar built from the State Council schedules
// shipped with the program (2025 and 2026).
func Default() *Calendar { return defaultCalendar() }

// DefaultOverrides returns the shipped schedules, sorted by date, for
// seeding the table an administrator edits. The slice is a fresh copy.
func DefaultOverrides() []Override {
	list, err := ParseOverrides(defaultSchedules)
	if err != nil {
		panic("calendar: embedded holidays.txt: " + err.Error())
	}
	return list
}

// ParseOverrides reads schedules in the format of the embedded
// holidays.txt: one "DATE[..DATE] KIND NAME" per line, '#' starts a
// comment line. The result is sorted by date. Errors name the line and are
// in Simplified Chinese, for an administrator uploading a schedule.
func ParseOverrides(text string) ([]Override, error) {
	var list []Override
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			return nil, fmt.Errorf("第 %d 行格式错误，应为“日期[..日期] holiday|workday 名称”", i+1)
		}
		from, to, err := parseRange(fields[0])
		if err != nil {
			return nil, fmt.Errorf("第 %d 行：%v", i+1, err)
		}
		kind := DayKind(fields[1])
		if !kind.Valid() {
			return nil, fmt.Errorf("第 %d 行：类型 %q 无效，应为 holiday 或 workday", i+1, fields[1])
		}
		name := strings.Join(fields[2:], " ")
		for d := from; !d.After(to); d = d.AddDays(1) {
			list = append(list, Override{Date: d, Kind: kind, Name: name})
		}
	}
	slices.SortStableFunc(list, func(a, b Override) int { return a.Date.Compare(b.Date) })
	return list, nil
}

func parseRange(s string) (from, to Date, err error) {
	a, b, isRange := strings.Cut(s, "..")
	if from, err = ParseDate(a); err != nil {
		return
	}
	to = from
	if isRange {
		if to, err = ParseDate(b); err != nil {
			return
		}
	}
	if to.Before(from) || to.Sub(from) > 366 {
		err = fmt.Errorf("日期范围 %s 无效", s)
	}
	return
}

// Overrides returns the calendar's overrides sorted by date.
func (c *Calendar) Overrides() []Override {
	list := make([]Override, 0, len(c.days))
	for _, o := range c.days {
		list = append(list, o)
	}
	slices.SortFunc(list, func(a, b Override) int { return a.Date.Compare(b.Date) })
	return list
}

// Years returns, in order, the years that have overrides. A date in a
// year not listed is computed by the weekend rule alone, which is worth a
// warning.
func (c *Calendar) Years() []int { return slices.Clone(c.years) }

// Covers reports whether the holiday schedule of d's year is known.
func (c *Calendar) Covers(d Date) bool {
	_, ok := slices.BinarySearch(c.years, d.Year)
	return ok
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d Date) bool {
	if o, ok := c.days[d]; ok {
		return o.Kind == Workday
	}
	return !isWeekend(d)
}

// NextWorkday returns the first working day after d.
func (c *Calendar) NextWorkday(d Date) Date {
	for {
		d = d.AddDays(1)
		if c.IsWorkday(d) {
			return d
		}
	}
}

// Describe says what kind of day d is, in words for staff: "工作日",
// "周六休息", "周日休息", "国庆节(法定节假日)", "国庆节调休上班".
func (c *Calendar) Describe(d Date) string {
	if o, ok := c.days[d]; ok {
		if o.Kind == Workday {
			if o.Name == "" {
				return "调休上班"
			}
			return o.Name
		}
		if o.Name == "" {
			return "节假日"
		}
		return o.Name + "(法定节假日)"
	}
	switch d.Weekday() {
	case time.Saturday:
		return "周六休息"
	case time.Sunday:
		return "周日休息"
	}
	return "工作日"
}

// WorkdaysBetween returns the number of working days in (from, to]: from
// is not counted, to is. It is negative when to is before from, so that
// WorkdaysBetween(due, today) < 0 reads as "working days left".
func (c *Calendar) WorkdaysBetween(from, to Date) int {
	if to.Before(from) {
		return -c.WorkdaysBetween(to, from)
	}
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

// Explanation says how a due date was reached, in Simplified Chinese lines
// a staff member can read.
type Explanation struct {
	Start Date `json:"start"`
	Due   Date `json:"due"`
	// Steps are the reasoning in order, e.g. "起算日 2026-09-29 不计入，自次日起计算 5 个工作日",
	// "2026-10-01 至 2026-10-07 国庆节(法定节假日)，不计为工作日",
	// "第 5 个工作日为 2026-10-12".
	Steps []string `json:"steps"`
	// Skipped are the non-working days passed over: inside a working-day
	// count, or between the original last day and the rolled due date.
	Skipped []Date `json:"skipped,omitempty"`
	// RolledFrom is the original last day when it was rolled forward to
	// the next working day.
	RolledFrom *Date `json:"rolled_from,omitempty"`
}

// String returns the steps, one per line.
func (e Explanation) String() string { return strings.Join(e.Steps, "\n") }

// DueAfterDays counts days in calendar days ("日"): the start day is not
// counted, so day 1 is the day after start. When rollForward is set and the
// last day is not a working day, the period ends on the next working day
// (《民事诉讼法》第八十五条). A days value below zero counts as zero.
func (c *Calendar) DueAfterDays(start Date, days int, rollForward bool) Explanation {
	days = max(days, 0)
	e := Explanation{Start: start}
	e.Steps = append(e.Steps, fmt.Sprintf("起算日 %s 不计入，自次日起计算 %d 日", start, days))
	last := start.AddDays(days)
	desc := c.Describe(last)
	switch {
	case c.IsWorkday(last):
		e.Steps = append(e.Steps, fmt.Sprintf("第 %d 日为 %s%s", days, last, c.aside(last)))
		e.Due = last
	case !rollForward:
		e.Steps = append(e.Steps, fmt.Sprintf("第 %d 日为 %s，当日为%s，不顺延", days, last, desc))
		e.Due = last
	default:
		e.Steps = append(e.Steps, fmt.Sprintf("第 %d 日为 %s", days, last))
		due := c.NextWorkday(last)
		for d := last; d.Before(due); d = d.AddDays(1) {
			e.Skipped = append(e.Skipped, d)
		}
		e.Steps = append(e.Steps, c.describeRun(e.Skipped)...)
		e.Steps = append(e.Steps, fmt.Sprintf("期限末日 %s 为%s，顺延至 %s", last, desc, due))
		rolled := last
		e.RolledFrom = &rolled
		e.Due = due
	}
	c.warnUnknown(&e)
	return e
}

// DueAfterWorkdays returns the n-th working day after start; start itself
// is not counted. For n ≤ 0 the due date is start.
func (c *Calendar) DueAfterWorkdays(start Date, n int) Explanation {
	e := Explanation{Start: start, Due: start}
	if n <= 0 {
		e.Steps = append(e.Steps, fmt.Sprintf("期限为 0 个工作日，即起算日 %s", start))
		c.warnUnknown(&e)
		return e
	}
	e.Steps = append(e.Steps, fmt.Sprintf("起算日 %s 不计入，自次日起计算 %d 个工作日", start, n))
	var run []Date // the current stretch of non-working days
	d := start
	for count := 0; count < n; {
		d = d.AddDays(1)
		if !c.IsWorkday(d) {
			run = append(run, d)
			e.Skipped = append(e.Skipped, d)
			continue
		}
		e.Steps = append(e.Steps, c.describeRun(run)...)
		run = run[:0]
		count++
		if count < n && c.Describe(d) != "工作日" {
			// A make-up working day on a weekend is the surprising case.
			e.Steps = append(e.Steps, fmt.Sprintf("%s 为%s，计为第 %d 个工作日", d, c.Describe(d), count))
		}
	}
	e.Due = d
	e.Steps = append(e.Steps, fmt.Sprintf("第 %d 个工作日为 %s%s", n, d, c.aside(d)))
	c.warnUnknown(&e)
	return e
}

// aside is "(国庆节调休上班)" after a working day that is not an ordinary one.
func (c *Calendar) aside(d Date) string {
	if desc := c.Describe(d); desc != "工作日" {
		return "(" + desc + ")"
	}
	return ""
}

// describeRun explains a stretch of consecutive non-working days, grouping
// the days of one holiday, and a Saturday with its Sunday.
func (c *Calendar) describeRun(run []Date) []string {
	var steps []string
	for i := 0; i < len(run); {
		label := c.groupLabel(run[i])
		j := i + 1
		for j < len(run) && run[j] == run[j-1].AddDays(1) && c.groupLabel(run[j]) == label {
			j++
		}
		if j-i == 1 {
			steps = append(steps, fmt.Sprintf("%s %s，不计为工作日", run[i], c.Describe(run[i])))
		} else {
			steps = append(steps, fmt.Sprintf("%s 至 %s %s，不计为工作日", run[i], run[j-1], label))
		}
		i = j
	}
	return steps
}

func (c *Calendar) groupLabel(d Date) string {
	if _, ok := c.days[d]; !ok && isWeekend(d) {
		return "周末休息"
	}
	return c.Describe(d)
}

// warnUnknown adds a caution when the period runs into a year whose
// schedule the calendar does not have.
func (c *Calendar) warnUnknown(e *Explanation) {
	for y := e.Start.Year; y <= e.Due.Year; y++ {
		if _, ok := slices.BinarySearch(c.years, y); !ok {
			e.Steps = append(e.Steps, fmt.Sprintf("注意：%d 年节假日安排尚未录入，仅按周六、周日休息计算，请核对", y))
		}
	}
}

func isWeekend(d Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}
