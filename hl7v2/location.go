package hl7v2

import (
	"strconv"
	"strings"
)

// Location is a place in a message: a segment (and which occurrence of
// it), optionally a field, a repetition of it, a component and a
// subcomponent. Numbers are 1-based; 0 means "the whole" of that level.
type Location struct {
	// Segment is the segment id, e.g. "PID"; "" when the message has no
	// readable segment there.
	Segment string
	// Occurrence is which segment of that id, counting from 1 in message
	// order (ERL-2, "segment sequence"). 0 and 1 both print as the first.
	Occurrence int
	// Field is the field position (ERL-3), e.g. 3 for PID-3.
	Field int
	// Repetition is the field repetition (ERL-4).
	Repetition int
	// Component (ERL-5) and Subcomponent (ERL-6).
	Component, Subcomponent int
}

// String writes the location as PID-3, OBX[4]-5, PID-3(2).4 or
// PID-3.4.2: the segment, its occurrence in brackets when not the first,
// the field after a dash, a repetition other than the first in
// parentheses, then component and subcomponent after dots.
func (l Location) String() string {
	var b strings.Builder
	if l.Segment == "" {
		b.WriteString("message")
	} else {
		b.WriteString(l.Segment)
	}
	if l.Occurrence > 1 {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(l.Occurrence))
		b.WriteByte(']')
	}
	if l.Field == 0 {
		return b.String()
	}
	b.WriteByte('-')
	b.WriteString(strconv.Itoa(l.Field))
	if l.Repetition > 1 {
		b.WriteByte('(')
		b.WriteString(strconv.Itoa(l.Repetition))
		b.WriteByte(')')
	}
	if l.Component > 0 {
		b.WriteByte('.')
		b.WriteString(strconv.Itoa(l.Component))
		if l.Subcomponent > 0 {
			b.WriteByte('.')
			b.WriteString(strconv.Itoa(l.Subcomponent))
		}
	}
	return b.String()
}

// seg returns the location of a whole segment.
func seg(name string, occurrence int) Location {
	return Location{Segment: name, Occurrence: occurrence}
}

// field returns the location of a field of this segment.
func (l Location) field(n int) Location {
	return Location{Segment: l.Segment, Occurrence: l.Occurrence, Field: n}
}
