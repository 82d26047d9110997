package reportgen_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/cda/conformance"
	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/internal/samples"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas/ucum/ucumtest"
	"github.com/reportgen/reportgen/sr"
)

// The transform tests keep their own helpers, so they do not depend on
// other test files of the package.

const xfrmSchemaDir = "schemas/synced"

var xfrmNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func xfrmEngine(tb testing.TB) *reportgen.Engine {
	tb.Helper()
	e, err := reportgen.New(reportgen.Config{SchemaDir: xfrmSchemaDir, WADOBaseURL: "https://pacs.example.org/wado", Now: func() time.Time { return xfrmNow }})
	if err != nil {
		tb.Fatalf("%v (CI syncs the schemas before the tests)", err)
	}
	tb.Cleanup(e.Close)
	return e
}

// xfrmExamples returns every examples/*.json request by name.
func xfrmExamples(tb testing.TB) map[string]*pb.GenerateReportRequest {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("examples", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no examples: %v", err)
	}
	out := map[string]*pb.GenerateReportRequest{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		req := &pb.GenerateReportRequest{}
		if err := protojson.Unmarshal(b, req); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = req
	}
	return out
}

// cdaSummary is what a CDA says, as the round trip compares it: the body
// (section codes and titles, each entry's codes and values, the image
// references) and the header facts an SR carries. Identities of the
// documents themselves are left out: a transform makes a new document.
type cdaSummary struct {
	Sections []string
	Entries  []string
	Catalog  []string
	Header   []string
}

// summarize parses a CDA with etree and lists what it says.
func summarize(t *testing.T, b []byte) cdaSummary {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatalf("parse CDA: %v", err)
	}
	cd := doc.Root()
	var s cdaSummary
	attr := func(el *etree.Element, path, name string) string {
		if el == nil {
			return ""
		}
		if path != "" {
			el = el.FindElement(path)
		}
		if el == nil {
			return ""
		}
		return el.SelectAttrValue(name, "")
	}
	code := func(el *etree.Element, path string) string {
		return attr(el, path, "code") + "@" + attr(el, path, "codeSystem")
	}
	for _, sec := range cd.FindElements("./component/structuredBody/component/section") {
		c := code(sec, "code")
		if c == "121181@1.2.840.10008.2.16.4" {
			for _, obs := range sec.FindElements(".//observation[@classCode='DGIMG']") {
				s.Catalog = append(s.Catalog, attr(obs, "id", "root")+" "+code(obs, "code"))
			}
			continue
		}
		s.Sections = append(s.Sections, c+" "+sec.FindElement("title").Text())
		for i, entry := range sec.SelectElements("entry") {
			for _, obs := range entry.FindElements(".//observation") {
				line := fmt.Sprintf("%s[%d] %s %s", c, i, attr(obs, "templateId", "root"), code(obs, "code"))
				if v := obs.SelectElement("value"); v != nil {
					switch v.SelectAttrValue("xsi:type", "") {
					case "PQ":
						line += " PQ " + v.SelectAttrValue("value", "") + " " + v.SelectAttrValue("unit", "")
					case "CD":
						line += " CD " + code(v, "")
					case "ED":
						line += " ED " + v.Text()
					}
				}
				if ts := obs.SelectElement("targetSiteCode"); ts != nil {
					line += " site " + code(ts, "")
				}
				if obs.SelectAttrValue("classCode", "") == "DGIMG" {
					line += " image " + attr(obs, "id", "root")
				}
				if b := obs.FindElement(".//value[@xsi:type='INT']"); b != nil {
					var frames []string
					for _, f := range obs.FindElements(".//value[@xsi:type='INT']") {
						frames = append(frames, f.SelectAttrValue("value", ""))
					}
					line += " frames " + strings.Join(frames, ",")
				}
				s.Entries = append(s.Entries, line)
			}
		}
	}
	sort.Strings(s.Catalog)
	for _, p := range []string{
		"./code", "./languageCode", "./recordTarget/patientRole/id", "./recordTarget/patientRole/patient/administrativeGenderCode",
		"./recordTarget/patientRole/patient/birthTime", "./documentationOf/serviceEvent/id", "./documentationOf/serviceEvent/code",
		"./inFulfillmentOf/order/id", "./effectiveTime", "./legalAuthenticator/time",
	} {
		for _, el := range cd.FindElements(p) {
			var kv []string
			for _, a := range el.Attr {
				kv = append(kv, a.Key+"="+a.Value)
			}
			s.Header = append(s.Header, p+" "+strings.Join(kv, " "))
		}
	}
	for _, p := range []string{"./recordTarget/patientRole/patient/name", "./author/assignedAuthor/assignedPerson/name", "./legalAuthenticator/assignedEntity/assignedPerson/name"} {
		for _, el := range cd.FindElements(p) {
			var parts []string
			for _, c := range el.ChildElements() {
				parts = append(parts, c.Tag+":"+c.Text())
			}
			s.Header = append(s.Header, p+" "+strings.Join(parts, " "))
		}
	}
	return s
}

