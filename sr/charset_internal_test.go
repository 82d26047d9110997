package sr

import (
	"testing"
	"unicode/utf8"
)

// TestDecodeChars counts characters as PS3.5 §6.2 does: per character of
// the file's character set, escape sequences not counted.
func TestDecodeChars(t *testing.T) {
	tests := []struct {
		name string
		in   string
		mode charMode
		want int
	}{
		{"ASCII", "Yamada", modeSingle, 6},
		{"Latin-1 bytes that are valid UTF-8", "\xc3\xa9\xc3\xa9", modeSingle, 4},
		{"UTF-8", "\xc3\xa9\xc3\xa9", modeUTF8, 2},
		{"UTF-8 CJK", "山田", modeUTF8, 2},
		// ISO 2022 IR 87: ESC $ B switches G0 to JIS X 0208 (two bytes a
		// character), ESC ( B back to ASCII (PS3.5 Annex H example).
		{"JIS X 0208 in G0", "Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B", modeISO2022, 12 + 1 + 2 + 1 + 2},
		// ISO 2022 IR 149: ESC $ ) C puts KS X 1001 in G1 (two bytes ≥ 0xA1).
		{"KS X 1001 in G1", "Hong\x1b$)C\xfb\xf3", modeISO2022, 5},
		{"GB18030 two and four bytes", "a\xb9\xfa\x81\x30\x81\x30", modeGB, 3},
	}
	for _, tt := range tests {
		if got := utf8.RuneCountInString(decodeChars([]byte(tt.in), tt.mode)); got != tt.want {
			t.Errorf("%s: %d characters, want %d", tt.name, got, tt.want)
		}
	}
}

// TestCheckCharsets applies the Defined Terms of PS3.3 C.12.1.1.2.
func TestCheckCharsets(t *testing.T) {
	tests := []struct {
		values     []string
		mode       charMode
		errs, warn int
	}{
		{[]string{"ISO_IR 192"}, modeUTF8, 0, 0},
		{[]string{"ISO_IR 100"}, modeSingle, 0, 0},
		{[]string{"", "ISO 2022 IR 87"}, modeISO2022, 0, 0},
		{[]string{"ISO 2022 IR 6", "ISO 2022 IR 149"}, modeISO2022, 0, 0},
		{[]string{"GB18030"}, modeGB, 0, 0},
		{[]string{"ISO_IR 6"}, modeSingle, 0, 1},
		{[]string{"ISO_IR 999"}, modeSingle, 1, 0},
		{[]string{"ISO_IR 192", "ISO 2022 IR 87"}, modeISO2022, 1, 0},
		{[]string{"ISO_IR 100", "ISO 2022 IR 87"}, modeISO2022, 1, 0},
		{[]string{"iso_ir 100"}, modeSingle, 1, 0},
	}
	for _, tt := range tests {
		mode, problems := checkCharsets(tt.values)
		errs, warn := 0, 0
		for _, p := range problems {
			if p.warn {
				warn++
			} else {
				errs++
			}
		}
		if mode != tt.mode || errs != tt.errs || warn != tt.warn {
			t.Errorf("%q: mode %d, %d errors, %d warnings; want %d, %d, %d", tt.values, mode, errs, warn, tt.mode, tt.errs, tt.warn)
		}
	}
}
