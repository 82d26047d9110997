package templates

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"
	"unicode/utf8"
)

// Narrative limits. A narrative is written by an operator, but it runs on
// every request, so what it can cost is bounded when it is loaded: no
// recursion ({{template}}, {{define}}, {{block}}), loops only over the
// bounded lists of the data, and output capped.
const (
	MaxNarrativeSource = 8 << 10
	MaxNarrativeOutput = 256 << 10
	maxRangeDepth      = 2
)

// rangeable are the fields a narrative may loop over: lists whose length
// the request checks bound.
var rangeable = map[string]bool{"Observations": true, "Modalities": true}

// Narrative is a compiled narrative: a Go text/template that renders plain
// text. It never escapes anything: the CDA and SR encoders escape the text
// for their own syntax, so a template cannot break either document.
type Narrative struct {
	src  string
	tmpl *template.Template
}

// Source returns the template text.
func (n *Narrative) Source() string { return n.src }

// SectionData is what a section narrative sees as ".".
type SectionData struct {
	// Text is the section text as sent or dictated. A section narrative
	// must render it: nothing the caller sent may be dropped.
	Text  string
	Title string
	// Kind is the section kind without prefix, e.g. "FINDINGS".
	Kind         string
	Observations []ObservationData
	Study        StudyData
}

// StudyData is the part of the study a narrative may mention.
type StudyData struct {
	Modalities           []string
	Procedure            CodeData
	ProcedureDescription string
}

// ObservationData is what an observation narrative sees as ".".
type ObservationData struct {
	Concept CodeData
	// Type is "text", "code" or "measurement".
	Type string
	// Text is the value of a text observation; its narrative must render
	// it.
	Text string
	// Code is the value of a coded observation.
	Code CodeData
	// Value, Unit and UnitName are the value of a measurement, e.g. "12",
	// "mm", "millimeter".
	Value, Unit, UnitName string
	FindingSite           CodeData
	// Images is the number of images referenced.
	Images int
}

// CodeData is a code as a narrative sees it.
type CodeData struct {
	Code    string
	Scheme  string // e.g. "LOINC", "SNOMED_CT"
	Meaning string
}

type narrativeKind int

const (
	sectionNarrative narrativeKind = iota
	observationNarrative
)

var funcs = template.FuncMap{
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"trim":  strings.TrimSpace,
	"join":  strings.Join,
	// printf replaces the builtin: a width like %999999999d would make
	// one call allocate without bound before any output limit applies.
	"printf": safePrintf,
}

func safePrintf(format string, args ...any) (string, error) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		digits := 0
		for i++; i < len(format) && strings.IndexByte("+-# 0123456789.*", format[i]) >= 0; i++ {
			switch c := format[i]; {
			case c == '*':
				return "", errors.New("printf: * widths are not allowed")
			case c >= '0' && c <= '9':
				if digits++; digits > 2 {
					return "", errors.New("printf: widths and precisions above 99 are not allowed")
				}
			case c == '.':
				digits = 0
			}
		}
	}
	return fmt.Sprintf(format, args...), nil
}

// probeText stands for the caller's text when a narrative is checked at
// load: it must come out of the narrative unchanged.
const probeText = "\u2063reportgen probe text\u2063"

func compileNarrative(src string, kind narrativeKind, value ValueType) (*Narrative, error) {
	if len(src) > MaxNarrativeSource {
		return nil, fmt.Errorf("is %d bytes; at most %d are allowed", len(src), MaxNarrativeSource)
	}
	if !printable(src, true) {
		return nil, errors.New("must be printable text: only line breaks and tabs of the control characters")
	}
	t, err := template.New("narrative").Option("missingkey=error").Funcs(funcs).Parse(src)
	if err != nil {
		return nil, fmt.Errorf("does not compile: %v", err)
	}
	if len(t.Templates()) > 1 {
		return nil, errors.New("{{define}} is not allowed: a narrative is one template")
	}
	if t.Tree == nil || t.Root == nil {
		return nil, errors.New("is empty")
	}
	if err := checkTree(t.Tree, t.Root, 0); err != nil {
		return nil, err
	}
	n := &Narrative{src: src, tmpl: t}
	// Run it on sample data now, so that a misspelt field or a dropped
	// text fails at load and not on a patient's report.
	switch kind {
	case sectionNarrative:
		for _, d := range probeSections() {
			out, err := n.Render(d)
			if err != nil {
				return nil, fmt.Errorf("fails on sample data: %v", err)
			}
			if !strings.Contains(out, probeText) {
				return nil, errors.New("must render {{.Text}}: the section text as sent may not be dropped")
			}
		}
	case observationNarrative:
		for _, d := range probeObservations() {
			out, err := n.Render(d)
			if err != nil {
				return nil, fmt.Errorf("fails on sample data: %v", err)
			}
			if d.Type == "text" && (value == ValueText || value == ValueAny) && !strings.Contains(out, probeText) {
				return nil, errors.New("must render {{.Text}} for a text observation: the text as sent may not be dropped")
			}
		}
	}
	return n, nil
}

