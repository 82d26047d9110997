package templates

import (
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/internal/fuzztest"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

func builtin(t *testing.T) *Registry {
	t.Helper()
	r, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBuiltin(t *testing.T) {
	r := builtin(t)
	want := []string{"chest-radiograph", "ct-abdomen-pelvis", "ct-chest", "generic", "mammography", "mr-brain", "us-abdomen"}
	var got []string
	for _, tp := range r.List() {
		got = append(got, tp.ID)
		if !tp.Builtin || tp.Version == "" || tp.Title == "" || tp.DocumentCode == nil {
			t.Errorf("%s: incomplete: %+v", tp.ID, tp)
		}
		if tp.ID != Generic && (tp.Extends != Generic || len(tp.ProcedureCodes) == 0) {
			t.Errorf("%s: a specific template extends generic and lists procedure codes", tp.ID)
		}
		info := tp.Info()
		if info.GetId() != tp.ID || len(info.GetSections()) != len(tp.Sections) {
			t.Errorf("%s: Info = %v", tp.ID, info)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("built-in templates %v, want %v", got, want)
	}
	g, _ := r.Get(Generic)
	if g.DocumentCode.GetCode() != "18748-4" || g.SRIOD != SRIODAuto {
		t.Errorf("generic: %v %v", g.DocumentCode, g.SRIOD)
	}
	m, _ := r.Get("mammography")
	imp := m.SectionFor(&pb.Section{Kind: pb.SectionKind_SECTION_KIND_IMPRESSION})
	if imp == nil || imp.Title != "Assessment" || !imp.Required || len(imp.Observations) != 1 || len(imp.Observations[0].Answers) != 6 {
		t.Errorf("mammography impression rule = %+v", imp)
	}
	if _, ok := r.Get("no-such"); ok {
		t.Error("Get(no-such) found a template")
	}
}

// TestBuiltinCodes: every document and procedure code of the built-in
// templates is in the LOINC Imaging Document Codes value set the C-CDA
// schematron checks (1.3.6.1.4.1.12009.10.2.5, shipped in voc.xml), with
// the display name LOINC gives it.
func TestBuiltinCodes(t *testing.T) {
	const voc = "../schemas/synced/ccda-2.1/voc.xml"
	f, err := os.Open(voc)
	if err != nil {
		t.Fatalf("%v (run: go run ./cmd/reportgen schemas sync)", err)
	}
	defer f.Close()
	imaging := map[string]string{}
	dec := xml.NewDecoder(f)
	in := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			attr := func(n string) string {
				for _, a := range e.Attr {
					if a.Name.Local == n {
						return a.Value
					}
				}
				return ""
			}
			switch e.Name.Local {
			case "system":
				in = attr("valueSetOid") == "1.3.6.1.4.1.12009.10.2.5"
			case "code":
				if in {
					imaging[attr("value")] = attr("displayName")
				}
			}
		}
	}
	if len(imaging) < 1000 {
		t.Fatalf("read %d imaging document codes from %s", len(imaging), voc)
	}
	for _, tp := range builtin(t).List() {
		for _, c := range append([]*pb.Code{tp.DocumentCode}, tp.ProcedureCodes...) {
			name, ok := imaging[c.GetCode()]
			if c.GetScheme() != pb.CodingScheme_CODING_SCHEME_LOINC || !ok || name != c.GetDisplayName() {
				t.Errorf("%s: %s %q is not in the imaging document value set as %q", tp.ID, c.GetCode(), c.GetDisplayName(), name)
			}
		}
	}
}

func loadDir(t *testing.T, files map[string]string) (*Registry, error) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Load(dir)
}

const head = `{
  "format": "reportgen-template/1",
  "id": "site-ct",
  "version": "1",
`

