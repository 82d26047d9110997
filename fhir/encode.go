package fhir

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	drpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/diagnostic_report_go_proto"
	epb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/endpoint_go_proto"
	ispb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/imaging_study_go_proto"
	opb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/observation_go_proto"
	orgpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/organization_go_proto"
	ppb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/patient_go_proto"
	prpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/practitioner_go_proto"
	srpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/service_request_go_proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/dicomdict"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/wado"
)

// MediaType is the media type of the Bundle.
const MediaType = "application/fhir+json"

// Options tune Encode.
type Options struct {
	// HTML is the report page (package html): the DiagnosticReport's
	// presentedForm, which IMR requires.
	HTML []byte
	// Links gives the ImagingStudy its WADO-RS endpoint, which IMR
	// requires; without a WADO-RS service the Bundle has none and
	// Validate warns.
	Links *wado.Links
}

// Ids of the contained resources of the DiagnosticReport.
const (
	idPatient   = "patient"
	idAuthor    = "author"
	idSigner    = "signer"
	idCustodian = "custodian"
	idEndpoint  = "wado-rs"
)

// marshaller writes compact JSON: the Bundle is for machines, and the
// marshaller is safe for concurrent use once made.
var marshaller = mustMarshaller()

func mustMarshaller() *jsonformat.Marshaller {
	m, err := jsonformat.NewMarshaller(false, "", "", fhirversion.R4)
	if err != nil {
		panic(fmt.Sprintf("fhir: R4 marshaller: %v", err)) // a broken build, not input
	}
	return m
}

// Encode writes doc as an IMR Store Multimedia Report Bundle (FHIR R4
// JSON). It fails, rather than writing a Bundle that misstates the report,
// when the tree lacks something the Bundle needs.
func Encode(doc *content.Document, opt Options) ([]byte, error) {
	if doc == nil || doc.Report == nil || doc.Root == nil {
		return nil, errors.New("fhir: document has no report or no content tree")
	}
	if len(opt.HTML) == 0 {
		return nil, errors.New("fhir: no HTML page for the presentedForm")
	}
	e := &encoder{doc: doc, opt: opt}
	b, err := e.bundle()
	if err != nil {
		return nil, err
	}
	out, err := marshaller.MarshalResource(b)
	if err != nil {
		return nil, fmt.Errorf("fhir: write JSON: %w", err)
	}
	return out, nil
}

type encoder struct {
	doc *content.Document
	opt Options
	// contained resources of the DiagnosticReport, in order
	contained []*anypb.Any
	err       error
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("fhir: "+format, args...)
	}
}

func (e *encoder) contain(r *bpb.ContainedResource) {
	a, err := anypb.New(r)
	if err != nil {
		e.fail("contain resource: %v", err)
		return
	}
	e.contained = append(e.contained, a)
}

func (e *encoder) bundle() (*bpb.Bundle, error) {
	d := e.doc
	r := d.Report
	reportURL := uuidFor(d.Identity.DocumentID, "DiagnosticReport")
	studyURL := uuidFor(d.Identity.DocumentID, "ImagingStudy")
	orderURL := uuidFor(d.Identity.DocumentID, "ServiceRequest")
	hasOrder := r.GetStudy().GetAccessionNumber() != "" || r.GetOrder().GetPlacerOrderNumber().GetValue() != "" || r.GetOrder().GetFillerOrderNumber().GetValue() != ""

	dr := e.report(studyURL)
	if hasOrder {
		dr.BasedOn = []*dpb.Reference{uriRef(orderURL)}
	}
	entries := []*bpb.Bundle_Entry{
		entry(reportURL, "DiagnosticReport", &bpb.ContainedResource{OneofResource: &bpb.ContainedResource_DiagnosticReport{DiagnosticReport: dr}}),
	}
	if hasOrder {
		entries = append(entries, entry(orderURL, "ServiceRequest", &bpb.ContainedResource{OneofResource: &bpb.ContainedResource_ServiceRequest{ServiceRequest: e.serviceRequest()}}))
	}
	entries = append(entries, entry(studyURL, "ImagingStudy", &bpb.ContainedResource{OneofResource: &bpb.ContainedResource_ImagingStudy{ImagingStudy: e.imagingStudy(hasOrder, orderURL)}}))
	if e.err != nil {
		return nil, e.err
	}
	return &bpb.Bundle{
		Meta:       &dpb.Meta{Profile: []*dpb.Canonical{{Value: ProfileBundle}}},
		Identifier: &dpb.Identifier{System: uri(SystemURI), Value: str(oidURI(d.Identity.DocumentID))},
		Type:       &bpb.Bundle_TypeCode{Value: cpb.BundleTypeCode_TRANSACTION},
		Timestamp:  instant(e.issued()),
		Entry:      entries,
	}, nil
}

