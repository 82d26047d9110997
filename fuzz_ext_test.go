package reportgen_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/internal/fuzztest"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
	"github.com/reportgen/reportgen/templates"
)

// The engine's fuzz targets. Each drives one way a request or a document
// enters the service and asserts what the service promises about it,
// whatever the input:
//
//   - a request is either refused with field violations that name real
//     fields of the request, or answered with the documents it asked for,
//     each of which the service's own validators accept (an
//     *InvalidDocumentError or any other error means the input checks let
//     through something the encoders cannot render);
//   - a dictation's parts give back the dictation byte for byte;
//   - no input panics or runs past the deadline (internal/fuzztest).
//
// Seeds are the examples (f.Add, so they follow the encoders) and the
// files under testdata/fuzz/<target>, which also keep every input that
// once failed.

var fuzzExamples = []string{"chest-radiograph", "ct-chest-measurements", "mr-brain"}

// FuzzGenerate: any protobuf wire bytes, as the gRPC server receives them.
func FuzzGenerate(f *testing.F) {
	e := newEngine(f)
	for _, req := range fuzzRequests(f) {
		wire, err := proto.Marshal(req)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(wire)
	}
	f.Fuzz(func(t *testing.T, wire []byte) {
		fuzztest.Run(t, func() error {
			req := &pb.GenerateReportRequest{}
			if proto.Unmarshal(wire, req) != nil {
				return nil
			}
			return generateOutcome(e, req)
		})
	})
}

// FuzzGenerateJSON: any protojson text, as batch jobs, the command line
// and HTTP/JSON clients send requests.
func FuzzGenerateJSON(f *testing.F) {
	e := newEngine(f)
	for _, n := range fuzzExamples {
		b, err := os.ReadFile(filepath.Join("examples", n+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, js []byte) {
		fuzztest.Run(t, func() error {
			req := &pb.GenerateReportRequest{}
			if protojson.Unmarshal(js, req) != nil {
				return nil
			}
			return generateOutcome(e, req)
		})
	})
}

// FuzzGenerateFields puts any text into any one text field of an
// example request, the field chosen by which. Byte mutation of wire or
// JSON bytes mostly breaks the framing; this reaches the input rules and
// both encoders with every kind of text in every field. Besides the
// invariants of every request it checks that a refusal does not quote
// the text (violations name the field and the rule, never the value).
// mode picks the outputs: both, CDA or SR.
func FuzzGenerateFields(f *testing.F) {
	e := newEngine(f)
	bases := fuzzRequests(f)
	for i := range 24 {
		f.Add(uint16(i*7), "Jones & <Sons> \u00e9\U0001F600\t]]>", uint8(i))
	}
	f.Add(uint16(3), "", uint8(0))
	f.Add(uint16(40), "2026-02-30", uint8(1))
	f.Add(uint16(41), "2.25.0123", uint8(2))
	f.Fuzz(func(t *testing.T, which uint16, value string, mode uint8) {
		fuzztest.Run(t, func() error {
			base := bases[int(which)%len(bases)]
			req := proto.Clone(base).(*pb.GenerateReportRequest)
			fields := textFields(req)
			if len(fields) == 0 {
				return fmt.Errorf("no text fields in the base request")
			}
			field := fields[int(which/uint16(len(bases)))%len(fields)]
			field.set(value)
			setOutputs(req, mode)
			resp, err := e.Generate(context.Background(), req)
			if err := checkGenerated(e, req, resp, err); err != nil {
				return fmt.Errorf("%s set to %q: %w", field.path, value, err)
			}
			if err != nil {
				return checkNotQuoted(e, base, field.path, value, mode, err)
			}
			return nil
		})
	})
}

// FuzzGenerateDictation sends any text as the dictated body of the chest
// radiograph example. The rest of the request is valid, so a refusal
// must name report.dictation only (report.sections for an empty text,
// which is no dictation); an answer's dictation parts must give
// back the text byte for byte. mode picks the outputs and the template
// (the chosen chest radiograph one, or generic).
func FuzzGenerateDictation(f *testing.F) {
	e := newEngine(f)
	files, _ := filepath.Glob("testdata/dictation/*.txt")
	for i, file := range files {
		if i%4 != 0 { // a sample: the corpus is large and alike
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), uint8(i))
	}
	f.Add("FINDINGS: Clear lungs.\nIMPRESSION: Normal.", uint8(0))
	base := example(f, "chest-radiograph")
	base.Report.Sections = nil
	f.Fuzz(func(t *testing.T, text string, mode uint8) {
		fuzztest.Run(t, func() error {
			req := proto.Clone(base).(*pb.GenerateReportRequest)
			req.Report.Dictation = text
			setOutputs(req, mode)
			if mode&4 != 0 {
				req.TemplateId = "generic"
			}
			resp, err := e.Generate(context.Background(), req)
			if err := checkGenerated(e, req, resp, err); err != nil {
				return err
			}
			// An empty dictation is no dictation (proto3): the request
			// then lacks a body, which the section list's rule says.
			blames := func(f string) bool { return f == "report.dictation" || strings.HasPrefix(f, "report.dictation.") }
			if text == "" {
				if err == nil {
					return fmt.Errorf("a request without sections or dictation was accepted")
				}
				blames = func(f string) bool { return f == "report.sections" }
			}
			var ire *reportgen.InvalidRequestError
			if errors.As(err, &ire) {
				for _, v := range ire.Violations {
					if !blames(v.Field) {
						return fmt.Errorf("a bad dictation gave a violation on %s: %s", v.Field, v.Description)
					}
				}
			}
			return nil
		})
	})
}

