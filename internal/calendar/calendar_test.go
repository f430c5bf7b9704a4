package calendar_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"xinfang/internal/calendar"
)

func d(s string) calendar.Date { return calendar.MustParseDate(s) }

func TestDefaultSchedules(t *testing.T) {
	cal := calendar.Default()
	if got, want := cal.Years(), []int{2025, 2026}; !slices.Equal(got, want) {
		t.Fatalf("Years() = %v, want %v", got, want)
	}
	// Count the days off and make-up days per year against the notices.
	tests := []struct {
		year               int
		holidays, workdays int
	}{
		// 2025: 1 + 8 + 3 + 5 + 3 + 8 days off; 2 + 1 + 2 make-up days.
		{2025, 28, 5},
		// 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 days off; 1 + 2 + 1 + 2 make-up days.
		{2026, 33, 6},
	}
	for _, tt := range tests {
		var h, w int
		for _, o := range calendar.DefaultOverrides() {
			if o.Date.Year != tt.year {
				continue
			}
			if o.Name == "" {
				t.Errorf("%s has no name", o.Date)
			}
			switch o.Kind {
			case calendar.Holiday:
				h++
			case calendar.Workday:
				w++
				if wd := o.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
					t.Errorf("make-up day %s is a %s, not a weekend day", o.Date, wd)
				}
			}
		}
		if h != tt.holidays || w != tt.workdays {
			t.Errorf("%d: %d holidays, %d workdays; want %d, %d", tt.year, h, w, tt.holidays, tt.workdays)
		}
	}
}

func TestIsWorkdayAndDescribe(t *testing.T) {
	cal := calendar.Default()
	tests := []struct {
		date    string
		workday bool
		desc    string
	}{
		{"2026-03-02", true, "工作日"},
		{"2026-03-07", false, "周六休息"},
		{"2026-03-08", false, "周日休息"},
		{"2026-10-01", false, "国庆节(法定节假日)"},
		{"2026-10-07", false, "国庆节(法定节假日)"},
		{"2026-10-08", true, "工作日"},
		{"2026-10-10", true, "国庆节调休上班"},
		{"2026-09-20", true, "国庆节调休上班"},
		{"2026-09-25", false, "中秋节(法定节假日)"},
		{"2026-01-04", true, "元旦调休上班"},
		{"2026-02-14", true, "春节调休上班"},
		{"2026-02-15", false, "春节(法定节假日)"},
		{"2026-02-23", false, "春节(法定节假日)"},
		{"2026-02-24", true, "工作日"},
		{"2026-02-28", true, "春节调休上班"},
		{"2026-05-09", true, "劳动节调休上班"},
		{"2026-06-19", false, "端午节(法定节假日)"},
		{"2025-01-01", false, "元旦(法定节假日)"},
		{"2025-01-26", true, "春节调休上班"},
		{"2025-02-04", false, "春节(法定节假日)"},
		{"2025-02-08", true, "春节调休上班"},
		{"2025-04-27", true, "劳动节调休上班"},
		{"2025-06-02", false, "端午节(法定节假日)"},
		{"2025-10-08", false, "国庆节、中秋节(法定节假日)"},
		{"2025-10-11", true, "国庆节、中秋节调休上班"},
		{"2027-01-01", true, "工作日"}, // unknown year: weekend rule only
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			day := d(tt.date)
			if got := cal.IsWorkday(day); got != tt.workday {
				t.Errorf("IsWorkday = %v, want %v", got, tt.workday)
			}
			if got := cal.Describe(day); got != tt.desc {
				t.Errorf("Describe = %q, want %q", got, tt.desc)
			}
		})
	}
}

