package xinfang

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"xinfang/internal/calendar"
)

// Text a user may type: valid UTF-8 without control characters (but tab
// and line breaks), without the characters that reorder how text is shown
// (bidi controls, which can make a number or a name read as another), and
// without U+FFFD, the mark of a character lost to a wrong encoding (JSON
// decoding turns invalid UTF-8 into it). PostgreSQL refuses NUL in text;
// SQLite would store it; neither is asked.

// TextProblem says what is wrong with s as typed text, or "" when nothing
// is: the first character no field may hold, with its position.
func TextProblem(s string) string {
	for i, n := 0, 1; i < len(s); n++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Sprintf("第 %d 个字符不是有效的 UTF-8 编码", n)
		}
		if what := forbiddenRune(r); what != "" {
			return fmt.Sprintf("第 %d 个字符是%s（U+%04X），不允许输入", n, what, r)
		}
		i += size
	}
	return ""
}

// LineProblem is TextProblem for a field of one line (a name, an address):
// tab and line breaks are refused too.
func LineProblem(s string) string {
	n := 0
	for _, r := range s {
		n++
		if r == '\t' || r == '\n' || r == '\r' {
			return fmt.Sprintf("第 %d 个字符是换行或制表符（U+%04X），此栏只能填写一行", n, r)
		}
	}
	return TextProblem(s)
}

// forbiddenRune names the kind of r when no text may hold it.
func forbiddenRune(r rune) string {
	switch {
	case r == 0:
		return "空字符"
	case r == '\t' || r == '\n' || r == '\r':
		return ""
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return "控制字符"
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return "文字方向控制符"
	case r == utf8.RuneError:
		return "编码错误留下的替换字符"
	}
	return ""
}

// Limits of free text, in characters (runes). Every field a user types
// has one; the domain's Validate methods name the field that is over.
const (
	MaxName  = 100   // a person's or a unit's name, a position, a role
	MaxLine  = 200   // an address, a title, a line of a list
	MaxNote  = 2000  // a note, a reason, a request, a plan step
	MaxText  = 10000 // a record: findings, measures, a report, a plan
	MaxItems = 100   // ids linked in one request: petitions, cases, recipients
	// MaxPeople bounds a list of people given at once: co-petitioners, a
	// case's team, the attendees of a consultation, the officials of an
	// investigation.
	MaxPeople = 50
)

// checkLine trims *s and adds a problem on field when it is longer than
// max characters or is not one line of text (LineProblem).
func checkLine(p Problems, field string, s *string, max int) {
	*s = strings.TrimSpace(*s)
	if msg := LineProblem(*s); msg != "" {
		p.Add(field, msg)
	} else if n := utf8.RuneCountInString(*s); n > max {
		p.Add(field, fmt.Sprintf("不超过 %d 字（现为 %d 字）", max, n))
	}
}

// checkText is checkLine for text of several lines (TextProblem).
func checkText(p Problems, field string, s *string, max int) {
	*s = strings.TrimSpace(*s)
	if msg := TextProblem(*s); msg != "" {
		p.Add(field, msg)
	} else if n := utf8.RuneCountInString(*s); n > max {
		p.Add(field, fmt.Sprintf("不超过 %d 字（现为 %d 字）", max, n))
	}
}

// checkCount adds a problem on field when a list holds more than max items.
func checkCount(p Problems, field string, n, max int) {
	if n > max {
		p.Add(field, fmt.Sprintf("不超过 %d 项（现为 %d 项）", max, n))
	}
}

// CheckNote trims a note or a reason given with a step (a sign-off, a
// closing, a release) and refuses one that is not text or is longer than
// MaxNote, on field.
func CheckNote(field, note string) (string, error) {
	p := Problems{}
	checkText(p, field, &note, MaxNote)
	return note, p.Err()
}

// Dates typed into a record are plausible: none before EarliestDate (the
// floor of received_at too), a day something happened not after today, a
// deadline not more than maxYearsAhead years after today.
var EarliestDate = calendar.MakeDate(1990, 1, 1)

const maxYearsAhead = 10

// checkPastDate adds a problem on field when d, the day something
// happened, is before EarliestDate or after today. The zero date passes:
// whether a date is needed is the caller's.
func checkPastDate(p Problems, field string, d, today calendar.Date) {
	switch {
	case d.IsZero():
	case d.Before(EarliestDate):
		p.Add(field, "日期 "+d.String()+" 早于 "+EarliestDate.String()+"，不合理")
	case d.After(today):
		p.Add(field, "日期 "+d.String()+" 晚于今天")
	}
}

// checkDueDate adds a problem on field when d, a deadline, is before
// EarliestDate or more than maxYearsAhead years after today.
func checkDueDate(p Problems, field string, d, today calendar.Date) {
	latest := calendar.MakeDate(today.Year+maxYearsAhead, today.Month, today.Day)
	switch {
	case d.IsZero():
	case d.Before(EarliestDate):
		p.Add(field, "日期 "+d.String()+" 早于 "+EarliestDate.String()+"，不合理")
	case d.After(latest):
		p.Add(field, fmt.Sprintf("期限 %s 晚于 %d 年后（%s），不合理", d, maxYearsAhead, latest))
	}
}

// CheckName trims a name given on its own (a holiday, a dictionary entry)
// and refuses one that is not one line of text or is longer than MaxName.
func CheckName(field, name string) (string, error) {
	p := Problems{}
	checkLine(p, field, &name, MaxName)
	return name, p.Err()
}

// CheckDate refuses, on field, a date given on its own (a day of the
// calendar, a date of a procedure step) outside the plausible range: from
// EarliestDate to maxYearsAhead years after today.
func CheckDate(field string, d, today calendar.Date) error {
	p := Problems{}
	checkDueDate(p, field, d, today)
	return p.Err()
}
