package reportgen_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/internal/extval"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/templates"
)

const (
	cdaXSD  = "schemas/synced/cda-sdtc/infrastructure/cda/CDA_SDTC.xsd"
	ccdaSch = "schemas/synced/ccda-2.1/ccda-2.1.sch"
)

var exampleNames = []string{"chest-radiograph", "ct-chest-measurements", "mr-brain"}

// schematron compiles the C-CDA schematron's errors phase once per test
// binary: it takes seconds.
var schematron = sync.OnceValues(func() (*extval.Schematron, error) {
	dir, err := os.MkdirTemp("", "reportgen-sch-")
	if err != nil {
		return nil, err
	}
	return extval.CompileSchematron(ccdaSch, "errors", dir)
})

// checkExternally runs the independent validators on both documents:
// xmllint with the CDA schema and the C-CDA schematron on the CDA,
// dciodvfy and dcmtk's dsrdump on the SR.
func checkExternally(t *testing.T, resp *pb.GenerateReportResponse) {
	t.Helper()
	for _, d := range resp.GetDocuments() {
		switch d.GetKind() {
		case pb.DocumentKind_DOCUMENT_KIND_CDA:
			lines, err := extval.XMLLint(cdaXSD, d.GetContent())
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lines {
				t.Errorf("xmllint: %s", l)
			}
			sch, err := schematron()
			if err != nil {
				t.Fatal(err)
			}
			failed, err := sch.Run(d.GetContent())
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range failed {
				t.Errorf("schematron: %s", f)
			}
		case pb.DocumentKind_DOCUMENT_KIND_SR:
			path := filepath.Join(t.TempDir(), "sr.dcm")
			if err := os.WriteFile(path, d.GetContent(), 0o644); err != nil {
				t.Fatal(err)
			}
			errs, _, err := extval.DCIODVfy(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range errs {
				t.Errorf("dciodvfy: %s", e)
			}
			r, err := extval.DSRDump(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range r.Errors {
				t.Errorf("dsrdump: %s", e)
			}
		}
	}
}

// cdaSectionTitle finds the title of each report section of a CDA (the
// DICOM Object Catalog has none).
var cdaSectionTitle = regexp.MustCompile(`<section>\s*(?:<templateId[^>]*/>\s*)?<code [^>]*/>\s*<title>([^<]*)</title>`)

// TestEveryTemplateRendersEveryExample renders each example with each
// built-in template and has both documents checked by the engine and by
// the independent validators. The CDA's sections follow the template's
// order and titles.
func TestEveryTemplateRendersEveryExample(t *testing.T) {
	e := newEngine(t)
	for _, tmpl := range e.Templates().List() {
		for _, name := range exampleNames {
			t.Run(tmpl.ID+"/"+name, func(t *testing.T) {
				req := example(t, name)
				req.TemplateId = tmpl.ID
				resp, err := e.Generate(context.Background(), req)
				if err != nil {
					t.Fatalf("Generate: %v", err)
				}
				if resp.GetTemplateId() != tmpl.ID {
					t.Errorf("response template %q", resp.GetTemplateId())
				}
				checkExternally(t, resp)
				var titles []string
				for _, m := range cdaSectionTitle.FindAllStringSubmatch(string(resp.GetDocuments()[0].GetContent()), -1) {
					titles = append(titles, m[1])
				}
				var want []string
				for _, ts := range tmpl.Sections {
					for _, s := range req.GetReport().GetSections() {
						if tmpl.SectionFor(s) == ts {
							want = append(want, ts.Title)
						}
					}
				}
				if !slices.Equal(titles, want) {
					t.Errorf("CDA section titles %q, want %q", titles, want)
				}
			})
		}
	}
}

func TestTemplateChosen(t *testing.T) {
	e := newEngine(t)
	for name, want := range map[string]string{"chest-radiograph": "chest-radiograph", "ct-chest-measurements": "ct-chest", "mr-brain": "mr-brain"} {
		resp, err := e.Generate(context.Background(), example(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetTemplateId() != want {
			t.Errorf("%s: template %q, want %q", name, resp.GetTemplateId(), want)
		}
	}
	// A mammogram is recognised by its modality alone; the template
	// prefers Enhanced SR and gives the report its document code, title
	// and default procedure code.
	req := example(t, "chest-radiograph")
	req.Report.Study.Modalities = []string{"MG"}
	req.Report.Study.ProcedureCode, req.Report.DocumentCode, req.Report.Title = nil, nil, ""
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	cda, sr := string(resp.GetDocuments()[0].GetContent()), string(resp.GetDocuments()[1].GetContent())
	if resp.GetTemplateId() != "mammography" || resp.GetDocuments()[1].GetSr().GetSopClassUid() != "1.2.840.10008.5.1.4.1.1.88.22" {
		t.Errorf("MG study: template %q, SR class %s", resp.GetTemplateId(), resp.GetDocuments()[1].GetSr().GetSopClassUid())
	}
	for _, want := range []string{`code="36625-2"`, "<title>Mammography Report</title>", "<title>Assessment</title>"} {
		if !strings.Contains(cda, want) {
			t.Errorf("CDA lacks %s", want)
		}
	}
	// The default procedure is in both documents: the CDA service event
	// and the SR's procedure code sequences.
	if strings.Count(cda, `code="36625-2"`) < 2 || !strings.Contains(sr, "36625-2") {
		t.Errorf("default procedure code not in both documents")
	}
}

func TestTemplateRules(t *testing.T) {
	e := newEngine(t)
	birads := func(code string) *pb.Observation {
		return &pb.Observation{
			Concept: &pb.Code{Code: "111005", Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: "Assessment Category"},
			Value:   &pb.Observation_Code{Code: &pb.Code{Code: code, Scheme: pb.CodingScheme_CODING_SCHEME_SNOMED_CT, DisplayName: "2 - Benign"}},
		}
	}
	tests := []struct {
		name     string
		template string
		mutate   func(r *pb.Report)
		field    string // "" = accepted
		desc     string
	}{
		{"required section missing", "ct-chest", func(r *pb.Report) { r.Sections = r.Sections[:4] },
			"report.sections", `template "ct-chest" requires section IMPRESSION (rule builtin/ct-chest.json:22 sections[5])`},
		{"BI-RADS allowed answer", "mammography", func(r *pb.Report) {
			r.Sections[4].Observations = append(r.Sections[4].Observations, birads("397141009"))
		}, "", ""},
		{"BI-RADS code outside the answers", "mammography", func(r *pb.Report) {
			r.Sections[4].Observations = append(r.Sections[4].Observations, birads("397141008"))
		}, "report.sections[4].observations[0]", "not one of the 6 codes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := example(t, "chest-radiograph")
			req.TemplateId = tt.template
			tt.mutate(req.Report)
			resp, err := e.Generate(context.Background(), req)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				checkExternally(t, resp)
				return
			}
			var ire *reportgen.InvalidRequestError
			if !errors.As(err, &ire) || len(ire.Violations) != 1 || ire.Violations[0].Field != tt.field || !strings.Contains(ire.Violations[0].Description, tt.desc) {
				t.Fatalf("got %v, want a violation on %s containing %q", err, tt.field, tt.desc)
			}
		})
	}
}

// TestBIRADSInBothDocuments: the BI-RADS assessment is a coded entry in
// the CDA and a CODE item in the SR, with the template's sentence before
// it in both.
func TestBIRADSInBothDocuments(t *testing.T) {
	e := newEngine(t)
	req := example(t, "chest-radiograph")
	req.TemplateId = "mammography"
	req.Report.Sections[4].Observations = []*pb.Observation{{
		Concept: &pb.Code{Code: "111005", Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: "Assessment Category"},
		Value:   &pb.Observation_Code{Code: &pb.Code{Code: "397140005", Scheme: pb.CodingScheme_CODING_SCHEME_SNOMED_CT, DisplayName: "1 - Negative"}},
	}}
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkExternally(t, resp)
	cda, sr := string(resp.GetDocuments()[0].GetContent()), string(resp.GetDocuments()[1].GetContent())
	for _, want := range []string{"BI-RADS assessment category 1 - Negative.", `code="397140005"`, `code="111005"`} {
		if !strings.Contains(cda, want) {
			t.Errorf("CDA lacks %s", want)
		}
	}
	for _, want := range []string{"BI-RADS assessment category 1 - Negative.", "397140005", "111005"} {
		if !strings.Contains(sr, want) {
			t.Errorf("SR lacks %s", want)
		}
	}
}

// writeTemplates writes template files into dir.
func writeTemplates(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const siteTemplate = `{
  "format": "reportgen-template/1",
  "id": "site-us",
  "version": "3",
  "extends": "us-abdomen",
  "title": "Abdominal Sonography",
  "procedure_codes": [{"code": "30704-1", "scheme": "LOINC", "display_name": "US Abdomen limited"}],
  "sections": [
    {"kind": "FINDINGS", "title": "Sonographic Findings",
     "narrative": "{{.Text}}\n\nModalities: {{join .Study.Modalities \", \"}}.",
     "observations": [{"concept": {"code": "121071", "scheme": "DCM", "display_name": "Finding"}, "value": "text",
                       "narrative": "Note: {{.Text}}"}]},
    {"kind": "IMPRESSION", "title": "Conclusion"}
  ]
}`

// TestCustomTemplates: a template directory adds templates whose
// narratives and defaults reach both documents; sections the template
// does not list are rendered after its own.
func TestCustomTemplates(t *testing.T) {
	dir := t.TempDir()
	writeTemplates(t, dir, map[string]string{"site.json": siteTemplate})
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir, TemplateDir: dir, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	req := example(t, "chest-radiograph")
	req.TemplateId = "site-us"
	req.Report.Study.ProcedureCode = nil
	req.Report.Sections[3].Observations = append(req.Report.Sections[3].Observations, &pb.Observation{
		Concept: &pb.Code{Code: "121071", Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: "Finding"},
		Value:   &pb.Observation_Text{Text: "Gallbladder wall 2 mm."},
	})
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkExternally(t, resp)
	cda, sr := string(resp.GetDocuments()[0].GetContent()), string(resp.GetDocuments()[1].GetContent())
	for _, want := range []string{"Modalities: DX.", "Note: Gallbladder wall 2 mm.", `code="30704-1"`} {
		if !strings.Contains(cda, want) || !strings.Contains(sr, strings.TrimPrefix(strings.TrimSuffix(want, `"`), `code="`)) {
			t.Errorf("CDA or SR lacks %s", want)
		}
	}
	var titles []string
	for _, m := range cdaSectionTitle.FindAllStringSubmatch(cda, -1) {
		titles = append(titles, m[1])
	}
	// The template lists findings and impression; the request's
	// indication, technique and comparison follow in request order.
	if want := []string{"Sonographic Findings", "Conclusion", "Reason for Study", "Technique", "Comparison"}; !slices.Equal(titles, want) {
		t.Errorf("sections %q, want %q", titles, want)
	}
}

func TestReloadTemplates(t *testing.T) {
	dir := t.TempDir()
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir, TemplateDir: dir, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	before := e.Templates()
	writeTemplates(t, dir, map[string]string{"site.json": siteTemplate})
	if _, err := e.ReloadTemplates(); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Templates().Get("site-us"); !ok {
		t.Fatal("reload did not add site-us")
	}
	if _, ok := before.Get("site-us"); ok {
		t.Error("the old registry changed: registries must be immutable")
	}
	good := e.Templates()
	writeTemplates(t, dir, map[string]string{"broken.json": `{"format": "reportgen-template/1", "id": "x", "version": "1", "extends": "nope"}`})
	_, err = e.ReloadTemplates()
	var le templates.LoadErrors
	if !errors.As(err, &le) || le[0].Rule != templates.RuleExtends || !strings.HasSuffix(le[0].File, "broken.json") || le[0].Line != 1 {
		t.Errorf("broken reload: %v", err)
	}
	if e.Templates() != good {
		t.Error("a failed reload replaced the registry")
	}
	// A bad directory stops New.
	if _, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir, TemplateDir: dir}); err == nil || !strings.Contains(err.Error(), "broken.json:1:") {
		t.Errorf("New with a broken template: %v", err)
	}
}

// TestConcurrentReload: calls keep working while the registry is swapped.
func TestConcurrentReload(t *testing.T) {
	e := newEngine(t)
	req := example(t, "mr-brain")
	reg := e.Templates()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				e.SetTemplates(reg)
			}
		}
	})
	for range 20 {
		if _, err := e.Generate(context.Background(), proto.Clone(req).(*pb.GenerateReportRequest)); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
}
