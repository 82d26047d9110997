package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/internal/extval"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

const schemaDir = "../schemas/synced"

// start runs the real server on a loopback port and returns a client
// connected over TCP.
func start(t *testing.T) *grpc.ClientConn {
	t.Helper()
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir, WADOBaseURL: "https://pacs.example.org/wado"})
	if err != nil {
		t.Fatalf("engine: %v (CI syncs the schemas before the tests)", err)
	}
	t.Cleanup(e.Close)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, _ := server.New(e, log, server.DefaultLimits())
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func examples(t *testing.T) map[string]*pb.GenerateReportRequest {
	t.Helper()
	files, err := filepath.Glob("../examples/*.json")
	if err != nil || len(files) < 3 {
		t.Fatalf("want at least 3 examples, found %d (%v)", len(files), err)
	}
	out := map[string]*pb.GenerateReportRequest{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		req := &pb.GenerateReportRequest{}
		if err := protojson.Unmarshal(b, req); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = req
	}
	return out
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// TestGenerateExamples calls the server for every example and checks
// both documents with the independent validators.
func TestGenerateExamples(t *testing.T) {
	client := pb.NewReportServiceClient(start(t))
	xsd := filepath.Join(schemaDir, "cda-sdtc/infrastructure/cda/CDA_SDTC.xsd")
	for name, req := range examples(t) {
		t.Run(name, func(t *testing.T) {
			resp, err := client.GenerateReport(ctx(t), req)
			if err != nil {
				t.Fatalf("GenerateReport: %v", err)
			}
			if resp.GetRequestId() != req.GetRequestId() || resp.GetTemplateId() == "" {
				t.Errorf("response ids = %q/%q", resp.GetRequestId(), resp.GetTemplateId())
			}
			if len(resp.GetDocuments()) != 2 {
				t.Fatalf("got %d documents, want CDA and SR", len(resp.GetDocuments()))
			}
			cda, sr := resp.GetDocuments()[0], resp.GetDocuments()[1]
			if cda.GetKind() != pb.DocumentKind_DOCUMENT_KIND_CDA || cda.GetMediaType() != "application/xml" || cda.GetCda().GetDocumentId() == "" {
				t.Errorf("CDA document header: %v %q %v", cda.GetKind(), cda.GetMediaType(), cda.GetCda())
			}
			if sr.GetKind() != pb.DocumentKind_DOCUMENT_KIND_SR || sr.GetMediaType() != "application/dicom" || sr.GetSr().GetSopInstanceUid() == "" {
				t.Errorf("SR document header: %v %q %v", sr.GetKind(), sr.GetMediaType(), sr.GetSr())
			}
			if got, want := sr.GetSr().GetStudyInstanceUid(), req.GetReport().GetStudy().GetStudyInstanceUid(); got != want {
				t.Errorf("SR study %s, want the reported study %s", got, want)
			}

			errs, err := extval.XMLLint(xsd, cda.GetContent())
			if err != nil || len(errs) > 0 {
				t.Errorf("xmllint --schema CDA_SDTC.xsd: %v %v", err, errs)
			}
			path := filepath.Join(t.TempDir(), name+".sr.dcm")
			if err := os.WriteFile(path, sr.GetContent(), 0o644); err != nil {
				t.Fatal(err)
			}
			for tool, run := range map[string]func(string, ...string) (extval.DCMTKReport, error){
				"dcmdump": extval.DCMDump, "dsrdump": extval.DSRDump, "dsr2xml": extval.DSR2XML,
			} {
				if rep, err := run(path); err != nil || len(rep.Errors) > 0 {
					t.Errorf("%s: %v %v", tool, err, rep.Errors)
				}
			}
			derrs, _, err := extval.DCIODVfy(path)
			if err != nil || len(derrs) > 0 {
				t.Errorf("dciodvfy: %v %v", err, derrs)
			}

			// The service's own verdict on its documents is "valid".
			for _, d := range resp.GetDocuments() {
				v, err := client.ValidateDocument(ctx(t), &pb.ValidateDocumentRequest{Content: d.GetContent()})
				if err != nil || !v.GetValid() || v.GetKind() != d.GetKind() {
					t.Errorf("ValidateDocument(own %v) = %v, %v", d.GetKind(), v, err)
				}
			}
		})
	}
}

func violations(t *testing.T, err error) map[string]string {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code = %v (%v), want InvalidArgument", st.Code(), err)
	}
	out := map[string]string{}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out[v.GetField()] = v.GetDescription()
				if v.GetReason() == "" {
					t.Errorf("the field violation of %s names no rule (reason)", v.GetField())
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no BadRequest field violations in %v", err)
	}
	return out
}

