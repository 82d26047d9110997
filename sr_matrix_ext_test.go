package reportgen_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/internal/extval"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

// The SR matrix: variations of an example request along the axes where
// an SR encoder goes wrong (report status, value type, character sets of
// person names, many image references, long texts), each rendered through
// the real engine and judged by the independent DICOM validators. Every
// SR must pass dciodvfy without an Error line and be read by dcmdump,
// dsrdump and dsr2xml without an error; and it must read back (sr.Read)
// and transform into a valid CDA.

// variation changes a request; axes are lists of them.
type variation struct {
	name  string
	apply func(r *pb.Report)
}

// matrixBase is the CT example: every section kind the examples use,
// measurements, codes, images.
func matrixBase(t *testing.T) *pb.GenerateReportRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("examples", "ct-chest-measurements.json"))
	if err != nil {
		t.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		t.Fatal(err)
	}
	return req
}

func sct(code, meaning string) *pb.Code {
	return &pb.Code{Code: code, Scheme: pb.CodingScheme_CODING_SCHEME_SNOMED_CT, DisplayName: meaning}
}

// matrixImage is image i of a made-up series of the reported study.
func matrixImage(i int, frames ...int32) *pb.ImageReference {
	im := &pb.ImageReference{
		SeriesInstanceUid: fmt.Sprintf("2.25.7700%d", i/40),
		SopClassUid:       "1.2.840.10008.5.1.4.1.1.2",
		SopInstanceUid:    fmt.Sprintf("2.25.77100%d", i),
		Modality:          "CT",
	}
	if len(frames) > 0 {
		// Enhanced CT: a multi-frame object, so frames mean something.
		im.SopClassUid, im.FrameNumbers = "1.2.840.10008.5.1.4.1.1.2.1", frames
	}
	return im
}

func findingsOf(r *pb.Report) *pb.Section {
	for _, s := range r.GetSections() {
		if s.GetKind() == pb.SectionKind_SECTION_KIND_FINDINGS {
			return s
		}
	}
	return nil
}

var statuses = []variation{
	{"preliminary", func(r *pb.Report) {
		r.Status, r.LegalAuthenticator, r.SignatureTime = pb.ReportStatus_REPORT_STATUS_PRELIMINARY, nil, ""
	}},
	{"final", func(r *pb.Report) { r.Status = pb.ReportStatus_REPORT_STATUS_FINAL }},
	{"corrected", func(r *pb.Report) {
		r.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
		r.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.9001", CdaSetId: "2.25.9000", CdaVersionNumber: 1,
			SrSeriesInstanceUid: "2.25.9002", SrSopInstanceUid: "2.25.9003"}
	}},
	{"addendum", func(r *pb.Report) {
		r.Status = pb.ReportStatus_REPORT_STATUS_ADDENDUM
		r.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.9001", SrSeriesInstanceUid: "2.25.9002", SrSopInstanceUid: "2.25.9003",
			SrSopClassUid: "1.2.840.10008.5.1.4.1.1.88.11"}
		r.Sections = append(r.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_ADDENDUM, Text: "Outside films reviewed; no change."})
	}},
}

// valueTypes give the findings one observation of each content item value
// type: TEXT, CODE (with a site, inferred from an image: Enhanced SR), NUM
// (measured on an image) and IMAGE (evidence of a text, frames of a
// multi-frame image).
var valueTypes = []variation{
	{"TEXT", func(r *pb.Report) {
		findingsOf(r).Observations = []*pb.Observation{{Value: &pb.Observation_Text{Text: "Subsegmental atelectasis."}, FindingSite: sct("3341006", "Right lung structure")}}
	}},
	{"CODE", func(r *pb.Report) {
		findingsOf(r).Observations = []*pb.Observation{{Value: &pb.Observation_Code{Code: sct("27925004", "Nodule")},
			FindingSite: sct("45653009", "Structure of upper lobe of right lung"), Images: []*pb.ImageReference{matrixImage(1)}}}
	}},
	{"NUM", func(r *pb.Report) {
		findingsOf(r).Observations = []*pb.Observation{{Concept: sct("103339001", "Long axis"),
			Value:  &pb.Observation_Measurement{Measurement: &pb.Measurement{Value: "+1.25E1", Unit: "mm", UnitDisplayName: "millimeter"}},
			Images: []*pb.ImageReference{matrixImage(2)}}}
	}},
	{"IMAGE", func(r *pb.Report) {
		findingsOf(r).Observations = []*pb.Observation{{Value: &pb.Observation_Text{Text: "Best seen on these frames."},
			Images: []*pb.ImageReference{matrixImage(3, 7, 8, 9), matrixImage(4)}}}
	}},
}

// names sets the patient's, author's, legal authenticator's and
// referring physician's names in one script, as the alphabetic component
// group; groups adds the ideographic and phonetic ones.
func names(family string, given ...string) func(r *pb.Report) {
	return func(r *pb.Report) {
		n := &pb.PersonName{Family: family, Given: given}
		r.Patient.Name = n
		for _, p := range []*pb.Practitioner{r.GetAuthor(), r.GetLegalAuthenticator(), r.GetReferringPhysician()} {
			if p != nil {
				p.Name = proto.Clone(n).(*pb.PersonName)
				p.Name.Prefix = "Dr."
			}
		}
	}
}

