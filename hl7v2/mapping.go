package hl7v2

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/uid"
)

// Mapped is an ORU^R01 read into a GenerateReportRequest.
type Mapped struct {
	// Request is the request to render. For a CORRECTED or ADDENDUM report
	// its predecessor is left for the caller, who knows the reports made
	// before (see OrderKey).
	Request *pb.GenerateReportRequest
	// Warnings are what the mapping passed over (segments and values not
	// carried into the documents) with where and why.
	Warnings Errors
	// Key identifies the message for duplicate detection.
	Key Key
	// OrderKey identifies the imaging order the report belongs to
	// (accession number, else filler, else placer order number, with its
	// authority), so that a later correction or addendum finds the report
	// it follows; "" when the message names none.
	OrderKey string
	// TextLocation is where the report text starts (the first text OBX).
	TextLocation Location

	prov []provenance
}

// provenance records which HL7 value a request field came from.
type provenance struct {
	field string
	loc   Location
}

// Locate returns the HL7 location a request field (as engine violations
// name it, e.g. "report.patient.ids[0].assigning_authority_oid") came
// from: the longest recorded field path that is the field or a parent of
// it. A field the mapping filled from no value (a default) gives the OBR
// segment.
func (mp *Mapped) Locate(field string) Location {
	best, bestLen := Location{Segment: "OBR"}, -1
	for _, p := range mp.prov {
		if len(p.field) <= bestLen {
			continue
		}
		if field == p.field || strings.HasPrefix(field, p.field) && (field[len(p.field)] == '.' || field[len(p.field)] == '[') {
			best, bestLen = p.loc, len(p.field)
		}
	}
	return best
}

// mapper carries the state of one mapping.
type mapper struct {
	opt  MapOptions
	m    *Message
	o    *oru
	errs Errors
	mp   *Mapped
	// zone is the zone of times without an offset (MSH-7's, else the
	// configured one); nil when neither is known.
	zone *time.Location
}

func (x *mapper) fail(loc Location, code Code, rule, format string, args ...any) {
	x.errs = append(x.errs, errorf(loc, code, rule, format, args...))
}

func (x *mapper) warn(loc Location, rule, format string, args ...any) {
	x.errs = append(x.errs, warnf(loc, rule, format, args...))
}

func (x *mapper) from(field string, loc Location) {
	x.mp.prov = append(x.mp.prov, provenance{field, loc})
}

