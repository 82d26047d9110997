package dictation_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/dictation"
	"github.com/reportgen/reportgen/internal/corpus"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// styleGoals are the least share of dictations of each style that must
// split perfectly.
var styleGoals = map[string]float64{
	corpus.StyleCapsLines:    0.95,
	corpus.StyleInline:       0.95,
	corpus.StyleSpokenLines:  0.95,
	corpus.StyleLowerOneLine: 0.90,
	// Prose must never split: any split there is spurious.
	corpus.StyleProse: 1,
}

// perStyle is how many dictations of each style are scored.
const perStyle = 400

// splitOf is a split as the scoring compares it: the parts that have a
// heading, text or are a footer, by kind and offsets.
func splitOf(text string, parts []dictation.Section) []corpus.Part {
	var out []corpus.Part
	for _, p := range parts {
		if p.Heading == "" && !p.Footer && dictation.Body(text, p) == "" {
			continue
		}
		out = append(out, corpus.Part{Kind: p.Kind, Footer: p.Footer, HeadingStart: p.HeadingStart, TextStart: p.TextStart})
	}
	return out
}

func wantOf(text string, parts []corpus.Part) []corpus.Part {
	var out []corpus.Part
	for i, p := range parts {
		end := len(text)
		if i+1 < len(parts) {
			end = parts[i+1].HeadingStart
		}
		if p.HeadingStart == p.TextStart && !p.Footer && strings.TrimSpace(text[p.TextStart:end]) == "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

func samePartList(a, b []corpus.Part) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func describeParts(text string, ps []corpus.Part) string {
	var b strings.Builder
	for _, p := range ps {
		k := strings.TrimPrefix(p.Kind.String(), "SECTION_KIND_")
		if p.Footer {
			k = "FOOTER"
		}
		end := min(p.TextStart+24, len(text))
		fmt.Fprintf(&b, "  %s@%d/%d %q\n", k, p.HeadingStart, p.TextStart, text[p.HeadingStart:end])
	}
	return b.String()
}

// TestDictationStyles scores the splitter on the generated dictations of
// each style: the share that splits perfectly (every part's kind, start
// and text start as written, footers apart) is printed per style and must
// reach the style's goal. Every split also gives the text back byte for
// byte, no footer enters a section, and a dictation with a Findings
// heading keeps findings.
func TestDictationStyles(t *testing.T) {
	seeds, err := corpus.LoadSeeds()
	if err != nil {
		t.Fatal(err)
	}
	all := corpus.Dictations(seeds, perStyle, 1)
	perfect, total := map[string]int{}, map[string]int{}
	shown := map[string]int{}
	for _, d := range all {
		for _, text := range []string{d.Text} {
			parts := dictation.Split(text)
			if got := reassemble(t, text, parts); got != text {
				t.Fatalf("%s: the parts do not give back the text", d.Style)
			}
			for _, s := range dictation.Sections(text, parts) {
				for _, p := range parts {
					if p.Footer && strings.Contains(s.GetText(), strings.TrimSpace(text[p.TextStart:p.TextEnd])) {
						t.Errorf("%s: a footer is inside the %v section", d.Style, s.GetKind())
					}
				}
			}
			total[d.Style]++
			got, want := splitOf(text, parts), wantOf(text, d.Parts)
			if samePartList(got, want) {
				perfect[d.Style]++
				continue
			}
			if shown[d.Style] < 3 && testing.Verbose() {
				shown[d.Style]++
				t.Logf("%s: %q\n got:\n%s want:\n%s", d.Style, text, describeParts(text, got), describeParts(text, want))
			}
		}
	}
	for _, style := range corpus.Styles {
		rate := float64(perfect[style]) / float64(total[style])
		t.Logf("style %-15s %4d/%4d split perfectly (%.1f%%), goal %.0f%%", style, perfect[style], total[style], 100*rate, 100*styleGoals[style])
		fmt.Printf("dictation style %-15s %5.1f%% perfect (%d/%d)\n", style, 100*rate, perfect[style], total[style])
		if rate < styleGoals[style] {
			t.Errorf("style %s: %.1f%% split perfectly, goal %.0f%%", style, 100*rate, 100*styleGoals[style])
		}
	}
	_ = pb.SectionKind_SECTION_KIND_FINDINGS
}
