package hl7v2

import (
	"testing"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

func TestReadTextShapes(t *testing.T) {
	head := baseSegments[:6] // MSH PID PV1 ORC OBR OBX(study UID)
	with := func(obx ...string) []string { return append(append([]string(nil), head...), obx...) }
	type sec struct {
		kind pb.SectionKind
		text string
	}
	F, I, H := pb.SectionKind_SECTION_KIND_FINDINGS, pb.SectionKind_SECTION_KIND_IMPRESSION, pb.SectionKind_SECTION_KIND_HISTORY
	for _, tc := range []struct {
		name      string
		segs      []string
		dictation string
		sections  []sec
		warnRule  string
	}{
		{name: "one OBX per line, headings in the text", segs: baseSegments,
			dictation: "FINDINGS:\nThe right upper lobe nodule has grown to 12 mm.\n\nIMPRESSION:\nGrowing nodule."},
		{name: "TX repetitions are lines", segs: with(`OBX|2|TX|RPT^Report^99L||FINDINGS:~Clear.~~IMPRESSION: normal.`),
			dictation: "FINDINGS:\nClear.\n\nIMPRESSION: normal."},
		{name: "unescaped separators in TX are text", segs: with(`OBX|2|TX|RPT^Report^99L||FINDINGS: BP 120^80 & stable`),
			dictation: "FINDINGS: BP 120^80 & stable"},
		{name: "LOINC section codes", segs: with(
			`OBX|2|TX|11329-0^History^LN|1|Cough.`,
			`OBX|3|TX|59776-5^Findings^LN|2|Lungs clear.`,
			`OBX|4|TX|59776-5^Findings^LN|2|Heart normal.`,
			`OBX|5|TX|19005-8^Impression^LN|3|Normal.`),
			sections: []sec{{H, "Cough."}, {F, "Lungs clear.\nHeart normal."}, {I, "Normal."}}},
		{name: "DICOM section codes", segs: with(
			`OBX|2|TX|121070^Findings^DCM||Clear.`, `OBX|3|TX|121072^Impressions^DCM||Normal.`),
			sections: []sec{{F, "Clear."}, {I, "Normal."}}},
		{name: "ASTM general description and impression", segs: with(
			`OBX|2|TX|&GDT^General||Lungs are clear.`, `OBX|3|TX|&IMP^Impression||No acute disease.`),
			sections: []sec{{F, "Lungs are clear."}, {I, "No acute disease."}}},
		{name: "OBX-3 text read as a heading", segs: with(
			`OBX|2|TX|F1^Findings^99L||Clear.`, `OBX|3|TX|C1^Conclusion^99L||Normal.`),
			sections: []sec{{F, "Clear."}, {I, "Normal."}}},
		{name: "an unknown code among section codes is Findings, with a warning", segs: with(
			`OBX|2|TX|X1^Whatever^99L||Clear.`, `OBX|3|TX|19005-8^Impression^LN||Normal.`),
			sections: []sec{{F, "Clear."}, {I, "Normal."}}, warnRule: "section-code"},
		{name: "runs of one kind apart are paragraphs", segs: with(
			`OBX|2|TX|59776-5^Findings^LN||Part one.`, `OBX|3|TX|19005-8^Impression^LN||Normal.`, `OBX|4|TX|59776-5^Findings^LN||Part two.`),
			sections: []sec{{F, "Part one.\n\nPart two."}, {I, "Normal."}}},
		{name: "UIDs of an SR made elsewhere are passed over", segs: with(
			`OBX|2|ST|^SOP Instance UID||1.2.3`, `OBX|3|HD|^Series Instance UID||1.2.4`, `OBX|4|TX|GDT^Report||FINDINGS: clear.`),
			dictation: "FINDINGS: clear."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mp, errs := mapMessage(t, tc.segs, testOptions)
			if errs.HasErrors() {
				t.Fatal(errs)
			}
			r := mp.Request.GetReport()
			if tc.dictation != "" {
				if r.GetDictation() != tc.dictation || len(r.GetSections()) > 0 {
					t.Errorf("dictation %q, %d sections; want %q", r.GetDictation(), len(r.GetSections()), tc.dictation)
				}
			} else {
				if r.GetDictation() != "" || len(r.GetSections()) != len(tc.sections) {
					t.Fatalf("dictation %q, sections %v", r.GetDictation(), r.GetSections())
				}
				for i, s := range tc.sections {
					if got := r.GetSections()[i]; got.GetKind() != s.kind || got.GetText() != s.text {
						t.Errorf("section %d: %v %q, want %v %q", i, got.GetKind(), got.GetText(), s.kind, s.text)
					}
				}
			}
			if tc.warnRule != "" {
				found := false
				for _, w := range mp.Warnings {
					found = found || w.Rule == tc.warnRule
				}
				if !found {
					t.Errorf("no %s warning in %s", tc.warnRule, mp.Warnings)
				}
			}
		})
	}
}
