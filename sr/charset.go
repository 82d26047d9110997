package sr

import (
	"unicode/utf8"
)

// Specific Character Set (0008,0005): its Defined Terms (PS3.3
// C.12.1.1.2, Tables C.12-2 to C.12-5) and how each encodes characters
// (PS3.5 §6.1.2.4, §6.1.2.5). Lengths of the VRs whose repertoire the
// character set extends count characters, not bytes (PS3.5 §6.2), and the
// escape sequences of code extension are not counted.

// charMode is how the bytes of a value make characters.
type charMode int

const (
	modeSingle  charMode = iota // one byte, one character (default repertoire, ISO 8859, JIS X 0201)
	modeUTF8                    // ISO_IR 192
	modeGB                      // GB18030 and GBK: one, two or four bytes
	modeISO2022                 // code extension with escape sequences
)

// Defined Terms of Specific Character Set.
var (
	// single-byte character sets without code extensions (Table C.12-2).
	charsetSingle = vts("ISO_IR 100, ISO_IR 101, ISO_IR 109, ISO_IR 110, ISO_IR 144, ISO_IR 127, ISO_IR 126, ISO_IR 138, ISO_IR 148, ISO_IR 203, ISO_IR 13, ISO_IR 166")
	// character sets with code extensions (Tables C.12-3 and C.12-4).
	charset2022 = vts("ISO 2022 IR 6, ISO 2022 IR 100, ISO 2022 IR 101, ISO 2022 IR 109, ISO 2022 IR 110, ISO 2022 IR 144, ISO 2022 IR 127, ISO 2022 IR 126, ISO 2022 IR 138, ISO 2022 IR 148, ISO 2022 IR 203, ISO 2022 IR 13, ISO 2022 IR 166, ISO 2022 IR 87, ISO 2022 IR 159, ISO 2022 IR 149, ISO 2022 IR 58")
	// multi-byte character sets without code extensions (Table C.12-5):
	// the only value when present.
	charsetMultiOnly = vts("ISO_IR 192, GB18030, GBK")
)

// charsetDefault is the term some systems write for the default
// repertoire. It is not a Defined Term (the default is written by leaving
// the attribute out, or value 1 empty), but it names no other repertoire,
// so a receiver still decodes the text.
const charsetDefault = "ISO_IR 6"

// charsetProblem is what is wrong with a value of Specific Character Set.
type charsetProblem struct {
	index int // 0-based value
	msg   string
	warn  bool
}

// checkCharsets returns the problems of the values of Specific Character
// Set and the mode its values decode in.
func checkCharsets(values []string) (charMode, []charsetProblem) {
	var out []charsetProblem
	mode := modeSingle
	multi := len(values) > 1
	for i, v := range values {
		switch {
		case v == "" && i == 0:
			// value 1 empty: the default repertoire in G0 (C.12.1.1.2)
			if !multi {
				continue
			}
		case v == charsetDefault && !multi:
			out = append(out, charsetProblem{i, "ISO_IR 6 is not a Defined Term of Specific Character Set: the default repertoire is written by leaving the attribute out", true})
		case charsetMultiOnly[v]:
			if multi {
				out = append(out, charsetProblem{i, "ISO_IR 192, GB18030 and GBK cannot be combined with other values of Specific Character Set", false})
			}
			if v == CharsetUTF8 {
				mode = modeUTF8
			} else {
				mode = modeGB
			}
		case charsetSingle[v]:
			if multi {
				out = append(out, charsetProblem{i, "a value of a multi-valued Specific Character Set is not an ISO 2022 Defined Term (e.g. ISO 2022 IR 100)", false})
			}
		case charset2022[v]:
			mode = modeISO2022
		default:
			out = append(out, charsetProblem{i, "a value of Specific Character Set is not a Defined Term of PS3.3 C.12.1.1.2: a receiver cannot decode the text", false})
		}
	}
	if multi && mode != modeUTF8 && mode != modeGB {
		mode = modeISO2022
	}
	return mode, out
}

// decodeChars splits the bytes of a value into characters, one rune each
// in the result: the character itself for UTF-8 and single-byte sets
// (bytes read as ISO 8859-1, which keeps every control character where
// it is), U+FFFD for a character of several bytes in another encoding.
// Escape sequences of ISO 2022 code extension are dropped: they are not
// characters (PS3.5 §6.2). It never fails: invalid bytes count as one
// character each, and the UTF-8 check reports them.
func decodeChars(b []byte, mode charMode) string { return string(appendDecoded(nil, b, mode)) }

// appendDecoded appends the decodeChars of b to dst, so that the walk over
// every value can reuse one buffer.
func appendDecoded(dst, b []byte, mode charMode) []byte {
	g0Wide, g1Wide := false, false
	for i := 0; i < len(b); {
		c := b[i]
		switch mode {
		case modeUTF8:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				r = rune(c)
				n = 1
			}
			dst = utf8.AppendRune(dst, r)
			i += n
			continue
		case modeGB:
			switch {
			case c < 0x80:
				dst = append(dst, c)
				i++
			case c >= 0x81 && c <= 0xfe && i+3 < len(b) && b[i+1] >= 0x30 && b[i+1] <= 0x39:
				dst = utf8.AppendRune(dst, '\uFFFD')
				i += 4
			case i+1 < len(b):
				dst = utf8.AppendRune(dst, '\uFFFD')
				i += 2
			default:
				dst = utf8.AppendRune(dst, rune(c))
				i++
			}
			continue
		case modeISO2022:
			if c == 0x1b {
				j := i + 1
				for j < len(b) && b[j] >= 0x20 && b[j] <= 0x2f {
					j++
				}
				if j < len(b) && b[j] >= 0x30 && b[j] <= 0x7e {
					switch seq := b[i+1 : j+1]; string(seq) {
					case "$B", "$@", "$(D":
						g0Wide = true
					case "(B", "(J":
						g0Wide = false
					case "$)C", "$)A":
						g1Wide = true
					default:
						if seq[0] == ')' || seq[0] == '-' {
							g1Wide = false
						}
					}
					i = j + 1
					continue
				}
				// A lone ESC is a character, and a wrong one.
				dst = append(dst, c)
				i++
				continue
			}
			if c < 0x20 {
				// Line ends return G0 to ASCII (PS3.5 §6.1.2.5.3); other
				// controls are reported as such.
				g0Wide = false
				dst = append(dst, c)
				i++
				continue
			}
			wide := (c < 0x80 && g0Wide && c >= 0x21 && c <= 0x7e) || (c >= 0x80 && g1Wide)
			if wide && i+1 < len(b) {
				dst = utf8.AppendRune(dst, '\uFFFD')
				i += 2
				continue
			}
			dst = utf8.AppendRune(dst, rune(c))
			i++
			continue
		}
		dst = utf8.AppendRune(dst, rune(c))
		i++
	}
	return dst
}
