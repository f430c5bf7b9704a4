package xinfang

import (
	"fmt"
	"unicode/utf8"
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
