package conformance_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/cda/conformance"
	"github.com/reportgen/reportgen/internal/fuzztest"
	"github.com/reportgen/reportgen/internal/samples"
	"github.com/reportgen/reportgen/issue"
	"github.com/reportgen/reportgen/schemas/ucum/ucumtest"
)

func hasRule(l issue.List, rule string) bool {
	for _, i := range l.Errors() {
		if i.RuleID == rule {
			return true
		}
	}
	return false
}

// TestInput covers what the reader accepts and refuses, hostile input
// included: nothing outside the document is ever read, and a document
// that cannot be read is one XML error, not a pass and not a panic.
func TestInput(t *testing.T) {
	c := checker(t)
	ct := doc(t, "ct-chest-measurements")
	tag := regexp.MustCompile(`<(/?)([A-Za-z])`)
	prefixed := tag.ReplaceAll(ct, []byte("<${1}cda:$2"))
	prefixed = bytes.Replace(prefixed, []byte(`<cda:ClinicalDocument xmlns="urn:hl7-org:v3"`), []byte(`<cda:ClinicalDocument xmlns:cda="urn:hl7-org:v3"`), 1)
	latin1 := bytes.Replace(ct, []byte(`encoding="UTF-8"`), []byte(`encoding="ISO-8859-1"`), 1)
	latin1 = bytes.Replace(latin1, []byte("Isabella"), []byte("Isab\xe9lla"), 1)
	deep := strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000)

	tests := []struct {
		name string
		doc  string
		rule string // "" for no error at all
	}{
		{"empty", "", conformance.RuleXML},
		{"not XML", "hello", conformance.RuleXML},
		{"unclosed root", `<ClinicalDocument xmlns="urn:hl7-org:v3">`, conformance.RuleXML},
		{"mismatched end tag", `<ClinicalDocument xmlns="urn:hl7-org:v3"></Clinical>`, conformance.RuleXML},
		{"two roots", `<a/><b/>`, conformance.RuleXML},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><ClinicalDocument xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>`, conformance.RuleXML},
		{"entity expansion", `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>`, conformance.RuleXML},
		{"undeclared entity", `<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&nbsp;</title></ClinicalDocument>`, conformance.RuleXML},
		{"bad character reference", `<r>&#0;</r>`, conformance.RuleXML},
		{"undeclared prefix", `<x:ClinicalDocument/>`, conformance.RuleXML},
		{"duplicate attribute", `<r a="1" a="2"/>`, conformance.RuleXML},
		{"unquoted attribute", `<r a=1/>`, conformance.RuleXML},
		{"invalid UTF-8", "<r>\xff</r>", conformance.RuleXML},
		{"UTF-16", "\xff\xfe<\x00r\x00/\x00>\x00", conformance.RuleXML},
		{"nested too deep", deep, conformance.RuleXML},
		{"truncated report", string(ct[:len(ct)/2]), conformance.RuleXML},
		{"not a ClinicalDocument", `<Document xmlns="urn:hl7-org:v3"/>`, "CONF:1198-5252"},
		{"ClinicalDocument outside the HL7 namespace", `<ClinicalDocument xmlns="urn:example"/>`, "CONF:1198-5252"},
		{"empty ClinicalDocument", `<ClinicalDocument xmlns="urn:hl7-org:v3"/>`, "CONF:1198-8404"},
		{"prefixed HL7 elements", string(prefixed), ""},
		{"ISO-8859-1", string(latin1), ""},
		{"byte order mark", "\xef\xbb\xbf" + string(ct), ""},
		{"CDATA, comments and character references", strings.Replace(string(ct), "<title>CT Chest with contrast</title>", "<!-- c --><title><![CDATA[CT]]> Chest &#x77;ith contrast</title>", 1), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Check([]byte(tc.doc))
			switch {
			case tc.rule == "" && got.HasErrors():
				t.Errorf("unexpected errors: %v", got.Errors())
			case tc.rule != "" && !hasRule(got, tc.rule):
				t.Errorf("want an error %s, got %v", tc.rule, got)
			}
			if tc.rule == conformance.RuleXML && len(got) != 1 {
				t.Errorf("an unreadable document gives one issue, got %d", len(got))
			}
			for _, i := range got {
				if strings.Contains(i.Message, "passwd") || strings.Contains(i.Message, "Isabella") {
					t.Errorf("message quotes the document: %s", i.Message)
				}
			}
		})
	}
}

