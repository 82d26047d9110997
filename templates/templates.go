// Package templates owns the report templates: which document type a
// report becomes, which sections it has in which order, with which titles,
// which are required, which coded observations they hold, the narrative
// each section and observation renders to, the default procedure codes and
// the SR IOD the template prefers.
//
// Templates are data: JSON files in the format "reportgen-template/1"
// (README.md, "Templates"). The built-in set is embedded in the binary;
// Load adds a directory of custom ones. Every file is checked when it is
// loaded, and every problem is reported as a LoadError naming the file,
// the line and column, and the rule broken. A Registry is immutable once
// built, so a server swaps whole registries to reload.
package templates

import (
	"cmp"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/dicomdict"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Generic is the id of the template used when nothing more specific
// fits: the DICOM TID 2000 Basic Diagnostic Imaging Report.
const Generic = "generic"

// Format is the version of the template file format this package reads.
// A file names it in its "format" field; a later, incompatible format gets
// a new name so that old readers refuse it instead of misreading it.
const Format = "reportgen-template/1"

// Limits of a template directory and of one template file.
const (
	MaxFileSize     = 1 << 20
	MaxFiles        = 256
	MaxSections     = 64
	MaxObservations = 32 // rules per section
	MaxCodes        = 64 // procedure codes, answers
	MaxExtendsDepth = 8
)

// SRIOD is the SR IOD a template prefers. The encoder never goes below
// what the content needs (a measurement needs Enhanced SR), so the
// preference can only raise the choice.
type SRIOD string

// SR IOD preferences.
const (
	SRIODAuto          SRIOD = "auto"
	SRIODBasicText     SRIOD = "basic-text"
	SRIODEnhanced      SRIOD = "enhanced"
	SRIODComprehensive SRIOD = "comprehensive"
)

// ValueType is the value an observation rule expects.
type ValueType string

// Observation value types.
const (
	ValueAny         ValueType = "any"
	ValueText        ValueType = "text"
	ValueCode        ValueType = "code"
	ValueMeasurement ValueType = "measurement"
)

// Template is one resolved template: its parent's fields merged in. It is
// immutable; the codes it holds must not be modified.
type Template struct {
	ID          string
	Version     string
	Title       string
	Description string
	// Extends is the id of the parent template, "" for none.
	Extends string
	// DocumentCode is the LOINC document type code.
	DocumentCode *pb.Code
	// SRTitle is the SR document title (the root concept name, DICOM CID
	// 7000) of a report whose document code is not a CID 7000 title; nil
	// when the document code is one, or when the generic title
	// (18748-4, LN, "Diagnostic Imaging Report") is the closest. The CDA
	// keeps the document code.
	SRTitle *pb.Code
	// ProcedureCodes select the template for a study with one of these
	// procedure codes; the first is the default procedure code of a report
	// that has none.
	ProcedureCodes []*pb.Code
	// DefaultForModalities selects the template for a study with one of
	// these modalities when no procedure or document code chose one.
	DefaultForModalities []string
	// SRIOD is the preferred SR IOD.
	SRIOD SRIOD
	// Sections are the template's sections in document order.
	Sections []*Section
	// Source is the file the template came from, e.g.
	// "builtin/ct-chest.json" or "/etc/reportgen/templates/ct.json".
	Source string
	// Builtin is true for the templates embedded in the binary.
	Builtin bool

	depth int // length of the extends chain
}

// Section is one section of a template.
type Section struct {
	Kind pb.SectionKind
	// Code is the section code of a CODED section.
	Code     *pb.Code
	Title    string
	Required bool
	// Description says what the section is for, for people filling it in.
	Description string
	// Narrative renders the section text; nil renders the text as sent.
	Narrative *Narrative
	// Observations are the rules for coded observations of the section.
	Observations []*ObservationRule
	// Rule names where the section is defined, e.g.
	// "builtin/ct-chest.json:31 sections[5]", for violations.
	Rule string
}

// ObservationRule constrains the observations of a section that have its
// concept.
type ObservationRule struct {
	Concept *pb.Code
	Value   ValueType
	// Answers, when set, are the codes a coded value must be one of.
	Answers  []*pb.Code
	Required bool
	// Description says what the observation records, for people filling
	// it in.
	Description string
	// Narrative renders a text value, or the sentence shown before a coded
	// or measured value; nil shows the value as the encoders do.
	Narrative *Narrative
	Rule      string
}

// DefaultProcedure returns the procedure code a report without one gets,
// or nil.
func (t *Template) DefaultProcedure() *pb.Code {
	if len(t.ProcedureCodes) == 0 {
		return nil
	}
	return t.ProcedureCodes[0]
}

// SectionFor returns the template section a request section belongs to:
// the same kind, and for CODED sections the same code. Nil means the
// template does not list it.
func (t *Template) SectionFor(s *pb.Section) *Section {
	kind := SectionKindOf(s)
	for _, ts := range t.Sections {
		if ts.Kind != kind {
			continue
		}
		if ts.Kind != pb.SectionKind_SECTION_KIND_CODED || sameCode(ts.Code, s.GetCode()) {
			return ts
		}
	}
	return nil
}

// SectionKindOf returns what a section is: its kind, except that a CODED
// section whose code names Findings (LOINC 59776-5 or 18782-3, DCM
// 121070) is FINDINGS. The code decides, so that the rules on Findings
// (exactly one; required by a template) see such a section too.
func SectionKindOf(s *pb.Section) pb.SectionKind {
	if s.GetKind() == pb.SectionKind_SECTION_KIND_CODED && s.GetCode() != nil && dicomdict.IsFindings(dicomdict.Designator(s.GetCode().GetScheme()), s.GetCode().GetCode()) {
		return pb.SectionKind_SECTION_KIND_FINDINGS
	}
	return s.GetKind()
}

// RuleFor returns the observation rule for an observation, or nil.
func (s *Section) RuleFor(o *pb.Observation) *ObservationRule {
	if s == nil || o.GetConcept() == nil {
		return nil
	}
	for _, r := range s.Observations {
		if sameCode(r.Concept, o.GetConcept()) {
			return r
		}
	}
	return nil
}

// Label is how violations name the section, e.g. "IMPRESSION" or
// "CODED LN 55113-5".
func (s *Section) Label() string {
	k := strings.TrimPrefix(s.Kind.String(), "SECTION_KIND_")
	if s.Kind == pb.SectionKind_SECTION_KIND_CODED {
		return k + " " + codeLabel(s.Code)
	}
	return k
}

func codeLabel(c *pb.Code) string {
	return fmt.Sprintf("%s %s %q", strings.TrimPrefix(c.GetScheme().String(), "CODING_SCHEME_"), c.GetCode(), c.GetDisplayName())
}

// sameCode compares concepts the way both documents identify them: the
// scheme and the code value (and the designator of a local scheme); the
// display name is only text.
func sameCode(a, b *pb.Code) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.GetScheme() == b.GetScheme() && a.GetCode() == b.GetCode() &&
		(a.GetScheme() != pb.CodingScheme_CODING_SCHEME_LOCAL || a.GetLocalDesignator() == b.GetLocalDesignator())
}

