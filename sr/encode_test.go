package sr_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

// TestEncodeRefuses checks that input the SR cannot carry is an error that
// names the attribute or the problem, never a truncated value, and that
// the message holds no value.
func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		doc  func(d *content.Document) *content.Document
		want error
		// says is what the message must contain; secret is a value it
		// must not.
		says, secret string
	}{
		{"nil document", func(*content.Document) *content.Document { return nil }, sr.ErrMissingValue, "no document", ""},
		{"no content tree", func(d *content.Document) *content.Document { d.Root = nil; return d }, sr.ErrMissingValue, "content tree", ""},
		{"no report", func(d *content.Document) *content.Document { d.Report = nil; return d }, sr.ErrMissingValue, "no report", ""},
		{"status not set", func(d *content.Document) *content.Document {
			d.Report.Status = pb.ReportStatus_REPORT_STATUS_UNSPECIFIED
			return d
		}, sr.ErrMissingValue, "status", ""},
		{"final without legal authenticator", func(d *content.Document) *content.Document {
			d.Report.LegalAuthenticator = nil
			return d
		}, sr.ErrMissingValue, "legal authenticator", ""},
		{"correction without predecessor", func(d *content.Document) *content.Document {
			d.Report.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
			return d
		}, sr.ErrMissingValue, "predecessor", ""},
		{"name part with a caret", func(d *content.Document) *content.Document {
			d.Report.Patient.Name.Family = "Le^vin"
			return d
		}, sr.ErrInvalidValue, "Patient's Name (0010,0010)", "Le^vin"},
		{"TEXT without text", func(d *content.Document) *content.Document {
			d.Sections()[0].Children[0].Text = ""
			return d
		}, sr.ErrMissingValue, "content item 1.6.1", ""},
		{"NUM without value", func(d *content.Document) *content.Document {
			d.Root.Add(&content.Node{Relationship: content.Contains, Type: content.Num, Concept: content.ConceptFinding})
			return d
		}, sr.ErrMissingValue, "NUM has no value", ""},
		{"IMAGE frame 0", func(d *content.Document) *content.Document {
			d.Root.Add(&content.Node{Relationship: content.Contains, Type: content.Image,
				Image: &content.ImageRef{SOPClassUID: "1.2.840.10008.5.1.4.1.1.2", SOPInstanceUID: "2.25.1", Frames: []int32{0}}})
			return d
		}, sr.ErrInvalidValue, "frame number", ""},
		{"item without relationship", func(d *content.Document) *content.Document {
			d.Root.Add(&content.Node{Type: content.Text, Concept: content.ConceptFinding, Text: "x"})
			return d
		}, sr.ErrUnsupported, "relationship type", ""},
		{"cyclic tree", func(d *content.Document) *content.Document {
			s := d.Sections()[0]
			s.Add(s)
			return d
		}, sr.ErrUnsupported, "deeper than", ""},
		{"not an SR SOP class", func(d *content.Document) *content.Document {
			d.Identity.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
			return d
		}, sr.ErrUnsupported, "SOP Class UID", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc(example(t, "chest-radiograph", content.Options{}))
			b, err := sr.Encode(doc)
			if err == nil {
				t.Fatalf("Encode gave %d bytes, want an error", len(b))
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", err, tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "sr: ") || !strings.Contains(msg, tt.says) {
				t.Errorf("error %q does not start with sr: and say %q", msg, tt.says)
			}
			if tt.secret != "" && strings.Contains(msg, tt.secret) {
				t.Errorf("error %q quotes the value", msg)
			}
		})
	}
}