// MapORU reads a parsed ORU^R01 (v2.3 to v2.5.1) into a request. The
// returned problems hold every error and warning; with an error the
// Mapped is nil.
//
// Where each field comes from:
//
//	MSH-10        request_id; with MSH-3 and MSH-4, the key and uid_namespace
//	MSH-4         custodian (its ISO OID), unless MapOptions.Custodian is set
//	MSH-7         report time when OBR-22 is empty; the zone of times without offset
//	MSH-19        language (ISO 639 code)
//	PID-3         patient ids (CX-1 with the OID of CX-4)
//	PID-5         patient name (the legal name, XPN-7 L, else the first; repetitions with XPN-8 I or P its ideographic and phonetic groups)
//	PID-7, PID-8  birth date, administrative sex
//	PID-11        address, when complete; PID-13, PID-14 telecoms
//	PV1-8         referring physician
//	ORC-2/3       placer/filler order number when OBR-2/3 are empty
//	OBR-2, OBR-3  placer and filler order numbers with their authorities
//	IPC-1, OBR-18, OBR-3  accession number (the first present) and its issuer
//	OBR-4         procedure code (LOINC, SNOMED CT, RadLex, DCM or a configured local system) and description
//	OBR-7         study start time (the observation time)
//	OBR-16, ORC-12  ordering physician
//	OBR-22        report time and signature time
//	OBR-24, IPC-5 modality (when a DICOM modality)
//	OBR-25        status: P, F, C, A → PRELIMINARY, FINAL, CORRECTED, ADDENDUM
//	OBR-31        reason for study (text)
//	OBR-32        author and, for a signed report, legal authenticator
//	OBX 113014^DICOM Study^DCM, ZDS-1, IPC-3  study instance UID
//	OBX TX/FT/ST  the report text (see readText)
func MapORU(m *Message, opt MapOptions) (*Mapped, Errors) {
	x := &mapper{opt: opt, m: m, mp: &Mapped{Key: KeyOf(m)}}
	x.errs = append(x.errs, checkHeader(m)...)
	if x.errs.HasErrors() {
		return nil, x.errs
	}
	o, serrs := structure(m)
	x.errs = append(x.errs, serrs...)
	if x.errs.HasErrors() {
		return nil, x.errs
	}
	x.o = o
	x.zone = opt.TimeZone
	if ts, problem := parseTS(o.msh.Field(7).Component(1).Text()); problem == "" && ts.HasOffset {
		x.zone = ts.Time.Location()
	}
	req := &pb.GenerateReportRequest{Report: &pb.Report{}}
	x.mp.Request = req
	h := o.msh
	req.RequestId = h.Field(10).Text()
	x.from("request_id", h.Field(10).Location())
	if utf8.RuneCountInString(req.RequestId) > 128 {
		// The API bounds request ids at 128; the control id still keys
		// duplicates in full.
		req.RequestId = ""
	}
	req.UidNamespace = "hl7v2/" + x.mp.Key.ID()
	r := req.Report
	x.status(r)
	x.language(r)
	x.patient(r)
	x.study(r)
	x.order(r)
	x.people(r)
	x.custodian(r)
	x.readText(r)
	if x.errs.HasErrors() {
		return nil, x.errs
	}
	x.mp.Warnings = x.errs
	return x.mp, x.errs
}

// statuses maps OBR-25 to the report status.
var statuses = map[string]pb.ReportStatus{
	"P": pb.ReportStatus_REPORT_STATUS_PRELIMINARY,
	"F": pb.ReportStatus_REPORT_STATUS_FINAL,
	"C": pb.ReportStatus_REPORT_STATUS_CORRECTED,
	"A": pb.ReportStatus_REPORT_STATUS_ADDENDUM,
}

func (x *mapper) status(r *pb.Report) {
	v := x.o.obr.Field(25)
	x.from("report.status", v.Location())
	x.from("report.predecessor", v.Location())
	switch s, ok := statuses[v.Text()]; {
	case v.IsEmpty():
		x.fail(v.Location(), CodeRequiredField, "required", "the result status is required (P, F, C or A)")
	case !ok:
		x.fail(v.Location(), CodeTableValue, "result-status", "the result status must be P (preliminary), F (final), C (corrected) or A (addendum)")
	default:
		r.Status = s
	}
	// The report is written when its status last changed (OBR-22), else
	// when the message was sent; a signed report is signed then.
	t := x.o.obr.Field(22)
	if t.IsEmpty() {
		t = x.o.msh.Field(7)
	}
	r.ReportTime = x.time(t, true)
	x.from("report.report_time", t.Location())
	if r.Status != pb.ReportStatus_REPORT_STATUS_PRELIMINARY {
		r.SignatureTime = r.ReportTime
		x.from("report.signature_time", t.Location())
	}
}

func (x *mapper) language(r *pb.Report) {
	v := x.o.msh.Field(19)
	if l := strings.ToLower(v.Component(1).Text()); l != "" {
		if len(l) >= 2 && len(l) <= 3 && strings.Trim(l, "abcdefghijklmnopqrstuvwxyz") == "" {
			r.Language = l
			x.from("report.language", v.Location())
		} else {
			x.warn(v.Location(), "language", "not an ISO 639 language code; the report is marked en-US")
		}
	}
}

