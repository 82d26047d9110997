package hl7v2

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

func mapMessage(t *testing.T, segs []string, opt MapOptions) (*Mapped, Errors) {
	t.Helper()
	m := mustParse(t, message(segs))
	return MapORU(m, opt)
}

func TestMapORUFields(t *testing.T) {
	mp, errs := mapMessage(t, baseSegments, testOptions)
	if errs.HasErrors() {
		t.Fatal(errs)
	}
	want := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal([]byte(`{
	  "requestId": "MSG00001",
	  "uidNamespace": "hl7v2/`+mp.Key.ID()+`",
	  "report": {
	    "status": "REPORT_STATUS_FINAL",
	    "reportTime": "2026-11-21T16:31:00-05:00",
	    "signatureTime": "2026-11-21T16:31:00-05:00",
	    "patient": {
	      "ids": [{"value": "MRN-902211", "assigningAuthorityOid": "2.16.840.1.113883.19.5", "assigningAuthorityName": "GHH"}],
	      "name": {"family": "Jones", "given": ["Isabella", "M"]},
	      "birthDate": "1961-03-02",
	      "sex": "ADMINISTRATIVE_SEX_FEMALE",
	      "address": {"street": ["100 Main St"], "city": "Springfield", "state": "IL", "postalCode": "62701", "country": "US"},
	      "telecoms": [{"value": "tel:+15555551000", "use": "HP"}]
	    },
	    "study": {
	      "studyInstanceUid": "2.25.81238935250787612234425351362419106101",
	      "accessionNumber": "ACC20261121042",
	      "accessionIssuerOid": "2.16.840.1.113883.19.5.99.1",
	      "startTime": "2026-11-21T15:02:00-05:00",
	      "modalities": ["CT"],
	      "procedureCode": {"code": "24628-0", "scheme": "CODING_SCHEME_LOINC", "displayName": "CT Chest W contrast IV"},
	      "procedureDescription": "CT Chest W contrast IV",
	      "reasonText": "Nodule follow-up"
	    },
	    "order": {
	      "placerOrderNumber": {"value": "PO-7781", "assigningAuthorityOid": "2.16.840.1.113883.19.5.99.2", "assigningAuthorityName": "EPIC"},
	      "fillerOrderNumber": {"value": "ACC20261121042", "assigningAuthorityOid": "2.16.840.1.113883.19.5.99.1", "assigningAuthorityName": "RIS"}
	    },
	    "author": {"name": {"family": "Chen", "given": ["Wei"]}, "ids": [{"value": "1992738471", "assigningAuthorityOid": "2.16.840.1.113883.4.6", "assigningAuthorityName": "NPI"}]},
	    "legalAuthenticator": {"name": {"family": "Chen", "given": ["Wei"]}, "ids": [{"value": "1992738471", "assigningAuthorityOid": "2.16.840.1.113883.4.6", "assigningAuthorityName": "NPI"}]},
	    "referringPhysician": {"name": {"family": "Referrer", "given": ["Rita"], "prefix": "Dr."}, "ids": [{"value": "1234567890", "assigningAuthorityOid": "2.16.840.1.113883.4.6", "assigningAuthorityName": "NPI"}]},
	    "custodian": {"name": "GHH", "ids": [{"assigningAuthorityOid": "2.16.840.1.113883.19.5"}]},
	    "dictation": "FINDINGS:\nThe right upper lobe nodule has grown to 12 mm.\n\nIMPRESSION:\nGrowing nodule."
	  }}`), want); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(mp.Request, want) {
		t.Errorf("mapped\n%s\nwant\n%s", protojson.Format(mp.Request), protojson.Format(want))
	}
	if mp.OrderKey != "accession|2.16.840.1.113883.19.5.99.1|ACC20261121042" {
		t.Errorf("order key %q", mp.OrderKey)
	}
	for field, loc := range map[string]string{
		"report.patient.ids[0].assigning_authority_oid": "PID-3",
		"report.patient.birth_date":                     "PID-7",
		"report.study.accession_number":                 "OBR-3",
		"report.dictation":                              "OBX[2]-5",
		"report.author.ids":                             "OBR-32",
		"report.predecessor":                            "OBR-25",
		"report.language":                               "OBR",
	} {
		if got := mp.Locate(field).String(); got != loc {
			t.Errorf("Locate(%s) = %s, want %s", field, got, loc)
		}
	}
}

