package sr

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// ReadOptions supply what the findings model needs but a DICOM SR may not
// carry. Read never invents such data: it uses these values only where the
// SR is silent, and says so with an issue each time.
type ReadOptions struct {
	// DefaultIssuerOID is the assigning authority of the Patient ID when
	// the SR names none (Issuer of Patient ID Qualifiers Sequence >
	// Universal Entity ID). It becomes the CDA recordTarget id root.
	DefaultIssuerOID string
	// DefaultAccessionIssuerOID is the issuer of the Accession Number when
	// the SR names none (Issuer of Accession Number Sequence).
	DefaultAccessionIssuerOID string
	// Custodian is the organisation that keeps the report. An SR has no
	// place for its identifiers, address or contacts, so they always come
	// from here; its name is used only when the SR has no Institution Name.
	Custodian *pb.Organization
	// DefaultTimeZone is the time zone of the SR's dates and times when it
	// has no Timezone Offset From UTC. Nil means UTC, with a warning.
	DefaultTimeZone *time.Location
}

// Errors of Read; the issues it returns say exactly why.
var (
	// ErrInvalidSR says the file is not a readable, valid SR: it cannot be
	// parsed, or the SR validator found errors.
	ErrInvalidSR = errors.New("the SR is not valid")
	// ErrNotTID2000 says the SR does not follow TID 2000 Basic Diagnostic
	// Imaging Report: no template identifier and not its shape, or content
	// the template does not allow.
	ErrNotTID2000 = errors.New("the SR is not a TID 2000 diagnostic imaging report")
	// ErrNotRepresentable says the SR holds TID 2000 content the findings
	// model has no place for (a device observer, a standalone key image,
	// laterality, ...). Reading it would drop that content.
	ErrNotRepresentable = errors.New("the SR holds content the findings model cannot represent")
	// ErrIncomplete says the SR lacks data the findings model requires and
	// ReadOptions do not supply, e.g. the Patient ID's issuer.
	ErrIncomplete = errors.New("the SR lacks data the findings model requires")
)

// Rule ids of the reader's own issues. The TID 2000 structure rules use
// the SR-TID ids of validation-rules.md.
const (
	// RuleNotRepresentable: content the findings model cannot hold (error).
	RuleNotRepresentable = "SR-READ-01"
	// RuleMissing: data the model requires is absent (error).
	RuleMissing = "SR-READ-02"
	// RuleDefaulted: a value came from ReadOptions or was assumed (info,
	// or warning when assumed without an option).
	RuleDefaulted = "SR-READ-03"
	// RuleNotCarried: content left out or reshaped because the model or
	// the CDA has no place for it, without losing a finding (warning or
	// info).
	RuleNotCarried = "SR-READ-04"
)

// Read parses an existing TID 2000 SR, made by this service or another
// system, back into the findings model: patient, study, order, author,
// legal authenticator, status and predecessor from the header and the
// root's observation context, and the sections and their observations
// from the content tree, ready for the CDA encoder (DICOM PS3.20 maps the
// same tree to a CDA).
//
// An SR that cannot be read, that the validator finds errors in, that is
// not TID 2000, that holds content the model cannot represent, or that
// lacks data the model requires gives no report: the issues say why, and
// the error wraps ErrInvalidSR, ErrNotTID2000, ErrNotRepresentable or
// ErrIncomplete. An SR without the Content Template Sequence is read when
// its tree has the TID 2000 shape (the template reference is missing from
// many systems' SRs); the missing reference is then a warning. Warnings
// and notes, including every value taken from opt, come with a report.
//
// Read accepts any bytes without panicking. Messages name attributes and
// rules, never values.
func Read(b []byte, opt ReadOptions) (*pb.Report, issue.List, error) {
	s, l, err := ReadSource(b, opt)
	if err != nil {
		return nil, l, err
	}
	return s.Report, l, nil
}

// Source is an SR read into the findings model, with the identity of the
// SR itself, which a CDA made from it names (relatedDocument XFRM).
type Source struct {
	Report         *pb.Report
	SOPInstanceUID string
}

