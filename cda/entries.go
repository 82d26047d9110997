package cda

import (
	"regexp"

	"github.com/beevik/etree"

	"github.com/reportgen/reportgen/content"
)

// DIR entry template identifiers (C-CDA R2.1; none is versioned).
const (
	tmplTextObs     = "2.16.840.1.113883.10.20.6.2.12"
	tmplCodeObs     = "2.16.840.1.113883.10.20.6.2.13"
	tmplQuantityObs = "2.16.840.1.113883.10.20.6.2.14"
)

// observation starts an OBS/EVN observation with its template id.
func observation(entry *etree.Element, template string) *etree.Element {
	obs := child(entry, "observation", "classCode", "OBS", "moodCode", "EVN")
	templateID(obs, template, "")
	return obs
}

// textReference points an observation at its narrative.
func textReference(obs *etree.Element, id string) {
	child(child(obs, "text"), "reference", "value", "#"+id)
}

// effectiveTime dates an observation at the study: findings describe the
// patient as imaged, not as reported.
func (e *encoder) effectiveTime(obs *etree.Element) {
	e.time(obs, "effectiveTime", "study start time", e.doc.StudyTime)
}

// textObservation writes a TEXT item (Text Observation 6.2.12). The value
// carries the text itself so the entry stands alone for machine readers;
// the narrative holds the same text for people.
func (e *encoder) textObservation(entry *etree.Element, p paragraph, n *content.Node) {
	id := e.narrativeID(n.ID)
	p.content(id, n.Text)
	obs := observation(entry, tmplTextObs)
	e.code(obs, "code", n.Concept)
	textReference(obs, id)
	e.effectiveTime(obs)
	textChild(obs, "value", n.Text, "xsi:type", "ED")
	e.children(obs, p, n)
}

// codeObservation writes a CODE item (Code Observations 6.2.13). It must
// carry exactly one templateId (CONF:81-15523).
func (e *encoder) codeObservation(entry *etree.Element, p paragraph, n *content.Node) {
	id := e.narrativeID(n.ID)
	shown := n.Code.Meaning
	if shown == "" {
		shown = n.Code.Value
	}
	p.content(id, shown)
	obs := observation(entry, tmplCodeObs)
	e.code(obs, "code", n.Concept)
	textReference(obs, id)
	e.effectiveTime(obs)
	if n.Code.IsZero() {
		e.fail("coded item %s has no code", n.ID)
	}
	v := e.cdValue(obs, n.Code)
	child(child(v, "originalText"), "reference", "value", "#"+id)
	e.children(obs, p, n)
}

// decimal is the literal form of a PQ value (HL7 real): what DICOM DS
// allows, minus padding.
var decimal = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// quantityObservation writes a NUM item (Quantity Measurement Observation
// 6.2.14) with a PQ value in the UCUM unit of the tree.
func (e *encoder) quantityObservation(entry *etree.Element, id string, p narrator, n *content.Node) {
	if !decimal.MatchString(n.Num.Value) {
		e.fail("measurement %s: value is not a decimal number", n.ID)
	}
	obs := observation(entry, tmplQuantityObs)
	code, mapped := measurementCode(n.Concept)
	c := e.code(obs, "code", code)
	if mapped {
		// Keep the SR concept beside the C-CDA one, so both documents
		// still share the code the request gave.
		e.code(c, "translation", n.Concept)
	}
	textReference(obs, id)
	e.effectiveTime(obs)
	unit := n.Num.Unit.Value
	if unit == "" {
		unit = "1"
	}
	child(obs, "value", "xsi:type", "PQ", "value", n.Num.Value, "unit", unit)
	e.children(obs, p, n)
}

// quantityRow writes a NUM item as a row of the section's measurement
// table (Quantity Measurement Observation 6.2.14): the row is the
// observation's narrative, so the entry references the row.
func (e *encoder) quantityRow(entry, tbody *etree.Element, n *content.Node) {
	if n.Num == nil {
		e.fail("measurement %s has no value", n.ID)
		return
	}
	id := e.narrativeID(n.ID)
	tr := child(tbody, "tr", "ID", id)
	textChild(tr, "th", n.Concept.Meaning, "scope", "row")
	textChild(tr, "td", n.Num.Value, "align", "right")
	textChild(tr, "td", content.UnitText(n.Num.Unit))
	r := row{siteCell: child(tr, "td"), imageCell: child(tr, "td")}
	e.quantityObservation(entry, id, r, n)
}

