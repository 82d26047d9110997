package reportgen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/internal/extval"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas"
)

// allOutputs asks for every document kind.
var allOutputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA, pb.DocumentKind_DOCUMENT_KIND_SR, pb.DocumentKind_DOCUMENT_KIND_FHIR, pb.DocumentKind_DOCUMENT_KIND_HTML}

// newViewEngine is an engine with an image archive configured, so the
// pages link images and the FHIR ImagingStudy has its WADO-RS endpoint.
func newViewEngine(tb testing.TB) *reportgen.Engine {
	tb.Helper()
	e, err := reportgen.New(reportgen.Config{
		SchemaDir: schemaDir, Now: func() time.Time { return fixedNow },
		WADOBaseURL: "https://pacs.example.org/wado", WADORSBaseURL: "https://pacs.example.org/dicom-web",
	})
	if err != nil {
		tb.Fatalf("%v (CI syncs the schemas before the tests)", err)
	}
	tb.Cleanup(e.Close)
	return e
}

// viewCase is one request of the varied set the views are judged on.
type viewCase struct {
	name string
	req  *pb.GenerateReportRequest
	// browse says the pages go to the browser too. The very large
	// variations (150 images, texts of 600 kB) are left to Medplum: a
	// browser shows their pages like any other and would take most of
	// the test's time.
	browse bool
}

// viewCases are every example, every example under every built-in
// template, and the matrix variations (statuses, value types, scripts,
// sizes, section combinations).
func viewCases(t *testing.T, e *reportgen.Engine) []viewCase {
	var out []viewCase
	for _, n := range exampleNames {
		out = append(out, viewCase{"example/" + n, example(t, n), true})
	}
	for _, tmpl := range e.Templates().List() {
		req := example(t, "ct-chest-measurements")
		req.TemplateId = tmpl.ID
		out = append(out, viewCase{"template/" + tmpl.ID, req, true})
	}
	for _, v := range append(matrixCases(), sectionCombos...) {
		req := matrixBase(t)
		v.apply(req.Report)
		req.TemplateId = "generic"
		out = append(out, viewCase{"matrix/" + v.name, req, !strings.Contains(v.name, "images") && !strings.Contains(v.name, "long")})
	}
	return out
}

// documents returns the response's documents by kind.
func documents(resp *pb.GenerateReportResponse) map[pb.DocumentKind][]byte {
	out := map[pb.DocumentKind][]byte{}
	for _, d := range resp.GetDocuments() {
		out[d.GetKind()] = d.GetContent()
	}
	return out
}

