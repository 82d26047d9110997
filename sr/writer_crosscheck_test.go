package sr_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/internal/fuzztest"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
	"github.com/reportgen/reportgen/templates"
)

// The cross-check: Encode lays the attribute list out with the package's
// own writer; EncodeWithLibrary hands the same list to suyashkumar/dicom's
// Write. The two must agree byte for byte on every document and refuse
// the same documents with the same error. Bytes, not a semantic
// comparison: the validator and the golden files judge the exact bytes
// returned, and equal bytes leave nothing (padding, length fields,
// delimiters, group length, order) to argue about.

// sameAsLibrary encodes doc both ways and fails on any difference. It
// returns Encode's bytes (nil on error).
func sameAsLibrary(t testing.TB, doc *content.Document) []byte {
	t.Helper()
	b, err := compareWithLibrary(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func compareWithLibrary(doc *content.Document) ([]byte, error) {
	direct, derr := sr.Encode(doc)
	lib, lerr := sr.EncodeWithLibrary(doc)
	if (derr == nil) != (lerr == nil) || derr != nil && derr.Error() != lerr.Error() {
		return nil, fmt.Errorf("Encode error %v, the library's error %v", derr, lerr)
	}
	if derr != nil {
		return nil, nil
	}
	if !bytes.Equal(direct, lib) {
		return nil, fmt.Errorf("Encode and the library's Write differ: %s", byteDiff(lib, direct))
	}
	return direct, nil
}

// byteDiff says where two files part and shows the bytes around it.
func byteDiff(want, got []byte) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-16)
	return fmt.Sprintf("%d and %d bytes, first difference at offset %d:\nlibrary % x\nEncode  % x",
		len(want), len(got), i, want[from:min(len(want), i+16)], got[from:min(len(got), i+16)])
}

// TestEncodeMatchesLibrary runs the cross-check on every example with
// both heading code sets (the golden files' inputs) and with every
// built-in template.
func TestEncodeMatchesLibrary(t *testing.T) {
	reg, err := templates.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	opts := map[string]content.Options{}
	for _, hs := range headingSets {
		opts[hs.name] = hs.opt
		for _, tmpl := range reg.List() {
			opts[hs.name+"/"+tmpl.ID] = content.Options{TemplateID: tmpl.ID, Template: tmpl, HeadingCodes: hs.opt.HeadingCodes}
		}
	}
	n := 0
	for name, opt := range opts {
		for _, ex := range contenttest.Load(t, opt) {
			t.Run(name+"/"+ex.Name, func(t *testing.T) {
				if sameAsLibrary(t, ex.Doc) == nil {
					t.Fatal("Encode refused the example")
				}
			})
			n++
		}
	}
	if len(reg.List()) < 2 || n < len(headingSets)*(len(reg.List())+1)*3 {
		t.Errorf("%d documents from %d templates: the examples or templates are missing", n, len(reg.List()))
	}
}

// TestEncodeMatchesLibraryVariants covers what the examples may not:
// odd-length values of each VR the encoder writes, whose padding differs
// (NUL for UI, a space for the rest); evidence from several studies and
// series referenced in no order; a text too long for a 16-bit length.
func TestEncodeMatchesLibraryVariants(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *content.Document)
	}{
		{"odd lengths", func(d *content.Document) {
			r := d.Report
			r.Patient.Name = &pb.PersonName{Family: "Odd", Given: []string{"Al"}} // PN
			r.Patient.Ids[0].Value = "ODD"                                        // LO
			r.Study.AccessionNumber = "A12"                                       // SH
			r.Study.StudyInstanceUid = "2.25.123"                                 // UI
			r.Study.ProcedureDescription = ""                                     // LO, left out
			d.Root.Children[1].Code.Value = "RPID1234567890123"                   // UC
			d.Sections()[0].Children[0].Text = "An odd text."                     // UT
			d.Root.Add(&content.Node{Relationship: content.Contains, Type: content.Date, Concept: content.ConceptFinding, Date: "2024011"})
			d.Root.Add(&content.Node{Relationship: content.Contains, Type: content.UIDRef, Concept: content.ConceptFinding, UID: "2.25.1"})
			d.Root.Add(&content.Node{Relationship: content.Contains, Type: content.Image,
				Image: &content.ImageRef{SOPClassUID: "1.2.840.10008.5.1.4.1.1.2.1", SOPInstanceUID: "2.25.77", Frames: []int32{1, 22, 333}}})
		}},
		{"evidence of three studies in no order", func(d *content.Document) {
			base := d.Evidence[0]
			for i, k := range []string{"a1", "b1", "a2", "a1", "c1", "b2", "a1", "b1", "c1"} {
				im := *base
				if k[0] != 'a' {
					im.StudyUID = "2.25.9" + k[:1]
				}
				im.SeriesUID = "2.25.8" + k
				im.SOPInstanceUID = "2.25.7" + strings.Repeat("1", i+1)
				d.Evidence = append(d.Evidence, &im)
			}
		}},
		{"text beyond 64 KiB with TABs", func(d *content.Document) {
			d.Sections()[0].Children[0].Text = strings.Repeat("long\ttext ", 10000)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := example(t, "ct-chest-measurements", content.Options{})
			tt.change(doc)
			sameAsLibrary(t, doc)
		})
	}
}

// TestEncodeRefusesAsLibrary: the documents Encode refuses, the library
// path refuses with the same error.
func TestEncodeRefusesAsLibrary(t *testing.T) {
	for _, change := range []func(d *content.Document){
		func(d *content.Document) { d.Report = nil },
		func(d *content.Document) { d.Report.Status = pb.ReportStatus_REPORT_STATUS_UNSPECIFIED },
		func(d *content.Document) { d.Sections()[0].Children[0].Text = "" },
		func(d *content.Document) { s := d.Sections()[0]; s.Add(s) },
		func(d *content.Document) { d.Report.Patient.Name.Family = "Le^vin" },
	} {
		doc := example(t, "chest-radiograph", content.Options{})
		change(doc)
		if _, err := compareWithLibrary(doc); err != nil {
			t.Error(err)
		}
		if _, err := sr.Encode(doc); err == nil {
			t.Error("Encode accepted a document it must refuse")
		}
	}
}

// FuzzEncodeMatchesLibrary: for any report the tree builder accepts,
// Encode and the library agree (same bytes, or the same refusal), and
// Encode does not panic. The report is not checked first, so the trees
// reach corners the request checks keep out: odd and empty values, control
// characters, long texts.
func FuzzEncodeMatchesLibrary(f *testing.F) {
	contenttest.AddReportSeeds(f)
	f.Fuzz(func(t *testing.T, wire []byte, dcm bool) {
		opt := content.Options{}
		if dcm {
			opt.HeadingCodes = content.HeadingDCM
		}
		doc := contenttest.FuzzDocument(wire, opt)
		if doc == nil {
			return
		}
		fuzztest.Run(t, func() error {
			_, err := compareWithLibrary(doc)
			return err
		})
	})
}
