package reportgen

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/reportgen/reportgen/internal/extval"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas"
)

// BenchmarkCommonTools puts reportgen beside what a user would assemble
// instead from the usual tools, per report, in one loop so both see the
// same machine:
//
//   - SR: DCMTK's xml2dsr writes the SR from its XML form, and dciodvfy
//     checks it against the IOD;
//   - CDA: xmllint --schema checks it against CDA_SDTC.xsd, and xsltproc
//     runs HL7's C-CDA R2.1 schematron (errors phase, compiled once).
//
// No common tool writes a C-CDA from findings, so the pipeline is handed
// the CDA reportgen made and only its checking is counted; the SR's XML
// form is made once, outside the loop. Both favour the tools. reportgen's
// side is Engine.Generate: the request checks, both documents written and
// every validation of both. Reported: each side's wall time per report
// and their ratio (tools/reportgen).
func BenchmarkCommonTools(b *testing.B) {
	for _, tool := range []string{"xml2dsr", "dsr2xml", "dciodvfy", "xmllint", "xsltproc"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Fatalf("%s: %v (scripts/setup.sh installs it)", tool, err)
		}
	}
	e, req := benchEngine(b), typicalRequest(b)
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	cdaPath, srPath := filepath.Join(dir, "report.cda.xml"), filepath.Join(dir, "report.sr.dcm")
	xmlPath, outPath := filepath.Join(dir, "report.sr.xml"), filepath.Join(dir, "rewritten.sr.dcm")
	var cdaDoc []byte
	for _, d := range resp.GetDocuments() {
		p := cdaPath
		if d.GetKind() == pb.DocumentKind_DOCUMENT_KIND_SR {
			p = srPath
		} else {
			cdaDoc = d.GetContent()
		}
		if err := os.WriteFile(p, d.GetContent(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	run(b, "dsr2xml", srPath, xmlPath)
	sch, err := extval.CompileSchematron(filepath.Join(benchSchemaDir, "ccda-2.1", "ccda-2.1.sch"), "errors", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	xsd := filepath.Join(benchSchemaDir, filepath.FromSlash(schemas.CDASDTCEntry))

	var ours, tools time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := e.Generate(context.Background(), req); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		run(b, "xml2dsr", xmlPath, outPath)
		if errs, _, err := extval.DCIODVfy(outPath); err != nil || len(errs) > 0 {
			b.Fatalf("dciodvfy: %v %v", err, errs)
		}
		run(b, "xmllint", "--noout", "--schema", xsd, cdaPath)
		if failed, err := sch.Run(cdaDoc); err != nil || len(failed) > 0 {
			b.Fatalf("schematron: %v %v", err, failed)
		}
		ours, tools = ours+t1.Sub(t0), tools+time.Since(t1)
	}
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "reportgen-ns/op")
	b.ReportMetric(float64(tools.Nanoseconds())/float64(b.N), "tools-ns/op")
	b.ReportMetric(float64(tools)/float64(ours), "tools/reportgen")
}

// run runs one tool and fails the benchmark when it fails, so the pipeline
// timed is one that works on the document.
func run(b *testing.B, tool string, args ...string) {
	b.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(tool, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v: %s", tool, err, stderr.String())
	}
}
