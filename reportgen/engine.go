// Package reportgen is the engine: it checks a findings request, builds the
// content tree, encodes the CDA Diagnostic Imaging Report and the DICOM SR
// from that one tree, and validates both before anything is returned. It
// also validates documents made elsewhere.
//
// An Engine is built once (it compiles the schemas) and is safe for
// concurrent use.
package reportgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/reportgen/issue"
	"github.com/reportgen/reportgen/reportgen/sr"
	"github.com/reportgen/reportgen/reportgen/uid"
	"github.com/reportgen/reportgen/schemas"
	"github.com/reportgen/reportgen/templates"
)

// Media types of the documents.
const (
	MediaTypeCDA   = "application/xml"
	MediaTypeDICOM = "application/dicom"
)

// MaxDocumentSize bounds a document given to ValidateDocument.
const MaxDocumentSize = 16 << 20

// Config configures an Engine.
type Config struct {
	// SchemaDir is the synced schema folder (see package schemas).
	SchemaDir string
	// UIDRoot is the organisation OID under which UIDs and document ids are
	// made; empty uses 2.25.<UUID>.
	UIDRoot string
	// WADOBaseURL, when set, links key images in the CDA to a WADO-URI
	// service, e.g. "https://pacs.example.org/wado".
	WADOBaseURL string
	// Templates are the known report templates; nil uses the built-in set.
	Templates *templates.Registry
	// Now returns the current time; nil uses time.Now. Tests fix it.
	Now func() time.Time
}

// Engine renders and validates reports.
type Engine struct {
	cfg       Config
	xsd       *schemas.CDA
	uids      uid.Generator
	templates *templates.Registry
}

// New compiles the schemas and returns a ready engine. It fails when the
// schema folder is not a verified set, naming the command that fixes it.
func New(cfg Config) (*Engine, error) {
	if cfg.SchemaDir == "" {
		cfg.SchemaDir = schemas.DefaultDir
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	g, err := uid.NewGenerator(cfg.UIDRoot)
	if err != nil {
		return nil, fmt.Errorf("reportgen: %w", err)
	}
	if cfg.Templates == nil {
		if cfg.Templates, err = templates.Builtin(); err != nil {
			return nil, fmt.Errorf("reportgen: %w", err)
		}
	}
	x, err := schemas.LoadCDA(cfg.SchemaDir)
	if err != nil {
		return nil, fmt.Errorf("reportgen: %w", err)
	}
	return &Engine{cfg: cfg, xsd: x, uids: g, templates: cfg.Templates}, nil
}

// Close frees the compiled schemas.
func (e *Engine) Close() { e.xsd.Close() }

// Templates returns the engine's template registry.
func (e *Engine) Templates() *templates.Registry { return e.templates }

// InvalidRequestError says a request breaks the input rules; it lists
// every violation.
type InvalidRequestError struct {
	Violations []FieldViolation
}

func (e *InvalidRequestError) Error() string {
	if len(e.Violations) == 1 {
		return fmt.Sprintf("invalid request: %s: %s", e.Violations[0].Field, e.Violations[0].Description)
	}
	return fmt.Sprintf("invalid request: %d field violations, first %s: %s", len(e.Violations), e.Violations[0].Field, e.Violations[0].Description)
}

// InvalidDocumentError says a generated document failed validation. It is
// a defect of the service or its templates, never returned as a document.
type InvalidDocumentError struct {
	Kind   pb.DocumentKind
	Issues issue.List
}

func (e *InvalidDocumentError) Error() string {
	errs := e.Issues.Errors()
	if len(errs) == 0 {
		return fmt.Sprintf("generated %s failed validation", kindWord(e.Kind))
	}
	return fmt.Sprintf("generated %s failed validation with %d errors, first: %s", kindWord(e.Kind), len(errs), errs[0])
}

func kindWord(k pb.DocumentKind) string {
	switch k {
	case pb.DocumentKind_DOCUMENT_KIND_CDA:
		return "CDA document"
	case pb.DocumentKind_DOCUMENT_KIND_SR:
		return "DICOM SR"
	}
	return "document"
}

// Generate renders the documents of one request. Bad input gives an
// *InvalidRequestError; a document that fails validation gives an
// *InvalidDocumentError and no documents.
func (e *Engine) Generate(ctx context.Context, req *pb.GenerateReportRequest) (*pb.GenerateReportResponse, error) {
	if v := Check(req, e.cfg.Now()); len(v) > 0 {
		return nil, &InvalidRequestError{Violations: v}
	}
	tmplID := req.GetTemplateId()
	if tmplID == "" {
		tmplID = templates.Generic
	}
	if _, ok := e.templates.Get(tmplID); !ok {
		return nil, &InvalidRequestError{Violations: []FieldViolation{{Field: "template_id", Description: "no template with this id; ListTemplates lists them"}}}
	}
	opt := content.Options{TemplateID: tmplID}
	if req.GetSrHeadingCodes() == pb.SrHeadingCodes_SR_HEADING_CODES_DCM {
		opt.HeadingCodes = content.HeadingDCM
	}
	id, err := e.identity(req)
	if err != nil {
		return nil, fmt.Errorf("reportgen: identities: %w", err)
	}
	doc, err := content.Build(req.GetReport(), id, opt)
	if err != nil {
		// Check accepted the request, so this is a defect, not bad input.
		return nil, fmt.Errorf("reportgen: build content tree: %w", err)
	}
	resp := &pb.GenerateReportResponse{RequestId: req.GetRequestId(), TemplateId: tmplID}
	for _, k := range outputs(req) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d, err := e.render(doc, k)
		if err != nil {
			return nil, err
		}
		resp.Documents = append(resp.Documents, d)
	}
	return resp, nil
}

