package hl7v2

import (
	"strconv"
	"strings"
)

// Limits on formatting commands, so that a short escape cannot expand to
// a long text.
const (
	maxSkipLines  = 10
	maxSkipSpaces = 64
)

// unescape decodes the escape sequences of one leaf value (a subcomponent,
// or a component or field without lower delimiters) of a message with
// delimiters d and character set cs (HL7 v2.5 §2.7). It returns the text,
// or a description of the first bad sequence (never the value).
//
// Decoded: \F\ \S\ \T\ \R\ \E\ (the delimiters), \Xhh...\ (bytes in the
// message's character set), and the formatting commands \.br\ (line
// break), \.sp n\ (line break and n blank lines), \.sk n\ (n spaces),
// \.ce\ (a line break), \.fi\ \.nf\ \.in n\ \.ti n\ (filling and
// indentation, which plain text has no use for) and the highlighting
// marks \H\ \N\, which are dropped. Refused: \Z...\ (locally defined),
// \C...\ and \M...\ (ISO 2022 character set switching), empty and
// unknown sequences and an escape that is not closed.
func unescape(raw string, d Delimiters, cs Charset) (string, string) {
	if d.Escape == 0 || strings.IndexByte(raw, d.Escape) < 0 {
		return raw, ""
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != d.Escape {
			b.WriteByte(c)
			i++
			continue
		}
		j := strings.IndexByte(raw[i+1:], d.Escape)
		if j < 0 {
			return "", "escape sequence not closed by a second escape character"
		}
		seq := raw[i+1 : i+1+j]
		i += j + 2
		switch seq {
		case "F":
			b.WriteByte(d.Field)
			continue
		case "S":
			b.WriteByte(d.Component)
			continue
		case "T":
			b.WriteByte(d.Subcomponent)
			continue
		case "R":
			b.WriteByte(d.Repetition)
			continue
		case "E":
			b.WriteByte(d.Escape)
			continue
		case "H", "N", ".fi", ".nf":
			continue
		case ".br", ".ce":
			b.WriteByte('\n')
			continue
		case "":
			return "", "empty escape sequence"
		}
		switch {
		case strings.HasPrefix(seq, ".sp"):
			n, ok := count(seq[3:], 1)
			if !ok || n > maxSkipLines {
				return "", "bad \\.sp\\ formatting command: the count must be 0 to 10"
			}
			b.WriteString(strings.Repeat("\n", n+1))
		case strings.HasPrefix(seq, ".sk"):
			n, ok := count(seq[3:], 1)
			if !ok || n > maxSkipSpaces {
				return "", "bad \\.sk\\ formatting command: the count must be 0 to 64"
			}
			b.WriteString(strings.Repeat(" ", n))
		case strings.HasPrefix(seq, ".in"), strings.HasPrefix(seq, ".ti"):
			arg := strings.TrimSpace(seq[3:])
			arg = strings.TrimLeft(arg, "+-")
			if _, ok := count(arg, 0); !ok {
				return "", "bad indentation formatting command: the argument must be a number"
			}
		case seq[0] == 'X':
			s, problem := hexText(seq[1:], cs)
			if problem != "" {
				return "", problem
			}
			b.WriteString(s)
		case seq[0] == 'Z':
			return "", "locally defined escape sequences (\\Z...\\) are not read"
		case seq[0] == 'C' || seq[0] == 'M':
			return "", "character set switching escapes (\\C...\\, \\M...\\, ISO 2022) are not read"
		default:
			return "", "unknown escape sequence"
		}
	}
	return b.String(), ""
}

// count reads the optional decimal argument of a formatting command.
func count(s string, def int) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, true
	}
	if len(s) > 4 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// hexText decodes the hex digits of a \X...\ sequence as bytes of the
// character set.
func hexText(h string, cs Charset) (string, string) {
	if h == "" || len(h)%2 != 0 {
		return "", "bad \\X...\\ escape: it needs an even, non-zero number of hex digits"
	}
	raw := make([]byte, len(h)/2)
	for k := range raw {
		v, err := strconv.ParseUint(h[2*k:2*k+2], 16, 8)
		if err != nil {
			return "", "bad \\X...\\ escape: not hexadecimal"
		}
		raw[k] = byte(v)
	}
	s, ok := cs.decode(raw)
	if !ok {
		return "", "\\X...\\ escape holds bytes that are not text in the message's character set (MSH-18)"
	}
	return s, ""
}

// Encode escapes text for a field of a message with these delimiters: the
// delimiters become \F\ \S\ \T\ \R\ \E\, a line break \.br\, and other
// control characters \Xhh\.
func (d Delimiters) Encode(s string) string {
	need := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; d.isDelimiter(c) || c < ' ' || c == 0x7F {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	e := string(d.Escape)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == d.Escape:
			b.WriteString(e + "E" + e)
		case c == d.Field:
			b.WriteString(e + "F" + e)
		case c == d.Component:
			b.WriteString(e + "S" + e)
		case c == d.Subcomponent:
			b.WriteString(e + "T" + e)
		case c == d.Repetition:
			b.WriteString(e + "R" + e)
		case c == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// CR LF is one line break.
		case c == '\n' || c == '\r':
			b.WriteString(e + ".br" + e)
		case c < ' ' || c == 0x7F:
			b.WriteString(e + "X" + strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]) + e)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
