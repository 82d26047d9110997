package sr_test

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/reportgen/reportgen/internal/fuzztest"
	"github.com/reportgen/reportgen/issue"
	"github.com/reportgen/reportgen/sr"
)

// part10 returns a Part 10 file: preamble, DICM, a minimal Explicit VR
// Little Endian meta group with transfer syntax ts, then dataset.
func part10(ts string, dataset []byte) []byte {
	var meta []byte
	add := func(group, elem uint16, vr string, v []byte) {
		meta = binary.LittleEndian.AppendUint16(meta, group)
		meta = binary.LittleEndian.AppendUint16(meta, elem)
		meta = append(meta, vr...)
		meta = binary.LittleEndian.AppendUint16(meta, uint16(len(v)))
		meta = append(meta, v...)
	}
	pad := func(s string) []byte {
		if len(s)%2 == 1 {
			s += "\x00"
		}
		return []byte(s)
	}
	add(2, 2, "UI", pad("1.2.840.10008.5.1.4.1.1.88.22"))
	add(2, 3, "UI", pad("2.25.1"))
	add(2, 0x10, "UI", pad(ts))
	out := make([]byte, 128, 128+4+12+len(meta)+len(dataset))
	out = append(out, "DICM"...)
	out = append(out, 2, 0, 0, 0, 'U', 'L', 4, 0)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(meta)))
	out = append(out, meta...)
	return append(out, dataset...)
}

// nested returns n Content Sequences of undefined length, each in the one
// item of the one before.
func nested(n int) []byte {
	var b []byte
	for range n {
		b = append(b, 0x40, 0x00, 0x30, 0xA7, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)
		b = append(b, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF)
	}
	return b
}

// TestValidateMalformed feeds inputs that are not SR files or are broken
// in their structure: each must give errors, and an unreadable file
// exactly one.
func TestValidateMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		// unreadable inputs give exactly one error issue
		unreadable bool
	}{
		{"nil", nil, true},
		{"empty", []byte{}, true},
		{"XML", []byte("<ClinicalDocument/>"), true},
		{"preamble only", make([]byte, 132), true},
		{"DICM only", append(make([]byte, 128), "DICM"...), true},
		// suyashkumar/dicom v1.1.0 panics on this one.
		{"empty transfer syntax", part10("", nil), true},
		{"big endian length past the end", part10("1.2.840.10008.1.2.2", []byte{0, 0x10, 0, 0x10, 'P', 'N', 0x7f, 0xff}), true},
		{"big endian item tag outside a sequence", part10("1.2.840.10008.1.2.2", []byte{0xff, 0xfe, 0xe0, 0, 0, 0, 0, 0}), true},
		{"bad deflate", part10("1.2.840.10008.1.2.1.99", []byte{0xff, 0xff, 0xff, 0xff}), true},
		{"length past the end", part10("1.2.840.10008.1.2.1", []byte{0x10, 0, 0x10, 0, 'P', 'N', 0xff, 0x7f}), true},
		{"sequence length past the end", part10("1.2.840.10008.1.2.1", []byte{0x40, 0, 0x30, 0xA7, 'S', 'Q', 0, 0, 0xf0, 0xff, 0xff, 0x7f}), true},
		{"sequences nested 10000 deep", part10("1.2.840.10008.1.2.1", nested(10000)), true},
		{"undefined length without delimiter", part10("1.2.840.10008.1.2.1", nested(3)), true},
		{"implicit nesting", part10("1.2.840.10008.1.2", nested(2)), true},
		{"VR garbage", part10("1.2.840.10008.1.2.1", []byte{0x08, 0, 0x60, 0, 0x01, 0x02, 0, 0}), true},
		{"empty dataset", part10("1.2.840.10008.1.2.1", nil), false},
		{"odd length and stray byte", part10("1.2.840.10008.1.2.1", []byte{0x08, 0, 0x60, 0, 'C', 'S', 1, 0, 'S', 0}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issues := sr.Validate(tt.in)
			errs := issues.Errors()
			if len(errs) == 0 {
				t.Fatal("no error reported")
			}
			if tt.unreadable && len(errs) != 1 {
				t.Errorf("want one error for an unreadable file, got:\n%s", list(issues))
			}
			for _, i := range issues {
				if i.RuleID == "" || i.Message == "" {
					t.Errorf("issue without rule or message: %#v", i)
				}
			}
		})
	}
}