func TestDueAfterWorkdays(t *testing.T) {
	cal := calendar.Default()
	tests := []struct {
		name    string
		start   string
		n       int
		due     string
		skipped []string
		steps   []string // each must appear among the steps
	}{
		{
			// A transfer received on Tuesday 2026-09-29; objection within 5
			// working days (第二十三条). 09-30 is day 1; 10-01..10-07 are
			// National Day; 10-08 day 2, 10-09 day 3; Saturday 10-10 is a
			// make-up working day, day 4; Sunday 10-11 is a rest day;
			// Monday 10-12 is day 5.
			name:    "national day 2026 with make-up saturday",
			start:   "2026-09-29",
			n:       5,
			due:     "2026-10-12",
			skipped: []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07", "2026-10-11"},
			steps: []string{
				"起算日 2026-09-29 不计入，自次日起计算 5 个工作日",
				"2026-10-01 至 2026-10-07 国庆节(法定节假日)，不计为工作日",
				"2026-10-10 为国庆节调休上班，计为第 4 个工作日",
				"2026-10-11 周日休息，不计为工作日",
				"第 5 个工作日为 2026-10-12",
			},
		},
		{
			// Saturday 10-10 is itself the 4th working day.
			name:  "due on make-up saturday",
			start: "2026-09-29",
			n:     4,
			due:   "2026-10-10",
			steps: []string{"第 4 个工作日为 2026-10-10(国庆节调休上班)"},
		},
		{
			// Thursday 2026-02-12: 02-13 day 1, Saturday 02-14 make-up day 2,
			// 02-15..02-23 春节, 02-24 day 3 ... 02-27 day 6, Saturday 02-28
			// make-up day 7.
			name:  "spring festival 2026",
			start: "2026-02-12",
			n:     7,
			due:   "2026-02-28",
			steps: []string{
				"2026-02-14 为春节调休上班，计为第 2 个工作日",
				"2026-02-15 至 2026-02-23 春节(法定节假日)，不计为工作日",
				"第 7 个工作日为 2026-02-28(春节调休上班)",
			},
		},
		{
			name:    "ordinary weekend",
			start:   "2026-03-05", // Thursday
			n:       5,
			due:     "2026-03-12",
			skipped: []string{"2026-03-07", "2026-03-08"},
			steps:   []string{"2026-03-07 至 2026-03-08 周末休息，不计为工作日"},
		},
		{
			// Mid-Autumn 09-25..09-27 then make-up Sunday 09-20 earlier.
			name:  "mid-autumn 2026",
			start: "2026-09-24",
			n:     1,
			due:   "2026-09-28",
			steps: []string{"2026-09-25 至 2026-09-27 中秋节(法定节假日)，不计为工作日"},
		},
		{
			name:  "zero",
			start: "2026-10-01",
			n:     0,
			due:   "2026-10-01",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cal.DueAfterWorkdays(d(tt.start), tt.n)
			checkExplanation(t, e, tt.start, tt.due, tt.steps)
			if tt.skipped != nil {
				var got []string
				for _, s := range e.Skipped {
					got = append(got, s.String())
				}
				if !slices.Equal(got, tt.skipped) {
					t.Errorf("Skipped = %v, want %v", got, tt.skipped)
				}
			}
			if e.RolledFrom != nil {
				t.Errorf("RolledFrom = %v, want nil", e.RolledFrom)
			}
			// The due date is consistent with WorkdaysBetween.
			if got := cal.WorkdaysBetween(d(tt.start), e.Due); got != tt.n {
				t.Errorf("WorkdaysBetween(start, due) = %d, want %d", got, tt.n)
			}
		})
	}
}

