package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/internal/samples"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

// transformClient runs the real server on a loopback port, as the other
// server tests do, and returns a client connected over TCP.
func transformClient(t *testing.T) pb.ReportServiceClient {
	t.Helper()
	e, err := reportgen.New(reportgen.Config{SchemaDir: "../schemas/synced"})
	if err != nil {
		t.Fatalf("engine: %v (CI syncs the schemas before the tests)", err)
	}
	t.Cleanup(e.Close)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := server.New(e, slog.New(slog.NewTextHandler(io.Discard, nil)), server.DefaultLimits())
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pb.NewReportServiceClient(conn)
}

func transformCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// exampleSR generates the SR of an example through the server.
func exampleSR(t *testing.T, client pb.ReportServiceClient, name string) (*pb.GenerateReportRequest, *pb.Document) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		t.Fatal(err)
	}
	req.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_SR}
	resp, err := client.GenerateReport(transformCtx(t), req)
	if err != nil {
		t.Fatalf("GenerateReport: %v", err)
	}
	return req, resp.GetDocuments()[0]
}

// TestTransformDocument transforms the SR of each example over a real
// connection: the CDA passes the CDA schema (xmllint), names the SR with
// relatedDocument XFRM, and the response reports the source's notes but
// no error; the same namespace gives the same document id.
func TestTransformDocument(t *testing.T) {
	client := transformClient(t)
	xsd := filepath.Join("..", "schemas", "synced", "cda-sdtc", "infrastructure", "cda", "CDA_SDTC.xsd")
	for _, name := range []string{"chest-radiograph", "ct-chest-measurements", "mr-brain"} {
		t.Run(name, func(t *testing.T) {
			_, srDoc := exampleSR(t, client, name)
			req := &pb.TransformDocumentRequest{Content: srDoc.GetContent(), UidNamespace: "transform-test"}
			resp, err := client.TransformDocument(transformCtx(t), req)
			if err != nil {
				t.Fatalf("TransformDocument: %v", err)
			}
			d := resp.GetDocument()
			if d.GetKind() != pb.DocumentKind_DOCUMENT_KIND_CDA || d.GetMediaType() != "application/xml" || d.GetCda().GetDocumentId() == "" {
				t.Errorf("document header: %v %q %v", d.GetKind(), d.GetMediaType(), d.GetCda())
			}
			for _, i := range resp.GetSourceIssues() {
				if i.GetSeverity() == pb.Severity_SEVERITY_ERROR {
					t.Errorf("source issue is an error: %v", i)
				}
			}
			if errs, err := extval.XMLLint(xsd, d.GetContent()); err != nil || len(errs) > 0 {
				t.Errorf("xmllint --schema CDA_SDTC.xsd: %v %v", err, errs)
			}
			x := etree.NewDocument()
			if err := x.ReadFromBytes(d.GetContent()); err != nil {
				t.Fatal(err)
			}
			if id := x.FindElement("/ClinicalDocument/relatedDocument[@typeCode='XFRM']/parentDocument/id"); id == nil || id.SelectAttrValue("root", "") != srDoc.GetSr().GetSopInstanceUid() {
				t.Errorf("no relatedDocument XFRM naming the SR %s", srDoc.GetSr().GetSopInstanceUid())
			}
			again, err := client.TransformDocument(transformCtx(t), req)
			if err != nil {
				t.Fatal(err)
			}
			if again.GetDocument().GetCda().GetDocumentId() != d.GetCda().GetDocumentId() {
				t.Errorf("the same SR and namespace gave document ids %s and %s", d.GetCda().GetDocumentId(), again.GetDocument().GetCda().GetDocumentId())
			}
		})
	}
}

// TestTransformDocumentBadInput: a request that cannot be an SR to read
// is INVALID_ARGUMENT with a field violation naming the field.
func TestTransformDocumentBadInput(t *testing.T) {
	client := transformClient(t)
	_, srDoc := exampleSR(t, client, "chest-radiograph")
	tests := []struct {
		name  string
		req   *pb.TransformDocumentRequest
		field string
	}{
		{"no content", &pb.TransformDocumentRequest{}, "content"},
		{"XML instead of DICOM", &pb.TransformDocumentRequest{Content: []byte("<ClinicalDocument/>")}, "content"},
		{"control character in namespace", &pb.TransformDocumentRequest{Content: srDoc.GetContent(), UidNamespace: "a\x00b"}, "uid_namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.TransformDocument(transformCtx(t), tt.req)
			if v := violations(t, err); v[tt.field] == "" {
				t.Errorf("no violation of %s in %v", tt.field, v)
			}
		})
	}
}

// TestTransformDocumentRejects: an SR that is broken or not TID 2000 is
// FAILED_PRECONDITION; the details list the issues (as the standard
// PreconditionFailure and as the service's Failure), and nothing in the
// status quotes patient data.
func TestTransformDocumentRejects(t *testing.T) {
	client := transformClient(t)
	req, srDoc := exampleSR(t, client, "ct-chest-measurements")
	// The language concept (121049) becomes an unknown one: the root has
	// no language, and an item TID 2000 does not know.
	noLanguage := bytes.Replace(srDoc.GetContent(), []byte("121049"), []byte("121048"), 1)
	sample := samples.Read(t, "sr/reportsi.dcm")
	tests := []struct {
		name    string
		content []byte
		rules   []string
	}{
		{"no language", noLanguage, []string{"SR-TID-02", "SR-TID-05"}},
		{"public sample reportsi.dcm", sample, []string{"SR-TID-10", "SR-TID-02", "SR-CI-08", "SR-MOD-08"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.TransformDocument(transformCtx(t), &pb.TransformDocumentRequest{Content: tt.content})
			st := status.Convert(err)
			if st.Code() != codes.FailedPrecondition {
				t.Fatalf("code = %v (%v), want FailedPrecondition", st.Code(), err)
			}
			types := map[string]bool{}
			var failure *pb.Failure
			for _, d := range st.Details() {
				switch d := d.(type) {
				case *errdetails.PreconditionFailure:
					for _, v := range d.GetViolations() {
						types[v.GetType()] = true
					}
				case *pb.Failure:
					failure = d
				}
			}
			for _, r := range tt.rules {
				if !types[r] {
					t.Errorf("no %s violation in %v", r, types)
				}
			}
			if failure == nil || failure.GetCode() != codes.FailedPrecondition.String() || len(failure.GetIssues()) < len(tt.rules) {
				t.Errorf("Failure detail = %v", failure)
			}
			all := st.Message() + " " + prototext.Format(failure)
			for _, secret := range []string{req.GetReport().GetPatient().GetName().GetFamily(), req.GetReport().GetPatient().GetIds()[0].GetValue(), "Isabella"} {
				if strings.Contains(all, secret) {
					t.Errorf("the status quotes patient data %q", secret)
				}
			}
		})
	}
}
