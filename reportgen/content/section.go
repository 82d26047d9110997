package content

import pb "github.com/reportgen/reportgen/proto/reportgen/v1"

// Heading describes one report section kind: its codes in both code sets of
// DICOM CID 7001 (current LOINC and retired DCM), its default title, and the
// CID 7002 concept of the text items it holds.
type Heading struct {
	Kind    pb.SectionKind
	LOINC   Code // current CID 7001 code
	DCM     Code // retired DICOM code, still in the C-CDA DIR section value set
	Title   string
	Element Code // concept name of narrative TEXT items (CID 7002)
}

// Headings maps each section kind to its heading. CODED sections take their
// code from the request.
var Headings = map[pb.SectionKind]Heading{
	pb.SectionKind_SECTION_KIND_HISTORY: {pb.SectionKind_SECTION_KIND_HISTORY,
		LOINC("11329-0", "History"), DCM("121060", "History"), "History", LOINC("11329-0", "History")},
	pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY: {pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY,
		LOINC("18785-6", "Indications for Procedure"), DCM("121109", "Indications for Procedure"), "Reason for Study", ConceptFinding},
	pb.SectionKind_SECTION_KIND_COMPARISON: {pb.SectionKind_SECTION_KIND_COMPARISON,
		LOINC("18834-2", "Previous Findings"), DCM("121068", "Previous Findings"), "Comparison", ConceptPrevFinding},
	pb.SectionKind_SECTION_KIND_TECHNIQUE: {pb.SectionKind_SECTION_KIND_TECHNIQUE,
		LOINC("55111-9", "Current Procedure Descriptions"), DCM("121064", "Current Procedure Descriptions"), "Technique", ConceptProcDesc},
	pb.SectionKind_SECTION_KIND_FINDINGS: {pb.SectionKind_SECTION_KIND_FINDINGS,
		LOINC("59776-5", "Findings"), DCM("121070", "Findings"), "Findings", ConceptFinding},
	pb.SectionKind_SECTION_KIND_IMPRESSION: {pb.SectionKind_SECTION_KIND_IMPRESSION,
		LOINC("19005-8", "Impressions"), DCM("121072", "Impressions"), "Impression", ConceptImpression},
	pb.SectionKind_SECTION_KIND_RECOMMENDATION: {pb.SectionKind_SECTION_KIND_RECOMMENDATION,
		LOINC("18783-1", "Recommendations"), DCM("121074", "Recommendations"), "Recommendations", ConceptRecommend},
	pb.SectionKind_SECTION_KIND_ADDENDUM: {pb.SectionKind_SECTION_KIND_ADDENDUM,
		LOINC("55107-7", "Addendum"), DCM("121078", "Addendum"), "Addendum", ConceptFinding},
	pb.SectionKind_SECTION_KIND_COMPLICATIONS: {pb.SectionKind_SECTION_KIND_COMPLICATIONS,
		LOINC("55109-3", "Complications"), DCM("121113", "Complications"), "Complications", SCT("116224001", "Complication of Procedure")},
}