func entry(fullURL, typ string, r *bpb.ContainedResource) *bpb.Bundle_Entry {
	return &bpb.Bundle_Entry{
		FullUrl:  uri(fullURL),
		Resource: r,
		Request:  &bpb.Bundle_Entry_Request{Method: &bpb.Bundle_Entry_Request_MethodCode{Value: cpb.HTTPVerbCode_POST}, Url: uri(typ)},
	}
}

// issued is when the report was released: signed, or else written.
func (e *encoder) issued() time.Time {
	if e.doc.Signed() && !e.doc.SignatureTime.IsZero() {
		return e.doc.SignatureTime
	}
	return e.doc.ReportTime
}

// Report statuses (FHIR R4 diagnostic-report-status). A correction and
// an addendum keep the report's identity (the CDA setId) and change its
// status, as FHIR asks for a revised report.
var reportStatus = map[pb.ReportStatus]cpb.DiagnosticReportStatusCode_Value{
	pb.ReportStatus_REPORT_STATUS_PRELIMINARY: cpb.DiagnosticReportStatusCode_PRELIMINARY,
	pb.ReportStatus_REPORT_STATUS_FINAL:       cpb.DiagnosticReportStatusCode_FINAL,
	pb.ReportStatus_REPORT_STATUS_CORRECTED:   cpb.DiagnosticReportStatusCode_CORRECTED,
	pb.ReportStatus_REPORT_STATUS_ADDENDUM:    cpb.DiagnosticReportStatusCode_APPENDED,
}

// Observation statuses: an addendum leaves the earlier results as they
// were, so they stay final.
var observationStatus = map[pb.ReportStatus]cpb.ObservationStatusCode_Value{
	pb.ReportStatus_REPORT_STATUS_PRELIMINARY: cpb.ObservationStatusCode_PRELIMINARY,
	pb.ReportStatus_REPORT_STATUS_FINAL:       cpb.ObservationStatusCode_FINAL,
	pb.ReportStatus_REPORT_STATUS_CORRECTED:   cpb.ObservationStatusCode_CORRECTED,
	pb.ReportStatus_REPORT_STATUS_ADDENDUM:    cpb.ObservationStatusCode_FINAL,
}

// Categories: the diagnostic service (HL7 v2 table 0074, as IMR's example)
// with LOINC's Radiology part, and the imaging observation category.
var (
	reportCategory = &dpb.CodeableConcept{Coding: []*dpb.Coding{
		{System: uri(SystemV2Service), Code: &dpb.Code{Value: "RAD"}, Display: str("Radiology")},
		{System: uri(SystemLOINC), Code: &dpb.Code{Value: "LP29684-5"}, Display: str("Radiology")},
	}}
	imagingCategory = &dpb.CodeableConcept{Coding: []*dpb.Coding{{System: uri(SystemObsCat), Code: &dpb.Code{Value: "imaging"}, Display: str("Imaging")}}}
)