// TestLoadErrors: each broken template fails the load with the file, the
// line and column of the offending value, and the rule it breaks.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		rule      string
	}{
		{"not JSON", "{\n  \"format\": \"reportgen-template/1\",\n  \"id\": oops\n}", 3, 9, RuleJSON},
		{"truncated", head + `  "title": "x"`, 5, 15, RuleJSON},
		{"not an object", "[1, 2]", 1, 1, RuleType},
		{"invalid UTF-8", head + "  \"title\": \"caf\xe9\"\n}", 5, 16, RuleEncoding},
		{"no format", "{\n  \"id\": \"a\"\n}", 1, 1, RuleRequired},
		{"other format", "{\n  \"format\": \"reportgen-template/2\",\n  \"id\": \"a\"\n}", 2, 13, RuleFormat},
		{"duplicate key", head + "  \"title\": \"a\",\n  \"title\": \"b\"\n}", 6, 3, RuleDuplicateKey},
		{"unknown field", head + "  \"extends\": \"generic\",\n  \"requird\": true\n}", 6, 3, RuleUnknownField},
		{"bad id", "{\n  \"format\": \"reportgen-template/1\",\n  \"id\": \"Site CT\",\n  \"version\": \"1\"\n}", 3, 9, RuleID},
		{"bad version", "{\n  \"format\": \"reportgen-template/1\",\n  \"id\": \"a\",\n  \"version\": \"v 1\"\n}", 4, 14, RuleVersion},
		{"title wrong type", head + "  \"extends\": \"generic\",\n  \"title\": 7\n}", 6, 12, RuleType},
		{"title with newline", head + "  \"extends\": \"generic\",\n  \"title\": \"a\\nb\"\n}", 6, 12, RuleText},
		{"document code not LOINC", head + "  \"extends\": \"generic\",\n  \"document_code\": {\"code\": \"1\", \"scheme\": \"DCM\", \"display_name\": \"x\"}\n}", 6, 20, RuleDocumentCode},
		{"code without display name", head + "  \"extends\": \"generic\",\n  \"procedure_codes\": [\n    {\"code\": \"24627-2\", \"scheme\": \"LOINC\"}\n  ]\n}", 7, 5, RuleRequired},
		{"unknown scheme", head + "  \"extends\": \"generic\",\n  \"procedure_codes\": [\n    {\"code\": \"1\", \"scheme\": \"ICD10\", \"display_name\": \"x\"}\n  ]\n}", 7, 29, RuleCode},
		{"local code without OID", head + "  \"extends\": \"generic\",\n  \"procedure_codes\": [{\"code\": \"1\", \"scheme\": \"LOCAL\", \"local_designator\": \"99X\", \"display_name\": \"x\"}]\n}", 6, 23, RuleRequired},
		{"unknown section kind", head + "  \"extends\": \"generic\",\n  \"sections\": [\n    {\"kind\": \"FINDING\", \"title\": \"F\"}\n  ]\n}", 7, 14, RuleSectionKind},
		{"coded section without code", head + "  \"extends\": \"generic\",\n  \"sections\": [\n    {\"kind\": \"FINDINGS\"},\n    {\"kind\": \"CODED\", \"title\": \"Key images\"}\n  ]\n}", 8, 5, RuleSectionKind},
		{"section twice", head + "  \"extends\": \"generic\",\n  \"sections\": [\n    {\"kind\": \"FINDINGS\"},\n    {\"kind\": \"FINDINGS\"}\n  ]\n}", 8, 5, RuleDuplicate},
		{"no findings", head + "  \"extends\": \"generic\",\n  \"sections\": [\n    {\"kind\": \"IMPRESSION\"}\n  ]\n}", 6, 15, RuleFindings},
		{"required not a bool", head + "  \"extends\": \"generic\",\n  \"sections\": [{\"kind\": \"FINDINGS\", \"required\": \"yes\"}]\n}", 6, 49, RuleType},
		{"section without title", head + "  \"title\": \"T\",\n  \"document_code\": {\"code\": \"24627-2\", \"scheme\": \"LOINC\", \"display_name\": \"CT Chest\"},\n  \"sections\": [{\"kind\": \"FINDINGS\"}]\n}", 7, 16, RuleRequired},
		{"narrative does not compile", head + "  \"extends\": \"generic\",\n  \"sections\": [\n    {\"kind\": \"FINDINGS\", \"narrative\": \"{{.Text\"}\n  ]\n}", 7, 39, RuleNarrative},
		{"narrative drops the text", head + "  \"extends\": \"generic\",\n  \"sections\": [\n    {\"kind\": \"FINDINGS\", \"narrative\": \"Normal.\"}\n  ]\n}", 7, 39, RuleNarrative},
		{"narrative misspelt field", head + "  \"extends\": \"generic\",\n  \"sections\": [\n    {\"kind\": \"FINDINGS\", \"narrative\": \"{{.Txt}}\"}\n  ]\n}", 7, 39, RuleNarrative},
		{"narrative define", head + "  \"extends\": \"generic\",\n  \"sections\": [\n    {\"kind\": \"FINDINGS\", \"narrative\": \"{{define \\\"x\\\"}}y{{end}}{{.Text}}\"}\n  ]\n}", 7, 39, RuleNarrative},
		{"narrative loop over a number", head + "  \"extends\": \"generic\",\n  \"sections\": [\n    {\"kind\": \"FINDINGS\", \"narrative\": \"{{range 1000000000}}{{end}}{{.Text}}\"}\n  ]\n}", 7, 39, RuleNarrative},
		{"answers without code value", head + "  \"extends\": \"generic\",\n  \"sections\": [{\"kind\": \"FINDINGS\", \"observations\": [\n    {\"concept\": {\"code\": \"111005\", \"scheme\": \"DCM\", \"display_name\": \"Assessment Category\"}, \"answers\": []}\n  ]}]\n}", 7, 93, RuleObservation},
		{"bad sr_iod", head + "  \"extends\": \"generic\",\n  \"sr_iod\": \"comprehensive-3d\"\n}", 6, 13, RuleSRIOD},
		{"bad modality", head + "  \"extends\": \"generic\",\n  \"default_for_modalities\": [\"mg\"]\n}", 6, 30, RuleModality},
		{"extends unknown", head + "  \"extends\": \"ct-chst\"\n}", 5, 14, RuleExtends},
		{"extends itself", head + "  \"extends\": \"site-ct\"\n}", 5, 14, RuleExtends},
		{"no title anywhere", head + "  \"document_code\": {\"code\": \"24627-2\", \"scheme\": \"LOINC\", \"display_name\": \"CT Chest\"},\n  \"sections\": [{\"kind\": \"FINDINGS\", \"title\": \"F\"}]\n}", 1, 1, RuleRequired},
		{"too many sections", head + "  \"extends\": \"generic\",\n  \"sections\": [" + strings.Repeat(`{"kind": "FINDINGS"},`, MaxSections) + `{"kind": "FINDINGS"}]` + "\n}", 6, 15, RuleLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadDir(t, map[string]string{"site.json": tt.src})
			var le LoadErrors
			if !errors.As(err, &le) || len(le) == 0 {
				t.Fatalf("Load = %v, want LoadErrors", err)
			}
			e := le[0]
			if !strings.HasSuffix(e.File, "site.json") || e.Line != tt.line || e.Column != tt.col || e.Rule != tt.rule {
				t.Errorf("first error %s, want site.json:%d:%d rule %s", e, tt.line, tt.col, tt.rule)
			}
			if msg := err.Error(); !strings.Contains(msg, "site.json:") || !strings.Contains(msg, "(rule "+tt.rule+")") {
				t.Errorf("error text %q does not name the file and rule", msg)
			}
		})
	}
}

