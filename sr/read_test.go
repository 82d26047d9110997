package sr_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/internal/fuzztest"
	"github.com/reportgen/reportgen/internal/samples"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

// treeDiff lists where two content trees differ: value types,
// relationships, concepts, values, image references and section headings.
// The image's modality is left out: an SR does not carry it.
func treeDiff(a, b *content.Node, at string) []string {
	if a == nil || b == nil {
		if a != b {
			return []string{at + ": one side is missing"}
		}
		return nil
	}
	var d []string
	add := func(what string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			d = append(d, fmt.Sprintf("%s %s: %v != %v", at, what, x, y))
		}
	}
	add("relationship", a.Relationship, b.Relationship)
	add("type", a.Type, b.Type)
	add("concept", a.Concept, b.Concept)
	add("text", a.Text, b.Text)
	add("code", a.Code, b.Code)
	add("person name", a.PersonName, b.PersonName)
	if a.Num != nil || b.Num != nil {
		add("num", fmt.Sprint(a.Num), fmt.Sprint(b.Num))
	}
	if a.Image != nil && b.Image != nil {
		ia, ib := *a.Image, *b.Image
		ia.Modality, ib.Modality = "", ""
		add("image", ia, ib)
	} else if a.Image != b.Image {
		d = append(d, at+": image on one side only")
	}
	if a.Heading != nil && b.Heading != nil {
		add("heading", a.Heading.Kind, b.Heading.Kind)
		add("title", a.Title, b.Title)
	}
	add("children", len(a.Children), len(b.Children))
	for i := range min(len(a.Children), len(b.Children)) {
		d = append(d, treeDiff(a.Children[i], b.Children[i], fmt.Sprintf("%s.%d", at, i+1))...)
	}
	return d
}

// TestReadExamples: every example, with either heading code set, reads
// back without errors into a report whose content tree is the one the SR
// was made from, and whose header says what the request said.
func TestReadExamples(t *testing.T) {
	for _, hs := range headingSets {
		for _, ex := range contenttest.Load(t, hs.opt) {
			t.Run(hs.name+"/"+ex.Name, func(t *testing.T) {
				b, err := sr.Encode(ex.Doc)
				if err != nil {
					t.Fatal(err)
				}
				rep, issues, err := sr.Read(b, sr.ReadOptions{})
				if err != nil {
					t.Fatalf("Read: %v\n%s", err, list(issues))
				}
				for _, i := range issues {
					if i.Severity != issue.Info && !(i.RuleID == sr.RuleDefaulted && strings.Contains(i.Message, "custodian")) {
						t.Errorf("unexpected issue %v", i)
					}
				}
				back, err := content.Build(rep, ex.Doc.Identity, hs.opt)
				if err != nil {
					t.Fatalf("Build of the read report: %v", err)
				}
				for _, d := range treeDiff(ex.Doc.Root, back.Root, "1") {
					t.Error(d)
				}
				orig := ex.Request.GetReport()
				checks := []struct {
					what      string
					got, want any
				}{
					{"status", rep.GetStatus(), orig.GetStatus()},
					{"language", back.Language, ex.Doc.Language},
					{"document code", back.DocumentCode, ex.Doc.DocumentCode},
					{"report time", back.ReportTime.Equal(ex.Doc.ReportTime), true},
					{"study time", back.StudyTime.Equal(ex.Doc.StudyTime), true},
					{"signature time", back.SignatureTime.Equal(ex.Doc.SignatureTime), true},
					{"birth date", back.BirthDate, ex.Doc.BirthDate},
					{"patient id", rep.GetPatient().GetIds()[0].GetValue(), orig.GetPatient().GetIds()[0].GetValue()},
					{"patient id issuer", rep.GetPatient().GetIds()[0].GetAssigningAuthorityOid(), orig.GetPatient().GetIds()[0].GetAssigningAuthorityOid()},
					{"patient name", proto.Equal(rep.GetPatient().GetName(), orig.GetPatient().GetName()), true},
					{"sex", rep.GetPatient().GetSex(), orig.GetPatient().GetSex()},
					{"study", rep.GetStudy().GetStudyInstanceUid(), orig.GetStudy().GetStudyInstanceUid()},
					{"accession", rep.GetStudy().GetAccessionNumber() + " " + rep.GetStudy().GetAccessionIssuerOid(), orig.GetStudy().GetAccessionNumber() + " " + orig.GetStudy().GetAccessionIssuerOid()},
					{"procedure", proto.Equal(rep.GetStudy().GetProcedureCode(), orig.GetStudy().GetProcedureCode()), true},
					{"procedure description", rep.GetStudy().GetProcedureDescription(), orig.GetStudy().GetProcedureDescription()},
					{"placer order", rep.GetOrder().GetPlacerOrderNumber().GetValue() + " " + rep.GetOrder().GetPlacerOrderNumber().GetAssigningAuthorityOid(),
						orig.GetOrder().GetPlacerOrderNumber().GetValue() + " " + orig.GetOrder().GetPlacerOrderNumber().GetAssigningAuthorityOid()},
					{"filler order", rep.GetOrder().GetFillerOrderNumber().GetValue(), orig.GetOrder().GetFillerOrderNumber().GetValue()},
					{"author", proto.Equal(rep.GetAuthor().GetName(), orig.GetAuthor().GetName()), true},
					{"author organization", rep.GetAuthor().GetOrganization(), orig.GetAuthor().GetOrganization()},
					{"legal authenticator", proto.Equal(rep.GetLegalAuthenticator().GetName(), orig.GetLegalAuthenticator().GetName()), true},
					{"referring physician", proto.Equal(rep.GetReferringPhysician().GetName(), orig.GetReferringPhysician().GetName()), true},
					{"custodian", rep.GetCustodian().GetName(), orig.GetCustodian().GetName()},
					{"evidence", len(back.Evidence), len(ex.Doc.Evidence)},
				}
				for _, c := range checks {
					if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
						t.Errorf("%s: read %v, want %v", c.what, c.got, c.want)
					}
				}
			})
		}
	}
}

