package sr

import (
	"strconv"
	"strings"
	"time"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// charset notes how string values are encoded. Only the character sets
// that need no code extensions are read: the default repertoire, Latin-1
// and UTF-8; others would need ISO 2022 decoding to give the right text.
func (r *reader) charset() {
	e := r.ds.get(tag.SpecificCharacterSet)
	var vals []string
	if e != nil {
		vals = e.strings()
	}
	switch {
	case len(vals) == 0 || (len(vals) == 1 && (vals[0] == "ISO_IR 6" || vals[0] == CharsetUTF8)):
	case len(vals) == 1 && vals[0] == "ISO_IR 100":
		r.latin1 = true
	default:
		r.model.Errorf(RuleNotRepresentable, tagPath(tag.SpecificCharacterSet), "the reader takes text in the default repertoire, ISO_IR 100 or ISO_IR 192, not in this Specific Character Set")
	}
}

// textOf returns a string value as text: padding removed (for text VRs
// trailing spaces only), Latin-1 decoded where the SR says so.
func (r *reader) textOf(e *element) string {
	if e == nil || e.isSeq || !stringVR(e.vr) {
		return ""
	}
	if !r.latin1 {
		s := e.text()
		if !textVR(e.vr) {
			s = strings.TrimLeft(s, " ")
		}
		return s
	}
	b := trimRight(e.value, " \x00")
	if !textVR(e.vr) {
		b = trimLeft(b, " ")
	}
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}

// str returns the first value of string element t of ds as text.
func (r *reader) str(ds *dataset, t tag.Tag) string {
	s := r.textOf(ds.get(t))
	if e := ds.get(t); e != nil && !textVR(e.vr) {
		s, _, _ = strings.Cut(s, "\\")
		s = strings.TrimSpace(s)
	}
	return s
}

// timeZone sets the zone of the SR's dates and times: Timezone Offset
// From UTC, else the option, else UTC with a warning, since a CDA time
// without the right offset would misdate the report.
func (r *reader) timeZone() {
	if s := r.ds.str(tag.TimezoneOffsetFromUTC); s != "" {
		if loc, ok := parseOffset(s); ok {
			r.loc = loc
			return
		}
		r.model.Warnf(RuleDefaulted, tagPath(tag.TimezoneOffsetFromUTC), "Timezone Offset From UTC is not of the form +hhmm or -hhmm")
	}
	if r.opt.DefaultTimeZone != nil {
		r.loc = r.opt.DefaultTimeZone
		r.model.Add(issue.Info, RuleDefaulted, tagPath(tag.TimezoneOffsetFromUTC), "the SR has no Timezone Offset From UTC; its times are read in ReadOptions.DefaultTimeZone")
		return
	}
	r.loc = time.UTC
	r.model.Warnf(RuleDefaulted, tagPath(tag.TimezoneOffsetFromUTC), "the SR has no Timezone Offset From UTC and ReadOptions.DefaultTimeZone is not set; its times are read as UTC")
}

// parseOffset reads "+hhmm" or "-hhmm" within -12:00 to +14:00.
func parseOffset(s string) (*time.Location, bool) {
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return nil, false
	}
	if !digits(s[1:]) {
		return nil, false
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	if m > 59 {
		return nil, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	if off < -12*3600 || off > 14*3600 {
		return nil, false
	}
	return time.FixedZone("", off), true
}

// dateTime combines a DA and a TM value in the SR's zone; ok is false
// when the date is absent or malformed (the validator reports malformed
// values, SR-VR-03).
func (r *reader) dateTime(da, tm string) (time.Time, bool) {
	d, err := time.Parse("20060102", strings.TrimSpace(da))
	if err != nil {
		return time.Time{}, false
	}
	h, m, sec, ns, ok := parseTM(strings.TrimSpace(tm))
	if !ok {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, sec, ns, r.loc), true
}

// parseTM reads TM: HH[MM[SS[.F{1,6}]]]; an empty value is midnight.
func parseTM(s string) (h, m, sec, ns int, ok bool) {
	s, frac, _ := strings.Cut(s, ".")
	if len(s)%2 == 1 || len(s) > 6 || len(frac) > 6 || !digits(s) || !digits(frac) {
		return 0, 0, 0, 0, false
	}
	parts := [3]int{}
	for i := 0; i < len(s); i += 2 {
		parts[i/2], _ = strconv.Atoi(s[i : i+2])
	}
	if frac != "" {
		ns, _ = strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
	}
	if parts[0] > 23 || parts[1] > 59 || parts[2] > 59 {
		return 0, 0, 0, 0, false
	}
	return parts[0], parts[1], parts[2], ns, true
}

// parseDT reads DT: YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX], missing parts
// taken as their start; without an offset the SR's zone applies.
func (r *reader) parseDT(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	loc := r.loc
	if i := strings.LastIndexAny(s, "+-"); i >= 4 {
		l, ok := parseOffset(s[i:])
		if !ok {
			return time.Time{}, false
		}
		s, loc = s[:i], l
	}
	date, tm := s, ""
	if len(s) > 8 {
		date, tm = s[:8], s[8:]
	}
	switch len(date) {
	case 4:
		date += "0101"
	case 6:
		date += "01"
	}
	d, err := time.Parse("20060102", date)
	if err != nil {
		return time.Time{}, false
	}
	h, m, sec, ns, ok := parseTM(tm)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, sec, ns, loc), true
}

// digits reports whether s holds only ASCII digits.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func rfc3339(t time.Time) string { return t.Format(time.RFC3339Nano) }

// personName splits a PN value (PS3.5 §6.2.1) into the model's parts:
// family^given^middle^prefix^suffix, the middle names becoming further
// given names as the encoder writes them, for the alphabetic group and
// for the ideographic and phonetic groups after "=". A value whose parts
// are all white space (any white space: PN may hold a no-break or an
// ideographic space) is no name, as an empty one is, so that every
// caller reports a missing name at the SR rather than passing on a name
// without parts.
func (r *reader) personName(e *element, what string) *pb.PersonName {
	s := r.textOf(e)
	groups := strings.SplitN(s, "=", 3)
	a := pnComponents(groups[0])
	n := &pb.PersonName{Family: a.Family, Given: a.Given, Prefix: a.Prefix, Suffix: a.Suffix}
	for i, g := range groups[1:] {
		c := pnComponents(g)
		if c.GroupBlank() {
			continue
		}
		pg := &pb.PersonNameGroup{Family: c.Family, Given: c.Given, Prefix: c.Prefix, Suffix: c.Suffix}
		if i == 0 {
			n.Ideographic = pg
		} else {
			n.Phonetic = pg
		}
	}
	switch {
	case !a.GroupBlank():
	case n.Ideographic == nil && n.Phonetic == nil:
		return nil
	default:
		r.model.Warnf(RuleNotCarried, e.loc(), "%s has no alphabetic name, only other representations; the model needs the alphabetic name first", what)
	}
	return n
}

// pnComponents splits one component group, trimmed part by part.
func pnComponents(g string) content.PersonName {
	c := strings.SplitN(g, "^", 5)
	for len(c) < 5 {
		c = append(c, "")
	}
	p := content.PersonName{Family: strings.TrimSpace(c[0]), Prefix: strings.TrimSpace(c[3]), Suffix: strings.TrimSpace(c[4])}
	if g := strings.TrimSpace(c[1]); g != "" {
		p.Given = append(p.Given, g)
	}
	p.Given = append(p.Given, strings.Fields(c[2])...)
	return p
}

// header reads the modules into the report: status, times, patient,
// study, order, people, custodian.
func (r *reader) header(rep *pb.Report, x content.Context) {
	rep.Language = x.Language
	if t, ok := r.dateTime(r.ds.str(tag.ContentDate), r.ds.str(tag.ContentTime)); ok {
		rep.ReportTime = rfc3339(t)
	}
	r.document(rep, x)
	r.status(rep)
	rep.Patient = r.patient()
	rep.Study = r.study(rep, x)
	rep.Order = r.order()
	r.people(rep, x)
	if ref := r.personName(r.ds.get(tag.ReferringPhysicianName), "Referring Physician's Name"); ref != nil {
		if ref.GetFamily() == "" {
			r.model.Warnf(RuleNotCarried, tagPath(tag.ReferringPhysicianName), "Referring Physician's Name has no family name, which the CDA needs; it is not carried")
		} else {
			rep.ReferringPhysician = &pb.Practitioner{Name: ref}
		}
	}
	rep.Custodian = r.custodian()
}

// document sets the document type and title from the root concept
// (TID2000Root) and TID 1210. A CDA document type is a LOINC code; a DCM
// title becomes (18748-4, LN) as PS3.20 maps it, its meaning the title.
func (r *reader) document(rep *pb.Report, x content.Context) {
	c := x.Concept
	rep.Title = x.Title
	if rep.Title == "" {
		rep.Title = c.GetDisplayName()
	}
	switch {
	case c == nil:
	case c.GetScheme() == pb.CodingScheme_CODING_SCHEME_LOINC:
		rep.DocumentCode = c
	default:
		rep.DocumentCode = &pb.Code{Code: content.DocDiagnosticImaging.Value, Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "Diagnostic Imaging Report"}
		r.model.Add(issue.Info, RuleDefaulted, tagPath(tag.ConceptNameCodeSequence), "the document title is not a LOINC code; the CDA document type is (18748-4, LN, \"Diagnostic Imaging Report\") as PS3.20 maps it")
	}
}

// status reads the lifecycle from the flags and Predecessor Documents
// (tid2000.md §7): VERIFIED is signed, with predecessors a correction or,
// when it has an Addendum section, an addendum.
func (r *reader) status(rep *pb.Report) {
	preds := r.ds.seq(tag.PredecessorDocumentsSequence)
	if r.ds.str(tag.VerificationFlag) != "VERIFIED" {
		rep.Status = pb.ReportStatus_REPORT_STATUS_PRELIMINARY
		if r.ds.str(tag.CompletionFlag) == "PARTIAL" {
			r.model.Warnf(RuleNotCarried, tagPath(tag.CompletionFlag), "the SR is PARTIAL; the model has no partial status and reads it as preliminary")
		}
		if len(preds) > 0 {
			r.model.Add(issue.Info, RuleNotCarried, tagPath(tag.PredecessorDocumentsSequence), "the predecessors of an unverified report are not carried: the model links only signed corrections and addenda")
		}
		return
	}
	rep.Status = pb.ReportStatus_REPORT_STATUS_FINAL
	if r.ds.str(tag.PreliminaryFlag) == "PRELIMINARY" {
		r.model.Warnf(RuleNotCarried, tagPath(tag.PreliminaryFlag), "the SR is VERIFIED but its Preliminary Flag says PRELIMINARY; it is read as signed")
	}
	if len(preds) == 0 {
		return
	}
	rep.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
	for _, it := range r.ds.seq(tag.ContentSequence) {
		if it.str(tag.RelationshipType) == "CONTAINS" && headingKinds[conceptOf(it)] == pb.SectionKind_SECTION_KIND_ADDENDUM {
			rep.Status = pb.ReportStatus_REPORT_STATUS_ADDENDUM
		}
	}
	p := &pb.PredecessorDocument{SrStudyInstanceUid: preds[0].str(tag.StudyInstanceUID)}
	if series := preds[0].seq(tag.ReferencedSeriesSequence); len(series) > 0 {
		p.SrSeriesInstanceUid = series[0].str(tag.SeriesInstanceUID)
		if sops := series[0].seq(tag.ReferencedSOPSequence); len(sops) > 0 {
			p.SrSopClassUid, p.SrSopInstanceUid = sops[0].str(tag.ReferencedSOPClassUID), sops[0].str(tag.ReferencedSOPInstanceUID)
		}
	}
	rep.Predecessor = p
	refs := 0
	for _, st := range preds {
		for _, se := range st.seq(tag.ReferencedSeriesSequence) {
			refs += len(se.seq(tag.ReferencedSOPSequence))
		}
	}
	if refs > 1 {
		r.model.Warnf(RuleNotCarried, tagPath(tag.PredecessorDocumentsSequence), "only the first predecessor document is carried: the model links one")
	}
	r.model.Add(issue.Info, RuleNotCarried, tagPath(tag.PredecessorDocumentsSequence), "an SR does not know its predecessor's CDA document id; the predecessor is identified by its SR UIDs only")
}

// issuerOID returns the ISO Universal Entity ID of the first item of an
// HL7 v2 HD-style issuer sequence, "" when there is none.
func issuerOID(ds *dataset, t tag.Tag) string {
	items := ds.seq(t)
	if len(items) == 0 {
		return ""
	}
	oid := items[0].str(tag.UniversalEntityID)
	if typ := items[0].str(tag.UniversalEntityIDType); (typ != "" && typ != issuerTypeISO) || checkUID(oid) != nil {
		return ""
	}
	return oid
}

// patient reads the Patient Module (PS3.20 §8.1 mapping).
func (r *reader) patient() *pb.Patient {
	p := &pb.Patient{Name: r.personName(r.ds.get(tag.PatientName), "Patient's Name")}
	if p.Name == nil {
		r.model.Errorf(RuleMissing, tagPath(tag.PatientName), "Patient's Name is empty; the CDA record target needs the patient's name")
	}
	id := r.str(r.ds, tag.PatientID)
	if id == "" {
		r.model.Errorf(RuleMissing, tagPath(tag.PatientID), "Patient ID is empty; the CDA record target needs an identifier")
	} else {
		ident := &pb.Identifier{Value: id, AssigningAuthorityName: r.str(r.ds, tag.IssuerOfPatientID)}
		ident.AssigningAuthorityOid = issuerOID(r.ds, tag.IssuerOfPatientIDQualifiersSequence)
		if ident.AssigningAuthorityOid == "" {
			if r.opt.DefaultIssuerOID != "" {
				ident.AssigningAuthorityOid = r.opt.DefaultIssuerOID
				r.model.Add(issue.Info, RuleDefaulted, tagPath(tag.IssuerOfPatientIDQualifiersSequence), "the Patient ID has no issuer OID; ReadOptions.DefaultIssuerOID is used")
			} else {
				r.model.Errorf(RuleMissing, tagPath(tag.IssuerOfPatientIDQualifiersSequence), "the Patient ID has no issuer OID (Issuer of Patient ID Qualifiers Sequence, ISO) and ReadOptions.DefaultIssuerOID is not set; the CDA patient id needs it as root")
			}
		}
		p.Ids = []*pb.Identifier{ident}
	}
	if bd := r.ds.str(tag.PatientBirthDate); bd != "" {
		if t, err := time.Parse("20060102", bd); err == nil {
			p.BirthDate = t.Format(time.DateOnly)
		}
	}
	switch r.ds.str(tag.PatientSex) {
	case "M":
		p.Sex = pb.AdministrativeSex_ADMINISTRATIVE_SEX_MALE
	case "F":
		p.Sex = pb.AdministrativeSex_ADMINISTRATIVE_SEX_FEMALE
	case "O":
		p.Sex = pb.AdministrativeSex_ADMINISTRATIVE_SEX_OTHER
	}
	return p
}

// study reads General Study and the procedure (TID2000Procedure, else the
// Procedure Code Sequence, else the Performed Procedure Code Sequence).
func (r *reader) study(rep *pb.Report, x content.Context) *pb.ImagingStudy {
	s := &pb.ImagingStudy{
		StudyInstanceUid:     r.ds.str(tag.StudyInstanceUID),
		ProcedureDescription: r.str(r.ds, tag.StudyDescription),
		Modalities:           x.Modalities,
		ProcedureCode:        x.Procedure,
	}
	if t, ok := r.dateTime(r.ds.str(tag.StudyDate), r.ds.str(tag.StudyTime)); ok {
		s.StartTime = rfc3339(t)
	} else if rep.ReportTime != "" {
		s.StartTime = rep.ReportTime
		r.model.Warnf(RuleDefaulted, tagPath(tag.StudyDate), "the SR has no Study Date; the study start time is taken to be the report time")
	}
	for _, t := range []tag.Tag{tag.ProcedureCodeSequence, tag.PerformedProcedureCodeSequence} {
		if items := r.ds.seq(t); s.ProcedureCode == nil && len(items) > 0 {
			s.ProcedureCode = r.code(items[0], "the procedure code")
		}
	}
	if acc := r.str(r.ds, tag.AccessionNumber); acc != "" {
		s.AccessionNumber = acc
		s.AccessionIssuerOid = issuerOID(r.ds, tag.IssuerOfAccessionNumberSequence)
		if reqs := r.ds.seq(tag.ReferencedRequestSequence); s.AccessionIssuerOid == "" && len(reqs) > 0 && r.str(reqs[0], tag.AccessionNumber) == acc {
			s.AccessionIssuerOid = issuerOID(reqs[0], tag.IssuerOfAccessionNumberSequence)
		}
		if s.AccessionIssuerOid == "" {
			if r.opt.DefaultAccessionIssuerOID != "" {
				s.AccessionIssuerOid = r.opt.DefaultAccessionIssuerOID
				r.model.Add(issue.Info, RuleDefaulted, tagPath(tag.IssuerOfAccessionNumberSequence), "the Accession Number has no issuer OID; ReadOptions.DefaultAccessionIssuerOID is used")
			} else {
				r.model.Errorf(RuleMissing, tagPath(tag.IssuerOfAccessionNumberSequence), "the Accession Number has no issuer OID (Issuer of Accession Number Sequence, ISO) and ReadOptions.DefaultAccessionIssuerOID is not set; the CDA order id needs it as root")
			}
		}
	}
	return s
}

// order reads the placer and filler order numbers of the first Referenced
// Request; a number without its issuer's OID cannot become a CDA id.
func (r *reader) order() *pb.Order {
	reqs := r.ds.seq(tag.ReferencedRequestSequence)
	if len(reqs) == 0 {
		return nil
	}
	if len(reqs) > 1 {
		r.model.Warnf(RuleNotCarried, tagPath(tag.ReferencedRequestSequence), "only the first Referenced Request is carried: the model has one order")
	}
	q := reqs[0]
	var o *pb.Order
	number := func(value, issuerSeq tag.Tag, what string) *pb.Identifier {
		v := r.str(q, value)
		if v == "" {
			return nil
		}
		oid := issuerOID(q, issuerSeq)
		if oid == "" {
			r.model.Warnf(RuleNotCarried, q.at(value), "the %s order number has no issuer OID, which its CDA id needs; it is not carried", what)
			return nil
		}
		if o == nil {
			o = &pb.Order{}
		}
		return &pb.Identifier{Value: v, AssigningAuthorityOid: oid}
	}
	placer := number(tag.PlacerOrderNumberImagingServiceRequest, tag.OrderPlacerIdentifierSequence, "placer")
	filler := number(tag.FillerOrderNumberImagingServiceRequest, tag.OrderFillerIdentifierSequence, "filler")
	if o != nil {
		o.PlacerOrderNumber, o.FillerOrderNumber = placer, filler
	}
	return o
}

// people reads the author and the legal authenticator. The author is the
// root's person observer (TID 1002/1003), else the Author Observer
// Sequence, else the verifying observer (TID 1001's defaults); the legal
// authenticator of a VERIFIED report is its Verifying Observer.
func (r *reader) people(rep *pb.Report, x content.Context) {
	author := x.Author
	var authorItem *dataset
	for _, it := range r.ds.seq(tag.AuthorObserverSequence) {
		if it.str(tag.ObserverType) == "PSN" {
			authorItem = it
			break
		}
	}
	switch {
	case author != nil && authorItem != nil && sameName(author.GetName(), r.personName(authorItem.get(tag.PersonName), "Author Observer")):
		author.Ids = r.identifiers(authorItem, tag.PersonIdentificationCodeSequence)
	case author == nil && authorItem != nil:
		author = &pb.Practitioner{
			Name:         r.personName(authorItem.get(tag.PersonName), "Author Observer"),
			Organization: r.str(authorItem, tag.InstitutionName),
			Ids:          r.identifiers(authorItem, tag.PersonIdentificationCodeSequence),
		}
	}
	vos := r.ds.seq(tag.VerifyingObserverSequence)
	if rep.Status != pb.ReportStatus_REPORT_STATUS_PRELIMINARY && len(vos) > 0 {
		v := vos[0]
		la := &pb.Practitioner{
			Name:         r.personName(v.get(tag.VerifyingObserverName), "Verifying Observer Name"),
			Organization: r.str(v, tag.VerifyingOrganization),
			Ids:          r.identifiers(v, tag.VerifyingObserverIdentificationCodeSequence),
		}
		if la.Name == nil {
			// Verifying Observer Name is Type 1: one of only white space
			// passes as present, but names nobody to sign the CDA.
			r.model.Errorf(RuleMissing, v.at(tag.VerifyingObserverName), "Verifying Observer Name has no name in it; the CDA legal authenticator needs the name of who signed")
		}
		rep.LegalAuthenticator = la
		if t, ok := r.parseDT(v.str(tag.VerificationDateTime)); ok {
			rep.SignatureTime = rfc3339(t)
		}
		if len(vos) > 1 {
			r.model.Warnf(RuleNotCarried, tagPath(tag.VerifyingObserverSequence), "only the first verifying observer is carried: the CDA has one legal authenticator")
		}
		if author == nil {
			author = &pb.Practitioner{Name: la.GetName(), Organization: la.GetOrganization(), Ids: la.GetIds()}
			r.model.Add(issue.Info, RuleDefaulted, tagPath(tag.VerifyingObserverSequence), "the SR names no author; the verifying observer is the author, as TID 1001 defaults")
		}
	}
	if author == nil || author.GetName() == nil {
		r.model.Errorf(RuleMissing, tagPath(tag.ContentSequence), "the SR names no author: no person observer at the root (TID 1002), Author Observer Sequence or Verifying Observer")
		return
	}
	rep.Author = author
}

func sameName(a, b *pb.PersonName) bool {
	return a.GetFamily() == b.GetFamily() && strings.Join(a.GetGiven(), " ") == strings.Join(b.GetGiven(), " ")
}

// identifiers reads a person's coded identifiers (Person Identification
// Code Sequence, Verifying Observer Identification Code Sequence): the
// code value is the identifier, the OID of its coding scheme the
// assigning authority. Codes of schemes without a known OID cannot become
// CDA ids and are left out with a note.
func (r *reader) identifiers(ds *dataset, t tag.Tag) []*pb.Identifier {
	var out []*pb.Identifier
	for _, it := range ds.seq(t) {
		v := it.str(tag.CodeValue)
		if v == "" {
			v = it.str(tag.LongCodeValue)
		}
		d := it.str(tag.CodingSchemeDesignator)
		oid := r.schemes[d]
		if oid == "" {
			oid = localSchemeOID(d)
		}
		if v == "" || oid == "" {
			r.model.Add(issue.Info, RuleNotCarried, it.at(tag.CodingSchemeDesignator), "a person identifier whose coding scheme has no known OID is not carried")
			continue
		}
		out = append(out, &pb.Identifier{Value: v, AssigningAuthorityOid: oid})
	}
	return out
}

// custodian names the organisation that keeps the report: the SR's
// institution, else the Custodial Organization, else ReadOptions; its
// identifiers, address and contacts only ReadOptions can give.
func (r *reader) custodian() *pb.Organization {
	c := &pb.Organization{Name: r.str(r.ds, tag.InstitutionName)}
	if c.Name == "" {
		if items := r.ds.seq(tag.CustodialOrganizationSequence); len(items) > 0 {
			c.Name = r.str(items[0], tag.InstitutionName)
		}
	}
	o := r.opt.Custodian
	if c.Name == "" && o.GetName() != "" {
		c.Name = o.GetName()
		r.model.Add(issue.Info, RuleDefaulted, tagPath(tag.InstitutionName), "the SR names no institution; the custodian's name comes from ReadOptions.Custodian")
	}
	if c.Name == "" {
		r.model.Errorf(RuleMissing, tagPath(tag.InstitutionName), "the SR names no institution (Institution Name, Custodial Organization Sequence) and ReadOptions.Custodian has no name; the CDA custodian needs one")
	}
	if len(o.GetIds()) > 0 {
		c.Ids, c.Address, c.Telecoms = o.GetIds(), o.GetAddress(), o.GetTelecoms()
		r.model.Add(issue.Info, RuleDefaulted, tagPath(tag.InstitutionName), "the custodian's identifiers come from ReadOptions.Custodian")
	} else if items := r.ds.seq(tag.CustodialOrganizationSequence); len(items) > 0 {
		c.Ids = r.identifiers(items[0], tag.InstitutionCodeSequence)
	}
	if len(c.Ids) == 0 {
		r.model.Warnf(RuleDefaulted, tagPath(tag.InstitutionName), "an SR has no identifier of its custodian and ReadOptions.Custodian gives none")
	}
	return c
}