// TestGenerateBadInput: every kind of bad input is INVALID_ARGUMENT with
// one field violation per problem, naming the field.
func TestGenerateBadInput(t *testing.T) {
	client := pb.NewReportServiceClient(start(t))
	base := examples(t)["chest-radiograph"]
	tests := []struct {
		name   string
		mutate func(r *pb.Report)
		fields []string
	}{
		{"missing patient identifier", func(r *pb.Report) { r.Patient.Ids = nil }, []string{"report.patient.ids"}},
		{"malformed UID", func(r *pb.Report) { r.Study.StudyInstanceUid = "1.2.03.abc" }, []string{"report.study.study_instance_uid"}},
		{"date that does not exist", func(r *pb.Report) { r.Patient.BirthDate = "1948-02-30" }, []string{"report.patient.birth_date"}},
		{"time without offset", func(r *pb.Report) { r.ReportTime = "2026-11-20T09:42:00" }, []string{"report.report_time"}},
		{"text over its limit", func(r *pb.Report) { r.Sections[3].Text = strings.Repeat("x", reportgen.DefaultMaxText+1) }, []string{"report.sections[3].text"}},
		{"name over the PN limit", func(r *pb.Report) { r.Patient.Name.Family = strings.Repeat("é", 70) }, []string{"report.patient.name"}},
		{"accession over SH", func(r *pb.Report) { r.Study.AccessionNumber = "12345678901234567" }, []string{"report.study.accession_number"}},
		{"final without signer", func(r *pb.Report) { r.LegalAuthenticator = nil }, []string{"report.legal_authenticator", "report.signature_time"}},
		{"two findings sections", func(r *pb.Report) {
			r.Sections = append(r.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_FINDINGS, Text: "Again."})
		}, []string{"report.sections"}},
		{"unknown SOP class", func(r *pb.Report) {
			r.Sections[3].Observations[0].Images = []*pb.ImageReference{{SeriesInstanceUid: "1.2.3", SopClassUid: "1.2.3.4", SopInstanceUid: "1.2.3.5"}}
		}, []string{"report.sections[3].observations[0].images[0].sop_class_uid"}},
		{"several problems at once", func(r *pb.Report) {
			r.Patient.Ids = nil
			r.Study.StudyInstanceUid = ""
			r.Custodian = nil
		}, []string{"report.patient.ids", "report.study.study_instance_uid", "report.custodian"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := proto.Clone(base).(*pb.GenerateReportRequest)
			tt.mutate(req.Report)
			_, err := client.GenerateReport(ctx(t), req)
			got := violations(t, err)
			for _, f := range tt.fields {
				if _, ok := got[f]; !ok {
					t.Errorf("no violation for %s; got %v", f, got)
				}
			}
			if len(got) != len(tt.fields) {
				t.Errorf("got %d violations %v, want exactly %v", len(got), got, tt.fields)
			}
			// Violations name the rule, never the patient's data.
			for f, d := range got {
				if strings.Contains(d, "Levin") || strings.Contains(d, "MRN-448812") || strings.Contains(d, "1948") {
					t.Errorf("%s: description leaks patient data: %s", f, d)
				}
			}
		})
	}
	_, err := client.GenerateReport(ctx(t), &pb.GenerateReportRequest{})
	if got := violations(t, err); got["report"] == "" {
		t.Errorf("empty request: %v", got)
	}
}

