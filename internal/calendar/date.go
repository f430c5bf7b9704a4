// Package calendar counts days on the Asia/Shanghai calendar: civil dates,
// working days under the State Council's yearly holiday schedules (with
// make-up working days, 调休), and the due dates of the 信访 procedure's
// clocks, each with an explanation a staff member can read.
//
// It is pure Go with no I/O beyond its embedded default schedules, and it
// must never import other packages of the application.
package calendar

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
	_ "time/tzdata" // Asia/Shanghai must resolve even on servers without zoneinfo.
)

// shanghai is the zone all dates are computed in, whatever the server's TZ.
var shanghai = loadShanghai()

func loadShanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// China has kept UTC+8 without daylight saving since 1991.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Location returns the Asia/Shanghai zone used for all dates.
func Location() *time.Location { return shanghai }

// Date is a civil date on the Asia/Shanghai calendar. The zero Date means
// "no date". Dates are comparable with == and usable as map keys as long as
// they are normalized (as every constructor in this package returns them).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the Shanghai calendar date of the instant t, whatever t's
// zone or the server's time zone.
func DateOf(t time.Time) Date {
	y, m, d := t.In(shanghai).Date()
	return Date{y, m, d}
}

// MakeDate returns the date y-m-d, normalized like time.Date (so
// MakeDate(2026, 2, 29) is 2026-03-01).
func MakeDate(y int, m time.Month, d int) Date {
	return fromUTC(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// ParseDate parses a date written "2006-01-02". The error message is in
// Simplified Chinese so it can be shown to the user.
func ParseDate(s string) (Date, error) {
	if len(s) != len("2006-01-02") || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("日期 %q 格式错误，应为 YYYY-MM-DD", s)
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return Date{}, fmt.Errorf("日期 %q 格式错误，应为 YYYY-MM-DD", s)
		}
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("日期 %s 不存在", s)
	}
	return fromUTC(t), nil
}

// MustParseDate is ParseDate for constants and tests; it panics on error.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the date as "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// AddDays returns the date n days after d (before it if n < 0).
func (d Date) AddDays(n int) Date { return fromUTC(d.utc().AddDate(0, 0, n)) }

// Sub returns the number of days from o to d: d.Sub(o) == 1 when d is the
// day after o.
func (d Date) Sub(o Date) int {
	// Both are UTC midnights, so the difference is a whole number of days.
	return int(d.utc().Sub(o.utc()) / (24 * time.Hour))
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Equal reports whether d and o are the same day.
func (d Date) Equal(o Date) bool { return d.Compare(o) == 0 }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// Time returns midnight at the start of d in Asia/Shanghai.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, shanghai)
}

// MarshalText encodes d as "2006-01-02" (empty for the zero Date), so it
// appears in JSON as a plain date string.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes "2006-01-02"; an empty text gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UnmarshalJSON decodes "2006-01-02" or "" (the zero Date). A bad date is
// a *json.UnmarshalTypeError, so that the decoder names the field it is
// in ("steps.deadline") and the HTTP layer can say which field is wrong.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "日期须为字符串 YYYY-MM-DD", Type: reflect.TypeFor[Date]()}
	}
	if err := d.UnmarshalText([]byte(s)); err != nil {
		return &json.UnmarshalTypeError{Value: err.Error(), Type: reflect.TypeFor[Date]()}
	}
	return nil
}

// Value stores d as the text "2006-01-02" ("" for the zero Date), the way
// every date column holds it on both databases.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a date column: text "2006-01-02" or "" (the zero Date); NULL
// is the zero Date too.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	case time.Time:
		*d = DateOf(v)
		return nil
	}
	return fmt.Errorf("calendar.Date: cannot scan %T", src)
}

// utc is used for arithmetic: UTC has no DST, so days are always 24 hours
// (Shanghai observed DST in 1986–1991).
func (d Date) utc() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

func fromUTC(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