// time reads a TS value as an RFC 3339 time, to the minute at least.
func (x *mapper) time(v Value, required bool) string {
	if v.IsEmpty() {
		if required {
			x.fail(v.Location(), CodeRequiredField, "required", "a date and time is required")
		}
		return ""
	}
	ts, problem := parseTS(v.Component(1).Text())
	switch {
	case problem != "":
		x.fail(v.Location(), CodeDataType, "timestamp", "%s", problem)
		return ""
	case ts.Digits < 12:
		x.fail(v.Location(), CodeDataType, "timestamp", "needs the time to the minute (YYYYMMDDHHMM at least)")
		return ""
	}
	t := ts.Time
	if !ts.HasOffset {
		if x.zone == nil {
			x.fail(v.Location(), CodeDataType, "timezone", "has no UTC offset, MSH-7 has none either and no time zone is configured for this sender")
			return ""
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), x.zone)
	}
	return t.Format(time.RFC3339Nano)
}

// oid resolves the OID of an assigning authority: its ISO universal id
// (or a universal id of no stated type that is an OID), else a configured
// or well-known namespace, else — only when the authority is entirely
// empty — def. A namespace that is set but not known never falls back to
// def: labelling another issuer's identifier with the default OID would
// be worse than leaving it out.
func (x *mapper) oid(h HD, def string) string {
	if o := h.OID(); o != "" && uid.Valid(o) {
		return o
	}
	if h.UniversalIDType == "" && uid.Valid(h.UniversalID) {
		return h.UniversalID
	}
	if h.Namespace != "" {
		if o, ok := x.opt.Authorities[h.Namespace]; ok {
			return o
		}
		if o, ok := wellKnownAuthorities[h.Namespace]; ok {
			return o
		}
		return ""
	}
	if h.UniversalID == "" {
		return def
	}
	return ""
}

