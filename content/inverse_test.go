package content_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// TestSectionsOfInvertsBuild checks that the inverse gives back the
// sections Build was given, where the request leaves Build nothing to
// default.
func TestSectionsOfInvertsBuild(t *testing.T) {
	dcm := func(v, m string) *pb.Code {
		return &pb.Code{Code: v, Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: m}
	}
	sct := func(v, m string) *pb.Code {
		return &pb.Code{Code: v, Scheme: pb.CodingScheme_CODING_SCHEME_SNOMED_CT, DisplayName: m}
	}
	local := &pb.Code{Code: "X1", Scheme: pb.CodingScheme_CODING_SCHEME_LOCAL, LocalDesignator: "99LOCAL", LocalOid: "1.2.3.4", DisplayName: "Local"}
	sections := []*pb.Section{
		{Kind: pb.SectionKind_SECTION_KIND_HISTORY, Text: "Cough.\n\nFever."},
		{Kind: pb.SectionKind_SECTION_KIND_FINDINGS, Text: "Nodule.", Observations: []*pb.Observation{
			{Concept: dcm("121071", "Finding"), Value: &pb.Observation_Text{Text: "A nodule."}, FindingSite: sct("39607008", "Lung structure"),
				Images: []*pb.ImageReference{{StudyInstanceUid: "1.2.3", SeriesInstanceUid: "1.2.3.1", SopClassUid: "1.2.840.10008.5.1.4.1.1.2",
					SopInstanceUid: "1.2.3.1.1", FrameNumbers: []int32{2, 3}, Purpose: dcm("121112", "Source of Measurement")}}},
			{Concept: sct("81827009", "Diameter"), Value: &pb.Observation_Measurement{Measurement: &pb.Measurement{Value: "12", Unit: "mm", UnitDisplayName: "millimeter"}}},
			{Concept: local, Value: &pb.Observation_Code{Code: local}},
		}},
		{Kind: pb.SectionKind_SECTION_KIND_CODED, Code: &pb.Code{Code: "55112-7", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "Summary"}, Text: "Benign."},
	}
	r := &pb.Report{ReportTime: "2024-01-02T03:04:05Z", Study: &pb.ImagingStudy{StartTime: "2024-01-02T03:00:00Z"}, Sections: sections}
	d, err := content.Build(r, content.Identity{}, content.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := content.SectionsOf(d.Root)
	if len(got) != len(sections) {
		t.Fatalf("%d sections, want %d", len(got), len(sections))
	}
	for i := range sections {
		if !proto.Equal(got[i], sections[i]) {
			t.Errorf("section %d:\n got %v\nwant %v", i, got[i], sections[i])
		}
	}
}

func TestProtoCode(t *testing.T) {
	for _, c := range []*pb.Code{
		{Code: "121071", Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: "Finding"},
		{Code: "X1", Scheme: pb.CodingScheme_CODING_SCHEME_LOCAL, LocalDesignator: "99LOCAL", LocalOid: "1.2.3.4"},
	} {
		if got := content.ProtoCode(content.FromProto(c)); !proto.Equal(got, c) {
			t.Errorf("ProtoCode(FromProto(%v)) = %v", c, got)
		}
	}
	if content.ProtoCode(content.Code{}) != nil {
		t.Error("the zero Code maps to a code")
	}
}
