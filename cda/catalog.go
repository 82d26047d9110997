package cda

import (
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/dicomdict"
)

// DICOM Object Catalog and image reference templates (C-CDA R2.1).
const (
	tmplCatalog         = "2.16.840.1.113883.10.20.6.1.1"
	tmplStudyAct        = "2.16.840.1.113883.10.20.6.2.6"
	tmplSeriesAct       = "2.16.840.1.113883.10.20.22.4.63"
	tmplSOPInstance     = "2.16.840.1.113883.10.20.6.2.8"
	tmplPurpose         = "2.16.840.1.113883.10.20.6.2.9"
	tmplReferenceFrames = "2.16.840.1.113883.10.20.6.2.10"
	tmplBoundary        = "2.16.840.1.113883.10.20.6.2.11"
)

const (
	oidDCMUID  = content.OIDDCMUID
	oidActCode = "2.16.840.1.113883.5.4"
)

var (
	codeCatalog   = content.FromDict(dicomdict.DCMDICOMObjectCatalog)
	codeStudy     = content.FromDict(dicomdict.DCMStudy)
	codeSeries    = content.FromDict(dicomdict.DCMSeries)
	codeModality  = content.FromDict(dicomdict.DCMModality)
	codeFrames    = content.FromDict(dicomdict.DCMReferencedFrames)
	codeFrameList = content.FromDict(dicomdict.DCMGroupOfFramesForDisplay)
	codeAssertion = content.Code{Value: "ASSERTION", Designator: "ActCode", OID: oidActCode}
)

// modalities names the common acquisition modalities (DICOM CID 29) for
// the series qualifier's displayName.
var modalities = map[string]string{
	"BMD":  "Bone Mineral Densitometry",
	"CR":   "Computed Radiography",
	"CT":   "Computed Tomography",
	"DX":   "Digital Radiography",
	"ES":   "Endoscopy",
	"IO":   "Intra-oral Radiography",
	"IVUS": "Intravascular Ultrasound",
	"MG":   "Mammography",
	"MR":   "Magnetic Resonance",
	"NM":   "Nuclear Medicine",
	"OCT":  "Optical Coherence Tomography",
	"OP":   "Ophthalmic Photography",
	"PT":   "Positron emission tomography",
	"PX":   "Panoramic X-Ray",
	"RF":   "Radiofluoroscopy",
	"US":   "Ultrasound",
	"XA":   "X-Ray Angiography",
	"XC":   "External-camera Photography",
}

// catalog writes the DICOM Object Catalog section: every referenced image
// once, grouped by study and series as the Study and Series Acts require.
// It has no title or text: it is for machines, and an empty text element
// would be invalid.
func (e *encoder) catalog() {
	e.open("section")
	e.templateID(tmplCatalog, "")
	e.code("code", codeCatalog)

	type series struct {
		uid, modality string
		images        []*content.ImageRef
	}
	type study struct {
		uid    string
		series []*series
	}
	type seriesKey struct{ study, series string }
	var studies []*study
	byStudy := map[string]*study{}
	bySeries := map[seriesKey]*series{}
	for _, im := range e.doc.Evidence {
		if im == nil {
			e.fail("evidence list holds a nil image")
			continue
		}
		st := byStudy[im.StudyUID]
		if st == nil {
			st = &study{uid: im.StudyUID}
			byStudy[im.StudyUID] = st
			studies = append(studies, st)
		}
		key := seriesKey{im.StudyUID, im.SeriesUID}
		se := bySeries[key]
		if se == nil {
			se = &series{uid: im.SeriesUID, modality: im.Modality}
			bySeries[key] = se
			st.series = append(st.series, se)
		}
		se.images = append(se.images, im)
	}

	for _, st := range studies {
		e.open("entry")
		e.open("act", "classCode", "ACT", "moodCode", "EVN")
		e.templateID(tmplStudyAct, "")
		e.id("image study instance UID", st.uid, "")
		e.code("code", codeStudy)
		// Only the reported study's start time is known.
		if st.uid == e.doc.Report.GetStudy().GetStudyInstanceUid() {
			e.time("effectiveTime", "study start time", e.doc.StudyTime)
		}
		for _, se := range st.series {
			e.open("entryRelationship", "typeCode", "COMP")
			e.open("act", "classCode", "ACT", "moodCode", "EVN")
			e.templateID(tmplSeriesAct, "")
			e.id("image series instance UID", se.uid, "")
			e.openCode("code", codeSeries)
			e.open("qualifier")
			e.code("name", codeModality)
			if se.modality == "" {
				e.nullFlavor("value", "UNK")
			} else {
				e.code("value", content.DCM(se.modality, modalities[se.modality]))
			}
			e.close() // qualifier
			e.close() // code
			for _, im := range se.images {
				e.open("entryRelationship", "typeCode", "COMP")
				e.sopInstance(im, content.Code{}, false)
				e.close()
			}
			e.close() // act
			e.close() // entryRelationship
		}
		e.close() // act
		e.close() // entry
	}
	e.close() // section
}

// sopInstance writes a SOP Instance Observation for ref. With a purpose it
// adds a Purpose of Reference Observation; with frames (when asked: the
// catalog lists whole instances) a Referenced Frames Observation, which
// the DIR requires when only some frames are meant.
func (e *encoder) sopInstance(ref *content.ImageRef, purpose content.Code, frames bool) {
	e.open("observation", "classCode", "DGIMG", "moodCode", "EVN")
	e.templateID(tmplSOPInstance, "")
	e.id("SOP instance UID", ref.SOPInstanceUID, "")
	e.checkUID("SOP class UID", ref.SOPClassUID)
	name, _ := dicomdict.SOPClassName(ref.SOPClassUID)
	e.empty("code", "code", ref.SOPClassUID, "codeSystem", oidDCMUID, "codeSystemName", "DCMUID", "displayName", name)
	if e.wado != nil {
		e.open("text", "mediaType", "application/dicom")
		e.empty("reference", "value", e.wadoURL(ref, "application/dicom", 0))
		e.close()
	}
	if frames && len(ref.Frames) > 0 {
		e.open("entryRelationship", "typeCode", "COMP")
		e.open("observation", "classCode", "ROIBND", "moodCode", "EVN")
		e.templateID(tmplReferenceFrames, "")
		e.code("code", codeFrames)
		e.open("entryRelationship", "typeCode", "COMP")
		e.open("observation", "classCode", "OBS", "moodCode", "EVN")
		e.templateID(tmplBoundary, "")
		e.code("code", codeFrameList)
		for _, f := range ref.Frames {
			if f < 1 {
				e.fail("frame numbers start at 1")
			}
			e.w.start("value")
			e.w.attr("xsi:type", "INT")
			e.w.attrInt("value", int(f))
			e.w.end()
		}
		e.close() // observation
		e.close() // entryRelationship
		e.close() // observation
		e.close() // entryRelationship
	}
	if !purpose.IsZero() {
		e.open("entryRelationship", "typeCode", "RSON")
		e.open("observation", "classCode", "OBS", "moodCode", "EVN")
		e.templateID(tmplPurpose, "")
		e.code("code", codeAssertion)
		e.cdValue(purpose)
		e.close()
		e.close()
	}
	e.close() // observation
}

// wadoURL returns the WADO-URI of an image (package wado).
func (e *encoder) wadoURL(ref *content.ImageRef, contentType string, frame int32) string {
	return e.wado.URI(ref, contentType, frame)
}
