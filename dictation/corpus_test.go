package dictation_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/dictation"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// expected is one line of a .want file: "KIND|heading|text prefix", where
// the prefix is the start of the part's text as the report holds it (line
// ends normalised, trimmed) with "\n" for a line break. KIND FOOTER is a
// signature or footer part. Parts without heading and without text (white
// space before the first heading) are not listed.
type expected struct {
	kind    pb.SectionKind
	footer  bool
	heading string
	prefix  string
}

func readWant(t *testing.T, path string) []expected {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []expected
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		f := strings.SplitN(line, "|", 3)
		k, ok := pb.SectionKind_value["SECTION_KIND_"+f[0]]
		footer := f[0] == "FOOTER"
		if len(f) != 3 || (!ok && !footer) {
			t.Fatalf("%s:%d: want KIND|heading|prefix", path, i+1)
		}
		out = append(out, expected{pb.SectionKind(k), footer, strings.ReplaceAll(f[1], `\n`, "\n"), strings.ReplaceAll(f[2], `\n`, "\n")})
	}
	return out
}

// lineEnds normalises the line ends of a multi-line heading (an underlined
// one) for comparison with the expectation.
var lineEnds = strings.NewReplacer("\r\n", "\n", "\r", "\n")

func describe(text string, parts []dictation.Section) []string {
	var out []string
	for _, p := range parts {
		body := dictation.Body(text, p)
		if p.Heading == "" && body == "" && !p.Footer {
			continue
		}
		k := strings.TrimPrefix(p.Kind.String(), "SECTION_KIND_")
		if p.Footer {
			k = "FOOTER"
		}
		out = append(out, fmt.Sprintf("%s|%s|%.40q", k, p.Heading, body))
	}
	return out
}

// TestCorpus checks every dictation of the corpus against its expected
// split, also with its line ends turned into CRLF and with a byte order
// mark in front, which must not change the split.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.txt"))
	if len(files) < 50 {
		t.Fatalf("corpus has %d texts, want at least 50", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := readWant(t, strings.TrimSuffix(f, ".txt")+".want")
			variants := map[string]string{"as written": string(b), "with BOM": "\uFEFF" + string(b)}
			if !strings.Contains(string(b), "\r") {
				variants["CRLF"] = strings.ReplaceAll(string(b), "\n", "\r\n")
			}
			for vname, text := range variants {
				parts := dictation.Split(text)
				if got := reassemble(t, text, parts); got != text {
					t.Fatalf("%s: reassembled text differs", vname)
				}
				var got []dictation.Section
				for _, p := range parts {
					if p.Heading != "" || p.Footer || dictation.Body(text, p) != "" {
						got = append(got, p)
					}
				}
				ok := len(got) == len(want)
				for i := 0; ok && i < len(want); i++ {
					body := dictation.Body(text, got[i])
					ok = got[i].Kind == want[i].kind && got[i].Footer == want[i].footer && lineEnds.Replace(got[i].Heading) == want[i].heading &&
						strings.HasPrefix(body, want[i].prefix) && (want[i].prefix != "" || body == "")
				}
				if !ok {
					t.Errorf("%s: split\n  %s\nwant\n  %v", vname, strings.Join(describe(text, parts), "\n  "), want)
				}
			}
		})
	}
}