// TestGenerateReportsStream sends a batch with a bad request in the middle:
// every request gets exactly one response with its request_id, and only
// the bad one fails.
func TestGenerateReportsStream(t *testing.T) {
	client := pb.NewReportServiceClient(start(t))
	stream, err := client.GenerateReports(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	ex := examples(t)
	names := make([]string, 0, len(ex))
	for n := range ex {
		names = append(names, n)
	}
	sort.Strings(names)
	want := map[string]bool{} // request_id -> should succeed
	var reqs []*pb.GenerateReportsRequest
	const rounds = 10
	for i := range rounds {
		for _, n := range names {
			req := proto.Clone(ex[n]).(*pb.GenerateReportRequest)
			req.RequestId = n + "-" + string(rune('a'+i))
			ok := !(i == 3 && n == names[0])
			if !ok {
				req.Report.Study.StudyInstanceUid = "not-a-uid"
			}
			want[req.RequestId] = ok
			reqs = append(reqs, &pb.GenerateReportsRequest{Request: req})
		}
	}
	go func() {
		for _, r := range reqs {
			if err := stream.Send(r); err != nil {
				t.Errorf("Send: %v", err)
				return
			}
		}
		_ = stream.CloseSend()
	}()
	got := map[string]bool{}
	for {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		if _, dup := got[r.GetRequestId()]; dup {
			t.Errorf("two responses for %s", r.GetRequestId())
		}
		got[r.GetRequestId()] = r.GetResponse() != nil
		if f := r.GetFailure(); f != nil && (f.GetCode() != "InvalidArgument" || len(f.GetFieldViolations()) == 0 || f.GetFieldViolations()[0].GetRuleId() == "") {
			t.Errorf("%s: failure %v", r.GetRequestId(), f)
		}
	}
	if len(got) != rounds*len(names) {
		t.Fatalf("got %d responses, want %d", len(got), rounds*len(names))
	}
	for id, ok := range want {
		if got[id] != ok {
			t.Errorf("%s: success=%v, want %v", id, got[id], ok)
		}
	}
}

func TestValidateDocumentRejects(t *testing.T) {
	client := pb.NewReportServiceClient(start(t))
	for name, req := range map[string]*pb.ValidateDocumentRequest{
		"empty":   {},
		"garbage": {Content: []byte("hello")},
	} {
		_, err := client.ValidateDocument(ctx(t), req)
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", name, err)
		}
	}
	// A broken CDA is reported, not rejected: the call succeeds with issues.
	resp, err := client.ValidateDocument(ctx(t), &pb.ValidateDocumentRequest{Content: []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"/>`)})
	if err != nil || resp.GetValid() || len(resp.GetIssues()) == 0 {
		t.Errorf("broken CDA: %v, %v", resp, err)
	}
	resp, err = client.ValidateDocument(ctx(t), &pb.ValidateDocumentRequest{Content: append(make([]byte, 128), []byte("DICM\x02\x00")...)})
	if err != nil || resp.GetValid() || resp.GetKind() != pb.DocumentKind_DOCUMENT_KIND_SR {
		t.Errorf("truncated DICOM: %v, %v", resp, err)
	}
}

func TestListTemplatesHealthReflection(t *testing.T) {
	conn := start(t)
	lt, err := pb.NewReportServiceClient(conn).ListTemplates(ctx(t), &pb.ListTemplatesRequest{})
	if err != nil || len(lt.GetTemplates()) == 0 || lt.GetTemplates()[0].GetId() == "" {
		t.Errorf("ListTemplates = %v, %v", lt, err)
	}
	h, err := healthpb.NewHealthClient(conn).Check(ctx(t), &healthpb.HealthCheckRequest{Service: pb.ReportService_ServiceDesc.ServiceName})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health = %v, %v", h, err)
	}
	rs, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	r, err := rs.Recv()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range r.GetListServicesResponse().GetService() {
		found = found || s.GetName() == "reportgen.v1.ReportService"
	}
	if !found {
		t.Errorf("reflection does not list reportgen.v1.ReportService: %v", r)
	}
}
