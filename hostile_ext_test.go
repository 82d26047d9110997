package reportgen_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// TestHostileInput: every text field is safe in both outputs. Each input
// is either accepted — and then the CDA holds it escaped as XML requires
// and the SR holds it byte for byte — or rejected with a violation on the
// named field. Nothing is silently altered, nothing crashes, and no
// invalid document comes back (Generate validates both).
func TestHostileInput(t *testing.T) {
	e := newEngine(t)
	base := example(t, "chest-radiograph")
	findings := func(r *pb.Report) *pb.Section { return r.Sections[3] }
	setText := func(s string) func(r *pb.Report) { return func(r *pb.Report) { findings(r).Text = s } }
	setFamily := func(s string) func(r *pb.Report) { return func(r *pb.Report) { r.Patient.Name.Family = s } }
	setGiven := func(s ...string) func(r *pb.Report) { return func(r *pb.Report) { r.Patient.Name.Given = s } }
	setObsCode := func(c *pb.Code) func(r *pb.Report) {
		return func(r *pb.Report) { findings(r).Observations[0].Value = &pb.Observation_Code{Code: c} }
	}
	measure := func(value, unit string) func(r *pb.Report) {
		return func(r *pb.Report) {
			findings(r).Observations = append(findings(r).Observations, &pb.Observation{
				Concept: &pb.Code{Code: "81827009", Scheme: pb.CodingScheme_CODING_SCHEME_SNOMED_CT, DisplayName: "Diameter"},
				Value:   &pb.Observation_Measurement{Measurement: &pb.Measurement{Value: value, Unit: unit}},
			})
		}
	}
	tests := []struct {
		name   string
		mutate func(r *pb.Report)
		// Accepted: the CDA must contain cda (escaped form) and the SR
		// must contain sr (raw UTF-8 bytes).
		cda, sr string
		// Rejected: the violated field.
		field string
	}{
		{name: "markup in text", mutate: setText("<script>alert(1)</script> & more"), cda: "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more", sr: "<script>alert(1)</script> & more"},
		{name: "CDATA terminator", mutate: setText("a ]]> b"), cda: "a ]]&gt; b", sr: "a ]]> b"},
		{name: "entity-looking text", mutate: setText("&amp; &#x41; &lt;"), cda: "&amp;amp; &amp;#x41; &amp;lt;", sr: "&amp; &#x41; &lt;"},
		{name: "processing instruction", mutate: setText("<?xml-stylesheet href='x'?>"), cda: "&lt;?xml-stylesheet href='x'?&gt;", sr: "<?xml-stylesheet href='x'?>"},
		{name: "DOCTYPE and entity", mutate: setText(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;`), cda: "&lt;!DOCTYPE x [&lt;!ENTITY e SYSTEM", sr: `<!ENTITY e SYSTEM "file:///etc/passwd">`},
		{name: "quotes in a display name (attribute)", mutate: setObsCode(&pb.Code{Code: "233604007", Scheme: pb.CodingScheme_CODING_SCHEME_SNOMED_CT, DisplayName: `Pneumonia "lobar" <RLL> & 'x'`}), cda: `displayName="Pneumonia &quot;lobar&quot; &lt;RLL> &amp; 'x'"`, sr: `Pneumonia "lobar" <RLL> & 'x'`},
		{name: "CRLF kept, TAB a space in the SR", mutate: setText("line one\r\nline\ttwo"), cda: "line\ttwo", sr: "line one\r\nline two"},
		{name: "emoji", mutate: setText("Stable 👍 nodule"), cda: "Stable 👍 nodule", sr: "Stable 👍 nodule"},
		{name: "right-to-left text", mutate: setText("تصوير الصدر طبيعي"), cda: "تصوير الصدر طبيعي", sr: "تصوير الصدر طبيعي"},
		{name: "bidi override carried as is", mutate: setText("abc\u202edef"), cda: "abc\u202edef", sr: "abc\u202edef"},
		{name: "combining characters", mutate: setText("Ame\u0301lie"), cda: "Ame\u0301lie", sr: "Ame\u0301lie"},
		{name: "NUL byte", mutate: setText("a\x00b"), field: "report.sections[3].text"},
		{name: "escape character", mutate: setText("a\x1b[31mred"), field: "report.sections[3].text"},
		{name: "bell", mutate: setText("a\ab"), field: "report.sections[3].text"},
		{name: "form feed", mutate: setText("a\fb"), field: "report.sections[3].text"},
		{name: "noncharacter U+FFFE", mutate: setText("a\ufffeb"), field: "report.sections[3].text"},
		{name: "C1 control", mutate: setText("a\u0085b"), field: "report.sections[3].text"},
		{name: "invalid UTF-8", mutate: setText("caf\xe9"), field: "report.sections[3].text"},
		{name: "overlong UTF-8", mutate: setText("\xc0\xaf"), field: "report.sections[3].text"},
		{name: "text at its limit", mutate: setText(strings.Repeat("é", reportgen.DefaultMaxText/2)), sr: "ééé"},
		{name: "text over its limit", mutate: setText(strings.Repeat("é", reportgen.DefaultMaxText/2+1)), field: "report.sections[3].text"},
		{name: "caret in a family name", mutate: setFamily("Smith^Jones"), field: "report.patient.name.family"},
		{name: "equals in a given name", mutate: setGiven("Ann=Marie"), field: "report.patient.name.given[0]"},
		{name: "backslash in a given name", mutate: setGiven(`Ann\Marie`), field: "report.patient.name.given[0]"},
		{name: "newline in a name", mutate: setFamily("Smith\nJones"), field: "report.patient.name.family"},
		{name: "Japanese name", mutate: func(r *pb.Report) { r.Patient.Name.Family, r.Patient.Name.Given = "山田", []string{"太郎"} }, cda: "<family>山田</family>", sr: "山田^太郎"},
		{name: "Korean name", mutate: func(r *pb.Report) { r.Patient.Name.Family, r.Patient.Name.Given = "홍", []string{"길동"} }, cda: "<given>길동</given>", sr: "홍^길동"},
		{name: "Chinese name", mutate: func(r *pb.Report) { r.Patient.Name.Family, r.Patient.Name.Given = "王", []string{"小明"} }, cda: "<family>王</family>", sr: "王^小明"},
		{name: "Arabic name", mutate: func(r *pb.Report) { r.Patient.Name.Family, r.Patient.Name.Given = "الحسن", []string{"محمد"} }, cda: "<family>الحسن</family>", sr: "الحسن^محمد"},
		{name: "Hebrew name", mutate: func(r *pb.Report) { r.Patient.Name.Family, r.Patient.Name.Given = "כהן", []string{"דוד"} }, cda: "<family>כהן</family>", sr: "כהן^דוד"},
		{name: "Greek and Cyrillic", mutate: func(r *pb.Report) {
			r.Patient.Name.Family, r.Patient.Name.Given = "Παπαδόπουλος", []string{"Дмитрий"}
		}, sr: "Παπαδόπουλος^Дмитрий"},
		{name: "CJK name at the PN limit", mutate: func(r *pb.Report) {
			r.Patient.Name.Family, r.Patient.Name.Given = strings.Repeat("山", 55), []string{"太郎"}
		}, sr: strings.Repeat("山", 55) + "^太郎"},
		{name: "name over the PN limit", mutate: setFamily(strings.Repeat("山", 61)), field: "report.patient.name"},
		{name: "backslash in a patient id", mutate: func(r *pb.Report) { r.Patient.Ids[0].Value = `A\B` }, field: "report.patient.ids[0].value"},
		{name: "patient id over LO", mutate: func(r *pb.Report) { r.Patient.Ids[0].Value = strings.Repeat("1", 65) }, field: "report.patient.ids[0].value"},
		{name: "newline in a title", mutate: func(r *pb.Report) { r.Title = "CT\nChest" }, field: "report.title"},
		{name: "request-provided OID with leading zero", mutate: func(r *pb.Report) { r.Patient.Ids[0].AssigningAuthorityOid = "2.16.0840.1" }, field: "report.patient.ids[0].assigning_authority_oid"},
		{name: "UUID as an OID", mutate: func(r *pb.Report) { r.Custodian.Ids[0].AssigningAuthorityOid = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6" }, field: "report.custodian.ids[0].assigning_authority_oid"},
		{name: "code with markup in display name", mutate: setObsCode(&pb.Code{Code: "X1", Scheme: pb.CodingScheme_CODING_SCHEME_LOCAL, LocalDesignator: "99LOC", LocalOid: "1.2.3.4", DisplayName: "<b>bold</b>"}), cda: "&lt;b&gt;bold&lt;/b&gt;", sr: "<b>bold</b>"},
		{name: "code value with a space", mutate: setObsCode(&pb.Code{Code: "12 34", Scheme: pb.CodingScheme_CODING_SCHEME_SNOMED_CT, DisplayName: "x"}), field: "report.sections[3].observations[0].code.code"},
		{name: "UCUM unit with an apostrophe", mutate: measure("42", "[hnsf'U]"), cda: `unit="[hnsf'U]"`, sr: "[hnsf'U]"},
		{name: "measurement NaN", mutate: measure("NaN", "mm"), field: "report.sections[3].observations[1].measurement.value"},
		{name: "measurement with exponent", mutate: measure("1.5e2", "mm"), sr: "1.5e2"},
		{name: "measurement with markup unit", mutate: measure("3", "<mm>"), field: "report.sections[3].observations[1].measurement.unit"},
		{name: "telecom javascript URI", mutate: func(r *pb.Report) { r.Patient.Telecoms[0].Value = "javascript:alert(1)" }, field: "report.patient.telecoms[0].value"},
		{name: "leap second", mutate: func(r *pb.Report) { r.ReportTime = "2026-11-20T23:59:60Z" }, field: "report.report_time"},
		{name: "offset beyond +14:00", mutate: func(r *pb.Report) { r.ReportTime = "2026-11-20T09:42:00+15:00" }, field: "report.report_time"},
		{name: "year zero birth date", mutate: func(r *pb.Report) { r.Patient.BirthDate = "0000-01-01" }, field: "report.patient.birth_date"},
	}
	if len(tests) < 40 {
		t.Fatalf("the hostile table needs at least 40 cases, has %d", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := proto.Clone(base).(*pb.GenerateReportRequest)
			tt.mutate(req.Report)
			resp, err := e.Generate(context.Background(), req)
			if tt.field != "" {
				var ire *reportgen.InvalidRequestError
				if !errors.As(err, &ire) {
					t.Fatalf("want a violation on %s, got %v", tt.field, err)
				}
				for _, v := range ire.Violations {
					if v.Field == tt.field {
						return
					}
				}
				t.Fatalf("want a violation on %s, got %v", tt.field, ire.Violations)
			}
			if err != nil {
				t.Fatalf("want accepted, got %v", err)
			}
			cdaDoc, srDoc := resp.GetDocuments()[0].GetContent(), resp.GetDocuments()[1].GetContent()
			if tt.cda != "" && !bytes.Contains(cdaDoc, []byte(tt.cda)) {
				t.Errorf("CDA lacks %q", tt.cda)
			}
			if tt.sr != "" && !bytes.Contains(srDoc, []byte(tt.sr)) {
				t.Errorf("SR lacks %q", tt.sr)
			}
		})
	}
}
