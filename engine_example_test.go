package reportgen_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

// exampleEngine is an engine over the synced schemas with a fixed clock,
// made once for all the examples (New compiles the schemas), and
// exampleRequest one of the repository's example requests.
var exampleEngine = sync.OnceValue(func() *reportgen.Engine {
	e, err := reportgen.New(reportgen.Config{
		SchemaDir: "schemas/synced",
		Now:       func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	return e
})

func exampleRequest(name string) *pb.GenerateReportRequest {
	b, err := os.ReadFile("examples/" + name + ".json")
	if err != nil {
		log.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		log.Fatal(err)
	}
	return req
}

// Generate renders one request as a CDA and an SR (the default outputs),
// each validated before it is returned; a document that failed its
// validation would be an *InvalidDocumentError instead.
func ExampleEngine_Generate() {
	e := exampleEngine()
	req := exampleRequest("chest-radiograph")
	req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA, pb.DocumentKind_DOCUMENT_KIND_SR}
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("template:", resp.GetTemplateId())
	for _, d := range resp.GetDocuments() {
		fmt.Println(d.GetKind(), d.GetMediaType())
	}
	// Output:
	// template: chest-radiograph
	// DOCUMENT_KIND_CDA application/xml
	// DOCUMENT_KIND_SR application/dicom
}

// A request that breaks the input rules gives every violation at once,
// each naming the field and the rule (see docs/request-rules.md).
func ExampleInvalidRequestError() {
	e := exampleEngine()
	req := exampleRequest("chest-radiograph")
	req.Report.Patient.Ids[0].Value = `MRN\1`
	req.Report.Custodian.Ids = nil
	_, err := e.Generate(context.Background(), req)
	var ire *reportgen.InvalidRequestError
	if errors.As(err, &ire) {
		for _, v := range ire.Violations {
			fmt.Printf("%s [%s]\n", v.Field, v.RuleID)
		}
	}
	// Output:
	// report.patient.ids[0].value [REQ-DICOM-DELIMITER]
	// report.custodian.ids [CONF:1198-5522]
}

// ValidateDocument checks a document from any system with the same
// validators as a generated one; the kind is detected from the content.
func ExampleEngine_ValidateDocument() {
	e := exampleEngine()
	gen, err := e.Generate(context.Background(), exampleRequest("mr-brain"))
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range gen.GetDocuments()[:2] {
		resp, err := e.ValidateDocument(context.Background(), d.GetContent(), pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(resp.GetKind(), "valid:", resp.GetValid())
	}
	broken := []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"/>`)
	resp, err := e.ValidateDocument(context.Background(), broken, pb.DocumentKind_DOCUMENT_KIND_CDA)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.GetKind(), "valid:", resp.GetValid())
	// Output:
	// DOCUMENT_KIND_CDA valid: true
	// DOCUMENT_KIND_SR valid: true
	// DOCUMENT_KIND_CDA valid: false
}

// Transform reads a TID 2000 SR back into the findings model and renders
// it as a CDA. The SR names no custodian identifier, so the deployment
// supplies one; the response's source issues say what was defaulted.
func ExampleEngine_Transform() {
	e := exampleEngine()
	req := exampleRequest("ct-chest-measurements")
	req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
	gen, err := e.Generate(context.Background(), req)
	if err != nil {
		log.Fatal(err)
	}
	opt := reportgen.TransformOptions{Read: sr.ReadOptions{
		Custodian: &pb.Organization{Name: "Archive", Ids: []*pb.Identifier{{AssigningAuthorityOid: "2.16.840.1.113883.19.5"}}},
	}}
	out, err := e.Transform(context.Background(), gen.GetDocuments()[0].GetContent(), opt)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.GetDocument().GetKind(), out.GetDocument().GetMediaType())
	// Output:
	// DOCUMENT_KIND_CDA application/xml
}
