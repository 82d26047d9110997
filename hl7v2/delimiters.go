package hl7v2

// Delimiters are the separators of a message, given in MSH-1 and MSH-2.
type Delimiters struct {
	Field, Component, Repetition, Escape, Subcomponent byte
}

// DefaultDelimiters are the ones HL7 recommends and nearly every system
// uses: | ^ ~ \ &.
var DefaultDelimiters = Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', Subcomponent: '&'}

// EncodingCharacters is MSH-2: component, repetition, escape and
// subcomponent separators.
func (d Delimiters) EncodingCharacters() string {
	return string([]byte{d.Component, d.Repetition, d.Escape, d.Subcomponent})
}

// isDelimiter reports whether c is one of the five.
func (d Delimiters) isDelimiter(c byte) bool {
	return c == d.Field || c == d.Component || c == d.Repetition || c == d.Escape || c == d.Subcomponent
}

// validDelimiter is a byte that may serve as a separator: printable ASCII
// that is not a letter, digit or space.
func validDelimiter(c byte) bool {
	switch {
	case c <= ' ' || c >= 0x7F:
		return false
	case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return false
	}
	return true
}
