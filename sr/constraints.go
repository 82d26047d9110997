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

// allowed reports whether the IOD allows source --rel--> target.
func allowed(iod, source, rel, target string) bool {
	for _, c := range constraintTables[iod] {
		if c.rel == rel && (c.sources == nil || c.sources[source]) && c.targets[target] {
			return true
		}
	}
	return false
}

// knownVTs are the value types of PS3.3 Table C.17.3-7, the ones a message
// may name: any other value could be anything, even patient data.
var knownVTs = vts(enhancedVTs + ", SCOORD3D")

// vtName returns a value type for a message.
func vtName(vt string) string {
	if knownVTs[vt] {
		return vt
	}
	return "(unknown value type)"
}

// relationshipTypes are the Enumerated Values of Relationship Type (PS3.3
// Table C.17.3-8).
var relationshipTypes = vts("CONTAINS, HAS PROPERTIES, HAS OBS CONTEXT, HAS ACQ CONTEXT, INFERRED FROM, SELECTED FROM, HAS CONCEPT MOD")

// needsConceptName lists the value types whose Concept Name Code Sequence is
// required (Table C.17-5).
var needsConceptName = vts("TEXT, NUM, CODE, DATETIME, DATE, TIME, UIDREF, PNAME")

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