func TestDueAfterDays(t *testing.T) {
	cal := calendar.Default()
	tests := []struct {
		name       string
		start      string
		days       int
		roll       bool
		due        string
		rolledFrom string
		steps      []string
	}{
		{
			// Day 15 is 02-16, inside 春节 (02-15..02-23); next working day
			// is Tuesday 02-24.
			name:       "last day in spring festival 2026",
			start:      "2026-02-01",
			days:       15,
			roll:       true,
			due:        "2026-02-24",
			rolledFrom: "2026-02-16",
			steps: []string{
				"起算日 2026-02-01 不计入，自次日起计算 15 日",
				"第 15 日为 2026-02-16",
				"2026-02-16 至 2026-02-23 春节(法定节假日)，不计为工作日",
				"期限末日 2026-02-16 为春节(法定节假日)，顺延至 2026-02-24",
			},
		},
		{
			// Day 15 is 10-01, National Day 10-01..10-07; 10-08 is Thursday.
			name:       "last day on national day 2026",
			start:      "2026-09-16",
			days:       15,
			roll:       true,
			due:        "2026-10-08",
			rolledFrom: "2026-10-01",
			steps:      []string{"期限末日 2026-10-01 为国庆节(法定节假日)，顺延至 2026-10-08"},
		},
		{
			name:       "last day on an ordinary saturday",
			start:      "2026-03-06",
			days:       15,
			roll:       true,
			due:        "2026-03-23",
			rolledFrom: "2026-03-21",
			steps: []string{
				"2026-03-21 至 2026-03-22 周末休息，不计为工作日",
				"期限末日 2026-03-21 为周六休息，顺延至 2026-03-23",
			},
		},
		{
			name:  "last day on a make-up saturday does not roll",
			start: "2026-09-25",
			days:  15,
			roll:  true,
			due:   "2026-10-10",
			steps: []string{"第 15 日为 2026-10-10(国庆节调休上班)"},
		},
		{
			name:  "spring festival make-up saturday does not roll",
			start: "2026-02-13",
			days:  15,
			roll:  true,
			due:   "2026-02-28",
		},
		{
			name:  "rolling disabled",
			start: "2026-02-01",
			days:  15,
			roll:  false,
			due:   "2026-02-16",
			steps: []string{"第 15 日为 2026-02-16，当日为春节(法定节假日)，不顺延"},
		},
		{
			// 03-02 + 60 days is 05-01; 劳动节 runs to 05-05.
			name:       "60 days into labour day",
			start:      "2026-03-02",
			days:       60,
			roll:       true,
			due:        "2026-05-06",
			rolledFrom: "2026-05-01",
		},
		{
			name:       "2025 national day and mid-autumn",
			start:      "2025-09-18",
			days:       15,
			roll:       true,
			due:        "2025-10-09",
			rolledFrom: "2025-10-03",
			steps:      []string{"期限末日 2025-10-03 为国庆节、中秋节(法定节假日)，顺延至 2025-10-09"},
		},
		{
			name:  "across the year into an unknown schedule",
			start: "2026-12-20",
			days:  15,
			roll:  true,
			due:   "2027-01-04",
			steps: []string{"注意：2027 年节假日安排尚未录入，仅按周六、周日休息计算，请核对"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cal.DueAfterDays(d(tt.start), tt.days, tt.roll)
			checkExplanation(t, e, tt.start, tt.due, tt.steps)
			switch {
			case tt.rolledFrom == "" && e.RolledFrom != nil:
				t.Errorf("RolledFrom = %s, want nil", e.RolledFrom)
			case tt.rolledFrom != "" && (e.RolledFrom == nil || *e.RolledFrom != d(tt.rolledFrom)):
				t.Errorf("RolledFrom = %v, want %s", e.RolledFrom, tt.rolledFrom)
			}
			if e.RolledFrom != nil {
				if got, want := len(e.Skipped), e.Due.Sub(*e.RolledFrom); got != want {
					t.Errorf("%d skipped days, want %d", got, want)
				}
			}
		})
	}
}

func checkExplanation(t *testing.T, e calendar.Explanation, start, due string, steps []string) {
	t.Helper()
	if e.Start != d(start) {
		t.Errorf("Start = %s, want %s", e.Start, start)
	}
	if e.Due != d(due) {
		t.Errorf("Due = %s, want %s\n%s", e.Due, due, e)
	}
	for _, s := range steps {
		if !slices.Contains(e.Steps, s) {
			t.Errorf("missing step %q in:\n%s", s, e)
		}
	}
	if len(e.Steps) == 0 {
		t.Error("no steps")
	}
}

