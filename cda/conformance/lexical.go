package conformance

import (
	"unicode"
	"unicode/utf8"
)

// Hand-written matchers for the lexical forms the rules test. Each one
// decides exactly what a regular expression in the rule's comment would
// (lexical_internal_test.go holds those expressions and checks the two
// agree), without the regexp package's cost on every TS, ID and UID of a
// document: a report has dozens of each.

// isDigit reports whether c is an ASCII digit, regexp's \d.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digitsEnd returns the end of the run of ASCII digits starting at i.
func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// isNCName matches ^[\p{L}_][\p{L}\p{N}._\-\x{B7}]*$: the XML NCName
// production restricted to what CDA narrative IDs use in practice; other
// letters are accepted as well.
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, w := 0, 0; i < len(s); i += w {
		r := rune(s[i])
		w = 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', r == '_':
		case i > 0 && (isDigit(byte(r)) && r < utf8.RuneSelf || r == '.' || r == '-' || r == 0xB7):
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || i > 0 && unicode.IsNumber(r)):
		default:
			return false
		}
	}
	return true
}

// arc returns the end of one arc of a dotted decimal starting at i, "0"
// or digits without a leading zero, or -1.
func arc(s string, i int) int {
	j := digitsEnd(s, i)
	if j == i || s[i] == '0' && j > i+1 {
		return -1
	}
	return j
}

// moreArcs reports whether s[i:] is one or more ".arc".
func moreArcs(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	for i < len(s) {
		if s[i] != '.' {
			return false
		}
		if i = arc(s, i+1); i < 0 {
			return false
		}
	}
	return true
}

// isDottedDecimal matches ^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$, the
// syntax DICOM UIDs and OIDs share.
func isDottedDecimal(s string) bool {
	i := arc(s, 0)
	return i > 0 && moreArcs(s, i)
}

// isOID matches ^[0-2](\.(0|[1-9][0-9]*))+$, the OID syntax of
// CONF:1198-10031: a first arc 0, 1 or 2, further arcs 0 or starting with
// a non-zero digit.
func isOID(s string) bool {
	return len(s) > 1 && '0' <= s[0] && s[0] <= '2' && moreArcs(s, 1)
}

// tsParts splits a TS literal as the groups of
// ^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d+)?([+-]\d+)?$
// would (m[0] the whole, m[1] the year, m[2] to m[6] month to second,
// m[7] the fraction with its dot, m[8] the signed offset), or reports
// that v does not match. The digits before the fraction or offset come
// in a run of 4, 6, ... 14: any other length leaves a digit that nothing
// after the date groups can take.
func tsParts(v string) (m [9]string, ok bool) {
	d := digitsEnd(v, 0)
	if d < 4 || d > 14 || d%2 != 0 {
		return m, false
	}
	m[0], m[1] = v, v[:4]
	for g, i := 2, 4; i < d; g, i = g+1, i+2 {
		m[g] = v[i : i+2]
	}
	i := d
	if i < len(v) && v[i] == '.' {
		j := digitsEnd(v, i+1)
		if j == i+1 {
			return [9]string{}, false
		}
		m[7], i = v[i:j], j
	}
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		j := digitsEnd(v, i+1)
		if j == i+1 {
			return [9]string{}, false
		}
		m[8], i = v[i:j], j
	}
	if i != len(v) {
		return [9]string{}, false
	}
	return m, true
}
