package hl7v2

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Writer builds a message segment by segment.
type Writer struct {
	d Delimiters
	b bytes.Buffer
}

// NewWriter returns a writer for a message with delimiters d.
func NewWriter(d Delimiters) *Writer { return &Writer{d: d} }

// Delims are the writer's delimiters.
func (w *Writer) Delims() Delimiters { return w.d }

// Segment appends one segment. fields are field 1 onwards, already
// encoded (Encode, Comps); for MSH they are MSH-3 onwards, the writer
// writing MSH-1 and MSH-2 itself. Trailing empty fields are left out.
func (w *Writer) Segment(name string, fields ...string) {
	for len(fields) > 0 && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	w.b.WriteString(name)
	if name == "MSH" {
		w.b.WriteByte(w.d.Field)
		w.b.WriteString(w.d.EncodingCharacters())
	}
	for _, f := range fields {
		w.b.WriteByte(w.d.Field)
		w.b.WriteString(f)
	}
	w.b.WriteByte('\r')
}

// Raw appends a segment that is already encoded, without its CR.
func (w *Writer) Raw(segment string) {
	w.b.WriteString(segment)
	w.b.WriteByte('\r')
}

// Bytes returns the message as UTF-8.
func (w *Writer) Bytes() []byte { return bytes.Clone(w.b.Bytes()) }

// BytesIn returns the message encoded in character set cs (for an ACK in
// the character set of the message it answers).
func (w *Writer) BytesIn(cs Charset) []byte {
	return cs.encode(w.b.String())
}

// Comps escapes each text and joins them as components, leaving out
// trailing empty ones.
func (d Delimiters) Comps(texts ...string) string {
	return d.join(d.Component, texts, true)
}

// Subs escapes each text and joins them as subcomponents.
func (d Delimiters) Subs(texts ...string) string {
	return d.join(d.Subcomponent, texts, true)
}

// JoinComps joins parts that are already encoded (e.g. by Subs) as
// components.
func (d Delimiters) JoinComps(parts ...string) string {
	return d.join(d.Component, parts, false)
}

// JoinReps joins encoded parts as repetitions.
func (d Delimiters) JoinReps(parts ...string) string {
	return d.join(d.Repetition, parts, false)
}

func (d Delimiters) join(sep byte, parts []string, escape bool) string {
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(sep)
		}
		if escape {
			p = d.Encode(p)
		}
		b.WriteString(p)
	}
	return b.String()
}

// encode returns UTF-8 text as bytes of the character set. Characters the
// set lacks become '?': the writers only put such characters where the
// message they answer had them, so this does not happen in practice.
func (c Charset) encode(s string) []byte {
	switch c {
	case CharsetUTF8, CharsetUnset:
		return []byte(s)
	}
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case c == CharsetASCII:
			out = append(out, '?')
		case c == CharsetLatin9 && latin9Byte(r) != 0:
			out = append(out, latin9Byte(r))
		case r <= 0xFF && !(c == CharsetLatin9 && latin9[byte(r)] != 0) && r != utf8.RuneError:
			out = append(out, byte(r))
		default:
			out = append(out, '?')
		}
	}
	return out
}

func latin9Byte(r rune) byte {
	for b, x := range latin9 {
		if x == r {
			return b
		}
	}
	return 0
}
