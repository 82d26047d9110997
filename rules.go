package reportgen

import (
	"fmt"

	"github.com/reportgen/reportgen/sr"
)

// RequestRule is one rule of a GenerateReportRequest. Every violation the
// request checks report carries the id of the rule it breaks
// (issue.Violation.RuleID); the checks read their limits from here, the
// API's comments name the ids, and docs/request-rules.md is this table
// printed (TestRequestRulesDoc keeps it so).
type RequestRule struct {
	// ID is what violations carry: "REQ-…" for the service's rules, the
	// conformance id for a C-CDA rule the request checks enforce before
	// any document is made.
	ID string
	// Limit is the number of a limit rule, 0 for the others.
	Limit int
	// Unit is what Limit counts: "bytes", "characters" or "items".
	Unit string
	// Says is the rule in one line.
	Says string
	// Basis is why: the standard and its section, or the work it bounds.
	Basis string
}

// Rule ids of the request checks. A violation's description says what is
// wrong with the field; the id says which of these rules it breaks.
const (
	RuleRequired    = "REQ-REQUIRED"
	RuleConditional = "REQ-CONDITIONAL"
	RuleEnum        = "REQ-ENUM"
	RuleChars       = "REQ-CHARS"
	RuleDelimiter   = "REQ-DICOM-DELIMITER"
	RuleUID         = "REQ-UID"
	RuleTime        = "REQ-TIME"
	RuleFormat      = "REQ-FORMAT"
	RuleUCUM        = "REQ-UCUM"
	RuleModality    = "REQ-MODALITY"
	RuleSOPClass    = "REQ-SOP-CLASS"
	RuleTemplateID  = "REQ-TEMPLATE-ID"
	RuleTelecomUse  = "REQ-TELECOM-USE"

	RuleLenID       = "REQ-LEN-ID"
	RuleLenTitle    = "REQ-LEN-TITLE"
	RuleLenLO       = "REQ-LEN-LO"
	RuleLenPN       = "REQ-LEN-PN"
	RuleLenSH       = "REQ-LEN-SH"
	RuleLenCS       = "REQ-LEN-CS"
	RuleLenDS       = "REQ-LEN-DS"
	RuleLenCode     = "REQ-LEN-CODE"
	RuleLenUCUM     = "REQ-LEN-UCUM"
	RuleLenText     = "REQ-LEN-TEXT"
	RuleLenDocument = "REQ-LEN-DOCUMENT"

	RuleMaxSections     = "REQ-MAX-SECTIONS"
	RuleMaxObservations = "REQ-MAX-OBSERVATIONS"
	RuleMaxImages       = "REQ-MAX-IMAGES"
	RuleMaxFrames       = "REQ-MAX-FRAMES"
	RuleMaxIdentifiers  = "REQ-MAX-IDENTIFIERS"
	RuleMaxReasonCodes  = "REQ-MAX-REASON-CODES"
	RuleMaxModalities   = "REQ-MAX-MODALITIES"
	RuleMaxTelecoms     = "REQ-MAX-TELECOMS"
	RuleStreetLines     = "REQ-STREET-LINES"
	RuleMaxGivenNames   = "REQ-MAX-GIVEN-NAMES"

	// C-CDA R2.1 rules the request checks enforce, by conformance id.
	RuleDocumentCodeLOINC = "CONF:1198-32948"
	RuleOneFindings       = "CONF:1198-30696"
	RuleSectionContent    = "CONF:1198-31061"
	RuleCustodianID       = "CONF:1198-5522"
	RuleUSState           = "CONF:81-10024"
	RuleUSPostalCode      = "CONF:81-10025"
)

const (
	unitBytes = "bytes"
	unitChars = "characters"
	unitItems = "items"
	partVR    = "PS3.5 Table 6.2-1: the SR writes it as DICOM "
	bounded   = "bounds the work and memory of one request"
)