// FuzzValidateDocument: any bytes, as CDA, SR or undeclared, give a
// verdict that agrees with its issues, or a refusal for bytes that are
// no document.
func FuzzValidateDocument(f *testing.F) {
	e := newEngine(f)
	for _, n := range fuzzExamples {
		resp, err := e.Generate(context.Background(), example(f, n))
		if err != nil {
			f.Fatal(err)
		}
		for _, d := range resp.GetDocuments() {
			f.Add(d.GetContent(), int32(d.GetKind()))
			f.Add(d.GetContent()[:len(d.GetContent())/2], int32(0))
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte, kind int32) {
		fuzztest.Run(t, func() error {
			k := pb.DocumentKind(kind)
			if _, ok := pb.DocumentKind_name[kind]; !ok {
				k = pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED
			}
			v, err := e.ValidateDocument(context.Background(), doc, k)
			if err != nil {
				switch {
				case errors.Is(err, reportgen.ErrUnknownKind):
					if k != pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED || reportgen.DetectKind(doc) != pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED {
						return fmt.Errorf("ErrUnknownKind for a document of kind %v (detected %v)", k, reportgen.DetectKind(doc))
					}
				case errors.Is(err, reportgen.ErrDocumentTooLarge):
					if len(doc) <= reportgen.MaxDocumentSize {
						return fmt.Errorf("ErrDocumentTooLarge for %d bytes", len(doc))
					}
				case k != pb.DocumentKind_DOCUMENT_KIND_CDA && k != pb.DocumentKind_DOCUMENT_KIND_SR:
					// An unknown kind is refused.
				default:
					return fmt.Errorf("ValidateDocument failed: %w", err)
				}
				return nil
			}
			if want := k; want != pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED && v.GetKind() != want {
				return fmt.Errorf("asked to validate %v, validated %v", want, v.GetKind())
			}
			if v.GetValid() == hasError(v.GetIssues()) {
				return fmt.Errorf("valid=%v disagrees with the issues %v", v.GetValid(), v.GetIssues())
			}
			return checkIssues(v.GetIssues())
		})
	})
}

