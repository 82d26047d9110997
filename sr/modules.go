package sr

import (
	"slices"
	"strconv"
	"time"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Fixed header values.
const (
	manufacturer = "reportgen"
	// seriesNumber only has to be present (Type 1): a series number means
	// nothing across series, and the request carries none to pass on.
	seriesNumber = "1"
	// dcmr names the mapping resource of the root's template (PS3.16).
	dcmr          = "DCMR"
	dcmrUID       = "1.2.840.10008.8.1.1"
	issuerTypeISO = "ISO"
)

// tid2000 is the Template Identifier of the root: the template of the
// root row.
var tid2000 = strconv.Itoa(content.TID2000Root.TID)

// patient writes the Patient Module (PS3.3 C.7.1.1).
func (d *docEncoder) patient(a attrs) {
	d.at("patient")
	p := d.doc.Report.GetPatient()
	a.pn(tag.PatientName, content.Name(p.GetName()), false)
	var id *pb.Identifier
	if ids := p.GetIds(); len(ids) > 0 {
		id = ids[0]
	}
	a.str(tag.PatientID, id.GetValue())
	a.opt(tag.IssuerOfPatientID, id.GetAssigningAuthorityName())
	if oid := id.GetAssigningAuthorityOid(); oid != "" {
		// The OID is what the CDA record target uses as id/@root, so the
		// two documents identify the patient the same way.
		a.seq(tag.IssuerOfPatientIDQualifiersSequence, d.universalEntity(oid))
	}
	// DA cannot say "1952" or "1952-03" (PS3.5 Table 6.2-1); the
	// attribute is Type 2, so a partial date leaves it empty rather than
	// inventing a day. The engine notes it on the SR.
	bd := d.doc.BirthDate
	if len(bd) != len("20060102") {
		bd = ""
	}
	a.str(tag.PatientBirthDate, bd)
	a.str(tag.PatientSex, dicomSex(p.GetSex()))
}

func dicomSex(s pb.AdministrativeSex) string {
	switch s {
	case pb.AdministrativeSex_ADMINISTRATIVE_SEX_MALE:
		return "M"
	case pb.AdministrativeSex_ADMINISTRATIVE_SEX_FEMALE:
		return "F"
	case pb.AdministrativeSex_ADMINISTRATIVE_SEX_OTHER:
		return "O"
	}
	return ""
}

func (d *docEncoder) universalEntity(oid string) attrs {
	q := d.attrs()
	q.req(tag.UniversalEntityID, oid)
	q.req(tag.UniversalEntityIDType, issuerTypeISO)
	return q
}

// generalStudy writes the General Study Module (PS3.3 C.7.2.1): the SR
// joins the study it reports on.
func (d *docEncoder) generalStudy(a attrs) {
	d.at("study")
	r := d.doc.Report
	s := r.GetStudy()
	a.req(tag.StudyInstanceUID, s.GetStudyInstanceUid())
	var date, tm string
	if !d.doc.StudyTime.IsZero() {
		st := d.local(d.doc.StudyTime)
		date, tm = formatDA(st), formatTM(st)
	}
	a.str(tag.StudyDate, date)
	a.str(tag.StudyTime, tm)
	a.pn(tag.ReferringPhysicianName, content.Name(r.GetReferringPhysician().GetName()), false)
	// Type 2: the request has no RIS Study ID, and inventing one would
	// clash with the one the modality wrote into the images.
	a.str(tag.StudyID, "")
	a.str(tag.AccessionNumber, s.GetAccessionNumber())
	if oid := s.GetAccessionIssuerOid(); oid != "" && s.GetAccessionNumber() != "" {
		a.seq(tag.IssuerOfAccessionNumberSequence, d.universalEntity(oid))
	}
	a.opt(tag.StudyDescription, s.GetProcedureDescription())
	if pc := content.FromProto(s.GetProcedureCode()); !pc.IsZero() {
		a.seq(tag.ProcedureCodeSequence, d.codeItem(pc))
	}
}

// srSeries writes the SR Document Series Module (PS3.3 C.17.1): a series of
// its own, never an image series.
func (d *docEncoder) srSeries(a attrs) {
	d.at("series")
	a.req(tag.Modality, "SR")
	a.req(tag.SeriesInstanceUID, d.doc.Identity.SeriesInstanceUID)
	a.req(tag.SeriesNumber, seriesNumber)
	a.seq(tag.ReferencedPerformedProcedureStepSequence)
}

// generalEquipment writes the General Equipment Module (PS3.3 C.7.5.1).
func (d *docEncoder) generalEquipment(a attrs) {
	d.at("equipment")
	a.str(tag.Manufacturer, manufacturer)
	a.opt(tag.InstitutionName, d.doc.Report.GetCustodian().GetName())
}

// sopCommon writes the SOP Common Module (PS3.3 C.12.1). Instance creation
// is dated by the report time rather than the clock, so one request always
// gives the same bytes.
func (d *docEncoder) sopCommon(a attrs) {
	d.at("SOP common")
	if !srClass(d.sopClass) {
		d.failf("SOP Class UID is not an SR IOD this encoder writes: %w", ErrUnsupported)
		return
	}
	rt := d.doc.ReportTime
	a.req(tag.SpecificCharacterSet, CharsetUTF8)
	a.req(tag.InstanceCreationDate, formatDA(rt))
	a.req(tag.InstanceCreationTime, formatTM(rt))
	a.req(tag.SOPClassUID, d.sopClass)
	a.req(tag.SOPInstanceUID, d.doc.Identity.SOPInstanceUID)
	a.req(tag.TimezoneOffsetFromUTC, rt.Format("-0700"))
}

func srClass(c string) bool {
	return c == content.BasicTextSR || c == content.EnhancedSR || c == content.ComprehensiveSR
}

// documentGeneral writes the SR Document General Module (PS3.3 C.17.2).
func (d *docEncoder) documentGeneral(a attrs) {
	d.at("SR document general")
	r := d.doc.Report
	a.req(tag.InstanceNumber, strconv.Itoa(max(1, d.doc.Identity.Version)))
	verified := d.flags(a, r.GetStatus())
	a.req(tag.ContentDate, formatDA(d.doc.ReportTime))
	a.req(tag.ContentTime, formatTM(d.doc.ReportTime))
	if verified {
		a.seq(tag.VerifyingObserverSequence, d.verifyingObserver())
	}
	if r.GetOrder() != nil || r.GetStudy().GetAccessionNumber() != "" {
		a.seq(tag.ReferencedRequestSequence, d.referencedRequest())
	}
	performed := a.seq(tag.PerformedProcedureCodeSequence)
	if pc := content.FromProto(r.GetStudy().GetProcedureCode()); !pc.IsZero() {
		performed.add(d.codeItem(pc))
	}
	d.evidence(a)
	switch r.GetStatus() {
	case pb.ReportStatus_REPORT_STATUS_CORRECTED, pb.ReportStatus_REPORT_STATUS_ADDENDUM:
		a.seq(tag.PredecessorDocumentsSequence, d.predecessor())
	}
}

// flags writes Completion, Verification and Preliminary Flag for the
// lifecycle status (tid2000.md §7) and reports whether the document is
// VERIFIED. A preliminary report is COMPLETE: its content is whole, and
// only the signature is missing, which UNVERIFIED and PRELIMINARY say.
func (d *docEncoder) flags(a attrs, s pb.ReportStatus) (verified bool) {
	switch s {
	case pb.ReportStatus_REPORT_STATUS_PRELIMINARY:
		a.req(tag.CompletionFlag, "COMPLETE")
		a.req(tag.VerificationFlag, "UNVERIFIED")
		a.req(tag.PreliminaryFlag, "PRELIMINARY")
		return false
	case pb.ReportStatus_REPORT_STATUS_FINAL, pb.ReportStatus_REPORT_STATUS_CORRECTED, pb.ReportStatus_REPORT_STATUS_ADDENDUM:
		a.req(tag.CompletionFlag, "COMPLETE")
		a.req(tag.VerificationFlag, "VERIFIED")
		a.req(tag.PreliminaryFlag, "FINAL")
		return true
	}
	d.failf("report status is not set: %w", ErrMissingValue)
	return false
}

// verifyingObserver is the person who signed: the verifying observer when
// the request names one, else the legal authenticator (C.17.2.1: the
// Verifying Observer is the legal authenticator of the SR).
func (d *docEncoder) verifyingObserver() attrs {
	d.at("verifying observer")
	r := d.doc.Report
	v := r.GetVerifyingObserver()
	if v == nil {
		v = r.GetLegalAuthenticator()
	}
	o := d.attrs()
	if v == nil {
		d.failf("a signed report needs a legal authenticator: %w", ErrMissingValue)
		return o
	}
	if d.doc.SignatureTime.IsZero() {
		d.failf("a signed report needs a signature time: %w", ErrMissingValue)
		return o
	}
	o.pn(tag.VerifyingObserverName, content.Name(v.GetName()), true)
	org := v.GetOrganization()
	if org == "" {
		org = r.GetCustodian().GetName()
	}
	o.req(tag.VerifyingOrganization, org)
	o.req(tag.VerificationDateTime, formatDT(d.doc.SignatureTime))
	// Type 2 and left empty: a practitioner identifier comes with an
	// assigning authority OID, and DICOM has no Coding Scheme Designator
	// for an arbitrary OID; a made-up designator would mislead receivers.
	o.seq(tag.VerifyingObserverIdentificationCodeSequence)
	return o
}

// referencedRequest links the report to the order it fulfils (C.17.2:
// Referenced Request Sequence), repeating the study's accession number.
func (d *docEncoder) referencedRequest() attrs {
	d.at("referenced request")
	r := d.doc.Report
	s := r.GetStudy()
	q := d.attrs()
	q.req(tag.StudyInstanceUID, s.GetStudyInstanceUid())
	q.seq(tag.ReferencedStudySequence)
	q.str(tag.AccessionNumber, s.GetAccessionNumber())
	if oid := s.GetAccessionIssuerOid(); oid != "" && s.GetAccessionNumber() != "" {
		q.seq(tag.IssuerOfAccessionNumberSequence, d.universalEntity(oid))
	}
	placer, filler := r.GetOrder().GetPlacerOrderNumber(), r.GetOrder().GetFillerOrderNumber()
	q.str(tag.PlacerOrderNumberImagingServiceRequest, placer.GetValue())
	q.str(tag.FillerOrderNumberImagingServiceRequest, filler.GetValue())
	// The issuers' OIDs go along (Order Placer/Filler Identifier Sequence,
	// Type 3): they are the CDA order id roots, so an SR read back into a
	// CDA can name the order numbers as the original CDA does.
	if oid := placer.GetAssigningAuthorityOid(); oid != "" && placer.GetValue() != "" {
		q.seq(tag.OrderPlacerIdentifierSequence, d.universalEntity(oid))
	}
	if oid := filler.GetAssigningAuthorityOid(); oid != "" && filler.GetValue() != "" {
		q.seq(tag.OrderFillerIdentifierSequence, d.universalEntity(oid))
	}
	q.str(tag.RequestedProcedureID, "")
	q.str(tag.RequestedProcedureDescription, s.GetProcedureDescription())
	codes := q.seq(tag.RequestedProcedureCodeSequence)
	if pc := content.FromProto(s.GetProcedureCode()); !pc.IsZero() {
		codes.add(d.codeItem(pc))
	}
	return q
}

// evidence lists every referenced image in the Hierarchical SOP Instance
// Reference Macro (C.17-3) of a: images of the reported study are the
// current requested procedure's evidence, images of other studies (priors)
// are pertinent other evidence (C.17.2.3). Studies, series and instances
// keep the order in which the tree first references them.
func (d *docEncoder) evidence(a attrs) {
	d.at("evidence")
	study := d.doc.Report.GetStudy().GetStudyInstanceUid()
	// Each sequence is added with its first item: both are Type 1C,
	// present only when there is evidence of their kind (C.17.2).
	current, other := sequence{id: none}, sequence{id: none}
	studies, series := d.studies[:0], d.series[:0]
	for _, im := range d.doc.Evidence {
		if im == nil {
			d.failf("evidence has a nil image reference: %w", ErrMissingValue)
			break
		}
		st := slices.IndexFunc(studies, func(s evidenceStudy) bool { return s.uid == im.StudyUID })
		if st < 0 {
			item := d.attrs()
			item.req(tag.StudyInstanceUID, im.StudyUID)
			to, t := &other, tag.PertinentOtherEvidenceSequence
			if im.StudyUID == study {
				to, t = &current, tag.CurrentRequestedProcedureEvidenceSequence
			}
			if to.id == none {
				*to = a.seq(t)
			}
			to.add(item)
			studies = append(studies, evidenceStudy{uid: im.StudyUID, series: item.seq(tag.ReferencedSeriesSequence)})
			st = len(studies) - 1
		}
		se := slices.IndexFunc(series, func(s evidenceSeries) bool { return s.study == st && s.uid == im.SeriesUID })
		if se < 0 {
			item := d.attrs()
			item.req(tag.SeriesInstanceUID, im.SeriesUID)
			studies[st].series.add(item)
			series = append(series, evidenceSeries{study: st, uid: im.SeriesUID, sops: item.seq(tag.ReferencedSOPSequence)})
			se = len(series) - 1
		}
		series[se].sops.add(d.sopRef(im.SOPClassUID, im.SOPInstanceUID))
	}
	// The scratch goes back without the UIDs, which are the report's.
	clear(studies)
	clear(series)
	d.studies, d.series = studies[:0], series[:0]
}

// evidenceStudy and evidenceSeries are the study and series items of the
// evidence, found again by UID as later images join them.
type evidenceStudy struct {
	uid    string
	series sequence // Referenced Series Sequence
}

type evidenceSeries struct {
	study int // index into the studies
	uid   string
	sops  sequence // Referenced SOP Sequence
}

func (d *docEncoder) sopRef(class, instance string) attrs {
	s := d.attrs()
	s.req(tag.ReferencedSOPClassUID, class)
	s.req(tag.ReferencedSOPInstanceUID, instance)
	return s
}

// predecessor references the report a correction or addendum follows
// (C.17.2.2): a new instance always lists the one it supersedes.
func (d *docEncoder) predecessor() attrs {
	d.at("predecessor document")
	p := d.doc.Report.GetPredecessor()
	item := d.attrs()
	if p.GetSrSeriesInstanceUid() == "" || p.GetSrSopInstanceUid() == "" {
		d.failf("a corrected or amended report needs the predecessor SR's series and SOP instance UIDs: %w", ErrMissingValue)
		return item
	}
	study := p.GetSrStudyInstanceUid()
	if study == "" {
		study = d.doc.Report.GetStudy().GetStudyInstanceUid()
	}
	class := p.GetSrSopClassUid()
	if class == "" {
		class = content.EnhancedSR
	}
	item.req(tag.StudyInstanceUID, study)
	se := d.attrs()
	se.req(tag.SeriesInstanceUID, p.GetSrSeriesInstanceUid())
	se.seq(tag.ReferencedSOPSequence, d.sopRef(class, p.GetSrSopInstanceUid()))
	item.seq(tag.ReferencedSeriesSequence, se)
	return item
}

// local expresses t in the report time's offset: Timezone Offset From UTC
// applies to every DA and TM of the instance, so they must share one.
func (d *docEncoder) local(t time.Time) time.Time { return t.In(d.doc.ReportTime.Location()) }
