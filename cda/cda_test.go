package cda_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/internal/extval"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Schemas are synced into the repository, relative to this package.
const (
	schemaDir  = "../schemas/synced"
	syncAdvice = "run: bash scripts/setup.sh (it syncs the pinned HL7 schema set)"
	wadoBase   = "https://pacs.example.org/wado"
)

var (
	cdaXSD  = filepath.Join(schemaDir, "cda-sdtc", "infrastructure", "cda", "CDA_SDTC.xsd")
	ccdaSch = filepath.Join(schemaDir, "ccda-2.1", "ccda-2.1.sch")
)

type validators struct {
	errors *extval.Schematron
}

// compile checks the schemas are there and compiles the schematron's
// errors phase once for the whole test.
func compile(t *testing.T) validators {
	t.Helper()
	for _, f := range []string{cdaXSD, ccdaSch} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%s is missing; %s", f, syncAdvice)
		}
	}
	s, err := extval.CompileSchematron(ccdaSch, "errors", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return validators{errors: s}
}

// validate runs both independent validators; either finding fails the test.
func (v validators) validate(t *testing.T, doc []byte) {
	t.Helper()
	lines, err := extval.XMLLint(cdaXSD, doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		t.Errorf("XSD: %s", l)
	}
	failed, err := v.errors.Run(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failed {
		t.Errorf("schematron: %s", f)
	}
}

// variant is a copy of an example's request changed by edit, rebuilt into
// a content tree.
func variant(t *testing.T, ex contenttest.Example, name string, edit func(r *pb.Report)) *content.Document {
	t.Helper()
	r := proto.Clone(ex.Request.GetReport()).(*pb.Report)
	edit(r)
	doc, err := content.Build(r, contenttest.Identity(ex.Name+"-"+name), content.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

type check func(t *testing.T, x *etree.Document)

// encodeCase is one document to encode and validate.
type encodeCase struct {
	name   string
	doc    *content.Document
	opt    cda.Options
	golden string // testdata file compared byte for byte, if set
	checks []check
}

func TestEncode(t *testing.T) {
	v := compile(t)
	examples := contenttest.Load(t, content.Options{})
	byName := map[string]contenttest.Example{}
	for _, ex := range examples {
		byName[ex.Name] = ex
	}

	var tests []encodeCase
	for _, ex := range examples {
		tests = append(tests,
			struct {
				name   string
				doc    *content.Document
				opt    cda.Options
				golden string
				checks []check
			}{ex.Name, ex.Doc, cda.Options{WADOBaseURL: wadoBase}, ex.Name + ".cda.xml", nil},
			struct {
				name   string
				doc    *content.Document
				opt    cda.Options
				golden string
				checks []check
			}{ex.Name + "/no-wado", ex.Doc, cda.Options{}, "", []check{noWADO}},
		)
	}

	ct := byName["ct-chest-measurements"]
	tests = append(tests,
		encodeCase{"corrected", variant(t, ct, "corrected", func(r *pb.Report) {
			r.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
			r.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.1234", CdaSetId: "2.25.5678", CdaVersionNumber: 1}
		}), cda.Options{}, "", []check{related("RPLC", "2.25.1234", "2.25.5678")}},
		encodeCase{"addendum", variant(t, ct, "addendum", func(r *pb.Report) {
			r.Status = pb.ReportStatus_REPORT_STATUS_ADDENDUM
			r.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.1234"}
			r.Sections = append(r.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_ADDENDUM, Text: "Tumour board: biopsy planned."})
		}), cda.Options{WADOBaseURL: wadoBase + "?token=a&b=c"}, "", []check{related("APND", "2.25.1234", "")}},
		encodeCase{"minimal header", variant(t, byName["chest-radiograph"], "minimal", func(r *pb.Report) {
			// Optional header data absent: null flavors must keep it valid.
			r.Patient.Address, r.Patient.Telecoms, r.Patient.BirthDate = nil, nil, ""
			r.Patient.Sex = pb.AdministrativeSex_ADMINISTRATIVE_SEX_OTHER
			r.Order, r.ReferringPhysician = nil, nil
			r.Study.AccessionNumber, r.Study.ProcedureCode, r.Study.ProcedureDescription = "", nil, ""
			r.Author.Role = nil
			r.Author.Name.Given = nil
			r.Custodian.Ids, r.Custodian.Address, r.Custodian.Telecoms = nil, nil, nil
		}), cda.Options{}, "", nil},
		encodeCase{"coded section and odd text", variant(t, byName["mr-brain"], "coded", func(r *pb.Report) {
			r.Sections = append(r.Sections, &pb.Section{
				Kind: pb.SectionKind_SECTION_KIND_CODED,
				Code: &pb.Code{Code: "55113-5", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "Key images"},
				Text: "line one\nline <two> & \"three\"\n\n]]> tail",
				Observations: []*pb.Observation{{
					Concept: &pb.Code{Code: "121206", Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: "Distance"},
					Value:   &pb.Observation_Measurement{Measurement: &pb.Measurement{Value: "40", Unit: "[hnsf'U]", UnitDisplayName: "Hounsfield unit"}},
				}},
			})
		}), cda.Options{WADOBaseURL: wadoBase}, "", []check{contains("Hounsfield unit", "line <two> & \"three\"")}},
		// An archived impression-only report: the Findings Section says
		// nullFlavor NI; a birth date known to the month; a patient name
		// in three representations; a TAB kept in the narrative.
		encodeCase{"archived impression only", variant(t, byName["chest-radiograph"], "archived", func(r *pb.Report) {
			var keep []*pb.Section
			for _, s := range r.Sections {
				if s.GetKind() != pb.SectionKind_SECTION_KIND_FINDINGS {
					keep = append(keep, s)
				}
			}
			keep[len(keep)-1].Text = "Right lower lobe\tpneumonia."
			r.Sections = keep
			r.Patient.BirthDate = "1952-03"
			r.Patient.Name = &pb.PersonName{Family: "Yamada", Given: []string{"Tarou"},
				Ideographic: &pb.PersonNameGroup{Family: "山田", Given: []string{"太郎"}},
				Phonetic:    &pb.PersonNameGroup{Family: "やまだ", Given: []string{"たろう"}}}
		}), cda.Options{}, "archived-impression-only.cda.xml", []check{contains("lobe\tpneumonia"), func(t *testing.T, x *etree.Document) {
			for _, path := range []string{"//section[@nullFlavor='NI']/text", "//patient/birthTime[@value='195203']",
				"//patient/name[@use='IDE']/family", "//patient/name[@use='SYL']/given"} {
				if x.FindElement(path) == nil {
					t.Errorf("no %s", path)
				}
			}
		}}},
	)

	// The builder makes no section-level IMAGE items yet; the encoder
	// supports them as key images.
	keyImages := fresh(t, "ct-chest-measurements")
	for _, s := range keyImages.Sections() {
		if s.Heading.Kind == pb.SectionKind_SECTION_KIND_FINDINGS {
			s.Add(&content.Node{Relationship: content.Contains, Type: content.Image, ID: s.ID + ".key",
				Concept: content.PurposeBestIllustr, Image: keyImages.Evidence[1]})
		}
	}
	tests = append(tests, encodeCase{"key image", keyImages, cda.Options{WADOBaseURL: wadoBase}, "", nil})

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Encode's bytes, held to etree's serialisation of EncodeTree.
			out := crossCheck(t, tc.doc, tc.opt)
			if out == nil {
				t.Fatal("no document")
			}
			if tc.golden != "" {
				golden(t, filepath.Join("testdata", tc.golden), out)
			}
			x := etree.NewDocument()
			if err := x.ReadFromBytes(out); err != nil {
				t.Fatalf("output is not XML: %v", err)
			}
			narrativeLinks(t, x)
			for _, c := range tc.checks {
				c(t, x)
			}
			v.validate(t, out)
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate with: go test ./cda -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (review, then regenerate with: go test ./cda -update)\n%s", path, firstDiff(want, got))
	}
}

func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n want: %s\n  got: %s", i+1, wl, gl)
		}
	}
	return ""
}

