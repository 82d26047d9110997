package hl7v2

import (
	"fmt"
	"strings"
)

// Severity is how bad a problem is, as ERR-4 says it (HL7 table 0516).
type Severity byte

// Severities.
const (
	SeverityError   Severity = 'E'
	SeverityWarning Severity = 'W'
	SeverityInfo    Severity = 'I'
)

// Code is an HL7 message error condition code (HL7 table 0357), the code
// of ERR-3 (ERR-1.4 before v2.5).
type Code int

// Error condition codes of HL7 table 0357.
const (
	CodeSegmentSequence         Code = 100
	CodeRequiredField           Code = 101
	CodeDataType                Code = 102
	CodeTableValue              Code = 103
	CodeUnsupportedMessageType  Code = 200
	CodeUnsupportedEvent        Code = 201
	CodeUnsupportedProcessingID Code = 202
	CodeUnsupportedVersion      Code = 203
	CodeUnknownKey              Code = 204
	CodeDuplicateKey            Code = 205
	CodeInternal                Code = 207
)

var codeText = map[Code]string{
	CodeSegmentSequence:         "Segment sequence error",
	CodeRequiredField:           "Required field missing",
	CodeDataType:                "Data type error",
	CodeTableValue:              "Table value not found",
	CodeUnsupportedMessageType:  "Unsupported message type",
	CodeUnsupportedEvent:        "Unsupported event code",
	CodeUnsupportedProcessingID: "Unsupported processing id",
	CodeUnsupportedVersion:      "Unsupported version id",
	CodeUnknownKey:              "Unknown key identifier",
	CodeDuplicateKey:            "Duplicate key identifier",
	CodeInternal:                "Application internal error",
}

// Text is the code's description in HL7 table 0357.
func (c Code) Text() string {
	if t, ok := codeText[c]; ok {
		return t
	}
	return "Application error"
}

// Error is one problem with a message: where it is, its HL7 error code
// and severity, the rule it breaks and what is wrong. Message never holds
// a value of the message.
type Error struct {
	Location Location
	Code     Code
	Severity Severity
	// Rule is a short id of the rule, e.g. "escape" or "assigning-authority";
	// the README lists them.
	Rule string
	// Message says what is wrong, e.g. "unterminated escape sequence".
	Message string
	// Reject marks a problem with the message envelope (MSH, type,
	// version, size) rather than its content: the ACK says AR, not AE.
	Reject bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (rule %s)", e.Location, e.Message, e.Rule)
}

// Errors is a list of problems; as an error it reports the first error
// and how many there are.
type Errors []*Error

func (es Errors) Error() string {
	errs := es.Errors()
	switch len(errs) {
	case 0:
		if len(es) > 0 {
			return es[0].Error()
		}
		return "no errors"
	case 1:
		return errs[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", errs[0].Error(), len(errs)-1)
}

// Errors returns the problems of severity E.
func (es Errors) Errors() Errors {
	var out Errors
	for _, e := range es {
		if e.Severity == SeverityError {
			out = append(out, e)
		}
	}
	return out
}

// Warnings returns the problems of severity W and I.
func (es Errors) Warnings() Errors {
	var out Errors
	for _, e := range es {
		if e.Severity != SeverityError {
			out = append(out, e)
		}
	}
	return out
}

// HasErrors reports whether any problem has severity E.
func (es Errors) HasErrors() bool { return len(es.Errors()) > 0 }

// Rejects reports whether any error is a rejection of the envelope.
func (es Errors) Rejects() bool {
	for _, e := range es {
		if e.Severity == SeverityError && e.Reject {
			return true
		}
	}
	return false
}

// String lists every problem, one per line.
func (es Errors) String() string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%c %s\n", e.Severity, e.Error())
	}
	return b.String()
}

func errorf(loc Location, code Code, rule, format string, args ...any) *Error {
	return &Error{Location: loc, Code: code, Severity: SeverityError, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

func warnf(loc Location, rule, format string, args ...any) *Error {
	return &Error{Location: loc, Code: CodeDataType, Severity: SeverityWarning, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

func rejectf(loc Location, code Code, rule, format string, args ...any) *Error {
	e := errorf(loc, code, rule, format, args...)
	e.Reject = true
	return e
}
