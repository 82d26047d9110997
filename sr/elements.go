package sr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// The attribute list: what the module and content item builders assemble
// and the writer (writer.go) lays out as bytes. It lives in two flat
// slices, one of attributes and one of datasets, linked by index, so a
// document of any size costs a handful of allocations however many
// sequence items it has, and the slices are reused from one document to
// the next (encode.go pools them).
//
// Each dataset keeps its attributes in the order they were added; the
// writer puts them in ascending tag order (PS3.5 §7.1). The modules add
// them module by module, as PS3.3 lists them, which is not tag order.

// none ends a chain of attributes or items.
const none = -1

// attrEntry is one data element of the list.
type attrEntry struct {
	tag tag.Tag
	// vr is the data dictionary's VR (PS3.6) for tag: it decides the
	// length field and the padding.
	vr string
	// value is the value as given, unpadded: a character VR's values
	// joined by backslash (PS3.5 §6.4), or an OB's bytes. The strings
	// are the document's, not copies.
	value string
	// items are the first and last item of a sequence (indexes into
	// attrList.sets), none when it has none.
	items, lastItem int32
	// next is the next attribute of the same dataset.
	next int32
}

// attrSet is one dataset of the list: the main dataset, the file meta
// information or one sequence item.
type attrSet struct {
	first, last int32 // its attributes, linked by attrEntry.next
	next        int32 // the next item of the same sequence
}

// attrList holds every attribute and dataset of one file.
type attrList struct {
	attrs []attrEntry
	sets  []attrSet
}

// reset empties the list for the next document, keeping its room. The
// strings of the last document are let go, so a pooled list does not keep
// a report alive.
func (l *attrList) reset() {
	clear(l.attrs)
	l.attrs, l.sets = l.attrs[:0], l.sets[:0]
}

// encoder carries the attribute list and the first error of an encoding
// run, so module and item builders can add attributes without checking an
// error after each one.
type encoder struct {
	list attrList
	err  error
	// where names the part being encoded for error messages, e.g.
	// "patient"; never a value. Inside the content tree, path is the
	// position of the content item, e.g. 1, 5, 2 for "content item
	// 1.5.2": kept as numbers and spelled out only for an error, since
	// every item would otherwise cost a string.
	where string
	path  []int32
	vrs   vrCache
}

// at names the part being encoded next.
func (e *encoder) at(where string) {
	e.where, e.path = where, e.path[:0]
}

func (e *encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *encoder) failf(format string, args ...any) {
	if e.err != nil {
		return
	}
	e.fail(fmt.Errorf("sr: %s: "+format, append([]any{e.place()}, args...)...))
}

// place spells out where for a message.
func (e *encoder) place() string {
	if len(e.path) == 0 {
		return e.where
	}
	b := []byte("content item ")
	for i, p := range e.path {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendInt(b, int64(p), 10)
	}
	return string(b)
}

// attrs is a handle on one dataset of the list, to add attributes to.
type attrs struct {
	enc *encoder
	id  int32
}

// attrs starts a new, empty dataset.
func (e *encoder) attrs() attrs {
	e.list.sets = append(e.list.sets, attrSet{first: none, last: none, next: none})
	return attrs{enc: e, id: int32(len(e.list.sets) - 1)}
}

// sequence is a handle on a sequence attribute, to add items to.
type sequence struct {
	enc *encoder
	id  int32 // index into attrList.attrs; none when the sequence was refused
}

func tagString(t tag.Tag) string { return fmt.Sprintf("(%04X,%04X)", t.Group, t.Element) }

func attrName(t tag.Tag) string {
	if info, err := tag.Find(t); err == nil {
		return info.Name + " " + tagString(t)
	}
	return tagString(t)
}

// dictVR returns the VR the data dictionary gives t, or fails: a tag
// outside the dictionary is an encoder bug, not something to write as UN.
func (a attrs) dictVR(t tag.Tag) (string, bool) {
	vr, ok := a.enc.vrs.lookup(t)
	if !ok {
		a.enc.failf("%s is not in the data dictionary: %w", tagString(t), ErrUnsupported)
	}
	return vr, ok
}

// vrCache remembers the dictionary's VR of each tag an encoder has met.
// The dictionary (suyashkumar/dicom's tag package) is a map of thousands
// of entries, and looking every attribute up in it took a third of the
// encoding time; the encoder uses some sixty tags, and a pooled encoder
// keeps its cache from one document to the next.
type vrCache struct {
	slots [vrCacheSlots]vrSlot
}

type vrSlot struct {
	tag tag.Tag
	vr  string // "" while the slot is free
}

// vrCacheSlots is a power of two, four times the tags the encoder uses, so
// probes stay short.
const vrCacheSlots = 256

