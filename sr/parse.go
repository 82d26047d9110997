package sr

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/issue"
)

// The validator reads files with its own parser rather than the library's:
// suyashkumar/dicom v1.1.0 panics on some malformed input (an empty
// Transfer Syntax UID leaves its reader without a byte order), and a
// validator of files from other systems must survive any input without
// recover.

// Transfer syntaxes the parser reads.
const (
	implicitVRLittleEndian = "1.2.840.10008.1.2"
	deflatedExplicitVRLE   = "1.2.840.10008.1.2.1.99"
	explicitVRBigEndian    = "1.2.840.10008.1.2.2"
)

// Parser limits. maxNesting bounds recursion, so a file of nested empty
// sequences cannot exhaust the stack; maxInflated bounds a deflated
// dataset, so a small file cannot expand into gigabytes.
const (
	maxNesting  = 128
	maxInflated = 64 << 20
)

const undefinedLength = 0xFFFFFFFF

const preambleLen = 128

// file is a parsed Part 10 file.
type file struct {
	meta    *dataset
	metaLen int // bytes of group 0002 after the (0002,0000) element
	ts      string
	ds      *dataset
}

// parseError is a structural defect that stops parsing.
type parseError struct {
	loc, msg string
}

func (e *parseError) Error() string { return e.msg }

// parser reads Explicit or Implicit VR Little Endian, or Explicit VR Big
// Endian, from b.
type parser struct {
	b        []byte
	implicit bool
	// bo is the byte order of the dataset; nil means little endian. The
	// file meta information is always little endian (PS3.10 §7.1).
	bo     binary.ByteOrder
	issues *issue.List
}

// order returns the byte order of the dataset.
func (p *parser) order() binary.ByteOrder {
	if p.bo == nil {
		return binary.LittleEndian
	}
	return p.bo
}

// tagAt reads the tag at pos in the dataset's byte order.
func (p *parser) tagAt(pos int) tag.Tag {
	o := p.order()
	return tag.Tag{Group: o.Uint16(p.b[pos:]), Element: o.Uint16(p.b[pos+2:])}
}

// parseFile reads preamble, file meta information and dataset. It reports
// what stops it as one issue and returns nil; what it found on the way
// (tag order, odd lengths) it adds to l only when the file could be read,
// so an unreadable file gives exactly one issue.
func parseFile(b []byte, l *issue.List) *file {
	var found issue.List
	f := readFile(b, &found)
	if f == nil {
		*l = append(*l, found[len(found)-1])
		return nil
	}
	*l = append(*l, found...)
	return f
}

// readFile does the work of parseFile; its last issue is the fatal one
// when it returns nil.
func readFile(b []byte, l *issue.List) *file {
	if len(b) < preambleLen+4 || string(b[preambleLen:preambleLen+4]) != "DICM" {
		l.Errorf("SR-FILE-01", "", "no 128-byte preamble followed by \"DICM\": not a DICOM Part 10 file")
		return nil
	}
	f := &file{}
	mp := &parser{b: b, issues: l}
	pos := preambleLen + 4
	meta := &dataset{}
	glEnd := -1
	for pos+4 <= len(b) && binary.LittleEndian.Uint16(b[pos:]) == 0x0002 {
		e, next, err := mp.element(pos, len(b), "", 0)
		if err != nil {
			l.Errorf("SR-FILE-01", err.loc, "file meta information cannot be read as Explicit VR Little Endian: %s", err.msg)
			return nil
		}
		meta.elems = append(meta.elems, e)
		if e.tag == tag.FileMetaInformationGroupLength {
			glEnd = next
		}
		pos = next
	}
	f.meta = meta
	if gl := meta.get(tag.FileMetaInformationGroupLength); gl != nil && len(gl.value) == 4 && glEnd >= 0 {
		f.metaLen = pos - glEnd
		if want := int(binary.LittleEndian.Uint32(gl.value)); want != f.metaLen {
			l.Errorf("SR-FILE-01", gl.loc, "File Meta Information Group Length is %d but group 0002 after it has %d bytes", want, f.metaLen)
		}
	}
	f.ts = meta.str(tag.TransferSyntaxUID)
	rest := b[pos:]
	p := &parser{b: rest, issues: l}
	switch f.ts {
	case ExplicitVRLittleEndian:
	case implicitVRLittleEndian:
		p.implicit = true
	case deflatedExplicitVRLE:
		inflated, err := inflate(rest)
		if err != nil {
			l.Errorf("SR-FILE-03", "", "deflated dataset cannot be inflated: %v", err)
			return nil
		}
		p.b = inflated
	case "":
		l.Errorf("SR-FILE-01", tagPath(tag.TransferSyntaxUID), "Transfer Syntax UID is missing: the dataset cannot be read")
		return nil
	case explicitVRBigEndian:
		// Retired (PS3.5 Annex A.3), but files of other systems still
		// use it: read and checked, with a warning (fileRules).
		p.bo = binary.BigEndian
	default:
		// Encapsulated (compressed) transfer syntaxes still encode the
		// dataset as Explicit VR Little Endian; only the pixel data
		// differ, and an SR has none.
		l.Errorf("SR-FILE-03", tagPath(tag.TransferSyntaxUID), "transfer syntax is not one for SR (expected Explicit VR Little Endian)")
	}
	ds, _, err := p.dataset(0, len(p.b), false, "", 0)
	if err != nil {
		l.Errorf("SR-FILE-03", err.loc, "dataset cannot be read: %s", err.msg)
		return nil
	}
	f.ds = ds
	return f
}