// TestTransformRoundTrip: for each example, findings → SR → Read → CDA
// must say what findings → CDA says: the same sections (codes, titles),
// observation codes and values, measurements (value and unit), finding
// sites, image references (SOP instances, frames) and header facts. The
// CDA made from the SR names the SR with relatedDocument XFRM (PS3.20).
func TestTransformRoundTrip(t *testing.T) {
	e := xfrmEngine(t)
	for name, req := range xfrmExamples(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp, err := e.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			direct, srDoc := resp.GetDocuments()[0], resp.GetDocuments()[1]
			out, err := e.TransformDocument(context.Background(), &pb.TransformDocumentRequest{Content: srDoc.GetContent()})
			if err != nil {
				t.Fatalf("TransformDocument: %v", err)
			}
			for _, i := range out.GetSourceIssues() {
				if i.GetSeverity() == pb.Severity_SEVERITY_ERROR {
					t.Errorf("source issue: %v", i)
				}
				t.Logf("source: %s %s %s: %s", i.GetSeverity(), i.GetRuleId(), i.GetLocation(), i.GetMessage())
			}
			want, got := summarize(t, direct.GetContent()), summarize(t, out.GetDocument().GetContent())
			if len(want.Entries) == 0 || len(want.Sections) == 0 {
				t.Fatalf("the generated CDA says nothing: %+v", want)
			}
			for _, part := range []struct {
				name      string
				want, got []string
			}{
				{"sections", want.Sections, got.Sections},
				{"entries", want.Entries, got.Entries},
				{"catalog", want.Catalog, got.Catalog},
				{"header", want.Header, got.Header},
			} {
				if !reflect.DeepEqual(part.want, part.got) {
					t.Errorf("%s differ:\n%s", part.name, diffLines(part.want, part.got))
				}
			}
			checkCDAExternally(t, out.GetDocument().GetContent())
			x := etree.NewDocument()
			if err := x.ReadFromBytes(out.GetDocument().GetContent()); err != nil {
				t.Fatal(err)
			}
			rd := x.Root().SelectElements("relatedDocument")
			if len(rd) != 1 || rd[0].SelectAttrValue("typeCode", "") != "XFRM" ||
				rd[0].FindElement("parentDocument/id").SelectAttrValue("root", "") != srDoc.GetSr().GetSopInstanceUid() {
				t.Errorf("the CDA does not name the SR %s with one relatedDocument XFRM (X-09)", srDoc.GetSr().GetSopInstanceUid())
			}
			if id := out.GetDocument().GetCda().GetDocumentId(); id == "" || id == direct.GetCda().GetDocumentId() || id == srDoc.GetSr().GetSopInstanceUid() {
				t.Errorf("the transformed CDA's id %q must be new: neither the generated CDA's nor the SR's", id)
			}
		})
	}
}

// xfrmSchematron compiles the C-CDA R2.1 schematron's errors phase once
// per test binary: it takes seconds.
var xfrmSchematron = sync.OnceValues(func() (*extval.Schematron, error) {
	dir, err := os.MkdirTemp("", "reportgen-xfrm-sch-")
	if err != nil {
		return nil, err
	}
	return extval.CompileSchematron(filepath.Join(xfrmSchemaDir, "ccda-2.1", "ccda-2.1.sch"), "errors", dir)
})

// checkCDAExternally has the independent validators judge a transformed
// CDA: xmllint with the CDA schema (SDTC) and the HL7 C-CDA schematron.
// The null-flavored ids and the relatedDocument XFRM that a transform adds
// must pass both.
func checkCDAExternally(t *testing.T, b []byte) {
	t.Helper()
	lines, err := extval.XMLLint(filepath.Join(xfrmSchemaDir, "cda-sdtc", "infrastructure", "cda", "CDA_SDTC.xsd"), b)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		t.Errorf("xmllint: %s", l)
	}
	sch, err := xfrmSchematron()
	if err != nil {
		t.Fatalf("compile schematron: %v", err)
	}
	failed, err := sch.Run(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range failed {
		t.Errorf("schematron: %s", a)
	}
}

