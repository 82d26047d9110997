package sr

import (
	"encoding/binary"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
)

var iodNames = map[string]string{
	content.BasicTextSR:     "Basic Text SR",
	content.EnhancedSR:      "Enhanced SR",
	content.ComprehensiveSR: "Comprehensive SR",
}

// iodRule checks that the SOP class is one of the three SR IODs
// (SR-IOD-01) and picks the tables for the content rules.
func (v *validator) iodRule() {
	c := v.ds.view(tag.SOPClassUID)
	if _, ok := iodNames[c]; !ok {
		v.l.Errorf("SR-IOD-01", tagPath(tag.SOPClassUID), "SOP Class UID is not Basic Text, Enhanced or Comprehensive SR")
		return
	}
	v.iod, v.kind = c, iodKindOf[c]
}

// relationshipRules checks one by-value item ds, of value type vt, against
// its IOD: its value type is allowed (SR-IOD-02) and so is the
// relationship rel from its parent, of value type parentVT (SR-IOD-04).
func (v *validator) relationshipRules(ds *dataset, rel, vt, parentVT string) {
	if v.iod == "" {
		return
	}
	code := vtOf(vt)
	if !valueTypeBits[v.kind].has(code) {
		v.l.Errorf("SR-IOD-02", ds.at(tag.ValueType), "value type %s is not allowed in %s", vtName(vt), iodNames[v.iod])
		return
	}
	r := relOf(rel)
	if r == 0 || parentVT == "" {
		return
	}
	if !allowedCode(v.kind, vtOf(parentVT), r, code) {
		v.l.Errorf("SR-IOD-04", ds.at(tag.RelationshipType), "%s %s %s is not allowed in %s", vtName(parentVT), rel, vtName(vt), iodNames[v.iod])
	}
}

// byReferenceRules checks by-reference relationships: forbidden in Basic
// Text and Enhanced SR (SR-IOD-03); in Comprehensive SR the target must
// exist, CONTAINS a CONTAINER and HAS CONCEPT MOD must be by-value, and the
// triple must be allowed (SR-IOD-04).
func (v *validator) byReferenceRules() {
	for _, n := range v.byRef {
		if v.iod != content.ComprehensiveSR {
			if v.iod != "" {
				v.l.Errorf("SR-IOD-03", n.ds.at(tag.ReferencedContentItemIdentifier), "by-reference relationships are not allowed in %s", iodNames[v.iod])
			}
			continue
		}
		target, found := v.target(n.ds.get(tag.ReferencedContentItemIdentifier))
		switch {
		case !found:
			v.l.Errorf("SR-IOD-04", n.ds.at(tag.ReferencedContentItemIdentifier), "Referenced Content Item Identifier names no content item")
		case n.rel == "HAS CONCEPT MOD" || (n.rel == "CONTAINS" && target == "CONTAINER"):
			v.l.Errorf("SR-IOD-04", n.ds.at(tag.ReferencedContentItemIdentifier), "%s %s must be by-value", n.rel, vtName(target))
		case !allowedCode(v.kind, vtOf(n.parentVT), relOf(n.rel), vtOf(target)):
			v.l.Errorf("SR-IOD-04", n.ds.at(tag.ReferencedContentItemIdentifier), "%s %s %s is not allowed in %s", vtName(n.parentVT), n.rel, vtName(target), iodNames[v.iod])
		}
	}
}

// target finds the by-value content item that a Referenced Content Item
// Identifier e names, and returns its value type. The identifier lists
// positions from the root, the root being 1 (PS3.3 C.17.3.2.5); a position
// names an item only if every item on the way is a by-value item with a
// Value Type, as the walk over the tree checks them.
func (v *validator) target(e *element) (vt string, found bool) {
	if e == nil || e.vr != "UL" || len(e.value) < 4 || binary.LittleEndian.Uint32(e.value) != 1 {
		return "", false
	}
	cur := v.ds
	for i := 4; i+4 <= len(e.value); i += 4 {
		k := binary.LittleEndian.Uint32(e.value[i:])
		items := cur.seq(tag.ContentSequence)
		if k < 1 || uint64(k) > uint64(len(items)) {
			return "", false
		}
		it := items[k-1]
		if it.get(tag.ReferencedContentItemIdentifier) != nil || it.view(tag.ValueType) == "" {
			return "", false
		}
		cur = it
	}
	return cur.view(tag.ValueType), true
}