// keyImage writes an IMAGE item held directly by a section (a key image)
// as a SOP Instance Observation entry.
func (e *encoder) keyImage(entry *etree.Element, p paragraph, n *content.Node) {
	if n.Image == nil {
		e.fail("image item %s has no reference", n.ID)
		return
	}
	id := e.narrativeID(n.ID)
	e.imageLine(child(p.el, "content", "ID", id), n)
	e.sopInstance(entry, n.Image, n.Concept, true)
}

// children writes what hangs below an observation: finding sites become
// targetSiteCode, image evidence becomes SPRT entryRelationships to SOP
// Instance Observations. Each also gets a line in the narrative. Anything
// else has no agreed CDA form and is refused rather than dropped.
func (e *encoder) children(obs *etree.Element, p narrator, n *content.Node) {
	// The CDA schema orders targetSiteCode before entryRelationship.
	for _, c := range n.Children {
		if c != nil && c.Relationship == content.HasConceptMod && c.Type == content.CodeValue && sameCode(c.Concept, content.ConceptFindingSite) {
			e.code(obs, "targetSiteCode", c.Code)
			p.site(c.Concept.Meaning, c.Code.Meaning)
		}
	}
	for _, c := range n.Children {
		switch {
		case c == nil:
			e.fail("item %s has a nil child", n.ID)
		case c.Relationship == content.HasConceptMod && c.Type == content.CodeValue && sameCode(c.Concept, content.ConceptFindingSite):
		case c.Relationship == content.InferredFrom && c.Type == content.Image:
			if c.Image == nil {
				e.fail("item %s: image evidence has no reference", n.ID)
				continue
			}
			e.imageLine(p.image(c.Concept.Meaning), c)
			e.sopInstance(child(obs, "entryRelationship", "typeCode", "SPRT"), c.Image, c.Concept, true)
		default:
			e.fail("item %s: %s %s child has no CDA form", n.ID, c.Relationship, c.Type)
		}
	}
}

func sameCode(a, b content.Code) bool { return a.Value == b.Value && a.OID == b.OID }

// imageLine writes the reader's view of an image reference into el: a
// WADO link when an archive is configured, else the image's description.
func (e *encoder) imageLine(el *etree.Element, n *content.Node) {
	label := imageLabel(n.Image)
	if e.wado == nil {
		el.CreateText(label)
		return
	}
	var frame int32
	if len(n.Image.Frames) > 0 {
		frame = n.Image.Frames[0]
	}
	textChild(el, "linkHtml", label, "href", e.wadoURL(n.Image, "", frame))
}

// quantityTypes maps SR measurement concepts (SNOMED CT qualifiers, CIDs
// 7470-7472) to the SNOMED CT observables of the C-CDA value set
// DIRQuantityMeasurementTypeCodes, by meaning (mapping.md §4). Other
// concepts, including DCM ones, pass through unchanged.
var quantityTypes = map[string]content.Code{
	"81827009":  content.SCT("439984002", "Diameter of structure by imaging measurement"),
	"410668003": content.SCT("439932008", "Length of structure by imaging measurement"),
	"103339001": content.SCT("439933003", "Long axis length of structure by imaging measurement"),
	"103340004": content.SCT("439428006", "Short axis length of structure by imaging measurement"),
	"131187009": content.SCT("439982003", "Major axis length of structure by imaging measurement"),
	"131188004": content.SCT("439983008", "Minor axis length of structure by imaging measurement"),
	"131189007": content.SCT("440356007", "Perpendicular axis length of structure by imaging measurement"),
	"131190003": content.SCT("439429003", "Radius of structure by imaging measurement"),
	"103355008": content.SCT("440357003", "Width of structure by imaging measurement"),
	"131197000": content.SCT("439934009", "Depth of structure by imaging measurement"),
	"74551000":  content.SCT("439747008", "Circumference of circular structure by imaging measurement"),
	"131191004": content.SCT("440433004", "Perimeter of noncircular structure by imaging measurement"),
	"131192006": content.SCT("439748003", "Diameter of circular structure by imaging measurement"),
	"42798000":  content.SCT("439746004", "Area of structure by imaging measurement"),
	"118565006": content.SCT("439749006", "Volume of structure by imaging measurement"),
}

// measurementCode returns the C-CDA measurement type for an SR concept and
// whether it differs from the concept.
func measurementCode(c content.Code) (content.Code, bool) {
	if c.OID == content.OIDSNOMED {
		if m, ok := quantityTypes[c.Value]; ok {
			return m, true
		}
	}
	return c, false
}
