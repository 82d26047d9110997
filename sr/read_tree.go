package sr

import (
	"strconv"
	"strings"
	"time"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/dicomdict"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// reader holds one run of Read. Issues go to two lists: tid for breaches
// of TID 2000 itself, model for what the findings model cannot take and
// for notes about the mapping; Read decides which ones to report.
type reader struct {
	f   *file
	ds  *dataset
	opt ReadOptions

	tid, model issue.List

	// latin1 is set for ISO_IR 100, whose bytes are not UTF-8.
	latin1 bool
	// loc is the time zone of the SR's DA, TM and offset-less DT values.
	loc *time.Location
	// schemes maps local Coding Scheme Designators to the OIDs the SR's
	// Coding Scheme Identification Sequence gives them.
	schemes map[string]string
	// home maps each SOP Instance UID of the evidence sequences to its
	// study and series: IMAGE items name only the instance.
	home map[string]imageHome
	// knownHeadings counts section CONTAINERs whose concept is a CID 7001
	// heading, current or retired: the mark of a TID 2000 tree.
	knownHeadings int
	// extraObserver is set once a second person observer has been
	// reported as not carried, so it is said once.
	extraObserver bool
}

type imageHome struct{ study, series string }

func newReader(f *file, opt ReadOptions) *reader {
	r := &reader{f: f, ds: f.ds, opt: opt, schemes: map[string]string{}, home: map[string]imageHome{}}
	for _, it := range r.ds.seq(tag.CodingSchemeIdentificationSequence) {
		if d, u := it.str(tag.CodingSchemeDesignator), it.str(tag.CodingSchemeUID); d != "" && checkUID(u) == nil {
			r.schemes[d] = u
		}
	}
	for _, t := range []tag.Tag{tag.CurrentRequestedProcedureEvidenceSequence, tag.PertinentOtherEvidenceSequence} {
		for _, study := range r.ds.seq(t) {
			for _, series := range study.seq(tag.ReferencedSeriesSequence) {
				for _, sop := range series.seq(tag.ReferencedSOPSequence) {
					if inst := sop.str(tag.ReferencedSOPInstanceUID); inst != "" {
						r.home[inst] = imageHome{study.str(tag.StudyInstanceUID), series.str(tag.SeriesInstanceUID)}
					}
				}
			}
		}
	}
	return r
}

// TID 1001 context items the model does not need: the person observer's
// other attributes (TID 1003 rows 2 and 5, and the identifier within the
// role that later editions add), the device observer (TID 1004), the
// procedure context (TID 1005, whose defaults are the header's study) and
// the subject context (TID 1007 for the patient, whom the header names;
// TID 1008/1009 for a fetus or specimen). The codes are the dictionary's;
// the maps hold their values, all DCM.
var (
	personObserverRest = values(dicomdict.DCMPersonObserversLoginName, dicomdict.DCMPersonObserversRoleInThisProcedure,
		dicomdict.DCMIdentifierWithinPersonObserversRole)
	deviceObserver = values(dicomdict.DCMDeviceObserverUID, dicomdict.DCMDeviceObserverName, dicomdict.DCMDeviceObserverManufacturer,
		dicomdict.DCMDeviceObserverModelName, dicomdict.DCMDeviceObserverSerialNumber, dicomdict.DCMDeviceObserverPhysicalLocationDuringObservation,
		dicomdict.DCMDeviceRoleInProcedure, dicomdict.DCMStationAETitle, dicomdict.DCMDeviceObserverManufacturerClassUID)
	procedureContext = values(dicomdict.DCMProcedureStudyInstanceUID, dicomdict.DCMProcedureStudyComponentUID, dicomdict.DCMPlacerNumber,
		dicomdict.DCMFillerNumber, dicomdict.DCMAccessionNumber, dicomdict.DCMProcedureCode)
	patientSubject = values(dicomdict.DCMSubjectUID, dicomdict.DCMSubjectName, dicomdict.DCMSubjectID,
		dicomdict.DCMSubjectBirthDate, dicomdict.DCMSubjectSex, dicomdict.DCMSubjectAge)
	otherSubject = values(dicomdict.DCMMotherOfFetus, dicomdict.DCMFetusNumber, dicomdict.DCMSpecimenUID,
		dicomdict.DCMSpecimenAccessionNumber, dicomdict.DCMSpecimenIdentifier)
)

// values returns the set of the concepts' code values.
func values(cs ...dicomdict.Concept) map[string]bool {
	m := make(map[string]bool, len(cs))
	for _, c := range cs {
		m[c.Value] = true
	}
	return m
}

// headingKinds maps the CID 7001 codes of the section kinds the model
// names, current LOINC and retired DCM, to those kinds.
var headingKinds = func() map[code]pb.SectionKind {
	m := map[code]pb.SectionKind{}
	for k, h := range content.Headings {
		m[code{h.LOINC.Value, h.LOINC.Designator}] = k
		m[code{h.DCM.Value, h.DCM.Designator}] = k
	}
	return m
}()

// report maps the whole file. It keeps going after a problem, so that
// every problem is reported at once.
func (r *reader) report() *pb.Report {
	rep := &pb.Report{}
	r.charset()
	r.timeZone()
	body := r.root()
	rep.Sections = content.SectionsOf(body)
	r.header(rep, content.ContextOf(body))
	return rep
}

// root decodes the root CONTAINER into a content tree, as Build would
// have made it: its concept, the concept modifiers and observation
// context of TID 2000 the model has, and its sections (TID2000Section).
// content.ContextOf and content.SectionsOf map the tree to the model;
// what the model cannot hold is reported here, with its place in the SR.
func (r *reader) root() *content.Node {
	body := content.TID2000Root.Node()
	if names := r.ds.seq(tag.ConceptNameCodeSequence); len(names) == 1 {
		body.Concept = r.treeCode(names[0], "the document title")
	}
	for _, it := range r.ds.seq(tag.ContentSequence) {
		rel, vt, c := it.str(tag.RelationshipType), it.str(tag.ValueType), conceptOf(it)
		switch rel {
		case "HAS CONCEPT MOD":
			r.rootModifier(body, it, vt, c)
		case "HAS OBS CONTEXT":
			r.observerContext(body, it, vt, c)
		case "CONTAINS":
			if vt != "CONTAINER" {
				continue // the validator reports it (SR-TID-05)
			}
			if s := r.section(it); s != nil {
				body.Add(s)
			}
		default:
			r.tid.Errorf("SR-TID-05", it.at(tag.RelationshipType), "the root has a child by a relationship TID 2000 does not use")
		}
	}
	return body
}

// rootModifier decodes a HAS CONCEPT MOD child of the root: language (TID
// 1204), procedure reported, title (TID 1210), modality, target region.
func (r *reader) rootModifier(body *content.Node, it *dataset, vt string, c code) {
	loc := it.at(tag.ConceptNameCodeSequence)
	switch {
	case c == rowCode(content.TID1204Language):
		// The validator checks there is one, coded in RFC5646: the
		// code value is the tag itself, not a code of a CDA code system.
		if v := it.seq(tag.ConceptCodeSequence); len(v) == 1 {
			body.Add(content.TID1204Language.Node()).Code = content.Code{Value: v[0].str(tag.CodeValue), Designator: dicomdict.DesignatorLanguage, Meaning: r.textOf(v[0].get(tag.CodeMeaning))}
		}
	case fits(content.TID2000Procedure, c, vt):
		if hasRow(body, content.TID2000Procedure) {
			r.model.Warnf(RuleNotCarried, loc, "a second Procedure reported is not carried: the model has one procedure code")
		} else if v := r.valueTreeCode(it); !v.IsZero() {
			body.Add(content.TID2000Procedure.Node()).Code = v
		}
	case fits(content.TID1210EquivalentMeaning, c, vt) && vt == content.Text.String():
		n := body.Add(content.TID1210EquivalentMeaning.Node())
		n.Text = r.textOf(it.get(tag.TextValue))
	case fits(content.TID1210EquivalentMeaning, c, vt) && vt == content.CodeValue.String():
		n := body.Add(content.TID1210EquivalentMeaning.Node())
		n.Type, n.Code = content.CodeValue, r.valueTreeCode(it)
	case fits(content.TID2000AcquisitionDevice, c, vt):
		body.Add(content.TID2000AcquisitionDevice.Node()).Code = r.valueTreeCode(it)
	case fits(content.TID2000TargetRegion, c, vt):
		r.model.Warnf(RuleNotCarried, loc, "Target Region is not carried: the model has no place for it, and the title and procedure name the region")
	default:
		r.tid.Errorf("SR-TID-05", loc, "the root has a HAS CONCEPT MOD item that is not a row of TID 2000")
	}
}

// hasRow reports whether n has a child of row row.
func hasRow(n *content.Node, row *content.Row) bool {
	for _, c := range n.Children {
		if row.Is(c) {
			return true
		}
	}
	return false
}

// observerOpen reports whether a person observer's name has come since
// the last Observer Type, as content.ContextOf reads the rows: the
// organization and role rows that follow belong to it; others have no
// observer to belong to, so they are not decoded.
func observerOpen(body *content.Node) bool {
	for i := len(body.Children) - 1; i >= 0; i-- {
		switch c := body.Children[i]; {
		case content.TID1003Name.Is(c):
			return true
		case content.TID1002ObserverType.Is(c):
			return false
		}
	}
	return false
}

// observerContext decodes a HAS OBS CONTEXT child of the root (TID 1001).
// Person observers (TID 1002/1003) come as a run of items, each opened by
// Observer Type or the name; content.ContextOf takes the first as the
// author, so the tree keeps the items of every person observer in order.
func (r *reader) observerContext(body *content.Node, it *dataset, vt string, c code) {
	loc := it.at(tag.ConceptNameCodeSequence)
	if c.scheme != "DCM" {
		r.tid.Errorf("SR-TID-04", loc, "HAS OBS CONTEXT item whose concept is not one of TID 1001's context templates")
		return
	}
	switch v := c.value; {
	case fits(content.TID1002ObserverType, c, vt):
		switch t := r.valueTreeCode(it); t.Value {
		case dicomdict.DCMPerson.Value:
			body.Add(content.TID1002ObserverType.Node()).Code = t // a new person observer follows
		case dicomdict.DCMDevice.Value:
			r.model.Errorf(RuleNotRepresentable, loc, "a device observer (TID 1004) is not representable: the model's author is a person")
		default:
			r.tid.Errorf("SR-TID-04", loc, "Observer Type is neither Person nor Device (CID 270)")
		}
	case fits(content.TID1003Name, c, vt):
		// Each name opens an observer, whether or not an Observer Type
		// came before it.
		name := content.Name(r.personName(it.get(tag.PersonName), "Person Observer Name"))
		if hasRow(body, content.TID1003Name) && !r.extraObserver {
			r.extraObserver = true
			r.model.Warnf(RuleNotCarried, loc, "further person observers are not carried: the model has one author")
		}
		body.Add(content.TID1003Name.Node()).PersonName = name
	case fits(content.TID1003Organization, c, vt):
		if observerOpen(body) {
			body.Add(content.TID1003Organization.Node()).Text = r.textOf(it.get(tag.TextValue))
		}
	case fits(content.TID1003RoleInOrganization, c, vt):
		if observerOpen(body) {
			body.Add(content.TID1003RoleInOrganization.Node()).Code = r.valueTreeCode(it)
		}
	case personObserverRest[v]:
	case deviceObserver[v]:
		r.model.Errorf(RuleNotRepresentable, loc, "a device observer (TID 1004) is not representable: the model's author is a person")
	case procedureContext[v]:
		r.model.Add(issue.Info, RuleNotCarried, loc, "procedure context (TID 1005) at the root is not carried: the header names the study")
	case v == dicomdict.DCMSubjectClass.Value && vt == "CODE":
		if r.valueCode(it).GetCode() != dicomdict.DCMPatient.Value {
			r.model.Errorf(RuleNotRepresentable, loc, "a subject other than the patient (TID 1006) is not representable")
		}
	case patientSubject[v]:
		r.model.Add(issue.Info, RuleNotCarried, loc, "patient subject context (TID 1007) is not carried: the header names the patient")
	case otherSubject[v]:
		r.model.Errorf(RuleNotRepresentable, loc, "a fetus or specimen subject context (TID 1008/1009) is not representable")
	default:
		r.tid.Errorf("SR-TID-04", loc, "HAS OBS CONTEXT item whose concept is not one of TID 1001's context templates")
	}
}

// section decodes one heading CONTAINER (TID2000Section) and its TID 2002
// content into a tree node; content.SectionsOf maps it to the model. What
// the model cannot hold is reported here, with its place in the SR.
func (r *reader) section(it *dataset) *content.Node {
	names := it.seq(tag.ConceptNameCodeSequence)
	if len(names) != 1 {
		r.tid.Errorf("SR-TID-06", it.at(tag.ConceptNameCodeSequence), "section CONTAINER has no heading concept name")
		return nil
	}
	c := conceptOf(it)
	s := content.TID2000Section.Node()
	if k, ok := headingKinds[c]; ok {
		r.knownHeadings++
		h := content.Headings[k]
		s.Heading = &h
	} else {
		if _, _, ok := dicomdict.ReportHeading(c.scheme, c.value); ok {
			r.knownHeadings++
		} else {
			r.model.Warnf("SR-TID-06", it.at(tag.ConceptNameCodeSequence), "section heading is not from CID 7001; it is read as a coded section")
		}
		s.Concept = r.treeCode(names[0], "the section heading")
	}
	for _, child := range it.seq(tag.ContentSequence) {
		rel, vt := child.str(tag.RelationshipType), child.str(tag.ValueType)
		loc := child.at(tag.ValueType)
		switch {
		case r.byReference(child):
			continue
		case rel == content.TID2000SectionObsContext.Rel.String():
			r.model.Errorf(RuleNotRepresentable, child.at(tag.RelationshipType), "section-level observation context (%s) is not representable: the model has one observer", content.TID2000SectionObsContext)
			continue
		case rel != content.TID2002Observation.Rel.String():
			r.tid.Errorf("SR-TID-07", child.at(tag.RelationshipType), "a section holds a child by a relationship TID 2002 does not use")
			continue
		}
		switch vt {
		case "TEXT", "CODE", "NUM":
			if n := r.item(child, vt); n != nil {
				s.Add(n)
			}
		case "IMAGE":
			r.model.Errorf(RuleNotRepresentable, loc, "an IMAGE held directly by a section (a key image) is not representable: the model has images only as evidence of an observation")
		default:
			r.tid.Errorf("SR-TID-07", loc, "a section holds an item of value type %s; TID 2002 allows TEXT, CODE, NUM and IMAGE", vtName(vt))
		}
	}
	return s
}

// item decodes a TEXT, CODE or NUM item of a section (TID 2002) with the
// children the model has: the finding site, image evidence, and
// measurements it was inferred from.
func (r *reader) item(it *dataset, vt string) *content.Node {
	n := &content.Node{Relationship: content.Contains}
	if names := it.seq(tag.ConceptNameCodeSequence); len(names) == 1 {
		n.Concept = r.treeCode(names[0], "a concept name")
	}
	switch vt {
	case "TEXT":
		n.Type, n.Text = content.Text, r.textOf(it.get(tag.TextValue))
	case "CODE":
		n.Type, n.Code = content.CodeValue, r.valueTreeCode(it)
	case "NUM":
		num := r.measurement(it)
		if num == nil {
			return nil
		}
		n.Type, n.Num = content.Num, num
	}
	site := false
	for _, child := range it.seq(tag.ContentSequence) {
		rel, cvt := child.str(tag.RelationshipType), child.str(tag.ValueType)
		loc := child.at(tag.RelationshipType)
		switch {
		case r.byReference(child):
		case rel == "HAS CONCEPT MOD":
			if m := r.modifier(site, child, cvt); m != nil {
				n.Add(m)
				site = !m.Code.IsZero()
			}
		case rel == content.TID2001Image.Rel.String() && cvt == "IMAGE":
			if im := r.image(child); im != nil {
				n.Add(im)
			}
		case rel == "INFERRED FROM" && cvt == "NUM" && vt != "NUM":
			r.model.Warnf(RuleNotCarried, loc, "a measurement inferred from a %s item becomes an observation of its own after it: the model does not nest observations", vt)
			if m := r.item(child, cvt); m != nil {
				m.Relationship = content.InferredFrom
				n.Add(m)
			}
		case vt == "NUM":
			r.model.Errorf(RuleNotRepresentable, loc, "a NUM child other than image evidence and a finding site (e.g. spatial coordinates) is not representable")
		case rel == "INFERRED FROM":
			r.tid.Errorf("SR-TID-08", child.at(tag.ValueType), "%s is inferred from a %s item; TID 2001 allows only IMAGE and measurements", vt, vtName(cvt))
		default:
			r.tid.Errorf("SR-TID-08", loc, "a %s item of a section has a child by a relationship TID 2002 does not use", vt)
		}
	}
	return n
}

// byReference reports whether a content item points at another one
// (Referenced Content Item Identifier) instead of holding a value, and
// reports such an item as not representable.
func (r *reader) byReference(it *dataset) bool {
	if it.get(tag.ReferencedContentItemIdentifier) == nil {
		return false
	}
	r.model.Errorf(RuleNotRepresentable, it.at(tag.ReferencedContentItemIdentifier), "a by-reference relationship (Comprehensive SR) is not representable: the model's tree is by-value")
	return true
}

// modifier decodes a HAS CONCEPT MOD child of an item: the finding site
// is the one the model has (PS3.20 maps it to targetSiteCode); site says
// whether the item has one already.
func (r *reader) modifier(site bool, it *dataset, vt string) *content.Node {
	loc := it.at(tag.ConceptNameCodeSequence)
	c := conceptOf(it)
	isSite := c == codeOf(dicomdict.SCTFindingSite) || c == codeOf(dicomdict.SRTFindingSite)
	switch {
	case !isSite || vt != "CODE":
		r.model.Errorf(RuleNotRepresentable, loc, "a concept modifier other than one coded Finding Site (e.g. laterality) is not representable")
	case site:
		r.model.Errorf(RuleNotRepresentable, loc, "a second Finding Site is not representable: the model has one per observation")
	default:
		return &content.Node{Relationship: content.HasConceptMod, Type: content.CodeValue, Concept: content.ConceptFindingSite, Code: r.valueTreeCode(it)}
	}
	return nil
}

// measurement reads the value of a NUM (TID 1400-1404) in its UCUM unit.
func (r *reader) measurement(it *dataset) *content.Numeric {
	mv := it.seq(tag.MeasuredValueSequence)
	if len(mv) != 1 {
		r.model.Errorf(RuleNotRepresentable, it.at(tag.MeasuredValueSequence), "a NUM without a measured value (a Numeric Value Qualifier) is not representable")
		return nil
	}
	m := &content.Numeric{Value: strings.TrimSpace(mv[0].str(tag.NumericValue))}
	if units := mv[0].seq(tag.MeasurementUnitsCodeSequence); len(units) == 1 {
		m.Unit = content.Code{Value: units[0].str(tag.CodeValue), Meaning: r.textOf(units[0].get(tag.CodeMeaning))}
	}
	return m
}

// image decodes an IMAGE item (TID2001Image): its purpose is the concept
// name (CID 7003), its study and series come from the evidence
// sequences.
func (r *reader) image(it *dataset) *content.Node {
	loc := it.at(tag.ReferencedSOPSequence)
	refs := it.seq(tag.ReferencedSOPSequence)
	if len(refs) != 1 {
		return nil // the validator reports it (SR-CI-08)
	}
	ref := refs[0]
	im := &content.ImageRef{SOPClassUID: ref.str(tag.ReferencedSOPClassUID), SOPInstanceUID: ref.str(tag.ReferencedSOPInstanceUID)}
	if h, ok := r.home[im.SOPInstanceUID]; ok {
		im.StudyUID, im.SeriesUID = h.study, h.series
	}
	if e := ref.get(tag.ReferencedFrameNumber); e != nil {
		for _, f := range e.strings() {
			n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
			if err != nil || n < 1 {
				r.model.Errorf(RuleNotRepresentable, e.loc(), "Referenced Frame Number is not a frame number of 1 or more")
				continue
			}
			im.Frames = append(im.Frames, int32(n))
		}
	}
	if ref.get(tag.ReferencedSegmentNumber) != nil {
		r.model.Errorf(RuleNotRepresentable, ref.at(tag.ReferencedSegmentNumber), "a reference to segments is not representable: the model references images and frames")
	}
	if ref.get(tag.ReferencedSOPSequence) != nil {
		r.model.Add(issue.Info, RuleNotCarried, ref.at(tag.ReferencedSOPSequence), "the presentation state of an image reference is not carried")
	}
	n := content.TID2001Image.Node()
	n.Image = im
	if names := it.seq(tag.ConceptNameCodeSequence); len(names) == 1 {
		n.Concept = r.treeCode(names[0], "the purpose of reference")
	} else {
		r.model.Add(issue.Info, RuleDefaulted, loc, "IMAGE has no purpose of reference; the model gives it (121080, DCM, \"Best illustration of finding\")")
	}
	if len(it.seq(tag.ContentSequence)) > 0 {
		r.model.Errorf(RuleNotRepresentable, it.at(tag.ContentSequence), "children of an IMAGE item are not representable")
	}
	return n
}

// valueCode returns the Concept Code Sequence value of a CODE item.
func (r *reader) valueCode(it *dataset) *pb.Code { return content.ProtoCode(r.valueTreeCode(it)) }

// valueTreeCode returns the Concept Code Sequence value of a CODE item as
// a tree code.
func (r *reader) valueTreeCode(it *dataset) content.Code {
	v := it.seq(tag.ConceptCodeSequence)
	if len(v) != 1 {
		return content.Code{} // the validator reports it (SR-CI-04)
	}
	return r.treeCode(v[0], "a coded value")
}

// localSchemeOID returns the OID of a well-known scheme the API does not
// name (PS3.16 Table 8-1), for codes an SR carries without a Coding Scheme
// Identification Sequence; "" for others.
func localSchemeOID(designator string) string {
	if s, ok := dicomdict.SchemeByDesignator(designator); ok && s.API == pb.CodingScheme_CODING_SCHEME_UNSPECIFIED {
		return s.OID
	}
	return ""
}

// code converts one Code Sequence Macro item (PS3.3 Table 8.8-1) to the
// model; see treeCode.
func (r *reader) code(it *dataset, what string) *pb.Code {
	return content.ProtoCode(r.treeCode(it, what))
}

// treeCode decodes one Code Sequence Macro item (PS3.3 Table 8.8-1).
// Schemes the API does not name keep their designator and take the OID
// from the SR's Coding Scheme Identification Sequence or a well-known
// scheme; without an OID a CDA could not name the code system, so the
// code is not representable. A code without a value is the zero Code.
func (r *reader) treeCode(it *dataset, what string) content.Code {
	value := it.str(tag.CodeValue)
	if value == "" {
		value = it.str(tag.LongCodeValue)
	}
	if value == "" {
		if it.get(tag.URNCodeValue) != nil {
			r.model.Errorf(RuleNotRepresentable, it.at(tag.URNCodeValue), "%s is a URN code without a coding scheme, which the model cannot name", what)
		}
		return content.Code{} // the validator reports a code without a value (SR-CI-12)
	}
	c := content.Code{Value: value, Designator: it.str(tag.CodingSchemeDesignator), Meaning: r.textOf(it.get(tag.CodeMeaning))}
	if known, _ := dicomdict.SchemeByDesignator(c.Designator); known.API != pb.CodingScheme_CODING_SCHEME_UNSPECIFIED {
		c.OID = known.OID
		return c
	}
	c.OID = r.schemes[c.Designator]
	if c.OID == "" {
		c.OID = localSchemeOID(c.Designator)
	}
	if c.OID == "" {
		r.model.Errorf(RuleNotRepresentable, it.at(tag.CodingSchemeDesignator), "%s is coded in a scheme whose OID neither the SR's Coding Scheme Identification Sequence nor the well-known schemes give", what)
	}
	return c
}