// FuzzTransform: any bytes given to TransformDocument become a CDA that
// validates, or fail with the reasons: an InvalidRequestError only for
// bytes that are no DICOM file, a SourceError that carries an error
// issue for an SR that cannot be transformed. The engine has every
// transform default set, so that SRs without issuers or institution get
// as far as the CDA.
func FuzzTransform(f *testing.F) {
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir, Now: func() time.Time { return fixedNow },
		TransformDefaults: sr.ReadOptions{
			DefaultIssuerOID: "2.16.840.1.113883.19.5", DefaultAccessionIssuerOID: "2.16.840.1.113883.19.5.99.1",
			Custodian:       &pb.Organization{Name: "Good Health Hospital", Ids: []*pb.Identifier{{AssigningAuthorityOid: "2.16.840.1.113883.19.5"}}},
			DefaultTimeZone: time.FixedZone("", -5*3600),
		}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(e.Close)
	for _, req := range fuzzRequests(f) {
		req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
		resp, err := e.Generate(context.Background(), req)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(resp.GetDocuments()[0].GetContent())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzztest.Run(t, func() error {
			resp, err := e.TransformDocument(context.Background(), &pb.TransformDocumentRequest{Content: b})
			var ire *reportgen.InvalidRequestError
			var se *reportgen.SourceError
			switch {
			case err == nil:
			case errors.As(err, &ire):
				if len(b) > 0 && len(b) <= reportgen.MaxDocumentSize && reportgen.DetectKind(b) == pb.DocumentKind_DOCUMENT_KIND_SR {
					return fmt.Errorf("a DICOM file was refused as a bad request: %v", err)
				}
				return checkViolations(ire, (&pb.TransformDocumentRequest{}).ProtoReflect().Descriptor())
			case errors.As(err, &se):
				if !se.Issues.HasErrors() {
					return fmt.Errorf("SourceError without an error issue: %v", err)
				}
				return nil
			default:
				return fmt.Errorf("Transform failed other than with a bad request or a bad source: %w", err)
			}
			d := resp.GetDocument()
			if d.GetKind() != pb.DocumentKind_DOCUMENT_KIND_CDA {
				return fmt.Errorf("transform gave a %v", d.GetKind())
			}
			if err := checkDocument(e, d); err != nil {
				return err
			}
			return checkIssues(resp.GetSourceIssues())
		})
	})
}

// fuzzRequests are the seed requests: the examples, and the first as a
// dictation.
func fuzzRequests(tb testing.TB) []*pb.GenerateReportRequest {
	var out []*pb.GenerateReportRequest
	for _, n := range fuzzExamples {
		out = append(out, example(tb, n))
	}
	d := example(tb, "chest-radiograph")
	d.Report.Sections = nil
	d.Report.Dictation = "EXAM: Chest PA and lateral.\nHISTORY: Cough.\nFINDINGS: The lungs are clear.\nIMPRESSION: Normal chest."
	return append(out, d)
}

// setOutputs asks for both documents, the CDA or the SR (mode%3): one
// document per input is half the work, so more inputs are tried.
func setOutputs(req *pb.GenerateReportRequest, mode uint8) {
	switch mode % 3 {
	case 1:
		req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA}
	case 2:
		req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
	}
}

// generateOutcome runs a request and checks the outcome.
func generateOutcome(e *reportgen.Engine, req *pb.GenerateReportRequest) error {
	resp, err := e.Generate(context.Background(), req)
	return checkGenerated(e, req, resp, err)
}

var requestDescriptor = (&pb.GenerateReportRequest{}).ProtoReflect().Descriptor()

