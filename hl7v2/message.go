package hl7v2

import "strings"

// Message is a parsed HL7 v2 message. Field text is kept as sent (escape
// sequences included) in UTF-8; Value.Text decodes a value when it is read.
type Message struct {
	// Delims are the message's delimiters (MSH-1, MSH-2).
	Delims Delimiters
	// Charset is the character set MSH-18 names (CharsetUnset when empty).
	Charset Charset
	// decodeAs is the character set the text was read in: Charset, or the
	// parser's default when MSH-18 is empty.
	decodeAs Charset
	// Segments in message order.
	Segments []*Segment
}

// Segment is one segment of a message.
type Segment struct {
	// Name is the segment id, e.g. "PID".
	Name string
	// Occurrence counts segments of this id in message order, from 1.
	Occurrence int
	// fields[0] is the id; fields[n] is field n. For MSH, fields[1] is the
	// field separator and fields[2] the encoding characters.
	fields []string
	msg    *Message
}

// MSH returns the message header (every parsed message has one).
func (m *Message) MSH() *Segment { return m.First("MSH") }

// First returns the first segment with this id, or nil.
func (m *Message) First(name string) *Segment {
	for _, s := range m.Segments {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// All returns the segments with this id in message order.
func (m *Message) All(name string) []*Segment {
	var out []*Segment
	for _, s := range m.Segments {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// Location is where the segment is.
func (s *Segment) Location() Location { return seg(s.Name, s.Occurrence) }

// Len is the number of the segment's last field.
func (s *Segment) Len() int { return len(s.fields) - 1 }

// Field returns field n (1-based); a field the segment does not have is
// empty.
func (s *Segment) Field(n int) Value {
	v := Value{loc: s.Location().field(n), msg: s.msg}
	if n >= 1 && n < len(s.fields) {
		v.raw = s.fields[n]
	}
	// MSH-1 and MSH-2 hold the delimiters themselves: never split them.
	v.opaque = s.Name == "MSH" && (n == 1 || n == 2)
	return v
}

// Value is a part of a message at some level: a field, one repetition of
// it, a component or a subcomponent, with its location.
type Value struct {
	raw    string
	loc    Location
	level  int // 0 field, 1 repetition, 2 component, 3 subcomponent
	opaque bool
	msg    *Message
}

// Raw returns the value as sent, escape sequences and lower delimiters
// included.
func (v Value) Raw() string { return v.raw }

// Location is where the value is.
func (v Value) Location() Location { return v.loc }

// IsEmpty reports whether the value is empty or the HL7 null "".
func (v Value) IsEmpty() bool { return v.raw == "" || v.raw == `""` }

// Repetitions returns the repetitions of a field (a value below field
// level is its own only repetition). An empty field has none.
func (v Value) Repetitions() []Value {
	if v.level > 0 || v.opaque {
		return []Value{v}
	}
	if v.raw == "" {
		return nil
	}
	parts := strings.Split(v.raw, string(v.msg.Delims.Repetition))
	out := make([]Value, len(parts))
	for i, p := range parts {
		loc := v.loc
		loc.Repetition = i + 1
		out[i] = Value{raw: p, loc: loc, level: 1, msg: v.msg}
	}
	return out
}

// first returns the first repetition of a field, else the value itself.
func (v Value) first() Value {
	if v.level > 0 || v.opaque {
		return v
	}
	r := v.Repetitions()
	if len(r) == 0 {
		loc := v.loc
		loc.Repetition = 1
		return Value{loc: loc, level: 1, msg: v.msg}
	}
	return r[0]
}

// Component returns component n (1-based) of the value; of a field, of
// its first repetition.
func (v Value) Component(n int) Value {
	if v.opaque {
		return Value{loc: v.loc, level: 2, opaque: true, msg: v.msg, raw: v.raw}
	}
	if v.level >= 2 {
		// A component of a component is a subcomponent: data types
		// nest one level deeper inside another type's component.
		return v.Sub(n)
	}
	r := v.first()
	loc := r.loc
	loc.Component = n
	return Value{raw: nth(r.raw, v.msg.Delims.Component, n), loc: loc, level: 2, msg: v.msg}
}

// Sub returns subcomponent n (1-based) of a component; of a field or
// repetition, of its first component.
func (v Value) Sub(n int) Value {
	if v.opaque {
		return v
	}
	c := v
	if v.level < 2 {
		c = v.Component(1)
	}
	if c.level == 3 {
		if n == 1 {
			return c
		}
		return Value{loc: c.loc, level: 3, msg: v.msg}
	}
	loc := c.loc
	loc.Subcomponent = n
	return Value{raw: nth(c.raw, v.msg.Delims.Subcomponent, n), loc: loc, level: 3, msg: v.msg}
}

// Text returns the value decoded (escape sequences resolved): of a field,
// its first repetition's first component's first subcomponent, as HL7
// says a receiver that wants a primitive value reads a composite one. The
// HL7 null "" reads as empty.
func (v Value) Text() string {
	if v.opaque {
		return v.raw
	}
	leaf := v
	switch {
	case v.level < 2:
		leaf = v.Component(1).Sub(1)
	case v.level == 2:
		leaf = v.Sub(1)
	}
	if leaf.raw == `""` {
		return ""
	}
	s, _ := unescape(leaf.raw, v.msg.Delims, v.msg.decodeAs)
	return s
}

// Texts returns the decoded text of every repetition of a field (empty
// repetitions included, as "").
func (v Value) Texts() []string {
	reps := v.Repetitions()
	out := make([]string, len(reps))
	for i, r := range reps {
		out[i] = r.Text()
	}
	return out
}

// nth returns the n-th (1-based) part of s split at sep, "" past the end.
func nth(s string, sep byte, n int) string {
	if n < 1 {
		return ""
	}
	for i := 1; i < n; i++ {
		k := strings.IndexByte(s, sep)
		if k < 0 {
			return ""
		}
		s = s[k+1:]
	}
	if k := strings.IndexByte(s, sep); k >= 0 {
		return s[:k]
	}
	return s
}

// Literal returns the whole value decoded as one text: component and
// subcomponent separators in it are read as the characters they are.
// Report text (TX, FT, ST) is a primitive type, so a separator in it can
// only be a character the sender did not escape.
func (v Value) Literal() string {
	if v.raw == `""` {
		return ""
	}
	s, _ := unescape(v.raw, v.msg.Delims, v.msg.decodeAs)
	return s
}
