package content

import (
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/reportgen/dicomdict"
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
	if n, ok := schemeNames[c.OID]; ok {
		return n
	}
	return c.Designator
}

// Code system OIDs.
const (
	OIDLOINC  = "2.16.840.1.113883.6.1"
	OIDSNOMED = "2.16.840.1.113883.6.96"
	OIDRadLex = "2.16.840.1.113883.6.256"
	OIDDCM    = "1.2.840.10008.2.16.4"
	OIDUCUM   = "2.16.840.1.113883.6.8"
	OIDDCMUID = "1.2.840.10008.2.6.1"
)

var schemeNames = map[string]string{
	OIDLOINC:  "LOINC",
	OIDSNOMED: "SNOMED CT",
	OIDRadLex: "RadLex",
	OIDDCM:    "DCM",
	OIDUCUM:   "UCUM",
	OIDDCMUID: "DCMUID",
}

type scheme struct{ designator, oid string }

var schemes = map[pb.CodingScheme]scheme{
	pb.CodingScheme_CODING_SCHEME_LOINC:     {dicomdict.Designator(pb.CodingScheme_CODING_SCHEME_LOINC), OIDLOINC},
	pb.CodingScheme_CODING_SCHEME_SNOMED_CT: {dicomdict.Designator(pb.CodingScheme_CODING_SCHEME_SNOMED_CT), OIDSNOMED},
	pb.CodingScheme_CODING_SCHEME_RADLEX:    {dicomdict.Designator(pb.CodingScheme_CODING_SCHEME_RADLEX), OIDRadLex},
	pb.CodingScheme_CODING_SCHEME_DCM:       {dicomdict.Designator(pb.CodingScheme_CODING_SCHEME_DCM), OIDDCM},
	pb.CodingScheme_CODING_SCHEME_UCUM:      {dicomdict.Designator(pb.CodingScheme_CODING_SCHEME_UCUM), OIDUCUM},
}

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
	s := schemes[c.GetScheme()]
	out.Designator, out.OID = s.designator, s.oid
	return out
}

// DCM returns a DICOM Controlled Terminology code.
func DCM(value, meaning string) Code {
	return Code{Value: value, Designator: "DCM", OID: OIDDCM, Meaning: meaning}
}

// LOINC returns a LOINC code.
func LOINC(value, meaning string) Code {
	return Code{Value: value, Designator: "LN", OID: OIDLOINC, Meaning: meaning}
}

// SCT returns a SNOMED CT code.
func SCT(value, meaning string) Code {
	return Code{Value: value, Designator: "SCT", OID: OIDSNOMED, Meaning: meaning}
}

// UCUM returns a UCUM unit code.
func UCUM(value, meaning string) Code {
	return Code{Value: value, Designator: "UCUM", OID: OIDUCUM, Meaning: meaning}
}

// Well-known concepts of TID 2000 and its sub-templates (PS3.16).
var (
	DocDiagnosticImaging = LOINC("18748-4", "Diagnostic imaging study")
	ConceptLanguage      = DCM("121049", "Language of Content Item and Descendants")
	ConceptProcedure     = DCM("121058", "Procedure reported")
	ConceptObserverType  = DCM("121005", "Observer Type")
	ObserverPerson       = DCM("121006", "Person")
	ConceptObserverName  = DCM("121008", "Person Observer Name")
	ConceptObserverOrg   = DCM("121009", "Person Observer's Organization Name")
	ConceptFinding       = DCM("121071", "Finding")
	ConceptImpression    = DCM("121073", "Impression")
	ConceptRecommend     = DCM("121075", "Recommendation")
	ConceptPrevFinding   = DCM("121069", "Previous Finding")
	ConceptProcDesc      = DCM("121065", "Procedure Description")
	ConceptFindingSite   = SCT("363698007", "Finding Site")
	PurposeBestIllustr   = DCM("121080", "Best illustration of finding")
)