// TestSharedSamples checks the broken variants of HL7's DIR sample
// (internal/samples) against the verdicts of the independent validators.
func TestSharedSamples(t *testing.T) {
	c := checker(t)
	for _, tc := range []struct {
		file  string
		rules []string
	}{
		{samples.DIRNoID, []string{"CONF:1198-5363", "CONF:1198-30932", "CONF:1198-10031", "CONF:1198-30934"}},
		{samples.DIRNoDocumentationOf, []string{"CONF:1198-8416"}},
		{samples.DIROldExtension, []string{"CONF:1198-8404"}},
		{samples.DIRTruncated, []string{conformance.RuleXML}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := c.Check(samples.CDAVariant(t, tc.file))
			for _, r := range tc.rules {
				if !hasRule(got, r) {
					t.Errorf("want %s, got %v", r, got.Errors())
				}
			}
		})
	}
}

// TestMessagesCarryNoPatientData breaks most of the header and checks that
// no message repeats what the document says.
func TestMessagesCarryNoPatientData(t *testing.T) {
	c := checker(t)
	ct := doc(t, "ct-chest-measurements")
	doc := mutate(t, ct, all(rm(pt+"/name/family"), prepend(pt+"/name", "Jones "), set(pr+"/id", "root", "MRN-902211"),
		set(cd+"/id", "root", "Isabella-Jones"), rm(pt+"/birthTime"), set(study+"/id", "extension", "ACC20261121042")))
	got := c.Check(doc)
	if len(got) < 5 {
		t.Fatalf("expected several issues, got %v", got)
	}
	for _, i := range got {
		for _, secret := range []string{"Jones", "Isabella", "MRN-902211", "ACC20261121042", "19610302"} {
			if strings.Contains(i.Message, secret) || strings.Contains(i.Location, secret) {
				t.Errorf("issue repeats document content %q: %s", secret, i)
			}
		}
	}
}

// FuzzCheck feeds arbitrary bytes to Check, seeded with the good reports:
// it must return within the deadline without panicking, every issue must
// name a rule and say what is wrong, and the list stays bounded (one more
// for the issue that says the rest were dropped).
func FuzzCheck(f *testing.F) {
	for _, g := range goodDocs(f) {
		f.Add(g.xml)
	}
	f.Add([]byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"><templateId root="2.16.840.1.113883.10.20.22.1.5" extension="2015-08-01"/></ClinicalDocument>`))
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY e SYSTEM "x">]><r>&e;</r>`))
	c, err := conformance.New(conformance.WithUCUM(ucumtest.Load(f)))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		fuzztest.Run(t, func() error {
			issues := c.Check(doc)
			for _, i := range issues {
				if i.RuleID == "" || i.Message == "" {
					return fmt.Errorf("issue without rule or message: %#v", i)
				}
			}
			if len(issues) > 1001 {
				return fmt.Errorf("%d issues: the list is not bounded", len(issues))
			}
			return nil
		})
	})
}

// TestLargeHostileDocuments repeats broken elements by the hundred
// thousand: the check stays linear (it would take minutes otherwise) and
// the issue list stays bounded.
func TestLargeHostileDocuments(t *testing.T) {
	c := checker(t)
	head := `<ClinicalDocument xmlns="urn:hl7-org:v3"><templateId root="2.16.840.1.113883.10.20.22.1.5" extension="2015-08-01"/>`
	for _, tc := range []struct {
		name, repeat string
	}{
		{"informants", `<informant/>`},
		{"templateIds without R1.1 id", `<templateId root="2.16.840.1.113883.10.20.22.1.1" extension="2015-08-01"/>`},
		{"SOP instances outside the catalog", `<observation><templateId root="2.16.840.1.113883.10.20.6.2.8"/></observation>`},
		{"narrative IDs", `<content ID="x"/>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := head + strings.Repeat(tc.repeat, 200000) + `</ClinicalDocument>`
			got := c.Check([]byte(doc))
			if len(got) > 1001 {
				t.Errorf("%d issues: the list is not bounded", len(got))
			}
			if !got.HasErrors() {
				t.Error("no error")
			}
		})
	}
}
