package reportgen_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/internal/extval"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

// docOf returns the document of kind k of a response.
func docOf(t *testing.T, resp *pb.GenerateReportResponse, k pb.DocumentKind) *pb.Document {
	t.Helper()
	for _, d := range resp.GetDocuments() {
		if d.GetKind() == k {
			return d
		}
	}
	t.Fatalf("no %v document", k)
	return nil
}

// hasIssue reports whether a document carries an issue of rule at the
// severity whose location and message contain the texts.
func hasIssue(d *pb.Document, sev pb.Severity, rule, location, text string) bool {
	for _, i := range d.GetIssues() {
		if i.GetSeverity() == sev && i.GetRuleId() == rule && strings.Contains(i.GetLocation(), location) && strings.Contains(i.GetMessage(), text) {
			return true
		}
	}
	return false
}

// withoutFindings removes the Findings section of the chest example.
func withoutFindings(t *testing.T) *pb.GenerateReportRequest {
	req := example(t, "chest-radiograph")
	var keep []*pb.Section
	for _, s := range req.Report.Sections {
		if s.GetKind() != pb.SectionKind_SECTION_KIND_FINDINGS {
			keep = append(keep, s)
		}
	}
	req.Report.Sections = keep
	return req
}

// checkNIFindings: the CDA has one Findings Section, nullFlavor NI, with
// its template, code, title and "No information", before the Impression;
// the SR has no Findings container; both carry the info issue.
func checkNIFindings(t *testing.T, cdaDoc *pb.Document, srDoc *pb.Document) {
	t.Helper()
	x := etree.NewDocument()
	if err := x.ReadFromBytes(cdaDoc.GetContent()); err != nil {
		t.Fatal(err)
	}
	secs := x.FindElements("//structuredBody/component/section")
	ni := -1
	for i, s := range secs {
		if s.SelectAttrValue("nullFlavor", "") == "NI" {
			if ni >= 0 {
				t.Fatalf("two NI sections")
			}
			ni = i
			if s.FindElement("templateId[@root='2.16.840.1.113883.10.20.6.1.2']") == nil || s.FindElement("code[@code='121070']") == nil ||
				s.FindElement("title") == nil || s.FindElement("text").Text() != "No information" || len(s.SelectElements("entry")) != 0 {
				t.Errorf("the NI Findings Section lacks its template, code, title or narrative")
			}
		}
	}
	if ni < 0 {
		t.Fatalf("the CDA has no Findings Section with nullFlavor NI")
	}
	if ni+1 >= len(secs) || secs[ni+1].FindElement("code[@code='19005-8']") == nil {
		t.Errorf("the NI Findings Section is not right before the Impression")
	}
	if !hasIssue(cdaDoc, pb.Severity_SEVERITY_INFO, reportgen.RuleNoFindings, "", "nullFlavor NI") {
		t.Errorf("the CDA carries no %s info: %v", reportgen.RuleNoFindings, cdaDoc.GetIssues())
	}
	if srDoc != nil {
		if bytes.Contains(srDoc.GetContent(), []byte("59776-5")) || bytes.Contains(srDoc.GetContent(), []byte("121070")) {
			t.Errorf("the SR has a Findings container")
		}
		if !hasIssue(srDoc, pb.Severity_SEVERITY_INFO, reportgen.RuleNoFindings, "", "no Findings container") {
			t.Errorf("the SR carries no %s info", reportgen.RuleNoFindings)
		}
	}
}

