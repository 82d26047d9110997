package reportgen

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas/ucum/ucumtest"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func loadExample(t *testing.T, name string) *pb.GenerateReportRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("examples", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestCheckExamplesPass(t *testing.T) {
	files, _ := filepath.Glob("examples/*.json")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if v := Check(loadExample(t, name), now, ucumtest.Load(t)); len(v) != 0 {
			t.Errorf("%s: %v", name, v)
		}
	}
}

// TestCheckRules: each mutation breaks exactly the rules listed, and the
// violation names the field.
func TestCheckRules(t *testing.T) {
	base := loadExample(t, "ct-chest-measurements")
	obs := func(r *pb.Report) *pb.Observation { return r.Sections[3].Observations[1] }
	tests := []struct {
		name   string
		mutate func(q *pb.GenerateReportRequest)
		fields []string
	}{
		{"request id too long", func(q *pb.GenerateReportRequest) { q.RequestId = strings.Repeat("x", limit(RuleLenID)+1) }, []string{"request_id"}},
		{"duplicate output", func(q *pb.GenerateReportRequest) {
			q.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR, pb.DocumentKind_DOCUMENT_KIND_SR}
		}, []string{"outputs[1]"}},
		{"unspecified status", func(q *pb.GenerateReportRequest) { q.Report.Status = 0 }, []string{"report.status", "report.legal_authenticator"}},
		{"bad language tag", func(q *pb.GenerateReportRequest) { q.Report.Language = "english please" }, []string{"report.language"}},
		// A region is two letters or three digits (RFC 5646 2.2.4): the
		// CDA's CONF:1198-5372 refuses "en-U4", so the request must too.
		{"bad language region", func(q *pb.GenerateReportRequest) { q.Report.Language = "en-U4" }, []string{"report.language"}},
		{"underscore in language tag", func(q *pb.GenerateReportRequest) { q.Report.Language = "en_US" }, []string{"report.language"}},
		{"document code not LOINC", func(q *pb.GenerateReportRequest) {
			q.Report.DocumentCode.Scheme = pb.CodingScheme_CODING_SCHEME_SNOMED_CT
		}, []string{"report.document_code.scheme"}},
		{"preliminary but signed", func(q *pb.GenerateReportRequest) {
			q.Report.Status = pb.ReportStatus_REPORT_STATUS_PRELIMINARY
		}, []string{"report.legal_authenticator"}},
		{"signed before written", func(q *pb.GenerateReportRequest) { q.Report.SignatureTime = "2026-11-21T15:00:00-05:00" }, []string{"report.signature_time"}},
		{"birth date in the future", func(q *pb.GenerateReportRequest) { q.Report.Patient.BirthDate = "2027-01-01" }, []string{"report.patient.birth_date"}},
		{"report time far in the future", func(q *pb.GenerateReportRequest) { q.Report.ReportTime = "2030-01-01T00:00:00Z" }, []string{"report.report_time", "report.signature_time"}},
		{"patient without given name", func(q *pb.GenerateReportRequest) { q.Report.Patient.Name.Given = nil }, []string{"report.patient.name.given"}},
		{"PN delimiter in a name", func(q *pb.GenerateReportRequest) { q.Report.Author.Name.Family = "Chen^Wei" }, []string{"report.author.name.family"}},
		{"identifier without OID", func(q *pb.GenerateReportRequest) { q.Report.Patient.Ids[0].AssigningAuthorityOid = "" }, []string{"report.patient.ids[0].assigning_authority_oid"}},
		{"accession without issuer", func(q *pb.GenerateReportRequest) { q.Report.Study.AccessionIssuerOid = "" }, []string{"report.study.accession_issuer_oid"}},
		{"modality not a CS", func(q *pb.GenerateReportRequest) { q.Report.Study.Modalities = []string{"ct scan!"} }, []string{"report.study.modalities[0]"}},
		{"measurement not a number", func(q *pb.GenerateReportRequest) { obs(q.Report).GetMeasurement().Value = "twelve" }, []string{"report.sections[3].observations[1].measurement.value"}},
		{"measurement value over DS", func(q *pb.GenerateReportRequest) {
			obs(q.Report).GetMeasurement().Value = "1.23456789012345678"
		}, []string{"report.sections[3].observations[1].measurement.value"}},
		{"unit with a space", func(q *pb.GenerateReportRequest) { obs(q.Report).GetMeasurement().Unit = "milli meter" }, []string{"report.sections[3].observations[1].measurement.unit"}},
		{"measurement without concept", func(q *pb.GenerateReportRequest) { obs(q.Report).Concept = nil }, []string{"report.sections[3].observations[1].concept"}},
		{"frame number zero", func(q *pb.GenerateReportRequest) { obs(q.Report).Images[0].FrameNumbers = []int32{0} }, []string{"report.sections[3].observations[1].images[0].frame_numbers[0]"}},
		{"local code without designator", func(q *pb.GenerateReportRequest) {
			obs(q.Report).Concept = &pb.Code{Code: "X1", Scheme: pb.CodingScheme_CODING_SCHEME_LOCAL, DisplayName: "x", LocalOid: "1.2.3"}
		}, []string{"report.sections[3].observations[1].concept.local_designator"}},
		{"code without meaning", func(q *pb.GenerateReportRequest) { obs(q.Report).Concept.DisplayName = "" }, []string{"report.sections[3].observations[1].concept.display_name"}},
		{"control character in text", func(q *pb.GenerateReportRequest) { q.Report.Sections[0].Text = "bell \a here" }, []string{"report.sections[0].text"}},
		{"invalid UTF-8", func(q *pb.GenerateReportRequest) { q.Report.Sections[0].Text = "caf\xe9" }, []string{"report.sections[0].text"}},
		{"empty section", func(q *pb.GenerateReportRequest) { q.Report.Sections[0].Text = "  " }, []string{"report.sections[0]"}},
		{"two findings sections", func(q *pb.GenerateReportRequest) { q.Report.Sections[0].Kind = pb.SectionKind_SECTION_KIND_FINDINGS }, []string{"report.sections"}},
		{"coded section without code", func(q *pb.GenerateReportRequest) { q.Report.Sections[0].Kind = pb.SectionKind_SECTION_KIND_CODED }, []string{"report.sections[0].code"}},
		{"US address without state", func(q *pb.GenerateReportRequest) {
			q.Report.Patient.Address = &pb.Address{Street: []string{"1 Main St"}, City: "Springfield", PostalCode: "12345"}
		}, []string{"report.patient.address.state"}},
		{"telecom not a URI", func(q *pb.GenerateReportRequest) {
			q.Report.Patient.Telecoms = []*pb.Telecom{{Value: "555 1212"}}
		}, []string{"report.patient.telecoms[0].value"}},
		{"SR values blank or with a backslash", func(q *pb.GenerateReportRequest) {
			obs(q.Report).GetMeasurement().UnitDisplayName = "\u3000 "
			q.Report.Sections[3].Observations[2].GetMeasurement().UnitDisplayName = `milli\\metre`
			q.Report.Author.Organization = " "
			q.Report.LegalAuthenticator.Organization = `A\\B`
			q.Report.Custodian.Name = `Good\\Health`
		}, []string{"report.sections[3].observations[1].measurement.unit_display_name", "report.sections[3].observations[2].measurement.unit_display_name",
			"report.author.organization", "report.legal_authenticator.organization", "report.custodian.name"}},
		{"image modality with spaces", func(q *pb.GenerateReportRequest) {
			obs(q.Report).Images[0].Modality = "C T"
			q.Report.Sections[3].Observations[0].Images[0].Modality = " "
		}, []string{"report.sections[3].observations[1].images[0].modality", "report.sections[3].observations[0].images[0].modality"}},
		{"procedure description with a backslash", func(q *pb.GenerateReportRequest) {
			q.Report.Study.ProcedureDescription = `CT\\chest`
		}, []string{"report.study.procedure_description"}},
		{"procedure description of white space (SR Type 3)", func(q *pb.GenerateReportRequest) {
			q.Report.Study.ProcedureDescription = " "
		}, nil},
		{"SR values for a CDA alone", func(q *pb.GenerateReportRequest) {
			obs(q.Report).GetMeasurement().UnitDisplayName = `milli\\metre`
			q.Report.Author.Organization = `A\\B`
			q.Report.LegalAuthenticator.Organization = `A\\B`
			q.Report.Custodian.Name = `Good\\Health`
			q.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA}
		}, nil},
		{"order numbers without issuer for a CDA", func(q *pb.GenerateReportRequest) {
			q.Report.Order = &pb.Order{PlacerOrderNumber: &pb.Identifier{Value: "P1"}, FillerOrderNumber: &pb.Identifier{Value: "F1"}}
		}, []string{"report.order.placer_order_number.assigning_authority_oid", "report.order.filler_order_number.assigning_authority_oid"}},
		{"order numbers without issuer for an SR alone", func(q *pb.GenerateReportRequest) {
			q.Report.Order = &pb.Order{PlacerOrderNumber: &pb.Identifier{Value: "P1"}, FillerOrderNumber: &pb.Identifier{Value: "F1"}}
			q.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
		}, nil},
		{"telecom uses", func(q *pb.GenerateReportRequest) {
			q.Report.Patient.Telecoms = []*pb.Telecom{{Value: "tel:+1-555-1212", Use: "HP"}, {Value: "tel:+1-555-1213", Use: "WP  MC"},
				{Value: "tel:+1-555-1214", Use: "W"}, {Value: "tel:+1-555-1215", Use: "hp"}, {Value: "tel:+1-555-1216", Use: "HP\tWP"},
				{Value: "tel:+1-555-1217", Use: " "}}
		}, []string{"report.patient.telecoms[2].use", "report.patient.telecoms[3].use", "report.patient.telecoms[4].use", "report.patient.telecoms[5].use"}},
		{"correction without predecessor", func(q *pb.GenerateReportRequest) {
			q.Report.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
		}, []string{"report.predecessor"}},
		{"predecessor on a final report", func(q *pb.GenerateReportRequest) {
			q.Report.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.1", SrSeriesInstanceUid: "2.25.2", SrSopInstanceUid: "2.25.3"}
		}, []string{"report.predecessor"}},
		{"custodian without id", func(q *pb.GenerateReportRequest) { q.Report.Custodian.Ids = nil }, []string{"report.custodian.ids"}},
		// A patient id with a root and no value names only the issuer.
		{"patient id without value", func(q *pb.GenerateReportRequest) { q.Report.Patient.Ids[0].Value = "" }, []string{"report.patient.ids[0].value"}},
		// Born after the study and the report: refused against both.
		{"birth date after study and report", func(q *pb.GenerateReportRequest) { q.Report.Patient.BirthDate = "2026-11-22" }, []string{"report.patient.birth_date", "report.patient.birth_date"}},
		{"modality not a defined term", func(q *pb.GenerateReportRequest) { q.Report.Study.Modalities = []string{"XRAY"} }, []string{"report.study.modalities[0]"}},
		{"retired modality", func(q *pb.GenerateReportRequest) { q.Report.Study.Modalities = []string{"CD"} }, []string{"report.study.modalities[0]"}},
		{"image modality not a defined term", func(q *pb.GenerateReportRequest) { obs(q.Report).Images[0].Modality = "CAT" }, []string{"report.sections[3].observations[1].images[0].modality"}},
		// A CODED section coded as Findings is a second Findings section.
		{"CODED section coded 121070 DCM", func(q *pb.GenerateReportRequest) {
			q.Report.Sections = append(q.Report.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_CODED, Code: &pb.Code{Code: "121070", Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: "Findings"}, Text: "x"})
		}, []string{"report.sections"}},
		{"CODED section coded 18782-3 LOINC", func(q *pb.GenerateReportRequest) {
			q.Report.Sections = append(q.Report.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_CODED, Code: &pb.Code{Code: "18782-3", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "Radiology Study observation"}, Text: "x"})
		}, []string{"report.sections"}},
		// UCUM is case-sensitive and has no spelled-out names.
		{"unit millimetre", func(q *pb.GenerateReportRequest) { obs(q.Report).GetMeasurement().Unit = "millimetre" }, []string{"report.sections[3].observations[1].measurement.unit"}},
		{"unit MM", func(q *pb.GenerateReportRequest) { obs(q.Report).GetMeasurement().Unit = "MM" }, []string{"report.sections[3].observations[1].measurement.unit"}},
		{"unit 12h", func(q *pb.GenerateReportRequest) { obs(q.Report).GetMeasurement().Unit = "mg/12h" }, []string{"report.sections[3].observations[1].measurement.unit"}},
		{"unit 10*3/uL", func(q *pb.GenerateReportRequest) { obs(q.Report).GetMeasurement().Unit = "10*3/uL" }, nil},
		{"unit {ratio}", func(q *pb.GenerateReportRequest) { obs(q.Report).GetMeasurement().Unit = "{ratio}" }, nil},
		{"unit mg/dL", func(q *pb.GenerateReportRequest) { obs(q.Report).GetMeasurement().Unit = "mg/dL" }, nil},
		{"too many sections", func(q *pb.GenerateReportRequest) {
			for len(q.Report.Sections) <= limit(RuleMaxSections) {
				q.Report.Sections = append(q.Report.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_HISTORY, Text: "x"})
			}
		}, []string{"report.sections"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := proto.Clone(base).(*pb.GenerateReportRequest)
			tt.mutate(q)
			var got []string
			for _, v := range Check(q, now, ucumtest.Load(t)) {
				got = append(got, v.Field)
				if v.Description == "" {
					t.Errorf("%s: empty description", v.Field)
				}
				if _, ok := rulesByID[v.RuleID]; !ok {
					t.Errorf("%s: rule id %q is not in the request rules", v.Field, v.RuleID)
				}
			}
			sort.Strings(got)
			want := append([]string(nil), tt.fields...)
			sort.Strings(want)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("violations on %v, want %v", got, want)
			}
		})
	}
}