// TestMapORUVariants: values as other senders write them.
func TestMapORUVariants(t *testing.T) {
	for _, tc := range []struct {
		name  string
		segs  []string
		opt   MapOptions
		check func(*testing.T, *pb.Report)
	}{
		{"v2.3 with OBR-32 as CM and a namespace-only authority", edit(edit(edit(baseSegments, "MSH", 12, "2.3"), "MSH", 9, "ORU^R01"), "OBR", 32, "1992738471&Chen&Wei&&&&&&NPI"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetAuthor().GetIds()[0].GetAssigningAuthorityOid() != "2.16.840.1.113883.4.6" {
					t.Errorf("author id %v", r.GetAuthor().GetIds())
				}
			}},
		{"OBR-32 as XCN components", edit(baseSegments, "OBR", 32, "1992738471^Chen^Wei^^^^^^NPI"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetAuthor().GetName().GetFamily() != "Chen" || r.GetAuthor().GetIds()[0].GetValue() != "1992738471" {
					t.Errorf("author %v", r.GetAuthor())
				}
			}},
		{"preliminary: no legal authenticator", edit(baseSegments, "OBR", 25, "P"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetStatus() != pb.ReportStatus_REPORT_STATUS_PRELIMINARY || r.GetLegalAuthenticator() != nil || r.GetSignatureTime() != "" {
					t.Errorf("status %v, authenticator %v", r.GetStatus(), r.GetLegalAuthenticator())
				}
			}},
		{"corrected and addendum", edit(baseSegments, "OBR", 25, "C"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetStatus() != pb.ReportStatus_REPORT_STATUS_CORRECTED {
					t.Errorf("status %v", r.GetStatus())
				}
			}},
		{"times without offset take MSH-7's", edit(baseSegments, "OBR", 7, "202611211502"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetStudy().GetStartTime() != "2026-11-21T15:02:00-05:00" {
					t.Errorf("start %q", r.GetStudy().GetStartTime())
				}
			}},
		{"configured zone when no time has an offset", edit(edit(edit(baseSegments, "MSH", 7, "20261121163100"), "OBR", 7, "20261121150200.25"), "OBR", 22, "20261121163100"),
			MapOptions{Authorities: testOptions.Authorities, TimeZone: time.FixedZone("", 3600)},
			func(t *testing.T, r *pb.Report) {
				if r.GetStudy().GetStartTime() != "2026-11-21T15:02:00.25+01:00" || r.GetReportTime() != "2026-11-21T16:31:00+01:00" {
					t.Errorf("times %q %q", r.GetStudy().GetStartTime(), r.GetReportTime())
				}
			}},
		{"accession from OBR-18 with the filler's authority", edit(edit(baseSegments, "OBR", 18, "ACC20261121042"), "OBR", 3, "ACC20261121042^RIS^2.16.840.1.113883.19.5.99.1^ISO"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetStudy().GetAccessionIssuerOid() != "2.16.840.1.113883.19.5.99.1" {
					t.Errorf("issuer %q", r.GetStudy().GetAccessionIssuerOid())
				}
			}},
		{"accession and order numbers without authority take the defaults", edit(edit(without(baseSegments, "ORC"), "OBR", 2, "PO-1"), "OBR", 3, "ACC-1"),
			MapOptions{Authorities: testOptions.Authorities, FillerAuthority: "1.2.3.4", PlacerAuthority: "1.2.3.5"},
			func(t *testing.T, r *pb.Report) {
				if r.GetStudy().GetAccessionIssuerOid() != "1.2.3.4" || r.GetOrder().GetPlacerOrderNumber().GetAssigningAuthorityOid() != "1.2.3.5" {
					t.Errorf("issuer %q, placer %v", r.GetStudy().GetAccessionIssuerOid(), r.GetOrder().GetPlacerOrderNumber())
				}
			}},
		{"study UID from ZDS-1", append(without(baseSegments, "OBX"), "ZDS|1.2.3.4.5^RIS^Application^DICOM", `OBX|1|TX|&GDT^Report||FINDINGS: normal.`), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetStudy().GetStudyInstanceUid() != "1.2.3.4.5" {
					t.Errorf("study %q", r.GetStudy().GetStudyInstanceUid())
				}
			}},
		{"study UID from IPC-3, accession from IPC-1, modality from IPC-5", append(without(baseSegments, "OBX"),
			"IPC|ACC-IPC^RIS^2.16.840.1.113883.19.5.99.1^ISO|RP1|1.2.3.4.6|SPS1|MR", `OBX|1|FT|18782-3^Report^LN||FINDINGS:\.br\Normal.`), testOptions,
			func(t *testing.T, r *pb.Report) {
				s := r.GetStudy()
				if s.GetStudyInstanceUid() != "1.2.3.4.6" || s.GetAccessionNumber() != "ACC-IPC" || strings.Join(s.GetModalities(), ",") != "MR,CT" {
					t.Errorf("study %v", s)
				}
				if r.GetDictation() != "FINDINGS:\nNormal." {
					t.Errorf("FT text %q", r.GetDictation())
				}
			}},
		{"local procedure code of a configured system", edit(baseSegments, "OBR", 4, "CTCH^CT CHEST^99GHH"),
			MapOptions{Authorities: testOptions.Authorities, CodingSystems: map[string]string{"99GHH": "1.2.3.9"}},
			func(t *testing.T, r *pb.Report) {
				c := r.GetStudy().GetProcedureCode()
				if c.GetScheme() != pb.CodingScheme_CODING_SCHEME_LOCAL || c.GetLocalDesignator() != "99GHH" || c.GetLocalOid() != "1.2.3.9" {
					t.Errorf("procedure %v", c)
				}
			}},
		{"local procedure code with a LOINC alternate", edit(baseSegments, "OBR", 4, "CTCH^CT CHEST^99GHH^24627-2^CT Chest^LN"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if c := r.GetStudy().GetProcedureCode(); c.GetCode() != "24627-2" || c.GetScheme() != pb.CodingScheme_CODING_SCHEME_LOINC {
					t.Errorf("procedure %v", c)
				}
			}},
		{"legal name chosen among repetitions", edit(baseSegments, "PID", 5, "Smith^Bella^^^^^A~Jones^Isabella^^^^^L"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetPatient().GetName().GetFamily() != "Jones" {
					t.Errorf("name %v", r.GetPatient().GetName())
				}
			}},
		{"ideographic and phonetic name groups", edit(baseSegments, "PID", 5, "Yamada^Tarou^^^^^L^A~山田^太郎^^^^^L^I~やまだ^たろう^^^^^L^P"), testOptions,
			func(t *testing.T, r *pb.Report) {
				n := r.GetPatient().GetName()
				if n.GetFamily() != "Yamada" || n.GetIdeographic().GetFamily() != "山田" || n.GetPhonetic().GetGiven()[0] != "たろう" {
					t.Errorf("name %v", n)
				}
			}},
		{"partial birth date stays partial", edit(baseSegments, "PID", 7, "196103"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetPatient().GetBirthDate() != "1961-03" {
					t.Errorf("birth date %q", r.GetPatient().GetBirthDate())
				}
			}},
		{"MSH-4 namespace configured as custodian", edit(baseSegments, "MSH", 4, "GHH"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetCustodian().GetIds()[0].GetAssigningAuthorityOid() != "2.16.840.1.113883.19.5" {
					t.Errorf("custodian %v", r.GetCustodian())
				}
			}},
		{"configured custodian wins", baseSegments,
			MapOptions{Authorities: testOptions.Authorities, Custodian: &pb.Organization{Name: "Good Health Hospital", Ids: []*pb.Identifier{{AssigningAuthorityOid: "1.2.3"}}}},
			func(t *testing.T, r *pb.Report) {
				if r.GetCustodian().GetName() != "Good Health Hospital" {
					t.Errorf("custodian %v", r.GetCustodian())
				}
			}},
		{"language from MSH-19", edit(baseSegments, "MSH", 19, "de^German^ISO639"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetLanguage() != "de" {
					t.Errorf("language %q", r.GetLanguage())
				}
			}},
		{"e-mail and fax", edit(baseSegments, "PID", 13, "^NET^Internet^jones@example.org~^PRN^FX^^1^555^5551001"), testOptions,
			func(t *testing.T, r *pb.Report) {
				ts := r.GetPatient().GetTelecoms()
				if len(ts) != 2 || ts[0].GetValue() != "mailto:jones@example.org" || ts[1].GetValue() != "fax:+15555551001" {
					t.Errorf("telecoms %v", ts)
				}
			}},
		{"v2.3 phone with extension", edit(baseSegments, "PID", 14, "(555)555-1234X12"), testOptions,
			func(t *testing.T, r *pb.Report) {
				ts := r.GetPatient().GetTelecoms()
				if len(ts) != 2 || ts[1].GetValue() != "tel:5555551234" || ts[1].GetUse() != "WP" {
					t.Errorf("telecoms %v", ts)
				}
			}},
		{"ORC-12 ordering provider when OBR-16 is empty", edit(baseSegments, "ORC", 12, "555^Order^Oscar"), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetOrder().GetOrderingPhysician().GetName().GetFamily() != "Order" {
					t.Errorf("ordering %v", r.GetOrder().GetOrderingPhysician())
				}
			}},
		{"report text in NTE", append(without(baseSegments, "OBX"), "OBX|1|ST|113014^DICOM Study^DCM||1.2.3", "NTE|1||FINDINGS: clear.~IMPRESSION: normal."), testOptions,
			func(t *testing.T, r *pb.Report) {
				if r.GetDictation() != "FINDINGS: clear.\nIMPRESSION: normal." {
					t.Errorf("dictation %q", r.GetDictation())
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mp, errs := mapMessage(t, tc.segs, tc.opt)
			if errs.HasErrors() {
				t.Fatal(errs)
			}
			tc.check(t, mp.Request.GetReport())
		})
	}
}

