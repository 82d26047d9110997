package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// curl runs the real curl, as a user of the HTTP listener would, and
// returns the HTTP status and the body.
func curl(t *testing.T, args ...string) (string, []byte) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is missing: scripts/setup.sh installs it")
	}
	out, err := exec.Command("curl", append([]string{"-sS", "-w", "\n%{http_code}"}, args...)...).Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	s := string(out)
	i := strings.LastIndexByte(s, '\n')
	return s[i+1:], []byte(s[:i])
}

// TestServeHTTPWithCurl: serve --http-listen answers curl's JSON POST with
// the documents, under the same bearer tokens as gRPC; /readyz and the
// health-only port answer without one.
func TestServeHTTPWithCurl(t *testing.T) {
	bin := buildBinary(t)
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("s3cret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, bin, "--http-listen", "127.0.0.1:0", "--health-listen", "127.0.0.1:0", "--auth-token-file", tokens)
	httpAddr := s.waitLog(t, "http serving").Addr
	healthAddr := s.waitLog(t, "health serving").Addr
	grpcAddr := s.waitLog(t, "serving").Addr
	url := "http://" + httpAddr + "/reportgen.v1.ReportService/GenerateReport"

	code, body := curl(t, "-X", "POST", "-H", "Content-Type: application/json", "-H", "Authorization: Bearer s3cret-token",
		"--data-binary", "@../../examples/ct-chest-measurements.json", url)
	resp := &pb.GenerateReportResponse{}
	if code != "200" || protojson.Unmarshal(body, resp) != nil || len(resp.GetDocuments()) != 2 {
		t.Fatalf("curl GenerateReport: HTTP %s: %.300s", code, body)
	}
	if resp.GetDocuments()[1].GetKind() != pb.DocumentKind_DOCUMENT_KIND_SR || resp.GetTemplateId() != "ct-chest" {
		t.Errorf("documents %v, template %q", resp.GetDocuments()[1].GetKind(), resp.GetTemplateId())
	}

	code, body = curl(t, "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@../../examples/ct-chest-measurements.json", url)
	var ce struct{ Code string }
	if code != "401" || json.Unmarshal(body, &ce) != nil || ce.Code != "unauthenticated" {
		t.Errorf("curl without token: HTTP %s: %s", code, body)
	}
	if code, body = curl(t, "http://"+httpAddr+"/readyz"); code != "200" || string(body) != "serving\n" {
		t.Errorf("readyz: HTTP %s %q", code, body)
	}
	for _, addr := range []string{healthAddr, grpcAddr} {
		if code, stdout, stderr := runCmd(t, "health", "--addr", addr); code != exitOK || stdout != "SERVING\n" {
			t.Errorf("health --addr %s: exit %d %q %s", addr, code, stdout, stderr)
		}
	}
	// The health port serves health only.
	if code, _, _ := runCmd(t, "batch", "--server", healthAddr, "--in", batchInput(t, 1), "--out", t.TempDir(), "--progress", "none"); code != exitFailure {
		t.Errorf("a batch against the health port: exit %d", code)
	}
}

func TestServeHTTPRefusesPlaintextOffLoopback(t *testing.T) {
	code, _, stderr := runCmd(t, "serve", "--schemas", schemaDir, "--listen", "127.0.0.1:0", "--http-listen", "0.0.0.0:0")
	if code != exitFailure || !strings.Contains(stderr, "--http-listen: refusing plaintext") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}
