package hl7v2

import (
	"bytes"
	"fmt"
	"strings"
)

// Parser limits.
const (
	// DefaultMaxSegments bounds the segments of one message. A report
	// sent one OBX per line has a few hundred; the limit leaves room for a
	// dictation of the largest size the engine takes.
	DefaultMaxSegments = 20000
	// MaxFields bounds the fields of one segment (OBR, the longest
	// segment read, has 50 in v2.5.1).
	MaxFields = 256
	// maxErrors bounds the problems reported for one message, so an ACK
	// stays small whatever was sent.
	maxErrors = 32
)

// ParseOptions configure Parse.
type ParseOptions struct {
	// DefaultCharset is the character set of a message whose MSH-18 is
	// empty. The zero value reads UTF-8 (so ASCII too) and refuses other
	// bytes; a site whose senders use ISO 8859-1 without saying so sets
	// CharsetLatin1.
	DefaultCharset Charset
	// MaxSegments bounds the segments; 0 means DefaultMaxSegments.
	MaxSegments int
}

// Parse reads one message. Segments may end in CR (the standard), LF or
// CR LF. It checks the syntax only: delimiters, segment ids, the character
// set of every field, and every escape sequence. The message is nil when
// no MSH segment could be read; otherwise it is returned even with
// errors, so an ACK can still echo its header.
func Parse(b []byte, opt ParseOptions) (*Message, Errors) {
	maxSegs := opt.MaxSegments
	if maxSegs <= 0 {
		maxSegs = DefaultMaxSegments
	}
	b = bytes.TrimLeft(b, " \t\r\n")
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	if !bytes.HasPrefix(b, []byte("MSH")) {
		return nil, Errors{rejectf(Location{Segment: "MSH"}, CodeSegmentSequence, "msh", "the message does not start with an MSH segment")}
	}
	d, encLen, err := delimiters(b)
	if err != nil {
		return nil, Errors{err}
	}
	m := &Message{Delims: d}
	var errs Errors
	add := func(e *Error) {
		if len(errs) < maxErrors {
			errs = append(errs, e)
		}
	}
	lines := splitLines(b)
	if len(lines) > maxSegs {
		return nil, Errors{rejectf(Location{Segment: "MSH"}, CodeSegmentSequence, "segment-count", "the message has more than %d segments", maxSegs)}
	}

	// MSH-18 decides how every other byte is read, so it is found in the
	// raw header first (delimiters and MSH-18 values are ASCII).
	mshRaw := mshFields(lines[0], d, encLen)
	if len(mshRaw) > 18 {
		name := string(mshRaw[18])
		reps := strings.Split(name, string(d.Repetition))
		if len(reps) > 1 && strings.Join(reps[1:], "") != "" {
			return nil, Errors{rejectf(Location{Segment: "MSH", Field: 18}, CodeTableValue, "charset",
				"more than one character set (ISO 2022 switching) is not read; use one of %s", SupportedCharsets)}
		}
		// The name is text: a writer whose delimiters include a
		// character of the name ("/" of 8859/1 as the subcomponent
		// separator) escapes it, as Ack does. The raw name is read too,
		// as before, since senders rarely escape it.
		cs, ok := ParseCharset(reps[0])
		if !ok {
			if text, bad := unescape(reps[0], d, CharsetASCII); bad == "" {
				cs, ok = ParseCharset(text)
			}
		}
		if !ok {
			return nil, Errors{rejectf(Location{Segment: "MSH", Field: 18}, CodeTableValue, "charset",
				"character set not read; use one of %s", SupportedCharsets)}
		}
		m.Charset = cs
	}
	m.decodeAs = m.Charset
	if m.decodeAs == CharsetUnset {
		m.decodeAs = opt.DefaultCharset
	}

	occ := map[string]int{}
	for i, line := range lines {
		var raw [][]byte
		name := ""
		if i == 0 {
			name, raw = "MSH", mshRaw
		} else {
			var ok bool
			name, ok = segmentID(line, d.Field)
			if !ok {
				// The line's text may be patient data: say where it is,
				// not what it holds.
				add(errorf(Location{}, CodeSegmentSequence, "segment", "segment %d does not start with a segment id (three letters or digits, then the field separator)", i+1))
				continue
			}
			switch name {
			case "MSH":
				add(rejectf(seg("MSH", occ["MSH"]+1), CodeSegmentSequence, "single-message", "a second MSH segment: send one message per frame"))
				continue
			case "BHS", "BTS", "FHS", "FTS":
				add(rejectf(seg(name, occ[name]+1), CodeSegmentSequence, "single-message", "batch and file segments are not read: send one message per frame"))
				continue
			}
			raw = bytes.Split(line, []byte{d.Field})
		}
		occ[name]++
		s := &Segment{Name: name, Occurrence: occ[name], msg: m}
		if len(raw) > MaxFields+1 {
			add(errorf(s.Location(), CodeSegmentSequence, "field-count", "the segment has more than %d fields", MaxFields))
			raw = raw[:MaxFields+1]
		}
		s.fields = make([]string, len(raw))
		s.fields[0] = name
		for n := 1; n < len(raw); n++ {
			text, ok := m.decodeAs.decode(raw[n])
			if !ok {
				add(errorf(s.Location().field(n), CodeDataType, "charset", "%s", charsetProblem(m)))
				continue
			}
			s.fields[n] = text
			if name == "MSH" && n <= 2 {
				continue
			}
			if problem := checkEscapes(text, d, m.decodeAs); problem != "" {
				add(errorf(s.Location().field(n), CodeDataType, "escape", "%s", problem))
			}
		}
		m.Segments = append(m.Segments, s)
	}
	return m, errs
}

