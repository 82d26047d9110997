package sr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/reportgen/reportgen/uid"
)

// maxChars is the longest value a string VR allows (PS3.5 Table 6.2-1).
// For LO, SH, PN (per component group), ST and LT the limit counts
// characters, not bytes: with ISO_IR 192 a value may hold more bytes.
var maxChars = map[string]int{
	"AE": 16, "AS": 4, "CS": 16, "DA": 8, "DS": 16, "DT": 26, "IS": 12,
	"LO": 64, "LT": 10240, "PN": 64, "SH": 16, "ST": 1024, "TM": 14, "UI": 64,
}

// maxCharsOf is maxChars compiled once into a table by the two letters
// of the VR, for the walk over every value.
func maxCharsOf(vr string) int {
	if i, ok := vrIndex(vr); ok {
		return int(maxCharsTable[i])
	}
	return 0
}

var maxCharsTable = func() (t [26 * 26]int32) {
	for vr, n := range maxChars {
		i, _ := vrIndex(vr)
		t[i] = int32(n)
	}
	return t
}()

// vrIndex numbers a VR of two capital letters.
func vrIndex(vr string) (int, bool) {
	if len(vr) != 2 || vr[0] < 'A' || vr[0] > 'Z' || vr[1] < 'A' || vr[1] > 'Z' {
		return 0, false
	}
	return int(vr[0]-'A')*26 + int(vr[1]-'A'), true
}

// textVR reports whether a VR is single-valued free text, where a backslash
// is data rather than the value delimiter.
func textVR(vr string) bool { return vr == "UT" || vr == "LT" || vr == "ST" }

// stringVR reports whether a VR holds character data.
func stringVR(vr string) bool {
	switch vr {
	case "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT":
		return true
	}
	return false
}

// longLength reports whether an Explicit VR element of this VR has a 32-bit
// length field; the others have 16 bits, which caps their whole value at
// 65534 bytes (PS3.5 Table 7.1-1).
func longLength(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

// vrError is a value that does not fit its VR, with the validation rule
// it breaks; it wraps ErrInvalidValue.
type vrError struct {
	rule, msg string
}

func (e *vrError) Error() string { return e.msg }
func (e *vrError) Unwrap() error { return ErrInvalidValue }

func vrErr(rule, format string, args ...any) *vrError {
	return &vrError{rule: rule, msg: fmt.Sprintf(format, args...)}
}

// checkValue reports why one value (one of a multi-valued attribute, already
// split at backslashes) does not fit its VR, nil when it fits. It never
// quotes the value: values can be patient data.
func checkValue(vr, v string) *vrError {
	if !utf8.ValidString(v) {
		return vrErr("SR-VR-05", "is not valid UTF-8")
	}
	return checkChars(vr, v)
}

// checkChars is checkValue for a value already decoded to one rune per
// character, whatever its character set (decodeChars).
func checkChars(vr, v string) *vrError {
	if limit := maxCharsOf(vr); limit > 0 && vr != "PN" {
		if n := utf8.RuneCountInString(v); n > limit {
			return vrErr("SR-VR-01", "is %d characters, more than the %d of %s", n, limit, vr)
		}
	}
	if !textVR(vr) && strings.ContainsRune(v, '\\') {
		return vrErr("SR-VR-05", "contains a backslash, which %s uses to separate values", vr)
	}
	if ve := checkControls(vr, v); ve != nil {
		return ve
	}
	if v == "" {
		return nil
	}
	switch vr {
	case "CS":
		for _, r := range v {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '_') {
				return vrErr("SR-VR-02", "has a character other than A-Z, 0-9, space and underscore")
			}
		}
	case "DA":
		if !validDA(v) {
			return vrErr("SR-VR-03", "is not a date YYYYMMDD")
		}
	case "TM":
		if !validTM(v) {
			return vrErr("SR-VR-03", "is not a time HHMMSS.FFFFFF")
		}
	case "DT":
		if !validDT(v) {
			return vrErr("SR-VR-03", "is not a date-time YYYYMMDDHHMMSS.FFFFFF&ZZXX")
		}
	case "DS":
		if !validDS(v) {
			return vrErr("SR-VR-03", "is not a decimal string")
		}
	case "IS":
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32); err != nil {
			return vrErr("SR-VR-03", "is not an integer string in 32-bit range")
		}
	case "PN":
		return checkPN(v)
	}
	return nil
}

// checkControls enforces the control characters each VR allows (PS3.5
// §6.1.3 and Table 6.2-1): LT, ST and UT may hold CR, LF, FF and ESC; the
// other character-set VRs (SH, LO, PN, UC) only ESC, which starts an ISO
// 2022 escape sequence; every other VR none. TAB, VT and the rest are
// never allowed: XML takes TAB, DICOM does not (dciodvfy: "Character
// invalid for this VR").
func checkControls(vr string, v string) *vrError {
	for _, r := range v {
		if r >= 0x20 && r != 0x7f {
			continue
		}
		if r == 0x1b && (charsetVR(vr)) {
			continue
		}
		if textVR(vr) && (r == '\r' || r == '\n' || r == '\f') {
			continue
		}
		return vrErr("SR-VR-05", "contains a control character not allowed in %s (only %s)", vr, allowedControls(vr))
	}
	return nil
}

