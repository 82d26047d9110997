package sr_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/internal/samples"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

const (
	ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"
	otherUID       = "2.25.1234567890"
	// ctImageSeries is a series that ct-chest-measurements references.
	ctImageSeries = "2.25.297574898354206291287932974861661426010"
)

// Paths into the example trees (see testdata/*.dsrdump.txt): section 9 of
// ct-chest-measurements and mr-brain's section 8 are Findings.
var (
	cs         = tag.ContentSequence
	ctFindings = []step{{cs, 9}}
	ctText     = []step{{cs, 9}, {cs, 1}}
	ctTextImg  = []step{{cs, 9}, {cs, 3}, {cs, 2}}
	ctNum      = []step{{cs, 9}, {cs, 4}, {tag.MeasuredValueSequence, 1}}
	mrCode     = []step{{cs, 8}, {cs, 3}}
	rootName   = []step{{tag.ConceptNameCodeSequence, 1}}
)

// brokenCase is an encoded example broken in one way.
type brokenCase struct {
	name    string
	example string // an example name, or "corrected" for the CORRECTED variant
	path    []step
	edit    edit
	raw     func([]byte) []byte // a byte-level break instead of path and edit
	rule    string              // the rule Validate must report as an error; "" for a valid mutant
	// dciodvfy and dsrdump are true where the tool has an opinion on the
	// same break: it must then report an error too. schema is the same
	// for dcmtk's dsr2xml output against its XML Schema.
	dciodvfy, dsrdump, schema bool
	// why explains a disagreement: Validate fails the mutant and no
	// independent tool does, or the reverse. A mutant on which they
	// disagree without a reason fails the test, and so does a reason
	// that no longer explains a disagreement.
	why string
}

// Reasons for the disagreements that come from what a tool checks.
const (
	whyTemplate = "TID 2000 rule: dciodvfy and dcmtk do not check templates (PixelMed judges templates, but only trees with the DCM headings its 2022 build knows: it judges the examples and built-in templates, not these mutants)"
	whyStricter = "the value is wrong by the standard's words (quoted at the rule) but no tool here checks it"
)