func (x *mapper) patient(r *pb.Report) {
	pid := x.o.pid
	p := &pb.Patient{}
	r.Patient = p
	ids := pid.Field(3)
	if ids.IsEmpty() {
		x.fail(ids.Location(), CodeRequiredField, "required", "at least one patient identifier is required")
	}
	var skipped []Location
	for _, rep := range ids.Repetitions() {
		value := rep.Component(1).Text()
		if value == "" {
			continue
		}
		a := rep.Component(4)
		h := hdFrom(a.Sub(1), a.Sub(2), a.Sub(3))
		oid := x.oid(h, x.opt.PatientIDAuthority)
		if oid == "" {
			skipped = append(skipped, rep.Location())
			continue
		}
		x.from(fmt.Sprintf("report.patient.ids[%d]", len(p.Ids)), rep.Location())
		p.Ids = append(p.Ids, &pb.Identifier{Value: value, AssigningAuthorityOid: oid, AssigningAuthorityName: h.Namespace})
		if len(p.Ids) == 16 {
			break
		}
	}
	if len(p.Ids) == 0 && !ids.IsEmpty() {
		x.fail(ids.Location(), CodeUnknownKey, "assigning-authority",
			"no patient identifier has an assigning authority with an ISO OID (CX-4.2, CX-4.3 ISO) or a configured namespace")
	} else {
		for _, loc := range skipped {
			x.warn(loc, "assigning-authority", "identifier not carried: its assigning authority (CX-4) has no ISO OID and its namespace is not configured")
		}
	}
	x.from("report.patient.ids", ids.Location())

	// The alphabetic name: the legal one (XPN-7 L) if any, else the first.
	// Repetitions in ideographic or phonetic characters (XPN-8 I, P: HL7
	// table 4000), as Japanese, Chinese and Korean sites send them, are
	// the name's other component groups.
	var name Person
	var groups = map[string]Value{}
	chosen := pid.Field(5)
	first := true
	for _, rep := range pid.Field(5).Repetitions() {
		n, typ := xpnFrom(rep)
		switch rep.Component(8).Text() {
		case "I", "P":
			if _, dup := groups[rep.Component(8).Text()]; !dup {
				groups[rep.Component(8).Text()] = rep
			}
			continue
		}
		if first || typ == "L" && chosen.Component(7).Text() != "L" {
			name, chosen, first = n, rep, false
		}
	}
	x.from("report.patient.name", chosen.Location())
	p.Name = personName(name)
	for code, rep := range groups {
		n, _ := xpnFrom(rep)
		pn := personName(n)
		g := &pb.PersonNameGroup{Family: pn.GetFamily(), Given: pn.GetGiven(), Prefix: pn.GetPrefix(), Suffix: pn.GetSuffix()}
		if code == "I" {
			p.Name.Ideographic = g
			x.from("report.patient.name.ideographic", rep.Location())
		} else {
			p.Name.Phonetic = g
			x.from("report.patient.name.phonetic", rep.Location())
		}
	}

	if bd := pid.Field(7); !bd.IsEmpty() {
		x.from("report.patient.birth_date", bd.Location())
		ts, problem := parseTS(bd.Component(1).Text())
		if problem != "" {
			x.fail(bd.Location(), CodeDataType, "timestamp", "%s", problem)
		} else {
			// The date as given: a partial date stays partial.
			switch {
			case ts.Digits >= 8:
				p.BirthDate = ts.Time.Format("2006-01-02")
			case ts.Digits == 6:
				p.BirthDate = ts.Time.Format("2006-01")
			default:
				p.BirthDate = ts.Time.Format("2006")
			}
		}
	}
	sex := pid.Field(8)
	switch sex.Text() {
	case "M":
		p.Sex = pb.AdministrativeSex_ADMINISTRATIVE_SEX_MALE
	case "F":
		p.Sex = pb.AdministrativeSex_ADMINISTRATIVE_SEX_FEMALE
	case "O", "A":
		p.Sex = pb.AdministrativeSex_ADMINISTRATIVE_SEX_OTHER
	case "", "U", "N":
	default:
		x.warn(sex.Location(), "table-value", "administrative sex not in HL7 table 0001; written as unknown")
	}
	x.from("report.patient.sex", sex.Location())
	x.address(pid.Field(11), func(a *pb.Address) { p.Address = a }, "report.patient.address")
	x.telecoms(pid.Field(13), "HP", &p.Telecoms, "report.patient.telecoms")
	x.telecoms(pid.Field(14), "WP", &p.Telecoms, "report.patient.telecoms")
}

func personName(n Person) *pb.PersonName {
	out := &pb.PersonName{Family: n.Family, Prefix: n.Prefix, Suffix: n.Suffix}
	for _, g := range []string{n.Given, n.Middle} {
		out.Given = append(out.Given, strings.Fields(g)...)
	}
	return out
}

// address reads the first (home, if typed) XAD when it is complete enough
// for the documents: street and city, and state and postal code for a US
// address. An incomplete one is passed over with a warning.
func (x *mapper) address(f Value, set func(*pb.Address), field string) {
	reps := f.Repetitions()
	if len(reps) == 0 {
		return
	}
	v := reps[0]
	for _, r := range reps {
		if r.Component(7).Text() == "H" {
			v = r
			break
		}
	}
	a := &pb.Address{City: v.Component(3).Text(), State: v.Component(4).Text(), PostalCode: v.Component(5).Text()}
	for _, s := range []string{v.Component(1).Sub(1).Text(), v.Component(2).Text()} {
		if s != "" {
			a.Street = append(a.Street, s)
		}
	}
	switch c := strings.ToUpper(v.Component(6).Text()); {
	case c == "" || c == "US" || c == "USA":
		if c != "" {
			a.Country = "US"
		}
	case len(c) == 2:
		a.Country = c
	default:
		x.warn(v.Component(6).Location(), "address", "country is not an ISO 3166 two-letter code; the address is not carried")
		return
	}
	us := a.Country == "" || a.Country == "US"
	if len(a.Street) == 0 || a.City == "" || us && (a.State == "" || a.PostalCode == "") {
		x.warn(v.Location(), "address", "address not carried: the documents need street and city, and state and postal code for a US address")
		return
	}
	x.from(field, v.Location())
	set(a)
}

