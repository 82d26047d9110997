package hl7v2

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reportgen/reportgen/internal/fuzztest"
)

func TestUnescape(t *testing.T) {
	d := DefaultDelimiters
	for _, tc := range []struct {
		in, want string
	}{
		{`a\F\b\S\c\T\d\R\e\E\f`, `a|b^c&d~e\f`},
		{`line one\.br\line two`, "line one\nline two"},
		{`para\.sp\next`, "para\n\nnext"},
		{`a\.sp2\b`, "a\n\n\nb"},
		{`a\.sk3\b`, "a   b"},
		{`\H\bold\N\ text`, "bold text"},
		{`\.fi\\.nf\\.in+4\\.ti-2\x`, "x"},
		{`centred\.ce\next`, "centred\nnext"},
		{`caf\XC3A9\`, "café"},
		{`tab\X09\here`, "tab\there"},
		{`no escapes`, "no escapes"},
	} {
		got, problem := unescape(tc.in, d, CharsetUTF8)
		if problem != "" || got != tc.want {
			t.Errorf("unescape(%q) = %q, %q; want %q", tc.in, got, problem, tc.want)
		}
	}
	for _, bad := range []string{`\F`, `a\Q\b`, `\\`, `\XA\`, `\XGG\`, `\Z12\`, `\C2842\`, `\M2442\`, `\.sp99\`, `\.sk100\`, `\.inX\`, `\XFF\`} {
		if _, problem := unescape(bad, d, CharsetUTF8); problem == "" {
			t.Errorf("unescape(%q) accepted", bad)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	d := DefaultDelimiters
	for _, s := range []string{`a|b^c&d~e\f`, "two\nlines", "tab\tand bell\a", "Müller", ""} {
		enc := d.Encode(s)
		for _, c := range []string{"|", "^", "&", "~", "\n", "\r"} {
			if strings.Contains(enc, c) {
				t.Errorf("Encode(%q) = %q keeps %q", s, enc, c)
			}
		}
		back, problem := unescape(enc, d, CharsetUTF8)
		if problem != "" || back != s {
			t.Errorf("round trip of %q: %q, %q", s, back, problem)
		}
	}
	if got := d.Encode("a\r\nb"); got != `a\.br\b` {
		t.Errorf("CR LF encodes as %q", got)
	}
}

// FuzzEscape: any text survives Encode then unescape, and unescape never
// fails on what Encode makes.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{`a|b^c&d~e\f`, "x\ny", "\x00\x1f\x7f", "Müller €"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzztest.Run(t, func() error {
			// What a sender escapes (a field as received) must unescape
			// without a panic, whatever it holds.
			unescape(s, DefaultDelimiters, CharsetUTF8)
			if !utf8.ValidString(s) {
				return nil
			}
			d := DefaultDelimiters
			back, problem := unescape(d.Encode(s), d, CharsetUTF8)
			want := strings.ReplaceAll(s, "\r\n", "\n")
			want = strings.ReplaceAll(want, "\r", "\n")
			if problem != "" || back != want {
				return fmt.Errorf("round trip of %q: %q, %q", s, back, problem)
			}
			return nil
		})
	})
}