var ncName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9._-]*$`)

// narrativeLinks checks what no validator run here checks: narrative IDs
// are unique NCNames and every "#id" reference resolves (CDA-NARR-01/02).
func narrativeLinks(t *testing.T, x *etree.Document) {
	t.Helper()
	ids := map[string]bool{}
	for _, el := range x.FindElements("//*[@ID]") {
		id := el.SelectAttrValue("ID", "")
		if !ncName.MatchString(id) {
			t.Errorf("ID %q is not an NCName", id)
		}
		if ids[id] {
			t.Errorf("ID %q is used twice", id)
		}
		ids[id] = true
	}
	for _, ref := range x.FindElements("//reference") {
		v := ref.SelectAttrValue("value", "")
		if strings.HasPrefix(v, "#") && !ids[v[1:]] {
			t.Errorf("reference %q points nowhere", v)
		}
	}
	for _, obs := range x.FindElements("//section/entry/observation[@classCode='OBS']") {
		if obs.FindElement("text/reference") == nil {
			t.Errorf("section entry %s does not point at its narrative", obs.GetPath())
		}
	}
}

func noWADO(t *testing.T, x *etree.Document) {
	t.Helper()
	if n := len(x.FindElements("//linkHtml")) + len(x.FindElements("//text[@mediaType='application/dicom']")); n > 0 {
		t.Errorf("without a WADO base URL, %d image links were written", n)
	}
}

func related(typ, parent, set string) check {
	return func(t *testing.T, x *etree.Document) {
		t.Helper()
		rd := x.FindElement("//relatedDocument")
		if rd == nil {
			t.Fatal("no relatedDocument")
		}
		if got := rd.SelectAttrValue("typeCode", ""); got != typ {
			t.Errorf("relatedDocument typeCode %q, want %q", got, typ)
		}
		if got := rd.FindElement("parentDocument/id").SelectAttrValue("root", ""); got != parent {
			t.Errorf("parentDocument id %q, want %q", got, parent)
		}
		gotSet := ""
		if s := rd.FindElement("parentDocument/setId"); s != nil {
			gotSet = s.SelectAttrValue("root", "")
		}
		if gotSet != set {
			t.Errorf("parentDocument setId %q, want %q", gotSet, set)
		}
	}
}

func contains(texts ...string) check {
	return func(t *testing.T, x *etree.Document) {
		t.Helper()
		var all strings.Builder
		for _, el := range x.FindElements("//text") {
			all.WriteString(allText(el))
		}
		for _, s := range texts {
			if !strings.Contains(all.String(), s) {
				t.Errorf("narrative lacks %q", s)
			}
		}
	}
}

func allText(el *etree.Element) string {
	var b strings.Builder
	for _, c := range el.Child {
		switch c := c.(type) {
		case *etree.CharData:
			b.WriteString(c.Data)
		case *etree.Element:
			b.WriteString(allText(c))
		}
	}
	return b.String()
}
