package cda_test

import (
	"strings"
	"testing"
	"time"

	"github.com/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// fresh returns a newly built tree of the named example, safe to change.
func fresh(t *testing.T, name string) *content.Document {
	t.Helper()
	for _, ex := range contenttest.Load(t, content.Options{}) {
		if ex.Name == name {
			return ex.Doc
		}
	}
	t.Fatalf("no example %s", name)
	return nil
}

// findings returns the Findings section of d.
func findings(d *content.Document) *content.Node {
	for _, s := range d.Sections() {
		if s.Heading.Kind == pb.SectionKind_SECTION_KIND_FINDINGS {
			return s
		}
	}
	return nil
}

// item returns the first item of the Findings section with value type vt.
func item(d *content.Document, vt content.ValueType) *content.Node {
	for _, n := range findings(d).Children {
		if n.Type == vt {
			return n
		}
	}
	return nil
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		example string
		edit    func(d *content.Document)
		opt     cda.Options
		want    string // part of the error message
	}{
		{"UUID document id", "chest-radiograph", func(d *content.Document) {
			d.Identity.DocumentID = "123e4567-e89b-12d3-a456-426614174000"
		}, cda.Options{}, "document id"},
		{"no document id", "chest-radiograph", func(d *content.Document) { d.Identity.DocumentID = "" }, cda.Options{}, "document id"},
		{"set id without version", "chest-radiograph", func(d *content.Document) { d.Identity.Version = 0 }, cda.Options{}, "version"},
		{"relative WADO URL", "ct-chest-measurements", nil, cda.Options{WADOBaseURL: "pacs/wado"}, "WADO base URL"},
		{"non-http WADO URL", "ct-chest-measurements", nil, cda.Options{WADOBaseURL: "ftp://pacs.example.org/wado"}, "WADO base URL"},
		{"patient without given name", "chest-radiograph", func(d *content.Document) {
			d.Report.Patient.Name.Given = nil
		}, cda.Options{}, "patient name"},
		{"author without identifier", "chest-radiograph", func(d *content.Document) { d.Report.Author.Ids = nil }, cda.Options{}, "author needs at least one identifier"},
		{"no patient", "chest-radiograph", func(d *content.Document) { d.Report.Patient = nil }, cda.Options{}, "no patient"},
		{"no author", "chest-radiograph", func(d *content.Document) { d.Report.Author = nil }, cda.Options{}, "no author"},
		{"signed without time", "chest-radiograph", func(d *content.Document) { d.SignatureTime = time.Time{} }, cda.Options{}, "signature time"},
		{"no study time", "chest-radiograph", func(d *content.Document) { d.StudyTime = time.Time{} }, cda.Options{}, "study start time"},
		{"accession without issuer", "chest-radiograph", func(d *content.Document) {
			d.Report.Study.AccessionIssuerOid = ""
		}, cda.Options{}, "accession number issuer"},
		{"correction without predecessor", "chest-radiograph", func(d *content.Document) {
			d.Report.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
		}, cda.Options{}, "predecessor document id"},
		{"two findings", "chest-radiograph", func(d *content.Document) {
			d.Root.Children = append(d.Root.Children, findings(d))
		}, cda.Options{}, "exactly one findings section"},
		{"two findings", "chest-radiograph", func(d *content.Document) { d.Root.Add(findings(d)) }, cda.Options{}, "exactly one findings section"},
		{"empty section", "chest-radiograph", func(d *content.Document) { findings(d).Children = nil }, cda.Options{}, "has no content"},
		{"section without heading", "chest-radiograph", func(d *content.Document) { findings(d).Heading = nil }, cda.Options{}, "no heading"},
		{"measurement not a number", "ct-chest-measurements", func(d *content.Document) {
			item(d, content.Num).Num.Value = "12 mm"
		}, cda.Options{}, "not a decimal"},
		{"measurement without value", "ct-chest-measurements", func(d *content.Document) { item(d, content.Num).Num = nil }, cda.Options{}, "has no value"},
		{"code without code system", "chest-radiograph", func(d *content.Document) {
			item(d, content.CodeValue).Code.OID = ""
		}, cda.Options{}, "no code system OID"},
		{"unmapped item type", "chest-radiograph", func(d *content.Document) {
			findings(d).Add(&content.Node{Relationship: content.Contains, Type: content.Date, Date: "20260101", ID: "x"})
		}, cda.Options{}, "has no CDA form"},
		{"unmapped child", "chest-radiograph", func(d *content.Document) {
			item(d, content.CodeValue).Add(&content.Node{Relationship: content.HasProperties, Type: content.Text, Text: "x"})
		}, cda.Options{}, "has no CDA form"},
		{"image without reference", "ct-chest-measurements", func(d *content.Document) {
			for _, c := range item(d, content.Num).Children {
				c.Image = nil
			}
		}, cda.Options{}, "has no reference"},
		{"bad SOP class", "mr-brain", func(d *content.Document) { d.Evidence[0].SOPClassUID = "MR" }, cda.Options{}, "SOP class UID"},
		{"frame zero", "mr-brain", func(d *content.Document) { d.Evidence[0].Frames = []int32{0} }, cda.Options{}, "frame numbers"},
		{"nil item", "chest-radiograph", func(d *content.Document) { findings(d).Children[0] = nil }, cda.Options{}, "is nil"},
		{"nil child", "chest-radiograph", func(d *content.Document) { item(d, content.CodeValue).Add(nil) }, cda.Options{}, "nil child"},
		{"nil evidence", "mr-brain", func(d *content.Document) { d.Evidence = append(d.Evidence, nil) }, cda.Options{}, "nil image"},
		{"no tree", "chest-radiograph", func(d *content.Document) { d.Root = nil }, cda.Options{}, "no content tree"},
	}
	// Values of the examples' patients that must never show in errors.
	private := []string{"Levin", "Henry", "MRN-448812", "Jones", "MRN-902211", "Müller", "PID-0042"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := fresh(t, tc.example)
			if tc.edit != nil {
				tc.edit(d)
			}
			// Both sinks refuse the same way.
			crossCheck(t, d, tc.opt)
			out, err := cda.Encode(d, tc.opt)
			if err == nil {
				t.Fatalf("want an error containing %q, got a document of %d bytes", tc.want, len(out))
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "cda: ") || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want prefix \"cda: \" and %q", msg, tc.want)
			}
			for _, p := range private {
				if strings.Contains(msg, p) {
					t.Errorf("error %q leaks patient data", msg)
				}
			}
		})
	}
	if _, err := cda.Encode(nil, cda.Options{}); err == nil {
		t.Error("nil document: want an error")
	}
}
