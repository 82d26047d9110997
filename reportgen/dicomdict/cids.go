package dicomdict

import pb "github.com/reportgen/reportgen/proto/reportgen/v1"

// The context groups and defined terms of PS3.16 and PS3.3 that decide
// what a report is called and what its sections and modalities may be.
// Each list is written here once; the encoders, the readers, the request
// checks and the validators read it from here.
//
// Source: DICOM PS3.16 2025e/2026a (CID 7000, CID 7001, CID 33) as
// extracted by pydicom (commit fb1f24e, shared/spec/data), checked against
// the PS3.16 web edition; PS3.3 C.7.3.1.1.1 lists the same Modality terms
// as CID 33.

// Concept is one coded concept of a context group: coding scheme
// designator, code value and code meaning.
type Concept struct {
	Scheme, Value, Meaning string
}

// cid7000 is CID 7000 "Diagnostic Imaging Report Document Title", current
// edition (50 concepts). It is a baseline group (BCID in TID 2000 row 1):
// other titles are allowed but receivers may not know them.
var cid7000 = []Concept{
	{"DCM", "111400", "Breast Imaging Report"},
	{"DCM", "125195", "Pediatric Cardiac Ultrasound Report"},
	{"DCM", "125196", "Fetal Cardiac Ultrasound Report"},
	{"DCM", "125197", "Adult Congenital Cardiac Ultrasound Report"},
	{"DCM", "125200", "Adult Echocardiography Procedure Report"},
	{"LN", "11524-0", "ECG Report"},
	{"LN", "11525-3", "Ultrasound Obstetric and Gyn Report"},
	{"LN", "11528-7", "Radiology Report"},
	{"LN", "18745-0", "Cardiac Catheterization Report"},
	{"LN", "18748-4", "Diagnostic Imaging Report"},
	{"LN", "18750-0", "Cardiac Electrophysiology Report"},
	{"LN", "18752-6", "Exercise Stress Test Report"},
	{"LN", "18754-2", "Holter Study Report"},
	{"LN", "18756-7", "MRI Spine Report"},
	{"LN", "24534-0", "US Doppler Abdominal Vessels Report"},
	{"LN", "24590-2", "MRI Head Report"},
	{"LN", "24601-7", "US Breast Report"},
	{"LN", "24606-6", "Mammography Screening Report"},
	{"LN", "24616-5", "US Carotid Arteries Report"},
	{"LN", "24627-2", "CT Chest Report"},
	{"LN", "24725-4", "CT Head Report"},
	{"LN", "24733-8", "US Doppler Head Vessels Report"},
	{"LN", "24859-1", "US Pancreas Report"},
	{"LN", "24884-9", "US Prostate (transrectal) Report"},
	{"LN", "24907-8", "US Shoulder Report"},
	{"LN", "24990-4", "US Spleen Report"},
	{"LN", "25002-7", "US Scrotum and Testicle Report"},
	{"LN", "25010-0", "US Thyroid Report"},
	{"LN", "25045-6", "CT Report"},
	{"LN", "25056-3", "MRI Report"},
	{"LN", "25061-3", "Ultrasound Report"},
	{"LN", "28614-6", "US Liver Report"},
	{"LN", "30695-1", "Nuclear Medicine Thyroid Scan Report"},
	{"LN", "38036-0", "US Kidney Report"},
	{"LN", "38269-7", "DEXA Skeletal System Study Report"},
	{"LN", "39036-9", "US Vein Report"},
	{"LN", "39445-2", "US Doppler Vessels Report"},
	{"LN", "39448-6", "US Doppler Upper Extremity Vessels Report"},
	{"LN", "39453-6", "US Tendon Report"},
	{"LN", "41806-1", "CT Abdomen Report"},
	{"LN", "42148-7", "Echocardiography Report"},
	{"LN", "43468-8", "X-Ray Report"},
	{"LN", "43771-5", "US Doppler Extremity Vessels Report"},
	{"LN", "44136-0", "PET Scan Report"},
	{"LN", "44174-1", "US Doppler Lower Extremity Vessels Report"},
	{"LN", "46375-2", "US Artery Report"},
	{"LN", "47048-4", "Diagnostic Interventional Radiology Report"},
	{"LN", "49118-3", "Nuclear Medicine Report"},
	{"LN", "49512-7", "Fluoroscopy Study Report"},
	{"SCT", "48526000", "Peripheral Vascular Ultrasound Report"},
}

