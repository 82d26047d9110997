package cda

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// replay says a document described by program to s: each byte picks an
// event, and texts, tags and values come from words. It gives the
// writer and the etree sink any nesting, mixed content, blank and empty
// texts and any characters, valid or not, in text and attributes.
func replay(s sink, program []byte, words []string) {
	word := func(i int) string {
		if len(words) == 0 {
			return ""
		}
		return words[i%len(words)]
	}
	tags := [...]string{"a", "b", "paragraph", "xsi:type"}
	// The encoder writes each attribute once per element; so do these
	// programs: attribute names are numbered within their element.
	names := [...]string{"v", "xsi:type", "ID", "value", "xmlns", "unit", "a7", "a8"}
	s.start("root")
	depth := 1
	attrs := 0 // attributes on the element just started; -1 once it has content
	name := func() (string, bool) {
		if attrs < 0 || attrs >= len(names) {
			return "", false
		}
		attrs++
		return names[attrs-1], true
	}
	for i, op := range program {
		switch op % 8 {
		case 0, 1:
			s.start(tags[int(op/8)%len(tags)])
			depth++
			attrs = 0
		case 2:
			if n, ok := name(); ok {
				s.attr(n, word(i))
			}
		case 3:
			if n, ok := name(); ok {
				s.attrJoin(n, "#", word(i))
			}
		case 4:
			if n, ok := name(); ok {
				s.attrTime(n, time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600)))
			}
			if n, ok := name(); ok {
				s.attrInt(n, int(op)-128)
			}
		case 5, 6:
			s.text(word(i))
			attrs = -1
		case 7:
			if depth > 1 {
				s.end()
				depth--
				attrs = -1
			}
		}
	}
	for ; depth > 0; depth-- {
		s.end()
	}
}

func sameAsTree(t *testing.T, program []byte, words []string) {
	t.Helper()
	w := getWriter()
	defer putWriter(w)
	replay(w, program, words)
	direct := w.finish()
	tb := newTreeBuilder()
	replay(tb, program, words)
	viaTree, err := tb.finish().WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(direct, viaTree) {
		t.Fatalf("writer and etree differ\n writer: %q\n  etree: %q", direct, viaTree)
	}
}

func TestWriterMatchesTree(t *testing.T) {
	words := []string{"", " ", "\t\n", "text", "a & b < c > d", `"quoted" 'apos'`, "cr\r\nlf", "\x00\x01\x1f",
		"\xff\xfe invalid", "\uFFFD\uFFFE\uFFFF", "\u00a0", "\u0085", "日本語", "🙂", "]]>"}
	programs := [][]byte{
		nil,
		{0, 5, 7},             // text only: written as is
		{0, 7, 0, 7},          // children only: laid out
		{0, 2, 3, 4, 0, 7, 7}, // attributes, nesting
		{5, 0, 7, 6, 0, 5, 7}, // mixed content, nested elements kept as is
		{0, 6, 0, 5, 7, 7},    // blank text between elements: cut when laid out
		{0, 0, 0, 0, 5, 7, 7, 7, 7, 0, 7},
	}
	for _, p := range programs {
		for i := range words {
			// Rotate the words so that each position meets each word.
			sameAsTree(t, p, append(words[i:len(words):len(words)], words[:i]...))
		}
	}
}

// FuzzWriter: the writer and etree's serialisation of the etree sink's
// tree agree on any document.
func FuzzWriter(f *testing.F) {
	f.Add([]byte{0, 5, 7, 0, 6, 7}, "a\x00b", " ", "x&y")
	f.Add([]byte{0, 2, 3, 4, 0, 8, 5, 7, 7}, "\xff", "\t", "日本")
	f.Fuzz(func(t *testing.T, program []byte, a, b, c string) {
		if len(program) > 4096 {
			return
		}
		sameAsTree(t, program, []string{a, b, c})
	})
}

// decimalPattern is the regular expression isDecimal matches by hand.
var decimalPattern = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

func TestIsDecimal(t *testing.T) {
	for _, s := range []string{"", "+", "-", ".", "1", "-1", "+1.", "1.5", ".5", "-.5", "1e5", "1E+5", "1e-5", "1e", "e5",
		".e5", "1.5.5", "1,5", " 1", "1 ", "0012", "1.5e5e5", "١"} {
		if got, want := isDecimal(s), decimalPattern.MatchString(s); got != want {
			t.Errorf("isDecimal(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzIsDecimal(f *testing.F) {
	f.Add("1.5e-3")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isDecimal(s), decimalPattern.MatchString(s); got != want {
			t.Fatalf("isDecimal(%q) = %v, want %v", s, got, want)
		}
	})
}

// TestNarrativeIDFastPath: an ID already in the narrative form is used as
// it is; others are rewritten, and clashes numbered.
func TestNarrativeIDFastPath(t *testing.T) {
	e := &encoder{}
	for _, c := range []struct{ in, want string }{
		{"s1.1", "s1.1"}, {"s1.1", "s1.1-2"}, {"1.2", "n1.2"}, {"a b", "a_b"}, {"", "n"}, {"é", "_"}, {"\xff", "_-2"},
		{"_x", "_x"}, {"-x", "n-x"},
	} {
		if got := e.narrativeID(c.in); got != c.want {
			t.Errorf("narrativeID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if !strings.HasPrefix(e.narrativeID("s1.1"), "s1.1-3") {
		t.Error("third clash not numbered 3")
	}
}