func (e *encoder) report(studyURL string) *drpb.DiagnosticReport {
	d := e.doc
	r := d.Report
	st, ok := reportStatus[r.GetStatus()]
	if !ok {
		e.fail("report status %v has no FHIR form", r.GetStatus())
	}
	dr := &drpb.DiagnosticReport{
		Meta:     &dpb.Meta{Profile: []*dpb.Canonical{{Value: ProfileReport}}},
		Language: &dpb.Code{Value: d.Language},
		Status:   &drpb.DiagnosticReport_StatusCode{Value: st},
		Category: []*dpb.CodeableConcept{reportCategory},
		Subject:  fragment(idPatient),
		Effective: &drpb.DiagnosticReport_EffectiveX{Choice: &drpb.DiagnosticReport_EffectiveX_DateTime{
			DateTime: dateTime(d.StudyTime)}},
		Issued:       instant(e.issued()),
		ImagingStudy: []*dpb.Reference{uriRef(studyURL)},
	}
	if d.DocumentCode.IsZero() {
		e.fail("document has no type code")
	}
	dr.Code = concept(d.DocumentCode)
	dr.Code.Text = str(d.Title)
	// The document id names this version; the set id names the report
	// across corrections, as the CDA setId does.
	dr.Identifier = []*dpb.Identifier{{Use: &dpb.Identifier_UseCode{Value: cpb.IdentifierUseCode_OFFICIAL}, System: uri(SystemURI), Value: str(oidURI(d.Identity.DocumentID))}}
	if s := d.Identity.SetID; s != "" && s != d.Identity.DocumentID {
		dr.Identifier = append(dr.Identifier, &dpb.Identifier{Use: &dpb.Identifier_UseCode{Value: cpb.IdentifierUseCode_USUAL}, System: uri(SystemURI), Value: str(oidURI(s))})
	}

	e.patient()
	e.contain(&bpb.ContainedResource{OneofResource: &bpb.ContainedResource_Practitioner{Practitioner: practitioner(idAuthor, r.GetAuthor())}})
	dr.ResultsInterpreter = []*dpb.Reference{fragment(idAuthor)}
	e.organization()
	dr.Performer = []*dpb.Reference{fragment(idCustodian)}
	if d.Signed() {
		e.contain(&bpb.ContainedResource{OneofResource: &bpb.ContainedResource_Practitioner{Practitioner: practitioner(idSigner, r.GetLegalAuthenticator())}})
		dr.Performer = append(dr.Performer, fragment(idSigner))
	}

	obsStatus := observationStatus[r.GetStatus()]
	var conclusion []string
	n := 0
	for _, s := range d.Sections() {
		impression := s.Heading != nil && s.Heading.Kind == pb.SectionKind_SECTION_KIND_IMPRESSION
		for _, it := range s.Children {
			if it == nil || it.Relationship != content.Contains {
				continue
			}
			switch it.Type {
			case content.Text:
				if impression {
					conclusion = append(conclusion, it.Text)
				}
			case content.Num, content.CodeValue:
				n++
				id := fmt.Sprintf("obs-%d", n)
				e.contain(&bpb.ContainedResource{OneofResource: &bpb.ContainedResource_Observation{Observation: e.observation(id, it, obsStatus, studyURL)}})
				dr.Result = append(dr.Result, fragment(id))
				if impression && it.Type == content.CodeValue {
					dr.ConclusionCode = append(dr.ConclusionCode, concept(it.Code))
				}
			}
		}
	}
	if len(conclusion) > 0 {
		dr.Conclusion = str(strings.Join(conclusion, "\n\n"))
	}
	dr.Contained = e.contained
	dr.PresentedForm = []*dpb.Attachment{e.page()}
	return dr
}

// page is the HTML view as IMR's presentedForm: content type, size and
// SHA-1 hash (FHIR Attachment.hash) are required beside the data.
func (e *encoder) page() *dpb.Attachment {
	sum := sha1.Sum(e.opt.HTML)
	return &dpb.Attachment{
		ContentType: &dpb.Attachment_ContentTypeCode{Value: "text/html"},
		Language:    &dpb.Code{Value: e.doc.Language},
		Data:        &dpb.Base64Binary{Value: e.opt.HTML},
		Size:        &dpb.UnsignedInt{Value: uint32(len(e.opt.HTML))},
		Hash:        &dpb.Base64Binary{Value: sum[:]},
		Title:       str(e.doc.Title),
		Creation:    dateTime(e.doc.ReportTime),
	}
}

