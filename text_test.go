package xinfang_test

import (
	"strings"
	"testing"

	"xinfang"
)

func TestTextProblem(t *testing.T) {
	for _, tc := range []struct {
		in   string
		text string // what TextProblem's message holds, "" for none
		line string // what LineProblem's message holds
	}{
		{"甲镇幸福村 3 组", "", ""},
		{"第一段\r\n\t第二段", "", "第 4 个字符是换行或制表符（U+000D）"},
		{"😀 👨‍👩‍👧 ①②", "", ""},
		{"a\x00b", "第 2 个字符是空字符（U+0000）", "U+0000"},
		{"\x1b[31m", "控制字符（U+001B）", "U+001B"},
		{"a\x7f", "控制字符（U+007F）", "U+007F"},
		{"a\u0085", "控制字符（U+0085）", "U+0085"},
		{"张三\u202e", "第 3 个字符是文字方向控制符（U+202E）", "U+202E"},
		{"\u2066x\u2069", "U+2066", "U+2066"},
		{"\u200f", "U+200F", "U+200F"},
		{"\u061c", "U+061C", "U+061C"},
		{"ab\xffc", "第 3 个字符不是有效的 UTF-8 编码", "UTF-8"},
		{"\xe5\xb7", "第 1 个字符不是有效的 UTF-8 编码", "UTF-8"},
		{"工\ufffd资", "第 2 个字符是编码错误留下的替换字符（U+FFFD）", "U+FFFD"},
	} {
		if got := xinfang.TextProblem(tc.in); tc.text == "" && got != "" || !strings.Contains(got, tc.text) {
			t.Errorf("TextProblem(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := xinfang.LineProblem(tc.in); tc.line == "" && got != "" || !strings.Contains(got, tc.line) {
			t.Errorf("LineProblem(%q) = %q, want %q", tc.in, got, tc.line)
		}
	}
}
