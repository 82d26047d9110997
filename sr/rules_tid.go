package sr

import (
	"strings"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/dicomdict"
)

// templateRules checks the root of TID 2000 (PS3.16): the template
// reference (SR-TID-10), the language (SR-TID-02), the observer context
// (SR-TID-03), that the root CONTAINS only section CONTAINERs (SR-TID-05),
// and that title and headings come from their baseline context groups
// (SR-TID-01, SR-TID-06).
func (v *validator) templateRules() {
	v.titleRule()
	tpl := v.ds.seq(tag.ContentTemplateSequence)
	switch {
	case len(tpl) != 1:
		v.l.Errorf("SR-TID-10", tagPath(tag.ContentTemplateSequence), "the root needs a Content Template Sequence with one item naming TID 2000, not %d items", len(tpl))
	case tpl[0].view(tag.MappingResource) != dcmr || tpl[0].view(tag.TemplateIdentifier) != tid2000:
		v.l.Errorf("SR-TID-10", tpl[0].at(tag.TemplateIdentifier), "the root's Content Template Sequence does not name DCMR template 2000")
	}
	languages, observer := 0, false
	for _, it := range v.ds.seq(tag.ContentSequence) {
		rel, vt := it.view(tag.RelationshipType), it.view(tag.ValueType)
		concept := conceptView(it)
		switch {
		case rel == content.TID2000Language.Rel.String() && fits(content.TID1204Language, concept, vt):
			languages++
			values := it.seq(tag.ConceptCodeSequence)
			if len(values) == 1 && values[0].view(tag.CodingSchemeDesignator) != dicomdict.DesignatorLanguage {
				v.l.Errorf("SR-TID-02", values[0].at(tag.CodingSchemeDesignator), "language is not coded in RFC5646")
			}
		case rel == content.TID2000ObsContext.Rel.String() && (concept == rowCode(content.TID1003Name) || concept == rowCode(content.TID1004UID)):
			observer = true
		case rel == content.TID2000Section.Rel.String() && !allows(content.TID2000Section, vt):
			v.l.Errorf("SR-TID-05", it.at(tag.ValueType), "the root CONTAINS an item of value type %s; TID 2000 allows only section CONTAINERs", vtName(vt))
		case rel == content.TID2000Section.Rel.String():
			v.headingRule(it, concept)
		}
	}
	if languages != 1 {
		v.l.Errorf("SR-TID-02", tagPath(tag.ContentSequence), "the root has %d Language of Content Item and Descendants items, not one", languages)
	}
	if !observer && len(v.ds.seq(tag.AuthorObserverSequence)) == 0 && len(v.ds.seq(tag.VerifyingObserverSequence)) == 0 {
		v.l.Errorf("SR-TID-03", tagPath(tag.ContentSequence), "no observer: neither an observer context at the root nor an Author or Verifying Observer Sequence")
	}
}

// code is a code value with its coding scheme designator.
type code struct{ value, scheme string }

// codeOf returns the code of a dictionary concept.
func codeOf(c dicomdict.Concept) code { return code{c.Value, c.Scheme} }

// rowCode returns the fixed concept name of a template row.
func rowCode(r *content.Row) code { return code{r.Concept.Value, r.Concept.Designator} }

// allows reports whether template row r allows value type vt, as the SR
// spells it.
func allows(r *content.Row, vt string) bool {
	for _, t := range r.Types {
		if t.String() == vt {
			return true
		}
	}
	return false
}

// fits reports whether an item of concept c and value type vt is an item
// of row r.
func fits(r *content.Row, c code, vt string) bool { return c == rowCode(r) && allows(r, vt) }

// conceptOf returns the concept name of a content item.
func conceptOf(ds *dataset) code {
	c := conceptView(ds)
	return code{strings.Clone(c.value), strings.Clone(c.scheme)}
}

// conceptView is conceptOf sharing the bytes of the file (see
// dataset.view).
func conceptView(ds *dataset) code {
	names := ds.seq(tag.ConceptNameCodeSequence)
	if len(names) != 1 {
		return code{}
	}
	return code{names[0].view(tag.CodeValue), names[0].view(tag.CodingSchemeDesignator)}
}

// titleRule warns about a document title outside CID 7000 (TID2000Root,
// BCID 7000). The group is baseline, so another title is valid, but a
// receiver that knows the group flags it: a warning, not an error.
func (v *validator) titleRule() {
	names := v.ds.seq(tag.ConceptNameCodeSequence)
	if len(names) != 1 {
		return // SR-CI-01 reports it
	}
	c := conceptView(v.ds)
	if _, ok := dicomdict.DocumentTitle(c.scheme, c.value); !ok {
		v.l.Warnf("SR-TID-01", names[0].at(tag.CodeValue), "the document title is not from CID 7000 Diagnostic Imaging Report Document Title (a baseline group: receivers may not know it)")
	}
}

// headingRule warns about a section heading outside CID 7001
// (TID2000Section, BCID 7001), current or retired codes. Baseline again: a
// warning.
func (v *validator) headingRule(section *dataset, c code) {
	names := section.seq(tag.ConceptNameCodeSequence)
	if len(names) != 1 {
		return // SR-CI-02 reports it
	}
	if _, _, ok := dicomdict.ReportHeading(c.scheme, c.value); !ok {
		v.l.Warnf("SR-TID-06", names[0].at(tag.CodeValue), "the section heading is not from CID 7001 Diagnostic Imaging Report Heading (a baseline group: receivers may not know it)")
	}
}