// TestEncodeLeavesValuesToValidate: the encoder does not judge values
// against their VRs (the validator's reading of PS3.5 must not be shared
// with the writer it judges), so a value no VR allows is written, and the
// validator, run on those bytes as the engine always does, refuses them
// by rule and attribute, without quoting the value.
func TestEncodeLeavesValuesToValidate(t *testing.T) {
	long := strings.Repeat("x", 65)
	tests := []struct {
		name string
		doc  func(d *content.Document) *content.Document
		// rule is the prefix of the rule id the validator must report,
		// says what its location or message must name, secret a value it
		// must not quote.
		rule, says, secret string
	}{
		{"code meaning longer than LO", func(d *content.Document) *content.Document {
			d.Root.Children[0].Code.Meaning = long
			return d
		}, "SR-VR-01", "Code Meaning (0008,0104)", long},
		{"accession number longer than SH", func(d *content.Document) *content.Document {
			d.Report.Study.AccessionNumber = "ACC-12345678901234"
			return d
		}, "SR-VR-01", "Accession Number (0008,0050)", "ACC-12345678901234"},
		{"patient name group longer than 64", func(d *content.Document) *content.Document {
			d.Report.Patient.Name.Family = strings.Repeat("Levin", 12)
			return d
		}, "SR-VR-01", "Patient's Name (0010,0010)", "LevinLevin"},
		{"text with a control character", func(d *content.Document) *content.Document {
			d.Sections()[0].Children[0].Text = "bell\a"
			return d
		}, "SR-VR-0", "Text Value (0040,A160)", "bell"},
		{"invalid study UID", func(d *content.Document) *content.Document {
			d.Report.Study.StudyInstanceUid = "1.2.03"
			return d
		}, "SR-UID", "Study Instance UID (0020,000D)", "1.2.03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := sr.Encode(tt.doc(example(t, "chest-radiograph", content.Options{})))
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			var found bool
			for _, i := range sr.Validate(b).Errors() {
				if strings.HasPrefix(i.RuleID, tt.rule) && strings.Contains(i.Location+" "+i.Message, tt.says) {
					found = true
				}
				if tt.secret != "" && strings.Contains(i.Message, tt.secret) {
					t.Errorf("issue %v quotes the value", i)
				}
			}
			if !found {
				t.Errorf("no %s error naming %q in %v", tt.rule, tt.says, sr.Validate(b).Errors())
			}
		})
	}
}

