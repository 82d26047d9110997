package sr

import (
	"strconv"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
)

// documentContent writes the SR Document Content Module (PS3.3 C.17.3):
// the root CONTAINER is the dataset itself, its descendants nest in
// Content Sequences.
func (d *docEncoder) documentContent(a attrs) {
	root := d.doc.Root
	d.at("content item")
	d.path = append(d.path, 1)
	if root.Type != content.Container {
		d.failf("the root content item is %s, not CONTAINER: %w", root.Type, ErrUnsupported)
		return
	}
	// The root concept name is the document title (TID2000Root).
	if root.Concept.IsZero() {
		d.failf("the root content item has no concept name: %w", ErrMissingValue)
		return
	}
	d.value(a, root, 0)
	d.at("content template")
	tpl := d.attrs()
	tpl.req(tag.MappingResource, dcmr)
	tpl.req(tag.MappingResourceUID, dcmrUID)
	tpl.req(tag.TemplateIdentifier, tid2000)
	a.seq(tag.ContentTemplateSequence, tpl)
}

// item encodes a nested content item: the Document Relationship Macro's
// Relationship Type plus the Document Content Macro (Table C.17-5).
func (d *docEncoder) item(n *content.Node, depth int) attrs {
	a := d.attrs()
	rel := n.Relationship.String()
	if rel == "" {
		d.failf("has no relationship type: %w", ErrUnsupported)
		return a
	}
	a.req(tag.RelationshipType, rel)
	d.value(a, n, depth)
	return a
}

// value writes Value Type, Concept Name, the value attributes of the value
// type and the children.
func (d *docEncoder) value(a attrs, n *content.Node, depth int) {
	vt := n.Type.String()
	if vt == "" {
		d.failf("has an unknown value type %d: %w", n.Type, ErrUnsupported)
		return
	}
	a.req(tag.ValueType, vt)
	if !n.Concept.IsZero() {
		a.code(tag.ConceptNameCodeSequence, n.Concept)
	} else if n.Type != content.Image {
		// Only IMAGE (and the other references) may go without a
		// concept name (Table C.17-5, Concept Name Code Sequence 1C).
		d.failf("%s has no concept name: %w", vt, ErrMissingValue)
		return
	}
	switch n.Type {
	case content.Container:
		a.req(tag.ContinuityOfContent, "SEPARATE")
	case content.Text:
		a.req(tag.TextValue, n.Text)
	case content.CodeValue:
		a.code(tag.ConceptCodeSequence, n.Code)
	case content.Num:
		d.num(a, n)
	case content.Image:
		d.image(a, n)
	case content.Date:
		a.req(tag.Date, n.Date)
	case content.PName:
		a.pn(tag.PersonName, n.PersonName, true)
	case content.UIDRef:
		a.req(tag.UID, n.UID)
	default:
		d.failf("value type %s is not supported: %w", vt, ErrUnsupported)
		return
	}
	if len(n.Children) == 0 {
		return
	}
	if depth+1 >= maxDepth {
		d.failf("the content tree is deeper than %d levels: %w", maxDepth, ErrUnsupported)
		return
	}
	cs := a.seq(tag.ContentSequence)
	for i, c := range n.Children {
		d.path = append(d.path, int32(i+1))
		if c == nil {
			d.failf("is nil: %w", ErrMissingValue)
			return
		}
		cs.add(d.item(c, depth+1))
		d.path = d.path[:len(d.path)-1]
	}
}

// num writes the Measured Value Sequence of a NUM (PS3.3 C.18.1): the
// decimal as given and its UCUM unit.
func (d *docEncoder) num(a attrs, n *content.Node) {
	if n.Num == nil {
		d.failf("NUM has no value: %w", ErrMissingValue)
		return
	}
	mv := d.attrs()
	mv.req(tag.NumericValue, n.Num.Value)
	mv.code(tag.MeasurementUnitsCodeSequence, n.Num.Unit)
	a.seq(tag.MeasuredValueSequence, mv)
}

// image writes the Referenced SOP Sequence of an IMAGE (PS3.3 C.18.4), with
// frame numbers when only some frames are meant.
func (d *docEncoder) image(a attrs, n *content.Node) {
	im := n.Image
	if im == nil {
		d.failf("IMAGE has no reference: %w", ErrMissingValue)
		return
	}
	ref := d.sopRef(im.SOPClassUID, im.SOPInstanceUID)
	if len(im.Frames) > 0 {
		// IS, multi-valued: the numbers joined by backslash.
		var room [64]byte
		frames := room[:0]
		for i, f := range im.Frames {
			if f < 1 {
				d.failf("IMAGE frame number %d is not 1 or more: %w", f, ErrInvalidValue)
				return
			}
			if i > 0 {
				frames = append(frames, '\\')
			}
			frames = strconv.AppendInt(frames, int64(f), 10)
		}
		ref.str(tag.ReferencedFrameNumber, string(frames))
	}
	a.seq(tag.ReferencedSOPSequence, ref)
}