// diffLines lists the lines only one side has.
func diffLines(want, got []string) string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, "- "+w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			out = append(out, "+ "+g)
		}
	}
	if len(out) == 0 {
		return "(same lines, other order)"
	}
	return strings.Join(out, "\n")
}

// TestTransformSamples transforms the two public SR samples, neither of
// them TID 2000 and both broken (internal/samples): each fails
// with a SourceError whose issues give the exact reasons, as dciodvfy
// and the template rules see them.
func TestTransformSamples(t *testing.T) {
	e := xfrmEngine(t)
	tests := []struct {
		file string
		// want are rule id and message fragment pairs that must be among
		// the error issues.
		want [][2]string
	}{
		{"reportsi.dcm", [][2]string{
			{"SR-TID-10", "Content Template Sequence"},
			{"SR-TID-02", "Language of Content Item"},
			{"SR-TID-03", "no observer"},
			{"SR-TID-04", "TID 1001"},
			{"SR-TID-06", "CID 7001"},
			{"SR-CI-08", "Referenced SOP Instance UID is not a valid UID"},
			{"SR-UID-01", "has only one component"},
			{"SR-MOD-08", "neither a Current Requested Procedure Evidence Sequence"},
		}},
		{"test-SR.dcm", [][2]string{
			{"SR-TID-10", "Content Template Sequence"},
			{"SR-TID-02", "Language of Content Item"},
			{"SR-TID-05", "value type TEXT"},
			{"SR-TID-05", "value type COMPOSITE"},
			{"SR-TID-05", "value type IMAGE"},
			{"SR-TID-06", "no heading concept name"},
			{"SR-CI-06", "not coded in UCUM"},
			{"SR-UID-01", "Referenced SOP Instance UID"},
			{"SR-MOD-08", "neither a Current Requested Procedure Evidence Sequence"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := samples.Read(t, "sr/"+tt.file)
			resp, err := e.TransformDocument(context.Background(), &pb.TransformDocumentRequest{Content: b})
			var se *reportgen.SourceError
			if !errors.As(err, &se) {
				t.Fatalf("TransformDocument = %v, %v; want a SourceError", resp, err)
			}
			if !errors.Is(err, sr.ErrNotTID2000) || !errors.Is(err, sr.ErrInvalidSR) {
				t.Errorf("error %q is not both ErrNotTID2000 and ErrInvalidSR", err)
			}
			errs := se.Issues.Errors()
			for _, w := range tt.want {
				if !slices.ContainsFunc(errs, func(i issue.Issue) bool { return i.RuleID == w[0] && strings.Contains(i.Message, w[1]) }) {
					t.Errorf("no %s error saying %q", w[0], w[1])
				}
			}
			for _, i := range se.Issues {
				t.Logf("%v", i)
			}
		})
	}
}

// TestTransformStatuses: the lifecycle survives the transform as far as a
// CDA made from an SR can say it. A preliminary SR gives a CDA without
// legal authenticator; a signed one, with it; a corrected or amended SR
// gives a signed CDA of its own, with only the XFRM link to its source
// and a warning that the predecessor is not linked.
func TestTransformStatuses(t *testing.T) {
	e := xfrmEngine(t)
	base := xfrmExamples(t)["chest-radiograph"]
	pred := &pb.PredecessorDocument{CdaDocumentId: "2.25.1001", SrSeriesInstanceUid: "2.25.2001", SrSopInstanceUid: "2.25.2002"}
	tests := []struct {
		name     string
		mutate   func(r *pb.Report)
		signed   bool
		warnPred bool
	}{
		{"preliminary", func(r *pb.Report) {
			r.Status, r.LegalAuthenticator, r.SignatureTime = pb.ReportStatus_REPORT_STATUS_PRELIMINARY, nil, ""
		}, false, false},
		{"final", func(*pb.Report) {}, true, false},
		{"corrected", func(r *pb.Report) { r.Status, r.Predecessor = pb.ReportStatus_REPORT_STATUS_CORRECTED, pred }, true, true},
		{"addendum", func(r *pb.Report) {
			r.Status, r.Predecessor = pb.ReportStatus_REPORT_STATUS_ADDENDUM, pred
			r.Sections = append(r.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_ADDENDUM, Text: "Outside films reviewed."})
		}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := proto.Clone(base).(*pb.GenerateReportRequest)
			tt.mutate(req.Report)
			req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
			gen, err := e.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			out, err := e.TransformDocument(context.Background(), &pb.TransformDocumentRequest{Content: gen.GetDocuments()[0].GetContent()})
			if err != nil {
				t.Fatalf("TransformDocument: %v", err)
			}
			x := etree.NewDocument()
			if err := x.ReadFromBytes(out.GetDocument().GetContent()); err != nil {
				t.Fatal(err)
			}
			if got := x.Root().SelectElement("legalAuthenticator") != nil; got != tt.signed {
				t.Errorf("legalAuthenticator present: %v, want %v", got, tt.signed)
			}
			if rd := x.Root().SelectElements("relatedDocument"); len(rd) != 1 || rd[0].SelectAttrValue("typeCode", "") != "XFRM" {
				t.Errorf("want exactly one relatedDocument, XFRM")
			}
			warned := slices.ContainsFunc(out.GetSourceIssues(), func(i *pb.Issue) bool { return i.GetRuleId() == reportgen.RuleXfrmNotCarried })
			if warned != tt.warnPred {
				t.Errorf("predecessor warning: %v, want %v", warned, tt.warnPred)
			}
		})
	}
}

