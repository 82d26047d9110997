package templates

import (
	"fmt"
	"strings"
	"testing"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

func TestCheck(t *testing.T) {
	r := builtin(t)
	mg, _ := r.Get("mammography")
	birads := func(code string) *pb.Observation {
		return &pb.Observation{
			Concept: &pb.Code{Code: "111005", Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: "Assessment Category"},
			Value:   &pb.Observation_Code{Code: &pb.Code{Code: code, Scheme: pb.CodingScheme_CODING_SCHEME_SNOMED_CT, DisplayName: "x"}},
		}
	}
	findings := &pb.Section{Kind: pb.SectionKind_SECTION_KIND_FINDINGS, Text: "f"}
	impression := func(obs ...*pb.Observation) *pb.Section {
		return &pb.Section{Kind: pb.SectionKind_SECTION_KIND_IMPRESSION, Text: "i", Observations: obs}
	}
	field := func(i int) string { return fmt.Sprintf("report.sections[%d]", i) }
	tests := []struct {
		name  string
		secs  []*pb.Section
		field string // "" = no violation
		rule  string // a part of the description
	}{
		{"complete", []*pb.Section{findings, impression(birads("397141009"))}, "", ""},
		{"no BI-RADS (optional)", []*pb.Section{findings, impression()}, "", ""},
		{"impression missing", []*pb.Section{findings}, "report.sections", "builtin/mammography.json:"},
		{"answer not allowed", []*pb.Section{findings, impression(birads("12345"))}, "report.sections[1].observations[0]", "not one of the 6 codes"},
		{"text instead of code", []*pb.Section{findings, impression(&pb.Observation{Concept: birads("x").Concept, Value: &pb.Observation_Text{Text: "BI-RADS 2"}})}, "report.sections[1].observations[0]", "must have a code value"},
	}
	for _, tt := range tests {
		v := mg.Check(tt.secs, "report.sections", field)
		switch {
		case tt.field == "" && len(v) > 0:
			t.Errorf("%s: %v", tt.name, v)
		case tt.field != "" && (len(v) != 1 || v[0].Field != tt.field || !strings.Contains(v[0].Description, tt.rule) || !strings.Contains(v[0].Description, `template "mammography"`)):
			t.Errorf("%s: %v, want one violation on %s naming %q", tt.name, v, tt.field, tt.rule)
		}
	}

	// A required observation.
	reg, err := loadDir(t, map[string]string{"s.json": `{"format": "reportgen-template/1", "id": "s", "version": "1", "extends": "mammography",
		"sections": [{"kind": "FINDINGS"}, {"kind": "IMPRESSION", "observations": [
			{"concept": {"code": "111005", "scheme": "DCM", "display_name": "Assessment Category"}, "value": "code", "required": true}]}]}`})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := reg.Get("s")
	v := s.Check([]*pb.Section{findings, impression()}, "report.sections", field)
	if len(v) != 1 || v[0].Field != "report.sections[1].observations" || !strings.Contains(v[0].Description, "s.json:") {
		t.Errorf("required observation: %v", v)
	}
}
