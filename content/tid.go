package content

import (
	"fmt"
	"slices"

	"github.com/reportgen/reportgen/dicomdict"
)

// Requirement is the Requirement Type of a template row (PS3.16 §6.1).
type Requirement uint8

// Requirement types.
const (
	Mandatory     Requirement = iota + 1 // M
	MandatoryCond                        // MC
	UserOption                           // U
	UserCond                             // UC
)

// String returns the abbreviation PS3.16 tables use, e.g. "MC".
func (r Requirement) String() string {
	return [...]string{"", "M", "MC", "U", "UC"}[r]
}

// Row is one row of a template table (PS3.16 §6.1): what the tree
// builder writes for it, what the SR reader recognises by it and what the
// validator's template rules check. A row that includes another template
// has no value type and names the template in Include.
type Row struct {
	TID, Row int
	// Level is the nesting level: 0 for the template's top rows, 1 for
	// ">", 2 for ">>".
	Level int
	// Rel is the relationship with the parent; for the top rows of an
	// included template, the one the including row gives.
	Rel Relationship
	// Types are the value types the row allows: one, or two where the
	// template allows either (TID 1210).
	Types []ValueType
	// Include is the template an INCLUDE row includes.
	Include int
	// Concept is the concept name an EV constraint fixes; zero where a
	// context group (CID) constrains it.
	Concept Code
	// CID is the context group of the concept name (or of the value,
	// where the concept is fixed), 0 for none.
	CID int
	// VM is the number of items the row allows, e.g. "1" or "1-n".
	VM  string
	Req Requirement
	// Cond is the condition of an MC or UC row, or what the row is for.
	Cond string
}

// String names the row as PS3.16 does, "TID <template> row <number>": issues and
// comments cite rows by it.
func (r *Row) String() string { return fmt.Sprintf("TID %d row %d", r.TID, r.Row) }

// Type is the row's (first) value type.
func (r *Row) Type() ValueType {
	if len(r.Types) == 0 {
		return 0
	}
	return r.Types[0]
}

// Allows reports whether the row allows value type vt.
func (r *Row) Allows(vt ValueType) bool { return slices.Contains(r.Types, vt) }

// Node returns an empty content item of the row: its relationship, value
// type and fixed concept name. The caller sets the value.
func (r *Row) Node() *Node {
	return &Node{Relationship: r.Rel, Type: r.Type(), Concept: r.Concept}
}

// Is reports whether n is an item of the row: the row's relationship, a
// value type it allows and its fixed concept name (value and scheme; the
// meaning may be worded otherwise). Rows whose concept a CID constrains
// match no node.
func (r *Row) Is(n *Node) bool {
	return !r.Concept.IsZero() && n.Relationship == r.Rel && r.Allows(n.Type) &&
		n.Concept.Value == r.Concept.Value && n.Concept.Designator == r.Concept.Designator
}

func vts(v ...ValueType) []ValueType { return v }

