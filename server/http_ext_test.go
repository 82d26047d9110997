package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

// httpFixture serves the gRPC server's HTTP face on loopback.
type httpFixture struct {
	url     string
	metrics *server.Metrics
	logs    *syncBuffer
	stop    func() // reports NOT_SERVING, as serve does on SIGTERM
}

func startHTTP(t *testing.T, l server.Limits, opts ...server.Option) httpFixture {
	t.Helper()
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	m := server.NewMetrics()
	logs := &syncBuffer{}
	srv, h := server.New(e, slog.New(slog.NewJSONHandler(logs, nil)), l, append(opts, server.WithMetrics(m))...)
	handler, err := server.HTTPHandler(srv, h, l)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(handler)
	t.Cleanup(hs.Close)
	return httpFixture{url: hs.URL, metrics: m, logs: logs, stop: h.Shutdown}
}

// post sends a Connect unary call with a JSON body.
func post(t *testing.T, url, method string, body []byte, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", url+"/reportgen.v1.ReportService/"+method, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// connectError is the Connect protocol's JSON error body.
type connectError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"details"`
}

// TestHTTPConnectJSON calls the service the way curl or an integration
// engine does: protojson over HTTP/1.1, the Connect protocol.
func TestHTTPConnectJSON(t *testing.T) {
	f := startHTTP(t, server.DefaultLimits())
	req := examples(t)["ct-chest-measurements"]
	body, err := protojson.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	code, b := post(t, f.url, "GenerateReport", body)
	if code != http.StatusOK {
		t.Fatalf("GenerateReport: HTTP %d: %s", code, b)
	}
	resp := &pb.GenerateReportResponse{}
	if err := protojson.Unmarshal(b, resp); err != nil {
		t.Fatalf("response is not a GenerateReportResponse in protojson: %v", err)
	}
	if len(resp.GetDocuments()) != 2 || resp.GetRequestId() != req.GetRequestId() || !bytes.HasPrefix(resp.GetDocuments()[0].GetContent(), []byte("<?xml")) {
		t.Errorf("response: %d documents, request id %q", len(resp.GetDocuments()), resp.GetRequestId())
	}

	// A bad request: Connect's JSON error with the field violations as a
	// google.rpc.BadRequest detail, as gRPC callers get them.
	code, b = post(t, f.url, "GenerateReport", []byte(`{"report":{"status":"REPORT_STATUS_FINAL"}}`))
	var ce connectError
	if err := json.Unmarshal(b, &ce); err != nil || code != http.StatusBadRequest || ce.Code != "invalid_argument" ||
		len(ce.Details) == 0 || ce.Details[0].Type != "google.rpc.BadRequest" {
		t.Errorf("invalid request: HTTP %d %s (%v)", code, b, err)
	}

	// A misspelt field is refused, as generate and batch refuse it.
	code, b = post(t, f.url, "GenerateReport", []byte(`{"requestId":"x","reprot":{}}`))
	if json.Unmarshal(b, &ce); code != http.StatusBadRequest || ce.Code != "invalid_argument" || !strings.Contains(ce.Message, `unknown field "reprot" at line 1:18`) {
		t.Errorf("unknown field: HTTP %d %s", code, b)
	}
	// ... and a bad value is described without the value.
	code, b = post(t, f.url, "GenerateReport", []byte(`{"requestId":"x","report":{"title":{"Jones":1}}}`))
	if json.Unmarshal(b, &ce); code != http.StatusBadRequest || strings.Contains(string(b), "Jones") {
		t.Errorf("bad value: HTTP %d %s", code, b)
	}

	// ListTemplates, with the answers of the BI-RADS rule.
	code, b = post(t, f.url, "ListTemplates", []byte(`{}`))
	if code != http.StatusOK || !bytes.Contains(b, []byte(`"397141009"`)) || !bytes.Contains(b, []byte(`"TEMPLATE_SR_IOD_ENHANCED"`)) {
		t.Errorf("ListTemplates: HTTP %d %.300s", code, b)
	}

	// ValidateDocument of the CDA just made, its bytes base64 in JSON.
	cda := base64.StdEncoding.EncodeToString(resp.GetDocuments()[0].GetContent())
	code, b = post(t, f.url, "ValidateDocument", []byte(`{"content":"`+cda+`"}`))
	if code != http.StatusOK || !bytes.Contains(b, []byte(`"valid":true`)) {
		t.Errorf("ValidateDocument: HTTP %d %.300s", code, b)
	}

	// The same metrics as gRPC calls; no patient data in them or the logs.
	metrics := scrape(t, f.metrics)
	for _, want := range []string{
		`reportgen_grpc_requests_total{code="OK",method="/reportgen.v1.ReportService/GenerateReport"} 1`,
		`reportgen_grpc_requests_total{code="InvalidArgument",method="/reportgen.v1.ReportService/GenerateReport"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, secret := range []string{"Jones", "MRN-902211"} {
		if strings.Contains(f.logs.String(), secret) || strings.Contains(metrics, secret) {
			t.Errorf("patient data %q in logs or metrics", secret)
		}
	}
}

// TestHTTPAuthLimitsHealth: the HTTP face has the gRPC face's bearer
// tokens and message limit, and /healthz, /readyz follow the health
// service.
func TestHTTPAuthLimitsHealth(t *testing.T) {
	l := server.DefaultLimits()
	l.MaxMessageBytes = 1 << 20
	f := startHTTP(t, l, server.WithBearerTokens([]string{"s3cret-token"}))

	code, b := post(t, f.url, "ListTemplates", []byte(`{}`))
	var ce connectError
	if json.Unmarshal(b, &ce); code != http.StatusUnauthorized || ce.Code != "unauthenticated" {
		t.Errorf("no token: HTTP %d %s", code, b)
	}
	if code, b = post(t, f.url, "ListTemplates", []byte(`{}`), "Authorization", "Bearer s3cret-token"); code != http.StatusOK {
		t.Errorf("right token: HTTP %d %s", code, b)
	}

	// Past the limit (with JSON's room for base64): refused, not buffered.
	big := []byte(`{"content":"` + strings.Repeat("A", 3<<20) + `"}`)
	code, b = post(t, f.url, "ValidateDocument", big, "Authorization", "Bearer s3cret-token")
	if json.Unmarshal(b, &ce); code == http.StatusOK || (ce.Code != "resource_exhausted" && ce.Code != "invalid_argument") {
		t.Errorf("oversized request: HTTP %d %.200s", code, b)
	}
	t.Logf("oversized request: HTTP %d %s: %.100s", code, ce.Code, ce.Message)

	get := func(path string) int {
		resp, err := http.Get(f.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get(server.LivePath) != 200 || get(server.ReadyPath) != 200 {
		t.Errorf("healthz %d, readyz %d while serving", get(server.LivePath), get(server.ReadyPath))
	}
	f.stop()
	if get(server.LivePath) != 200 || get(server.ReadyPath) != 503 {
		t.Errorf("healthz %d, readyz %d while draining, want 200 and 503", get(server.LivePath), get(server.ReadyPath))
	}
}
