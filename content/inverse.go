package content

import (
	"strings"

	"github.com/reportgen/reportgen/dicomdict"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// The inverse of Build's section half: a content tree read back from a
// document (an SR) becomes the request's sections again. The document's
// reader decodes the tree and reports what the model cannot hold; these
// functions only map, so a tree Build made and a tree read back take the
// same way to the model.

// ProtoCode is the inverse of FromProto for codes read from a document: a
// designator the API names gives its scheme, another designator with an
// OID a LOCAL code, a code without either a code of no scheme (the
// reader has reported it). The zero Code gives nil.
func ProtoCode(c Code) *pb.Code {
	if c.IsZero() {
		return nil
	}
	out := &pb.Code{Code: c.Value, DisplayName: c.Meaning}
	if s, ok := dicomdict.SchemeByDesignator(c.Designator); ok && s.API != pb.CodingScheme_CODING_SCHEME_UNSPECIFIED {
		out.Scheme = s.API
		return out
	}
	if c.OID != "" {
		out.Scheme, out.LocalDesignator, out.LocalOid = pb.CodingScheme_CODING_SCHEME_LOCAL, c.Designator, c.OID
	}
	return out
}

// SectionsOf returns the sections of the section CONTAINERs below root
// (TID2000Section), in tree order.
func SectionsOf(root *Node) []*pb.Section {
	var out []*pb.Section
	for _, n := range root.Children {
		if n.Type == Container {
			out = append(out, sectionOf(n))
		}
	}
	return out
}

// sectionOf maps one section CONTAINER: a heading of a known kind gives
// the kind, another a CODED section with the heading as its code. The prose items that open the
// section (TEXT with the heading's element concept, no children, one
// paragraph: what Build writes for section text) become its text; every
// other item becomes an observation, in tree order.
func sectionOf(n *Node) *pb.Section {
	s := &pb.Section{}
	element := ConceptFinding
	if h := n.Heading; h != nil && h.Kind != pb.SectionKind_SECTION_KIND_CODED {
		s.Kind, element = h.Kind, h.Element
	} else {
		s.Kind, s.Code = pb.SectionKind_SECTION_KIND_CODED, ProtoCode(n.Concept)
	}
	var paragraphs []string
	prose := true
	for _, c := range n.Children {
		if prose && c.Type == Text && len(c.Children) == 0 && c.Concept.Value == element.Value && c.Concept.Designator == element.Designator {
			if ps := Paragraphs(c.Text); len(ps) == 1 && ps[0] == c.Text {
				paragraphs = append(paragraphs, c.Text)
				continue
			}
		}
		prose = false
		s.Observations = append(s.Observations, observationsOf(c)...)
	}
	s.Text = strings.Join(paragraphs, "\n\n")
	return s
}

// observationsOf maps a TEXT, CODE or NUM item with its finding site
// (the last one) and image evidence. The model does not nest
// observations, so a NUM inferred from the item follows it as an
// observation of its own.
func observationsOf(n *Node) []*pb.Observation {
	o := &pb.Observation{Concept: ProtoCode(n.Concept)}
	switch n.Type {
	case Text:
		o.Value = &pb.Observation_Text{Text: n.Text}
	case CodeValue:
		o.Value = &pb.Observation_Code{Code: ProtoCode(n.Code)}
	case Num:
		o.Value = &pb.Observation_Measurement{Measurement: &pb.Measurement{
			Value: n.Num.Value, Unit: n.Num.Unit.Value, UnitDisplayName: n.Num.Unit.Meaning,
		}}
	}
	out := []*pb.Observation{o}
	for _, c := range n.Children {
		switch {
		case c.Relationship == HasConceptMod:
			o.FindingSite = ProtoCode(c.Code)
		case c.Type == Image:
			o.Images = append(o.Images, imageOf(c))
		case c.Type == Num:
			out = append(out, observationsOf(c)...)
		}
	}
	return out
}

// imageOf maps an IMAGE item; its concept is the purpose of reference.
func imageOf(n *Node) *pb.ImageReference {
	ref := n.Image
	return &pb.ImageReference{
		StudyInstanceUid: ref.StudyUID, SeriesInstanceUid: ref.SeriesUID,
		SopClassUid: ref.SOPClassUID, SopInstanceUid: ref.SOPInstanceUID,
		FrameNumbers: ref.Frames, Purpose: ProtoCode(n.Concept),
	}
}

// Context is what the root of a content tree says besides its sections:
// the concept modifiers and observation context Build writes (TID 2000
// rows 1 to 3, TID 1204, TID 1210, TID 1002/1003). Concept and
// Procedure are nil, and the strings empty, where the tree is silent.
type Context struct {
	// Concept is the root's concept name, the document title (TID 2000
	// row 1).
	Concept *pb.Code
	// Language is the RFC 5646 tag of TID 1204 row 1.
	Language string
	// Title is the first non-empty TID 1210 equivalent meaning: the text,
	// or the meaning of the code.
	Title string
	// Procedure is the first Procedure Reported (TID 2000 row 2).
	Procedure *pb.Code
	// Modalities are the code values of the Acquisition Device Types (TID
	// 2000 row 3), in tree order.
	Modalities []string
	// Author is the first person observer (TID 1002/1003) with the
	// organization and role that follow its name; nil when the root
	// names none.
	Author *pb.Practitioner
}

// ContextOf returns what the context rows of root say, the inverse of
// the root half of Build. The rows are read in tree order, as TID 1002
// lays them out: each Person Observer Name opens an observer, an Observer
// Type closes the one before, and the organization and role rows belong
// to the observer open when they come (none after an Observer Type until
// the next name).
func ContextOf(root *Node) Context {
	x := Context{Concept: ProtoCode(root.Concept)}
	var cur *pb.Practitioner
	for _, n := range root.Children {
		switch {
		case TID1204Language.Is(n):
			x.Language = n.Code.Value
		case TID2000Procedure.Is(n):
			if x.Procedure == nil {
				x.Procedure = ProtoCode(n.Code)
			}
		case TID1210EquivalentMeaning.Is(n):
			if x.Title == "" && n.Type == Text {
				x.Title = n.Text
			} else if x.Title == "" {
				x.Title = n.Code.Meaning
			}
		case TID2000AcquisitionDevice.Is(n):
			if !n.Code.IsZero() {
				x.Modalities = append(x.Modalities, n.Code.Value)
			}
		case TID1002ObserverType.Is(n):
			cur = nil // another observer follows
		case TID1003Name.Is(n):
			cur = &pb.Practitioner{Name: ProtoName(n.PersonName)}
			if x.Author == nil {
				x.Author = cur
			}
		case TID1003Organization.Is(n):
			if cur != nil {
				cur.Organization = n.Text
			}
		case TID1003RoleInOrganization.Is(n):
			if cur != nil {
				cur.Role = ProtoCode(n.Code)
			}
		}
	}
	return x
}

// ProtoName is the inverse of Name: the zero PersonName, a name with no
// part in any group, gives nil.
func ProtoName(p PersonName) *pb.PersonName {
	if p.GroupBlank() && (p.Ideographic == nil || p.Ideographic.GroupBlank()) && (p.Phonetic == nil || p.Phonetic.GroupBlank()) {
		return nil
	}
	group := func(g *PersonName) *pb.PersonNameGroup {
		if g == nil {
			return nil
		}
		return &pb.PersonNameGroup{Family: g.Family, Given: g.Given, Prefix: g.Prefix, Suffix: g.Suffix}
	}
	return &pb.PersonName{
		Family: p.Family, Given: p.Given, Prefix: p.Prefix, Suffix: p.Suffix,
		Ideographic: group(p.Ideographic), Phonetic: group(p.Phonetic),
	}
}