// requestRules is every request rule; the order is that of the docs.
var requestRules = []RequestRule{
	{ID: RuleRequired, Says: "a field the documents need is missing or empty; a value the SR writes in a Type 1 attribute or content item is not only white space", Basis: "the CDA and SR element it becomes is required (Type 1 in DICOM, SHALL in C-CDA)"},
	{ID: RuleConditional, Says: "a field is required, or not allowed, because of another field: the report status, a LOCAL code, a legal authenticator, sections or dictation; an order number with a value needs its issuer's OID when a CDA is made", Basis: "C-CDA authentication and relatedDocument rules; the SR's Verification and Predecessor modules"},
	{ID: RuleEnum, Says: "an enum value is unknown, or an output kind is repeated", Basis: "the API"},
	{ID: RuleChars, Says: "text must be valid UTF-8 without control characters (narrative text may hold line breaks and tabs); codes have no white space", Basis: "XML 1.0 characters; PS3.5 §6.1.3 control characters"},
	{ID: RuleDelimiter, Says: `a value the SR writes as one DICOM value must not hold its delimiters: \ in any string VR, ^ and = in a person name`, Basis: "PS3.5 §6.2 (value delimiter) and §6.2.1 (PN)"},
	{ID: RuleUID, Says: "a UID or OID must be one that package uid accepts: dotted numbers without leading zeros, no longer than a DICOM UI", Basis: "PS3.5 §9.1; the CDA II/@root"},
	{ID: RuleTime, Says: "a time is RFC 3339, after 1900 (a birth date after 1800), with a UTC offset from -12:00 to +14:00, not more than a day in the future, and in order (birth, study, report, signature)", Basis: "DICOM DT/DA and Timezone Offset From UTC; CDA TS"},
	{ID: RuleFormat, Says: "a value must have its format: a BCP 47 language tag, an ISO 3166-1 country, a tel:, mailto:, fax: or http(s): URI (RFC 3986), a decimal number, frame numbers from 1", Basis: "the standard each field names"},
	{ID: RuleUCUM, Says: "a measurement unit must be a UCUM case-sensitive unit the loaded UCUM essence parses", Basis: "C-CDA PQ/@unit and DICOM Measurement Units Code Sequence (UCUM)"},
	{ID: RuleModality, Says: "a modality must be a Defined Term of Modality", Basis: "PS3.3 C.7.3.1.1.1"},
	{ID: RuleSOPClass, Says: "an image's SOP class must be a known storage SOP class, a predecessor's an SR SOP class", Basis: "PS3.4 Annex B"},
	{ID: RuleTelecomUse, Says: "a telecom use is HL7 TelecommunicationAddressUse codes separated by spaces: " + telecomUseList(), Basis: "CDA TEL/@use (coreschemas/voc.xsd)"},
	{ID: RuleTemplateID, Says: "template_id must name a loaded template", Basis: "ListTemplates lists them"},

	{ID: RuleLenID, Limit: 128, Unit: unitBytes, Says: "request_id and uid_namespace are printable text of at most this many bytes", Basis: "they go into logs and UIDs; " + bounded},
	{ID: RuleLenTitle, Limit: 256, Unit: unitChars, Says: "a report title, street line, city or telecom URI is at most this long", Basis: bounded},
	{ID: RuleLenLO, Limit: sr.MaxChars("LO"), Unit: unitChars, Says: "a value the SR writes as LO (identifier, display name, organization, section title, procedure description, state, postal code) is at most this long", Basis: partVR + "LO"},
	{ID: RuleLenPN, Limit: sr.MaxChars("PN"), Unit: unitChars, Says: "a person name's component group (alphabetic, ideographic, phonetic), with the ^ between its five parts, is at most this long", Basis: partVR + "PN"},
	{ID: RuleLenSH, Limit: sr.MaxChars("SH"), Unit: unitChars, Says: "an accession number or a LOCAL code's designator is at most this long", Basis: partVR + "SH"},
	{ID: RuleLenCS, Limit: sr.MaxChars("CS"), Unit: unitChars, Says: "a modality is a code string of A-Z, 0-9, space and _ of at most this length", Basis: partVR + "CS"},
	{ID: RuleLenDS, Limit: sr.MaxChars("DS"), Unit: unitChars, Says: "a measurement value is a decimal string of at most this length", Basis: partVR + "DS"},
	{ID: RuleLenCode, Limit: 64, Unit: unitChars, Says: "a code value is at most this long; the SR writes one longer than SH as Long Code Value", Basis: "PS3.3 Table 8.8-1a (Long Code Value is UC); CDA ids and receivers expect short codes"},
	{ID: RuleLenUCUM, Limit: 64, Unit: unitChars, Says: "a measurement unit is at most this long", Basis: bounded},
	{ID: RuleLenText, Limit: DefaultMaxText, Unit: unitBytes, Says: "a narrative text (a section's, an observation's, the reason for study) or a dictation is at most this long: the server's text limit, set from MinTextLimit to MaxTextLimit (Config.MaxTextBytes)", Basis: "archived reports paste in earlier ones; below libxml2's 10 MB bound on one text node"},
	{ID: RuleLenDocument, Limit: MaxDocumentSize, Unit: unitBytes, Says: "a document sent to ValidateDocument or TransformDocument is at most this large", Basis: bounded},

	{ID: RuleMaxSections, Limit: 64, Unit: unitItems, Says: "sections per report", Basis: bounded},
	{ID: RuleMaxObservations, Limit: 512, Unit: unitItems, Says: "observations per section", Basis: bounded},
	{ID: RuleMaxImages, Limit: 256, Unit: unitItems, Says: "image references per observation", Basis: bounded},
	{ID: RuleMaxFrames, Limit: 1024, Unit: unitItems, Says: "frame numbers per image reference", Basis: bounded},
	{ID: RuleMaxIdentifiers, Limit: 16, Unit: unitItems, Says: "identifiers per patient or practitioner", Basis: bounded},
	{ID: RuleMaxReasonCodes, Limit: 16, Unit: unitItems, Says: "reason codes per study", Basis: bounded},
	{ID: RuleMaxModalities, Limit: 16, Unit: unitItems, Says: "modalities per study", Basis: bounded},
	{ID: RuleMaxTelecoms, Limit: 8, Unit: unitItems, Says: "contact points per person or organization", Basis: bounded},
	{ID: RuleStreetLines, Limit: 4, Unit: unitItems, Says: "an address has 1 to this many street lines", Basis: "US Realm Address (AD.US.FIELDED)"},
	{ID: RuleMaxGivenNames, Limit: 8, Unit: unitItems, Says: "given names per person name", Basis: bounded},

	{ID: RuleDocumentCodeLOINC, Says: "a document code is a LOINC code", Basis: "C-CDA R2.1 US Realm Header"},
	{ID: RuleOneFindings, Says: "at most one Findings section, counting CODED sections coded as Findings", Basis: "C-CDA R2.1 DIR"},
	{ID: RuleSectionContent, Says: "a section has text or observations", Basis: "C-CDA R2.1 DIR section text"},
	{ID: RuleCustodianID, Says: "the custodian has at least one identifier", Basis: "C-CDA R2.1 US Realm Header"},
	{ID: RuleUSState, Says: "a US address has a state", Basis: "US Realm Address (AD.US.FIELDED)"},
	{ID: RuleUSPostalCode, Says: "a US address has a postal code", Basis: "US Realm Address (AD.US.FIELDED)"},
}

// rulesByID indexes requestRules; init refuses a table with a repeated id
// or a limit rule without its number.
var rulesByID = func() map[string]RequestRule {
	m := make(map[string]RequestRule, len(requestRules))
	for _, r := range requestRules {
		if _, dup := m[r.ID]; dup || (r.Unit != "") != (r.Limit > 0) {
			panic(fmt.Sprintf("reportgen: request rule %s is repeated, or has a unit without a limit", r.ID))
		}
		m[r.ID] = r
	}
	return m
}()

// RequestRules returns every request rule, for documentation.
func RequestRules() []RequestRule { return append([]RequestRule(nil), requestRules...) }

// limit is the number of a limit rule.
func limit(id string) int { return rulesByID[id].Limit }
