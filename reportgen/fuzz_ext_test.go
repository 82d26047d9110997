package reportgen_test

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/reportgen"
)

var fuzzExamples = []string{"chest-radiograph", "ct-chest-measurements", "mr-brain"}

// FuzzGenerate: whatever the request, Generate either refuses it with
// field violations or returns documents that the service's own validators
// accept. It never panics, and never fails with an invalid document: that
// would mean the input checks let through something the encoders cannot
// render.
func FuzzGenerate(f *testing.F) {
	e := newEngine(f)
	for _, n := range fuzzExamples {
		wire, err := proto.Marshal(example(f, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(wire)
	}
	f.Fuzz(func(t *testing.T, wire []byte) {
		req := &pb.GenerateReportRequest{}
		if proto.Unmarshal(wire, req) != nil {
			return
		}
		resp, err := e.Generate(context.Background(), req)
		if err != nil {
			var ire *reportgen.InvalidRequestError
			if !errors.As(err, &ire) {
				t.Fatalf("Generate failed other than with field violations: %v", err)
			}
			return
		}
		for _, d := range resp.GetDocuments() {
			v, err := e.ValidateDocument(context.Background(), d.GetContent(), d.GetKind())
			if err != nil || !v.GetValid() {
				t.Fatalf("generated %v does not validate: %v %v", d.GetKind(), err, v.GetIssues())
			}
		}
	})
}

// FuzzValidateDocument: any bytes, as CDA or SR or undeclared, give a
// verdict or a refusal, never a panic or a hang.
func FuzzValidateDocument(f *testing.F) {
	e := newEngine(f)
	for _, n := range fuzzExamples {
		resp, err := e.Generate(context.Background(), example(f, n))
		if err != nil {
			f.Fatal(err)
		}
		for _, d := range resp.GetDocuments() {
			f.Add(d.GetContent(), int32(d.GetKind()))
			f.Add(d.GetContent()[:len(d.GetContent())/2], int32(0))
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte, kind int32) {
		k := pb.DocumentKind(kind)
		if _, ok := pb.DocumentKind_name[kind]; !ok {
			k = pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED
		}
		v, err := e.ValidateDocument(context.Background(), doc, k)
		if err == nil && v.GetValid() != !hasError(v.GetIssues()) {
			t.Fatalf("valid=%v disagrees with the issues %v", v.GetValid(), v.GetIssues())
		}
	})
}

func hasError(issues []*pb.Issue) bool {
	for _, i := range issues {
		if i.GetSeverity() == pb.Severity_SEVERITY_ERROR {
			return true
		}
	}
	return false
}
