package sr

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// element is one data element as read by the validator's parser. Values
// stay slices of the input; nothing is decoded until a rule asks, and a
// location is spelled out only for an issue.
type element struct {
	tag   tag.Tag
	isSeq bool
	// ascii is set for a string value of ASCII bytes only, plain for one
	// that also has no ESC: the parser notes it, so the rules that read
	// the value skip the UTF-8 check and the decoding.
	ascii, plain bool
	// itemLo and itemN place the items of a sequence in the arena while the
	// file is parsed; items is set from them once parsing is done.
	itemLo, itemN int32
	vr            string // one of the constant VR strings, or a copy for an unknown VR
	value         []byte // raw value bytes, nil for sequences
	items         []*dataset
	parent        *dataset // the dataset holding the element
}

// dataset is a list of elements in file order: the main dataset, the file
// meta information or one sequence item.
type dataset struct {
	elems []element
	// lo and hi place the elements in the arena while the file is parsed.
	lo, hi int32
	// owner is the sequence holding an item and num its 1-based place
	// in it; owner is nil for the main dataset and the meta information.
	owner *element
	num   int
}

// tagOrder is the tag's place in the ascending order PS3.5 §7.1 requires.
func tagOrder(t tag.Tag) uint32 { return uint32(t.Group)<<16 | uint32(t.Element) }

func tagPath(t tag.Tag) string { return string(appendTagPath(nil, t)) }

// appendTagPath appends "(gggg,eeee)" in upper case hex.
func appendTagPath(b []byte, t tag.Tag) []byte {
	const hex = "0123456789ABCDEF"
	b = append(b, '(')
	for s := 12; s >= 0; s -= 4 {
		b = append(b, hex[t.Group>>s&0xF])
	}
	b = append(b, ',')
	for s := 12; s >= 0; s -= 4 {
		b = append(b, hex[t.Element>>s&0xF])
	}
	return append(b, ')')
}

// tagName returns "Name (gggg,eeee)" from the data dictionary.
func tagName(t tag.Tag) string {
	if info, err := tag.Find(t); err == nil {
		return info.Name + " " + tagPath(t)
	}
	return tagPath(t)
}

// appendLoc appends the tag path of the item d, "" for the main dataset:
// e.g. "(0040,A730)[2]/(0040,A730)[1]". The parser bounded the nesting, so
// the recursion is bounded too.
func (d *dataset) appendLoc(b []byte) []byte {
	if d == nil || d.owner == nil {
		return b
	}
	b = d.owner.appendLoc(b)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(d.num), 10)
	return append(b, ']')
}

// appendLoc appends the tag path of e.
func (e *element) appendLoc(b []byte) []byte {
	if e.parent != nil && e.parent.owner != nil {
		b = e.parent.appendLoc(b)
		b = append(b, '/')
	}
	return appendTagPath(b, e.tag)
}

// loc returns the tag path of e, e.g. "(0040,A730)[2]/(0040,A160)", for an
// issue.
func (e *element) loc() string { return string(e.appendLoc(make([]byte, 0, 64))) }

// get returns the element with tag t, or nil.
func (d *dataset) get(t tag.Tag) *element {
	if d == nil {
		return nil
	}
	for i := range d.elems {
		if d.elems[i].tag == t {
			return &d.elems[i]
		}
	}
	return nil
}

// at returns the path of tag t inside d, present or not, for issues about
// a missing attribute.
func (d *dataset) at(t tag.Tag) string {
	b := make([]byte, 0, 64)
	if d != nil && d.owner != nil {
		b = d.appendLoc(b)
		b = append(b, '/')
	}
	return string(appendTagPath(b, t))
}

// str returns the first value of the string element t in d, without
// padding; "" when absent, empty or not a string. The string is a copy:
// it may outlive the file.
func (d *dataset) str(t tag.Tag) string { return strings.Clone(d.get(t).first()) }

// view is str without the copy: the string shares the bytes the file was
// read from (unless they had to be decoded), so it must not outlive the
// call that read them: it would change with the caller's bytes. The
// validator compares with it; the reader, whose values end up in a
// report, uses str.
func (d *dataset) view(t tag.Tag) string { return d.get(t).first() }