// telecomUses maps XTN-2 to HL7 v3 telecom use codes.
var telecomUses = map[string]string{"PRN": "HP", "ORN": "HP", "VHN": "HV", "WPN": "WP", "EMR": "EC", "ASN": "AS"}

// telecoms reads each XTN as a tel:, fax: or mailto: URI.
func (x *mapper) telecoms(f Value, defUse string, dst *[]*pb.Telecom, field string) {
	for _, v := range f.Repetitions() {
		if len(*dst) >= 8 {
			return
		}
		use := defUse
		if u, ok := telecomUses[v.Component(2).Text()]; ok {
			use = u
		}
		uri := ""
		equip := strings.ToUpper(v.Component(3).Text())
		if mail := v.Component(4).Text(); mail != "" || equip == "INTERNET" || v.Component(2).Text() == "NET" {
			if mail == "" {
				mail = v.Component(1).Text()
			}
			if mail != "" && !strings.ContainsAny(mail, " \t") && strings.Contains(mail, "@") {
				uri = "mailto:" + mail
			}
		} else {
			num := ""
			if area, local := v.Component(6).Text(), v.Component(7).Text(); local != "" {
				num = area + local
				if cc := v.Component(5).Text(); cc != "" {
					num = "+" + cc + area + local
				}
			} else {
				num = v.Component(1).Text()
				if k := strings.IndexAny(num, "Xx"); k >= 0 { // v2.3 extension marker
					num = num[:k]
				}
			}
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' || r == '+' {
					return r
				}
				return -1
			}, num)
			if len(strings.Trim(digits, "+")) >= 3 {
				scheme := "tel:"
				if equip == "FX" {
					scheme = "fax:"
				}
				uri = scheme + digits
			}
		}
		if uri == "" {
			if !v.IsEmpty() {
				x.warn(v.Location(), "telecom", "contact point not carried: neither a phone number nor an e-mail address")
			}
			continue
		}
		x.from(fmt.Sprintf("%s[%d]", field, len(*dst)), v.Location())
		*dst = append(*dst, &pb.Telecom{Value: uri, Use: use})
	}
}

// dicomModalities are the OBR-24 (diagnostic service section, HL7 table
// 0074) values that name a DICOM modality, with the modality.
var dicomModalities = map[string]string{
	"CT": "CT", "MR": "MR", "NMR": "MR", "US": "US", "NM": "NM", "PT": "PT", "MG": "MG",
	"DX": "DX", "CR": "CR", "XA": "XA", "RF": "RF",
}

