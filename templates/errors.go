package templates

import (
	"fmt"
	"strings"
)

// Rules a template file can break; a LoadError names one. README.md
// ("Templates") describes each.
const (
	RuleFile         = "file"          // unreadable or too large
	RuleEncoding     = "encoding"      // not UTF-8
	RuleJSON         = "json"          // not JSON
	RuleDuplicateKey = "duplicate-key" // a key twice in one object
	RuleUnknownField = "unknown-field" // a field the format does not have
	RuleType         = "type"          // a value of the wrong JSON type
	RuleRequired     = "required"      // a required field is missing
	RuleFormat       = "format"        // not "reportgen-template/1"
	RuleID           = "id"            // template id syntax
	RuleVersion      = "version"       // version syntax
	RuleText         = "text"          // titles and descriptions
	RuleCode         = "code"          // a coded concept
	RuleDocumentCode = "document-code" // the document type code
	RuleSRTitle      = "sr-title"      // the SR document title
	RuleSectionKind  = "section-kind"  // unknown section kind, CODED without code
	RuleDuplicate    = "duplicate"     // a section or rule listed twice
	RuleFindings     = "findings"      // no FINDINGS section
	RuleObservation  = "observation"   // an observation rule
	RuleNarrative    = "narrative"     // a narrative that does not compile or drops the text
	RuleSRIOD        = "sr-iod"        // unknown SR IOD preference
	RuleModality     = "modality"      // modality syntax
	RuleExtends      = "extends"       // unknown parent, cycle, too deep
	RuleDuplicateID  = "duplicate-id"  // two files with one id
	RuleLimit        = "limit"         // a size limit
	RuleGeneric      = "generic"       // the set has no generic template
)

// LoadError is one problem with one template file.
type LoadError struct {
	// File is the path of the file ("builtin/x.json" for built-in ones).
	File string
	// Line and Column (1-based, in characters) point at the offending
	// value; both are 0 for a problem with the file as a whole.
	Line, Column int
	// Rule is the rule broken, one of the Rule constants.
	Rule string
	// Path is the field, e.g. "sections[3].kind"; "" for the file.
	Path string
	// Message says what is wrong.
	Message string
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	fmt.Fprintf(&b, "%s (rule %s)", e.Message, e.Rule)
	return b.String()
}

// LoadErrors are all the problems found in one load, in file order.
type LoadErrors []*LoadError

// maxReported bounds the problems one load reports: past a few dozen the
// rest are consequences of the first.
const maxReported = 50

func (l LoadErrors) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	if len(l) == 1 {
		return "templates: " + lines[0]
	}
	return fmt.Sprintf("templates: %d problems:\n  %s", len(l), strings.Join(lines, "\n  "))
}

func (l LoadErrors) capped() LoadErrors {
	if len(l) > maxReported {
		return l[:maxReported]
	}
	return l
}