// checkGenerated is the promise of Generate for any request: field
// violations naming fields of the request, or the documents asked for,
// valid, and for a dictation parts that give the text back.
func checkGenerated(e *reportgen.Engine, req *pb.GenerateReportRequest, resp *pb.GenerateReportResponse, err error) error {
	if err != nil {
		var ire *reportgen.InvalidRequestError
		if !errors.As(err, &ire) {
			return fmt.Errorf("Generate failed other than with field violations: %w", err)
		}
		if resp != nil {
			return fmt.Errorf("a response beside the error %v", err)
		}
		return checkViolations(ire, requestDescriptor)
	}
	want := req.GetOutputs()
	if len(want) == 0 {
		want = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA, pb.DocumentKind_DOCUMENT_KIND_SR}
	}
	docs := resp.GetDocuments()
	if len(docs) != len(want) {
		return fmt.Errorf("%d documents for the outputs %v", len(docs), want)
	}
	for i, d := range docs {
		if d.GetKind() != want[i] {
			return fmt.Errorf("document %d is %v, asked for %v", i, d.GetKind(), want[i])
		}
		if err := checkDocument(e, d); err != nil {
			return err
		}
	}
	if resp.GetRequestId() != req.GetRequestId() || resp.GetTemplateId() == "" {
		return fmt.Errorf("response names request %q and template %q", resp.GetRequestId(), resp.GetTemplateId())
	}
	if text := req.GetReport().GetDictation(); text != "" {
		return checkReassembles(text, resp.GetDictationSections())
	}
	if len(resp.GetDictationSections()) > 0 {
		return fmt.Errorf("dictation sections for a request without dictation")
	}
	return nil
}

// checkDocument validates a returned document again, as a client would:
// its kind detected from the bytes, then every check.
func checkDocument(e *reportgen.Engine, d *pb.Document) error {
	if got := reportgen.DetectKind(d.GetContent()); got != d.GetKind() {
		return fmt.Errorf("a %v whose bytes are detected as %v", d.GetKind(), got)
	}
	v, err := e.ValidateDocument(context.Background(), d.GetContent(), pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED)
	if err != nil || !v.GetValid() {
		return fmt.Errorf("returned %v does not validate: %v %v", d.GetKind(), err, v.GetIssues())
	}
	if hasError(d.GetIssues()) {
		return fmt.Errorf("returned %v carries error issues %v", d.GetKind(), d.GetIssues())
	}
	return checkIssues(d.GetIssues())
}

// checkReassembles: the parts, heading then text in order, give back the
// dictation byte for byte, and each heading is what the text says there.
func checkReassembles(text string, parts []*pb.DictationSection) error {
	var b strings.Builder
	prev := int32(0)
	for i, p := range parts {
		hs, ts, te := p.GetHeadingStart(), p.GetTextStart(), p.GetTextEnd()
		if hs != prev || hs > ts || ts > te || int(te) > len(text) {
			return fmt.Errorf("dictation part %d has offsets %d/%d/%d after %d (len %d)", i, hs, ts, te, prev, len(text))
		}
		if !strings.Contains(text[hs:ts], p.GetHeading()) {
			return fmt.Errorf("dictation part %d: heading %q is not in its span %q", i, p.GetHeading(), text[hs:ts])
		}
		if p.GetFooter() != (p.GetKind() == pb.SectionKind_SECTION_KIND_UNSPECIFIED) {
			return fmt.Errorf("dictation part %d has kind %v, footer %v: only a footer has no kind", i, p.GetKind(), p.GetFooter())
		}
		b.WriteString(text[hs:ts])
		b.WriteString(text[ts:te])
		prev = te
	}
	if b.String() != text {
		return fmt.Errorf("the dictation parts do not give back the dictation")
	}
	return nil
}

// checkViolations: at least one violation, each naming a field of the
// request (a path of proto field names, indexes on lists) and a rule.
func checkViolations(ire *reportgen.InvalidRequestError, md protoreflect.MessageDescriptor) error {
	if len(ire.Violations) == 0 {
		return fmt.Errorf("InvalidRequestError without violations")
	}
	for _, v := range ire.Violations {
		if v.Description == "" {
			return fmt.Errorf("violation on %s without a description", v.Field)
		}
		if err := fieldPath(md, v.Field); err != nil {
			return fmt.Errorf("violation %q (%s) names no field of the request: %w", v.Field, v.Description, err)
		}
	}
	return nil
}