// Info returns the template as the API describes it: a new message the
// caller may change.
//
// It holds what a reporting system needs to build a form: what selects
// the template, what it extends, its SR IOD, and per section the coded
// observations it expects with their allowed answers. Narratives stay
// out: they are how the service writes, not what a form asks.
func (t *Template) Info() *pb.TemplateInfo {
	info := &pb.TemplateInfo{
		Id: t.ID, Version: t.Version, Title: t.Title, DocumentCode: proto.CloneOf(t.DocumentCode),
		Description: t.Description, Extends: t.Extends, ProcedureCodes: cloneCodes(t.ProcedureCodes),
		DefaultForModalities: slices.Clone(t.DefaultForModalities), SrIod: srIODProto[t.SRIOD], Builtin: t.Builtin,
	}
	for _, s := range t.Sections {
		ts := &pb.TemplateSection{Kind: s.Kind, Title: s.Title, Required: s.Required, Description: s.Description}
		if s.Kind == pb.SectionKind_SECTION_KIND_CODED {
			ts.Code = proto.CloneOf(s.Code)
		}
		for _, r := range s.Observations {
			ts.Observations = append(ts.Observations, &pb.TemplateObservation{
				Concept: proto.CloneOf(r.Concept), ValueType: valueTypeProto[r.Value], Answers: cloneCodes(r.Answers),
				Required: r.Required, Description: r.Description,
			})
		}
		info.Sections = append(info.Sections, ts)
	}
	return info
}

