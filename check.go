package reportgen

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/reportgen/reportgen/cda/conformance"
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/dicomdict"
	"github.com/reportgen/reportgen/dictation"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas/ucum"
	"github.com/reportgen/reportgen/templates"
	"github.com/reportgen/reportgen/uid"
)

// Limits of the narrative texts a server can set. The other request
// limits are rules of the table in rules.go.
const (
	// DefaultMaxText is the default limit of one narrative text (a
	// section's, an observation's, the reason for study) and of a dictated
	// body, in bytes: archived reports paste in earlier reports. Config
	// .MaxTextBytes changes it up to MaxTextLimit.
	DefaultMaxText = 1 << 20
	// MaxTextLimit is the largest text limit a server may set: below
	// libxml2's 10 MB bound on one text node, which the CDA validation
	// must parse.
	MaxTextLimit = 8 << 20
	// MinTextLimit is the smallest: the limit of earlier releases, so
	// nothing accepted before is refused by a configured server.
	MinTextLimit = 64 << 10
)

// Rule ids of the notes the request checks put on the documents.
const (
	// RuleNoFindings: the report has no findings; the CDA says so with a
	// Findings Section of nullFlavor NI, the SR has no Findings container.
	RuleNoFindings = "RG-NO-FINDINGS"
	// RuleTemplateRelaxed: a template rule the report breaks, reported
	// instead of enforced (TEMPLATE_RULES_WARN).
	RuleTemplateRelaxed = "RG-TEMPLATE-RELAXED"
	// RuleSRTab: a TAB of the field is written as a space in the SR.
	RuleSRTab = "RG-SR-TAB"
	// RulePartialBirthDate: the SR's Patient's Birth Date is empty
	// because the date is known only to the year or month.
	RulePartialBirthDate = "RG-PARTIAL-BIRTH-DATE"
	// RuleDictationFooter: a signature or footer line of a dictation is
	// left out of the documents.
	RuleDictationFooter = "RG-DICTATION-FOOTER"
)

// checker collects every violation of a request, so the caller fixes
// them all in one round trip.
type checker struct {
	v   []issue.Violation
	now time.Time
	opt checkOptions
	// dictated is the split of a valid dictation, for Generate.
	dictated *dictated
	// notes go on every document, srNotes on the SR only: what the
	// documents say differently from what was sent, and why.
	notes, srNotes issue.List
	// findings counts the report's Findings sections.
	findings int
	// cda and sr say which documents the request asks for: some rules
	// are one document's.
	cda, sr bool
}

// dictated is a dictated report body split into sections.
type dictated struct {
	parts    []dictation.Section
	sections []*pb.Section
}

// add records a violation of the request rule with the given id
// (rules.go) by the field.
func (c *checker) add(rule, field, format string, args ...any) {
	c.v = append(c.v, issue.Violation{Field: field, RuleID: rule, Description: fmt.Sprintf(format, args...)})
}

// Check returns every violation of the request's rules; none means the
// request can be rendered. now bounds dates that cannot lie in the future.
// A dictated body is split into sections and those are checked like sent
// ones. Measurement units are checked against units, the UCUM essence
// (ucum.Load). The template rules are checked by Generate, which knows
// the template.
func Check(req *pb.GenerateReportRequest, now time.Time, units *ucum.System) []issue.Violation {
	return check(req, now, checkOptions{units: units}).v
}

// checkOptions adjust the request rules for a report that no caller sent.
// The zero value is the rules of Check.
type checkOptions struct {
	// unknownIDs accepts an author, legal authenticator and custodian
	// without identifiers. Transform sets it: a report read from an SR has
	// only the identifiers the SR carries (a custodian's, never), the SR
	// reader and the transform report each missing one, and the CDA
	// encoder writes it as nullFlavor UNK. A caller's request must give
	// them: the caller knows who wrote, signed and keeps the report.
	unknownIDs bool
	// maxText is the limit of a narrative text or dictation in bytes;
	// 0 is DefaultMaxText.
	maxText int
	// units are UCUM's: a measurement unit must parse against them. Nil
	// refuses every unit, since none can be shown to be UCUM.
	units *ucum.System
}

func (o checkOptions) textLimit() int {
	if o.maxText <= 0 {
		return DefaultMaxText
	}
	return o.maxText
}

func check(req *pb.GenerateReportRequest, now time.Time, opt checkOptions) *checker {
	c := &checker{now: now, opt: opt}
	c.request(req)
	if len(c.v) == 0 && c.findings == 0 {
		c.notes.Add(issue.Info, RuleNoFindings, "report.sections",
			"the report has no findings: the CDA Findings Section says nullFlavor NI (no information) and the SR has no Findings container")
	}
	return c
}

