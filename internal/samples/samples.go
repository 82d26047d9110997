// Package samples gives tests the public sample documents of other
// systems: HL7's C-CDA Diagnostic Imaging Report example and two DICOM SR
// files kept by pydicom (OFFIS DCMTK's "reportsi" and DICOMscope's
// Comprehensive SR). Like the HL7 schemas they are not committed: the
// manifest is (upstream URL pinned to a commit, sha256), and the sync
// (go run ./internal/samples/sync, which scripts/setup.sh runs) fills the
// git-ignored folder testdata/samples at the repository root from a local
// copy or from upstream, refusing any file whose checksum differs.
//
// The good and broken C-CDA R2.1 DIR variants the validator tests use are
// not files at all: CDAVariant derives each from HL7's example by the
// edits written here, so every input of a test is in the repository or
// pinned by it.
package samples

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/schemas"
)

//go:embed manifest.json
var manifestJSON []byte

// Manifest returns the pinned list of sample files.
func Manifest() (schemas.Manifest, error) {
	var m schemas.Manifest
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return m, fmt.Errorf("samples manifest: %w", err)
	}
	return m, nil
}

// SyncHint is the command that fills Dir.
const SyncHint = "bash scripts/setup.sh (or: go run ./internal/samples/sync [--from DIR])"

// Dir is the folder the samples are synced to: testdata/samples at the
// repository root, found from this file's place so that any package's
// tests reach it.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "samples")
}

// Path returns the path of a synced sample, e.g. "sr/reportsi.dcm". The
// test fails, never skips, when the sample is missing or altered: the
// checks it serves would otherwise pass unseen.
func Path(t testing.TB, name string) string {
	t.Helper()
	m, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if f.Path != name {
			continue
		}
		p := filepath.Join(Dir(), filepath.FromSlash(name))
		if err := schemas.Verify(schemas.Manifest{Files: []schemas.File{f}}, Dir()); err != nil {
			t.Fatalf("sample %s: %v; run: %s", name, err, SyncHint)
		}
		return p
	}
	t.Fatalf("%s is not in internal/samples/manifest.json", name)
	return ""
}

// Read returns the bytes of a synced sample (see Path).
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Names of the C-CDA R2.1 DIR variants CDAVariant derives.
const (
	// DIRGood is HL7's example moved to R2.1: US Realm Header and DIR
	// templateIds with extension 2015-08-01, plus the un-versioned
	// R1.1-compatible ids of the header, the DIR and the Physician
	// Reading Study Performer of the encounter. The independent validators pass it (CDA_SDTC.xsd,
	// and the R2.1 schematron with 0 errors, its DIR and US Realm rules
	// firing).
	DIRGood = "dir-v3-good"
	// DIRNoID: the good variant without ClinicalDocument/id; the XSD
	// fails (code not expected) and so does the schematron
	// (CONF:1198-5363 and others).
	DIRNoID = "dir-v3-broken-no-id"
	// DIRNoDocumentationOf: without documentationOf (serviceEvent); the
	// XSD allows it, the schematron fails with CONF:1198-8416.
	DIRNoDocumentationOf = "dir-v3-broken-no-documentationOf"
	// DIROldExtension: the DIR templateId back at 2014-06-09; the
	// schematron's DIR rules silently stop firing, so only a check of
	// the claimed templates finds it.
	DIROldExtension = "dir-v3-broken-dir-extension"
	// DIRTruncated: the first 12805 bytes of the good variant; a parser
	// error for every tool.
	DIRTruncated = "dir-v3-broken-truncated"
)

// edit is one exact replacement in a sample, applied once.
type edit struct{ old, new string }

var (
	toR21 = []edit{
		{`<templateId root="2.16.840.1.113883.10.20.22.1.1" extension="2014-06-09"/>`,
			`<templateId root="2.16.840.1.113883.10.20.22.1.1" extension="2015-08-01"/>` + "\n\t" + `<templateId root="2.16.840.1.113883.10.20.22.1.1"/>`},
		{`<templateId root="2.16.840.1.113883.10.20.22.1.5" extension="2014-06-09"/>`,
			`<templateId root="2.16.840.1.113883.10.20.22.1.5" extension="2015-08-01"/>` + "\n\t" + `<templateId root="2.16.840.1.113883.10.20.22.1.5"/>`},
		{`<templateId root="2.16.840.1.113883.10.20.6.2.2" extension="2014-06-09"/>`,
			`<templateId root="2.16.840.1.113883.10.20.6.2.2" extension="2014-06-09"/>` + "\n\t\t\t\t" + `<templateId root="2.16.840.1.113883.10.20.6.2.2"/>`},
	}
	variantEdits = map[string][]edit{
		DIRNoID: {{`	<id root="2.16.840.1.113883.19.4.27" extension="20060828170821659"/>` + "\n", ""}},
		DIROldExtension: {{`<templateId root="2.16.840.1.113883.10.20.22.1.5" extension="2015-08-01"/>`,
			`<templateId root="2.16.840.1.113883.10.20.22.1.5" extension="2014-06-09"/>`}},
	}
)

// CDAVariant derives a C-CDA DIR variant (DIRGood, DIRNoID, ...) from the
// synced HL7 example. An edit that no longer matches fails the test: the
// variant would not be what its name says.
func CDAVariant(t testing.TB, name string) []byte {
	t.Helper()
	doc := string(Read(t, "cda/Diagnostic_Imaging_Report.xml"))
	apply := func(edits []edit) {
		for _, e := range edits {
			if strings.Count(doc, e.old) != 1 {
				t.Fatalf("variant %s: the edit of %.60q does not match the sample exactly once", name, e.old)
			}
			doc = strings.Replace(doc, e.old, e.new, 1)
		}
	}
	apply(toR21)
	switch name {
	case DIRGood:
	case DIRTruncated:
		doc = doc[:12805]
	case DIRNoDocumentationOf:
		start, end := strings.Index(doc, "\t<documentationOf>"), strings.Index(doc, "</documentationOf>\n")
		if start < 0 || end < start {
			t.Fatalf("variant %s: no documentationOf in the sample", name)
		}
		doc = doc[:start] + doc[end+len("</documentationOf>\n"):]
	default:
		edits, ok := variantEdits[name]
		if !ok {
			t.Fatalf("unknown CDA variant %q", name)
		}
		apply(edits)
	}
	return []byte(doc)
}