// TestNoFindings: an impression-only report renders with the Findings
// Section of nullFlavor NI, sent as sections, dictated without a Findings
// heading, and transformed from its own SR; both documents pass the
// independent validators. A request without any text is still refused.
func TestNoFindings(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()

	resp, err := e.Generate(ctx, withoutFindings(t))
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	cdaDoc, srDoc := docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_CDA), docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_SR)
	checkNIFindings(t, cdaDoc, srDoc)
	checkExternally(t, resp)

	t.Run("dictation without a Findings heading", func(t *testing.T) {
		resp, err := e.Generate(ctx, dictated(t, "INDICATION: Cough\nIMPRESSION: No acute process.\n"))
		if err != nil {
			t.Fatalf("Generate: %v", err)
		}
		checkNIFindings(t, docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_CDA), docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_SR))
		checkExternally(t, resp)
	})
	t.Run("SR to CDA", func(t *testing.T) {
		xe, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir, Now: func() time.Time { return fixedNow },
			TransformDefaults: sr.ReadOptions{Custodian: &pb.Organization{Name: "Good Health Hospital"}}})
		if err != nil {
			t.Fatal(err)
		}
		defer xe.Close()
		out, err := xe.TransformDocument(ctx, &pb.TransformDocumentRequest{Content: srDoc.GetContent()})
		if err != nil {
			t.Fatalf("TransformDocument: %v", err)
		}
		checkNIFindings(t, out.GetDocument(), nil)
		checkCDAExternally(t, out.GetDocument().GetContent())
	})
	for name, mutate := range map[string]func(r *pb.Report){
		"no sections":        func(r *pb.Report) { r.Sections = nil },
		"blank dictation":    func(r *pb.Report) { r.Sections, r.Dictation = nil, " \n " },
		"headings only":      func(r *pb.Report) { r.Sections, r.Dictation = nil, "FINDINGS:\nIMPRESSION:" },
		"an empty section":   func(r *pb.Report) { r.Sections = []*pb.Section{{Kind: pb.SectionKind_SECTION_KIND_IMPRESSION}} },
		"two Findings parts": func(r *pb.Report) { r.Sections = append(r.Sections, r.Sections[3], r.Sections[3]) },
	} {
		t.Run("refused: "+name, func(t *testing.T) {
			req := example(t, "chest-radiograph")
			mutate(req.Report)
			var ire *reportgen.InvalidRequestError
			if _, err := e.Generate(ctx, req); !errors.As(err, &ire) {
				t.Fatalf("got %v, want an invalid request", err)
			}
		})
	}
}

// TestTemplateRulesAsWarnings: a report that breaks its template's rules
// is refused by default and rendered with TEMPLATE_RULES_WARN, each
// relaxed rule listed as a warning on every document.
func TestTemplateRulesAsWarnings(t *testing.T) {
	e := newEngine(t)
	req := example(t, "chest-radiograph")
	req.TemplateId = "chest-radiograph"
	var keep []*pb.Section
	for _, s := range req.Report.Sections {
		if s.GetKind() != pb.SectionKind_SECTION_KIND_IMPRESSION {
			keep = append(keep, s)
		}
	}
	req.Report.Sections = keep
	var ire *reportgen.InvalidRequestError
	if _, err := e.Generate(context.Background(), req); !errors.As(err, &ire) || !strings.Contains(ire.Error(), "requires section IMPRESSION") {
		t.Fatalf("default: got %v, want the template's required Impression refused", err)
	}
	req.TemplateRules = pb.TemplateRules_TEMPLATE_RULES_WARN
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("TEMPLATE_RULES_WARN: %v", err)
	}
	for _, d := range resp.GetDocuments() {
		if !hasIssue(d, pb.Severity_SEVERITY_WARNING, reportgen.RuleTemplateRelaxed, "report.sections", "requires section IMPRESSION") {
			t.Errorf("%v: no warning for the relaxed rule: %v", d.GetKind(), d.GetIssues())
		}
	}
	checkExternally(t, resp)
	// The findings model's own rules are never relaxed.
	req.Report.Sections = nil
	if _, err := e.Generate(context.Background(), req); !errors.As(err, &ire) {
		t.Errorf("TEMPLATE_RULES_WARN relaxed a request rule: %v", err)
	}
}

