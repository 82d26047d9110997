package cda

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/reportgen/reportgen/reportgen/content"
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

// paragraph is the narrative of one section item: an optional caption,
// the item's own text in a content element that the entry references, then
// one line per modifier and per image.
type paragraph struct {
	el *etree.Element
}

func newParagraph(text *etree.Element, caption string) paragraph {
	p := paragraph{el: child(text, "paragraph")}
	if caption != "" {
		textChild(p.el, "caption", caption)
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

func quantityText(n *content.Numeric) string { return content.QuantityText(n) }

func imageLabel(ref *content.ImageRef) string { return content.ImageLabel(ref) }
