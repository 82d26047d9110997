package sr

import (
	"unicode/utf8"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/dicomdict"
)

// contentRules walks the content tree from the root (the dataset itself)
// and applies the content item rules (SR-CI-*) and the IOD's value type
// and relationship rules (SR-IOD-02, 03, 04).
func (v *validator) contentRules() {
	rootVT := v.ds.view(tag.ValueType)
	if rootVT != "CONTAINER" {
		v.l.Errorf("SR-CI-01", tagPath(tag.ValueType), "the root content item's Value Type is not CONTAINER")
	}
	if n := len(v.ds.seq(tag.ConceptNameCodeSequence)); n != 1 {
		v.l.Errorf("SR-CI-01", tagPath(tag.ConceptNameCodeSequence), "the root content item needs a Concept Name Code Sequence with one item (the document title), not %d", n)
	}
	v.codeRules(v.ds, tag.ConceptNameCodeSequence)
	v.continuity(v.ds, "SR-CI-01")
	v.walk(v.ds, rootVT)
	v.byReferenceRules()
}

// walk checks the children of ds, a content item of value type vt, depth
// first. The parser bounded the nesting, so the recursion is bounded too.
func (v *validator) walk(ds *dataset, vt string) {
	for _, it := range ds.seq(tag.ContentSequence) {
		rel := it.view(tag.RelationshipType)
		switch {
		case rel == "":
			v.l.Errorf("SR-CI-03", it.at(tag.RelationshipType), "content item has no Relationship Type")
		case relOf(rel) == 0:
			v.l.Errorf("SR-CI-03", it.at(tag.RelationshipType), "Relationship Type is not one of the enumerated values")
		}
		if it.get(tag.ReferencedContentItemIdentifier) != nil {
			v.byRef = append(v.byRef, byRefItem{ds: it, rel: rel, parentVT: vt})
			continue
		}
		cvt := it.view(tag.ValueType)
		if cvt == "" {
			v.l.Errorf("SR-IOD-02", it.at(tag.ValueType), "content item has no Value Type")
			continue
		}
		v.relationshipRules(it, rel, cvt, vt)
		v.itemRules(it, cvt)
		v.walk(it, cvt)
	}
}

// itemRules checks the concept name and the value of one by-value item of
// value type vt.
func (v *validator) itemRules(ds *dataset, vt string) {
	code := vtOf(vt)
	if e := ds.get(tag.ConceptNameCodeSequence); e != nil {
		if len(e.items) != 1 {
			v.l.Errorf("SR-CI-02", e.loc(), "Concept Name Code Sequence has %d items, not one", len(e.items))
		}
		v.codeRules(ds, tag.ConceptNameCodeSequence)
	} else if needsConceptNameBits.has(code) {
		v.l.Errorf("SR-CI-02", ds.at(tag.ConceptNameCodeSequence), "%s content item has no Concept Name Code Sequence", vt)
	}
	if a := valueAttrOf[code]; a.ok {
		if e := ds.get(a.tag); e == nil || e.empty() {
			v.l.Errorf("SR-CI-04", ds.at(a.tag), "%s content item has no %s", vt, tagName(a.tag))
		}
	}
	switch vt {
	case "CODE":
		if c := len(ds.seq(tag.ConceptCodeSequence)); c != 1 {
			v.l.Errorf("SR-CI-04", ds.at(tag.ConceptCodeSequence), "CODE content item needs a Concept Code Sequence with one item, not %d", c)
		}
		v.codeRules(ds, tag.ConceptCodeSequence)
	case "CONTAINER":
		v.continuity(ds, "SR-CI-05")
	case "NUM":
		v.numRules(ds)
	case "IMAGE", "COMPOSITE", "WAVEFORM":
		v.referenceRules(ds, vt)
	}
}

// continuity checks Continuity Of Content of a CONTAINER (SR-CI-05; for
// the root SR-CI-01).
func (v *validator) continuity(ds *dataset, missingRule string) {
	e := ds.get(tag.ContinuityOfContent)
	if e == nil || e.empty() {
		v.l.Errorf(missingRule, ds.at(tag.ContinuityOfContent), "CONTAINER has no Continuity Of Content")
		return
	}
	if c := ds.view(tag.ContinuityOfContent); c != "SEPARATE" && c != "CONTINUOUS" {
		v.l.Errorf("SR-CI-05", e.loc(), "Continuity Of Content is neither SEPARATE nor CONTINUOUS")
	}
}