// The rows of TID 2000 "Basic Diagnostic Imaging Report" and of the
// templates it includes that the service writes or reads (PS3.16 2026a).
// Older editions number TID 2000 differently (they lack rows 3 and 4), so
// issues cite rows by these names, never by hand-written numbers.
var (
	// TID 2000 row 1: the root, titled from CID 7000.
	TID2000Root = &Row{TID: 2000, Row: 1, Types: vts(Container), CID: 7000, VM: "1", Req: Mandatory,
		Cond: "the document title; Content Template Sequence names DCMR 2000"}
	// TID 2000 row 2
	TID2000Procedure = &Row{TID: 2000, Row: 2, Level: 1, Rel: HasConceptMod, Types: vts(CodeValue),
		Concept: FromDict(dicomdict.DCMProcedureReported), VM: "1-n", Req: UserOption}
	// TID 2000 row 3
	TID2000AcquisitionDevice = &Row{TID: 2000, Row: 3, Level: 1, Rel: HasConceptMod, Types: vts(CodeValue),
		Concept: FromDict(dicomdict.DCMAcquisitionDeviceType), CID: 29, VM: "1-n", Req: UserOption}
	// TID 2000 row 4
	TID2000TargetRegion = &Row{TID: 2000, Row: 4, Level: 1, Rel: HasConceptMod, Types: vts(CodeValue),
		Concept: FromDict(dicomdict.DCMTargetRegion), VM: "1-n", Req: UserOption}
	// TID 2000 row 5
	TID2000Language = &Row{TID: 2000, Row: 5, Level: 1, Rel: HasConceptMod, Include: 1204, VM: "1", Req: Mandatory}
	// TID 2000 row 6
	TID2000EquivalentMeaning = &Row{TID: 2000, Row: 6, Level: 1, Rel: HasConceptMod, Include: 1210, VM: "1-n", Req: UserOption,
		Cond: "a local title"}
	// TID 2000 row 7
	TID2000ObsContext = &Row{TID: 2000, Row: 7, Level: 1, Rel: HasObsContext, Include: 1001, VM: "1", Req: Mandatory}
	// TID 2000 row 8: one CONTAINER per section, titled from CID 7001.
	TID2000Section = &Row{TID: 2000, Row: 8, Level: 1, Rel: Contains, Types: vts(Container), CID: 7001, VM: "1-n", Req: UserOption}
	// TID 2000 row 9
	TID2000SectionObsContext = &Row{TID: 2000, Row: 9, Level: 2, Rel: HasObsContext, Include: 1001, VM: "1", Req: UserOption}
	// TID 2000 row 10
	TID2000Narrative = &Row{TID: 2000, Row: 10, Level: 2, Include: 2002, VM: "1", Req: Mandatory}

	// TID 2002 row 1: a coded element of a section.
	TID2002Code = &Row{TID: 2002, Row: 1, Rel: Contains, Types: vts(CodeValue), CID: 7002, VM: "1-n", Req: UserOption}
	// TID 2002 row 2
	TID2002CodeEvidence = &Row{TID: 2002, Row: 2, Level: 1, Rel: InferredFrom, Include: 2001, VM: "1-n", Req: UserOption}
	// TID 2002 row 3: a text element of a section (prose and findings).
	TID2002Text = &Row{TID: 2002, Row: 3, Rel: Contains, Types: vts(Text), CID: 7002, VM: "1-n", Req: UserOption}
	// TID 2002 row 4
	TID2002TextEvidence = &Row{TID: 2002, Row: 4, Level: 1, Rel: InferredFrom, Include: 2001, VM: "1-n", Req: UserOption}
	// TID 2002 row 5: images and measurements held by the section itself.
	TID2002Observation = &Row{TID: 2002, Row: 5, Rel: Contains, Include: 2001, VM: "1-n", Req: UserOption}

	// TID 2001 row 1: image evidence, its purpose from CID 7003.
	TID2001Image = &Row{TID: 2001, Row: 1, Rel: InferredFrom, Types: vts(Image), CID: 7003, VM: "1", Req: MandatoryCond,
		Cond: "XOR rows 2-5"}
	// TID 2001 row 2: a linear measurement (TID 1400).
	TID2001Linear = &Row{TID: 2001, Row: 2, Include: 1400, VM: "1", Req: MandatoryCond, Cond: "XOR; not if the IOD lacks NUM"}
	// TID 2001 row 3: an area measurement (TID 1401).
	TID2001Area = &Row{TID: 2001, Row: 3, Include: 1401, VM: "1", Req: MandatoryCond, Cond: "XOR; not if the IOD lacks NUM"}
	// TID 2001 row 4: a volume measurement (TID 1402).
	TID2001Volume = &Row{TID: 2001, Row: 4, Include: 1402, VM: "1", Req: MandatoryCond, Cond: "XOR; not if the IOD lacks NUM"}
	// TID 2001 row 5: a numeric measurement (TID 1404), the NUM the
	// service writes for every measurement.
	TID2001Numeric = &Row{TID: 2001, Row: 5, Types: vts(Num), Include: 1404, VM: "1", Req: MandatoryCond,
		Cond: "XOR; not if the IOD lacks NUM"}

	// TID 1204 row 1, included by TID2000Language.
	TID1204Language = &Row{TID: 1204, Row: 1, Rel: HasConceptMod, Types: vts(CodeValue),
		Concept: FromDict(dicomdict.DCMLanguageOfContentItemAndDescendants), CID: 5000, VM: "1", Req: Mandatory,
		Cond: "the value is coded in RFC5646"}
	// TID 1204 row 2
	TID1204Country = &Row{TID: 1204, Row: 2, Level: 1, Rel: HasConceptMod, Types: vts(CodeValue), CID: 5001, VM: "1", Req: UserOption}

	// TID 1210 row 1, included by TID2000EquivalentMeaning: TEXT or CODE.
	TID1210EquivalentMeaning = &Row{TID: 1210, Row: 1, Rel: HasConceptMod, Types: vts(Text, CodeValue),
		Concept: FromDict(dicomdict.DCMEquivalentMeaningOfConceptName), VM: "1", Req: Mandatory}

	// TID 1001 row 1, included by TID2000ObsContext and TID2000SectionObsContext.
	TID1001Observer = &Row{TID: 1001, Row: 1, Rel: HasObsContext, Include: 1002, VM: "1-n", Req: MandatoryCond,
		Cond: "unless the Author or Verifying Observer Sequence gives the observer"}
	// TID 1001 row 2
	TID1001Procedure = &Row{TID: 1001, Row: 2, Rel: HasObsContext, Include: 1005, VM: "1", Req: MandatoryCond,
		Cond: "unless inherited from the header's study"}
	// TID 1001 row 3
	TID1001Subject = &Row{TID: 1001, Row: 3, Rel: HasObsContext, Include: 1006, VM: "1", Req: MandatoryCond,
		Cond: "unless the subject is the header's patient"}

	// TID 1002 row 1: CID 270, Person or Device.
	TID1002ObserverType = &Row{TID: 1002, Row: 1, Rel: HasObsContext, Types: vts(CodeValue),
		Concept: FromDict(dicomdict.DCMObserverType), CID: 270, VM: "1", Req: MandatoryCond,
		Cond: "if the observer is a device; Person when absent"}
	// TID 1002 row 2
	TID1002Person = &Row{TID: 1002, Row: 2, Rel: HasObsContext, Include: 1003, VM: "1", Req: MandatoryCond,
		Cond: "if row 1 is Person or absent"}
	// TID 1002 row 3
	TID1002Device = &Row{TID: 1002, Row: 3, Rel: HasObsContext, Include: 1004, VM: "1", Req: MandatoryCond,
		Cond: "if row 1 is Device"}

	// TID 1003 row 1, included by TID1002Person.
	TID1003Name = &Row{TID: 1003, Row: 1, Rel: HasObsContext, Types: vts(PName),
		Concept: FromDict(dicomdict.DCMPersonObserverName), VM: "1", Req: Mandatory}
	// TID 1003 row 2
	TID1003LoginName = &Row{TID: 1003, Row: 2, Rel: HasObsContext, Types: vts(Text),
		Concept: FromDict(dicomdict.DCMPersonObserversLoginName), VM: "1", Req: UserOption}
	// TID 1003 row 3
	TID1003Organization = &Row{TID: 1003, Row: 3, Rel: HasObsContext, Types: vts(Text),
		Concept: FromDict(dicomdict.DCMPersonObserversOrganizationName), VM: "1", Req: UserOption}
	// TID 1003 row 4
	TID1003RoleInOrganization = &Row{TID: 1003, Row: 4, Rel: HasObsContext, Types: vts(CodeValue),
		Concept: FromDict(dicomdict.DCMPersonObserversRoleInTheOrganization), CID: 7452, VM: "1", Req: UserOption}
	// TID 1003 row 5
	TID1003RoleInProcedure = &Row{TID: 1003, Row: 5, Rel: HasObsContext, Types: vts(CodeValue),
		Concept: FromDict(dicomdict.DCMPersonObserversRoleInThisProcedure), CID: 7453, VM: "1", Req: UserOption}

	// TID 1004 row 1, included by TID1002Device: the device observer's
	// mandatory UID, the mark of a device observer.
	TID1004UID = &Row{TID: 1004, Row: 1, Rel: HasObsContext, Types: vts(UIDRef),
		Concept: FromDict(dicomdict.DCMDeviceObserverUID), VM: "1", Req: Mandatory}
)

// Templates lists each template's rows in table order.
var Templates = map[int][]*Row{
	2000: {TID2000Root, TID2000Procedure, TID2000AcquisitionDevice, TID2000TargetRegion, TID2000Language,
		TID2000EquivalentMeaning, TID2000ObsContext, TID2000Section, TID2000SectionObsContext, TID2000Narrative},
	2001: {TID2001Image, TID2001Linear, TID2001Area, TID2001Volume, TID2001Numeric},
	2002: {TID2002Code, TID2002CodeEvidence, TID2002Text, TID2002TextEvidence, TID2002Observation},
	1001: {TID1001Observer, TID1001Procedure, TID1001Subject},
	1002: {TID1002ObserverType, TID1002Person, TID1002Device},
	1003: {TID1003Name, TID1003LoginName, TID1003Organization, TID1003RoleInOrganization, TID1003RoleInProcedure},
	1004: {TID1004UID},
	1204: {TID1204Language, TID1204Country},
	1210: {TID1210EquivalentMeaning},
}
