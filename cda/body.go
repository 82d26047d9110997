package cda

import (
	"github.com/beevik/etree"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// tmplFindings is the DIR Findings Section, the one section the DIR
// requires.
const tmplFindings = "2.16.840.1.113883.10.20.6.1.2"

// body writes the structured body: the DICOM Object Catalog first (the DIR
// requires that position), then one section per report heading in reading
// order. Root-level context items (language, procedure, observer) are left
// out: the header already says the same from the request.
func (e *encoder) body(cd *etree.Element) {
	sb := child(child(cd, "component"), "structuredBody")
	if len(e.doc.Evidence) > 0 {
		e.catalog(child(sb, "component"))
	}
	sections := e.doc.Sections()
	findings := 0
	for _, s := range sections {
		if s.Heading != nil && s.Heading.Kind == pb.SectionKind_SECTION_KIND_FINDINGS {
			findings++
		}
	}
	if findings > 1 {
		e.fail("the report needs exactly one findings section, has %d", findings)
	}
	// A report without findings gets the Findings Section the DIR
	// requires (CONF:1198-30696) as C-CDA says a required section the
	// source lacks: nullFlavor NI with its code, title and "No
	// information". It goes where the template's reading order puts
	// findings: before the first of the sections that follow them.
	niAt := -1
	if findings == 0 {
		niAt = len(sections)
		for i, s := range sections {
			if s.Heading != nil && afterFindings[s.Heading.Kind] {
				niAt = i
				break
			}
		}
	}
	for i, s := range sections {
		if i == niAt {
			e.noFindings(child(sb, "component"))
		}
		if s.Heading == nil {
			e.fail("section %d has no heading", i+1)
			continue
		}
		e.section(child(sb, "component"), s, i+1, i == 0)
	}
	if niAt == len(sections) {
		e.noFindings(child(sb, "component"))
	}
}

// afterFindings are the section kinds read after the findings.
var afterFindings = map[pb.SectionKind]bool{
	pb.SectionKind_SECTION_KIND_IMPRESSION:     true,
	pb.SectionKind_SECTION_KIND_RECOMMENDATION: true,
	pb.SectionKind_SECTION_KIND_COMPLICATIONS:  true,
	pb.SectionKind_SECTION_KIND_ADDENDUM:       true,
}

// noFindingsText is the narrative of a section without information.
const noFindingsText = "No information"

// noFindings writes the Findings Section (DIR) of a report that has no
// findings: nullFlavor NI, the section's template, code and title, and
// the narrative "No information", so a reader sees that nothing was
// reported rather than a missing section.
func (e *encoder) noFindings(comp *etree.Element) {
	h := content.Headings[pb.SectionKind_SECTION_KIND_FINDINGS]
	sec := child(comp, "section", "nullFlavor", "NI")
	templateID(sec, tmplFindings, "")
	e.code(sec, "code", h.DCM)
	title := e.doc.FindingsTitle
	if title == "" {
		title = h.Title
	}
	textChild(sec, "title", title)
	textChild(sec, "text", noFindingsText)
}

// section writes one report heading: code, title, the narrative of every
// item and the entries that point into it. The first section also shows
// the report status. Consecutive measurements share one table.
func (e *encoder) section(comp *etree.Element, n *content.Node, idx int, first bool) {
	h := n.Heading
	sec := child(comp, "section")
	code := h.LOINC
	if h.Kind == pb.SectionKind_SECTION_KIND_FINDINGS {
		templateID(sec, tmplFindings, "")
		// DCM 121070 is what C-CDA examples and validators expect for the
		// DIR Findings Section.
		code = h.DCM
	}
	if code.IsZero() {
		e.fail("section %d has no code", idx)
	}
	e.code(sec, "code", code)
	if n.Title == "" {
		e.fail("section %d has no title", idx)
	}
	textChild(sec, "title", n.Title)
	if len(n.Children) == 0 {
		// An empty text element is invalid, and a heading without content
		// says nothing.
		e.fail("section %d has no content", idx)
	}
	text := child(sec, "text")
	if notice, ok := content.StatusNotice(e.doc.Report.GetStatus()); ok && first {
		statusNotice(text, notice)
	}
	var tbody *etree.Element // the open measurement table, if any
	for i, item := range n.Children {
		if item != nil && item.Type == content.Num && item.Relationship == content.Contains {
			if tbody == nil {
				tbody = measurementTable(text)
			}
			e.quantityRow(child(sec, "entry"), tbody, item)
			continue
		}
		tbody = nil
		e.item(sec, text, h, item, idx, i+1)
	}
}

// item writes one section item: its narrative paragraph and its entry.
func (e *encoder) item(sec, text *etree.Element, h *content.Heading, n *content.Node, sIdx, iIdx int) {
	if n == nil {
		e.fail("section %d item %d is nil", sIdx, iIdx)
		return
	}
	if n.Relationship != content.Contains {
		e.fail("section %d item %d: relationship %s has no CDA form", sIdx, iIdx, n.Relationship)
		return
	}
	entry := func() *etree.Element { return child(sec, "entry") }
	switch n.Type {
	case content.Text:
		// Prose under a heading reads without a label; a caption only
		// when the item names a concept other than the heading's default.
		caption := ""
		if n.Concept != h.Element {
			caption = n.Concept.Meaning
		}
		p := newParagraph(text, caption)
		e.textObservation(entry(), p, n)
	case content.CodeValue:
		e.codeObservation(entry(), newParagraph(text, n.Concept.Meaning), n)
	case content.Image:
		e.keyImage(entry(), newParagraph(text, ""), n)
	default:
		e.fail("section %d item %d: value type %s has no CDA form", sIdx, iIdx, n.Type)
	}
}