// numRules checks the Measured Value Sequence of a NUM (SR-CI-06).
func (v *validator) numRules(ds *dataset) {
	mv := ds.get(tag.MeasuredValueSequence)
	if mv == nil || !mv.isSeq {
		v.l.Errorf("SR-CI-06", ds.at(tag.MeasuredValueSequence), "NUM content item has no Measured Value Sequence")
		return
	}
	switch len(mv.items) {
	case 0:
		if len(ds.seq(tag.NumericValueQualifierCodeSequence)) != 1 {
			v.l.Errorf("SR-CI-06", ds.at(tag.NumericValueQualifierCodeSequence), "NUM without a measured value needs a Numeric Value Qualifier Code Sequence with one item")
		}
		return
	case 1:
	default:
		v.l.Errorf("SR-CI-06", mv.loc(), "Measured Value Sequence has %d items, more than one", len(mv.items))
		return
	}
	it := mv.items[0]
	nv := it.get(tag.NumericValue)
	if nv == nil || nv.empty() {
		v.l.Errorf("SR-CI-06", it.at(tag.NumericValue), "measured value has no Numeric Value")
	} else if n := nv.count(); n != 1 {
		v.l.Errorf("SR-CI-06", nv.loc(), "Numeric Value has %d values, not one", n)
	} else if val := nv.first(); utf8.RuneCountInString(val) > 16 || !validDS(val) {
		v.l.Errorf("SR-CI-06", nv.loc(), "Numeric Value is not a decimal string of at most 16 characters")
	}
	units := it.seq(tag.MeasurementUnitsCodeSequence)
	if len(units) != 1 {
		v.l.Errorf("SR-CI-06", it.at(tag.MeasurementUnitsCodeSequence), "measured value needs a Measurement Units Code Sequence with one item, not %d", len(units))
		return
	}
	if units[0].view(tag.CodingSchemeDesignator) != "UCUM" {
		v.l.Errorf("SR-CI-06", units[0].at(tag.CodingSchemeDesignator), "measurement unit is not coded in UCUM")
	}
	v.codeRules(it, tag.MeasurementUnitsCodeSequence)
}

// referenceRules checks the Referenced SOP Sequence of an IMAGE, COMPOSITE
// or WAVEFORM item (SR-CI-08) and records the reference for the evidence
// check.
func (v *validator) referenceRules(ds *dataset, vt string) {
	refs := ds.seq(tag.ReferencedSOPSequence)
	if len(refs) != 1 {
		v.l.Errorf("SR-CI-08", ds.at(tag.ReferencedSOPSequence), "%s content item needs a Referenced SOP Sequence with one item, not %d", vt, len(refs))
		return
	}
	r := refs[0]
	class, inst := r.view(tag.ReferencedSOPClassUID), r.view(tag.ReferencedSOPInstanceUID)
	if class == "" {
		v.l.Errorf("SR-CI-08", r.at(tag.ReferencedSOPClassUID), "reference has no Referenced SOP Class UID")
	} else if checkUID(class) != nil {
		v.l.Errorf("SR-CI-08", r.at(tag.ReferencedSOPClassUID), "Referenced SOP Class UID is not a valid UID")
	} else if _, known := dicomdict.SOPClassName(class); !known {
		v.l.Errorf("SR-CI-08", r.at(tag.ReferencedSOPClassUID), "Referenced SOP Class UID is not a storage SOP class")
	}
	if inst == "" {
		v.l.Errorf("SR-CI-08", r.at(tag.ReferencedSOPInstanceUID), "reference has no Referenced SOP Instance UID")
	} else if checkUID(inst) != nil {
		v.l.Errorf("SR-CI-08", r.at(tag.ReferencedSOPInstanceUID), "Referenced SOP Instance UID is not a valid UID")
	}
	if inst != "" {
		v.refs = append(v.refs, instanceRef{class: class, instance: inst, sop: r})
	}
}

// codeRules checks each item of code sequence t in ds against the Code
// Sequence Macro (SR-CI-12, SR-CI-13).
func (v *validator) codeRules(ds *dataset, t tag.Tag) {
	for _, it := range ds.seq(t) {
		values := 0
		for _, vt := range [...]tag.Tag{tag.CodeValue, tag.LongCodeValue, tag.URNCodeValue} {
			if e := it.get(vt); e != nil && !e.empty() {
				values++
			}
		}
		if values != 1 {
			v.l.Errorf("SR-CI-12", it.at(tag.CodeValue), "code has %d of Code Value, Long Code Value and URN Code Value, not exactly one", values)
		}
		if it.view(tag.CodingSchemeDesignator) == "" && it.get(tag.URNCodeValue) == nil {
			v.l.Errorf("SR-CI-12", it.at(tag.CodingSchemeDesignator), "code has no Coding Scheme Designator")
		}
		if it.view(tag.CodeMeaning) == "" {
			v.l.Errorf("SR-CI-12", it.at(tag.CodeMeaning), "code has no Code Meaning")
		}
		if cv := it.view(tag.CodeValue); utf8.RuneCountInString(cv) > maxCodeValue {
			v.l.Errorf("SR-CI-13", it.at(tag.CodeValue), "Code Value is longer than 16 characters; such codes go in Long Code Value")
		}
	}
}
