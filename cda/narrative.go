package cda

import (
	"strconv"
	"strings"

	"github.com/reportgen/reportgen/content"
)

// narrativeID turns a tree node ID into an XML ID for the narrative block:
// an ASCII NCName, unique in the document. Entries point at the narrative
// through these IDs, so a clash would attach text to the wrong entry.
func (e *encoder) narrativeID(nodeID string) string {
	id := nodeID
	if !isNarrativeID(id) {
		b := make([]byte, 0, len(nodeID)+1)
		for _, r := range nodeID {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
				b = append(b, byte(r))
			default:
				b = append(b, '_')
			}
		}
		if len(b) == 0 || !(b[0] == '_' || asciiLetter(b[0])) {
			b = append([]byte{'n'}, b...)
		}
		id = string(b)
	}
	if e.usedIDs == nil {
		e.usedIDs = make(map[string]bool, 32)
	}
	unique := id
	for n := 2; e.usedIDs[unique]; n++ {
		unique = id + "-" + strconv.Itoa(n)
	}
	e.usedIDs[unique] = true
	return unique
}

// isNarrativeID reports whether s is already what narrativeID makes of
// it: ASCII letters, digits, '_', '-' and '.', starting with a letter or
// '_'.
func isNarrativeID(s string) bool {
	if s == "" || !(s[0] == '_' || asciiLetter(s[0])) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(asciiLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func asciiLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// paragraph writes the narrative of a TEXT or CODE item and returns its
// narrative ID: an optional label, the item's own text (shown) in a
// content element that the entry references, then one line per finding
// site and per image. The label is bold text on the line rather than a
// caption, which HL7's CDA.xsl sets apart from the value.
func (e *encoder) paragraph(caption string, n *content.Node, shown string) string {
	e.open("paragraph")
	if caption != "" {
		e.open("content", "styleCode", "Bold")
		e.w.text(caption)
		e.w.text(": ")
		e.close()
	}
	id := e.narrativeID(n.ID)
	e.open("content", "ID", id)
	e.writeLines(shown)
	e.close()
	// The finding sites first, as their targetSiteCodes come first in the
	// entry (the CDA schema's order), then the images.
	for _, c := range n.Children {
		if isSite(c) {
			e.line(c.Concept.Meaning)
			e.w.text(c.Code.Meaning)
		}
	}
	for _, c := range n.Children {
		if e.isEvidence(n, c) {
			e.line(c.Concept.Meaning)
			e.imageLine(c)
		}
	}
	e.close()
	return id
}

// line starts a new line in the open paragraph with a label.
func (e *encoder) line(label string) {
	e.empty("br")
	e.w.text(label)
	e.w.text(": ")
}

// isSite tells a finding site of an observation, written as its
// targetSiteCode.
func isSite(c *content.Node) bool {
	return c != nil && c.Relationship == content.HasConceptMod && c.Type == content.CodeValue && sameCode(c.Concept, content.ConceptFindingSite)
}

// isEvidence tells an image reference below observation n, written as an
// SPRT entryRelationship to a SOP Instance Observation. Children that are
// neither evidence nor finding sites have no agreed CDA form: they are
// refused, as is evidence without a reference, rather than dropped.
func (e *encoder) isEvidence(n, c *content.Node) bool {
	switch {
	case c == nil:
		e.fail("item %s has a nil child", n.ID)
	case isSite(c):
	case c.Relationship == content.InferredFrom && c.Type == content.Image:
		if c.Image == nil {
			e.fail("item %s: image evidence has no reference", n.ID)
			return false
		}
		return true
	default:
		e.fail("item %s: %s %s child has no CDA form", n.ID, c.Relationship, c.Type)
	}
	return false
}

// keyImageNarrative writes the narrative of an IMAGE item held directly
// by a section (a key image) and returns its narrative ID.
func (e *encoder) keyImageNarrative(n *content.Node) string {
	e.open("paragraph")
	if n.Image == nil {
		e.fail("image item %s has no reference", n.ID)
		e.close()
		return ""
	}
	id := e.narrativeID(n.ID)
	e.open("content", "ID", id)
	e.imageLine(n)
	e.close()
	e.close()
	return id
}

// imageLine writes the reader's view of an image reference: a WADO link
// when an archive is configured, else the image's description.
func (e *encoder) imageLine(n *content.Node) {
	label := content.ImageLabel(n.Image)
	if e.wado == nil {
		e.w.text(label)
		return
	}
	var frame int32
	if len(n.Image.Frames) > 0 {
		frame = n.Image.Frames[0]
	}
	e.textElement("linkHtml", label, "href", e.wadoURL(n.Image, "", frame))
}

// measurementColumns are the column heads of a measurement table, the
// same as the HTML page's.
var measurementColumns = [...]string{"Finding", "Value", "Unit", "Site", "Image"}

// openMeasurementTable starts the table of a run of measurements: caption
// and column heads, then the body the rows go into.
func (e *encoder) openMeasurementTable() {
	e.open("table", "border", "1")
	e.textElement("caption", "Measurements")
	e.open("thead")
	e.open("tr")
	for _, h := range measurementColumns {
		e.textElement("th", h, "scope", "col")
	}
	e.close()
	e.close()
	e.open("tbody")
}

func (e *encoder) closeMeasurementTable() {
	e.close() // tbody
	e.close() // table
}

// quantityRow writes a NUM item as a row of the open measurement table
// and returns its narrative ID: the row is the observation's narrative,
// so the entry references the row. Sites are listed with "; ", images
// with ", ".
func (e *encoder) quantityRow(n *content.Node) string {
	if n.Num == nil {
		e.fail("measurement %s has no value", n.ID)
		return ""
	}
	id := e.narrativeID(n.ID)
	e.open("tr", "ID", id)
	e.textElement("th", n.Concept.Meaning, "scope", "row")
	e.textElement("td", n.Num.Value, "align", "right")
	e.textElement("td", content.UnitText(n.Num.Unit))
	e.open("td")
	k := 0
	for _, c := range n.Children {
		if isSite(c) {
			if k > 0 {
				e.w.text("; ")
			}
			e.w.text(c.Code.Meaning)
			k++
		}
	}
	e.close()
	e.open("td")
	k = 0
	for _, c := range n.Children {
		if e.isEvidence(n, c) {
			if k > 0 {
				e.w.text(", ")
			}
			e.imageLine(c)
			k++
		}
	}
	e.close()
	e.close() // tr
	return id
}

// statusNotice writes the report status where a reader meets it first,
// at the top of the first section: HL7's CDA.xsl shows nothing of the
// header that tells a preliminary, corrected or addendum report from a
// final one. It is narrative only, referenced by no entry.
func (e *encoder) statusNotice(n content.Notice) {
	e.open("paragraph", "styleCode", "Bold")
	e.open("content", "styleCode", "Bold")
	e.w.text(n.Label)
	e.w.text(": ")
	e.close()
	e.w.text(n.Text)
	e.close()
}

// writeLines writes text into the open element, turning line breaks into
// <br/>: the dictated line breaks inside a paragraph are part of the text.
func (e *encoder) writeLines(text string) {
	for i := 0; ; i++ {
		l, rest, more := strings.Cut(text, "\n")
		if i > 0 {
			e.empty("br")
		}
		if l != "" {
			e.w.text(l)
		}
		if !more {
			return
		}
		text = rest
	}
}