// TestPartialBirthDates: YYYY and YYYY-MM give a CDA birthTime of that
// precision and an empty DICOM Patient's Birth Date, with a note; both
// documents pass the independent validators.
func TestPartialBirthDates(t *testing.T) {
	e := newEngine(t)
	for _, tt := range []struct{ in, ts string }{{"1952", "1952"}, {"1952-03", "195203"}, {"1952-03-14", "19520314"}} {
		t.Run(tt.in, func(t *testing.T) {
			req := example(t, "chest-radiograph")
			req.Report.Patient.BirthDate = tt.in
			resp, err := e.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			cdaDoc, srDoc := docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_CDA), docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_SR)
			if want := `<birthTime value="` + tt.ts + `"/>`; !bytes.Contains(cdaDoc.GetContent(), []byte(want)) {
				t.Errorf("the CDA lacks %s", want)
			}
			src, _, err := sr.ReadSource(srDoc.GetContent(), sr.ReadOptions{})
			if err != nil && src == nil {
				t.Fatalf("read the SR: %v", err)
			}
			wantDA := ""
			if len(tt.ts) == 8 {
				wantDA = tt.in
			}
			if got := src.Report.GetPatient().GetBirthDate(); got != wantDA {
				t.Errorf("the SR's birth date reads back as %q, want %q", got, wantDA)
			}
			if partial := len(tt.ts) < 8; partial != hasIssue(srDoc, pb.Severity_SEVERITY_INFO, reportgen.RulePartialBirthDate, "report.patient.birth_date", "") {
				t.Errorf("partial %v, but the SR's note is not there as it should be: %v", partial, srDoc.GetIssues())
			}
			checkExternally(t, resp)
		})
	}
	for _, bad := range []string{"1952-13", "19520", "1952-3", "0999", "2999", "1952-02-30"} {
		req := example(t, "chest-radiograph")
		req.Report.Patient.BirthDate = bad
		var ire *reportgen.InvalidRequestError
		if _, err := e.Generate(context.Background(), req); !errors.As(err, &ire) || ire.Violations[0].Field != "report.patient.birth_date" {
			t.Errorf("%q: got %v, want a violation on report.patient.birth_date", bad, err)
		}
	}
}

// TestNameGroups: ideographic and phonetic names go to the SR as PN
// component groups and to the CDA as names with use IDE and SYL, and both
// read back exactly.
func TestNameGroups(t *testing.T) {
	e := newEngine(t)
	name := &pb.PersonName{Family: "Yamada", Given: []string{"Tarou"},
		Ideographic: &pb.PersonNameGroup{Family: "山田", Given: []string{"太郎"}},
		Phonetic:    &pb.PersonNameGroup{Family: "やまだ", Given: []string{"たろう"}}}
	req := example(t, "chest-radiograph")
	req.Report.Patient.Name = name
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	cdaDoc, srDoc := docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_CDA), docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_SR)
	x := etree.NewDocument()
	if err := x.ReadFromBytes(cdaDoc.GetContent()); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, n := range x.FindElements("//recordTarget/patientRole/patient/name") {
		got[n.SelectAttrValue("use", "")] = n.FindElement("family").Text() + "^" + n.FindElement("given").Text()
	}
	if want := map[string]string{"L": "Yamada^Tarou", "IDE": "山田^太郎", "SYL": "やまだ^たろう"}; len(got) != 3 || got["L"] != want["L"] || got["IDE"] != want["IDE"] || got["SYL"] != want["SYL"] {
		t.Errorf("CDA patient names %v, want %v", got, want)
	}
	if !bytes.Contains(srDoc.GetContent(), []byte("Yamada^Tarou=山田^太郎=やまだ^たろう")) {
		t.Errorf("the SR's Patient's Name is not the three component groups")
	}
	src, _, err := sr.ReadSource(srDoc.GetContent(), sr.ReadOptions{})
	if src == nil {
		t.Fatalf("read the SR: %v", err)
	}
	back := src.Report.GetPatient().GetName()
	if back.GetFamily() != "Yamada" || back.GetIdeographic().GetFamily() != "山田" || back.GetIdeographic().GetGiven()[0] != "太郎" ||
		back.GetPhonetic().GetFamily() != "やまだ" || back.GetPhonetic().GetGiven()[0] != "たろう" {
		t.Errorf("the SR reads back as %v", back)
	}
	path := filepath.Join(t.TempDir(), "sr.dcm")
	if err := os.WriteFile(path, srDoc.GetContent(), 0o644); err != nil {
		t.Fatal(err)
	}
	dump, err := extval.DCMDump(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dump.Output, "Yamada^Tarou=山田^太郎=やまだ^たろう") {
		t.Errorf("dcmdump does not read the three groups back")
	}
	checkExternally(t, resp)

	req.Report.Patient.Name.Phonetic = &pb.PersonNameGroup{Family: "や=まだ", Given: []string{"たろう"}}
	var ire *reportgen.InvalidRequestError
	if _, err := e.Generate(context.Background(), req); !errors.As(err, &ire) || ire.Violations[0].Field != "report.patient.name.phonetic.family" {
		t.Errorf("a delimiter in a phonetic name: got %v", err)
	}
}