// TestValidateTruncated cuts an encoded file at every length: no cut may
// panic, and every cut file must be found wanting.
func TestValidateTruncated(t *testing.T) {
	for name, b := range encodedExamples(t) {
		for n := range len(b) {
			if issues := sr.Validate(b[:n]); !issues.HasErrors() {
				t.Errorf("%s cut to %d bytes: no error", name, n)
			}
		}
	}
}

// TestValidateCorrupted flips random bytes of encoded files: Validate must
// return, whatever it finds.
func TestValidateCorrupted(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, b := range encodedExamples(t) {
		for range 3000 {
			c := slices.Clone(b)
			for range 1 + r.IntN(4) {
				c[r.IntN(len(c))] = byte(r.IntN(256))
			}
			sr.Validate(c)
		}
	}
}

// FuzzValidate runs Validate on arbitrary input, seeded with the examples
// in each transfer syntax the validator reads: it must return within the
// deadline, without panicking, issues that each have a severity, a rule
// and a message, and at least one error for a file it cannot read.
func FuzzValidate(f *testing.F) {
	for _, b := range encodedExamples(&testing.T{}) {
		f.Add(b)
		f.Add(deflate(&testing.T{}, b))
	}
	f.Add(part10("1.2.840.10008.1.2", nested(2)))
	f.Add(part10("1.2.840.10008.1.2.1", nested(3)))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzztest.Run(t, func() error {
			issues := sr.Validate(b)
			if err := checkIssues(issues); err != nil {
				return err
			}
			if len(b) < 132 && !issues.HasErrors() {
				return fmt.Errorf("%d bytes, too short for a Part 10 file, and no error", len(b))
			}
			return nil
		})
	})
}

// checkIssues: every issue has a known severity, a rule and a message.
func checkIssues(l issue.List) error {
	for _, i := range l {
		if i.Severity < issue.Error || i.Severity > issue.Info {
			return fmt.Errorf("bad severity in %v", i)
		}
		if i.RuleID == "" || i.Message == "" {
			return fmt.Errorf("issue without rule or message: %v", i)
		}
	}
	return nil
}

// TestValidateLocations checks the tag path form of locations.
func TestValidateLocations(t *testing.T) {
	b := encodedExamples(t)["ct-chest-measurements"]
	b = mutate(t, b, ctText, remove(tagTextValue))
	want := "(0040,A730)[9]/(0040,A730)[1]/(0040,A160)"
	for _, i := range sr.Validate(b) {
		if i.RuleID == "SR-CI-04" {
			if i.Location != want {
				t.Errorf("location %q, want %q", i.Location, want)
			}
			return
		}
	}
	t.Error("no SR-CI-04 issue")
}

// FuzzReadTransferSyntaxes drives the readers of the transfer syntaxes
// this project reads but does not write: mode 0 reads the bytes as an
// Explicit VR Big Endian dataset, mode 1 deflates them first (the reader
// inflates, then parses), mode 2 hands them to the inflater as they are.
// The seeds are the examples in big endian and deflated form. Issues must
// have a severity, a rule and a message, within the deadline.
func FuzzReadTransferSyntaxes(f *testing.F) {
	t := &testing.T{}
	for _, b := range encodedExamples(t) {
		be := mutate(t, b, nil, set(tagTransferSyntax, []string{"1.2.840.10008.1.2.2"}))
		f.Add(byte(0), datasetOf(be))
		f.Add(byte(1), datasetOf(b))
		f.Add(byte(2), datasetOf(deflate(t, b)))
	}
	f.Add(byte(0), nested(3))
	f.Fuzz(func(t *testing.T, mode byte, ds []byte) {
		var file []byte
		switch mode % 3 {
		case 0:
			file = part10("1.2.840.10008.1.2.2", ds)
		case 1:
			var z bytes.Buffer
			w, _ := flate.NewWriter(&z, flate.BestSpeed)
			w.Write(ds)
			w.Close()
			file = part10("1.2.840.10008.1.2.1.99", z.Bytes())
		default:
			file = part10("1.2.840.10008.1.2.1.99", ds)
		}
		fuzztest.Run(t, func() error { return checkIssues(sr.Validate(file)) })
	})
}

// datasetOf returns the dataset of a Part 10 file: what follows the file
// meta information group.
func datasetOf(b []byte) []byte {
	groupLen := int(binary.LittleEndian.Uint32(b[140:]))
	return b[144+groupLen:]
}
