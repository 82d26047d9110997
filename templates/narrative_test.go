package templates

import (
	"strings"
	"testing"
)

func TestNarrativeCompile(t *testing.T) {
	tests := []struct {
		name, src string
		kind      narrativeKind
		value     ValueType
		wantErr   string // "" = compiles
	}{
		{"plain text", "{{.Text}}", sectionNarrative, ValueAny, ""},
		{"uses study and observations", "{{.Text}}{{range .Observations}} {{.Concept.Meaning}}{{end}} ({{join .Study.Modalities \", \"}})", sectionNarrative, ValueAny, ""},
		{"nested range", "{{.Text}}{{range .Observations}}{{range $.Study.Modalities}}{{.}}{{end}}{{end}}", sectionNarrative, ValueAny, ""},
		{"too deep", "{{.Text}}{{range .Observations}}{{range $.Observations}}{{range $.Observations}}{{end}}{{end}}{{end}}", sectionNarrative, ValueAny, "nested {{range}}"},
		{"range over a variable", "{{.Text}}{{$n := len .Text}}{{range $n}}x{{end}}", sectionNarrative, ValueAny, "may only loop"},
		{"block", "{{block \"b\" .}}{{.Text}}{{end}}", sectionNarrative, ValueAny, "not allowed"},
		{"template call", "{{.Text}}{{template \"narrative\" .}}", sectionNarrative, ValueAny, "not allowed"},
		{"drops text", "Normal.", sectionNarrative, ValueAny, "must render {{.Text}}"},
		{"drops text only with observations", "{{if .Observations}}See below.{{else}}{{.Text}}{{end}}", sectionNarrative, ValueAny, "must render {{.Text}}"},
		{"huge printf width", "{{.Text}}{{printf \"%999999999d\" 1}}", sectionNarrative, ValueAny, "widths"},
		{"star width", "{{.Text}}{{printf \"%*d\" 5 1}}", sectionNarrative, ValueAny, "widths"},
		{"small printf width", "{{printf \"%-10s|\" .Text}}", sectionNarrative, ValueAny, ""},
		{"control character", "{{.Text}}\a", sectionNarrative, ValueAny, "printable"},
		{"control character made by printf", "{{printf \"%c\" 22}}{{.Text}}", sectionNarrative, ValueAny, "control character"},
		{"line break made by printf", "{{printf \"%c\" 10}}{{.Text}}", sectionNarrative, ValueAny, ""},
		{"too long", "{{.Text}}" + strings.Repeat("x", MaxNarrativeSource), sectionNarrative, ValueAny, "at most"},
		{"code sentence", "BI-RADS {{.Code.Meaning}}.", observationNarrative, ValueCode, ""},
		{"measurement sentence", "{{.Concept.Meaning}}{{with .FindingSite.Meaning}} of {{lower .}}{{end}}: {{.Value}} {{.Unit}}", observationNarrative, ValueMeasurement, ""},
		{"text rule drops text", "Finding.", observationNarrative, ValueText, "must render {{.Text}}"},
		{"any rule drops text", "{{.Code.Meaning}}", observationNarrative, ValueAny, "must render {{.Text}}"},
		{"wrong field for observations", "{{.Title}}", observationNarrative, ValueCode, "fails on sample data"},
	}
	for _, tt := range tests {
		_, err := compileNarrative(tt.src, tt.kind, tt.value)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestNarrativeRender(t *testing.T) {
	n, err := compileNarrative("{{upper .Kind}}: {{.Text}}{{range .Observations}}; {{.Concept.Meaning}} {{.Value}} {{.Unit}}{{end}}", sectionNarrative, ValueAny)
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.Render(SectionData{Kind: "findings", Text: "<b>&</b>", Observations: []ObservationData{{Concept: CodeData{Meaning: "Diameter"}, Value: "12", Unit: "mm"}}})
	if err != nil {
		t.Fatal(err)
	}
	// Plain text: nothing is escaped here; the encoders escape.
	if want := "FINDINGS: <b>&</b>; Diameter 12 mm"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
	if n.Source() == "" {
		t.Error("Source is empty")
	}
	big, err := compileNarrative("{{.Text}}{{range .Observations}}{{$.Text}}{{end}}", sectionNarrative, ValueAny)
	if err != nil {
		t.Fatal(err)
	}
	obs := make([]ObservationData, 512)
	if _, err := big.Render(SectionData{Text: strings.Repeat("x", 64<<10), Observations: obs}); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("output over the limit: %v", err)
	}
}
