package sr

import (
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
	c := v.ds.str(tag.SOPClassUID)
	if _, ok := iodNames[c]; !ok {
		v.l.Errorf("SR-IOD-01", tagPath(tag.SOPClassUID), "SOP Class UID is not Basic Text, Enhanced or Comprehensive SR")
		return
	}
	v.iod = c
}

// relationshipRules checks one by-value item against its IOD: its value
// type is allowed (SR-IOD-02) and so is the relationship from its parent
// (SR-IOD-04).
func (v *validator) relationshipRules(n *node) {
	if v.iod == "" {
		return
	}
	name := iodNames[v.iod]
	if !valueTypes[v.iod][n.vt] {
		v.l.Errorf("SR-IOD-02", n.ds.at(tag.ValueType), "value type %s is not allowed in %s", vtName(n.vt), name)
		return
	}
	if n.rel == "" || !relationshipTypes[n.rel] || n.parent == nil || n.parent.vt == "" {
		return
	}
	if !allowed(v.iod, n.parent.vt, n.rel, n.vt) {
		v.l.Errorf("SR-IOD-04", n.ds.at(tag.RelationshipType), "%s %s %s is not allowed in %s", vtName(n.parent.vt), n.rel, vtName(n.vt), name)
	}
}

// byReferenceRules checks by-reference relationships: forbidden in Basic
// Text and Enhanced SR (SR-IOD-03); in Comprehensive SR the target must
// exist, CONTAINS a CONTAINER and HAS CONCEPT MOD must be by-value, and the
// triple must be allowed (SR-IOD-04).
func (v *validator) byReferenceRules(refs []*node, byPos map[string]*node) {
	for _, n := range refs {
		loc := n.ds.at(tag.ReferencedContentItemIdentifier)
		if v.iod != content.ComprehensiveSR {
			if v.iod != "" {
				v.l.Errorf("SR-IOD-03", loc, "by-reference relationships are not allowed in %s", iodNames[v.iod])
			}
			continue
		}
		target := byPos[positionString(n.ds.get(tag.ReferencedContentItemIdentifier).uint32s())]
		switch {
		case target == nil:
			v.l.Errorf("SR-IOD-04", loc, "Referenced Content Item Identifier names no content item")
		case n.rel == "HAS CONCEPT MOD" || (n.rel == "CONTAINS" && target.vt == "CONTAINER"):
			v.l.Errorf("SR-IOD-04", loc, "%s %s must be by-value", n.rel, vtName(target.vt))
		case n.parent != nil && !allowed(v.iod, n.parent.vt, n.rel, target.vt):
			v.l.Errorf("SR-IOD-04", loc, "%s %s %s is not allowed in %s", vtName(n.parent.vt), n.rel, vtName(target.vt), iodNames[v.iod])
		}
	}
}
