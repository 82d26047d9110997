package content

// ValueType is the value type of a content item (PS3.3 C.17.3).
type ValueType uint8

// Value types used by TID 2000.
const (
	Container ValueType = iota + 1
	Text
	CodeValue
	Num
	Image
	Date
	PName
	UIDRef
)

// String returns the DICOM Value Type string, e.g. "CONTAINER".
func (v ValueType) String() string {
	switch v {
	case Container:
		return "CONTAINER"
	case Text:
		return "TEXT"
	case CodeValue:
		return "CODE"
	case Num:
		return "NUM"
	case Image:
		return "IMAGE"
	case Date:
		return "DATE"
	case PName:
		return "PNAME"
	case UIDRef:
		return "UIDREF"
	}
	return ""
}

// Relationship is a content item's relationship with its parent (PS3.3
// Table C.17.3-8). The root has none.
type Relationship uint8

// Relationship types.
const (
	NoRelationship Relationship = iota
	Contains
	HasObsContext
	HasConceptMod
	HasProperties
	HasAcqContext
	InferredFrom
	SelectedFrom
)

// String returns the DICOM Relationship Type string, e.g. "CONTAINS".
func (r Relationship) String() string {
	switch r {
	case Contains:
		return "CONTAINS"
	case HasObsContext:
		return "HAS OBS CONTEXT"
	case HasConceptMod:
		return "HAS CONCEPT MOD"
	case HasProperties:
		return "HAS PROPERTIES"
	case HasAcqContext:
		return "HAS ACQ CONTEXT"
	case InferredFrom:
		return "INFERRED FROM"
	case SelectedFrom:
		return "SELECTED FROM"
	}
	return ""
}

// Node is one content item.
type Node struct {
	Relationship Relationship
	Type         ValueType
	// Concept is the concept name (required for all but some IMAGE items).
	Concept Code

	// The value; which field is set depends on Type.
	Text       string    // TEXT
	Code       Code      // CODE
	Num        *Numeric  // NUM
	Image      *ImageRef // IMAGE
	Date       string    // DATE, YYYYMMDD
	PersonName PersonName
	UID        string // UIDREF

	// Heading is set on section CONTAINERs.
	Heading *Heading
	// Title is the section title shown to the reader (section CONTAINERs).
	Title string
	// ID is stable within the document ("s1", "s1.2", ...); the CDA
	// encoder uses it for narrative IDs.
	ID string

	Children []*Node
}

// PersonName is a name in parts, as the PN and CDA name types need it:
// the alphabetic representation, and optionally the ideographic and
// phonetic ones (the second and third PN component groups).
type PersonName struct {
	Family, Prefix, Suffix string
	Given                  []string
	Ideographic, Phonetic  *PersonName
}

// GroupBlank reports whether p's own component group has no part; its
// Ideographic and Phonetic groups are not looked at. The SR reader and
// ProtoName both judge a name by it.
func (p PersonName) GroupBlank() bool {
	return p.Family == "" && p.Prefix == "" && p.Suffix == "" && len(p.Given) == 0
}

// Numeric is the value of a NUM item.
type Numeric struct {
	Value string // decimal string as given, e.g. "23" or "1.5"
	Unit  Code   // UCUM unit
}

// ImageRef is a reference to one DICOM instance.
type ImageRef struct {
	StudyUID, SeriesUID, SOPClassUID, SOPInstanceUID string
	Frames                                           []int32
	Modality                                         string
}

// Add appends a child and returns it.
func (n *Node) Add(c *Node) *Node {
	n.Children = append(n.Children, c)
	return c
}

// Walk calls f for n and every descendant, depth first, parents first; f
// gets the parent (nil for n). It stops descending where f returns false.
func (n *Node) Walk(f func(parent, n *Node) bool) {
	var walk func(p, c *Node)
	walk = func(p, c *Node) {
		if !f(p, c) {
			return
		}
		for _, k := range c.Children {
			walk(c, k)
		}
	}
	walk(nil, n)
}
