package sr

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"

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

// file is a parsed Part 10 file. Its datasets live in an arena that
// release hands back for the next file: nothing of a file may be used
// after its release.
type file struct {
	meta    *dataset
	metaLen int // bytes of group 0002 after the (0002,0000) element
	ts      string
	ds      *dataset
	arena   *arena
}

// parseError is a structural defect that stops parsing.
type parseError struct {
	loc, msg string
}

func (e *parseError) Error() string { return e.msg }

// parser reads Explicit or Implicit VR Little Endian, or Explicit VR Big
// Endian, from b. What it finds goes to the arena's found.
type parser struct {
	b        []byte
	implicit bool
	// big is set for a big endian dataset. The file meta information is
	// always little endian (PS3.10 §7.1).
	big bool
	a   *arena
}

// u16 and u32 read a number in the dataset's byte order.
func (p *parser) u16(pos int) uint16 {
	if p.big {
		return binary.BigEndian.Uint16(p.b[pos:])
	}
	return binary.LittleEndian.Uint16(p.b[pos:])
}

func (p *parser) u32(pos int) uint32 {
	if p.big {
		return binary.BigEndian.Uint32(p.b[pos:])
	}
	return binary.LittleEndian.Uint32(p.b[pos:])
}

// tagAt reads the tag at pos in the dataset's byte order.
func (p *parser) tagAt(pos int) tag.Tag {
	return tag.Tag{Group: p.u16(pos), Element: p.u16(pos + 2)}
}

// parseFile reads preamble, file meta information and dataset. It reports
// what stops it as one issue and returns nil; what it found on the way
// (tag order, odd lengths) it adds to l only when the file could be read,
// so an unreadable file gives exactly one issue. The caller releases the
// file it returns.
func parseFile(b []byte, l *issue.List) *file {
	a := getArena()
	f := a.parse(b)
	*l = append(*l, a.issues...)
	clear(a.issues)
	a.issues = a.issues[:0]
	if f == nil {
		a.release()
	}
	return f
}

// parse is parseFile adding to the arena's issues, so that Validate
// allocates nothing for a file without issues.
func (a *arena) parse(b []byte) *file {
	f := readFile(b, a)
	if f == nil {
		a.issues = append(a.issues, a.found[len(a.found)-1])
		return nil
	}
	a.issues = append(a.issues, a.found...)
	return f
}

// release hands the file's arena back; f must not be used after.
func (f *file) release() { f.arena.release() }

// readFile does the work of parseFile, adding to the arena's found; its
// last issue is the fatal one when it returns nil.
func readFile(b []byte, a *arena) *file {
	l := &a.found
	if len(b) < preambleLen+4 || string(b[preambleLen:preambleLen+4]) != "DICM" {
		l.Errorf("SR-FILE-01", "", "no 128-byte preamble followed by \"DICM\": not a DICOM Part 10 file")
		return nil
	}
	f := &a.file
	*f = file{arena: a, meta: &a.meta, ds: &a.ds}
	mp := &parser{b: b, a: a}
	pos := preambleLen + 4
	start := len(a.estack)
	glEnd := -1
	for pos+4 <= len(b) && binary.LittleEndian.Uint16(b[pos:]) == 0x0002 {
		next, err := mp.element(pos, len(b), 0)
		if err != nil {
			l.Errorf("SR-FILE-01", err.loc, "file meta information cannot be read as Explicit VR Little Endian: %s", err.msg)
			return nil
		}
		if a.estack[len(a.estack)-1].tag == tag.FileMetaInformationGroupLength {
			glEnd = next
		}
		pos = next
	}
	a.meta.lo, a.meta.hi = a.settle(start)
	// The elements stay where they are until the dataset is parsed, so
	// the meta information can be read now.
	meta := dataset{elems: a.elems[a.meta.lo:a.meta.hi]}
	if gl := meta.get(tag.FileMetaInformationGroupLength); gl != nil && len(gl.value) == 4 && glEnd >= 0 {
		f.metaLen = pos - glEnd
		if want := int(binary.LittleEndian.Uint32(gl.value)); want != f.metaLen {
			l.Errorf("SR-FILE-01", tagPath(gl.tag), "File Meta Information Group Length is %d but group 0002 after it has %d bytes", want, f.metaLen)
		}
	}
	// The value is a slice of b, so the string stays valid whatever the
	// arena does.
	f.ts = meta.view(tag.TransferSyntaxUID)
	rest := b[pos:]
	p := &parser{b: rest, a: a}
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
		p.big = true
	default:
		// Encapsulated (compressed) transfer syntaxes still encode the
		// dataset as Explicit VR Little Endian; only the pixel data
		// differ, and an SR has none.
		l.Errorf("SR-FILE-03", tagPath(tag.TransferSyntaxUID), "transfer syntax is not one for SR (expected Explicit VR Little Endian)")
	}
	lo, hi, _, err := p.dataset(0, len(p.b), false, 0)
	if err != nil {
		l.Errorf("SR-FILE-03", err.loc, "dataset cannot be read: %s", err.msg)
		return nil
	}
	a.ds.lo, a.ds.hi = lo, hi
	a.link()
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

