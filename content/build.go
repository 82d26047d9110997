package content

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/dicomdict"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/templates"
)

// HeadingCodes chooses the code set of SR section headings.
type HeadingCodes int

// Heading code sets.
const (
	// HeadingLOINC uses the current CID 7001 LOINC codes.
	HeadingLOINC HeadingCodes = iota
	// HeadingDCM uses the retired DCM codes older receivers know.
	HeadingDCM
)

// Options tune Build.
type Options struct {
	// TemplateID names the template in the Document; it defaults to
	// Template's id.
	TemplateID   string
	HeadingCodes HeadingCodes
	// Template, when set, drives the tree: section order and titles, the
	// narrative of sections and observations, the document code, title and
	// procedure code a report without them gets, and the SR IOD it
	// prefers. Nil keeps the request's own order and the kinds' titles.
	Template *templates.Template
}

// Build makes the content tree of a checked report. It assumes the input
// passed the engine's checks; what it cannot map it reports as an error
// rather than guessing.
//
// With a template, the sections the template lists come first, in its
// order (several request sections of one kind keep their request order);
// the request sections it does not list follow in request order, so
// nothing the caller sent is dropped.
func Build(r *pb.Report, id Identity, opt Options) (*Document, error) {
	t := opt.Template
	if t != nil {
		if opt.TemplateID == "" {
			opt.TemplateID = t.ID
		}
		if dp := t.DefaultProcedure(); dp != nil && r.GetStudy() != nil && r.GetStudy().GetProcedureCode() == nil {
			// Both encoders read the procedure from the report, so the
			// default goes into a copy of it rather than into the tree
			// only: the CDA and the SR must name the same procedure.
			r = proto.Clone(r).(*pb.Report)
			r.Study.ProcedureCode = proto.Clone(dp).(*pb.Code)
		}
	}
	d := &Document{Report: r, TemplateID: opt.TemplateID, Identity: id}
	var err error
	if d.ReportTime, err = ParseTime(r.GetReportTime()); err != nil {
		return nil, fmt.Errorf("report.report_time %w", err)
	}
	if d.StudyTime, err = ParseTime(r.GetStudy().GetStartTime()); err != nil {
		return nil, fmt.Errorf("report.study.start_time %w", err)
	}
	if s := r.GetSignatureTime(); s != "" {
		if d.SignatureTime, err = ParseTime(s); err != nil {
			return nil, fmt.Errorf("report.signature_time %w", err)
		}
	}
	if s := r.GetPatient().GetBirthDate(); s != "" {
		if _, d.BirthDate, err = ParseBirthDate(s); err != nil {
			return nil, fmt.Errorf("report.patient.birth_date %w", err)
		}
	}
	d.Language = r.GetLanguage()
	if d.Language == "" {
		d.Language = "en-US"
	}
	d.DocumentCode = FromProto(r.GetDocumentCode())
	if d.DocumentCode.IsZero() && t != nil {
		d.DocumentCode = FromProto(t.DocumentCode)
	}
	if d.DocumentCode.IsZero() {
		d.DocumentCode = DocDiagnosticImaging
	}
	d.Title = r.GetTitle()
	if d.Title == "" && t != nil {
		d.Title = t.Title
	}
	if d.Title == "" {
		d.Title = d.DocumentCode.Meaning
	}

	d.SRTitle = SRTitleFor(d.DocumentCode, t)
	root := TID2000Root.Node()
	root.Concept, root.ID = d.SRTitle, "root"
	d.Root = root
	lang := root.Add(TID1204Language.Node())
	lang.Code = Code{Value: d.Language, Designator: dicomdict.DesignatorLanguage, Meaning: languageMeaning(d.Language)}
	if pc := r.GetStudy().GetProcedureCode(); pc != nil {
		root.Add(TID2000Procedure.Node()).Code = FromProto(pc)
	}
	// TID 1001/1002/1003: the reporting radiologist as person observer, so
	// the SR says who observed without relying on header inheritance.
	root.Add(TID1002ObserverType.Node()).Code = ObserverPerson
	root.Add(TID1003Name.Node()).PersonName = Name(r.GetAuthor().GetName())
	if org := r.GetAuthor().GetOrganization(); org != "" {
		root.Add(TID1003Organization.Node()).Text = org
	}

	if t != nil {
		for _, ts := range t.Sections {
			if ts.Kind == pb.SectionKind_SECTION_KIND_FINDINGS && ts.Title != "" {
				d.FindingsTitle = ts.Title
				break
			}
		}
	}
	seen := map[string]bool{}
	b := &builder{
		codes:    opt.HeadingCodes,
		defaults: defaultImage{study: r.GetStudy().GetStudyInstanceUid(), modality: firstModality(r.GetStudy())},
		study:    studyData(r.GetStudy()),
	}
	for i, p := range placeSections(r.GetSections(), t) {
		sec, err := b.section(p.sec, i+1, p.ts)
		if err != nil {
			return nil, fmt.Errorf("report.sections[%d]: %w", p.index, err)
		}
		root.Add(sec)
	}
	root.Walk(func(_, n *Node) bool {
		if n.Type == Image && !seen[n.Image.SOPInstanceUID] {
			seen[n.Image.SOPInstanceUID] = true
			d.Evidence = append(d.Evidence, n.Image)
		}
		return true
	})
	if d.Identity.SOPClassUID == "" {
		d.Identity.SOPClassUID = ChooseIOD(root)
		if t != nil {
			d.Identity.SOPClassUID = preferIOD(d.Identity.SOPClassUID, t.SRIOD)
		}
	}
	return d, nil
}