func (c *checker) request(req *pb.GenerateReportRequest) {
	if len(req.GetRequestId()) > limit(RuleLenID) {
		c.add(RuleLenID, "request_id", "longer than %d bytes", limit(RuleLenID))
	} else if !printable(req.GetRequestId()) {
		c.add(RuleChars, "request_id", "must be printable text without control characters")
	}
	seen := map[pb.DocumentKind]bool{}
	c.cda = len(req.GetOutputs()) == 0
	c.sr = c.cda
	for i, k := range req.GetOutputs() {
		c.cda = c.cda || k == pb.DocumentKind_DOCUMENT_KIND_CDA
		c.sr = c.sr || k == pb.DocumentKind_DOCUMENT_KIND_SR
		f := fmt.Sprintf("outputs[%d]", i)
		switch {
		case k != pb.DocumentKind_DOCUMENT_KIND_CDA && k != pb.DocumentKind_DOCUMENT_KIND_SR &&
			k != pb.DocumentKind_DOCUMENT_KIND_FHIR && k != pb.DocumentKind_DOCUMENT_KIND_HTML:
			c.add(RuleEnum, f, "must be DOCUMENT_KIND_CDA, DOCUMENT_KIND_SR, DOCUMENT_KIND_FHIR or DOCUMENT_KIND_HTML")
		case seen[k]:
			c.add(RuleEnum, f, "repeats %s", k)
		}
		seen[k] = true
	}
	if ns := req.GetUidNamespace(); len(ns) > limit(RuleLenID) || !printable(ns) {
		c.add(RuleLenID, "uid_namespace", "must be printable text of at most %d bytes", limit(RuleLenID))
	}
	if _, ok := pb.SrHeadingCodes_name[int32(req.GetSrHeadingCodes())]; !ok {
		c.add(RuleEnum, "sr_heading_codes", "unknown value %d", req.GetSrHeadingCodes())
	}
	if _, ok := pb.TemplateRules_name[int32(req.GetTemplateRules())]; !ok {
		c.add(RuleEnum, "template_rules", "unknown value %d", req.GetTemplateRules())
	}
	if req.GetReport() == nil {
		c.add(RuleRequired, "report", "is required")
		return
	}
	c.report("report", req.GetReport())
}

func (c *checker) report(p string, r *pb.Report) {
	st := r.GetStatus()
	if _, ok := pb.ReportStatus_name[int32(st)]; !ok || st == pb.ReportStatus_REPORT_STATUS_UNSPECIFIED {
		c.add(RuleRequired, p+".status", "is required: PRELIMINARY, FINAL, CORRECTED or ADDENDUM")
	}
	if l := r.GetLanguage(); l != "" && !conformance.LanguageTag(l) {
		c.add(RuleFormat, p+".language", "must be a BCP 47 language tag such as en-US")
	}
	reportTime := c.time(p+".report_time", r.GetReportTime(), true)
	c.text(p+".title", r.GetTitle(), RuleLenTitle, false)
	if dc := r.GetDocumentCode(); dc != nil {
		c.code(p+".document_code", dc)
		if dc.GetScheme() != pb.CodingScheme_CODING_SCHEME_LOINC {
			c.add(RuleDocumentCodeLOINC, p+".document_code.scheme", "must be LOINC: the CDA document type is a LOINC document code (CONF:1198-32948)")
		}
	}
	if r.GetPatient() == nil {
		c.add(RuleRequired, p+".patient", "is required")
	} else {
		c.patient(p+".patient", r.GetPatient())
	}
	var studyStart time.Time
	if r.GetStudy() == nil {
		c.add(RuleRequired, p+".study", "is required")
	} else {
		studyStart = c.study(p+".study", r.GetStudy())
	}
	c.birthBefore(p, r.GetPatient().GetBirthDate(), studyStart, p+".study.start_time")
	c.birthBefore(p, r.GetPatient().GetBirthDate(), reportTime, p+".report_time")
	if o := r.GetOrder(); o != nil {
		for _, n := range []struct {
			field string
			id    *pb.Identifier
		}{{"placer_order_number", o.GetPlacerOrderNumber()}, {"filler_order_number", o.GetFillerOrderNumber()}} {
			f := p + ".order." + n.field
			c.identifier(f, n.id, false)
			// The CDA writes the number as an order id under its
			// issuer (@root, required); the SR can do without.
			if c.cda && n.id.GetValue() != "" && n.id.GetAssigningAuthorityOid() == "" {
				c.add(RuleConditional, f+".assigning_authority_oid", "is required with value for a CDA: it is the order id root")
			}
		}
		if op := o.GetOrderingPhysician(); op != nil {
			c.practitioner(p+".order.ordering_physician", op, false)
		}
	}
	if r.GetAuthor() == nil {
		c.add(RuleRequired, p+".author", "is required: the reporting radiologist")
	} else {
		c.practitioner(p+".author", r.GetAuthor(), !c.opt.unknownIDs)
		// The author's organization is an observer context TEXT item.
		c.srValue(p+".author.organization", r.GetAuthor().GetOrganization(), true, false)
	}
	signed := st == pb.ReportStatus_REPORT_STATUS_FINAL || st == pb.ReportStatus_REPORT_STATUS_CORRECTED || st == pb.ReportStatus_REPORT_STATUS_ADDENDUM
	switch la := r.GetLegalAuthenticator(); {
	case la == nil && signed:
		c.add(RuleConditional, p+".legal_authenticator", "is required for a %s report: it is signed", statusWord(st))
	case la != nil && !signed:
		c.add(RuleConditional, p+".legal_authenticator", "must be absent for a preliminary report: it is not signed")
	case la != nil:
		c.practitioner(p+".legal_authenticator", la, !c.opt.unknownIDs)
		if r.GetVerifyingObserver() == nil {
			// The signer is the SR's verifying observer; the
			// organization its Verifying Organization (LO).
			c.srValue(p+".legal_authenticator.organization", la.GetOrganization(), true, true)
		}
	}
	switch {
	case r.GetLegalAuthenticator() != nil && r.GetSignatureTime() == "":
		c.add(RuleConditional, p+".signature_time", "is required with legal_authenticator")
	case r.GetLegalAuthenticator() == nil && r.GetSignatureTime() != "":
		c.add(RuleConditional, p+".signature_time", "is only allowed with legal_authenticator")
	case r.GetSignatureTime() != "":
		if sig := c.time(p+".signature_time", r.GetSignatureTime(), true); !sig.IsZero() && !reportTime.IsZero() && sig.Before(reportTime) {
			c.add(RuleTime, p+".signature_time", "is before report_time: a report cannot be signed before it is written")
		}
	}
	if rp := r.GetReferringPhysician(); rp != nil {
		c.practitioner(p+".referring_physician", rp, false)
	}
	if vo := r.GetVerifyingObserver(); vo != nil {
		if !signed {
			c.add(RuleConditional, p+".verifying_observer", "must be absent for a preliminary report: it is not verified")
		}
		c.practitioner(p+".verifying_observer", vo, false)
		c.srValue(p+".verifying_observer.organization", vo.GetOrganization(), true, true)
	}
	if r.GetCustodian() == nil {
		c.add(RuleRequired, p+".custodian", "is required: the institution that keeps the report")
	} else {
		c.organization(p+".custodian", r.GetCustodian())
	}
	follows := st == pb.ReportStatus_REPORT_STATUS_CORRECTED || st == pb.ReportStatus_REPORT_STATUS_ADDENDUM
	switch pd := r.GetPredecessor(); {
	case pd == nil && follows:
		c.add(RuleConditional, p+".predecessor", "is required for a %s report: it names the report it follows", statusWord(st))
	case pd != nil && !follows:
		c.add(RuleConditional, p+".predecessor", "is only allowed for CORRECTED or ADDENDUM reports")
	case pd != nil:
		c.predecessor(p+".predecessor", pd)
	}
	switch d := r.GetDictation(); {
	case d != "" && len(r.GetSections()) > 0:
		c.add(RuleConditional, p+".dictation", "set either sections or dictation, not both")
	case d != "":
		c.dictation(p+".dictation", d, st)
	default:
		c.sections(p+".sections", r.GetSections(), st)
	}
}

