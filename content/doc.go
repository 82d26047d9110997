// Package content owns the content tree: the one shape of a report that both
// encoders read, so that the CDA and the SR of one request always say the
// same thing.
//
// The tree is the DICOM TID 2000 shape (PS3.16): a root CONTAINER holding
// the document-level context (language, procedure, observer) and one
// CONTAINER per section heading, whose children are TEXT, CODE and NUM items
// with IMAGE evidence. PS3.20 maps exactly this tree to a CDA Diagnostic
// Imaging Report. Header data (patient, participants, order) is read from
// the checked request itself, which is the findings model; the tree adds
// only what is derived: parsed times, identities and the body.
//
// The tree has three layers, as DCMTK's dcmsr has: the codes (the
// generated dictionary of package dicomdict), the template rows (tid.go:
// TID 2000 and the templates it includes, each row once, driving Build,
// the SR reader and the SR validator's template rules) and the tree
// itself. Build makes the tree from a request; SectionsOf is its inverse
// for a tree read back from an SR.
package content

import (
	"time"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// SOP Class UIDs of the SR IODs the encoder chooses between.
const (
	BasicTextSR     = "1.2.840.10008.5.1.4.1.1.88.11"
	EnhancedSR      = "1.2.840.10008.5.1.4.1.1.88.22"
	ComprehensiveSR = "1.2.840.10008.5.1.4.1.1.88.33"
)

// Document is one report ready to encode.
type Document struct {
	// Report is the checked request: the source of all header data.
	Report *pb.Report
	// TemplateID names the template the report was built with.
	TemplateID string
	// Title and DocumentCode are the document title and type code.
	Title        string
	DocumentCode Code
	// SRTitle is the SR document title, the concept name of Root: a
	// title of DICOM CID 7000, which DocumentCode is not always (see
	// SRTitleFor).
	SRTitle Code
	// Language is a BCP 47 tag such as "en-US".
	Language string
	// ReportTime, StudyTime and SignatureTime keep the caller's UTC offset.
	// SignatureTime is zero when the report is not signed.
	ReportTime, StudyTime, SignatureTime time.Time
	// BirthDate is an HL7 TS of the precision the request gave: YYYYMMDD,
	// YYYYMM or YYYY; "" when unknown. Only the first form is a DICOM DA.
	BirthDate string
	// Identity holds the identifiers of both documents.
	Identity Identity
	// Root is the TID 2000 root CONTAINER.
	Root *Node
	// Evidence lists every referenced image once, in first-seen order: the
	// DICOM Object Catalog of the CDA and the Current Requested Procedure
	// Evidence of the SR.
	Evidence []*ImageRef
	// FindingsTitle is the title of the Findings Section for a report
	// without findings, whose CDA section says nullFlavor NI: the
	// template's title of findings, or "" for the kind's.
	FindingsTitle string
	// SourceSR is the SOP Instance UID of the DICOM SR this CDA is
	// transformed from (PS3.20), "" for a generated report. The CDA
	// encoder names it with relatedDocument XFRM, and, because the report
	// was read from an SR rather than sent by a caller, writes an
	// identifier the SR does not give (author, legal authenticator,
	// custodian) as unknown instead of refusing it.
	SourceSR string
}

// Transformed reports whether the document is made from an existing SR
// (SourceSR is set) rather than from a caller's request.
func (d *Document) Transformed() bool { return d.SourceSR != "" }

// Identity holds the identifiers of the two documents of one report.
type Identity struct {
	// DocumentID, SetID and Version identify the CDA document.
	DocumentID string
	SetID      string
	Version    int
	// SOPClassUID, SOPInstanceUID and SeriesInstanceUID identify the SR.
	SOPClassUID       string
	SOPInstanceUID    string
	SeriesInstanceUID string
}

// Signed reports whether the report carries a legal authenticator.
func (d *Document) Signed() bool { return d.Report.GetLegalAuthenticator() != nil }

// Sections returns the section CONTAINERs in order.
func (d *Document) Sections() []*Node {
	var out []*Node
	for _, c := range d.Root.Children {
		if c.Type == Container && c.Relationship == Contains {
			out = append(out, c)
		}
	}
	return out
}