// cid7001 is CID 7001 "Diagnostic Imaging Report Heading", current
// edition: all LOINC.
var cid7001 = []Concept{
	{"LN", "11329-0", "History"},
	{"LN", "18783-1", "Recommendations"},
	{"LN", "18785-6", "Indications for Procedure"},
	{"LN", "18834-2", "Previous Findings"},
	{"LN", "19005-8", "Impressions"},
	{"LN", "29549-3", "Medications Administered"},
	{"LN", "55107-7", "Addendum"},
	{"LN", "55108-5", "Patient Presentation"},
	{"LN", "55109-3", "Complications"},
	{"LN", "55110-1", "Conclusions"},
	{"LN", "55111-9", "Current Procedure Descriptions"},
	{"LN", "55112-7", "Summary"},
	{"LN", "55113-5", "Key Images"},
	{"LN", "55114-3", "Prior Procedure Descriptions"},
	{"LN", "55115-0", "Request"},
	{"LN", "55752-0", "Clinical Information"},
	{"LN", "59776-5", "Findings"},
	{"LN", "73568-8", "Communication of Critical Results"},
	{"LN", "73569-6", "Radiation Exposure and Protection Information"},
}

// cid7001Retired are the DCM headings CID 7001 held before its LOINC
// codes replaced them (PS3.16 Annex D lists them as retired). Earlier
// receivers know only these, and the C-CDA DIR section value set still
// has them, so they are read everywhere and written on request.
var cid7001Retired = []Concept{
	{"DCM", "121060", "History"},
	{"DCM", "121062", "Request"},
	{"DCM", "121064", "Current Procedure Descriptions"},
	{"DCM", "121066", "Prior Procedure Descriptions"},
	{"DCM", "121068", "Previous Findings"},
	{"DCM", "121070", "Findings"},
	{"DCM", "121072", "Impressions"},
	{"DCM", "121074", "Recommendations"},
	{"DCM", "121076", "Conclusions"},
	{"DCM", "121078", "Addendum"},
	{"DCM", "121109", "Indications for Procedure"},
	{"DCM", "121110", "Patient Presentation"},
	{"DCM", "121111", "Summary"},
	{"DCM", "121113", "Complications"},
	{"DCM", "121180", "Key Images"},
}

// findingsCodes are the codes that name a Findings section, whichever code
// set: CID 7001's LOINC and retired DCM codes, and LOINC 18782-3
// "Radiology Study observation (narrative)", which the C-CDA DIR section
// value set offers for Findings (cda-dir.md §5).
var findingsCodes = []Concept{
	{"LN", "59776-5", "Findings"},
	{"DCM", "121070", "Findings"},
	{"LN", "18782-3", "Radiology Study observation"},
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

// Designator returns the DICOM Coding Scheme Designator (PS3.16 Section 8)
// of an API coding scheme; "" for LOCAL and unspecified, whose designator
// the code itself carries.
func Designator(s pb.CodingScheme) string {
	switch s {
	case pb.CodingScheme_CODING_SCHEME_LOINC:
		return "LN"
	case pb.CodingScheme_CODING_SCHEME_SNOMED_CT:
		return "SCT"
	case pb.CodingScheme_CODING_SCHEME_RADLEX:
		return "RADLEX"
	case pb.CodingScheme_CODING_SCHEME_DCM:
		return "DCM"
	case pb.CodingScheme_CODING_SCHEME_UCUM:
		return "UCUM"
	}
	return ""
}

// IsDocumentTitle reports whether a code of the API is a CID 7000 title.
func IsDocumentTitle(c *pb.Code) bool {
	d := Designator(c.GetScheme())
	if c.GetScheme() == pb.CodingScheme_CODING_SCHEME_LOCAL {
		d = c.GetLocalDesignator()
	}
	_, ok := DocumentTitle(d, c.GetCode())
	return ok
}