func (c *vrCache) lookup(t tag.Tag) (string, bool) {
	h := (uint32(t.Group)<<16 | uint32(t.Element)) * 0x9e3779b1 >> 24
	for i := range uint32(vrCacheSlots) {
		s := &c.slots[(h+i)%vrCacheSlots]
		if s.vr == "" {
			vr, ok := findVR(t)
			if ok {
				*s = vrSlot{tag: t, vr: vr}
			}
			return vr, ok
		}
		if s.tag == t {
			return s.vr, true
		}
	}
	return findVR(t)
}

// findVR looks t up in the dictionary: its first VR, which for the tags
// the encoder writes is the only one.
func findVR(t tag.Tag) (string, bool) {
	info, err := tag.Find(t)
	if err != nil || len(info.VRs) == 0 || info.VRs[0] == "" {
		return "", false
	}
	return info.VRs[0], true
}

// Largest values a length field holds: 16 bits, or 32 bits less the
// undefined length FFFFFFFFH (PS3.5 §7.1.1, Table 7.1-1), each after the
// padding to even length.
const (
	maxShortValue = 0xfffe
	maxLongValue  = 0xfffffffe
)

// str adds a character attribute as given, empty or not: Type 2
// semantics. A multi-valued attribute passes its values joined by
// backslash.
func (a attrs) str(t tag.Tag, v string) {
	vr, ok := a.dictVR(t)
	if !ok {
		return
	}
	if !stringVR(vr) {
		a.enc.failf("%s is %s, not a character attribute: %w", attrName(t), vr, ErrUnsupported)
		return
	}
	if textVR(vr) {
		v = dicomText(v)
	}
	// The encoder does not judge values against their VRs: that is the
	// validator's reading of PS3.5 (vr.go), which runs on the bytes
	// written, and the two must not share one reading (package extval's
	// point). It only refuses what it cannot encode at all: a value its
	// length field cannot hold.
	limit := maxShortValue
	if longLength(vr) {
		limit = maxLongValue
	}
	if len(v) > limit {
		a.enc.failf("%s is %d bytes, more than a %s element can hold: %w", attrName(t), len(v), vr, ErrInvalidValue)
		return
	}
	a.add(attrEntry{tag: t, vr: vr, value: v})
}

// req adds a Type 1 string attribute, failing when the value is empty.
func (a attrs) req(t tag.Tag, v string) {
	if strings.TrimSpace(v) == "" {
		a.enc.failf("%s is required: %w", attrName(t), ErrMissingValue)
		return
	}
	a.str(t, v)
}

// opt adds a Type 3 string attribute only when it has a value.
func (a attrs) opt(t tag.Tag, v string) {
	if v != "" {
		a.str(t, v)
	}
}

// bytes adds a binary (OB) attribute.
func (a attrs) bytes(t tag.Tag, b string) {
	vr, ok := a.dictVR(t)
	if !ok {
		return
	}
	if vr != "OB" {
		a.enc.failf("%s is %s, not OB: %w", attrName(t), vr, ErrUnsupported)
		return
	}
	a.add(attrEntry{tag: t, vr: vr, value: b})
}

// seq adds a sequence holding items; more can be added to the sequence
// it returns. No items gives the empty sequence of a Type 2 attribute.
func (a attrs) seq(t tag.Tag, items ...attrs) sequence {
	vr, ok := a.dictVR(t)
	if !ok {
		return sequence{enc: a.enc, id: none}
	}
	if vr != "SQ" {
		a.enc.failf("%s is %s, not a sequence: %w", attrName(t), vr, ErrUnsupported)
		return sequence{enc: a.enc, id: none}
	}
	s := sequence{enc: a.enc, id: a.add(attrEntry{tag: t, vr: vr})}
	for _, it := range items {
		s.add(it)
	}
	return s
}

// add appends item to the sequence.
func (s sequence) add(item attrs) {
	if s.id == none {
		return
	}
	l := &s.enc.list
	sq := &l.attrs[s.id]
	if sq.lastItem == none {
		sq.items = item.id
	} else {
		l.sets[sq.lastItem].next = item.id
	}
	sq.lastItem = item.id
}

// add appends el to the dataset and returns its index.
func (a attrs) add(el attrEntry) int32 {
	l := &a.enc.list
	el.items, el.lastItem, el.next = none, none, none
	l.attrs = append(l.attrs, el)
	i := int32(len(l.attrs) - 1)
	ds := &l.sets[a.id]
	if ds.last == none {
		ds.first = i
	} else {
		l.attrs[ds.last].next = i
	}
	ds.last = i
	return i
}

// dicomText writes TAB as a space in the text VRs (LT, ST, UT): XML, and so
// the report and its CDA, allow TAB, but DICOM text allows only CR, LF, FF
// and ESC as control characters (PS3.5 6.1.3). The request checks refuse
// every other control character and warn of each field whose TABs this
// changes, so nothing is changed silently.
func dicomText(v string) string {
	// ReplaceAll returns v itself when it holds no TAB: no copy.
	return strings.ReplaceAll(v, "\t", " ")
}
