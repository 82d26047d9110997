package server_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	addr string
	logs *syncBuffer
}

// startWith runs the server with options on loopback and returns its
// address; the caller dials as it needs (plaintext, TLS, mTLS).
func startWith(t *testing.T, l server.Limits, opts ...server.Option) fixture {
	t.Helper()
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, _ := server.New(e, slog.New(slog.NewJSONHandler(logs, nil)), l, opts...)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return fixture{addr: lis.Addr().String(), logs: logs}
}

func dial(t *testing.T, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestBearerToken(t *testing.T) {
	f := startWith(t, server.DefaultLimits(), server.WithBearerTokens([]string{"s3cret-token", " "}))
	conn := dial(t, f.addr)
	client := pb.NewReportServiceClient(conn)
	for name, md := range map[string]metadata.MD{
		"none":       nil,
		"wrong":      metadata.Pairs("authorization", "Bearer nope"),
		"not bearer": metadata.Pairs("authorization", "s3cret-token"),
		"empty":      metadata.Pairs("authorization", "Bearer "),
	} {
		c := metadata.NewOutgoingContext(ctx(t), md)
		if _, err := client.ListTemplates(c, &pb.ListTemplatesRequest{}); status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s: %v, want Unauthenticated", name, err)
		}
	}
	c := metadata.NewOutgoingContext(ctx(t), metadata.Pairs("authorization", "Bearer s3cret-token"))
	if _, err := client.ListTemplates(c, &pb.ListTemplatesRequest{}); err != nil {
		t.Errorf("right token: %v", err)
	}
	stream, err := client.GenerateReports(ctx(t))
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("stream without token: %v", err)
	}
	// Health checks answer without a token: probes carry none. So does
	// reflection, which describes the API only, so grpcurl reaches health
	// without a token.
	if _, err := healthpb.NewHealthClient(conn).Check(ctx(t), &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health without token: %v", err)
	}
	if files := reflectFiles(t, f.addr, false, "grpc.health.v1.Health"); len(files) == 0 {
		t.Error("reflection without token gave no file")
	}
}

func TestConcurrencyLimit(t *testing.T) {
	l := server.DefaultLimits()
	l.MaxConcurrentCalls = 1
	m := server.NewMetrics()
	f := startWith(t, l, server.WithMetrics(m))
	conn := dial(t, f.addr)
	client := pb.NewReportServiceClient(conn)
	// An open stream holds the only slot.
	stream, err := client.GenerateReports(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&pb.GenerateReportsRequest{Request: examples(t)["mr-brain"]}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	_, err = client.ListTemplates(ctx(t), &pb.ListTemplatesRequest{})
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("call over the limit: %v, want ResourceExhausted", err)
	}
	if _, err := healthpb.NewHealthClient(conn).Check(ctx(t), &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health over the limit: %v", err)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := stream.Recv(); err != nil {
			break
		}
	}
	// The slot is free again once the stream ends.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err = client.ListTemplates(ctx(t), &pb.ListTemplatesRequest{})
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Errorf("after the stream ended: %v", err)
	}
	if !strings.Contains(scrape(t, m), "reportgen_overload_rejections_total 1") {
		t.Error("rejection not counted")
	}
}

