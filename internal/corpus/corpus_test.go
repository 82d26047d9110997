package corpus_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/internal/corpus"
)

// TestDeterministic: the same seed gives the same corpus, byte for byte,
// and another seed another one.
func TestDeterministic(t *testing.T) {
	s, err := corpus.LoadSeeds()
	if err != nil {
		t.Fatal(err)
	}
	var a, b, c bytes.Buffer
	for _, x := range []struct {
		w    *bytes.Buffer
		seed uint64
	}{{&a, 1}, {&b, 1}, {&c, 2}} {
		if err := corpus.WriteJSONL(x.w, corpus.Archive(s, 300, x.seed)); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two runs with seed 1 differ")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Errorf("seeds 1 and 2 give the same corpus")
	}
	if n := strings.Count(a.String(), "\n"); n != 300 {
		t.Errorf("%d lines, want 300", n)
	}
}

// TestDictationParts: every generated dictation's expected parts tile its
// text in order, starting at 0, each heading before its text.
func TestDictationParts(t *testing.T) {
	s, err := corpus.LoadSeeds()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range corpus.Dictations(s, 100, 3) {
		prev := -1
		for i, p := range d.Parts {
			if (i == 0 && p.HeadingStart != 0) || p.HeadingStart <= prev || p.TextStart < p.HeadingStart || p.TextStart > len(d.Text) {
				t.Fatalf("%s: part %d at %d/%d after %d in %q", d.Style, i, p.HeadingStart, p.TextStart, prev, d.Text)
			}
			prev = p.HeadingStart
		}
	}
}