// delimiters reads MSH-1 and MSH-2. encLen is the length of MSH-2.
func delimiters(b []byte) (Delimiters, int, *Error) {
	bad := func(format string, args ...any) (Delimiters, int, *Error) {
		return Delimiters{}, 0, rejectf(Location{Segment: "MSH", Field: 2}, CodeDataType, "delimiters", format, args...)
	}
	if len(b) < 8 {
		return bad("MSH is too short to hold the field separator and the encoding characters")
	}
	fs := b[3]
	if !validDelimiter(fs) {
		return bad("MSH-1, the field separator, must be a printable character that is not a letter or digit")
	}
	end := 4
	for end < len(b) && b[end] != fs && b[end] != '\r' && b[end] != '\n' {
		end++
	}
	enc := b[4:end]
	// v2.7 adds a fifth, the truncation character; it is not used here.
	if len(enc) < 4 || len(enc) > 5 {
		return bad("MSH-2 must hold 4 encoding characters (component, repetition, escape, subcomponent)")
	}
	seen := map[byte]bool{fs: true}
	for _, c := range enc {
		if !validDelimiter(c) || seen[c] {
			return bad("the delimiters must be distinct printable characters that are not letters or digits")
		}
		seen[c] = true
	}
	return Delimiters{Field: fs, Component: enc[0], Repetition: enc[1], Escape: enc[2], Subcomponent: enc[3]}, len(enc), nil
}

// splitLines splits at CR, LF or CR LF and drops blank lines.
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		k := bytes.IndexAny(b, "\r\n")
		line := b
		if k >= 0 {
			line, b = b[:k], b[k+1:]
		} else {
			b = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			out = append(out, line)
		}
	}
	return out
}

// mshFields splits the MSH line: [0] "MSH", [1] the field separator, [2]
// the encoding characters, then MSH-3 onwards.
func mshFields(line []byte, d Delimiters, encLen int) [][]byte {
	out := [][]byte{line[:3], line[3:4], line[4 : 4+encLen]}
	rest := line[4+encLen:]
	if len(rest) > 0 && rest[0] == d.Field {
		out = append(out, bytes.Split(rest[1:], []byte{d.Field})...)
	}
	return out
}

// segmentID returns the id of a segment line: three upper-case letters or
// digits starting with a letter, then the field separator or the end.
func segmentID(line []byte, fs byte) (string, bool) {
	if len(line) < 3 || (len(line) > 3 && line[3] != fs) {
		return "", false
	}
	for i, c := range line[:3] {
		if !(c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return "", false
		}
	}
	return string(line[:3]), true
}

func charsetProblem(m *Message) string {
	switch m.Charset {
	case CharsetUnset:
		if m.decodeAs == CharsetUnset || m.decodeAs == CharsetUTF8 {
			return "holds bytes that are not UTF-8 and MSH-18 names no character set; name it, e.g. 8859/1"
		}
		return fmt.Sprintf("holds bytes that are not %s, the character set assumed when MSH-18 is empty", m.decodeAs.Name())
	case CharsetASCII:
		return "holds bytes outside ASCII, the character set MSH-18 names"
	}
	return fmt.Sprintf("holds bytes that are not %s, the character set MSH-18 names", m.Charset.Name())
}

// checkEscapes decodes every leaf of a field and returns the first
// problem.
func checkEscapes(field string, d Delimiters, cs Charset) string {
	if d.Escape == 0 || strings.IndexByte(field, d.Escape) < 0 {
		return ""
	}
	for _, rep := range strings.Split(field, string(d.Repetition)) {
		for _, comp := range strings.Split(rep, string(d.Component)) {
			for _, sub := range strings.Split(comp, string(d.Subcomponent)) {
				if _, problem := unescape(sub, d, cs); problem != "" {
					return problem
				}
			}
		}
	}
	return ""
}