var genders = map[pb.AdministrativeSex]cpb.AdministrativeGenderCode_Value{
	pb.AdministrativeSex_ADMINISTRATIVE_SEX_MALE:        cpb.AdministrativeGenderCode_MALE,
	pb.AdministrativeSex_ADMINISTRATIVE_SEX_FEMALE:      cpb.AdministrativeGenderCode_FEMALE,
	pb.AdministrativeSex_ADMINISTRATIVE_SEX_OTHER:       cpb.AdministrativeGenderCode_OTHER,
	pb.AdministrativeSex_ADMINISTRATIVE_SEX_UNSPECIFIED: cpb.AdministrativeGenderCode_UNKNOWN,
}

func (e *encoder) patient() {
	p := e.doc.Report.GetPatient()
	if len(p.GetIds()) == 0 {
		e.fail("patient needs an identifier")
	}
	pt := &ppb.Patient{
		Id:         &dpb.Id{Value: idPatient},
		Identifier: identifiers(p.GetIds()),
		Telecom:    telecoms(p.GetTelecoms()),
		Gender:     &ppb.Patient_GenderCode{Value: genders[p.GetSex()]},
		Address:    address(p.GetAddress(), true),
	}
	if h := humanName(p.GetName()); h != nil {
		pt.Name = []*dpb.HumanName{h}
	}
	if bd := p.GetBirthDate(); bd != "" {
		// Archives know some birth dates to the month or year only; a
		// FHIR date keeps that precision.
		t, ts, err := content.ParseBirthDate(bd)
		if err != nil {
			e.fail("patient birth date %v", err)
		}
		prec := map[int]dpb.Date_Precision{4: dpb.Date_YEAR, 6: dpb.Date_MONTH, 8: dpb.Date_DAY}[len(ts)]
		pt.BirthDate = &dpb.Date{ValueUs: t.UnixMicro(), Timezone: "UTC", Precision: prec}
	}
	e.contain(&bpb.ContainedResource{OneofResource: &bpb.ContainedResource_Patient{Patient: pt}})
}

func practitioner(id string, p *pb.Practitioner) *prpb.Practitioner {
	out := &prpb.Practitioner{
		Id:         &dpb.Id{Value: id},
		Identifier: identifiers(p.GetIds()),
		Telecom:    telecoms(p.GetTelecoms()),
		Address:    address(p.GetAddress(), false),
	}
	if h := humanName(p.GetName()); h != nil {
		out.Name = []*dpb.HumanName{h}
	}
	return out
}

func (e *encoder) organization() {
	c := e.doc.Report.GetCustodian()
	if c.GetName() == "" {
		e.fail("custodian needs a name")
	}
	e.contain(&bpb.ContainedResource{OneofResource: &bpb.ContainedResource_Organization{Organization: &orgpb.Organization{
		Id:         &dpb.Id{Value: idCustodian},
		Identifier: identifiers(c.GetIds()),
		Name:       str(c.GetName()),
		Telecom:    telecoms(c.GetTelecoms()),
		Address:    address(c.GetAddress(), false),
	}}})
}

// patientByID names the patient outside the DiagnosticReport, where its
// contained Patient cannot be referenced: by type and first identifier
// (FHIR logical reference).
func (e *encoder) patientByID() *dpb.Reference {
	p := e.doc.Report.GetPatient()
	ref := &dpb.Reference{Type: uri("Patient")}
	if ids := p.GetIds(); len(ids) > 0 {
		ref.Identifier = identifier(ids[0])
	}
	return ref
}

