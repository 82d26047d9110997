package extval_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/internal/samples"
)

// Paths are relative to this package's folder, where go test runs.
const (
	cdaXSD     = "../../schemas/synced/cda-sdtc/infrastructure/cda/CDA_SDTC.xsd"
	ccdaSch    = "../../schemas/synced/ccda-2.1/ccda-2.1.sch"
	syncAdvice = "run: bash scripts/setup.sh (it syncs the pinned HL7 schema set)"
)

func need(t *testing.T, path, advice string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing; %s", path, advice)
	}
}

// sample is a C-CDA DIR variant derived from HL7's example (samples.CDAVariant).
func sample(t *testing.T, name string) []byte {
	t.Helper()
	return samples.CDAVariant(t, name)
}

func TestXMLLint(t *testing.T) {
	t.Parallel()
	need(t, cdaXSD, syncAdvice)
	tests := []struct {
		name   string
		doc    []byte
		errors bool   // whether xmllint must report problems
		want   string // a substring of one reported line
	}{
		{"good", sample(t, samples.DIRGood), false, ""},
		{"no id", sample(t, samples.DIRNoID), true, "element code"},
		{"truncated", sample(t, samples.DIRTruncated), true, "parser error"},
		{"not CDA", []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"/>`), true, "Missing child element"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines, err := extval.XMLLint(cdaXSD, tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.errors {
				if len(lines) > 0 {
					t.Errorf("want valid, got %d errors:\n%s", len(lines), strings.Join(lines, "\n"))
				}
				return
			}
			if !strings.Contains(strings.Join(lines, "\n"), tc.want) {
				t.Errorf("want an error containing %q, got %q", tc.want, lines)
			}
		})
	}
}

func TestXMLLintBadSchema(t *testing.T) {
	t.Parallel()
	if _, err := extval.XMLLint(filepath.Join(t.TempDir(), "missing.xsd"), []byte("<a/>")); err == nil {
		t.Error("a missing schema must be an error, not a verdict on the document")
	}
}

func TestSchematron(t *testing.T) {
	t.Parallel()
	need(t, ccdaSch, syncAdvice)
	s, err := extval.CompileSchematron(ccdaSch, "errors", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		file string
		want []string // CONF numbers that must fail; none means a clean run
	}{
		{"good", samples.DIRGood, nil},
		{"no documentationOf", samples.DIRNoDocumentationOf, []string{"CONF:1198-8416"}},
		{"no id", samples.DIRNoID, []string{"CONF:1198-5363", "CONF:1198-30932"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			failed, err := s.Run(sample(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkFailed(t, failed, tc.want)
		})
	}
	t.Run("not well-formed", func(t *testing.T) {
		t.Parallel()
		if _, err := s.Run(sample(t, samples.DIRTruncated)); err == nil {
			t.Error("a truncated document must make the run fail")
		}
	})
}

// TestSchematronReadsValueSets proves the value sets are really read from
// the voc.xml beside the compiled stylesheet: with an empty one, the
// performer typeCode check of the known-good document fails.
func TestSchematronReadsValueSets(t *testing.T) {
	t.Parallel()
	need(t, ccdaSch, syncAdvice)
	dir := t.TempDir()
	s, err := extval.CompileSchematron(ccdaSch, "errors", dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "voc.xml"), emptyVoc(t), 0o644); err != nil {
		t.Fatal(err)
	}
	failed, err := s.Run(sample(t, samples.DIRGood))
	if err != nil {
		t.Fatal(err)
	}
	checkFailed(t, failed, []string{"CONF:1198-14840"})
}

func checkFailed(t *testing.T, failed []extval.SVRLAssert, want []string) {
	t.Helper()
	var all strings.Builder
	for _, f := range failed {
		all.WriteString(f.String() + "\n")
		if f.ID == "" || f.Location == "" || f.Text == "" {
			t.Errorf("incomplete SVRL assert %+v", f)
		}
	}
	if len(want) == 0 && len(failed) > 0 {
		t.Errorf("want no failed asserts, got %d:\n%s", len(failed), all.String())
	}
	for _, w := range want {
		if !strings.Contains(all.String(), w+")") {
			t.Errorf("want a failed assert citing %s, got:\n%s", w, all.String())
		}
	}
}

// emptyVoc is a value-set file without values (testdata/empty-voc.xml):
// with it every document('voc.xml') lookup of the schematron fails.
func emptyVoc(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/empty-voc.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
