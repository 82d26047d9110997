package cda_test

import (
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/cda/conformance"
	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas/ucum/ucumtest"
)

// sourceSR is the SOP Instance UID of the SR the documents of these tests
// are transformed from.
const sourceSR = "1.2.826.0.1.3680043.10.1074.7.1"

// TestEncodeTransformed: a Document with SourceSR names the SR with exactly
// one relatedDocument XFRM, writes the author's, legal authenticator's
// and custodian's missing identifiers as nullFlavor UNK, and passes the
// CDA schema, the HL7 schematron and our DIR rules.
func TestEncodeTransformed(t *testing.T) {
	v := compile(t)
	dir, err := conformance.New(conformance.WithUCUM(ucumtest.Load(t)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		example string
		edit    func(d *content.Document)
		unknown []string // paths whose id must be the one nullFlavor UNK
	}{
		{"identified", "chest-radiograph", nil, nil},
		{"preliminary", "mr-brain", func(d *content.Document) { d.Report.Author.Ids = nil }, []string{"./author/assignedAuthor"}},
		{"no identifiers", "ct-chest-measurements", func(d *content.Document) {
			d.Report.Author.Ids, d.Report.LegalAuthenticator.Ids, d.Report.Custodian.Ids = nil, nil, nil
		}, []string{
			"./author/assignedAuthor",
			"./legalAuthenticator/assignedEntity",
			"./custodian/assignedCustodian/representedCustodianOrganization",
			"./documentationOf/serviceEvent/performer/assignedEntity",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := fresh(t, tc.example)
			if tc.edit != nil {
				tc.edit(d)
			}
			d.SourceSR = sourceSR
			out, err := cda.Encode(d, cda.Options{WADOBaseURL: wadoBase})
			if err != nil {
				t.Fatal(err)
			}
			x := etree.NewDocument()
			if err := x.ReadFromBytes(out); err != nil {
				t.Fatalf("output is not XML: %v", err)
			}
			rd := x.Root().SelectElements("relatedDocument")
			if len(rd) != 1 {
				t.Fatalf("%d relatedDocument elements, want exactly one", len(rd))
			}
			related("XFRM", sourceSR, "")(t, x)
			if ids := rd[0].FindElements("parentDocument/id"); len(ids) != 1 || len(ids[0].Attr) != 1 {
				t.Errorf("parentDocument must hold one id with only its root")
			}
			for _, p := range tc.unknown {
				el := x.Root().FindElement(p)
				if el == nil {
					t.Errorf("no %s", p)
					continue
				}
				ids := el.SelectElements("id")
				if len(ids) != 1 || len(ids[0].Attr) != 1 || ids[0].SelectAttrValue("nullFlavor", "") != "UNK" {
					t.Errorf(`%s: want exactly <id nullFlavor="UNK"/>`, p)
				}
			}
			v.validate(t, out)
			for _, i := range dir.Check(out).Errors() {
				t.Errorf("DIR rules: %s", i)
			}
		})
	}
}

// TestEncodeTransformedErrors: the encoder refuses what a transformed
// document cannot say instead of choosing for the transform.
func TestEncodeTransformedErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(d *content.Document)
		want string
	}{
		{"corrected", func(d *content.Document) {
			d.Report.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
			d.Report.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.1234"}
		}, "one relatedDocument"},
		{"addendum", func(d *content.Document) {
			d.Report.Status = pb.ReportStatus_REPORT_STATUS_ADDENDUM
			d.Report.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.1234"}
		}, "one relatedDocument"},
		{"SOP Instance UID not a UID", func(d *content.Document) { d.SourceSR = "1.2.3.abc" }, "source SR SOP Instance UID"},
		{"patient without identifier", func(d *content.Document) { d.Report.Patient.Ids = nil }, "patient needs at least one identifier"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := fresh(t, "chest-radiograph")
			d.SourceSR = sourceSR
			tc.edit(d)
			out, err := cda.Encode(d, cda.Options{})
			if err == nil {
				t.Fatalf("want an error containing %q, got a document of %d bytes", tc.want, len(out))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}
