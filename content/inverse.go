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