var srIODProto = map[SRIOD]pb.TemplateSrIod{
	SRIODAuto:          pb.TemplateSrIod_TEMPLATE_SR_IOD_UNSPECIFIED,
	SRIODBasicText:     pb.TemplateSrIod_TEMPLATE_SR_IOD_BASIC_TEXT,
	SRIODEnhanced:      pb.TemplateSrIod_TEMPLATE_SR_IOD_ENHANCED,
	SRIODComprehensive: pb.TemplateSrIod_TEMPLATE_SR_IOD_COMPREHENSIVE,
}

var valueTypeProto = map[ValueType]pb.TemplateValueType{
	ValueAny:         pb.TemplateValueType_TEMPLATE_VALUE_TYPE_UNSPECIFIED,
	ValueText:        pb.TemplateValueType_TEMPLATE_VALUE_TYPE_TEXT,
	ValueCode:        pb.TemplateValueType_TEMPLATE_VALUE_TYPE_CODE,
	ValueMeasurement: pb.TemplateValueType_TEMPLATE_VALUE_TYPE_MEASUREMENT,
}

func cloneCodes(cs []*pb.Code) []*pb.Code {
	out := make([]*pb.Code, 0, len(cs))
	for _, c := range cs {
		out = append(out, proto.CloneOf(c))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

//go:embed builtin/*.json
var builtinFS embed.FS

// Registry holds resolved templates by id. It is immutable once built, so
// it is safe for concurrent use.
type Registry struct {
	byID map[string]*Template
	list []*Template // by id
}

// Builtin returns the templates embedded in the binary.
func Builtin() (*Registry, error) { return Load("") }

// Load returns the built-in templates plus every *.json file of dir (not
// its subfolders; names starting with "." are skipped, as editors leave
// such files). A custom template with the id of a built-in one replaces
// it. Any problem fails the whole load with LoadErrors, so a registry is
// never half a directory.
func Load(dir string) (*Registry, error) {
	b := builtinDrafts()
	if b.err != nil {
		return nil, b.err
	}
	errs := slices.Clone(b.errs)
	drafts := slices.Clone(b.drafts)
	if dir != "" {
		custom, derrs := readDir(dir)
		errs = append(errs, derrs...)
		drafts = append(drafts, custom...)
	}
	if len(errs) > 0 {
		return nil, errs.capped()
	}
	r, rerrs := resolve(drafts)
	if len(rerrs) > 0 {
		return nil, rerrs.capped()
	}
	return r, nil
}

// parsedBuiltins is the embedded set, parsed.
type parsedBuiltins struct {
	drafts []*draft
	errs   LoadErrors
	err    error
}

// builtinDrafts parses the embedded set once: it cannot change while the
// process runs, so a reload (serve's SIGHUP) parses only the custom files.
// resolve only reads drafts, and a template made from one shares its
// compiled narratives, which are safe for concurrent use; so the drafts
// serve every registry.
var builtinDrafts = sync.OnceValue(func() parsedBuiltins {
	var p parsedBuiltins
	entries, err := builtinFS.ReadDir("builtin")
	if err != nil {
		p.err = fmt.Errorf("templates: built-in set: %w", err)
		return p
	}
	for _, e := range entries {
		name := "builtin/" + e.Name()
		b, err := builtinFS.ReadFile(name)
		if err != nil {
			p.err = fmt.Errorf("templates: %s: %w", name, err)
			return p
		}
		d, ferrs := parseFile(name, b, true)
		p.errs = append(p.errs, ferrs...)
		if d != nil {
			p.drafts = append(p.drafts, d)
		}
	}
	return p
})

func readDir(dir string) ([]*draft, LoadErrors) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, LoadErrors{{File: dir, Rule: RuleFile, Message: fmt.Sprintf("cannot read the template directory: %v", unwrapPath(err))}}
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".json") || e.IsDir() {
			continue
		}
		files = append(files, filepath.Join(dir, n))
	}
	if len(files) > MaxFiles {
		return nil, LoadErrors{{File: dir, Rule: RuleLimit, Message: fmt.Sprintf("%d template files; at most %d are allowed", len(files), MaxFiles)}}
	}
	var drafts []*draft
	var errs LoadErrors
	for _, path := range files {
		b, err := readLimited(path)
		if err != nil {
			errs = append(errs, &LoadError{File: path, Rule: RuleFile, Message: err.Error()})
			continue
		}
		d, ferrs := parseFile(path, b, false)
		errs = append(errs, ferrs...)
		if d != nil {
			drafts = append(drafts, d)
		}
	}
	return drafts, errs
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open: %v", unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %v", unwrapPath(err))
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	return b, nil
}

