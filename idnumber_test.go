package xinfang_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"xinfang"
)

// idNumberWithCheck appends the check character to 17 digits, computed here
// independently of the package: weights 2^(17-i) mod 11, then
// (12 - sum mod 11) mod 11 with 10 written as X (ISO 7064 MOD 11-2).
func idNumberWithCheck(t *testing.T, first17 string) string {
	t.Helper()
	sum, w := 0, 1
	for i := 16; i >= 0; i-- {
		w = w * 2 % 11
		sum += int(first17[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return first17 + "X"
	}
	return first17 + string(rune('0'+c))
}

// idNumberWrongCheck returns s with a check character that is wrong.
func idNumberWrongCheck(s string) string {
	if s[17] == '0' {
		return s[:17] + "1"
	}
	return s[:17] + "0"
}

func TestValidateIDNumber(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	valid1990 := idNumberWithCheck(t, "11010519900101002")
	today := idNumberWithCheck(t, "44030420260301123")    // born on "now"'s date
	tomorrow := idNumberWithCheck(t, "44030420260302123") // the day after
	tests := []struct {
		name    string
		in      string
		wantErr string // substring; "" means valid
	}{
		{"well-known example", "11010519491231002X", ""},
		{"lowercase x", "11010519491231002x", ""},
		{"spaces around and inside", " 110105 19491231 002X ", ""},
		{"full-width digits", "１１０１０５１９４９１２３１００２Ｘ", ""},
		{"computed check digit", valid1990, ""},
		{"shenzhen", idNumberWithCheck(t, "44030419850615123"), ""},
		{"hong kong prefix", idNumberWithCheck(t, "81000019800101001"), ""},
		{"taiwan residence permit prefix", idNumberWithCheck(t, "83000019800101001"), ""},
		{"born today (Shanghai date)", today, ""},
		{"born 1900-01-01", idNumberWithCheck(t, "11010519000101001"), ""},
		{"leap day", idNumberWithCheck(t, "11010520000229001"), ""},

		{"empty", "", "不能为空"},
		{"too short", "11010519491231002", "应为 18 位，当前为 17 位"},
		{"too long", "11010519491231002X1", "应为 18 位，当前为 19 位"},
		{"old 15 digits", "110105491231002", "15 位身份证号已停止使用"},
		{"letter inside", "1101051949123100AX", "前 17 位应为数字"},
		{"bad last char", "11010519491231002Y", "第 18 位应为数字或 X"},
		{"wrong check", "110105194912310021", "身份证号校验不通过，请核对身份证号"},
		{"wrong check computed", idNumberWrongCheck(valid1990), "身份证号校验不通过，请核对身份证号"},
		{"region 00", idNumberWithCheck(t, "00010519900101002"), "前两位 00 不是有效的省级行政区划代码"},
		{"region 10", idNumberWithCheck(t, "10010519900101002"), "前两位 10"},
		{"region 16", idNumberWithCheck(t, "16010519900101002"), "前两位 16"},
		{"region 55", idNumberWithCheck(t, "55010519900101002"), "前两位 55"},
		{"region 91", idNumberWithCheck(t, "91010519900101002"), "前两位 91"},
		{"february 30", idNumberWithCheck(t, "11010519900230002"), "出生日期 19900230 不存在"},
		{"not a leap year", idNumberWithCheck(t, "11010519000229002"), "出生日期 19000229 不存在"},
		{"month 13", idNumberWithCheck(t, "11010519901301002"), "不存在"},
		{"day 00", idNumberWithCheck(t, "11010519900100002"), "不存在"},
		{"before 1900", idNumberWithCheck(t, "11010518991231002"), "早于 1900 年"},
		{"born tomorrow", tomorrow, "出生日期 20260302 晚于今天"},
		{"far future", idNumberWithCheck(t, "11010520990101002"), "晚于今天"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := xinfang.ValidateIDNumber(tt.in, now)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("ValidateIDNumber(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ValidateIDNumber(%q) = %v, want error containing %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestValidateIDNumberFutureIsShanghaiDate(t *testing.T) {
	born := idNumberWithCheck(t, "44030420260302123")
	// 16:30 UTC on 03-01 is already 03-02 in China: the birth date is today.
	if err := xinfang.ValidateIDNumber(born, time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC)); err != nil {
		t.Errorf("at 2026-03-02 00:30 CST: %v", err)
	}
	if err := xinfang.ValidateIDNumber(born, time.Date(2026, 3, 1, 15, 59, 0, 0, time.UTC)); err == nil {
		t.Error("at 2026-03-01 23:59 CST: want a future-date error")
	}
}

func TestIDNumberCheckChar(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'},
		{"11010519900101002", '9'},
		{"44030419850615123", '7'},
		{"1101051949123100", 0},   // 16 digits
		{"110105194912310021", 0}, // 18
		{"1101051949123100A", 0},
		{"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.first17, func(t *testing.T) {
			if got := xinfang.IDNumberCheckChar(tt.first17); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// Agrees with the independent computation over a spread of numbers.
	for i := 0; i < 2000; i++ {
		first17 := fmt.Sprintf("3201021980%07d", i*4999)
		want := idNumberWithCheck(t, first17)[17]
		if got := xinfang.IDNumberCheckChar(first17); got != want {
			t.Fatalf("IDNumberCheckChar(%s) = %q, want %q", first17, got, want)
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002x", "11010519491231002X"},
		{"  11010519491231002X\t", "11010519491231002X"},
		{"110105 1949 1231 002x", "11010519491231002X"},
		{"１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"},
		{"110105\u300019491231002X", "11010519491231002X"}, // full-width space
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := xinfang.NormalizeIDNumber(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBirthDateAndGenderFromID(t *testing.T) {
	tests := []struct {
		in     string
		birth  string // "" means not readable
		gender string
	}{
		{"11010519491231002X", "1949-12-31", "女"}, // sequence 002: even
		{"11010519491231002x", "1949-12-31", "女"},
		{idNumberWithCheck(t, "44030419850615123"), "1985-06-15", "男"},
		{"110105491231003", "1949-12-31", "男"}, // old 15-digit format
		{"11010519900230002X", "", "女"},        // no such date; gender still readable
		{"1101051949123100", "", ""},
		{"", "", ""},
		{"abc", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := xinfang.BirthDateFromID(tt.in)
			switch {
			case tt.birth == "" && ok:
				t.Errorf("BirthDateFromID = %v, want not ok", got)
			case tt.birth != "" && (!ok || got.Format(time.DateOnly) != tt.birth):
				t.Errorf("BirthDateFromID = %v, %v; want %s", got, ok, tt.birth)
			case ok && (got.Location() != time.UTC || got.Hour() != 0):
				t.Errorf("BirthDateFromID = %v, want midnight UTC", got)
			}
			if g := xinfang.GenderFromID(tt.in); g != tt.gender {
				t.Errorf("GenderFromID = %q, want %q", g, tt.gender)
			}
		})
	}
}

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002X", "110105********002X"},
		{"11010519491231002x", "110105********002X"},
		{"110105491231003", "110105*****1003"},
		{"1234567890", "**********"},
		{"123", "***"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := xinfang.MaskIDNumber(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// usccWithCheck appends the GB 32100 check character, computed here from the
// standard's definition.
func usccWithCheck(t *testing.T, first17 string) string {
	t.Helper()
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, w := range weights {
		v := strings.IndexByte(alphabet, first17[i])
		if v < 0 {
			t.Fatalf("bad character in %s", first17)
		}
		sum += v * w
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return first17 + string(alphabet[c])
}

func TestValidateUSCC(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		// 91350100M000100Y4 → sum mod 31 = 28 → check 3.
		{"published example", "91350100M000100Y43", ""},
		{"lower case and spaces", " 91350100m000100y43 ", ""},
		{"computed", usccWithCheck(t, "91110000600037341"), ""},
		{"computed letters", usccWithCheck(t, "52440300MJL123456"), ""},
		{"computed check 0", usccWithCheck(t, "11100000000010007"), ""}, // sum ≡ 0 (mod 31): check 0, not 31

		{"empty", "", "不能为空"},
		{"short", "91350100M000100Y4", "应为 18 位，当前为 17 位"},
		{"long", "91350100M000100Y430", "应为 18 位，当前为 19 位"},
		{"letter I", "91350100I000100Y43", "第 9 位“I”无效"},
		{"letter O", "9135010OM000100Y43", "第 8 位“O”无效"},
		{"letters S V Z", "Z1350100M000100Y43", "第 1 位“Z”无效"},
		{"non-ASCII", "91350100M000100Y4中", "第 18 位“中”无效"},
		{"wrong check", "91350100M000100Y44", "统一社会信用代码校验不通过，请核对统一社会信用代码"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := xinfang.ValidateUSCC(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("ValidateUSCC(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ValidateUSCC(%q) = %v, want error containing %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestUSCCCheckChar(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"91350100M000100Y4", '3'},
		{"91110000600037341", 'L'},
		{"91350100M000100Y", 0},
		{"91350100I000100Y4", 0}, // I is not in the alphabet
		{"91350100m000100y4", 0}, // lower case is not either
	}
	for _, tt := range tests {
		t.Run(tt.first17, func(t *testing.T) {
			if got := xinfang.USCCCheckChar(tt.first17); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	for _, first17 := range []string{"11100000000013127", "52440300MJL123456", "Y1440300MA5DXXXXX", "931101087000000QQ"} {
		if got, want := xinfang.USCCCheckChar(first17), usccWithCheck(t, first17)[17]; got != want {
			t.Errorf("USCCCheckChar(%s) = %q, want %q", first17, got, want)
		}
	}
}

func TestValidatePhone(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{"13812345678", ""},
		{"19912345678", ""},
		{" 15012345678 ", ""},
		{"010-12345678", ""},
		{"01062345678", ""},
		{"021-6234567", ""},
		{"0755-86012345", ""},
		{"075586012345", ""},
		{"0571-87654321-123", ""},

		{"", "不能为空"},
		{"1381234567", "手机号码应为 11 位，当前为 10 位"},
		{"138123456789", "当前为 12 位"},
		{"12812345678", "号段 128 无效"},
		{"10012345678", "号段 100 无效"},
		{"010-0234567", "固定电话格式不正确"},    // local number starts with 0
		{"010-123456", "固定电话格式不正确"},     // too short
		{"0755-123456789", "固定电话格式不正确"}, // too long
		{"001-12345678", "固定电话格式不正确"},
		{"010 12345678", "固定电话格式不正确"},
		{"+8613812345678", "联系电话格式不正确"},
		{"62345678", "联系电话格式不正确"}, // no area code
		{"abc", "联系电话格式不正确"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := xinfang.ValidatePhone(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("ValidatePhone(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ValidatePhone(%q) = %v, want error containing %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{" 13812345678 ", "138****5678"},
		{"010-62345678", "010-****5678"},
		{"0755-8601234", "0755-***1234"},
		{"0571-87654321-123", "0571-****4321-123"},
		{"+8613812345678", "+86*******5678"},
		{"1234567", "*******"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := xinfang.MaskPhone(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
