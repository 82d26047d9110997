package reportgen_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

const schemaDir = "schemas/synced"

var fixedNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func newEngine(tb testing.TB) *reportgen.Engine {
	tb.Helper()
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir, Now: func() time.Time { return fixedNow }})
	if err != nil {
		tb.Fatalf("%v (CI syncs the schemas before the tests)", err)
	}
	tb.Cleanup(e.Close)
	return e
}

func example(tb testing.TB, name string) *pb.GenerateReportRequest {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("examples", name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		tb.Fatal(err)
	}
	return req
}

func TestGenerateStatuses(t *testing.T) {
	e := newEngine(t)
	base := example(t, "chest-radiograph")
	pred := &pb.PredecessorDocument{
		CdaDocumentId: "2.25.1001", CdaSetId: "2.25.1000", CdaVersionNumber: 2,
		SrSeriesInstanceUid: "2.25.2001", SrSopInstanceUid: "2.25.2002",
	}
	tests := []struct {
		name        string
		mutate      func(r *pb.Report)
		wantSet     string // "" = the new document id
		wantVersion int32
	}{
		{"final", func(*pb.Report) {}, "", 1},
		{"preliminary", func(r *pb.Report) {
			r.Status = pb.ReportStatus_REPORT_STATUS_PRELIMINARY
			r.LegalAuthenticator, r.SignatureTime = nil, ""
		}, "", 1},
		{"corrected keeps the set and takes the next version", func(r *pb.Report) {
			r.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
			r.Predecessor = pred
		}, "2.25.1000", 3},
		{"addendum is a new family", func(r *pb.Report) {
			r.Status = pb.ReportStatus_REPORT_STATUS_ADDENDUM
			r.Predecessor = pred
			r.Sections = append(r.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_ADDENDUM, Text: "Comparison with outside films confirms the finding."})
		}, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := proto.Clone(base).(*pb.GenerateReportRequest)
			tt.mutate(req.Report)
			resp, err := e.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			c := resp.GetDocuments()[0].GetCda()
			want := tt.wantSet
			if want == "" {
				want = c.GetDocumentId()
			}
			if c.GetSetId() != want || c.GetVersionNumber() != tt.wantVersion {
				t.Errorf("set/version = %s/%d, want %s/%d", c.GetSetId(), c.GetVersionNumber(), want, tt.wantVersion)
			}
			cdaXML := string(resp.GetDocuments()[0].GetContent())
			switch req.Report.Status {
			case pb.ReportStatus_REPORT_STATUS_CORRECTED:
				if !strings.Contains(cdaXML, `typeCode="RPLC"`) {
					t.Error("correction without relatedDocument RPLC")
				}
			case pb.ReportStatus_REPORT_STATUS_ADDENDUM:
				if !strings.Contains(cdaXML, `typeCode="APND"`) {
					t.Error("addendum without relatedDocument APND")
				}
			}
			if signed := strings.Contains(cdaXML, "<legalAuthenticator>"); signed != (req.Report.LegalAuthenticator != nil) {
				t.Errorf("legalAuthenticator present = %v", signed)
			}
		})
	}
}

func TestGenerateIdentitiesAreNew(t *testing.T) {
	e := newEngine(t)
	req := example(t, "mr-brain")
	a, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range []*pb.GenerateReportResponse{a, b} {
		for _, id := range []string{r.Documents[0].GetCda().GetDocumentId(), r.Documents[1].GetSr().GetSopInstanceUid(), r.Documents[1].GetSr().GetSeriesInstanceUid()} {
			if ids[id] {
				t.Errorf("identity %s reused", id)
			}
			ids[id] = true
		}
	}
}

func TestGenerateDeterministicIdentities(t *testing.T) {
	e := newEngine(t)
	req := example(t, "ct-chest-measurements")
	req.UidNamespace = "archive-2026"
	ids := func(r *pb.GenerateReportResponse) [3]string {
		return [3]string{r.Documents[0].GetCda().GetDocumentId(), r.Documents[1].GetSr().GetSopInstanceUid(), r.Documents[1].GetSr().GetSeriesInstanceUid()}
	}
	a, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	req.RequestId = "another-call"
	b, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if ids(a) != ids(b) {
		t.Errorf("same namespace and report gave %v then %v", ids(a), ids(b))
	}
	if string(a.Documents[0].Content) != string(b.Documents[0].Content) || string(a.Documents[1].Content) != string(b.Documents[1].Content) {
		t.Error("same namespace and report gave different document bytes")
	}
	req.Report.Sections[0].Text += " Edited."
	c, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if ids(c)[0] == ids(a)[0] || ids(c)[1] == ids(a)[1] {
		t.Error("changed content kept its identities")
	}
	req.UidNamespace = "other"
	if d, err := e.Generate(context.Background(), req); err != nil || ids(d) == ids(c) {
		t.Errorf("another namespace gave the same identities (%v)", err)
	}
}

