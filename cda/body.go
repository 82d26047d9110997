package cda

import (
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
func (e *encoder) body() {
	e.open("component")
	e.open("structuredBody")
	if len(e.doc.Evidence) > 0 {
		e.open("component")
		e.catalog()
		e.close()
	}
	sections := e.doc.Root.Children
	findings, count := 0, 0
	for _, s := range sections {
		if !isSection(s) {
			continue
		}
		count++
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
		niAt = count
		i := 0
		for _, s := range sections {
			if !isSection(s) {
				continue
			}
			if s.Heading != nil && afterFindings(s.Heading.Kind) {
				niAt = i
				break
			}
			i++
		}
	}
	i := 0
	for _, s := range sections {
		if !isSection(s) {
			continue
		}
		if i == niAt {
			e.open("component")
			e.noFindings()
			e.close()
		}
		i++
		if s.Heading == nil {
			e.fail("section %d has no heading", i)
			continue
		}
		e.open("component")
		e.section(s, i, i == 1)
		e.close()
	}
	if niAt == count {
		e.open("component")
		e.noFindings()
		e.close()
	}
	e.close() // structuredBody
	e.close() // component
}

// isSection tells the report headings among the root's children, as
// content.Document.Sections does.
func isSection(n *content.Node) bool {
	return n != nil && n.Type == content.Container && n.Relationship == content.Contains
}

// afterFindings tells the section kinds read after the findings.
func afterFindings(k pb.SectionKind) bool {
	switch k {
	case pb.SectionKind_SECTION_KIND_IMPRESSION, pb.SectionKind_SECTION_KIND_RECOMMENDATION,
		pb.SectionKind_SECTION_KIND_COMPLICATIONS, pb.SectionKind_SECTION_KIND_ADDENDUM:
		return true
	}
	return false
}

// noFindingsText is the narrative of a section without information.
const noFindingsText = "No information"

// noFindings writes the Findings Section (DIR) of a report that has no
// findings: nullFlavor NI, the section's template, code and title, and
// the narrative "No information", so a reader sees that nothing was
// reported rather than a missing section.
func (e *encoder) noFindings() {
	h := content.Headings[pb.SectionKind_SECTION_KIND_FINDINGS]
	e.open("section", "nullFlavor", "NI")
	e.templateID(tmplFindings, "")
	e.code("code", h.DCM)
	title := e.doc.FindingsTitle
	if title == "" {
		title = h.Title
	}
	e.textElement("title", title)
	e.textElement("text", noFindingsText)
	e.close()
}

// section writes one report heading: code, title, the narrative block with
// every item's narrative, then the entries that point into it. The first
// section also shows the report status. Consecutive measurements share
// one table. The narrative comes first in the document, so the items are
// gone through twice: the narrative pass gives each item its narrative
// ID, the entry pass references it.
func (e *encoder) section(n *content.Node, idx int, first bool) {
	h := n.Heading
	e.open("section")
	code := h.LOINC
	if h.Kind == pb.SectionKind_SECTION_KIND_FINDINGS {
		e.templateID(tmplFindings, "")
		// DCM 121070 is what C-CDA examples and validators expect for the
		// DIR Findings Section.
		code = h.DCM
	}
	if code.IsZero() {
		e.fail("section %d has no code", idx)
	}
	e.code("code", code)
	if n.Title == "" {
		e.fail("section %d has no title", idx)
	}
	e.textElement("title", n.Title)
	if len(n.Children) == 0 {
		// An empty text element is invalid, and a heading without content
		// says nothing.
		e.fail("section %d has no content", idx)
	}

	e.open("text")
	if notice, ok := content.StatusNotice(e.doc.Report.GetStatus()); ok && first {
		e.statusNotice(notice)
	}
	ids := e.narrIDs[:0]
	table := false // a measurement table is open
	for i, item := range n.Children {
		id := ""
		if isMeasurement(item) {
			if !table {
				e.openMeasurementTable()
				table = true
			}
			id = e.quantityRow(item)
		} else {
			if table {
				e.closeMeasurementTable()
				table = false
			}
			id = e.itemNarrative(h, item, idx, i+1)
		}
		ids = append(ids, id)
	}
	if table {
		e.closeMeasurementTable()
	}
	e.close() // text
	e.narrIDs = ids

	for i, item := range n.Children {
		if ids[i] == "" {
			continue // refused in the narrative pass
		}
		e.open("entry")
		switch {
		case isMeasurement(item):
			e.quantityObservation(ids[i], item)
		case item.Type == content.Text:
			e.textObservation(ids[i], item)
		case item.Type == content.CodeValue:
			e.codeObservation(ids[i], item)
		case item.Type == content.Image:
			e.sopInstance(item.Image, item.Concept, true)
		}
		e.close()
	}
	e.close() // section
}

// isMeasurement tells a NUM item of a section, written as a row of a
// measurement table.
func isMeasurement(n *content.Node) bool {
	return n != nil && n.Type == content.Num && n.Relationship == content.Contains
}

// itemNarrative writes the narrative of one section item that is not a
// measurement and returns its narrative ID, or "" when the item has no
// CDA form (the error is recorded).
func (e *encoder) itemNarrative(h *content.Heading, n *content.Node, sIdx, iIdx int) string {
	if n == nil {
		e.fail("section %d item %d is nil", sIdx, iIdx)
		return ""
	}
	if n.Relationship != content.Contains {
		e.fail("section %d item %d: relationship %s has no CDA form", sIdx, iIdx, n.Relationship)
		return ""
	}
	switch n.Type {
	case content.Text:
		// Prose under a heading reads without a label; a caption only
		// when the item names a concept other than the heading's default.
		caption := ""
		if n.Concept != h.Element {
			caption = n.Concept.Meaning
		}
		return e.paragraph(caption, n, n.Text)
	case content.CodeValue:
		shown := n.Code.Meaning
		if shown == "" {
			shown = n.Code.Value
		}
		return e.paragraph(n.Concept.Meaning, n, shown)
	case content.Image:
		return e.keyImageNarrative(n)
	}
	e.fail("section %d item %d: value type %s has no CDA form", sIdx, iIdx, n.Type)
	return ""
}