func TestWorkdaysBetween(t *testing.T) {
	cal := calendar.Default()
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-09-29", "2026-10-12", 5},
		{"2026-09-29", "2026-09-29", 0},
		{"2026-09-30", "2026-10-07", 0},
		{"2026-10-12", "2026-09-29", -5},
		{"2026-03-01", "2026-03-31", 22},
		{"2025-12-31", "2026-01-04", 1}, // 1–3 元旦, 4 make-up Sunday
	}
	for _, tt := range tests {
		t.Run(tt.from+"_"+tt.to, func(t *testing.T) {
			if got := cal.WorkdaysBetween(d(tt.from), d(tt.to)); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDateOf(t *testing.T) {
	t.Setenv("TZ", "UTC")
	tests := []struct {
		instant string
		want    string
	}{
		{"2026-03-01T16:30:00Z", "2026-03-02"},
		{"2026-03-01T15:59:59Z", "2026-03-01"},
		{"2026-03-01T16:00:00Z", "2026-03-02"},
		{"2026-03-02T00:30:00+08:00", "2026-03-02"},
		{"2026-03-01T10:00:00-08:00", "2026-03-02"},
	}
	for _, tt := range tests {
		t.Run(tt.instant, func(t *testing.T) {
			in, err := time.Parse(time.RFC3339, tt.instant)
			if err != nil {
				t.Fatal(err)
			}
			if got := calendar.DateOf(in); got.String() != tt.want {
				t.Errorf("DateOf = %s, want %s", got, tt.want)
			}
			if got := calendar.DateOf(in.UTC()); got.String() != tt.want {
				t.Errorf("DateOf(UTC) = %s, want %s", got, tt.want)
			}
		})
	}
	if got := d("2026-03-02").Time(); !got.Equal(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("Time() = %v, want 2026-03-01T16:00:00Z", got)
	}
	if name := calendar.Location().String(); name != "Asia/Shanghai" {
		t.Errorf("Location() = %s, want Asia/Shanghai (tzdata embedded)", name)
	}
}

func TestDateArithmetic(t *testing.T) {
	a, b := d("2026-02-27"), d("2026-03-02")
	if got := a.AddDays(3); got != b {
		t.Errorf("AddDays(3) = %s", got)
	}
	if got := b.AddDays(-3); got != a {
		t.Errorf("AddDays(-3) = %s", got)
	}
	if got := b.Sub(a); got != 3 {
		t.Errorf("Sub = %d", got)
	}
	if got := a.Sub(b); got != -3 {
		t.Errorf("Sub = %d", got)
	}
	if got := d("2027-01-01").Sub(d("2026-01-01")); got != 365 {
		t.Errorf("year Sub = %d", got)
	}
	if got := d("1988-05-01").Sub(d("1988-04-01")); got != 30 { // Shanghai DST years
		t.Errorf("DST-era Sub = %d", got)
	}
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Equal(b) || !a.Equal(d("2026-02-27")) {
		t.Error("comparisons wrong")
	}
	if got := a.Weekday(); got != time.Friday {
		t.Errorf("Weekday = %s", got)
	}
	if got := calendar.MakeDate(2026, 2, 29); got != d("2026-03-01") {
		t.Errorf("MakeDate normalized = %s", got)
	}
	var zero calendar.Date
	if !zero.IsZero() || a.IsZero() || zero.String() != "" {
		t.Error("zero date wrong")
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{"2026-10-01", ""},
		{"2024-02-29", ""},
		{"2026-02-29", "不存在"},
		{"2026-13-01", "不存在"},
		{"2026-04-31", "不存在"},
		{"2026/10/01", "格式错误"},
		{"2026-1-1", "格式错误"},
		{"", "格式错误"},
		{"20261001", "格式错误"},
		{"2026-10-01T00:00:00Z", "格式错误"},
		{"+026-10-01", "格式错误"},
		{"２０２６-10-01", "格式错误"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := calendar.ParseDate(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if got.String() != tt.in {
					t.Errorf("round trip: %s", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestDateJSON(t *testing.T) {
	type record struct {
		Due     calendar.Date  `json:"due"`
		Pending calendar.Date  `json:"pending"`
		Ptr     *calendar.Date `json:"ptr"`
		Dates   []calendar.Date
	}
	due := d("2026-10-12")
	in := record{Due: due, Ptr: &due, Dates: []calendar.Date{d("2026-10-01"), d("2025-01-28")}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"due":"2026-10-12","pending":"","ptr":"2026-10-12","Dates":["2026-10-01","2025-01-28"]}`
	if string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var out record
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Due != in.Due || !out.Pending.IsZero() || *out.Ptr != due || !slices.Equal(out.Dates, in.Dates) {
		t.Errorf("round trip = %+v", out)
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &out); err == nil {
		t.Error("want error for 2026-02-30")
	}
	// Map keys use the text form too.
	m := map[calendar.Date]int{due: 1}
	if b, err := json.Marshal(m); err != nil || string(b) != `{"2026-10-12":1}` {
		t.Errorf("map Marshal = %s, %v", b, err)
	}
}

func TestParseOverrides(t *testing.T) {
	list, err := calendar.ParseOverrides("# test\n2027-10-01..2027-10-03 holiday 国庆节\n2027-09-26 workday 国庆节调休上班\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 || list[0].Date != d("2027-09-26") || list[3].Name != "国庆节" {
		t.Errorf("got %+v", list)
	}
	cal := calendar.New(list)
	if cal.IsWorkday(d("2027-10-01")) || !cal.IsWorkday(d("2027-09-26")) || !cal.Covers(d("2027-01-01")) {
		t.Error("overrides not applied")
	}
	for _, bad := range []string{
		"2027-10-01",
		"2027-10-01 rest 国庆节",
		"2027-10-03..2027-10-01 holiday 国庆节",
		"2027-10-32 holiday 国庆节",
	} {
		if _, err := calendar.ParseOverrides(bad); err == nil || !strings.Contains(err.Error(), "第 1 行") {
			t.Errorf("ParseOverrides(%q) error = %v", bad, err)
		}
	}
}

func TestNewWithoutOverrides(t *testing.T) {
	cal := calendar.New(nil)
	if !cal.IsWorkday(d("2026-10-01")) || cal.IsWorkday(d("2026-10-10")) {
		t.Error("weekend rule only expected")
	}
	if len(cal.Years()) != 0 || cal.Covers(d("2026-01-01")) {
		t.Error("no years expected")
	}
	e := cal.DueAfterWorkdays(d("2026-09-29"), 5)
	if e.Due != d("2026-10-06") {
		t.Errorf("Due = %s, want 2026-10-06", e.Due)
	}
}

// A date column reads back the Date written, and "" or NULL is the zero Date.
func TestDateScanValue(t *testing.T) {
	d := calendar.MustParseDate("2026-10-08")
	v, err := d.Value()
	if err != nil || v != "2026-10-08" {
		t.Fatalf("Value = %v, %v", v, err)
	}
	if v, _ := (calendar.Date{}).Value(); v != "" {
		t.Fatalf("zero Value = %q", v)
	}
	for _, src := range []any{"2026-10-08", []byte("2026-10-08"), time.Date(2026, 10, 7, 20, 0, 0, 0, time.UTC)} {
		var got calendar.Date
		if err := got.Scan(src); err != nil || got != d {
			t.Errorf("Scan(%v) = %v, %v", src, got, err)
		}
	}
	for _, src := range []any{"", nil} {
		got := d
		if err := got.Scan(src); err != nil || !got.IsZero() {
			t.Errorf("Scan(%v) = %v, %v; want zero", src, got, err)
		}
	}
	var bad calendar.Date
	if err := bad.Scan("2026-13-01"); err == nil {
		t.Error("Scan accepted 2026-13-01")
	}
	if err := bad.Scan(42); err == nil {
		t.Error("Scan accepted an int")
	}
}

// A bad date in JSON is reported with the path of its field, so the API can
// name it; "" is the zero Date.
func TestDateJSONField(t *testing.T) {
	var v struct {
		Steps []struct {
			Deadline calendar.Date `json:"deadline"`
		} `json:"steps"`
	}
	err := json.Unmarshal([]byte(`{"steps":[{"deadline":"2026-02-30"}]}`), &v)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field != "steps.deadline" || !strings.Contains(te.Value, "不存在") {
		t.Fatalf("err = %#v", err)
	}
	if err := json.Unmarshal([]byte(`{"steps":[{"deadline":12}]}`), &v); !errors.As(err, &te) || te.Field != "steps.deadline" {
		t.Fatalf("number: err = %v", err)
	}
	if err := json.Unmarshal([]byte(`{"steps":[{"deadline":""},{"deadline":"2026-10-08"}]}`), &v); err != nil {
		t.Fatal(err)
	}
	if !v.Steps[0].Deadline.IsZero() || v.Steps[1].Deadline != calendar.MustParseDate("2026-10-08") {
		t.Fatalf("decoded %+v", v.Steps)
	}
	out, _ := json.Marshal(v.Steps[1])
	if string(out) != `{"deadline":"2026-10-08"}` {
		t.Fatalf("encoded %s", out)
	}
}
