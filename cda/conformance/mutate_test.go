package conformance_test

import (
	"testing"

	"github.com/beevik/etree"
)

// edit changes a parsed copy of a good document.
type edit func(t *testing.T, d *etree.Document)

// find returns the element at path or fails the test: a mutation whose
// target is gone tests nothing.
func find(t *testing.T, d *etree.Document, path string) *etree.Element {
	t.Helper()
	e := d.FindElement(path)
	if e == nil {
		t.Fatalf("mutation target %s not found", path)
	}
	return e
}

// rm removes the element at path.
func rm(path string) edit {
	return func(t *testing.T, d *etree.Document) {
		e := find(t, d, path)
		e.Parent().RemoveChild(e)
	}
}

// set sets attribute key of the element at path.
func set(path, key, val string) edit {
	return func(t *testing.T, d *etree.Document) { find(t, d, path).CreateAttr(key, val) }
}

// unset removes attribute key of the element at path.
func unset(path, key string) edit {
	return func(t *testing.T, d *etree.Document) { find(t, d, path).RemoveAttr(key) }
}

// dup inserts a copy of the element at path right after it.
func dup(path string) edit {
	return func(t *testing.T, d *etree.Document) {
		e := find(t, d, path)
		e.Parent().InsertChildAt(e.Index()+1, e.Copy())
	}
}

// add appends the elements of the XML fragment frag to the element at
// path; frag may use the xsi and sdtc prefixes.
func add(path, frag string) edit {
	return func(t *testing.T, d *etree.Document) {
		parent := find(t, d, path)
		for _, k := range fragment(t, frag) {
			parent.AddChild(k)
		}
	}
}

// before inserts the elements of frag before the element at path.
func before(path, frag string) edit {
	return func(t *testing.T, d *etree.Document) {
		e := find(t, d, path)
		for i, k := range fragment(t, frag) {
			e.Parent().InsertChildAt(e.Index()+i, k)
		}
	}
}

func fragment(t *testing.T, frag string) []*etree.Element {
	t.Helper()
	x := etree.NewDocument()
	if err := x.ReadFromString(`<x xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sdtc="urn:hl7-org:sdtc">` + frag + `</x>`); err != nil {
		t.Fatalf("bad fragment: %v", err)
	}
	var out []*etree.Element
	for _, k := range x.Root().ChildElements() {
		k.RemoveAttr("xmlns:xsi")
		out = append(out, k)
	}
	for _, k := range out {
		x.Root().RemoveChild(k)
	}
	return out
}

// text replaces the content of the element at path by s.
func text(path, s string) edit {
	return func(t *testing.T, d *etree.Document) {
		e := find(t, d, path)
		for len(e.Child) > 0 {
			e.RemoveChildAt(0)
		}
		e.SetText(s)
	}
}

// prepend puts the text s in front of the content of the element at path.
func prepend(path, s string) edit {
	return func(t *testing.T, d *etree.Document) {
		e := find(t, d, path)
		e.InsertChildAt(0, etree.NewText(s))
	}
}

// moveLast puts the element at path last among its siblings.
func moveLast(path string) edit {
	return func(t *testing.T, d *etree.Document) {
		e := find(t, d, path)
		p := e.Parent()
		p.RemoveChild(e)
		p.AddChild(e)
	}
}

// all applies several edits in order.
func all(edits ...edit) edit {
	return func(t *testing.T, d *etree.Document) {
		for _, e := range edits {
			e(t, d)
		}
	}
}

// mutate parses base, applies e and writes the document back.
func mutate(t *testing.T, base []byte, e edit) []byte {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromBytes(base); err != nil {
		t.Fatal(err)
	}
	e(t, d)
	out, err := d.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Paths used by many mutations.
const (
	cd        = "/ClinicalDocument"
	rt        = cd + "/recordTarget"
	pr        = rt + "/patientRole"
	pt        = pr + "/patient"
	aa        = cd + "/author/assignedAuthor"
	rco       = cd + "/custodian/assignedCustodian/representedCustodianOrganization"
	la        = cd + "/legalAuthenticator"
	se        = cd + "/documentationOf/serviceEvent"
	perf      = se + "/performer"
	ee        = cd + "/componentOf/encompassingEncounter"
	ep        = ee + "/encounterParticipant"
	body      = cd + "/component/structuredBody"
	catalog   = body + "/component[1]/section"
	study     = catalog + "/entry/act"
	series    = study + "/entryRelationship[1]/act"
	sop       = series + "/entryRelationship[1]/observation"
	findings  = "//templateId[@root='2.16.840.1.113883.10.20.6.1.2']/.."
	textObs   = "//templateId[@root='2.16.840.1.113883.10.20.6.2.12']/.."
	codeObs   = "//templateId[@root='2.16.840.1.113883.10.20.6.2.13']/.."
	qtyObs    = "//templateId[@root='2.16.840.1.113883.10.20.6.2.14']/.."
	purpose   = "//templateId[@root='2.16.840.1.113883.10.20.6.2.9']/.."
	frames    = "//templateId[@root='2.16.840.1.113883.10.20.6.2.10']/.."
	boundary  = "//templateId[@root='2.16.840.1.113883.10.20.6.2.11']/.."
	procCtx   = "//templateId[@root='2.16.840.1.113883.10.20.6.2.5']/.."
	evidence  = findings + "/entry[3]/observation/entryRelationship/observation"
	history   = body + "/component[2]/section"
	fetusPath = findings + "/subject/relatedSubject"
	observer  = findings + "/author/assignedAuthor"
)

// Fragments added by mutations.
const (
	fetusFrag    = `<subject><relatedSubject><templateId root="2.16.840.1.113883.10.20.6.2.3"/><code code="121026" codeSystem="1.2.840.10008.2.16.4" displayName="Fetus"/><subject><name>fetus_1</name></subject></relatedSubject></subject>`
	observerFrag = `<author><time value="20261121162000-0500"/><assignedAuthor><templateId root="2.16.840.1.113883.10.20.6.2.4"/><id root="2.16.840.1.113883.4.6" extension="1234567893"/><assignedPerson><name><given>A</given><family>B</family></name></assignedPerson></assignedAuthor></author>`
	informant    = `<informant><assignedEntity><id root="2.16.840.1.113883.19.5" extension="1"/><addr nullFlavor="NI"/><assignedPerson><name><given>A</given><family>B</family></name></assignedPerson></assignedEntity></informant>`
	device       = `<assignedAuthoringDevice><manufacturerModelName>M</manufacturerModelName><softwareName>S</softwareName></assignedAuthoringDevice>`
	uuidRoot     = "550e8400-e29b-41d4-a716-446655440000"
	longOID      = "2.25.1234567890123456789012345678901234567890123456789012345678901234567890"
)
