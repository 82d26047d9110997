// Package templates owns the report templates: which document type a
// report becomes, which sections it has in which order and with which
// titles, and which are required. Templates are data, embedded in the
// binary, and looked up by id in a Registry.
package templates

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Generic is the id of the template used when a request names none: the
// DICOM TID 2000 Basic Diagnostic Imaging Report.
const Generic = "generic"

// Template is one report template.
type Template struct {
	ID           string    `json:"id"`
	Version      string    `json:"version"`
	Title        string    `json:"title"`
	DocumentCode *pb.Code  `json:"-"`
	Sections     []Section `json:"sections"`
	// DocumentCodeJSON is the JSON form of DocumentCode.
	DocumentCodeJSON codeJSON `json:"document_code"`
}

// Section is one section of a template.
type Section struct {
	Kind     string `json:"kind"` // SectionKind name without prefix, e.g. "FINDINGS"
	Title    string `json:"title"`
	Required bool   `json:"required"`
}

type codeJSON struct {
	Code        string `json:"code"`
	Scheme      string `json:"scheme"`
	DisplayName string `json:"display_name"`
}

//go:embed builtin/*.json
var builtinFS embed.FS

// Registry holds templates by id. It is immutable once built, so it is
// safe for concurrent use.
type Registry struct {
	byID map[string]*Template
	ids  []string
}

// Builtin returns the templates embedded in the binary.
func Builtin() (*Registry, error) {
	entries, err := builtinFS.ReadDir("builtin")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	r := &Registry{byID: map[string]*Template{}}
	for _, e := range entries {
		b, err := builtinFS.ReadFile("builtin/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("templates: %s: %w", e.Name(), err)
		}
		t, err := parse(b)
		if err != nil {
			return nil, fmt.Errorf("templates: builtin/%s: %w", e.Name(), err)
		}
		if _, dup := r.byID[t.ID]; dup {
			return nil, fmt.Errorf("templates: builtin/%s: id %q defined twice", e.Name(), t.ID)
		}
		r.byID[t.ID] = t
		r.ids = append(r.ids, t.ID)
	}
	sort.Strings(r.ids)
	if _, ok := r.byID[Generic]; !ok {
		return nil, fmt.Errorf("templates: no %q template", Generic)
	}
	return r, nil
}

func parse(b []byte) (*Template, error) {
	var t Template
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	if t.ID == "" || t.Version == "" || t.Title == "" {
		return nil, fmt.Errorf("id, version and title are required")
	}
	sch, ok := pb.CodingScheme_value["CODING_SCHEME_"+t.DocumentCodeJSON.Scheme]
	if !ok || t.DocumentCodeJSON.Code == "" || t.DocumentCodeJSON.DisplayName == "" {
		return nil, fmt.Errorf("document_code needs code, scheme (e.g. LOINC) and display_name")
	}
	t.DocumentCode = &pb.Code{Code: t.DocumentCodeJSON.Code, Scheme: pb.CodingScheme(sch), DisplayName: t.DocumentCodeJSON.DisplayName}
	for i, s := range t.Sections {
		if _, ok := pb.SectionKind_value["SECTION_KIND_"+s.Kind]; !ok {
			return nil, fmt.Errorf("sections[%d].kind: unknown kind %q", i, s.Kind)
		}
	}
	return &t, nil
}

// Get returns the template with the id.
func (r *Registry) Get(id string) (*Template, bool) {
	t, ok := r.byID[id]
	return t, ok
}

// List returns the templates ordered by id.
func (r *Registry) List() []*Template {
	out := make([]*Template, 0, len(r.ids))
	for _, id := range r.ids {
		out = append(out, r.byID[id])
	}
	return out
}

// Info returns the template as the API describes it.
func (t *Template) Info() *pb.TemplateInfo {
	info := &pb.TemplateInfo{Id: t.ID, Version: t.Version, Title: t.Title, DocumentCode: t.DocumentCode}
	for _, s := range t.Sections {
		info.Sections = append(info.Sections, &pb.TemplateSection{
			Kind:     pb.SectionKind(pb.SectionKind_value["SECTION_KIND_"+s.Kind]),
			Title:    s.Title,
			Required: s.Required,
		})
	}
	return info
}