// dictation checks a dictated body, splits it, and checks the sections of
// the split as if they had been sent. Their violations name the dictation
// and the section kind: the caller sent no sections to point at.
func (c *checker) dictation(p, d string, st pb.ReportStatus) {
	switch {
	case len(d) > c.opt.textLimit():
		c.add(RuleLenText, p, "is %d bytes; at most %d are allowed (the server's text limit)", len(d), c.opt.textLimit())
		return
	case !utf8.ValidString(d):
		c.add(RuleChars, p, "is not valid UTF-8")
		return
	case strings.TrimFunc(d, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }) == "":
		c.add(RuleRequired, p, "is empty")
		return
	}
	for _, r := range d {
		// TAB is allowed: the SR writes it as a space (see narrative).
		if r != '\n' && r != '\r' && r != '\t' && (unicode.IsControl(r) || r == '\uFFFE' || r == '\uFFFF') {
			c.add(RuleChars, p, "contains a control character; only line breaks and tabs are allowed")
			return
		}
	}
	parts := dictation.Split(d)
	secs := dictation.Sections(d, parts)
	addendum := false
	if len(secs) == 0 {
		c.add(RuleRequired, p, "has headings but no text under any of them")
		return
	}
	for i, s := range secs {
		sub := &checker{now: c.now, opt: c.opt}
		sub.section(fmt.Sprintf("sections[%d]", i), s)
		for _, v := range sub.v {
			c.add(v.RuleID, p, "the %s section made from it: %s", sectionWord(s.GetKind()), v.Description)
		}
		for _, n := range sub.srNotes {
			n.Location = p
			n.Message = fmt.Sprintf("the %s section made from it: %s", sectionWord(s.GetKind()), n.Message)
			c.srNotes = append(c.srNotes, n)
		}
		switch s.GetKind() {
		case pb.SectionKind_SECTION_KIND_FINDINGS:
			c.findings++
		case pb.SectionKind_SECTION_KIND_ADDENDUM:
			addendum = true
		}
	}
	for _, part := range parts {
		if part.Footer {
			c.notes.Add(issue.Info, RuleDictationFooter, p,
				"a signature or footer line (bytes %d to %d) is not report content and is left out of the documents; the signer is the request's legal_authenticator", part.HeadingStart, part.TextEnd)
		}
	}
	if st == pb.ReportStatus_REPORT_STATUS_ADDENDUM && !addendum {
		c.add(RuleConditional, p, "an ADDENDUM report needs an Addendum heading with the addendum text")
	}
	if len(c.v) == 0 {
		c.dictated = &dictated{parts: parts, sections: secs}
	}
}

// sectionWord is how a section kind reads in a message, e.g. "FINDINGS".
func sectionWord(k pb.SectionKind) string {
	return strings.TrimPrefix(k.String(), "SECTION_KIND_")
}

// checkTemplate returns the ways a checked report breaks the rules of its
// template. secs are the report's sections (or those of its dictation).
// A report without findings gets the Findings Section with nullFlavor NI,
// so a template's required Findings is met by it: the documents have the
// section and say it holds no information.
func checkTemplate(t *templates.Template, secs []*pb.Section, dictated bool) []issue.Violation {
	list, field := "report.sections", func(i int) string { return fmt.Sprintf("report.sections[%d]", i) }
	if dictated {
		list, field = "report.dictation", func(int) string { return "report.dictation" }
	}
	if !slices.ContainsFunc(secs, func(s *pb.Section) bool { return s.GetKind() == pb.SectionKind_SECTION_KIND_FINDINGS }) {
		secs = append(slices.Clip(secs), &pb.Section{Kind: pb.SectionKind_SECTION_KIND_FINDINGS})
	}
	return t.Check(secs, list, field)
}

// relaxed turns template violations into the warnings a regeneration
// with TEMPLATE_RULES_WARN puts on every document.
func relaxed(v []issue.Violation) issue.List {
	var l issue.List
	for _, fv := range v {
		l.Warnf(RuleTemplateRelaxed, fv.Field, "template rule not enforced (TEMPLATE_RULES_WARN): %s", fv.Description)
	}
	return l
}

func statusWord(s pb.ReportStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "REPORT_STATUS_"))
}

