// Package cda owns the CDA encoder: it writes a content tree as an HL7 CDA
// R2 document conforming to the C-CDA R2.1 Diagnostic Imaging Report (DIR
// V3) on the US Realm Header (V3).
//
// The header comes from the checked request (content.Document.Report); the
// body comes from the tree, so the CDA says what the SR of the same request
// says. Body layout follows DICOM PS3.20's SR-to-CDA mapping with C-CDA's
// templates: the DICOM Object Catalog first, then one section per report
// heading, each with a narrative block that renders every entry and with
// Text, Code and Quantity Measurement Observations pointing into it.
//
// Encode refuses input it cannot write faithfully (required data missing,
// malformed identifiers, tree items without a CDA form) instead of
// guessing; it does not apply the DIR conformance rules itself, which is
// the validators' job.
package cda

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/wado"
)

// Options tune Encode.
type Options struct {
	// WADOBaseURL is the WADO-URI endpoint of the image archive, e.g.
	// "https://pacs.example.org/wado". When set, every SOP Instance
	// Observation carries a WADO reference and the narrative links to the
	// images; when empty, images are cited without links.
	WADOBaseURL string
}

// Namespaces of the document.
const (
	nsHL7 = "urn:hl7-org:v3"
	nsXSI = "http://www.w3.org/2001/XMLSchema-instance"
)

// Encode writes doc as a C-CDA R2.1 Diagnostic Imaging Report, UTF-8 XML.
// It fails, rather than writing an invalid document, when the tree or the
// request lacks something the document requires.
func Encode(doc *content.Document, opt Options) ([]byte, error) {
	if doc == nil || doc.Report == nil || doc.Root == nil {
		return nil, errors.New("cda: document has no report or no content tree")
	}
	e := &encoder{doc: doc, usedIDs: map[string]bool{}}
	if opt.WADOBaseURL != "" {
		// Narrative links must be absolute http(s) URLs (CDA-NARR-04);
		// package wado checks that.
		l, err := wado.New(opt.WADOBaseURL, "")
		if err != nil {
			return nil, fmt.Errorf("cda: %w", err)
		}
		e.wado = l
	}

	x := etree.NewDocument()
	x.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	x.CreateText("\n")
	root := x.CreateElement("ClinicalDocument")
	root.CreateAttr("xmlns", nsHL7)
	root.CreateAttr("xmlns:xsi", nsXSI)
	e.header(root)
	e.body(root)
	if e.err != nil {
		return nil, e.err
	}
	indent(root, 0)
	// Escape only what XML requires, so text reads as written.
	x.WriteSettings.CanonicalText = true
	x.WriteSettings.CanonicalAttrVal = true
	x.CreateText("\n")
	b, err := x.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("cda: write XML: %w", err)
	}
	return b, nil
}

// encoder carries the state of one Encode call. Building functions record
// the first problem in err and keep going with placeholders, so the
// building code is not cluttered with error returns; Encode discards the
// document when err is set.
type encoder struct {
	doc     *content.Document
	wado    *wado.Links     // nil without a WADO-URI service
	usedIDs map[string]bool // narrative IDs in use
	err     error
}

// fail records the first error. Messages name the field, never its value:
// the values are patient data.
func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("cda: "+format, args...)
	}
}

// ts formats a time as an HL7 TS with seconds and UTC offset, the precision
// DTM.US.FIELDED asks for.
func ts(t time.Time) string {
	return t.Format("20060102150405-0700")
}

// indent lays out the element tree with tabs. Elements holding text are
// left alone: in the narrative block added whitespace would change what the
// reader sees.
func indent(el *etree.Element, depth int) {
	if len(el.ChildElements()) == 0 {
		return
	}
	for _, t := range el.Child {
		if c, ok := t.(*etree.CharData); ok && strings.TrimSpace(c.Data) != "" {
			return
		}
	}
	kids := el.ChildElements()
	// Detach from the end, which keeps etree's child indexes consistent.
	for len(el.Child) > 0 {
		el.RemoveChildAt(len(el.Child) - 1)
	}
	pad := "\n" + strings.Repeat("\t", depth+1)
	for _, k := range kids {
		el.CreateText(pad)
		el.AddChild(k)
		indent(k, depth+1)
	}
	el.CreateText("\n" + strings.Repeat("\t", depth))
}