// GenericSRTitle is the CID 7000 title of a report for which no more
// specific one is known.
var GenericSRTitle = FromDict(dicomdict.LNDiagnosticImagingReport)

// SRTitleFor returns the SR document title of a report with document code
// dc built with template t (nil for none). TID 2000 takes its title from
// CID 7000, which holds far fewer codes than the LOINC imaging document
// codes a CDA may use: a document code that is a CID 7000 title is the SR
// title too, as the caller wrote it; otherwise the template's SR
// title when dc is the template's document code; otherwise the generic
// Diagnostic Imaging Report. The CDA keeps dc either way.
func SRTitleFor(dc Code, t *templates.Template) Code {
	if _, ok := dicomdict.DocumentTitle(dc.Designator, dc.Value); ok {
		return dc
	}
	if t != nil && t.SRTitle != nil && FromProto(t.DocumentCode).Value == dc.Value && FromProto(t.DocumentCode).Designator == dc.Designator {
		// The CID's code meaning: the template's title stands for it.
		st := FromProto(t.SRTitle)
		if c, ok := dicomdict.DocumentTitle(st.Designator, st.Value); ok {
			st.Meaning = c.Meaning
			return st
		}
	}
	return GenericSRTitle
}

// iodRank orders the SR IODs by what they can hold: each holds all the
// one before it can.
var iodRank = map[string]int{BasicTextSR: 0, EnhancedSR: 1, ComprehensiveSR: 2}

// preferIOD raises the IOD the content needs to the template's preference;
// it never lowers it, since a tree that needs Enhanced SR is invalid as
// Basic Text SR.
func preferIOD(needed string, pref templates.SRIOD) string {
	want := map[templates.SRIOD]string{
		templates.SRIODBasicText: BasicTextSR, templates.SRIODEnhanced: EnhancedSR, templates.SRIODComprehensive: ComprehensiveSR,
	}[pref]
	if want != "" && iodRank[want] > iodRank[needed] {
		return want
	}
	return needed
}

// placed is a request section in document order.
type placed struct {
	sec   *pb.Section
	index int // in the request, for error paths
	ts    *templates.Section
}