// TestViewsExternally renders the varied set to all four documents and
// has validators nobody on the project wrote judge the new ones:
// Medplum's FHIR R4 validator every Bundle (one Node process), and Debian's
// Chromium, headless, every HTML page and the CDA as HL7's CDA.xsl shows it
// (one browser): the screenshot is not blank, every section title and the
// status are in the visible text, and the browser reports no console
// error, page error or failed request. The engine's own checks (jsonformat
// and the IMR required elements, the HTML rules) have already passed, or
// Generate would have failed.
func TestViewsExternally(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Node and Chromium")
	}
	e := newViewEngine(t)
	dir := t.TempDir()
	xsl := filepath.Join(schemaDir, filepath.FromSlash(schemas.CDAStylesheet))
	if _, err := os.Stat(xsl); err != nil {
		t.Fatalf("HL7's CDA.xsl is not synced (scripts/setup.sh syncs it): %v", err)
	}
	type expect struct {
		name          string
		titles        []string
		notice        string
		measurements  bool
		cdaStylesheet bool // the page is CDA.xsl's rendering of the CDA
	}
	var fhirFiles, fhirNames, pageFiles []string
	var pages []expect
	for i, c := range viewCases(t, e) {
		c.req.Outputs = allOutputs
		resp, err := e.Generate(context.Background(), c.req)
		if err != nil {
			t.Fatalf("%s: Generate: %v", c.name, err)
		}
		docs := documents(resp)
		exp := expect{name: c.name}
		for _, m := range cdaSectionTitle.FindAllStringSubmatch(string(docs[pb.DocumentKind_DOCUMENT_KIND_CDA]), -1) {
			exp.titles = append(exp.titles, html.UnescapeString(m[1]))
		}
		if n, ok := content.StatusNotice(c.req.GetReport().GetStatus()); ok {
			exp.notice = n.Label
		}
		exp.measurements = strings.Contains(string(docs[pb.DocumentKind_DOCUMENT_KIND_CDA]), `xsi:type="PQ"`)
		write := func(name string, b []byte) string {
			p := filepath.Join(dir, fmt.Sprintf("%03d%s", i, name))
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		fhirFiles = append(fhirFiles, write(".fhir.json", docs[pb.DocumentKind_DOCUMENT_KIND_FHIR]))
		fhirNames = append(fhirNames, c.name)
		if !c.browse {
			continue
		}
		pageFiles = append(pageFiles, write(".html", docs[pb.DocumentKind_DOCUMENT_KIND_HTML]))
		pages = append(pages, exp)
		rendered, err := extval.CDAStylesheet(xsl, docs[pb.DocumentKind_DOCUMENT_KIND_CDA])
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		pageFiles = append(pageFiles, write(".cda.html", rendered))
		exp.cdaStylesheet = true
		pages = append(pages, exp)
	}

	results, err := extval.MedplumValidate(fhirFiles...)
	if err != nil {
		t.Fatal(err)
	}
	resources := 0
	for i, r := range results {
		resources += r.Resources
		for _, msg := range r.Errors {
			t.Errorf("%s: Medplum: %s", fhirNames[i], msg)
		}
		for _, w := range r.Warnings {
			// Medplum cannot resolve a Bundle's urn:uuid references to
			// check their target type (jsonformat and the IMR checks
			// resolve them); any other warning is a finding.
			if !strings.Contains(w, `Invalid reference: got "urn:uuid:`) {
				t.Errorf("%s: Medplum warning: %s", fhirNames[i], w)
			}
		}
	}
	t.Logf("Medplum validateResource (R4): %d Bundles, %d resources", len(results), resources)

	shown, err := extval.Browse(t.TempDir(), pageFiles...)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range shown {
		exp := pages[i]
		what := exp.name + " (HTML page)"
		if exp.cdaStylesheet {
			what = exp.name + " (CDA via CDA.xsl)"
		}
		ink, err := extval.InkFraction(p.Screenshot)
		if err != nil {
			t.Fatal(err)
		}
		if ink < 0.005 {
			t.Errorf("%s: screenshot is blank (%.4f of pixels inked)", what, ink)
		}
		for _, msg := range append(append(p.ConsoleErrors, p.PageErrors...), p.FailedRequests...) {
			t.Errorf("%s: browser: %s", what, msg)
		}
		for _, title := range exp.titles {
			if !strings.Contains(p.Text, title) {
				t.Errorf("%s: section title %q not visible", what, title)
			}
		}
		if exp.notice != "" && !strings.Contains(p.Text, exp.notice) {
			t.Errorf("%s: status %q not visible", what, exp.notice)
		}
		if exp.notice == "" && strings.Contains(p.Text, "PRELIMINARY") {
			t.Errorf("%s: a final report shows PRELIMINARY", what)
		}
		if exp.measurements && !strings.Contains(p.Text, "Measurements\nFinding\tValue\tUnit\tSite\tImage") {
			t.Errorf("%s: measurements not shown as a table", what)
		}
	}
	t.Logf("Chromium: %d pages (%d HTML, %d CDA.xsl renderings)", len(shown), len(shown)/2, len(shown)/2)
}

// medplumCatches proves the Node validator can fail: a Bundle whose
// DiagnosticReport lacks its required status must get an error.
func TestMedplumCatchesAnInvalidBundle(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Node")
	}
	e := newViewEngine(t)
	req := example(t, "chest-radiograph")
	req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_FHIR}
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(resp.GetDocuments()[0].GetContent(), &b); err != nil {
		t.Fatal(err)
	}
	delete(b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any), "status")
	broken, _ := json.Marshal(b)
	p := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(p, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := extval.MedplumValidate(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Errors) == 0 {
		t.Fatal("Medplum accepted a DiagnosticReport without status")
	}
	v, err := e.ValidateDocument(context.Background(), broken, pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED)
	if err != nil || v.GetValid() {
		t.Fatalf("the service accepted it too: %v %v", v, err)
	}
}
