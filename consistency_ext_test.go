package reportgen_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/fhir"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

// said is what one document says about a report, in a form the three
// documents can be compared in: codes as value@OID, numbers as numbers,
// times as instants, sex as M, F or U (CDA has one code for other and
// unknown).
type said struct {
	Sections     []string // section titles, in order
	Kinds        []string // section kinds, in order (CDA and SR name them by code)
	Codes        []string // coded findings: concept, value and finding site
	Measurements []string // concept, value, UCUM unit and finding site
	Images       []string // study/series/instance and SOP class
	Header       []string
	signed       time.Time
}

func codeAt(value, oid string) string { return value + "@" + oid }

// oidOf turns a FHIR system back into the OID the CDA names.
func oidOf(system string) string {
	for _, oid := range []string{content.OIDLOINC, content.OIDSNOMED, content.OIDRadLex, content.OIDDCM, content.OIDUCUM, "2.16.840.1.113883.4.6"} {
		if fhir.System(oid) == system {
			return oid
		}
	}
	return strings.TrimPrefix(system, "urn:oid:")
}

func number(s string) string {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return "NaN:" + s
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func kindOf(code string) string {
	for k, h := range content.Headings {
		if h.LOINC.Value == code || h.DCM.Value == code {
			return k.String()
		}
	}
	return pb.SectionKind_SECTION_KIND_CODED.String()
}

func sexLetter(s string) string {
	switch strings.ToLower(s) {
	case "m", "male", "administrative_sex_male":
		return "M"
	case "f", "female", "administrative_sex_female":
		return "F"
	}
	return "U"
}

func hl7Time(t *testing.T, s string) time.Time {
	t.Helper()
	for _, l := range []string{"20060102150405-0700", "20060102150405"} {
		if v, err := time.Parse(l, s); err == nil {
			return v
		}
	}
	t.Fatalf("not an HL7 TS: %q", s)
	return time.Time{}
}

func (s *said) sort() {
	sort.Strings(s.Codes)
	sort.Strings(s.Measurements)
	s.Images = slices.Compact(slices.Sorted(slices.Values(s.Images)))
}

// fromCDA reads a CDA with etree.
func fromCDA(t *testing.T, b []byte) said {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	cd := doc.Root()
	attr := func(el *etree.Element, path, name string) string {
		if el != nil && path != "" {
			el = el.FindElement(path)
		}
		if el == nil {
			return ""
		}
		return el.SelectAttrValue(name, "")
	}
	code := func(el *etree.Element, path string) string {
		return codeAt(attr(el, path, "code"), attr(el, path, "codeSystem"))
	}
	var s said
	for _, sec := range cd.FindElements("./component/structuredBody/component/section") {
		if attr(sec, "code", "code") == "121181" {
			for _, obs := range sec.FindElements(".//observation[@classCode='DGIMG']") {
				study := attr(obs.Parent().Parent().Parent().Parent(), "id", "root")
				series := attr(obs.Parent().Parent(), "id", "root")
				s.Images = append(s.Images, study+"/"+series+"/"+attr(obs, "id", "root")+" "+attr(obs, "code", "code"))
			}
			continue
		}
		s.Sections = append(s.Sections, sec.FindElement("title").Text())
		s.Kinds = append(s.Kinds, kindOf(attr(sec, "code", "code")))
		for _, obs := range sec.FindElements("./entry/observation") {
			site := ""
			if ts := obs.SelectElement("targetSiteCode"); ts != nil {
				site = " site " + code(ts, "")
			}
			switch attr(obs, "templateId", "root") {
			case "2.16.840.1.113883.10.20.6.2.13":
				s.Codes = append(s.Codes, code(obs, "code")+" = "+code(obs, "value")+site)
			case "2.16.840.1.113883.10.20.6.2.14":
				concept := code(obs, "code")
				if tr := obs.FindElement("code/translation"); tr != nil {
					concept = code(tr, "")
				}
				v := obs.SelectElement("value")
				s.Measurements = append(s.Measurements, concept+" = "+number(v.SelectAttrValue("value", ""))+" "+v.SelectAttrValue("unit", "")+site)
			}
		}
	}
	pt := cd.FindElement("./recordTarget/patientRole")
	s.Header = []string{
		"patient " + attr(pt, "id", "extension") + "@" + attr(pt, "id", "root"),
		"family " + pt.FindElement("patient/name/family").Text(),
		"birth " + attr(pt, "patient/birthTime", "value"),
		"sex " + sexLetter(attr(pt, "patient/administrativeGenderCode", "code")),
		"study " + attr(cd, "./documentationOf/serviceEvent/id", "root"),
		"document " + code(cd, "./code"),
		"language " + attr(cd, "./languageCode", "code"),
		"author " + cd.FindElement("./author/assignedAuthor/assignedPerson/name/family").Text(),
	}
	if acc := attr(cd, "./inFulfillmentOf/order/id", "extension"); acc != "" {
		s.Header = append(s.Header, "accession "+acc+"@"+attr(cd, "./inFulfillmentOf/order/id", "root"))
	}
	if la := cd.FindElement("./legalAuthenticator"); la != nil {
		s.Header = append(s.Header, "signer "+la.FindElement("assignedEntity/assignedPerson/name/family").Text())
		s.signed = hl7Time(t, attr(la, "time", "value"))
	}
	s.sort()
	return s
}

// fromSR reads the SR back with the service's SR reader.
func fromSR(t *testing.T, b []byte) said {
	t.Helper()
	r, issues, err := sr.Read(b, sr.ReadOptions{})
	if err != nil {
		t.Fatalf("read SR: %v %v", err, issues)
	}
	var s said
	for _, sec := range r.GetSections() {
		s.Kinds = append(s.Kinds, sec.GetKind().String())
		for _, o := range sec.GetObservations() {
			site := ""
			if fs := o.GetFindingSite(); fs != nil {
				site = " site " + codeAt(fs.GetCode(), content.FromProto(fs).OID)
			}
			concept := content.FromProto(o.GetConcept())
			switch v := o.GetValue().(type) {
			case *pb.Observation_Code:
				s.Codes = append(s.Codes, codeAt(concept.Value, concept.OID)+" = "+codeAt(v.Code.GetCode(), content.FromProto(v.Code).OID)+site)
			case *pb.Observation_Measurement:
				s.Measurements = append(s.Measurements, codeAt(concept.Value, concept.OID)+" = "+number(v.Measurement.GetValue())+" "+v.Measurement.GetUnit()+site)
			}
			for _, im := range o.GetImages() {
				s.Images = append(s.Images, im.GetStudyInstanceUid()+"/"+im.GetSeriesInstanceUid()+"/"+im.GetSopInstanceUid()+" "+im.GetSopClassUid())
			}
		}
	}
	p := r.GetPatient()
	s.Header = []string{
		"patient " + p.GetIds()[0].GetValue() + "@" + p.GetIds()[0].GetAssigningAuthorityOid(),
		"family " + p.GetName().GetFamily(),
		"birth " + strings.ReplaceAll(p.GetBirthDate(), "-", ""),
		"sex " + sexLetter(p.GetSex().String()),
		"study " + r.GetStudy().GetStudyInstanceUid(),
		"document " + codeAt(r.GetDocumentCode().GetCode(), content.FromProto(r.GetDocumentCode()).OID),
		"language " + r.GetLanguage(),
		"author " + r.GetAuthor().GetName().GetFamily(),
	}
	if acc := r.GetStudy().GetAccessionNumber(); acc != "" {
		s.Header = append(s.Header, "accession "+acc+"@"+r.GetStudy().GetAccessionIssuerOid())
	}
	if la := r.GetLegalAuthenticator(); la != nil {
		s.Header = append(s.Header, "signer "+la.GetName().GetFamily())
		s.signed, _ = content.ParseTime(r.GetSignatureTime())
	}
	s.sort()
	return s
}

var pageSectionTitle = regexp.MustCompile(`<h2 id="[^"]*">([^<]*)</h2>`)

// fromFHIR reads the Bundle as JSON.
func fromFHIR(t *testing.T, b []byte) said {
	t.Helper()
	type coding struct{ System, Code string }
	type cc struct{ Coding []coding }
	type ident struct {
		System, Value string
		Type          cc
	}
	type ref struct{ Reference string }
	type resource struct {
		ResourceType, ID, Language, BirthDate, Gender, Issued string
		Identifier                                            []ident
		Name                                                  json.RawMessage // HumanNames, or an Organization's string
		Code, BodySite                                        cc
		ValueCodeableConcept                                  *cc
		ValueQuantity                                         *struct {
			Value json.Number
			Code  string
		}
		Contained     []resource
		Performer     []ref
		PresentedForm []struct{ Data string }
		Series        []struct {
			UID      string
			Instance []struct {
				UID      string
				SopClass coding
			}
		}
	}
	var bundle struct {
		Entry []struct{ Resource resource }
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	family := func(raw json.RawMessage) string {
		var names []struct{ Family string }
		if err := json.Unmarshal(raw, &names); err != nil || len(names) == 0 {
			t.Fatalf("not a HumanName list: %s", raw)
		}
		return names[0].Family
	}
	c := func(x cc) string {
		if len(x.Coding) == 0 {
			return ""
		}
		return codeAt(x.Coding[0].Code, oidOf(x.Coding[0].System))
	}
	var s said
	var dr resource
	for _, e := range bundle.Entry {
		switch r := e.Resource; r.ResourceType {
		case "DiagnosticReport":
			dr = r
		case "ImagingStudy":
			study := ""
			for _, id := range r.Identifier {
				if id.System == fhir.SystemDICOMUID {
					study = strings.TrimPrefix(id.Value, "urn:oid:")
				}
				if len(id.Type.Coding) > 0 && id.Type.Coding[0].Code == "ACSN" {
					s.Header = append(s.Header, "accession "+id.Value+"@"+oidOf(id.System))
				}
			}
			s.Header = append(s.Header, "study "+study)
			for _, se := range r.Series {
				for _, in := range se.Instance {
					s.Images = append(s.Images, study+"/"+se.UID+"/"+in.UID+" "+strings.TrimPrefix(in.SopClass.Code, "urn:oid:"))
				}
			}
		}
	}
	page, err := base64.StdEncoding.DecodeString(dr.PresentedForm[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range pageSectionTitle.FindAllStringSubmatch(string(page), -1) {
		s.Sections = append(s.Sections, html.UnescapeString(m[1]))
	}
	s.Header = append(s.Header, "document "+c(dr.Code), "language "+dr.Language)
	for _, r := range dr.Contained {
		site := ""
		if len(r.BodySite.Coding) > 0 {
			site = " site " + c(r.BodySite)
		}
		switch {
		case r.ResourceType == "Patient":
			s.Header = append(s.Header,
				"patient "+r.Identifier[0].Value+"@"+oidOf(r.Identifier[0].System),
				"family "+family(r.Name),
				"birth "+strings.ReplaceAll(r.BirthDate, "-", ""),
				"sex "+sexLetter(r.Gender))
		case r.ResourceType == "Practitioner" && r.ID == "author":
			s.Header = append(s.Header, "author "+family(r.Name))
		case r.ResourceType == "Practitioner" && r.ID == "signer":
			s.Header = append(s.Header, "signer "+family(r.Name))
			s.signed, err = time.Parse(time.RFC3339, dr.Issued)
			if err != nil {
				t.Fatal(err)
			}
		case r.ResourceType == "Observation" && r.ValueCodeableConcept != nil:
			s.Codes = append(s.Codes, c(r.Code)+" = "+c(*r.ValueCodeableConcept)+site)
		case r.ResourceType == "Observation" && r.ValueQuantity != nil:
			s.Measurements = append(s.Measurements, c(r.Code)+" = "+number(r.ValueQuantity.Value.String())+" "+r.ValueQuantity.Code+site)
		}
	}
	s.sort()
	return s
}

func sameHeader(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// TestDocumentsAgree renders each example and each matrix variation to
// CDA, SR and FHIR from one request and checks that the three say the
// same: sections (kinds in CDA and SR, titles in CDA and in the Bundle's
// page), coded findings, measurements and their sites, image references
// and the header (patient, study, accession, document type, language,
// author, signer and signature time).
func TestDocumentsAgree(t *testing.T) {
	e := newViewEngine(t)
	var cases []viewCase
	for _, n := range exampleNames {
		cases = append(cases, viewCase{name: "example/" + n, req: example(t, n)})
	}
	for _, v := range matrixCases() {
		req := matrixBase(t)
		v.apply(req.Report)
		cases = append(cases, viewCase{name: "matrix/" + v.name, req: req})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA, pb.DocumentKind_DOCUMENT_KIND_SR, pb.DocumentKind_DOCUMENT_KIND_FHIR}
			resp, err := e.Generate(context.Background(), c.req)
			if err != nil {
				t.Fatal(err)
			}
			docs := documents(resp)
			cda, srs, fh := fromCDA(t, docs[pb.DocumentKind_DOCUMENT_KIND_CDA]), fromSR(t, docs[pb.DocumentKind_DOCUMENT_KIND_SR]), fromFHIR(t, docs[pb.DocumentKind_DOCUMENT_KIND_FHIR])
			// The comparison must have something to compare: the CT
			// example has three measurements, two images and ten header
			// facts; the chest radiograph a coded finding.
			switch c.name {
			case "example/ct-chest-measurements":
				if len(cda.Measurements) != 3 || len(cda.Images) != 2 || len(cda.Header) != 10 || len(cda.Sections) != 6 {
					t.Fatalf("CDA facts read wrongly: %+v", cda)
				}
			case "example/chest-radiograph":
				if len(cda.Codes) != 1 {
					t.Fatalf("CDA facts read wrongly: %+v", cda)
				}
			}
			check := func(what string, a, b []string, other string) {
				if !slices.Equal(a, b) {
					t.Errorf("%s: CDA %q\n%s %q", what, a, other, b)
				}
			}
			check("section kinds", cda.Kinds, srs.Kinds, "SR")
			check("section titles", cda.Sections, fh.Sections, "FHIR page")
			check("coded findings", cda.Codes, srs.Codes, "SR")
			check("coded findings", cda.Codes, fh.Codes, "FHIR")
			check("measurements", cda.Measurements, srs.Measurements, "SR")
			check("measurements", cda.Measurements, fh.Measurements, "FHIR")
			check("images", cda.Images, srs.Images, "SR")
			check("images", cda.Images, fh.Images, "FHIR")
			if !sameHeader(cda.Header, srs.Header) {
				t.Errorf("header: CDA %q\nSR %q", cda.Header, srs.Header)
			}
			if !sameHeader(cda.Header, fh.Header) {
				t.Errorf("header: CDA %q\nFHIR %q", cda.Header, fh.Header)
			}
			if !cda.signed.Equal(srs.signed) || !cda.signed.Equal(fh.signed) {
				t.Errorf("signature time: CDA %v, SR %v, FHIR %v", cda.signed, srs.signed, fh.signed)
			}
		})
	}
}
