package sr

import (
	"sync"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/issue"
)

// arena holds everything one parse of a file makes: all elements in one
// slice, all sequence items in another, so a file costs a handful of
// allocations however many elements it has, and those are reused from
// one file to the next through a pool. Each dataset's elements and each
// sequence's items are contiguous: the parser collects them on a stack
// while it reads their children, and moves them to the arena when the
// dataset or sequence ends.
type arena struct {
	elems []element
	items []dataset
	ptrs  []*dataset // ptrs[i] is &items[i]: each sequence's items as a sub-slice
	// estack and istack hold the elements and items of the datasets and
	// sequences being read; path is where the parser is, for locations.
	estack []element
	istack []dataset
	path   []pathStep

	meta, ds dataset
	file     file
	// found is what the parser found; issues what Validate reports.
	found, issues issue.List

	// refs, byRef and text are the validator's scratch (see validator).
	refs  []instanceRef
	byRef []byRefItem
	text  []byte

	// dict caches the dictionary lookups; the dictionary never changes,
	// so the cache stays valid from one file to the next.
	dict dictCache
}

// pathStep is one sequence on the way from the main dataset to what the
// parser reads, and the item it is in (0 between items).
type pathStep struct {
	seq  tag.Tag
	item int
}

// maxArenaLen bounds the arenas kept for reuse: the arena of a huge file is
// left to the garbage collector rather than held.
const maxArenaLen = 1 << 14

var arenas = sync.Pool{New: func() any { return new(arena) }}

func getArena() *arena { return arenas.Get().(*arena) }

// release empties the arena, dropping every reference into the file, and
// returns it to the pool.
func (a *arena) release() {
	if cap(a.elems) > maxArenaLen || cap(a.items) > maxArenaLen || cap(a.estack) > maxArenaLen || cap(a.istack) > maxArenaLen ||
		cap(a.refs) > maxArenaLen || cap(a.byRef) > maxArenaLen || cap(a.text) > maxArenaLen<<4 ||
		cap(a.found) > maxArenaLen || cap(a.issues) > maxArenaLen {
		return
	}
	clear(a.found)
	clear(a.issues)
	a.found, a.issues = a.found[:0], a.issues[:0]
	clear(a.elems)
	clear(a.items)
	clear(a.ptrs)
	// The stacks are cleared as they shrink: past their length they
	// hold nothing.
	clear(a.estack)
	clear(a.istack)
	a.elems, a.items, a.ptrs = a.elems[:0], a.items[:0], a.ptrs[:0]
	a.estack, a.istack, a.path = a.estack[:0], a.istack[:0], a.path[:0]
	a.meta, a.ds, a.file = dataset{}, dataset{}, file{}
	arenas.Put(a)
}

// settle moves the elements a dataset collected from estack[start:] to
// the arena and returns where they are.
func (a *arena) settle(start int) (lo, hi int32) {
	lo = int32(len(a.elems))
	a.elems = append(a.elems, a.estack[start:]...)
	clear(a.estack[start:])
	a.estack = a.estack[:start]
	return lo, int32(len(a.elems))
}

// settleItems moves the items a sequence collected from istack[start:] to
// the arena and returns where they are.
func (a *arena) settleItems(start int) (first, n int32) {
	first = int32(len(a.items))
	a.items = append(a.items, a.istack[start:]...)
	clear(a.istack[start:])
	a.istack = a.istack[:start]
	return first, int32(len(a.items)) - first
}

// link turns the positions the parser recorded into slices and pointers,
// once the arena's slices no longer move.
func (a *arena) link() {
	a.ptrs = a.ptrs[:0]
	for i := range a.items {
		a.ptrs = append(a.ptrs, &a.items[i])
	}
	a.linkDataset(&a.meta)
	a.linkDataset(&a.ds)
	for i := range a.items {
		a.linkDataset(&a.items[i])
	}
}

func (a *arena) linkDataset(d *dataset) {
	d.elems = a.elems[d.lo:d.hi:d.hi]
	for i := range d.elems {
		e := &d.elems[i]
		e.parent = d
		if !e.isSeq || e.itemN == 0 {
			continue
		}
		e.items = a.ptrs[e.itemLo : e.itemLo+e.itemN : e.itemLo+e.itemN]
		for _, it := range e.items {
			it.owner = e
		}
	}
}