// TestTransformOptions: header data from the options reaches the CDA, and
// each use is reported.
func TestTransformOptions(t *testing.T) {
	e := xfrmEngine(t)
	req := xfrmExamples(t)["mr-brain"]
	req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
	gen, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	opt := reportgen.TransformOptions{Read: sr.ReadOptions{Custodian: &pb.Organization{Name: "Archive", Ids: []*pb.Identifier{{AssigningAuthorityOid: "1.2.826.0.1.3680043.10.1074"}}}}}
	out, err := e.Transform(context.Background(), gen.GetDocuments()[0].GetContent(), opt)
	if err != nil {
		t.Fatal(err)
	}
	x := etree.NewDocument()
	if err := x.ReadFromBytes(out.GetDocument().GetContent()); err != nil {
		t.Fatal(err)
	}
	org := x.Root().FindElement("custodian/assignedCustodian/representedCustodianOrganization")
	if org.SelectElement("id").SelectAttrValue("root", "") != "1.2.826.0.1.3680043.10.1074" || org.SelectElement("name").Text() != req.GetReport().GetCustodian().GetName() {
		t.Errorf("custodian id %v, name %q: want the option's id and the SR's institution", org.SelectElement("id").Attr, org.SelectElement("name").Text())
	}
	if !slices.ContainsFunc(out.GetSourceIssues(), func(i *pb.Issue) bool {
		return i.GetRuleId() == sr.RuleDefaulted && strings.Contains(i.GetMessage(), "ReadOptions.Custodian")
	}) {
		t.Error("the use of the custodian option is not reported")
	}
}

// TestTransformBadInput: input that cannot be an SR to read is an
// InvalidRequestError naming the field.
func TestTransformBadInput(t *testing.T) {
	e := xfrmEngine(t)
	tests := []struct {
		name  string
		req   *pb.TransformDocumentRequest
		field string
	}{
		{"empty", &pb.TransformDocumentRequest{}, "content"},
		{"XML", &pb.TransformDocumentRequest{Content: []byte(`<?xml version="1.0"?><ClinicalDocument/>`)}, "content"},
		{"too large", &pb.TransformDocumentRequest{Content: make([]byte, reportgen.MaxDocumentSize+1)}, "content"},
		{"namespace", &pb.TransformDocumentRequest{Content: append(make([]byte, 128), "DICM"...), UidNamespace: strings.Repeat("n", 129)}, "uid_namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.TransformDocument(context.Background(), tt.req)
			var ire *reportgen.InvalidRequestError
			if !errors.As(err, &ire) || !slices.ContainsFunc(ire.Violations, func(v issue.Violation) bool { return v.Field == tt.field }) {
				t.Errorf("error %v, want an InvalidRequestError on %s", err, tt.field)
			}
		})
	}
}