// fieldPath checks that path, e.g. "report.sections[2].observations",
// walks fields of md.
func fieldPath(md protoreflect.MessageDescriptor, path string) error {
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		name, index, indexed := strings.Cut(seg, "[")
		fd := md.Fields().ByName(protoreflect.Name(name))
		if fd == nil {
			return fmt.Errorf("no field %q in %s", name, md.FullName())
		}
		if indexed {
			if !fd.IsList() || !strings.HasSuffix(index, "]") || strings.Trim(index, "0123456789]") != "" || len(index) < 2 {
				return fmt.Errorf("bad index %q on %s", "["+index, name)
			}
		}
		if i == len(segs)-1 {
			return nil
		}
		if fd.Message() == nil || (fd.IsList() && !indexed) {
			return fmt.Errorf("%s has no fields", name)
		}
		md = fd.Message()
	}
	return nil
}

// checkIssues: every issue has a known severity, a rule and a message.
func checkIssues(issues []*pb.Issue) error {
	for _, i := range issues {
		if i.GetSeverity() == pb.Severity_SEVERITY_UNSPECIFIED || pb.Severity_name[int32(i.GetSeverity())] == "" {
			return fmt.Errorf("issue with severity %v: %v", i.GetSeverity(), i)
		}
		if i.GetRuleId() == "" || i.GetMessage() == "" {
			return fmt.Errorf("issue without rule or message: %v", i)
		}
	}
	return nil
}

func hasError(issues []*pb.Issue) bool {
	for _, i := range issues {
		if i.GetSeverity() == pb.Severity_SEVERITY_ERROR {
			return true
		}
	}
	return false
}

// textField is one string in a request, settable.
type textField struct {
	path string
	set  func(string)
}

// textFields lists every string of a request (singular fields and list
// elements, at any depth) in a fixed order.
func textFields(m proto.Message) []textField {
	var out []textField
	var walk func(m protoreflect.Message, path string)
	walk = func(m protoreflect.Message, path string) {
		fields := m.Descriptor().Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			p := string(fd.Name())
			if path != "" {
				p = path + "." + p
			}
			switch {
			case fd.IsList() && fd.Kind() == protoreflect.StringKind:
				l := m.Get(fd).List()
				for j := range l.Len() {
					out = append(out, textField{fmt.Sprintf("%s[%d]", p, j), func(s string) { l.Set(j, protoreflect.ValueOfString(s)) }})
				}
			case fd.IsList() && fd.Message() != nil:
				l := m.Get(fd).List()
				for j := range l.Len() {
					walk(l.Get(j).Message(), fmt.Sprintf("%s[%d]", p, j))
				}
			case fd.IsMap():
			case fd.Message() != nil:
				if m.Has(fd) {
					walk(m.Get(fd).Message(), p)
				}
			case fd.Kind() == protoreflect.StringKind:
				// Fields of a oneof only when set: setting another
				// would change the message's shape, not its text.
				if fd.ContainingOneof() == nil || m.Has(fd) {
					out = append(out, textField{p, func(s string) { m.Set(fd, protoreflect.ValueOfString(s)) }})
				}
			}
		}
	}
	walk(m.ProtoReflect(), "")
	return out
}

