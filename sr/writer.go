package sr

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// writer lays an attribute list out as a DICOM Part 10 file in Explicit VR
// Little Endian, appending to one buffer: no element values, readers or
// intermediate buffers in between. Its layout is the one suyashkumar/dicom's
// Write gives the same list (every sequence and item of undefined length),
// and a test holds it to those bytes (writer_crosscheck_test.go).
type writer struct {
	list *attrList
	buf  []byte
	// order is scratch for the attribute indexes of the datasets being
	// written, one run per nesting level, each sorted by tag.
	order []int32
	err   error
}

// Tags of the sequence delimiters (PS3.5 §7.5): items and delimitation
// items carry no VR and a 32-bit length in every transfer syntax.
var (
	itemTag          = tag.Item
	itemDelimTag     = tag.ItemDelimitationItem
	sequenceDelimTag = tag.SequenceDelimitationItem
)

// file writes the preamble, the file meta information (group 0002, with its
// group length, PS3.10 §7.1) and the main dataset.
func (w *writer) file(meta, ds int32) {
	w.buf = append(w.buf, make([]byte, preambleLen)...)
	w.buf = append(w.buf, "DICM"...)
	// File Meta Information Group Length (0002,0000), UL: the bytes of
	// the meta elements after it, known once they are written.
	w.header(tag.FileMetaInformationGroupLength, "UL", 4)
	at := len(w.buf)
	w.buf = append(w.buf, 0, 0, 0, 0)
	w.dataset(meta)
	groupLen := len(w.buf) - at - 4
	if groupLen > maxLongValue {
		w.fail("file meta information is %d bytes, more than its group length can say", groupLen)
		return
	}
	binary.LittleEndian.PutUint32(w.buf[at:], uint32(groupLen))
	w.dataset(ds)
}

func (w *writer) fail(format string, args ...any) {
	if w.err == nil {
		w.err = fmt.Errorf("sr: write: "+format+": %w", append(args, ErrUnsupported)...)
	}
}

// dataset writes the attributes of one dataset in ascending tag order
// (PS3.5 §7.1). A tag added twice is an encoder bug, refused rather than
// written.
func (w *writer) dataset(s int32) {
	attrs := w.list.attrs
	start := len(w.order)
	for i := w.list.sets[s].first; i != none; i = attrs[i].next {
		w.order = append(w.order, i)
	}
	end := len(w.order)
	slices.SortFunc(w.order[start:end], func(x, y int32) int { return attrs[x].tag.Compare(attrs[y].tag) })
	for k := start; k < end; k++ {
		// Index w.order afresh: nested datasets append to it, which may
		// move it.
		i := w.order[k]
		if k > start && attrs[i].tag == attrs[w.order[k-1]].tag {
			w.fail("%s added twice", attrName(attrs[i].tag))
		}
		w.element(&attrs[i])
	}
	w.order = w.order[:start]
}

// element writes one data element (PS3.5 §7.1.2).
func (w *writer) element(a *attrEntry) {
	if a.vr == "SQ" {
		// Undefined length: the sequence's length would have to be
		// known before its items are written, and an item's before its
		// attributes; the delimiters make that unnecessary (PS3.5
		// §7.5.1, §7.5.2).
		w.header(a.tag, a.vr, undefinedLength)
		for it := a.items; it != none; it = w.list.sets[it].next {
			w.delimiter(itemTag, undefinedLength)
			w.dataset(it)
			w.delimiter(itemDelimTag, 0)
		}
		w.delimiter(sequenceDelimTag, 0)
		return
	}
	n := len(a.value)
	w.header(a.tag, a.vr, uint32(n+n%2))
	w.buf = append(w.buf, a.value...)
	if n%2 == 1 {
		w.buf = append(w.buf, padding(a.vr))
	}
}

// padding is the byte that makes an odd value even (PS3.5 §6.2, §7.1.1):
// NUL for UI and binary values, a space for every other character VR,
// UC and UR included.
func padding(vr string) byte {
	if vr == "UI" || !stringVR(vr) {
		return 0
	}
	return ' '
}

// header writes tag, VR and length. OB, OD, OF, OL, OV, OW, SQ, SV, UC,
// UN, UR, UT and UV have two reserved bytes and a 32-bit length, the others
// a 16-bit length (PS3.5 §7.1.2, Table 7.1-1 and 7.1-2); str refused the
// values too long for theirs.
func (w *writer) header(t tag.Tag, vr string, length uint32) {
	w.buf = binary.LittleEndian.AppendUint16(w.buf, t.Group)
	w.buf = binary.LittleEndian.AppendUint16(w.buf, t.Element)
	if len(vr) != 2 {
		w.fail("%s has VR %q", attrName(t), vr)
		vr = "UN"
	}
	w.buf = append(w.buf, vr[0], vr[1])
	if longLength(vr) {
		w.buf = append(w.buf, 0, 0)
		w.buf = binary.LittleEndian.AppendUint32(w.buf, length)
		return
	}
	w.buf = binary.LittleEndian.AppendUint16(w.buf, uint16(length))
}

// delimiter writes an item or delimitation item: tag and 32-bit length,
// no VR (PS3.5 §7.5).
func (w *writer) delimiter(t tag.Tag, length uint32) {
	w.buf = binary.LittleEndian.AppendUint16(w.buf, t.Group)
	w.buf = binary.LittleEndian.AppendUint16(w.buf, t.Element)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, length)
}
