package cda

import (
	"strconv"
	"time"

	"github.com/beevik/etree"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Header template identifiers (C-CDA R2.1).
const (
	tmplUSRealmHeader    = "2.16.840.1.113883.10.20.22.1.1"
	tmplDIR              = "2.16.840.1.113883.10.20.22.1.5"
	tmplV3               = "2015-08-01"
	tmplReadingPhysician = "2.16.840.1.113883.10.20.6.2.1"
)

// Code systems of the header.
const (
	oidTypeID          = "2.16.840.1.113883.1.3"
	oidConfidentiality = "2.16.840.1.113883.5.25"
	oidGender          = "2.16.840.1.113883.5.1"
	oidNUCC            = "2.16.840.1.113883.6.101"
)

// radiologistRole is the role of the report author when the request names
// none: the API defines the author as the reporting radiologist, and the
// reading-physician performer must carry a role code.
var radiologistRole = content.Code{Value: "2085R0202X", Designator: "NUCC", OID: oidNUCC, Meaning: "Radiology, Diagnostic Radiology"}

var genders = map[pb.AdministrativeSex]content.Code{
	pb.AdministrativeSex_ADMINISTRATIVE_SEX_MALE:   {Value: "M", Designator: "AdministrativeGender", OID: oidGender, Meaning: "Male"},
	pb.AdministrativeSex_ADMINISTRATIVE_SEX_FEMALE: {Value: "F", Designator: "AdministrativeGender", OID: oidGender, Meaning: "Female"},
}

// undifferentiated stands for other and unknown sex alike: HL7
// AdministrativeGender has no "other".
var undifferentiated = content.Code{Value: "UN", Designator: "AdministrativeGender", OID: oidGender, Meaning: "Undifferentiated"}

// header writes the US Realm Header and the DIR header, in the element
// order of the CDA schema.
func (e *encoder) header(cd *etree.Element) {
	d := e.doc
	child(cd, "realmCode", "code", "US")
	child(cd, "typeId", "root", oidTypeID, "extension", "POCD_HD000040")
	// Each versioned template id needs its un-versioned R1.1 twin: the
	// R2.1 schematron's errors phase requires both.
	templateID(cd, tmplUSRealmHeader, tmplV3)
	templateID(cd, tmplUSRealmHeader, "")
	templateID(cd, tmplDIR, tmplV3)
	templateID(cd, tmplDIR, "")
	e.id(cd, "document id", d.Identity.DocumentID, "")
	if d.DocumentCode.IsZero() {
		e.fail("document has no type code")
	}
	e.code(cd, "code", d.DocumentCode)
	if d.Title == "" {
		e.fail("document has no title")
	}
	textChild(cd, "title", d.Title)
	e.time(cd, "effectiveTime", "report time", d.ReportTime)
	child(cd, "confidentialityCode", "code", "N", "codeSystem", oidConfidentiality,
		"codeSystemName", "HL7 Confidentiality", "displayName", "normal")
	if d.Language == "" {
		e.fail("document has no language")
	}
	child(cd, "languageCode", "code", d.Language)
	// setId and versionNumber come as a pair or not at all.
	if d.Identity.SetID != "" {
		if d.Identity.Version < 1 {
			e.fail("document version must be at least 1 with a set id")
		}
		e.ii(cd, "setId", "document set id", d.Identity.SetID, "")
		child(cd, "versionNumber", "value", strconv.Itoa(d.Identity.Version))
	}
	e.recordTarget(cd)
	e.author(cd)
	e.custodian(cd)
	e.informationRecipient(cd)
	e.legalAuthenticator(cd)
	e.referrer(cd)
	e.inFulfillmentOf(cd)
	e.documentationOf(cd)
	e.relatedDocument(cd)
}

// time appends a TS element, refusing the zero time, which would otherwise
// be written as year 1.
func (e *encoder) time(parent *etree.Element, tag, what string, t time.Time) {
	if t.IsZero() {
		e.fail("%s is missing", what)
	}
	child(parent, tag, "value", ts(t))
}

func (e *encoder) recordTarget(cd *etree.Element) {
	p := e.doc.Report.GetPatient()
	if p == nil {
		e.fail("report has no patient")
	}
	role := child(child(cd, "recordTarget"), "patientRole")
	e.ids(role, "patient", p.GetIds(), true)
	e.addr(role, "patient", p.GetAddress(), "HP")
	telecoms(role, p.GetTelecoms())
	pt := child(role, "patient")
	e.patientName(pt, p.GetName())
	g, ok := genders[p.GetSex()]
	if !ok {
		g = undifferentiated
	}
	e.code(pt, "administrativeGenderCode", g)
	if e.doc.BirthDate != "" {
		child(pt, "birthTime", "value", e.doc.BirthDate)
	} else {
		nullFlavor(pt, "birthTime", "UNK")
	}
	// The request has no race or ethnicity; the header requires both.
	nullFlavor(pt, "raceCode", "UNK")
	nullFlavor(pt, "ethnicGroupCode", "UNK")
}

func (e *encoder) author(cd *etree.Element) {
	a := e.doc.Report.GetAuthor()
	if a == nil {
		e.fail("report has no author")
	}
	au := child(cd, "author")
	e.time(au, "time", "report time", e.doc.ReportTime)
	aa := child(au, "assignedAuthor")
	e.radiologist(aa, "author", a)
}

// radiologist fills an assigned author or entity with the reporting
// radiologist: ids, role, address, contacts, name and organization.
func (e *encoder) radiologist(role *etree.Element, what string, p *pb.Practitioner) {
	e.participantIDs(role, what, p.GetIds())
	c := content.FromProto(p.GetRole())
	if c.IsZero() {
		c = radiologistRole
	}
	e.code(role, "code", c)
	e.addr(role, what, p.GetAddress(), "WP")
	telecoms(role, p.GetTelecoms())
	e.personName(child(role, "assignedPerson"), what, p.GetName())
	organization(role, "representedOrganization", p.GetOrganization())
}

func organization(parent *etree.Element, tag, name string) {
	if name != "" {
		textChild(child(parent, tag), "name", name)
	}
}

func (e *encoder) custodian(cd *etree.Element) {
	c := e.doc.Report.GetCustodian()
	if c.GetName() == "" {
		e.fail("custodian needs a name")
	}
	org := child(child(child(cd, "custodian"), "assignedCustodian"), "representedCustodianOrganization")
	// The first identifier names the custodian (API contract).
	switch ids := c.GetIds(); {
	case len(ids) > 0:
		e.id(org, "custodian identifier", ids[0].GetAssigningAuthorityOid(), ids[0].GetValue())
	case e.doc.Transformed():
		// An SR has no place for the custodian's identifier: it exists
		// but is not known, and the transform says so in a note.
		nullFlavor(org, "id", "UNK")
	default:
		nullFlavor(org, "id", "NI")
	}
	textChild(org, "name", c.GetName())
	firstTelecom(org, c.GetTelecoms())
	e.addr(org, "custodian", c.GetAddress(), "WP")
}

// informationRecipient names the referring physician as a recipient, as
// the DIR asks for the physician who ordered the study.
func (e *encoder) informationRecipient(cd *etree.Element) {
	ref := e.doc.Report.GetReferringPhysician()
	if ref == nil {
		return
	}
	ir := child(child(cd, "informationRecipient"), "intendedRecipient")
	if len(ref.GetIds()) > 0 {
		e.ids(ir, "referring physician", ref.GetIds(), false)
	}
	e.personName(child(ir, "informationRecipient"), "referring physician", ref.GetName())
	organization(ir, "receivedOrganization", ref.GetOrganization())
}

// legalAuthenticator is written only for signed reports: in CDA its
// presence is what makes a report final.
func (e *encoder) legalAuthenticator(cd *etree.Element) {
	if !e.doc.Signed() {
		return
	}
	la := e.doc.Report.GetLegalAuthenticator()
	el := child(cd, "legalAuthenticator")
	e.time(el, "time", "signature time", e.doc.SignatureTime)
	child(el, "signatureCode", "code", "S")
	ae := child(el, "assignedEntity")
	e.participantIDs(ae, "legal authenticator", la.GetIds())
	if c := content.FromProto(la.GetRole()); !c.IsZero() {
		e.code(ae, "code", c)
	}
	e.addr(ae, "legal authenticator", la.GetAddress(), "WP")
	telecoms(ae, la.GetTelecoms())
	e.personName(child(ae, "assignedPerson"), "legal authenticator", la.GetName())
	organization(ae, "representedOrganization", la.GetOrganization())
}

func (e *encoder) referrer(cd *etree.Element) {
	ref := e.doc.Report.GetReferringPhysician()
	if ref == nil {
		return
	}
	ae := child(child(cd, "participant", "typeCode", "REF"), "associatedEntity", "classCode", "PROV")
	e.ids(ae, "referring physician", ref.GetIds(), false)
	if c := content.FromProto(ref.GetRole()); !c.IsZero() {
		e.code(ae, "code", c)
	}
	e.addr(ae, "referring physician", ref.GetAddress(), "WP")
	telecoms(ae, ref.GetTelecoms())
	e.personName(child(ae, "associatedPerson"), "referring physician", ref.GetName())
	organization(ae, "scopingOrganization", ref.GetOrganization())
}

// inFulfillmentOf writes the order: the accession number under its
// issuer's OID (PS3.20 puts it in @extension, never in @root), then the
// placer and filler order numbers.
func (e *encoder) inFulfillmentOf(cd *etree.Element) {
	st, o := e.doc.Report.GetStudy(), e.doc.Report.GetOrder()
	acc := st.GetAccessionNumber()
	placer, filler := o.GetPlacerOrderNumber().GetValue(), o.GetFillerOrderNumber().GetValue()
	if acc == "" && placer == "" && filler == "" {
		return
	}
	ord := child(child(cd, "inFulfillmentOf"), "order")
	if acc != "" {
		e.id(ord, "accession number issuer", st.GetAccessionIssuerOid(), acc)
	}
	if placer != "" {
		e.id(ord, "placer order number issuer", o.GetPlacerOrderNumber().GetAssigningAuthorityOid(), placer)
	}
	if filler != "" {
		e.id(ord, "filler order number issuer", o.GetFillerOrderNumber().GetAssigningAuthorityOid(), filler)
	}
}

// documentationOf writes the imaging study as the service event, with the
// report author as the physician reading the study.
func (e *encoder) documentationOf(cd *etree.Element) {
	st := e.doc.Report.GetStudy()
	se := child(child(cd, "documentationOf"), "serviceEvent", "classCode", "ACT")
	e.id(se, "study instance UID", st.GetStudyInstanceUid(), "")
	pc := e.code(se, "code", content.FromProto(st.GetProcedureCode()))
	if desc := st.GetProcedureDescription(); desc != "" {
		textChild(pc, "originalText", desc)
	}
	e.time(child(se, "effectiveTime"), "low", "study start time", e.doc.StudyTime)
	perf := child(se, "performer", "typeCode", "PRF")
	// Only the un-versioned id: the V2 id cannot pass the R2.1 schematron
	// (cda-dir.md §1.1).
	templateID(perf, tmplReadingPhysician, "")
	e.radiologist(child(perf, "assignedEntity"), "author", e.doc.Report.GetAuthor())
}

// relatedDocument links the document to the one it comes from: the SR it
// is transformed from (XFRM, parentDocument/id the SR's SOP Instance UID;
// DICOM PS3.20, C-CDA CONF:1198-8433), or the report a correction (RPLC)
// or an addendum (APND) follows.
func (e *encoder) relatedDocument(cd *etree.Element) {
	r := e.doc.Report
	var typ string
	switch r.GetStatus() {
	case pb.ReportStatus_REPORT_STATUS_CORRECTED:
		typ = "RPLC"
	case pb.ReportStatus_REPORT_STATUS_ADDENDUM:
		typ = "APND"
	}
	if e.doc.Transformed() {
		// The DIR allows one relatedDocument (CONF:1198-8432), so a
		// transformed correction or addendum cannot name both its source
		// SR and its predecessor. Which link to keep is the transform's
		// decision, made with a note to its caller; the encoder does not
		// drop one silently.
		if typ != "" {
			e.fail("a document transformed from an SR cannot also link its predecessor (%s): the DIR allows one relatedDocument", typ)
			return
		}
		par := child(child(cd, "relatedDocument", "typeCode", "XFRM"), "parentDocument")
		e.id(par, "source SR SOP Instance UID", e.doc.SourceSR, "")
		return
	}
	if typ == "" {
		return
	}
	pd := r.GetPredecessor()
	par := child(child(cd, "relatedDocument", "typeCode", typ), "parentDocument")
	e.id(par, "predecessor document id", pd.GetCdaDocumentId(), "")
	if typ != "RPLC" {
		return
	}
	// A replacement continues the predecessor's set: say which version it
	// replaces.
	set := pd.GetCdaSetId()
	if set == "" {
		set = pd.GetCdaDocumentId()
	}
	version := pd.GetCdaVersionNumber()
	if version < 1 {
		version = 1
	}
	e.ii(par, "setId", "predecessor set id", set, "")
	child(par, "versionNumber", "value", strconv.Itoa(int(version)))
}