var brokenCases = []brokenCase{
	{name: "no preamble", example: "chest-radiograph", raw: func(b []byte) []byte { return b[128:] }, rule: "SR-FILE-01", dciodvfy: true, dsrdump: true},
	{name: "no Implementation Class UID", example: "chest-radiograph", edit: remove(tag.ImplementationClassUID), rule: "SR-FILE-01", dciodvfy: true},
	{name: "meta SOP instance differs", example: "chest-radiograph", edit: set(tag.MediaStorageSOPInstanceUID, []string{otherUID}), rule: "SR-FILE-02", dciodvfy: true},
	{name: "elements out of order", example: "chest-radiograph", edit: all(remove(tag.PatientID), appendRaw(mustElement(tag.PatientID, []string{"X"}))), rule: "SR-FILE-04", dciodvfy: true},
	{name: "UC padded with NUL", example: "chest-radiograph", path: rootName, edit: all(remove(tag.CodeValue), set(tag.LongCodeValue, []string{"ABCDEFGHIJKLMNOPQ"})), rule: "SR-FILE-05", dciodvfy: true},
	{name: "SOP class CT image", example: "chest-radiograph", edit: all(set(tag.SOPClassUID, []string{ctImageStorage}), set(tag.MediaStorageSOPClassUID, []string{ctImageStorage})), rule: "SR-IOD-01", dciodvfy: true, dsrdump: true},
	{name: "NUM in Basic Text SR", example: "ct-chest-measurements", edit: basicText(), rule: "SR-IOD-02", dciodvfy: true, dsrdump: true},
	{name: "by-reference item in Enhanced SR", example: "ct-chest-measurements", path: ctText, edit: set(tag.ReferencedContentItemIdentifier, []int{1, 6}), rule: "SR-IOD-03", dciodvfy: true},
	{name: "CODE inferred from IMAGE in Basic Text SR", example: "mr-brain", edit: basicText(), rule: "SR-IOD-04", dsrdump: true},
	{name: "no Completion Flag", example: "chest-radiograph", edit: remove(tag.CompletionFlag), rule: "SR-MOD-01", dciodvfy: true},
	{name: "no Patient ID (Type 2)", example: "chest-radiograph", edit: remove(tag.PatientID), rule: "SR-MOD-01", dciodvfy: true},
	{name: "empty Study Instance UID", example: "chest-radiograph", edit: set(tag.StudyInstanceUID, []string{""}), rule: "SR-MOD-01", dciodvfy: true},
	{name: "evidence without series", example: "ct-chest-measurements", path: []step{{tag.CurrentRequestedProcedureEvidenceSequence, 1}}, edit: remove(tag.ReferencedSeriesSequence), rule: "SR-MOD-01", dciodvfy: true},
	{name: "Modality CT", example: "chest-radiograph", edit: set(tag.Modality, []string{"CT"}), rule: "SR-MOD-02", dciodvfy: true, dsrdump: true},
	{name: "no Referenced Performed Procedure Step Sequence", example: "chest-radiograph", edit: remove(tag.ReferencedPerformedProcedureStepSequence), rule: "SR-MOD-03", dciodvfy: true},
	{name: "Completion Flag not enumerated", example: "chest-radiograph", edit: set(tag.CompletionFlag, []string{"DONE"}), rule: "SR-MOD-04", dciodvfy: true},
	{name: "VERIFIED but PARTIAL", example: "chest-radiograph", edit: set(tag.CompletionFlag, []string{"PARTIAL"}), rule: "SR-MOD-05", dciodvfy: true},
	{name: "VERIFIED without Verifying Observer Sequence", example: "mr-brain", edit: all(set(tag.VerificationFlag, []string{"VERIFIED"}), set(tag.PreliminaryFlag, []string{"FINAL"})), rule: "SR-MOD-06", dciodvfy: true},
	{name: "Verifying Observer Sequence while UNVERIFIED", example: "chest-radiograph", edit: set(tag.VerificationFlag, []string{"UNVERIFIED"}), rule: "SR-MOD-06", dciodvfy: true},
	{name: "verifying observer without organization", example: "chest-radiograph", path: []step{{tag.VerifyingObserverSequence, 1}}, edit: remove(tag.VerifyingOrganization), rule: "SR-MOD-06", dciodvfy: true},
	{name: "image missing from evidence", example: "ct-chest-measurements", path: []step{{tag.CurrentRequestedProcedureEvidenceSequence, 1}}, edit: removeItem(tag.ReferencedSeriesSequence, 2), rule: "SR-MOD-08", dciodvfy: true},
	{name: "no evidence at all", example: "ct-chest-measurements", edit: remove(tag.CurrentRequestedProcedureEvidenceSequence), rule: "SR-MOD-08", dciodvfy: true},
	{name: "predecessor without series UID", example: "corrected", path: []step{{tag.PredecessorDocumentsSequence, 1}, {tag.ReferencedSeriesSequence, 1}}, edit: remove(tag.SeriesInstanceUID), rule: "SR-MOD-09", dciodvfy: true},
	{name: "referenced request without accession number", example: "chest-radiograph", path: []step{{tag.ReferencedRequestSequence, 1}}, edit: remove(tag.AccessionNumber), rule: "SR-MOD-10", dciodvfy: true},
	{name: "Patient's Sex X", example: "chest-radiograph", edit: set(tag.PatientSex, []string{"X"}), rule: "SR-MOD-13", dciodvfy: true},
	{name: "UTF-8 without Specific Character Set", example: "mr-brain", edit: remove(tag.SpecificCharacterSet), rule: "SR-MOD-14", dciodvfy: true, dsrdump: true},
	{name: "SR in an image series", example: "ct-chest-measurements", edit: set(tag.SeriesInstanceUID, []string{ctImageSeries}), rule: "SR-MOD-15", why: "project rule SR-MOD-15 (an SR goes in a series of its own, PS3.3 C.17.1); no tool compares series UIDs with the evidence"},
	{name: "root without Continuity Of Content", example: "chest-radiograph", edit: remove(tag.ContinuityOfContent), rule: "SR-CI-01", dciodvfy: true, dsrdump: true},
	{name: "TEXT without concept name", example: "ct-chest-measurements", path: ctText, edit: remove(tag.ConceptNameCodeSequence), rule: "SR-CI-02", dciodvfy: true, dsrdump: true},
	{name: "Relationship Type not enumerated", example: "ct-chest-measurements", path: ctText, edit: set(tag.RelationshipType, []string{"OWNS"}), rule: "SR-CI-03", dsrdump: true},
	{name: "TEXT without Text Value", example: "ct-chest-measurements", path: ctText, edit: remove(tag.TextValue), rule: "SR-CI-04", dciodvfy: true, dsrdump: true},
	{name: "CODE without Concept Code Sequence", example: "mr-brain", path: mrCode, edit: remove(tag.ConceptCodeSequence), rule: "SR-CI-04", dciodvfy: true, dsrdump: true},
	{name: "Continuity Of Content not enumerated", example: "ct-chest-measurements", path: ctFindings, edit: set(tag.ContinuityOfContent, []string{"MAYBE"}), rule: "SR-CI-05", dciodvfy: true, dsrdump: true},
	{name: "NUM without units", example: "ct-chest-measurements", path: ctNum, edit: remove(tag.MeasurementUnitsCodeSequence), rule: "SR-CI-06", dciodvfy: true, dsrdump: true},
	{name: "NUM value not a decimal", example: "ct-chest-measurements", path: ctNum, edit: set(tag.NumericValue, []string{"12 mm"}), rule: "SR-CI-06", dciodvfy: true, dsrdump: true},
	{name: "IMAGE without Referenced SOP Sequence", example: "ct-chest-measurements", path: ctTextImg, edit: remove(tag.ReferencedSOPSequence), rule: "SR-CI-08", dciodvfy: true, dsrdump: true},
	{name: "IMAGE of an unknown SOP class", example: "ct-chest-measurements", path: append(slices.Clone(ctTextImg), step{tag.ReferencedSOPSequence, 1}), edit: set(tag.ReferencedSOPClassUID, []string{"1.2.3.4"}), rule: "SR-CI-08", dciodvfy: true, dsrdump: true},
	{name: "code without Code Meaning", example: "chest-radiograph", path: rootName, edit: remove(tag.CodeMeaning), rule: "SR-CI-12", dciodvfy: true, dsrdump: true},
	{name: "Code Value longer than 16", example: "chest-radiograph", path: rootName, edit: set(tag.CodeValue, []string{"12345678901234567"}), rule: "SR-CI-13", dciodvfy: true},
	{name: "UID with a leading zero", example: "chest-radiograph", edit: set(tag.StudyInstanceUID, []string{"1.2.03.4"}), rule: "SR-UID-01", dciodvfy: true},
	{name: "series UID equals study UID", example: "chest-radiograph", edit: set(tag.SeriesInstanceUID, []string{"2.25.89910037148811380849154474346994523236"}), rule: "SR-UID-03", dciodvfy: true},
	{name: "LO longer than 64", example: "chest-radiograph", edit: set(tag.Manufacturer, []string{strings.Repeat("m", 65)}), rule: "SR-VR-01", dciodvfy: true},
	{name: "CS in lower case", example: "chest-radiograph", path: []step{{tag.IssuerOfPatientIDQualifiersSequence, 1}}, edit: set(tag.UniversalEntityIDType, []string{"iso"}), rule: "SR-VR-02", dciodvfy: true},
	{name: "no language", example: "chest-radiograph", edit: removeItem(cs, 1), rule: "SR-TID-02", why: whyTemplate},
	{name: "no observer in an unverified report", example: "mr-brain", edit: removeItem(cs, 4), rule: "SR-TID-03", why: whyTemplate},
	{name: "root CONTAINS a TEXT", example: "chest-radiograph", path: []step{{cs, 5}}, edit: set(tag.RelationshipType, []string{"CONTAINS"}), rule: "SR-TID-05", why: whyTemplate},
	{name: "no template reference", example: "chest-radiograph", edit: remove(tag.ContentTemplateSequence), rule: "SR-TID-10", why: whyTemplate},
	{name: "date that does not exist", example: "chest-radiograph", edit: set(tag.ContentDate, []string{"20261331"}), rule: "SR-VR-03"},

	// Timezone Offset From UTC is &ZZXX, & a sign (PS3.3 C.12.1).
	{name: "timezone offset without sign", example: "chest-radiograph", edit: set(tag.TimezoneOffsetFromUTC, []string{"0500"}), rule: "SR-MOD-16", schema: true},
	{name: "timezone offset of 25 hours", example: "chest-radiograph", edit: set(tag.TimezoneOffsetFromUTC, []string{"+2500"}), rule: "SR-MOD-16",
		why: "PS3.5 Table 6.2-1 bounds a UTC offset to -1200..+1400; dsr2xml's schema checks only the pattern [-+][0-9]{4}"},
	{name: "timezone offset with a colon", example: "chest-radiograph", edit: set(tag.TimezoneOffsetFromUTC, []string{"-05:0"}), rule: "SR-MOD-16", schema: true},
	// Specific Character Set: Defined Terms of PS3.3 C.12.1.1.2 only.
	{name: "unknown Specific Character Set", example: "chest-radiograph", edit: set(tag.SpecificCharacterSet, []string{"ISO_IR 999"}), rule: "SR-MOD-14", schema: true},
	{name: "ISO_IR 192 with a second value", example: "mr-brain", edit: set(tag.SpecificCharacterSet, []string{"ISO_IR 192", "ISO 2022 IR 87"}), rule: "SR-MOD-14", schema: true},
	{name: "GB18030 with a second value", example: "chest-radiograph", edit: set(tag.SpecificCharacterSet, []string{"GB18030", "ISO 2022 IR 100"}), rule: "SR-MOD-14", schema: true},
	// Control characters: only CR, LF, FF and ESC in LT, ST and UT; only
	// ESC in SH, LO, PN and UC (PS3.5 §6.1.3, Table 6.2-1).
	{name: "TAB in a TEXT value (UT)", example: "ct-chest-measurements", path: ctText, edit: set(tag.TextValue, []string{"one\ttwo"}), rule: "SR-VR-05", dciodvfy: true},
	{name: "VT in a TEXT value (UT)", example: "ct-chest-measurements", path: ctText, edit: set(tag.TextValue, []string{"one\vtwo"}), rule: "SR-VR-05", dciodvfy: true},
	{name: "TAB in Manufacturer (LO)", example: "chest-radiograph", edit: set(tag.Manufacturer, []string{"report\tgen"}), rule: "SR-VR-05", dciodvfy: true},
	{name: "TAB in Patient's Name (PN)", example: "chest-radiograph", edit: set(tag.PatientName, []string{"Doe\tX^Jane"}), rule: "SR-VR-05", dciodvfy: true},
	{name: "LF in Accession Number (SH)", example: "chest-radiograph", edit: set(tag.AccessionNumber, []string{"A\nB"}), rule: "SR-VR-05", dciodvfy: true},
	// Length in characters, in the file's character set: 9 two-byte
	// UTF-8 sequences are 18 characters of ISO 8859-1, more than SH's 16.
	{name: "SH of 18 ISO 8859-1 characters that read as 9 UTF-8 ones", example: "chest-radiograph",
		edit: all(set(tag.SpecificCharacterSet, []string{"ISO_IR 100"}), set(tag.AccessionNumber, []string{strings.Repeat("\u00e9", 9)})), rule: "SR-VR-01", dciodvfy: true},

	// Valid mutants: every validator must pass them.
	{name: "SH of 16 two-byte UTF-8 characters", example: "chest-radiograph", edit: set(tag.AccessionNumber, []string{strings.Repeat("\u00e9", 16)}),
		why: "PS3.5 §6.2 counts SH's 16 in characters (\"16 chars maximum\"); dciodvfy 20220618 counts the 32 UTF-8 bytes"},
	{name: "LT with CR LF and FF", example: "ct-chest-measurements", path: ctText, edit: set(tag.TextValue, []string{"one\r\ntwo\fthree"}),
		why: "PS3.5 Table 6.2-1 allows FF in LT, ST and UT; dsr2xml copies it into XML 1.0, which cannot hold it, so only its schema check fails"},
	{name: "timezone offset -1200", example: "chest-radiograph", edit: set(tag.TimezoneOffsetFromUTC, []string{"-1200"})},
	{name: "Latin-1 text with ISO_IR 100", example: "chest-radiograph", edit: all(set(tag.SpecificCharacterSet, []string{"ISO_IR 100"}), set(tag.InstitutionName, []string{"H\xf4pital"}))},
	{name: "section heading outside CID 7001 (a warning)", example: "chest-radiograph", path: []step{{cs, 6}, {tag.ConceptNameCodeSequence, 1}}, edit: all(set(tag.CodeValue, []string{"99X"}), set(tag.CodingSchemeDesignator, []string{"99LOCAL"}))},
	{name: "document title outside CID 7000 (a warning)", example: "chest-radiograph", path: rootName, edit: set(tag.CodeValue, []string{"30745-4"})},
}

