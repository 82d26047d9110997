package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

const schemaDir = "../../schemas/synced"

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestGenerateAndValidate(t *testing.T) {
	examples, _ := filepath.Glob("../../examples/*.json")
	if len(examples) < 3 {
		t.Fatalf("want at least 3 examples, have %d", len(examples))
	}
	out := t.TempDir()
	code, stdout, stderr := runCmd(t, append([]string{"generate", "--schemas", schemaDir, "--out", out}, examples...)...)
	if code != exitOK {
		t.Fatalf("generate exit %d\nstdout:%s\nstderr:%s", code, stdout, stderr)
	}
	var files []string
	for _, ex := range examples {
		base := strings.TrimSuffix(filepath.Base(ex), ".json")
		for _, suffix := range []string{".cda.xml", ".sr.dcm"} {
			p := filepath.Join(out, base+suffix)
			if st, err := os.Stat(p); err != nil || st.Size() == 0 {
				t.Errorf("missing output %s: %v", p, err)
			}
			files = append(files, p)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	code, stdout, stderr = runCmd(t, append([]string{"validate", "--schemas", schemaDir}, files...)...)
	if code != exitOK || strings.Count(stdout, " valid (") != len(files) {
		t.Fatalf("validate exit %d\nstdout:%s\nstderr:%s", code, stdout, stderr)
	}

	// An invalid document makes validate exit 1.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	if err := os.WriteFile(bad, []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"/>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := runCmd(t, "validate", "--schemas", schemaDir, bad); code != exitInvalid || !strings.Contains(stdout, "INVALID") {
		t.Errorf("validate(bad) exit %d, stdout %s", code, stdout)
	}
}

func TestGenerateInvalidInput(t *testing.T) {
	dir := t.TempDir()
	badJSON := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badJSON, []byte(`{"report": {"patient": 7}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	noPatient := filepath.Join(dir, "nopatient.json")
	if err := os.WriteFile(noPatient, []byte(`{"report": {"status": "REPORT_STATUS_PRELIMINARY"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "generate", "--schemas", schemaDir, "--out", dir, badJSON, noPatient)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitInvalid, stderr)
	}
	for _, want := range []string{"bad.json: not a GenerateReportRequest", "nopatient.json: report.patient: is required"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.dcm")); len(m) != 0 {
		t.Errorf("documents written for invalid input: %v", m)
	}
}

func TestUsageAndMissingSchemas(t *testing.T) {
	if code, _, _ := runCmd(t); code != exitUsage {
		t.Errorf("no args: exit %d", code)
	}
	if code, _, _ := runCmd(t, "frobnicate"); code != exitUsage {
		t.Errorf("unknown command: exit %d", code)
	}
	if code, _, _ := runCmd(t, "generate", "--out", t.TempDir()); code != exitUsage {
		t.Errorf("generate without files: exit %d", code)
	}
	code, _, stderr := runCmd(t, "validate", "--schemas", t.TempDir(), "x.xml")
	if code != exitFailure || !strings.Contains(stderr, "reportgen schemas sync") {
		t.Errorf("missing schemas: exit %d, stderr %s", code, stderr)
	}
}

// TestServeGracefulShutdown runs the real binary, keeps a stream of
// requests in flight, sends SIGTERM, and expects every request answered
// and a clean exit.
func TestServeGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "reportgen")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--schemas", schemaDir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	logs := bufio.NewScanner(stderr)
	addr := ""
	var logLines []string
	for addr == "" && logs.Scan() {
		logLines = append(logLines, logs.Text())
		var rec struct{ Msg, Addr string }
		if json.Unmarshal(logs.Bytes(), &rec) == nil && rec.Msg == "serving" {
			addr = rec.Addr
		}
	}
	if addr == "" {
		t.Fatalf("server did not start: %v", logLines)
	}
	rest := make(chan []string)
	go func() {
		var lines []string
		for logs.Scan() {
			lines = append(lines, logs.Text())
		}
		rest <- lines
	}()

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	b, err := os.ReadFile("../../examples/ct-chest-measurements.json")
	if err != nil {
		t.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stream, err := pb.NewReportServiceClient(conn).GenerateReports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	for range n / 2 {
		if err := stream.Send(&pb.GenerateReportsRequest{Request: req}); err != nil {
			t.Fatal(err)
		}
	}
	// SIGTERM while the stream is open: in-flight work must finish.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range n / 2 {
		if err := stream.Send(&pb.GenerateReportsRequest{Request: req}); err != nil {
			t.Fatalf("Send after SIGTERM on an open stream: %v", err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	got := 0
	for {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Recv after %d responses: %v", got, err)
		}
		if r.GetResponse() == nil {
			t.Errorf("response %d failed: %v", got, r.GetFailure())
		}
		got++
	}
	if got != n {
		t.Errorf("got %d responses, want %d", got, n)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("server exit: %v", err)
	}
	lines := <-rest
	joined := strings.Join(lines, "\n")
	if !strings.Contains(joined, `"msg":"shutting down"`) || !strings.Contains(joined, `"msg":"stopped"`) {
		t.Errorf("shutdown not logged:\n%s", joined)
	}
	// Logs carry no patient data.
	for _, secret := range []string{"Jones", "MRN-902211", "1961"} {
		if strings.Contains(joined, secret) {
			t.Errorf("log contains patient data %q", secret)
		}
	}
}