func placeSections(secs []*pb.Section, t *templates.Template) []placed {
	out := make([]placed, 0, len(secs))
	if t == nil {
		for i, s := range secs {
			out = append(out, placed{s, i, nil})
		}
		return out
	}
	used := make([]bool, len(secs))
	for _, ts := range t.Sections {
		for i, s := range secs {
			if !used[i] && t.SectionFor(s) == ts {
				out = append(out, placed{s, i, ts})
				used[i] = true
			}
		}
	}
	for i, s := range secs {
		if !used[i] {
			out = append(out, placed{s, i, nil})
		}
	}
	return out
}

// ChooseIOD returns the simplest SR IOD that can hold the tree: Basic Text
// SR unless a NUM item is present or a non-TEXT item has INFERRED FROM
// children (PS3.3 Table A.35.1-2 allows only TEXT as that source), then
// Enhanced SR.
func ChooseIOD(root *Node) string {
	iod := BasicTextSR
	root.Walk(func(p, n *Node) bool {
		if n.Type == Num || (n.Relationship == InferredFrom && p != nil && p.Type != Text) {
			iod = EnhancedSR
			return false
		}
		return true
	})
	return iod
}

type defaultImage struct{ study, modality string }

func firstModality(s *pb.ImagingStudy) string {
	if m := s.GetModalities(); len(m) > 0 {
		return m[0]
	}
	return ""
}

// builder holds what every section of one report needs.
type builder struct {
	codes    HeadingCodes
	defaults defaultImage
	study    templates.StudyData
}

func (b *builder) section(s *pb.Section, idx int, ts *templates.Section) (*Node, error) {
	var h Heading
	if templates.SectionKindOf(s) == pb.SectionKind_SECTION_KIND_FINDINGS {
		// The code decides what a section is: a CODED section coded as
		// Findings is the Findings section, with its heading codes (one
		// meaning, the codes both documents expect for it).
		h = Headings[pb.SectionKind_SECTION_KIND_FINDINGS]
	} else if s.GetKind() == pb.SectionKind_SECTION_KIND_CODED {
		c := FromProto(s.GetCode())
		h = Heading{Kind: s.GetKind(), LOINC: c, DCM: c, Title: c.Meaning, Element: ConceptFinding}
	} else {
		var ok bool
		if h, ok = Headings[s.GetKind()]; !ok {
			return nil, fmt.Errorf("kind: unknown section kind %v", s.GetKind())
		}
	}
	sec := TID2000Section.Node()
	sec.Heading, sec.ID = &h, fmt.Sprintf("s%d", idx)
	sec.Concept = h.LOINC
	if b.codes == HeadingDCM {
		sec.Concept = h.DCM
		// CID 7002 names the History element by the heading's own LOINC
		// code; receivers that know only the retired code set expect the
		// retired code there too.
		if h.Element == h.LOINC {
			h.Element = h.DCM
		}
	}
	// The caller's title wins over the template's, which wins over the
	// kind's: a title the caller sent is never dropped.
	sec.Title = s.GetTitle()
	if sec.Title == "" && ts != nil {
		sec.Title = ts.Title
	}
	if sec.Title == "" {
		sec.Title = h.Title
	}
	text := s.GetText()
	if ts != nil && ts.Narrative != nil {
		out, err := ts.Narrative.Render(templates.SectionData{
			Text: text, Title: sec.Title, Kind: kindName(s.GetKind()), Observations: observationsData(s.GetObservations()), Study: b.study,
		})
		if err != nil {
			return nil, fmt.Errorf("narrative of template rule %s: %w", ts.Rule, err)
		}
		if !strings.Contains(out, strings.TrimSpace(text)) {
			return nil, fmt.Errorf("narrative of template rule %s left out the section text", ts.Rule)
		}
		text = out
	}
	n := 0
	next := func() string { n++; return fmt.Sprintf("%s.%d", sec.ID, n) }
	prose := func(text string) {
		n := sec.Add(TID2002Text.Node())
		n.Concept, n.Text, n.ID = h.Element, text, next()
	}
	for _, p := range Paragraphs(text) {
		prose(p)
	}
	for oi, o := range s.GetObservations() {
		item, err := buildObservation(o, h.Element, b.defaults)
		if err != nil {
			return nil, fmt.Errorf("observations[%d]: %w", oi, err)
		}
		if r := ts.RuleFor(o); r != nil && r.Narrative != nil {
			out, err := r.Narrative.Render(observationData(o))
			if err != nil {
				return nil, fmt.Errorf("observations[%d]: narrative of template rule %s: %w", oi, r.Rule, err)
			}
			out = strings.TrimSpace(out)
			if item.Type == Text {
				// The narrative is the text item's value, so it must
				// still hold what the caller wrote.
				if !strings.Contains(out, strings.TrimSpace(item.Text)) {
					return nil, fmt.Errorf("observations[%d]: narrative of template rule %s left out the observation text", oi, r.Rule)
				}
				item.Text = out
			} else if out != "" {
				// A coded or measured value keeps its own item; the
				// sentence goes before it as prose both documents show.
				prose(out)
			}
		}
		item.ID = next()
		sec.Add(item)
	}
	return sec, nil
}