// TestEncodeDeterministic guards the golden files: the same document must
// give the same bytes, whatever the clock says.
func TestEncodeDeterministic(t *testing.T) {
	a, err := sr.Encode(example(t, "ct-chest-measurements", content.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	b, err := sr.Encode(example(t, "ct-chest-measurements", content.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two encodings of one document differ")
	}
}

// TestEncodeVariants covers header and value cases the examples do not
// reach; every file must pass our validator and the external tools.
func TestEncodeVariants(t *testing.T) {
	tests := []struct {
		name    string
		example string
		change  func(d *content.Document)
	}{
		{"correction", "chest-radiograph", func(d *content.Document) {
			d.Report.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
			d.Report.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.11", SrSeriesInstanceUid: "2.25.12", SrSopInstanceUid: "2.25.13"}
		}},
		{"addendum by a separate verifying observer", "ct-chest-measurements", func(d *content.Document) {
			d.Report.Status = pb.ReportStatus_REPORT_STATUS_ADDENDUM
			d.Report.Predecessor = &pb.PredecessorDocument{SrStudyInstanceUid: "2.25.10", SrSeriesInstanceUid: "2.25.12", SrSopInstanceUid: "2.25.13", SrSopClassUid: content.BasicTextSR}
			d.Report.VerifyingObserver = &pb.Practitioner{Name: &pb.PersonName{Family: "Attending", Given: []string{"Ann", "B", "C"}, Suffix: "MD"}}
		}},
		{"order numbers and no accession number", "chest-radiograph", func(d *content.Document) {
			d.Report.Study.AccessionNumber = ""
		}},
		{"prior-study image", "ct-chest-measurements", func(d *content.Document) {
			d.Evidence[1].StudyUID = "2.25.777"
		}},
		{"long code value", "chest-radiograph", func(d *content.Document) {
			// 17 characters: Long Code Value, with odd length to exercise
			// its padding.
			d.Root.Children[1].Code.Value = "RPID1234567890123"
		}},
		{"UTC times", "mr-brain", func(d *content.Document) {
			d.ReportTime = d.ReportTime.UTC()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := example(t, tt.example, content.Options{})
			tt.change(doc)
			b := sameAsLibrary(t, doc)
			if b == nil {
				t.Fatal("Encode refused the document")
			}
			for _, i := range sr.Validate(b) {
				t.Errorf("Validate: %v", i)
			}
			checkTools(t, writeTemp(t, b))
		})
	}
}

// TestValidateOtherTransferSyntaxes reads files of other systems: Implicit
// VR and deflated Explicit VR are valid DICOM, so only a warning says they
// are not what this project writes.
func TestValidateOtherTransferSyntaxes(t *testing.T) {
	b := encodedExamples(t)["ct-chest-measurements"]
	implicit := mutate(t, b, nil, set(tagTransferSyntax, []string{"1.2.840.10008.1.2"}))
	bigEndian := mutate(t, b, nil, set(tagTransferSyntax, []string{"1.2.840.10008.1.2.2"}))
	deflated := deflate(t, b)
	// dcmtk's dcmconv writes the other two once more: a writer that is
	// not this project's nor its test library's.
	src := writeTemp(t, b)
	byDCMTK := map[string][]byte{}
	for name, opt := range map[string]string{"big endian (dcmconv)": "+tb", "deflated (dcmconv)": "+td"} {
		out := filepath.Join(t.TempDir(), "conv.dcm")
		if err := extval.DCMConv(src, out, opt); err != nil {
			t.Fatal(err)
		}
		c, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		byDCMTK[name] = c
	}
	files := map[string][]byte{"implicit": implicit, "big endian": bigEndian, "deflated": deflated}
	maps.Copy(files, byDCMTK)
	for name, f := range files {
		t.Run(name, func(t *testing.T) {
			issues := sr.Validate(f)
			if issues.HasErrors() || len(issues) != 1 || issues[0].RuleID != "SR-FILE-03" || issues[0].Severity != issue.Warning {
				t.Errorf("want one SR-FILE-03 warning, got:\n%s", list(issues))
			}
			if strings.HasPrefix(name, "big endian") && !strings.Contains(issues[0].Message, "retired") {
				t.Errorf("the warning does not say the transfer syntax is retired: %s", issues[0].Message)
			}
			path := writeTemp(t, f)
			checkDCMTK(t, path)
			if !strings.HasPrefix(name, "deflated") {
				// dicom3tools 20220618 cannot read deflated files at all.
				checkDCIODVfy(t, path)
			}
		})
	}
	// The same tree comes out of every transfer syntax: the validator
	// reads what the file says, not what its byte order happens to be.
	want := sr.Validate(b)
	for name, f := range files {
		got := sr.Validate(f)
		if len(got) != len(want)+1 {
			t.Errorf("%s: %d issues, the Explicit VR Little Endian file has %d (plus the transfer syntax warning)", name, len(got), len(want))
		}
	}
}

// TestEncodeConcurrent: Encode reuses its buffers from a pool, so calls
// running at once, and calls after a refused document, must each still
// give exactly the bytes of a call on its own.
func TestEncodeConcurrent(t *testing.T) {
	examples := contenttest.Load(t, content.Options{})
	want := make([][]byte, len(examples))
	for i, ex := range examples {
		b, err := sr.Encode(ex.Doc)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = b
	}
	bad := example(t, "chest-radiograph", content.Options{})
	bad.Sections()[0].Children[0].Text = ""
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for round := range 20 {
				i := (g + round) % len(examples)
				if _, err := sr.Encode(bad); err == nil {
					errs <- errors.New("a document without text was encoded")
					return
				}
				b, err := sr.Encode(examples[i].Doc)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(b, want[i]) {
					errs <- fmt.Errorf("%s: concurrent encoding differs from the one alone", examples[i].Name)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