// unwrapPath drops the path an *fs.PathError repeats: the LoadError
// already names the file.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// Get returns the template with the id.
func (r *Registry) Get(id string) (*Template, bool) {
	t, ok := r.byID[id]
	return t, ok
}

// List returns the templates ordered by id.
func (r *Registry) List() []*Template { return slices.Clone(r.list) }

// Len returns the number of templates.
func (r *Registry) Len() int { return len(r.list) }

// Choice says why Choose picked a template.
type Choice string

// Reasons of Choose.
const (
	ByProcedureCode Choice = "procedure_code"
	ByDocumentCode  Choice = "document_code"
	ByModality      Choice = "modality"
	ByDefault       Choice = "generic"
)

// Choose picks the template for a report that names none: the one listing
// the study's procedure code, else the one with the report's document
// code, else the one that is the default for one of the study's
// modalities, else the generic template. Among several candidates a custom
// template beats a built-in one, a template that extends others beats its
// ancestors (it is the more specific), and then the smaller id wins, so
// the choice never depends on file order.
func (r *Registry) Choose(study *pb.ImagingStudy, documentCode *pb.Code) (*Template, Choice) {
	if pc := study.GetProcedureCode(); pc != nil {
		if t := r.best(func(t *Template) bool {
			return slices.ContainsFunc(t.ProcedureCodes, func(c *pb.Code) bool { return sameCode(c, pc) })
		}); t != nil {
			return t, ByProcedureCode
		}
	}
	if documentCode != nil {
		if t := r.best(func(t *Template) bool { return sameCode(t.DocumentCode, documentCode) }); t != nil {
			return t, ByDocumentCode
		}
	}
	for _, m := range study.GetModalities() {
		if t := r.best(func(t *Template) bool { return slices.Contains(t.DefaultForModalities, m) }); t != nil {
			return t, ByModality
		}
	}
	return r.byID[Generic], ByDefault
}

func (r *Registry) best(match func(*Template) bool) *Template {
	var found *Template
	for _, t := range r.list {
		if match(t) && (found == nil || preferred(t, found)) {
			found = t
		}
	}
	return found
}

// preferred reports whether a is preferred over b.
func preferred(a, b *Template) bool {
	if a.Builtin != b.Builtin {
		return !a.Builtin
	}
	if a.depth != b.depth {
		return a.depth > b.depth
	}
	return cmp.Less(a.ID, b.ID)
}
