package templates

import (
	"os"
	"path/filepath"
	"testing"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// TestInfoForForms: Info carries what a reporting system builds a form
// from, inherited fields included.
func TestInfoForForms(t *testing.T) {
	dir := t.TempDir()
	child := `{
  "format": "reportgen-template/1",
  "id": "site-mammo",
  "version": "2",
  "extends": "mammography",
  "sections": [
    {"kind": "FINDINGS"},
    {"kind": "IMPRESSION", "title": "BI-RADS"},
    {"kind": "CODED", "code": {"code": "55113-5", "scheme": "LOINC", "display_name": "Key Images"}, "title": "Key Images",
     "description": "Images the radiologist marked."}
  ]
}`
	if err := os.WriteFile(filepath.Join(dir, "site-mammo.json"), []byte(child), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := r.Get("mammography")
	info := m.Info()
	if info.GetExtends() != Generic || !info.GetBuiltin() || info.GetSrIod() != pb.TemplateSrIod_TEMPLATE_SR_IOD_ENHANCED {
		t.Errorf("mammography: extends %q builtin %v sr_iod %v", info.GetExtends(), info.GetBuiltin(), info.GetSrIod())
	}
	if len(info.GetProcedureCodes()) != 6 || info.GetProcedureCodes()[0].GetCode() != "36625-2" || len(info.GetDefaultForModalities()) != 1 || info.GetDefaultForModalities()[0] != "MG" {
		t.Errorf("mammography selection: %v %v", info.GetProcedureCodes(), info.GetDefaultForModalities())
	}
	if info.GetDescription() == "" {
		t.Error("mammography: no description")
	}
	assessment := func(info *pb.TemplateInfo) *pb.TemplateObservation {
		for _, s := range info.GetSections() {
			if s.GetKind() == pb.SectionKind_SECTION_KIND_IMPRESSION && len(s.GetObservations()) == 1 {
				return s.GetObservations()[0]
			}
		}
		return nil
	}
	a := assessment(info)
	if a.GetConcept().GetCode() != "111005" || a.GetConcept().GetScheme() != pb.CodingScheme_CODING_SCHEME_DCM ||
		a.GetValueType() != pb.TemplateValueType_TEMPLATE_VALUE_TYPE_CODE || len(a.GetAnswers()) != 6 || a.GetDescription() == "" {
		t.Fatalf("BI-RADS rule: %v", a)
	}
	if ans := a.GetAnswers()[2]; ans.GetCode() != "397141009" || ans.GetScheme() != pb.CodingScheme_CODING_SCHEME_SNOMED_CT || ans.GetDisplayName() != "2 - Benign" {
		t.Errorf("BI-RADS 2: %v", ans)
	}

	// Inherited: the child retitles the Assessment but keeps its rules;
	// its CODED section names its code; it is not built in.
	c, _ := r.Get("site-mammo")
	ci := c.Info()
	if ci.GetBuiltin() || ci.GetExtends() != "mammography" || len(ci.GetProcedureCodes()) != 6 || ci.GetSrIod() != pb.TemplateSrIod_TEMPLATE_SR_IOD_ENHANCED {
		t.Errorf("site-mammo: %v", ci)
	}
	if a := assessment(ci); a == nil || len(a.GetAnswers()) != 6 {
		t.Errorf("site-mammo lost the BI-RADS rule: %v", ci.GetSections())
	}
	for _, s := range ci.GetSections() {
		switch s.GetKind() {
		case pb.SectionKind_SECTION_KIND_IMPRESSION:
			if s.GetTitle() != "BI-RADS" || !s.GetRequired() {
				t.Errorf("impression: %v", s)
			}
		case pb.SectionKind_SECTION_KIND_CODED:
			if s.GetCode().GetCode() != "55113-5" || s.GetDescription() != "Images the radiologist marked." {
				t.Errorf("coded section: %v", s)
			}
		default:
			if s.GetCode() != nil {
				t.Errorf("%v carries a code", s.GetKind())
			}
		}
	}

	// Info is a copy: changing it leaves the registry as it was.
	info.GetProcedureCodes()[0].Code = "x"
	a.GetAnswers()[0].Code = "x"
	if m.ProcedureCodes[0].GetCode() == "x" || m.Info().GetProcedureCodes()[0].GetCode() == "x" || assessment(m.Info()).GetAnswers()[0].GetCode() == "x" {
		t.Error("Info shares codes with the template")
	}
}
