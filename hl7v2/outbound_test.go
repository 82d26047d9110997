package hl7v2

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

func TestBuildORU(t *testing.T) {
	// A source in 8859/1 with its own escapes: the outbound message is
	// UTF-8 and says so.
	src := edit(edit(baseSegments, "MSH", 18, "8859/1"), "PID", 5, `M\XFC\ller^J\XFC\rgen`)
	m := mustParse(t, message(src))
	cda := []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3">caf` + "\u00e9" + ` | ^ ~ \ &</ClinicalDocument>`)
	sr := &pb.SrIdentity{StudyInstanceUid: "1.2.3", SeriesInstanceUid: "1.2.3.1", SopInstanceUid: "1.2.3.1.1", SopClassUid: content.BasicTextSR}
	out := BuildORU(Outbound{
		Source: m, Application: "REPORTGEN", Facility: "RAD", PeerApplication: "EHR", PeerFacility: "GHH",
		ControlID: "RG1", Now: ackTime, CDA: cda, SR: sr,
		Sections: []OutSection{
			{Code: content.Headings[pb.SectionKind_SECTION_KIND_FINDINGS].LOINC, Heading: "FINDINGS:", Text: "Line one | two.\nLine three."},
			{Code: content.Headings[pb.SectionKind_SECTION_KIND_IMPRESSION].LOINC, Text: "Normal."},
		},
	})
	back, errs := Parse(out, ParseOptions{})
	if errs.HasErrors() {
		t.Fatal(errs)
	}
	h := back.MSH()
	if h.Field(9).Raw() != "ORU^R01^ORU_R01" || h.Field(10).Text() != "RG1" || h.Field(18).Text() != "UNICODE UTF-8" || h.Field(5).Text() != "EHR" {
		t.Errorf("MSH %q", strings.SplitN(string(out), "\r", 2)[0])
	}
	if got := back.First("PID").Field(5).Raw(); got != "Müller^Jürgen" {
		t.Errorf("PID-5 re-encoded as %q", got)
	}
	if got := back.First("ORC").Field(1).Text(); got != "RE" {
		t.Errorf("ORC-1 %q", got)
	}
	if got := back.First("OBR").Field(25).Text(); got != "F" {
		t.Errorf("OBR-25 %q", got)
	}
	var lines []string
	var ed []byte
	for _, obx := range back.All("OBX") {
		switch obx.Field(2).Text() {
		case "TX":
			lines = append(lines, obx.Field(3).Component(1).Text()+" "+obx.Field(4).Text()+" "+obx.Field(5).Text())
			if obx.Field(11).Text() != "F" {
				t.Errorf("OBX-11 %q", obx.Field(11).Text())
			}
		case "ED":
			v := obx.Field(5)
			if v.Component(2).Text() != "TEXT" || v.Component(3).Text() != "XML" || v.Component(4).Text() != "Base64" {
				t.Errorf("ED header %q", v.Raw()[:20])
			}
			b, err := base64.StdEncoding.DecodeString(v.Component(5).Text())
			if err != nil {
				t.Fatal(err)
			}
			ed = b
		}
	}
	want := []string{"59776-5 1 FINDINGS:", "59776-5 1 Line one | two.", "59776-5 1 Line three.", "19005-8 2 Normal."}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("text OBX:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if !bytes.Equal(ed, cda) {
		t.Errorf("ED holds %q", ed)
	}

	// The outbound message is an ORU this package reads again: the study,
	// the sections and the patient survive.
	mp, merrs := MapORU(back, MapOptions{Authorities: map[string]string{"GHH": "2.16.840.1.113883.19.5", "RAD": "2.16.840.1.113883.19.5.7"}})
	if merrs.HasErrors() {
		t.Fatal(merrs)
	}
	r := mp.Request.GetReport()
	if r.GetStudy().GetStudyInstanceUid() != "1.2.3" || r.GetPatient().GetName().GetFamily() != "Müller" {
		t.Errorf("read back: study %q, patient %v", r.GetStudy().GetStudyInstanceUid(), r.GetPatient().GetName())
	}
	if len(r.GetSections()) != 2 || r.GetSections()[0].GetText() != "FINDINGS:\nLine one | two.\nLine three." {
		t.Errorf("sections read back %v", r.GetSections())
	}
}

func TestReportSections(t *testing.T) {
	d := "CT CHEST\n\nFINDINGS:\nClear.\n\nIMPRESSION: Normal."
	req := &pb.GenerateReportRequest{Report: &pb.Report{Dictation: d}}
	resp := &pb.GenerateReportResponse{DictationSections: []*pb.DictationSection{
		{Kind: pb.SectionKind_SECTION_KIND_TECHNIQUE, TextStart: 0, TextEnd: 10},
		{Kind: pb.SectionKind_SECTION_KIND_FINDINGS, Heading: "FINDINGS:", HeadingStart: 10, TextStart: 19, TextEnd: 28},
		{Kind: pb.SectionKind_SECTION_KIND_IMPRESSION, Heading: "IMPRESSION:", HeadingStart: 28, TextStart: 39, TextEnd: int32(len(d))},
	}}
	got := ReportSections(req, resp)
	if len(got) != 3 || got[0].Heading != "" || got[0].Text != "CT CHEST" || got[1].Heading != "FINDINGS:" || got[1].Text != "Clear." ||
		got[2].Code.Value != "19005-8" || got[2].Text != "Normal." {
		t.Errorf("sections %+v", got)
	}
	sreq := &pb.GenerateReportRequest{Report: &pb.Report{Sections: []*pb.Section{
		{Kind: pb.SectionKind_SECTION_KIND_FINDINGS, Text: "Clear."},
		{Kind: pb.SectionKind_SECTION_KIND_IMPRESSION, Title: "Conclusion", Text: "Normal."},
	}}}
	got = ReportSections(sreq, &pb.GenerateReportResponse{})
	if len(got) != 2 || got[0].Heading != "FINDINGS:" || got[1].Heading != "CONCLUSION:" {
		t.Errorf("sections %+v", got)
	}
	// Offsets that do not fit the text are passed over, not trusted.
	bad := &pb.GenerateReportResponse{DictationSections: []*pb.DictationSection{{TextStart: 5, TextEnd: 999}}}
	if got := ReportSections(req, bad); len(got) != 0 {
		t.Errorf("bad offsets gave %+v", got)
	}
}
