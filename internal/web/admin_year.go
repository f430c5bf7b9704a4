package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// The year's holiday schedule at once (整年节假日安排): the administrator
// pastes or types the State Council's schedule for a year — one line per
// day or run of days, "2027-10-01~2027-10-07 放假 国庆节", "2027-10-09 上班
// 国庆节调休上班" — and the year's calendar becomes exactly that, in one
// change; a bad line refuses the whole, naming the line.

// Schedule writes a year's overrides as the schedule's lines, runs of
// days of one kind and name on one line.
func scheduleText(days []calendar.Override) string {
	var b strings.Builder
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1].Kind == days[i].Kind && days[j+1].Name == days[i].Name && days[j+1].Date == days[j].Date.AddDays(1) {
			j++
		}
		kind := "放假"
		if days[i].Kind == calendar.Workday {
			kind = "上班"
		}
		if j > i {
			fmt.Fprintf(&b, "%s~%s %s %s\n", days[i].Date, days[j].Date, kind, days[i].Name)
		} else {
			fmt.Fprintf(&b, "%s %s %s\n", days[i].Date, kind, days[i].Name)
		}
		i = j + 1
	}
	return b.String()
}

// parseSchedule reads the schedule's lines: a date or a run of dates
// ("~", "至" or "-" between them), 放假/休 or 上班/班 (holiday, workday),
// and the name. Blank lines and lines starting with # are skipped.
func parseSchedule(text string) ([]calendar.Override, error) {
	var out []calendar.Override
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bad := func(msg string) error {
			return xinfang.FieldError("schedule", fmt.Sprintf("第 %d 行“%s”：%s", n+1, line, msg))
		}
		f := strings.Fields(strings.NewReplacer("～", "~", "至", "~", "，", " ", ",", " ").Replace(line))
		if len(f) < 3 {
			return nil, bad("应为“日期[~日期] 放假|上班 名称”")
		}
		span := f[0]
		if len(f) >= 5 && f[1] == "~" {
			span, f = f[0]+"~"+f[2], append([]string{f[0] + "~" + f[2]}, f[3:]...)
		}
		from, to, ok := strings.Cut(span, "~")
		if !ok && len(span) == len("2027-10-01-2027-10-07") {
			from, to, ok = span[:10], span[11:], true
		}
		first, err := calendar.ParseDate(from)
		if err != nil {
			return nil, bad(err.Error())
		}
		last := first
		if ok {
			if last, err = calendar.ParseDate(to); err != nil {
				return nil, bad(err.Error())
			}
		}
		if last.Before(first) || last.Sub(first) > 31 {
			return nil, bad("日期范围有误（至多 31 天）")
		}
		var kind calendar.DayKind
		switch f[1] {
		case "放假", "休", "假", "holiday":
			kind = calendar.Holiday
		case "上班", "班", "调休上班", "workday":
			kind = calendar.Workday
		default:
			return nil, bad("类型应为“放假”或“上班”")
		}
		name := strings.Join(f[2:], " ")
		for d := first; !d.After(last); d = d.AddDays(1) {
			out = append(out, calendar.Override{Date: d, Kind: kind, Name: name})
		}
	}
	return out, nil
}

func (s *Server) handleSaveHolidayYear(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	year, err := strconv.Atoi(strings.TrimSpace(form.Get("year")))
	if err != nil {
		return s.renderHolidays(w, r, 0, form, xinfang.FieldError("year", "请填写年份"), http.StatusUnprocessableEntity)
	}
	days, err := parseSchedule(form.Get("schedule"))
	if err == nil {
		err = s.Directory.SaveHolidayYear(r.Context(), year, days)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderHolidays(w, r, year, form, err, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/admin/holidays?year="+strconv.Itoa(year)+"&saved="+url.QueryEscape(strconv.Itoa(year)+" 年安排（"+strconv.Itoa(len(days))+" 天）"), http.StatusSeeOther)
	return nil
}

// apiSaveHolidayYear is PUT /api/v1/holidays/year/{year}: the body the
// year's overrides.
func (s *Server) apiSaveHolidayYear(w http.ResponseWriter, r *http.Request) error {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return xinfang.FieldError("year", "年份有误")
	}
	var in struct {
		Days []calendar.Override `json:"days"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Directory.SaveHolidayYear(r.Context(), year, in.Days); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": year, "days": in.Days})
	return nil
}

// Schedule is the year's overrides as the schedule form shows them.
func (v *holidaysView) Schedule() string {
	if v.Form.Has("schedule") {
		return v.Form.Get("schedule")
	}
	return scheduleText(v.Days)
}
