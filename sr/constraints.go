package sr

import (
	"strings"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
)

// The IOD rules as data: value types allowed (SR-IOD-02) and the
// relationship content constraints (SR-IOD-04) of PS3.3 Tables A.35.1-2,
// A.35.2-2 and A.35.3-2, as dicom-sr.md §1.2 restates them.

type vtSet map[string]bool

func vts(list string) vtSet {
	s := vtSet{}
	for _, v := range strings.Split(list, ",") {
		s[strings.TrimSpace(v)] = true
	}
	return s
}

const (
	basicVTs    = "TEXT, CODE, DATETIME, DATE, TIME, UIDREF, PNAME, COMPOSITE, IMAGE, WAVEFORM, CONTAINER"
	enhancedVTs = basicVTs + ", NUM, SCOORD, TCOORD"
	anySource   = "*"
)

// valueTypes lists the value types each IOD allows.
var valueTypes = map[string]vtSet{
	content.BasicTextSR:     vts(basicVTs),
	content.EnhancedSR:      vts(enhancedVTs),
	content.ComprehensiveSR: vts(enhancedVTs),
}

// constraint is one row of a relationship content constraint table.
type constraint struct {
	sources vtSet // nil means any source
	rel     string
	targets vtSet
}

func row(sources, rel, targets string) constraint {
	c := constraint{rel: rel, targets: vts(targets)}
	if sources != anySource {
		c.sources = vts(sources)
	}
	return c
}

var basicTable = []constraint{
	row("CONTAINER", "CONTAINS", "TEXT, CODE, DATETIME, DATE, TIME, UIDREF, PNAME, COMPOSITE, IMAGE, WAVEFORM, CONTAINER"),
	row("CONTAINER", "HAS OBS CONTEXT", "TEXT, CODE, DATETIME, DATE, TIME, UIDREF, PNAME, COMPOSITE, CONTAINER"),
	row("CONTAINER, IMAGE, WAVEFORM, COMPOSITE", "HAS ACQ CONTEXT", "TEXT, CODE, DATETIME, DATE, TIME, UIDREF, PNAME"),
	row(anySource, "HAS CONCEPT MOD", "TEXT, CODE"),
	row("TEXT", "HAS PROPERTIES", "TEXT, CODE, DATETIME, DATE, TIME, UIDREF, PNAME, IMAGE, WAVEFORM, COMPOSITE"),
	row("PNAME", "HAS PROPERTIES", "TEXT, CODE, DATETIME, DATE, TIME, UIDREF, PNAME"),
	row("TEXT", "INFERRED FROM", "TEXT, CODE, DATETIME, DATE, TIME, UIDREF, PNAME, IMAGE, WAVEFORM, COMPOSITE"),
}

const (
	enhancedEvidence = "TEXT, CODE, NUM, DATETIME, DATE, TIME, UIDREF, PNAME, IMAGE, WAVEFORM, COMPOSITE, SCOORD, TCOORD"
	enhancedContext  = "TEXT, CODE, NUM, DATETIME, DATE, TIME, UIDREF, PNAME"
)

var enhancedTable = []constraint{
	row("CONTAINER", "CONTAINS", "TEXT, CODE, NUM, DATETIME, DATE, TIME, UIDREF, PNAME, SCOORD, TCOORD, COMPOSITE, IMAGE, WAVEFORM, CONTAINER"),
	row("CONTAINER", "HAS OBS CONTEXT", "TEXT, CODE, NUM, DATETIME, DATE, TIME, UIDREF, PNAME, COMPOSITE, CONTAINER"),
	row("CONTAINER, IMAGE, WAVEFORM, COMPOSITE, NUM", "HAS ACQ CONTEXT", enhancedContext),
	row(anySource, "HAS CONCEPT MOD", "TEXT, CODE"),
	row("TEXT, CODE, NUM", "HAS PROPERTIES", enhancedEvidence),
	row("PNAME", "HAS PROPERTIES", "TEXT, CODE, DATETIME, DATE, TIME, UIDREF, PNAME"),
	row("TEXT, CODE, NUM", "INFERRED FROM", enhancedEvidence),
	row("SCOORD", "SELECTED FROM", "IMAGE"),
	row("TCOORD", "SELECTED FROM", "SCOORD, IMAGE, WAVEFORM"),
}

// comprehensiveTable widens the Enhanced table as Table A.35.3-2 does:
// observation context on TEXT, CODE and NUM, and CONTAINER as the target
// of acquisition context, properties and inference.
var comprehensiveTable = append(append([]constraint{}, enhancedTable...),
	row("TEXT, CODE, NUM", "HAS OBS CONTEXT", "TEXT, CODE, NUM, DATETIME, DATE, TIME, UIDREF, PNAME, COMPOSITE"),
	row("CONTAINER, IMAGE, WAVEFORM, COMPOSITE, NUM", "HAS ACQ CONTEXT", "CONTAINER"),
	row("TEXT, CODE, NUM", "HAS PROPERTIES", "CONTAINER"),
	row("TEXT, CODE, NUM", "INFERRED FROM", "CONTAINER"),
)

