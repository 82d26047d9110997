package issue

import "fmt"

// Violation is one broken rule of one field of an input: a request the
// engine refuses, a report section a template refuses, a batch input that
// is no request at all. Every producer of field violations (the request
// checks, the template checks, the batch reader) makes this one value,
// and the gRPC, HTTP, stream and batch faces each convert it in one place.
//
// Like an Issue it names the rule and the place, never the offending
// value: inputs hold patient data.
type Violation struct {
	// Field is the path of the field in proto names, e.g.
	// "report.patient.ids[0].assigning_authority_oid"; "(json)" or
	// "(input)" for an input that is no request.
	Field string `json:"field"`
	// RuleID names the rule: a request rule of the engine's table
	// ("REQ-LEN-LO", or a C-CDA conformance id such as
	// "CONF:1198-5522"), a template rule ("TEMPLATE-01") or a batch
	// input rule ("BATCH-02").
	RuleID string `json:"rule,omitempty"`
	// Description says what is wrong and names the rule.
	Description string `json:"description"`
}

// String formats the violation on one line.
func (v Violation) String() string {
	return fmt.Sprintf("%s: %s", v.Field, v.Description)
}