func scrape(t *testing.T, m *server.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestMetricsAndLogs(t *testing.T) {
	m := server.NewMetrics()
	f := startWith(t, server.DefaultLimits(), server.WithMetrics(m))
	client := pb.NewReportServiceClient(dial(t, f.addr))
	req := examples(t)["chest-radiograph"]
	var hdr metadata.MD
	c := metadata.NewOutgoingContext(ctx(t), metadata.Pairs(server.RequestIDHeader, "caller-id-42"))
	if _, err := client.GenerateReport(c, req, grpc.Header(&hdr)); err != nil {
		t.Fatal(err)
	}
	if got := hdr.Get(server.RequestIDHeader); len(got) != 1 || got[0] != "caller-id-42" {
		t.Errorf("request id header = %v, want the caller's", got)
	}
	hdr = nil
	if _, err := client.ListTemplates(ctx(t), &pb.ListTemplatesRequest{}, grpc.Header(&hdr)); err != nil || len(hdr.Get(server.RequestIDHeader)) != 1 {
		t.Errorf("no request id made up: %v %v", hdr, err)
	}
	_, _ = client.ValidateDocument(ctx(t), &pb.ValidateDocumentRequest{Content: []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"/>`)})

	body := scrape(t, m)
	for _, want := range []string{
		`reportgen_grpc_requests_total{code="OK",method="/reportgen.v1.ReportService/GenerateReport"} 1`,
		`reportgen_grpc_request_duration_seconds_count{method="/reportgen.v1.ReportService/GenerateReport"} 1`,
		`reportgen_validation_failures_total{kind="cda",origin="submitted",rule="XSD"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Every call line has a request id; nothing of the patient appears in
	// logs or metrics.
	lines := strings.Split(strings.TrimSpace(f.logs.String()), "\n")
	if len(lines) < 3 {
		t.Fatalf("want a log line per call, got %q", lines)
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		if rec["request_id"] == nil || rec["request_id"] == "" {
			t.Errorf("log line without request_id: %s", l)
		}
	}
	for _, secret := range []string{"Levin", "MRN-448812", "1948-09-24", "Henry"} {
		if strings.Contains(f.logs.String(), secret) || strings.Contains(body, secret) {
			t.Errorf("patient data %q in logs or metrics", secret)
		}
	}
}

// TestMetricsCountReports: a stream is one call but many reports, so the
// reports counter and latency count each request of a stream, with its
// own outcome, beside the unary ones.
func TestMetricsCountReports(t *testing.T) {
	m := server.NewMetrics()
	f := startWith(t, server.DefaultLimits(), server.WithMetrics(m))
	client := pb.NewReportServiceClient(dial(t, f.addr))
	good := examples(t)["chest-radiograph"]
	bad := proto.Clone(good).(*pb.GenerateReportRequest)
	bad.Report.Study.StudyInstanceUid = "not-a-uid"
	if _, err := client.GenerateReport(ctx(t), good); err != nil {
		t.Fatal(err)
	}
	stream, err := client.GenerateReports(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*pb.GenerateReportRequest{good, bad, good, good} {
		if err := stream.Send(&pb.GenerateReportsRequest{Request: r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	body := scrape(t, m)
	for _, want := range []string{
		`reportgen_grpc_requests_total{code="OK",method="/reportgen.v1.ReportService/GenerateReports"} 1`,
		`reportgen_reports_total{code="OK",source="stream"} 3`,
		`reportgen_reports_total{code="InvalidArgument",source="stream"} 1`,
		`reportgen_reports_total{code="OK",source="unary"} 1`,
		`reportgen_report_duration_seconds_count{source="stream"} 4`,
		`reportgen_report_duration_seconds_count{source="unary"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// pki makes a CA, a server certificate for 127.0.0.1 and a client
// certificate, as PEM files in dir.
type pki struct {
	caFile, serverCert, serverKey string
	clientCert                    tls.Certificate
	caPool                        *x509.CertPool
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(cn string, usage x509.ExtKeyUsage, ip net.IP) ([]byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		if ip != nil {
			tmpl.IPAddresses = []net.IP{ip}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalECPrivateKey(key)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	}
	p := pki{caFile: filepath.Join(dir, "ca.pem"), serverCert: filepath.Join(dir, "server.pem"), serverKey: filepath.Join(dir, "server.key")}
	write := func(path string, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(p.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
	sc, sk := issue("server", x509.ExtKeyUsageServerAuth, net.IPv4(127, 0, 0, 1))
	write(p.serverCert, sc)
	write(p.serverKey, sk)
	cc, ck := issue("client", x509.ExtKeyUsageClientAuth, nil)
	p.clientCert, err = tls.X509KeyPair(cc, ck)
	if err != nil {
		t.Fatal(err)
	}
	p.caPool = x509.NewCertPool()
	p.caPool.AddCert(ca)
	return p
}

func TestTLSAndMutualTLS(t *testing.T) {
	p := newPKI(t)
	for _, mutual := range []bool{false, true} {
		name := map[bool]string{false: "tls", true: "mtls"}[mutual]
		t.Run(name, func(t *testing.T) {
			clientCA := ""
			if mutual {
				clientCA = p.caFile
			}
			cfg, err := server.TLSConfig(p.serverCert, p.serverKey, clientCA)
			if err != nil {
				t.Fatal(err)
			}
			f := startWith(t, server.DefaultLimits(), server.WithGRPCOptions(grpc.Creds(credentials.NewTLS(cfg))))

			withCert := &tls.Config{RootCAs: p.caPool, Certificates: []tls.Certificate{p.clientCert}, MinVersion: tls.VersionTLS12}
			client := pb.NewReportServiceClient(dial(t, f.addr, grpc.WithTransportCredentials(credentials.NewTLS(withCert))))
			if _, err := client.GenerateReport(ctx(t), examples(t)["mr-brain"]); err != nil {
				t.Errorf("client with certificate: %v", err)
			}

			noCert := &tls.Config{RootCAs: p.caPool, MinVersion: tls.VersionTLS12}
			c2 := pb.NewReportServiceClient(dial(t, f.addr, grpc.WithTransportCredentials(credentials.NewTLS(noCert))))
			_, err = c2.ListTemplates(ctx(t), &pb.ListTemplatesRequest{})
			if mutual && status.Code(err) != codes.Unavailable {
				t.Errorf("mTLS client without certificate: %v, want refused", err)
			}
			if !mutual && err != nil {
				t.Errorf("TLS client without certificate: %v", err)
			}

			plain := pb.NewReportServiceClient(dial(t, f.addr))
			short, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if _, err := plain.ListTemplates(short, &pb.ListTemplatesRequest{}); err == nil {
				t.Error("plaintext client was served by a TLS server")
			}
		})
	}
	if _, err := server.TLSConfig(p.serverCert, p.serverKey, p.serverKey); err == nil {
		t.Error("a client CA file without a certificate was accepted")
	}
	if _, err := server.TLSConfig("nope.pem", p.serverKey, ""); err == nil {
		t.Error("missing certificate file was accepted")
	}
}

func TestCheckPlaintext(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:50051": true, "[::1]:50051": true, "localhost:1": true,
		"0.0.0.0:50051": false, ":50051": false, "10.1.2.3:50051": false, "example.org:443": false, "nonsense": false,
	} {
		if err := server.CheckPlaintext(addr, false); (err == nil) != ok {
			t.Errorf("CheckPlaintext(%s) = %v, want ok=%v", addr, err, ok)
		}
	}
	if err := server.CheckPlaintext("0.0.0.0:50051", true); err != nil {
		t.Errorf("explicitly allowed: %v", err)
	}
}

// TestEngineWorkersQueue: with one engine slot, concurrent calls wait
// their turn and all succeed; a caller whose deadline passes while
// waiting gets DEADLINE_EXCEEDED instead of work done for nobody.
func TestEngineWorkersQueue(t *testing.T) {
	l := server.DefaultLimits()
	l.EngineWorkers = 1
	f := startWith(t, l)
	client := pb.NewReportServiceClient(dial(t, f.addr))
	req := examples(t)["ct-chest-measurements"]
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := client.GenerateReport(ctx(t), req); err != nil {
				errs <- err
			}
		}()
	}
	// Meanwhile, a call that cannot wait long behind the queue.
	short, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, shortErr := client.GenerateReport(short, req)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("queued call: %v", err)
	}
	if status.Code(shortErr) != codes.DeadlineExceeded {
		t.Errorf("call with a 1 ms deadline: %v, want DeadlineExceeded", shortErr)
	}
}

// TestLimitsPastTheMaximaServe starts a server with limits no machine can
// hold (a stream used to allocate StreamInFlight queue entries and ran
// out of memory) and checks that it still answers a stream, within
// MaxLimits.
func TestLimitsPastTheMaximaServe(t *testing.T) {
	const huge = 1 << 40
	f := startWith(t, server.Limits{MaxMessageBytes: huge, StreamWorkers: huge, StreamInFlight: huge, MaxConcurrentCalls: huge, EngineWorkers: huge})
	client := pb.NewReportServiceClient(dial(t, f.addr))
	stream, err := client.GenerateReports(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range examples(t) {
		if err := stream.Send(&pb.GenerateReportsRequest{Request: req}); err != nil {
			t.Fatal(err)
		}
		break
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	r, err := stream.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if r.GetResponse() == nil {
		t.Errorf("no report: %v", r.GetFailure())
	}
}
