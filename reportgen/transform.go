package reportgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/reportgen/issue"
	"github.com/reportgen/reportgen/reportgen/sr"
	"github.com/reportgen/reportgen/reportgen/uid"
)

// Rule ids of the notes and findings of a transform, beside those of the
// SR reader (SR-READ-*) and the validators.
const (
	// RuleXfrmNotCarried: SR content the CDA cannot say as the SR does.
	RuleXfrmNotCarried = "SR-XFRM-01"
	// RuleXfrmUnknown: a CDA element whose value the SR does not give is
	// written with a null flavor.
	RuleXfrmUnknown = "SR-XFRM-02"
	// RuleXfrmCheck: the report read from the SR breaks a rule of the
	// findings model (the location is the model field).
	RuleXfrmCheck = "SR-XFRM-03"
)

// TransformOptions tune Transform.
type TransformOptions struct {
	// UIDNamespace, when set, derives the CDA document id from it and the
	// SR's bytes, so transforming the same SR again gives the same id.
	UIDNamespace string
	// Read supplies header data the SR cannot carry; see sr.ReadOptions.
	Read sr.ReadOptions
}

// SourceError says a document given to Transform cannot be transformed:
// the SR is broken, is not TID 2000, holds content the findings model
// cannot represent, or lacks data the CDA requires. Issues say exactly
// why; none quotes a value.
type SourceError struct {
	Issues issue.List
	Err    error
}

func (e *SourceError) Error() string {
	errs := e.Issues.Errors()
	msg := "the SR cannot be transformed"
	if e.Err != nil {
		var re *sr.ReadError
		if errors.As(e.Err, &re) {
			var reasons []string
			for _, r := range re.Reasons {
				reasons = append(reasons, r.Error())
			}
			msg += ": " + strings.Join(reasons, "; ")
		} else {
			msg += ": " + e.Err.Error()
		}
	}
	msg += fmt.Sprintf(" (%d errors", len(errs))
	if len(errs) > 0 {
		msg += ", first: " + errs[0].String()
	}
	return msg + ")"
}

// Unwrap gives the reader's error, so errors.Is finds sr.ErrNotTID2000
// and the other reasons.
func (e *SourceError) Unwrap() error { return e.Err }

// errReportCheck is the reason when the report read from the SR breaks
// the findings model's rules.
var errReportCheck = errors.New("the report read from the SR breaks the findings model's rules")

// TransformDocument reads a TID 2000 DICOM SR and renders it as a C-CDA
// R2.1 Diagnostic Imaging Report per DICOM PS3.20 (see Transform). Header
// data an SR cannot carry is not invented: until the engine is configured
// with defaults for it, what an SR lacks makes the call fail with the
// reasons, or (for the author's, legal authenticator's and custodian's
// identifiers) is written as unknown.
func (e *Engine) TransformDocument(ctx context.Context, req *pb.TransformDocumentRequest) (*pb.TransformDocumentResponse, error) {
	return e.Transform(ctx, req.GetContent(), TransformOptions{UIDNamespace: req.GetUidNamespace()})
}

