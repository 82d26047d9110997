package schemas

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/issue"
)

// streamSeeds are the project's CDA documents: the golden reports and
// HL7's DIR sample.
func streamSeeds(t testing.TB) map[string][]byte {
	t.Helper()
	var paths []string
	for _, glob := range []string{"../cda/testdata/*.xml", "../testdata/samples/cda/*.xml"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) < 5 {
		t.Fatalf("found %d CDA documents, want the goldens and the sample (run scripts/setup.sh)", len(paths))
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

func loadSchema(t testing.TB) *CDA {
	t.Helper()
	c, err := LoadCDA("synced")
	if err != nil {
		t.Fatalf("%v (CI syncs the schemas before the tests)", err)
	}
	t.Cleanup(c.Close)
	return c
}

// streamAgrees validates doc both ways. It reports whether the stream
// gave a verdict of its own and fails t if that verdict or any message
// differs from the tree validation's.
func streamAgrees(t testing.TB, c *CDA, doc []byte) (decided bool) {
	t.Helper()
	msgs, ok := validateStream(c.schema.Pointer(), doc, int(parseOptions))
	if !ok {
		return false
	}
	got, want := schemaIssues(msgs, nil), c.validateTree(doc)
	if !slices.Equal(got, want) {
		t.Errorf("the streaming validation says\n%v\nthe tree validation\n%v", got, want)
	}
	return true
}

// TestStreamMatchesTree: on the project's documents, valid and broken in
// the ways the schema checks, the streaming validation decides and says
// exactly what the tree validation says; on the documents only a tree can
// judge as a tree does, it leaves the verdict to the tree.
func TestStreamMatchesTree(t *testing.T) {
	c := loadSchema(t)
	seeds := streamSeeds(t)
	ct := string(seeds["ct-chest-measurements.cda.xml"])
	if ct == "" {
		t.Fatal("no ct-chest-measurements.cda.xml")
	}
	edit := func(old, new string) []byte {
		t.Helper()
		if !strings.Contains(ct, old) {
			t.Fatalf("the CT report has no %q", old)
		}
		return []byte(strings.Replace(ct, old, new, 1))
	}
	root := `<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`
	decided := map[string][]byte{
		"unknown element":           edit("<realmCode", "<unknown/><realmCode"),
		"id removed":                edit(`<id root="2.25.`, `<idx root="2.25.`),
		"bad TS":                    edit(`<effectiveTime value="2026`, `<effectiveTime value="x2026`),
		"bad xsi:type":              edit(`xsi:type="PQ"`, `xsi:type="NOPE"`),
		"undeclared xsi:type":       edit(`xsi:type="PQ"`, `xsi:type="q:PQ"`),
		"prefixed xsi:type":         edit(`xsi:type="PQ"`, `xsi:type=" cda:PQ"`),
		"attribute not allowed":     edit(root, root[:len(root)-1]+` foo="1">`),
		"xml:lang":                  edit(root, root[:len(root)-1]+` xml:lang="en">`),
		"ID not an NCName":          edit(`ID="s1.1"`, `ID="1.1"`),
		"ID with spaces":            edit(`ID="s1.1"`, `ID=" s1.1 "`),
		"comment and CDATA in text": edit("<title>", "<title><!-- c --><![CDATA[]]>&#x41;&amp;"),
		"empty CDATA in a code":     edit(`<realmCode code="US"/>`, `<realmCode code="US"><![CDATA[]]></realmCode>`),
		"text in element content":   edit("<realmCode", "stray<realmCode"),
		// The parser reports this text in pieces (at the references and
		// around the non-ASCII letters); a tree holds one text node, so
		// element-only content gets one error, not one per piece.
		"text in pieces in element content": edit("<realmCode", "a&amp;b&#233;céd<realmCode"),
		"CDATA sections in element content": edit("<realmCode", "<![CDATA[a]]><![CDATA[b]]>c<realmCode"),
		"text around a comment":             edit("<realmCode", "a<!-- c -->b<?pi x?>c<realmCode"),
		"xsi:nil":                           edit(`<realmCode code="US"/>`, `<realmCode xsi:nil="true"/>`),
		"reference in attribute":            edit(`root="2.16.840.1.113883.1.3"`, `root="2.16.840.1.113883.1.3&amp;&#x20;"`),
		"ISO-8859-1":                        []byte(strings.Replace(strings.Replace(ct, `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1), "<title>", "<title>\xe9", 1)),
		"byte order mark":                   append([]byte("\xef\xbb\xbf"), ct...),
	}
	for name, doc := range seeds {
		decided[name] = doc
	}
	for name, doc := range decided {
		t.Run(name, func(t *testing.T) {
			if !streamAgrees(t, c, doc) {
				t.Error("the streaming validation left this document to the tree")
			}
		})
	}

	// These the tree must decide: a stream would not see the repeated ID
	// or resolve the xml prefix, and for the others the tree's messages
	// (parser errors, entity references) are the ones to keep.
	undecided := map[string][]byte{
		"repeated ID":            edit(`ID="s2.1"`, `ID="s1.1"`),
		"repeated ID, spaced":    edit(`ID="s2.1"`, `ID=" s1.1"`),
		"ID repeated by xml:id":  edit(root, root[:len(root)-1]+` xml:id="s1.1">`),
		"xsi:type in xml":        edit(`xsi:type="PQ"`, `xsi:type="xml:PQ"`),
		"DOCTYPE":                []byte(strings.Replace(ct, "<ClinicalDocument", "<!DOCTYPE ClinicalDocument [<!ENTITY e \"x\">]><ClinicalDocument", 1)),
		"external DOCTYPE":       []byte(strings.Replace(ct, "<ClinicalDocument", `<!DOCTYPE ClinicalDocument SYSTEM "cda.dtd"><ClinicalDocument`, 1)),
		"undeclared entity":      edit("<title>", "<title>&nbsp;"),
		"undeclared prefix":      edit("<realmCode", "<x:realmCode/><realmCode"),
		"truncated":              []byte(ct[:len(ct)/2]),
		"not XML":                []byte("\x00\x01"),
		"empty":                  nil,
		"larger than the stream": append(bytes.Repeat([]byte(" "), maxStream), ct...),
	}
	for name, doc := range undecided {
		t.Run(name, func(t *testing.T) {
			if streamAgrees(t, c, doc) {
				t.Error("the streaming validation decided a document only the tree can judge as a tree does")
			}
			// Validate still gives the tree's verdict.
			if got, want := c.Validate(doc), c.validateTree(doc); !slices.Equal(got, want) {
				t.Errorf("Validate = %v, want the tree's %v", got, want)
			}
		})
	}
}

// FuzzStreamMatchesTree mutates the project's documents: whenever the
// streaming validation decides, it must say what the tree validation
// says.
func FuzzStreamMatchesTree(f *testing.F) {
	for _, doc := range streamSeeds(f) {
		f.Add(doc)
	}
	c := loadSchema(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		streamAgrees(t, c, doc)
	})
}

// BenchmarkCDAValidate compares the two validations on the CT report:
// Validate (streaming) and the tree validation it falls back to.
func BenchmarkCDAValidate(b *testing.B) {
	c := loadSchema(b)
	doc := streamSeeds(b)["ct-chest-measurements.cda.xml"]
	for _, v := range []struct {
		name string
		run  func([]byte) issue.List
	}{{"stream", c.Validate}, {"tree", c.validateTree}} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if l := v.run(doc); len(l) > 0 {
					b.Fatal(l)
				}
			}
		})
	}
}
