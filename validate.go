package reportgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/reportgen/reportgen/fhir"
	"github.com/reportgen/reportgen/html"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

// ErrUnknownKind says a document is none of the kinds the service knows.
var ErrUnknownKind = errors.New("document is neither CDA XML, a DICOM Part 10 file, FHIR JSON nor an HTML page")

// ErrDocumentTooLarge says a document exceeds MaxDocumentSize.
var ErrDocumentTooLarge = fmt.Errorf("document is larger than %d bytes", MaxDocumentSize)

// ValidateDocument checks a CDA document or a DICOM SR file from any
// system. kind UNSPECIFIED detects the kind from the content.
func (e *Engine) ValidateDocument(_ context.Context, doc []byte, kind pb.DocumentKind) (*pb.ValidateDocumentResponse, error) {
	if len(doc) > MaxDocumentSize {
		return nil, ErrDocumentTooLarge
	}
	if kind == pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED {
		kind = DetectKind(doc)
		if kind == pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED {
			return nil, ErrUnknownKind
		}
	}
	var issues issue.List
	switch kind {
	case pb.DocumentKind_DOCUMENT_KIND_CDA:
		issues = e.cdaValidator.Validate(doc)
	case pb.DocumentKind_DOCUMENT_KIND_SR:
		issues = sr.Validate(doc)
	case pb.DocumentKind_DOCUMENT_KIND_FHIR:
		issues = fhir.Validate(doc)
	case pb.DocumentKind_DOCUMENT_KIND_HTML:
		issues = html.Validate(doc)
	default:
		return nil, fmt.Errorf("unknown document kind %d", kind)
	}
	return &pb.ValidateDocumentResponse{Kind: kind, Valid: !issues.HasErrors(), Issues: IssuesToProto(issues)}, nil
}

// DetectKind tells a DICOM Part 10 file ("DICM" after the 128-byte
// preamble) from an HTML page (its doctype or html element), from other
// XML, and from JSON (taken as FHIR); it returns UNSPECIFIED for anything
// else.
func DetectKind(b []byte) pb.DocumentKind {
	if len(b) >= 132 && string(b[128:132]) == "DICM" {
		return pb.DocumentKind_DOCUMENT_KIND_SR
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	head := bytes.ToLower(t[:min(len(t), 15)])
	if bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) {
		return pb.DocumentKind_DOCUMENT_KIND_HTML
	}
	if len(t) > 0 && t[0] == '<' {
		return pb.DocumentKind_DOCUMENT_KIND_CDA
	}
	if len(t) > 0 && t[0] == '{' {
		return pb.DocumentKind_DOCUMENT_KIND_FHIR
	}
	return pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED
}

// ViolationsToProto converts field violations to their API form, for the
// stream failures and the batch records.
func ViolationsToProto(v []issue.Violation) []*pb.FieldViolation {
	out := make([]*pb.FieldViolation, 0, len(v))
	for _, fv := range v {
		out = append(out, &pb.FieldViolation{Field: fv.Field, Description: fv.Description, RuleId: fv.RuleID})
	}
	return out
}

// ViolationsFromProto is the inverse of ViolationsToProto.
func ViolationsFromProto(v []*pb.FieldViolation) []issue.Violation {
	out := make([]issue.Violation, 0, len(v))
	for _, fv := range v {
		out = append(out, issue.Violation{Field: fv.GetField(), Description: fv.GetDescription(), RuleID: fv.GetRuleId()})
	}
	return out
}

// IssuesToProto converts issues to the API form.
func IssuesToProto(l issue.List) []*pb.Issue {
	out := make([]*pb.Issue, 0, len(l))
	for _, i := range l {
		sev := pb.Severity_SEVERITY_INFO
		switch i.Severity {
		case issue.Error:
			sev = pb.Severity_SEVERITY_ERROR
		case issue.Warning:
			sev = pb.Severity_SEVERITY_WARNING
		}
		out = append(out, &pb.Issue{Severity: sev, RuleId: i.RuleID, Location: i.Location, Message: i.Message})
	}
	return out
}
