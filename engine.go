// Package reportgen is the engine: it checks a findings request, chooses
// its template, splits a dictated body into sections, builds the content
// tree, encodes the CDA Diagnostic Imaging Report and the DICOM SR from
// that one tree, and validates both before anything is returned. It also
// validates documents made elsewhere.
//
// An Engine is built once (it compiles the schemas) and is safe for
// concurrent use.
package reportgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/fhir"
	"github.com/reportgen/reportgen/html"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas"
	"github.com/reportgen/reportgen/schemas/ucum"
	"github.com/reportgen/reportgen/sr"
	"github.com/reportgen/reportgen/templates"
	"github.com/reportgen/reportgen/uid"
	"github.com/reportgen/reportgen/wado"
)

// Media types of the documents.
const (
	MediaTypeCDA   = "application/xml"
	MediaTypeDICOM = "application/dicom"
	MediaTypeFHIR  = fhir.MediaType
	MediaTypeHTML  = html.MediaType
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
	// WADORSBaseURL, when set, is the archive's WADO-RS service root, e.g.
	// "https://pacs.example.org/dicom-web": the HTML page links images to
	// their rendered form there, and the FHIR ImagingStudy gets it as the
	// endpoint IHE IMR requires.
	WADORSBaseURL string
	// Templates are the known report templates; nil loads the built-in
	// set plus TemplateDir.
	Templates *templates.Registry
	// TemplateDir is a directory of custom templates (*.json) loaded over
	// the built-in ones, at New and by ReloadTemplates; "" for none.
	TemplateDir string
	// Now returns the current time; nil uses time.Now. Tests fix it.
	Now func() time.Time
	// TransformDefaults supply the header data an SR may not carry when
	// TransformDocument reads one: the Patient ID's and the Accession
	// Number's issuer OIDs, the custodian and the time zone of the SR's
	// times (see sr.ReadOptions). They are deployment facts, so they are
	// configured once; the reader uses each only where the SR is silent
	// and reports every use. The zero value invents nothing: an SR that
	// lacks an issuer or an institution fails with the reason.
	TransformDefaults sr.ReadOptions
	// MaxTextBytes limits each narrative text of a request (a section's,
	// an observation's, the reason for study) and a dictated body, in
	// bytes; 0 is DefaultMaxText (1 MiB). It must lie between
	// MinTextLimit and MaxTextLimit. A whole request is bounded by the
	// server's message size, and a stream by its in-flight count, so the
	// memory of one call and one stream stays bounded whatever it is.
	MaxTextBytes int
}

// Engine renders and validates reports.
type Engine struct {
	cfg   Config
	links *wado.Links // image addresses for the HTML page and FHIR
	// cdaValidator validates every CDA the engine returns or is given.
	cdaValidator *cda.Validator
	// units are UCUM's, for request measurement units and CDA PQ units.
	units *ucum.System
	uids  uid.Generator
	// templates is swapped whole on reload; each call reads it once, so a
	// call never mixes two template sets.
	templates atomic.Pointer[templates.Registry]
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
	if t := cfg.MaxTextBytes; t != 0 && (t < MinTextLimit || t > MaxTextLimit) {
		return nil, fmt.Errorf("reportgen: MaxTextBytes %d is outside %d to %d", t, MinTextLimit, MaxTextLimit)
	}
	if err := checkTransformDefaults(cfg.TransformDefaults); err != nil {
		return nil, fmt.Errorf("reportgen: TransformDefaults: %w", err)
	}
	if c := cfg.TransformDefaults.Custodian; c != nil {
		// The engine keeps its own copy: a caller changing the message
		// later must not change transforms in flight.
		cfg.TransformDefaults.Custodian = proto.Clone(c).(*pb.Organization)
	}
	links, err := wado.New(cfg.WADOBaseURL, cfg.WADORSBaseURL)
	if err != nil {
		return nil, fmt.Errorf("reportgen: %w", err)
	}
	reg := cfg.Templates
	if reg == nil {
		if reg, err = templates.Load(cfg.TemplateDir); err != nil {
			return nil, fmt.Errorf("reportgen: %w", err)
		}
	}
	units, err := ucum.Load(cfg.SchemaDir)
	if err != nil {
		return nil, fmt.Errorf("reportgen: %w; run: %s", err, schemas.SyncCommandHint)
	}
	v, err := cda.NewValidator(cfg.SchemaDir, units)
	if err != nil {
		return nil, fmt.Errorf("reportgen: %w", err)
	}
	e := &Engine{cfg: cfg, links: links, cdaValidator: v, units: units, uids: g}
	e.templates.Store(reg)
	return e, nil
}

