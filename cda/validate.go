package cda

import (
	"fmt"

	"github.com/reportgen/reportgen/cda/conformance"
	"github.com/reportgen/reportgen/issue"
	"github.com/reportgen/reportgen/schemas"
	"github.com/reportgen/reportgen/schemas/ucum"
)

// Validator is the CDA side's validator, the peer of Encode as sr.Validate
// is of sr.Encode: the CDA R2 schema with the SDTC extension (libxml2),
// then the C-CDA R2.1 DIR and US Realm Header rules (package conformance,
// which agrees with HL7's schematron errors phase). It reads the bytes
// only, never the tree they were written from, so it judges any CDA. A
// Validator is safe for concurrent use; compile it once.
type Validator struct {
	xsd   *schemas.CDA
	rules *conformance.Checker
}

// NewValidator compiles the CDA schema from a verified schema folder and
// the conformance rules with the UCUM essence units checks PQ units with.
func NewValidator(schemaDir string, units *ucum.System) (*Validator, error) {
	x, err := schemas.LoadCDA(schemaDir)
	if err != nil {
		return nil, err
	}
	rules, err := conformance.New(conformance.WithUCUM(units))
	if err != nil {
		x.Close()
		return nil, fmt.Errorf("DIR rules: %w", err)
	}
	return &Validator{xsd: x, rules: rules}, nil
}

// Validate runs every CDA check on a document. A document that is not
// well-formed XML gets the parser's one issue, not the same failure twice.
func (v *Validator) Validate(b []byte) issue.List {
	issues := v.xsd.Validate(b)
	for _, i := range issues {
		if i.RuleID == schemas.RuleXML {
			return issues
		}
	}
	return append(issues, v.rules.Check(b)...)
}

// Close frees the compiled schema.
func (v *Validator) Close() { v.xsd.Close() }