func outputs(req *pb.GenerateReportRequest) []pb.DocumentKind {
	if len(req.GetOutputs()) == 0 {
		return []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA, pb.DocumentKind_DOCUMENT_KIND_SR}
	}
	return req.GetOutputs()
}

// identity makes the identifiers of both documents. A correction keeps the
// predecessor's CDA setId and takes the next version; an addendum is a new
// document family that points at the original.
//
// With a uid_namespace the identities are derived from the namespace and
// the report's deterministic wire form, so a rerun of the same request in a
// batch regeneration gives the same ids, and any change of content gives
// new ones. The request_id is not part of it: it names the call, not the
// report.
func (e *Engine) identity(req *pb.GenerateReportRequest) (content.Identity, error) {
	r := req.GetReport()
	newUID := func(string) string { return e.uids.New() }
	if ns := req.GetUidNamespace(); ns != "" {
		wire, err := proto.MarshalOptions{Deterministic: true}.Marshal(r)
		if err != nil {
			return content.Identity{}, err
		}
		sum := sha256.Sum256(wire)
		key := hex.EncodeToString(sum[:])
		newUID = func(role string) string { return e.uids.Derive(ns, role, key) }
	}
	id := content.Identity{
		DocumentID:        newUID("cda-document"),
		Version:           1,
		SOPInstanceUID:    newUID("sr-instance"),
		SeriesInstanceUID: newUID("sr-series"),
	}
	id.SetID = id.DocumentID
	if r.GetStatus() == pb.ReportStatus_REPORT_STATUS_CORRECTED {
		p := r.GetPredecessor()
		id.SetID = p.GetCdaSetId()
		if id.SetID == "" {
			id.SetID = p.GetCdaDocumentId()
		}
		v := int(p.GetCdaVersionNumber())
		if v < 1 {
			v = 1
		}
		id.Version = v + 1
	}
	return id, nil
}

func (e *Engine) render(doc *content.Document, k pb.DocumentKind) (*pb.Document, error) {
	switch k {
	case pb.DocumentKind_DOCUMENT_KIND_CDA:
		b, err := cda.Encode(doc, cda.Options{WADOBaseURL: e.cfg.WADOBaseURL})
		if err != nil {
			return nil, fmt.Errorf("reportgen: encode CDA: %w", err)
		}
		issues := e.validateCDA(b)
		if issues.HasErrors() {
			return nil, &InvalidDocumentError{Kind: k, Issues: issues}
		}
		return &pb.Document{
			Kind: k, MediaType: MediaTypeCDA, Content: b, Issues: IssuesToProto(issues),
			Cda: &pb.CdaIdentity{DocumentId: doc.Identity.DocumentID, SetId: doc.Identity.SetID, VersionNumber: int32(doc.Identity.Version)},
		}, nil
	case pb.DocumentKind_DOCUMENT_KIND_SR:
		b, err := sr.Encode(doc)
		if err != nil {
			return nil, fmt.Errorf("reportgen: encode SR: %w", err)
		}
		issues := sr.Validate(b)
		if issues.HasErrors() {
			return nil, &InvalidDocumentError{Kind: k, Issues: issues}
		}
		return &pb.Document{
			Kind: k, MediaType: MediaTypeDICOM, Content: b, Issues: IssuesToProto(issues),
			Sr: &pb.SrIdentity{
				SopClassUid: doc.Identity.SOPClassUID, SopInstanceUid: doc.Identity.SOPInstanceUID,
				SeriesInstanceUid: doc.Identity.SeriesInstanceUID, StudyInstanceUid: doc.Report.GetStudy().GetStudyInstanceUid(),
			},
		}, nil
	}
	return nil, fmt.Errorf("reportgen: unknown document kind %v", k)
}
