package sr

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// element is one data element as read by the validator's parser. Values
// stay slices of the input; nothing is decoded until a rule asks.
type element struct {
	tag   tag.Tag
	vr    string
	value []byte     // raw value bytes, nil for sequences
	items []*dataset // items of a sequence
	isSeq bool
	loc   string // tag path, e.g. "(0040,A730)[2]/(0040,A160)"
}

// dataset is a list of elements in file order: the main dataset, the file
// meta information or one sequence item.
type dataset struct {
	elems []*element
	loc   string // tag path of the item, "" for the main dataset
}

// tagOrder is the tag's place in the ascending order PS3.5 §7.1 requires.
func tagOrder(t tag.Tag) uint32 { return uint32(t.Group)<<16 | uint32(t.Element) }

func tagPath(t tag.Tag) string { return fmt.Sprintf("(%04X,%04X)", t.Group, t.Element) }

// tagName returns "Name (gggg,eeee)" from the data dictionary.
func tagName(t tag.Tag) string {
	if info, err := tag.Find(t); err == nil {
		return info.Name + " " + tagPath(t)
	}
	return tagPath(t)
}

// get returns the element with tag t, or nil.
func (d *dataset) get(t tag.Tag) *element {
	if d == nil {
		return nil
	}
	for _, e := range d.elems {
		if e.tag == t {
			return e
		}
	}
	return nil
}

// at returns the path of tag t inside d, present or not, for issues about
// a missing attribute.
func (d *dataset) at(t tag.Tag) string {
	if d == nil || d.loc == "" {
		return tagPath(t)
	}
	return d.loc + "/" + tagPath(t)
}

// str returns the first value of the string element t in d, without
// padding; "" when absent, empty or not a string.
func (d *dataset) str(t tag.Tag) string {
	e := d.get(t)
	if e == nil {
		return ""
	}
	vs := e.strings()
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// seq returns the items of sequence t in d; nil when absent or not a
// sequence.
func (d *dataset) seq(t tag.Tag) []*dataset {
	e := d.get(t)
	if e == nil || !e.isSeq {
		return nil
	}
	return e.items
}

// text returns the value as a string with its padding removed. Bytes that
// are not UTF-8 are read as Latin-1, so that counts of characters stay
// right for single-byte character sets.
func (e *element) text() string {
	if e == nil || e.isSeq || !stringVR(e.vr) {
		return ""
	}
	b := e.value
	if textVR(e.vr) {
		// Leading spaces are significant in text VRs; only trailing
		// padding goes.
		b = trimRight(b, " ")
	} else {
		b = trimRight(b, " \x00")
	}
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// strings returns the values of a string element, split at backslashes
// (except in the text VRs) and trimmed of padding.
func (e *element) strings() []string {
	s := e.text()
	if s == "" {
		return nil
	}
	if textVR(e.vr) {
		return []string{s}
	}
	vs := strings.Split(s, "\\")
	for i, v := range vs {
		vs[i] = strings.Trim(v, " \x00")
	}
	return vs
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

// uint32s returns the values of a UL element.
func (e *element) uint32s() []uint32 {
	if e == nil || e.vr != "UL" {
		return nil
	}
	out := make([]uint32, 0, len(e.value)/4)
	for i := 0; i+4 <= len(e.value); i += 4 {
		out = append(out, binary.LittleEndian.Uint32(e.value[i:]))
	}
	return out
}

func trimRight(b []byte, cut string) []byte {
	for len(b) > 0 && strings.IndexByte(cut, b[len(b)-1]) >= 0 {
		b = b[:len(b)-1]
	}
	return b
}

func trimLeft(b []byte, cut string) []byte {
	for len(b) > 0 && strings.IndexByte(cut, b[0]) >= 0 {
		b = b[1:]
	}
	return b
}
