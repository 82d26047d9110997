package content

import (
	"github.com/reportgen/reportgen/dicomdict"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Code is a coded concept as both documents need it: the DICOM Coding
// Scheme Designator for SR and the code system OID for CDA.
type Code struct {
	Value      string // code value, e.g. "121071"
	Designator string // DICOM Coding Scheme Designator, e.g. "DCM"
	OID        string // HL7 code system OID, e.g. "1.2.840.10008.2.16.4"
	Meaning    string // display name / Code Meaning
}

// IsZero reports whether the code is unset.
func (c Code) IsZero() bool { return c.Value == "" }

// SchemeName returns a readable name of the code system for CDA
// codeSystemName.
func (c Code) SchemeName() string {
	if n, ok := dicomdict.SchemeName(c.OID); ok {
		return n
	}
	return c.Designator
}

// Code system OIDs (owned by dicomdict's scheme table).
const (
	OIDLOINC  = dicomdict.OIDLOINC
	OIDSNOMED = dicomdict.OIDSNOMED
	OIDRadLex = dicomdict.OIDRadLex
	OIDDCM    = dicomdict.OIDDCM
	OIDUCUM   = dicomdict.OIDUCUM
	OIDDCMUID = dicomdict.OIDDCMUID
)

// FromProto converts an API code. The caller has checked it; an
// unspecified scheme gives empty designator and OID.
func FromProto(c *pb.Code) Code {
	if c == nil {
		return Code{}
	}
	out := Code{Value: c.GetCode(), Meaning: c.GetDisplayName()}
	if c.GetScheme() == pb.CodingScheme_CODING_SCHEME_LOCAL {
		out.Designator, out.OID = c.GetLocalDesignator(), c.GetLocalOid()
		return out
	}
	s, _ := dicomdict.SchemeOf(c.GetScheme())
	out.Designator, out.OID = s.Designator, s.OID
	return out
}

// FromDict converts a concept of the DICOM dictionary, giving it the OID
// of its coding scheme.
func FromDict(c dicomdict.Concept) Code {
	s, _ := dicomdict.SchemeByDesignator(c.Scheme)
	return Code{Value: c.Value, Designator: c.Scheme, OID: s.OID, Meaning: c.Meaning}
}

func coded(scheme pb.CodingScheme, value, meaning string) Code {
	s, _ := dicomdict.SchemeOf(scheme)
	return Code{Value: value, Designator: s.Designator, OID: s.OID, Meaning: meaning}
}

// DCM returns a DICOM Controlled Terminology code.
func DCM(value, meaning string) Code { return coded(pb.CodingScheme_CODING_SCHEME_DCM, value, meaning) }

// LOINC returns a LOINC code.
func LOINC(value, meaning string) Code {
	return coded(pb.CodingScheme_CODING_SCHEME_LOINC, value, meaning)
}

// SCT returns a SNOMED CT code.
func SCT(value, meaning string) Code {
	return coded(pb.CodingScheme_CODING_SCHEME_SNOMED_CT, value, meaning)
}

// UCUM returns a UCUM unit code.
func UCUM(value, meaning string) Code {
	return coded(pb.CodingScheme_CODING_SCHEME_UCUM, value, meaning)
}

// Well-known concepts of TID 2000 and its sub-templates (PS3.16), from
// the DICOM dictionary.
var (
	DocDiagnosticImaging = FromDict(dicomdict.LNDiagnosticImagingStudy)
	ConceptLanguage      = FromDict(dicomdict.DCMLanguageOfContentItemAndDescendants)
	ConceptProcedure     = FromDict(dicomdict.DCMProcedureReported)
	ConceptObserverType  = FromDict(dicomdict.DCMObserverType)
	ObserverPerson       = FromDict(dicomdict.DCMPerson)
	ConceptObserverName  = FromDict(dicomdict.DCMPersonObserverName)
	ConceptObserverOrg   = FromDict(dicomdict.DCMPersonObserversOrganizationName)
	ConceptFinding       = FromDict(dicomdict.DCMFinding)
	ConceptImpression    = FromDict(dicomdict.DCMImpression)
	ConceptRecommend     = FromDict(dicomdict.DCMRecommendation)
	ConceptPrevFinding   = FromDict(dicomdict.DCMPreviousFinding)
	ConceptProcDesc      = FromDict(dicomdict.DCMProcedureDescription)
	ConceptFindingSite   = FromDict(dicomdict.SCTFindingSite)
	PurposeBestIllustr   = FromDict(dicomdict.DCMBestIllustrationOfFinding)
)
