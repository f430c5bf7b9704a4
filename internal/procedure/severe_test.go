package procedure_test

import (
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// 严重超期: overdue by the clock's own length again, counted as the clock
// counts.
func TestSevereAfter(t *testing.T) {
	cal := calendar.Default()
	for _, tc := range []struct {
		name     string
		due      string
		length   int
		workdays bool
		want     string
	}{
		// The disposal clock of TestWarningLevels: due 03-17, 15 days.
		{"calendar days", "2026-03-17", 15, false, "2026-04-01"},
		// Calendar days run through holidays and are not rolled forward:
		// 09-23 + 8 is 10-01, 国庆节.
		{"calendar days into a holiday", "2026-09-23", 8, false, "2026-10-01"},
		// The objection clock of TestWarningLevelsWorkdays: due 10-12, 5
		// working days again is 10-19.
		{"working days", "2026-10-12", 5, true, "2026-10-19"},
		// Working days skip 国庆 and count the make-up Saturday 10-10:
		// 09-30, 10-08, 10-09, 10-10, 10-12.
		{"working days over 国庆", "2026-09-29", 5, true, "2026-10-12"},
		// The same length in calendar days ends a week earlier.
		{"calendar days over 国庆", "2026-09-29", 5, false, "2026-10-04"},
		{"length zero counts as one", "2026-03-17", 0, false, "2026-03-18"},
		{"negative length counts as one", "2026-03-17", -4, false, "2026-03-18"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := procedure.SevereAfter(cal, calendar.MustParseDate(tc.due), tc.length, tc.workdays)
			if got.String() != tc.want {
				t.Errorf("SevereAfter(%s, %d, workdays %v) = %s, want %s", tc.due, tc.length, tc.workdays, got, tc.want)
			}
		})
	}
	// A calendar-day clock needs no calendar.
	if got := procedure.SevereAfter(nil, calendar.MustParseDate("2026-03-17"), 15, false); got.String() != "2026-04-01" {
		t.Errorf("without a calendar: %s", got)
	}
}

// A deadline set by hand is its own clock: from the day it was set to the
// deadline, at least one day. README "督办单": issued on the 2nd, due the
// 4th → 严重超期 from the 7th.
func TestDeadlineSevere(t *testing.T) {
	for _, tc := range []struct {
		name     string
		set, due string
		want     string
	}{
		{"README example", "2026-03-02", "2026-03-04", "2026-03-06"},
		{"one day", "2026-03-02", "2026-03-03", "2026-03-04"},
		{"due the day it is set", "2026-03-02", "2026-03-02", "2026-03-03"},
		{"due before it is set", "2026-03-05", "2026-03-02", "2026-03-03"},
		{"a month", "2026-03-02", "2026-04-01", "2026-05-01"},
		// Calendar days through 国庆, not rolled forward.
		{"over 国庆", "2026-09-25", "2026-09-28", "2026-10-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := procedure.DeadlineSevereAfter(calendar.MustParseDate(tc.set), calendar.MustParseDate(tc.due))
			if got.String() != tc.want {
				t.Errorf("DeadlineSevereAfter(%s, %s) = %s, want %s", tc.set, tc.due, got, tc.want)
			}
			// Storage's form: the instant it was set (late in the
			// Shanghai day, early in UTC).
			set := calendar.MustParseDate(tc.set).Time().Add(23*time.Hour + 30*time.Minute)
			if got := procedure.DeadlineSevereDay(set, calendar.MustParseDate(tc.due)); got.String() != tc.want {
				t.Errorf("DeadlineSevereDay(%s, %s) = %s, want %s", set, tc.due, got, tc.want)
			}
		})
	}
	if got := procedure.DeadlineSevereDay(time.Now(), calendar.Date{}); !got.IsZero() {
		t.Errorf("no deadline: %v", got)
	}
	// The levels the README example goes through.
	pr := procedure.New(calendar.Default(), procedure.DefaultConfig())
	severe := procedure.DeadlineSevereAfter(calendar.MustParseDate("2026-03-02"), calendar.MustParseDate("2026-03-04"))
	for today, want := range map[string]xinfang.Warning{
		"2026-03-02": xinfang.WarnNear, "2026-03-04": xinfang.WarnNear, "2026-03-05": xinfang.WarnOverdue,
		"2026-03-06": xinfang.WarnOverdue, "2026-03-07": xinfang.WarnSevere,
	} {
		if got := pr.WarningOf(calendar.MustParseDate("2026-03-04"), severe, calendar.MustParseDate(today)); got != want {
			t.Errorf("%s: %q, want %q", today, got, want)
		}
	}
}

// The clocks' own severe dates come from SevereAfter with their statutory
// length, also after an extension or a paused hearing: those move the due
// day, not the length counted again after it.
func TestClockSevereIsSevereAfter(t *testing.T) {
	pr := procedure.New(calendar.Default(), procedure.DefaultConfig())
	for _, d := range procedure.ClockDefs {
		for _, extra := range []int{0, 10} {
			c, err := pr.Calculate(d.Kind, time.Date(2026, 9, 20, 10, 0, 0, 0, calendar.Location()), extra, calendar.MustParseDate("2026-09-20"))
			if err != nil {
				t.Fatal(err)
			}
			want := procedure.SevereAfter(pr.Cal, c.Due, c.Clock.Length, d.Workdays)
			// The level on that day and the day after tells which date
			// the clock uses.
			if c2, _ := pr.Calculate(d.Kind, time.Date(2026, 9, 20, 10, 0, 0, 0, calendar.Location()), extra, want); c2.Warning != xinfang.WarnOverdue {
				t.Errorf("%s +%d: on %s (severe after) the clock says %q", d.Kind, extra, want, c2.Warning)
			}
			if c3, _ := pr.Calculate(d.Kind, time.Date(2026, 9, 20, 10, 0, 0, 0, calendar.Location()), extra, want.AddDays(1)); c3.Warning != xinfang.WarnSevere {
				t.Errorf("%s +%d: the day after %s the clock says %q", d.Kind, extra, want, c3.Warning)
			}
		}
	}
}
