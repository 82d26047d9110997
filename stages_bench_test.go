package reportgen

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/cda/conformance"
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas"
	"github.com/reportgen/reportgen/schemas/ucum/ucumtest"
	"github.com/reportgen/reportgen/sr"
	"github.com/reportgen/reportgen/templates"
)

// typicalFixture is the benchmarks' typical report: a final CT report with
// six sections, 10 findings observations of which 3 are measurements, and 5
// image references. It lives with the batch runner's test data because the
// examples/ folder feeds golden-file tests that this benchmark must not
// extend.
const typicalFixture = "batch/testdata/typical-ct.json"

// benchNow is inside the fixture's validity window, so Check's "not in the
// future" rules pass whatever day the benchmark runs.
var benchNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// benchSchemaDir is the synced schema set the benchmarks run on.
const benchSchemaDir = "schemas/synced"

// benchEngine builds an engine on the synced schemas with a fixed clock.
func benchEngine(b *testing.B) *Engine {
	b.Helper()
	e, err := New(Config{SchemaDir: benchSchemaDir, Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatalf("%v (run scripts/setup.sh to sync the schemas)", err)
	}
	b.Cleanup(e.Close)
	return e
}

func typicalRequest(b *testing.B) *pb.GenerateReportRequest {
	b.Helper()
	raw, err := os.ReadFile(filepath.FromSlash(typicalFixture))
	if err != nil {
		b.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(raw, req); err != nil {
		b.Fatalf("%s: %v", typicalFixture, err)
	}
	return req
}

// BenchmarkStages measures each stage of Generate on the typical report,
// then the whole path beside the libxml2 XSD validation of the same CDA
// alone: the XSD run is the floor the path is compared with (target: the
// path at most twice the XSD validation).
func BenchmarkStages(b *testing.B) {
	e := benchEngine(b)
	req := typicalRequest(b)
	ctx := context.Background()

	// Every stage's input is made once, outside the timed loops, by the
	// stage before it, so a sub-benchmark times exactly one stage.
	if v := Check(req, benchNow, e.units); len(v) > 0 {
		b.Fatalf("fixture is invalid: %v", v)
	}
	id, err := e.identity(req)
	if err != nil {
		b.Fatal(err)
	}
	opt := content.Options{TemplateID: templates.Generic}
	doc, err := content.Build(req.GetReport(), id, opt)
	if err != nil {
		b.Fatal(err)
	}
	cdaOpt := cda.Options{WADOBaseURL: e.cfg.WADOBaseURL}
	cdaDoc, err := cda.Encode(doc, cdaOpt)
	if err != nil {
		b.Fatal(err)
	}
	srDoc, err := sr.Encode(doc)
	if err != nil {
		b.Fatal(err)
	}
	dir, err := conformance.New(conformance.WithUCUM(ucumtest.Load(b)))
	if err != nil {
		b.Fatal(err)
	}
	if l := dir.Check(cdaDoc); l.HasErrors() {
		b.Fatalf("fixture's CDA breaks DIR rules: %v", l.Errors())
	}

	x := benchXSD(b)
	stages := []struct {
		name  string
		bytes int
		run   func() error
	}{
		{"check", 0, func() error {
			if v := Check(req, benchNow, e.units); len(v) > 0 {
				return &InvalidRequestError{Violations: v}
			}
			return nil
		}},
		{"identity", 0, func() error { _, err := e.identity(req); return err }},
		{"tree", 0, func() error { _, err := content.Build(req.GetReport(), id, opt); return err }},
		{"cda-encode", 0, func() error { _, err := cda.Encode(doc, cdaOpt); return err }},
		{"cda-xsd", len(cdaDoc), func() error { return issuesErr(x.Validate(cdaDoc), pb.DocumentKind_DOCUMENT_KIND_CDA) }},
		{"cda-conformance", len(cdaDoc), func() error { return issuesErr(dir.Check(cdaDoc), pb.DocumentKind_DOCUMENT_KIND_CDA) }},
		{"sr-encode", 0, func() error { _, err := sr.Encode(doc); return err }},
		{"sr-validate", len(srDoc), func() error { return issuesErr(sr.Validate(srDoc), pb.DocumentKind_DOCUMENT_KIND_SR) }},
		// The whole engine path: check, identities, tree, both encoders and
		// every validation the engine runs.
		{"engine-generate", 0, func() error { _, err := e.Generate(ctx, req); return err }},
	}
	for _, s := range stages {
		b.Run(s.name, func(b *testing.B) {
			if s.bytes > 0 {
				b.SetBytes(int64(s.bytes))
			}
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if err := s.run(); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
	}
}

// BenchmarkPathVsXSD alternates the whole engine path and the XSD
// validation of the same CDA in one loop, so both see the same machine
// (these machines are noisy), and reports their ratio (target: at most 2).
func BenchmarkPathVsXSD(b *testing.B) {
	e := benchEngine(b)
	req := typicalRequest(b)
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	cdaDoc := resp.GetDocuments()[0].GetContent()
	x := benchXSD(b)
	var path, xsd time.Duration
	cpu := startCPU()
	for b.Loop() {
		t0 := time.Now()
		if _, err := e.Generate(context.Background(), req); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if l := x.Validate(cdaDoc); l.HasErrors() {
			b.Fatal(l)
		}
		path, xsd = path+t1.Sub(t0), xsd+time.Since(t1)
	}
	b.ReportMetric(float64(path.Nanoseconds())/float64(b.N), "path-ns/op")
	b.ReportMetric(float64(xsd.Nanoseconds())/float64(b.N), "xsd-ns/op")
	b.ReportMetric(float64(path)/float64(xsd), "path/xsd")
	cpu.report(b)
}

// BenchmarkEngineParallel runs Generate on every core at once, as the
// server and the batch runner do: its ns/op is wall time per report, so
// 1e9/ns-per-op is the in-process ceiling of reports per second.
func BenchmarkEngineParallel(b *testing.B) {
	e := benchEngine(b)
	req := typicalRequest(b)
	b.ReportAllocs()
	cpu := startCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Generate(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	cpu.report(b)
}

// cpuClock measures the process's CPU time (user and system, every thread:
// the GC's work included). On a shared machine wall time per op swings
// with other processes' load; CPU time per op hardly does, and it is what
// bounds throughput: N cores render at most N/cpu-time reports per second.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{processCPU()} }

func (c cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64((processCPU()-c.start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// issuesErr fails a validation stage whose document has errors: the
// fixture must stay valid for the timings to mean anything.
func issuesErr(l issue.List, kind pb.DocumentKind) error {
	if !l.HasErrors() {
		return nil
	}
	return &InvalidDocumentError{Kind: kind, Issues: l}
}

// benchXSD compiles the CDA schema alone: the floor the whole path is
// measured against is libxml2's validation, without the conformance rules
// the engine's CDA validator adds.
func benchXSD(b *testing.B) *schemas.CDA {
	b.Helper()
	x, err := schemas.LoadCDA(benchSchemaDir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(x.Close)
	return x
}