// dictCache remembers tag.Find's VRs for the tags of recent files: an SR
// repeats a few dozen tags hundreds of times, and a lookup in the
// library's dictionary copies its whole entry (and formats an error for a
// tag it does not know). It is a two-way set-associative cache of compact
// entries.
type dictCache [dictSets][2]dictEntry

const dictSets = 256

// dictEntry is the dictionary's answer for one tag: up to three VRs of two
// letters each, which every entry of the dictionary fits; another entry is
// looked up again each time.
type dictEntry struct {
	key   uint32
	state dictState
	n     uint8
	vrs   [3][2]byte
}

type dictState uint8

const (
	dictEmpty dictState = iota
	dictFound
	dictUnknown // not in the dictionary
	dictLong    // in the dictionary, but not in the compact form
)

// lookup returns the dictionary's answer for t.
func (c *dictCache) lookup(t tag.Tag) dictEntry {
	k := tagOrder(t)
	set := &c[(k*0x9E3779B1)>>24]
	switch {
	case set[0].state != dictEmpty && set[0].key == k:
		return set[0]
	case set[1].state != dictEmpty && set[1].key == k:
		// Most recently used first.
		set[0], set[1] = set[1], set[0]
		return set[0]
	}
	e := dictEntry{key: k, state: dictUnknown}
	if info, err := tag.Find(t); err == nil {
		e.state = dictFound
		if len(info.VRs) > len(e.vrs) {
			e.state = dictLong
		}
		for _, vr := range info.VRs {
			if len(vr) != 2 || e.state == dictLong {
				e.state = dictLong
				break
			}
			e.vrs[e.n] = [2]byte{vr[0], vr[1]}
			e.n++
		}
	}
	set[1], set[0] = set[0], e
	return e
}

// vrs returns the dictionary's VRs of t and whether the dictionary has t.
func (c *dictCache) vrs(t tag.Tag) ([]string, bool) {
	e := c.lookup(t)
	switch e.state {
	case dictUnknown:
		return nil, false
	case dictLong:
		info, _ := tag.Find(t)
		return info.VRs, true
	}
	out := make([]string, e.n)
	for i := range out {
		out[i] = internVR(e.vrs[i][:])
	}
	return out, true
}

// has reports whether vr is one of the entry's VRs; the entry is found
// and not long.
func (e *dictEntry) has(vr string) bool {
	if len(vr) != 2 {
		return false
	}
	for i := range e.n {
		if e.vrs[i][0] == vr[0] && e.vrs[i][1] == vr[1] {
			return true
		}
	}
	return false
}

// internVR returns the VR as one of the constant strings, so that reading
// a VR allocates nothing; a VR outside PS3.5 Table 6.2-1 is copied.
func internVR(b []byte) string {
	switch string(b) {
	case "AE":
		return "AE"
	case "AS":
		return "AS"
	case "AT":
		return "AT"
	case "CS":
		return "CS"
	case "DA":
		return "DA"
	case "DS":
		return "DS"
	case "DT":
		return "DT"
	case "FD":
		return "FD"
	case "FL":
		return "FL"
	case "IS":
		return "IS"
	case "LO":
		return "LO"
	case "LT":
		return "LT"
	case "OB":
		return "OB"
	case "OD":
		return "OD"
	case "OF":
		return "OF"
	case "OL":
		return "OL"
	case "OV":
		return "OV"
	case "OW":
		return "OW"
	case "PN":
		return "PN"
	case "SH":
		return "SH"
	case "SL":
		return "SL"
	case "SQ":
		return "SQ"
	case "SS":
		return "SS"
	case "ST":
		return "ST"
	case "SV":
		return "SV"
	case "TM":
		return "TM"
	case "UC":
		return "UC"
	case "UI":
		return "UI"
	case "UL":
		return "UL"
	case "UN":
		return "UN"
	case "UR":
		return "UR"
	case "US":
		return "US"
	case "UT":
		return "UT"
	case "UV":
		return "UV"
	}
	return string(b)
}
