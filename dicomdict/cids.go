package dicomdict

import pb "github.com/reportgen/reportgen/proto/reportgen/v1"

// The context groups and defined terms of PS3.16 and PS3.3 that decide
// what a report is called and what its sections and modalities may be.
// Each list is written once; the encoders, the readers, the request
// checks and the validators read it from here.
//
// The coded lists are generated into concepts.go from concepts.csv (see the
// package doc), in the table order of the standard:
//   - cid7000 is CID 7000 "Diagnostic Imaging Report Document Title",
//     current edition (50 concepts). It is a baseline group (BCID in TID
//     2000's root row): other titles are allowed but receivers may not
//     know them.
//   - cid7001 is CID 7001 "Diagnostic Imaging Report Heading", current
//     edition: all LOINC.
//   - cid7001Retired are the DCM headings CID 7001 held before its LOINC
//     codes replaced them (PS3.16 Annex D lists them as retired). Earlier
//     receivers know only these, and the C-CDA DIR section value set still
//     has them, so they are read everywhere and written on request.
//   - findingsCodes are the codes that name a Findings section, whichever
//     code set: CID 7001's LOINC and retired DCM codes, and LOINC 18782-3
//     "Radiology Study observation (narrative)", which the C-CDA DIR
//     section value set offers for Findings (cda-dir.md §5).
//
// Source: DICOM PS3.16 2025e/2026a (CID 7000, CID 7001, CID 33) as
// extracted by pydicom (commit fb1f24e), checked against the PS3.16 web
// edition; PS3.3 C.7.3.1.1.1 lists the same Modality terms as CID 33.

// Concept is one coded concept: coding scheme designator, code value and
// code meaning.
type Concept struct {
	Scheme, Value, Meaning string
}

// modalities are the Defined Terms of Modality (0008,0060), PS3.3
// C.7.3.1.1.1, which CID 33 "Modality" lists too. The retired terms
// (e.g. CD, DS, ST, MA) are not among them.
var modalities = []string{
	"AR", "ASMT", "AU", "BDUS", "BI", "BMD", "CFM", "CR", "CT", "CTPROTOCOL",
	"DG", "DMS", "DOC", "DX", "ECG", "EEG", "EMG", "EOG", "EPS", "ES",
	"FID", "GM", "HC", "HD", "IO", "IOL", "IVOCT", "IVUS", "KER", "KO",
	"LEN", "LS", "M3D", "MG", "MR", "NM", "OAM", "OCT", "OP", "OPM",
	"OPT", "OPTBSV", "OPTENF", "OPV", "OSS", "OT", "PA", "PLAN", "POS", "PR",
	"PT", "PX", "REG", "RESP", "RF", "RG", "RTDOSE", "RTIMAGE", "RTPLAN", "RTRECORD",
	"RTSTRUCT", "RWV", "SEG", "SM", "SMR", "SR", "SRF", "STAIN", "TEXTUREMAP", "TG",
	"US", "VA", "XA", "XC",
}

type codeKey struct{ scheme, value string }

func index(cs ...[]Concept) map[codeKey]Concept {
	m := map[codeKey]Concept{}
	for _, list := range cs {
		for _, c := range list {
			m[codeKey{c.Scheme, c.Value}] = c
		}
	}
	return m
}

var (
	cid7000Index        = index(cid7000)
	cid7001Index        = index(cid7001)
	cid7001RetiredIndex = index(cid7001Retired)
	findingsIndex       = index(findingsCodes)
	modalityIndex       = func() map[string]bool {
		m := make(map[string]bool, len(modalities))
		for _, t := range modalities {
			m[t] = true
		}
		return m
	}()
)

// DocumentTitle returns the CID 7000 concept with that coding scheme
// designator and code value, and whether there is one.
func DocumentTitle(scheme, value string) (Concept, bool) {
	c, ok := cid7000Index[codeKey{scheme, value}]
	return c, ok
}

// DocumentTitles returns CID 7000 in its table order.
func DocumentTitles() []Concept { return append([]Concept(nil), cid7000...) }

// ReportHeading returns the CID 7001 heading with that coding scheme
// designator and code value, current or retired, and whether it is the
// retired DCM code.
func ReportHeading(scheme, value string) (c Concept, retired, ok bool) {
	k := codeKey{scheme, value}
	if c, ok := cid7001Index[k]; ok {
		return c, false, true
	}
	if c, ok := cid7001RetiredIndex[k]; ok {
		return c, true, true
	}
	return Concept{}, false, false
}

// ReportHeadings returns CID 7001, current codes first, then the retired
// DCM codes.
func ReportHeadings() []Concept {
	return append(append([]Concept(nil), cid7001...), cid7001Retired...)
}

// IsFindings reports whether a section code names a Findings section:
// LOINC 59776-5, DCM 121070 or LOINC 18782-3. The code decides what a
// section is, whatever it was called.
func IsFindings(scheme, value string) bool {
	_, ok := findingsIndex[codeKey{scheme, value}]
	return ok
}

// IsModality reports whether term is a Defined Term of Modality (PS3.3
// C.7.3.1.1.1).
func IsModality(term string) bool { return modalityIndex[term] }

// IsDocumentTitle reports whether a code of the API is a CID 7000 title.
func IsDocumentTitle(c *pb.Code) bool {
	d := Designator(c.GetScheme())
	if c.GetScheme() == pb.CodingScheme_CODING_SCHEME_LOCAL {
		d = c.GetLocalDesignator()
	}
	_, ok := DocumentTitle(d, c.GetCode())
	return ok
}