func kindName(k pb.SectionKind) string { return strings.TrimPrefix(k.String(), "SECTION_KIND_") }

func codeData(c *pb.Code) templates.CodeData {
	if c == nil {
		return templates.CodeData{}
	}
	return templates.CodeData{Code: c.GetCode(), Scheme: strings.TrimPrefix(c.GetScheme().String(), "CODING_SCHEME_"), Meaning: c.GetDisplayName()}
}

func studyData(s *pb.ImagingStudy) templates.StudyData {
	return templates.StudyData{Modalities: s.GetModalities(), Procedure: codeData(s.GetProcedureCode()), ProcedureDescription: s.GetProcedureDescription()}
}

func observationsData(obs []*pb.Observation) []templates.ObservationData {
	out := make([]templates.ObservationData, 0, len(obs))
	for _, o := range obs {
		out = append(out, observationData(o))
	}
	return out
}

func observationData(o *pb.Observation) templates.ObservationData {
	d := templates.ObservationData{Concept: codeData(o.GetConcept()), FindingSite: codeData(o.GetFindingSite()), Images: len(o.GetImages())}
	switch v := o.GetValue().(type) {
	case *pb.Observation_Text:
		d.Type, d.Text = "text", v.Text
	case *pb.Observation_Code:
		d.Type, d.Code = "code", codeData(v.Code)
	case *pb.Observation_Measurement:
		d.Type = "measurement"
		d.Value, d.Unit, d.UnitName = v.Measurement.GetValue(), v.Measurement.GetUnit(), v.Measurement.GetUnitDisplayName()
	}
	return d
}