var scripts = []variation{
	{"Latin accents", names("Núñez-Gómez Straße", "José", "Ælfrida", "Øyvind")},
	{"Greek", names("Παπαδοπούλου", "Ελένη")},
	{"Cyrillic", names("Иванова", "Анна", "Сергеевна")},
	{"CJK", names("山田", "太郎")},
	{"Arabic", names("الخطيب", "فاطمة")},
	{"Japanese, three component groups", groups(
		&pb.PersonName{Family: "Yamada", Given: []string{"Tarou"},
			Ideographic: &pb.PersonNameGroup{Family: "山田", Given: []string{"太郎"}},
			Phonetic:    &pb.PersonNameGroup{Family: "やまだ", Given: []string{"たろう"}}})},
	{"Korean, three component groups", groups(
		&pb.PersonName{Family: "Hong", Given: []string{"Gildong"},
			Ideographic: &pb.PersonNameGroup{Family: "洪", Given: []string{"吉洞"}},
			Phonetic:    &pb.PersonNameGroup{Family: "홍", Given: []string{"길동"}}})},
}

// groups sets the patient's and the author's names with their
// ideographic and phonetic component groups.
func groups(n *pb.PersonName) func(r *pb.Report) {
	return func(r *pb.Report) {
		r.Patient.Name = n
		r.Author.Name = proto.Clone(n).(*pb.PersonName)
	}
}

// longText repeats a sentence until the text has at least n characters.
func longText(sentence string, n int) string {
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < n {
		b.WriteString(sentence)
	}
	return b.String()
}

var sizes = []variation{
	{"150 images in 4 series", func(r *pb.Report) {
		var a, b []*pb.ImageReference
		for i := range 150 {
			if i%2 == 0 {
				a = append(a, matrixImage(i))
			} else {
				b = append(b, matrixImage(i, int32(i%5+1)))
			}
		}
		findingsOf(r).Observations = append(findingsOf(r).Observations,
			&pb.Observation{Value: &pb.Observation_Text{Text: "Innumerable pulmonary micronodules."}, Images: a},
			&pb.Observation{Value: &pb.Observation_Code{Code: sct("27925004", "Nodule")}, Images: b})
	}},
	{"long texts", func(r *pb.Report) {
		f := findingsOf(r)
		// One paragraph of 12,000 characters (a TEXT item of its own) and
		// a Greek observation of 10,000 characters (twice the bytes).
		f.Text = longText("The lungs are clear without focal consolidation. ", 12000) + "\n\n" + f.GetText()
		f.Observations = append(f.Observations, &pb.Observation{Value: &pb.Observation_Text{Text: longText("Οι πνεύμονες είναι καθαροί. ", 10000)}})
	}},
}

// matrixCases is the product of statuses and value types, plus each script
// and size on the final report, plus everything at once.
func matrixCases() []variation {
	var out []variation
	for _, s := range statuses {
		for _, v := range valueTypes {
			out = append(out, variation{s.name + "/" + v.name, func(r *pb.Report) { s.apply(r); v.apply(r) }})
		}
	}
	for _, axis := range [][]variation{scripts, sizes} {
		for _, v := range axis {
			out = append(out, variation{"final/" + v.name, v.apply})
		}
	}
	out = append(out, variation{"addendum/CJK/150 images/long texts", func(r *pb.Report) {
		statuses[3].apply(r)
		scripts[3].apply(r)
		sizes[0].apply(r)
		sizes[1].apply(r)
	}})
	return out
}

// TestSRMatrix renders every variation through the engine and has the
// independent validators judge the SR.
func TestSRMatrix(t *testing.T) {
	e, err := reportgen.New(reportgen.Config{SchemaDir: "schemas/synced"})
	if err != nil {
		t.Fatalf("%v (CI syncs the schemas before the tests)", err)
	}
	t.Cleanup(e.Close)
	cases := matrixCases()
	if len(cases) < 20 {
		t.Fatalf("matrix has %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req := matrixBase(t)
			c.apply(req.Report)
			req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
			resp, err := e.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			doc := resp.GetDocuments()[0]
			path := filepath.Join(t.TempDir(), "matrix.sr.dcm")
			if err := os.WriteFile(path, doc.GetContent(), 0o644); err != nil {
				t.Fatal(err)
			}
			errs, warns, err := extval.DCIODVfy(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range errs {
				t.Errorf("dciodvfy: %s", l)
			}
			for _, l := range warns {
				t.Logf("dciodvfy: %s", l)
			}
			for _, tool := range []struct {
				name string
				run  func(string, ...string) (extval.DCMTKReport, error)
			}{{"dcmdump", extval.DCMDump}, {"dsrdump", extval.DSRDump}, {"dsr2xml", extval.DSR2XML}} {
				r, err := tool.run(path)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range r.Errors {
					t.Errorf("%s: %s", tool.name, l)
				}
			}
			// The SR reads back and transforms, whatever the names and
			// sizes.
			rep, issues, err := sr.Read(doc.GetContent(), sr.ReadOptions{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got, want := rep.GetPatient().GetName().GetFamily(), req.GetReport().GetPatient().GetName().GetFamily(); got != want {
				t.Errorf("patient family name read back as %q, want %q", got, want)
			}
			for _, i := range issues.Errors() {
				t.Errorf("Read: %v", i)
			}
			if _, err := e.TransformDocument(context.Background(), &pb.TransformDocumentRequest{Content: doc.GetContent()}); err != nil {
				t.Errorf("TransformDocument: %v", err)
			}
		})
	}
}
