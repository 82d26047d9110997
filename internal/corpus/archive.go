package corpus

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Archive report shapes: each generated request has one.
const (
	ShapeFull          = "full"            // indication, comparison, findings, impression
	ShapeImpression    = "impression-only" // no findings section
	ShapeFindings      = "findings-only"   // no impression: breaks the templates that require one
	ShapeHeadingsOnly  = "headings-only"   // a dictation of headings without text: refused
	ShapeTabs          = "tab-laden"       // TABs in the texts
	ShapePriorReport   = "pasted-prior-report"
	ShapePartialDate   = "partial-birth-date"
	ShapeCJKName       = "cjk-name"
	ShapeDictated      = "dictated" // a dictation in one of the styles
	ShapeDictatedNoFnd = "dictated-impression-only"
)

// ArchiveReport is one generated request and its shape.
type ArchiveReport struct {
	Shape   string
	Request *pb.GenerateReportRequest
}

// cjkNames are names with alphabetic, ideographic and phonetic groups,
// made up for the corpus.
var cjkNames = []*pb.PersonName{
	{Family: "Yamada", Given: []string{"Tarou"}, Ideographic: &pb.PersonNameGroup{Family: "山田", Given: []string{"太郎"}}, Phonetic: &pb.PersonNameGroup{Family: "やまだ", Given: []string{"たろう"}}},
	{Family: "Tanaka", Given: []string{"Hanako"}, Ideographic: &pb.PersonNameGroup{Family: "田中", Given: []string{"花子"}}, Phonetic: &pb.PersonNameGroup{Family: "タナカ", Given: []string{"ハナコ"}}},
	{Family: "Hong", Given: []string{"Gildong"}, Ideographic: &pb.PersonNameGroup{Family: "洪", Given: []string{"吉洞"}}, Phonetic: &pb.PersonNameGroup{Family: "홍", Given: []string{"길동"}}},
	{Family: "Wang", Given: []string{"Xiaodong"}, Ideographic: &pb.PersonNameGroup{Family: "王", Given: []string{"小东"}}},
}

var latinNames = [][2]string{{"Doe", "Jane"}, {"Roe", "Richard"}, {"Novak", "Petra"}, {"Garcia", "Maria"}, {"Okafor", "Chidi"}, {"Lindqvist", "Åsa"}, {"Müller", "Jürgen"}, {"O'Brien", "Siobhan"}}

// studyKinds are the kinds of study the archive holds: modality,
// procedure code and description.
var studyKinds = []struct {
	modality string
	code     *pb.Code
	desc     string
}{
	{"DX", &pb.Code{Code: "36643-5", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "XR Chest 2 Views"}, "XR CHEST PA AND LATERAL"},
	{"CR", &pb.Code{Code: "36554-4", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "XR Chest Single view"}, "PORTABLE CHEST"},
	{"CT", &pb.Code{Code: "24627-2", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "CT Chest"}, "CT CHEST WITH CONTRAST"},
	{"CT", nil, "CT ABDOMEN PELVIS"},
	{"MR", nil, "MRI BRAIN"},
}

func uidOf(kind string, i int) string { return fmt.Sprintf("2.25.%d%06d", 7+len(kind), i) }

// base makes the header of report i: made-up patient, study, people and
// custodian.
func base(r *rand.Rand, i int) *pb.GenerateReportRequest {
	n := latinNames[r.IntN(len(latinNames))]
	sk := studyKinds[r.IntN(len(studyKinds))]
	day := 1 + r.IntN(27)
	month := 1 + r.IntN(12)
	year := 2015 + r.IntN(10)
	study := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:00-05:00", year, month, day, 7+r.IntN(10), r.IntN(60))
	report := fmt.Sprintf("%04d-%02d-%02dT18:30:00-05:00", year, month, day)
	npi := &pb.Identifier{Value: fmt.Sprintf("%010d", 1000000000+r.IntN(899999999)), AssigningAuthorityOid: "2.16.840.1.113883.4.6"}
	rad := &pb.Practitioner{Name: &pb.PersonName{Family: "Radiologist", Given: []string{"Alex"}, Prefix: "Dr."}, Ids: []*pb.Identifier{npi}}
	rep := &pb.Report{
		Status:     pb.ReportStatus_REPORT_STATUS_FINAL,
		ReportTime: report,
		Patient: &pb.Patient{
			Ids:       []*pb.Identifier{{Value: fmt.Sprintf("MRN%07d", i), AssigningAuthorityOid: "2.16.840.1.113883.19.5", AssigningAuthorityName: "Example Hospital"}},
			Name:      &pb.PersonName{Family: n[0], Given: []string{n[1]}},
			BirthDate: fmt.Sprintf("%04d-%02d-%02d", 1930+r.IntN(80), 1+r.IntN(12), 1+r.IntN(28)),
			Sex:       pb.AdministrativeSex(1 + r.IntN(2)),
		},
		Study: &pb.ImagingStudy{
			StudyInstanceUid: uidOf("study", i), AccessionNumber: fmt.Sprintf("ACC%07d", i), AccessionIssuerOid: "2.16.840.1.113883.19.5.2",
			StartTime: study, Modalities: []string{sk.modality}, ProcedureCode: sk.code, ProcedureDescription: sk.desc,
		},
		Author:             rad,
		LegalAuthenticator: rad,
		SignatureTime:      report,
		Custodian:          &pb.Organization{Name: "Example Hospital", Ids: []*pb.Identifier{{AssigningAuthorityOid: "2.16.840.1.113883.19.5"}}},
	}
	if r.IntN(10) == 0 {
		rep.Status, rep.LegalAuthenticator, rep.SignatureTime = pb.ReportStatus_REPORT_STATUS_PRELIMINARY, nil, ""
	}
	return &pb.GenerateReportRequest{RequestId: fmt.Sprintf("r%05d", i), Report: rep}
}

