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
//
// The encoder says the document once, in document order, to a sink
// (sink.go). Encode's sink writes bytes straight into a pooled buffer;
// EncodeTree's builds a github.com/beevik/etree document, whose
// serialisation is byte for byte Encode's output. etree is the reference
// the direct writer is tested against, and the form for callers that
// edit a CDA as a tree.
package cda

import (
	"errors"
	"fmt"

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
//
// The bytes are written straight from the tree into a pooled buffer (no
// XML tree is built); they are the same bytes as EncodeTree's document
// serialised by etree.
func Encode(doc *content.Document, opt Options) ([]byte, error) {
	w := getWriter()
	defer putWriter(w)
	if err := encode(doc, opt, w); err != nil {
		return nil, err
	}
	return w.finish(), nil
}

// EncodeTree writes the document Encode writes as an etree document, for
// callers that edit it as a tree before serialising it. Its WriteSettings
// are set so that WriteToBytes gives exactly Encode's bytes; that is how
// the tests hold Encode's direct writer to etree's serialisation.
func EncodeTree(doc *content.Document, opt Options) (*etree.Document, error) {
	t := newTreeBuilder()
	if err := encode(doc, opt, t); err != nil {
		return nil, err
	}
	return t.finish(), nil
}

// encode says the document to w.
func encode(doc *content.Document, opt Options, w sink) error {
	if doc == nil || doc.Report == nil || doc.Root == nil {
		return errors.New("cda: document has no report or no content tree")
	}
	e := &encoder{doc: doc, w: w}
	if opt.WADOBaseURL != "" {
		// Narrative links must be absolute http(s) URLs (CDA-NARR-04);
		// package wado checks that.
		l, err := wado.New(opt.WADOBaseURL, "")
		if err != nil {
			return fmt.Errorf("cda: %w", err)
		}
		e.wado = l
	}
	e.open("ClinicalDocument", "xmlns", nsHL7, "xmlns:xsi", nsXSI)
	e.header()
	e.body()
	e.close()
	return e.err
}

// encoder carries the state of one Encode call. Writing functions record
// the first problem in err and keep going, so the writing code is not
// cluttered with error returns; Encode discards the document when err is
// set.
type encoder struct {
	doc     *content.Document
	w       sink
	wado    *wado.Links     // nil without a WADO-URI service
	usedIDs map[string]bool // narrative IDs in use
	narrIDs []string        // the narrative IDs of the current section's items
	err     error
}

// fail records the first error. Messages name the field, never its value:
// the values are patient data.
func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("cda: "+format, args...)
	}
}
