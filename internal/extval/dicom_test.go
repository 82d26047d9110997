package extval_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/internal/samples"
)

// TestDICOMToolsOnSamples runs the DICOM runners on the pydicom copy of
// dcmtk's "reportsi" Basic Text SR, whose IMAGE items carry the UID "0":
// dciodvfy calls that an error and dsrdump rejects the item, while dcmdump
// only dumps the file.
func TestDICOMToolsOnSamples(t *testing.T) {
	t.Parallel()
	path := samples.Path(t, "sr/reportsi.dcm")
	errs, warns, err := extval.DCIODVfy(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(errs, func(l string) bool { return strings.Contains(l, "Referenced SOP Instance UID") }) {
		t.Errorf("dciodvfy errors %q lack the invalid Referenced SOP Instance UID", errs)
	}
	if len(warns) == 0 {
		t.Error("dciodvfy gave no warnings; it warns about the missing Patient ID")
	}
	dump, err := extval.DCMDump(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(dump.Errors) != 0 || !strings.Contains(dump.Output, "(0040,a730)") {
		t.Errorf("dcmdump: errors %q, output has no Content Sequence", dump.Errors)
	}
	for name, run := range map[string]func(string, ...string) (extval.DCMTKReport, error){"dsrdump": extval.DSRDump, "dsr2xml": extval.DSR2XML} {
		r, err := run(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Errors) == 0 {
			t.Errorf("%s reported no error on the invalid IMAGE item", name)
		}
	}
}

// TestDICOMToolsMissingFile: a file that is not there is a finding about
// the input, not a failure to run the tool.
func TestDICOMToolsMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "none.dcm")
	r, err := extval.DSRDump(path)
	if err != nil || len(r.Errors) == 0 {
		t.Errorf("DSRDump on a missing file: report %+v, err %v", r, err)
	}
	errs, _, err := extval.DCIODVfy(path)
	if err != nil || len(errs) == 0 {
		t.Errorf("DCIODVfy on a missing file: errors %q, err %v", errs, err)
	}
}
