package cda

import (
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
func (e *encoder) header() {
	d := e.doc
	e.empty("realmCode", "code", "US")
	e.empty("typeId", "root", oidTypeID, "extension", "POCD_HD000040")
	// Each versioned template id needs its un-versioned R1.1 twin: the
	// R2.1 schematron's errors phase requires both.
	e.templateID(tmplUSRealmHeader, tmplV3)
	e.templateID(tmplUSRealmHeader, "")
	e.templateID(tmplDIR, tmplV3)
	e.templateID(tmplDIR, "")
	e.id("document id", d.Identity.DocumentID, "")
	if d.DocumentCode.IsZero() {
		e.fail("document has no type code")
	}
	e.code("code", d.DocumentCode)
	if d.Title == "" {
		e.fail("document has no title")
	}
	e.textElement("title", d.Title)
	e.time("effectiveTime", "report time", d.ReportTime)
	e.empty("confidentialityCode", "code", "N", "codeSystem", oidConfidentiality,
		"codeSystemName", "HL7 Confidentiality", "displayName", "normal")
	if d.Language == "" {
		e.fail("document has no language")
	}
	e.empty("languageCode", "code", d.Language)
	// setId and versionNumber come as a pair or not at all.
	if d.Identity.SetID != "" {
		if d.Identity.Version < 1 {
			e.fail("document version must be at least 1 with a set id")
		}
		e.ii("setId", "document set id", d.Identity.SetID, "")
		e.versionNumber(d.Identity.Version)
	}
	e.recordTarget()
	e.author()
	e.custodian()
	e.informationRecipient()
	e.legalAuthenticator()
	e.referrer()
	e.inFulfillmentOf()
	e.documentationOf()
	e.relatedDocument()
}

func (e *encoder) versionNumber(v int) {
	e.w.start("versionNumber")
	e.w.attrInt("value", v)
	e.w.end()
}

func (e *encoder) recordTarget() {
	p := e.doc.Report.GetPatient()
	if p == nil {
		e.fail("report has no patient")
	}
	e.open("recordTarget")
	e.open("patientRole")
	e.ids("patient", p.GetIds(), true)
	e.addr("patient", p.GetAddress(), "HP")
	e.telecoms(p.GetTelecoms())
	e.open("patient")
	e.patientName(p.GetName())
	g, ok := genders[p.GetSex()]
	if !ok {
		g = undifferentiated
	}
	e.code("administrativeGenderCode", g)
	if e.doc.BirthDate != "" {
		e.empty("birthTime", "value", e.doc.BirthDate)
	} else {
		e.nullFlavor("birthTime", "UNK")
	}
	// The request has no race or ethnicity; the header requires both.
	e.nullFlavor("raceCode", "UNK")
	e.nullFlavor("ethnicGroupCode", "UNK")
	e.close() // patient
	e.close() // patientRole
	e.close() // recordTarget
}

func (e *encoder) author() {
	a := e.doc.Report.GetAuthor()
	if a == nil {
		e.fail("report has no author")
	}
	e.open("author")
	e.time("time", "report time", e.doc.ReportTime)
	e.open("assignedAuthor")
	e.radiologist("author", a)
	e.close()
	e.close()
}

// radiologist fills an assigned author or entity with the reporting
// radiologist: ids, role, address, contacts, name and organization.
func (e *encoder) radiologist(what string, p *pb.Practitioner) {
	e.participantIDs(what, p.GetIds())
	c := content.FromProto(p.GetRole())
	if c.IsZero() {
		c = radiologistRole
	}
	e.code("code", c)
	e.addr(what, p.GetAddress(), "WP")
	e.telecoms(p.GetTelecoms())
	e.open("assignedPerson")
	e.personName(what, p.GetName())
	e.close()
	e.organization("representedOrganization", p.GetOrganization())
}

func (e *encoder) organization(tag, name string) {
	if name != "" {
		e.open(tag)
		e.textElement("name", name)
		e.close()
	}
}

func (e *encoder) custodian() {
	c := e.doc.Report.GetCustodian()
	if c.GetName() == "" {
		e.fail("custodian needs a name")
	}
	e.open("custodian")
	e.open("assignedCustodian")
	e.open("representedCustodianOrganization")
	// The first identifier names the custodian (API contract).
	switch ids := c.GetIds(); {
	case len(ids) > 0:
		e.id("custodian identifier", ids[0].GetAssigningAuthorityOid(), ids[0].GetValue())
	case e.doc.Transformed():
		// An SR has no place for the custodian's identifier: it exists
		// but is not known, and the transform says so in a note.
		e.nullFlavor("id", "UNK")
	default:
		e.nullFlavor("id", "NI")
	}
	e.textElement("name", c.GetName())
	e.firstTelecom(c.GetTelecoms())
	e.addr("custodian", c.GetAddress(), "WP")
	e.close()
	e.close()
	e.close()
}

// informationRecipient names the referring physician as a recipient, as
// the DIR asks for the physician who ordered the study.
func (e *encoder) informationRecipient() {
	ref := e.doc.Report.GetReferringPhysician()
	if ref == nil {
		return
	}
	e.open("informationRecipient")
	e.open("intendedRecipient")
	if len(ref.GetIds()) > 0 {
		e.ids("referring physician", ref.GetIds(), false)
	}
	e.open("informationRecipient")
	e.personName("referring physician", ref.GetName())
	e.close()
	e.organization("receivedOrganization", ref.GetOrganization())
	e.close()
	e.close()
}

// legalAuthenticator is written only for signed reports: in CDA its
// presence is what makes a report final.
func (e *encoder) legalAuthenticator() {
	if !e.doc.Signed() {
		return
	}
	la := e.doc.Report.GetLegalAuthenticator()
	e.open("legalAuthenticator")
	e.time("time", "signature time", e.doc.SignatureTime)
	e.empty("signatureCode", "code", "S")
	e.open("assignedEntity")
	e.participantIDs("legal authenticator", la.GetIds())
	if c := content.FromProto(la.GetRole()); !c.IsZero() {
		e.code("code", c)
	}
	e.addr("legal authenticator", la.GetAddress(), "WP")
	e.telecoms(la.GetTelecoms())
	e.open("assignedPerson")
	e.personName("legal authenticator", la.GetName())
	e.close()
	e.organization("representedOrganization", la.GetOrganization())
	e.close()
	e.close()
}

func (e *encoder) referrer() {
	ref := e.doc.Report.GetReferringPhysician()
	if ref == nil {
		return
	}
	e.open("participant", "typeCode", "REF")
	e.open("associatedEntity", "classCode", "PROV")
	e.ids("referring physician", ref.GetIds(), false)
	if c := content.FromProto(ref.GetRole()); !c.IsZero() {
		e.code("code", c)
	}
	e.addr("referring physician", ref.GetAddress(), "WP")
	e.telecoms(ref.GetTelecoms())
	e.open("associatedPerson")
	e.personName("referring physician", ref.GetName())
	e.close()
	e.organization("scopingOrganization", ref.GetOrganization())
	e.close()
	e.close()
}

// inFulfillmentOf writes the order: the accession number under its
// issuer's OID (PS3.20 puts it in @extension, never in @root), then the
// placer and filler order numbers.
func (e *encoder) inFulfillmentOf() {
	st, o := e.doc.Report.GetStudy(), e.doc.Report.GetOrder()
	acc := st.GetAccessionNumber()
	placer, filler := o.GetPlacerOrderNumber().GetValue(), o.GetFillerOrderNumber().GetValue()
	if acc == "" && placer == "" && filler == "" {
		return
	}
	e.open("inFulfillmentOf")
	e.open("order")
	if acc != "" {
		e.id("accession number issuer", st.GetAccessionIssuerOid(), acc)
	}
	if placer != "" {
		e.id("placer order number issuer", o.GetPlacerOrderNumber().GetAssigningAuthorityOid(), placer)
	}
	if filler != "" {
		e.id("filler order number issuer", o.GetFillerOrderNumber().GetAssigningAuthorityOid(), filler)
	}
	e.close()
	e.close()
}

// documentationOf writes the imaging study as the service event, with the
// report author as the physician reading the study.
func (e *encoder) documentationOf() {
	st := e.doc.Report.GetStudy()
	e.open("documentationOf")
	e.open("serviceEvent", "classCode", "ACT")
	e.id("study instance UID", st.GetStudyInstanceUid(), "")
	e.openCode("code", content.FromProto(st.GetProcedureCode()))
	if desc := st.GetProcedureDescription(); desc != "" {
		e.textElement("originalText", desc)
	}
	e.close()
	e.open("effectiveTime")
	e.time("low", "study start time", e.doc.StudyTime)
	e.close()
	e.open("performer", "typeCode", "PRF")
	// Only the un-versioned id: the V2 id cannot pass the R2.1 schematron
	// (cda-dir.md §1.1).
	e.templateID(tmplReadingPhysician, "")
	e.open("assignedEntity")
	e.radiologist("author", e.doc.Report.GetAuthor())
	e.close()
	e.close() // performer
	e.close() // serviceEvent
	e.close() // documentationOf
}

// relatedDocument links the document to the one it comes from: the SR it
// is transformed from (XFRM, parentDocument/id the SR's SOP Instance UID;
// DICOM PS3.20, C-CDA CONF:1198-8433), or the report a correction (RPLC)
// or an addendum (APND) follows.
func (e *encoder) relatedDocument() {
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
		e.open("relatedDocument", "typeCode", "XFRM")
		e.open("parentDocument")
		e.id("source SR SOP Instance UID", e.doc.SourceSR, "")
		e.close()
		e.close()
		return
	}
	if typ == "" {
		return
	}
	pd := r.GetPredecessor()
	e.open("relatedDocument", "typeCode", typ)
	e.open("parentDocument")
	e.id("predecessor document id", pd.GetCdaDocumentId(), "")
	if typ == "RPLC" {
		// A replacement continues the predecessor's set: say which
		// version it replaces.
		set := pd.GetCdaSetId()
		if set == "" {
			set = pd.GetCdaDocumentId()
		}
		version := pd.GetCdaVersionNumber()
		if version < 1 {
			version = 1
		}
		e.ii("setId", "predecessor set id", set, "")
		e.versionNumber(int(version))
	}
	e.close()
	e.close()
}
