package dictation_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reportgen/reportgen/dictation"
	"github.com/reportgen/reportgen/internal/fuzztest"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// corpusDir holds the dictation corpus shared with the engine tests.
const corpusDir = "../testdata/dictation"

// reassemble puts the parts back together: heading then text, in order.
// It must give back the dictation byte for byte.
func reassemble(t *testing.T, text string, parts []dictation.Section) string {
	t.Helper()
	s, err := reassembled(text, parts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reassembled is reassemble without a test, for the fuzz target: it
// fails for parts whose offsets do not follow each other.
func reassembled(text string, parts []dictation.Section) (string, error) {
	var b strings.Builder
	prev := 0
	for i, p := range parts {
		if p.HeadingStart != prev || p.HeadingStart > p.TextStart || p.TextStart > p.TextEnd || p.TextEnd > len(text) {
			return "", fmt.Errorf("part %d has offsets %d/%d/%d after %d (len %d)", i, p.HeadingStart, p.TextStart, p.TextEnd, prev, len(text))
		}
		b.WriteString(text[p.HeadingStart:p.TextStart])
		b.WriteString(text[p.TextStart:p.TextEnd])
		prev = p.TextEnd
	}
	return b.String(), nil
}

func TestSplitReassembles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.txt"))
	if len(files) < 50 {
		t.Fatalf("corpus has %d texts, want at least 50", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if got := reassemble(t, text, dictation.Split(text)); got != text {
			t.Errorf("%s: reassembled text differs", filepath.Base(f))
		}
	}
}

func TestSections(t *testing.T) {
	text := "Exam title\r\nFINDINGS: a.\r\nIMPRESSION: b.\r\nFINDINGS:\r\n  c.\r\nCOMPARISON:\r\n"
	got := dictation.Sections(text, dictation.Split(text))
	want := []struct {
		kind pb.SectionKind
		text string
	}{
		{pb.SectionKind_SECTION_KIND_TECHNIQUE, "Exam title"},
		{pb.SectionKind_SECTION_KIND_FINDINGS, "a.\n\nc."},
		{pb.SectionKind_SECTION_KIND_IMPRESSION, "b."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d sections %v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].GetKind() != w.kind || got[i].GetText() != w.text {
			t.Errorf("section %d = %v %q, want %v %q", i, got[i].GetKind(), got[i].GetText(), w.kind, w.text)
		}
	}
}

func TestSplitEdgeCases(t *testing.T) {
	for name, text := range map[string]string{
		"empty":          "",
		"only space":     " \r\n\t ",
		"heading only":   "FINDINGS:",
		"invalid utf8":   "FINDINGS: \xff\xfe bad\nIMPRESSION: \xc3",
		"lone cr":        "\r\r\rFINDINGS\r",
		"marker at end":  "1.",
		"dash at end":    "-",
		"compound tail":  "FINDINGS AND",
		"colon only":     ":",
		"nested markers": "** 1. - FINDINGS: x",
	} {
		parts := dictation.Split(text)
		if got := reassemble(t, text, parts); got != text {
			t.Errorf("%s: reassembled %q, want %q", name, got, text)
		}
	}
}

// FuzzSplit: any text splits, within the deadline, into parts that give
// it back byte for byte, each with a kind and its heading as written
// there (a footer part with neither), a text without headings into one
// Findings part; and into sections of distinct kinds whose texts are
// non-empty, trimmed, with line ends normalised, and valid UTF-8 when the
// text is.
func FuzzSplit(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.txt"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		fuzztest.Run(t, func() error {
			parts := dictation.Split(text)
			got, err := reassembled(text, parts)
			if err != nil {
				return err
			}
			if got != text {
				return fmt.Errorf("reassembled text differs")
			}
			for i, p := range parts {
				switch {
				case p.Footer && (p.Kind != pb.SectionKind_SECTION_KIND_UNSPECIFIED || p.Heading != ""):
					return fmt.Errorf("footer part %d has kind %v and heading %q", i, p.Kind, p.Heading)
				case p.Footer:
				case p.Kind == pb.SectionKind_SECTION_KIND_UNSPECIFIED:
					return fmt.Errorf("part %d has no kind", i)
				case p.Heading != strings.TrimSpace(text[p.HeadingStart:p.TextStart]):
					return fmt.Errorf("part %d: heading %q is not the text before its body", i, p.Heading)
				}
			}
			if len(parts) == 1 && !parts[0].Footer && parts[0].Heading == "" && parts[0].Kind != pb.SectionKind_SECTION_KIND_FINDINGS {
				return fmt.Errorf("a text without headings is a %v part, not Findings", parts[0].Kind)
			}
			seen := map[pb.SectionKind]bool{}
			for _, s := range dictation.Sections(text, parts) {
				body := s.GetText()
				switch {
				case seen[s.GetKind()]:
					return fmt.Errorf("two %v sections", s.GetKind())
				case body == "" || strings.TrimSpace(body) != body:
					return fmt.Errorf("%v section text %q is empty or not trimmed", s.GetKind(), body)
				case strings.Contains(body, "\r"):
					return fmt.Errorf("%v section text keeps a carriage return", s.GetKind())
				case utf8.ValidString(text) && !utf8.ValidString(body):
					return fmt.Errorf("section text is not valid UTF-8")
				}
				seen[s.GetKind()] = true
			}
			return nil
		})
	})
}
