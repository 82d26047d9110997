package cda

import (
	"github.com/reportgen/reportgen/content"
)

// DIR entry template identifiers (C-CDA R2.1; none is versioned).
const (
	tmplTextObs     = "2.16.840.1.113883.10.20.6.2.12"
	tmplCodeObs     = "2.16.840.1.113883.10.20.6.2.13"
	tmplQuantityObs = "2.16.840.1.113883.10.20.6.2.14"
)

// observation starts an OBS/EVN observation with its template id.
func (e *encoder) observation(template string) {
	e.open("observation", "classCode", "OBS", "moodCode", "EVN")
	e.templateID(template, "")
}

// textReference points an observation at its narrative.
func (e *encoder) textReference(id string) {
	e.open("text")
	e.localReference(id)
	e.close()
}

// localReference writes a reference to narrative ID id.
func (e *encoder) localReference(id string) {
	e.w.start("reference")
	e.w.attrJoin("value", "#", id)
	e.w.end()
}

// effectiveTime dates an observation at the study: findings describe the
// patient as imaged, not as reported.
func (e *encoder) effectiveTime() {
	e.time("effectiveTime", "study start time", e.doc.StudyTime)
}

// textObservation writes a TEXT item (Text Observation 6.2.12) whose
// narrative is id. The value carries the text itself so the entry stands
// alone for machine readers; the narrative holds the same text for
// people.
func (e *encoder) textObservation(id string, n *content.Node) {
	e.observation(tmplTextObs)
	e.code("code", n.Concept)
	e.textReference(id)
	e.effectiveTime()
	e.textElement("value", n.Text, "xsi:type", "ED")
	e.childEntries(n)
	e.close()
}

// codeObservation writes a CODE item (Code Observations 6.2.13) whose
// narrative is id. It must carry exactly one templateId (CONF:81-15523).
func (e *encoder) codeObservation(id string, n *content.Node) {
	e.observation(tmplCodeObs)
	e.code("code", n.Concept)
	e.textReference(id)
	e.effectiveTime()
	if n.Code.IsZero() {
		e.fail("coded item %s has no code", n.ID)
	}
	e.openCode("value", n.Code, "xsi:type", "CD")
	e.open("originalText")
	e.localReference(id)
	e.close()
	e.close()
	e.childEntries(n)
	e.close()
}

// isDecimal reports whether s is the literal form of a PQ value (HL7
// real): what DICOM DS allows, minus padding. It is the regular
// expression ^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$,
// matched by hand.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	whole := digits()
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 && whole == 0 {
			return false
		}
	} else if whole == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// quantityObservation writes a NUM item (Quantity Measurement Observation
// 6.2.14) whose narrative is table row id, with a PQ value in the UCUM
// unit of the tree.
func (e *encoder) quantityObservation(id string, n *content.Node) {
	if !isDecimal(n.Num.Value) {
		e.fail("measurement %s: value is not a decimal number", n.ID)
	}
	e.observation(tmplQuantityObs)
	code, mapped := measurementCode(n.Concept)
	e.openCode("code", code)
	if mapped {
		// Keep the SR concept beside the C-CDA one, so both documents
		// still share the code the request gave.
		e.code("translation", n.Concept)
	}
	e.close()
	e.textReference(id)
	e.effectiveTime()
	unit := n.Num.Unit.Value
	if unit == "" {
		unit = "1"
	}
	e.empty("value", "xsi:type", "PQ", "value", n.Num.Value, "unit", unit)
	e.childEntries(n)
	e.close()
}

// childEntries writes what hangs below an observation: finding sites
// become targetSiteCode, image evidence becomes SPRT entryRelationships
// to SOP Instance Observations. The narrative pass has refused the
// children without a CDA form.
func (e *encoder) childEntries(n *content.Node) {
	// The CDA schema orders targetSiteCode before entryRelationship.
	for _, c := range n.Children {
		if isSite(c) {
			e.code("targetSiteCode", c.Code)
		}
	}
	for _, c := range n.Children {
		if c != nil && c.Relationship == content.InferredFrom && c.Type == content.Image && c.Image != nil {
			e.open("entryRelationship", "typeCode", "SPRT")
			e.sopInstance(c.Image, c.Concept, true)
			e.close()
		}
	}
}

func sameCode(a, b content.Code) bool { return a.Value == b.Value && a.OID == b.OID }

// quantityTypes maps SR measurement concepts (SNOMED CT qualifiers, CIDs
// 7470-7472) to the SNOMED CT observables of the C-CDA value set
// DIRQuantityMeasurementTypeCodes, by meaning (mapping.md §4). Other
// concepts, including DCM ones, pass through unchanged. The table is the
// one owner of this mapping: these codes appear nowhere else.
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