// Close frees the compiled schemas.
func (e *Engine) Close() { e.cdaValidator.Close() }

// Templates returns the engine's current template registry.
func (e *Engine) Templates() *templates.Registry { return e.templates.Load() }

// SetTemplates replaces the template registry. Calls in flight finish
// with the registry they started with.
func (e *Engine) SetTemplates(r *templates.Registry) {
	if r != nil {
		e.templates.Store(r)
	}
}

// ReloadTemplates loads the built-in templates and Config.TemplateDir
// again and swaps them in when every file is good. On error the current
// registry stays and the error names each bad file, line and rule.
func (e *Engine) ReloadTemplates() (*templates.Registry, error) {
	r, err := templates.Load(e.cfg.TemplateDir)
	if err != nil {
		return nil, err
	}
	e.templates.Store(r)
	return r, nil
}

// InvalidRequestError says a request breaks the input rules; it lists
// every violation.
type InvalidRequestError struct {
	Violations []issue.Violation
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
	case pb.DocumentKind_DOCUMENT_KIND_FHIR:
		return "FHIR Bundle"
	case pb.DocumentKind_DOCUMENT_KIND_HTML:
		return "HTML page"
	}
	return "document"
}

// Generate renders the documents of one request. Bad input gives an
// *InvalidRequestError; a document that fails validation gives an
// *InvalidDocumentError and no documents.
//
// The template is the one named by template_id, else the one Choose picks
// for the study. A dictated body is split into sections, which then take
// the same path as sent ones; the response says how it was split.
func (e *Engine) Generate(ctx context.Context, req *pb.GenerateReportRequest) (*pb.GenerateReportResponse, error) {
	reg := e.templates.Load()
	c := check(req, e.cfg.Now(), checkOptions{maxText: e.cfg.MaxTextBytes, units: e.units})
	if len(c.v) > 0 {
		return nil, &InvalidRequestError{Violations: c.v}
	}
	dict := c.dictated
	tmpl, ok := chooseTemplate(reg, req)
	if !ok {
		return nil, &InvalidRequestError{Violations: []issue.Violation{{Field: "template_id", RuleID: RuleTemplateID, Description: "no template with this id; ListTemplates lists them"}}}
	}
	report := req.GetReport()
	secs := report.GetSections()
	if dict != nil {
		// The split replaces the dictation in a copy: the caller's
		// request is not changed, and the identities below still come
		// from what the caller sent.
		report = proto.Clone(report).(*pb.Report)
		report.Sections, report.Dictation = dict.sections, ""
		secs = dict.sections
	}
	notes := c.notes
	if v := checkTemplate(tmpl, secs, dict != nil); len(v) > 0 {
		if req.GetTemplateRules() != pb.TemplateRules_TEMPLATE_RULES_WARN {
			return nil, &InvalidRequestError{Violations: v}
		}
		notes = append(relaxed(v), notes...)
	}
	opt := content.Options{TemplateID: tmpl.ID, Template: tmpl}
	if req.GetSrHeadingCodes() == pb.SrHeadingCodes_SR_HEADING_CODES_DCM {
		opt.HeadingCodes = content.HeadingDCM
	}
	id, err := e.identity(req)
	if err != nil {
		return nil, fmt.Errorf("reportgen: identities: %w", err)
	}
	doc, err := content.Build(report, id, opt)
	if err != nil {
		// Check accepted the request, so this is a defect of the service
		// or of the template, not bad input.
		return nil, fmt.Errorf("reportgen: build content tree with template %s: %w", tmpl.ID, err)
	}
	resp := &pb.GenerateReportResponse{RequestId: req.GetRequestId(), TemplateId: tmpl.ID}
	if dict != nil {
		for _, p := range dict.parts {
			resp.DictationSections = append(resp.DictationSections, p.Proto())
		}
	}
	r := &rendering{doc: doc}
	for _, k := range outputs(req) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d, err := e.render(r, k)
		if err != nil {
			return nil, err
		}
		// What the request side knows the documents say differently
		// from what was sent comes first, then the validator's issues.
		own := notes
		if k == pb.DocumentKind_DOCUMENT_KIND_SR {
			own = append(slices.Clip(own), c.srNotes...)
		}
		d.Issues = append(IssuesToProto(own), d.Issues...)
		resp.Documents = append(resp.Documents, d)
	}
	return resp, nil
}

