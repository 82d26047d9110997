package content_test

import (
	"slices"
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

// TestContextOfInvertsBuild checks that the root's context rows Build
// writes give back the report's language, procedure, author and document
// title, and that rows Build does not write (TID 1210, TID 2000 row 3, a
// second observer) are read as TID 1002 lays them out.
func TestContextOfInvertsBuild(t *testing.T) {
	ln := func(v, m string) *pb.Code {
		return &pb.Code{Code: v, Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: m}
	}
	dcm := func(v, m string) *pb.Code {
		return &pb.Code{Code: v, Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: m}
	}
	name := &pb.PersonName{Family: "Reader", Given: []string{"Rhonda", "Q"}, Prefix: "Dr.",
		Ideographic: &pb.PersonNameGroup{Family: "山田", Given: []string{"太郎"}}}
	cases := []struct {
		name  string
		lang  string
		proc  *pb.Code
		org   string
		extra func(root *content.Node)
		want  content.Context
	}{
		{name: "defaults", want: content.Context{Language: "en-US", Author: &pb.Practitioner{Name: name}}},
		{name: "language, procedure and organization", lang: "de-DE", proc: ln("24627-2", "CT Chest"), org: "Radiology",
			want: content.Context{Language: "de-DE", Procedure: ln("24627-2", "CT Chest"), Author: &pb.Practitioner{Name: name, Organization: "Radiology"}}},
		{name: "title, devices, role and a second observer", org: "Radiology",
			extra: func(root *content.Node) {
				title := root.Add(content.TID1210EquivalentMeaning.Node())
				title.Text = "Chest CT"
				code := root.Add(content.TID1210EquivalentMeaning.Node())
				code.Type, code.Code = content.CodeValue, content.LOINC("1-1", "Not the title")
				root.Add(content.TID2000AcquisitionDevice.Node()).Code = content.DCM("CT", "Computed Tomography")
				root.Add(content.TID2000AcquisitionDevice.Node()).Code = content.DCM("MR", "Magnetic Resonance")
				root.Add(content.TID2000Procedure.Node()).Code = content.LOINC("2-2", "Second procedure")
				// The role follows the organization: it is the author's.
				root.Add(content.TID1003RoleInOrganization.Node()).Code = content.DCM("121088", "Radiologist")
				root.Add(content.TID1002ObserverType.Node()).Code = content.ObserverPerson
				// Before the next name: no observer is open, so it is nobody's.
				root.Add(content.TID1003Organization.Node()).Text = "Nobody's"
				root.Add(content.TID1003Name.Node()).PersonName = content.PersonName{Family: "Other"}
				root.Add(content.TID1003Organization.Node()).Text = "Elsewhere"
			},
			want: content.Context{Language: "en-US", Title: "Chest CT", Modalities: []string{"CT", "MR"}, Procedure: ln("2-2", "Second procedure"),
				Author: &pb.Practitioner{Name: name, Organization: "Radiology", Role: dcm("121088", "Radiologist")}}},
		{name: "any observer type closes the author", org: "Radiology",
			extra: func(root *content.Node) {
				root.Add(content.TID1002ObserverType.Node()).Code = content.DCM("121007", "Device")
				root.Add(content.TID1003RoleInOrganization.Node()).Code = content.DCM("121088", "Radiologist")
			},
			want: content.Context{Language: "en-US", Author: &pb.Practitioner{Name: name, Organization: "Radiology"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &pb.Report{ReportTime: "2024-01-02T03:04:05Z", Language: c.lang,
				Study:  &pb.ImagingStudy{StartTime: "2024-01-02T03:00:00Z", ProcedureCode: c.proc},
				Author: &pb.Practitioner{Name: name, Organization: c.org}}
			d, err := content.Build(r, content.Identity{}, content.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c.extra != nil {
				c.extra(d.Root)
			}
			got := content.ContextOf(d.Root)
			c.want.Concept = content.ProtoCode(content.DocDiagnosticImaging) // a CID 7000 title, so the SR title too
			if !proto.Equal(got.Concept, c.want.Concept) || got.Language != c.want.Language || got.Title != c.want.Title ||
				!proto.Equal(got.Procedure, c.want.Procedure) || !slices.Equal(got.Modalities, c.want.Modalities) || !proto.Equal(got.Author, c.want.Author) {
				t.Errorf("ContextOf:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// TestProtoNameInvertsName checks the name round trip and that a name
// with no part is no name.
func TestProtoNameInvertsName(t *testing.T) {
	for _, n := range []*pb.PersonName{
		{Family: "Reader", Given: []string{"Rhonda"}, Prefix: "Dr.", Suffix: "MD"},
		{Phonetic: &pb.PersonNameGroup{Family: "Yamada"}},
	} {
		if got := content.ProtoName(content.Name(n)); !proto.Equal(got, n) {
			t.Errorf("ProtoName(Name(%v)) = %v", n, got)
		}
	}
	if got := content.ProtoName(content.PersonName{Given: []string{}}); got != nil {
		t.Errorf("a name with no part maps to %v", got)
	}
}
