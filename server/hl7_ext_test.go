package server_test

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/intake"
	"github.com/reportgen/reportgen/outbox"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

func exampleORU(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../examples/oru-ct-chest.hl7")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startHL7 runs the server with an intake (stateless unless ob is set).
func startHL7(t *testing.T, ob *outbox.Outbox, orders string) pb.ReportServiceClient {
	t.Helper()
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	in, err := intake.New(intake.Config{Engine: e, Outbox: ob, OrdersDir: orders})
	if err != nil {
		t.Fatal(err)
	}
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	srv, _ := server.New(e, slog.New(slog.NewTextHandler(io.Discard, nil)), server.DefaultLimits(), server.WithHL7(in))
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, _ := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	t.Cleanup(func() { conn.Close() })
	return pb.NewReportServiceClient(conn)
}

func TestGenerateReportFromHL7(t *testing.T) {
	c := startHL7(t, nil, "")
	resp, err := c.GenerateReportFromHL7(ctx(t), &pb.GenerateReportFromHL7Request{Message: exampleORU(t)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetAckCode() != pb.Hl7AckCode_HL7_ACK_CODE_AA || len(resp.GetReport().GetDocuments()) != 2 || resp.GetDuplicate() {
		t.Fatalf("%v %v", resp.GetAckCode(), resp.GetProblems())
	}
	if !bytes.Contains(resp.GetAck(), []byte("\rMSA|AA|MSG00001")) {
		t.Errorf("ACK %q", resp.GetAck())
	}
	if resp.GetRequest().GetReport().GetStudy().GetAccessionNumber() != "ACC20261121042" {
		t.Error("the mapped request is not returned")
	}

	bad := bytes.Replace(exampleORU(t), []byte("|CT|F|"), []byte("|CT|X|"), 1)
	resp, err = c.GenerateReportFromHL7(ctx(t), &pb.GenerateReportFromHL7Request{Message: bad})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetAckCode() != pb.Hl7AckCode_HL7_ACK_CODE_AE || resp.GetReport() != nil {
		t.Fatalf("%v", resp.GetAckCode())
	}
	p := resp.GetProblems()[0]
	if p.GetLocation() != "OBR-25" || p.GetRule() != "result-status" || p.GetSeverity() != "E" || p.GetCode() != 103 {
		t.Errorf("problem %v", p)
	}

	_, err = c.GenerateReportFromHL7(ctx(t), &pb.GenerateReportFromHL7Request{})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("empty message: %v", err)
	}
	// A server without an intake says so.
	_, err = pb.NewReportServiceClient(start(t)).GenerateReportFromHL7(ctx(t), &pb.GenerateReportFromHL7Request{Message: exampleORU(t)})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("no intake: %v", err)
	}
}

// With the server's intake (outbox), a resend through the RPC gets the
// stored ACK and no documents.
func TestGenerateReportFromHL7Stateful(t *testing.T) {
	dir := t.TempDir()
	d, _ := outbox.NewDir(filepath.Join(dir, "out"))
	ob, err := outbox.Open(filepath.Join(dir, "outbox"), []outbox.Sink{d}, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := startHL7(t, ob, filepath.Join(dir, "orders"))
	first, err := c.GenerateReportFromHL7(ctx(t), &pb.GenerateReportFromHL7Request{Message: exampleORU(t)})
	if err != nil || first.GetAckCode() != pb.Hl7AckCode_HL7_ACK_CODE_AA {
		t.Fatalf("%v %v", err, first.GetProblems())
	}
	again, err := c.GenerateReportFromHL7(ctx(t), &pb.GenerateReportFromHL7Request{Message: exampleORU(t)})
	if err != nil || !again.GetDuplicate() || again.GetReport() != nil || !bytes.Equal(again.GetAck(), first.GetAck()) {
		t.Fatalf("resend: %v duplicate %v", err, again.GetDuplicate())
	}
	if d := ob.Depth()["dir"]; d != 1 {
		t.Errorf("%d deliveries pending, want the first message's only", d)
	}
	if strings.Contains(string(first.GetAck()), "Jones") {
		t.Error("ACK repeats patient data")
	}
}
