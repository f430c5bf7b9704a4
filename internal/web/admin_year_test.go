package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
)

// TestHolidayYearSchedule: the administrator enters 2027's schedule at
// once; the calendar is then exactly it (a day set before in 2027 and not
// in the schedule is gone, 2026 untouched), the deadline calculator
// counts with it, and the form shows it back as lines; a schedule with
// one bad line changes nothing and names the line.
func TestHolidayYearSchedule(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-12-01T09:00")
	admin := env.user(t, "admin", "XC", xinfang.RoleAdmin)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	ctx := xinfang.NewContextWithUser(context.Background(), &xinfang.User{ID: -1, Roles: []xinfang.Role{xinfang.RoleAdmin}})
	if err := env.DB.Directory.SaveHoliday(ctx, calendar.Override{Date: calendar.MakeDate(2027, 3, 3), Kind: calendar.Holiday, Name: "错误的一天"}); err != nil {
		t.Fatal(err)
	}
	before, err := env.DB.Directory.Holidays(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	count2026 := 0
	for _, o := range before {
		if o.Date.Year == 2026 {
			count2026++
		}
	}
	schedule := "# 2027 年节假日安排\n2027-01-01 放假 元旦\n2027-02-06~2027-02-13 放假 春节\n2027-02-14 上班 春节调休上班\n2027-10-01 至 2027-10-07 放假 国庆节\n2027-10-09 上班 国庆节调休上班\n"

	// One bad line: nothing changes, the line is named.
	bad := strings.Replace(schedule, "2027-02-14 上班", "2027-02-14 加班", 1)
	status, _, body := admin.page(t, "POST", "/admin/holidays/year", url.Values{"year": {"2027"}, "schedule": {bad}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "第 4 行") {
		t.Fatalf("bad schedule: %d\n%s", status, pageExcerpt(body))
	}
	status, _, _ = admin.page(t, "POST", "/admin/holidays/year", url.Values{"year": {"2027"}, "schedule": {strings.Replace(schedule, "2027-01-01", "2028-01-01", 1)}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("a day of another year: %d", status)
	}
	if after, _ := env.DB.Directory.Holidays(context.Background()); len(after) != len(before) {
		t.Fatalf("a refused schedule changed the calendar: %d days, were %d", len(after), len(before))
	}

	status, loc, _ := admin.page(t, "POST", "/admin/holidays/year", url.Values{"year": {"2027"}, "schedule": {schedule}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/holidays?year=2027") {
		t.Fatalf("schedule: %d %s", status, loc)
	}
	after, err := env.DB.Directory.Holidays(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got2027, got2026 := 0, 0
	for _, o := range after {
		switch o.Date.Year {
		case 2027:
			got2027++
			if o.Date == calendar.MakeDate(2027, 3, 3) {
				t.Errorf("a 2027 day left out of the schedule is still there")
			}
		case 2026:
			got2026++
		}
	}
	if got2027 != 1+8+1+7+1 || got2026 != count2026 {
		t.Errorf("2027 has %d days (want 18), 2026 %d (was %d)", got2027, got2026, count2026)
	}
	// The calculator counts with it: 5 working days from 2027-09-30 skip
	// 国庆 and take the make-up Saturday 10-09.
	var calc struct {
		Due string `json:"due"`
	}
	handler.ok(t, http.StatusOK, "GET", "/api/v1/deadline?clock=objection&start=2027-09-30", nil, &calc)
	if calc.Due != "2027-10-13" {
		t.Errorf("objection from 2027-09-30 due %s, want 2027-10-13 (10-08, 10-09 调休上班, 10-11, 10-12, 10-13)", calc.Due)
	}
	_, _, body = admin.page(t, "GET", "/admin/holidays?year=2027", nil)
	if !strings.Contains(body, "2027-10-01~2027-10-07 放假 国庆节") || !strings.Contains(body, "2027-02-14 上班 春节调休上班") {
		t.Errorf("the form does not show the year's schedule back:\n%s", pageExcerpt(body))
	}
	// Only the administrator.
	status, _, _ = handler.page(t, "POST", "/admin/holidays/year", url.Values{"year": {"2027"}, "schedule": {schedule}})
	if status != http.StatusForbidden {
		t.Errorf("a handler sets the schedule: %d", status)
	}
}

// TestDictionaryEditInPlace: each row of the dictionary page is its own
// form; saving one row changes that entry only.
func TestDictionaryEditInPlace(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-12-01T09:00")
	admin := env.user(t, "admin", "XC", xinfang.RoleAdmin)
	_, _, body := admin.page(t, "GET", "/admin/dictionary?kind=category", nil)
	if !strings.Contains(body, `<input type="hidden" name="code" value="0501">`) || !strings.Contains(body, `form="dict-`) {
		t.Fatalf("the dictionary rows are not editable in place:\n%s", pageExcerpt(body))
	}
	entries, err := env.DB.Directory.Dictionary(context.Background(), xinfang.DictCategory)
	if err != nil {
		t.Fatal(err)
	}
	var e xinfang.DictEntry
	for _, x := range entries {
		if x.Code == "0501" {
			e = x
		}
	}
	status, loc, _ := admin.page(t, "POST", "/admin/dictionary", url.Values{"kind": {"category"}, "code": {"0501"}, "parent": {e.Parent},
		"label": {"拖欠工资（改）"}, "sort": {"7"}})
	if status != http.StatusSeeOther || !strings.Contains(loc, "saved=0501") {
		t.Fatalf("save row: %d %s", status, loc)
	}
	after, _ := env.DB.Directory.Dictionary(context.Background(), xinfang.DictCategory)
	if len(after) != len(entries) {
		t.Errorf("%d entries after the save, were %d", len(after), len(entries))
	}
	for i, x := range after {
		if x.Code == "0501" {
			if x.Label != "拖欠工资（改）" || x.Sort != 7 || x.Active {
				t.Errorf("0501 after the save: %+v", x)
			}
			continue
		}
		for _, y := range entries {
			if y.Code == x.Code && y != x {
				t.Errorf("entry %d (%s) changed: %+v, was %+v", i, x.Code, x, y)
			}
		}
	}
}