func (e *encoder) observation(id string, n *content.Node, st cpb.ObservationStatusCode_Value, studyURL string) *opb.Observation {
	o := &opb.Observation{
		Id:       &dpb.Id{Value: id},
		Status:   &opb.Observation_StatusCode{Value: st},
		Category: []*dpb.CodeableConcept{imagingCategory},
		Code:     concept(n.Concept),
		Subject:  fragment(idPatient),
		Effective: &opb.Observation_EffectiveX{Choice: &opb.Observation_EffectiveX_DateTime{
			DateTime: dateTime(e.doc.StudyTime)}},
	}
	switch n.Type {
	case content.Num:
		if n.Num == nil {
			e.fail("measurement %s has no value", n.ID)
			return o
		}
		v, err := decimal(n.Num.Value)
		if err != nil {
			e.fail("measurement %s: %v", n.ID, err)
		}
		q := &dpb.Quantity{Value: &dpb.Decimal{Value: v}}
		if u := n.Num.Unit; u.Value != "" {
			q.System, q.Code = uri(SystemUCUM), &dpb.Code{Value: u.Value}
			q.Unit = str(u.Meaning)
		}
		o.Value = &opb.Observation_ValueX{Choice: &opb.Observation_ValueX_Quantity{Quantity: q}}
	case content.CodeValue:
		if n.Code.IsZero() {
			e.fail("coded item %s has no code", n.ID)
		}
		o.Value = &opb.Observation_ValueX{Choice: &opb.Observation_ValueX_CodeableConcept{CodeableConcept: concept(n.Code)}}
	}
	images := false
	for _, c := range n.Children {
		switch {
		case c == nil:
		case c.Type == content.CodeValue && c.Relationship == content.HasConceptMod && c.Concept == content.ConceptFindingSite:
			o.BodySite = concept(c.Code)
		case c.Type == content.Image:
			images = true
		}
	}
	if images {
		// R4 has no ImagingSelection; the study that holds the images
		// (listed there by series and instance) is what derivedFrom
		// can name.
		o.DerivedFrom = []*dpb.Reference{uriRef(studyURL)}
	}
	return o
}

func (e *encoder) serviceRequest() *srpb.ServiceRequest {
	r := e.doc.Report
	st := r.GetStudy()
	sr := &srpb.ServiceRequest{
		Meta:     &dpb.Meta{Profile: []*dpb.Canonical{{Value: ProfileRequest}}},
		Status:   &srpb.ServiceRequest_StatusCode{Value: cpb.RequestStatusCode_COMPLETED},
		Intent:   &srpb.ServiceRequest_IntentCode{Value: cpb.RequestIntentCode_ORDER},
		Category: []*dpb.CodeableConcept{concept(content.FromDict(dicomdict.SCTImaging))},
		Subject:  e.patientByID(),
	}
	if acc := st.GetAccessionNumber(); acc != "" {
		sr.Identifier = append(sr.Identifier, typedID("ACSN", "Accession ID", st.GetAccessionIssuerOid(), acc))
	}
	if p := r.GetOrder().GetPlacerOrderNumber(); p.GetValue() != "" {
		sr.Identifier = append(sr.Identifier, typedID("PLAC", "Placer Identifier", p.GetAssigningAuthorityOid(), p.GetValue()))
	}
	if f := r.GetOrder().GetFillerOrderNumber(); f.GetValue() != "" {
		sr.Identifier = append(sr.Identifier, typedID("FILL", "Filler Identifier", f.GetAssigningAuthorityOid(), f.GetValue()))
	}
	if pc := st.GetProcedureCode(); pc != nil {
		sr.Code = concept(content.FromProto(pc))
	}
	return sr
}

// typedID is an identifier with its HL7 v2 table 0203 type, e.g. the
// accession number (ACSN) under its issuer.
func typedID(typ, display, issuerOID, value string) *dpb.Identifier {
	return &dpb.Identifier{
		Type:   &dpb.CodeableConcept{Coding: []*dpb.Coding{{System: uri(SystemV2ID), Code: &dpb.Code{Value: typ}, Display: str(display)}}},
		System: uri(System(issuerOID)),
		Value:  str(value),
	}
}