func sec(k pb.SectionKind, text string) *pb.Section { return &pb.Section{Kind: k, Text: text} }

// bodySections draws the sections of a report as an archive keeps them.
func bodySections(r *rand.Rand, s Seeds, findings, impression bool) []*pb.Section {
	var out []*pb.Section
	if chance(r, 0.8) {
		out = append(out, sec(pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY, pick(r, s["indication"])))
	}
	if chance(r, 0.6) {
		out = append(out, sec(pb.SectionKind_SECTION_KIND_COMPARISON, pick(r, s["comparison"])))
	}
	if findings {
		out = append(out, sec(pb.SectionKind_SECTION_KIND_FINDINGS, pick(r, s["findings"])))
	}
	if impression {
		out = append(out, sec(pb.SectionKind_SECTION_KIND_IMPRESSION, pick(r, s["impression"])))
	}
	if chance(r, 0.1) {
		out = append(out, sec(pb.SectionKind_SECTION_KIND_RECOMMENDATION, pick(r, s["recommendation"])))
	}
	return out
}

// Archive generates n archive-shaped requests, the same ones for the same
// seed. The shares follow what real archives hold: about one report in
// eight without findings, some without an impression, a few pasted prior
// reports (up to about 1 MiB), TABs, partial birth dates and CJK names.
func Archive(s Seeds, n int, seed uint64) []ArchiveReport {
	r := rand.New(rand.NewPCG(seed, 0xa5c1))
	dicts := Dictations(s, n/5+1, seed)
	var out []ArchiveReport
	for i := range n {
		req := base(r, i)
		rep := req.Report
		shape := ShapeFull
		switch x := r.IntN(100); {
		case x < 12:
			shape = ShapeImpression
			rep.Sections = bodySections(r, s, false, true)
		case x < 18:
			shape = ShapeFindings
			rep.Sections = bodySections(r, s, true, false)
		case x < 20:
			shape = ShapeHeadingsOnly
			rep.Dictation = "FINDINGS:\nIMPRESSION:\n"
		case x < 28:
			shape = ShapeTabs
			rep.Sections = bodySections(r, s, true, true)
			for _, sc := range rep.Sections {
				sc.Text = strings.Replace(sc.Text, " ", "\t", 1+r.IntN(3))
			}
		case x < 30:
			shape = ShapePriorReport
			rep.Sections = bodySections(r, s, true, true)
			prior := pick(r, s["prior"]) + "\n\n"
			size := 1 << (12 + r.IntN(8)) // 4 KiB to 512 KiB
			if i%500 == 29 {
				size = 1<<20 - 4096 // one of about 1 MiB now and then
			}
			for _, sc := range rep.Sections {
				if sc.Kind == pb.SectionKind_SECTION_KIND_FINDINGS {
					sc.Text += "\n\n" + strings.Repeat(prior, size/len(prior))
				}
			}
		case x < 40:
			shape = ShapePartialDate
			rep.Sections = bodySections(r, s, true, true)
			if chance(r, 0.5) {
				rep.Patient.BirthDate = rep.Patient.BirthDate[:4]
			} else {
				rep.Patient.BirthDate = rep.Patient.BirthDate[:7]
			}
		case x < 48:
			shape = ShapeCJKName
			rep.Sections = bodySections(r, s, true, true)
			rep.Patient.Name = proto.Clone(cjkNames[r.IntN(len(cjkNames))]).(*pb.PersonName)
			rep.Language = "ja"
		case x < 80:
			d := dicts[r.IntN(len(dicts))]
			shape = ShapeDictated
			if d.NoFindings {
				shape = ShapeDictatedNoFnd
			}
			rep.Dictation = d.Text
		default:
			rep.Sections = bodySections(r, s, true, true)
		}
		out = append(out, ArchiveReport{Shape: shape, Request: req})
	}
	return out
}

// WriteJSONL writes the requests as protojson, one a line, the input of
// `reportgen batch`. Each request_id ends with the report's shape, so a
// batch's results can be counted by shape.
func WriteJSONL(w io.Writer, reports []ArchiveReport) error {
	for _, r := range reports {
		req := proto.Clone(r.Request).(*pb.GenerateReportRequest)
		req.RequestId += "-" + r.Shape
		b, err := protojson.Marshal(req)
		if err != nil {
			return fmt.Errorf("corpus: %s: %w", req.GetRequestId(), err)
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}
