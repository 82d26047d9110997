package reportgen_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/dictation"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// dictated returns the chest radiograph example with its body replaced by
// a dictation.
func dictated(t *testing.T, text string) *pb.GenerateReportRequest {
	t.Helper()
	req := example(t, "chest-radiograph")
	req.Report.Sections = nil
	req.Report.Dictation = text
	return req
}

// TestDictationCorpus renders every text of the dictation corpus
// (testdata/dictation, whose expected splits the dictation package tests)
// and checks what the response says about the split: the parts, in order,
// give back the dictation byte for byte, heading then text.
func TestDictationCorpus(t *testing.T) {
	e := newEngine(t)
	files, _ := filepath.Glob("testdata/dictation/*.txt")
	if len(files) < 50 {
		t.Fatalf("corpus has %d texts, want at least 50", len(files))
	}
	for i, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			req := dictated(t, text)
			req.TemplateId = "generic"
			resp, err := e.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			got := resp.GetDictationSections()
			var back strings.Builder
			for _, s := range got {
				back.WriteString(text[s.GetHeadingStart():s.GetTextStart()])
				back.WriteString(text[s.GetTextStart():s.GetTextEnd()])
			}
			if back.String() != text {
				t.Errorf("the dictation sections do not give back the dictation")
			}
			want := dictation.Split(text)
			if len(got) != len(want) {
				t.Fatalf("%d dictation sections, want %d", len(got), len(want))
			}
			for j := range want {
				if w := want[j].Proto(); got[j].GetKind() != w.GetKind() || got[j].GetHeading() != w.GetHeading() || got[j].GetTextEnd() != w.GetTextEnd() {
					t.Errorf("section %d = %v, want %v", j, got[j], w)
				}
			}
			// Every body text is in both documents (first line checked).
			for _, s := range dictation.Sections(text, want) {
				line, _, _ := strings.Cut(s.GetText(), "\n")
				for _, d := range resp.GetDocuments() {
					// The SR writes TAB as a space (DICOM text allows no TAB).
					if d.GetKind() == pb.DocumentKind_DOCUMENT_KIND_SR && !strings.Contains(string(d.GetContent()), strings.ReplaceAll(line, "\t", " ")) {
						t.Errorf("SR lacks %q", line)
					}
				}
			}
			if i%8 == 0 {
				checkExternally(t, resp)
			}
		})
	}
}

// TestDictationUsesTemplate: the sections of a dictation take the normal
// path: the template orders and titles them.
func TestDictationUsesTemplate(t *testing.T) {
	e := newEngine(t)
	req := dictated(t, "IMPRESSION: Normal chest.\nFINDINGS: Clear lungs.\nCLINICAL HISTORY: Cough.\n")
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetTemplateId() != "chest-radiograph" {
		t.Errorf("template %q", resp.GetTemplateId())
	}
	var titles []string
	for _, m := range cdaSectionTitle.FindAllStringSubmatch(string(resp.GetDocuments()[0].GetContent()), -1) {
		titles = append(titles, m[1])
	}
	if want := "Clinical History,Findings,Impression"; strings.Join(titles, ",") != want {
		t.Errorf("sections %v, want %s", titles, want)
	}
	if len(resp.GetDictationSections()) != 3 || resp.GetDictationSections()[0].GetKind() != pb.SectionKind_SECTION_KIND_IMPRESSION {
		t.Errorf("dictation sections %v: want them in text order", resp.GetDictationSections())
	}
}

func TestDictationRules(t *testing.T) {
	e := newEngine(t)
	tests := []struct {
		name     string
		mutate   func(q *pb.GenerateReportRequest)
		field    string
		contains string
	}{
		{"sections and dictation", func(q *pb.GenerateReportRequest) {
			q.Report.Sections = example(t, "chest-radiograph").Report.Sections
		}, "report.dictation", "not both"},
		{"neither", func(q *pb.GenerateReportRequest) { q.Report.Dictation = "" }, "report.sections", "or a dictation"},
		{"too large", func(q *pb.GenerateReportRequest) {
			q.Report.Dictation = "FINDINGS: " + strings.Repeat("x", reportgen.DefaultMaxText)
		}, "report.dictation", "at most 1048576"},
		{"blank", func(q *pb.GenerateReportRequest) { q.Report.Dictation = " \r\n\t\uFEFF" }, "report.dictation", "empty"},
		{"invalid UTF-8", func(q *pb.GenerateReportRequest) { q.Report.Dictation = "FINDINGS: caf\xe9" }, "report.dictation", "UTF-8"},
		{"control character", func(q *pb.GenerateReportRequest) { q.Report.Dictation = "FINDINGS: a\x00b" }, "report.dictation", "control character"},
		{"headings only", func(q *pb.GenerateReportRequest) { q.Report.Dictation = "FINDINGS:\nIMPRESSION:\n" }, "report.dictation", "no text under any"},
		{"addendum report without addendum heading", func(q *pb.GenerateReportRequest) {
			q.Report.Status = pb.ReportStatus_REPORT_STATUS_ADDENDUM
			q.Report.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.1", SrSeriesInstanceUid: "2.25.2", SrSopInstanceUid: "2.25.3"}
		}, "report.dictation", "Addendum heading"},
		{"template requires a section", func(q *pb.GenerateReportRequest) {
			q.TemplateId = "ct-chest"
			q.Report.Dictation = "FINDINGS: Clear lungs."
		}, "report.dictation", `template "ct-chest" requires section IMPRESSION`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := dictated(t, "FINDINGS: Clear lungs.\nIMPRESSION: Normal.")
			tt.mutate(req)
			_, err := e.Generate(context.Background(), req)
			var ire *reportgen.InvalidRequestError
			if !errors.As(err, &ire) {
				t.Fatalf("got %v, want a violation on %s", err, tt.field)
			}
			for _, v := range ire.Violations {
				if v.Field == tt.field && strings.Contains(v.Description, tt.contains) {
					if strings.Contains(v.Description, "Clear lungs") {
						t.Errorf("violation repeats the dictated text: %s", v.Description)
					}
					return
				}
			}
			t.Fatalf("violations %v, want one on %s containing %q", ire.Violations, tt.field, tt.contains)
		})
	}
}
