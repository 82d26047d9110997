// Package issue holds the findings of validators in two shapes: for a
// document, one Issue per broken rule, collected into a List, so every
// validator (XSD, DIR rules, SR IOD and template rules) reports alike; for
// an input, one Violation per broken field rule, so the request checks,
// the template checks and the batch reader report alike.
package issue

import (
	"fmt"
	"strings"
)

// Severity is how bad an issue is.
type Severity int

// Severities, worst first.
const (
	Error Severity = iota + 1
	Warning
	Info
)

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info:
		return "info"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Issue is one finding of a validator. Messages never carry patient data:
// they name the rule and the place, not the offending value.
type Issue struct {
	Severity Severity
	// RuleID names the rule: "XSD", "CONF:1198-5363", "SR-MOD-05", ...
	RuleID string
	// Location is an XPath (CDA), a tag path (SR) or line:column.
	Location string
	// Message says what is wrong.
	Message string
}

// String formats the issue on one line.
func (i Issue) String() string {
	var b strings.Builder
	b.WriteString(i.Severity.String())
	b.WriteString(" ")
	b.WriteString(i.RuleID)
	if i.Location != "" {
		b.WriteString(" at ")
		b.WriteString(i.Location)
	}
	b.WriteString(": ")
	b.WriteString(i.Message)
	return b.String()
}

// List is every issue found in one document.
type List []Issue

// Add appends an issue.
func (l *List) Add(sev Severity, rule, location, format string, args ...any) {
	*l = append(*l, Issue{Severity: sev, RuleID: rule, Location: location, Message: fmt.Sprintf(format, args...)})
}

// Errorf appends an error.
func (l *List) Errorf(rule, location, format string, args ...any) {
	l.Add(Error, rule, location, format, args...)
}

// Warnf appends a warning.
func (l *List) Warnf(rule, location, format string, args ...any) {
	l.Add(Warning, rule, location, format, args...)
}

// HasErrors reports whether any issue is an error.
func (l List) HasErrors() bool {
	for _, i := range l {
		if i.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (l List) Errors() List {
	var out List
	for _, i := range l {
		if i.Severity == Error {
			out = append(out, i)
		}
	}
	return out
}