// readCase is an SR made to test one behaviour of Read.
type readCase struct {
	name string
	sr   func(t *testing.T) []byte
	opt  sr.ReadOptions
	// err is the sentinel Read must return, nil for a report.
	err error
	// issues are rule and message fragments that must be among the issues
	// (any severity).
	issues [][2]string
	// check looks at the report when there is one.
	check func(t *testing.T, rep *pb.Report)
}

// fromTree encodes an example after changing its content tree.
func fromTree(name string, change func(d *content.Document)) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		d := example(t, name, content.Options{})
		change(d)
		d.Identity.SOPClassUID = content.ChooseIOD(d.Root)
		b, err := sr.Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

// edited encodes an example and edits the file.
func edited(name string, path []step, e edit) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		b, err := sr.Encode(example(t, name, content.Options{}))
		if err != nil {
			t.Fatal(err)
		}
		return mutate(t, b, path, e)
	}
}

// blankObserverName encodes chest-radiograph with pn as its person
// observer's name, which the encoder would not write.
func blankObserverName(pn string) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		d := example(t, "chest-radiograph", content.Options{})
		i := slices.IndexFunc(d.Root.Children, func(n *content.Node) bool { return n.Concept == content.ConceptObserverName })
		if i < 0 {
			t.Fatal("the example has no person observer name")
		}
		// A name outside ASCII, so the SR's character set is UTF-8.
		d.Root.Children[i].PersonName = content.PersonName{Family: "Zoë"}
		b, err := sr.Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		return mutate(t, b, []step{{tag.ContentSequence, i + 1}}, set(tag.PersonName, []string{pn}))
	}
}

func findings(d *content.Document) *content.Node {
	for _, s := range d.Sections() {
		if s.Heading.Kind == pb.SectionKind_SECTION_KIND_FINDINGS {
			return s
		}
	}
	return nil
}

// firstOf returns the first child of n of value type vt.
func firstOf(n *content.Node, vt content.ValueType) *content.Node {
	for _, c := range n.Children {
		if c.Type == vt {
			return c
		}
	}
	return nil
}