// ReadSource is Read that also returns the SR's own identity from the same
// parse of the file.
func ReadSource(b []byte, opt ReadOptions) (*Source, issue.List, error) {
	var l issue.List
	f := parseFile(b, &l)
	if f == nil {
		return nil, l, readError(l, ErrInvalidSR)
	}
	// What the report takes from the file is copied (dataset.str), so
	// the file goes back to the pool when the report is made.
	defer f.release()
	var valid issue.List
	validateFile(f, &valid)
	r := newReader(f, opt)
	rep := r.report()

	declared := declaresTID2000(f.ds)
	shaped := len(r.tid.Errors()) == 0 && r.knownHeadings > 0 && !hasTIDErrors(valid, "SR-TID-10")
	for _, i := range valid {
		if i.RuleID == "SR-TID-10" && i.Severity == issue.Error && !declared && shaped {
			// Many systems leave the 1C template reference out; the
			// tree itself shows TID 2000.
			i.Severity = issue.Warning
			i.Message += "; the tree has the TID 2000 shape, so it is read as TID 2000"
		}
		l = append(l, i)
	}
	if !declared && r.knownHeadings == 0 {
		r.tid.Errorf("SR-TID-06", tagPath(tag.ContentSequence), "no section CONTAINER has a CID 7001 Diagnostic Imaging Report Heading, so the tree does not show TID 2000 either")
	}
	l = append(l, r.tid...)
	var errs []error
	if hasTIDErrors(l, "") {
		errs = append(errs, ErrNotTID2000)
	}
	if otherErrors(l) {
		errs = append(errs, ErrInvalidSR)
	}
	if len(errs) > 0 {
		// The model's findings about a file that is broken or not TID
		// 2000 would only bury the reasons.
		return nil, l, readError(l, errs...)
	}
	l = append(l, r.model...)
	if hasRuleErrors(l, RuleNotRepresentable) {
		errs = append(errs, ErrNotRepresentable)
	}
	if hasRuleErrors(l, RuleMissing) {
		errs = append(errs, ErrIncomplete)
	}
	if len(errs) > 0 {
		return nil, l, readError(l, errs...)
	}
	// The validator found no error, so the UID is present and valid.
	return &Source{Report: rep, SOPInstanceUID: f.ds.str(tag.SOPInstanceUID)}, l, nil
}

// ReadError is why Read gave no report: the sentinel errors that apply
// (ErrInvalidSR, ErrNotTID2000, ErrNotRepresentable, ErrIncomplete) and
// every issue found, errors and the rest.
type ReadError struct {
	Reasons []error
	Issues  issue.List
}

// Error sums the reasons up on one line, with the first error issue; the
// issues never quote values.
func (e *ReadError) Error() string {
	var reasons []string
	for _, r := range e.Reasons {
		reasons = append(reasons, r.Error())
	}
	errs := e.Issues.Errors()
	msg := fmt.Sprintf("sr: read: %s (%d errors", strings.Join(reasons, "; "), len(errs))
	if len(errs) > 0 {
		msg += ", first: " + errs[0].String()
	}
	return msg + ")"
}

// Unwrap gives the sentinels to errors.Is.
func (e *ReadError) Unwrap() []error { return e.Reasons }

func readError(l issue.List, reasons ...error) error {
	return &ReadError{Reasons: reasons, Issues: l}
}

// hasTIDErrors reports whether l has an error of a TID 2000 rule other
// than except.
func hasTIDErrors(l issue.List, except string) bool {
	for _, i := range l {
		if i.Severity == issue.Error && strings.HasPrefix(i.RuleID, "SR-TID-") && i.RuleID != except {
			return true
		}
	}
	return false
}

// otherErrors reports whether l has an error of a rule that is neither a
// TID 2000 rule nor one of the reader's.
func otherErrors(l issue.List) bool {
	for _, i := range l {
		if i.Severity == issue.Error && !strings.HasPrefix(i.RuleID, "SR-TID-") && !strings.HasPrefix(i.RuleID, "SR-READ-") {
			return true
		}
	}
	return false
}

func hasRuleErrors(l issue.List, rule string) bool {
	for _, i := range l {
		if i.Severity == issue.Error && i.RuleID == rule {
			return true
		}
	}
	return false
}

// declaresTID2000 reports whether the root's Content Template Sequence
// names DCMR template 2000.
func declaresTID2000(ds *dataset) bool {
	tpl := ds.seq(tag.ContentTemplateSequence)
	return len(tpl) == 1 && tpl[0].str(tag.MappingResource) == dcmr && tpl[0].str(tag.TemplateIdentifier) == tid2000
}