func TestLoadDirProblems(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "rule file") {
		t.Errorf("missing dir: %v", err)
	}
	ok := head + "  \"extends\": \"generic\"\n}"
	_, err := loadDir(t, map[string]string{"a.json": ok, "b.json": ok})
	var le LoadErrors
	if !errors.As(err, &le) || le[0].Rule != RuleDuplicateID || !strings.HasSuffix(le[0].File, "b.json") || le[0].Line != 3 {
		t.Errorf("duplicate id: %v", err)
	}
	// Files that are not templates are left alone.
	r, err := loadDir(t, map[string]string{"README.md": "# notes", ".site.json.swp": "{", "site.json": ok})
	if err != nil {
		t.Fatal(err)
	}
	if _, found := r.Get("site-ct"); !found || r.Len() != 8 {
		t.Errorf("registry has %d templates", r.Len())
	}
	big := head + `  "description": "` + strings.Repeat("x", MaxFileSize) + "\"\n}"
	if _, err := loadDir(t, map[string]string{"big.json": big}); err == nil || !strings.Contains(err.Error(), "rule file") {
		t.Errorf("big file: %v", err)
	}
}

func TestExtends(t *testing.T) {
	r, err := loadDir(t, map[string]string{
		"base.json": `{"format": "reportgen-template/1", "id": "site-base", "version": "1", "extends": "ct-chest",
			"sections": [
				{"kind": "FINDINGS", "title": "Befund"},
				{"kind": "IMPRESSION"},
				{"kind": "CODED", "code": {"code": "55113-5", "scheme": "LOINC", "display_name": "Key Images"}, "title": "Key Images"}
			]}`,
		"child.json": `{"format": "reportgen-template/1", "id": "site-child", "version": "2", "extends": "site-base",
			"title": "Site CT", "sr_iod": "comprehensive"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := r.Get("site-base")
	child, _ := r.Get("site-child")
	ct, _ := r.Get("ct-chest")
	if base.Title != ct.Title || base.DocumentCode != ct.DocumentCode || len(base.ProcedureCodes) != len(ct.ProcedureCodes) {
		t.Errorf("site-base did not inherit ct-chest's header fields")
	}
	if len(base.Sections) != 3 || base.Sections[0].Title != "Befund" || base.Sections[1].Title != "Impression" || !base.Sections[1].Required {
		t.Errorf("site-base sections = %+v %+v", base.Sections[0], base.Sections[1])
	}
	if child.Title != "Site CT" || child.SRIOD != SRIODComprehensive || len(child.Sections) != 3 || child.depth != 3 {
		t.Errorf("site-child = %+v", child)
	}
	if !strings.Contains(base.Sections[1].Rule, "base.json:") {
		t.Errorf("rule of a listed section names %q, want its own file", base.Sections[1].Rule)
	}

	_, err = loadDir(t, map[string]string{
		"a.json": `{"format": "reportgen-template/1", "id": "a", "version": "1", "extends": "b"}`,
		"b.json": `{"format": "reportgen-template/1", "id": "b", "version": "1", "extends": "a"}`,
	})
	if err == nil || !strings.Contains(err.Error(), "extends itself") {
		t.Errorf("cycle: %v", err)
	}
}

// TestCustomReplacesBuiltin: a custom template with a built-in id replaces
// it, and built-in templates keep extending the built-in generic.
func TestCustomReplacesBuiltin(t *testing.T) {
	r, err := loadDir(t, map[string]string{"generic.json": `{"format": "reportgen-template/1", "id": "generic", "version": "9",
		"title": "House report", "document_code": {"code": "18748-4", "scheme": "LOINC", "display_name": "Diagnostic imaging study"},
		"sections": [{"kind": "FINDINGS", "title": "Observations"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := r.Get(Generic)
	ct, _ := r.Get("ct-chest")
	if g.Version != "9" || g.Builtin || ct.Title != "CT Chest Report" {
		t.Errorf("generic %s builtin=%v, ct-chest %q", g.Version, g.Builtin, ct.Title)
	}
}

func TestChoose(t *testing.T) {
	r, err := loadDir(t, map[string]string{
		"site.json": `{"format": "reportgen-template/1", "id": "site-mr", "version": "1", "extends": "mr-brain"}`,
		"us.json": `{"format": "reportgen-template/1", "id": "aa-us", "version": "1", "extends": "generic",
			"default_for_modalities": ["US"]}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	loinc := func(c string) *pb.Code {
		return &pb.Code{Code: c, Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "x"}
	}
	tests := []struct {
		name       string
		study      *pb.ImagingStudy
		doc        *pb.Code
		want       string
		wantReason Choice
	}{
		{"procedure", &pb.ImagingStudy{ProcedureCode: loinc("24628-0")}, nil, "ct-chest", ByProcedureCode},
		{"procedure wins over document", &pb.ImagingStudy{ProcedureCode: loinc("36643-5")}, loinc("18748-4"), "chest-radiograph", ByProcedureCode},
		{"custom child wins", &pb.ImagingStudy{ProcedureCode: loinc("30657-1")}, nil, "site-mr", ByProcedureCode},
		{"document code", &pb.ImagingStudy{ProcedureCode: loinc("99999-9")}, loinc("44115-4"), "ct-abdomen-pelvis", ByDocumentCode},
		{"modality", &pb.ImagingStudy{Modalities: []string{"OT", "MG"}}, nil, "mammography", ByModality},
		{"custom modality default", &pb.ImagingStudy{Modalities: []string{"US"}}, nil, "aa-us", ByModality},
		{"other scheme never matches", &pb.ImagingStudy{ProcedureCode: &pb.Code{Code: "24628-0", Scheme: pb.CodingScheme_CODING_SCHEME_RADLEX}}, nil, Generic, ByDefault},
		{"nothing", &pb.ImagingStudy{Modalities: []string{"CT"}}, nil, Generic, ByDefault},
		{"nil study", nil, nil, Generic, ByDefault},
	}
	for _, tt := range tests {
		got, why := r.Choose(tt.study, tt.doc)
		if got.ID != tt.want || why != tt.wantReason {
			t.Errorf("%s: Choose = %s (%s), want %s (%s)", tt.name, got.ID, why, tt.want, tt.wantReason)
		}
	}
}

func TestLineCol(t *testing.T) {
	src := []byte("ab\nçé x\n")
	for off, want := range map[int][2]int{0: {1, 1}, 3: {2, 1}, 7: {2, 3}, 100: {3, 1}} {
		if l, c := lineCol(src, off); l != want[0] || c != want[1] {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", off, l, c, want[0], want[1])
		}
	}
}

// FuzzParseFile: no input makes the loader panic or run past the
// deadline, and every problem has a place inside the file and a rule.
func FuzzParseFile(f *testing.F) {
	entries, _ := builtinFS.ReadDir("builtin")
	for _, e := range entries {
		b, _ := builtinFS.ReadFile("builtin/" + e.Name())
		f.Add(b)
	}
	f.Add([]byte(head + `"sections": [{"kind": "FINDINGS", "narrative": "{{range .Observations}}{{.Text}}{{end}}{{.Text}}"}]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		fuzztest.Run(t, func() error {
			_, errs := parseFile("fuzz.json", src, false)
			lines := 1 + strings.Count(string(src), "\n")
			for _, e := range errs {
				if e.Line < 1 || e.Line > lines || e.Column < 1 || e.Rule == "" || e.Message == "" {
					return fmt.Errorf("error without a place in the file or a rule: %v", e)
				}
			}
			return nil
		})
	})
}