func (c *checker) patient(p string, pt *pb.Patient) {
	if len(pt.GetIds()) == 0 {
		c.add(RuleRequired, p+".ids", "at least one patient identifier is required")
	}
	c.tooMany(RuleMaxIdentifiers, p+".ids", len(pt.GetIds()), " identifiers")
	for i, id := range pt.GetIds() {
		c.identifier(fmt.Sprintf("%s.ids[%d]", p, i), id, true)
		if strings.TrimSpace(id.GetValue()) == "" {
			// An id with a root and no extension names the issuing
			// authority, not the patient.
			c.add(RuleRequired, fmt.Sprintf("%s.ids[%d].value", p, i), "is required: a patient identifier without a value identifies only its assigning authority")
		}
	}
	if pt.GetName() == nil {
		c.add(RuleRequired, p+".name", "is required")
	} else {
		c.name(p+".name", pt.GetName(), true)
	}
	if bd := pt.GetBirthDate(); bd != "" {
		if t, ts, err := content.ParseBirthDate(bd); err != nil {
			c.add(RuleTime, p+".birth_date", "%v", err)
		} else if t.After(c.now) {
			c.add(RuleTime, p+".birth_date", "lies in the future")
		} else if t.Year() < 1800 {
			// DICOM DA and CDA TS take year 0000, but no patient alive
			// was born before 1800: such a date is a placeholder.
			c.add(RuleTime, p+".birth_date", "is before 1800")
		} else if len(ts) < len("20060102") {
			c.srNotes.Add(issue.Info, RulePartialBirthDate, p+".birth_date",
				"the birth date is known only to the %s: the CDA birthTime has that precision, the SR's Patient's Birth Date is empty (DICOM DA needs a whole date)",
				map[int]string{4: "year", 6: "month"}[len(ts)])
		}
	}
	if _, ok := pb.AdministrativeSex_name[int32(pt.GetSex())]; !ok {
		c.add(RuleEnum, p+".sex", "unknown value %d", pt.GetSex())
	}
	if a := pt.GetAddress(); a != nil {
		c.address(p+".address", a)
	}
	c.telecoms(p+".telecoms", pt.GetTelecoms())
}

