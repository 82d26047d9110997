package sr_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/sr"
)

var update = flag.Bool("update", false, "rewrite the golden dsrdump files in testdata/")

// dsrdumpGolden are the dsrdump options of the golden files: whole values,
// all codes, the template and the referenced instances, so a change to any
// of them shows in review.
var dsrdumpGolden = []string{"+Pl", "+Pc", "+Pt", "+Pu"}

// dcmtkCharsetWarning is what dcmtk 3.6.7 says about every UTF-8 file: its
// VR checker cannot check ISO_IR 192 values. It is about dcmtk, not about
// the file.
const dcmtkCharsetWarning = "W: The VR checker does not support this Specific Character Set: ISO_IR 192"

// headingSets are the two heading code sets of TID 2000 section
// containers; each gets its own golden files.
var headingSets = []struct {
	name   string
	opt    content.Options
	suffix string
}{
	{"LOINC", content.Options{}, ""},
	{"DCM", content.Options{HeadingCodes: content.HeadingDCM}, "-dcm"},
}

// TestExamples encodes every example with both heading code sets and has
// the file judged by our validator, dcmtk and dicom3tools; the dsrdump
// output must match the golden file.
func TestExamples(t *testing.T) {
	for _, hs := range headingSets {
		for _, ex := range contenttest.Load(t, hs.opt) {
			t.Run(hs.name+"/"+ex.Name, func(t *testing.T) {
				b, err := sr.Encode(ex.Doc)
				if err != nil {
					t.Fatalf("Encode: %v", err)
				}
				for _, i := range sr.Validate(b) {
					t.Errorf("Validate: %v", i)
				}
				path := writeTemp(t, b)
				checkTools(t, path)
				golden(t, path, filepath.Join("testdata", ex.Name+hs.suffix+".dsrdump.txt"))
			})
		}
	}
}

// checkTools requires dcmdump, dsrdump and dsr2xml to read the file without
// errors and dciodvfy to report no Error line. Warnings are logged: they
// are listed in reviews, not failures.
func checkTools(t *testing.T, path string) {
	t.Helper()
	checkDCMTK(t, path)
	checkDCIODVfy(t, path)
}

func checkDCMTK(t *testing.T, path string) {
	t.Helper()
	for _, run := range []struct {
		name string
		f    func(string, ...string) (extval.DCMTKReport, error)
	}{{"dcmdump", extval.DCMDump}, {"dsrdump", extval.DSRDump}, {"dsr2xml", extval.DSR2XML}} {
		r, err := run.f(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range r.Errors {
			t.Errorf("%s: %s", run.name, e)
		}
		for _, w := range r.Warnings {
			if w != dcmtkCharsetWarning {
				t.Logf("%s: %s", run.name, w)
			}
		}
	}
}

func checkDCIODVfy(t *testing.T, path string) {
	t.Helper()
	errs, warns, err := extval.DCIODVfy(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("dciodvfy: %s", e)
	}
	for _, w := range warns {
		t.Logf("dciodvfy: %s", w)
	}
}

func golden(t *testing.T, path, goldenPath string) {
	t.Helper()
	r, err := extval.DSRDump(path, dsrdumpGolden...)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, goldenPath, r.Output)
}

// lineDiff lists the first lines that differ, enough to see what changed.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < max(len(w), len(g)) && len(out) < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			out = append(out, "- "+wl, "+ "+gl)
		}
	}
	return strings.Join(out, "\n")
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sr.dcm")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