func inflate(b []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(b))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, maxInflated+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxInflated {
		return nil, fmt.Errorf("inflates to more than %d bytes", maxInflated)
	}
	return out, nil
}

func (p *parser) fail(loc, format string, args ...any) *parseError {
	return &parseError{loc: loc, msg: fmt.Sprintf(format, args...)}
}

func childLoc(parent string, t tag.Tag) string {
	if parent == "" {
		return tagPath(t)
	}
	return parent + "/" + tagPath(t)
}

// dataset reads elements from pos up to end; in an item of undefined length
// it stops after the Item Delimitation Item. It returns the position after
// what it read. It checks the tag order (SR-FILE-04) on the way.
func (p *parser) dataset(pos, end int, undefined bool, loc string, depth int) (*dataset, int, *parseError) {
	ds := &dataset{loc: loc}
	var prev tag.Tag
	for {
		if pos >= end {
			if undefined {
				return nil, pos, p.fail(loc, "item of undefined length has no Item Delimitation Item")
			}
			return ds, pos, nil
		}
		if pos+4 > end {
			return nil, pos, p.fail(loc, "%d stray bytes at the end", end-pos)
		}
		t := p.tagAt(pos)
		switch t {
		case tag.ItemDelimitationItem:
			if !undefined {
				return nil, pos, p.fail(loc, "Item Delimitation Item in an item of defined length")
			}
			return ds, pos + 8, nil
		case tag.Item, tag.SequenceDelimitationItem:
			return nil, pos, p.fail(childLoc(loc, t), "item tag outside a sequence")
		}
		if len(ds.elems) > 0 && tagOrder(t) <= tagOrder(prev) {
			what := "out of ascending order"
			if t == prev {
				what = "present twice"
			}
			p.issues.Errorf("SR-FILE-04", childLoc(loc, t), "data element %s is %s", tagName(t), what)
		}
		if t.Element == 0 && t.Group != 0x0002 {
			p.issues.Warnf("SR-FILE-04", childLoc(loc, t), "retired group length element")
		}
		e, next, err := p.element(pos, end, loc, depth)
		if err != nil {
			return nil, pos, err
		}
		ds.elems = append(ds.elems, e)
		prev = t
		pos = next
	}
}

// element reads one data element at pos.
func (p *parser) element(pos, end int, parentLoc string, depth int) (*element, int, *parseError) {
	o := p.order()
	t := p.tagAt(pos)
	g := t.Group
	loc := childLoc(parentLoc, t)
	e := &element{tag: t, loc: loc}
	var length uint32
	implicit := p.implicit && g != 0x0002
	if implicit {
		if pos+8 > end {
			return nil, pos, p.fail(loc, "element header runs past the end")
		}
		e.vr = dictVR(t)
		length = o.Uint32(p.b[pos+4:])
		pos += 8
	} else {
		if pos+8 > end {
			return nil, pos, p.fail(loc, "element header runs past the end")
		}
		vr := p.b[pos+4 : pos+6]
		if vr[0] < 'A' || vr[0] > 'Z' || vr[1] < 'A' || vr[1] > 'Z' {
			return nil, pos, p.fail(loc, "no valid VR where Explicit VR requires one")
		}
		e.vr = string(vr)
		if longLength(e.vr) {
			if pos+12 > end {
				return nil, pos, p.fail(loc, "element header runs past the end")
			}
			length = o.Uint32(p.b[pos+8:])
			pos += 12
		} else {
			length = uint32(o.Uint16(p.b[pos+6:]))
			pos += 8
		}
	}
	if length == undefinedLength {
		return p.undefinedValue(e, pos, end, depth)
	}
	if int64(length) > int64(end-pos) {
		return nil, pos, p.fail(loc, "value length %d runs past the end of its container", length)
	}
	next := pos + int(length)
	if length%2 == 1 {
		p.issues.Errorf("SR-FILE-05", loc, "value length %d is odd", length)
	}
	if e.vr == "SQ" {
		items, _, err := p.items(pos, next, false, loc, depth)
		if err != nil {
			return nil, pos, err
		}
		e.isSeq, e.items = true, items
		return e, next, nil
	}
	e.value = p.b[pos:next]
	if p.bo == binary.BigEndian {
		e.value = littleEndian(e.vr, e.value)
	}
	return e, next, nil
}

