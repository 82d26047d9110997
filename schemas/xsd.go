package schemas

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/lestrrat-go/libxml2/parser"
	"github.com/lestrrat-go/libxml2/xsd"

	"github.com/reportgen/reportgen/issue"
)

// Rule ids of the CDA validator's issues.
const (
	// RuleXSD marks CDA schema violations.
	RuleXSD = "XSD"
	// RuleXML marks a document that is not well-formed XML.
	RuleXML = "XML"
)

// CDA validates documents against the HL7 CDA R2 schema with the SDTC
// extension. The schema is compiled once; Validate is safe for concurrent
// use because libxml2 shares a compiled schema read-only and each call
// gets its own validation context.
type CDA struct {
	schema *xsd.Schema
}

// LoadCDA compiles CDA_SDTC.xsd from a verified schema folder.
func LoadCDA(dir string) (*CDA, error) {
	m, err := Load()
	if err != nil {
		return nil, err
	}
	if err := Verify(m, dir); err != nil {
		return nil, err
	}
	s, err := xsd.ParseFromFile(filepath.Join(dir, filepath.FromSlash(CDASDTCEntry)))
	if err != nil {
		return nil, fmt.Errorf("schemas: compile %s: %w", CDASDTCEntry, err)
	}
	return &CDA{schema: s}, nil
}

// Close frees the compiled schema.
func (c *CDA) Close() {
	if c != nil && c.schema != nil {
		c.schema.Free()
		c.schema = nil
	}
}

// parseOptions keep hostile input harmless: no network access, no entity
// substitution, no DTD loading, and libxml2's default size limits stay on.
// NoError and NoWarning stop libxml2 from printing parser errors to
// standard error, which it otherwise does with the line of the document
// around the error (patient data in the service's logs); the error the
// issue reports is read from the parser context either way. (parseTree
// silences the validity errors these options leave on as well.)
var parseOptions = parser.XMLParseNoNet | parser.XMLParseNoError | parser.XMLParseNoWarning

// Validate checks doc against the schema. A document that is not
// well-formed gives one issue; libxml2's messages name the element and
// the rule, never the element's text content.
//
// libxml2 validates the document as it parses it (validateStream), which
// costs about a third less than building a tree and walking it. The few
// documents a stream cannot judge as a tree would (not well-formed, a
// DOCTYPE, a repeated ID value, ...) are parsed into a tree and
// validated there (validateTree), so every verdict and message is the
// tree validation's.
func (c *CDA) Validate(doc []byte) issue.List {
	msgs, ok := validateStream(c.schema.Pointer(), doc, int(parseOptions))
	if !ok {
		return c.validateTree(doc)
	}
	return schemaIssues(msgs, nil)
}

// validateTree parses doc into a libxml2 tree and validates the tree.
func (c *CDA) validateTree(doc []byte) issue.List {
	d, err := parseTree(doc, int(parseOptions))
	if err != nil {
		var out issue.List
		out.Errorf(RuleXML, "", "not well-formed XML: %s", firstLine(err.Error()))
		return out
	}
	defer freeTree(d)
	return schemaIssues(validateDoc(c.schema.Pointer(), d))
}

// schemaIssues turns the validator's messages into issues.
func schemaIssues(msgs []string, err error) issue.List {
	var out issue.List
	if err != nil {
		out.Errorf(RuleXSD, "", "schema validation did not run: %v", err)
	}
	for _, m := range msgs {
		out.Errorf(RuleXSD, "", "%s", redact(strings.TrimSpace(m)))
	}
	return out
}

// quotedValue matches a quoted attribute or text value in a libxml2
// message; element names are quoted too but carry a {namespace}.
var quotedValue = regexp.MustCompile(`'[^'{}]*'( is not| is neither)`)

// redact removes values from libxml2 messages: a value may be patient data
// (a name, an identifier, a birth date), and issues travel to callers and
// logs. The element and the rule broken stay.
func redact(msg string) string {
	msg = strings.ReplaceAll(msg, "\n", " ")
	return quotedValue.ReplaceAllString(msg, "(withheld)$1")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