// checkNotQuoted: a refusal of a request whose field at path holds value
// must not repeat the value. A description can contain the value by
// coincidence (a value that is a word of the message), so a suspect
// description is tested against a twin value, the same text with every
// letter and digit shifted by one: if the twin's refusal repeats the
// twin, the description is made of the value.
func checkNotQuoted(e *reportgen.Engine, base *pb.GenerateReportRequest, path, value string, mode uint8, err error) error {
	const minQuoted = 8 // shorter values are too often words of a message
	var ire *reportgen.InvalidRequestError
	if len([]rune(value)) < minQuoted || !errors.As(err, &ire) {
		return nil
	}
	suspect := false
	for _, v := range ire.Violations {
		suspect = suspect || strings.Contains(v.Description, value) || strings.Contains(v.Field, value)
	}
	twin := shifted(value)
	if !suspect || twin == value {
		return nil
	}
	req := proto.Clone(base).(*pb.GenerateReportRequest)
	for _, f := range textFields(req) {
		if f.path == path {
			f.set(twin)
		}
	}
	setOutputs(req, mode)
	_, terr := e.Generate(context.Background(), req)
	var tire *reportgen.InvalidRequestError
	if !errors.As(terr, &tire) {
		return nil
	}
	for _, v := range tire.Violations {
		if strings.Contains(v.Description, twin) || strings.Contains(v.Field, twin) {
			return fmt.Errorf("violation %s: %q repeats the value of %s", v.Field, v.Description, path)
		}
	}
	return nil
}

// shifted maps a-y, A-Y and 0-8 to the next letter or digit and z, Z, 9
// back to a, A, 0, leaving everything else: a value of the same shape.
func shifted(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == 'z':
			return 'a'
		case r == 'Z':
			return 'A'
		case r == '9':
			return '0'
		case r >= 'a' && r < 'z', r >= 'A' && r < 'Z', r >= '0' && r < '9':
			return r + 1
		}
		return r
	}, s)
}

// FuzzTemplate loads any bytes as a custom template over the built-in
// set, as `serve --templates DIR` does, and renders a seed request with
// it. A template that loads must never make a report fail other than with
// field violations: its narratives run on sample data at load time
// precisely so that a bad template fails the load, not a patient's
// report. A load that fails names, for each problem, the file and a rule.
// which picks the request and the outputs.
func FuzzTemplate(f *testing.F) {
	e := newEngine(f)
	files, err := filepath.Glob(filepath.Join("templates", "builtin", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no built-in templates: %v", err)
	}
	for i, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(i))
	}
	f.Add([]byte(`{"format": "reportgen-template/1", "id": "site-ct", "version": "1", "extends": "ct-chest",
 "sections": [{"kind": "FINDINGS", "required": true, "narrative": "{{range .Observations}}{{.Text}} {{end}}{{.Text}}"},
  {"kind": "IMPRESSION", "narrative": "{{upper .Title}}: {{.Text}}"}]}`), uint8(1))
	bases := fuzzRequests(f)
	path := filepath.Join(fuzztest.TempDir(f), "custom.json")
	f.Fuzz(func(t *testing.T, src []byte, which uint8) {
		fuzztest.Run(t, func() error {
			if err := os.WriteFile(path, src, 0o644); err != nil {
				return err
			}
			reg, err := templates.Load(filepath.Dir(path))
			if err != nil {
				var le templates.LoadErrors
				if !errors.As(err, &le) || len(le) == 0 {
					return fmt.Errorf("Load failed without LoadErrors: %v", err)
				}
				for _, l := range le {
					if l.File == "" || l.Rule == "" || l.Message == "" {
						return fmt.Errorf("load error without file, rule or message: %#v", l)
					}
				}
				return nil
			}
			var custom *templates.Template
			for _, tm := range reg.List() {
				_ = tm.Info()
				if tm.Source == path {
					custom = tm
				}
			}
			if custom == nil {
				return fmt.Errorf("the template loaded but is not in the registry")
			}
			e.SetTemplates(reg)
			req := proto.Clone(bases[int(which)%len(bases)]).(*pb.GenerateReportRequest)
			req.TemplateId = custom.ID
			setOutputs(req, which/uint8(len(bases)))
			resp, err := e.Generate(context.Background(), req)
			if err := checkGenerated(e, req, resp, err); err != nil {
				return fmt.Errorf("with template %s: %w", custom.ID, err)
			}
			return nil
		})
	})
}