// charsetVR reports whether Specific Character Set governs the VR (PS3.5
// §6.1.2.3); the other string VRs stay in the default repertoire.
func charsetVR(vr string) bool {
	switch vr {
	case "SH", "LO", "ST", "PN", "LT", "UC", "UT":
		return true
	}
	return false
}

func allowedControls(vr string) string {
	switch {
	case textVR(vr):
		return "CR, LF, FF and ESC are"
	case charsetVR(vr):
		return "ESC is"
	}
	return "none is"
}

// checkPN applies the PN structure: at most three component groups, five
// components each, 64 characters per group (PS3.5 §6.2.1.1).
func checkPN(v string) *vrError {
	if n := strings.Count(v, "=") + 1; n > 3 {
		return vrErr("SR-VR-04", "has %d component groups, more than 3", n)
	}
	for {
		g, rest, more := strings.Cut(v, "=")
		if n := utf8.RuneCountInString(g); n > 64 {
			return vrErr("SR-VR-01", "has a component group of %d characters, more than the 64 of PN", n)
		}
		if c := strings.Count(g, "^") + 1; c > 5 {
			return vrErr("SR-VR-04", "has %d components, more than 5", c)
		}
		if !more {
			return nil
		}
		v = rest
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validDA(v string) bool {
	if len(v) != 8 || !allDigits(v) {
		return false
	}
	m, _ := strconv.Atoi(v[4:6])
	d, _ := strconv.Atoi(v[6:8])
	return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(v[:4], m)
}

func daysIn(year string, month int) int {
	y, _ := strconv.Atoi(year)
	switch month {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// validTM accepts HH[MM[SS[.F{1,6}]]] with trailing padding spaces.
func validTM(v string) bool {
	v = strings.TrimRight(v, " ")
	whole, frac, hasFrac := strings.Cut(v, ".")
	if hasFrac && (len(whole) != 6 || len(frac) < 1 || len(frac) > 6 || !allDigits(frac)) {
		return false
	}
	if len(whole)%2 != 0 || len(whole) < 2 || len(whole) > 6 || !allDigits(whole) {
		return false
	}
	limits := []int{23, 59, 60}
	for i := 0; i < len(whole); i += 2 {
		n, _ := strconv.Atoi(whole[i : i+2])
		if n > limits[i/2] {
			return false
		}
	}
	return true
}

// validOffset accepts a UTC offset &ZZXX: sign, two digits of hours, two
// of minutes, from -1200 to +1400 (PS3.5 Table 6.2-1, DT).
func validOffset(v string) bool {
	if len(v) != 5 || (v[0] != '+' && v[0] != '-') || !allDigits(v[1:]) {
		return false
	}
	h, _ := strconv.Atoi(v[1:3])
	m, _ := strconv.Atoi(v[3:])
	if m > 59 {
		return false
	}
	if v[0] == '-' {
		return h < 12 || h == 12 && m == 0
	}
	return h < 14 || h == 14 && m == 0
}

// validDT accepts YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX].
func validDT(v string) bool {
	v = strings.TrimRight(v, " ")
	if i := strings.IndexAny(v, "+-"); i >= 0 {
		off := v[i+1:]
		if len(off) != 4 || !allDigits(off) {
			return false
		}
		h, _ := strconv.Atoi(off[:2])
		m, _ := strconv.Atoi(off[2:])
		if h > 14 || m > 59 {
			return false
		}
		v = v[:i]
	}
	whole, _, hasFrac := strings.Cut(v, ".")
	if len(whole) < 4 || !allDigits(whole) || len(whole)%2 != 0 || len(whole) > 14 {
		return false
	}
	if hasFrac && len(whole) != 14 {
		return false
	}
	if len(whole) >= 6 {
		m, _ := strconv.Atoi(whole[4:6])
		if m < 1 || m > 12 {
			return false
		}
		if len(whole) >= 8 {
			d, _ := strconv.Atoi(whole[6:8])
			if d < 1 || d > daysIn(whole[:4], m) {
				return false
			}
		}
	}
	if len(whole) > 8 {
		return validTM(v[8:])
	}
	return true
}

// validDS accepts a fixed or floating point decimal, optionally surrounded
// by spaces, as PS3.5 defines DS (no NaN or infinity).
func validDS(v string) bool {
	s := strings.TrimSpace(v)
	if s == "" {
		return false
	}
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	mant, exp, hasExp := strings.Cut(strings.ToUpper(s), "E")
	if hasExp {
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if exp == "" || !allDigits(exp) {
			return false
		}
	}
	ip, fp, _ := strings.Cut(mant, ".")
	if ip == "" && fp == "" {
		return false
	}
	return allDigits(ip) && allDigits(fp)
}

// checkUID reports why a UI value is not a valid UID.
func checkUID(v string) error {
	if err := uid.Check(v); err != nil {
		return vrErr("SR-UID-01", "%v", err)
	}
	return nil
}

// MaxChars is the longest value of a string VR in characters (PS3.5
// Table 6.2-1; for PN, of one component group), 0 for a VR without a
// fixed limit. The request rules for fields the SR writes in such a VR
// take their limits from here, so the number has one owner.
func MaxChars(vr string) int { return maxChars[vr] }