// here is the tag path of what is being read: the dataset, or the
// sequence between its items. Locations are spelled out only for an
// issue.
func (p *parser) here() string { return string(p.appendHere(nil)) }

func (p *parser) appendHere(b []byte) []byte {
	for i, s := range p.a.path {
		if i > 0 {
			b = append(b, '/')
		}
		b = appendTagPath(b, s.seq)
		if s.item > 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.item), 10)
			b = append(b, ']')
		}
	}
	return b
}

// child is the tag path of element t of the dataset being read.
func (p *parser) child(t tag.Tag) string {
	b := p.appendHere(make([]byte, 0, 64))
	if len(p.a.path) > 0 {
		b = append(b, '/')
	}
	return string(appendTagPath(b, t))
}

// dataset reads elements from pos up to end; in an item of undefined length
// it stops after the Item Delimitation Item. It returns where its elements
// went in the arena and the position after what it read. It checks the tag
// order (SR-FILE-04) on the way.
func (p *parser) dataset(pos, end int, undefined bool, depth int) (lo, hi int32, next int, err *parseError) {
	a := p.a
	start := len(a.estack)
	defer func() {
		if err != nil {
			clear(a.estack[start:])
			a.estack = a.estack[:start]
		}
	}()
	var prev tag.Tag
	for {
		if pos >= end {
			if undefined {
				return 0, 0, pos, p.fail(p.here(), "item of undefined length has no Item Delimitation Item")
			}
			lo, hi = a.settle(start)
			return lo, hi, pos, nil
		}
		if pos+4 > end {
			return 0, 0, pos, p.fail(p.here(), "%d stray bytes at the end", end-pos)
		}
		t := p.tagAt(pos)
		switch t {
		case tag.ItemDelimitationItem:
			if !undefined {
				return 0, 0, pos, p.fail(p.here(), "Item Delimitation Item in an item of defined length")
			}
			lo, hi = a.settle(start)
			return lo, hi, pos + 8, nil
		case tag.Item, tag.SequenceDelimitationItem:
			return 0, 0, pos, p.fail(p.child(t), "item tag outside a sequence")
		}
		if len(a.estack) > start && tagOrder(t) <= tagOrder(prev) {
			what := "out of ascending order"
			if t == prev {
				what = "present twice"
			}
			p.a.found.Errorf("SR-FILE-04", p.child(t), "data element %s is %s", tagName(t), what)
		}
		if t.Element == 0 && t.Group != 0x0002 {
			p.a.found.Warnf("SR-FILE-04", p.child(t), "retired group length element")
		}
		next, err := p.element(pos, end, depth)
		if err != nil {
			return 0, 0, pos, err
		}
		prev = t
		pos = next
	}
}

// element reads one data element at pos onto the arena's stack of
// elements; the caller drops it again on an error.
func (p *parser) element(pos, end int, depth int) (int, *parseError) {
	a := p.a
	t := p.tagAt(pos)
	i := len(a.estack)
	a.estack = append(a.estack, element{tag: t})
	var vr string
	var length uint32
	if p.implicit && t.Group != 0x0002 {
		if pos+8 > end {
			return pos, p.fail(p.child(t), "element header runs past the end")
		}
		vr = a.dict.vr(t)
		length = p.u32(pos + 4)
		pos += 8
	} else {
		if pos+8 > end {
			return pos, p.fail(p.child(t), "element header runs past the end")
		}
		b := p.b[pos+4 : pos+6]
		if b[0] < 'A' || b[0] > 'Z' || b[1] < 'A' || b[1] > 'Z' {
			return pos, p.fail(p.child(t), "no valid VR where Explicit VR requires one")
		}
		vr = internVR(b)
		if longLength(vr) {
			if pos+12 > end {
				return pos, p.fail(p.child(t), "element header runs past the end")
			}
			length = p.u32(pos + 8)
			pos += 12
		} else {
			length = uint32(p.u16(pos + 6))
			pos += 8
		}
	}
	a.estack[i].vr = vr
	if length == undefinedLength {
		return p.undefinedValue(i, pos, end, depth)
	}
	if int64(length) > int64(end-pos) {
		return pos, p.fail(p.child(t), "value length %d runs past the end of its container", length)
	}
	next := pos + int(length)
	if length%2 == 1 {
		a.found.Errorf("SR-FILE-05", p.child(t), "value length %d is odd", length)
	}
	if vr == "SQ" {
		first, n, _, err := p.items(t, pos, next, false, depth)
		if err != nil {
			return pos, err
		}
		// The stack may have moved while the items were read.
		e := &a.estack[i]
		e.isSeq, e.itemLo, e.itemN = true, first, n
		return next, nil
	}
	v := p.b[pos:next]
	e := &a.estack[i]
	if p.big {
		v = littleEndian(vr, v)
	}
	e.value = v
	if stringVR(vr) {
		e.ascii, e.plain = asciiKind(v)
	}
	return next, nil
}