// basicText relabels a file as Basic Text SR.
func basicText() edit {
	return all(set(tag.SOPClassUID, []string{content.BasicTextSR}), set(tag.MediaStorageSOPClassUID, []string{content.BasicTextSR}))
}

func mustElement(tg tag.Tag, data any) *dicom.Element {
	e, err := dicom.NewElement(tg, data)
	if err != nil {
		panic(err)
	}
	return e
}

// TestValidateBroken breaks encoded files one way each: Validate must
// report the rule as an error (or nothing, for a valid mutant), and where
// dciodvfy, dsrdump or dsr2xml's schema judge the same break, they must
// report an error too. It counts, over the corpus, where Validate and the
// independent tools agree, and fails on a disagreement without a
// documented reason.
func TestValidateBroken(t *testing.T) {
	sources := encodedExamples(t)
	sources["corrected"] = encodeCorrected(t)
	var bothFail, bothPass int
	var disagree []string
	for _, tc := range brokenCases {
		t.Run(tc.name, func(t *testing.T) {
			b, ok := sources[tc.example]
			if !ok {
				t.Fatalf("no example %s", tc.example)
			}
			if tc.raw != nil {
				b = tc.raw(slices.Clone(b))
			} else {
				b = mutate(t, b, tc.path, tc.edit)
			}
			issues := sr.Validate(b)
			switch {
			case tc.rule == "" && issues.HasErrors():
				t.Errorf("valid mutant, but Validate reported:\n%s", list(issues))
			case tc.rule != "" && !hasError(issues, tc.rule):
				t.Errorf("Validate did not report %s; it reported:\n%s", tc.rule, list(issues))
			}
			path := writeTemp(t, b)
			dcErrs, _, err := extval.DCIODVfy(path)
			if err != nil {
				t.Fatal(err)
			}
			ds, err := extval.DSRDump(path)
			if err != nil {
				t.Fatal(err)
			}
			schemaErrs, err := extval.DSR2XMLSchema(path)
			if err != nil {
				t.Fatal(err)
			}
			if os.Getenv("SR_TOOL_OPINIONS") != "" {
				t.Logf("dciodvfy: %q", dcErrs)
				t.Logf("dsrdump: %q", ds.Errors)
				t.Logf("dsr2xml schema: %q", schemaErrs)
			}
			if tc.dciodvfy && len(dcErrs) == 0 {
				t.Errorf("dciodvfy reported no error; it used to agree with %s", tc.rule)
			}
			if tc.dsrdump && len(ds.Errors) == 0 {
				t.Errorf("dsrdump reported no error; it used to agree with %s", tc.rule)
			}
			if tc.schema && len(schemaErrs) == 0 {
				t.Errorf("dsr2xml's schema reported no error; it used to agree with %s", tc.rule)
			}
			ours := issues.HasErrors()
			theirs := len(dcErrs)+len(ds.Errors)+len(schemaErrs) > 0
			switch {
			case ours == theirs && tc.why != "":
				t.Errorf("documented disagreement %q, but Validate and the tools agree (both fail: %v)", tc.why, ours)
			case ours == theirs && ours:
				bothFail++
			case ours == theirs:
				bothPass++
			case tc.why == "":
				t.Errorf("Validate fails it: %v; dciodvfy %q, dsrdump %q, dsr2xml schema %q; no documented reason", ours, dcErrs, ds.Errors, schemaErrs)
			default:
				side := "Validate fails, the tools pass"
				if !ours {
					side = "the tools fail, Validate passes"
				}
				disagree = append(disagree, fmt.Sprintf("%s: %s: %s", tc.name, side, tc.why))
			}
		})
	}
	t.Logf("SR mutation corpus against dciodvfy, dsrdump and dsr2xml's schema: %d mutants, both fail %d, both pass %d, disagreements %d",
		len(brokenCases), bothFail, bothPass, len(disagree))
	for _, d := range disagree {
		t.Logf("  disagreement: %s", d)
	}
}

