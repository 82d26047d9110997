package content_test

import (
	"testing"

	"github.com/reportgen/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/reportgen/content/contenttest"
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
	got := content.Paragraphs("  a\nb\r\n\r\n\n c \n\n")
	if len(got) != 2 || got[0] != "a\nb" || got[1] != "c" {
		t.Errorf("Paragraphs = %q", got)
	}
}