func (x *mapper) study(r *pb.Report) {
	obr := x.o.obr
	s := &pb.ImagingStudy{}
	r.Study = s
	s.StartTime = x.time(obr.Field(7), true)
	x.from("report.study.start_time", obr.Field(7).Location())

	// Study Instance UID: an OBX 113014^DICOM Study^DCM (IHE RAD-128) or
	// named "Study Instance UID" (RAD-28), else ZDS-1, else IPC-3.
	type source struct {
		uid string
		loc Location
	}
	var found []source
	for _, obx := range x.o.obx {
		if isStudyUID(obx) {
			found = append(found, source{obx.Field(5).Text(), obx.Field(5).Location()})
		}
	}
	if x.o.zds != nil && !x.o.zds.Field(1).IsEmpty() {
		found = append(found, source{x.o.zds.Field(1).Text(), x.o.zds.Field(1).Location()})
	}
	if x.o.ipc != nil && !x.o.ipc.Field(3).IsEmpty() {
		found = append(found, source{x.o.ipc.Field(3).Text(), x.o.ipc.Field(3).Location()})
	}
	switch {
	case len(found) == 0:
		x.fail(obr.Location(), CodeRequiredField, "study-instance-uid",
			"the Study Instance UID is required: send it in an OBX with OBX-3 113014^DICOM Study^DCM, in ZDS-1 or in IPC-3 (the SR is stored in that study)")
	default:
		s.StudyInstanceUid = strings.TrimSpace(found[0].uid)
		x.from("report.study.study_instance_uid", found[0].loc)
		for _, f := range found[1:] {
			if strings.TrimSpace(f.uid) != s.StudyInstanceUid {
				x.fail(f.loc, CodeDataType, "study-instance-uid", "names a different Study Instance UID than %s", found[0].loc)
			}
		}
	}

	// Accession number: IPC-1, else OBR-18 (IHE scheduled workflow), else
	// the filler order number.
	acc, accLoc, h := "", Location{}, HD{}
	switch {
	case x.o.ipc != nil && !x.o.ipc.Field(1).IsEmpty():
		v := x.o.ipc.Field(1)
		acc, accLoc, h = v.Component(1).Text(), v.Location(), hdFrom(v.Component(2), v.Component(3), v.Component(4))
	case !obr.Field(18).IsEmpty():
		acc, accLoc = obr.Field(18).Text(), obr.Field(18).Location()
		if v := x.orderNumber(3); v.Component(1).Text() == acc {
			// The filler order number is the accession number: its
			// authority is the accession's issuer.
			h = hdFrom(v.Component(2), v.Component(3), v.Component(4))
		}
	default:
		v := x.orderNumber(3)
		acc, accLoc, h = v.Component(1).Text(), v.Location(), hdFrom(v.Component(2), v.Component(3), v.Component(4))
	}
	if acc != "" {
		s.AccessionNumber = acc
		x.from("report.study.accession_number", accLoc)
		x.from("report.study.accession_issuer_oid", accLoc)
		s.AccessionIssuerOid = x.oid(h, x.opt.FillerAuthority)
		if s.AccessionIssuerOid == "" {
			x.fail(accLoc, CodeUnknownKey, "assigning-authority",
				"the accession number needs its issuer: an ISO OID in the identifier, a configured namespace or a configured filler authority")
		}
		x.mp.OrderKey = "accession|" + s.AccessionIssuerOid + "|" + acc
	}

	proc := obr.Field(4)
	ce := ceFrom(proc)
	if d := ce.Text; d != "" {
		if utf8.RuneCountInString(d) <= 64 {
			s.ProcedureDescription = d
			x.from("report.study.procedure_description", proc.Component(2).Location())
		} else {
			x.warn(proc.Component(2).Location(), "procedure", "procedure text longer than 64 characters; not carried as the description")
		}
	}
	if c := x.code(ce.Code, ce.Text, ce.System); c != nil {
		s.ProcedureCode = c
		x.from("report.study.procedure_code", proc.Location())
	} else if c := x.code(ce.AltCode, ce.AltText, ce.AltSystem); c != nil {
		s.ProcedureCode = c
		x.from("report.study.procedure_code", proc.Component(4).Location())
	} else if ce.Code != "" {
		x.warn(proc.Location(), "coding-system", "the procedure's coding system is not LOINC, SNOMED CT, RadLex, DCM or a configured local system; only its text is carried")
	}

	mod := map[string]bool{}
	if x.o.ipc != nil {
		if m := strings.ToUpper(x.o.ipc.Field(5).Component(1).Text()); m != "" {
			s.Modalities = append(s.Modalities, m)
			mod[m] = true
			x.from("report.study.modalities", x.o.ipc.Field(5).Location())
		}
	}
	if m, ok := dicomModalities[strings.ToUpper(obr.Field(24).Text())]; ok && !mod[m] {
		s.Modalities = append(s.Modalities, m)
		x.from("report.study.modalities", obr.Field(24).Location())
	}

	var reasons []string
	for _, rep := range obr.Field(31).Repetitions() {
		if t := rep.Component(2).Text(); t != "" {
			reasons = append(reasons, t)
		} else if t := rep.Component(1).Text(); t != "" {
			reasons = append(reasons, t)
		}
	}
	if len(reasons) > 0 {
		s.ReasonText = strings.Join(reasons, "; ")
		x.from("report.study.reason_text", obr.Field(31).Location())
	}
}

