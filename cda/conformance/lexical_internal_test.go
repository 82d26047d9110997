package conformance

import (
	"regexp"
	"testing"
)

// The regular expressions the hand-written matchers of lexical.go stand
// for: each matcher must decide every string as its expression does.
var (
	ncNameRE = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}._\-\x{B7}]*$`)
	dottedRE = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$`)
	oidRE    = regexp.MustCompile(`^[0-2](\.(0|[1-9][0-9]*))+$`)
	tsRE     = regexp.MustCompile(`^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d+)?([+-]\d+)?$`)
)

// lexicalAgree returns what the first matcher that disagrees with its
// expression on s is called, or "".
func lexicalAgree(s string) string {
	if isNCName(s) != ncNameRE.MatchString(s) {
		return "isNCName"
	}
	if isDottedDecimal(s) != dottedRE.MatchString(s) {
		return "isDottedDecimal"
	}
	if isOID(s) != oidRE.MatchString(s) {
		return "isOID"
	}
	got, ok := tsParts(s)
	want := tsRE.FindStringSubmatch(s)
	if ok != (want != nil) {
		return "tsParts"
	}
	for i := range want {
		if got[i] != want[i] {
			return "tsParts"
		}
	}
	return ""
}

var lexicalCases = []string{
	"", "a", "_", "1", "-", ".", "a1", "a.b-c_d", "a\u00b7b", "\u00b7a", "1.2", "_1",
	"s1.1", "s4.1", "Ré", "é", "日本", "a b", "a:b", "a\xffb", "\xff", "Ⅻ", "aⅫ", "a٣", "٣a", "a\u0301",
	"0", "0.0", "1.2.840.10008.5.1.4.1.1.2", "2.25.0123", "2.25.", ".2.25", "2..25", "01.2", "3.1", "10.1",
	"2.25.1", "1.", "0.", "2.0.0", "2.00", "1.2.3a", "١.٢",
	"2026", "202611", "20261121", "2026112112", "202611211200", "20261121120000", "2026112112000000",
	"202", "20261", "2026112112000", "20261121120000.5", "20261121120000.", "20261121120000.5+0500",
	"20261121120000-0500", "20261121120000-05", "20261121120000+", "2026-11", "2026.5", "20261121+0100",
	"20261121120000.123-0500x", " 2026", "2026 ", "２０２６",
}

func TestLexicalMatchersAgreeWithTheirExpressions(t *testing.T) {
	for _, s := range lexicalCases {
		if m := lexicalAgree(s); m != "" {
			t.Errorf("%s(%q) disagrees with its regular expression", m, s)
		}
	}
}

func FuzzLexicalMatchers(f *testing.F) {
	for _, s := range lexicalCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m := lexicalAgree(s); m != "" {
			t.Errorf("%s(%q) disagrees with its regular expression", m, s)
		}
	})
}
