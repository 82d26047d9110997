package cda

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/reportgen/reportgen/content"
)

// narrativeID turns a tree node ID into an XML ID for the narrative block:
// an ASCII NCName, unique in the document. Entries point at the narrative
// through these IDs, so a clash would attach text to the wrong entry.
func (e *encoder) narrativeID(nodeID string) string {
	var b strings.Builder
	for _, r := range nodeID {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	id := b.String()
	if id == "" || !(id[0] == '_' || asciiLetter(id[0])) {
		id = "n" + id
	}
	unique := id
	for n := 2; e.usedIDs[unique]; n++ {
		unique = fmt.Sprintf("%s-%d", id, n)
	}
	e.usedIDs[unique] = true
	return unique
}

func asciiLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// paragraph is the narrative of one section item: an optional label, the
// item's own text in a content element that the entry references, then
// one line per modifier and per image. The label is bold text on the line
// rather than a caption, which HL7's CDA.xsl sets apart from the value.
type paragraph struct {
	el *etree.Element
}

func newParagraph(text *etree.Element, caption string) paragraph {
	p := paragraph{el: child(text, "paragraph")}
	if caption != "" {
		textChild(p.el, "content", caption+": ", "styleCode", "Bold")
	}
	return p
}

// content appends the referenced text of the item.
func (p paragraph) content(id, text string) {
	writeLines(child(p.el, "content", "ID", id), text)
}

// line starts a new line in the paragraph with a label, and returns the
// paragraph element so the caller can append the rest of the line.
func (p paragraph) line(label string) *etree.Element {
	child(p.el, "br")
	p.el.CreateText(label + ": ")
	return p.el
}

// narrator is where the narrative of an item's modifiers goes: lines of
// its paragraph, or cells of its measurement table row.
type narrator interface {
	// site shows a finding site.
	site(label, meaning string)
	// image returns the element an image reference is written into.
	image(label string) *etree.Element
}

func (p paragraph) site(label, meaning string) { p.line(label).CreateText(meaning) }

func (p paragraph) image(label string) *etree.Element { return p.line(label) }

// row is a measurement's table row: the site and image cells.
type row struct{ siteCell, imageCell *etree.Element }

func (r row) site(_, meaning string) { appendListed(r.siteCell, meaning) }

func (r row) image(string) *etree.Element {
	if len(r.imageCell.Child) > 0 {
		r.imageCell.CreateText(", ")
	}
	return r.imageCell
}

// appendListed adds text to a cell, after "; " when it holds some.
func appendListed(el *etree.Element, text string) {
	if len(el.Child) > 0 {
		el.CreateText("; ")
	}
	el.CreateText(text)
}

// measurementTable starts the table of a run of measurements: caption and
// the column heads the HTML page has too.
func measurementTable(text *etree.Element) *etree.Element {
	t := child(text, "table", "border", "1")
	textChild(t, "caption", "Measurements")
	tr := child(child(t, "thead"), "tr")
	for _, h := range []string{"Finding", "Value", "Unit", "Site", "Image"} {
		textChild(tr, "th", h, "scope", "col")
	}
	return child(t, "tbody")
}

// statusNotice writes the report status where a reader meets it first,
// at the top of the first section: HL7's CDA.xsl shows nothing of the
// header that tells a preliminary, corrected or addendum report from a
// final one. It is narrative only, referenced by no entry.
func statusNotice(text *etree.Element, n content.Notice) {
	p := child(text, "paragraph", "styleCode", "Bold")
	textChild(p, "content", n.Label+": ", "styleCode", "Bold")
	p.CreateText(n.Text)
}

// writeLines writes text into el, turning line breaks into <br/>: the
// dictated line breaks inside a paragraph are part of the text.
func writeLines(el *etree.Element, text string) {
	for i, l := range strings.Split(text, "\n") {
		if i > 0 {
			child(el, "br")
		}
		if l != "" {
			el.CreateText(l)
		}
	}
}

func imageLabel(ref *content.ImageRef) string { return content.ImageLabel(ref) }
