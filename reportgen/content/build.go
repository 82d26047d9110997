package content

import (
	"fmt"
	"strings"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
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
	TemplateID   string
	HeadingCodes HeadingCodes
}

// Build makes the content tree of a checked report. It assumes the input
// passed the engine's checks; what it cannot map it reports as an error
// rather than guessing.
func Build(r *pb.Report, id Identity, opt Options) (*Document, error) {
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
		t, err := ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("report.patient.birth_date %w", err)
		}
		d.BirthDate = t.Format("20060102")
	}
	d.Language = r.GetLanguage()
	if d.Language == "" {
		d.Language = "en-US"
	}
	d.DocumentCode = FromProto(r.GetDocumentCode())
	if d.DocumentCode.IsZero() {
		d.DocumentCode = DocDiagnosticImaging
	}
	d.Title = r.GetTitle()
	if d.Title == "" {
		d.Title = d.DocumentCode.Meaning
	}

	root := &Node{Type: Container, Concept: d.DocumentCode, ID: "root"}
	d.Root = root
	root.Add(&Node{Relationship: HasConceptMod, Type: CodeValue, Concept: ConceptLanguage,
		Code: Code{Value: d.Language, Designator: "RFC5646", Meaning: languageMeaning(d.Language)}})
	if pc := r.GetStudy().GetProcedureCode(); pc != nil {
		root.Add(&Node{Relationship: HasConceptMod, Type: CodeValue, Concept: ConceptProcedure, Code: FromProto(pc)})
	}
	// TID 1001/1002/1003: the reporting radiologist as person observer, so
	// the SR says who observed without relying on header inheritance.
	root.Add(&Node{Relationship: HasObsContext, Type: CodeValue, Concept: ConceptObserverType, Code: ObserverPerson})
	root.Add(&Node{Relationship: HasObsContext, Type: PName, Concept: ConceptObserverName, PersonName: Name(r.GetAuthor().GetName())})
	if org := r.GetAuthor().GetOrganization(); org != "" {
		root.Add(&Node{Relationship: HasObsContext, Type: Text, Concept: ConceptObserverOrg, Text: org})
	}

	seen := map[string]bool{}
	defaults := defaultImage{study: r.GetStudy().GetStudyInstanceUid(), modality: firstModality(r.GetStudy())}
	for si, s := range r.GetSections() {
		sec, err := buildSection(s, si+1, opt.HeadingCodes, defaults)
		if err != nil {
			return nil, fmt.Errorf("report.sections[%d]: %w", si, err)
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
	}
	return d, nil
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

func buildSection(s *pb.Section, idx int, codes HeadingCodes, def defaultImage) (*Node, error) {
	var h Heading
	if s.GetKind() == pb.SectionKind_SECTION_KIND_CODED {
		c := FromProto(s.GetCode())
		h = Heading{Kind: s.GetKind(), LOINC: c, DCM: c, Title: c.Meaning, Element: ConceptFinding}
	} else {
		var ok bool
		if h, ok = Headings[s.GetKind()]; !ok {
			return nil, fmt.Errorf("kind: unknown section kind %v", s.GetKind())
		}
	}
	sec := &Node{Relationship: Contains, Type: Container, Heading: &h, ID: fmt.Sprintf("s%d", idx)}
	sec.Concept = h.LOINC
	if codes == HeadingDCM {
		sec.Concept = h.DCM
	}
	sec.Title = s.GetTitle()
	if sec.Title == "" {
		sec.Title = h.Title
	}
	n := 0
	next := func() string { n++; return fmt.Sprintf("%s.%d", sec.ID, n) }
	for _, p := range Paragraphs(s.GetText()) {
		sec.Add(&Node{Relationship: Contains, Type: Text, Concept: h.Element, Text: p, ID: next()})
	}
	for oi, o := range s.GetObservations() {
		item, err := buildObservation(o, h.Element, def)
		if err != nil {
			return nil, fmt.Errorf("observations[%d]: %w", oi, err)
		}
		item.ID = next()
		sec.Add(item)
	}
	return sec, nil
}

func buildObservation(o *pb.Observation, element Code, def defaultImage) (*Node, error) {
	item := &Node{Relationship: Contains, Concept: FromProto(o.GetConcept())}
	switch v := o.GetValue().(type) {
	case *pb.Observation_Text:
		item.Type, item.Text = Text, v.Text
	case *pb.Observation_Code:
		item.Type, item.Code = CodeValue, FromProto(v.Code)
	case *pb.Observation_Measurement:
		unit := UCUM(v.Measurement.GetUnit(), v.Measurement.GetUnitDisplayName())
		if unit.Meaning == "" {
			unit.Meaning = unit.Value
		}
		item.Type, item.Num = Num, &Numeric{Value: v.Measurement.GetValue(), Unit: unit}
	default:
		return nil, fmt.Errorf("value: not set")
	}
	if item.Concept.IsZero() {
		item.Concept = element
	}
	if fs := o.GetFindingSite(); fs != nil {
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
		item.Add(&Node{Relationship: InferredFrom, Type: Image, Concept: purpose, Image: ref})
	}
	return item, nil
}

// Paragraphs splits narrative text at blank lines, trimming each paragraph
// and dropping empty ones; line breaks inside a paragraph are kept.
func Paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	var cur []string
	flush := func() {
		if p := strings.TrimSpace(strings.Join(cur, "\n")); p != "" {
			out = append(out, p)
		}
		cur = cur[:0]
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return out
}

// Name converts an API person name.
func Name(n *pb.PersonName) PersonName {
	return PersonName{Family: n.GetFamily(), Given: n.GetGiven(), Prefix: n.GetPrefix(), Suffix: n.GetSuffix()}
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