// seq returns the items of sequence t in d; nil when absent or not a
// sequence.
func (d *dataset) seq(t tag.Tag) []*dataset {
	e := d.get(t)
	if e == nil || !e.isSeq {
		return nil
	}
	return e.items
}

// viewOf returns b as a string sharing its bytes (see view).
func viewOf(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// latin1 reads bytes that are not UTF-8 as Latin-1, so that counts of
// characters stay right for single-byte character sets.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// textBytes returns the value with its padding removed: for the text VRs
// trailing spaces only, since leading spaces are significant there.
func (e *element) textBytes() []byte {
	if textVR(e.vr) {
		return trimRight(e.value, " ")
	}
	return trimRight(e.value, " \x00")
}

// text returns the value as a string with its padding removed. Bytes that
// are not UTF-8 are read as Latin-1 (see latin1).
func (e *element) text() string {
	if e == nil || e.isSeq || !stringVR(e.vr) {
		return ""
	}
	b := e.textBytes()
	if e.ascii || utf8.Valid(b) {
		return string(b)
	}
	return latin1(b)
}

// first returns the first of the values strings gives, sharing the bytes
// of the file where they are UTF-8 (see view).
func (e *element) first() string {
	if e == nil || e.isSeq || !stringVR(e.vr) {
		return ""
	}
	b := e.textBytes()
	if textVR(e.vr) {
		if e.ascii || utf8.Valid(b) {
			return viewOf(b)
		}
		return latin1(b)
	}
	valid := e.ascii || utf8.Valid(b)
	if i := bytes.IndexByte(b, '\\'); i >= 0 {
		b = b[:i]
	}
	b = trimRight(trimLeft(b, " \x00"), " \x00")
	if valid {
		return viewOf(b)
	}
	return latin1(b)
}

// valueIter walks the values of a string element as strings gives them,
// sharing the bytes of the file where they are UTF-8 (see view).
type valueIter struct {
	s    string
	text bool // a text VR: a backslash is data, the value is one
	done bool
}

func (e *element) valueIter() valueIter {
	if e == nil || e.isSeq || !stringVR(e.vr) {
		return valueIter{done: true}
	}
	b := e.textBytes()
	var s string
	if e.ascii || utf8.Valid(b) {
		s = viewOf(b)
	} else {
		s = latin1(b)
	}
	return valueIter{s: s, text: textVR(e.vr), done: s == ""}
}

// next returns the next value, and false when there is none.
func (it *valueIter) next() (string, bool) {
	if it.done {
		return "", false
	}
	if it.text {
		it.done = true
		return it.s, true
	}
	v, rest, more := strings.Cut(it.s, "\\")
	it.s, it.done = rest, !more
	return trimPadding(v), true
}

// strings returns the values of a string element, split at backslashes
// (except in the text VRs) and trimmed of padding.
func (e *element) strings() []string {
	var out []string
	it := e.valueIter()
	for v, ok := it.next(); ok; v, ok = it.next() {
		out = append(out, strings.Clone(v))
	}
	return out
}

// count returns how many values strings would give.
func (e *element) count() int {
	n := 0
	it := e.valueIter()
	for _, ok := it.next(); ok; _, ok = it.next() {
		n++
	}
	return n
}

// empty reports whether the element has no value: zero length, only
// padding, or a sequence without items.
func (e *element) empty() bool {
	if e.isSeq {
		return len(e.items) == 0
	}
	if stringVR(e.vr) {
		return len(trimRight(trimLeft(e.value, " "), " \x00")) == 0
	}
	return len(e.value) == 0
}

// trimRight and trimLeft cut bytes of cut, a short set such as " \x00",
// from the end or the start of b: bytes.TrimRight would build the set on
// every call of the walk over every value.
func trimRight(b []byte, cut string) []byte {
	for len(b) > 0 && inCut(b[len(b)-1], cut) {
		b = b[:len(b)-1]
	}
	return b
}

func trimLeft(b []byte, cut string) []byte {
	for len(b) > 0 && inCut(b[0], cut) {
		b = b[1:]
	}
	return b
}

// trimPadding is strings.Trim(s, " \x00") for one value.
func trimPadding(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == 0) {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == 0) {
		s = s[:len(s)-1]
	}
	return s
}

func inCut(c byte, cut string) bool {
	for i := 0; i < len(cut); i++ {
		if cut[i] == c {
			return true
		}
	}
	return false
}
