package xinfang

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"xinfang/internal/calendar"
)

// Checks of the identity numbers a petitioner gives: 居民身份证号码
// (GB 11643-1999), 统一社会信用代码 (GB 32100-2015) and phone numbers, and
// their masked forms for lists, exports and documents (security.md).
// Error messages are Simplified Chinese, to be shown next to the field.

// idNumberProvinces are the province-level codes of GB/T 2260 (11–65, 71
// 台湾, 81 香港, 82 澳门), plus 83, which the 港澳台居民居住证 issued to
// Taiwan residents uses in the same GB 11643 format.
var idNumberProvinces = map[string]string{
	"11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
	"21": "辽宁", "22": "吉林", "23": "黑龙江",
	"31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
	"41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
	"50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
	"61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
	"71": "台湾", "81": "香港", "82": "澳门", "83": "台湾(居住证)",
}

// idNumberWeights are the ISO 7064 MOD 11-2 weights 2^(17-i) mod 11.
var idNumberWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// NormalizeIDNumber removes all white space (also the full-width space),
// turns full-width digits and letters into ASCII and upper-cases the letters,
// so "11010519491231002x" becomes "11010519491231002X".
func NormalizeIDNumber(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			r -= 0xFEE0 // the full-width forms mirror ASCII at this offset
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// IDNumberCheckChar returns the GB 11643 check character ('0'–'9' or 'X')
// for the first 17 digits of an ID number, or 0 if first17 is not 17 digits.
func IDNumberCheckChar(first17 string) byte {
	if len(first17) != 17 || !idNumberDigits(first17) {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idNumberWeights[i]
	}
	return "10X98765432"[sum%11]
}

// ValidateIDNumber checks a 居民身份证号码 by GB 11643-1999: 18 characters,
// 17 digits and a check character (0–9 or X; a lowercase x is accepted, see
// NormalizeIDNumber), a province-level region prefix, a real birth date from
// 1900 on and not after now (on the Chinese calendar), and the ISO 7064
// MOD 11-2 check character.
func ValidateIDNumber(s string, now time.Time) error {
	s = NormalizeIDNumber(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return errors.New("身份证号不能为空")
	case n == 15 && idNumberDigits(s):
		return errors.New("15 位身份证号已停止使用，请填写 18 位身份证号")
	case n != 18:
		return fmt.Errorf("身份证号应为 18 位，当前为 %d 位", n)
	case !idNumberDigits(s[:17]):
		return errors.New("身份证号前 17 位应为数字")
	case !(s[17] >= '0' && s[17] <= '9' || s[17] == 'X'):
		return errors.New("身份证号第 18 位应为数字或 X")
	}
	if _, ok := idNumberProvinces[s[:2]]; !ok {
		return fmt.Errorf("身份证号前两位 %s 不是有效的省级行政区划代码", s[:2])
	}
	birth, ok := idNumberBirth(s[6:14])
	if !ok {
		return fmt.Errorf("身份证号中的出生日期 %s 不存在", s[6:14])
	}
	if birth.Year() < 1900 {
		return fmt.Errorf("身份证号中的出生日期 %s 早于 1900 年", s[6:14])
	}
	// A birth date in the future is judged on the Shanghai calendar.
	y, m, d := now.In(calendar.Location()).Date()
	if birth.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return fmt.Errorf("身份证号中的出生日期 %s 晚于今天", s[6:14])
	}
	// The message does not give the right check character: a typing
	// error is as likely in any digit, and the last one "corrected" to
	// fit would make a wrong number pass. The number is to be checked
	// against the card.
	if want := IDNumberCheckChar(s[:17]); s[17] != want {
		return errors.New("身份证号校验不通过，请核对身份证号")
	}
	return nil
}

// BirthDateFromID returns the birth date in an 18-digit ID number (or a
// 15-digit one of the old format, born 19YY), as midnight UTC of that date,
// and whether it could be read. It does not check the check character.
func BirthDateFromID(s string) (time.Time, bool) {
	s = NormalizeIDNumber(s)
	switch {
	case len(s) == 18 && idNumberDigits(s[:17]):
		return idNumberBirth(s[6:14])
	case len(s) == 15 && idNumberDigits(s):
		return idNumberBirth("19" + s[6:12])
	}
	return time.Time{}, false
}

// GenderFromID returns "男" or "女" from the sequence code of an 18-digit
// (or old 15-digit) ID number — odd for men, even for women — or "" when s
// is not shaped like one.
func GenderFromID(s string) string {
	s = NormalizeIDNumber(s)
	var c byte
	switch {
	case len(s) == 18 && idNumberDigits(s[:17]):
		c = s[16]
	case len(s) == 15 && idNumberDigits(s):
		c = s[14]
	default:
		return ""
	}
	if (c-'0')%2 == 1 {
		return "男"
	}
	return "女"
}