// TestRead covers what Read does with SRs that are not our examples:
// other shapes, missing header data, the options, and content the model
// cannot hold. Each case says which error and which issues it expects.
func TestRead(t *testing.T) {
	for _, c := range readCases() {
		t.Run(c.name, func(t *testing.T) {
			rep, issues, err := sr.Read(c.sr(t), c.opt)
			switch {
			case c.err == nil && err != nil:
				t.Fatalf("Read: %v\n%s", err, list(issues))
			case c.err != nil && !errors.Is(err, c.err):
				t.Fatalf("Read error %v, want %v\n%s", err, c.err, list(issues))
			case c.err != nil && rep != nil:
				t.Fatal("Read gave a report with its error")
			case c.err != nil:
				var re *sr.ReadError
				if !errors.As(err, &re) || !slices.Equal(re.Issues, issues) {
					t.Errorf("the error does not carry the issues")
				}
			}
			for _, want := range c.issues {
				if !slices.ContainsFunc(issues, func(i issue.Issue) bool { return i.RuleID == want[0] && strings.Contains(i.Message, want[1]) }) {
					t.Errorf("no %s issue saying %q:\n%s", want[0], want[1], list(issues))
				}
			}
			if c.check != nil && rep != nil {
				c.check(t, rep)
			}
		})
	}
}

