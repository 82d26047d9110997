package content_test

import (
	"strings"
	"testing"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/templates"
)

func TestBuildExamples(t *testing.T) {
	want := map[string]struct {
		sections, evidence int
		iod                string
	}{
		"chest-radiograph":      {5, 0, content.BasicTextSR}, // CODE with a concept modifier only
		"ct-chest-measurements": {6, 2, content.EnhancedSR},
		"mr-brain":              {4, 1, content.EnhancedSR},
	}
	for _, ex := range contenttest.Load(t, content.Options{}) {
		w, ok := want[ex.Name]
		if !ok {
			continue
		}
		if got := len(ex.Doc.Sections()); got != w.sections {
			t.Errorf("%s: %d sections, want %d", ex.Name, got, w.sections)
		}
		if got := len(ex.Doc.Evidence); got != w.evidence {
			t.Errorf("%s: %d evidence images, want %d", ex.Name, got, w.evidence)
		}
		if got := ex.Doc.Identity.SOPClassUID; got != w.iod {
			t.Errorf("%s: IOD %s, want %s", ex.Name, got, w.iod)
		}
	}
}

func TestChooseIOD(t *testing.T) {
	text := &content.Node{Type: content.Container, Children: []*content.Node{
		{Relationship: content.Contains, Type: content.Text, Children: []*content.Node{
			{Relationship: content.InferredFrom, Type: content.Image}}}}}
	if got := content.ChooseIOD(text); got != content.BasicTextSR {
		t.Errorf("TEXT with image evidence: %s, want Basic Text SR", got)
	}
	code := &content.Node{Type: content.Container, Children: []*content.Node{
		{Relationship: content.Contains, Type: content.CodeValue, Children: []*content.Node{
			{Relationship: content.InferredFrom, Type: content.Image}}}}}
	if got := content.ChooseIOD(code); got != content.EnhancedSR {
		t.Errorf("CODE with image evidence: %s, want Enhanced SR", got)
	}
	num := &content.Node{Type: content.Container, Children: []*content.Node{{Relationship: content.Contains, Type: content.Num}}}
	if got := content.ChooseIOD(num); got != content.EnhancedSR {
		t.Errorf("NUM: %s, want Enhanced SR", got)
	}
}

func TestParagraphs(t *testing.T) {
	for in, want := range map[string][]string{
		"  a\nb\r\n\r\n\n c \n\n":    {"a\nb", "c"},
		"one\r\n\ttwo\r\n \r\nthree": {"one\r\n\ttwo", "three"},
		"":                           nil,
		" \n\t\n":                    nil,
	} {
		if got := content.Paragraphs(in); strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("Paragraphs(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBuildWithTemplate: the template orders and titles the sections,
// fills in the document code, title and procedure code a report lacks, and
// raises the SR IOD to its preference; sections it does not list follow.
func TestBuildWithTemplate(t *testing.T) {
	reg, err := templates.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	mg, _ := reg.Get("mammography")
	for _, ex := range contenttest.Load(t, content.Options{}) {
		if ex.Name != "chest-radiograph" {
			continue
		}
		r := ex.Request.GetReport()
		r.Title, r.DocumentCode, r.Study.ProcedureCode = "", nil, nil
		// A section mammography does not list, sent first.
		r.Sections = append([]*pb.Section{{Kind: pb.SectionKind_SECTION_KIND_COMPLICATIONS, Text: "None."}}, r.Sections...)
		doc, err := content.Build(r, contenttest.Identity(ex.Name), content.Options{Template: mg})
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, s := range doc.Sections() {
			titles = append(titles, s.Title)
		}
		if want := "Indication,Technique,Comparison,Findings,Assessment,Complications"; strings.Join(titles, ",") != want {
			t.Errorf("sections %v, want %s", titles, want)
		}
		if doc.TemplateID != "mammography" || doc.Title != "Mammography Report" || doc.DocumentCode.Value != "36625-2" {
			t.Errorf("header defaults: %s %q %v", doc.TemplateID, doc.Title, doc.DocumentCode)
		}
		if got := doc.Report.GetStudy().GetProcedureCode().GetCode(); got != "36625-2" || r.GetStudy().GetProcedureCode() != nil {
			t.Errorf("default procedure %q; the caller's report must stay unchanged", got)
		}
		if doc.Identity.SOPClassUID != content.EnhancedSR {
			t.Errorf("IOD %s, want Enhanced SR (the template's preference)", doc.Identity.SOPClassUID)
		}
	}
}
