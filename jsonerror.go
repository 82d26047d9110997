package reportgen

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	jsonPos          = regexp.MustCompile(`\(line \d+:\d+\)`)
	jsonUnknownField = regexp.MustCompile(`unknown field "[^"]{0,64}"`)
	jsonBadValue     = regexp.MustCompile(`invalid value for [a-z0-9 ]{1,32} field [A-Za-z0-9_]{1,64}`)
)

// DescribeJSONError describes a protojson decoding error of raw without
// the input's values: protojson quotes the offending value, which may be
// patient data. The position and, where protojson names one, the field
// stay, e.g. `unknown field "reprot" at line 1:18`. protojson gives no
// position when the input ends early (an unclosed object or string), so
// that position is the input's end.
func DescribeJSONError(err error, raw []byte) string {
	msg := err.Error()
	desc := "malformed JSON"
	switch {
	case jsonUnknownField.MatchString(msg):
		desc = jsonUnknownField.FindString(msg)
	case jsonBadValue.MatchString(msg):
		desc = jsonBadValue.FindString(msg)
	case strings.Contains(msg, "syntax error"):
		desc = "JSON syntax error"
	case strings.Contains(msg, "unexpected EOF"):
		line, col := endPosition(raw)
		return fmt.Sprintf("JSON syntax error: the record ends before its JSON does, at line %d:%d", line, col)
	}
	if p := jsonPos.FindString(msg); p != "" {
		desc += " at " + strings.Trim(p, "()")
	}
	return desc
}

// endPosition is the line and column (1-based, columns counted in
// characters as protojson counts them) just past the end of b.
func endPosition(b []byte) (line, col int) {
	b = bytes.TrimRight(b, " \t\r\n")
	line = 1 + bytes.Count(b, []byte("\n"))
	last := b[bytes.LastIndexByte(b, '\n')+1:]
	return line, utf8.RuneCount(last) + 1
}