func TestGenerateOutputs(t *testing.T) {
	e := newEngine(t)
	req := example(t, "mr-brain")
	req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetDocuments()) != 1 || resp.GetDocuments()[0].GetKind() != pb.DocumentKind_DOCUMENT_KIND_SR {
		t.Errorf("outputs SR only: got %d documents", len(resp.GetDocuments()))
	}
	req.TemplateId = "no-such-template"
	_, err = e.Generate(context.Background(), req)
	var ire *reportgen.InvalidRequestError
	if !errors.As(err, &ire) || ire.Violations[0].Field != "template_id" {
		t.Errorf("unknown template: %v", err)
	}
}

func TestGenerateCanceled(t *testing.T) {
	e := newEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Generate(ctx, example(t, "chest-radiograph")); !errors.Is(err, context.Canceled) {
		t.Errorf("Generate(canceled) = %v, want context.Canceled", err)
	}
}

func TestDetectKind(t *testing.T) {
	dicom := append(make([]byte, 128), "DICM"...)
	for in, want := range map[string]pb.DocumentKind{
		string(dicom):                pb.DocumentKind_DOCUMENT_KIND_SR,
		"\xef\xbb\xbf  <?xml ?><a/>": pb.DocumentKind_DOCUMENT_KIND_CDA,
		"<!DOCTYPE html><html>":      pb.DocumentKind_DOCUMENT_KIND_HTML,
		"\n<HTML lang=en>":           pb.DocumentKind_DOCUMENT_KIND_HTML,
		` {"resourceType":"Bundle"}`: pb.DocumentKind_DOCUMENT_KIND_FHIR,
		"hello":                      pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED,
		"":                           pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED,
	} {
		if got := reportgen.DetectKind([]byte(in)); got != want {
			t.Errorf("DetectKind(%q) = %v, want %v", in[:min(len(in), 12)], got, want)
		}
	}
}

func BenchmarkGenerateReport(b *testing.B) {
	e := newEngine(b)
	for _, name := range []string{"chest-radiograph", "ct-chest-measurements"} {
		req := example(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Generate(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFindingsByCode: a CODED section whose code names Findings is the
// report's Findings section: accepted alone, written as the DIR Findings
// Section and the SR Findings heading; beside a FINDINGS section it is a
// second one, refused.
func TestFindingsByCode(t *testing.T) {
	e := newEngine(t)
	for _, c := range []*pb.Code{
		{Code: "18782-3", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "Radiology Study observation"},
		{Code: "121070", Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: "Findings"},
		{Code: "59776-5", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "Findings"},
	} {
		req := example(t, "chest-radiograph")
		var findings *pb.Section
		for _, s := range req.Report.Sections {
			if s.Kind == pb.SectionKind_SECTION_KIND_FINDINGS {
				findings = s
			}
		}
		findings.Kind, findings.Code = pb.SectionKind_SECTION_KIND_CODED, c
		resp, err := e.Generate(context.Background(), req)
		if err != nil {
			t.Fatalf("%s alone: %v", c.GetCode(), err)
		}
		if cda := resp.GetDocuments()[0].GetContent(); !bytes.Contains(cda, []byte(`root="2.16.840.1.113883.10.20.6.1.2"`)) {
			t.Errorf("%s: the CDA has no DIR Findings Section", c.GetCode())
		}
		req.Report.Sections = append(req.Report.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_FINDINGS, Text: "More findings."})
		_, err = e.Generate(context.Background(), req)
		var ire *reportgen.InvalidRequestError
		if !errors.As(err, &ire) || ire.Violations[0].Field != "report.sections" {
			t.Errorf("%s beside FINDINGS: want a violation on report.sections, got %v", c.GetCode(), err)
		}
	}
}