// TestTransformUnknownIDs: an SR without the author's, legal
// authenticator's and custodian's identifiers (ours carries none: the SR
// has no place for a custodian's, and our SRs write no Person
// Identification Code Sequence) gives a CDA whose ids there are exactly
// <id nullFlavor="UNK"/>, with a note for each, and the CDA passes the CDA
// schema, the HL7 schematron and our DIR rules.
func TestTransformUnknownIDs(t *testing.T) {
	e := xfrmEngine(t)
	req := xfrmExamples(t)["ct-chest-measurements"]
	req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
	gen, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	srDoc := gen.GetDocuments()[0]
	rep, _, err := sr.Read(srDoc.GetContent(), sr.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.GetAuthor().GetIds()) != 0 || len(rep.GetLegalAuthenticator().GetIds()) != 0 || len(rep.GetCustodian().GetIds()) != 0 {
		t.Fatal("the SR identifies the author, legal authenticator or custodian; the test needs one that does not")
	}
	out, err := e.TransformDocument(context.Background(), &pb.TransformDocumentRequest{Content: srDoc.GetContent()})
	if err != nil {
		t.Fatal(err)
	}
	b := out.GetDocument().GetContent()
	x := etree.NewDocument()
	if err := x.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"./author/assignedAuthor",
		"./legalAuthenticator/assignedEntity",
		"./custodian/assignedCustodian/representedCustodianOrganization",
		"./documentationOf/serviceEvent/performer/assignedEntity",
	} {
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
	var notes int
	for _, i := range out.GetSourceIssues() {
		if i.GetRuleId() == reportgen.RuleXfrmUnknown {
			notes++
		}
	}
	if notes != 3 {
		t.Errorf("%d %s notes, want one each for the author, legal authenticator and custodian", notes, reportgen.RuleXfrmUnknown)
	}
	checkCDAExternally(t, b)
	dir, err := conformance.New(conformance.WithUCUM(ucumtest.Load(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range dir.Check(b).Errors() {
		t.Errorf("DIR rules: %s", i)
	}
	for _, i := range out.GetDocument().GetIssues() {
		if i.GetSeverity() == pb.Severity_SEVERITY_ERROR {
			t.Errorf("engine validation: %v", i)
		}
	}
}

// TestTransformDefaults: the engine's TransformDefaults reach the CDA of
// TransformDocument, as TransformOptions.Read does for Transform, and a
// bad default stops New.
func TestTransformDefaults(t *testing.T) {
	const custodianOID = "1.2.826.0.1.3680043.10.1074"
	req := xfrmExamples(t)["mr-brain"]
	req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
	gen, err := xfrmEngine(t).Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	custodian := &pb.Organization{Ids: []*pb.Identifier{{AssigningAuthorityOid: custodianOID}}}
	e, err := reportgen.New(reportgen.Config{SchemaDir: xfrmSchemaDir, Now: func() time.Time { return xfrmNow },
		TransformDefaults: sr.ReadOptions{Custodian: custodian, DefaultTimeZone: time.FixedZone("+0100", 3600)}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	// The engine holds a copy: changing the caller's message later
	// changes nothing.
	custodian.Ids[0].AssigningAuthorityOid = "2.25.1"
	out, err := e.TransformDocument(context.Background(), &pb.TransformDocumentRequest{Content: gen.GetDocuments()[0].GetContent()})
	if err != nil {
		t.Fatal(err)
	}
	x := etree.NewDocument()
	if err := x.ReadFromBytes(out.GetDocument().GetContent()); err != nil {
		t.Fatal(err)
	}
	if id := x.Root().FindElement("custodian/assignedCustodian/representedCustodianOrganization/id"); id == nil || id.SelectAttrValue("root", "") != custodianOID {
		t.Errorf("the custodian's id is not the configured one")
	}
	if !slices.ContainsFunc(out.GetSourceIssues(), func(i *pb.Issue) bool {
		return i.GetRuleId() == sr.RuleDefaulted && strings.Contains(i.GetMessage(), "ReadOptions.Custodian")
	}) {
		t.Error("the use of the configured custodian is not reported")
	}

	for _, bad := range []sr.ReadOptions{
		{DefaultIssuerOID: "not-an-oid"},
		{DefaultAccessionIssuerOID: "1.2.03"},
		{Custodian: &pb.Organization{Ids: []*pb.Identifier{{Value: "no root"}}}},
	} {
		if e, err := reportgen.New(reportgen.Config{SchemaDir: xfrmSchemaDir, TransformDefaults: bad}); err == nil {
			e.Close()
			t.Errorf("New accepted TransformDefaults %+v", bad)
		} else if !strings.Contains(err.Error(), "TransformDefaults") {
			t.Errorf("error %q does not name TransformDefaults", err)
		}
	}
}