// TestMapORUErrors: each problem names its HL7 location and rule.
func TestMapORUErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		segs      []string
		opt       MapOptions
		loc, rule string
		reject    bool
	}{
		{"wrong message type", edit(baseSegments, "MSH", 9, "ADT^A01^ADT_A01"), testOptions, "MSH-9.1", "message-type", true},
		{"wrong event", edit(baseSegments, "MSH", 9, "ORU^R30"), testOptions, "MSH-9.2", "message-type", true},
		{"wrong structure", edit(baseSegments, "MSH", 9, "ORU^R01^ORU_R30"), testOptions, "MSH-9.3", "message-type", true},
		{"version 2.2", edit(baseSegments, "MSH", 12, "2.2"), testOptions, "MSH-12.1", "version", true},
		{"version 2.7", edit(baseSegments, "MSH", 12, "2.7"), testOptions, "MSH-12.1", "version", true},
		{"processing id X", edit(baseSegments, "MSH", 11, "X"), testOptions, "MSH-11.1", "processing-id", true},
		{"no control id", edit(baseSegments, "MSH", 10, ""), testOptions, "MSH-10", "control-id", true},
		{"no PID", without(baseSegments, "PID"), testOptions, "PID", "required", false},
		{"two PID", append(append([]string(nil), baseSegments[:2]...), baseSegments[1:]...), testOptions, "PID[2]", "one-patient", false},
		{"no OBR", without(without(baseSegments, "OBR"), "OBX"), testOptions, "OBR", "required", false},
		{"two OBR", append(append([]string(nil), baseSegments...), baseSegments[4]), testOptions, "OBR[2]", "one-order", false},
		{"OBX before OBR", []string{baseSegments[0], baseSegments[1], baseSegments[6], baseSegments[4]}, testOptions, "OBX", "segment-order", false},
		{"PID after OBR", []string{baseSegments[0], baseSegments[4], baseSegments[1]}, testOptions, "PID", "segment-order", false},
		{"no result status", edit(baseSegments, "OBR", 25, ""), testOptions, "OBR-25", "required", false},
		{"result status X", edit(baseSegments, "OBR", 25, "X"), testOptions, "OBR-25", "result-status", false},
		{"no observation time", edit(baseSegments, "OBR", 7, ""), testOptions, "OBR-7", "required", false},
		{"observation time to the day only", edit(baseSegments, "OBR", 7, "20261121"), testOptions, "OBR-7", "timestamp", false},
		{"observation time not a TS", edit(baseSegments, "OBR", 7, "yesterday"), testOptions, "OBR-7", "timestamp", false},
		{"no offset anywhere and no zone", edit(edit(baseSegments, "MSH", 7, "20261121163100"), "OBR", 22, "202611211631"), testOptions, "OBR-22", "timezone", false},
		{"no study UID", without(baseSegments, "OBX")[:5:5], testOptions, "OBR", "study-instance-uid", false},
		{"study UIDs disagree", append(append([]string(nil), baseSegments...), "ZDS|9.9.9^RIS^Application^DICOM"), testOptions, "ZDS-1", "study-instance-uid", false},
		{"patient id authority unknown", edit(baseSegments, "PID", 3, "MRN-1^^^OTHER^MR"), testOptions, "PID-3", "assigning-authority", false},
		{"no patient id", edit(baseSegments, "PID", 3, ""), testOptions, "PID-3", "required", false},
		{"accession issuer unknown", edit(without(baseSegments, "ORC"), "OBR", 3, "ACC-1"), testOptions, "OBR-3", "assigning-authority", false},
		{"no interpreter", edit(baseSegments, "OBR", 32, ""), testOptions, "OBR-32", "required", false},
		{"interpreter without id", edit(baseSegments, "OBR", 32, "&Chen&Wei"), testOptions, "OBR-32", "person-id", false},
		{"interpreter authority unknown", edit(baseSegments, "OBR", 32, "77&Chen&Wei&&&&&&LOCALDOCS"), testOptions, "OBR-32", "assigning-authority", false},
		{"custodian unknown", edit(baseSegments, "MSH", 4, "ELSEWHERE"), testOptions, "MSH-4", "custodian", false},
		{"no report text", baseSegments[:6], testOptions, "OBR", "report-text", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mp, errs := mapMessage(t, tc.segs, tc.opt)
			if mp != nil || !errs.HasErrors() {
				t.Fatalf("mapped without error")
			}
			found := false
			for _, e := range errs.Errors() {
				if e.Location.String() == tc.loc && e.Rule == tc.rule {
					found = true
					if e.Reject != tc.reject {
						t.Errorf("%v: reject %v, want %v", e, e.Reject, tc.reject)
					}
				}
				for _, secret := range []string{"Jones", "MRN", "ACC", "Chen", "2.25.8"} {
					if strings.Contains(e.Message, secret) {
						t.Errorf("error repeats a value: %v", e)
					}
				}
			}
			if !found {
				t.Errorf("no error at %s rule %s in:\n%s", tc.loc, tc.rule, errs)
			}
		})
	}
}

