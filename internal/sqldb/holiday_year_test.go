package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// TestSaveHolidayYear: a year's schedule replaces that year's days only,
// in one change; a repeated day or one of another year refuses it all.
func TestSaveHolidayYear(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-12-01"))
		f := sqldbtest.NewFixture(t, db)
		ctx := f.Ctx(f.Admin)
		d := calendar.MakeDate
		if err := db.Directory.SaveHoliday(ctx, calendar.Override{Date: d(2027, 5, 5), Kind: calendar.Holiday, Name: "旧"}); err != nil {
			t.Fatal(err)
		}
		before := count(t, db, "holidays")
		was2026 := 0
		all, _ := db.Directory.Holidays(ctx)
		for _, o := range all {
			if o.Date.Year == 2026 {
				was2026++
			}
		}
		year := []calendar.Override{{Date: d(2027, 1, 1), Kind: calendar.Holiday, Name: "元旦"}, {Date: d(2027, 2, 14), Kind: calendar.Workday, Name: "春节调休上班"}}
		err := db.Directory.SaveHolidayYear(ctx, 2027, append(year, calendar.Override{Date: d(2027, 1, 1), Kind: calendar.Holiday, Name: "元旦"}))
		wantErr(t, err, xinfang.EINVALID, "days.2027-01-01")
		err = db.Directory.SaveHolidayYear(ctx, 2027, append(year, calendar.Override{Date: d(2028, 1, 1), Kind: calendar.Holiday, Name: "元旦"}))
		wantErr(t, err, xinfang.EINVALID, "days.2028-01-01")
		if n := count(t, db, "holidays"); n != before {
			t.Fatalf("a refused schedule changed %d rows to %d", before, n)
		}
		if err := db.Directory.SaveHolidayYear(f.Ctx(f.RegistrarA), 2027, year); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			t.Errorf("a registrar sets the schedule: %v", err)
		}
		if err := db.Directory.SaveHolidayYear(ctx, 2027, year); err != nil {
			t.Fatal(err)
		}
		all, _ = db.Directory.Holidays(ctx)
		got := map[int]int{}
		for _, o := range all {
			got[o.Date.Year]++
			if o.Date == d(2027, 5, 5) {
				t.Errorf("2027-05-05 kept though not in the schedule")
			}
		}
		if got[2027] != 2 || got[2026] != was2026 {
			t.Errorf("days by year %v; want 2 in 2027 and 2026 untouched (%d)", got, was2026)
		}
		cal := db.Calendar(ctx)
		if cal.IsWorkday(d(2027, 1, 1)) || !cal.IsWorkday(d(2027, 2, 14)) {
			t.Errorf("the calendar does not follow the schedule")
		}
	})
}