// readCases are TestRead's cases; TestReadGolden snapshots them whole.
func readCases() []readCase {
	berlin := time.FixedZone("", 3600)
	localSite := content.Code{Value: "RID1301", Designator: "99LOCAL", Meaning: "lung"}
	return []readCase{
		{name: "no template reference, TID 2000 shape",
			sr:     edited("ct-chest-measurements", nil, remove(tag.ContentTemplateSequence)),
			issues: [][2]string{{"SR-TID-10", "read as TID 2000"}},
		},
		{name: "no template reference, no CID 7001 heading",
			sr: func(t *testing.T) []byte {
				b := fromTree("chest-radiograph", func(d *content.Document) {
					for _, s := range d.Sections() {
						s.Concept = content.Code{Value: "S" + s.ID, Designator: "99LOCAL", Meaning: "Part"}
					}
				})(t)
				return mutate(t, b, nil, remove(tag.ContentTemplateSequence))
			},
			err:    sr.ErrNotTID2000,
			issues: [][2]string{{"SR-TID-10", "Content Template Sequence"}, {"SR-TID-06", "CID 7001"}},
		},
		{name: "unknown heading with template: a coded section",
			sr: fromTree("chest-radiograph", func(d *content.Document) {
				d.Sections()[0].Concept = content.LOINC("55113-5", "Key Images")
				d.Sections()[1].Concept = content.Code{Value: "X1", Designator: "DCM", Meaning: "Odd heading"}
			}),
			issues: [][2]string{{"SR-TID-06", "coded section"}},
			check: func(t *testing.T, rep *pb.Report) {
				s := rep.GetSections()
				if s[0].GetKind() != pb.SectionKind_SECTION_KIND_CODED || s[0].GetCode().GetCode() != "55113-5" || s[1].GetCode().GetCode() != "X1" {
					t.Errorf("sections %v", s[:2])
				}
			},
		},
		{name: "device observer",
			sr: fromTree("chest-radiograph", func(d *content.Document) {
				for _, c := range d.Root.Children {
					if c.Concept == content.ConceptObserverType {
						c.Code = content.DCM("121007", "Device")
					}
				}
			}),
			err:    sr.ErrNotRepresentable,
			issues: [][2]string{{sr.RuleNotRepresentable, "device observer"}},
		},
		{name: "observation context of a code no context template has",
			// 128776 is Gray Level Run Length Matrix, once taken for a
			// TID 1003 row by mistake.
			sr: fromTree("chest-radiograph", func(d *content.Document) {
				d.Root.Children = slices.Insert(d.Root.Children, 1, &content.Node{Relationship: content.HasObsContext, Type: content.Text,
					Concept: content.DCM("128776", "Gray Level Run Length Matrix"), Text: "x"})
			}),
			err:    sr.ErrNotTID2000,
			issues: [][2]string{{"SR-TID-04", "not one of TID 1001's context templates"}},
		},
		{name: "key image held by a section",
			sr: fromTree("ct-chest-measurements", func(d *content.Document) {
				f := findings(d)
				f.Add(&content.Node{Relationship: content.Contains, Type: content.Image, Concept: content.PurposeBestIllustr, Image: d.Evidence[0]})
			}),
			err:    sr.ErrNotRepresentable,
			issues: [][2]string{{sr.RuleNotRepresentable, "key image"}},
		},
		{name: "laterality",
			sr: fromTree("chest-radiograph", func(d *content.Document) {
				firstOf(findings(d), content.CodeValue).Add(&content.Node{Relationship: content.HasConceptMod, Type: content.CodeValue,
					Concept: content.SCT("272741003", "Laterality"), Code: content.SCT("24028007", "Right")})
			}),
			err:    sr.ErrNotRepresentable,
			issues: [][2]string{{sr.RuleNotRepresentable, "laterality"}},
		},
		{name: "nested section",
			sr: fromTree("chest-radiograph", func(d *content.Document) {
				findings(d).Add(&content.Node{Relationship: content.Contains, Type: content.Container, Concept: content.DCM("121070", "Findings"),
					Children: []*content.Node{{Relationship: content.Contains, Type: content.Text, Concept: content.ConceptFinding, Text: "x"}}})
			}),
			err:    sr.ErrNotTID2000,
			issues: [][2]string{{"SR-TID-07", "CONTAINER"}},
		},
		{name: "text inferred from a measurement",
			sr: fromTree("ct-chest-measurements", func(d *content.Document) {
				f := findings(d)
				text := firstOf(f, content.Text)
				num := firstOf(f, content.Num)
				f.Children = slices.DeleteFunc(f.Children, func(n *content.Node) bool { return n == num })
				num.Relationship = content.InferredFrom
				text.Add(num)
			}),
			issues: [][2]string{{sr.RuleNotCarried, "observation of its own"}},
			check: func(t *testing.T, rep *pb.Report) {
				var f *pb.Section
				for _, s := range rep.GetSections() {
					if s.GetKind() == pb.SectionKind_SECTION_KIND_FINDINGS {
						f = s
					}
				}
				obs := f.GetObservations()
				if len(obs) < 2 || obs[0].GetText() == "" || obs[1].GetMeasurement().GetValue() != "12" {
					t.Errorf("the measurement does not follow its text: %v", obs)
				}
			},
		},
		{name: "code of a scheme without OID",
			sr: fromTree("chest-radiograph", func(d *content.Document) {
				firstOf(findings(d), content.CodeValue).Code = localSite
			}),
			err:    sr.ErrNotRepresentable,
			issues: [][2]string{{sr.RuleNotRepresentable, "Coding Scheme Identification Sequence"}},
		},
		{name: "code of a scheme the SR identifies",
			sr: func(t *testing.T) []byte {
				b := fromTree("chest-radiograph", func(d *content.Document) {
					firstOf(findings(d), content.CodeValue).Code = localSite
				})(t)
				return mutate(t, b, nil, set(tag.CodingSchemeIdentificationSequence, [][]*dicom.Element{{
					mustElement(tag.CodingSchemeDesignator, []string{"99LOCAL"}),
					mustElement(tag.CodingSchemeUID, []string{"1.2.3.4.5"}),
				}}))
			},
			check: func(t *testing.T, rep *pb.Report) {
				var found bool
				for _, s := range rep.GetSections() {
					for _, o := range s.GetObservations() {
						c := o.GetCode()
						found = found || (c.GetScheme() == pb.CodingScheme_CODING_SCHEME_LOCAL && c.GetLocalDesignator() == "99LOCAL" && c.GetLocalOid() == "1.2.3.4.5")
					}
				}
				if !found {
					t.Error("the local code did not keep its designator and OID")
				}
			},
		},
		{name: "no Patient ID issuer",
			sr:     edited("chest-radiograph", nil, remove(tag.IssuerOfPatientIDQualifiersSequence)),
			err:    sr.ErrIncomplete,
			issues: [][2]string{{sr.RuleMissing, "DefaultIssuerOID is not set"}},
		},
		{name: "no Patient ID issuer, default given",
			sr:     edited("chest-radiograph", nil, remove(tag.IssuerOfPatientIDQualifiersSequence)),
			opt:    sr.ReadOptions{DefaultIssuerOID: "1.2.3.4"},
			issues: [][2]string{{sr.RuleDefaulted, "DefaultIssuerOID is used"}},
			check: func(t *testing.T, rep *pb.Report) {
				if got := rep.GetPatient().GetIds()[0].GetAssigningAuthorityOid(); got != "1.2.3.4" {
					t.Errorf("issuer %q", got)
				}
			},
		},
		{name: "no accession issuer",
			sr: edited("chest-radiograph", nil, all(remove(tag.IssuerOfAccessionNumberSequence),
				func(t *testing.T, e []*dicom.Element) []*dicom.Element {
					return at(t, e, []step{{tag.ReferencedRequestSequence, 1}}, remove(tag.IssuerOfAccessionNumberSequence))
				})),
			err:    sr.ErrIncomplete,
			issues: [][2]string{{sr.RuleMissing, "Accession Number has no issuer"}},
		},
		{name: "no time zone",
			sr:     edited("mr-brain", nil, remove(tag.TimezoneOffsetFromUTC)),
			issues: [][2]string{{sr.RuleDefaulted, "read as UTC"}},
			check: func(t *testing.T, rep *pb.Report) {
				if rep.GetReportTime() != "2026-11-22T11:05:00Z" {
					t.Errorf("report time %s", rep.GetReportTime())
				}
			},
		},
		{name: "no time zone, default given",
			sr:     edited("mr-brain", nil, remove(tag.TimezoneOffsetFromUTC)),
			opt:    sr.ReadOptions{DefaultTimeZone: berlin},
			issues: [][2]string{{sr.RuleDefaulted, "DefaultTimeZone"}},
			check: func(t *testing.T, rep *pb.Report) {
				if rep.GetReportTime() != "2026-11-22T11:05:00+01:00" {
					t.Errorf("report time %s", rep.GetReportTime())
				}
			},
		},
		{name: "custodian from the options",
			sr:     edited("chest-radiograph", nil, remove(tag.InstitutionName)),
			opt:    sr.ReadOptions{Custodian: &pb.Organization{Name: "Archive", Ids: []*pb.Identifier{{AssigningAuthorityOid: "1.2.3"}}}},
			issues: [][2]string{{sr.RuleDefaulted, "custodian's name comes from ReadOptions"}, {sr.RuleDefaulted, "identifiers come from ReadOptions"}},
			check: func(t *testing.T, rep *pb.Report) {
				if c := rep.GetCustodian(); c.GetName() != "Archive" || c.GetIds()[0].GetAssigningAuthorityOid() != "1.2.3" {
					t.Errorf("custodian %v", c)
				}
			},
		},
		{name: "no custodian name",
			sr:     edited("chest-radiograph", nil, remove(tag.InstitutionName)),
			err:    sr.ErrIncomplete,
			issues: [][2]string{{sr.RuleMissing, "names no institution"}},
		},
		{name: "Latin-1",
			sr: edited("chest-radiograph", nil, all(set(tag.SpecificCharacterSet, []string{"ISO_IR 100"}),
				set(tag.PatientName, []string{"M\xfcller^Zo\xeb"}))),
			check: func(t *testing.T, rep *pb.Report) {
				if n := rep.GetPatient().GetName(); n.GetFamily() != "Müller" || n.GetGiven()[0] != "Zoë" {
					t.Errorf("name %v", n)
				}
			},
		},
		{name: "ISO 2022 character set",
			sr:     edited("chest-radiograph", nil, set(tag.SpecificCharacterSet, []string{"", "ISO 2022 IR 87"})),
			err:    sr.ErrNotRepresentable,
			issues: [][2]string{{sr.RuleNotRepresentable, "Specific Character Set"}},
		},
		{name: "ideographic and phonetic name groups",
			sr: edited("mr-brain", nil, set(tag.PatientName, []string{"Yamada^Tarou=山田^太郎=やまだ^たろう"})),
			check: func(t *testing.T, rep *pb.Report) {
				n := rep.GetPatient().GetName()
				if n.GetFamily() != "Yamada" || n.GetGiven()[0] != "Tarou" ||
					n.GetIdeographic().GetFamily() != "山田" || n.GetIdeographic().GetGiven()[0] != "太郎" ||
					n.GetPhonetic().GetFamily() != "やまだ" || n.GetPhonetic().GetGiven()[0] != "たろう" {
					t.Errorf("name %v", n)
				}
			},
		},
		{name: "corrected",
			sr: encodeCorrected,
			check: func(t *testing.T, rep *pb.Report) {
				p := rep.GetPredecessor()
				if rep.GetStatus() != pb.ReportStatus_REPORT_STATUS_CORRECTED || p.GetSrSopInstanceUid() != "2.25.13" || p.GetSrSeriesInstanceUid() != "2.25.12" || p.GetCdaDocumentId() != "" {
					t.Errorf("status %v, predecessor %v", rep.GetStatus(), p)
				}
			},
		},
		{name: "addendum",
			sr: func(t *testing.T) []byte {
				d := example(t, "chest-radiograph", content.Options{})
				d.Report.Status = pb.ReportStatus_REPORT_STATUS_ADDENDUM
				d.Report.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.11", SrSeriesInstanceUid: "2.25.12", SrSopInstanceUid: "2.25.13"}
				d.Root.Add(&content.Node{Relationship: content.Contains, Type: content.Container, Concept: content.Headings[pb.SectionKind_SECTION_KIND_ADDENDUM].LOINC,
					Heading:  &content.Heading{Kind: pb.SectionKind_SECTION_KIND_ADDENDUM},
					Children: []*content.Node{{Relationship: content.Contains, Type: content.Text, Concept: content.ConceptFinding, Text: "Later note."}}})
				b, err := sr.Encode(d)
				if err != nil {
					t.Fatal(err)
				}
				return b
			},
			check: func(t *testing.T, rep *pb.Report) {
				if rep.GetStatus() != pb.ReportStatus_REPORT_STATUS_ADDENDUM {
					t.Errorf("status %v", rep.GetStatus())
				}
			},
		},
		{name: "partial",
			sr:     edited("mr-brain", nil, set(tag.CompletionFlag, []string{"PARTIAL"})),
			issues: [][2]string{{sr.RuleNotCarried, "PARTIAL"}},
			check: func(t *testing.T, rep *pb.Report) {
				if rep.GetStatus() != pb.ReportStatus_REPORT_STATUS_PRELIMINARY || rep.GetLegalAuthenticator() != nil {
					t.Errorf("status %v, legal authenticator %v", rep.GetStatus(), rep.GetLegalAuthenticator())
				}
			},
		},
		{name: "author from the verifying observer",
			sr: fromTree("chest-radiograph", func(d *content.Document) {
				d.Root.Children = slices.DeleteFunc(d.Root.Children, func(n *content.Node) bool { return n.Relationship == content.HasObsContext })
			}),
			issues: [][2]string{{sr.RuleDefaulted, "verifying observer is the author"}},
			check: func(t *testing.T, rep *pb.Report) {
				if rep.GetAuthor().GetName().GetFamily() != "Reader" {
					t.Errorf("author %v", rep.GetAuthor())
				}
			},
		},
		// A person observer name whose parts are all white space other
		// than the ASCII space (PS3.5 lets PN hold any character of the
		// repertoire) is no name, as one of spaces always was: the report
		// would have an author without a family name.
		{name: "person observer name of no-break spaces", sr: blankObserverName("\u00a0"), err: sr.ErrIncomplete,
			issues: [][2]string{{sr.RuleMissing, "names no author"}}},
		{name: "person observer name of blank given names", sr: blankObserverName("^\u00a0^\u00a0"), err: sr.ErrIncomplete,
			issues: [][2]string{{sr.RuleMissing, "names no author"}}},
		{name: "person observer name of a blank ideographic group", sr: blankObserverName("=\u3000"), err: sr.ErrIncomplete,
			issues: [][2]string{{sr.RuleMissing, "names no author"}}},
		// The same holds for the header's names: a patient or a signer
		// whose name is only white space is named by nobody.
		{name: "patient name of no-break spaces", sr: edited("chest-radiograph", nil, set(tag.PatientName, []string{"\u00a0"})), err: sr.ErrIncomplete,
			issues: [][2]string{{sr.RuleMissing, "Patient's Name"}}},
		{name: "verifying observer name of an ideographic space", sr: edited("chest-radiograph", []step{{tag.VerifyingObserverSequence, 1}}, set(tag.VerifyingObserverName, []string{"\u3000"})), err: sr.ErrIncomplete,
			issues: [][2]string{{sr.RuleMissing, "legal authenticator needs the name"}}},
		{name: "DCM document title",
			sr: fromTree("chest-radiograph", func(d *content.Document) {
				d.Root.Concept = content.DCM("111400", "Breast Imaging Report")
			}),
			issues: [][2]string{{sr.RuleDefaulted, "18748-4"}},
			check: func(t *testing.T, rep *pb.Report) {
				if rep.GetDocumentCode().GetCode() != "18748-4" || rep.GetTitle() != "Breast Imaging Report" {
					t.Errorf("document code %v, title %q", rep.GetDocumentCode(), rep.GetTitle())
				}
			},
		},
		{name: "not DICOM", sr: func(*testing.T) []byte { return []byte("<ClinicalDocument/>") }, err: sr.ErrInvalidSR,
			issues: [][2]string{{"SR-FILE-01", "not a DICOM Part 10 file"}}},
		{name: "empty", sr: func(*testing.T) []byte { return nil }, err: sr.ErrInvalidSR},
	}
}