func checkTree(t *parse.Tree, n parse.Node, ranges int) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkTree(t, c, ranges); err != nil {
				return err
			}
		}
	case *parse.TemplateNode:
		return errors.New("{{template}} and {{block}} are not allowed: a narrative is one template")
	case *parse.IfNode:
		return checkBranch(t, &n.BranchNode, ranges)
	case *parse.WithNode:
		return checkBranch(t, &n.BranchNode, ranges)
	case *parse.RangeNode:
		if ranges+1 > maxRangeDepth {
			return fmt.Errorf("%s: at most %d nested {{range}} are allowed", where(t, n), maxRangeDepth)
		}
		if !rangesOverList(n.Pipe) {
			return fmt.Errorf("%s: {{range}} may only loop over .Observations or .Study.Modalities", where(t, n))
		}
		return checkBranch(t, &n.BranchNode, ranges+1)
	}
	return nil
}

func checkBranch(t *parse.Tree, b *parse.BranchNode, ranges int) error {
	if err := checkTree(t, b.List, ranges); err != nil {
		return err
	}
	if b.ElseList != nil {
		return checkTree(t, b.ElseList, ranges)
	}
	return nil
}

// rangesOverList reports whether a range pipeline is a plain field chain
// ending in one of the rangeable lists, e.g. .Observations or
// $.Study.Modalities.
func rangesOverList(p *parse.PipeNode) bool {
	if p == nil || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	var idents []string
	switch a := p.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		idents = a.Ident
	case *parse.VariableNode:
		if a.Ident[0] != "$" {
			return false
		}
		idents = a.Ident[1:]
	default:
		return false
	}
	return len(idents) > 0 && rangeable[idents[len(idents)-1]]
}

// where names a node's place in the narrative as "narrative:LINE:COL",
// the form text/template uses in its own errors.
func where(t *parse.Tree, n parse.Node) string {
	loc, _ := t.ErrorContext(n)
	return loc
}

// Render runs the narrative on data (a SectionData or ObservationData)
// and returns its text. The output is bounded by MaxNarrativeOutput.
func (n *Narrative) Render(data any) (string, error) {
	w := &limitedWriter{max: MaxNarrativeOutput}
	if err := n.tmpl.Execute(w, data); err != nil {
		if errors.Is(err, errTooLong) {
			return "", errTooLong
		}
		return "", err
	}
	out := w.b.String()
	if !utf8.ValidString(out) {
		return "", errors.New("narrative output is not valid UTF-8")
	}
	// A narrative's functions (printf "%c", for one) can make characters
	// the request's text could not hold; its output obeys the same rule
	// as that text, or the SR could not carry it.
	if !controlFree(out, "\n\r\t") {
		return "", errors.New("narrative output contains a control character: only line breaks and tabs are allowed")
	}
	return out, nil
}

var errTooLong = fmt.Errorf("narrative output is longer than %d bytes", MaxNarrativeOutput)

type limitedWriter struct {
	b   strings.Builder
	max int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > w.max {
		return 0, errTooLong
	}
	return w.b.Write(p)
}

func probeObservations() []ObservationData {
	concept := CodeData{Code: "121071", Scheme: "DCM", Meaning: "Finding"}
	site := CodeData{Code: "39607008", Scheme: "SNOMED_CT", Meaning: "Lung structure"}
	return []ObservationData{
		{Concept: concept, Type: "text", Text: probeText, FindingSite: site, Images: 1},
		{Concept: concept, Type: "code", Code: CodeData{Code: "1", Scheme: "LOCAL", Meaning: "Sample"}},
		{Concept: CodeData{Code: "81827009", Scheme: "SNOMED_CT", Meaning: "Diameter"}, Type: "measurement", Value: "12", Unit: "mm", UnitName: "millimeter", FindingSite: site, Images: 2},
		{Concept: concept, Type: "text", Text: probeText},
	}
}

func probeSections() []SectionData {
	return []SectionData{
		{Text: probeText, Title: "Findings", Kind: "FINDINGS", Observations: probeObservations(),
			Study: StudyData{Modalities: []string{"CT", "SR"}, Procedure: CodeData{Code: "24627-2", Scheme: "LOINC", Meaning: "CT Chest"}, ProcedureDescription: "CT CHEST"}},
		{Text: probeText, Title: "Findings", Kind: "FINDINGS"},
	}
}
