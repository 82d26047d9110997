package content

import (
	"github.com/reportgen/reportgen/dicomdict"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

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
		FromDict(dicomdict.LNHistory), FromDict(dicomdict.DCMHistory), "History", FromDict(dicomdict.LNHistory)},
	pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY: {pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY,
		FromDict(dicomdict.LNIndicationsForProcedure), FromDict(dicomdict.DCMIndicationsForProcedure), "Reason for Study", ConceptFinding},
	pb.SectionKind_SECTION_KIND_COMPARISON: {pb.SectionKind_SECTION_KIND_COMPARISON,
		FromDict(dicomdict.LNPreviousFindings), FromDict(dicomdict.DCMPreviousFindings), "Comparison", ConceptPrevFinding},
	pb.SectionKind_SECTION_KIND_TECHNIQUE: {pb.SectionKind_SECTION_KIND_TECHNIQUE,
		FromDict(dicomdict.LNCurrentProcedureDescriptions), FromDict(dicomdict.DCMCurrentProcedureDescriptions), "Technique", ConceptProcDesc},
	pb.SectionKind_SECTION_KIND_FINDINGS: {pb.SectionKind_SECTION_KIND_FINDINGS,
		FromDict(dicomdict.LNFindings), FromDict(dicomdict.DCMFindings), "Findings", ConceptFinding},
	pb.SectionKind_SECTION_KIND_IMPRESSION: {pb.SectionKind_SECTION_KIND_IMPRESSION,
		FromDict(dicomdict.LNImpressions), FromDict(dicomdict.DCMImpressions), "Impression", ConceptImpression},
	pb.SectionKind_SECTION_KIND_RECOMMENDATION: {pb.SectionKind_SECTION_KIND_RECOMMENDATION,
		FromDict(dicomdict.LNRecommendations), FromDict(dicomdict.DCMRecommendations), "Recommendations", ConceptRecommend},
	pb.SectionKind_SECTION_KIND_ADDENDUM: {pb.SectionKind_SECTION_KIND_ADDENDUM,
		FromDict(dicomdict.LNAddendum), FromDict(dicomdict.DCMAddendum), "Addendum", ConceptFinding},
	pb.SectionKind_SECTION_KIND_COMPLICATIONS: {pb.SectionKind_SECTION_KIND_COMPLICATIONS,
		FromDict(dicomdict.LNComplications), FromDict(dicomdict.DCMComplications), "Complications", FromDict(dicomdict.SCTComplicationOfProcedure)},
}