func buildObservation(o *pb.Observation, element Code, def defaultImage) (*Node, error) {
	var item *Node
	switch v := o.GetValue().(type) {
	case *pb.Observation_Text:
		item = TID2002Text.Node()
		item.Text = v.Text
	case *pb.Observation_Code:
		item = TID2002Code.Node()
		item.Code = FromProto(v.Code)
	case *pb.Observation_Measurement:
		unit := UCUM(v.Measurement.GetUnit(), v.Measurement.GetUnitDisplayName())
		if unit.Meaning == "" {
			unit.Meaning = unit.Value
		}
		// TID 2002's row that includes TID 2001 holds the NUM.
		item = TID2001Numeric.Node()
		item.Relationship = TID2002Observation.Rel
		item.Num = &Numeric{Value: v.Measurement.GetValue(), Unit: unit}
	default:
		return nil, fmt.Errorf("value: not set")
	}
	item.Concept = FromProto(o.GetConcept())
	if item.Concept.IsZero() {
		item.Concept = element
	}
	if fs := o.GetFindingSite(); fs != nil {
		// The finding site post-coordinates the concept name of the
		// finding (TEXT or CODE, TID2002Text and TID2002Code) or measurement
		// (NUM, TID 1400-1404 via TID 300 $TargetSite). TID 2002 has no
		// row for it and is non-extensible, yet PS3.16 §6.2.4
		// "Post-coordinated Codes and Has Concept Modifier Relationship"
		// allows it in any template: "the use of any coded Concept Name
		// in any Content Item may be defined in a post-coordinated rather
		// than pre-coordinated manner, unless explicitly forbidden by the
		// IOD or the Template. Accordingly, any such Content Item may have
		// any number of Target Content Items via a HAS CONCEPT MOD
		// relationship, even if not explicitly specified in a Template."
		// Neither TID 2002 nor the SR IODs forbid it (the IODs' tables
		// allow HAS CONCEPT MOD from any source to CODE), and it is what
		// PS3.20 maps to the CDA targetSiteCode. Adding content items to
		// a non-extensible template (§6.2.5) is a different thing: a
		// concept modifier refines an item, it adds no row.
		item.Add(&Node{Relationship: HasConceptMod, Type: CodeValue, Concept: ConceptFindingSite, Code: FromProto(fs)})
	}
	for _, im := range o.GetImages() {
		ref := &ImageRef{
			StudyUID: im.GetStudyInstanceUid(), SeriesUID: im.GetSeriesInstanceUid(),
			SOPClassUID: im.GetSopClassUid(), SOPInstanceUID: im.GetSopInstanceUid(),
			Frames: im.GetFrameNumbers(), Modality: im.GetModality(),
		}
		if ref.StudyUID == "" {
			ref.StudyUID = def.study
		}
		if ref.Modality == "" {
			ref.Modality = def.modality
		}
		purpose := FromProto(im.GetPurpose())
		if purpose.IsZero() {
			purpose = PurposeBestIllustr
		}
		img := item.Add(TID2001Image.Node())
		img.Concept, img.Image = purpose, ref
	}
	return item, nil
}

// Paragraphs splits narrative text at blank lines, trimming each paragraph
// and dropping empty ones. Inside a paragraph the text is kept as sent,
// line ends ("\n" or "\r\n") and tabs included: the SR carries it byte
// for byte.
func Paragraphs(text string) []string {
	var out []string
	start, end := -1, 0 // the current paragraph is text[start:end]
	for pos := 0; pos < len(text); {
		next := len(text)
		if i := strings.IndexByte(text[pos:], '\n'); i >= 0 {
			next = pos + i + 1
		}
		if strings.TrimSpace(text[pos:next]) == "" {
			if start >= 0 {
				out = append(out, strings.TrimSpace(text[start:end]))
				start = -1
			}
		} else {
			if start < 0 {
				start = pos
			}
			end = next
		}
		pos = next
	}
	if start >= 0 {
		out = append(out, strings.TrimSpace(text[start:end]))
	}
	return out
}

// Name converts an API person name.
func Name(n *pb.PersonName) PersonName {
	p := PersonName{Family: n.GetFamily(), Given: n.GetGiven(), Prefix: n.GetPrefix(), Suffix: n.GetSuffix()}
	group := func(g *pb.PersonNameGroup) *PersonName {
		if g == nil {
			return nil
		}
		return &PersonName{Family: g.GetFamily(), Given: g.GetGiven(), Prefix: g.GetPrefix(), Suffix: g.GetSuffix()}
	}
	p.Ideographic, p.Phonetic = group(n.GetIdeographic()), group(n.GetPhonetic())
	return p
}

var languageMeanings = map[string]string{
	"en":    "English",
	"en-US": "English (United States)",
	"en-GB": "English (United Kingdom)",
	"de":    "German",
	"de-DE": "German (Germany)",
	"fr":    "French",
	"fr-FR": "French (France)",
	"es":    "Spanish",
	"es-ES": "Spanish (Spain)",
	"it":    "Italian",
	"nl":    "Dutch",
	"ja":    "Japanese",
	"zh":    "Chinese",
}

func languageMeaning(tag string) string {
	if m, ok := languageMeanings[tag]; ok {
		return m
	}
	return tag
}