// littleEndian returns a big endian binary value in little endian, so the
// rules read every file the same way. Character data has no byte order;
// OB and UN are bytes.
func littleEndian(vr string, v []byte) []byte {
	var width int
	switch vr {
	case "US", "SS", "OW", "AT":
		width = 2 // AT is a pair of 16-bit group and element numbers
	case "UL", "SL", "FL", "OF", "OL":
		width = 4
	case "FD", "OD", "SV", "UV", "OV":
		width = 8
	default:
		return v
	}
	out := make([]byte, len(v))
	copy(out, v)
	for i := 0; i+width <= len(out); i += width {
		for a, b := i, i+width-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
	}
	return out
}

// undefinedValue reads an element of undefined length: a sequence, a UN
// sequence (PS3.5 §6.2.2: its items are Implicit VR) or encapsulated data.
func (p *parser) undefinedValue(e *element, pos, end, depth int) (*element, int, *parseError) {
	switch e.vr {
	case "SQ":
	case "UN":
		saved := p.implicit
		p.implicit = true
		items, next, err := p.items(pos, end, true, e.loc, depth)
		p.implicit = saved
		if err != nil {
			return nil, pos, err
		}
		e.isSeq, e.items, e.vr = true, items, "SQ"
		return e, next, nil
	case "OB", "OW":
		next, err := p.skipFragments(pos, end, e.loc)
		return e, next, err
	default:
		return nil, pos, p.fail(e.loc, "undefined length on a %s element", e.vr)
	}
	items, next, err := p.items(pos, end, true, e.loc, depth)
	if err != nil {
		return nil, pos, err
	}
	e.isSeq, e.items = true, items
	return e, next, nil
}

// items reads the items of a sequence whose value starts at pos.
func (p *parser) items(pos, end int, undefined bool, loc string, depth int) ([]*dataset, int, *parseError) {
	if depth+1 > maxNesting {
		return nil, pos, p.fail(loc, "sequences nested more than %d deep", maxNesting)
	}
	var out []*dataset
	for {
		if pos == end && !undefined {
			return out, pos, nil
		}
		if pos+8 > end {
			return nil, pos, p.fail(loc, "sequence has no Sequence Delimitation Item or is cut short")
		}
		t := p.tagAt(pos)
		length := p.order().Uint32(p.b[pos+4:])
		pos += 8
		switch {
		case t == tag.SequenceDelimitationItem && undefined:
			return out, pos, nil
		case t != tag.Item:
			return nil, pos, p.fail(loc, "sequence holds %s where an item must be", tagPath(t))
		}
		iloc := fmt.Sprintf("%s[%d]", loc, len(out)+1)
		var it *dataset
		var err *parseError
		if length == undefinedLength {
			it, pos, err = p.dataset(pos, end, true, iloc, depth+1)
		} else {
			if int64(length) > int64(end-pos) {
				return nil, pos, p.fail(iloc, "item length %d runs past the end of its sequence", length)
			}
			it, _, err = p.dataset(pos, pos+int(length), false, iloc, depth+1)
			pos += int(length)
		}
		if err != nil {
			return nil, pos, err
		}
		out = append(out, it)
	}
}

// skipFragments passes over encapsulated data, which an SR does not use but
// a file may carry.
func (p *parser) skipFragments(pos, end int, loc string) (int, *parseError) {
	for {
		if pos+8 > end {
			return pos, p.fail(loc, "encapsulated data has no Sequence Delimitation Item")
		}
		t := p.tagAt(pos)
		length := p.order().Uint32(p.b[pos+4:])
		pos += 8
		if t == tag.SequenceDelimitationItem {
			return pos, nil
		}
		if t != tag.Item || length == undefinedLength || int64(length) > int64(end-pos) {
			return pos, p.fail(loc, "encapsulated data has a malformed fragment")
		}
		pos += int(length)
	}
}

// dictVR is the VR of a tag in Implicit VR: the dictionary's, UL for group
// lengths, LO for private creators, else UN.
func dictVR(t tag.Tag) string {
	g, el := t.Group, t.Element
	switch {
	case el == 0:
		return "UL"
	case g%2 == 1 && el >= 0x10 && el <= 0xff:
		return "LO"
	}
	info, err := tag.Find(t)
	if err != nil || len(info.VRs) == 0 {
		return "UN"
	}
	// Ambiguous entries such as US or SS read as their first choice.
	return info.VRs[0]
}
