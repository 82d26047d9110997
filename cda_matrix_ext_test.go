package reportgen_test

import (
	"context"
	"testing"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// sectionCombos vary which sections a report has, from the Findings
// section alone to every kind the model carries.
var sectionCombos = []variation{
	{"findings only", func(r *pb.Report) { r.Sections = []*pb.Section{findingsOf(r)} }},
	{"findings and impression", func(r *pb.Report) {
		r.Sections = []*pb.Section{findingsOf(r), {Kind: pb.SectionKind_SECTION_KIND_IMPRESSION, Text: "No acute finding."}}
	}},
	{"impression before findings", func(r *pb.Report) {
		r.Sections = []*pb.Section{{Kind: pb.SectionKind_SECTION_KIND_IMPRESSION, Text: "No acute finding."}, findingsOf(r)}
	}},
	{"every section kind", func(r *pb.Report) {
		f := findingsOf(r)
		r.Sections = []*pb.Section{
			{Kind: pb.SectionKind_SECTION_KIND_HISTORY, Text: "Cough."},
			{Kind: pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY, Text: "Evaluate for pneumonia."},
			{Kind: pb.SectionKind_SECTION_KIND_TECHNIQUE, Text: "PA and lateral."},
			{Kind: pb.SectionKind_SECTION_KIND_COMPARISON, Text: "None."},
			f,
			{Kind: pb.SectionKind_SECTION_KIND_IMPRESSION, Text: "Pneumonia."},
			{Kind: pb.SectionKind_SECTION_KIND_RECOMMENDATION, Text: "Follow-up radiograph in six weeks."},
			{Kind: pb.SectionKind_SECTION_KIND_COMPLICATIONS, Text: "None."},
			{Kind: pb.SectionKind_SECTION_KIND_CODED, Text: "See key images.",
				Code: &pb.Code{Code: "55113-5", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "Key images"}},
		}
	}},
}

// TestCDAMatrix renders the model variations (each status, each value
// type with and without images and measurements, five scripts, many
// images, long texts, each section combination) to CDA through the
// engine, whose own XSD and DIR checks must pass, and has xmllint and
// HL7's C-CDA schematron (errors phase) judge every document.
func TestCDAMatrix(t *testing.T) {
	e := newEngine(t)
	cases := append(matrixCases(), sectionCombos...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req := matrixBase(t)
			c.apply(req.Report)
			// The generic template requires only Findings, so every section
			// combination is a valid request.
			req.TemplateId = "generic"
			req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA}
			resp, err := e.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			checkExternally(t, resp)
		})
	}
}