// Transform reads a TID 2000 DICOM SR, ours or another system's, into the
// findings model (sr.Read) and renders it as a CDA with the same encoder
// and validation as a generated one. Per PS3.20 the CDA is a new document
// (its own id) with relatedDocument XFRM naming the SR's SOP Instance UID.
//
// Bad input (no content, too large, not a DICOM file, a bad namespace)
// gives an *InvalidRequestError; an SR that cannot be transformed gives a
// *SourceError with the issues; a CDA that fails validation gives an
// *InvalidDocumentError. The response carries the source's warnings and
// notes, including what was defaulted or left out.
func (e *Engine) Transform(ctx context.Context, b []byte, opt TransformOptions) (*pb.TransformDocumentResponse, error) {
	if v := checkTransformInput(b, opt.UIDNamespace); len(v) > 0 {
		return nil, &InvalidRequestError{Violations: v}
	}
	rep, source, err := sr.Read(b, opt.Read)
	if err != nil {
		return nil, &SourceError{Issues: source, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sopInstance := sopInstanceUID(b)
	notes, templateID := e.forCDA(rep)
	source = append(source, notes...)
	req := &pb.GenerateReportRequest{Report: rep, UidNamespace: opt.UIDNamespace, Outputs: []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA}}
	if v := Check(req, e.cfg.Now()); len(v) > 0 {
		for _, fv := range v {
			source.Errorf(RuleXfrmCheck, fv.Field, "%s", fv.Description)
		}
		return nil, &SourceError{Issues: source, Err: errReportCheck}
	}
	id := e.transformIdentity(b, opt.UIDNamespace)
	doc, err := content.Build(rep, id, content.Options{TemplateID: templateID})
	if err != nil {
		// Check accepted the report, so this is a defect, not bad input.
		return nil, fmt.Errorf("reportgen: transform: build content tree: %w", err)
	}
	x, err := cda.Encode(doc, cda.Options{WADOBaseURL: e.cfg.WADOBaseURL})
	if err != nil {
		return nil, fmt.Errorf("reportgen: transform: encode CDA: %w", err)
	}
	if x, err = finishTransformedCDA(x, sopInstance); err != nil {
		return nil, fmt.Errorf("reportgen: transform: %w", err)
	}
	issues := e.validateCDA(x)
	if issues.HasErrors() {
		return nil, &InvalidDocumentError{Kind: pb.DocumentKind_DOCUMENT_KIND_CDA, Issues: issues}
	}
	return &pb.TransformDocumentResponse{
		Document: &pb.Document{
			Kind: pb.DocumentKind_DOCUMENT_KIND_CDA, MediaType: MediaTypeCDA, Content: x, Issues: IssuesToProto(issues),
			Cda: &pb.CdaIdentity{DocumentId: id.DocumentID, SetId: id.SetID, VersionNumber: int32(id.Version)},
		},
		SourceIssues: IssuesToProto(source),
	}, nil
}

// checkTransformInput checks what the caller sent before the SR is read.
func checkTransformInput(b []byte, ns string) []FieldViolation {
	var v []FieldViolation
	switch {
	case len(b) == 0:
		v = append(v, FieldViolation{Field: "content", Description: "is required: a DICOM SR as a Part 10 file"})
	case len(b) > MaxDocumentSize:
		v = append(v, FieldViolation{Field: "content", Description: ErrDocumentTooLarge.Error()})
	case DetectKind(b) != pb.DocumentKind_DOCUMENT_KIND_SR:
		v = append(v, FieldViolation{Field: "content", Description: "is not a DICOM Part 10 file (no DICM after the 128-byte preamble)"})
	}
	if len(ns) > MaxRequestID || !printable(ns) {
		v = append(v, FieldViolation{Field: "uid_namespace", Description: fmt.Sprintf("must be printable text of at most %d bytes", MaxRequestID)})
	}
	return v
}

// unknownIDRoot marks, while the CDA is encoded, the identifiers the SR
// does not give: the encoder needs an id for the author, the legal
// authenticator and the custodian, and finishTransformedCDA turns each one
// into <id nullFlavor="UNK"/>, the CDA's way of saying "exists, not
// known". It is a UID of its own, so no real identifier can match it.
var unknownIDRoot = uid.Generator{}.Derive("reportgen transform", "unknown identifier")

// forCDA fits a report read from an SR to what the CDA can say and
// returns notes on each change:
//
//   - A correction or addendum becomes a signed report of its own: the
//     CDA names its source SR with relatedDocument XFRM, C-CDA allows one
//     relatedDocument, and an SR does not know its predecessor's CDA id
//     for an RPLC or APND link.
//   - The author, legal authenticator and custodian without identifiers
//     get the unknown marker, written as a null flavor.
//   - Sections get the titles the deployment's template gives reports of
//     this kind, as a generated report would have; an SR has no section
//     titles, only heading codes.
func (e *Engine) forCDA(rep *pb.Report) (notes issue.List, templateID string) {
	switch rep.GetStatus() {
	case pb.ReportStatus_REPORT_STATUS_CORRECTED, pb.ReportStatus_REPORT_STATUS_ADDENDUM:
		verb := "replaces"
		if rep.GetStatus() == pb.ReportStatus_REPORT_STATUS_ADDENDUM {
			verb = "amends"
		}
		notes.Warnf(RuleXfrmNotCarried, "(0040,A360)", "the SR %s a predecessor SR; the CDA names its source SR (relatedDocument XFRM) and not the predecessor: C-CDA allows one relatedDocument, and the predecessor's CDA id is unknown", verb)
		rep.Status, rep.Predecessor = pb.ReportStatus_REPORT_STATUS_FINAL, nil
	}
	unknown := func(p *pb.Practitioner, what string) {
		if p != nil && len(p.GetIds()) == 0 {
			p.Ids = []*pb.Identifier{{AssigningAuthorityOid: unknownIDRoot}}
			notes.Add(issue.Info, RuleXfrmUnknown, "", "the SR does not identify the %s; the CDA id says nullFlavor UNK", what)
		}
	}
	unknown(rep.GetAuthor(), "author")
	unknown(rep.GetLegalAuthenticator(), "legal authenticator")
	if c := rep.GetCustodian(); c != nil && len(c.GetIds()) == 0 {
		c.Ids = []*pb.Identifier{{AssigningAuthorityOid: unknownIDRoot}}
		notes.Add(issue.Info, RuleXfrmUnknown, "", "the custodian has no identifier; the CDA id says nullFlavor UNK")
	}
	t, _ := e.templates.Load().Choose(rep.GetStudy(), rep.GetDocumentCode())
	if t == nil {
		return notes, ""
	}
	for _, s := range rep.GetSections() {
		if ts := t.SectionFor(s); s.GetTitle() == "" && ts != nil {
			s.Title = ts.Title
		}
	}
	return notes, t.ID
}

// transformIdentity makes the CDA's identity: a new document and set. With
// a namespace it is derived from the namespace and the SR bytes, so a
// batch that transforms an archive again gives the same ids.
func (e *Engine) transformIdentity(b []byte, ns string) content.Identity {
	newUID := func(string) string { return e.uids.New() }
	if ns != "" {
		sum := sha256.Sum256(b)
		key := hex.EncodeToString(sum[:])
		newUID = func(role string) string { return e.uids.Derive(ns, role, key) }
	}
	id := content.Identity{DocumentID: newUID("cda-document-from-sr"), Version: 1}
	id.SetID = id.DocumentID
	return id
}

// sopInstanceUID returns the SR's SOP Instance UID. Read has accepted the
// file, so the validator found the attribute present and a valid UID.
func sopInstanceUID(b []byte) string {
	v, _ := sr.SOPInstanceUID(b)
	return v
}

// finishTransformedCDA adds to the encoded CDA what the encoder does not
// yet write for a transformed document: the relatedDocument XFRM naming
// the source SR (PS3.20; C-CDA CONF:1198-8433 ff.) and null flavors for
// the identifiers the SR does not give. The edit keeps the encoder's
// layout, so the document reads as if the encoder had written it.
func finishTransformedCDA(x []byte, srInstance string) ([]byte, error) {
	if uid.Check(srInstance) != nil {
		return nil, errors.New("the SR's SOP Instance UID is not a valid UID")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(x); err != nil {
		return nil, fmt.Errorf("re-read the encoded CDA: %w", err)
	}
	cd := doc.Root()
	if cd == nil || cd.Tag != "ClinicalDocument" {
		return nil, errors.New("the encoded CDA has no ClinicalDocument")
	}
	for _, id := range cd.FindElements("//id") {
		if id.SelectAttrValue("root", "") == unknownIDRoot {
			id.RemoveAttr("root")
			id.RemoveAttr("extension")
			id.CreateAttr("nullFlavor", "UNK")
		}
	}
	if len(cd.SelectElements("relatedDocument")) > 0 {
		return nil, errors.New("the encoded CDA already has a relatedDocument")
	}
	// The CDA schema puts relatedDocument after documentationOf and
	// before authorization, componentOf and the body.
	at := len(cd.Child)
	for i, t := range cd.Child {
		if i == 0 {
			continue
		}
		if el, ok := t.(*etree.Element); ok && slices.Contains([]string{"authorization", "componentOf", "component"}, el.Tag) {
			at = i
			break
		}
	}
	rd := etree.NewElement("relatedDocument")
	rd.CreateAttr("typeCode", "XFRM")
	rd.CreateText("\n\t\t")
	pd := rd.CreateElement("parentDocument")
	pd.CreateText("\n\t\t\t")
	pd.CreateElement("id").CreateAttr("root", srInstance)
	pd.CreateText("\n\t\t")
	rd.CreateText("\n\t")
	// The element goes where the indentation before the next element
	// starts, and takes a new indentation of its own.
	cd.InsertChildAt(at-1, rd)
	cd.InsertChildAt(at-1, etree.NewText("\n\t"))
	doc.WriteSettings.CanonicalText = true
	doc.WriteSettings.CanonicalAttrVal = true
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("write the CDA: %w", err)
	}
	return out, nil
}