// chooseTemplate returns the template named by the request, or the one
// the registry picks for its study; false when the named one is unknown.
func chooseTemplate(reg *templates.Registry, req *pb.GenerateReportRequest) (*templates.Template, bool) {
	if id := req.GetTemplateId(); id != "" {
		return reg.Get(id)
	}
	t, _ := reg.Choose(req.GetReport().GetStudy(), req.GetReport().GetDocumentCode())
	return t, true
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

// rendering is one request's tree and what its outputs share: the HTML
// page is both an output and the FHIR presentedForm, made once.
type rendering struct {
	doc  *content.Document
	page []byte
}

// htmlPage makes (once) and checks the HTML page.
func (e *Engine) htmlPage(r *rendering) ([]byte, issue.List, error) {
	if r.page == nil {
		b, err := html.Encode(r.doc, html.Options{Links: e.links})
		if err != nil {
			return nil, nil, fmt.Errorf("reportgen: encode HTML: %w", err)
		}
		r.page = b
	}
	return r.page, html.Validate(r.page), nil
}

func (e *Engine) render(r *rendering, k pb.DocumentKind) (*pb.Document, error) {
	doc := r.doc
	switch k {
	case pb.DocumentKind_DOCUMENT_KIND_HTML:
		b, issues, err := e.htmlPage(r)
		if err != nil {
			return nil, err
		}
		if issues.HasErrors() {
			return nil, &InvalidDocumentError{Kind: k, Issues: issues}
		}
		return &pb.Document{Kind: k, MediaType: MediaTypeHTML, Content: b, Issues: IssuesToProto(issues)}, nil
	case pb.DocumentKind_DOCUMENT_KIND_FHIR:
		page, issues, err := e.htmlPage(r)
		if err != nil {
			return nil, err
		}
		if issues.HasErrors() {
			// The page inside the Bundle is the same page: it fails alike.
			return nil, &InvalidDocumentError{Kind: pb.DocumentKind_DOCUMENT_KIND_HTML, Issues: issues}
		}
		b, err := fhir.Encode(doc, fhir.Options{HTML: page, Links: e.links})
		if err != nil {
			return nil, fmt.Errorf("reportgen: encode FHIR: %w", err)
		}
		issues = fhir.Validate(b)
		if issues.HasErrors() {
			return nil, &InvalidDocumentError{Kind: k, Issues: issues}
		}
		return &pb.Document{Kind: k, MediaType: MediaTypeFHIR, Content: b, Issues: IssuesToProto(issues)}, nil
	case pb.DocumentKind_DOCUMENT_KIND_CDA:
		b, err := cda.Encode(doc, cda.Options{WADOBaseURL: e.cfg.WADOBaseURL})
		if err != nil {
			return nil, fmt.Errorf("reportgen: encode CDA: %w", err)
		}
		issues := e.cdaValidator.Validate(b)
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
