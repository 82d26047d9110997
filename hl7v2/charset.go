package hl7v2

import (
	"strings"
	"unicode/utf8"
)

// Charset is the character set of a message, named by MSH-18 (HL7 table
// 0211). Text is decoded to UTF-8 when the message is parsed.
type Charset int

// The character sets read. Each is a superset of ASCII whose other
// characters never contain an ASCII byte, so the delimiters (ASCII) can be
// found before the text is decoded.
const (
	// CharsetUnset: MSH-18 is empty. ParseOptions.DefaultCharset decides;
	// its zero value reads valid UTF-8 (which includes ASCII).
	CharsetUnset Charset = iota
	// CharsetASCII is "ASCII": 7-bit only.
	CharsetASCII
	// CharsetLatin1 is "8859/1" (ISO 8859-1).
	CharsetLatin1
	// CharsetLatin9 is "8859/15" (ISO 8859-15, Latin-1 with the euro sign).
	CharsetLatin9
	// CharsetUTF8 is "UNICODE UTF-8".
	CharsetUTF8
)

// charsetNames are the MSH-18 values of HL7 table 0211 that are read.
var charsetNames = map[string]Charset{
	"ASCII":         CharsetASCII,
	"8859/1":        CharsetLatin1,
	"8859/15":       CharsetLatin9,
	"UNICODE UTF-8": CharsetUTF8,
}

// SupportedCharsets lists the MSH-18 values the parser reads.
const SupportedCharsets = "ASCII, 8859/1, 8859/15, UNICODE UTF-8"

// ParseCharset returns the character set an MSH-18 value names.
func ParseCharset(name string) (Charset, bool) {
	if strings.TrimSpace(name) == "" {
		return CharsetUnset, true
	}
	c, ok := charsetNames[strings.ToUpper(strings.TrimSpace(name))]
	return c, ok
}

// Name is the MSH-18 value of the character set ("" for unset).
func (c Charset) Name() string {
	for n, v := range charsetNames {
		if v == c {
			return n
		}
	}
	return ""
}

// latin9 holds the eight code points where ISO 8859-15 differs from
// ISO 8859-1.
var latin9 = map[byte]rune{
	0xA4: '€', 0xA6: 'Š', 0xA8: 'š', 0xB4: 'Ž', 0xB8: 'ž', 0xBC: 'Œ', 0xBD: 'œ', 0xBE: 'Ÿ',
}

// decode returns b as UTF-8 text. ok is false when b holds a byte the
// character set does not have (for CharsetUnset: bytes that are not
// UTF-8).
func (c Charset) decode(b []byte) (s string, ok bool) {
	ascii := true
	for _, x := range b {
		if x >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), true
	}
	switch c {
	case CharsetASCII:
		return "", false
	case CharsetUTF8, CharsetUnset:
		if !utf8.Valid(b) {
			return "", false
		}
		return string(b), true
	case CharsetLatin1, CharsetLatin9:
		var sb strings.Builder
		sb.Grow(len(b) + len(b)/4)
		for _, x := range b {
			if r, ok := latin9[x]; ok && c == CharsetLatin9 {
				sb.WriteRune(r)
				continue
			}
			sb.WriteRune(rune(x))
		}
		return sb.String(), true
	}
	return "", false
}