// encodeCorrected encodes the chest radiograph as a correction of an
// earlier SR, which gives it a Predecessor Documents Sequence.
func encodeCorrected(t *testing.T) []byte {
	t.Helper()
	doc := example(t, "chest-radiograph", content.Options{})
	doc.Report.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
	doc.Report.Predecessor = &pb.PredecessorDocument{
		CdaDocumentId:       "2.25.11",
		SrSeriesInstanceUid: "2.25.12",
		SrSopInstanceUid:    "2.25.13",
	}
	b, err := sr.Encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func example(t *testing.T, name string, opt content.Options) *content.Document {
	t.Helper()
	for _, ex := range contenttest.Load(t, opt) {
		if ex.Name == name {
			return ex.Doc
		}
	}
	t.Fatalf("no example %s", name)
	return nil
}

func hasError(l issue.List, rule string) bool {
	return slices.ContainsFunc(l, func(i issue.Issue) bool { return i.Severity == issue.Error && i.RuleID == rule })
}

func list(l issue.List) string {
	var b strings.Builder
	for _, i := range l {
		b.WriteString("  " + i.String() + "\n")
	}
	return b.String()
}

// TestValidateOtherSystems reads SR files written elsewhere (dcmtk samples
// kept by pydicom, see internal/samples): Validate must find what
// dciodvfy finds in them, invalid UIDs and images missing from the
// evidence, and the TID 2000 rules they were never meant to follow.
func TestValidateOtherSystems(t *testing.T) {
	tests := []struct {
		file  string
		rules []string
	}{
		{"reportsi.dcm", []string{"SR-UID-01", "SR-CI-08", "SR-MOD-08", "SR-TID-10"}},
		{"test-SR.dcm", []string{"SR-UID-01", "SR-MOD-08", "SR-CI-06", "SR-TID-05"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := samples.Path(t, "sr/"+tt.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			issues := sr.Validate(b)
			for _, r := range tt.rules {
				if !hasError(issues, r) {
					t.Errorf("no %s; Validate reported:\n%s", r, list(issues))
				}
			}
			// By-reference items of the Comprehensive SR are legal.
			if hasError(issues, "SR-IOD-03") || hasError(issues, "SR-IOD-04") {
				t.Errorf("relationship errors in a file dcmtk reads cleanly:\n%s", list(issues))
			}
			if errs, _, err := extval.DCIODVfy(path); err != nil || len(errs) == 0 {
				t.Errorf("dciodvfy: errors %q, err %v; it used to find errors here", errs, err)
			}
		})
	}
}
