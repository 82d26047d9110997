package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

// batchInput writes a JSONL input of n reports made from the examples
// (request_id and accession number vary per line), with an invalid JSON
// line and an invalid request at the end.
func batchInput(t *testing.T, n int) string {
	t.Helper()
	files, _ := filepath.Glob("../../examples/*.json")
	files = append(files, "../../batch/testdata/typical-ct.json")
	sort.Strings(files)
	var samples []*pb.GenerateReportRequest
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := &pb.GenerateReportRequest{}
		if err := protojson.Unmarshal(b, r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		samples = append(samples, r)
	}
	var buf bytes.Buffer
	for i := range n {
		r := proto.Clone(samples[i%len(samples)]).(*pb.GenerateReportRequest)
		r.RequestId = fmt.Sprintf("rpt-%d", i+1)
		r.Report.Study.AccessionNumber = fmt.Sprintf("K%d", i+1)
		b, err := protojson.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	buf.WriteString("{\"requestId\": \"broken\",\n")
	buf.WriteString(`{"requestId":"no-patient","report":{"status":"REPORT_STATUS_PRELIMINARY"}}` + "\n")
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// batchRecord is the part of a results line the tests read.
type batchRecord struct {
	Line       int      `json:"line"`
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Outputs    []string `json:"outputs"`
	Violations []struct {
		Field, Description string
	} `json:"violations"`
}

// readBatchResults parses a results file, failing on any line that is not
// a whole record.
func readBatchResults(t *testing.T, path string) []batchRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []batchRecord
	s := bufio.NewScanner(f)
	for s.Scan() {
		var r batchRecord
		if err := json.Unmarshal(s.Bytes(), &r); err != nil {
			t.Fatalf("results line %d: %v", len(out)+1, err)
		}
		out = append(out, r)
	}
	return out
}

// countLines counts the complete lines of a file (0 if it is missing).
func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// TestBatchHelperProcess is the batch command run as a child process by
// TestBatchKillAndResume, so it can be killed with SIGKILL.
func TestBatchHelperProcess(t *testing.T) {
	env := os.Getenv("REPORTGEN_BATCH_HELPER_ARGS")
	if env == "" {
		t.Skip("run as a child process by TestBatchKillAndResume")
	}
	var args []string
	if err := json.Unmarshal([]byte(env), &args); err != nil {
		t.Fatal(err)
	}
	os.Exit(run(args, io.Discard, io.Discard))
}

// startBatchChild runs the batch in a child process.
func startBatchChild(t *testing.T, args []string) *exec.Cmd {
	t.Helper()
	return startBatchChildWith(t, args, nil)
}

// startBatchChildWith runs the batch in a child process with extra
// environment variables.
func startBatchChildWith(t *testing.T, args, extraEnv []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBatchHelperProcess$")
	env, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(append(os.Environ(), "REPORTGEN_BATCH_HELPER_ARGS="+string(env)), extraEnv...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// TestBatchKillAndResume kills the batch with SIGKILL twice part-way, then
// reruns it with the same arguments: every input must be recorded exactly
// once, every output complete and valid, no temporary file left.
func TestBatchKillAndResume(t *testing.T) {
	const n = 240
	in := batchInput(t, n)
	out := filepath.Join(t.TempDir(), "out")
	results := filepath.Join(out, "results.jsonl")
	args := []string{"batch", "--schemas", schemaDir, "--in", in, "--out", out, "--uid-namespace", "kill-test", "--progress", "none"}

	killed := 0
	for _, at := range []int{1, n / 2} {
		cmd := startBatchChild(t, args)
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		deadline := time.After(60 * time.Second)
	wait:
		for {
			select {
			case <-exited:
				t.Logf("the child finished before %d results were recorded", at)
				break wait
			case <-deadline:
				cmd.Process.Kill()
				t.Fatal("the child made no progress in 60 s")
			case <-time.After(2 * time.Millisecond):
				if countLines(results) >= at {
					cmd.Process.Kill() // SIGKILL: no chance to clean up
					<-exited
					killed++
					t.Logf("killed with %d results recorded", countLines(results))
					break wait
				}
			}
		}
	}
	if killed == 0 {
		t.Log("the machine outran every kill; the resume is still checked")
	}

	code, stdout, stderr := runCmd(t, args...)
	if code != exitInvalid { // the two bad lines
		t.Fatalf("resumed run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, fmt.Sprintf("%d inputs recorded: %d ok, 2 invalid, 0 failed", n+2, n)) {
		t.Errorf("summary:\n%s", stdout)
	}

	recs := readBatchResults(t, results)
	byLine := map[int]batchRecord{}
	for _, r := range recs {
		if _, dup := byLine[r.Line]; dup {
			t.Errorf("line %d recorded twice", r.Line)
		}
		byLine[r.Line] = r
	}
	if len(recs) != n+2 {
		t.Errorf("%d records, want %d", len(recs), n+2)
	}
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for line := 1; line <= n; line++ {
		r, ok := byLine[line]
		if !ok || r.Status != "ok" || len(r.Outputs) != 2 {
			t.Errorf("line %d: %+v", line, r)
			continue
		}
		for _, o := range r.Outputs {
			b, err := os.ReadFile(filepath.Join(out, o))
			if err != nil {
				t.Fatal(err)
			}
			v, err := e.ValidateDocument(context.Background(), b, pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED)
			if err != nil || !v.GetValid() {
				t.Errorf("line %d: %s is not a valid document: %v %v", line, o, err, v.GetIssues())
			}
		}
	}
	if r := byLine[n+1]; r.Status != "invalid" || len(r.Violations) != 1 || r.Violations[0].Field != "(json)" {
		t.Errorf("invalid JSON line: %+v", r)
	}
	if r := byLine[n+2]; r.Status != "invalid" || r.Name != "no-patient" || len(r.Violations) == 0 {
		t.Errorf("invalid request line: %+v", r)
	}
	if tmp, _ := filepath.Glob(filepath.Join(out, ".tmp-*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	docs, _ := filepath.Glob(filepath.Join(out, "rpt-*"))
	if len(docs) != 2*n {
		t.Errorf("%d documents in the output folder, want %d", len(docs), 2*n)
	}
}

func TestBatchRemoteCLI(t *testing.T) {
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var addrs []string
	for range 2 {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv, _ := server.New(e, slog.New(slog.NewTextHandler(io.Discard, nil)), server.DefaultLimits())
		go srv.Serve(lis)
		defer srv.Stop()
		addrs = append(addrs, lis.Addr().String())
	}
	in := batchInput(t, 20)
	out := t.TempDir()
	code, stdout, stderr := runCmd(t, "batch", "--server", strings.Join(addrs, ","), "--in", in, "--out", out, "--progress", "lines")
	if code != exitInvalid || !strings.Contains(stdout, "22 inputs recorded: 20 ok, 2 invalid, 0 failed") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "batch: 22/22 (100.0%)") || strings.Contains(stderr, "rpt-") {
		t.Errorf("progress lines (counts only, no ids):\n%s", stderr)
	}
}

func TestBatchUsage(t *testing.T) {
	in := batchInput(t, 1)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no input", []string{"batch", "--out", t.TempDir()}, exitUsage, "reportgen batch: missing --in FILE.jsonl|DIR (the requests); reportgen batch -h lists every flag\n"},
		{"no output", []string{"batch", "--in", in}, exitUsage, "reportgen batch: missing --out DIR (the output folder); reportgen batch -h lists every flag\n"},
		{"neither", []string{"batch"}, exitUsage, "missing --in FILE.jsonl|DIR (the requests) and --out DIR"},
		{"stray argument", []string{"batch", "--in", in, "--out", t.TempDir(), "extra"}, exitUsage, `unexpected argument "extra"`},
		{"help", []string{"batch", "-h"}, exitUsage, "usage: reportgen batch"},
		{"bad heading codes", []string{"batch", "--in", in, "--out", t.TempDir(), "--sr-heading-codes", "x"}, exitUsage, "loinc or dcm"},
		{"bad progress", []string{"batch", "--in", in, "--out", t.TempDir(), "--progress", "x"}, exitUsage, "--progress"},
		// Used to hang starting a trillion goroutines.
		{"huge workers", []string{"batch", "--in", in, "--out", t.TempDir(), "--workers", "1000000000000"}, exitUsage, "--workers 1000000000000 is out of range: it must be 0 to 1024"},
		{"negative streams, no window", []string{"batch", "--in", in, "--out", t.TempDir(), "--streams", "-1", "--window", "0"}, exitUsage, "--streams -1 is out of range: it must be 0 to 1024; limits: --window 0 is out of range"},
		{"negative progress interval", []string{"batch", "--in", in, "--out", t.TempDir(), "--progress-every", "-1s"}, exitUsage, "--progress-every -1s"},
		{"missing input", []string{"batch", "--schemas", schemaDir, "--in", filepath.Join(t.TempDir(), "none.jsonl"), "--out", t.TempDir()}, exitFailure, "rerun"},
		{"missing schemas", []string{"batch", "--schemas", t.TempDir(), "--in", in, "--out", t.TempDir()}, exitFailure, "reportgen schemas sync"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || (tt.name != "help" && strings.Count(stderr, "\n") > 1) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, tt.code, tt.want, stderr)
			}
		})
	}
}

// TestBatchRemoteNamesTheFix: a batch the servers refuse for its
// credentials says which flag fixes it instead of "rerun".
func TestBatchRemoteNamesTheFix(t *testing.T) {
	e, err := reportgen.New(reportgen.Config{SchemaDir: schemaDir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := server.New(e, slog.New(slog.NewTextHandler(io.Discard, nil)), server.DefaultLimits(), server.WithBearerTokens([]string{"s3cret"}))
	go srv.Serve(lis)
	defer srv.Stop()
	code, _, stderr := runCmd(t, "batch", "--server", lis.Addr().String(), "--in", batchInput(t, 2), "--out", t.TempDir(), "--progress", "none")
	if code != exitFailure || !strings.Contains(stderr, "to fix: the servers want a bearer token") || !strings.Contains(stderr, "--token-file") ||
		strings.Contains(stderr, "rerun with the same arguments to finish") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