// MaskIDNumber keeps the first 6 and last 4 characters of an ID number and
// stars the rest: "110105********002X". Anything 10 characters or shorter
// is starred entirely, so a malformed value never shows more than a valid
// one would.
func MaskIDNumber(s string) string {
	r := []rune(NormalizeIDNumber(s))
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// idNumberBirth parses YYYYMMDD as a real date.
func idNumberBirth(s string) (time.Time, bool) {
	t, err := time.Parse("20060102", s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func idNumberDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// usccAlphabet is the GB 32100 character set: digits and capitals without
// I, O, Z, S and V.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCCheckChar returns the GB 32100 check character for the first 17
// characters of a 统一社会信用代码, or 0 if first17 is not 17 characters
// of the code's alphabet (upper case).
func USCCCheckChar(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccAlphabet, first17[i])
		if v < 0 {
			return 0
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31]
}

// ValidateUSCC checks a 统一社会信用代码 by GB 32100-2015: 18 characters of
// "0123456789ABCDEFGHJKLMNPQRTUWXY" whose last is the check character.
// Surrounding spaces and lower case are tolerated; store the value as
// strings.ToUpper(strings.TrimSpace(s)).
func ValidateUSCC(s string) error {
	s = strings.ToUpper(strings.TrimSpace(s))
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return errors.New("统一社会信用代码不能为空")
	case n != 18:
		return fmt.Errorf("统一社会信用代码应为 18 位，当前为 %d 位", n)
	}
	for i, r := range []rune(s) {
		if r >= utf8.RuneSelf || strings.IndexByte(usccAlphabet, byte(r)) < 0 {
			return fmt.Errorf("统一社会信用代码第 %d 位“%c”无效，只能为数字或除 I、O、Z、S、V 以外的大写字母", i+1, r)
		}
	}
	if want := USCCCheckChar(s[:17]); s[17] != want {
		return errors.New("统一社会信用代码校验不通过，请核对统一社会信用代码")
	}
	return nil
}

var (
	validatePhoneMobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	// Area code 0 + 2–3 digits (010, 021, 0755 …), optional '-', a local
	// number of 7–8 digits not starting with 0, optional extension.
	validatePhoneLandline = regexp.MustCompile(`^(0[1-9][0-9]{1,2})-?([1-9][0-9]{6,7})(?:-([0-9]{1,6}))?$`)
)

// ValidatePhone accepts an 11-digit mainland mobile number (1[3-9] and 9
// digits) or a landline with area code: 0xx or 0xxx, an optional '-', 7–8
// digits, and an optional extension "-123". Surrounding spaces are
// tolerated.
func ValidatePhone(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return errors.New("联系电话不能为空")
	case validatePhoneMobile.MatchString(s) || validatePhoneLandline.MatchString(s):
		return nil
	case strings.HasPrefix(s, "1") && idNumberDigits(s):
		if len(s) != 11 {
			return fmt.Errorf("手机号码应为 11 位，当前为 %d 位", len(s))
		}
		return fmt.Errorf("手机号码号段 %s 无效", s[:3])
	case strings.HasPrefix(s, "0"):
		return errors.New("固定电话格式不正确，应为区号加 7 至 8 位号码，如 010-62345678 或 0755-8601234-123")
	}
	return errors.New("联系电话格式不正确，应为 11 位手机号码或带区号的固定电话")
}

// MaskPhone stars the middle of a phone number: "138****5678" for a mobile;
// for a landline the area code and the last 4 digits of the number stay,
// "010-****5678". Other values keep at most their first 3 and last 4
// characters, and are starred entirely when 7 characters or shorter.
func MaskPhone(s string) string {
	s = strings.TrimSpace(s)
	if validatePhoneMobile.MatchString(s) {
		return s[:3] + "****" + s[7:]
	}
	if m := validatePhoneLandline.FindStringSubmatch(s); m != nil {
		area, local, ext := m[1], m[2], m[3]
		sep := ""
		if strings.HasPrefix(s[len(area):], "-") {
			sep = "-"
		}
		out := area + sep + strings.Repeat("*", len(local)-4) + local[len(local)-4:]
		if ext != "" {
			out += "-" + ext
		}
		return out
	}
	r := []rune(s)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskAddress keeps the first 6 characters of an address (the county and
// town, as a rule) and stars the rest: "甲镇东村幸福路****".
func MaskAddress(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 6 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + "****"
}

// MaskPetitioner masks the ID number, phone and addresses of p in place.
func MaskPetitioner(p *Petitioner) {
	if p == nil {
		return
	}
	if p.IDNumber != "" {
		p.IDNumber = MaskIDNumber(p.IDNumber)
	}
	if p.Phone != "" {
		p.Phone = MaskPhone(p.Phone)
	}
	for _, a := range []*string{&p.Address, &p.Residence, &p.HukouAddress} {
		if *a != "" {
			*a = MaskAddress(*a)
		}
	}
}