// isStudyUID reports whether an OBX carries the Study Instance UID.
func isStudyUID(obx *Segment) bool {
	id := obx.Field(3)
	code, text := id.Component(1).Text(), strings.ToLower(id.Component(2).Text())
	return code == "113014" || text == "study instance uid" || text == "dicom study"
}

// schemesBySystem maps HL7 coding system ids (table 0396) to the API's
// schemes.
var schemesBySystem = map[string]pb.CodingScheme{
	"LN": pb.CodingScheme_CODING_SCHEME_LOINC, "LOINC": pb.CodingScheme_CODING_SCHEME_LOINC,
	"SCT": pb.CodingScheme_CODING_SCHEME_SNOMED_CT, "SNOMED CT": pb.CodingScheme_CODING_SCHEME_SNOMED_CT, "SNOMEDCT": pb.CodingScheme_CODING_SCHEME_SNOMED_CT,
	"RADLEX": pb.CodingScheme_CODING_SCHEME_RADLEX, "RID": pb.CodingScheme_CODING_SCHEME_RADLEX,
	"DCM": pb.CodingScheme_CODING_SCHEME_DCM,
}

// code returns a code of a known or configured coding system, else nil.
func (x *mapper) code(value, text, system string) *pb.Code {
	if value == "" || text == "" {
		return nil
	}
	if s, ok := schemesBySystem[strings.ToUpper(system)]; ok {
		return &pb.Code{Code: value, Scheme: s, DisplayName: text}
	}
	if oid, ok := x.opt.CodingSystems[system]; ok {
		return &pb.Code{Code: value, Scheme: pb.CodingScheme_CODING_SCHEME_LOCAL, DisplayName: text, LocalDesignator: system, LocalOid: oid}
	}
	return nil
}

// orderNumber returns OBR-2 or OBR-3 (n), or ORC-2/3 when it is empty.
func (x *mapper) orderNumber(n int) Value {
	v := x.o.obr.Field(n)
	if v.IsEmpty() && x.o.orc != nil {
		v = x.o.orc.Field(n)
	}
	return v
}

func (x *mapper) order(r *pb.Report) {
	ord := &pb.Order{}
	for _, n := range []int{2, 3} {
		v := x.orderNumber(n)
		value := v.Component(1).Text()
		if value == "" {
			continue
		}
		def := x.opt.PlacerAuthority
		if n == 3 {
			def = x.opt.FillerAuthority
		}
		h := hdFrom(v.Component(2), v.Component(3), v.Component(4))
		id := &pb.Identifier{Value: value, AssigningAuthorityOid: x.oid(h, def), AssigningAuthorityName: h.Namespace}
		if n == 2 {
			ord.PlacerOrderNumber = id
			x.from("report.order.placer_order_number", v.Location())
		} else {
			ord.FillerOrderNumber = id
			x.from("report.order.filler_order_number", v.Location())
		}
		if x.mp.OrderKey == "" {
			x.mp.OrderKey = fmt.Sprintf("order%d|%s|%s|%s", n, id.AssigningAuthorityOid, h.Namespace, value)
		}
	}
	op := x.o.obr.Field(16)
	if op.IsEmpty() && x.o.orc != nil {
		op = x.o.orc.Field(12)
	}
	if !op.IsEmpty() {
		ord.OrderingPhysician = x.practitioner(xcnFrom(op.Repetitions()[0]), op.Location(), false, "report.order.ordering_physician")
	}
	if ord.PlacerOrderNumber != nil || ord.FillerOrderNumber != nil || ord.OrderingPhysician != nil {
		r.Order = ord
	}
}

