package dicomdict

import pb "github.com/reportgen/reportgen/proto/reportgen/v1"

// HL7 OIDs of the code systems the service names (PS3.16 Table 8-1 gives
// the designator, the HL7 registry the OID).
const (
	OIDLOINC  = "2.16.840.1.113883.6.1"
	OIDSNOMED = "2.16.840.1.113883.6.96"
	OIDRadLex = "2.16.840.1.113883.6.256"
	OIDDCM    = "1.2.840.10008.2.16.4"
	OIDUCUM   = "2.16.840.1.113883.6.8"
	OIDDCMUID = "1.2.840.10008.2.6.1"
)

// DesignatorLanguage is the Coding Scheme Designator of language tags
// (RFC 5646, PS3.16 CID 5000): TID 1204 codes the report's language with
// it, the code value being the tag itself, which the CDA writes as
// languageCode rather than as a code of a code system.
const DesignatorLanguage = "RFC5646"

// Scheme is one coding scheme as both documents need it.
type Scheme struct {
	// Designator is the DICOM Coding Scheme Designator, e.g. "LN".
	Designator string
	// OID is the HL7 code system OID.
	OID string
	// Name is the CDA codeSystemName; "" where another row of the same
	// OID names it.
	Name string
	// API is the scheme of the service's API; unspecified for schemes it
	// carries as LOCAL codes.
	API pb.CodingScheme
	// Coded reports whether SR content items are coded in the scheme, so
	// that a reader may take the OID from this table; DCMUID names UIDs
	// as codes in CDA only.
	Coded bool
}

// schemes is the one scheme <-> designator <-> OID table: the schemes the
// API names first, then the well-known schemes an SR may use without a
// Coding Scheme Identification Sequence.
var schemes = []Scheme{
	{"LN", OIDLOINC, "LOINC", pb.CodingScheme_CODING_SCHEME_LOINC, true},
	{"SCT", OIDSNOMED, "SNOMED CT", pb.CodingScheme_CODING_SCHEME_SNOMED_CT, true},
	{"RADLEX", OIDRadLex, "RadLex", pb.CodingScheme_CODING_SCHEME_RADLEX, true},
	{"DCM", OIDDCM, "DCM", pb.CodingScheme_CODING_SCHEME_DCM, true},
	{"UCUM", OIDUCUM, "UCUM", pb.CodingScheme_CODING_SCHEME_UCUM, true},
	{"DCMUID", OIDDCMUID, "DCMUID", pb.CodingScheme_CODING_SCHEME_UNSPECIFIED, false},
	// The legacy SNOMED designator; PS3.20 maps it to SNOMED CT.
	{"SRT", OIDSNOMED, "", pb.CodingScheme_CODING_SCHEME_UNSPECIFIED, true},
	{"NCIt", "2.16.840.1.113883.3.26.1.1", "", pb.CodingScheme_CODING_SCHEME_UNSPECIFIED, true},
	{"UMLS", "2.16.840.1.113883.6.86", "", pb.CodingScheme_CODING_SCHEME_UNSPECIFIED, true},
	{"NUCC", "2.16.840.1.113883.6.101", "", pb.CodingScheme_CODING_SCHEME_UNSPECIFIED, true},
	{"I10", "2.16.840.1.113883.6.3", "", pb.CodingScheme_CODING_SCHEME_UNSPECIFIED, true},
	{"I9C", "2.16.840.1.113883.6.2", "", pb.CodingScheme_CODING_SCHEME_UNSPECIFIED, true},
	{"RXNORM", "2.16.840.1.113883.6.88", "", pb.CodingScheme_CODING_SCHEME_UNSPECIFIED, true},
}

var (
	schemeByAPI        = map[pb.CodingScheme]Scheme{}
	schemeByDesignator = map[string]Scheme{}
	schemeNames        = map[string]string{}
)

func init() {
	for _, s := range schemes {
		if s.API != pb.CodingScheme_CODING_SCHEME_UNSPECIFIED {
			schemeByAPI[s.API] = s
		}
		if s.Coded {
			schemeByDesignator[s.Designator] = s
		}
		if s.Name != "" {
			schemeNames[s.OID] = s.Name
		}
	}
}

// SchemeOf returns the scheme of an API coding scheme; false for LOCAL
// and unspecified, whose designator and OID the code itself carries.
func SchemeOf(s pb.CodingScheme) (Scheme, bool) {
	sc, ok := schemeByAPI[s]
	return sc, ok
}

// SchemeByDesignator returns the well-known scheme an SR content item
// coded with that designator is in, and whether there is one.
func SchemeByDesignator(designator string) (Scheme, bool) {
	sc, ok := schemeByDesignator[designator]
	return sc, ok
}

// SchemeName returns the readable name of the code system with that OID
// for CDA codeSystemName, and whether it has one.
func SchemeName(oid string) (string, bool) {
	n, ok := schemeNames[oid]
	return n, ok
}

// Designator returns the DICOM Coding Scheme Designator (PS3.16 Section 8)
// of an API coding scheme; "" for LOCAL and unspecified, whose designator
// the code itself carries.
func Designator(s pb.CodingScheme) string { return schemeByAPI[s].Designator }