// TestCheckUnknownIDs: the transform's rules accept an author, legal
// authenticator and custodian without identifiers, and nothing else that
// Check refuses; Check itself still requires them.
func TestCheckUnknownIDs(t *testing.T) {
	q := loadExample(t, "ct-chest-measurements")
	q.Report.Author.Ids, q.Report.LegalAuthenticator.Ids, q.Report.Custodian.Ids = nil, nil, nil
	var got []string
	for _, v := range Check(q, now, ucumtest.Load(t)) {
		got = append(got, v.Field)
	}
	sort.Strings(got)
	if want := "report.author.ids,report.custodian.ids,report.legal_authenticator.ids"; strings.Join(got, ",") != want {
		t.Errorf("Check: violations on %v, want %s", got, want)
	}
	if v := check(q, now, checkOptions{unknownIDs: true, units: ucumtest.Load(t)}).v; len(v) != 0 {
		t.Errorf("check with unknownIDs: %v, want none", v)
	}
	// The option does not relax the ids it does not name, nor the
	// identifiers that are given.
	q.Report.Patient.Ids = nil
	q.Report.Author.Ids = []*pb.Identifier{{Value: "x"}}
	got = nil
	v := check(q, now, checkOptions{unknownIDs: true, units: ucumtest.Load(t)}).v
	for _, fv := range v {
		got = append(got, fv.Field)
	}
	sort.Strings(got)
	if want := "report.author.ids[0].assigning_authority_oid,report.patient.ids"; strings.Join(got, ",") != want {
		t.Errorf("check with unknownIDs: violations on %v, want %s", got, want)
	}
}