// birthBefore refuses a birth date after the date of t (in t's own UTC
// offset, the one both documents carry): a patient is not studied, nor
// reported on, before being born. field names t.
func (c *checker) birthBefore(p, birthDate string, t time.Time, field string) {
	if birthDate == "" || t.IsZero() {
		return
	}
	bd, err := content.ParseDate(birthDate)
	if err != nil || bd.After(c.now) {
		return // the patient check reports it
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if bd.After(day) {
		c.add(RuleTime, p+".patient.birth_date", "is after %s: a patient is not imaged or reported on before birth", field)
	}
}

// study checks the imaging study and returns its start time (zero when
// invalid).
func (c *checker) study(p string, s *pb.ImagingStudy) time.Time {
	c.uid(p+".study_instance_uid", s.GetStudyInstanceUid(), true)
	if a := s.GetAccessionNumber(); a != "" {
		c.text(p+".accession_number", a, RuleLenSH, false)
		if strings.ContainsRune(a, '\\') {
			c.add(RuleDelimiter, p+".accession_number", "must not contain a backslash (DICOM SH)")
		}
		if s.GetAccessionIssuerOid() == "" {
			c.add(RuleConditional, p+".accession_issuer_oid", "is required with accession_number: it is the CDA order id root")
		}
	}
	if o := s.GetAccessionIssuerOid(); o != "" {
		c.uid(p+".accession_issuer_oid", o, true)
	}
	start := c.time(p+".start_time", s.GetStartTime(), true)
	c.tooMany(RuleMaxModalities, p+".modalities", len(s.GetModalities()), "")
	for i, m := range s.GetModalities() {
		c.modality(fmt.Sprintf("%s.modalities[%d]", p, i), m)
	}
	if pc := s.GetProcedureCode(); pc != nil {
		c.code(p+".procedure_code", pc)
	}
	c.text(p+".procedure_description", s.GetProcedureDescription(), RuleLenLO, false)
	// Study Description and Requested Procedure Description (LO).
	c.srValue(p+".procedure_description", s.GetProcedureDescription(), false, true)
	c.narrative(p+".reason_text", s.GetReasonText())
	c.tooMany(RuleMaxReasonCodes, p+".reason_codes", len(s.GetReasonCodes()), "")
	for i, rc := range s.GetReasonCodes() {
		c.code(fmt.Sprintf("%s.reason_codes[%d]", p, i), rc)
	}
	return start
}

// modality checks a DICOM modality: a Defined Term of Modality (PS3.3
// C.7.3.1.1.1), e.g. CT, MR, CR, DX, US, MG. Both documents carry it
// (CDA modality codes, SR image references), and a receiver reads only
// the defined terms.
func (c *checker) modality(p, m string) {
	before := len(c.v)
	c.cs(p, m)
	if len(c.v) == before && !dicomdict.IsModality(m) {
		c.add(RuleModality, p, "must be a DICOM Defined Term for Modality (PS3.3 C.7.3.1.1.1) such as CT, MR, CR, DX, US or MG")
	}
}

func (c *checker) predecessor(p string, pd *pb.PredecessorDocument) {
	c.uid(p+".cda_document_id", pd.GetCdaDocumentId(), true)
	if pd.GetCdaSetId() != "" {
		c.uid(p+".cda_set_id", pd.GetCdaSetId(), true)
	}
	if pd.GetCdaVersionNumber() < 0 {
		c.add(RuleFormat, p+".cda_version_number", "must not be negative")
	}
	if pd.GetSrStudyInstanceUid() != "" {
		c.uid(p+".sr_study_instance_uid", pd.GetSrStudyInstanceUid(), true)
	}
	c.uid(p+".sr_series_instance_uid", pd.GetSrSeriesInstanceUid(), true)
	c.uid(p+".sr_sop_instance_uid", pd.GetSrSopInstanceUid(), true)
	if cl := pd.GetSrSopClassUid(); cl != "" {
		if c.uid(p+".sr_sop_class_uid", cl, true) && cl != content.BasicTextSR && cl != content.EnhancedSR && cl != content.ComprehensiveSR {
			c.add(RuleSOPClass, p+".sr_sop_class_uid", "must be an SR SOP class (Basic Text, Enhanced or Comprehensive SR)")
		}
	}
}

func (c *checker) sections(p string, secs []*pb.Section, st pb.ReportStatus) {
	if len(secs) == 0 {
		c.add(RuleRequired, p, "at least one section (or a dictation) is required")
		return
	}
	if c.tooMany(RuleMaxSections, p, len(secs), " sections") {
		return
	}
	addendum := false
	for i, s := range secs {
		c.section(fmt.Sprintf("%s[%d]", p, i), s)
		// The code decides what a section is: a CODED section coded as
		// Findings is a Findings section.
		switch templates.SectionKindOf(s) {
		case pb.SectionKind_SECTION_KIND_FINDINGS:
			c.findings++
		case pb.SectionKind_SECTION_KIND_ADDENDUM:
			addendum = true
		}
	}
	if c.findings > 1 {
		c.add(RuleOneFindings, p, "at most one FINDINGS section is allowed, found %d, counting CODED sections coded as Findings (LOINC 59776-5 or 18782-3, DCM 121070) (CONF:1198-30696)", c.findings)
	}
	if st == pb.ReportStatus_REPORT_STATUS_ADDENDUM && !addendum {
		c.add(RuleConditional, p, "an ADDENDUM report needs an ADDENDUM section")
	}
}

// section checks one section on its own.
func (c *checker) section(sp string, s *pb.Section) {
	k := s.GetKind()
	if _, ok := pb.SectionKind_name[int32(k)]; !ok || k == pb.SectionKind_SECTION_KIND_UNSPECIFIED {
		c.add(RuleRequired, sp+".kind", "is required")
	}
	if k == pb.SectionKind_SECTION_KIND_CODED {
		if s.GetCode() == nil {
			c.add(RuleConditional, sp+".code", "is required for a CODED section")
		} else {
			c.code(sp+".code", s.GetCode())
		}
	}
	c.text(sp+".title", s.GetTitle(), RuleLenLO, false)
	c.narrative(sp+".text", s.GetText())
	if strings.TrimSpace(s.GetText()) == "" && len(s.GetObservations()) == 0 {
		c.add(RuleSectionContent, sp, "needs text or observations: an empty section is not allowed (CONF:1198-31061)")
	}
	if c.tooMany(RuleMaxObservations, sp+".observations", len(s.GetObservations()), " observations") {
		return
	}
	for j, o := range s.GetObservations() {
		c.observation(fmt.Sprintf("%s.observations[%d]", sp, j), o)
	}
}

func (c *checker) observation(p string, o *pb.Observation) {
	if o.GetConcept() != nil {
		c.code(p+".concept", o.GetConcept())
	}
	switch v := o.GetValue().(type) {
	case *pb.Observation_Text:
		if strings.TrimSpace(v.Text) == "" {
			c.add(RuleRequired, p+".text", "must not be empty")
		}
		c.narrative(p+".text", v.Text)
	case *pb.Observation_Code:
		if v.Code == nil {
			c.add(RuleRequired, p+".code", "is required")
		} else {
			c.code(p+".code", v.Code)
		}
	case *pb.Observation_Measurement:
		c.measurement(p+".measurement", v.Measurement)
		if o.GetConcept() == nil {
			c.add(RuleConditional, p+".concept", "is required for a measurement: it names what was measured, e.g. SNOMED CT 81827009 Diameter")
		}
	default:
		c.add(RuleRequired, p, "a value (text, code or measurement) is required")
	}
	if fs := o.GetFindingSite(); fs != nil {
		c.code(p+".finding_site", fs)
	}
	if c.tooMany(RuleMaxImages, p+".images", len(o.GetImages()), " images") {
		return
	}
	for i, im := range o.GetImages() {
		c.image(fmt.Sprintf("%s.images[%d]", p, i), im)
	}
}

// dsValue is a DICOM decimal string: the value of NUM items and CDA PQ.
var dsValue = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

func (c *checker) measurement(p string, m *pb.Measurement) {
	if m == nil {
		c.add(RuleRequired, p, "is required")
		return
	}
	switch v := m.GetValue(); {
	case v == "":
		c.add(RuleRequired, p+".value", "is required")
	case len(v) > limit(RuleLenDS):
		c.add(RuleLenDS, p+".value", "longer than %d characters (DICOM DS)", limit(RuleLenDS))
	case !dsValue.MatchString(v):
		c.add(RuleFormat, p+".value", "must be a decimal number such as 12 or 0.9")
	}
	switch u := m.GetUnit(); {
	case u == "":
		c.add(RuleRequired, p+".unit", "is required: a UCUM unit such as mm")
	case len(u) > limit(RuleLenUCUM):
		c.add(RuleLenUCUM, p+".unit", "must be a UCUM unit of at most %d characters", limit(RuleLenUCUM))
	case c.opt.units == nil:
		c.add(RuleUCUM, p+".unit", "cannot be checked: no UCUM essence is loaded")
	default:
		if err := c.opt.units.Check(u); err != nil {
			c.add(RuleUCUM, p+".unit", "must be a UCUM case-sensitive unit such as mm, cm3 or mg/dL: %v", err)
		}
	}
	// The display name is the unit's Code Meaning in the SR; empty means
	// "use the unit".
	c.text(p+".unit_display_name", m.GetUnitDisplayName(), RuleLenLO, false)
	c.srValue(p+".unit_display_name", m.GetUnitDisplayName(), true, true)
}

// srValue checks a value the SR writes, when the request asks for an
// SR: in a Type 1 attribute or content item white space alone would be an
// empty value, and a backslash in an LO separates values. Empty values
// are the caller's rules to judge.
func (c *checker) srValue(p, v string, type1, lo bool) {
	if v == "" || !c.sr {
		return
	}
	if type1 && strings.TrimSpace(v) == "" {
		c.add(RuleRequired, p, "must not be only white space: the SR needs a value here")
	}
	if lo && strings.ContainsRune(v, '\\') {
		c.add(RuleDelimiter, p, `must not contain \ (a DICOM LO in the SR)`)
	}
}

func (c *checker) image(p string, im *pb.ImageReference) {
	if im.GetStudyInstanceUid() != "" {
		c.uid(p+".study_instance_uid", im.GetStudyInstanceUid(), true)
	}
	c.uid(p+".series_instance_uid", im.GetSeriesInstanceUid(), true)
	if c.uid(p+".sop_class_uid", im.GetSopClassUid(), true) {
		if _, ok := dicomdict.SOPClassName(im.GetSopClassUid()); !ok {
			c.add(RuleSOPClass, p+".sop_class_uid", "is not a known DICOM storage SOP class")
		}
	}
	c.uid(p+".sop_instance_uid", im.GetSopInstanceUid(), true)
	c.tooMany(RuleMaxFrames, p+".frame_numbers", len(im.GetFrameNumbers()), " frames")
	for i, f := range im.GetFrameNumbers() {
		if f < 1 {
			c.add(RuleFormat, fmt.Sprintf("%s.frame_numbers[%d]", p, i), "frame numbers start at 1")
		}
	}
	if pu := im.GetPurpose(); pu != nil {
		c.code(p+".purpose", pu)
	}
	if m := im.GetModality(); m != "" {
		c.modality(p+".modality", m)
	}
}

func (c *checker) practitioner(p string, pr *pb.Practitioner, needID bool) {
	if pr.GetName() == nil {
		c.add(RuleRequired, p+".name", "is required")
	} else {
		c.name(p+".name", pr.GetName(), false)
	}
	if needID && len(pr.GetIds()) == 0 {
		c.add(RuleRequired, p+".ids", "at least one identifier is required, e.g. the NPI")
	}
	c.tooMany(RuleMaxIdentifiers, p+".ids", len(pr.GetIds()), " identifiers")
	for i, id := range pr.GetIds() {
		c.identifier(fmt.Sprintf("%s.ids[%d]", p, i), id, true)
	}
	if r := pr.GetRole(); r != nil {
		c.code(p+".role", r)
	}
	c.text(p+".organization", pr.GetOrganization(), RuleLenLO, false)
	if a := pr.GetAddress(); a != nil {
		c.address(p+".address", a)
	}
	c.telecoms(p+".telecoms", pr.GetTelecoms())
}

func (c *checker) organization(p string, o *pb.Organization) {
	if strings.TrimSpace(o.GetName()) == "" {
		c.add(RuleRequired, p+".name", "is required")
	}
	c.text(p+".name", o.GetName(), RuleLenLO, false)
	if strings.TrimSpace(o.GetName()) != "" {
		c.srValue(p+".name", o.GetName(), true, true) // Institution Name
	}
	if len(o.GetIds()) == 0 && !c.opt.unknownIDs {
		c.add(RuleCustodianID, p+".ids", "at least one identifier is required (CONF:1198-5522)")
	}
	for i, id := range o.GetIds() {
		c.identifier(fmt.Sprintf("%s.ids[%d]", p, i), id, true)
	}
	if a := o.GetAddress(); a != nil {
		c.address(p+".address", a)
	}
	c.telecoms(p+".telecoms", o.GetTelecoms())
}

// identifier checks an id: an OID root, and an optional value written to
// DICOM as LO. needRoot: the assigning authority OID is required (it is
// the CDA id/@root).
func (c *checker) identifier(p string, id *pb.Identifier, needRoot bool) {
	if id == nil {
		return
	}
	if id.GetValue() == "" && id.GetAssigningAuthorityOid() == "" {
		c.add(RuleRequired, p, "needs a value or an assigning_authority_oid")
		return
	}
	c.lo(p+".value", id.GetValue())
	if o := id.GetAssigningAuthorityOid(); o != "" || needRoot {
		c.uid(p+".assigning_authority_oid", o, true)
	}
	c.lo(p+".assigning_authority_name", id.GetAssigningAuthorityName())
}

// name checks a person name: each part is text without the PN delimiters
// (^ = \) and each component group (alphabetic, ideographic, phonetic)
// fits DICOM PN (64 characters).
func (c *checker) name(p string, n *pb.PersonName, patient bool) {
	if strings.TrimSpace(n.GetFamily()) == "" {
		c.add(RuleRequired, p+".family", "is required")
	}
	if patient && len(n.GetGiven()) == 0 {
		c.add(RuleRequired, p+".given", "at least one given name is required for the patient (PTN.US.FIELDED)")
	}
	c.nameParts(p, n.GetFamily(), n.GetGiven(), n.GetPrefix(), n.GetSuffix())
	for _, g := range []struct {
		field string
		group *pb.PersonNameGroup
	}{{"ideographic", n.GetIdeographic()}, {"phonetic", n.GetPhonetic()}} {
		if g.group == nil {
			continue
		}
		gp := p + "." + g.field
		if strings.TrimSpace(g.group.GetFamily()) == "" {
			c.add(RuleConditional, gp+".family", "is required when the %s name is given", g.field)
		}
		if patient && len(g.group.GetGiven()) == 0 {
			c.add(RuleRequired, gp+".given", "at least one given name is required for the patient (PTN.US.FIELDED)")
		}
		c.nameParts(gp, g.group.GetFamily(), g.group.GetGiven(), g.group.GetPrefix(), g.group.GetSuffix())
	}
}

// nameParts checks the parts of one PN component group.
func (c *checker) nameParts(p, family string, given []string, prefix, suffix string) {
	c.tooMany(RuleMaxGivenNames, p+".given", len(given), " given names")
	parts := map[string]string{"family": family, "prefix": prefix, "suffix": suffix}
	for i, g := range given {
		parts[fmt.Sprintf("given[%d]", i)] = g
		if strings.TrimSpace(g) == "" {
			c.add(RuleRequired, fmt.Sprintf("%s.given[%d]", p, i), "must not be empty")
		}
	}
	total := 4 // the ^ delimiters between the five components
	for k, v := range parts {
		if strings.ContainsAny(v, `^=\`) {
			c.add(RuleDelimiter, p+"."+k, `must not contain ^, = or \ (DICOM PN delimiters)`)
		}
		if !printable(v) {
			c.add(RuleChars, p+"."+k, "must be printable text without control characters")
		}
		total += utf8.RuneCountInString(v)
	}
	if total > limit(RuleLenPN) {
		c.add(RuleLenPN, p, "the name is longer than %d characters as a DICOM PN component group", limit(RuleLenPN))
	}
}

func (c *checker) address(p string, a *pb.Address) {
	if n := len(a.GetStreet()); n < 1 || n > limit(RuleStreetLines) {
		c.add(RuleStreetLines, p+".street", "1 to %d street lines are required (AD.US.FIELDED)", limit(RuleStreetLines))
	}
	for i, s := range a.GetStreet() {
		c.text(fmt.Sprintf("%s.street[%d]", p, i), s, RuleLenTitle, false)
	}
	if strings.TrimSpace(a.GetCity()) == "" {
		c.add(RuleRequired, p+".city", "is required (AD.US.FIELDED)")
	}
	c.text(p+".city", a.GetCity(), RuleLenTitle, false)
	country := a.GetCountry()
	if country == "" || country == "US" {
		if a.GetState() == "" {
			c.add(RuleUSState, p+".state", "is required for a US address (CONF:81-10024)")
		}
		if a.GetPostalCode() == "" {
			c.add(RuleUSPostalCode, p+".postal_code", "is required for a US address (CONF:81-10025)")
		}
	}
	c.text(p+".state", a.GetState(), RuleLenLO, false)
	c.text(p+".postal_code", a.GetPostalCode(), RuleLenLO, false)
	if country != "" && !iso3166.MatchString(country) {
		c.add(RuleFormat, p+".country", "must be an ISO 3166-1 alpha-2 code such as US")
	}
}

var (
	iso3166    = regexp.MustCompile(`^[A-Z]{2}$`)
	telecomURI = regexp.MustCompile(`^(tel|mailto|fax|https?):[^\s]+$`)
	csValue    = regexp.MustCompile(`^[A-Z0-9_ ]+$`)
)

func (c *checker) telecoms(p string, ts []*pb.Telecom) {
	c.tooMany(RuleMaxTelecoms, p, len(ts), " contact points")
	for i, t := range ts {
		if v := t.GetValue(); len(v) > limit(RuleLenTitle) || !telecomURI.MatchString(v) || !isURI(v) {
			c.add(RuleFormat, fmt.Sprintf("%s[%d].value", p, i), "must be a tel:, mailto:, fax: or http(s): URI (RFC 3986) without spaces")
		}
		if u := t.GetUse(); u != "" && !isTelecomUse(u) {
			c.add(RuleTelecomUse, fmt.Sprintf("%s[%d].use", p, i), "must be HL7 telecom use codes (%s), separated by spaces", telecomUseList())
		}
	}
}

// telecomUses is HL7 V3 TelecommunicationAddressUse, the codes the CDA
// schema allows in TEL/@use (coreschemas/voc.xsd: AddressUse's telecom
// members, plus AS, EC, MC, PG).
var telecomUses = map[string]bool{
	"AS": true, "BAD": true, "DIR": true, "EC": true, "H": true, "HP": true,
	"HV": true, "MC": true, "PG": true, "PUB": true, "TMP": true, "WP": true,
}

// telecomUseList is the codes of telecomUses in order, for messages
// and the rule table: "AS, BAD, ... or WP".
func telecomUseList() string {
	codes := slices.Sorted(maps.Keys(telecomUses))
	return strings.Join(codes[:len(codes)-1], ", ") + " or " + codes[len(codes)-1]
}

// isTelecomUse says whether u is a set of telecom use codes, as TEL/@use
// (set_TelecommunicationAddressUse, an XML list) holds them, separated by
// spaces.
func isTelecomUse(u string) bool {
	codes := strings.Split(u, " ")
	codes = slices.DeleteFunc(codes, func(s string) bool { return s == "" })
	if len(codes) == 0 {
		return false
	}
	for _, c := range codes {
		if !telecomUses[c] {
			return false
		}
	}
	return true
}

// code checks a coded concept against both documents' limits.
func (c *checker) code(p string, cd *pb.Code) {
	switch v := cd.GetCode(); {
	case strings.TrimSpace(v) == "":
		c.add(RuleRequired, p+".code", "is required")
	case utf8.RuneCountInString(v) > limit(RuleLenCode):
		c.add(RuleLenCode, p+".code", "longer than %d characters", limit(RuleLenCode))
	case !printable(v) || strings.ContainsRune(v, '\\'):
		c.add(charsOrDelimiter(v), p+".code", `must be printable text without control characters or \`)
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		// The CDA code attribute is a CS: no white space (CDA XSD).
		c.add(RuleChars, p+".code", "must not contain white space")
	}
	sch := cd.GetScheme()
	if _, ok := pb.CodingScheme_name[int32(sch)]; !ok || sch == pb.CodingScheme_CODING_SCHEME_UNSPECIFIED {
		c.add(RuleRequired, p+".scheme", "is required: LOINC, SNOMED_CT, RADLEX, DCM, UCUM or LOCAL")
	}
	if strings.TrimSpace(cd.GetDisplayName()) == "" {
		c.add(RuleRequired, p+".display_name", "is required (DICOM Code Meaning is Type 1)")
	}
	c.lo(p+".display_name", cd.GetDisplayName())
	if sch == pb.CodingScheme_CODING_SCHEME_LOCAL {
		d := cd.GetLocalDesignator()
		switch {
		case d == "":
			c.add(RuleConditional, p+".local_designator", "is required for a LOCAL code")
		case len(d) > limit(RuleLenSH) || !printable(d) || strings.ContainsRune(d, '\\'):
			c.add(RuleLenSH, p+".local_designator", "must be at most %d printable characters (DICOM SH)", limit(RuleLenSH))
		}
		c.uid(p+".local_oid", cd.GetLocalOid(), true)
	} else if cd.GetLocalDesignator() != "" || cd.GetLocalOid() != "" {
		c.add(RuleConditional, p+".scheme", "local_designator and local_oid are only for LOCAL codes")
	}
}

// uid checks a UID/OID; it reports whether the value is valid.
func (c *checker) uid(p, v string, required bool) bool {
	if v == "" {
		if required {
			c.add(RuleRequired, p, "is required")
		}
		return false
	}
	if err := uid.Check(v); err != nil {
		c.add(RuleUID, p, "is not a valid UID/OID: %v", err)
		return false
	}
	return true
}

func (c *checker) time(p, v string, required bool) time.Time {
	if v == "" {
		if required {
			c.add(RuleRequired, p, "is required")
		}
		return time.Time{}
	}
	t, err := content.ParseTime(v)
	if err != nil {
		c.add(RuleTime, p, "%v", err)
		return time.Time{}
	}
	if t.Year() < 1900 {
		c.add(RuleTime, p, "is before 1900")
	}
	// RFC 3339 parses any offset below 24 h; real ones run from -12:00
	// to +14:00, and DICOM Timezone Offset From UTC allows no more.
	if _, off := t.Zone(); off < -12*3600 || off > 14*3600 {
		c.add(RuleTime, p, "has a UTC offset outside -12:00 to +14:00")
	}
	// Allow a day of clock skew between the caller and this server.
	if t.After(c.now.Add(24 * time.Hour)) {
		c.add(RuleTime, p, "lies in the future")
	}
	return t
}

// cs checks a DICOM code string such as a modality.
func (c *checker) cs(p, v string) {
	if len(v) > limit(RuleLenCS) || !csValue.MatchString(v) {
		c.add(RuleLenCS, p, "must be a DICOM code string: up to %d of A-Z, 0-9, space and _", limit(RuleLenCS))
	}
}

// lo checks a value written to DICOM as LO.
func (c *checker) lo(p, v string) {
	if utf8.RuneCountInString(v) > limit(RuleLenLO) {
		c.add(RuleLenLO, p, "longer than %d characters (DICOM LO)", limit(RuleLenLO))
	}
	if !printable(v) || strings.ContainsRune(v, '\\') {
		c.add(charsOrDelimiter(v), p, `must be printable text without control characters or \ (DICOM LO)`)
	}
}

// narrative checks a narrative text: the text rules within the server's
// text limit (in bytes, which bounds memory), and a note for the SR when
// it holds a TAB, which XML and so the CDA allow but DICOM text does not
// (PS3.5 6.1.3): the SR encoder writes each as a space.
func (c *checker) narrative(p, v string) {
	if len(v) > c.opt.textLimit() {
		c.add(RuleLenText, p, "is %d bytes; at most %d are allowed (the server's text limit)", len(v), c.opt.textLimit())
		return
	}
	c.text(p, v, RuleLenText, true)
	if n := strings.Count(v, "\t"); n > 0 {
		c.srNotes.Warnf(RuleSRTab, p, "%d TAB characters are written as spaces in the SR: DICOM text allows only CR, LF, FF and ESC as control characters; the CDA keeps them", n)
	}
}

// text checks free text: valid UTF-8, a length limit in characters, and no
// control characters except line breaks and tabs where multiline is true
// (the SR encoder writes a TAB as a space, see narrative).
func (c *checker) text(p, v string, rule string, multiline bool) {
	max := limit(rule)
	if rule == RuleLenText {
		max = c.opt.textLimit()
	}
	if !utf8.ValidString(v) {
		c.add(RuleChars, p, "is not valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(v); n > max {
		c.add(rule, p, "is %d characters; at most %d are allowed", n, max)
	}
	for _, r := range v {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\uFFFE' || r == '\uFFFF' {
			c.add(RuleChars, p, "contains a control character")
			return
		}
	}
}

// tooMany records a violation of a count limit when n exceeds it; what
// follows the number in the message, e.g. " images".
func (c *checker) tooMany(rule, field string, n int, what string) bool {
	if n <= limit(rule) {
		return false
	}
	c.add(rule, field, "more than %d%s", limit(rule), what)
	return true
}

// charsOrDelimiter is the rule a value that is not printable text
// without a backslash breaks: the characters rule when it is not
// printable, else the DICOM delimiter rule.
func charsOrDelimiter(v string) string {
	if !printable(v) {
		return RuleChars
	}
	return RuleDelimiter
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\uFFFE' || r == '\uFFFF' {
			return false
		}
	}
	return true
}
