package reportgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
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
	// TransformDocument fills it from Config.TransformDefaults.
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
// data an SR cannot carry is not invented: it comes from
// Config.TransformDefaults, and what neither gives makes the call fail
// with the reasons, or (for the author's, legal authenticator's and
// custodian's identifiers) is written as unknown.
func (e *Engine) TransformDocument(ctx context.Context, req *pb.TransformDocumentRequest) (*pb.TransformDocumentResponse, error) {
	read := e.cfg.TransformDefaults
	if c := read.Custodian; c != nil {
		// The reader puts the custodian's identifiers, address and
		// contacts into the report; each call gets its own, so no
		// response shares messages with the configuration or another
		// response.
		read.Custodian = proto.Clone(c).(*pb.Organization)
	}
	return e.Transform(ctx, req.GetContent(), TransformOptions{UIDNamespace: req.GetUidNamespace(), Read: read})
}

// checkTransformDefaults checks the configured transform defaults with the
// request rules their values meet in a report, so that a bad OID fails
// the engine's start rather than every transform that uses it.
func checkTransformDefaults(d sr.ReadOptions) error {
	c := &checker{}
	c.uid("DefaultIssuerOID", d.DefaultIssuerOID, false)
	c.uid("DefaultAccessionIssuerOID", d.DefaultAccessionIssuerOID, false)
	if o := d.Custodian; o != nil {
		// A name or identifiers alone are fine: the SR may give the other.
		c.text("Custodian.name", o.GetName(), RuleLenLO, false)
		for i, id := range o.GetIds() {
			c.identifier(fmt.Sprintf("Custodian.ids[%d]", i), id, true)
		}
		if a := o.GetAddress(); a != nil {
			c.address("Custodian.address", a)
		}
		c.telecoms("Custodian.telecoms", o.GetTelecoms())
	}
	var errs []error
	for _, v := range c.v {
		errs = append(errs, fmt.Errorf("%s: %s", v.Field, v.Description))
	}
	return errors.Join(errs...)
}

// Transform reads a TID 2000 DICOM SR, ours or another system's, into the
// findings model (sr.Read) and renders it as a CDA with the same encoder
// and validation as a generated one. Per PS3.20 the CDA is a new document
// (its own id) with relatedDocument XFRM naming the SR's SOP Instance UID.
// opt.Read alone supplies the header data the SR lacks: Config's
// TransformDefaults are TransformDocument's.
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
	src, source, err := sr.ReadSource(b, opt.Read)
	if err != nil {
		return nil, &SourceError{Issues: source, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep, sopInstance := src.Report, src.SOPInstanceUID
	notes, templateID := e.forCDA(rep)
	source = append(source, notes...)
	req := &pb.GenerateReportRequest{Report: rep, UidNamespace: opt.UIDNamespace, Outputs: []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA}}
	c := check(req, e.cfg.Now(), checkOptions{unknownIDs: true, maxText: e.cfg.MaxTextBytes, units: e.units})
	if v := c.v; len(v) > 0 {
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
	doc.SourceSR = sopInstance
	x, err := cda.Encode(doc, cda.Options{WADOBaseURL: e.cfg.WADOBaseURL})
	if err != nil {
		return nil, fmt.Errorf("reportgen: transform: encode CDA: %w", err)
	}
	issues := e.cdaValidator.Validate(x)
	if issues.HasErrors() {
		return nil, &InvalidDocumentError{Kind: pb.DocumentKind_DOCUMENT_KIND_CDA, Issues: issues}
	}
	return &pb.TransformDocumentResponse{
		Document: &pb.Document{
			Kind: pb.DocumentKind_DOCUMENT_KIND_CDA, MediaType: MediaTypeCDA, Content: x, Issues: IssuesToProto(append(c.notes, issues...)),
			Cda: &pb.CdaIdentity{DocumentId: id.DocumentID, SetId: id.SetID, VersionNumber: int32(id.Version)},
		},
		SourceIssues: IssuesToProto(source),
	}, nil
}

// checkTransformInput checks what the caller sent before the SR is read.
func checkTransformInput(b []byte, ns string) []issue.Violation {
	var v []issue.Violation
	switch {
	case len(b) == 0:
		v = append(v, issue.Violation{Field: "content", RuleID: RuleRequired, Description: "is required: a DICOM SR as a Part 10 file"})
	case len(b) > MaxDocumentSize:
		v = append(v, issue.Violation{Field: "content", RuleID: RuleLenDocument, Description: ErrDocumentTooLarge.Error()})
	case DetectKind(b) != pb.DocumentKind_DOCUMENT_KIND_SR:
		v = append(v, issue.Violation{Field: "content", RuleID: RuleFormat, Description: "is not a DICOM Part 10 file (no DICM after the 128-byte preamble)"})
	}
	if len(ns) > limit(RuleLenID) || !printable(ns) {
		v = append(v, issue.Violation{Field: "uid_namespace", RuleID: RuleLenID, Description: fmt.Sprintf("must be printable text of at most %d bytes", limit(RuleLenID))})
	}
	return v
}

// forCDA fits a report read from an SR to what the CDA can say and
// returns notes on each change:
//
//   - A correction or addendum becomes a signed report of its own: the
//     CDA names its source SR with relatedDocument XFRM, C-CDA allows one
//     relatedDocument, and an SR does not know its predecessor's CDA id
//     for an RPLC or APND link. (The encoder refuses a transformed
//     correction rather than choose the link itself.)
//   - The author, legal authenticator and custodian without identifiers
//     keep none, which the request checks of a transform accept and the
//     encoder writes as nullFlavor UNK; a note says so for each.
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
			notes.Add(issue.Info, RuleXfrmUnknown, "", "the SR does not identify the %s; the CDA id says nullFlavor UNK", what)
		}
	}
	unknown(rep.GetAuthor(), "author")
	unknown(rep.GetLegalAuthenticator(), "legal authenticator")
	if c := rep.GetCustodian(); c != nil && len(c.GetIds()) == 0 {
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