// TestReadSamples reads the two public SR samples (internal/samples): both
// are refused as invalid and not TID 2000, with the reasons.
func TestReadSamples(t *testing.T) {
	for _, name := range []string{"reportsi.dcm", "test-SR.dcm"} {
		t.Run(name, func(t *testing.T) {
			b := samples.Read(t, "sr/"+name)
			rep, issues, err := sr.Read(b, sr.ReadOptions{})
			if rep != nil || !errors.Is(err, sr.ErrNotTID2000) || !errors.Is(err, sr.ErrInvalidSR) {
				t.Fatalf("Read = %v, %v; want both ErrNotTID2000 and ErrInvalidSR", rep, err)
			}
			for _, rule := range []string{"SR-TID-10", "SR-TID-02", "SR-TID-06", "SR-MOD-08", "SR-UID-01"} {
				if !hasError(issues, rule) {
					t.Errorf("no %s error:\n%s", rule, list(issues))
				}
			}
			if slices.ContainsFunc(issues, func(i issue.Issue) bool { return strings.HasPrefix(i.RuleID, "SR-READ-") }) {
				t.Errorf("model issues about a file that is not TID 2000 bury the reasons:\n%s", list(issues))
			}
		})
	}
}

// FuzzRead runs Read on arbitrary input, seeded with the examples (also
// deflated) and the public samples: it must return within the deadline
// without panicking, give a report or an error, never both, an error only
// with an error issue that says why, and issues that each have a
// severity, a rule and a message.
func FuzzRead(f *testing.F) {
	for _, b := range encodedExamples(&testing.T{}) {
		f.Add(b)
		f.Add(deflate(&testing.T{}, b))
	}
	for _, name := range []string{"reportsi.dcm", "test-SR.dcm"} {
		f.Add(samples.Read(f, "sr/"+name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzztest.Run(t, func() error {
			rep, issues, err := sr.Read(b, sr.ReadOptions{DefaultIssuerOID: "1.2.3", DefaultAccessionIssuerOID: "1.2.4"})
			if (rep == nil) == (err == nil) {
				return fmt.Errorf("report %v with error %v", rep != nil, err)
			}
			if err != nil && !issues.HasErrors() {
				return fmt.Errorf("error %v without an error issue", err)
			}
			return checkIssues(issues)
		})
	})
}