func (e *encoder) imagingStudy(hasOrder bool, orderURL string) *ispb.ImagingStudy {
	d := e.doc
	st := d.Report.GetStudy()
	is := &ispb.ImagingStudy{
		Meta: &dpb.Meta{Profile: []*dpb.Canonical{{Value: ProfileImagingStudy}}},
		Identifier: []*dpb.Identifier{{
			Use: &dpb.Identifier_UseCode{Value: cpb.IdentifierUseCode_OFFICIAL}, System: uri(SystemDICOMUID), Value: str(oidURI(st.GetStudyInstanceUid())),
		}},
		Status:  &ispb.ImagingStudy_StatusCode{Value: cpb.ImagingStudyStatusCode_AVAILABLE},
		Subject: e.patientByID(),
		Started: dateTime(d.StudyTime),
	}
	if acc := st.GetAccessionNumber(); acc != "" {
		is.Identifier = append(is.Identifier, typedID("ACSN", "Accession ID", st.GetAccessionIssuerOid(), acc))
	}
	if hasOrder {
		is.BasedOn = []*dpb.Reference{uriRef(orderURL)}
	}
	for _, m := range st.GetModalities() {
		is.Modality = append(is.Modality, coding(content.DCM(m, "")))
	}
	if pc := st.GetProcedureCode(); pc != nil {
		is.ProcedureCode = []*dpb.CodeableConcept{concept(content.FromProto(pc))}
	}
	if s := st.GetProcedureDescription(); s != "" {
		is.Description = str(s)
	}
	for _, c := range st.GetReasonCodes() {
		is.ReasonCode = append(is.ReasonCode, concept(content.FromProto(c)))
	}
	if addr := e.opt.Links.Study(st.GetStudyInstanceUid()); addr != "" {
		ep := &epb.Endpoint{
			Id:              &dpb.Id{Value: idEndpoint},
			Meta:            &dpb.Meta{Profile: []*dpb.Canonical{{Value: ProfileEndpoint}}},
			Status:          &epb.Endpoint_StatusCode{Value: cpb.EndpointStatusCode_ACTIVE},
			ConnectionType:  &dpb.Coding{System: uri(SystemEndpoint), Code: &dpb.Code{Value: "dicom-wado-rs"}, Display: str("DICOM WADO-RS")},
			PayloadType:     []*dpb.CodeableConcept{concept(content.FromDict(dicomdict.DCMStudy))},
			PayloadMimeType: []*epb.Endpoint_PayloadMimeTypeCode{{Value: "application/dicom"}},
			Address:         &dpb.Url{Value: addr},
		}
		a, err := anypb.New(&bpb.ContainedResource{OneofResource: &bpb.ContainedResource_Endpoint{Endpoint: ep}})
		if err != nil {
			e.fail("contain endpoint: %v", err)
		} else {
			is.Contained = []*anypb.Any{a}
			is.Endpoint = []*dpb.Reference{fragment(idEndpoint)}
		}
	}
	// The series and instances the report references, study by study:
	// an ImagingStudy is one study, so images of other studies (priors)
	// are not listed here.
	bySeries := map[string]*ispb.ImagingStudy_Series{}
	seen := map[string]bool{}
	for _, im := range d.Evidence {
		if im == nil || im.StudyUID != st.GetStudyInstanceUid() || seen[im.SOPInstanceUID] {
			continue
		}
		seen[im.SOPInstanceUID] = true
		se := bySeries[im.SeriesUID]
		if se == nil {
			mod := im.Modality
			if mod == "" {
				e.fail("image series has no modality")
			}
			se = &ispb.ImagingStudy_Series{Uid: &dpb.Id{Value: im.SeriesUID}, Modality: coding(content.DCM(mod, ""))}
			bySeries[im.SeriesUID] = se
			is.Series = append(is.Series, se)
		}
		se.Instance = append(se.Instance, &ispb.ImagingStudy_Series_Instance{
			Uid:      &dpb.Id{Value: im.SOPInstanceUID},
			SopClass: &dpb.Coding{System: uri(SystemURI), Code: &dpb.Code{Value: oidURI(im.SOPClassUID)}},
		})
	}
	return is
}