// asciiKind reports whether b is ASCII, and whether it is ASCII without
// ESC, which starts an ISO 2022 escape sequence.
func asciiKind(b []byte) (ascii, plain bool) {
	plain = true
	for _, c := range b {
		if c >= 0x80 {
			return false, false
		}
		if c == 0x1b {
			plain = false
		}
	}
	return true, plain
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

// undefinedValue reads the value of element i of the stack, of undefined
// length: a sequence, a UN sequence (PS3.5 §6.2.2: its items are Implicit
// VR) or encapsulated data.
func (p *parser) undefinedValue(i, pos, end, depth int) (int, *parseError) {
	a := p.a
	t, vr := a.estack[i].tag, a.estack[i].vr
	switch vr {
	case "SQ":
	case "UN":
		saved := p.implicit
		p.implicit = true
		first, n, next, err := p.items(t, pos, end, true, depth)
		p.implicit = saved
		if err != nil {
			return pos, err
		}
		e := &a.estack[i]
		e.isSeq, e.itemLo, e.itemN, e.vr = true, first, n, "SQ"
		return next, nil
	case "OB", "OW":
		return p.skipFragments(pos, end, t)
	default:
		return pos, p.fail(p.child(t), "undefined length on a %s element", vr)
	}
	first, n, next, err := p.items(t, pos, end, true, depth)
	if err != nil {
		return pos, err
	}
	e := &a.estack[i]
	e.isSeq, e.itemLo, e.itemN = true, first, n
	return next, nil
}

// items reads the items of sequence seq whose value starts at pos, and
// returns where they went in the arena.
func (p *parser) items(seq tag.Tag, pos, end int, undefined bool, depth int) (first, n int32, next int, err *parseError) {
	a := p.a
	a.path = append(a.path, pathStep{seq: seq})
	step := len(a.path) - 1
	start := len(a.istack)
	defer func() {
		a.path = a.path[:step]
		if err != nil {
			clear(a.istack[start:])
			a.istack = a.istack[:start]
		}
	}()
	if depth+1 > maxNesting {
		return 0, 0, pos, p.fail(p.here(), "sequences nested more than %d deep", maxNesting)
	}
	for {
		if pos == end && !undefined {
			first, n = a.settleItems(start)
			return first, n, pos, nil
		}
		if pos+8 > end {
			return 0, 0, pos, p.fail(p.here(), "sequence has no Sequence Delimitation Item or is cut short")
		}
		t := p.tagAt(pos)
		length := p.u32(pos + 4)
		pos += 8
		switch {
		case t == tag.SequenceDelimitationItem && undefined:
			first, n = a.settleItems(start)
			return first, n, pos, nil
		case t != tag.Item:
			return 0, 0, pos, p.fail(p.here(), "sequence holds %s where an item must be", tagPath(t))
		}
		num := len(a.istack) - start + 1
		a.path[step].item = num
		it := dataset{num: num}
		var err *parseError
		if length == undefinedLength {
			it.lo, it.hi, pos, err = p.dataset(pos, end, true, depth+1)
		} else {
			if int64(length) > int64(end-pos) {
				return 0, 0, pos, p.fail(p.here(), "item length %d runs past the end of its sequence", length)
			}
			it.lo, it.hi, _, err = p.dataset(pos, pos+int(length), false, depth+1)
			pos += int(length)
		}
		if err != nil {
			return 0, 0, pos, err
		}
		a.path[step].item = 0
		a.istack = append(a.istack, it)
	}
}

// skipFragments passes over encapsulated data, which an SR does not use but
// a file may carry.
func (p *parser) skipFragments(pos, end int, t tag.Tag) (int, *parseError) {
	for {
		if pos+8 > end {
			return pos, p.fail(p.child(t), "encapsulated data has no Sequence Delimitation Item")
		}
		ft := p.tagAt(pos)
		length := p.u32(pos + 4)
		pos += 8
		if ft == tag.SequenceDelimitationItem {
			return pos, nil
		}
		if ft != tag.Item || length == undefinedLength || int64(length) > int64(end-pos) {
			return pos, p.fail(p.child(t), "encapsulated data has a malformed fragment")
		}
		pos += int(length)
	}
}

// vr is the VR of a tag in Implicit VR: the dictionary's, UL for group
// lengths, LO for private creators, else UN.
func (c *dictCache) vr(t tag.Tag) string {
	g, el := t.Group, t.Element
	switch {
	case el == 0:
		return "UL"
	case g%2 == 1 && el >= 0x10 && el <= 0xff:
		return "LO"
	}
	// Ambiguous entries such as US or SS read as their first choice.
	switch e := c.lookup(t); {
	case e.state == dictFound && e.n > 0:
		return internVR(e.vrs[0][:])
	case e.state == dictLong:
		if info, err := tag.Find(t); err == nil && len(info.VRs) > 0 {
			return info.VRs[0]
		}
	}
	return "UN"
}