// TestTabInText: TAB stays in the CDA, becomes a space in the SR (which
// dciodvfy checks: it rejects 0x09 in LT, ST and UT), and the SR carries
// a warning naming the field.
func TestTabInText(t *testing.T) {
	e := newEngine(t)
	req := example(t, "chest-radiograph")
	req.Report.Sections[3].Text = "Heart size:\tnormal.\nLungs:\t\tclear."
	req.Report.Study.ReasonText = "Cough\tand fever"
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	cdaDoc, srDoc := docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_CDA), docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_SR)
	if bytes.IndexByte(srDoc.GetContent(), '\t') >= 0 {
		t.Errorf("the SR holds a TAB")
	}
	if !bytes.Contains(srDoc.GetContent(), []byte("Heart size: normal.\nLungs:  clear.")) {
		t.Errorf("the SR does not hold the text with spaces for TABs")
	}
	if !bytes.Contains(cdaDoc.GetContent(), []byte("Heart size:\tnormal.")) {
		t.Errorf("the CDA lost the TAB")
	}
	for _, f := range []string{"report.sections[3].text", "report.study.reason_text"} {
		if !hasIssue(srDoc, pb.Severity_SEVERITY_WARNING, reportgen.RuleSRTab, f, "TAB") {
			t.Errorf("no %s warning on %s: %v", reportgen.RuleSRTab, f, srDoc.GetIssues())
		}
		if hasIssue(cdaDoc, pb.Severity_SEVERITY_WARNING, reportgen.RuleSRTab, f, "") {
			t.Errorf("the CDA carries the SR's TAB warning")
		}
	}
	checkExternally(t, resp)

	t.Run("dictation", func(t *testing.T) {
		resp, err := e.Generate(context.Background(), dictated(t, "FINDINGS:\tLungs\tclear.\nIMPRESSION:\tNormal."))
		if err != nil {
			t.Fatalf("Generate: %v", err)
		}
		srDoc := docOf(t, resp, pb.DocumentKind_DOCUMENT_KIND_SR)
		if !hasIssue(srDoc, pb.Severity_SEVERITY_WARNING, reportgen.RuleSRTab, "report.dictation", "FINDINGS section") {
			t.Errorf("no TAB warning on the dictation: %v", srDoc.GetIssues())
		}
		checkExternally(t, resp)
	})
}

// TestTextLimit: a text of 1 MiB (a pasted prior report) renders by
// default; a configured limit refuses more, and the engine refuses a
// limit outside its range.
func TestTextLimit(t *testing.T) {
	e := newEngine(t)
	big := strings.Repeat("Prior report pasted in: the lungs are clear. ", reportgen.DefaultMaxText/46)
	req := example(t, "chest-radiograph")
	req.Report.Sections[3].Text = big
	req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
	if _, err := e.Generate(context.Background(), req); err != nil {
		t.Fatalf("a text of %d bytes: %v", len(big), err)
	}
	small, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir, Now: func() time.Time { return fixedNow }, MaxTextBytes: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	var ire *reportgen.InvalidRequestError
	if _, err := small.Generate(context.Background(), req); !errors.As(err, &ire) || ire.Violations[0].Field != "report.sections[3].text" || !strings.Contains(ire.Violations[0].Description, "131072") {
		t.Errorf("over a limit of 128 KiB: got %v", err)
	}
	for _, bad := range []int{1 << 10, reportgen.MaxTextLimit + 1} {
		if e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir, MaxTextBytes: bad}); err == nil {
			e.Close()
			t.Errorf("MaxTextBytes %d accepted", bad)
		}
	}
}