// TestMapORUWarnings: what is passed over is said, with where.
func TestMapORUWarnings(t *testing.T) {
	for _, tc := range []struct {
		name      string
		segs      []string
		loc, rule string
	}{
		{"segment not read", append(append([]string(nil), baseSegments...), "AL1|1||PENICILLIN"), "AL1", "segment-not-read"},
		{"value type not read", append(append([]string(nil), baseSegments...), "OBX|9|CE|111005^Assessment^DCM||3^BI-RADS 3^99X"), "OBX[7]-2", "value-type"},
		{"second patient id unknown authority", edit(baseSegments, "PID", 3, "MRN-902211^^^GHH&2.16.840.1.113883.19.5&ISO~X1^^^OTHER"), "PID-3(2)", "assigning-authority"},
		{"incomplete address", edit(baseSegments, "PID", 11, "100 Main St^^Springfield"), "PID-11", "address"},
		{"foreign country code", edit(baseSegments, "PID", 11, "Hauptstr. 1^^Berlin^^10115^DEU"), "PID-11.6", "address"},
		{"unknown coding system", edit(baseSegments, "OBR", 4, "CTCH^CT CHEST^99XYZ"), "OBR-4", "coding-system"},
		{"unknown sex", edit(baseSegments, "PID", 8, "Q"), "PID-8", "table-value"},
		{"referring id without authority", edit(baseSegments, "PV1", 8, "77^Referrer^Rita"), "PV1-8", "assigning-authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mp, errs := mapMessage(t, tc.segs, testOptions)
			if mp == nil {
				t.Fatalf("not mapped: %v", errs)
			}
			for _, w := range mp.Warnings {
				if w.Location.String() == tc.loc && w.Rule == tc.rule && w.Severity == SeverityWarning {
					return
				}
			}
			t.Errorf("no warning at %s rule %s in:\n%s", tc.loc, tc.rule, mp.Warnings)
		})
	}
}
