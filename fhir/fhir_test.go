package fhir_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/fhir"
	"github.com/reportgen/reportgen/html"
	"github.com/reportgen/reportgen/issue"
	"github.com/reportgen/reportgen/wado"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func encodeTB(tb testing.TB, d *content.Document) []byte {
	tb.Helper()
	page, err := html.Encode(d, html.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	b, err := fhir.Encode(d, fhir.Options{HTML: page})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func encode(t *testing.T, d *content.Document, links *wado.Links) []byte {
	t.Helper()
	page, err := html.Encode(d, html.Options{Links: links})
	if err != nil {
		t.Fatal(err)
	}
	b, err := fhir.Encode(d, fhir.Options{HTML: page, Links: links})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExamplesGolden(t *testing.T) {
	links, err := wado.New("", "https://pacs.example.org/dicom-web")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range contenttest.Load(t, content.Options{}) {
		t.Run(ex.Name, func(t *testing.T) {
			b := encode(t, ex.Doc, links)
			if l := fhir.Validate(b); len(l) > 0 {
				t.Fatalf("Bundle fails validation: %v", l)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, b, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", ex.Name+".fhir.json")
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (regenerate with: go test ./fhir -update)", err)
			}
			if !bytes.Equal(want, pretty.Bytes()) {
				t.Errorf("Bundle differs from %s (review, then regenerate with: go test ./fhir -update)", path)
			}
		})
	}
}

func TestNoEndpointIsAWarning(t *testing.T) {
	ex := contenttest.Load(t, content.Options{})[0]
	l := fhir.Validate(encode(t, ex.Doc, nil))
	if l.HasErrors() || len(l) != 1 || l[0].RuleID != fhir.RuleEndpoint || l[0].Severity != issue.Warning {
		t.Fatalf("got %v, want one %s warning", l, fhir.RuleEndpoint)
	}
}