// practitioner turns a person into a practitioner. needID: the API needs
// an identifier with an OID (author, legal authenticator); otherwise an
// identifier without a known authority is left out with a warning.
func (x *mapper) practitioner(p Person, loc Location, needID bool, field string) *pb.Practitioner {
	pr := &pb.Practitioner{Name: personName(p)}
	x.from(field, loc)
	if p.ID != "" {
		if oid := x.oid(p.Authority, ""); oid != "" {
			pr.Ids = []*pb.Identifier{{Value: p.ID, AssigningAuthorityOid: oid, AssigningAuthorityName: p.Authority.Namespace}}
		} else if needID {
			x.fail(loc, CodeUnknownKey, "assigning-authority",
				"the person's identifier needs its assigning authority: an ISO OID or a configured namespace (for example NPI)")
		} else {
			x.warn(loc, "assigning-authority", "the person's identifier is not carried: its assigning authority has no ISO OID and its namespace is not configured")
		}
	} else if needID {
		x.fail(loc, CodeRequiredField, "person-id", "the person needs an identifier (for example the NPI) with its assigning authority")
	}
	return pr
}

func (x *mapper) people(r *pb.Report) {
	if x.o.pv1 != nil {
		if f := x.o.pv1.Field(8); !f.IsEmpty() {
			r.ReferringPhysician = x.practitioner(xcnFrom(f.Repetitions()[0]), f.Location(), false, "report.referring_physician")
		}
	}
	f := x.o.obr.Field(32)
	if f.IsEmpty() {
		x.fail(f.Location(), CodeRequiredField, "required",
			"the principal result interpreter is required: the report's author and, once signed, its legal authenticator")
		return
	}
	rep := f.Repetitions()[0]
	var p Person
	if first := rep.Component(1); !strings.ContainsRune(first.Raw(), rune(x.m.Delims.Subcomponent)) && looksLikeName(rep.Component(2).Text()) {
		// Many senders write OBR-32 as an XCN (id ^ family ^ given)
		// instead of NDL (CNN as subcomponents ^ start ^ end ...).
		p = xcnFrom(rep)
	} else {
		p = xcnFrom(rep.Component(1))
	}
	r.Author = x.practitioner(p, f.Location(), true, "report.author")
	if r.Status != pb.ReportStatus_REPORT_STATUS_PRELIMINARY && r.Status != pb.ReportStatus_REPORT_STATUS_UNSPECIFIED {
		r.LegalAuthenticator = r.Author
		x.from("report.legal_authenticator", f.Location())
	}
}

// looksLikeName tells a family name in OBR-32.2 from an NDL start time.
func looksLikeName(s string) bool {
	if s == "" {
		return false
	}
	_, problem := parseTS(s)
	return problem != ""
}

func (x *mapper) custodian(r *pb.Report) {
	loc := x.o.msh.Field(4).Location()
	x.from("report.custodian", loc)
	if c := x.opt.Custodian; c != nil {
		r.Custodian = &pb.Organization{Name: c.GetName(), Ids: c.GetIds()}
		return
	}
	v := x.o.msh.Field(4)
	h := hdFrom(v.Component(1), v.Component(2), v.Component(3))
	oid := x.oid(h, "")
	if oid == "" {
		x.fail(loc, CodeRequiredField, "custodian",
			"the institution that keeps the report is unknown: MSH-4 has no ISO OID (HD-2, HD-3 ISO) or configured namespace, and no custodian is configured")
		return
	}
	name := h.Namespace
	if name == "" {
		name = oid
	}
	r.Custodian = &pb.Organization{Name: name, Ids: []*pb.Identifier{{AssigningAuthorityOid: oid}}}
}