var constraintTables = map[string][]constraint{
	content.BasicTextSR:     basicTable,
	content.EnhancedSR:      enhancedTable,
	content.ComprehensiveSR: comprehensiveTable,
}

// knownVTList are the value types of PS3.3 Table C.17.3-7, the ones a
// message may name: any other value could be anything, even patient data.
const knownVTList = enhancedVTs + ", SCOORD3D"

var knownVTs = vts(knownVTList)

// The tables compiled once for the walk over the content tree: value
// types and relationship types are numbered (0 for any other value), sets
// of value types are bit sets, and the relationship constraints one table
// of targets per IOD, relationship and source.
type (
	vtCode  uint8
	relCode uint8
	vtBits  uint32
	// iodKind numbers the SR IODs: 0 is none of them.
	iodKind uint8
)

const (
	noIOD iodKind = iota
	basicIOD
	enhancedIOD
	comprehensiveIOD
	iodKinds
)

// iodKindOf maps SOP Class UIDs to the IODs the tables know.
var iodKindOf = map[string]iodKind{content.BasicTextSR: basicIOD, content.EnhancedSR: enhancedIOD, content.ComprehensiveSR: comprehensiveIOD}

// numbered numbers the comma-separated list from 1, in its order.
func numbered(list string) map[string]uint8 {
	m := map[string]uint8{}
	for i, v := range strings.Split(list, ",") {
		m[strings.TrimSpace(v)] = uint8(i + 1)
	}
	return m
}

// relationshipList are the Enumerated Values of Relationship Type (PS3.3
// Table C.17.3-8).
const relationshipList = "CONTAINS, HAS PROPERTIES, HAS OBS CONTEXT, HAS ACQ CONTEXT, INFERRED FROM, SELECTED FROM, HAS CONCEPT MOD"

var (
	vtCodes  = numbered(knownVTList)
	relCodes = numbered(relationshipList)
)

const (
	maxVTCode  = 31 // vtBits holds codes 0 to 31
	maxRelCode = 7
)

func vtOf(vt string) vtCode        { return vtCode(vtCodes[vt]) }
func relOf(rel string) relCode     { return relCode(relCodes[rel]) }
func (s vtBits) has(c vtCode) bool { return c != 0 && s&(1<<c) != 0 }

// bits compiles a set of value types.
func bits(s vtSet) vtBits {
	var b vtBits
	for vt := range s {
		if c := vtOf(vt); c != 0 {
			b |= 1 << c
		}
	}
	return b
}

var (
	// valueTypeBits are the value types each IOD allows (valueTypes).
	valueTypeBits [iodKinds]vtBits
	// targets[iod][rel][source] are the target value types the IOD
	// allows for that relationship from that source (the constraint
	// tables); source 0 is an unknown value type, which only the rows
	// for any source allow.
	targets [iodKinds][maxRelCode + 1][maxVTCode + 1]vtBits
)

func init() {
	for uid, k := range iodKindOf {
		valueTypeBits[k] = bits(valueTypes[uid])
		for _, c := range constraintTables[uid] {
			rel, to := relOf(c.rel), bits(c.targets)
			for src := range vtCode(maxVTCode + 1) {
				if c.sources == nil || (src != 0 && bits(c.sources).has(src)) {
					targets[k][rel][src] |= to
				}
			}
		}
	}
}

// allowedCode reports whether the IOD allows source --rel--> target.
func allowedCode(iod iodKind, source vtCode, rel relCode, target vtCode) bool {
	return targets[iod][rel][source].has(target)
}

// vtName returns a value type for a message.
func vtName(vt string) string {
	if knownVTs[vt] {
		return vt
	}
	return "(unknown value type)"
}

// needsConceptName lists the value types whose Concept Name Code Sequence is
// required (Table C.17-5).
var needsConceptName = vts("TEXT, NUM, CODE, DATETIME, DATE, TIME, UIDREF, PNAME")

var needsConceptNameBits = bits(needsConceptName)

// valueAttr is the attribute holding the value of simple value types
// (SR-CI-04).
var valueAttr = map[string]tag.Tag{
	"TEXT":     tag.TextValue,
	"DATETIME": tag.DateTime,
	"DATE":     tag.Date,
	"TIME":     tag.Time,
	"UIDREF":   tag.UID,
	"PNAME":    tag.PersonName,
}

// valueAttrOf is valueAttr by value type code.
var valueAttrOf = func() (m [maxVTCode + 1]struct {
	tag tag.Tag
	ok  bool
}) {
	for vt, t := range valueAttr {
		m[vtOf(vt)].tag, m[vtOf(vt)].ok = t, true
	}
	return m
}()
